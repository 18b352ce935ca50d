#!/bin/sh
# t6004-masking: citizens' ID numbers and phones leave the archive masked.
# Two letters, one with a mobile and an ID number (and a threat, so that
# it is an alert), one with a mobile written in groups: `letters`, `show`,
# `search` and `alerts` print them masked (138****5678,
# 110105********002X); `page --out` and the bundle's pages have them
# blacked out, so that OCR of the images finds them no more, and the
# bundle's text layer, read from those images, has them neither.
# --unmasked is refused (exit 77, one line, nothing printed) to a login
# name privacy.ini in the archive does not list, or when others may write
# that file; to one it lists, the numbers are shown and an audit row
# names who, the command and the letters.
. "$(dirname "$0")/lib.sh"

command -v pdftotext >/dev/null 2>&1 && command -v pdfimages >/dev/null 2>&1 &&
	test_set_prereq POPPLER
command -v tesseract >/dev/null 2>&1 && test_set_prereq TESSERACT

me=$(id -un)
audit="SELECT who || ' ' || field || ' ' || letter || ' ' || new
	FROM audit WHERE action = 'unmasked' ORDER BY id"
confirmed="SELECT count(*) FROM letter WHERE state = 'confirmed'"

code_of() {
	"$MAILROOM" --archive A letters |
		jq -r "select(.source | endswith(\"$1-p1.png\")) | .tracking_code"
}

# raw FILE: whether FILE shows any of the numbers unmasked.
raw() {
	tr -d ' ' <"$1" | grep -e 13812345678 -e 11010519491231002X \
		-e 19491231 -e 13900000002
}

test_expect_success 'receive two letters with phones and an ID number' '
	printf "尊敬的生态环境局领导：\n\t我家楼下的烧烤店每天营业到凌晨三点，油烟和噪声严重影响居民休息。\n如果再不解决，我只能从楼顶跳下去。恳请有关部门依法处理。\n此致\n敬礼！\n来信人：张三\n联系电话：13812345678\n身份证号：11010519491231002X\n2026年4月20日\n" \
		>smoke.txt &&
	printf "尊敬的交通局领导：\n\t我们小区门口的公交车站被取消了，老人出行很不方便，\n我们要求恢复这个公交站点，请尽快解决。\n此致\n敬礼！\n来信人：李四\n手机：139 0000 0002\n2026年4月21日\n" \
		>bus.txt &&
	"$TESTS/render-letters.sh" r smoke.txt bus.txt >/dev/null &&
	"$MAILROOM" --archive A import r/smoke-p1.png r/bus-p1.png \
		>out 2>err &&
	code_of smoke >smoke && code_of bus >bus &&
	test -s smoke && test -s bus
'

test_expect_success 'letters: text and writer masked, in JSON and table' '
	"$MAILROOM" --archive A letters >out &&
	! raw out &&
	jq -r "select(.tracking_code == \"$(cat smoke)\") |
		[.writer.phone, .writer.id_number] | @tsv" out >writer &&
	test "$(cat writer)" = "$(printf "138****5678\t110105********002X")" &&
	jq -r "select(.tracking_code == \"$(cat smoke)\") | .text" out |
		grep "138\*\*\*\*5678" &&
	jq -r "select(.tracking_code == \"$(cat bus)\") | .writer.phone" \
		out >phone &&
	test "$(cat phone)" = "139****0002" &&
	"$MAILROOM" --archive A letters --format table >out &&
	! raw out
'

test_expect_success 'show, search and alerts mask them too' '
	"$MAILROOM" --archive A show "$(cat smoke)" >out &&
	! raw out &&
	grep "^writer: .*phone 138\*\*\*\*5678; ID 110105\*\*\*\*\*\*\*\*002X;" \
		out &&
	"$MAILROOM" --archive A search 电话 >out &&
	! raw out &&
	grep "138\*\*\*\*5678" out &&
	"$MAILROOM" --archive A search 1381234 >out &&
	! raw out &&
	"$MAILROOM" --archive A alerts >out &&
	grep "^$(cat smoke)	" out &&
	! raw out &&
	grep "	138\*\*\*\*5678	" out
'

