/*
 * Where one letter ends and the next begins, from the text of a page: a
 * letter opens with an addressee or a salutation (尊敬的市长：, 市生态环境
 * 局：, Dear Mayor,) and ends with a closing, a signature, contact details
 * or a date (此致 敬礼, 来信人：, 联系电话：, 2024年5月12日, Sincerely,
 * 14 May 2024).
 *
 * Lines are compared after folding: white space dropped (Tesseract puts
 * spaces between Chinese characters), full-width forms made ASCII, ASCII
 * lower-cased.  Lines with no letter or Han character (page numbers,
 * rules) and "第 2 页" / "Page 2 of 3" lines are not counted as the first
 * or last lines of a page.  OCR damages words, so the tests look for any
 * of several signs, and a salutation is also recognised by its shape: a
 * short line ending with a colon that names an office or a person.
 */
#include "classifier/classifier.h"

#include <utf8proc.h>

/* How many lines at the top and at the bottom of a page are looked at. */
#define OPENING_LINES 3
#define CLOSING_LINES 5
/*
 * Lines are measured in columns, a Han character taking two: a salutation
 * line is at most SALUTATION_MAX wide, a date line at most DATE_LINE_MAX.
 */
#define SALUTATION_MAX 48
#define DATE_LINE_MAX 24
/* A line is folded up to this many bytes; the rest is not looked at. */
#define FOLD_MAX 256

/* One folded line: its text and how many characters it had. */
struct line {
    char s[FOLD_MAX];
    size_t width;     /* columns, white space not counted */
    int has_word;     /* a letter or a Han character */
    int has_sentence; /* sentence punctuation before its last character */
};

static int
is_space(utf8proc_int32_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
           c == 0x3000 || c == 0xa0;
}

/* Full-width ASCII forms to ASCII, ASCII letters to lower case. */
static utf8proc_int32_t
fold_char(utf8proc_int32_t c)
{
    if (c >= 0xff01 && c <= 0xff5e)
        c -= 0xfee0;
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    return c;
}

static int
is_sentence_mark(utf8proc_int32_t c)
{
    return c == 0x3002 /* 。 */ || c == '.' || c == '!' || c == '?' ||
           c == ';' || c == ',' || c == 0xff61 /* ｡ */;
}

/* Fold the line s[0..len) into l. */
static void
fold_line(const char *s, size_t len, struct line *l)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    const utf8proc_uint8_t *end = p + len;
    size_t used = 0;
    int sentence = 0;

    memset(l, 0, sizeof(*l));
    while (p < end) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &c);
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m;

        if (n <= 0) {
            p++;
            continue;
        }
        p += n;
        if (is_space(c))
            continue;
        c = fold_char(c);
        l->has_sentence |= sentence;
        sentence = is_sentence_mark(c);
        if ((c >= 'a' && c <= 'z') || mr_is_han((uint32_t)c))
            l->has_word = 1;
        l->width += mr_is_han((uint32_t)c) ? 2 : 1;
        m = utf8proc_encode_char(c, enc);
        if (used + (size_t)m < sizeof(l->s)) {
            memcpy(l->s + used, enc, (size_t)m);
            used += (size_t)m;
        }
    }
    l->s[used] = '\0';
}

static int
starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !memcmp(s + n - m, suffix, m);
}

/* Whether s contains one of the NULL-terminated words. */
static int
has_any(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strstr(s, *words))
            return 1;
    return 0;
}

/* Words of an addressee: offices, posts and forms of address. */
static const char *const addressees[] = {
    "书记",   "市长",       "区长",     "县长",   "省长",      "主任",
    "局长",   "厅长",       "处长",     "领导",   "同志",      "政府",
    "委员会", "局",         "委",       "办",     "厅",        "中心",
    "信访",   "先生",       "女士",     "负责人", "部门",      "法院",
    "检察院", "派出所",     "街道",     "社区",   "mayor",     "secretary",
    "sir",    "madam",      "director", "office", "committee", "department",
    "bureau", "commission", NULL};

/* Whether line l opens a letter. */
static int
is_opening(const struct line *l)
{
    static const char *const greetings[] = {
        "dear",   "to:",        "towhomitmayconcern",
        "attn",   "attention:", "respected",
        "尊敬的", "敬爱的",     "亲爱的",
        "您好",   "你好",       "你们好",
        "您们好", NULL};
    const char *s = l->s;

    for (const char *const *g = greetings; *g; g++)
        if (starts_with(s, *g))
            return 1;
    /* The shape of a salutation: "市生态环境局：", "To the Mayor:". */
    if (l->width <= SALUTATION_MAX && !l->has_sentence &&
        (ends_with(s, ":") || ends_with(s, ",")))
        return has_any(s, addressees);
    return 0;
}

/* Whether the code point is a digit, ASCII or Chinese (〇一二...十). */
static int
is_numeral(utf8proc_int32_t c)
{
    static const utf8proc_int32_t han[] = {0x3007, 0x96f6, 0x4e00, 0x4e8c,
                                           0x4e09, 0x56db, 0x4e94, 0x516d,
                                           0x4e03, 0x516b, 0x4e5d, 0x5341};

    if (c >= '0' && c <= '9')
        return 1;
    for (size_t i = 0; i < sizeof(han) / sizeof(han[0]); i++)
        if (c == han[i])
            return 1;
    return 0;
}

/*
 * Skip a run of at least min and at most max numerals from *pp; then the
 * character after must be unit.  Returns 1 and moves *pp past the unit.
 */
