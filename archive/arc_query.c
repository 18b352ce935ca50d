/*
 * Reading the archive: letters with their pages and joined text, search
 * over page text, and totals.  Searches of three characters or more use
 * the trigram FTS5 index; shorter ones (two Chinese characters are a whole
 * word) scan page.text.  Statements are reset before a callback runs, and
 * arc_letter_each and arc_search refuse to be nested inside one another.
 */
#include "archive/arc_int.h"

/* A growing string. */
struct buf {
    char *s;
    size_t len, cap;
};

static int
buf_add(struct buf *b, const char *s, size_t n, struct mr_err *err)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;

        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->s, cap);
        if (!p)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

const char *
arc_review_text(enum arc_review r)
{
    switch (r) {
    case ARC_REVIEW_NONE:
        break;
    case ARC_REVIEW_PENDING:
        return "pending";
    case ARC_REVIEW_CONFIRMED:
        return "confirmed";
    }
    return NULL;
}

static enum arc_review
review_of(const char *text)
{
    if (text && !strcmp(text, "pending"))
        return ARC_REVIEW_PENDING;
    if (text && !strcmp(text, "confirmed"))
        return ARC_REVIEW_CONFIRMED;
    return ARC_REVIEW_NONE;
}

void
arc_letter_release(struct arc_letter *l)
{
    if (!l)
        return;
    free(l->source);
    free(l->archived);
    free(l->language);
    free(l->pages);
    free(l->text);
    /* The decision's strings are const for arc_letter_decide's callers. */
    free((char *)l->d.validity_reason);
    free((char *)l->d.addressee);
    free((char *)l->d.mailbox);
    free((char *)l->d.department);
    free((char *)l->d.risk);
    free((char *)l->d.risk_words);
    free((char *)l->d.reasons);
    free((char *)l->d.writer_name);
    free((char *)l->d.writer_phone);
    free((char *)l->d.writer_id_number);
    free((char *)l->d.writer_id_state);
    free((char *)l->d.writer_address);
    free((char *)l->d.repeat_of);
    free(l->t.handed_over);
    free(l->t.replied);
    free(l->t.reply);
    free(l->t.closed);
    memset(l, 0, sizeof(*l));
}

/* The decisions from columns 9 on of a LETTER_COLUMNS row. */
static int
decision_fill(sqlite3_stmt *st, struct arc_decision *d, struct mr_err *err)
{
    struct {
        int col;
        const char **p;
    } const text[] = {
        {10, &d->validity_reason},
        {11, &d->addressee},
        {12, &d->mailbox},
        {13, &d->department},
        {16, &d->risk},
        {17, &d->risk_words},
        {18, &d->reasons},
        {20, &d->writer_name},
        {21, &d->writer_phone},
        {22, &d->writer_id_number},
        {23, &d->writer_id_state},
        {24, &d->writer_address},
        {26, &d->repeat_of},
    };
    int rc = 0;

    d->decided = sqlite3_column_type(st, 9) != SQLITE_NULL;
    d->valid = sqlite3_column_int(st, 9);
    d->confidence = sqlite3_column_double(st, 14);
    d->review = review_of((const char *)sqlite3_column_text(st, 15));
    d->writer_id = sqlite3_column_int64(st, 19);
    d->repeat = sqlite3_column_type(st, 25) == SQLITE_NULL
                    ? -1
                    : sqlite3_column_int(st, 25);
    for (size_t i = 0; !rc && i < sizeof(text) / sizeof(text[0]); i++) {
        char *v = NULL;

        rc = arc_column_dup(st, text[i].col, &v, err);
        *text[i].p = v;
    }
    return rc;
}

/*
 * Add the letter's pages, blank and unread counts, mean confidence and
 * joined text.
 */
