/*
 * Who wrote a letter: name, phone, resident ID number and address, from
 * its text line by line.  Lines are read twice: as written (full-width
 * forms made ASCII; English names keep their case) and compact (without
 * spaces, for Chinese labels and for numbers, where OCR and writers put
 * spaces and dashes: "138 0000 0001", "023-6789 1234").  The first find
 * of each field wins, except that a labelled phone beats a bare one and a
 * valid ID number beats a damaged one.
 */
#include "classifier/cls_int.h"

#include <utf8proc.h>

#define LINE_MAX_BYTES 512

/* Line s[0..len) with full-width forms made ASCII; spaces kept or not. */
static void
norm_line(const char *s, size_t len, int keep_spaces, char *out, size_t size)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + len;
    size_t used = 0;

    while (p < end && used + 5 < size) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &c);

        if (n <= 0) {
            p++;
            continue;
        }
        p += n;
        if (c >= 0xff01 && c <= 0xff5e)
            c -= 0xfee0;
        if (c == 0x3000 || c == '\t' || c == '\r' || c == '\f')
            c = ' ';
        if (c == ' ' && !keep_spaces)
            continue;
        used += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)out + used);
    }
    out[used] = '\0';
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int
cls_id_number_ok(const char *id)
{
    static const int weight[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                   3, 7, 9,  10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int sum = 0;

    if (!id || strlen(id) != 18)
        return 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(id[i]))
            return 0;
        sum += (id[i] - '0') * weight[i];
    }
    return (id[17] == 'x' ? 'X' : id[17]) == check[sum % 11];
}

/*
 * The next run of digits at or after *pp in compact line s, dashes and
 * brackets between digits dropped, an X or x allowed last: into run
 * (size 32).  Returns its length, 0 at the end of the line.
 */
static size_t
next_number(const char **pp, char *run)
{
    const char *p = *pp;
    size_t n = 0;

    while (*p && !is_digit(*p))
        p++;
    while (*p && n < 31) {
        if (is_digit(*p))
            run[n++] = *p;
        else if ((*p == 'X' || *p == 'x') && n == 17)
            run[n++] = 'X';
        else if (!((*p == '-' || *p == '(' || *p == ')') && is_digit(p[1])))
            break;
        p++;
    }
    run[n] = '\0';
    *pp = p;
    return n;
}

const char *const cls_phone_labels[] = {"电话", "手机",  "联系方式", "座机",
                                        "tel",  "phone", "mobile",   NULL};

/* Whether the compact, lower-cased line names a phone. */
static int
phone_label(const char *line)
{
    char lower[LINE_MAX_BYTES];
    size_t i;

    for (i = 0; line[i] && i + 1 < sizeof(lower); i++)
        lower[i] =
            (char)(line[i] >= 'A' && line[i] <= 'Z' ? line[i] + 32 : line[i]);
    lower[i] = '\0';
    for (const char *const *l = cls_phone_labels; *l; l++)
        if (strstr(lower, *l))
            return 1;
    return 0;
}

/* A phone from digits run (n long), normalised into out; 0 if none. */
static int
phone_from(const char *run, size_t n, int labelled, char *out, size_t size)
{
    if (n == 13 && !strncmp(run, "861", 3)) {
        run += 2;
        n -= 2;
    }
    if (n == 11 && run[0] == '1' && run[1] >= '3')
        return snprintf(out, size, "%s", run) > 0;
    if (n >= 10 && n <= 12 && run[0] == '0') {
        int area = run[1] == '1' || run[1] == '2' ? 3 : 4;

        return snprintf(out, size, "%.*s-%s", area, run, run + area) > 0;
    }
    if (labelled && (n == 7 || n == 8))
        return snprintf(out, size, "%.*s-%s", (int)n - 4, run, run + n - 4) > 0;
    return 0;
}

/* Numbers of compact line: ID numbers and phones. */
static void
numbers(const char *line, struct cls_writer *w, int *plabelled_phone)
{
    int labelled = phone_label(line);
    const char *p = line;
    char run[32], phone[24];
    size_t n;

    while ((n = next_number(&p, run)) > 0) {
        if (n == 18 && w->id_state != CLS_ID_VALID) {
            int ok = cls_id_number_ok(run);

            if (ok || w->id_state == CLS_ID_NONE) {
                memcpy(w->id_number, run, 18);
                w->id_number[18] = '\0';
                w->id_state = ok ? CLS_ID_VALID : CLS_ID_DAMAGED;
            }
            continue;
        }
        if ((!w->phone[0] || (labelled && !*plabelled_phone)) &&
            phone_from(run, n, labelled, phone, sizeof(phone))) {
            snprintf(w->phone, sizeof(w->phone), "%s", phone);
            *plabelled_phone |= labelled;
        }
    }
}

