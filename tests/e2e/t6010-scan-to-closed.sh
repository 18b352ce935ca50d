#!/bin/sh
# t6010-scan-to-closed: one rendered stack taken through the whole office
# workflow, with the clock set by MAILROOM_NOW.  Three letters with
# separator sheets are scanned through SANE (the project's virtual
# feeder) on Monday 11 May 2026 and judged; a reviewer confirms one as
# proposed and overrides another with `confirm`, and confirms the third
# in the interactive `review`, driven in a pseudo-terminal; `bundle`
# hands them over the next day (the PDFs open, have the pages and
# searchable text); the writer's inquiry is answered; the unit replies
# and the writer rates, closing the letter; `overdue` and `stats` give
# the right figures.
. "$(dirname "$0")/lib.sh"

LD_LIBRARY_PATH=$BUILD/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SANE_CONFIG_DIR=$tmp/sane.d
export LD_LIBRARY_PATH SANE_CONFIG_DIR

command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 &&
	test_set_prereq POPPLER

code_of() {
	"$MAILROOM" --archive A letters |
		jq -r "select(.first_page == $1) | .tracking_code"
}

test_expect_success 'a stack of three letters with separator sheets' '
	mkdir "$SANE_CONFIG_DIR" tray &&
	echo feeder >"$SANE_CONFIG_DIR/dll.conf" &&
	printf "device tray\nfolder %s/tray\n" "$tmp" \
		>"$SANE_CONFIG_DIR/feeder.conf" &&
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		"$TESTS"/data/letters/zh-noise-night.txt \
		"$TESTS"/data/letters/zh-parking-housing.txt >/dev/null &&
	zint -b QRCODE -d PATCHT --scale 8 -o patcht.png &&
	"$MKPAGE" --page 2480x3508 --at 1070x1500 --depth 1 -o sep.tif \
		patcht.png 2>/dev/null &&
	cp r/en-bus-mayor-p1.png tray/1.png && cp sep.tif tray/2.tif &&
	cp r/zh-noise-night-p1.png tray/3.png && cp sep.tif tray/4.tif &&
	cp r/zh-parking-housing-p1.png tray/5.png
'

test_expect_success 'scan on 11 May: three letters, judged' '
	MAILROOM_NOW=2026-05-11T01:00:00Z "$MAILROOM" --archive A scan \
		--device feeder:tray --source adf >out 2>err &&
	test_line_count -eq 3 out &&
	code_of 1 >bus && code_of 3 >noise && code_of 5 >parking &&
	test "$("$MAILROOM" --archive A letters | jq -r "[.state, .mailbox,
		.department] | join(\" \")" | paste -sd,)" = \
		"sorted mayor transport,sorted environment environment,sorted housing housing"
'

test_expect_success 'confirm: one as proposed, one overridden with its reason' '
	MAILROOM_NOW=2026-05-11T02:00:00Z "$MAILROOM" --archive A confirm \
		"$(cat bus)" --reviewer wang >out &&
	MAILROOM_NOW=2026-05-11T02:05:00Z "$MAILROOM" --archive A confirm \
		"$(cat noise)" --department housing --why matter \
		--reason "the noise comes from the estate" --reviewer wang >out &&
	test "$(cat out)" = "$(printf "%s\thousing\thousing" "$(cat noise)")"
'

test_expect_success 'review in a terminal: the third letter confirmed' '
	cat >steps <<-EOF &&
	expect review 1/1\s+$(cat parking)
	expect mailbox: housing
	send c
	expect nothing left
	send q
	expect reviewed 1 letter: 1 confirmed, 0 changed, 0 skipped
	exit 0
	EOF
	MAILROOM_NOW=2026-05-11T03:00:00Z python3 "$TESTS/drive.py" steps log \
		-- "$MAILROOM" --archive A review --reviewer zhao &&
	test "$(aq A "SELECT state || \" \" || mailbox FROM letter
		WHERE tracking_code = \"$(cat parking)\"")" = "confirmed housing" &&
	test "$(aq A "SELECT who FROM audit WHERE letter = \"$(cat parking)\"
		AND action = \"confirm\"")" = zhao
'

test_expect_success 'a receipt for the bus letter' '
	"$MAILROOM" --archive A receipt "$(cat bus)" --reviewer wang >out &&
	cut -f2 out >password &&
	test "$(wc -c <password)" = 7
