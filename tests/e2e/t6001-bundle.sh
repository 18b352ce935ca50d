#!/bin/sh
# t6001-bundle: deadlines and bundles, with the clock set by MAILROOM_NOW.
# Three letters received on Thursday 30 April 2026 (before the Labour Day
# holiday): `overdue` lists them due, then late, per mailbox; once
# confirmed (one for simple handling) they are handed over in one bundle
# a mailbox: a searchable PDF (pdfinfo, pdftotext) opening with a cover
# that lists the risk letter first and marked, and a manifest; running
# `bundle` again makes nothing; the result deadline then runs, in working
# days for the simple letter (Saturday 9 May is worked, 1-5 May are not).
. "$(dirname "$0")/lib.sh"

command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 &&
	test_set_prereq POPPLER

code_of() {
	"$MAILROOM" --archive A letters |
		jq -r "select(.source | endswith(\"$1-p1.png\")) | .tracking_code"
}

test_expect_success 'receive three letters on 30 April' '
	printf "尊敬的市长：\n\t我是南岸区的农民工周七。包工头拖欠我们的工资已经两年，\n我们多次讨薪都没有结果。如果再不解决，我只能从楼顶跳下去，\n一死了之。恳请领导帮助解决。\n来信人：周七\n2024年7月1日\n" \
		>threat.txt &&
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		"$TESTS"/data/letters/zh-noise-night.txt threat.txt >/dev/null &&
	MAILROOM_NOW=2026-04-30T02:00:00Z "$MAILROOM" --archive A import \
		r/en-bus-mayor-p1.png r/zh-noise-night-p1.png r/threat-p1.png \
		>out 2>err &&
	code_of en-bus-mayor >bus && code_of zh-noise-night >noise &&
	code_of threat >threat &&
	test -s bus && test -s noise && test -s threat
'

test_expect_success 'overdue: due soon on 1 May, late on 3 May, per mailbox' '
	MAILROOM_NOW=2026-05-01T01:00:00Z "$MAILROOM" --archive A overdue >out &&
	grep "^mayor (市长信箱): 0 late, 2 due soon$" out &&
	grep "^environment (生态环境局): 0 late, 1 due soon$" out &&
	grep "DUE   $(cat bus)  handover due 2026-05-02, 1 day left" out &&
	MAILROOM_NOW=2026-05-03T01:00:00Z "$MAILROOM" --archive A overdue \
		--mailbox environment >out &&
	test_line_count -eq 2 out &&
	grep "LATE  $(cat noise)  handover due 2026-05-02, 1 day late" out &&
	test_expect_code 64 "$MAILROOM" --archive A overdue --mailbox nowhere \
		2>err &&
	grep "no mailbox .nowhere. in the catalogue" err
'

test_expect_success 'nothing to bundle before reviewers confirm' '
	MAILROOM_NOW=2026-05-01T03:00:00Z "$MAILROOM" --archive A bundle \
		>out 2>err &&
	test ! -s out &&
	test "$(cat err)" = "no confirmed letter is waiting to be handed over" &&
	test ! -e A/bundles
'

test_expect_success 'confirm the three, one for simple handling' '
	MAILROOM_NOW=2026-04-30T06:00:00Z "$MAILROOM" --archive A confirm \
		"$(cat bus)" "$(cat threat)" --reviewer wang >out &&
	MAILROOM_NOW=2026-04-30T06:00:00Z "$MAILROOM" --archive A confirm \
		"$(cat noise)" --simple --reviewer wang >out &&
	test "$(aq A "SELECT group_concat(simple) FROM letter ORDER BY id")" \
		= "0,1,0" &&
	MAILROOM_NOW=2026-05-01T01:00:00Z "$MAILROOM" --archive A show \
		"$(cat noise)" >show &&
	grep "^handling: *simple" show &&
	grep "^handover due: *2026-05-02$" show
'

test_expect_success 'bundle --date: only the letters received by then' '
	MAILROOM_NOW=2026-05-01T03:00:00Z "$MAILROOM" --archive A bundle \
		--date 2026-04-29 2>err &&
	grep "no confirmed letter is waiting" err &&
	test_expect_code 64 "$MAILROOM" --archive A bundle --date 2026-4-29 \
		2>err &&
	grep "date wants a day such as 2026-05-01" err
'

test_expect_success 'a bundle that cannot be written records nothing' '
	echo file >plain &&
	test_expect_code 74 env MAILROOM_NOW=2026-05-01T03:00:00Z \
		"$MAILROOM" --archive A bundle --mailbox environment \
		--out plain/sub 2>err &&
	grep "bundle for environment not made: cannot create directory .plain/sub." err &&
	test "$(aq A "SELECT count(*) FROM letter WHERE state = \"confirmed\"")" = 3 &&
	test "$(aq A "SELECT count(*) FROM bundle")" = 0