static int
numerals_then(const utf8proc_uint8_t **pp, int min, int max,
              utf8proc_int32_t unit)
{
    const utf8proc_uint8_t *p = *pp;
    int count = 0;

    for (;;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

        if (n <= 0)
            return 0;
        if (is_numeral(c) && count < max) {
            count++;
            p += n;
            continue;
        }
        if (count < min || c != unit)
            return 0;
        *pp = p + n;
        return 1;
    }
}

/* Whether folded s holds a Chinese date, 2024年5月12日 or 二〇二四年五月十二日.
 */
static int
has_chinese_date(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;

    while (*p) {
        const utf8proc_uint8_t *q = p;
        utf8proc_int32_t c;
        utf8proc_ssize_t n;

        if (numerals_then(&q, 2, 4, 0x5e74 /* 年 */) &&
            numerals_then(&q, 1, 3, 0x6708 /* 月 */) &&
            (numerals_then(&q, 1, 3, 0x65e5 /* 日 */) ||
             numerals_then(&q, 1, 3, 0x53f7 /* 号 */)))
            return 1;
        n = utf8proc_iterate(p, -1, &c);
        p += n > 0 ? n : 1;
    }
    return 0;
}

/* Digits at s: how many (at most 4). */
static size_t
digits(const char *s)
{
    size_t n = 0;

    while (n < 5 && s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

/*
 * Whether folded s holds a date in Latin script: 14may2024, may14,2024,
 * 2024-05-14, 2024/5/14, 14.05.2024, 05/14/2024.
 */
static int
has_latin_date(const char *s)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may",
                                         "jun", "jul", "aug", "sep", "oct",
                                         "nov", "dec", NULL};

    for (const char *p = s; *p; p++) {
        size_t a = digits(p), b, c;

        if (a && (p == s || !(p[-1] >= '0' && p[-1] <= '9'))) {
            const char *q = p + a;

            if ((*q == '-' || *q == '/' || *q == '.') && (b = digits(q + 1)) &&
                b <= 2 && q[1 + b] == *q && (c = digits(q + 2 + b)) &&
                ((a == 4 && c <= 2) || (a <= 2 && c == 4)))
                return 1;
        }
    }
    if (!has_any(s, months))
        return 0;
    /* A month name and a year of four digits. */
    for (const char *p = s; *p; p++)
        if (digits(p) == 4 && (p == s || !(p[-1] >= '0' && p[-1] <= '9')))
            return 1;
    return 0;
}

/* "第2页", "第2页共3页", "page2of3", "p.2", "-2-": not text of the letter. */
static int
is_page_number(const struct line *l)
{
    const char *s = l->s;

    if (!l->has_word)
        return !has_latin_date(s);
    if (starts_with(s, "第") && (ends_with(s, "页") || strstr(s, "页共")))
        return l->width <= 24;
    if (starts_with(s, "page") || starts_with(s, "p."))
        return strspn(s + (s[1] == '.' ? 2 : 4), "0123456789of/") ==
               strlen(s + (s[1] == '.' ? 2 : 4));
    return 0;
}

/* Whether s starts with one of the NULL-terminated words. */
static int
starts_with_any(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (starts_with(s, *words))
            return 1;
    return 0;
}

/*
 * Whether line l closes a letter: a short line holding a Chinese closing
 * or contact word, or opening with an English one ("with regards to"
 * inside a sentence is not a closing), or a date line.
 */
static int
is_closing(const struct line *l)
{
    static const char *const zh[] = {
        "此致",     "敬礼",   "来信人", "写信人", "反映人", "举报人",
        "投诉人",   "上访人", "具名",   "署名",   "签名",   "联系电话",
        "联系方式", "电话:",  "手机:",  "谨上",   "敬上",   NULL};
    static const char *const en[] = {
        "sincerely",   "yourssincerely", "yoursfaithfully",
        "yourstruly",  "regards",        "kindregards",
        "bestregards", "bestwishes",     "respectfully",
        "tel:",        "tel.",           "phone:",
        "mobile:",     "signed",         NULL};

    if (l->width > SALUTATION_MAX)
        return 0;
    if (has_any(l->s, zh) || starts_with_any(l->s, en))
        return 1;
    /* A date line, not a date inside a sentence. */
    return l->width <= DATE_LINE_MAX &&
           (has_chinese_date(l->s) || has_latin_date(l->s));
}

unsigned
cls_page_marks(const char *text)
{
    /* The last CLOSING_LINES counted lines, as offsets into text. */
    size_t tail[CLOSING_LINES][2];
    size_t ntail = 0, seen = 0;
    unsigned marks = 0;
    struct line l;

    if (!text)
        return 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        fold_line(p, len, &l);
        if (!is_page_number(&l)) {
            if (seen < OPENING_LINES && is_opening(&l))
                marks |= CLS_OPENS;
            seen++;
            if (ntail == CLOSING_LINES) {
                memmove(tail, tail + 1, sizeof(tail[0]) * (CLOSING_LINES - 1));
                ntail--;
            }
            tail[ntail][0] = (size_t)(p - text);
            tail[ntail][1] = len;
            ntail++;
        }
        p += len + (nl != NULL);
    }
    for (size_t i = 0; i < ntail && !(marks & CLS_CLOSES); i++) {
        fold_line(text + tail[i][0], tail[i][1], &l);
        if (is_closing(&l))
            marks |= CLS_CLOSES;
    }
    return marks;
}
