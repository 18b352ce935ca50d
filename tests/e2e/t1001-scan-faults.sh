#!/bin/sh
# t1001-scan-faults: `mailroom scan` against SANE's `test` backend when the
# scanner fails, when the operator presses Ctrl-C, and in the backend's
# other scanning modes.  Every case gets its own SANE_CONFIG_DIR in the
# scratch directory: tests/sane.d copied, its test.conf edited with sed
# (never /etc/sane.d).
#
#   - every status the backend's read-status-code injects (every sane_read
#     answers it, so every sheet fails) on a new stack, which is then
#     continued with a sound feeder.
#   - Ctrl-C after two pages: exit 130, the committed pages are kept, and
#     the message names the `scan --continue` that goes on.  That stack
#     stays open for the fault tests: each status again, continuing it so
#     that there are pages before the fault; then it is continued with a
#     sound feeder, no page lost or archived twice.  NO_DOCS ends the
#     stack instead.
#   - a plain `scan` of the same device goes on with a stack stopped by
#     Ctrl-C; a stack another live mailroom is scanning is not continued
#     (exit 75) and a plain `scan` starts a new stack beside it.
#   - a jam on a terminal: the operator is asked, q stops.
#   - three-pass colour, 16-bit gray, 1-bit line art and a hand scanner
#     (page height unknown until the end) archive pages of the expected
#     format, depth and size.
#
# read-status-code takes effect without enable-test-options (that only
# shows the test options to frontends), which stays false here.
. "$(dirname "$0")/lib.sh"

A=$tmp/archive
# Only ever the private configurations made below.
SANE_CONFIG_DIR=$tmp/no-such-config
export SANE_CONFIG_DIR
# See t1000: the test backend's reader thread, cancelled as it ends, can
# leak its buffer after the backend is unloaded.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

q() {
	sqlite3 -batch -noheader "$A/index.sqlite" "$@"
}

