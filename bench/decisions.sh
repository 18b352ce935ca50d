#!/bin/sh
# The decisions benchmark: generate a labelled set of letters
# (bench/letters.py: varied templates in Chinese and English, repeat
# writers, risk letters, every kind of invalid letter), render them,
# scan defects added (skew, noise, upside down, grey paper), import
# them into a fresh archive, one file a letter in order, and score the
# decisions against the labels (bench/score.py).
#
#   bench/decisions.sh [COUNT [SEED]]    (after `make all build/tests/mkpage`)
#
# KEEP=1 keeps the work folder; VERBOSE=1 lists every wrong decision.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
count=${1:-100}
seed=${2:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-decisions.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "work folder: $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

python3 "$here/bench/letters.py" "$work/src" --count "$count" --seed "$seed"
mkdir "$work/in"
for t in "$work"/src/L*.txt; do
	name=$(basename "$t" .txt)
	defect=$(cat "$work/src/$name.defect")
	if ! grep -q '[^[:space:]]' "$t"; then
		"$MKPAGE" --blank 2480x3508 -o "$work/in/$name.tif"
		continue
	fi
	BUILD=$BUILD "$here/tests/render-letters.sh" "$work/render" "$t" \
		>/dev/null
	# The pages in order: p1, p2, ... p10 (not p1, p10, p2).
	pages=$(ls -v "$work/render/$name"-p*.png)
	# shellcheck disable=SC2086
	"$MKPAGE" $defect -o "$work/in/$name.tif" $pages
done
pages=$(ls "$work"/render/*.png | wc -l)
start=$(date +%s.%N)
"$BUILD/mailroom" --archive "$work/archive" -q import "$work/in" >/dev/null
end=$(date +%s.%N)
"$BUILD/mailroom" --archive "$work/archive" letters >"$work/letters.jsonl"
awk -v n="$count" -v p="$pages" -v s="$start" -v e="$end" 'BEGIN {
	printf "%d letters, %d pages imported in %.0f s (%.2f s/page)\n",
		n, p, e - s, (e - s) / p }'
python3 "$here/bench/score.py" "$work/src/labels.jsonl" "$work/letters.jsonl"
