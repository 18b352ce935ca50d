/* Unit tests of classifier/: the language of a letter. */
#include "classifier/classifier.h"

#include <unistd.h>

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
    T_EQ_STR(marks("We ask for the old stop.\nKind regards,\nAnn Lee\n"), "e");
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

/*
 * Codes of many lines are read in one pass: looking for each line's colon
 * in all the text after it took 6 s for a million lines (found by
 * tests/fuzz/fuzz_text.c, which reads a page's text as its codes).
 */
static void
test_page_role_many_lines(void)
{
    static const char last[] = "QR-Code:PATCHT";
    size_t n = 1000000;
    struct mr_page p;
    clock_t start;

    mr_page_init(&p);
    p.codes = malloc(n + sizeof(last));
    T_CHECK(p.codes != NULL);
    if (!p.codes)
        return;
    memset(p.codes, '\n', n);
    memcpy(p.codes + n, last, sizeof(last));
    start = clock();
    T_EQ_INT(cls_page_role(&p, "PATCHT"), MR_PAGE_SEPARATOR);
    T_CHECK(clock() - start < 2 * CLOCKS_PER_SEC);
    mr_page_release(&p);
}

/* ---- catalogue, decisions, writers ----------------------------------- */

static struct cls_catalog *
shipped(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_catalog *c = cls_catalog_load(MR_CATALOG, &err);

    if (!c)
        fprintf(stderr, "catalogue: %s\n", err.msg);
    return c;
}

/* Load a catalogue with text into *pc; the error message ("" if none). */
static const char *
catalog_of(const char *text, struct cls_catalog **pc)
{
    static struct mr_err err;
    char path[] = "/tmp/t_catalog.XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    *pc = NULL;
    err = (struct mr_err)MR_ERR_INIT;
    if (!f)
        return "cannot write a temporary file";
    fputs(text, f);
    fclose(f);
    *pc = cls_catalog_load(path, &err);
    unlink(path);
    /* The path differs each time: keep what follows it. */
    return strchr(err.msg, ':') && !strncmp(err.msg, path, strlen(path))
               ? err.msg + strlen(path)
               : err.msg;
}

/* Load a catalogue with text; returns the error message ("" if none). */
static const char *
load_text(const char *text)
{
    struct cls_catalog *c;
    const char *msg = catalog_of(text, &c);

    cls_catalog_destroy(&c);
    return msg;
}

#define MINIMAL                                                                \
    "[leader mayor]\nname = Mayor\nname_zh = 市长信箱\naddress = 市长\n" \
    "[department roads]\nname = Roads\nname_zh = 道路\naddress = 路政\n"   \
    "words = 道路*3\n[validity]\nrequest = 请求\n"

static void
test_catalog(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_catalog *c = shipped();
    struct cls_catalog *none;

    T_CHECK(c != NULL);
    T_EQ_INT((int)cls_catalog_size(c), 12);
    T_EQ_STR(cls_catalog_mailbox(c, 0)->id, "secretary");
    T_EQ_INT(cls_catalog_mailbox(c, 1)->leader, 1);
    T_EQ_INT(cls_catalog_mailbox(c, 2)->leader, 0);
    T_EQ_STR(cls_catalog_find(c, "housing")->name_zh, "住房城乡建委");
    T_CHECK(cls_catalog_find(c, "nosuch") == NULL);
    T_CHECK(cls_catalog_mailbox(c, 12) == NULL);
    cls_catalog_destroy(&c);
    T_CHECK(c == NULL);
    cls_catalog_destroy(&c);

    none = cls_catalog_load("/nonexistent/catalog.ini", &err);
    T_CHECK(none == NULL);
    T_EQ_INT(err.code, MR_ENOTFOUND);
    T_EQ_STR(load_text(MINIMAL), "");
    /* Each mistake names its line and what is wrong. */
    T_EQ_STR(load_text(MINIMAL "[nonsense]\nx = 1\n"),
             ":13: unknown section [nonsense]");
    T_EQ_STR(load_text("[leader mayor]\nname = A\nthis line has no equals\n"),
             ":3: not a section or key = value");
    T_EQ_STR(load_text(MINIMAL "[department roads]\nname = again\n"),
             ":13: 'name' is given twice");
    T_EQ_STR(load_text(MINIMAL "[department mayor]\nname = x\n"),
             ":13: mailbox 'mayor' is given twice");
    T_EQ_STR(load_text(MINIMAL "[department other]\nname = x\n"),
             ":13: mailbox id 'other' is reserved");
    T_EQ_STR(load_text(MINIMAL "[department Big]\nname = x\n"),
             ":13: 'Big' is not a mailbox id (use a-z, 0-9 and _)");
    T_EQ_STR(load_text(MINIMAL "[department x]\nwords = a*0\n"),
             ":13: weight of 'a*0' is not a number from 1 to 100");
    T_EQ_STR(load_text(MINIMAL "[settings]\nreview_below = 2\n"),
             ":13: 'review_below' wants a number from 0 to 1, not '2'");
    T_EQ_STR(load_text(MINIMAL "[leader mayor2]\nnoise = 1\n"),
             ":13: unknown key 'noise' in [leader mayor2]");
    T_CHECK(strstr(load_text(MINIMAL "[department x]\nname = X\n"
                                     "name_zh = X\naddress = X\n"),
                   "department 'x' has no words") != NULL);
    T_CHECK(strstr(load_text("[department roads]\nname = Roads\n"
                             "name_zh = 道路\naddress = 路政\n"
                             "words = 道路\n[validity]\nrequest = 请\n"),
                   "needs at least one leader and one department") != NULL);
}