test_expect_success TESSERACT 'page --out blacks the numbers out' '
	page=$(aq A "SELECT p.id FROM page AS p JOIN letter AS l
		ON l.id = p.letter_id WHERE l.tracking_code = '\''$(cat smoke)'\''") &&
	"$MAILROOM" --archive A page "$page" --out masked.png &&
	! cmp -s masked.png r/smoke-p1.png &&
	tesseract masked.png masked -l chi_sim 2>/dev/null &&
	tr -d " " <masked.txt | grep "来信人" &&
	! raw masked.txt &&
	! tr -d " " <masked.txt | grep -e 1381 -e 5678 -e 110105
'

test_expect_success '--unmasked refused to whom privacy.ini does not list' '
	test_expect_code 77 "$MAILROOM" --archive A letters --unmasked \
		>out 2>err &&
	test ! -s out &&
	test_line_count -eq 1 err &&
	grep "unmasked refused: .$me. may not see ID numbers and phones" err &&
	printf "[privacy]\nunmasked = somebody, else\n" >A/privacy.ini &&
	chmod 600 A/privacy.ini &&
	test_expect_code 77 "$MAILROOM" --archive A show "$(cat smoke)" \
		--unmasked >out 2>err &&
	test ! -s out && test_line_count -eq 1 err &&
	printf "[privacy]\nunmasked = $me\n" >A/privacy.ini &&
	chmod 620 A/privacy.ini &&
	test_expect_code 77 "$MAILROOM" --archive A search 电话 --unmasked \
		>out 2>err &&
	test ! -s out &&
	grep "privacy.ini. may be written by others than its owner" err &&
	test_expect_code 77 "$MAILROOM" --archive A page 1 --out x.png \
		--unmasked 2>err &&
	test ! -e x.png &&
	test_expect_code 64 "$MAILROOM" --archive A review --unmasked 2>err &&
	grep "unmasked is for letters, show, alerts, search, page and bundle" \
		err &&
	test -z "$(aq A "$audit")"
'

test_expect_success 'an allowed --unmasked shows the numbers, audited' '
	chmod 600 A/privacy.ini &&
	"$MAILROOM" --archive A letters --unmasked >out &&
	jq -r "select(.tracking_code == \"$(cat smoke)\") |
		[.writer.phone, .writer.id_number] | @tsv" out >writer &&
	test "$(cat writer)" = "$(printf "13812345678\t11010519491231002X")" &&
	"$MAILROOM" --archive A show "$(cat smoke)" --unmasked >out &&
	grep "phone 13812345678; ID 11010519491231002X;" out &&
	aq A "$audit" >rows &&
	letters=$(aq A "SELECT group_concat(tracking_code) FROM
		(SELECT tracking_code FROM letter ORDER BY id)") &&
	printf "%s\n" "$me letters * $letters" \
		"$me show $(cat smoke) $(cat smoke)" >expect &&
	test_cmp expect rows &&
	"$MAILROOM" --archive A show "$(cat bus)" >out &&
	grep "^history: .* $me: ID numbers and phones shown unmasked (.letters.)$" \
		out
'

test_expect_success 'the bundle: masked cover and manifest, pages blacked out' '
	"$MAILROOM" --archive A confirm "$(cat smoke)" "$(cat bus)" \
		--reviewer wang >out &&
	test "$(aq A "$confirmed")" = 2 &&
	printf "[privacy]\nunmasked = somebody\n" >A/privacy.ini &&
	test_expect_code 77 "$MAILROOM" --archive A bundle --unmasked \
		--reviewer wang >out 2>err &&
	grep "unmasked refused" err && test ! -s out &&
	test "$(aq A "$confirmed")" = 2 && test ! -e A/bundles &&
	"$MAILROOM" --archive A bundle --mailbox environment --reviewer wang \
		>out &&
	pdf=$(cut -f4 out) &&
	test "$(jq .numbers_masked "${pdf%.pdf}.json")" = true &&
	! raw "${pdf%.pdf}.json"
'

test_expect_success POPPLER 'the bundle PDF: no number in its text or image' '
	pdf=$(ls A/bundles/*/environment-*.pdf) &&
	pdftotext "$pdf" all.txt &&
	tr -d " \n" <all.txt | grep "烧烤店" &&
	! raw all.txt &&
	! tr -d " " <all.txt | grep -e 1381 -e 5678 -e 110105 &&
	pdfimages -png "$pdf" img &&
	ls img-*.png >images &&
	test_line_count -eq 1 images
'

test_expect_success POPPLER,TESSERACT 'OCR of the bundle page finds none' '
	tesseract img-000.png page -l chi_sim 2>/dev/null &&
	tr -d " " <page.txt | grep "来信人" &&
	! raw page.txt &&
	! tr -d " " <page.txt | grep -e 1381 -e 5678 -e 110105
'

test_expect_success POPPLER 'bundle --unmasked: the numbers stay, audited' '
	printf "[privacy]\nunmasked = $me\n" >A/privacy.ini &&
	"$MAILROOM" --archive A bundle --unmasked --reviewer wang >out &&
	pdf=$(cut -f4 out) &&
	case $pdf in */transport-*) ;; *) false ;; esac &&
	test "$(jq .numbers_masked "${pdf%.pdf}.json")" = false &&
	pdftotext "$pdf" all.txt &&
	tr -d " " <all.txt | grep 13900000002 &&
	test "$(aq A "$audit" | tail -1)" = \
		"$me bundle $(cat bus) $(cat bus)"
'

test_expect_success 'the archive is sound' '
	test "$(aq A "PRAGMA integrity_check")" = ok
'

test_done
