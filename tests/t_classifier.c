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
 * Split a stack described by kinds, one character per page: c content,
 * b blank, s separator, u unsure separator; content that o opens a
 * letter, e ends one, x does both.  Returns its letters as
 * "first-last,..." and then each question as " ?SEQ:WHY" in buf.
 */
static const char *
split_by(const char *kinds, int by_text, char *buf, size_t size)
{
    struct cls_page pages[64];
    struct cls_separation sep;
    struct mr_err err = MR_ERR_INIT;
    size_t n = strlen(kinds), used = 0;

    for (size_t i = 0; i < n; i++) {
        char k = kinds[i];

        pages[i].seq = (int)i + 1;
        pages[i].flags = k == 'b'   ? MR_PAGE_BLANK
                         : k == 's' ? MR_PAGE_SEPARATOR
                         : k == 'u' ? MR_PAGE_UNSURE
                                    : 0;
        pages[i].marks = (k == 'o' || k == 'x' ? CLS_OPENS : 0) |
                         (k == 'e' || k == 'x' ? CLS_CLOSES : 0);
    }
    buf[0] = '\0';
    if (cls_split(pages, n, by_text, &sep, &err))
        return "error";
    for (size_t i = 0; i < sep.nletters && used < size; i++)
        used +=
            (size_t)snprintf(buf + used, size - used, "%s%d-%d", i ? "," : "",
                             sep.letters[i].first, sep.letters[i].last);
    for (size_t i = 0; i < sep.nquestions && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " ?%d:%d",
                                 sep.questions[i].seq, sep.questions[i].why);
    cls_separation_release(&sep);
    return buf;
}

static const char *
split(const char *kinds, char *buf, size_t size)
{
    return split_by(kinds, 0, buf, size);
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
    /* An unread separator sheet is a boundary too, and a question. */
    T_EQ_STR(split("ccuc", b, sizeof(b)), "1-2,4-4 ?3:1");
    /* Separators and blank pages only: no letter. */
    T_EQ_STR(split("sbsb", b, sizeof(b)), "");
    /* Without by_text, openings and closings change nothing. */
    T_EQ_STR(split("oceoce", b, sizeof(b)), "1-6");
}

static void
test_split_by_text(void)
{
    char b[256];

    /* Closed, then opened: a certain boundary, no question. */
    T_EQ_STR(split_by("oceoce", 1, b, sizeof(b)), "1-3,4-6");
    T_EQ_STR(split_by("xxx", 1, b, sizeof(b)), "1-1,2-2,3-3");
    /* Blank backs stay with their fronts across the boundary. */
    T_EQ_STR(split_by("obebob", 1, b, sizeof(b)), "1-4,5-6");
    /* An opening without a closing before it: split, asked. */
    T_EQ_STR(split_by("ocoe", 1, b, sizeof(b)), "1-2,3-4 ?3:2");
    /* A closing without an opening after it (an attachment): kept, asked. */
    T_EQ_STR(split_by("oecc", 1, b, sizeof(b)), "1-4 ?3:3");
    /* After the attachments, a letter that opens: certain again. */
    T_EQ_STR(split_by("oecco", 1, b, sizeof(b)), "1-4,5-5 ?3:3");
    /* The first page of a stack or after a separator needs no closing. */
    T_EQ_STR(split_by("ocsoe", 1, b, sizeof(b)), "1-2,4-5");
    /* Plain pages never split. */
    T_EQ_STR(split_by("cccc", 1, b, sizeof(b)), "1-4");
    /* Separators still split, with unread ones asked about. */
    T_EQ_STR(split_by("xuxsx", 1, b, sizeof(b)), "1-1,3-3,5-5 ?2:1");
}

/* The marks of text, as "o", "e", "oe" or "". */
static const char *
marks(const char *text)
{
    static char buf[3];
    unsigned m = cls_page_marks(text);

    snprintf(buf, sizeof(buf), "%s%s", m & CLS_OPENS ? "o" : "",
             m & CLS_CLOSES ? "e" : "");
    return buf;
}

