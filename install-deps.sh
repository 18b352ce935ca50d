#!/bin/sh
# Install every package mailroom needs to build, run and test, from
# Debian 12's archive.  Idempotent and silent when everything is present.
# clang and libclang-rt-14-dev (libFuzzer, only recommended by clang, and
# recommendations are not installed) are for `make fuzz`.
set -eu

PACKAGES="
build-essential
make
pkg-config
gettext
libtesseract-dev
libleptonica-dev
tesseract-ocr
tesseract-ocr-eng
tesseract-ocr-chi-sim
tesseract-ocr-osd
libsane-dev
libsane1
sane-utils
libtiff-dev
libpng-dev
libsqlite3-dev
sqlite3
jq
time
python3
libjansson-dev
libutf8proc-dev
libzbar-dev
libinih-dev
libncurses-dev
zint
libssl-dev
pango1.0-tools
fonts-noto-cjk
fonts-dejavu-core
libpango1.0-dev
libqpdf-dev
poppler-utils
clang
libclang-rt-14-dev
"

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || status=
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing packages:$missing" >&2
	echo "install-deps.sh: run this script as root to install them" >&2
	exit 1
fi
echo "install-deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