/* Decide text (one page, OCR confidence 90) with the shipped catalogue. */
static void
decide(const struct cls_catalog *c, const char *text, int pages, int ocr_conf,
       struct cls_decision *d)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_input in = {.text = text, .pages = pages, .ocr_conf = ocr_conf};

    if (cls_decide(c, NULL, &in, d, &err)) {
        fprintf(stderr, "cls_decide: %s\n", err.msg);
        memset(d, 0, sizeof(*d));
    }
}

/* The department of a short letter to "领导" about a matter. */
static const char *
department_of(const struct cls_catalog *c, const char *matter)
{
    static char id[32];
    struct cls_decision d;
    char text[1024];

    snprintf(text, sizeof(text),
             "尊敬的领导：\n%s\n请求有关部门尽快调查处理，盼复。\n"
             "来信人：张三\n2024年5月1日\n",
             matter);
    decide(c, text, 1, 90, &d);
    snprintf(id, sizeof(id), "%s", d.department ? d.department : "(none)");
    cls_decision_release(&d);
    return id;
}

static void
test_route_every_department(void)
{
    struct cls_catalog *c = shipped();

    T_EQ_STR(department_of(c, "小区物业公司擅自上调停车费，业主多次反映无果。"),
             "housing");
    T_EQ_STR(department_of(c, "公交线路调整后站点太远，老人坐公交车很不方便。"),
             "transport");
    T_EQ_STR(department_of(c, "包工头拖欠工资半年，农民工讨薪无门。"), "labor");
    T_EQ_STR(department_of(c, "家中被盗后向派出所报警，民警至今没有破案。"),
             "police");
    T_EQ_STR(department_of(c, "法院判决生效两年，申请强制执行仍无结果。"),
             "courts");
    T_EQ_STR(department_of(c, "村干部贪污扶贫款，还向村民索贿。"),
             "discipline");
    T_EQ_STR(department_of(c, "工地夜间施工噪声超过七十分贝，化工厂排污。"),
             "environment");
    T_EQ_STR(department_of(c, "学校违规收取补课费，择校还要交学费。"),
             "education");
    T_EQ_STR(department_of(c, "医院误诊导致手术失败，医疗纠纷无人处理。"),
             "health");
    T_EQ_STR(department_of(c, "邻居私搭乱建违章建筑，路边摊贩占道经营。"),
             "urban");
    /* Nothing any department handles: "other", for a person. */
    T_EQ_STR(department_of(c, "我想请求你们帮助我处理一件事情。"), "other");
    cls_catalog_destroy(&c);
}

static void
test_mailbox(void)
{
    struct cls_catalog *c = shipped();
    struct cls_decision d;

    /* A letter to a leader goes to the leader's mailbox. */
    decide(c,
           "尊敬的市委书记：\n您好！包工头拖欠工资，请求督促解决。\n"
           "来信人：李四\n",
           1, 90, &d);
    T_EQ_STR(d.mailbox, "secretary");
    T_EQ_STR(d.department, "labor");
    T_EQ_STR(d.addressee, "secretary");
    T_EQ_INT(d.invalid, CLS_VALID);
    T_CHECK(d.reasons && strstr(d.reasons, "\"addressee\"") != NULL);
    cls_decision_release(&d);
    decide(c,
           "Dear Mayor,\nThe bus route was changed and the bus stop moved. "
           "We ask you to restore the route.\nYours faithfully,\nAnn Lee\n",
           1, 90, &d);
    T_EQ_STR(d.mailbox, "mayor");
    T_EQ_STR(d.department, "transport");
    cls_decision_release(&d);
    /* Addressed to a department: its own mailbox, even on a near tie. */
    decide(c, "市生态环境局：\n小区旁工地夜间施工，请求查处。\n来信人：赵六\n",
           1, 90, &d);
    T_EQ_STR(d.mailbox, "environment");
    T_EQ_STR(d.department, "environment");
    cls_decision_release(&d);
    /* A leader named in the body, not the salutation, is not addressed. */
    decide(c,
           "市住房城乡建委：\n物业公司乱收停车费，我们恳请市长关心此事，"
           "请求处理。\n",
           1, 90, &d);
    T_EQ_STR(d.mailbox, "housing");
    cls_decision_release(&d);
    cls_catalog_destroy(&c);
}

