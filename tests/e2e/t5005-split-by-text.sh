#!/bin/sh
# t5005-split-by-text: a stack of letters without separator sheets, split
# with --split auto where a page opens a letter (addressee, salutation)
# after one that closed a letter (signature, date), imported and scanned
# alike; an attachment after a signature kept in its letter and queued for
# review; then a reviewer's split and merge, audited, with the tracking
# code of the part holding the first page kept.
. "$(dirname "$0")/lib.sh"

LD_LIBRARY_PATH=$BUILD/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SANE_CONFIG_DIR=$tmp/sane.d
export LD_LIBRARY_PATH SANE_CONFIG_DIR

# code ARCHIVE FIRST: the tracking code of the letter from page FIRST of
# stack.tif.
code() {
	"$MAILROOM" --archive "$1" letters | jq -r "select(.first_page == $2
		and (.source | endswith(\"stack.tif\"))) | .tracking_code"
}

test_expect_success 'render five letters, an attachment and a blank page' '
	printf "附件：\n停车费上调通知（复印件）\n自七月一日起，地下车位停车服务费调整为每月三百元。\n" \
		>attachment.txt &&
	"$TESTS/render-letters.sh" r "$TESTS/data/letters/zh-gas-mayor.txt" \
		"$TESTS/data/letters/en-bus-mayor.txt" \
		"$TESTS/data/letters/zh-noise-night.txt" \
		"$TESTS/data/letters/zh-parking-housing.txt" \
		"$TESTS/data/letters/zh-wages-secretary.txt" \
		attachment.txt >/dev/null &&
	"$MKPAGE" --blank 2480x3508 -o blank.png
'

# The stack: 1-2 zh-gas (2 pages), 3 en-bus, 4 zh-noise and 5 its blank
# back, 6 zh-parking with 7 its attachment, 8 zh-wages.
test_expect_success 'import with --split auto: one letter each' '
	"$MKPAGE" -o stack.tif r/zh-gas-mayor-p1.png r/zh-gas-mayor-p2.png \
		r/en-bus-mayor-p1.png r/zh-noise-night-p1.png blank.png \
		r/zh-parking-housing-p1.png r/attachment-p1.png \
		r/zh-wages-secretary-p1.png &&
	"$MAILROOM" --archive I import --split auto stack.tif >out 2>err &&
	cat err &&
	test_line_count -eq 5 out &&
	test "$(letter_spans I)" = "1+2 3+1 4+2 6+2 8+1" &&
	grep "stack.tif: 5 letters (pages 2+1+2+2+1), 1 blank pages, 0 separator sheets, 1 unsure" err &&
	"$MAILROOM" --archive I letters | jq -r .language | paste -sd" " >lang &&
	test "$(cat lang)" = "zh en zh zh zh"
'

test_expect_success 'the attachment stays, its boundary queued for review' '
	test "$(aq I "SELECT seq, resolved IS NULL FROM review")" = "7|1" &&
	aq I "SELECT reason FROM review" | grep "^not split" &&
	"$MAILROOM" --archive I letters |
		jq -r "select(.review == \"pending\") | .first_page" >pending &&
	test "$(cat pending)" = 6 &&
	"$MAILROOM" --archive I show "$(code I 6)" >show &&
	grep "page 7: not split" show
'

test_expect_success 'without --split auto the stack is one letter' '
	"$MAILROOM" --archive N import stack.tif >out 2>err &&
	test "$(letter_spans N)" = "1+8" &&
	test "$(aq N "SELECT count(*) FROM review")" = 0
'

test_expect_success 'scanned through SANE with --split auto: the same letters' '
	mkdir tray "$SANE_CONFIG_DIR" &&
	echo feeder >"$SANE_CONFIG_DIR/dll.conf" &&
	printf "device tray\nfolder %s\n" "$PWD/tray" \
		>"$SANE_CONFIG_DIR/feeder.conf" &&
	cp stack.tif tray/ &&
	"$MAILROOM" --archive S scan --device feeder:tray --source adf \
		--split auto >out 2>err &&
	cat err &&
	test "$(letter_spans S)" = "1+2 3+1 4+2 6+2 8+1" &&
	test "$(aq S "SELECT seq FROM review")" = 7 &&
	aq I "SELECT sha256, text FROM page ORDER BY seq" >i &&
	aq S "SELECT sha256, text FROM page ORDER BY seq" >s &&
	test_cmp i s
'

test_expect_success 'split: the attachment made a letter of its own' '
	parking=$(code I 6) &&
	"$MAILROOM" --archive I split "$parking" --at 7 --reviewer alice \
		--reason "a second letter" >out 2>err &&
	cat err &&
	new=$(code I 7) &&
	test -n "$new" && test "$new" != "$parking" &&
	printf "%s\t6-6\n%s\t7-7\n" "$parking" "$new" >expect &&
	test_cmp expect out &&
	test "$(letter_spans I)" = "1+2 3+1 4+2 6+1 7+1 8+1" &&
	test "$(aq I "SELECT answer, resolved_by FROM review")" = "boundary|alice" &&
	test "$(aq I "SELECT who, action, old, new, other, reason FROM audit
		WHERE letter = \"$parking\" AND action = \"split\"")" = \
		"alice|split|6-7|6-6|$new|a second letter" &&
	"$MAILROOM" --archive I show "$new" >show &&
	grep "made from pages 7-7 of letter $parking" show &&
	grep "停车费上调通知" show
'

test_expect_success 'merge: back to one letter, the first code kept' '
	parking=$(code I 6) && new=$(code I 7) &&
	"$MAILROOM" --archive I merge "$new" "$parking" --reviewer bob \
		>out 2>err &&
	printf "%s\t6-7\n" "$parking" >expect &&
	test_cmp expect out &&
	test "$(letter_spans I)" = "1+2 3+1 4+2 6+2 8+1" &&
	test_expect_code 66 "$MAILROOM" --archive I show "$new" 2>err &&
	grep "was merged into letter .$parking." err &&
	test "$(aq I "SELECT count(*) FROM audit WHERE who = \"bob\"")" = 2
