#!/bin/sh
# t6003-stats: the month's figures, with the clock set by MAILROOM_NOW and
# days counted in the office's time zone (UTC+8).  Seven one-page letters:
# the bus letter arrives at 01:00 on 1 May office time (still 30 April in
# UTC), five more on 11 May (an advert among them, invalid, and a threat,
# a risk letter), and the wages letter's repeat at 00:30 on 1 June office
# time (31 May in UTC).  Reviewers confirm three, one overridden; three
# are handed over (one late); one is replied and rated.  `stats` must
# give the same exact figures as a table, CSV and JSON, draw the month as
# SVG, say so for a month without letters, and refuse a bad command line.
. "$(dirname "$0")/lib.sh"

code_of() {
	jq -r "select(.source | endswith(\"$1-p1.png\")) | .tracking_code" \
		letters.jsonl
}

# Hand letter CODE over at TIME with `bundle`, which takes every
# confirmed letter waiting: the confirmations below are timed so that
# each run hands over exactly that letter.
hand_over() {
	MAILROOM_NOW=$2 "$MAILROOM" --archive A bundle --reviewer wang \
		>bundle.out &&
	test_line_count -eq 1 bundle.out &&
	test "$(aq A "SELECT state || \" \" || handed_over FROM letter
		WHERE tracking_code = '$1'")" = "handed_over $2"
}

test_expect_success 'render seven letters, an advert and a threat among them' '
	printf "新店开业，全场特价，限时折扣！\n免费领取礼品，欢迎来电。\n咨询热线：023-12345678\n" \
		>advert.txt &&
	printf "尊敬的市长：\n\t我是南岸区的农民工周七。包工头拖欠我们的工资已经两年，\n我们多次讨薪都没有结果。如果再不解决，我只能从楼顶跳下去，\n一死了之。恳请领导帮助解决。\n来信人：周七\n手机：135 0000 0005\n2024年7月1日\n" \
		>threat.txt &&
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		"$TESTS"/data/letters/zh-noise-night.txt \
		"$TESTS"/data/letters/zh-parking-housing.txt \
		"$TESTS"/data/letters/zh-wages-secretary.txt \
		"$TESTS"/data/repeat/zh-wages-again.txt advert.txt threat.txt \
		>/dev/null
'

test_expect_success 'import: 1 May (office time), 11 May, 1 June' '
	MAILROOM_NOW=2026-04-30T17:00:00Z "$MAILROOM" --archive A import \
		r/en-bus-mayor-p1.png >out 2>err &&
	MAILROOM_NOW=2026-05-11T02:00:00Z "$MAILROOM" --archive A import \
		r/zh-noise-night-p1.png r/zh-parking-housing-p1.png \
		r/zh-wages-secretary-p1.png r/advert-p1.png r/threat-p1.png \
		>out 2>err &&
	MAILROOM_NOW=2026-05-31T16:30:00Z "$MAILROOM" --archive A import \
		r/zh-wages-again-p1.png >out 2>err &&
	"$MAILROOM" --archive A letters >letters.jsonl &&
	test "$(jq -r .mailbox letters.jsonl | paste -sd" ")" = \
		"mayor environment housing secretary invalid mayor secretary" &&
	test "$(jq -r .validity_reason letters.jsonl | paste -sd" ")" = \
		"null null null null advertising null null" &&
	test "$(jq -r .risk letters.jsonl | paste -sd" ")" = \
		"false false false false false true false" &&
	test "$(jq -r .repeat letters.jsonl | paste -sd" ")" = \
		"false false false false false false true"
'