static void
test_validity(void)
{
    struct cls_catalog *c = shipped();
    struct cls_decision d;

    decide(c, NULL, 1, -1, &d);
    T_EQ_INT(d.invalid, CLS_INVALID_BLANK);
    T_EQ_STR(d.mailbox, "invalid");
    T_CHECK(d.department == NULL);
    cls_decision_release(&d);
    decide(c, "尊敬的市长：物业公司乱收费，请求处理。", 1, 30, &d);
    T_EQ_INT(d.invalid, CLS_INVALID_ILLEGIBLE);
    T_EQ_STR(cls_invalid_id(d.invalid), "illegible");
    cls_decision_release(&d);
    decide(c,
           "新店开业，全场特价，限时折扣！免费领取礼品，欢迎来电，"
           "咨询热线：023-12345678。\n",
           1, 90, &d);
    T_EQ_INT(d.invalid, CLS_INVALID_ADVERTISING);
    cls_decision_release(&d);
    decide(c,
           "本报讯（记者 王某 通讯员 李某）昨日，市里召开会议，部署今年的"
           "工作。责任编辑：张某\n",
           1, 90, &d);
    T_EQ_INT(d.invalid, CLS_INVALID_ARTICLE);
    cls_decision_release(&d);
    decide(c,
           "今天天气很好，我早上去公园散步，看见很多人在跳舞，"
           "中午吃了面条，下午睡了一觉。\n",
           1, 90, &d);
    T_EQ_INT(d.invalid, CLS_INVALID_NO_REQUEST);
    cls_decision_release(&d);
    decide(c, "我的回忆录。我出生在一个小村庄，童年过得很快乐。\n", 300, 90,
           &d);
    T_EQ_INT(d.invalid, CLS_INVALID_LONG);
    T_EQ_STR(cls_invalid_id(d.invalid), "long_no_request");
    cls_decision_release(&d);
    T_CHECK(cls_invalid_id(CLS_VALID) == NULL);
    cls_catalog_destroy(&c);
}

static void
test_risk(void)
{
    struct cls_catalog *c = shipped();
    struct cls_decision d;

    decide(c,
           "尊敬的市长：工资拖欠两年，请求解决。再不解决我只能跳楼，"
           "活不下去了。\n",
           1, 90, &d);
    T_EQ_INT(d.risk, 1u << CLS_RISK_SELF_HARM);
    T_CHECK(strstr(d.risk_words, "跳楼") != NULL);
    T_CHECK(strstr(d.risk_words, "活不下去") != NULL);
    cls_decision_release(&d);
    decide(c,
           "Dear Mayor, nobody helps us. If this goes on I will go to "
           "Beijing and take matters into my own hands. Please help.\n",
           1, 90, &d);
    T_EQ_INT(d.risk, 1u << CLS_RISK_ESCALATION);
    cls_decision_release(&d);
    decide(c, "尊敬的市长：路灯坏了，请求修理。\n", 1, 90, &d);
    T_EQ_INT(d.risk, 0);
    T_EQ_STR(d.risk_words, "");
    cls_decision_release(&d);
    cls_catalog_destroy(&c);
}

static void
test_id_number(void)
{
    T_CHECK(cls_id_number_ok("11010519491231002X"));
    T_CHECK(cls_id_number_ok("11010519491231002x"));
    T_CHECK(cls_id_number_ok("440524188001010014"));
    T_CHECK(cls_id_number_ok("500103199001011232"));
    T_CHECK(!cls_id_number_ok("500103199001011234"));
    T_CHECK(!cls_id_number_ok("11010519491231002"));
    T_CHECK(!cls_id_number_ok("1101051949123100 2X"));
    T_CHECK(!cls_id_number_ok(NULL));
}

static void
test_writer(void)
{
    struct cls_writer w;

    cls_writer_extract("尊敬的市长：\n……\n此致\n敬礼！\n"
                       "来信人：李四（示例）及二十三名工友\n"
                       "联系电话：139-0000-0002\n"
                       "身份证号：11010519491231002x\n"
                       "地址：江北区幸福里小区5栋2单元301室。\n",
                       &w);
    T_EQ_STR(w.name, "李四");
    T_EQ_STR(w.phone, "13900000002");
    T_EQ_STR(w.id_number, "11010519491231002X");
    T_EQ_INT(w.id_state, CLS_ID_VALID);
    T_EQ_STR(w.address, "江北区幸福里小区5栋2单元301室");
    /* Full-width digits, spaces; a damaged ID noted, a landline. */
    cls_writer_extract("我叫王小明，今年四十岁。\n"
                       "身份证 5001 0319 9001 0112 34\n"
                       "电话：（０２３）６７８９ １２３４\n",
                       &w);
    T_EQ_STR(w.name, "王小明");
    T_EQ_STR(w.id_number, "500103199001011234");
    T_EQ_INT(w.id_state, CLS_ID_DAMAGED);
    T_EQ_STR(w.phone, "023-67891234");
    /* A mobile anywhere, +86; a labelled phone wins over a bare one. */
    cls_writer_extract("请打 +86 137 0000 0003 找我\n", &w);
    T_EQ_STR(w.phone, "13700000003");
    cls_writer_extract("号码 13700000003\n手机：13800000001\n", &w);
    T_EQ_STR(w.phone, "13800000001");
    /* English: the line after the closing; "My name is". */
    cls_writer_extract("Dear Mayor,\n...\nYours faithfully,\n"
                       "John Q. Sample (fictional)\nTel: 555-0100\n"
                       "Address: 12 River Road, Riverside.\n",
                       &w);
    T_EQ_STR(w.name, "John Q. Sample");
    T_EQ_STR(w.phone, "555-0100");
    T_EQ_STR(w.address, "12 River Road, Riverside");
    cls_writer_extract("My name is Ann Lee and I live here.\n", &w);
    T_EQ_STR(w.name, "Ann Lee");
    cls_writer_extract("此致\n敬礼！\n居民：何国庆\n", &w);
    T_EQ_STR(w.name, "何国庆");
    cls_writer_extract("我是绿苑小区的居民赵六。\n", &w);
    T_EQ_STR(w.name, "");
    /* A signature word in a sentence is not a name. */
    cls_writer_extract("已经有六十多户业主签名，要求撤回。\n", &w);
    T_EQ_STR(w.name, "");
    cls_writer_extract(NULL, &w);
    T_EQ_STR(w.name, "");
    T_EQ_INT(w.id_state, CLS_ID_NONE);
}

