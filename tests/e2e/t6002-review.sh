#!/bin/sh
# t6002-review: the interactive review queue, driven in a pseudo-terminal
# (80x24, TERM=vt100) by tests/drive.py, an expect-like driver: the risk
# letter comes first, then the least sure; confirming as proposed
# confirms; another department asks the kind of reason and the
# reviewer's words, and the audit table keeps them with the reviewer's
# name; a skipped letter stays unconfirmed and is the queue of the next
# session; quitting prints the summary line; Ctrl-C or SIGTERM, on the
# queue or right after a key that sets work going, ends the session with
# the summary and exit 130, the terminal restored; i marks a letter
# invalid and m gives it another mailbox, each asked why and audited; s
# saves simple handling on confirmation; without a terminal, or with an
# unknown --mailbox, review is refused.
. "$(dirname "$0")/lib.sh"

# A tracking code, as a regular expression.
C='[A-HJ-NP-Y2-9]{4}-[A-HJ-NP-Y2-9]{4}'

# The clock of the review sessions: the letters came in an hour before.
NOW=2026-05-11T09:00:00Z

# letter JQ: the tracking code of the letter jq's select(JQ) finds.
letter() {
	"$MAILROOM" --archive A letters | jq -r "select($1) | .tracking_code"
}

test_expect_success 'the driver runs here' '
	python3 -c "import pty, termios"
'

test_expect_success 'import a bus letter, a noise letter and a threat' '
	printf "尊敬的市长：\n\t我是南岸区的农民工周七。包工头拖欠我们的工资已经两年，\n我们多次讨薪都没有结果。如果再不解决，我只能从楼顶跳下去，\n一死了之。恳请领导帮助解决。\n来信人：周七\n手机：135 0000 0005\n2024年7月1日\n" \
		>threat.txt &&
	"$TESTS/render-letters.sh" r "$TESTS/data/letters/en-bus-mayor.txt" \
		"$TESTS/data/letters/zh-noise-night.txt" threat.txt >/dev/null &&
	MAILROOM_NOW=2026-05-11T08:00:00Z "$MAILROOM" --archive A import \
		r/en-bus-mayor-p1.png >out 2>err &&
	MAILROOM_NOW=2026-05-11T08:05:00Z "$MAILROOM" --archive A import \
		r/zh-noise-night-p1.png >>out 2>>err &&
	MAILROOM_NOW=2026-05-11T08:10:00Z "$MAILROOM" --archive A import \
		r/threat-p1.png >>out 2>>err &&
	test_line_count -eq 3 out &&
	test "$(letter ".risk or .repeat")" = "$(cut -f1 out | tail -1)" &&
	# The rest by confidence, the least sure first.
	"$MAILROOM" --archive A letters |
		jq -rs "map(select((.risk or .repeat) | not)) | sort_by(.confidence)
			| .[].tracking_code" >order &&
	test_line_count -eq 2 order
'

test_expect_success 'review: confirm, change a department, skip, quit' '
	risk=$(letter ".risk") &&
	cat >steps <<-EOF &&
	capture first review 1/3\s+($C)
	expect handover due 2026-05-13 \(2 days left\)
	expect writer: 周七\s+phone 13500000005
	expect mailbox: mayor \(市长信箱\)
	expect department: labor \(人力社保局\): \S*工资
	expect RISK self_harm: \S*一死了之
	send c
	capture second review 2/3\s+($C)
	expect letter $risk confirmed: mayor, labor
	send d
	expect the responsible department of
	expect ([1-9a-z])\) housing\s+住房城乡建委
	sendgroup
	expect changing the department of letter
	expect ([1-9])\) matter
	sendgroup
	expect your reason \(Enter for none\):
	send 房东 makes the noise\r
	capture third review 3/3\s+($C)
	send n
	expect nothing left
	send q
	expect reviewed 3 letters: 1 confirmed, 1 changed, 1 skipped
	exit 0
	EOF
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps log -- "$MAILROOM" \
		--archive A review --reviewer alice >captured &&
	cat captured &&
	test "$(sed -n "s/^first //p" captured)" = "$risk" &&
	test "$(sed -n "s/^second //p" captured)" = "$(sed -n 1p order)" &&
	test "$(sed -n "s/^third //p" captured)" = "$(sed -n 2p order)" &&
	# Nothing leaks onto the terminal but the screen and the summary.
	test ! -s log.err
'