'

test_expect_success 'bundle: one PDF and manifest a mailbox, letters handed over' '
	MAILROOM_NOW=2026-05-01T03:00:00Z "$MAILROOM" --archive A bundle \
		--reviewer li >out 2>err &&
	test_line_count -eq 2 out &&
	grep "^mayor	2	3	A/bundles/2026-05-01/mayor-20260501T030000Z.pdf$" out &&
	grep "^environment	1	2	A/bundles/2026-05-01/environment-20260501T030000Z.pdf$" out &&
	test "$(aq A "SELECT group_concat(state || \"@\" || handed_over, \" \")
		FROM letter")" = "handed_over@2026-05-01T03:00:00Z handed_over@2026-05-01T03:00:00Z handed_over@2026-05-01T03:00:00Z" &&
	test "$(aq A "SELECT mailbox || \" \" || who || \" \" || path || \" \" ||
		pages FROM bundle WHERE mailbox = \"mayor\"")" = \
		"mayor li bundles/2026-05-01/mayor-20260501T030000Z.pdf 3" &&
	test "$(aq A "SELECT count(*) FROM audit WHERE action = \"handover\"
		AND who = \"li\"")" = 3 &&
	ls -a A/bundles/2026-05-01 >files &&
	test "$(grep -c "^\." files)" = 2
'

test_expect_success 'the manifest lists the letters, the risk letter first' '
	m=A/bundles/2026-05-01/mayor-20260501T030000Z &&
	test "$(jq -r ".letters[].tracking_code" $m.json | paste -sd" ")" \
		= "$(cat threat) $(cat bus)" &&
	test "$(jq -r ".letters[0].risk" $m.json)" = self_harm &&
	test "$(jq -r ".letters[1] | [.handover_due, .reply_due,
		.pdf_first_page, .pdf_last_page] | @tsv" $m.json)" = \
		"$(printf "2026-05-02\t2026-06-30\t3\t3")" &&
	test "$(jq -r .pdf_sha256 $m.json)" = \
		"$(sha256sum $m.pdf | cut -d" " -f1)" &&
	test "$(jq -r .pdf_sha256 $m.json)" = \
		"$(aq A "SELECT sha256 FROM bundle WHERE mailbox = \"mayor\"")" &&
	e=A/bundles/2026-05-01/environment-20260501T030000Z &&
	test "$(jq -r ".letters[0] | [.simple_handling, .reply_due] | @tsv" \
		$e.json)" = "$(printf "true\t2026-05-18")"
'

test_expect_success POPPLER 'the PDF opens, has every page and searchable text' '
	m=A/bundles/2026-05-01/mayor-20260501T030000Z.pdf &&
	pdfinfo $m >info &&
	grep "^Pages: *3$" info &&
	grep "^Title: *Letters handed over to 市长信箱 (mayor), 2026-05-01$" info &&
	pdftotext -f 1 -l 1 -layout $m cover.txt &&
	grep "Letters handed over to 市长信箱 (mayor)" cover.txt &&
	grep -n "$(cat threat)\|$(cat bus)" cover.txt >rows &&
	head -1 rows | grep "★1 *$(cat threat)" &&
	grep "RISK (self_harm)" cover.txt &&
	grep "2026-06-30" cover.txt &&
	pdftotext -f 2 -l 2 $m threat-page.txt &&
	tr -d " \n" <threat-page.txt | grep "拖欠我们的工资" &&
	pdftotext -f 3 -l 3 $m bus-page.txt &&
	grep -i "bus" bus-page.txt
'

test_expect_success 'bundle again: nothing new' '
	MAILROOM_NOW=2026-05-01T04:00:00Z "$MAILROOM" --archive A bundle \
		2>err &&
	grep "no confirmed letter is waiting" err &&
	test "$(aq A "SELECT count(*) FROM bundle")" = 2 &&
	test "$(ls A/bundles/2026-05-01 | wc -l)" = 4 &&
	MAILROOM_NOW=2026-05-01T04:00:00Z "$MAILROOM" --archive A show \
		"$(cat noise)" >show &&
	grep "^result due: *2026-05-18$" show &&
	grep "li: handed over in bundle 2 to environment" show
'

