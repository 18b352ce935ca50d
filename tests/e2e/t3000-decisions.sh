#!/bin/sh
# t3000-decisions: rendered letters imported and judged by the shipped
# catalogue: mailbox, department, validity, writer and risk of each, with
# reasons; repeat letters (the same writer on the same matter, reworded)
# told from the writer's letter on another matter and from another
# writer's copy (related); `alerts`; an office's own catalogue (catalog.ini in the archive, or
# --catalog) changes the routing; a malformed catalogue is refused with the
# file and line before anything is read; a split letter is judged again.
. "$(dirname "$0")/lib.sh"

# field ARCHIVE JQ: one line per letter, in page order.
field() {
	"$MAILROOM" --archive "$1" letters | jq -r "$2" | paste -sd" "
}

# code_of ARCHIVE NAME: the tracking code of the letter from NAME-p1.png.
code_of() {
	"$MAILROOM" --archive "$1" letters | jq -r "select(.source |
		endswith(\"$2-p1.png\")) | .tracking_code"
}

test_expect_success 'render the sample letters, an advert and a threat' '
	printf "新店开业，全场特价，限时折扣！\n免费领取礼品，欢迎来电。\n咨询热线：023-12345678\n" \
		>advert.txt &&
	printf "尊敬的市长：\n\t我是南岸区的农民工周七。包工头拖欠我们的工资已经两年，\n我们多次讨薪都没有结果。如果再不解决，我只能从楼顶跳下去，\n一死了之。恳请领导帮助解决。\n来信人：周七\n手机：135 0000 0005\n身份证号：11010519491231002X\n2024年7月1日\n" \
		>threat.txt &&
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/*.txt advert.txt \
		threat.txt >/dev/null &&
	"$MKPAGE" -o gas.tif r/zh-gas-mayor-p1.png r/zh-gas-mayor-p2.png
'

# One file a letter, in this order.
set -- gas.tif r/en-bus-mayor-p1.png r/zh-noise-night-p1.png \
	r/zh-parking-housing-p1.png r/zh-wages-secretary-p1.png \
	r/advert-p1.png r/threat-p1.png
letters="$*"

test_expect_success 'import: every letter judged' '
	"$MAILROOM" --archive A import $letters >out 2>err &&
	cat err &&
	test_line_count -eq 7 out &&
	test "$(field A .mailbox)" = \
		"mayor mayor environment housing secretary invalid mayor" &&
	test "$(field A .department)" = \
		"housing transport environment housing labor null labor" &&
	test "$(field A .valid)" = "true true true true true false true" &&
	test "$(field A .validity_reason)" = \
		"null null null null null advertising null"
'

test_expect_success 'writers: names, phones, a checked ID number' '
	test "$(field A .writer.phone)" = "138****0001 ***-0100 136****0004 137****0003 139****0002 023-****5678 135****0005" &&
	printf "[privacy]\nunmasked = %s\n" "$(id -un)" >A/privacy.ini &&
	chmod 600 A/privacy.ini &&
	test "$("$MAILROOM" --archive A letters --unmasked |
		jq -r .writer.phone | paste -sd" ")" = \
		"13800000001 555-0100 13600000004 13700000003 13900000002 023-12345678 13500000005" &&
	rm A/privacy.ini &&
	test "$(field A ".writer.name // \"-\"")" = \
		"张三 John Q. Sample 赵六 王五 李四 - 周七" &&
	test "$(field A "select(.writer.id_number) | .writer.id_number_state")" \
		= valid
'

test_expect_success 'the threat is a risk letter, with its words' '
	test "$(field A .risk)" = "false false false false false false true" &&
	"$MAILROOM" --archive A letters | jq -r "select(.risk) | .risk_words[]" \
		>words &&
	grep -x "一死了之" words &&
	code=$("$MAILROOM" --archive A letters | jq -r "select(.risk) |
		.tracking_code") &&
	"$MAILROOM" --archive A show "$code" >show &&
	grep "^RISK: *self_harm" show &&
	grep "^reasons: .*\"risk\"" show &&
	grep "decided mailbox: - -> mayor" show
'

test_expect_success 'the table shows the sort' '
	"$MAILROOM" --archive A letters --format table >table &&
	grep "MAILBOX" table &&
	grep -c " secretary " table | grep -x 1 &&
	test "$(grep -c " labor  *!  " table)" = 1
'

test_expect_success 'render a repeat, another matter, a neighbour copy' '
	"$TESTS/render-letters.sh" r "$TESTS"/data/repeat/*.txt >/dev/null
'

test_expect_success 'the same writer again on the same matter is a repeat' '
	wages=$("$MAILROOM" --archive A letters | jq -r "select(.source |
		endswith(\"zh-wages-secretary-p1.png\")) | .tracking_code") &&
	"$MAILROOM" --archive A import r/zh-wages-again-p1.png \
		r/zh-wages-writer-bbq-p1.png r/zh-noise-neighbour-p1.png \
		>out 2>err &&
	test "$(field A "select(.source | contains(\"repeat\") or
		contains(\"again\") or contains(\"bbq\") or
		contains(\"neighbour\")) | .repeat")" = "true false false" &&
	test "$(field A "select(.repeat) | .repeat_of[]")" = "$wages" &&
	test "$(field A "select(.repeat) | .writer.writer_id")" = \
		"$(field A "select(.tracking_code == \"$wages\") |
			.writer.writer_id")"
'

test_expect_success 'another writer on the same matter is related' '
	test "$(sqlite3 A/index.sqlite "SELECT kind FROM letter_link
		WHERE kind = \"related\"")" = related &&
	test "$(sqlite3 A/index.sqlite "SELECT count(*) FROM letter_link")" = 2
'

test_expect_success 'alerts: repeat and risk letters, newest first' '
	wages=$("$MAILROOM" --archive A letters | jq -r "select(.source |
		endswith(\"zh-wages-secretary-p1.png\")) | .tracking_code") &&
	"$MAILROOM" --archive A alerts >alerts &&
	test_line_count -eq 2 alerts &&
	head -1 alerts | grep "repeat of $wages" &&
	head -1 alerts | grep "李四" &&
	tail -1 alerts | grep "risk (self_harm:"
'

test_expect_success 'an office catalogue in the archive changes the routing' '
	mkdir B &&
	sed "s/^address = 市长, 市政府领导, Mayor,.*/address = 市政府领导/" \
		"$TESTS/../classifier/catalog.ini" >B/catalog.ini &&
	! grep -q "^address = 市长, " B/catalog.ini &&
	"$MAILROOM" --archive B import gas.tif r/en-bus-mayor-p1.png >out 2>err &&
	test "$(field B .mailbox)" = "housing transport" &&
	"$MAILROOM" --archive C import --catalog B/catalog.ini \
		r/en-bus-mayor-p1.png >out 2>err &&
	test "$(field C .mailbox)" = transport
'

test_expect_success 'a malformed catalogue: file and line, nothing read' '
	printf "[leader mayor]\nname = Mayor\nnot a key\n" >bad.ini &&
	test_expect_code 65 "$MAILROOM" --archive D import --catalog bad.ini \
		$letters >out 2>err &&
	grep "bad.ini:3: not a section or key = value" err &&
	test_line_count -eq 1 err &&
	test ! -e D/index.sqlite &&
	test_expect_code 66 "$MAILROOM" --archive D import --catalog nope.ini \
		gas.tif 2>err &&
	grep "cannot open catalogue .nope.ini." err
'

test_expect_success 'a split letter is judged again, part by part' '
	gas=$("$MAILROOM" --archive A letters | jq -r "select(.page_count == 2)
		| .tracking_code") &&
	"$MAILROOM" --archive A split "$gas" --at 2 --reviewer r >out 2>err &&
	test "$(field A .page_count)" = "1 1 1 1 1 1 1 1 1 1 1" &&
	test "$(sqlite3 A/index.sqlite "SELECT count(*) FROM audit
		WHERE action = \"decide\" AND letter = \"$gas\"")" -ge 3
'

test_expect_success 'confirm: as decided, or corrected, with the audit' '
	bus=$(code_of A en-bus-mayor) &&
	noise=$(code_of A zh-noise-night) &&
	"$MAILROOM" --archive A confirm "$bus" --reviewer alice >out 2>err &&
	test "$(cat out)" = "$(printf "%s\tmayor\ttransport" "$bus")" &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$noise" \
		--department housing --reviewer alice 2>err &&
	grep "letter $noise: changing its department needs --why REASON, one of misread, addressee, matter" err &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$noise" \
		--department housing --why other --reviewer alice 2>err &&
	grep "letter $noise: --why other needs --reason TEXT" err &&
	test_expect_code 64 "$MAILROOM" --archive A confirm "$noise" \
		--department housing --why because 2>err &&
	grep "unknown --why .because." err &&
	"$MAILROOM" --archive A confirm "$noise" --department housing \
		--reviewer alice --why matter \
		--reason "the landlord makes the noise" >out 2>err &&
	test "$(cat out)" = "$(printf "%s\thousing\thousing" "$noise")" &&
	test "$(field A "select(.review == \"confirmed\") | .tracking_code")" \
		= "$bus $noise" &&
	"$MAILROOM" --archive A show "$noise" >show &&
	grep "^mailbox: *housing (住房城乡建委)" show &&
	grep "^confidence: .*(confirmed by a reviewer)" show &&
	grep "alice: set department: environment -> housing (reason: the matter belongs to another department; the landlord makes the noise)" show &&
	grep "alice: decisions confirmed" show &&
	test "$(sqlite3 A/index.sqlite "SELECT count(*) FROM audit
		WHERE action = \"confirm\" AND who = \"alice\"")" = 4 &&
	test "$(sqlite3 A/index.sqlite "SELECT group_concat(field || \":\" ||
		why) FROM audit WHERE action = \"confirm\" AND why IS NOT NULL")" \
		= "mailbox:matter,department:matter"