'

test_expect_success 'bundle on 12 May: a PDF for each mailbox' '
	MAILROOM_NOW=2026-05-12T02:00:00Z "$MAILROOM" --archive A bundle \
		--reviewer wang >out &&
	test_line_count -eq 2 out &&
	grep "^mayor	1	2	" out &&
	grep "^housing	2	3	" out &&
	test "$(aq A "SELECT count(*) FROM letter
		WHERE state = '\''handed_over'\''
		AND handed_over = '\''2026-05-12T02:00:00Z'\''")" = 3
'

test_expect_success POPPLER 'the PDFs open, with the pages and their text' '
	h=A/bundles/2026-05-12/housing-20260512T020000Z.pdf &&
	pdfinfo $h >info &&
	grep "^Pages: *3$" info &&
	pdftotext -f 1 -l 1 $h cover.txt &&
	grep "$(cat noise)" cover.txt && grep "$(cat parking)" cover.txt &&
	pdftotext $h all.txt &&
	tr -d " \n" <all.txt >flat.txt &&
	grep "夜间施工" flat.txt && grep "停车" flat.txt &&
	pdftotext A/bundles/2026-05-12/mayor-20260512T020000Z.pdf mayor.txt &&
	grep "Route 42 stop" mayor.txt
'

test_expect_success 'the writer asks: handed over' '
	"$MAILROOM" --archive A status "$(cat bus)" \
		--password "$(cat password)" >status &&
	grep "^state: *handed_over$" status &&
	grep "^handed over: *2026-05-12T02:00:00Z$" status
'

test_expect_success 'the unit replies, the writer rates: closed' '
	printf "站牌已经修复。\n" >reply.txt &&
	MAILROOM_NOW=2026-05-20T02:00:00Z "$MAILROOM" --archive A reply \
		"$(cat bus)" --file reply.txt --reviewer unit &&
	MAILROOM_NOW=2026-05-25T02:00:00Z "$MAILROOM" --archive A rate \
		"$(cat bus)" --office 3 --unit 3 --reviewer wang &&
	"$MAILROOM" --archive A status "$(cat bus)" \
		--password "$(cat password)" >status &&
	grep "^state: *closed$" status &&
	grep "^站牌已经修复。$" status
'

test_expect_success 'overdue in July: the two housing letters, late' '
	MAILROOM_NOW=2026-07-15T01:00:00Z "$MAILROOM" --archive A overdue >out &&
	test_line_count -eq 3 out &&
	grep "^housing (住房城乡建委): 2 late, 0 due soon$" out &&
	grep "LATE  $(cat noise)  result due 2026-07-11, 4 days late" out
'

test_expect_success 'stats of May: the right figures, and a chart' '
	MAILROOM_NOW=2026-07-15T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-05 --format json --out may.svg >json 2>err &&
	test "$(jq -c "[.received.letters, .received.valid,
		.received.invalid, .received.mailboxes.housing.letters,
		.received.mailboxes.environment.letters]" json)" = "[3,3,0,2,0]" &&
	test "$(jq -c "[.handover.letters, .handover.on_time, .handover.rate]" \
		json)" = "[3,3,1]" &&
	test "$(jq -c "[.completion.letters, .completion.on_time,
		.completion.rate]" json)" = "[1,1,1]" &&
	test "$(jq -c "[.satisfaction.letters, .satisfaction.office.satisfied,
		.satisfaction.unit.satisfied]" json)" = "[1,1,1]" &&
	test "$(jq -c "[.overrides.confirmed, .overrides.overridden,
		.overrides.kinds.department.overridden, .overrides.whys.matter]" \
		json)" = "[3,1,1,1]" &&
	python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" \
		may.svg &&
	grep "住房城乡建委" may.svg &&
	MAILROOM_NOW=2026-07-15T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-07 --format json >july &&
	test "$(jq -c "[.completion.letters, .completion.on_time,
		.completion.not_replied_late]" july)" = "[2,0,2]"
'

test_expect_success 'every step is in the history' '
	"$MAILROOM" --archive A show "$(cat bus)" >show &&
	grep "wang: decisions confirmed" show &&
	grep "wang: query password issued" show &&
	grep "wang: handed over in bundle 1 to mayor" show &&
	grep "unit: the unit.s reply recorded" show &&
	grep "wang: the writer.s rating recorded; closed" show
'

test_done
