#!/bin/sh
# t3001-long-letter: a long manuscript is decided from its first pages and
# a sample, every page of it archived at once, and the rest read only after
# the letter behind it; a process killed while reading that rest loses
# nothing, and `process` reads it and judges the letter again on its
# whole text.  An office catalogue makes 6 pages long (read first: 2, and
# a sample of 1), so that a 16-page manuscript stands for hundreds.
. "$(dirname "$0")/lib.sh"

# One letter per line of jq output, in archive order.
field() {
	"$MAILROOM" --archive A --catalog office.ini letters | jq -r "$1" |
		paste -sd" "
}

test_expect_success 'render a 16-page manuscript with its request on page 14' '
	: >m.txt &&
	for n in $(seq 1 16); do
		case $n in
		12) extra="村口有一座青石板桥，桥下的河水一年四季都很清。" ;;
		14) extra="今年春天我家的老房子漏水，墙体开裂，屋顶也塌了一角。我恳请住建委派人来看看，要求维修加固，帮我们解决住房安全的难处。" ;;
		*) extra="" ;;
		esac
		printf "第%s章\n我出生在江边的一个小村子里，家门口有一条小河。\n小时候父亲常常带我去河边钓鱼，母亲在院子里种菜。\n%s\n后来我到城里读书，认识了很多同学，我们一起爬山唱歌。\n那些年日子虽然清苦，但是一家人在一起，心里很踏实。\n" \
			"$n" "$extra" >>m.txt
		[ "$n" = 16 ] || printf "\f\n" >>m.txt
	done &&
	"$TESTS/render-letters.sh" r m.txt "$TESTS"/data/letters/en-bus-mayor.txt \
		>/dev/null &&
	"$MKPAGE" -o m.tif $(for n in $(seq 1 16); do echo r/m-p$n.png; done) &&
	sed "s/^long_letter_pages = 50$/long_letter_pages = 6/;
		s/^long_first_pages = 5$/long_first_pages = 2/;
		s/^long_sample_pages = 5$/long_sample_pages = 1/" \
		"$TESTS/../classifier/catalog.ini" >office.ini &&
	grep -x "long_letter_pages = 6" office.ini &&
	grep -x "long_sample_pages = 1" office.ini
'

test_expect_success 'the letter behind it is not held up; killed mid-rest' '
	# (its own line: "a && b &" would put a in the background too)
	: >out
	"$MAILROOM" --archive A --catalog office.ini import m.tif \
		r/en-bus-mayor-p1.png >out 2>err &
	pid=$! &&
	i=0 &&
	while [ "$(wc -l <out)" -lt 2 ] && [ $i -lt 900 ]; do
		sleep 0.2
		i=$((i + 1))
	done &&
	kill -9 $pid &&
	{ wait $pid || :; } &&
	cat out err &&
	test_line_count -eq 2 out &&
	grep -q "m.tif" out && grep -q "en-bus-mayor-p1.png" out &&
	grep "m.tif: a long letter: 13 of its pages will be read after the other work" err &&
	test "$(field .page_count)" = "16 1" &&
	test "$(field .mailbox)" = "invalid mayor" &&
	test "$(field ".validity_reason // \"-\"")" = "long_no_request -" &&
	unread=$(field "select(.page_count == 16) | .pages_unread") &&
	say "$unread pages of 13 were unread at the kill" &&
	test "$unread" -gt 0 && test "$unread" -le 13 &&
	"$MAILROOM" --archive A --catalog office.ini letters |
		jq -r "select(.page_count == 16) | .reasons" | grep "pages_read"
'

test_expect_success 'every page was archived at once' '
	test "$(aq A "SELECT count(*) FROM page
		WHERE stack_id = (SELECT stack_id FROM letter
		WHERE page_count = 16)")" = 16 &&
	code=$(grep m.tif out | cut -f1) &&
	"$MAILROOM" --archive A show "$code" >show &&
	grep "^not read yet: " show
'

test_expect_success 'process reads the rest and judges it again' '
	"$MAILROOM" --archive A --catalog office.ini process >out2 2>err2 &&
	cat out2 err2 &&
	code=$(grep m.tif out | cut -f1) &&
	grep "letter $code: all 16 pages read; judged again on the whole text: invalid -> housing" err2 &&
	test "$(field .pages_unread)" = "0 0" &&
	test "$(field .valid)" = "true true" &&
	test "$(field .mailbox)" = "housing mayor" &&
	"$MAILROOM" --archive A show "$code" >show &&
	! grep "^not read yet: " show &&
	grep "decided mailbox: invalid -> housing" show &&
	"$MAILROOM" --archive A search 青石板桥 >hits &&
	cut -f1 hits | grep -x "$code"
'

test_expect_success 'nothing is left to do, and nothing is read twice' '
	"$MAILROOM" --archive A --catalog office.ini process >out3 2>err3 &&
	test_line_count -eq 0 out3 &&
	! grep "pages read" err3 &&
	test "$(aq A "SELECT count(*) FROM page WHERE processed = 1")" = 17 &&
	test "$(aq A "SELECT count(*) FROM page WHERE processed != 1")" = 0
'

test_done
