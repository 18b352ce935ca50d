#!/bin/sh
# `make demo`: scan the sample letters in tests/data/letters through SANE
# into a fresh archive and list what was archived.  No scanner is needed:
# the project's virtual feeder (scanner/backend/feeder.c) stands in for a
# duplex document feeder, loaded by SANE's dll backend from a private
# SANE_CONFIG_DIR (never /etc/sane.d).
#
#   $BUILD/demo/letters/NAME/  each letter printed on one side of A4 and
#                              scanned back as it would come in: grey paper
#                              with noise, or a bilevel (G4) fax copy
#   $BUILD/demo/tray/          the feeder's input tray: the staff put one
#                              letter in and press `mailroom scan`
#   $BUILD/demo/sane.d/        dll.conf and feeder.conf for the feeder
#   $BUILD/demo/archive/       the archive, made anew on every run
#
# Each letter is its own stack until separator sheets split a stack into
# letters.  Blank back sides are scanned and archived, marked blank.
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
mkdir -p "$demo/letters" "$demo/tray" "$demo/sane.d"
"$here/render-letters.sh" "$demo/render" "$here"/data/letters/*.txt

i=0
for letter in "$here"/data/letters/*.txt; do
	name=$(basename "$letter" .txt)
	mkdir "$demo/letters/$name"
	for page in "$demo/render/$name"-p*.png; do
		out=$demo/letters/$name/$(basename "$page" .png | sed 's/.*-//')
		if [ $((i % 2)) -eq 0 ]; then
			"$MKPAGE" --paper 235 --noise 3 -o "$out.png" "$page"
		else
			"$MKPAGE" --depth 1 -o "$out.tif" "$page"
		fi
	done
	i=$((i + 1))
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

for dir in "$demo/letters"/*; do
	echo "scanning $(basename "$dir") through SANE (feeder:tray, duplex) ..." >&2
	rm -rf "$demo/tray"
	cp -r "$dir" "$demo/tray"
	if ! "$MAILROOM" --archive "$demo/archive" scan --device feeder:tray \
		--source duplex --mode gray --resolution 300 >/dev/null
	then
		echo "demo: scanning $(basename "$dir") failed" >&2
		exit 1
	fi
done
echo
"$MAILROOM" --archive "$demo/archive" letters --format table
echo
echo "The archive is in $demo/archive; search it with"
echo "  $MAILROOM --archive $demo/archive search 燃气"
