#!/bin/sh
# t5004-separation: stacks split into letters at separator sheets (barcode
# PATCHT: QR, Code 128, Code 39; skewed, noisy, upside down), imported as
# one multi-page TIFF and scanned through SANE (the virtual feeder, duplex
# with blank backs): every letter boundary right, the same letters either
# way, an unreadable separator sheet queued for review, and a barcode on a
# letter page that is not PATCHT left alone.
. "$(dirname "$0")/lib.sh"

LD_LIBRARY_PATH=$BUILD/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SANE_CONFIG_DIR=$tmp/sane.d
export LD_LIBRARY_PATH SANE_CONFIG_DIR

a4() {
	"$MKPAGE" --page 2480x3508 "$@"
}

test_expect_success 'render letters and separator sheets' '
	"$TESTS/render-letters.sh" r "$TESTS/data/letters/zh-gas-mayor.txt" \
		"$TESTS/data/letters/en-bus-mayor.txt" \
		"$TESTS/data/letters/zh-noise-night.txt" >/dev/null &&
	zint -b QRCODE -d PATCHT --scale 8 -o qr.png &&
	zint -b CODE128 -d PATCHT --scale 4 --height 40 -o c128.png &&
	zint -b CODE39 -d PATCHT --scale 3 -o c39.png &&
	zint -b CODE128 -d ABC-12345 --scale 3 --height 30 -o other.png &&
	printf "P5\n200 200\n255\n" >blot.pgm &&
	head -c 40000 /dev/zero >>blot.pgm &&
	a4 --at 1000x1400 -o s-qr.png qr.png &&
	a4 --at 800x1500 --skew 3 --noise 10 --paper 225 -o s-c128.png c128.png &&
	a4 --at 1000x1400 --rotate 180 -o s-qr180.png qr.png &&
	a4 --at 900x1500 -o s-c39.png c39.png &&
	a4 --at 1000x1400 --stamp blot.pgm --stamp-at 1070x1470 \
		-o s-blotted.png qr.png &&
	a4 --stamp other.png --stamp-at 1400x3100 -o en-barcode.png \
		r/en-bus-mayor-p1.png
'

# Stack 1, page by page:
#   1-2 zh-gas letter, 3 QR, 4 en letter with a Code 128 "ABC-12345",
#   5 skewed noisy Code 128, 6 zh-noise letter, 7-8 two upside-down QR
#   in a row, 9 zh-gas page 2 as a letter of one page, 10 Code 39 last.
test_expect_success 'import a stack as one multi-page TIFF' '
	"$MKPAGE" -o stack.tif r/zh-gas-mayor-p1.png r/zh-gas-mayor-p2.png \
		s-qr.png en-barcode.png s-c128.png r/zh-noise-night-p1.png \
		s-qr180.png s-qr180.png r/zh-gas-mayor-p2.png s-c39.png &&
	"$MAILROOM" --archive I import stack.tif >out 2>err &&
	cat err &&
	test_line_count -eq 4 out &&
	grep "stack.tif: 4 letters (pages 2+1+1+1), 0 blank pages, 5 separator sheets, 0 unsure" err
'

test_expect_success 'every boundary right; separators in no letter' '
	test "$(letter_spans I)" = "1+2 4+1 6+1 9+1" &&
	test "$(aq I "SELECT group_concat(seq) FROM page
		WHERE role = \"separator\" AND letter_id IS NULL")" = "3,5,7,8,10" &&
	"$MAILROOM" --archive I letters | jq -r .language | paste -sd" " >lang &&
	test "$(cat lang)" = "zh en zh zh"
'

test_expect_success 'a barcode on a letter page is kept, not a separator' '
	test "$(aq I "SELECT codes FROM page WHERE seq = 4")" = \
		"CODE-128:ABC-12345" &&
	test -z "$(aq I "SELECT role FROM page WHERE seq = 4")"
'

test_expect_success 'another separator value: the same stack is one letter' '
	"$MAILROOM" --archive V import --separator PATCH2 stack.tif >out 2>err &&
	test "$(letter_spans V)" = "1+10"
'

test_expect_success 'scanned duplex through SANE: the same letters' '
	mkdir tray "$SANE_CONFIG_DIR" &&
	echo feeder >"$SANE_CONFIG_DIR/dll.conf" &&
	printf "device tray\nfolder %s\nduplex blank-backs\n" "$PWD/tray" \
		>"$SANE_CONFIG_DIR/feeder.conf" &&
	cp stack.tif tray/ &&
	"$MAILROOM" --archive S scan --device feeder:tray --source duplex \
		>out 2>err &&
	cat err &&
	test_line_count -eq 4 out &&
	test "$(aq S "SELECT count(*) FROM page")" = 20 &&
	test "$(aq S "SELECT count(*) FROM page WHERE blank")" = 10 &&
	test "$(letter_spans S)" = "1+4 7+2 11+2 17+2" &&
	test "$(aq S "SELECT group_concat(seq) FROM page WHERE letter_id IS NULL")" \
		= "5,6,9,10,13,14,15,16,19,20"
'

test_expect_success 'scanned and imported letters: same pages and text' '
	for n in 1 2 3 4; do
		aq I "SELECT sha256, text FROM page WHERE letter_id = $n
			ORDER BY seq" >i &&
		aq S "SELECT sha256, text FROM page WHERE letter_id = $n
			AND NOT blank ORDER BY seq" >s &&
		test_cmp i s || exit 1
	done
'

test_expect_success 'an unreadable separator sheet is a boundary for review' '
	"$MKPAGE" -o blotted.tif r/zh-noise-night-p1.png s-blotted.png \
		r/en-bus-mayor-p1.png &&
	"$MAILROOM" --archive U import blotted.tif >out 2>err &&
	cat err &&
	test "$(letter_spans U)" = "1+1 3+1" &&
	grep "1 unsure boundaries for review" err &&
	test "$(aq U "SELECT kind, seq, resolved IS NULL FROM review")" = \
		"boundary|2|1" &&
	test "$(aq U "SELECT role FROM page WHERE seq = 2")" = unsure
'

test_expect_success 'the archives are consistent' '
	for db in I V S U; do
		test "$(aq $db "PRAGMA integrity_check")" = ok || exit 1
	done
'

test_done
