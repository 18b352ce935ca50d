#!/bin/sh
# t5003-chinese-messages: with the Chinese catalogue (LANGUAGE=zh_CN under
# lib.sh's LC_ALL=C.UTF-8, which glibc honours without a generated zh_CN
# locale) the usage text, the error for a missing archive and the error
# for an empty file on import come out in Chinese and still name the
# archive or file; without LANGUAGE the same messages are English.
. "$(dirname "$0")/lib.sh"

# mailroom with the Chinese catalogue.
zh() {
	LANGUAGE=zh_CN "$MAILROOM" "$@"
}

test_expect_success 'make an empty file' '
	: >empty.png &&
	test ! -s empty.png
'

test_expect_success 'usage text in Chinese' '
	test_expect_code 0 zh help >out 2>err &&
	cat out &&
	test_line_count -eq 0 err &&
	grep "^用法：" out &&
	grep "^命令：" out &&
	grep "列出已归档的信件" out &&
	grep -F "mailroom [--archive DIR] [-v|-q] COMMAND [ARGS]" out &&
	grep -F "  letters [--format jsonl|table] " out &&
	grep -F "  page ID --out FILE " out &&
	! grep -E "list the archived letters|^usage:" out &&
	test_line_count -eq "$("$MAILROOM" help | wc -l)" out
'

test_expect_success 'usage text in English without LANGUAGE' '
	test -z "${LANGUAGE:-}" &&
	test_expect_code 0 "$MAILROOM" help >out 2>err &&
	test_line_count -eq 0 err &&
	grep "^usage: mailroom \[--archive DIR\]" out &&
	grep "list the archived letters" out &&
	! grep "用法" out &&
	test_line_count -ge 10 out
'

test_expect_success 'missing archive: error in Chinese naming it' '
	test_expect_code 66 zh --archive "$tmp/none" letters >out 2>err &&
	cat err &&
	test_line_count -eq 0 out &&
	test_line_count -eq 1 err &&
	grep "^mailroom: 错误: " err &&
	grep -F "没有档案库" err &&
	grep -F "'"'"'$tmp/none'"'"'" err &&
	! grep "no archive" err &&
	test ! -e "$tmp/none"
'

test_expect_success 'missing archive: error in English without LANGUAGE' '
	test_expect_code 66 "$MAILROOM" --archive "$tmp/none" letters >out 2>err &&
	test_line_count -eq 1 err &&
	grep -F "mailroom: error: no archive in '"'"'$tmp/none'"'"'" err
'

test_expect_success 'empty file on import: error in Chinese naming it' '
	test_expect_code 65 zh --archive "$tmp/a-zh" import empty.png \
		>out 2>err &&
	cat err &&
	test_line_count -eq 0 out &&
	grep "^mailroom: 错误: " err >errors &&
	test_line_count -eq 1 errors &&
	grep -F "文件为空" errors &&
	grep -F "'"'"'empty.png'"'"'" errors &&
	! grep "empty file" err &&
	tail -n 1 err | grep "^已导入 0 个文件"
'

test_expect_success 'empty file on import: error in English without LANGUAGE' '
	test_expect_code 65 "$MAILROOM" --archive "$tmp/a-en" import empty.png \
		>out 2>err &&
	grep "^mailroom: error: " err >errors &&
	test_line_count -eq 1 errors &&
	grep -F "cannot import '"'"'empty.png'"'"': empty file" errors &&
	! grep -F "文件为空" err &&
	tail -n 1 err | grep "^imported 0 of 1 files"
'

test_done
