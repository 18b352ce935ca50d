#!/bin/sh
# `make demo`: scan the sample letters in tests/data/letters through SANE
# into a fresh archive and list what was archived.  No scanner is needed:
# the project's virtual feeder (scanner/backend/feeder.c) stands in for a
# duplex document feeder, loaded by SANE's dll backend from a private
# SANE_CONFIG_DIR (never /etc/sane.d).
#
#   $BUILD/demo/tray/          the feeder's input tray: the letters, each
#                              printed on one side of A4 as it would come
#                              in (grey paper with noise, or a bilevel fax
#                              copy), with a separator sheet (a QR code
#                              reading PATCHT) after each letter
#   $BUILD/demo/sane.d/        dll.conf and feeder.conf for the feeder
#   $BUILD/demo/archive/       the archive, made anew on every run
#
# The staff put the stack in the feeder and press `mailroom scan` once;
# the separator sheets split it into letters.  Blank back sides are
# scanned and archived, marked blank.
#
# Environment: BUILD (default build/ of this repository), MAILROOM
# (default $BUILD/mailroom), MKPAGE (default $BUILD/tests/mkpage).
# Exits non-zero when rendering or a scan fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../build}
MAILROOM=${MAILROOM:-$BUILD/mailroom}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
export BUILD MKPAGE

demo=$BUILD/demo
rm -rf "$demo/render" "$demo/letters" "$demo/tray" "$demo/sane.d" \
	"$demo/archive" "$demo/pages"
mkdir -p "$demo/render" "$demo/tray" "$demo/sane.d"
"$here/render-letters.sh" "$demo/render" "$here"/data/letters/*.txt
zint -b QRCODE -d PATCHT --scale 8 -o "$demo/render/patcht.png"

i=0
for letter in "$here"/data/letters/*.txt; do
	name=$(basename "$letter" .txt)
	i=$((i + 1))
	for page in "$demo/render/$name"-p*.png; do
		out=$demo/tray/$i-$name-$(basename "$page" .png | sed 's/.*-//')
		if [ $((i % 2)) -eq 1 ]; then
			"$MKPAGE" --paper 235 --noise 3 -o "$out.png" "$page"
		else
			"$MKPAGE" --depth 1 -o "$out.tif" "$page"
		fi
	done
	"$MKPAGE" --page 2480x3508 --at 1070x1500 --depth 1 \
		-o "$demo/tray/$i-~separator.tif" "$demo/render/patcht.png" \
		2>/dev/null
done

echo feeder >"$demo/sane.d/dll.conf"
cat >"$demo/sane.d/feeder.conf" <<EOF
# The demo's feeder: letters printed on one side, scanned duplex.
device tray
folder ../tray
duplex blank-backs
EOF
SANE_CONFIG_DIR=$demo/sane.d
LD_LIBRARY_PATH=$BUILD/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export SANE_CONFIG_DIR LD_LIBRARY_PATH

echo "scanning $(ls "$demo/tray" | wc -l) sheets through SANE" \
	"(feeder:tray, duplex) ..." >&2
if ! "$MAILROOM" --archive "$demo/archive" scan --device feeder:tray \
	--source duplex --mode gray --resolution 300 >/dev/null
then
	echo "demo: the scan failed" >&2
	exit 1
fi
echo
"$MAILROOM" --archive "$demo/archive" letters --format table
echo
echo "The archive is in $demo/archive; search it with"
echo "  $MAILROOM --archive $demo/archive search 燃气"
