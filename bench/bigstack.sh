#!/bin/sh
# Memory against stack length (issue 7): one stack of PAGES pages
# (default 500) as one multi-page TIFF, and one of PAGES / 10, each
# imported into a fresh archive with every core.  The pages are
# bench/letters.py's letters, scanned with their defects (grey, 300 dpi),
# repeated until there are enough; with no separator sheets a stack is
# one long letter, decided from its first pages and a sample and the
# rest read after.  Prints, for each, the seconds, CPU seconds a page and
# peak memory: the peak must not grow with the stack.
#
#   bench/bigstack.sh [PAGES]   (after `make all build/tests/mkpage`)
#
# KEEP=1 keeps the work folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
MAILROOM=${MAILROOM:-$here/mailroom}
npages=${1:-500}
small=$((npages / 10))
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-bigstack.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "work folder: $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

# Twenty scanned pages, used over and over.
python3 "$here/bench/letters.py" "$work/src" --count 30 --seed 5
mkdir "$work/pages"
n=0
for t in "$work"/src/L*.txt; do
	[ "$n" -lt 20 ] || break
	grep -q '[^[:space:]]' "$t" || continue
	name=$(basename "$t" .txt)
	BUILD=$BUILD "$here/tests/render-letters.sh" "$work/render" "$t" \
		>/dev/null
	for p in $(ls -v "$work/render/$name"-p*.png); do
		[ "$n" -lt 20 ] || break
		n=$((n + 1))
		# shellcheck disable=SC2046
		"$MKPAGE" $(cat "$work/src/$name.defect") \
			-o "$work/pages/$(printf %02d "$n").png" "$p"
	done
done

# stack N FILE: a TIFF of N pages, the twenty in turn.
stack() {
	i=0
	: >"$work/list"
	while [ "$i" -lt "$1" ]; do
		echo "$work/pages/$(printf %02d $((i % n + 1))).png" >>"$work/list"
		i=$((i + 1))
	done
	# shellcheck disable=SC2046
	"$MKPAGE" -o "$2" $(cat "$work/list")
}
stack "$small" "$work/small.tif"
stack "$npages" "$work/big.tif"

printf '%-12s %8s %8s %12s %14s\n' stack pages seconds "CPU s/page" \
	"peak RSS MiB"
for s in small big; do
	/usr/bin/time -f "%e %U %S %M" -o "$work/$s.time" "$MAILROOM" \
		--archive "$work/$s-archive" -q import "$work/$s.tif" \
		>"$work/$s.out" 2>"$work/$s.err"
	pages=$(sqlite3 "$work/$s-archive/index.sqlite" \
		"SELECT count(*) FROM page WHERE processed = 1")
	read -r wall user sys rss <"$work/$s.time"
	awk -v s="$s" -v p="$pages" -v w="$wall" -v u="$user" -v y="$sys" \
		-v m="$rss" 'BEGIN {
		printf "%-12s %8d %8.0f %12.2f %14.0f\n", s, p, w, (u + y) / p,
			m / 1024 }'
done
