#!/bin/sh
# t5006-workers: the pool of readers.  A six-page stack with separator
# sheets read by one worker (its pool holds two pages, so four are read
# back from the archive) and by three: the same letters, and every page
# the same text, rotation and language; `import --later` only archives,
# and `process` then reads the pages into the same letters; --jobs wants
# a number from 1 to 64; the progress line shows on a terminal only.
. "$(dirname "$0")/lib.sh"

test_expect_success 'render a stack of three letters and two separators' '
	"$TESTS/render-letters.sh" r "$TESTS/data/letters/zh-gas-mayor.txt" \
		"$TESTS/data/letters/en-bus-mayor.txt" \
		"$TESTS/data/letters/zh-noise-night.txt" >/dev/null &&
	zint -b QRCODE -d PATCHT --scale 8 -o qr.png &&
	"$MKPAGE" --page 2480x3508 --at 1000x1400 -o s-qr.png qr.png &&
	"$MKPAGE" -o stack.tif r/zh-gas-mayor-p1.png r/zh-gas-mayor-p2.png \
		s-qr.png r/en-bus-mayor-p1.png s-qr.png r/zh-noise-night-p1.png
'

# pages ARCHIVE: every page's number, rotation, language and text.
pages() {
	aq "$1" "SELECT seq, rotation, language, role, text FROM page
		ORDER BY seq"
}

test_expect_success 'one worker: the letters of the stack' '
	"$MAILROOM" --archive J1 --jobs 1 import stack.tif >out1 2>err1 &&
	test_line_count -eq 3 out1 &&
	test "$(letter_spans J1)" = "1+2 4+1 6+1" &&
	test "$(aq J1 "SELECT count(*) FROM page WHERE processed = 1")" = 6 &&
	grep "stack.tif: 3 letters (pages 2+1+1), 0 blank pages, 2 separator" err1
'

test_expect_success 'three workers: the same letters, pages and text' '
	"$MAILROOM" --archive J3 --jobs 3 import stack.tif >out3 2>err3 &&
	test_line_count -eq 3 out3 &&
	test "$(letter_spans J3)" = "1+2 4+1 6+1" &&
	pages J1 >p1 &&
	pages J3 >p3 &&
	test_cmp p1 p3 &&
	grep -q "夜间施工\|施工" p3 &&
	cut -f2- out1 >o1 &&
	cut -f2- out3 >o3 &&
	test_cmp o1 o3
'

test_expect_success 'import --later archives the pages and reads none' '
	"$MAILROOM" --archive L import --later stack.tif >outl 2>errl &&
	test_line_count -eq 0 outl &&
	grep "6 pages archived; .mailroom process. reads them" errl &&
	test "$(aq L "SELECT count(*) FROM page WHERE processed = 0")" = 6 &&
	test "$(aq L "SELECT count(*) FROM letter")" = 0
'

test_expect_success 'process then reads them into the same letters' '
	"$MAILROOM" --archive L --jobs 2 process >outp 2>errp &&
	test_line_count -eq 3 outp &&
	test "$(letter_spans L)" = "1+2 4+1 6+1" &&
	pages L >pl &&
	test_cmp p1 pl
'

test_expect_success '--jobs wants a number from 1 to 64' '
	for bad in 0 -1 two 65; do
		test_expect_code 64 "$MAILROOM" --archive B --jobs "$bad" \
			import stack.tif 2>errb &&
		grep -- "--jobs" errb || return 1
	done &&
	test ! -e B/index.sqlite
'

test_expect_success 'no progress line when stderr is not a terminal' '
	! grep -q "pages archived," err3 &&
	! grep -q "$(printf "\r")" err3
'

test_expect_success 'on a terminal, the progress line counts pages' '
	python3 -c "import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)" \
		"$MAILROOM" --archive T --jobs 2 import stack.tif \
		</dev/null >tty.log &&
	grep -a "pages archived, [0-9]* read" tty.log &&
	grep -a "pages/min" tty.log
'

test_done