# conf DIR [KEY VALUE]...: make DIR a SANE configuration whose test.conf
# is tests/sane.d/test.conf with the line of each KEY set to VALUE.
#
# Reads are cut to 16 bytes first.  The backend's reader thread writes a
# page into its pipe at once and ends; reading the page's last byte
# cancels that thread asynchronously, and a cancel that lands while it is
# still freeing its buffer deadlocks it (about one stack in a hundred at
# 1 KiB reads, which this script's 50 stacks would often hit).  Reading
# 16 bytes at a time takes milliseconds a page, by when the thread is
# gone.
conf() {
	conf_dir=$1
	shift
	mkdir "$conf_dir" &&
	cp "$TESTS/sane.d/dll.conf" "$TESTS/sane.d/test.conf" "$conf_dir/" ||
		return 1
	set -- read-limit-size 16 "$@"
	while [ $# -ge 2 ]; do
		sed -e "s/^$1 .*/$1 $2/" "$conf_dir/test.conf" >"$conf_dir/t" &&
		mv "$conf_dir/t" "$conf_dir/test.conf" || return 1
		if ! grep -qx "$1 $2" "$conf_dir/test.conf"; then
			echo "conf: no '$1' line in test.conf" >&2
			return 1
		fi
		shift 2
	done
}

# scan DIR ARG...: `mailroom scan` of test:0 into $A with the configuration
# in $tmp/DIR.
scan() {
	scan_conf=$1
	shift
	SANE_CONFIG_DIR=$tmp/$scan_conf "$MAILROOM" --archive "$A" scan \
		--device test:0 "$@"
}

# The stack named by the `scan --continue N` hint in FILE.
continue_of() {
	sed -n 's/.*mailroom scan --continue \([0-9][0-9]*\)$/\1/p' "$1"
}

# Every page of stack $1 is in one of its letters.
lettered() {
	test "$(q "SELECT count(*) FROM page WHERE stack_id = $1
		AND letter_id NOT IN (SELECT id FROM letter
			WHERE stack_id = $1)")" = 0 &&
	test "$(q "SELECT count(*) FROM page WHERE stack_id = $1
		AND letter_id IS NULL")" = 0
}

# The pages of stack $1 are numbered 1 to $2, each once, and all read.
pages_once() {
	test "$(q "SELECT count(*), count(DISTINCT seq), min(seq), max(seq),
		sum(processed) FROM page WHERE stack_id = $1")" = "$2|$2|1|$2|$2"
}

# interrupt: scan a new stack with the slow feeder and send SIGINT once
# two of its pages are committed.  Leaves the exit code in
# file rc, stderr in err and the stack's pages in kept.
interrupt() {
	before=0
	if test -f "$A/index.sqlite"; then
		before=$(q "SELECT max(id) FROM stack") || return 1
	fi
	# Not through scan(): $! must be mailroom itself, not a subshell in
	# which SIGINT is ignored.
	SANE_CONFIG_DIR=$tmp/slow "$MAILROOM" --archive "$A" scan \
		--device test:0 --source adf >out 2>err </dev/null &
	pid=$!
	n=0
	while ! test -f "$A/index.sqlite" ||
		test "$(q "SELECT count(*) FROM page WHERE stack_id > ${before:-0}" \
			2>/dev/null || echo 0)" -lt 2; do
		test $n -lt 300 || break
		sleep 0.1
		n=$((n + 1))
	done
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	echo $rc >rc
	cat err
	q "SELECT count(*) FROM page WHERE stack_id = $(continue_of err)" >kept
}

test_expect_success 'setup: a sound feeder, and one at half a second a sheet' '
	conf sound &&
	conf slow read-delay true read-delay-duration 500000
'

# each_status FN: run FN once for every status read-status-code injects,
# with $status, $code (the exit code), $msg (what the operator is told)
# and $dir (its configuration) set.
each_status() {
	for f in \
		"JAMMED 75 paper jam in 'test:0': clear the feeder and continue" \
		"COVER_OPEN 75 cover open on 'test:0': close it and continue" \
		"DEVICE_BUSY 75 scanner 'test:0' is busy: try again later" \
		"IO_ERROR 75 cannot scan on 'test:0': Error during device I/O" \
		"NO_MEM 75 cannot scan on 'test:0': Out of memory" \
		"UNSUPPORTED 75 cannot scan on 'test:0': Operation not supported" \
		"INVAL 75 cannot scan on 'test:0': Invalid argument" \
		"ACCESS_DENIED 75 cannot scan on 'test:0': Access to resource has been denied" \
		"EOF 75 scanner 'test:0' sent an empty page" \
		"CANCELLED 130 scan on 'test:0' was cancelled"; do
		status=${f%% *}
		f=${f#* }
		code=${f%% *}
		msg=${f#* }
		dir=fault-$(echo "$status" | tr A-Z_ a-z-)
		"$1"
	done
}

first_sheet() {
	test_expect_success "$status on the first sheet: exit $code, stack left open" '
		conf $dir read-status-code "\"SANE_STATUS_$status\"" &&
		test_expect_code $code scan $dir --source adf \
			>out 2>err </dev/null &&
		cat err &&
		test_line_count -eq 2 err &&
		test "$(head -n 1 err)" = "mailroom: error: $msg" &&
		s=$(continue_of err) &&
		test -n "$s" &&
		grep "^mailroom: error: 0 pages of stack $s are archived" err &&
		test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
			"scanning|0" &&
		test "$(q "SELECT count(*) FROM page WHERE stack_id = $s")" = 0 &&
		test ! -s out &&
		echo $s >$status.stack
	'

	test_expect_success "$status: scan --continue with a sound feeder finishes that stack" '
		s=$(cat $status.stack) &&
		test_expect_code 0 scan sound --continue $s \
			>out 2>err </dev/null &&
		grep "stack $s$" out &&
		test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
			"complete|10" &&
		pages_once $s 10 &&
		lettered $s
	'
}
each_status first_sheet

test_expect_success 'Ctrl-C mid-stack: exit 130, the pages kept, how to go on' '
	interrupt &&
	test "$(cat rc)" = 130 &&
	test_line_count -eq 2 err &&
	grep "^mailroom: error: interrupted$" err &&
	s=$(continue_of err) &&
	kept=$(cat kept) &&
	say "$kept pages were committed before SIGINT" &&
	test "$kept" -ge 2 && test "$kept" -lt 10 &&
	grep "^mailroom: error: $kept pages of stack $s are archived" err &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
		"scanning|$kept" &&
	test "$(q "SELECT count(*), min(seq), max(seq)
		FROM page WHERE stack_id = $s")" = "$kept|1|$kept" &&
	test -z "$(find "$A" -name "*.part")" &&
	test ! -s out &&
	echo $s >stopped.stack &&
	echo $kept >stopped.kept
'

# Each status again, now with pages before the fault.
after_pages() {
	test_expect_success "$status after pages were read: continuing keeps them" '
		s=$(cat stopped.stack) &&
		kept=$(cat stopped.kept) &&
		test_expect_code $code scan $dir --continue $s \
			>out 2>err </dev/null &&
		test_line_count -eq 2 err &&
		test "$(head -n 1 err)" = "mailroom: error: $msg" &&
		grep "^mailroom: error: $kept pages of stack $s are archived;" err &&
		grep "to go on with it: mailroom scan --continue $s$" err &&
		test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
			"scanning|$kept" &&
		test "$(q "SELECT count(*), min(seq), max(seq)
			FROM page WHERE stack_id = $s")" = "$kept|1|$kept" &&
		test ! -s out
	'
}
each_status after_pages

test_expect_success "the Ctrl-C'd stack, continued after every fault, ends with each page once" '
	s=$(cat stopped.stack) &&
	total=$(($(cat stopped.kept) + 10)) &&
	test_expect_code 0 scan sound --continue $s \
		>out 2>err </dev/null &&
	grep "stack $s$" out &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
		"complete|$total" &&
	pages_once $s $total &&
	lettered $s
'

test_expect_success 'NO_DOCS while the first sheet is read: the stack ends empty' '
	conf fault-no-docs read-status-code "\"SANE_STATUS_NO_DOCS\"" &&
	test_expect_code 0 scan fault-no-docs --source adf \
		>out 2>err </dev/null &&
	cat err &&
	test "$(cat err)" = \
		"mailroom: warning: the feeder was empty: no pages scanned" &&
	test ! -s out &&
	s=$(q "SELECT max(id) FROM stack") &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
		"complete|0" &&
	test "$(q "SELECT count(*) FROM letter WHERE stack_id = $s")" = 0 &&
	test_expect_code 65 scan sound --continue $s 2>err &&
	grep "stack $s is complete" err
'

test_expect_success 'NO_DOCS continuing a stopped stack: it ends with its pages' '
	interrupt &&
	test "$(cat rc)" = 130 &&
	s=$(continue_of err) &&
	kept=$(cat kept) &&
	test "$kept" -ge 2 && test "$kept" -lt 10 &&
	test_expect_code 0 scan fault-no-docs --continue $s \
		>out 2>err </dev/null &&
	cat err &&
	grep "stack $s$" out &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
		"complete|$kept" &&
	pages_once $s $kept &&
	lettered $s
'

test_expect_success 'a plain scan goes on with the stack Ctrl-C stopped' '
	interrupt &&
	test "$(cat rc)" = 130 &&
	s=$(continue_of err) &&
	kept=$(cat kept) &&
	test_expect_code 0 scan sound --source adf >out 2>err </dev/null &&
	cat err &&
	grep "^going on with stack $s from .test:0., cut off after $kept pages$" \
		err &&
	test "$(grep -c "going on" err)" = 1 &&
	! grep "not stored again" err &&
	test "$(q "SELECT max(id) FROM stack")" = $s &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
		"complete|$((kept + 10))" &&
	pages_once $s $((kept + 10)) &&
	lettered $s
'

test_expect_success 'a stack another mailroom scans: not continued, not taken' '
	conf slower read-delay true read-delay-duration 3000000 &&
	before=$(q "SELECT max(id) FROM stack") || exit 1
	# Three seconds a sheet: still scanning when the checks are done.
	SANE_CONFIG_DIR=$tmp/slower "$MAILROOM" --archive "$A" scan \
		--device test:0 --source adf >bg.out 2>bg.err </dev/null &
	pid=$! &&
	n=0 &&
	while test -z "$(q "SELECT id FROM stack WHERE id > $before")" &&
		test $n -lt 300; do
		sleep 0.1
		n=$((n + 1))
	done &&
	s=$(q "SELECT id FROM stack WHERE id > $before") &&
	failed=0 &&
	{
		test_expect_code 75 scan sound --continue $s \
			>out 2>err </dev/null &&
		cat err &&
		test "$(cat err)" = \
			"mailroom: error: stack $s is being scanned by another mailroom" &&
		test_expect_code 0 scan sound --source adf \
			>out 2>err </dev/null &&
		! grep "going on" err &&
		t=$(q "SELECT max(id) FROM stack") &&
		test $t -gt $s &&
		pages_once $t 10
	} || failed=1
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	test $failed = 0 &&
	test $rc = 130 &&
	test "$(q "SELECT state FROM stack WHERE id = $s")" = scanning &&
	scan sound --continue $s >out 2>err </dev/null &&
	test "$(q "SELECT state FROM stack WHERE id = $s")" = complete &&
	lettered $s
'

# On a terminal a jam is cleared by the operator and the same stack goes
# on; script(1) gives mailroom one, with the answers typed ahead.
command -v script >/dev/null 2>&1 && test_set_prereq TTY

test_expect_success TTY 'on a terminal a jam asks the operator; q stops it' '
	printf "\nq\n" >answers &&
	rc=0 &&
	SANE_CONFIG_DIR=$tmp/fault-jammed script -qec \
		"\"$MAILROOM\" --archive \"$A\" scan --device test:0 --source adf" \
		/dev/null <answers >tty 2>&1 || rc=$?
	cat tty &&
	test $rc = 75 &&
	test "$(grep -c "Press Enter to go on with the same stack" tty)" = 2 &&
	s=$(tr -d "\r" <tty | continue_of /dev/stdin) &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = $s")" = \
		"scanning|0" &&
	scan sound --continue $s >out 2>err </dev/null &&
	pages_once $s 10
'

# The newest stack.
last_stack() {
	q "SELECT max(id) FROM stack"
}

# format STACK: the pages, then their distinct formats, geometries
# (width x height x depth @ dpi) and checksums.
format() {
	q "SELECT count(*), group_concat(DISTINCT img_format),
		group_concat(DISTINCT width || 'x' || height || 'x' || depth ||
			'@' || dpi), count(DISTINCT sha256)
		FROM page WHERE stack_id = $1"
}

# first_page STACK FILE: write the stack's first page to FILE.
first_page() {
	"$MAILROOM" --archive "$A" page \
		"$(q "SELECT id FROM page WHERE stack_id = $1 AND seq = 1")" \
		--out "$2"
}

test_expect_success 'three-pass colour: colour pages from three frames each' '
	conf three-pass mode Color three-pass true \
		test-picture "\"Color pattern\"" br_y 60.0 &&
	scan three-pass --source adf --mode color >out 2>err </dev/null &&
	s=$(last_stack) &&
	test "$(format $s)" = "10|png|157x118x32@50|1" &&
	first_page $s p.png &&
	file p.png | grep "PNG image data, 157 x 118, 8-bit/color RGB" &&
	test "$(sha256sum <p.png | cut -d" " -f1)" = \
		"$(q "SELECT sha256 FROM page WHERE stack_id = $s AND seq = 1")" &&
	first_page $s p.pnm &&
	tail -c $((157 * 118 * 3)) p.pnm | od -An -v -tu1 -w3 |
		awk "\$1 != \$2 || \$2 != \$3 { c++ } END { exit !c }" &&
	q "SELECT sha256 FROM page WHERE stack_id = $s AND seq = 1" >colour.sha
'

test_expect_success 'three-pass in GBR order and one-pass colour: the same pages' '
	conf three-pass-gbr mode Color three-pass true three-pass-order GBR \
		test-picture "\"Color pattern\"" br_y 60.0 &&
	conf one-pass mode Color test-picture "\"Color pattern\"" br_y 60.0 &&
	for c in three-pass-gbr one-pass; do
		scan $c --source adf --mode color >out 2>err </dev/null &&
		s=$(last_stack) &&
		test "$(format $s)" = "10|png|157x118x32@50|1" &&
		test "$(q "SELECT DISTINCT sha256 FROM page
			WHERE stack_id = $s")" = "$(cat colour.sha)" || exit 1
	done
'

test_expect_success '16-bit gray: 16-bit PNG pages' '
	conf gray16 depth 16 test-picture "\"Color pattern\"" &&
	scan gray16 --source adf --mode gray >out 2>err </dev/null &&
	s=$(last_stack) &&
	test "$(format $s)" = "10|png|157x196x16@50|1" &&
	first_page $s p.png &&
	file p.png | grep "PNG image data, 157 x 196, 16-bit grayscale" &&
	test "$(sha256sum <p.png | cut -d" " -f1)" = \
		"$(q "SELECT sha256 FROM page WHERE stack_id = $s AND seq = 1")"
'

test_expect_success '1-bit: --mode lineart and depth 1 give the same G4 pages' '
	conf lineart test-picture "\"Grid\"" &&
	conf depth1 depth 1 test-picture "\"Grid\"" &&
	scan lineart --source adf --mode lineart >out 2>err </dev/null &&
	s=$(last_stack) &&
	scan depth1 --source adf >out 2>err </dev/null &&
	t=$(last_stack) &&
	test "$(format $s)" = "10|tiff-g4|157x196x1@50|1" &&
	test "$(format $t)" = "10|tiff-g4|157x196x1@50|1" &&
	test "$(q "SELECT count(DISTINCT sha256), sum(blank) FROM page
		WHERE stack_id IN ($s, $t)")" = "1|0" &&
	first_page $s p.tif &&
	file p.tif | grep "bps=1, compression=bi-level group 4" &&
	first_page $s p.pnm &&
	test "$(head -c 2 p.pnm)" = P4 &&
	test "$(tail -c $((20 * 196)) p.pnm | od -An -v -tx1 |
		tr -s " " "\n" | sort -u | grep -c .)" -gt 1
'

test_expect_success 'hand scanner, height unknown: gray, line art, three-pass' '
	conf hand hand-scanner true &&
	conf hand-grid hand-scanner true test-picture "\"Grid\"" &&
	conf hand-colour hand-scanner true mode Color three-pass true \
		test-picture "\"Color pattern\"" &&
	scan hand --source adf --mode gray --resolution 40 \
		>out 2>err </dev/null &&
	test "$(format $(last_stack))" = "10|png|173x267x8@40|1" &&
	first_page $(last_stack) p.png &&
	file p.png | grep "PNG image data, 173 x 267, 8-bit grayscale" &&
	scan hand-grid --source adf --mode lineart --resolution 40 \
		>out 2>err </dev/null &&
	test "$(format $(last_stack))" = "10|tiff-g4|173x267x1@40|1" &&
	scan hand-colour --source adf --mode color --resolution 40 \
		>out 2>err </dev/null &&
	test "$(format $(last_stack))" = "10|png|173x267x32@40|1"
'

test_expect_success 'the archive is consistent, every stack complete' '
	test "$(q "PRAGMA integrity_check")" = ok &&
	test -z "$(find "$A" -name "*.part")" &&
	test "$(q "SELECT count(*) FROM stack WHERE state = '\''scanning'\''")" = 0 &&
	test "$(q "SELECT count(*) FROM page
		WHERE processed = 0 OR letter_id IS NULL")" = 0 &&
	test "$(q "SELECT count(*) FROM stack s WHERE page_count !=
		(SELECT count(*) FROM page p WHERE p.stack_id = s.id)")" = 0 &&
	"$MAILROOM" --archive "$A" process >out &&
	test ! -s out
'

test_done
