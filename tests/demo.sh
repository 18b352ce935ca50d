#!/bin/sh
# `make demo`: render the sample letters in tests/data/letters as scanned
# pages, import them into a fresh archive and list what was archived.
#
#   $BUILD/demo/pages/     the "scans": a multi-page TIFF for a letter of
#                          several pages, otherwise alternately a grey PNG
#                          and a bilevel (G4) TIFF
#   $BUILD/demo/archive/   the archive, made anew on every run
#
# Environment: BUILD (default build/ of this repository), MAILROOM
# (default $BUILD/mailroom), MKPAGE (default $BUILD/tests/mkpage).
# Exits non-zero when rendering or the import fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../build}
MAILROOM=${MAILROOM:-$BUILD/mailroom}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
export BUILD MKPAGE

demo=$BUILD/demo
rm -rf "$demo/render" "$demo/pages" "$demo/archive"
mkdir -p "$demo/pages"
"$here/render-letters.sh" "$demo/render" "$here"/data/letters/*.txt

i=0
for letter in "$here"/data/letters/*.txt; do
	name=$(basename "$letter" .txt)
	set -- "$demo/render/$name"-p*.png
	if [ $# -gt 1 ]; then
		"$MKPAGE" -o "$demo/pages/$name.tif" "$@"
	elif [ $((i % 2)) -eq 0 ]; then
		"$MKPAGE" --paper 235 --noise 3 -o "$demo/pages/$name.png" "$1"
	else
		"$MKPAGE" --depth 1 -o "$demo/pages/$name.tif" "$1"
	fi
	i=$((i + 1))
done

echo "importing $(ls "$demo/pages" | wc -l) files from $demo/pages ..." >&2
if ! "$MAILROOM" --archive "$demo/archive" import "$demo/pages" >/dev/null
then
	echo "demo: the import failed" >&2
	exit 1
fi
"$MAILROOM" --archive "$demo/archive" letters --format table
echo
echo "The archive is in $demo/archive; search it with"
echo "  $MAILROOM --archive $demo/archive search 燃气"
