#!/bin/sh
# Run the whole test suite: every unit-test binary $BUILD/tests/t_*, then
# every end-to-end script tests/e2e/t*.sh, each in name order.
#
#   tests/run.sh [FILTER]     only tests whose name contains FILTER
#
# Each test file closes its output with `N passed, N failed`; the totals
# are summed.  A file that prints no such line, times out, or exits
# non-zero without reporting a failure counts one failure more.  One progress line per file goes to stderr (with the
# file's output when it fails, or always with VERBOSE=1); stdout ends
# with exactly `N passed, N failed`.  Exit 1 if anything failed.
#
# Environment (set by the Makefile): BUILD, the absolute build directory;
# MAILROOM, the absolute path of the mailroom binary.  TEST_TIMEOUT bounds
# each file's run time in seconds (default 300; the slowest file, t5000,
# takes about 90 s under ASan).  TEST_JOBS test files run at once
# (default 2); their reports keep the files' order.
set -u

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../build}
export BUILD
[ -n "${MAILROOM:-}" ] && export MAILROOM
: "${UBSAN_OPTIONS:=print_stacktrace=1}"
export UBSAN_OPTIONS
filter=${1:-}
timeout=${TEST_TIMEOUT:-300}
jobs=${TEST_JOBS:-2}

out=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-run.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
ran=0

# start_one NAME COMMAND...: run one test file in the background, its
# output, exit status and seconds into $out/NAME.*.
start_one() {
	name=$1
	shift
	ran=$((ran + 1))
	(
		start=$(date +%s)
		timeout "$timeout" "$@" >"$out/$name.stdout" \
			2>"$out/$name.stderr" </dev/null
		rc=$?
		# SANE's `test` backend cancels its reader thread asynchronously
		# and now and then deadlocks inside malloc (seen in about 1 run
		# of t_sane in 40).  A file that timed out is run once more; a
		# second time-out, or any failure, counts.
		if [ $rc -eq 124 ]; then
			echo "$name timed out after ${timeout}s; running it once more" \
				>>"$out/$name.note"
			timeout "$timeout" "$@" >"$out/$name.stdout" \
				2>"$out/$name.stderr" </dev/null
			rc=$?
		fi
		echo $rc >"$out/$name.rc"
		echo $(($(date +%s) - start)) >"$out/$name.secs"
	) &
	running="$running $name:$!"
}

# finish_one NAME PID: wait for a test file started by start_one and add
# up its results.
finish_one() {
	name=$1
	wait "$2"
	rc=$(cat "$out/$name.rc")
	secs=$(cat "$out/$name.secs")
	[ -f "$out/$name.note" ] && cat "$out/$name.note" >&2
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/$name.stdout" |
		tail -n 1)
	p=0
	f=0
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f% failed}
	fi
	why=
	if [ "$rc" -eq 124 ]; then
		why="timed out after ${timeout}s"
	elif [ -z "$line" ]; then
		why="no 'N passed, N failed' line (exit $rc)"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exit $rc"
	fi
	[ -n "$why" ] && f=$((f + 1))
	pass=$((pass + p))
	fail=$((fail + f))
	skipped=$(sed -n 's/^# \([0-9][0-9]*\) skipped$/, \1 skipped/p' \
		"$out/$name.stdout")
	if [ "$f" -eq 0 ]; then
		echo "ok $name $p passed$skipped (${secs} s)" >&2
	else
		echo "FAIL $name $p passed, $f failed${why:+: $why}$skipped" \
			"(${secs} s)" >&2
	fi
	if [ "$f" -ne 0 ] || [ -n "${VERBOSE:-}" ]; then
		sed "s/^/  $name: /" "$out/$name.stdout" "$out/$name.stderr" >&2
	fi
}

# run_one NAME COMMAND...: start a test file once fewer than $jobs run,
# reporting the oldest first, so that reports keep the files' order.
run_one() {
	count=0
	for r in $running; do count=$((count + 1)); done
	if [ $count -ge "$jobs" ]; then
		oldest=${running# }
		oldest=${oldest%% *}
		running=${running#* "$oldest"}
		finish_one "${oldest%%:*}" "${oldest##*:}"
	fi
	start_one "$@"
}

running=
for t in "$BUILD"/tests/t_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	case $name in *"$filter"*) ;; *) continue ;; esac
	run_one "$name" "$t"
done

for t in "$here"/e2e/t*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in *"$filter"*) ;; *) continue ;; esac
	if [ -x "$t" ]; then
		run_one "$name" "$t"
	else
		run_one "$name" sh "$t"
	fi
done
for r in $running; do
	finish_one "${r%%:*}" "${r##*:}"
done

if [ $ran -eq 0 ]; then
	echo "no tests${filter:+ matching '$filter'}" >&2
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