static int
letter_pages(struct arc *a, struct arc_letter *l, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_LETTER_PAGES];
    struct buf text = {NULL, 0, 0};
    size_t cap = 0;
    int64_t conf_sum = 0;
    int nconf = 0, rc;

    rc = arc_bind_int(a, st, ":letter", l->id, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        const char *t = (const char *)sqlite3_column_text(st, 3);
        int blank = sqlite3_column_int(st, 1) != 0;

        rc = 0;
        if (l->npages == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            int64_t *p = realloc(l->pages, ncap * sizeof(*p));

            if (!p) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                break;
            }
            l->pages = p;
            cap = ncap;
        }
        l->pages[l->npages++] = sqlite3_column_int64(st, 0);
        l->blank_pages += blank;
        l->unread += sqlite3_column_int(st, 4) != 1;
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            conf_sum += sqlite3_column_int(st, 2);
            nconf++;
        }
        if (blank || !t || !*t)
            continue;
        if (text.len)
            rc = buf_add(&text, "\f\n", 2, err);
        if (!rc)
            rc = buf_add(&text, t, (size_t)sqlite3_column_bytes(st, 3), err);
    }
    arc_stmt_done(st);
    if (rc < 0) {
        free(text.s);
        return rc;
    }
    l->ocr_conf = nconf ? (int)((conf_sum + nconf / 2) / nconf) : -1;
    l->text = text.s;
    return 0;
}

/* The tracking from columns 27 on of a LETTER_COLUMNS row. */
static int
tracking_fill(sqlite3_stmt *st, struct arc_tracking *t, struct mr_err *err)
{
    const char *state = (const char *)sqlite3_column_text(st, 27);
    int rc;

    t->state = arc_state_of(state);
    rc = arc_column_dup(st, 28, &t->handed_over, err);
    if (!rc)
        rc = arc_column_dup(st, 29, &t->replied, err);
    if (!rc)
        rc = arc_column_dup(st, 30, &t->reply, err);
    t->rating_office = sqlite3_column_int(st, 31);
    t->rating_unit = sqlite3_column_int(st, 32);
    if (!rc)
        rc = arc_column_dup(st, 33, &t->closed, err);
    t->has_password = sqlite3_column_int(st, 34);
    t->simple = sqlite3_column_int(st, 35);
    t->bundle_id = sqlite3_column_int64(st, 36);
    return rc;
}

/* Fill l from the current row of a LETTER_COLUMNS statement. */
static int
letter_fill(sqlite3_stmt *st, struct arc_letter *l, struct mr_err *err)
{
    const char *code = (const char *)sqlite3_column_text(st, 1);
    int rc;

    memset(l, 0, sizeof(*l));
    l->id = sqlite3_column_int64(st, 0);
    snprintf(l->code, sizeof(l->code), "%s", code ? code : "");
    rc = arc_column_dup(st, 2, &l->source, err);
    if (!rc)
        rc = arc_column_dup(st, 3, &l->archived, err);
    if (!rc)
        rc = arc_column_dup(st, 6, &l->language, err);
    l->first_page = sqlite3_column_int(st, 4);
    l->page_count = sqlite3_column_int(st, 5);
    l->stack_id = sqlite3_column_int64(st, 7);
    l->questions = sqlite3_column_int(st, 8);
    if (!rc)
        rc = decision_fill(st, &l->d, err);
    if (!rc)
        rc = tracking_fill(st, &l->t, err);
    if (rc)
        arc_letter_release(l);
    return rc;
}

/* Call fn for each letter statement which (LETTER_COLUMNS) gives. */
static int
letters_of(struct arc *a, enum arc_stmt_id which,
           int (*fn)(const struct arc_letter *l, void *ctx), void *ctx,
           struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[which] : NULL;
    struct arc_letter l = {0};
    int rc;

    if (MR_NEVER(!a || !fn))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (a->stepping)
        return mr_fail(err, MR_EINVAL,
                       _("cannot list letters inside a listing or "
                         "search"));
    a->stepping = 1;
    /*
     * The page query runs while the letter query is stepping: two
     * statements of one connection, which SQLite allows.
     */
    while ((rc = arc_step(a, st, err)) == 1) {
        rc = letter_fill(st, &l, err);
        if (!rc)
            rc = letter_pages(a, &l, err);
        if (!rc)
            rc = fn(&l, ctx);
        arc_letter_release(&l);
        if (rc)
            break;
    }
    arc_stmt_done(st);
    a->stepping = 0;
    return rc;
}

