/*
 * Citizens' ID numbers and phone numbers in text, found where they stand
 * (byte ranges of the text as given) so that callers can mask them in
 * text and find the words that carry them on a page image.
 *
 * Text is cut into groups of digits (ASCII or full-width; an X may end a
 * group, as it ends an ID number), and groups at most three separator
 * characters apart (spaces, dashes, brackets: "138 0000 0001",
 * "(023) 6789-1234") form runs.  From each group of a run that no letter
 * touches, the longest stretch of whole groups that is a number of a kind
 * classifier.h lists (kind_of) is taken; the search goes on after it.  A
 * date ("2026-03-15"), an amount or a tracking code ("2345-6789") is none
 * of these kinds.
 */
#include "classifier/cls_int.h"

#include <strings.h>
#include <utf8proc.h>

/* The most separator characters between two groups of one number. */
#define GAP_MAX 3

struct group {
    size_t at, end; /* bytes of text */
    size_t d0, nd;  /* its digits in the digit buffer */
    int joined;     /* to the group before, across separators only */
    int x;          /* ends with an X */
};

/* What is being found: the text, its groups and their digits. */
struct scan {
    const char *text;
    struct group *g;
    size_t ng;
    char *digit;  /* ASCII digits and 'X', of all groups */
    size_t *dpos; /* the byte where each digit starts */
    size_t nd;
};

/* The code point at text + at into *pc; its length, 1 for a bad byte. */
static size_t
char_at(const char *text, size_t at, utf8proc_int32_t *pc)
{
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)text + at, -1, pc);

    if (n <= 0) {
        *pc = -1;
        return 1;
    }
    return (size_t)n;
}

/* The ASCII digit of c (full-width made ASCII), or 0. */
static char
digit_of(utf8proc_int32_t c)
{
    if (c >= 0xff10 && c <= 0xff19)
        c -= 0xfee0;
    return c >= '0' && c <= '9' ? (char)c : 0;
}

static int
is_x(utf8proc_int32_t c)
{
    return c == 'X' || c == 'x' || c == 0xff38 || c == 0xff58;
}