test_expect_success 'confirm three (one overridden), hand over, reply, rate' '
	"$MAILROOM" --archive A letters >letters.jsonl &&
	bus=$(code_of en-bus-mayor) && noise=$(code_of zh-noise-night) &&
	threat=$(code_of threat) &&
	MAILROOM_NOW=2026-04-30T20:00:00Z "$MAILROOM" --archive A confirm \
		"$bus" --reviewer wang >out &&
	hand_over "$bus" 2026-05-02T02:00:00Z &&
	MAILROOM_NOW=2026-05-11T06:00:00Z "$MAILROOM" --archive A confirm \
		"$threat" --simple --reviewer wang >out &&
	hand_over "$threat" 2026-05-12T02:00:00Z &&
	MAILROOM_NOW=2026-05-14T02:00:00Z "$MAILROOM" --archive A confirm \
		"$noise" --department housing --why matter --reviewer li >out &&
	test "$(cat out)" = "$(printf "%s\thousing\thousing" "$noise")" &&
	hand_over "$noise" 2026-05-15T02:00:00Z &&
	printf "已修复站牌。\n" >reply.txt &&
	MAILROOM_NOW=2026-05-20T02:00:00Z "$MAILROOM" --archive A reply \
		"$bus" --file reply.txt --reviewer unit &&
	MAILROOM_NOW=2026-05-25T02:00:00Z "$MAILROOM" --archive A rate \
		"$bus" --office 3 --unit 2 --reviewer wang &&
	test "$(aq A "SELECT state FROM letter WHERE tracking_code = '\''$bus'\''")" = closed
'

# The figures of May, as of 5 June.
may() {
	MAILROOM_NOW=2026-06-05T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-05 "$@"
}

test_expect_success 'table: received, per mailbox and department' '
	may >table &&
	cat table &&
	grep -x "Letters of 2026-05 (2026-05-01 to 2026-05-31), as of 2026-06-05" table &&
	grep -x "  received  *6" table &&
	grep -x "    valid  *5" table &&
	grep -x "    invalid  *1" table &&
	grep -x "      advertising  *1" table &&
	grep -x "      blank  *0" table &&
	grep -x "    not decided yet  *0" table &&
	grep -x "  repeat letters  *0" table &&
	grep -x "  risk letters  *1" table &&
	grep -x "    self_harm  *1" table &&
	grep -x "  mayor  *市长信箱  *2  *2  *0" table &&
	grep -x "  housing  *住房城乡建委  *2  *2  *0" table &&
	grep -x "  secretary  *市委书记信箱  *1  *1  *0" table &&
	grep -x "  environment  *生态环境局  *0  *0  *0" table &&
	grep -x "  invalid  *invalid letters  *1  *0  *1" table &&
	grep -x "  labor  *人力社保局  *2" table &&
	grep -x "  transport  *交通局  *1" table
'

test_expect_success 'table: Chinese names take two columns each' '
	sed -n "/^By mailbox/,/^$/p" table | sed "1d;/^$/d" >boxes &&
	test_line_count -eq 15 boxes &&
	python3 -c "
