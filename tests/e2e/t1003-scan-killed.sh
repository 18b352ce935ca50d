#!/bin/sh
# t1003-scan-killed: `mailroom scan` killed with SIGKILL at random moments
# (starting, reading a side, storing a page, reading pages, making
# letters), again and again, with `mailroom verify` passing after every
# kill; then the same command run to the end: every side archived once
# and in order, every page read, the letters made, the archive clean.
#
# The stack: two letters printed on one side with a separator sheet (a QR
# code reading PATCHT) between them, scanned duplex with blank backs
# through the virtual feeder (8 sides), slowed so that kills land
# mid-side and while it picks up the next side.  The feeder keeps its
# place across runs and feeds again the side in it at a kill; mailroom
# knows it when it stored it already.
# Once every side is archived the tray is emptied, as the paper has gone
# through: the runs after that, each a new empty stack like any scan of
# an empty feeder, only finish reading pages and making letters.
#
# SEED (default: the time) makes the kill times repeatable and is
# printed; KILLS (default 16) is how many runs are killed at most: once a
# run finishes before its kill the work is done, and the loop ends.
. "$(dirname "$0")/lib.sh"

LD_LIBRARY_PATH=$BUILD/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SANE_CONFIG_DIR=$tmp/sane.d
export LD_LIBRARY_PATH SANE_CONFIG_DIR
seed=${SEED:-$(date +%s)}
kills=${KILLS:-16}

# The scan command, run every time; "$MAILROOM" $scan (not a function, so
# that $! of a scan run in the background is mailroom itself).
scan="--archive A scan --device feeder:tray --source duplex --mode gray
	--resolution 300"

# verify_after_kill: `mailroom verify` passes.  A kill between writing a
# page's file and committing its row leaves the file: said to stderr, or
# (until verify tells such files of a stack still being scanned from
# damage) reported as a problem, which is the only problem allowed here.
# Counts those kills in file leftovers.
verify_after_kill() {
	vrc=0
	"$MAILROOM" --archive A verify >v.out 2>v.err || vrc=$?
	if grep -q "pages/" v.out v.err; then
		echo x >>leftovers
	fi
	if test $vrc = 65; then
		! grep -v -E "^file pages/000001/[0-9]{4}\.png(\.part)?: (a write that was cut off: no index row|no index row names this file)$" v.out
	else
		cat v.out v.err && test $vrc = 0
	fi
}

# where: what the run was doing when it was killed, judged by what the
# archive holds after it.
where() {
	if ! test -f A/index.sqlite ||
		test -z "$(aq A "SELECT id FROM stack WHERE id = 1")"; then
		echo starting
	elif test "$(aq A "SELECT state FROM stack WHERE id = 1")" = scanning
	then
		echo "reading or storing a side"
	elif test "$(aq A "SELECT count(*) FROM page
		WHERE stack_id = 1 AND processed = 0")" != 0; then
		echo "reading pages"
	elif test "$(aq A "SELECT count(*) FROM letter")" = 0; then
		echo "making letters"
	else
		echo "done already"
	fi
}