test_expect_success 'a run cut off before its files were in place: finished' '
	d=A/bundles/2026-05-01 &&
	mv $d/mayor-20260501T030000Z.pdf $d/.mayor-20260501T030000Z.part.pdf &&
	mv $d/mayor-20260501T030000Z.json $d/.mayor-20260501T030000Z.json &&
	MAILROOM_NOW=2026-05-01T05:00:00Z "$MAILROOM" --archive A bundle \
		2>err &&
	grep "bundle 1 was recorded by a run cut off before its files were in place: now they are" err &&
	test "$(jq -r .pdf_sha256 $d/mayor-20260501T030000Z.json)" = \
		"$(sha256sum $d/mayor-20260501T030000Z.pdf | cut -d" " -f1)" &&
	test "$(ls -a $d | grep -c "^\.")" = 2
'

test_expect_success 'a bundle file gone is said, with exit 74' '
	d=A/bundles/2026-05-01 &&
	mv $d/environment-20260501T030000Z.pdf env.pdf &&
	test_expect_code 74 env MAILROOM_NOW=2026-05-01T05:00:00Z \
		"$MAILROOM" --archive A bundle 2>err &&
	grep "bundle 2: .A/bundles/2026-05-01/environment-20260501T030000Z.pdf. is missing" err &&
	mv env.pdf $d/environment-20260501T030000Z.pdf
'

test_expect_success 'the result deadline: 10 working days for simple handling' '
	MAILROOM_NOW=2026-05-17T01:00:00Z "$MAILROOM" --archive A overdue >out &&
	test_line_count -eq 2 out &&
	grep "DUE   $(cat noise)  result (simple handling) due 2026-05-18, 1 day left  \[handed_over\]" out &&
	MAILROOM_NOW=2026-05-19T01:00:00Z "$MAILROOM" --archive A overdue >out &&
	grep "LATE  $(cat noise)  result (simple handling) due 2026-05-18, 1 day late" out &&
	printf "已处理。\n" >reply.txt &&
	MAILROOM_NOW=2026-05-19T02:00:00Z "$MAILROOM" --archive A reply \
		"$(cat noise)" --file reply.txt &&
	MAILROOM_NOW=2026-06-29T01:00:00Z "$MAILROOM" --archive A overdue >out &&
	grep "^mayor (市长信箱): 0 late, 2 due soon$" out &&
	! grep "$(cat noise)" out &&
	MAILROOM_NOW=2026-07-02T01:00:00Z "$MAILROOM" --archive A overdue >out &&
	grep "LATE  $(cat bus)  result due 2026-06-30, 2 days late" out
'

test_expect_success 'a year the calendar does not cover is warned of' '
	MAILROOM_NOW=2027-01-04T01:00:00Z "$MAILROOM" --archive A overdue \
		>out 2>err &&
	grep "the working-day calendar has no file for the year of 2027-01-04" err
'

test_expect_success 'a bundle of 24 letters: two cover pages, every letter listed' '
	i=1 &&
	while [ $i -le 24 ]; do
		printf "尊敬的领导：\n我家楼道的灯坏了，请求维修。\n来信人：王$i\n" \
			>many$i.txt || return 1
		i=$((i + 1))
	done &&
	"$TESTS/render-letters.sh" m many*.txt >/dev/null &&
	mkdir m/in && mv m/*.png m/in/ &&
	MAILROOM_NOW=2026-05-11T01:00:00Z "$MAILROOM" --archive B import \
		m/in >out 2>err &&
	test_line_count -eq 24 out &&
	"$MAILROOM" --archive B confirm $(cut -f1 out) --department housing \
		--why matter >/dev/null &&
	mkdir here && cd here &&
	MAILROOM_NOW=2026-05-12T01:00:00Z "$MAILROOM" --archive ../B bundle \
		--out out >../bundle.out &&
	cd .. &&
	pdf=$(cut -f4 bundle.out) &&
	test "$pdf" = "$tmp/here/out/2026-05-12/housing-20260512T010000Z.pdf" &&
	test "$(aq B "SELECT path FROM bundle")" = "$pdf" &&
	test "$(jq .cover_pages "${pdf%.pdf}.json")" = 2 &&
	test "$(jq ".letters[23].pdf_first_page" "${pdf%.pdf}.json")" = 26
'

test_expect_success POPPLER 'the covers list all 24, with their pages' '
	pdf=$(cut -f4 bundle.out) &&
	pdfinfo "$pdf" | grep "^Pages: *26$" &&
	pdftotext -f 1 -l 2 -layout "$pdf" covers.txt &&
	for c in $(cut -f1 out); do
		grep -q "$c" covers.txt || { echo "$c not on the cover"; return 1; }
	done &&
	grep "cover page 2 of 2" covers.txt &&
	grep "pages 26-26" covers.txt
'

test_done
