#!/bin/sh
# The throughput benchmark of issue 7, on one mixed stack: PAGES pages
# (default 100) of bench/letters.py's letters, Chinese and English, each
# scanned with its scan defects (skew, noise, upside down, grey paper)
# into one grey PNG a page, then read by
#   1. the floor: the `tesseract` command on each page alone, one process
#      a page (chi_sim+eng, OMP_THREAD_LIMIT=1), one after the other; and
#      again with the languages mailroom picks (chi_sim alone for a
#      Chinese page), "floor-langs";
#   2. `mailroom import --jobs 1`, then `--jobs JOBS`, of the pages into a
#      fresh archive each;
#   3. OCRmyPDF (Debian's package) on the same pages as one PDF (img2pdf,
#      lossless), chi_sim+eng, with --jobs JOBS;
#   4. intake alone: `mailroom import --later` (stored, not read).
# JOBS defaults to every core.  Prints pages per minute, CPU seconds a
# page, peak memory, the speed-up of --jobs JOBS over --jobs 1, and the
# archive's bytes a page against the input files'.
#
#   bench/throughput.sh [PAGES [JOBS]]   (after `make all build/tests/mkpage`)
#
# KEEP=1 keeps the work folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
MKPAGE=${MKPAGE:-$BUILD/tests/mkpage}
MAILROOM=${MAILROOM:-$here/mailroom}
for tool in tesseract ocrmypdf img2pdf; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench/throughput.sh: needs $tool (apt-get install" \
			"tesseract-ocr ocrmypdf img2pdf; not in install-deps.sh:" \
			"the tests do not use them)" >&2
		exit 69
	}
done
npages=${1:-100}
jobs=${2:-$(nproc)}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-throughput.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "work folder: $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

# The stack: letters until there are enough pages, one PNG a page.
python3 "$here/bench/letters.py" "$work/src" --count $((npages + 20)) \
	--seed 21
mkdir "$work/pages"
n=0
for t in "$work"/src/L*.txt; do
	[ "$n" -lt "$npages" ] || break
	grep -q '[^[:space:]]' "$t" || continue
	name=$(basename "$t" .txt)
	BUILD=$BUILD "$here/tests/render-letters.sh" "$work/render" "$t" \
		>/dev/null
	for p in $(ls -v "$work/render/$name"-p*.png); do
		[ "$n" -lt "$npages" ] || break
		n=$((n + 1))
		echo "$name" >>"$work/used"
		# shellcheck disable=SC2046
		"$MKPAGE" $(cat "$work/src/$name.defect") \
			-o "$work/pages/$(printf %04d "$n").png" "$p"
	done
done
# English pages: those of letters whose label says so.
en=$(python3 - "$work/src/labels.jsonl" "$work/used" "$work/english" <<'PY'
import json, sys
english = {json.loads(l)["file"].split(".")[0]
           for l in open(sys.argv[1]) if json.loads(l)["lang"] == "en"}
with open(sys.argv[3], "w") as out:
    out.writelines(n + "\n" for n in sorted(english))
print(sum(1 for l in open(sys.argv[2]) if l.strip() in english))
PY
)
input_bytes=$(cat "$work"/pages/*.png | wc -c)

# run NAME COMMAND...: time COMMAND into $work/NAME.time ("wall user sys
# maxrss_kb").
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" \
		>"$work/$name.out" 2>"$work/$name.err"
}

# 1. The floor, page by page.
: >"$work/floor.all"
for p in "$work"/pages/*.png; do
	OMP_THREAD_LIMIT=1 run floor1 tesseract "$p" - -l chi_sim+eng --dpi 300
	cat "$work/floor1.time" >>"$work/floor.all"
done
awk '{ w += $1; c += $2 + $3; if ($4 > m) m = $4 }
	END { print w, c, 0, m }' "$work/floor.all" >"$work/floor.time"

# 1b. The same with the languages mailroom reads each page with: Chinese
#     pages with chi_sim alone (orientation detection finds Han script),
#     the others with chi_sim+eng.
: >"$work/floor.all"
i=0
while read -r name; do
	i=$((i + 1))
	langs=chi_sim
	if grep -qx "$name" "$work/english"; then
		langs=chi_sim+eng
	fi
	OMP_THREAD_LIMIT=1 run floor1 tesseract \
		"$work/pages/$(printf %04d "$i").png" - -l "$langs" --dpi 300 \
		</dev/null
	cat "$work/floor1.time" >>"$work/floor.all"
done <"$work/used"
awk '{ w += $1; c += $2 + $3; if ($4 > m) m = $4 }
	END { print w, c, 0, m }' "$work/floor.all" >"$work/floor-langs.time"

# 2. mailroom, one worker and every core.
run mailroom-1 "$MAILROOM" --archive "$work/archive1" -q --jobs 1 \
	import "$work/pages"
run mailroom-n "$MAILROOM" --archive "$work/archive" -q --jobs "$jobs" \
	import "$work/pages"
archive_bytes=$(cat "$work"/archive/pages/*/* | wc -c)

# 3. OCRmyPDF on the same pages and cores.
img2pdf "$work"/pages/*.png -o "$work/in.pdf"
run ocrmypdf ocrmypdf --jobs "$jobs" -l chi_sim+eng "$work/in.pdf" \
	"$work/out.pdf"

# 4. Intake alone.
run intake "$MAILROOM" --archive "$work/archive-later" -q import --later \
	"$work/pages"

echo "$n pages ($en of them English), $(nproc) cores, --jobs $jobs"
printf '%-28s %10s %12s %14s\n' run pages/min "CPU s/page" "peak RSS MiB"
for r in floor floor-langs mailroom-1 mailroom-n ocrmypdf intake; do
	read -r wall user sys rss <"$work/$r.time"
	awk -v r="$r" -v n="$n" -v w="$wall" -v c="$(echo "$user $sys" |
		awk '{ print $1 + $2 }')" -v m="$rss" 'BEGIN {
		printf "%-28s %10.1f %12.2f %14.0f\n", r, n * 60 / w, c / n,
			m / 1024 }'
done
read -r w1 _ <"$work/mailroom-1.time"
read -r wn _ <"$work/mailroom-n.time"
read -r wi _ <"$work/intake.time"
awk -v a="$w1" -v b="$wn" -v i="$wi" -v n="$n" -v j="$jobs" 'BEGIN {
	printf "mailroom --jobs %d is %.2fx --jobs 1; intake alone %.1f pages/s\n",
		j, a / b, n / i }'
awk -v a="$archive_bytes" -v i="$input_bytes" -v n="$n" 'BEGIN {
	printf "mailroom archive %.0f KB a page; input files %.0f KB a page\n",
		a / n / 1024, i / n / 1024 }'
