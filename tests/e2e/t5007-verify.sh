#!/bin/sh
# t5007-verify: `mailroom verify` passes a sound archive and names every
# problem of a damaged one with the letter and page it touches: a page
# file changed by one byte, one gone, a file no row names, a write cut
# off (.part), a bundle's PDF changed; exit 65 when anything is wrong,
# 66 without an archive.  A bundle run cut off after its record is no
# problem: the next `bundle` finishes it.  Every file and folder of the archive, bundles
# included, is its owner's only, whatever the umask.
. "$(dirname "$0")/lib.sh"

test_expect_success 'an archive of a letter, its bundle, and stored pages' '
	"$TESTS/render-letters.sh" r "$TESTS"/data/letters/en-bus-mayor.txt \
		"$TESTS"/data/letters/zh-gas-mayor.txt >/dev/null &&
	MAILROOM_NOW=2026-04-30T02:00:00Z "$MAILROOM" --archive A import \
		r/en-bus-mayor-p1.png >out 2>err &&
	cut -f1 out >code &&
	test -s code &&
	MAILROOM_NOW=2026-04-30T06:00:00Z "$MAILROOM" --archive A confirm \
		"$(cat code)" --reviewer wang >/dev/null &&
	MAILROOM_NOW=2026-05-01T02:00:00Z "$MAILROOM" --archive A bundle \
		--reviewer wang >bundled 2>err &&
	test_line_count -eq 1 bundled &&
	"$MAILROOM" --archive A import --later r/zh-gas-mayor-p1.png \
		r/zh-gas-mayor-p2.png 2>err
'

test_expect_success 'a sound archive passes' '
	"$MAILROOM" --archive A verify >out 2>err &&
	test ! -s out &&
	grep "verified 3 pages and 1 bundles in .A.: 0 problems" err
'

test_expect_success 'a page file changed by one byte: its letter and page' '
	cp -r A B &&
	path=$(aq B "SELECT img_path FROM page WHERE letter_id IS NOT NULL") &&
	printf x >>"B/$path" &&
	test_expect_code 65 "$MAILROOM" --archive B verify >out 2>err &&
	cat out &&
	test_line_count -eq 1 out &&
	grep "^page [0-9]* (letter $(cat code) page 1; stack 1 page 1): $path: .*checksum does not match" out &&
	grep ": 1 problems" err
'

test_expect_success 'a page file gone, a stray file, a write cut off' '
	cp -r A C &&
	gone=$(aq C "SELECT img_path FROM page WHERE stack_id = 3") &&
	rm "C/$gone" &&
	dir=$(dirname "$gone") &&
	echo stray >"C/$dir/0009.png" &&
	echo half >"C/$dir/0010.png.part" &&
	test_expect_code 65 "$MAILROOM" --archive C verify >out 2>err &&
	cat out &&
	test_line_count -eq 3 out &&
	grep "^page [0-9]* (in no letter; stack 3 page 1): $gone: cannot open" out &&
	grep "^file $dir/0009.png: no index row names this file$" out &&
	grep "^file $dir/0010.png.part: a write that was cut off" out
'

test_expect_success 'a bundle PDF changed' '
	cp -r A D &&
	pdf=$(aq D "SELECT path FROM bundle") &&
	printf "%%%%EOF\n" >>"D/$pdf" &&
	test_expect_code 65 "$MAILROOM" --archive D verify >out 2>err &&
	grep "^bundle $pdf: the PDF does not match the checksum" out
'

test_expect_success 'a bundle run cut off before its files were in place' '
	cp -r A E &&
	pdf=$(aq E "SELECT path FROM bundle") &&
	name=$(basename "$pdf" .pdf) &&
	mv "E/$pdf" "E/$(dirname "$pdf")/.$name.part.pdf" &&
	"$MAILROOM" --archive E verify >out 2>err &&
	test ! -s out &&
	grep "bundle $pdf: recorded by a run cut off before its files were in place" err &&
	grep ": 0 problems" err &&
	MAILROOM_NOW=2026-05-02T02:00:00Z "$MAILROOM" --archive E bundle \
		--reviewer wang >/dev/null 2>err &&
	test -f "E/$pdf" &&
	"$MAILROOM" --archive E verify >out 2>err &&
	! grep "cut off" err
'

test_expect_success 'an archive with no page yet passes' '
	: >empty.png &&
	test_expect_code 65 "$MAILROOM" --archive Z import empty.png 2>err &&
	"$MAILROOM" --archive Z verify >out 2>err &&
	test ! -s out &&
	grep "verified 0 pages and 0 bundles in .Z.: 0 problems" err
'

test_expect_success 'no archive: a clear error' '
	test_expect_code 66 "$MAILROOM" --archive nowhere verify 2>err &&
	grep "no archive in .nowhere." err
'

test_expect_success 'the archive is readable by its owner only' '
	(umask 022 && "$MAILROOM" --archive O import --later \
		r/zh-gas-mayor-p1.png 2>/dev/null) &&
	test "$(stat -c %a O O/pages O/index.sqlite)" = "700
700
600" &&
	find A O -perm /077 >open &&
	test ! -s open &&
	test -n "$(find A -name "*.pdf")"
'

test_done