/* text masked by cls_pii_mask with flags, in a static buffer. */
static const char *
masked(const char *text, unsigned flags)
{
    static char buf[2048];
    struct mr_err err = MR_ERR_INIT;
    char *m = cls_pii_mask(text, flags, &err);

    snprintf(buf, sizeof(buf), "%s", m ? m : err.msg);
    free(m);
    return buf;
}

static void
test_pii_id(void)
{
    /* Right check characters; x and a full-width Ｘ both end one. */
    T_EQ_STR(masked("身份证号：11010519491231002X。", 0),
             "身份证号：110105********002X。");
    T_EQ_STR(masked("ID 11010519491231002x", 0), "ID 110105********002x");
    T_EQ_STR(masked("身份证５００１０３１９９００１０１１２３２号", 0),
             "身份证５００１０３********１２３２号");
    /* Spaces OCR put in; the old 15-digit form. */
    T_EQ_STR(masked("身份证 5001 0319 9001 0112 32", 0),
             "身份证 5001 03** **** **12 32");
    T_EQ_STR(masked("旧证 110105491231002", 0), "旧证 110105******002");
    /* A wrong check character with a plausible birth date: an OCR slip. */
    T_EQ_STR(masked("5001 0319 9001 0112 34", 0), "5001 03** **** **12 34");
    /* Wrong check character, no birth date: not an ID number. */
    T_EQ_STR(masked("订单号 500103999901011234", 0),
             "订单号 500103999901011234");
    T_EQ_STR(masked("500103199013011234", 0), "500103199013011234");
}

static void
test_pii_phone(void)
{
    T_EQ_STR(masked("我的电话13812345678，请回电。", 0),
             "我的电话138****5678，请回电。");
    T_EQ_STR(masked("联系电话：139-0000-0002", 0), "联系电话：139-****-0002");
    T_EQ_STR(masked("请打 +86 137 0000 0003 找我", 0),
             "请打 +86 137 **** 0003 找我");
    T_EQ_STR(masked("手机：１３８００００５６７８", 0),
             "手机：１３８****５６７８");
    T_EQ_STR(masked("办公室 010-12345678、0571 8765 4321", 0),
             "办公室 010-****5678、0571 **** 4321");
    T_EQ_STR(masked("电话：（０２３）６７８９ １２３４", 0),
             "电话：（０２３）**** １２３４");
    /* A local number only right after its label. */
    T_EQ_STR(masked("Tel: 555-0100", 0), "Tel: ***-0100");
    T_EQ_STR(masked("电话号码：6789 1234", 0), "电话号码：**** 1234");
    T_EQ_STR(masked("共计 6789 1234 元", 0), "共计 6789 1234 元");
    /* Two numbers side by side are two. */
    T_EQ_STR(masked("13800000001 13900000002", 0), "138****0001 139****0002");
}

static void
test_pii_not(void)
{
    static const char *const plain[] = {"2026年3月15日",
                                        "2026-03-15 09:30",
                                        "来信编号 2026-0315-0001",
                                        "查询码 2345-6789，密码 7H3K9Q2M",
                                        "金额 12800000 元",
                                        "信件 ABCD-2345 与 XF13800000001",
                                        "12345678901",
                                        "第 10 页",
                                        "渝府发〔2026〕12号",
                                        "",
                                        NULL};
    struct mr_err err = MR_ERR_INIT;
    struct cls_pii_span *v = NULL;
    size_t n = 1;

    for (size_t i = 0; plain[i]; i++)
        T_EQ_STR(masked(plain[i], 0), plain[i]);
    T_CHECK(cls_pii_mask(NULL, 0, &err) == NULL);
    T_EQ_INT(err.code, 0);
    T_EQ_INT(cls_pii_find(NULL, &v, &n, &err), 0);
    T_EQ_INT((int)n, 0);
    free(v);
    /* Invalid UTF-8 around a number. */
    T_EQ_STR(masked("\xff"
                    "13800000001\xe4",
                    0),
             "\xff"
             "138****0001\xe4");
}