test_expect_success 'confirmed as proposed: the risk letter' '
	risk=$(letter ".risk") &&
	test "$("$MAILROOM" --archive A letters | jq -r "select(.risk) |
		\"\(.state) \(.review) \(.mailbox) \(.department)\"")" = \
		"confirmed confirmed mayor labor" &&
	test "$(aq A "SELECT group_concat(field) FROM audit
		WHERE letter = \"$risk\" AND who = \"alice\"")" = review
'

test_expect_success 'another department: asked why, audited with the name' '
	second=$(sed -n 1p order) &&
	test "$("$MAILROOM" --archive A letters | jq -r "select(.tracking_code
		== \"$second\") | \"\(.review) \(.department)\"")" = \
		"confirmed housing" &&
	test "$(aq A "SELECT who || \"|\" || why || \"|\" || reason FROM audit
		WHERE letter = \"$second\" AND action = \"confirm\"
		AND field = \"department\"")" = \
		"alice|matter|房东 makes the noise" &&
	"$MAILROOM" --archive A show "$second" >show &&
	grep "alice: set department: .* -> housing (reason: the matter belongs to another department; 房东 makes the noise)" show &&
	grep "alice: decisions confirmed" show
'

test_expect_success 'a skipped letter stays unconfirmed' '
	third=$(sed -n 2p order) &&
	test "$("$MAILROOM" --archive A letters | jq -r "select(.tracking_code
		== \"$third\") | .state")" = sorted &&
	test "$(aq A "SELECT count(*) FROM audit WHERE letter = \"$third\"
		AND who = \"alice\"")" = 0
'

test_expect_success 'the next session: only the skipped letter; quit' '
	third=$(sed -n 2p order) &&
	cat >steps <<-EOF &&
	capture left review 1/1\s+($C)
	send q
	expect reviewed 0 letters: 0 confirmed, 0 changed, 0 skipped
	exit 0
	EOF
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps log -- "$MAILROOM" \
		--archive A review --reviewer bob >captured &&
	test "$(sed -n "s/^left //p" captured)" = "$third" &&
	test "$(aq A "SELECT count(*) FROM audit WHERE who = \"bob\"")" = 0
'

# field LETTER NAME...: the fields NAME... of letter LETTER, as the
# letters command has them, on a line.
field() {
	field_code=$1
	shift
	"$MAILROOM" --archive A letters | jq -r "select(.tracking_code ==
		\"$field_code\") | [$(printf '.%s,' "$@")empty] |
		map(tostring) | join(\" \")"
}

test_expect_success 'Ctrl-C on the queue: the summary, exit 130' '
	third=$(sed -n 2p order) &&
	cat >steps <<-EOF &&
	expect review 1/1\s+$third
	expect \? help
	send \x03
	expect reviewed 0 letters: 0 confirmed, 0 changed, 0 skipped
	exit 130
	cooked
	EOF
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps log -- "$MAILROOM" \
		--archive A review --reviewer carol &&
	test ! -s log.err &&
	sed "s/^send .*/signal TERM/" steps >steps.term &&
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps.term log -- \
		"$MAILROOM" --archive A review --reviewer carol &&
	test ! -s log.err &&
	test "$(field "$third" state)" = sorted &&
	test "$(aq A "SELECT count(*) FROM audit WHERE who = \"carol\"")" = 0
'

test_expect_success 'import a letter to the secretary and one to housing' '
	"$TESTS/render-letters.sh" r \
		"$TESTS/data/letters/zh-wages-secretary.txt" \
		"$TESTS/data/letters/zh-parking-housing.txt" >/dev/null &&
	MAILROOM_NOW=2026-05-11T08:20:00Z "$MAILROOM" --archive A import \
		r/zh-wages-secretary-p1.png r/zh-parking-housing-p1.png >out &&
	test_line_count -eq 2 out &&
	cut -f1 out >new &&
	test "$(field "$(sed -n 1p new)" mailbox valid)" = \
		"secretary true" &&
	test "$(field "$(sed -n 2p new)" mailbox department)" = \
		"housing housing"
'

