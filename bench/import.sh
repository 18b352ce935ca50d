#!/bin/sh
# Import speed and memory: render the sample letters, copy them to make a
# stack of N pages (default 30), import them into a fresh archive and
# print pages per minute and peak memory.
#
#   bench/import.sh [N]        (after `make all build/tests/mkpage`)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
n=${1:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

BUILD=$BUILD "$here/tests/render-letters.sh" "$work/render" \
	"$here"/tests/data/letters/*.txt >/dev/null
mkdir "$work/in"
i=0
while [ "$i" -lt "$n" ]; do
	for p in "$work"/render/*.png; do
		[ "$i" -lt "$n" ] || break
		cp "$p" "$work/in/$(printf %04d "$i").png"
		i=$((i + 1))
	done
done

start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" "$BUILD/mailroom" \
	--archive "$work/archive" -q import "$work/in" >/dev/null
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" -v rss="$(cat "$work/rss")" \
	'BEGIN { t = e - s; printf "%d pages in %.1f s: %.1f pages/min, " \
		"%.2f s/page, peak RSS %.0f MiB\n", n, t, n * 60 / t, t / n,
		rss / 1024 }'
