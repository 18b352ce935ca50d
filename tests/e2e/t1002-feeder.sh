#!/bin/sh
# t1002-feeder: real letter pages scanned through SANE with the project's
# virtual feeder (build/sane/libsane-feeder.so.1, loaded by SANE's dll
# backend through dll.conf and LD_LIBRARY_PATH from a private
# SANE_CONFIG_DIR): the same letters, text and checksums as importing the
# same images; duplex with blank backs; every fault the feeder can inject
# mid-stack, continued without a page lost or duplicated; and a process
# killed mid-stack, continued with every page once (the side in flight at
# the kill is fed again: kept once whether it was committed or not).
. "$(dirname "$0")/lib.sh"

LD_LIBRARY_PATH=$BUILD/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SANE_CONFIG_DIR=$tmp/sane.d
export LD_LIBRARY_PATH SANE_CONFIG_DIR
mkdir "$SANE_CONFIG_DIR" tray
echo feeder >"$SANE_CONFIG_DIR/dll.conf"

# feeder [SETTING...]: the feeder "tray" feeds $tmp/tray with these
# settings, one per argument ("duplex true", "fault 2 jammed").
feeder() {
	{
		echo "device tray"
		echo "folder $tmp/tray"
		for s in "$@"; do echo "$s"; done
	} >"$SANE_CONFIG_DIR/feeder.conf"
}

# load FILE...: put these pages, and only these, in the tray.
load() {
	rm -rf "$tmp/tray" && mkdir "$tmp/tray" && cp "$@" "$tmp/tray/"
}

# pages ARCHIVE STACK: a stack's pages as "seq sha256 width height depth
# dpi blank", one per line, in page order.
pages() {
	aq "$1" "SELECT seq, sha256, width, height, depth, dpi, blank FROM page
		WHERE stack_id = $2 ORDER BY seq"
}

# A stack of blank sheets told apart by their size (no OCR to wait for).
mkdir sheets
i=1
while [ $i -le 8 ]; do
	"$MKPAGE" --blank 600x$((700 + i)) --dpi 300 -o "sheets/s$i.png" ||
		exit 1
	i=$((i + 1))
done

test_expect_success 'devices lists the feeder with its duplex source' '
	feeder "duplex true" &&
	"$MAILROOM" devices >out &&
	grep "^feeder:tray	mailroom	virtual feeder	" out | grep "ADF Duplex"
'

test_expect_success 'a bad feeder.conf line is named and the rest is used' '
	feeder "duplex perhaps" "colour blue" &&
	"$MAILROOM" devices >out 2>err &&
	grep "feeder.conf:3: duplex wants" err &&
	grep "feeder.conf:4: unknown setting" err &&
	grep "^feeder:tray	" out
'

test_expect_success 'render two letters: grey pages, a bilevel page, 16 bits' '
	"$TESTS/render-letters.sh" r "$TESTS/data/letters/zh-gas-mayor.txt" \
		"$TESTS/data/letters/en-bus-mayor.txt" &&
	"$MKPAGE" --paper 235 --noise 3 -o zh.tif r/zh-gas-mayor-p*.png &&
	"$MKPAGE" -o en.png r/en-bus-mayor-p1.png &&
	"$MKPAGE" --depth 1 -o en1.tif r/en-bus-mayor-p1.png &&
	"$MKPAGE" --depth 16 -o en16.png r/en-bus-mayor-p1.png
'

test_expect_success 'import the images: the reference archive' '
	"$MAILROOM" --archive I import zh.tif en.png en1.tif en16.png >out &&
	test_line_count -eq 4 out
'

test_expect_success 'scan the same images: one stack per letter, gray' '
	feeder &&
	for f in zh.tif en.png en16.png; do
		load $f &&
		"$MAILROOM" --archive S scan --device feeder:tray \
			--source adf --mode gray --resolution 300 >>scan.out 2>err ||
		exit 1
	done &&
	load en1.tif &&
	"$MAILROOM" --archive S scan --device feeder:tray --mode lineart \
		--resolution 300 >>scan.out 2>err &&
	test_line_count -eq 4 scan.out
'

test_expect_success 'scanned and imported: same pages, checksums and text' '
	for pair in "1 1" "2 2" "3 4" "4 3"; do
		set -- $pair &&
		pages I $1 >imported &&
		pages S $2 >scanned &&
		test -s imported &&
		test_cmp imported scanned &&
		aq I "SELECT text FROM page WHERE stack_id = $1 ORDER BY seq" \
			>imported.txt &&
		aq S "SELECT text FROM page WHERE stack_id = $2 ORDER BY seq" \
			>scanned.txt &&
		test_cmp imported.txt scanned.txt || exit 1
	done &&
	test "$(aq S "SELECT depth FROM page WHERE stack_id = 3")" = 16 &&
	test "$(aq S "SELECT depth FROM page WHERE stack_id = 4")" = 1
'