test_expect_success 'i: invalid for a reason picked, asked why, audited' '
	wages=$(sed -n 1p new) &&
	cat >steps <<-EOF &&
	expect review 1/1\s+$wages
	expect mailbox: secretary
	send i
	expect letter $wages is invalid: why
	expect ([1-9])\) advertising
	sendgroup
	expect changing the validity of letter $wages
	expect ([1-9])\) validity
	sendgroup
	expect your reason \(Enter for none\):
	send 一张广告传单\r
	expect nothing left
	expect letter $wages confirmed: invalid, -
	send q
	expect reviewed 1 letter: 0 confirmed, 1 changed, 0 skipped
	exit 0
	cooked
	EOF
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps log -- "$MAILROOM" \
		--archive A review --mailbox secretary --reviewer erin &&
	test ! -s log.err &&
	test "$(field "$wages" state valid validity_reason)" = \
		"confirmed false advertising" &&
	test "$(aq A "SELECT who || \"|\" || old || \"|\" || new || \"|\" ||
		why || \"|\" || reason FROM audit WHERE letter = \"$wages\"
		AND action = \"confirm\" AND field = \"valid\"")" = \
		"erin|valid|invalid|validity|一张广告传单"
'

test_expect_success 'm: another mailbox, asked why, audited' '
	parking=$(sed -n 2p new) &&
	cat >steps <<-EOF &&
	expect review 1/1\s+$parking
	expect mailbox: housing
	send m
	expect the mailbox of letter $parking
	expect ([1-9a-z])\) secretary
	sendgroup
	expect changing the mailbox of letter $parking
	expect ([1-9])\) addressee
	sendgroup
	expect your reason \(Enter for none\):
	send 写给书记的\r
	expect nothing left
	expect letter $parking confirmed: secretary, housing
	send q
	expect reviewed 1 letter: 0 confirmed, 1 changed, 0 skipped
	exit 0
	EOF
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps log -- "$MAILROOM" \
		--archive A review --mailbox housing --reviewer erin &&
	test ! -s log.err &&
	test "$(field "$parking" state mailbox department)" = \
		"confirmed secretary housing" &&
	test "$(aq A "SELECT who || \"|\" || old || \"|\" || new || \"|\" ||
		why || \"|\" || reason FROM audit WHERE letter = \"$parking\"
		AND action = \"confirm\" AND field = \"mailbox\"")" = \
		"erin|housing|secretary|addressee|写给书记的"
'

test_expect_success 's, then SIGINT right after c: confirmed, simple, 130' '
	third=$(sed -n 2p order) &&
	cat >steps <<-EOF &&
	expect review 1/1\s+$third
	expect received 2026-05-11
	expect simple handling: no
	send s
	expect yes \(on confirmation\)
	expect simple handling on: saved when you confirm the letter
	send c
	drain
	signal INT
	expect reviewed 1 letter: 1 confirmed, 0 changed, 0 skipped
	exit 130
	cooked
	EOF
	MAILROOM_NOW=$NOW python3 "$TESTS/drive.py" steps log -- "$MAILROOM" \
		--archive A review --reviewer frank &&
	test ! -s log.err &&
	test "$(field "$third" state review)" = "confirmed confirmed" &&
	test "$(aq A "SELECT simple FROM letter
		WHERE tracking_code = \"$third\"")" = 1 &&
	test "$(aq A "SELECT group_concat(change) FROM (SELECT field || \":\" ||
		new AS change FROM audit WHERE letter = \"$third\"
		AND who = \"frank\" ORDER BY field)")" = \
		"review:confirmed,simple:yes"
'

test_expect_success 'review --mailbox: an empty one, an unknown one' '
	printf "expect reviewed 0 letters\nexit 0\n" >steps &&
	python3 "$TESTS/drive.py" steps log -- "$MAILROOM" --archive A review \
		--mailbox invalid --reviewer bob &&
	grep -x "no letter in mailbox .invalid. awaits review" log.err &&
	printf "exit 64\n" >steps &&
	python3 "$TESTS/drive.py" steps log -- "$MAILROOM" --archive A review \
		--mailbox nowhere --reviewer bob &&
	grep "no mailbox .nowhere. in the catalogue" log.err
'

test_expect_success 'without a terminal: refused, exit 64' '
	test_expect_code 64 "$MAILROOM" --archive A review --reviewer bob \
		>out 2>err &&
	test_line_count -eq 1 err &&
	grep "error: .review. needs a terminal; scripts use .mailroom confirm." \
		err &&
	test ! -s out &&
	# A terminal for input is not enough: the screen is stdout.
	test_expect_code 64 python3 -c "import pty, subprocess, sys
m, s = pty.openpty()
sys.exit(subprocess.run(sys.argv[1:], stdin=s).returncode)" \
		"$MAILROOM" --archive A review --reviewer bob >out 2>err &&
	grep "needs a terminal" err &&
	test "$(aq A "PRAGMA integrity_check")" = ok
'

test_done
