#!/bin/sh
# t5008-two-processes: two mailrooms on one archive.  While another holds
# the archive's write lock, a second one waits for it, says so once on
# stderr, and then finishes its work; Ctrl-C ends the wait at once.  Two
# reading one archive never read one stack: a stack the other has taken
# is left to it, unless the other was killed.
. "$(dirname "$0")/lib.sh"

# hold SECONDS [ARCHIVE]: take the write lock of ARCHIVE (A) in the
# background until SECONDS have passed or the file "release" is made; the
# file "locked" is there while it is held.
hold() {
	rm -f release
	python3 -c "
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[2] + '/index.sqlite', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open('locked', 'w').close()
end = time.time() + float(sys.argv[1])
while time.time() < end and not os.path.exists('release'):
    time.sleep(0.1)
c.execute('COMMIT')
os.remove('locked')
" "$1" "${2:-A}" &
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

# await_takes ARCHIVE N: until a mailroom reading ARCHIVE has taken N
# stacks (60 s).
await_takes() {
	tries=0
	until test "$(cat "$1"/reading/*.stacks 2>/dev/null | wc -l)" -ge "$2"
	do
		tries=$((tries + 1)) && test $tries -lt 600 && sleep 0.1 ||
			return 1
	done
}

# import_stacks ARCHIVE: import the letters' pages into ARCHIVE, a stack
# each, to be read later.
import_stacks() {
	for f in r/zh-*.png; do
		"$MAILROOM" --archive "$1" import --later "$f" 2>>err || return 1
	done
}

test_expect_success 'stacks another mailroom reads are left to it' '
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/zh-*.txt \
		>/dev/null &&
	stacks=$(ls r/zh-*.png | wc -l) &&
	test "$stacks" -ge 4 &&
	import_stacks B &&
	{ "$MAILROOM" --archive B process --jobs 1 >out1 2>err1 & } &&
	pid=$! &&
	await_takes B $stacks &&
	hold 120 B &&
	test -e B/reading/$pid-1.stacks &&
	"$MAILROOM" --archive B process >out2 2>err2 &&
	cat err2 &&
	test ! -s out2 &&
	test "$(grep -c "is being read by another mailroom: left to it" err2)" \
		= "$stacks" &&
	touch release &&
	wait $pid &&
	test_line_count -eq "$stacks" out1 &&
	! grep "another mailroom" err1 &&
	test "$(aq B "SELECT count(*) FROM page WHERE processed = 1")" = "$stacks" &&
	"$MAILROOM" --archive B verify &&
	test -z "$(ls B/reading | grep stacks)"
'

test_expect_success 'the stacks of a mailroom killed while reading are read' '
	stacks=$(ls r/zh-*.png | wc -l) &&
	import_stacks C &&
	{ "$MAILROOM" --archive C process --jobs 1 >out1 2>err1 & } &&
	pid=$! &&
	await_takes C $stacks &&
	kill -KILL $pid &&
	{ wait $pid; test $? -eq 137; } &&
	test -e C/reading/$pid-1.stacks &&
	"$MAILROOM" --archive C process >out2 2>err2 &&
	cat err2 &&
	! grep "another mailroom" err2 &&
	test "$(aq C "SELECT count(*) FROM letter")" = "$stacks" &&
	test "$(aq C "SELECT count(*) FROM page WHERE processed = 1")" = "$stacks" &&
	test -z "$(ls C/reading | grep stacks)" &&
	"$MAILROOM" --archive C verify
'

test_done