test_expect_success 'scanned and imported: same letters' '
	"$MAILROOM" --archive I letters >i.jsonl &&
	"$MAILROOM" --archive S letters >s.jsonl &&
	jq -c "[.page_count, .language]" i.jsonl | sort >i.letters &&
	jq -c "[.page_count, .language]" s.jsonl | sort >s.letters &&
	test_cmp i.letters s.letters &&
	test "$(jq -s "map(.page_count) | add" s.jsonl)" = 5
'

test_expect_success 'duplex: both sides archived, blank backs marked blank' '
	feeder "duplex blank-backs" &&
	load zh.tif &&
	"$MAILROOM" --archive D scan --device feeder:tray --source duplex \
		--resolution 300 >out 2>err &&
	test "$(aq D "SELECT group_concat(blank, \"\") FROM
		(SELECT blank FROM page ORDER BY seq)")" = 0101 &&
	test "$(cut -f2 out)" = 4 &&
	pages I 1 | cut -d"|" -f2 >fronts &&
	aq D "SELECT sha256 FROM page WHERE seq IN (1, 3) ORDER BY seq" \
		>scanned && test_cmp fronts scanned
'

test_expect_success 'duplex: printed backs come in sheet order' '
	feeder "duplex true" &&
	load sheets/s1.png sheets/s2.png sheets/s3.png &&
	"$MAILROOM" --archive D scan --device feeder:tray --source duplex \
		>out 2>err &&
	test "$(aq D "SELECT group_concat(height, \" \") FROM
		(SELECT height FROM page WHERE stack_id = 2 ORDER BY seq)")" = \
		"701 702 703 3508" &&
	test "$(aq D "SELECT blank FROM page WHERE stack_id = 2 AND seq = 4")" = 1
'

test_expect_success 'the reference: the eight sheets scanned duplex' '
	feeder "duplex true" &&
	load sheets/* &&
	"$MAILROOM" --archive R scan --device feeder:tray --source duplex \
		>out 2>err &&
	aq R "SELECT sha256 FROM page ORDER BY seq" >reference &&
	test_line_count -eq 8 reference
'

# fault_test KIND CODE MESSAGE: sheet 2 of 4 fails with KIND; the scan
# exits with CODE saying MESSAGE and keeps sheet 1; --continue (or, after
# NO_DOCS, a new scan) reads the rest: every page once, in order.
fault_test() {
	feeder "duplex true" "fault 2 $1" &&
	load sheets/* &&
	rm -rf F &&
	test_expect_code "$2" "$MAILROOM" --archive F scan \
		--device feeder:tray --source duplex >out 2>err </dev/null &&
	cat err &&
	grep "$3" err &&
	test "$(aq F "SELECT count(*) FROM page")" = 2 &&
	if test "$1" = no-docs; then
		test "$(aq F "SELECT state FROM stack")" = complete &&
		"$MAILROOM" --archive F scan --device feeder:tray \
			--source duplex >out 2>err
	else
		grep "mailroom scan --continue 1" err &&
		test "$(aq F "SELECT state FROM stack")" = scanning &&
		"$MAILROOM" --archive F scan --device feeder:tray \
			--continue 1 >out 2>err
	fi &&
	aq F "SELECT sha256 FROM page ORDER BY stack_id, seq" >scanned &&
	test_cmp reference scanned &&
	test "$(aq F "SELECT count(*) FROM stack WHERE state = \"complete\"")" \
		= "$(aq F "SELECT count(*) FROM stack")"
}

test_expect_success 'a jam mid-stack: continue reads the jammed sheet again' '
	fault_test jammed 75 "paper jam in .feeder:tray."
'

test_expect_success 'cover open mid-stack: kept, continued' '
	fault_test cover-open 75 "cover"
'

test_expect_success 'device busy mid-stack: kept, continued' '
	fault_test device-busy 75 "busy"
'

test_expect_success 'an I/O error mid-stack: kept, continued' '
	fault_test io-error 75 "feeder:tray"
'

test_expect_success 'the feeder empty early: a stack of one sheet, then the rest' '
	fault_test no-docs 0 "stack 1: 2 pages scanned"
'

test_expect_success 'killed mid-stack: continue keeps every page once' '
	feeder "duplex true" "delay 40" &&
	load sheets/* &&
	"$MAILROOM" --archive K scan --device feeder:tray --source duplex \
		>/dev/null 2>&1 &
	pid=$! &&
	n=0 &&
	while test "$(aq K "SELECT count(*) FROM page" 2>/dev/null ||
			echo 0)" -lt 3 && test $n -lt 300; do
		sleep 0.05; n=$((n + 1))
	done &&
	kill -9 $pid &&
	{ wait $pid || :; } &&
	kept=$(aq K "SELECT count(*) FROM page") &&
	say "$kept pages were committed before the kill" &&
	test "$kept" -ge 3 && test "$kept" -lt 8 &&
	feeder "duplex true" &&
	"$MAILROOM" --archive K scan --device feeder:tray --continue 1 \
		>out 2>err &&
	aq K "SELECT sha256 FROM page ORDER BY seq" >scanned &&
	test_cmp reference scanned
'

test_done