static void
test_pii_spans(void)
{
    const char *text = "电话 138 0000 5678；身份证11010519491231002X";
    struct mr_err err = MR_ERR_INIT;
    struct cls_pii_span *v = NULL;
    size_t n = 0;

    T_EQ_INT(cls_pii_find(text, &v, &n, &err), 0);
    T_EQ_INT((int)n, 2);
    if (n == 2) {
        T_EQ_INT(v[0].kind, CLS_PII_PHONE);
        T_EQ_INT((int)v[0].at, (int)strlen("电话 "));
        T_EQ_INT((int)v[0].len, (int)strlen("138 0000 5678"));
        T_EQ_INT((int)v[0].hide_at, (int)strlen("电话 138 "));
        T_EQ_INT((int)v[0].hide_len, 4);
        T_EQ_INT(v[1].kind, CLS_PII_ID);
        T_EQ_INT((int)v[1].len, 18);
        T_EQ_INT((int)v[1].hide_len, 8);
    }
    free(v);
}

static void
test_pii_cut_and_fields(void)
{
    char phone[] = "13900000002", land[] = "023-67891234", local[] = "555-0100",
         id[] = "500103199001011234";

    /* A snippet cut inside numbers hides what is left of them. */
    T_EQ_STR(masked("0005678，请回电 2026年", CLS_PII_CUT),
             "*******，请回电 2026年");
    T_EQ_STR(masked("请回电 1380", CLS_PII_CUT), "请回电 ****");
    T_EQ_STR(masked("请回电 1380", 0), "请回电 1380");
    cls_pii_mask_field(phone, CLS_PII_PHONE);
    cls_pii_mask_field(land, CLS_PII_PHONE);
    cls_pii_mask_field(local, CLS_PII_PHONE);
    cls_pii_mask_field(id, CLS_PII_ID);
    cls_pii_mask_field(NULL, CLS_PII_ID);
    T_EQ_STR(phone, "139****0002");
    T_EQ_STR(land, "023-****1234");
    T_EQ_STR(local, "***-0100");
    T_EQ_STR(id, "500103********1234");
}

/* The similarity of the signatures of two texts. */
static double
similarity(const char *x, const char *y)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_signature a, b;

    if (cls_signature(x, &a, &err) || cls_signature(y, &b, &err))
        return -1;
    return cls_signature_similarity(&a, &b);
}

static void
test_signature(void)
{
    static const char wages[] =
        "尊敬的市委书记：\n您好！我和另外二十三名工友在南岸区某住宅项目工地"
        "做钢筋工，包工头拖欠工资四十七万六千元，总承包公司说工程款早就"
        "付清了。区人力社保局劳动监察大队登记后没有答复。\n恳请领导督促。\n"
        "来信人：李四\n联系电话：139-0000-0002\n";
    static const char again[] =
        "尊敬的市委书记：\n您好！我是李四。去年反映的南岸区住宅项目工地拖欠"
        "二十三名工友工资的事，包工头还是没有支付剩下的四十七万六千元，"
        "劳动监察大队至今没有答复。\n恳请领导再次督促。\n"
        "来信人：李四\n联系电话：139-0000-0002\n";
    static const char bbq[] =
        "尊敬的市委书记：\n您好！我是李四。我家楼下新开了一家烧烤店，每天"
        "晚上油烟和噪音很大，一直到凌晨两点，多次协商没有效果。\n"
        "恳请领导督促。\n来信人：李四\n联系电话：139-0000-0002\n";
    struct mr_err err = MR_ERR_INIT;
    struct cls_signature s1, s2, empty;
    int64_t k1[CLS_SIGNATURE_BANDS], k2[CLS_SIGNATURE_BANDS];
    struct cls_catalog *c = shipped();
    double same, other;

    T_CHECK(similarity(wages, wages) == 1.0);
    same = similarity(wages, again);
    other = similarity(wages, bbq);
    /*
     * Written again, reworded: alike; the same writer's other matter,
     * sharing only the formulas of a letter: not.
     */
    T_CHECK(same >= 0.15);
    T_CHECK(other <= 0.05);
    T_EQ_INT(cls_link_kind(c, same, 1, 1), CLS_LINK_REPEAT);
    T_EQ_INT(cls_link_kind(c, other, 1, 1), CLS_LINK_NONE);
    T_EQ_INT(cls_link_kind(c, same, 0, 1), CLS_LINK_NONE);
    T_EQ_INT(cls_link_kind(c, 0.9, 0, 1), CLS_LINK_RELATED);
    /* Routed to different departments: different matters. */
    T_EQ_INT(cls_link_kind(c, 0.9, 1, 0), CLS_LINK_NONE);
    /* Equal texts share every band; the band number is in the top bits. */
    T_EQ_INT(cls_signature(wages, &s1, &err), 0);
    T_EQ_INT(cls_signature(wages, &s2, &err), 0);
    cls_signature_bands(&s1, k1);
    cls_signature_bands(&s2, k2);
    T_CHECK(!memcmp(k1, k2, sizeof(k1)));
    T_EQ_INT(k1[3] >> 56, 3);
    T_CHECK(k1[0] >= 0 && k1[CLS_SIGNATURE_BANDS - 1] >= 0);
    /* Too little text: nothing to compare. */
    T_EQ_INT(cls_signature("来信人：李四\n", &empty, &err), 0);
    T_EQ_INT((int)empty.shingles, 0);
    T_CHECK(cls_signature_similarity(&empty, &empty) == 0);
    cls_catalog_destroy(&c);
}