/* Copy the Han characters at s (2 to max of them) into out; 0 if fewer. */
static int
han_name(const char *s, int max, char *out, size_t size)
{
    static const char *const stops[] = {"及", "等", "和", "今年", NULL};
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    int count = 0;

    while (*p && count < max) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        int stop = 0;

        if (n <= 0 || !mr_is_han((uint32_t)c))
            break;
        for (const char *const *st = stops; *st && count >= 2; st++)
            stop |= !strncmp((const char *)p, *st, strlen(*st));
        if (stop)
            break;
        p += n;
        count++;
    }
    if (count < 2)
        return 0;
    snprintf(out, size, "%.*s", (int)((const char *)p - s), s);
    return 1;
}

/* After a label in compact line: the text after its colon, or NULL. */
static const char *
after_label(const char *line, const char *const *labels)
{
    for (const char *const *l = labels; *l; l++) {
        const char *at = strstr(line, *l);

        if (at) {
            at += strlen(*l);
            if (*at == ':')
                return at + 1;
        }
    }
    return NULL;
}

/* A Chinese name: after a signature label, or "我叫". */
static void
chinese_name(const char *line, struct cls_writer *w)
{
    static const char *const labels[] = {
        "来信人", "写信人", "反映人", "举报人", "投诉人", "上访人",
        "信访人", "姓名",   "署名",   "具名",   "签名",   "居民代表",
        "业主",   "代表",   "居民",   "村民",   "信人",   NULL};
    const char *s = after_label(line, labels);

    if (s && han_name(s, 4, w->name, sizeof(w->name)))
        return;
    s = strstr(line, "我叫");
    if (s)
        han_name(s + strlen("我叫"), 3, w->name, sizeof(w->name));
}

/* Up to 4 capitalised words at s ("John Q. Sample"), into out. */
static int
english_name(const char *s, char *out, size_t size)
{
    const char *p = s, *end = s;
    int words = 0;

    while (*p == ' ')
        p++;
    s = p;
    while (*p >= 'A' && *p <= 'Z' && words < 4) {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
               *p == '.' || *p == '\'' || *p == '-')
            p++;
        words++;
        end = p;
        while (*p == ' ')
            p++;
    }
    if (words < 2)
        return 0;
    snprintf(out, size, "%.*s", (int)(end - s), s);
    return 1;
}

/* Whether the lower-cased spaced line is an English closing formula. */
static int
closing_line(const char *line)
{
    static const char *const closings[] = {
        "yours faithfully", "yours sincerely", "sincerely",
        "yours truly",      "regards",         "kind regards",
        "best regards",     "respectfully",    NULL};
    char lower[64];
    size_t i;

    for (i = 0; line[i] && i + 1 < sizeof(lower); i++)
        lower[i] =
            (char)(line[i] >= 'A' && line[i] <= 'Z' ? line[i] + 32 : line[i]);
    lower[i] = '\0';
    for (const char *const *c = closings; *c; c++)
        if (!strncmp(lower, *c, strlen(*c)))
            return 1;
    return 0;
}

/* An address after a label, to the end of the line. */
static void
address(const char *compact, const char *spaced, struct cls_writer *w)
{
    static const char *const zh[] = {"家庭住址", "通讯地址", "联系地址",
                                     "住址",     "地址",     NULL};
    const char *s = after_label(compact, zh);
    size_t n;

    if (!s) {
        const char *en = strstr(spaced, "Address:");

        s = en ? en + strlen("Address:") : NULL;
        while (s && *s == ' ')
            s++;
    }
    if (!s || !*s)
        return;
    /* Full-width commas are ASCII by now; 。 is not a full-width form. */
    n = strlen(s);
    for (;;) {
        if (n && strchr(".,;", s[n - 1]))
            n--;
        else if (n >= 3 && !memcmp(s + n - 3, "。", 3))
            n -= 3;
        else
            break;
    }
    snprintf(w->address, sizeof(w->address), "%.*s", (int)n, s);
}

void
cls_writer_extract(const char *text, struct cls_writer *w)
{
    char spaced[LINE_MAX_BYTES], compact[LINE_MAX_BYTES];
    int labelled_phone = 0, after_closing = 0;

    memset(w, 0, sizeof(*w));
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        norm_line(p, len, 1, spaced, sizeof(spaced));
        norm_line(p, len, 0, compact, sizeof(compact));
        p += len + (nl != NULL);
        if (!compact[0])
            continue;
        numbers(compact, w, &labelled_phone);
        if (!w->name[0])
            chinese_name(compact, w);
        if (!w->name[0] && after_closing)
            english_name(spaced, w->name, sizeof(w->name));
        if (!w->name[0] && strstr(spaced, "My name is "))
            english_name(strstr(spaced, "My name is ") + 11, w->name,
                         sizeof(w->name));
        if (!w->address[0])
            address(compact, spaced, w);
        after_closing = closing_line(spaced);
    }
}