'

test_expect_success 'a split keeps blank backs and language right' '
	noise=$(code I 4) &&
	"$MAILROOM" --archive I merge "$(code I 3)" "$noise" --reviewer r \
		>out 2>err &&
	en=$(code I 3) &&
	test "$(letter_spans I)" = "1+2 3+3 6+2 8+1" &&
	"$MAILROOM" --archive I split "$en" --at 4 --reviewer r >out 2>err &&
	test "$(letter_spans I)" = "1+2 3+1 4+2 6+2 8+1" &&
	"$MAILROOM" --archive I letters | jq -r .language | paste -sd" " >lang &&
	test "$(cat lang)" = "zh en zh zh zh"
'

test_expect_success 'corrections refused with a reason' '
	test_expect_code 64 "$MAILROOM" --archive I split "$(code I 1)" 2>err &&
	grep "needs --at PAGE" err &&
	test_expect_code 64 "$MAILROOM" --archive I merge "$(code I 1)" 2>err &&
	test_expect_code 65 "$MAILROOM" --archive I split "$(code I 1)" \
		--at 5 2>err &&
	grep "page 5 is not in letter" err &&
	test_expect_code 65 "$MAILROOM" --archive I merge "$(code I 1)" \
		"$(code I 4)" 2>err &&
	grep "another letter lies between them" err &&
	"$MAILROOM" --archive I import r/en-bus-mayor-p1.png >out 2>err &&
	other=$(cut -f1 out) &&
	test_expect_code 65 "$MAILROOM" --archive I merge "$(code I 1)" \
		"$other" 2>err &&
	grep "they came in different stacks" err &&
	test_expect_code 65 "$MAILROOM" --archive I split "$(code I 4)" \
		--at 5 2>err &&
	grep "blank pages only" err &&
	test "$(letter_spans I)" = "1+2 3+1 4+2 6+2 8+1 1+1"
'

test_expect_success 'the archives are consistent' '
	for db in I N S; do
		test "$(aq $db "PRAGMA integrity_check")" = ok || exit 1
	done
'

test_done