/* Matters in words the shipped catalogue does not know. */
static const char *const model_matters[3][4] = {
    {"楼道声控灯坏了半年", "单元防盗门关不上", "楼顶水箱锈蚀",
     "外墙瓷砖脱落砸人"},
    {"公交司机经常甩站", "末班车提前半小时开走", "站牌被拆后没有恢复",
     "候车亭漏雨没人修"},
    {"门诊排队开药要等三小时", "病历丢失无人负责", "输液室座位太少",
     "挂错科室退号难"},
};
static const char *const model_departments[3] = {"housing", "transport",
                                                 "health"};

/* A letter of department d, the i-th of its kind. */
static void
model_letter(int d, int i, char *buf, size_t size)
{
    snprintf(buf, size,
             "尊敬的领导：\n我家住在幸福里%d号。%s，%s，请求尽快处理。\n"
             "来信人：王%d\n",
             i, model_matters[d][i % 4], model_matters[d][(i + 1 + i / 4) % 4],
             i);
}

/* A model learnt from n letters of each department. */
static struct cls_model *
model_of(int n, struct cls_model_report *rep)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_example ex[3 * 16];
    static char texts[3 * 16][512];
    struct cls_model *m = NULL;

    for (int i = 0; i < 3 * n; i++) {
        model_letter(i % 3, i / 3, texts[i], sizeof(texts[i]));
        ex[i].department = model_departments[i % 3];
        ex[i].text = texts[i];
    }
    if (cls_model_train(ex, (size_t)(3 * n), &m, rep, &err))
        fprintf(stderr, "cls_model_train: %s\n", err.msg);
    return m;
}

static void
test_model(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_model_report rep;
    struct cls_model *m = model_of(12, &rep), *back;
    struct cls_example bad = {"", "楼道"};
    struct cls_guess g, g2;
    unsigned char *data = NULL;
    size_t size = 0;

    T_CHECK(m != NULL);
    T_EQ_INT((int)rep.letters, 36);
    T_EQ_INT((int)rep.departments, 3);
    T_CHECK(rep.terms > 20);
    /* Each fifth guessed by a model of the rest: nearly all right. */
    T_EQ_INT((int)rep.tested, 36);
    T_CHECK(rep.right >= 33);
    /* A letter it never saw, reworded, in the words it learnt. */
    T_EQ_INT(cls_model_guess(m, "市长：我们单元的防盗门坏了，楼顶水箱也锈了。",
                             &g, &err),
             0);
    T_EQ_STR(g.department, "housing");
    T_CHECK(g.confidence > 0.5 && g.confidence <= g.posterior);
    T_CHECK(strstr(g.terms, "水箱") || strstr(g.terms, "防盗"));
    T_EQ_INT(cls_model_guess(m, "The last bus leaves early.", &g, &err), 0);
    T_CHECK(g.department == NULL);
    /* Saved and loaded: the same guesses. */
    T_EQ_INT(cls_model_save(m, &data, &size, &err), 0);
    back = cls_model_load(data, size, &err);
    T_CHECK(back != NULL);
    T_EQ_INT(cls_model_guess(back, "候车亭漏雨，司机甩站。", &g, &err), 0);
    T_EQ_INT(cls_model_guess(m, "候车亭漏雨，司机甩站。", &g2, &err), 0);
    T_EQ_STR(g.department, "transport");
    T_CHECK(g.posterior == g2.posterior);
    T_EQ_INT((int)cls_model_letters(back), 36);
    cls_model_destroy(&back);
    /* Damaged bytes are refused, whatever is wrong with them. */
    for (size_t cut = 0; cut < size; cut += size / 7 + 1) {
        mr_err_clear(&err);
        T_CHECK(cls_model_load(data, cut, &err) == NULL);
        T_EQ_INT(err.code, MR_EFORMAT);
    }
    data[0] = 'X';
    mr_err_clear(&err);
    T_CHECK(cls_model_load(data, size, &err) == NULL);
    T_EQ_STR(err.msg, "not a department model");
    free(data);
    cls_model_destroy(&m);
    mr_err_clear(&err);
    T_EQ_INT(cls_model_train(&bad, 1, &m, &rep, &err), MR_EINVAL);
    T_CHECK(m == NULL);
}

static void
test_model_decides(void)
{
    struct cls_catalog *c = shipped();
    struct mr_err err = MR_ERR_INIT;
    struct cls_model_report rep;
    struct cls_model *few = model_of(4, &rep), *m = model_of(12, &rep);
    const char *text = "尊敬的领导：\n末班车提前开走，站牌也被拆了，"
                       "请求尽快处理。\n来信人：李四\n";
    struct cls_input in = {.text = text, .pages = 1, .ocr_conf = 90};
    struct cls_decision d;

    /* The rules know none of its words: "other", for a person. */
    decide(c, text, 1, 90, &d);
    T_EQ_STR(d.department, "other");
    cls_decision_release(&d);
    /* A model of 12 letters decides nothing (model_min_letters 30). */
    T_EQ_INT(cls_decide(c, few, &in, &d, &err), 0);
    T_EQ_STR(d.department, "other");
    cls_decision_release(&d);
    /* One of 36 takes over, and says so in the reasons. */
    T_EQ_INT(cls_decide(c, m, &in, &d, &err), 0);
    T_EQ_STR(d.department, "transport");
    T_EQ_STR(d.mailbox, "transport");
    T_CHECK(strstr(d.reasons, "\"by\":\"model\"") != NULL);
    cls_decision_release(&d);
    /* Where the rules are sure, they keep the letter. */
    in.text = "尊敬的领导：\n包工头拖欠农民工工资半年，讨薪无门，"
              "劳动监察不管。请求尽快处理。\n";
    T_EQ_INT(cls_decide(c, m, &in, &d, &err), 0);
    T_EQ_STR(d.department, "labor");
    cls_decision_release(&d);
    cls_model_destroy(&few);
    cls_model_destroy(&m);
    cls_catalog_destroy(&c);
}

