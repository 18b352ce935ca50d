#!/bin/sh
# t5008-two-processes: two mailrooms on one archive.  While another holds
# the archive's write lock, a second one waits for it, says so once on
# stderr, and then finishes its work; Ctrl-C ends the wait at once.
. "$(dirname "$0")/lib.sh"

# hold SECONDS: take the archive A's write lock for SECONDS in the
# background; the file "locked" is there while it is held.
hold() {
	python3 -c "
import os, sqlite3, sys, time
c = sqlite3.connect('A/index.sqlite', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open('locked', 'w').close()
time.sleep(float(sys.argv[1]))
c.execute('COMMIT')
os.remove('locked')
" "$1" &
	while test ! -e locked; do sleep 0.1; done
}

test_expect_success 'an archive with a stored page' '
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		>/dev/null &&
	"$MAILROOM" --archive A import --later r/en-bus-mayor-p1.png 2>err
'

test_expect_success 'Ctrl-C ends a wait for the lock at once' '
	hold 15 &&
	{ "$MAILROOM" --archive A process >out 2>err & } &&
	pid=$! &&
	n=0 &&
	until grep -q "in use by another mailroom: waiting for it" err; do
		n=$((n + 1)) && test $n -lt 200 && sleep 0.1 || return 1
	done &&
	kill -INT $pid &&
	{ wait $pid; test $? -eq 130; } &&
	cat err &&
	test -e locked &&
	grep "mailroom: error: interrupted" err &&
	test "$(aq A "SELECT count(*) FROM letter")" = 0
'

test_expect_success 'a second mailroom waits for the lock, then does its work' '
	while test -e locked; do sleep 0.2; done &&
	hold 6 &&
	"$MAILROOM" --archive A process >out 2>err &&
	cat err &&
	test ! -e locked &&
	test "$(grep -c "in use by another mailroom: waiting for it" err)" = 1 &&
	test_line_count -eq 1 out &&
	test "$(aq A "SELECT count(*) FROM letter")" = 1
'

test_done
