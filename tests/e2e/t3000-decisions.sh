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
	test "$(field A .writer.phone)" = "13800000001 555-0100 13600000004 13700000003 13900000002 023-12345678 13500000005" &&
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

test_done