/* Which pages of a long letter are read before it is decided. */
static void
test_long_letter(void)
{
    struct cls_catalog *c = shipped(), *small = NULL;
    struct mr_err err = MR_ERR_INIT;
    struct cls_decision d;
    struct cls_input in = {.text = "我的回忆录。我出生在一个小村庄，"
                                   "童年过得很快乐。\n",
                           .pages = 300,
                           .ocr_conf = 90,
                           .unread = 290};
    int read = 0;

    /* Up to long_letter_pages (50) every page is read at once. */
    for (int i = 0; i < 50; i++)
        read += cls_read_first(c, 50, 50, i);
    T_EQ_INT(read, 50);
    /* Longer: the first 5, and 5 in the middles of five equal parts. */
    read = 0;
    for (int i = 0; i < 300; i++)
        read += cls_read_first(c, 300, 300, i);
    T_EQ_INT(read, 10);
    T_EQ_INT(cls_read_first(c, 300, 300, 4), 1);
    T_EQ_INT(cls_read_first(c, 300, 300, 5), 0);
    T_EQ_INT(cls_read_first(c, 300, 300, 34), 1);
    T_EQ_INT(cls_read_first(c, 300, 300, 35), 0);
    T_EQ_INT(cls_read_first(c, 300, 300, 270), 1);
    T_EQ_INT(cls_read_first(c, 300, 300, 299), 0);
    /* Long but nearly all blank: what content there is is read. */
    T_EQ_INT(cls_read_first(c, 60, 8, 7), 1);
    /* Decided from what was read, and the reasons say how much. */
    T_EQ_INT(cls_decide(c, NULL, &in, &d, &err), 0);
    T_EQ_INT(d.invalid, CLS_INVALID_LONG);
    T_CHECK(d.reasons &&
            strstr(d.reasons, "\"pages_read\":{\"of\":300,\"read\":10}"));
    cls_decision_release(&d);

    /* An office's own numbers. */
    T_EQ_STR(catalog_of(MINIMAL "[settings]\nlong_letter_pages = 6\n"
                                "long_first_pages = 2\n"
                                "long_sample_pages = 1\n",
                        &small),
             "");
    read = 0;
    for (int i = 0; small && i < 16; i++)
        read += cls_read_first(small, 16, 16, i) << i;
    T_EQ_INT(read, 1 | 2 | 1 << 9);
    T_EQ_INT(small ? cls_read_first(small, 6, 6, 5) : 0, 1);
    cls_catalog_destroy(&small);
    T_EQ_STR(
        catalog_of(MINIMAL "[settings]\nlong_first_pages = 0\n", &small),
        ":13: 'long_first_pages' wants a number from 1 to 100000, not '0'");
    cls_catalog_destroy(&small);
    cls_catalog_destroy(&c);
}

/* Working days by the shipped 2026 calendar. */
static void
test_calendar(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_calendar *c, *bad;
    char shipped_path[4096];
    const char *shipped = shipped_path;
    const char *bads[][2] = {
        {"[holiday X]\ndays = 2026-02-30\n", ":2: 'days' wants days"},
        {"[holiday X]\ndays = 2026-02-03..2026-02-01\n", ":2: 'days' wants"},
        {"[holiday X]\nnoise = 2026-02-01\n", ":2: unknown key 'noise'"},
        {"[weekend]\ndays = 2026-02-01\n", ":2: unknown section [weekend]"},
        {"[holiday X]\ndays = 2026-02-02\n[holiday Y]\nworkdays = "
         "2026-02-02\n",
         ": 2026-02-02 is listed twice"},
    };

    /* The shipped calendar stands beside the shipped catalogue. */
    snprintf(shipped_path, sizeof(shipped_path), "%.*s/calendar-2026.ini",
             (int)(strrchr(MR_CATALOG, '/') - MR_CATALOG), MR_CATALOG);
    c = cls_calendar_load(&shipped, 1, &err);
    T_CHECK(c != NULL);
    /* A Friday; a Saturday; Thursday 1 January; Sunday 4 January worked. */
    T_EQ_INT(cls_calendar_working(c, mr_day_of(2026, 1, 9)), 1);
    T_EQ_INT(cls_calendar_working(c, mr_day_of(2026, 1, 10)), 0);
    T_EQ_INT(cls_calendar_working(c, mr_day_of(2026, 1, 1)), 0);
    T_EQ_INT(cls_calendar_working(c, mr_day_of(2026, 1, 4)), 1);
    T_EQ_INT(cls_calendar_working(NULL, mr_day_of(2026, 1, 1)), 1);
    /* Received Friday 13 February, 10 working days: 14 February (worked),
     * 24-28 February, 2-5 March; the festival (15-23) and 1 March not. */
    T_EQ_INT(cls_calendar_add(c, mr_day_of(2026, 2, 13), 10, 1),
             mr_day_of(2026, 3, 5));
    T_EQ_INT(cls_calendar_add(c, mr_day_of(2026, 2, 13), 2, 0),
             mr_day_of(2026, 2, 15));
    /* National Day: from 30 September, 1 working day is 8 October. */
    T_EQ_INT(cls_calendar_add(c, mr_day_of(2026, 9, 30), 1, 1),
             mr_day_of(2026, 10, 8));
    cls_calendar_destroy(&c);
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        char path[] = "/tmp/t_calendar.XXXXXX";
        const char *one = path;
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

        T_CHECK(f != NULL);
        if (!f)
            continue;
        fputs(bads[i][0], f);
        fclose(f);
        mr_err_clear(&err);
        bad = cls_calendar_load(&one, 1, &err);
        T_CHECK(bad == NULL && err.code == MR_EFORMAT);
        T_CHECK(strstr(err.msg, bads[i][1]) != NULL);
        cls_calendar_destroy(&bad);
        unlink(path);
    }
}