int
arc_letter_each(struct arc *a, int (*fn)(const struct arc_letter *l, void *ctx),
                void *ctx, struct mr_err *err)
{
    return letters_of(a, ARC_ST_LETTER_ALL, fn, ctx, err);
}

int
arc_letter_alerts(struct arc *a,
                  int (*fn)(const struct arc_letter *l, void *ctx), void *ctx,
                  struct mr_err *err)
{
    return letters_of(a, ARC_ST_LETTER_ALERTS, fn, ctx, err);
}

/* Fail with MR_ENOTFOUND for code, saying where a retired one went. */
static int
retired_fail(struct arc *a, const char *code, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_CODE_RETIRED];
    int rc = arc_bind_text(a, st, ":code", code, -1, err);

    if (!rc)
        rc = arc_step(a, st, err);
    if (rc == 1)
        rc = mr_fail(err, MR_ENOTFOUND,
                     _("letter '%s' was merged into letter '%s' on %s"), code,
                     (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1));
    else if (rc == 0)
        rc = mr_fail(err, MR_ENOTFOUND, _("no letter has tracking code '%s'"),
                     code);
    arc_stmt_done(st);
    return rc;
}

int
arc_letter_get(struct arc *a, const char *code, struct arc_letter *l,
               struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_BY_CODE] : NULL;
    char canon[ARC_CODE_SIZE];
    int rc;

    if (l)
        memset(l, 0, sizeof(*l));
    if (MR_NEVER(!a || !code || !l))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    rc = arc_code_normalize(code, canon, err);
    if (rc)
        return rc;
    rc = arc_bind_text(a, st, ":code", canon, -1, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc == 0)
        rc = retired_fail(a, canon, err);
    else if (rc == 1)
        rc = letter_fill(st, l, err);
    arc_stmt_done(st);
    if (!rc)
        rc = letter_pages(a, l, err);
    if (rc)
        arc_letter_release(l);
    return rc;
}

/* The number of UTF-8 characters in s. */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* An FTS5 string holding q literally: "q" with inner quotes doubled. */
static char *
fts_quote(const char *q, struct mr_err *err)
{
    size_t n = 3;
    char *s, *p;

    for (const char *c = q; *c; c++)
        n += *c == '"' ? 2 : 1;
    s = malloc(n);
    if (!s) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    p = s;
    *p++ = '"';
    for (const char *c = q; *c; c++) {
        if (*c == '"')
            *p++ = '"';
        *p++ = *c;
    }
    *p++ = '"';
    *p = '\0';
    return s;
}

static int
ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Offset of the first occurrence of q in text, ignoring ASCII case as the
 * index does, or -1.  Both are valid UTF-8, so a match starts on a
 * character boundary.
 */
static long
find_ci(const char *text, const char *q)
{
    size_t qn = strlen(q);

    for (const char *t = text; *t; t++) {
        size_t i = 0;

        while (i < qn && t[i] &&
               ascii_lower((unsigned char)t[i]) ==
                   ascii_lower((unsigned char)q[i]))
            i++;
        if (i == qn)
            return (long)(t - text);
    }
    return -1;
}

#define SNIPPET_CONTEXT 20 /* characters either side of the match */

static int
utf8_cont(const char *s, size_t i)
{
    return ((unsigned char)s[i] & 0xc0) == 0x80;
}

/*
 * The text around the first match of q, about SNIPPET_CONTEXT characters
 * either side, cut on character boundaries, on one line: runs of line
 * breaks, form feeds and tabs become one space.  malloc'd.
 */
