#!/bin/sh
# t1000-scan: scanning a stack through SANE's `test` backend (private
# SANE_CONFIG_DIR, never /etc/sane.d): an ADF that empties after 10
# sheets, a jam that keeps what was read and is continued, and a process
# killed mid-stack whose pages are all kept once.
. "$(dirname "$0")/lib.sh"

A=$tmp/archive
SANE_CONFIG_DIR=$TESTS/sane.d
export SANE_CONFIG_DIR
# Under `make check`: the test backend's reader thread, cancelled as it
# ends, now and then leaks its 64 KiB buffer after the backend has been
# unloaded, where no suppression can name it.  Leaks in our SANE code are
# checked by t_sane, which keeps the backend loaded and suppresses only it.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

q() {
	sqlite3 -batch -noheader "$A/index.sqlite" "$@"
}

test_expect_success 'devices lists the test scanner with its sources' '
	"$MAILROOM" devices >out &&
	grep "^test:0	" out | grep "Automatic Document Feeder"
'

test_expect_success 'a feeder of 10 sheets gives one letter of 10 pages' '
	test_expect_code 0 "$MAILROOM" --archive "$A" scan --device test:0 \
		--source adf >out 2>err &&
	cat err &&
	test_line_count -eq 1 out &&
	test "$(cut -f2 out)" = 10 &&
	test "$(q "SELECT state, page_count FROM stack")" = "complete|10" &&
	test "$(q "SELECT count(*) FROM page WHERE processed = 1")" = 10 &&
	"$MAILROOM" --archive "$A" letters >letters.jsonl &&
	test "$(jq .page_count letters.jsonl)" = 10
'

test_expect_success 'every scanned page comes back with its checksum' '
	for id in $(q "SELECT id FROM page WHERE stack_id = 1"); do
		"$MAILROOM" --archive "$A" page "$id" --out p.png &&
		test "$(sha256sum <p.png | cut -d" " -f1)" = \
			"$(q "SELECT sha256 FROM page WHERE id = $id")" || exit 1
	done
'

test_expect_success 'a jam keeps the stack open and says how to go on' '
	test_expect_code 75 env SANE_CONFIG_DIR="$TESTS/sane.d/jam" \
		"$MAILROOM" --archive "$A" scan --device test:0 --source adf \
		>out 2>err </dev/null &&
	cat err &&
	grep "paper jam in .test:0." err &&
	grep "scan --continue 2" err &&
	test "$(q "SELECT state FROM stack WHERE id = 2")" = scanning &&
	test ! -s out
'

test_expect_success 'scan --continue finishes the jammed stack' '
	test_expect_code 0 "$MAILROOM" --archive "$A" scan --device test:0 \
		--continue 2 >out 2>err &&
	test "$(q "SELECT state, page_count FROM stack WHERE id = 2")" = \
		"complete|10" &&
	test "$(q "SELECT count(*) FROM letter WHERE stack_id = 2")" = 1
'

test_expect_success 'a complete stack is not continued' '
	test_expect_code 65 "$MAILROOM" --archive "$A" scan --device test:0 \
		--continue 2 2>err &&
	grep "complete" err
'

test_expect_success 'killed mid-stack: continue goes on, the side in flight once' '
	mkdir slow &&
	cp "$TESTS/sane.d/dll.conf" slow/ &&
	sed -e "s/^read-delay .*/read-delay true/" \
	    -e "s/^read-delay-duration .*/read-delay-duration 20000/" \
	    -e "s/^read-limit .*/read-limit true/" \
	    -e "s/^read-limit-size .*/read-limit-size 1024/" \
		"$TESTS/sane.d/test.conf" >slow/test.conf &&
	SANE_CONFIG_DIR=$PWD/slow "$MAILROOM" --archive "$A" scan \
		--device test:0 --source adf >/dev/null 2>&1 &
	pid=$! &&
	n=0 &&
	while test "$(q "SELECT count(*) FROM page WHERE stack_id = 3" \
			2>/dev/null || echo 0)" -lt 2 && test $n -lt 300; do
		sleep 0.1; n=$((n + 1))
	done &&
	kill -9 $pid &&
	wait $pid || :
	kept=$(q "SELECT count(*) FROM page WHERE stack_id = 3") &&
	say "$kept pages were committed before the kill" &&
	test "$kept" -ge 2 && test "$kept" -lt 10 &&
	test "$(q "SELECT state FROM stack WHERE id = 3")" = scanning &&
	"$MAILROOM" --archive "$A" scan --device test:0 --continue 3 \
		>out 2>err &&
	cat err &&
	# The scan was cut off, so the side in the feeder then may come
	# again: the first sheet is compared with the last page kept.  The
	# test backend gives every sheet the same picture, so it is taken for
	# that side, not stored again, and 9 of the 10 sheets are added.
	grep "^the first side scanned is page $kept of stack 3 already" err &&
	total=$(q "SELECT count(*) FROM page WHERE stack_id = 3") &&
	test "$total" = $((kept + 9)) &&
	test "$(q "SELECT count(DISTINCT seq), min(seq), max(seq)
		FROM page WHERE stack_id = 3")" = "$total|1|$total" &&
	test "$(q "SELECT count(*) FROM page WHERE processed = 0")" = 0 &&
	"$MAILROOM" --archive "$A" process >out &&
	test ! -s out
'

test_expect_success 'the archive is consistent' '
	test "$(q "PRAGMA integrity_check")" = ok &&
	test -z "$(find "$A" -name "*.part")" &&
	test "$(q "SELECT count(*) FROM page WHERE letter_id IS NULL")" = 0
'

test_done
