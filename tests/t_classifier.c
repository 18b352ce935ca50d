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

int
main(int argc, char **argv)
{
    static const struct t_case cases[] = {
        {"chinese", test_chinese},
        {"chinese_with_latin", test_chinese_with_latin},
        {"english", test_english},
        {"nothing", test_nothing},
        {"bad_utf8", test_bad_utf8},
        {NULL, NULL},
    };

    return t_run(cases, argc, argv);
}