'

test_expect_success 'confirm: what does not fit is refused, naming it' '
	advert=$(code_of A advert) &&
	bus=$(code_of A en-bus-mayor) &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$advert" --valid \
		--reviewer bob 2>err &&
	grep "letter $advert was decided invalid: give its --department" err &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$bus" \
		--mailbox nowhere --reviewer bob 2>err &&
	grep "no mailbox .nowhere. in the catalogue" err &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$bus" \
		--invalid=rude --reviewer bob 2>err &&
	grep "unknown reason .rude." err &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$bus" --invalid \
		--mailbox mayor --reviewer bob 2>err &&
	grep "an invalid letter goes to no mailbox" err &&
	test_expect_code 64 "$MAILROOM" --archive A confirm "$bus" --valid \
		--invalid 2>err &&
	sqlite3 A/index.sqlite "UPDATE letter SET valid = NULL
		WHERE tracking_code = \"$bus\"" &&
	test_expect_code 65 "$MAILROOM" --archive A confirm "$bus" \
		--reviewer bob 2>err &&
	grep "letter $bus has not been decided yet" err &&
	sqlite3 A/index.sqlite "UPDATE letter SET valid = 1
		WHERE tracking_code = \"$bus\"" &&
	test "$(sqlite3 A/index.sqlite "SELECT count(*) FROM audit
		WHERE who = \"bob\"")" = 0 &&
	"$MAILROOM" --archive A confirm "$advert" --invalid --reviewer bob \
		>out 2>err &&
	test "$(cat out)" = "$(printf "%s\tinvalid\t-" "$advert")" &&
	test "$(field A "select(.tracking_code == \"$advert\") |
		.validity_reason")" = advertising
'

test_expect_success 'decide again: confirmed letters are left as they are' '
	noise=$(code_of A zh-noise-night) &&
	"$MAILROOM" --archive A decide >out 2>err &&
	grep "decided 8 letters again: 0 moved to another mailbox" err &&
	test "$(field A "select(.tracking_code == \"$noise\") | .mailbox")" \
		= housing &&
	"$MAILROOM" --archive A decide "$noise" >out 2>err &&
	grep "letter $noise was confirmed by a reviewer: left as it is" err
'

test_expect_success 'render letters in words no catalogue knows' '
	for i in 1 2 3; do
		printf "尊敬的领导：\n我家住在幸福里$i号。楼道声控灯坏了半年，单元防盗门关不上，楼顶水箱锈蚀，请求尽快处理。\n来信人：王$i\n" >home$i.txt &&
		printf "尊敬的领导：\n我每天坐八路车上班。八路车司机经常甩站，末班车提前半小时开走，候车亭漏雨没人修，请求尽快处理。\n来信人：刘$i\n" >bus$i.txt || return 1
	done &&
	"$TESTS/render-letters.sh" r home1.txt home2.txt home3.txt bus1.txt \
		bus2.txt bus3.txt >/dev/null
'

test_expect_success 'the department model learns from confirmations' '
	mkdir M &&
	sed -e "s/^model_min_letters = .*/model_min_letters = 4/" \
		-e "s/^retrain_after = .*/retrain_after = 4/" \
		"$TESTS/../classifier/catalog.ini" >M/catalog.ini &&
	"$MAILROOM" --archive M import r/home1-p1.png r/home2-p1.png \
		r/bus1-p1.png r/bus2-p1.png >out 2>err &&
	test "$(field M .department)" = "other other other other" &&
	test_expect_code 66 "$MAILROOM" --archive M train 2>err &&
	grep "nothing to learn from" err &&
	"$MAILROOM" --archive M confirm $(code_of M home1) $(code_of M home2) \
		--department housing --why matter --reviewer carol >out 2>err &&
	test ! -s err &&
	"$MAILROOM" --archive M confirm $(code_of M bus1) $(code_of M bus2) \
		--department transport --why matter --reviewer carol >out 2>err &&
	grep "department model learnt from 4 confirmed letters of 2 departments" err &&
	test "$(sqlite3 M/index.sqlite "SELECT letters || \" \" || who
		FROM model")" = "4 carol" &&
	"$MAILROOM" --archive M import r/home3-p1.png r/bus3-p1.png \
		>out 2>err &&
	test "$(field M .department)" = \
		"housing housing transport transport housing transport" &&
	"$MAILROOM" --archive M show $(code_of M bus3) >show &&
	grep "^reasons: .*\"by\":\"model\"" show &&
	"$MAILROOM" --archive M train --reviewer dave >out &&
	grep "learnt from 4 confirmed letters of 2 departments" out &&
	test "$(sqlite3 M/index.sqlite "SELECT who FROM model")" = dave
'

test_expect_success 'a damaged model is left out with a warning' '
	sqlite3 M/index.sqlite "UPDATE model SET data = zeroblob(1)" &&
	"$MAILROOM" --archive M decide >out 2>err &&
	grep "is not used (not a department model): run .mailroom train." err &&
	test "$(field M .department)" = \
		"housing housing transport transport other other"
'

test_done