static void
test_deadlines(void)
{
    struct cls_catalog *c = shipped(), *plain;

    T_CHECK(c != NULL);
    if (!c)
        return;
    /* Received Thursday 30 April 2026: handed over by Saturday 2 May. */
    T_EQ_INT(cls_deadline(c, CLS_CLOCK_HANDOVER, mr_day_of(2026, 4, 30)),
             mr_day_of(2026, 5, 2));
    T_EQ_INT(cls_deadline(c, CLS_CLOCK_RESULT, mr_day_of(2026, 5, 1)),
             mr_day_of(2026, 6, 30));
    /* 10 working days from 30 April: Labour Day (1-5 May) is off, Saturday
     * 9 May is worked: 6, 7, 8, 9, 11, 12, 13, 14, 15, 18 May. */
    T_EQ_INT(cls_deadline(c, CLS_CLOCK_SIMPLE, mr_day_of(2026, 4, 30)),
             mr_day_of(2026, 5, 18));
    T_EQ_STR(cls_clock_name(CLS_CLOCK_SIMPLE), "simple");
    /* 17:00 UTC is 01:00 the next day in Beijing. */
    T_EQ_INT(
        cls_catalog_day(c, (time_t)mr_day_of(2026, 5, 1) * 86400 + 17 * 3600),
        mr_day_of(2026, 5, 2));
    T_EQ_INT(cls_catalog_due_soon(c), 2);
    T_EQ_INT(
        cls_calendar_year(cls_catalog_calendar(c), mr_day_of(2026, 12, 31)), 1);
    T_EQ_INT(cls_calendar_year(cls_catalog_calendar(c), mr_day_of(2027, 1, 4)),
             0);
    cls_catalog_destroy(&c);

    /* Configured: the handover in working days, no calendar file. */
    T_EQ_STR(catalog_of(MINIMAL "[deadlines]\nhandover = 2 working days\n"
                                "utc_offset = 0\n",
                        &plain),
             "");
    T_CHECK(plain != NULL);
    if (plain)
        T_EQ_INT(cls_deadline(plain, CLS_CLOCK_HANDOVER, mr_day_of(2026, 5, 1)),
                 mr_day_of(2026, 5, 5));
    cls_catalog_destroy(&plain);
    T_EQ_STR(load_text(MINIMAL "[deadlines]\nresult = sixty days\n"),
             ":13: 'result' wants \"N days\" or \"N working days\", not "
             "'sixty days'");
    T_EQ_STR(load_text(MINIMAL "[deadlines]\nhandover = 2 weeks\n"),
             ":13: 'handover' wants \"N days\" or \"N working days\", not "
             "'2 weeks'");
    T_CHECK(strstr(load_text(MINIMAL "[deadlines]\ncalendar = none.ini\n"),
                   "cannot open calendar") != NULL);
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
        {"catalog", test_catalog},
        {"route_every_department", test_route_every_department},
        {"mailbox", test_mailbox},
        {"validity", test_validity},
        {"risk", test_risk},
        {"id_number", test_id_number},
        {"writer", test_writer},
        {"pii_id", test_pii_id},
        {"pii_phone", test_pii_phone},
        {"pii_not", test_pii_not},
        {"pii_spans", test_pii_spans},
        {"pii_cut_and_fields", test_pii_cut_and_fields},
        {"signature", test_signature},
        {"page_role", test_page_role},
        {"page_role_many_lines", test_page_role_many_lines},
        {"model", test_model},
        {"model_decides", test_model_decides},
        {"long_letter", test_long_letter},
        {"calendar", test_calendar},
        {"deadlines", test_deadlines},
        {NULL, NULL},
    };

    return t_run(cases, argc, argv);
}
