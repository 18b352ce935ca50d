/* Unit tests of classifier/: the language of a letter. */
#include "classifier/classifier.h"

#include "tests/t.h"

static void
test_chinese(void)
{
    struct cls_tally t = {0, 0};

    cls_tally_add(&t, "市长您好：我们小区的燃气管道老化严重。");
    T_EQ_INT(t.han, 17);
    T_EQ_INT(t.latin, 0);
    T_EQ_STR(cls_tally_language(&t), "zh");
}

static void
test_chinese_with_latin(void)
{
    struct cls_tally t = {0, 0};

    /* Phone numbers and a company name in Latin letters stay Chinese. */
    cls_tally_add(&t, "物业公司ABC Property 电话 13812345678 拒绝退费");
    T_EQ_STR(cls_tally_language(&t), "zh");
}

static void
test_english(void)
{
    struct cls_tally t = {0, 0};

    cls_tally_add(&t, "Dear Mayor, the number 12 bus no longer stops.");
    cls_tally_add(&t, NULL);
    T_EQ_STR(cls_tally_language(&t), "en");
    T_EQ_INT(t.han, 0);
}

static void
test_nothing(void)
{
    struct cls_tally t = {0, 0};

    cls_tally_add(&t, "  12345 -- 2026/11/01 \n\f");
    T_CHECK(cls_tally_language(&t) == NULL);
}

static void
test_bad_utf8(void)
{
    struct cls_tally t = {0, 0};

    /* Stray bytes are skipped; the letters around them still count. */
    cls_tally_add(&t, "ab\xff\xfe"
                      "cd\xe4\xb8");
    T_EQ_INT(t.latin, 4);
    T_EQ_STR(cls_tally_language(&t), "en");
}

/*
 * Split a stack described by kinds, one character per page (c content,
 * b blank, s separator, u unsure separator), and return its letters as
 * "first-last,..." in buf.
 */
static const char *
split(const char *kinds, char *buf, size_t size)
{
    struct cls_page pages[64];
    struct cls_letter *letters = NULL;
    struct mr_err err = MR_ERR_INIT;
    size_t n = strlen(kinds), nletters = 0, used = 0;

    for (size_t i = 0; i < n; i++) {
        pages[i].seq = (int)i + 1;
        pages[i].flags = kinds[i] == 'b'   ? MR_PAGE_BLANK
                         : kinds[i] == 's' ? MR_PAGE_SEPARATOR
                         : kinds[i] == 'u' ? MR_PAGE_UNSURE
                                           : 0;
    }
    buf[0] = '\0';
    if (cls_split(pages, n, &letters, &nletters, &err))
        return "error";
    for (size_t i = 0; i < nletters && used < size; i++)
        used +=
            (size_t)snprintf(buf + used, size - used, "%s%d-%d", i ? "," : "",
                             letters[i].first, letters[i].last);
    free(letters);
    return buf;
}

static void
test_split(void)
{
    char b[256];

    /* No separator: the stack is one letter, blank pages and all. */
    T_EQ_STR(split("ccbc", b, sizeof(b)), "1-4");
    T_EQ_STR(split("bbb", b, sizeof(b)), "1-3");
    T_EQ_STR(split("", b, sizeof(b)), "");
    /* Separators end letters and belong to none. */
    T_EQ_STR(split("ccscsc", b, sizeof(b)), "1-2,4-4,6-6");
    /* Two in a row, one first, one last: no empty letter. */
    T_EQ_STR(split("scsscs", b, sizeof(b)), "2-2,5-5");
    /* Duplex: blank backs go with their front, a separator's with it. */
    T_EQ_STR(split("cbcbsbcb", b, sizeof(b)), "1-4,7-8");
    T_EQ_STR(split("bcb", b, sizeof(b)), "2-3");
    /* An unread separator sheet is a boundary too. */
    T_EQ_STR(split("ccuc", b, sizeof(b)), "1-2,4-4");
    /* Separators and blank pages only: no letter. */
    T_EQ_STR(split("sbsb", b, sizeof(b)), "");
}

static void
test_page_role(void)
{
    struct mr_page p;

    mr_page_init(&p);
    T_EQ_INT(cls_page_role(&p, "PATCHT"), 0);
    p.codes = strdup("EAN-13:9787020002207\nQR-Code:PATCHT\n");
    T_EQ_INT(cls_page_role(&p, "PATCHT"), MR_PAGE_SEPARATOR);
    T_EQ_INT(cls_page_role(&p, "PATCH"), 0);
    T_EQ_INT(cls_page_role(&p, "PATCHTX"), 0);
    T_EQ_INT(cls_page_role(&p, "QR-Code:PATCHT"), 0);
    /* A page that is one symbol: a separator when read, unsure when not. */
    p.flags = MR_PAGE_SYMBOL;
    T_EQ_INT(cls_page_role(&p, "PATCHT"), MR_PAGE_SEPARATOR);
    T_EQ_INT(cls_page_role(&p, "OTHER"), 0);
    free(p.codes);
    p.codes = NULL;
    T_EQ_INT(cls_page_role(&p, "PATCHT"), MR_PAGE_UNSURE);
    /* No trailing newline, and a value holding a colon. */
    p.codes = strdup("CODE-128:A:B");
    T_EQ_INT(cls_page_role(&p, "A:B"), MR_PAGE_SEPARATOR);
    mr_page_release(&p);
}

int
main(int argc, char **argv)
{
    static const struct t_case cases[] = {
        {"chinese", test_chinese},
        {"chinese_with_latin", test_chinese_with_latin},
        {"english", test_english},
        {"nothing", test_nothing},
        {"bad_utf8", test_bad_utf8},
        {"split", test_split},
        {"page_role", test_page_role},
        {NULL, NULL},
    };

    return t_run(cases, argc, argv);
}