test_expect_success 'setup: two letters and a separator sheet in the tray' '
	"$TESTS/render-letters.sh" r "$TESTS/data/letters/zh-gas-mayor.txt" \
		"$TESTS/data/letters/en-bus-mayor.txt" >/dev/null &&
	zint -b QRCODE -d PATCHT --scale 8 -o qr.png &&
	mkdir tray "$SANE_CONFIG_DIR" &&
	cp r/zh-gas-mayor-p1.png tray/1.png &&
	cp r/zh-gas-mayor-p2.png tray/2.png &&
	"$MKPAGE" --page 2480x3508 --at 1070x1500 -o tray/3.png qr.png \
		2>/dev/null &&
	cp r/en-bus-mayor-p1.png tray/4.png &&
	echo feeder >"$SANE_CONFIG_DIR/dll.conf" &&
	printf "device tray\nfolder %s\nduplex blank-backs\ndelay 2\npickup 500\n" \
		"$PWD/tray" >"$SANE_CONFIG_DIR/feeder.conf" &&
	sha256sum tray/*.png | cut -d" " -f1 >fronts &&
	test_line_count -eq 4 fronts
'

test_expect_success 'killed again and again: verify passes after every kill' '
	say "seed $seed, $kills kills" &&
	: >leftovers &&
	awk -v seed=$seed -v n=$kills "BEGIN { srand(seed);
		for (i = 1; i <= n; i++)
			printf \"%.2f\\n\", 0.2 + rand() * (2 + i / 2) }" >delays &&
	i=0 &&
	for d in $(cat delays); do
		i=$((i + 1))
		"$MAILROOM" $scan >run$i.out 2>run$i.err &
		pid=$!
		sleep $d
		kill -9 $pid
		rc=0
		wait $pid || rc=$?
		if test $rc = 0; then
			say "run $i finished within ${d}s"
		else
			test $rc = 137 || { cat run$i.err; exit 1; }
			say "kill $i at ${d}s: $(where); sides stored:" \
				"$(aq A "SELECT count(*) FROM page
					WHERE stack_id = 1" 2>/dev/null || echo 0)"
		fi
		test -f A/index.sqlite || continue
		verify_after_kill || exit 1
		if test "$(aq A "SELECT count(*) FROM page
			WHERE stack_id = 1")" = 8 && test -f tray/1.png; then
			say "every side archived: the tray is empty now"
			rm tray/*.png
		fi
		test $rc != 0 || break
	done &&
	say "$(wc -l <leftovers) kills left a page file without its row"
'

test_expect_success 'the same command again finishes the work' '
	"$MAILROOM" $scan >final.out 2>final.err &&
	cat final.err &&
	say "$(cat run*.err final.err | grep -c "not stored again") sides" \
		"fed again after a kill were known and not stored twice" &&
	test "$(aq A "SELECT state FROM stack WHERE id = 1")" = complete &&
	test "$(aq A "SELECT count(*) FROM stack WHERE state = \"scanning\"")" \
		= 0
'

test_expect_success 'every side archived once, in order' '
	blank=$(aq A "SELECT sha256 FROM page WHERE stack_id = 1 AND seq = 2") &&
	n=0 &&
	for f in $(cat fronts); do
		echo "$((n + 1))|$f|0" && echo "$((n + 2))|$blank|1" &&
		n=$((n + 2)) || exit 1
	done >expect &&
	aq A "SELECT seq, sha256, blank FROM page WHERE stack_id = 1
		ORDER BY seq" >actual &&
	test_cmp expect actual &&
	! grep -q "$blank" fronts
'

test_expect_success 'every page read, the letters made' '
	test "$(aq A "SELECT count(*) FROM page WHERE processed != 1")" = 0 &&
	test "$(letter_spans A)" = "1+4 7+2" &&
	test "$(aq A "SELECT seq FROM page WHERE role = \"separator\"")" = 5 &&
	for p in "1 zh-gas-mayor-p1" "3 zh-gas-mayor-p2" "7 en-bus-mayor-p1"; do
		set -- $p &&
		aq A "SELECT text FROM page WHERE stack_id = 1 AND seq = $1" >hyp &&
		cer=$("$CER" r/$2.txt hyp) &&
		awk -v c=$cer "BEGIN { exit !(c < 0.1) }" || exit 1
	done
'

test_expect_success 'the other stacks are the empty scans after the tray emptied' '
	others=$(aq A "SELECT count(*) FROM stack WHERE id > 1") &&
	say "$others empty stacks" &&
	test "$(aq A "SELECT count(*) FROM stack WHERE id > 1 AND
		(state != \"complete\" OR page_count != 0)")" = 0 &&
	test "$(aq A "SELECT count(*) FROM page WHERE stack_id > 1")" = 0
'

test_expect_success 'the archive is clean: verify, integrity, no leftovers' '
	"$MAILROOM" --archive A verify >out 2>err &&
	test ! -s out &&
	test "$(aq A "PRAGMA integrity_check")" = ok &&
	test -z "$(find A -name "*.part")" &&
	test -z "$(ls A/scanning)"
'

test_done