import sys, unicodedata
w = {sum(2 if unicodedata.east_asian_width(c) in \"WF\" else 1
         for c in line.rstrip(\"\\n\")) for line in open(sys.argv[1])}
sys.exit(len(w) != 1)" boxes
'

test_expect_success 'table: deadlines, satisfaction, overrides' '
	grep -x "  handed over on time  *40.0% (2 of 5)" table &&
	grep -x "  handed over late  *1" table &&
	grep -x "  not handed over, past the deadline  *2" table &&
	grep -x "  replied on time  *50.0% (1 of 2)" table &&
	grep -x "  not replied, past the deadline  *1" table &&
	grep -x "Satisfaction of the letters closed: 1" table &&
	grep -x "  letters office  *1 (100.0%)  *0 (0.0%)  *0 (0.0%)" table &&
	grep -x "  responsible unit  *0 (0.0%)  *1 (100.0%)  *0 (0.0%)" table &&
	grep -x "Reviewers. confirmations: 3 letters" table &&
	grep -x "  overridden  *33.3% (1 of 3)" table &&
	grep -x "    validity or its reason  *0.0% (0 of 3)" table &&
	grep -x "    mailbox  *33.3% (1 of 3)" table &&
	grep -x "    department  *33.3% (1 of 3)" table &&
	grep -x "  mayor  *市长信箱  *0.0% (0 of 2)" table &&
	grep -x "  environment  *生态环境局  *100.0% (1 of 1)" table &&
	grep -x "  matter  *the matter belongs to another department  *1" table &&
	grep -x "  misread  *the text was misread  *0" table
'

test_expect_success 'csv: section,key,value, the same figures' '
	may --format csv >csv &&
	head -1 csv | grep -x "section,key,value" &&
	grep -x "period,month,2026-05" csv &&
	grep -x "received,letters,6" csv &&
	grep -x "received,valid,5" csv &&
	grep -x "received,invalid,1" csv &&
	grep -x "received,invalid_reasons.advertising,1" csv &&
	grep -x "received,mailboxes.mayor.name,市长信箱" csv &&
	grep -x "received,mailboxes.mayor.letters,2" csv &&
	grep -x "received,mailboxes.housing.letters,2" csv &&
	grep -x "received,departments.labor.letters,2" csv &&
	grep -x "received,risk_kinds.self_harm,1" csv &&
	grep -x "handover,letters,5" csv &&
	grep -x "handover,on_time,2" csv &&
	grep -x "handover,rate,0.4" csv &&
	grep -x "handover,not_handed_over_late,2" csv &&
	grep -x "completion,rate,0.5" csv &&
	grep -x "satisfaction,office.satisfied,1" csv &&
	grep -x "satisfaction,unit.fairly_satisfied_share,1" csv &&
	grep -x "overrides,rate,0.3333" csv &&
	grep -x "overrides,kinds.department.overridden,1" csv &&
	grep -x "overrides,kinds.validity.rate,0" csv &&
	grep -x "overrides,proposed_mailboxes.environment.rate,1" csv &&
	grep -x "overrides,whys.matter,1" csv &&
	grep -x "overrides,whys.other,0" csv &&
	python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding=\"utf-8\")))
sys.exit(not all(len(r) == 3 for r in rows))" csv
'

test_expect_success 'json: one object, the same figures' '
	may --format json >json &&
	test "$(jq -r ".month, .first_day, .last_day, .as_of" json |
		paste -sd" ")" = "2026-05 2026-05-01 2026-05-31 2026-06-05" &&
	test "$(jq -c "[.received.letters, .received.valid,
		.received.invalid, .received.undecided,
		.received.invalid_reasons.advertising,
		.received.repeat_letters, .received.risk_letters]" json)" = \
		"[6,5,1,0,1,0,1]" &&
	test "$(jq -c ".received.mailboxes.mayor" json)" = \
		"{\"name\":\"市长信箱\",\"letters\":2,\"valid\":2,\"invalid\":0}" &&
	test "$(jq -c ".received.departments.housing" json)" = \
		"{\"name\":\"住房城乡建委\",\"letters\":2}" &&
	test "$(jq -c ".handover" json)" = \
		"{\"letters\":5,\"on_time\":2,\"late\":1,\"not_handed_over_late\":2,\"not_due_yet\":0,\"rate\":0.4}" &&
	test "$(jq -c ".completion" json)" = \
		"{\"letters\":2,\"on_time\":1,\"late\":0,\"not_replied_late\":1,\"rate\":0.5}" &&
	jq -e ".satisfaction | .letters == 1 and .office.satisfied == 1 and
		.office.satisfied_share == 1 and .office.not_satisfied == 0 and
		.unit.fairly_satisfied == 1 and .unit.fairly_satisfied_share == 1
		and .unit.satisfied_share == 0" json &&
	test "$(jq -c "[.overrides.confirmed, .overrides.overridden,
		.overrides.rate, .overrides.kinds.validity.overridden,
		.overrides.kinds.mailbox.overridden,
		.overrides.kinds.department.rate]" json)" = \
		"[3,1,0.3333,0,1,0.3333]" &&
	test "$(jq -c ".overrides.proposed_mailboxes | map_values(
		[.confirmed, .overridden])" json)" = \
		"{\"mayor\":[2,0],\"environment\":[1,1]}" &&
	test "$(jq -c ".overrides.whys" json)" = \
		"{\"misread\":0,\"addressee\":0,\"matter\":1,\"several\":0,\"validity\":0,\"instruction\":0,\"other\":0}"
'

test_expect_success 'the repeat letter is June'"'"'s (office time), not May'"'"'s' '
	MAILROOM_NOW=2026-06-05T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-06 --format json >june &&
	test "$(jq -c "[.received.letters, .received.repeat_letters,
		.received.repeat_writers, .received.mailboxes.secretary.letters,
		.handover.not_handed_over_late, .overrides.confirmed]" june)" = \
		"[1,1,1,1,1,0]"
'

test_expect_success '--mailbox: the figures of one mailbox' '
	may --mailbox mayor --format json >mayor &&
	test "$(jq -c "[.mailbox, .received.letters, .received.risk_letters,
		.handover.on_time, .handover.letters, .completion.letters,
		.satisfaction.letters, .overrides.confirmed,
		.overrides.overridden]" mayor)" = \
		"[\"mayor\",2,1,2,2,2,1,2,0]" &&
	jq -e ".handover.rate == 1 and .overrides.rate == 0" mayor &&
	test_expect_code 64 may --mailbox nowhere 2>err &&
	grep "no mailbox .nowhere. in the catalogue" err
'

test_expect_success 'svg: a well-formed chart naming the mailboxes' '
	may --format csv --out may.svg >csv2 2>err &&
	grep "chart of 2026-05 written to .may.svg." err &&
	test_cmp csv csv2 &&
	test ! -e may.svg.part &&
	python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" may.svg &&
	grep -q "市长信箱" may.svg &&
	grep -q "住房城乡建委" may.svg &&
	grep -q "市委书记信箱" may.svg &&
	grep -q "font-family=\"[^\"]*Noto Sans CJK SC" may.svg &&
	grep -q ">40.0% (2 of 5)<" may.svg
'

test_expect_success 'svg and csv: names with commas, quotes and brackets' '
	sed "s/^name_zh = 市长信箱$/name_zh = 市长信箱, \"热线\" <12345>/" \
		"$TESTS/../classifier/catalog.ini" >odd.ini &&
	grep -q "^name_zh = 市长信箱, " odd.ini &&
	may --catalog odd.ini --format csv --out odd.svg >csv 2>err &&
	grep -x "received,mailboxes.mayor.name,\"市长信箱, \"\"热线\"\" <12345>\"" csv &&
	python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" odd.svg &&
	grep -q "市长信箱, &quot;热线&quot; &lt;12345&gt;" odd.svg
'

test_expect_success 'a month without letters says so' '
	may >/dev/null &&
	MAILROOM_NOW=2026-06-05T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-04 >april &&
	cat april &&
	grep -x "no letters in 2026-04: none received, handed over, due, replied, rated or confirmed" april &&
	MAILROOM_NOW=2026-06-05T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-04 --format json >april.json 2>err &&
	grep "no letters in 2026-04" err &&
	test "$(jq -c "[.received.letters, .handover.rate, .overrides.confirmed]" \
		april.json)" = "[0,null,0]" &&
	MAILROOM_NOW=2026-06-05T01:00:00Z "$MAILROOM" --archive A stats \
		--month 2026-04 --out april.svg >/dev/null 2>err &&
	python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" april.svg &&
	grep -q "no letters received in 2026-04" april.svg
'

test_expect_success 'a bad command line is refused' '
	test_expect_code 64 "$MAILROOM" --archive A stats 2>err &&
	grep "needs --month YYYY-MM" err &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month 2026-13 2>err &&
	grep "month such as 2026-05, not .2026-13." err &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month 2026-5 2>err &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month May 2>err &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month 2026-05 \
		--format xml 2>err &&
	grep "unknown format .xml. for stats (use table, csv or json)" err &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month 2026-05 \
		--format jsonl 2>err &&
	grep "unknown format .jsonl. for stats (use table, csv or json)" err &&
	may --format table >table2 &&
	test_cmp table table2 &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month 2026-05 \
		--out chart.png 2>err &&
	grep "wants a chart file FILE.svg, not .chart.png." err &&
	test_expect_code 64 "$MAILROOM" --archive A stats --month 2026-05 \
		extra 2>err &&
	test_expect_code 66 "$MAILROOM" --archive nowhere stats \
		--month 2026-05 2>err &&
	test ! -e chart.png && test ! -e nowhere
'

test_expect_success 'the archive is sound' '
	test "$(aq A "PRAGMA integrity_check")" = ok
'

test_done
