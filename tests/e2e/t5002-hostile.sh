#!/bin/sh
# t5002-hostile: import the whole $REALDATA/hostile folder (85 files that
# crash, hang or exhaust image readers, plus their licence texts) in one
# run.  Each file must give exactly one clear error line naming it, or be
# archived where it is in fact readable; the run ends within a minute
# with exit 65, stderr holds nothing but mailroom's own lines, and the
# archive stays consistent.  Skipped when $REALDATA is absent.
. "$(dirname "$0")/lib.sh"

A=$tmp/archive

q() {
	sqlite3 -batch -noheader "$A/index.sqlite" "$@"
}

test_expect_success REALDATA 'import every hostile file in one run' '
	find "$REALDATA/hostile" -type f | LC_ALL=C sort >files &&
	test "$(wc -l <files)" -gt 50 &&
	start=$(date +%s) &&
	test_expect_code 65 timeout 120 "$MAILROOM" --archive "$A" import \
		"$REALDATA/hostile" >out 2>err &&
	say "import of $(wc -l <files) hostile files took $(($(date +%s) - start)) s" &&
	say "$(tail -n 1 err)"
'

test_expect_success REALDATA 'each file is refused once or archived' '
	: >bad &&
	while read -r f; do
		e=$(grep "^mailroom: error: " err | grep -cF "'"'"'$f'"'"'" || :)
		o=$(cut -f3 out | grep -cxF "$f" || :)
		test $((e + o)) -eq 1 || echo "$f: $e error lines, archived $o" >>bad
	done <files &&
	cat bad &&
	test_line_count -eq 0 bad &&
	say "$(wc -l <out) of $(wc -l <files) files archived as readable"
'

test_expect_success REALDATA 'stderr holds only mailroom lines' '
	grep -v "^mailroom: " err | sed "\$d" >noise || :
	test ! -s noise || {
		echo "$(wc -l <noise) other lines, the most frequent:"
		sort noise | uniq -c | sort -rn | head -n 5
		exit 1
	}
'

test_expect_success REALDATA 'the archive is consistent after the hostile run' '
	test "$(q "PRAGMA integrity_check")" = ok &&
	test -z "$(find "$A" -name "*.part")" &&
	test "$(q "SELECT count(*) FROM stack")" -eq "$(wc -l <out)" &&
	q "SELECT img_path FROM page" | sort >expect &&
	(cd "$A" && find . -type f ! -name "index.sqlite*" | sed "s|^\./||" |
		sort) >actual &&
	test_cmp expect actual
'

test_done
