#!/bin/sh
# t5010-killed: `import` and `process` killed with SIGKILL at random
# moments, again and again.  After every kill `verify` passes (files a
# cut-off write left are counted as not committed, never as problems);
# then the same command run once more finishes the work: every file
# archived once (recognised by its content), every page read, and the
# same letters, pages and text as a run never interrupted.  The seed of
# the kill times is printed; SEED=N repeats a run.
. "$(dirname "$0")/lib.sh"

A=$tmp/archive
REF=$tmp/reference
SEED=${SEED:-$(date +%s)}

q() {
	sqlite3 -batch -noheader "$A/index.sqlite" "$@"
}

# What an archive holds, independent of ids and times: each stack's file
# content and pages, each page's content, role and text, each letter's
# stack file, first page and length.
contents() {
	sqlite3 -batch -noheader "$1/index.sqlite" "
		SELECT 'stack', sha256, page_count, state FROM stack
		ORDER BY sha256;
		SELECT 'page', s.sha256, p.seq, p.sha256, p.processed, p.blank,
			coalesce(p.role, ''), length(p.text), p.language
		FROM page AS p JOIN stack AS s ON s.id = p.stack_id
		ORDER BY s.sha256, p.seq;
		SELECT 'letter', s.sha256, l.first_page, l.page_count, l.language,
			l.valid, l.mailbox
		FROM letter AS l JOIN stack AS s ON s.id = l.stack_id
		ORDER BY s.sha256, l.first_page"
}

# kill_at SECONDS COMMAND...: run the command, SIGKILL it after SECONDS
# (unless it ended before), and say where the archive stands.
kill_at() {
	delay=$1
	shift
	"$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null || :
	wait $pid 2>/dev/null || :
	if test -f "$A/index.sqlite"; then
		stacks=$(q "SELECT count(*) FROM stack")
		read=$(q "SELECT count(*) FROM page WHERE processed = 1")
		letters=$(q "SELECT count(*) FROM letter")
		files=$(find "$A/pages" -type f 2>/dev/null | wc -l)
		say "killed at $delay s: $stacks stacks, $read pages read," \
			"$letters letters, $files page files"
	else
		say "killed at $delay s: no archive yet"
	fi
}

# verify_clean: verify passes, and names nothing but uncommitted files.
verify_clean() {
	test -f "$A/index.sqlite" || return 0
	"$MAILROOM" --archive "$A" -v verify >vout 2>verr || {
		cat vout verr
		return 1
	}
	test ! -s vout
}

test_expect_success 'make a batch: single pages, a multi-page TIFF, a JPEG' '
	printf "尊敬的市长：\n我们小区门口的路灯坏了三个月，请派人修理。\n张三\n" >zh.txt &&
	printf "Dear Mayor,\nthe street lights on Elm Road have been out since May.\nJ. Sample\n" >en.txt &&
	printf "尊敬的市政府：\n菜市场旁边的下水道堵塞，污水流到路上，气味很大。\n希望尽快疏通。\n李四\n" >drain.txt &&
	"$TESTS/render-letters.sh" r zh.txt en.txt drain.txt &&
	mkdir in &&
	"$MKPAGE" -o in/01-zh.png r/zh-p1.png &&
	"$MKPAGE" --depth 1 -o in/02-two.tif r/en-p1.png r/drain-p1.png &&
	"$MKPAGE" -o in/03-drain.jpg r/drain-p1.png &&
	"$MKPAGE" --noise 8 -o in/04-en.png r/en-p1.png &&
	ls in >files &&
	test_line_count -eq 4 files
'

test_expect_success 'a run never interrupted, for reference' '
	start=$(date +%s%N) &&
	"$MAILROOM" --archive "$REF" import --jobs 2 in >ref.out 2>ref.err &&
	ms=$((($(date +%s%N) - start) / 1000000)) &&
	say "an import not interrupted takes $ms ms" &&
	echo $ms >ref.ms &&
	contents "$REF" >ref.contents &&
	test "$(grep -c "^letter" ref.contents)" -ge 4
'

# Kill times: a round's three kills at T * r * r (r uniform in 0..1, T a
# whole run), so that many land in the first tenth of a second, where
# the files are stored, and the rest in the reading and letter making.
test_expect_success 'import killed 3 times in each of 6 rounds, then finished' '
	say "seed $SEED" &&
	ms=$(cat ref.ms) &&
	LC_ALL=C awk -v seed=$SEED -v ms=$ms "BEGIN { srand(seed);
		for (i = 0; i < 18; i++) { r = rand();
			printf \"%.3f\\n\", r * r * ms / 1000 } }" >delays &&
	round=0 &&
	while test $round -lt 6; do
		rm -rf "$A" &&
		for d in $(sed -n "$((round * 3 + 1)),$((round * 3 + 3))p" delays); do
			kill_at $d "$MAILROOM" --archive "$A" import --jobs 2 in &&
			verify_clean || exit 1
		done &&
		"$MAILROOM" --archive "$A" import --jobs 2 in >out 2>err &&
		contents "$A" >contents &&
		test_cmp ref.contents contents &&
		verify_clean &&
		! grep "not committed" verr || exit 1
		round=$((round + 1))
	done
'

test_expect_success 'the finished import stored nothing twice and left nothing over' '
	test "$(q "SELECT count(*) FROM stack")" = 4 &&
	test "$(q "SELECT count(DISTINCT sha256) FROM page")" = 5 &&
	test "$(q "SELECT count(*) FROM page WHERE processed <> 1")" = 0 &&
	test -z "$(find "$A" -name "*.part")" &&
	test "$(find "$A/pages" -type f | wc -l)" = 5 &&
	test "$(q "PRAGMA integrity_check")" = ok
'

test_expect_success 'process killed 8 times at random moments, then finished' '
	rm -rf "$A" &&
	"$MAILROOM" --archive "$A" import --later in 2>err &&
	ms=$(cat ref.ms) &&
	LC_ALL=C awk -v seed=$((SEED + 1)) -v ms=$ms "BEGIN { srand(seed);
		for (i = 0; i < 8; i++) printf \"%.2f\\n\", rand() * ms / 1000 }" \
		>delays &&
	while read -r d; do
		kill_at $d "$MAILROOM" --archive "$A" process --jobs 2 &&
		verify_clean || exit 1
	done <delays &&
	"$MAILROOM" --archive "$A" process --jobs 2 >out 2>err &&
	test "$(q "SELECT count(*) FROM page WHERE processed <> 1")" = 0 &&
	contents "$A" >contents &&
	test_cmp ref.contents contents &&
	"$MAILROOM" --archive "$A" verify >out 2>err &&
	test ! -s out
'

test_expect_success 'a file left by a cut-off write is not a problem, and goes' '
	rm -rf "$A" &&
	"$MAILROOM" --archive "$A" import --later in/01-zh.png 2>err &&
	mkdir -p "$A/pages/000002" &&
	cp in/04-en.png "$A/pages/000002/0001.png" &&
	echo half >"$A/pages/000002/0002.png.part" &&
	"$MAILROOM" --archive "$A" -v verify >out 2>err &&
	test ! -s out &&
	grep "file pages/000002/0001.png: not committed" err &&
	grep "^2 files not committed yet" err &&
	"$MAILROOM" --archive "$A" import --later in/03-drain.jpg 2>err &&
	test "$(ls "$A/pages/000002")" = 0001.jpg &&
	"$MAILROOM" --archive "$A" verify >out 2>err &&
	! grep "not committed" err
'

test_done
