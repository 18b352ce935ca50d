# The end-to-end test library, in the manner of git's t/test-lib.sh.
# A script sources it, then calls
#
#   test_expect_success [PREREQ] 'title' 'commands'
#   test_done
#
# Each test body is eval'd in a subshell with `set -e` in the script's
# scratch directory $tmp, so the first failing command fails the test and
# variables set in one test do not reach the next: tests hand results on
# in files.  A test prints `ok N - title` or `not ok N - title` followed by
# its output; a test whose PREREQ is missing prints `ok N # skip title` and
# counts as neither passed nor failed.  test_done prints the closing line
# `N passed, N failed` that tests/run.sh reads, and exits 1 on failure.
#
# Set for every script: $tmp (fresh, removed at exit unless KEEP=1),
# $MAILROOM (default ./mailroom of the repository), $BUILD (default
# build/), $TESTS (this tests/ directory), $REALDATA (default
# ../shared/realdata from the repository root; prerequisite REALDATA is set
# when it exists), $MKPAGE and $CER (the tools in $BUILD/tests).
# VERBOSE=1 prints the output of passing tests too.

TESTS=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$TESTS/.." && pwd)
MAILROOM=${MAILROOM:-$root/mailroom}
BUILD=${BUILD:-$root/build}
REALDATA=${REALDATA:-$root/../shared/realdata}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
CER=${CER:-$BUILD/tests/cer}
# Absolute paths: the tests run in $tmp.
case $MAILROOM in /*) ;; *) MAILROOM=$(pwd)/$MAILROOM ;; esac
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
case $MKPAGE in /*) ;; *) MKPAGE=$(pwd)/$MKPAGE ;; esac
case $CER in /*) ;; *) CER=$(pwd)/$CER ;; esac
[ -d "$REALDATA" ] && REALDATA=$(cd "$REALDATA" && pwd)
export MAILROOM BUILD TESTS REALDATA MKPAGE CER

# Untranslated messages, and no archive from the caller's environment.
LC_ALL=C.UTF-8
export LC_ALL
unset LANGUAGE MAILROOM_ARCHIVE

test_count=0
test_pass=0
test_fail=0
test_skip=0
test_prereqs=" "

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-$(basename "$0" .sh).XXXXXX") || {
	echo "cannot make a scratch directory"
	echo "0 passed, 1 failed"
	exit 1
}
test_cleanup() {
	if [ -n "${KEEP:-}" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap test_cleanup EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1

# Test bodies may write progress notes to fd 3: they reach the output even
# when the test passes.  `say` does that with a leading "# ".
exec 3>&1
say() {
	printf '# %s\n' "$*" >&3
}

test_set_prereq() {
	test_prereqs="$test_prereqs$1 "
}

test_have_prereq() {
	case $test_prereqs in *" $1 "*) return 0 ;; esac
	return 1
}

[ -d "$REALDATA" ] && test_set_prereq REALDATA

test_expect_success() {
	test_p=
	if [ $# -eq 3 ]; then
		test_p=$1
		shift
	fi
	test_count=$((test_count + 1))
	for p in $(echo "$test_p" | tr , ' '); do
		if ! test_have_prereq "$p"; then
			test_skip=$((test_skip + 1))
			echo "ok $test_count # skip $1 (missing $p)"
			return 0
		fi
	done
	(
		set -e
		cd "$tmp"
		eval "$2"
	) >"$tmp/.test-out" 2>&1 </dev/null
	test_rc=$?
	if [ $test_rc -eq 0 ]; then
		test_pass=$((test_pass + 1))
		echo "ok $test_count - $1"
		[ -n "${VERBOSE:-}" ] && sed 's/^/#   /' "$tmp/.test-out"
	else
		test_fail=$((test_fail + 1))
		echo "not ok $test_count - $1 (exit $test_rc)"
		sed 's/^/#   /' "$tmp/.test-out"
	fi
	rm -f "$tmp/.test-out"
	return 0
}

# aq ARCHIVE SQL...: run SQL on the index of archive ARCHIVE.
aq() {
	aq_db=$1
	shift
	sqlite3 -batch -noheader "$aq_db/index.sqlite" "$@"
}

# letter_spans ARCHIVE: "first_page+page_count" of every letter, one line.
letter_spans() {
	"$MAILROOM" --archive "$1" letters |
		jq -r '"\(.first_page)+\(.page_count)"' | paste -sd" "
}

# Compare an expected file with the actual one, showing the difference.
test_cmp() {
	diff -u "$1" "$2"
}

# test_expect_code CODE COMMAND...: run COMMAND, succeed if it exits CODE.
test_expect_code() {
	want=$1
	shift
	got=0
	"$@" || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $got, want $want" >&2
		return 1
	fi
	return 0
}

# test_line_count OP N FILE: the number of lines of FILE compares OP to N.
test_line_count() {
	n=$(wc -l <"$3")
	if ! [ "$n" "$1" "$2" ]; then
		echo "test_line_count: $3 has $n lines, want $1 $2" >&2
		cat "$3" >&2
		return 1
	fi
}

# The number is below the bound (both decimals): test_below 0.012 0.05
test_below() {
	for n in "$1" "$2"; do
		case $n in
		'' | . | *[!0-9.]*)
			echo "test_below: '$n' is not a number" >&2
			return 1
			;;
		esac
	done
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }' || {
		echo "test_below: $1 is not below $2" >&2
		return 1
	}
}

test_done() {
	[ $test_skip -gt 0 ] && echo "# $test_skip skipped"
	echo "$test_pass passed, $test_fail failed"
	[ $test_fail -eq 0 ]
	exit
}
