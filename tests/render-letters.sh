#!/bin/sh
# Render sample letters into page images, the fixtures of the e2e tests.
#
#   tests/render-letters.sh OUTDIR [LETTER.txt...]
#
# Each letter (default: every tests/data/letters/*.txt) is split into pages
# at lines holding only a form feed.  Page N of letter NAME becomes
#   OUTDIR/NAME-pN.txt   the exact source text of that page
#   OUTDIR/NAME-pN.png   the page: 8-bit grey, 300 dpi, A4 (2480x3508 px)
# The text is set by pango-view in Noto Serif CJK SC 12 pt with 25 mm
# margins (A4 is 595 pt wide; 595 - 2 * 71 = 453 pt of text; pango-view
# takes --width in points but --margin in pixels: 295 px = 25 mm at 300 dpi).
# pango-view crops its output below the last line, so mkpage pads every
# page onto a full white A4 sheet: page sizes are then those of a scanner.
# The output depends only on the input text and the installed fonts.
#
# Environment: MKPAGE (default $BUILD/tests/mkpage), BUILD (default build/
# of this repository).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../build}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}

if [ $# -lt 1 ]; then
	echo "usage: render-letters.sh OUTDIR [LETTER.txt...]" >&2
	exit 64
fi
out=$1
shift
[ $# -gt 0 ] || set -- "$here"/data/letters/*.txt
if [ ! -x "$MKPAGE" ]; then
	echo "render-letters.sh: '$MKPAGE' not built (make build/tests/mkpage)" >&2
	exit 1
fi
mkdir -p "$out"
raw=$(mktemp "${TMPDIR:-/tmp}/render.XXXXXX")
trap 'rm -f "$raw" "$raw.png"' EXIT

for letter in "$@"; do
	name=$(basename "$letter" .txt)
	rm -f "$out/$name"-p*.txt "$out/$name"-p*.png
	# Split at form-feed lines: NAME-p1.txt, NAME-p2.txt, ...
	awk -v base="$out/$name" '
		BEGIN { n = 1; f = base "-p1.txt"; printf "" > f }
		$0 == "\f" { close(f); n++; f = base "-p" n ".txt";
			     printf "" > f; next }
		{ print > f }
	' "$letter"
	n=1
	while [ -f "$out/$name-p$n.txt" ]; do
		pango-view --no-display --font="Noto Serif CJK SC 12" \
			--language=zh_CN --dpi=300 --width=453 --margin=295 \
			--output="$raw.png" "$out/$name-p$n.txt"
		"$MKPAGE" --page 2480x3508 -o "$out/$name-p$n.png" "$raw.png"
		rm -f "$raw.png"
		n=$((n + 1))
	done
done