static int
is_letter(utf8proc_int32_t c)
{
    if (c >= 0xff21 && c <= 0xff5a)
        c -= 0xfee0;
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* What may stand between the groups of one number. */
static int
is_separator(utf8proc_int32_t c)
{
    return c == ' ' || c == '\t' || c == 0x3000 || c == 0xa0 || c == '-' ||
           c == 0xff0d || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 ||
           c == '(' || c == ')' || c == 0xff08 || c == 0xff09;
}

/* Cut text into groups of digits.  MR_ENOMEM. */
static int
groups(struct scan *s, struct mr_err *err)
{
    size_t len = strlen(s->text), cap = 0, at = 0, gap = GAP_MAX + 1;

    s->digit = malloc(len + 1);
    s->dpos = malloc((len + 1) * sizeof(*s->dpos));
    if (!s->digit || !s->dpos)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    while (at < len) {
        utf8proc_int32_t c;
        size_t n = char_at(s->text, at, &c);
        struct group *g;

        if (!digit_of(c)) {
            gap = is_separator(c) && gap < GAP_MAX ? gap + 1 : GAP_MAX + 1;
            at += n;
            continue;
        }
        if (s->ng == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            struct group *grown = realloc(s->g, ncap * sizeof(*grown));

            if (!grown)
                return mr_fail(err, MR_ENOMEM, _("out of memory"));
            s->g = grown;
            cap = ncap;
        }
        g = &s->g[s->ng++];
        g->at = at;
        g->d0 = s->nd;
        g->joined = s->ng > 1 && gap <= GAP_MAX;
        g->x = 0;
        while (at < len && (n = char_at(s->text, at, &c)) && digit_of(c)) {
            s->dpos[s->nd] = at;
            s->digit[s->nd++] = digit_of(c);
            at += n;
        }
        if (at < len && is_x(c)) {
            s->dpos[s->nd] = at;
            s->digit[s->nd++] = 'X';
            g->x = 1;
            at += n;
        }
        g->end = at;
        g->nd = s->nd - g->d0;
        gap = 0;
    }
    return 0;
}

/* The byte where the character before byte at (> 0) starts. */
static size_t
char_before(const char *text, size_t at)
{
    do
        at--;
    while (at && ((unsigned char)text[at] & 0xc0) == 0x80);
    return at;
}

/* Whether a letter stands right before byte at, or (after) at it. */
static int
letter_next(const char *text, size_t at, int after)
{
    utf8proc_int32_t c = -1;

    if (after && text[at])
        char_at(text, at, &c);
    else if (!after && at)
        char_at(text, char_before(text, at), &c);
    return is_letter(c);
}

/*
 * Whether a phone label ends right before byte at, with only spaces and a
 * colon between: "电话：", "Tel: ".
 */
static int
labelled(const char *text, size_t at)
{
    size_t p = at;

    for (;;) {
        if (p >= 1 && (text[p - 1] == ' ' || text[p - 1] == ':'))
            p--;
        else if (p >= 3 && (!memcmp(text + p - 3, "：", 3) ||
                            !memcmp(text + p - 3, "\u3000", 3)))
            p -= 3;
        else
            break;
    }
    /* "电话号码：", "手机号：" */
    if (p >= 6 && !memcmp(text + p - 6, "号码", 6))
        p -= 6;
    else if (p >= 3 && !memcmp(text + p - 3, "号", 3))
        p -= 3;
    for (const char *const *l = cls_phone_labels; *l; l++) {
        size_t n = strlen(*l);

        if (p >= n && !strncasecmp(text + p - n, *l, n))
            return 1;
    }
    return 0;
}

static int
two(const char *d)
{
    return (d[0] - '0') * 10 + (d[1] - '0');
}

/* Whether d holds a plausible birth date: yyyymmdd, or yymmdd (short). */
static int
birth_date(const char *d, int short_year)
{
    int y = short_year ? 0 : two(d), m, day;

    if (!short_year)
        d += 2;
    m = two(d + 2);
    day = two(d + 4);
    return (short_year || y == 18 || y == 19 || y == 20) && m >= 1 && m <= 12 &&
           day >= 1 && day <= 31;
}

/*
 * The kind of the n digits d (X only last), with the digits kept in
 * front (*phead) and at the end (*ptail); -1 when they are no number to
 * mask.  A phone of 7 or 8 digits without area code needs its label.
 */
static int
kind_of(const char *d, size_t n, int label, size_t *phead, size_t *ptail)
{
    int x = d[n - 1] == 'X';

    *phead = 0;
    *ptail = 4;
    /*
     * An 18-character ID number whose check character is wrong is still
     * masked when its region and birth date are plausible: OCR misread
     * one character of it, and the others are still a person's.
     */
    if (n == 18 && d[0] >= '1' && d[0] <= '8' &&
        (cls_id_number_ok(d) || birth_date(d + 6, 0))) {
        *phead = 6;
        return CLS_PII_ID;
    }
    /* The 15-digit ID number issued until 1999: region, yymmdd, serial. */
    if (n == 15 && !x && d[0] >= '1' && d[0] <= '8' && birth_date(d + 6, 1)) {
        *phead = 6;
        *ptail = 3;
        return CLS_PII_ID;
    }
    if (x)
        return -1;
    if (n == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1' && d[3] >= '3') {
        *phead = 5;
        return CLS_PII_PHONE;
    }
    if (n == 11 && d[0] == '1' && d[1] >= '3') {
        *phead = 3;
        return CLS_PII_PHONE;
    }
    /* Landlines: 010 and 02x with 8 digits, other area codes 7 or 8. */
    if (d[0] == '0' && ((n == 11 && (d[1] == '2' || !strncmp(d, "010", 3))) ||
                        ((n == 11 || n == 12) && d[1] >= '3'))) {
        *phead = d[1] <= '2' ? 3 : 4;
        return CLS_PII_PHONE;
    }
    if (label && (n == 7 || n == 8) && d[0] >= '2')
        return CLS_PII_PHONE;
    return -1;
}

/* Append a span to *pv.  MR_ENOMEM. */
static int
span_add(struct cls_pii_span **pv, size_t *pn, size_t *pcap,
         const struct cls_pii_span *sp, struct mr_err *err)
{
    if (*pn == *pcap) {
        size_t ncap = *pcap ? 2 * *pcap : 8;
        struct cls_pii_span *grown = realloc(*pv, ncap * sizeof(*grown));

        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        *pv = grown;
        *pcap = ncap;
    }
    (*pv)[(*pn)++] = *sp;
    return 0;
}

/* The byte after digit k of s. */
static size_t
digit_end(const struct scan *s, size_t k)
{
    return s->dpos[k] + ((unsigned char)s->text[s->dpos[k]] < 0x80 ? 1 : 3);
}

int
cls_pii_find(const char *text, struct cls_pii_span **pv, size_t *pn,
             struct mr_err *err)
{
    struct scan s = {text ? text : "", NULL, 0, NULL, NULL, 0};
    char d[32];
    size_t cap = 0;
    int rc;

    *pv = NULL;
    *pn = 0;
    rc = groups(&s, err);
    for (size_t i = 0; !rc && i < s.ng;) {
        struct cls_pii_span best = {0, 0, 0, 0, CLS_PII_ID};
        size_t n = 0, last = 0, head = 0, tail = 0;
        int label = labelled(s.text, s.g[i].at), found = 0;
        size_t end = letter_next(s.text, s.g[i].at, 0) ? i : s.ng;

        for (size_t j = i; j < end; j++) {
            int kind;

            if ((j > i && !s.g[j].joined) || n + s.g[j].nd > 18 ||
                (j > i && s.g[j - 1].x))
                break;
            memcpy(d + n, s.digit + s.g[j].d0, s.g[j].nd);
            n += s.g[j].nd;
            d[n] = '\0';
            if (j + 1 < s.ng && s.g[j + 1].at == s.g[j].end)
                continue; /* a letter-less X run on: not its end */
            kind = kind_of(d, n, label, &head, &tail);
            if (kind < 0 || letter_next(s.text, s.g[j].end, 1))
                continue;
            best.kind = (enum cls_pii)kind;
            best.at = s.g[i].at;
            best.len = s.g[j].end - best.at;
            best.hide_at = s.dpos[s.g[i].d0 + head];
            best.hide_len =
                digit_end(&s, s.g[i].d0 + n - tail - 1) - best.hide_at;
            last = j;
            found = 1;
        }
        if (found)
            rc = span_add(pv, pn, &cap, &best, err);
        i = found ? last + 1 : i + 1;
    }
    if (rc) {
        free(*pv);
        *pv = NULL;
        *pn = 0;
    }
    free(s.g);
    free(s.digit);
    free(s.dpos);
    return rc;
}

/* Append text[from..to) to out at *pused, each digit in it made '*'. */
static void
copy_masked(const char *text, size_t from, size_t to, int hide, char *out,
            size_t *pused)
{
    while (from < to) {
        utf8proc_int32_t c;
        size_t n = char_at(text, from, &c);

        if (hide && digit_of(c)) {
            out[(*pused)++] = '*';
        } else {
            memcpy(out + *pused, text + from, n);
            *pused += n;
        }
        from += n;
    }
}

/*
 * The bytes at the start (or, with back, the end) of text that digits,
 * X and separators take.
 */
static size_t
edge_run(const char *text, size_t len, int back)
{
    size_t at = back ? len : 0;

    while (back ? at > 0 : at < len) {
        utf8proc_int32_t c;
        size_t p = back ? char_before(text, at) : at;
        size_t k = char_at(text, p, &c);

        if (!digit_of(c) && !is_x(c) && !is_separator(c))
            break;
        at = back ? p : p + k;
    }
    return back ? len - at : at;
}

char *
cls_pii_mask(const char *text, unsigned flags, struct mr_err *err)
{
    struct cls_pii_span *v = NULL;
    size_t n = 0, used = 0, at = 0, len, head = 0, tail = 0;
    char *out;

    if (!text)
        return NULL;
    if (cls_pii_find(text, &v, &n, err))
        return NULL;
    len = strlen(text);
    /* A masked full-width digit (3 bytes) becomes one byte. */
    out = malloc(len + 1);
    if (!out) {
        free(v);
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    if (flags & CLS_PII_CUT) {
        head = edge_run(text, len, 0);
        tail = edge_run(text, len, 1);
    }
    copy_masked(text, 0, head, 1, out, &used);
    at = head;
    for (size_t i = 0; i < n; i++) {
        size_t from = v[i].hide_at, to = v[i].hide_at + v[i].hide_len;

        if (to <= at)
            continue;
        if (from < at)
            from = at;
        copy_masked(text, at, from, 0, out, &used);
        copy_masked(text, from, to, 1, out, &used);
        at = to;
    }
    if (at < len - tail) {
        copy_masked(text, at, len - tail, 0, out, &used);
        at = len - tail;
    }
    copy_masked(text, at, len, 1, out, &used);
    out[used] = '\0';
    free(v);
    return out;
}

void
cls_pii_mask_field(char *value, enum cls_pii kind)
{
    size_t n = 0, head, k = 0, dash;

    if (!value)
        return;
    for (char *p = value; *p; p++)
        n += (*p >= '0' && *p <= '9') || *p == 'X' || *p == 'x';
    dash = strcspn(value, "-");
    if (kind == CLS_PII_ID)
        head = 6;
    else if (value[0] == '0' && value[dash])
        head = dash; /* "023-12345678": the area code */
    else if (n == 11 && value[0] == '1')
        head = 3;
    else
        head = 0;
    for (char *p = value; *p; p++) {
        int digit = (*p >= '0' && *p <= '9') || *p == 'X' || *p == 'x';

        if (digit && k >= head && k + 4 < n)
            *p = '*';
        k += digit;
    }
}
