#!/bin/sh
# The bundle benchmark: the sample letters (tests/data/letters, 6 pages)
# are imported COPIES times as noisy grey scans, confirmed, then handed
# over with `bundle`, which reads every page again for the PDF's text
# layer.  Prints the pages bundled, the seconds and CPU seconds per page,
# and the PDF bytes per page against the archived page files.
#
#   bench/bundle.sh [COPIES]    (after `make all build/tests/mkpage`)
#
# KEEP=1 keeps the work folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
MAILROOM=${MAILROOM:-$here/mailroom}
copies=${1:-4}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-bundle.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "work folder: $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

BUILD=$BUILD "$here/tests/render-letters.sh" "$work/r" \
	"$here"/tests/data/letters/*.txt >/dev/null
mkdir "$work/in"
i=1
while [ "$i" -le "$copies" ]; do
	for f in "$work"/r/*-p1.png; do
		name=$(basename "$f" -p1.png)
		# shellcheck disable=SC2046
		"$MKPAGE" --paper 235 --noise 3 -o "$work/in/$i-$name.tif" \
			$(ls -v "$work/r/$name"-p*.png)
	done
	i=$((i + 1))
done
export MAILROOM_NOW=2026-05-11T01:00:00Z
"$MAILROOM" --archive "$work/A" -q import "$work/in" >"$work/letters"
# shellcheck disable=SC2046
"$MAILROOM" --archive "$work/A" -q confirm --reviewer bench \
	$(cut -f1 "$work/letters") >/dev/null
export MAILROOM_NOW=2026-05-12T01:00:00Z
/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
	"$MAILROOM" --archive "$work/A" -q bundle --reviewer bench \
	>"$work/bundles"
pages=$(sqlite3 "$work/A/index.sqlite" "SELECT count(*) FROM page
	WHERE letter_id IN (SELECT id FROM letter WHERE bundle_id IS NOT NULL)")
stored=$(sqlite3 "$work/A/index.sqlite" "SELECT group_concat(img_path, ' ')
	FROM page WHERE letter_id IN (SELECT id FROM letter
	WHERE bundle_id IS NOT NULL)")
stored_bytes=$(cd "$work/A" && cat $stored | wc -c)
pdf_bytes=$(cat "$work"/A/bundles/*/*.pdf | wc -c)
read -r wall user sys rss <"$work/time"
awk -v p="$pages" -v b="$(wc -l <"$work/bundles")" -v w="$wall" -v u="$user" \
	-v s="$sys" -v m="$rss" -v pb="$pdf_bytes" -v sb="$stored_bytes" 'BEGIN {
	printf "bundled %d pages in %d bundles: %.1f s (%.2f s a page), " \
		"%.2f CPU s a page, peak %d MB\n", p, b, w, w / p, (u + s) / p,
		m / 1024
	printf "PDF %.0f KB a page (covers included); archived files " \
		"%.0f KB a page\n", pb / p / 1024, sb / p / 1024
}'
