#!/bin/sh
# t5001-bad-files: one import run with good files mixed among bad ones
# (empty, truncated, text or PDF under an image name, random bytes, a
# missing path) and a few hostile files from $REALDATA.  Every bad file
# gets exactly one error line naming it, the good files are archived all
# the same, the run exits 65 with its summary line, and the archive holds
# nothing of the failed files.
. "$(dirname "$0")/lib.sh"

A=$tmp/archive

q() {
	sqlite3 -batch -noheader "$A/index.sqlite" "$@"
}

# The hostile files: each must give one error line or, where the file is
# in fact readable, be archived; never hang, crash or both.
HOSTILE="pngsuite/xcrn0g04.png libtiff/test_ifd_loop_to_self.tif
pillow/truncated_image.png pillow/multipage_single_frame_loop.tiff
pillow/oom-225817ca0f8c663be7ab4b9e717b02c661e66834.tif"

# Error lines of stderr file $2 that name file $1.
errors_naming() {
	grep "^mailroom: error: " "$2" | grep -cF "'$1'" || :
}

test_expect_success 'make good and bad files' '
	printf "尊敬的市长：\n我们小区门口的路灯坏了三个月，请派人修理。\n张三（示例）\n" \
		>short-zh.txt &&
	printf "Dear Mayor,\nthe street lights on Elm Road have been out since May.\nJ. Sample\n" \
		>short-en.txt &&
	"$TESTS/render-letters.sh" r short-zh.txt short-en.txt &&
	mkdir in &&
	"$MKPAGE" -o in/02-good.png r/short-zh-p1.png &&
	"$MKPAGE" --depth 1 -o in/07-good.tif r/short-en-p1.png &&
	: >in/01-empty.png &&
	size=$(wc -c <in/02-good.png) &&
	head -c $((size / 2)) in/02-good.png >in/03-truncated.png &&
	cp short-en.txt in/04-text.png &&
	printf "%s\n" "%PDF-1.4" "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj" \
		"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj" \
		"trailer << /Root 1 0 R >>" "%%EOF" >in/05-document.tif &&
	LC_ALL=C awk "BEGIN { srand(7); for (i = 0; i < 8192; i++)
		printf \"%c\", int(rand() * 256) }" >in/06-random.jpg &&
	test "$(wc -c <in/06-random.jpg)" -eq 8192 &&
	printf "P5\n1000000 1000000\n255\n" >in/08-huge-header.pnm &&
	ls in
'

test_expect_success 'bad usage exits 64' '
	test_expect_code 64 "$MAILROOM" --archive "$A" import 2>err &&
	test -s err &&
	test_expect_code 64 "$MAILROOM" --archive "$A" letters --format xml \
		2>err &&
	test -s err &&
	test_expect_code 64 "$MAILROOM" --archive "$A" no-such-command 2>err &&
	test -s err
'

test_expect_success 'a missing path is reported by name' '
	rc=0 &&
	"$MAILROOM" --archive "$A" import no-such.png >out 2>err || rc=$? &&
	cat err &&
	case $rc in 65 | 66) ;; *) echo "exit $rc, want 65 or 66"; exit 1 ;; esac &&
	test_line_count -eq 0 out &&
	test "$(errors_naming no-such.png err)" -eq 1
'

test_expect_success 'import good and bad files in one run' '
	set -- &&
	if test_have_prereq REALDATA; then
		for h in $HOSTILE; do
			set -- "$@" "$REALDATA/hostile/$h"
		done
	fi &&
	start=$(date +%s) &&
	test_expect_code 65 timeout 60 "$MAILROOM" --archive "$A" import in \
		"$@" >out 2>err &&
	say "import with bad files took $(($(date +%s) - start)) s" &&
	cat out err
'

test_expect_success 'each bad file has exactly one error line' '
	for f in 01-empty.png 03-truncated.png 04-text.png 05-document.tif \
		 06-random.jpg 08-huge-header.pnm; do
		n=$(errors_naming "in/$f" err)
		test "$n" -eq 1 || { echo "$f: $n error lines"; exit 1; }
		! grep -F "in/$f" out || exit 1
	done
'

test_expect_success 'the good files are archived' '
	awk -F"\t" -v OFS="\t" "\$3 ~ /^in\// { print \$2, \$3 }" out >actual &&
	printf "1\tin/02-good.png\n1\tin/07-good.tif\n" >expect &&
	test_cmp expect actual &&
	test "$(errors_naming in/02-good.png err)" -eq 0 &&
	test "$(errors_naming in/07-good.tif err)" -eq 0
'

test_expect_success REALDATA 'each hostile file is refused once or archived' '
	for h in $HOSTILE; do
		p=$REALDATA/hostile/$h
		e=$(errors_naming "$p" err)
		o=$(grep -cF "$p" out || :)
		say "$h: $e error line(s), $o archived"
		test $((e + o)) -eq 1 || { echo "$h: $e errors, $o archived"; exit 1; }
	done
'

test_expect_success 'errors and summary add up' '
	grep "^mailroom: error: " err >errors &&
	good=$(wc -l <out) &&
	bad=$(wc -l <errors) &&
	tail -n 1 err >summary &&
	cat summary &&
	grep -E "^imported $good of $((good + bad)) files" summary
'

test_expect_success 'nothing of the failed files stays in the archive' '
	test "$(q "PRAGMA integrity_check")" = ok &&
	test -z "$(find "$A" -name "*.part")" &&
	test "$(q "SELECT count(*) FROM stack")" -eq "$(wc -l <out)" &&
	test "$(q "SELECT count(*) FROM page")" -eq \
		"$(awk -F"\t" "{ n += \$2 } END { print n + 0 }" out)" &&
	q "SELECT img_path FROM page" | sort >expect &&
	(cd "$A" && find . -type f ! -name "index.sqlite*" | sed "s|^\./||" |
		sort) >actual &&
	test_cmp expect actual
'

test_expect_success 'the archive takes more letters after the errors' '
	"$MKPAGE" --depth 1 --dpi 200 -o more.tif r/short-en-p1.png &&
	test_expect_code 0 "$MAILROOM" --archive "$A" import more.tif \
		>out2 2>err2 &&
	test_line_count -eq 1 out2 &&
	test "$(q "PRAGMA integrity_check")" = ok
'

test_done
