#!/bin/sh
# t5008-two-processes: two mailrooms on one archive.  While another holds
# the archive's write lock, a second one waits for it, says so once on
# stderr, and then finishes its work; Ctrl-C ends the wait at once.
. "$(dirname "$0")/lib.sh"

# hold SECONDS: take the archive A's write lock in the background until
# SECONDS have passed or the file "release" is made; the file "locked" is
# there while it is held.
hold() {
	rm -f release
	python3 -c "
import os, sqlite3, sys, time
c = sqlite3.connect('A/index.sqlite', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open('locked', 'w').close()
end = time.time() + float(sys.argv[1])
while time.time() < end and not os.path.exists('release'):
    time.sleep(0.1)
c.execute('COMMIT')
os.remove('locked')
" "$1" &
	while test ! -e locked; do sleep 0.1; done
}

# await_wait FILE: until FILE says mailroom waits for the lock (60 s).
# FILE must be emptied before mailroom starts: the shell may open it for
# the background mailroom only after the first look.
await_wait() {
	n=0
	until grep -q "in use by another mailroom: waiting for it" "$1"; do
		n=$((n + 1)) && test $n -lt 600 && sleep 0.1 || return 1
	done
}

test_expect_success 'an archive with a stored page' '
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		>/dev/null &&
	"$MAILROOM" --archive A import --later r/en-bus-mayor-p1.png 2>err
'

test_expect_success 'Ctrl-C ends a wait for the lock at once' '
	hold 15 &&
	: >err &&
	{ "$MAILROOM" --archive A process >out 2>>err & } &&
	pid=$! &&
	await_wait err &&
	kill -INT $pid &&
	{ wait $pid; test $? -eq 130; } &&
	cat err &&
	test -e locked &&
	grep "mailroom: error: interrupted" err &&
	test "$(aq A "SELECT count(*) FROM letter")" = 0
'

test_expect_success 'a second mailroom waits for the lock, then does its work' '
	touch release &&
	while test -e locked; do sleep 0.2; done &&
	hold 120 &&
	: >err &&
	{ "$MAILROOM" --archive A process >out 2>>err & } &&
	pid=$! &&
	await_wait err &&
	sleep 1 &&
	test -e locked &&
	touch release &&
	wait $pid &&
	cat err &&
	test ! -e locked &&
	test "$(grep -c "in use by another mailroom: waiting for it" err)" = 1 &&
	test_line_count -eq 1 out &&
	test "$(aq A "SELECT count(*) FROM letter")" = 1
'

test_done
