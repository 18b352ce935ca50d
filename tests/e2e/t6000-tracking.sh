#!/bin/sh
# t6000-tracking: a letter followed from sorting to closed, with the clock
# set by MAILROOM_NOW: confirmed by a reviewer, a query password issued
# (only its hash kept), the writer's inquiry answered (a wrong password
# and a mistyped code refused, each with its reason), the unit's reply
# recorded, the writer's rating closing it; every step in the history.
. "$(dirname "$0")/lib.sh"

state() {
	"$MAILROOM" --archive A letters | jq -r .state | paste -sd" "
}

test_expect_success 'import on 11 May: sorted' '
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		>/dev/null &&
	MAILROOM_NOW=2026-05-11T08:00:00Z \
		"$MAILROOM" --archive A import r/en-bus-mayor-p1.png >out &&
	cut -f1 out >code &&
	test "$(state)" = sorted &&
	test "$(aq A "SELECT archived FROM letter")" = 2026-05-11T08:00:00Z
'

test_expect_success 'a clock that is not a time is refused' '
	test_expect_code 64 env MAILROOM_NOW=2026-02-30 "$MAILROOM" \
		--archive A letters 2>err &&
	grep "MAILROOM_NOW is not a time: .2026-02-30." err
'

test_expect_success 'no reply before a reviewer confirmed the letter' '
	printf "已修复站牌。\n" >reply.txt &&
	test_expect_code 65 "$MAILROOM" --archive A reply "$(cat code)" \
		--file reply.txt --reviewer unit 2>err &&
	grep "a reply is recorded for a valid letter a reviewer confirmed; this one is sorted" err &&
	"$MAILROOM" --archive A confirm "$(cat code)" --reviewer wang &&
	test "$(state)" = confirmed
'

test_expect_success 'receipt: a 6-digit password, only its hash kept' '
	"$MAILROOM" --archive A receipt "$(cat code)" --reviewer wang >rec &&
	cat rec &&
	test "$(cut -f1 rec)" = "$(cat code)" &&
	cut -f2 rec | grep -x "[0-9]\{6\}" &&
	cut -f2 rec >pw &&
	aq A "SELECT password FROM letter" >stored &&
	grep "^pbkdf2-sha256\\\$100000\\\$[0-9a-f]\{32\}\\\$[0-9a-f]\{64\}$" stored &&
	! grep -F "$(cat pw)" stored
'

test_expect_success 'status: wrong password, mistyped code, no password' '
	code=$(cat code) &&
	if [ "$(cat pw)" = 000000 ]; then wrong=111111; else wrong=000000; fi &&
	test_expect_code 77 "$MAILROOM" --archive A status "$code" \
		--password $wrong 2>err &&
	grep "wrong query password for letter $code" err &&
	case $code in *A) typo=${code%?}B ;; *) typo=${code%?}A ;; esac &&
	test_expect_code 65 "$MAILROOM" --archive A status "$typo" \
		--password "$(cat pw)" 2>err &&
	grep "check character does not match" err &&
	test_expect_code 64 "$MAILROOM" --archive A status "$code" 2>err &&
	grep "needs --password" err
'

test_expect_success 'status answers the writer' '
	"$MAILROOM" --archive A status "$(cat code)" --password "$(cat pw)" \
		>status &&
	cat status &&
	grep "^received: *2026-05-11T08:00:00Z$" status &&
	grep "^state: *confirmed$" status &&
	grep "^mailbox: *mayor" status &&
	! grep "John Q. Sample\|555-0100" status
'

test_expect_success 'reply: refused unless UTF-8 text; recorded on 20 May' '
	printf "\377\376bad" >bad.txt &&
	test_expect_code 65 "$MAILROOM" --archive A reply "$(cat code)" \
		--file bad.txt --reviewer unit 2>err &&
	grep "bad.txt. is not UTF-8 text" err &&
	MAILROOM_NOW=2026-05-20T10:00:00Z "$MAILROOM" --archive A reply \
		"$(cat code)" --file reply.txt --reviewer unit &&
	test "$(state)" = replied &&
	test_expect_code 65 "$MAILROOM" --archive A reply "$(cat code)" \
		--file reply.txt --reviewer unit 2>err &&
	grep "has its reply already (2026-05-20T10:00:00Z)" err
'

test_expect_success 'rate: 1 to 3 only; closes the letter' '
	test_expect_code 65 "$MAILROOM" --archive A rate "$(cat code)" \
		--office 3 --unit 9 --reviewer wang 2>err &&
	grep "a rating is 3 (satisfied), 2 (fairly satisfied) or 1" err &&
	MAILROOM_NOW=2026-05-25T09:00:00Z "$MAILROOM" --archive A rate \
		"$(cat code)" --office 3 --unit 2 --reviewer wang &&
	test "$(state)" = closed &&
	"$MAILROOM" --archive A status "$(cat code)" --password "$(cat pw)" \
		>status &&
	grep "^replied: *2026-05-20T10:00:00Z$" status &&
	grep -x "已修复站牌。" status &&
	grep "^rated: *2026-05-25T09:00:00Z (letters office: satisfied; unit: fairly satisfied)$" status
'

test_expect_success 'the history shows every step and who took it' '
	"$MAILROOM" --archive A show "$(cat code)" >show &&
	grep "^state: *closed$" show &&
	grep "wang: decisions confirmed" show &&
	grep "wang: query password issued" show &&
	grep "2026-05-20T10:00:00Z unit: the unit.s reply recorded" show &&
	grep "2026-05-25T09:00:00Z wang: the writer.s rating recorded; closed" show
'

test_done