static void
test_marks_chinese(void)
{
    /* A letter's first page and last page, as Tesseract reads them. */
    T_EQ_STR(marks("尊敬的市长：\n\n　　您好！我们是本市江北区幸福里小区"
                   "的居民。\n小区的天然气管道已经使用了三十多年。\n"),
             "o");
    T_EQ_STR(marks("为此，我们恳请市长关心此事。\n此致\n敬礼！\n"
                   "居民代表：张三\n联系电话：138-0000-0001\n"
                   "2024年5月12日\n"),
             "e");
    /* Spaces between characters, ASCII colon, a damaged 尊敬. */
    T_EQ_STR(marks("得 做 的 市 长 :\n\n您 好 ! 我 们 是 居 民 。\n"), "o");
    /* An office as the addressee; a date in Chinese numerals. */
    T_EQ_STR(marks("市生态环境局:\n你们好！我是绿苑小区的居民。\n"), "o");
    T_EQ_STR(marks("请求依法处理。\n二〇二四年六月十八日\n"), "e");
    /* A title before the salutation. */
    T_EQ_STR(marks("关于小区停车费的反映\n市住房城乡建委：\n我是业主。\n"),
             "o");
    /* A page number below the signature is skipped. */
    T_EQ_STR(marks("盼复为谢！\n来信人：赵六\n\n- 2 -\n第 2 页 共 2 页\n"),
             "e");
    /* A page in the middle of a letter: neither. */
    T_EQ_STR(marks("三、请在小区附近设置噪声监测设备，并公开监测数据。\n"
                   "今年三月八日晚上，5栋2单元的楼道里燃气味很浓。\n"
                   "居民拨打燃气公司的抢修电话后，抢修人员两个小时才赶到。\n"),
             "");
    /* A colon at the end of a sentence is not a salutation. */
    T_EQ_STR(marks("物业公司答复说，这件事应当由街道办事处负责处理：\n"), "");
    /* A date inside a sentence is not a date line. */
    T_EQ_STR(marks("从今年2024年3月8日开始，工地几乎每天夜里都在施工，"
                   "严重影响了周边居民的休息。\n"),
             "");
}

static void
test_marks_english(void)
{
    T_EQ_STR(marks("Dear Mayor,\nI am writing on behalf of the residents.\n"),
             "o");
    T_EQ_STR(marks("TO THE CITY BUREAU OF TRANSPORT:\nRoute 42 was moved.\n"),
             "o");
    T_EQ_STR(marks("Thank you for your attention.\nYours sincerely,\n"
                   "John Q. Sample\nTel: 555-0100\n"),
             "e");
    T_EQ_STR(marks("We ask for the stop back.\nJohn Sample\n14 May 2024\n"),
             "e");
    T_EQ_STR(marks("We ask for the stop back.\nJohn Sample\nMay 14, 2024\n"),
             "e");
    T_EQ_STR(marks("We ask for the stop back.\nJohn Sample\n2024-05-14\n"),
             "e");
    T_EQ_STR(marks("Page 3 of 3\nthe stop was moved in March 2024 without "
                   "any notice to the residents of the estate, who now walk "
                   "two kilometres.\nMore than a third are over seventy.\n"),
             "");
    /* Closing words inside a sentence are not a closing. */
    T_EQ_STR(marks("We wrote to the bureau.\nWith regards to the route,\n"
                   "we ask for the old stop.\n"),
             "");
    T_EQ_STR(marks("We ask for the old stop.\nKind regards,\nAnn Lee\n"),
             "e");
    /* Full-width letters and a one-page letter. */
    T_EQ_STR(marks("Ｄｅａｒ Ｓｉｒ,\nThe lights are out.\nRegards,\nAnn\n"),
             "oe");
    T_CHECK(cls_page_marks(NULL) == 0);
    T_CHECK(cls_page_marks("") == 0);
    T_CHECK(cls_page_marks("\xff\xfe\n\xe4\xb8") == 0);
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
        {"split_by_text", test_split_by_text},
        {"marks_chinese", test_marks_chinese},
        {"marks_english", test_marks_english},
        {"page_role", test_page_role},
        {NULL, NULL},
    };

    return t_run(cases, argc, argv);
}