static char *
snippet(const char *text, const char *q, struct mr_err *err)
{
    size_t len = strlen(text), start, end;
    long at = find_ci(text, q);
    char *s, *p;
    int space = 0;

    start = at < 0 ? 0 : (size_t)at;
    end = at < 0 ? 0 : start + strlen(q);
    for (int i = 0; i < SNIPPET_CONTEXT && start > 0; i++) {
        start--;
        while (start > 0 && utf8_cont(text, start))
            start--;
    }
    for (int i = 0; i < SNIPPET_CONTEXT && end < len; i++) {
        end++;
        while (end < len && utf8_cont(text, end))
            end++;
    }
    s = malloc(end - start + 1);
    if (!s) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    p = s;
    for (size_t i = start; i < end; i++) {
        char c = text[i];

        if (c == '\n' || c == '\r' || c == '\f' || c == '\t' || c == '\v' ||
            c == ' ') {
            space = p > s;
            continue;
        }
        if (space)
            *p++ = ' ';
        space = 0;
        *p++ = c;
    }
    *p = '\0';
    return s;
}

int
arc_search(struct arc *a, const char *query, int limit,
           int (*fn)(const struct arc_hit *h, void *ctx), void *ctx,
           struct mr_err *err)
{
    sqlite3_stmt *st = NULL;
    char *fts = NULL;
    int rc, hits = 0;

    if (MR_NEVER(!a || !query || !fn))
        return mr_fail(err, MR_EINVAL, _("no search given"));
    if (!*query)
        return mr_fail(err, MR_EINVAL, _("the search text is empty"));
    if (a->stepping)
        return mr_fail(err, MR_EINVAL,
                       _("cannot search inside a listing or search"));
    if (utf8_chars(query) >= 3) {
        st = a->st[ARC_ST_SEARCH_FTS];
        fts = fts_quote(query, err);
        if (!fts)
            return MR_ENOMEM;
    } else {
        st = a->st[ARC_ST_SEARCH_INSTR];
    }
    a->stepping = 1;
    rc = arc_bind_text(a, st, ":q", fts ? fts : query, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":limit", limit > 0 ? limit : -1, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        const char *code = (const char *)sqlite3_column_text(st, 2);
        const char *text = (const char *)sqlite3_column_text(st, 4);
        struct arc_hit h;
        char *snip;

        rc = 0;
        snip = snippet(text ? text : "", query, err);
        if (!snip) {
            rc = MR_ENOMEM;
            break;
        }
        h.page_id = sqlite3_column_int64(st, 0);
        h.seq = sqlite3_column_int(st, 1);
        h.code = code ? code : "";
        h.source = (const char *)sqlite3_column_text(st, 3);
        if (!h.source)
            h.source = "";
        h.snippet = snip;
        hits++;
        rc = fn(&h, ctx);
        free(snip);
        if (rc) {
            rc = 0;
            break;
        }
    }
    arc_stmt_done(st);
    a->stepping = 0;
    free(fts);
    return rc < 0 ? rc : hits;
}

int
arc_page_letter(struct arc *a, int64_t page_id, char *code, char **ptext,
                struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_PAGE_LETTER] : NULL;
    int rc;

    *code = '\0';
    *ptext = NULL;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = arc_bind_int(a, st, ":id", page_id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc == 0)
        rc = mr_fail(err, MR_ENOTFOUND, _("no page with id %lld"),
                     (long long)page_id);
    if (rc == 1) {
        snprintf(code, ARC_CODE_SIZE, "%s",
                 sqlite3_column_text(st, 0)
                     ? (const char *)sqlite3_column_text(st, 0)
                     : "");
        rc = arc_column_dup(st, 1, ptext, err);
    }
    arc_stmt_done(st);
    return rc;
}

int
arc_totals(struct arc *a, struct arc_totals *t, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_TOTALS] : NULL;
    int rc;

    if (t)
        memset(t, 0, sizeof(*t));
    if (MR_NEVER(!a || !t))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = arc_step(a, st, err);
    if (rc == 1) {
        t->stacks = sqlite3_column_int64(st, 0);
        t->letters = sqlite3_column_int64(st, 1);
        t->pages = sqlite3_column_int64(st, 2);
        t->blank_pages = sqlite3_column_int64(st, 3);
        rc = 0;
    } else if (rc == 0) {
        rc = mr_fail(err, MR_EDB, _("bug: no totals row"));
    }
    arc_stmt_done(st);
    return rc;
}
