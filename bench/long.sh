#!/bin/sh
# The long-manuscript benchmark: a manuscript of PAGES pages (a memoir
# with one request, near its end) and a one-page letter behind it are
# imported twice into fresh archives: as shipped (the manuscript decided
# from its first pages and a sample, the rest read after the letter
# behind it) and with long_letter_pages raised so that it is read whole
# first.  Prints, for each, the seconds until the manuscript is decided,
# until the letter behind it is, and until all is read, and the
# manuscript's decision before and after its rest was read.
#
#   bench/long.sh [PAGES]    (after `make all build/tests/mkpage`)
#
# KEEP=1 keeps the work folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
MAILROOM=${MAILROOM:-$here/mailroom}
pages=${1:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-long.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "work folder: $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

# The manuscript: every page a different arrangement of a memoir's
# sentences; the request stands on page PAGES - 10.
python3 - "$pages" >"$work/long.txt" <<'EOF'
import random, sys
pages = int(sys.argv[1])
lines = ["我出生在江边的一个小村子里，家门口有一条小河。",
         "小时候父亲常常带我去河边钓鱼，母亲在院子里种菜。",
         "后来我到城里读书，认识了很多同学，我们一起爬山唱歌。",
         "那些年日子虽然清苦，但是一家人在一起，心里很踏实。",
         "村口有一座石桥，桥下的河水一年四季都很清。",
         "冬天下雪的时候，我们在院子里堆雪人，打雪仗。",
         "爷爷会讲很多故事，讲他年轻时走过的路和见过的人。",
         "我工作以后搬到了城里，每年春节都回老家看看。",
         "如今村子里的老人越来越少，年轻人都去了外地。",
         "我常常想起小河边的那棵老柳树，想起童年的夏天。"]
rng = random.Random(7)
for n in range(1, pages + 1):
    print(f"第{n}页")
    for _ in range(12):
        print(rng.choice(lines))
    if n == pages - 10:
        print("今年春天我家的老房子漏水，墙体开裂。我恳请住建委派人来看看，"
              "要求维修加固，帮我们解决住房安全的难处。")
    if n < pages:
        print("\f")
EOF
BUILD=$BUILD "$here/tests/render-letters.sh" "$work/r" "$work/long.txt" \
	"$here/tests/data/letters/en-bus-mayor.txt" >/dev/null
# shellcheck disable=SC2046
"$MKPAGE" --noise 6 -o "$work/long.tif" $(ls -v "$work"/r/long-p*.png)
cp "$work/r/en-bus-mayor-p1.png" "$work/behind.png"
sed "s/^long_letter_pages = 50$/long_letter_pages = 100000/" \
	"$here/classifier/catalog.ini" >"$work/whole.ini"

# run NAME CATALOG: import, stamping each line with the seconds since start.
run() {
	start=$(date +%s.%N)
	"$MAILROOM" --archive "$work/$1" --catalog "$2" import "$work/long.tif" \
		"$work/behind.png" 2>&1 | while IFS= read -r line; do
		awk -v s="$start" -v n="$(date +%s.%N)" -v l="$line" \
			'BEGIN { printf "%.1f %s\n", n - s, l }' 
	done >"$work/$1.log"
	"$MAILROOM" --archive "$work/$1" letters |
		jq -r 'select(.page_count > 1) | .mailbox' >"$work/$1.after"
}
run deferred "$here/classifier/catalog.ini"
run whole "$work/whole.ini"

# report NAME: the seconds at each milestone.
report() {
	decided=$(grep -m1 "	[0-9]*	.*long.tif$" "$work/$1.log" | cut -d" " -f1)
	behind=$(grep -m1 "	[0-9]*	.*behind.png$" "$work/$1.log" | cut -d" " -f1)
	total=$(tail -1 "$work/$1.log" | cut -d" " -f1)
	moved=$(grep -o "judged again on the whole text: .*" "$work/$1.log" ||
		echo "-")
	printf '%-9s manuscript decided %6ss, letter behind it %6ss, all read %6ss; %s; mailbox %s\n' \
		"$1" "$decided" "$behind" "$total" "$moved" "$(cat "$work/$1.after")"
}
echo "$pages-page manuscript and a one-page letter behind it:"
report deferred
report whole
