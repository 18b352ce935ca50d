/*
 * `review`: the interactive queue of the letters awaiting a reviewer's
 * confirmation, on a terminal, with ncurses (its wide-character build).
 * Risk and repeat letters come first, then the least sure decisions,
 * then the oldest.  A letter is shown with what decided each decision,
 * its flags, its handover deadline and the start of its text; one key
 * confirms it as proposed, or changes its mailbox, department or
 * validity (a change of the program's decision asks the kind of reason,
 * mr_why_id, and words of the reviewer's own), marks it for simple
 * handling, splits it at a page, merges it with the next letter of its
 * stack, or skips it.
 *
 * Invariants: every action is made at once through the commands' own
 * functions (mr_confirm_one, mr_letter_split_at, mr_letters_merge in
 * mr_correct.c), each in its own transaction, so the audit table names
 * the reviewer, the change and the reason; no stack is open while a key
 * is awaited; the letter on screen is read again after every change.
 * While the screen is in use, stderr goes to a temporary file: what the
 * library logs shows on the status line and is written out at the end.
 * The key wait polls mr_interrupted, so a SIGINT or SIGTERM that comes
 * while an action runs ends the session as surely as one that comes
 * while a key is awaited: the terminal is restored (endwin), the
 * captured stderr written out, the summary printed, and the exit code
 * is MR_EXIT_INTERRUPTED.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <curses.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#if !defined(NCURSES_WIDECHAR) || !NCURSES_WIDECHAR
#error "review needs the wide-character ncurses (pkg-config ncursesw)"
#endif

/* How a letter of the queue ended. */
enum outcome {
    OUT_NONE,      /* not yet reviewed */
    OUT_CONFIRMED, /* confirmed as proposed */
    OUT_CHANGED,   /* confirmed otherwise, or split or merged */
    OUT_SKIPPED,   /* left unconfirmed */
    OUT_GONE       /* merged away, or settled by someone else meanwhile */
};

/* A letter of the queue. */
struct item {
    char code[ARC_CODE_SIZE];
    int64_t id;
    int alert;         /* a risk or repeat letter */
    double confidence; /* of its decisions; 0 when undecided */
    char archived[MR_TIME_SIZE];
    int simple;  /* simple handling asked for: 1 or 0; -1 not touched */
    int changed; /* its boundaries were changed (split, merge) */
    enum outcome out;
};

/* The queue, in review order. */
struct queue {
    struct item *v;
    size_t n, cap;
    const char *mailbox; /* --mailbox: only letters proposed for it */
    struct mr_err err;
};

/* The letter on screen, as the archive has it now. */
struct view {
    struct arc_letter l;
    char *text;      /* its pages, each after a heading line */
    char *questions; /* open boundary questions, one a line */
    json_t *reasons; /* l.d.reasons parsed, NULL when none */
    int top;         /* the first text line shown */
};

/* The review session. */
struct ui {
    const struct mr_cli *cli;
    const char *who;
    struct arc *a;
    struct mr_judge *judge;
    struct queue q;
    size_t cur; /* the queue position on screen */
    struct view v;
    int loaded; /* v holds the letter at cur */
    long today;
    int full;  /* repaint the whole screen next time */
    int quit;  /* the reviewer quit (or the terminal went away) */
    int color; /* the terminal has colours */
    char status[512];
    int status_bad; /* status is an error */
    int confirmed, changed, skipped;
    FILE *log;        /* stderr while the screen is in use */
    int saved_stderr; /* the real stderr meanwhile */
    off_t seen;       /* of log, shown on the status line already */
};

/* Keys of a list's entries; q is left out, it cancels. */
static const char pick_keys[] = "123456789abcdefghijklmnoprstuvwxyz";

#define ESC 27

/* How long a key wait lasts before mr_interrupted is looked at again. */
#define KEY_POLL_MS 200

/* Errors that end the session: the archive or memory failed. */
static int
fatal(int rc)
{
    return rc == MR_EDB || rc == MR_ENOMEM;
}

/* Add letter l to the queue when it awaits review (arc_letter_each). */
static int
queue_add(const struct arc_letter *l, void *ctx)
{
    struct queue *q = ctx;
    struct item *e;

    if (l->d.review == ARC_REVIEW_CONFIRMED || l->t.state > ARC_STATE_SORTED)
        return 0;
    if (q->mailbox && (!l->d.mailbox || strcmp(q->mailbox, l->d.mailbox)))
        return 0;
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        struct item *grown = realloc(q->v, cap * sizeof(*grown));

        if (!grown)
            return mr_fail(&q->err, MR_ENOMEM, _("out of memory"));
        q->v = grown;
        q->cap = cap;
    }
    e = &q->v[q->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->code, l->code, sizeof(e->code));
    e->id = l->id;
    e->alert = l->d.risk != NULL || l->d.repeat > 0;
    e->confidence = l->d.decided ? l->d.confidence : 0;
    snprintf(e->archived, sizeof(e->archived), "%s",
             l->archived ? l->archived : "");
    e->simple = -1;
    return 0;
}

/* Risk and repeat letters first, then the least sure, then the oldest. */
static int
review_order(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    int c;

    if (a->alert != b->alert)
        return a->alert ? -1 : 1;
    if (a->confidence != b->confidence)
        return a->confidence < b->confidence ? -1 : 1;
    c = strcmp(a->archived, b->archived);
    if (c)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Put a new letter (split off the one on screen) after position at. */
static int
queue_insert_after(struct queue *q, size_t at, const char *code,
                   struct mr_err *err)
{
    struct item *e;

    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        struct item *grown = realloc(q->v, cap * sizeof(*grown));

        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        q->v = grown;
        q->cap = cap;
    }
    memmove(&q->v[at + 2], &q->v[at + 1], (q->n - at - 1) * sizeof(*q->v));
    q->n++;
    e = &q->v[at + 1];
    memset(e, 0, sizeof(*e));
    snprintf(e->code, sizeof(e->code), "%s", code);
    e->simple = -1;
    return 0;
}

/* A growing string. */
struct sbuf {
    char *s;
    size_t len, cap;
    int failed; /* out of memory: the string is cut */
};

static void sb_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *grown;

        while (b->len + n + 1 > cap)
            cap *= 2;
        grown = realloc(b->s, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (w > 0)
        sb_add(b, buf, (size_t)w < sizeof(buf) ? (size_t)w : sizeof(buf) - 1);
}

/* Forget the letter on screen.  Accepts an empty view. */
static void
view_release(struct view *v)
{
    arc_letter_release(&v->l);
    free(v->text);
    free(v->questions);
    json_decref(v->reasons);
    memset(v, 0, sizeof(*v));
}

static int
add_question(const struct arc_question *q, void *ctx)
{
    sb_addf(ctx, _("boundary at page %d: %s\n"), q->seq,
            q->reason ? q->reason : "");
    return 0;
}

/* Heading lines of the text start with this byte; they show in bold. */
#define HEADING '\x1e'

/*
 * Read letter code into v: the letter, its pages' text under a heading
 * each (numbered as in the source), its open questions and its reasons.
 */
static int
view_load(struct arc *a, const char *code, struct view *v, struct mr_err *err)
{
    struct sbuf text = {NULL, 0, 0, 0}, qs = {NULL, 0, 0, 0};
    struct arc_stack_page *pages = NULL;
    size_t npages = 0;
    int rc;

    view_release(v);
    rc = arc_letter_get(a, code, &v->l, err);
    if (!rc)
        rc = arc_stack_pages(a, v->l.stack_id, &pages, &npages, err);
    for (size_t i = 0; !rc && i < npages; i++) {
        const struct arc_stack_page *p = &pages[i];

        if (p->letter_id != v->l.id)
            continue;
        sb_add(&text, (const char[]){HEADING}, 1);
        if (p->flags & MR_PAGE_BLANK)
            sb_addf(&text, _("-- page %d: blank --\n"), p->seq);
        else if (!p->processed)
            sb_addf(&text, _("-- page %d: not read yet --\n"), p->seq);
        else if (!p->text || !*p->text)
            sb_addf(&text, _("-- page %d: no text --\n"), p->seq);
        else {
            sb_addf(&text, _("-- page %d --\n"), p->seq);
            sb_add(&text, p->text, strlen(p->text));
            if (p->text[strlen(p->text) - 1] != '\n')
                sb_add(&text, "\n", 1);
        }
    }
    if (!rc)
        rc = arc_letter_questions(a, v->l.id, add_question, &qs, err);
    if (!rc && (text.failed || qs.failed))
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    arc_stack_pages_free(&pages, npages);
    v->text = text.s;
    v->questions = qs.s;
    if (!rc && v->l.d.reasons)
        v->reasons = json_loads(v->l.d.reasons, 0, NULL);
    if (rc)
        view_release(v);
    return rc;
}

/* Set the status line; bad marks an error. */
static void status_set(struct ui *u, int bad, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
status_set(struct ui *u, int bad, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(u->status, sizeof(u->status), fmt, ap);
    va_end(ap);
    u->status_bad = bad;
}

/* Send stderr to a temporary file while the screen is in use. */
static void
capture_begin(struct ui *u)
{
    fflush(stderr);
    u->saved_stderr = -1;
    u->seen = 0;
    u->log = tmpfile();
    if (!u->log)
        return;
    u->saved_stderr = dup(STDERR_FILENO);
    if (u->saved_stderr < 0 || dup2(fileno(u->log), STDERR_FILENO) < 0) {
        if (u->saved_stderr >= 0)
            close(u->saved_stderr);
        u->saved_stderr = -1;
        fclose(u->log);
        u->log = NULL;
    }
}

/*
 * Show the last line logged since the last look on the status line,
 * unless the status holds an error already.
 */
static void
capture_show(struct ui *u)
{
    char buf[2048], *line, *end;
    const char *prefix = "mailroom: ";
    struct stat st;
    off_t from;
    ssize_t k;

    if (!u->log)
        return;
    fflush(stderr);
    if (fstat(fileno(u->log), &st) || st.st_size <= u->seen)
        return;
    from = st.st_size - u->seen > (off_t)sizeof(buf) - 1
               ? st.st_size - ((off_t)sizeof(buf) - 1)
               : u->seen;
    k = pread(fileno(u->log), buf, sizeof(buf) - 1, from);
    u->seen = st.st_size;
    if (k <= 0)
        return;
    buf[k] = '\0';
    end = buf + strlen(buf);
    while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
        *--end = '\0';
    line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    if (!strncmp(line, prefix, strlen(prefix)))
        line += strlen(prefix);
    if (*line && !u->status_bad)
        status_set(u, strstr(line, _("error")) != NULL, "%s", line);
}

/* Give stderr back and write out what was logged meanwhile. */
static void
capture_end(struct ui *u)
{
    char buf[4096];
    off_t off = 0;
    ssize_t k;

    if (!u->log)
        return;
    fflush(stderr);
    dup2(u->saved_stderr, STDERR_FILENO);
    close(u->saved_stderr);
    u->saved_stderr = -1;
    while ((k = pread(fileno(u->log), buf, sizeof(buf), off)) > 0) {
        fwrite(buf, 1, (size_t)k, stderr);
        off += k;
    }
    fclose(u->log);
    u->log = NULL;
}

/*
 * Draw n bytes of UTF-8 s (up to its NUL) at row y, column x, in at most
 * cols columns, with attributes attr: cut at a character boundary
 * (Chinese characters take two columns), control characters shown as
 * spaces, bytes that are not UTF-8 as U+FFFD.  Returns the columns used.
 */
static int
put(int y, int x, const char *s, size_t n, int cols, attr_t attr)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
    const utf8proc_uint8_t *end = p + (s ? n : 0);
    int used = 0;

    if (cols <= 0)
        return 0;
    move(y, x);
    wattr_on(stdscr, attr, NULL);
    while (p < end && *p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p, end - p, &c);
        wchar_t w;
        int width;

        if (k <= 0) {
            c = 0xfffd;
            k = 1;
        }
        p += k;
        if (c < 0x20 || (c >= 0x7f && c < 0xa0))
            c = ' ';
        width = utf8proc_charwidth(c);
        if (width <= 0)
            continue;
        if (used + width > cols)
            break;
        w = (wchar_t)c;
        addnwstr(&w, 1);
        used += width;
    }
    wattr_off(stdscr, attr, NULL);
    return used;
}

/* put() of a NUL-terminated string. */
static int
puts_at(int y, int x, const char *s, int cols, attr_t attr)
{
    return put(y, x, s, s ? strlen(s) : 0, cols, attr);
}

/* put() of a formatted line. */
static int putf(int y, int x, int cols, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
putf(int y, int x, int cols, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return puts_at(y, x, buf, cols, attr);
}

/*
 * The next line of text *pp in width columns: its start into *ps and
 * length into *pn; English is broken at a space when it can be.  *pp
 * moves past it.  0 at the end of the text.
 */
static int
wrap_line(const char **pp, int width, const char **ps, size_t *pn)
{
    const char *p = *pp, *space = NULL;
    int used = 0;

    if (!*p)
        return 0;
    *ps = p;
    while (*p && *p != '\n') {
        utf8proc_int32_t c;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &c);
        int w;

        if (k <= 0) {
            c = 0xfffd;
            k = 1;
        }
        w = c < 0x20 ? 1 : utf8proc_charwidth(c);
        if (w < 0)
            w = 0;
        if (used + w > width && p > *ps)
            break;
        if (c == ' ')
            space = p;
        used += w;
        p += k;
    }
    if (!*p || *p == '\n') {
        *pn = (size_t)(p - *ps);
        *pp = *p ? p + 1 : p;
    } else if (space && space > *ps) {
        *pn = (size_t)(space - *ps);
        *pp = space + 1;
    } else {
        *pn = (size_t)(p - *ps);
        *pp = p;
    }
    return 1;
}

/* A line being composed. */
struct line {
    char s[1024];
    size_t n;
};

static void line_add(struct line *ln, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line_add(struct line *ln, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (ln->n >= sizeof(ln->s) - 1)
        return;
    va_start(ap, fmt);
    w = vsnprintf(ln->s + ln->n, sizeof(ln->s) - ln->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        ln->n = ln->n + (size_t)w < sizeof(ln->s) ? ln->n + (size_t)w
                                                  : sizeof(ln->s) - 1;
}

/* The string at o.k1.k2 (k2 may be NULL), or NULL. */
static const char *
jstr(json_t *o, const char *k1, const char *k2)
{
    json_t *j = json_object_get(o, k1);

    if (k2)
        j = json_object_get(j, k2);
    return json_string_value(j);
}

/* The integer at o.k1.k2 (k2 may be NULL), or dflt. */
static long long
jint(json_t *o, const char *k1, const char *k2, long long dflt)
{
    json_t *j = json_object_get(o, k1);

    if (k2)
        j = json_object_get(j, k2);
    return json_is_integer(j) ? (long long)json_integer_value(j) : dflt;
}

/* The simple handling the letter on screen gets on confirmation. */
static int
simple_now(const struct ui *u)
{
    const struct item *e = &u->q.v[u->cur];

    return e->simple >= 0 ? e->simple : u->v.l.t.simple;
}

/*
 * "pages ... received ... from ...": the letter's paper, received on the
 * office's day (the day its deadlines count from).
 */
static void
line_paper(const struct ui *u, struct line *ln)
{
    const struct arc_letter *l = &u->v.l;
    const char *file = l->source ? strrchr(l->source, '/') : NULL;
    char day[MR_DAY_SIZE];

    line_add(ln, ngettext("%d page", "%d pages", (unsigned long)l->page_count),
             l->page_count);
    if (l->blank_pages)
        line_add(ln, _(" (%d blank)"), l->blank_pages);
    if (l->unread)
        line_add(ln, _(", %d not read yet"), l->unread);
    mr_day_text(mr_office_day(u->judge->catalog, l->archived), day);
    line_add(ln, _("   received %s"), day);
    line_add(ln, _("   from %s"),
             file        ? file + 1
             : l->source ? l->source
                         : "-");
}

/* The handover deadline, simple handling and the confidence. */
static void
line_due(const struct ui *u, struct line *ln)
{
    struct arc_letter l = u->v.l; /* a shallow copy, never released */
    const struct arc_decision *d = &u->v.l.d;
    char day[MR_DAY_SIZE];
    struct mr_due due;
    long left;

    l.t.simple = simple_now(u);
    if (mr_letter_due(u->judge->catalog, &l, u->today, &due)) {
        mr_day_text(due.handover_due, day);
        left = due.handover_due - u->today;
        if (left > 0)
            line_add(ln,
                     ngettext("handover due %s (%ld day left)",
                              "handover due %s (%ld days left)",
                              (unsigned long)left),
                     day, left);
        else if (left == 0)
            line_add(ln, _("handover due %s (today)"), day);
        else
            line_add(ln,
                     ngettext("handover due %s (%ld day late)",
                              "handover due %s (%ld days late)",
                              (unsigned long)-left),
                     day, -left);
    } else {
        line_add(ln, _("no handover: an invalid letter"));
    }
    line_add(ln, _("   simple handling: %s"), l.t.simple ? _("yes") : _("no"));
    if (l.t.simple != u->v.l.t.simple)
        line_add(ln, _(" (on confirmation)"));
    if (d->decided)
        line_add(ln, _("   confidence %.2f%s"), d->confidence,
                 d->review == ARC_REVIEW_PENDING ? _(" (for review)") : "");
    else
        line_add(ln, _("   not decided yet"));
}

/* The writer, as far as the letter says. */
static void
line_writer(const struct ui *u, struct line *ln)
{
    const struct arc_decision *d = &u->v.l.d;

    if (!d->writer_name && !d->writer_phone && !d->writer_id_number &&
        !d->writer_address) {
        line_add(ln, _("writer: not named in the letter"));
        return;
    }
    line_add(ln, _("writer: %s"), d->writer_name ? d->writer_name : "-");
    if (d->writer_phone)
        line_add(ln, _("   phone %s"), d->writer_phone);
    if (d->writer_id_number)
        line_add(ln, _("   ID %s%s"), d->writer_id_number,
                 d->writer_id_state && !strcmp(d->writer_id_state, "damaged")
                     ? _(" (damaged, not trusted)")
                     : "");
    if (d->writer_address)
        line_add(ln, _("   address %s"), d->writer_address);
}

/* Whom the letter addresses, and by which words. */
static void
line_addressee(const struct ui *u, struct line *ln)
{
    const struct arc_decision *d = &u->v.l.d;
    const char *words = jstr(u->v.reasons, "addressee", "words");
    char label[256];

    if (!d->addressee) {
        line_add(ln, d->decided && d->valid
                         ? _("addressed to: no mailbox named in its opening")
                         : _("addressed to: -"));
        return;
    }
    line_add(
        ln, _("addressed to: %s"),
        mr_box_label(u->judge->catalog, d->addressee, label, sizeof(label)));
    if (words)
        line_add(ln, _(", by \"%s\""), words);
}

/* Valid or not, and the words or measures that decided it. */
static void
line_validity(const struct ui *u, struct line *ln)
{
    const struct arc_decision *d = &u->v.l.d;
    json_t *v = json_object_get(u->v.reasons, "validity");
    const char *why = d->validity_reason ? d->validity_reason : "";
    const char *words;
    long long score;

    if (!d->decided) {
        line_add(ln, _("valid: not decided yet"));
        return;
    }
    if (d->valid) {
        words = jstr(v, "request", "words");
        score = jint(v, "request", "score", 0);
        if (words)
            line_add(ln, _("valid: yes; it asks: %s (score %lld)"), words,
                     score);
        else
            line_add(ln, _("valid: yes"));
    } else if (!strcmp(why, "blank")) {
        line_add(ln, _("valid: no, blank: %lld characters read"),
                 jint(v, "characters", NULL, 0));
    } else if (!strcmp(why, "illegible")) {
        line_add(ln, _("valid: no, illegible: OCR confidence %lld%%"),
                 jint(v, "ocr_confidence", NULL, -1));
    } else if (!strcmp(why, "advertising") || !strcmp(why, "article")) {
        words = jstr(v, why, "words");
        line_add(ln, _("valid: no, %s: %s (score %lld)"), why,
                 words ? words : "-", jint(v, why, "score", 0));
    } else if (jstr(v, "request", "words")) {
        line_add(ln, _("valid: no, %s: it asks too little: %s (score %lld)"),
                 why, jstr(v, "request", "words"),
                 jint(v, "request", "score", 0));
    } else {
        line_add(ln,
                 _("valid: no, %s: no request, complaint, report or "
                   "suggestion found"),
                 why);
    }
    if (json_object_get(v, "pages_read"))
        line_add(ln, _(" (decided from %lld of %lld pages)"),
                 jint(v, "pages_read", "read", 0),
                 jint(v, "pages_read", "of", 0));
}

/* The proposed mailbox, and why it is that one. */
static void
line_mailbox(const struct ui *u, struct line *ln)
{
    const struct arc_decision *d = &u->v.l.d;
    const struct cls_mailbox *box =
        d->mailbox ? cls_catalog_find(u->judge->catalog, d->mailbox) : NULL;
    char label[256];

    if (!d->decided) {
        line_add(ln, _("mailbox: not decided yet"));
        return;
    }
    line_add(ln, _("mailbox: %s"),
             mr_box_label(u->judge->catalog, d->mailbox, label, sizeof(label)));
    if (!d->valid)
        line_add(ln, _(", archived and never routed"));
    else if (box && box->leader)
        line_add(ln, _(", the leader the letter addresses"));
    else if (d->mailbox && !strcmp(d->mailbox, "other"))
        line_add(ln, _(", for a person to sort"));
    else
        line_add(ln, _(", its department's"));
}

/* The proposed department and what decided it. */
static void
line_department(const struct ui *u, struct line *ln)
{
    const struct arc_decision *d = &u->v.l.d;
    json_t *r = u->v.reasons;
    const char *by = jstr(r, "department", "by");
    const char *words = jstr(r, "department", "words");
    const char *next = jstr(r, "department", "runner_up");
    char label[256];

    if (!d->decided || !d->valid) {
        line_add(ln, d->decided ? _("department: none, an invalid letter")
                                : _("department: not decided yet"));
        return;
    }
    line_add(
        ln, _("department: %s"),
        mr_box_label(u->judge->catalog, d->department, label, sizeof(label)));
    if (by && !strcmp(by, "model")) {
        json_t *m = json_object_get(r, "model");

        line_add(ln, _(", by the model (%.2f, learnt from %lld letters): %s"),
                 json_number_value(json_object_get(m, "confidence")),
                 jint(m, "letters", NULL, 0),
                 jstr(m, "words", NULL) ? jstr(m, "words", NULL) : "-");
        return;
    }
    if (words && *words)
        line_add(ln, _(": %s (score %lld)"), words,
                 jint(r, "department", "score", 0));
    if (json_is_true(
            json_object_get(json_object_get(r, "department"), "addressed")))
        line_add(ln, _(", addressed"));
    if (next)
        line_add(ln, _("; next %s (%lld)"), next,
                 jint(r, "department", "runner_up_score", 0));
}

/* Colour pairs. */
enum { PAIR_RED = 1, PAIR_YELLOW };

static attr_t
alarm_attr(const struct ui *u, int red)
{
    if (!u->color)
        return A_BOLD;
    return A_BOLD | (attr_t)COLOR_PAIR(red ? PAIR_RED : PAIR_YELLOW);
}

/* Draw the flags: risk, repeat, open boundary questions.  New y. */
static int
paint_flags(const struct ui *u, int y, int last, int cols)
{
    const struct arc_decision *d = &u->v.l.d;
    json_t *risk = json_object_get(u->v.reasons, "risk");
    const char *q = u->v.questions;

    if (d->risk && y <= last) {
        struct line ln = {"", 0};
        const char *kind;
        json_t *words;

        line_add(&ln, _("RISK "));
        if (json_object_size(risk)) {
            int first = 1;

            json_object_foreach(risk, kind, words)
            {
                line_add(&ln, "%s%s: %s", first ? "" : "; ", kind,
                         json_string_value(words) ? json_string_value(words)
                                                  : "");
                first = 0;
            }
        } else {
            line_add(&ln, "%s: %s", d->risk,
                     d->risk_words ? d->risk_words : "");
        }
        line_add(&ln, _("  (report to leaders at once)"));
        puts_at(y++, 0, ln.s, cols, alarm_attr(u, 1));
    }
    if (d->repeat > 0 && y <= last)
        putf(y++, 0, cols, alarm_attr(u, 1), _("REPEAT of %s"),
             d->repeat_of ? d->repeat_of : "-");
    while (q && *q && y <= last) {
        const char *nl = strchr(q, '\n');
        size_t n = nl ? (size_t)(nl - q) : strlen(q);

        put(y++, 0, q, n, cols, alarm_attr(u, 0));
        q += n + (nl != NULL);
    }
    return y;
}

/* Draw the text of the letter on screen in rows y..last. */
static void
paint_text(struct ui *u, int y, int last, int cols)
{
    const char *p = u->v.text ? u->v.text : "", *s;
    int height = last - y + 1, total = 0, n = 0;
    size_t len;

    if (height <= 0)
        return;
    for (const char *t = p; wrap_line(&t, cols, &s, &len);)
        total++;
    if (u->v.top > total - height)
        u->v.top = total - height;
    if (u->v.top < 0)
        u->v.top = 0;
    if (!total)
        puts_at(y, 0, _("(no text)"), cols, A_DIM);
    while (y <= last && wrap_line(&p, cols, &s, &len)) {
        if (n++ < u->v.top)
            continue;
        if (len && *s == HEADING)
            put(y++, 0, s + 1, len - 1, cols, A_BOLD);
        else
            put(y++, 0, s, len, cols, A_NORMAL);
    }
}

/* The keys, as the bottom line shows them. */
static const struct {
    const char *key, *label;
} key_bar[] = {
    {"c", N_("ok")},    {"m", N_("mailbox")}, {"d", N_("dept")},
    {"v", N_("valid")}, {"i", N_("invalid")}, {"s", N_("simple")},
    {"p", N_("split")}, {"j", N_("merge")},   {"n", N_("skip")},
    {"q", N_("quit")},  {"?", N_("help")},
};

/* Draw the bottom line of keys on row y. */
static void
paint_keys(int y, int cols)
{
    int x = 0;

    for (size_t i = 0; i < sizeof(key_bar) / sizeof(key_bar[0]); i++) {
        const char *label = _(key_bar[i].label);
        int need = mr_text_width(key_bar[i].key) + 1 + mr_text_width(label);

        if (x + need > cols)
            break;
        x += puts_at(y, x, key_bar[i].key, cols - x, A_REVERSE);
        x += puts_at(y, x, " ", cols - x, A_NORMAL);
        x += puts_at(y, x, label, cols - x, A_NORMAL);
        x += puts_at(y, x, " ", cols - x, A_NORMAL);
    }
}

/* The letters of the queue still in it, and the place of the current. */
static void
queue_place(const struct ui *u, size_t *ppos, size_t *ptotal)
{
    *ppos = *ptotal = 0;
    for (size_t i = 0; i < u->q.n; i++) {
        if (u->q.v[i].out == OUT_GONE)
            continue;
        ++*ptotal;
        if (i <= u->cur)
            *ppos = *ptotal;
    }
}

/*
 * Draw the title line: what is on screen, and what was done (with the
 * help key when keys has it).
 */
static void
paint_title(const struct ui *u, const char *what, int keys, int cols)
{
    char right[256];
    int x, w;

    move(0, 0);
    wattr_on(stdscr, A_REVERSE, NULL);
    hline(' ', cols);
    wattr_off(stdscr, A_REVERSE, NULL);
    x = puts_at(0, 0, what, cols, A_REVERSE | A_BOLD);
    snprintf(right, sizeof(right), _("%d confirmed, %d changed, %d skipped %s"),
             u->confirmed, u->changed, u->skipped, keys ? _("  ? help ") : "");
    w = mr_text_width(right);
    if (x + 2 + w <= cols)
        puts_at(0, cols - w, right, w, A_REVERSE);
}

/* Fill the screen for the letter on screen (no refresh). */
static void
paint(struct ui *u)
{
    static void (*const lines[])(const struct ui *, struct line *) = {
        line_paper,    line_due,     line_writer,    line_addressee,
        line_validity, line_mailbox, line_department};
    struct line ln;
    char what[256];
    size_t pos, total;
    int rows, cols, y = 1;

    getmaxyx(stdscr, rows, cols);
    if (u->full) {
        clear();
        u->full = 0;
    } else {
        erase();
    }
    if (rows < 12 || cols < 40) {
        puts_at(0, 0, _("the terminal is too small: 40x12 at least"), cols,
                A_BOLD);
        return;
    }
    queue_place(u, &pos, &total);
    snprintf(what, sizeof(what), _(" review %zu/%zu  %s"), pos, total,
             u->v.l.code);
    paint_title(u, what, 1, cols);
    /* The proposal itself, mailbox and department, in bold. */
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        memset(&ln, 0, sizeof(ln));
        lines[i](u, &ln);
        puts_at(y++, 0, ln.s, cols, i >= 5 ? A_BOLD : A_NORMAL);
    }
    /* Four rows of flags at most; one row of text at least. */
    y = paint_flags(u, y, rows - 4 < y + 3 ? rows - 4 : y + 3, cols);
    paint_text(u, y, rows - 3, cols);
    puts_at(rows - 2, 0, u->status, cols,
            u->status_bad ? alarm_attr(u, 1) : A_NORMAL);
    paint_keys(rows - 1, cols - 1);
}

/* Milliseconds from a to b. */
static long
ms_between(const struct timespec *a, const struct timespec *b)
{
    return (long)(b->tv_sec - a->tv_sec) * 1000 +
           (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * Whether the terminal went away: get_wch gave up at once (not after
 * KEY_POLL_MS) and the input is at its end or hung up.
 */
static int
input_gone(void)
{
    struct pollfd p;

    memset(&p, 0, sizeof(p));
    p.fd = STDIN_FILENO;
    p.events = POLLIN;
    return poll(&p, 1, 0) > 0 &&
           (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL));
}

/*
 * Wait for a key into *pwc; returns what get_wch returns.  The wait
 * (timeout KEY_POLL_MS) starts again until a key comes, so that an
 * interruption that came while the screen was busy is seen too.  ERR
 * when interrupted (mr_interrupted) or when the terminal went away:
 * the session ends (u->quit).  A key already read is returned even if
 * a signal came meanwhile; the next wait ends the session.
 */
static int
get_key(struct ui *u, wint_t *pwc)
{
    while (!mr_interrupted) {
        struct timespec t0, t1;
        int r, e;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        errno = 0;
        r = get_wch(pwc);
        e = errno;
        if (r != ERR)
            return r;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!mr_interrupted && e != EINTR &&
            ms_between(&t0, &t1) < KEY_POLL_MS / 2 && input_gone())
            break;
    }
    u->quit = 1;
    return ERR;
}

/* A choice in a list. */
struct choice {
    const char *id;
    const char *label, *more; /* may be NULL */
};

/*
 * Let the reviewer pick one of the n choices, the one at at marked
 * first: by its key, or with the arrows and Enter.  Its index, or -1
 * when cancelled (Esc, q).
 */
static int
pick(struct ui *u, const char *title, const struct choice *c, size_t n,
     size_t at)
{
    size_t top = 0, nkeys = sizeof(pick_keys) - 1;
    int chosen = -1;

    if (at >= n)
        at = 0;
    u->full = 1;
    while (!u->quit) {
        int rows, cols, shown, r;
        wint_t wc;

        getmaxyx(stdscr, rows, cols);
        if (u->full) {
            clear();
            u->full = 0;
        } else {
            erase();
        }
        shown = rows - 4 > 1 ? rows - 4 : 1;
        if (at < top)
            top = at;
        if (at >= top + (size_t)shown)
            top = at - (size_t)shown + 1;
        paint_title(u, title, 0, cols);
        for (size_t i = top; i < n && i < top + (size_t)shown; i++) {
            attr_t attr = i == at ? A_REVERSE : A_NORMAL;
            int y = 2 + (int)(i - top);

            putf(y, 0, cols, attr, "%c) %s%s%s%s%s",
                 i < nkeys ? pick_keys[i] : ' ', c[i].id,
                 c[i].label ? "  " : "", c[i].label ? c[i].label : "",
                 c[i].more ? "  " : "", c[i].more ? c[i].more : "");
        }
        puts_at(rows - 1, 0,
                _("press an entry's key, or choose with the arrows and "
                  "Enter; Esc or q: back"),
                cols - 1, A_DIM);
        refresh();
        r = get_key(u, &wc);
        if (r == ERR)
            break;
        if (r == KEY_CODE_YES) {
            if (wc == KEY_UP && at > 0)
                at--;
            else if (wc == KEY_DOWN && at + 1 < n)
                at++;
            else if (wc == KEY_ENTER) {
                chosen = (int)at;
                break;
            }
            continue;
        }
        if (wc == '\n' || wc == '\r') {
            chosen = (int)at;
            break;
        }
        if (wc == ESC || wc == 'q')
            break;
        for (size_t i = 0; i < nkeys && i < n; i++)
            if ((wint_t)(unsigned char)pick_keys[i] == wc)
                chosen = (int)i;
        if (chosen >= 0)
            break;
        beep();
    }
    u->full = 1;
    return chosen;
}

/*
 * Ask for a line of text on the status line, prompt before it: 1 with
 * the text in out (UTF-8, size bytes), 0 when cancelled (Esc).
 */
static int
ask_text(struct ui *u, const char *prompt, char *out, size_t size)
{
    utf8proc_int32_t in[160];
    size_t n = 0;
    int done = 0;

    out[0] = '\0';
    u->full = 1;
    curs_set(1);
    while (!u->quit && !done) {
        char shown[sizeof(in) / sizeof(in[0]) * 4 + 1];
        size_t first = 0, len;
        int rows, cols, x, r;
        wint_t wc;

        paint(u);
        getmaxyx(stdscr, rows, cols);
        move(rows - 2, 0);
        clrtoeol();
        x = puts_at(rows - 2, 0, prompt, cols - 2, A_BOLD);
        /* The end of what is typed, as much as fits. */
        for (;;) {
            len = 0;
            for (size_t i = first; i < n; i++)
                len += (size_t)utf8proc_encode_char(
                    in[i], (utf8proc_uint8_t *)shown + len);
            shown[len] = '\0';
            if (first >= n || mr_text_width(shown) <= cols - 1 - x)
                break;
            first++;
        }
        puts_at(rows - 2, x, shown, cols - 1 - x, A_NORMAL);
        refresh();
        r = get_key(u, &wc);
        if (r == ERR)
            break;
        if (r == KEY_CODE_YES) {
            if (wc == KEY_BACKSPACE && n > 0)
                n--;
            else if (wc == KEY_ENTER)
                done = 1;
            continue;
        }
        if (wc == '\n' || wc == '\r') {
            done = 1;
        } else if (wc == ESC) {
            break;
        } else if (wc == 127 || wc == 8) {
            if (n > 0)
                n--;
        } else if (wc == 21) { /* Ctrl-U */
            n = 0;
        } else if (wc >= 0x20 && wc <= 0x10ffff &&
                   !(wc >= 0xd800 && wc <= 0xdfff) &&
                   n < sizeof(in) / sizeof(in[0])) {
            in[n++] = (utf8proc_int32_t)wc;
        } else {
            beep();
        }
    }
    curs_set(0);
    u->full = 1;
    if (!done)
        return 0;
    for (size_t i = 0, len = 0; i < n; i++) {
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(in[i], enc);

        if (k <= 0 || len + (size_t)k >= size)
            break;
        memcpy(out + len, enc, (size_t)k);
        len += (size_t)k;
        out[len] = '\0';
    }
    return 1;
}

/* Ask a question on the status line: 1 when the answer is y. */
static int
ask_yes(struct ui *u, const char *question)
{
    int rows, cols, r;
    wint_t wc;

    do {
        paint(u);
        getmaxyx(stdscr, rows, cols);
        move(rows - 2, 0);
        clrtoeol();
        puts_at(rows - 2, 0, question, cols - 1, A_BOLD);
        refresh();
        r = get_key(u, &wc);
    } while (r == KEY_CODE_YES && wc == KEY_RESIZE);
    u->full = 1;
    return r == OK && (wc == 'y' || wc == 'Y');
}

/* Pick a department of the catalogue; its id, or NULL when cancelled. */
static const char *
pick_department(struct ui *u, const char *title)
{
    const struct cls_catalog *cat = u->judge->catalog;
    size_t n = cls_catalog_size(cat), k = 0, at = 0;
    struct choice *c = calloc(n ? n : 1, sizeof(*c));
    const char *id = NULL;
    int i;

    if (!c) {
        status_set(u, 1, "%s", _("out of memory"));
        return NULL;
    }
    for (size_t j = 0; j < n; j++) {
        const struct cls_mailbox *m = cls_catalog_mailbox(cat, j);

        if (m->leader)
            continue;
        if (u->v.l.d.department && !strcmp(m->id, u->v.l.d.department))
            at = k;
        c[k].id = m->id;
        c[k].label = m->name_zh;
        c[k++].more = m->name;
    }
    i = pick(u, title, c, k, at);
    if (i >= 0)
        id = c[i].id;
    free(c);
    return id;
}

/* Pick a mailbox of the catalogue; its id, or NULL when cancelled. */
static const char *
pick_mailbox(struct ui *u)
{
    const struct cls_catalog *cat = u->judge->catalog;
    size_t n = cls_catalog_size(cat), at = 0;
    struct choice *c = calloc(n ? n : 1, sizeof(*c));
    char title[256];
    const char *id = NULL;
    int i;

    if (!c) {
        status_set(u, 1, "%s", _("out of memory"));
        return NULL;
    }
    for (size_t j = 0; j < n; j++) {
        const struct cls_mailbox *m = cls_catalog_mailbox(cat, j);

        if (u->v.l.d.mailbox && !strcmp(m->id, u->v.l.d.mailbox))
            at = j;
        c[j].id = m->id;
        c[j].label = m->name_zh;
        c[j].more = m->name;
    }
    snprintf(title, sizeof(title), _(" the mailbox of letter %s"), u->v.l.code);
    i = pick(u, title, c, n, at);
    if (i >= 0)
        id = c[i].id;
    free(c);
    return id;
}

/* What field (of mr_confirm_check) is, in words. */
static const char *
field_text(const char *field)
{
    if (!strcmp(field, "valid"))
        return _("validity");
    if (!strcmp(field, "validity_reason"))
        return _("reason for invalidity");
    if (!strcmp(field, "mailbox"))
        return _("mailbox");
    if (!strcmp(field, "department"))
        return _("department");
    return field;
}

/*
 * Ask why the reviewer overrides field: the kind of reason into
 * act->why, and words of their own (needed for "other") into text,
 * act->reason pointing to it when given.  0 when cancelled.
 */
static int
ask_why(struct ui *u, const char *field, struct mr_cli *act, char *text,
        size_t size)
{
    struct choice c[16];
    char title[256];
    size_t n = 0;
    int i;

    memset(c, 0, sizeof(c));
    for (const char *id; n < sizeof(c) / sizeof(c[0]) && (id = mr_why_id(n));
         n++) {
        c[n].id = id;
        c[n].label = mr_why_text(id);
    }
    snprintf(title, sizeof(title),
             _(" changing the %s of letter %s: the kind of reason"),
             field_text(field), u->v.l.code);
    i = pick(u, title, c, n, 0);
    if (i < 0)
        return 0;
    act->why = c[i].id;
    if (!ask_text(u,
                  strcmp(act->why, "other")
                      ? _("your reason (Enter for none): ")
                      : _("your reason (needed for 'other'): "),
                  text, size))
        return 0;
    act->reason = *text ? text : NULL;
    if (!strcmp(act->why, "other") && !act->reason) {
        status_set(u, 1, "%s",
                   _("'other' needs your reason: nothing was changed"));
        return 0;
    }
    return 1;
}

/* A command line for an action of the reviewer's: nothing asked yet. */
static struct mr_cli
action_cli(const struct ui *u)
{
    struct mr_cli act = *u->cli;

    act.mailbox = NULL;
    act.department = NULL;
    act.valid = -1;
    act.invalid_reason = NULL;
    act.why = NULL;
    act.reason = NULL;
    act.simple = -1;
    act.at = 0;
    return act;
}

/*
 * Confirm the letter on screen as act says, asking for the reason of an
 * override first.  0 when done, refused or cancelled (the status line
 * says which; a confirmed letter leaves the screen), else a fatal error.
 */
static int
confirm(struct ui *u, struct mr_cli *act)
{
    struct mr_err err = MR_ERR_INIT;
    struct item *e = &u->q.v[u->cur];
    const char *field = NULL;
    struct arc_letter now;
    char text[512];
    int rc;

    act->simple = e->simple;
    if (!u->v.l.d.decided && act->valid < 0 && !act->mailbox &&
        !act->department) {
        status_set(u, 1,
                   _("letter %s has not been decided yet: press d for its "
                     "department, or i if it is invalid"),
                   u->v.l.code);
        return 0;
    }
    rc = mr_confirm_check(act, u->judge->catalog, &u->v.l, &field, &err);
    if (rc) {
        status_set(u, 1, "%s", err.msg);
        return 0;
    }
    if (field && !ask_why(u, field, act, text, sizeof(text))) {
        if (!u->status_bad)
            status_set(u, 0, "%s", _("nothing was changed"));
        return 0;
    }
    rc = mr_confirm_one(act, u->a, u->judge, u->who, u->v.l.code, NULL, &err);
    capture_show(u);
    if (rc) {
        status_set(u, 1, "%s", err.msg);
        return fatal(rc) ? rc : 0;
    }
    e->out = field || e->changed ? OUT_CHANGED : OUT_CONFIRMED;
    if (e->out == OUT_CHANGED)
        u->changed++;
    else
        u->confirmed++;
    memset(&now, 0, sizeof(now));
    if (!arc_letter_get(u->a, u->v.l.code, &now, &err))
        status_set(u, 0, _("letter %s confirmed: %s, %s"), now.code,
                   now.d.mailbox ? now.d.mailbox : "-",
                   now.d.department ? now.d.department : "-");
    arc_letter_release(&now);
    u->cur++;
    u->loaded = 0;
    return 0;
}

/* Mark the letter on screen valid, with a department if it had none. */
static int
mark_valid(struct ui *u)
{
    struct mr_cli act = action_cli(u);
    const struct arc_decision *d = &u->v.l.d;
    char title[256];

    act.valid = 1;
    if (!(d->decided && d->valid)) {
        snprintf(title, sizeof(title),
                 _(" letter %s is valid: its responsible department"),
                 u->v.l.code);
        act.department = pick_department(u, title);
        if (!act.department)
            return 0;
    }
    return confirm(u, &act);
}

/* Mark the letter on screen invalid, for a reason picked. */
static int
mark_invalid(struct ui *u)
{
    static const char *const labels[] = {
        N_("nothing written"),
        N_("OCR could not read it with confidence"),
        N_("no request, complaint, report or suggestion"),
        N_("a copy of a published article"),
        N_("an advertisement"),
        N_("a long manuscript with no request"),
    };
    struct choice c[sizeof(labels) / sizeof(labels[0])];
    struct mr_cli act = action_cli(u);
    char title[256];
    size_t at = 0;
    int i;

    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        c[k].id = cls_invalid_id((enum cls_invalid)(CLS_INVALID_BLANK + k));
        c[k].label = _(labels[k]);
        c[k].more = NULL;
        if (u->v.l.d.validity_reason &&
            !strcmp(c[k].id, u->v.l.d.validity_reason))
            at = k;
    }
    snprintf(title, sizeof(title), _(" letter %s is invalid: why"),
             u->v.l.code);
    i = pick(u, title, c, sizeof(c) / sizeof(c[0]), at);
    if (i < 0)
        return 0;
    act.valid = 0;
    act.invalid_reason = c[i].id;
    return confirm(u, &act);
}

/* Give the letter on screen another mailbox. */
static int
choose_mailbox(struct ui *u)
{
    struct mr_cli act = action_cli(u);
    const struct arc_decision *d = &u->v.l.d;
    const struct cls_mailbox *box;
    char title[256];

    act.mailbox = pick_mailbox(u);
    if (!act.mailbox)
        return 0;
    box = cls_catalog_find(u->judge->catalog, act.mailbox);
    /* A leader's letter needs a department too: ask when none was found. */
    if (box && box->leader && !(d->decided && d->valid)) {
        snprintf(title, sizeof(title),
                 _(" letter %s to %s: its responsible department"), u->v.l.code,
                 act.mailbox);
        act.department = pick_department(u, title);
        if (!act.department)
            return 0;
    }
    return confirm(u, &act);
}

/* Give the letter on screen another responsible department. */
static int
choose_department(struct ui *u)
{
    struct mr_cli act = action_cli(u);
    char title[256];

    snprintf(title, sizeof(title), _(" the responsible department of %s"),
             u->v.l.code);
    act.department = pick_department(u, title);
    if (!act.department)
        return 0;
    return confirm(u, &act);
}

/* Split the letter on screen at a page the reviewer gives. */
static int
split(struct ui *u)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_cli act = action_cli(u);
    const struct arc_letter *l = &u->v.l;
    char prompt[256], page[32], reason[512];
    char canon[ARC_CODE_SIZE], new_code[ARC_CODE_SIZE];
    char *end = NULL;
    long at;
    int rc;

    snprintf(prompt, sizeof(prompt),
             _("split letter %s at page (%d-%d, Esc: back): "), l->code,
             l->first_page, l->first_page + l->page_count - 1);
    if (!ask_text(u, prompt, page, sizeof(page)))
        return 0;
    errno = 0;
    at = strtol(page, &end, 10);
    if (errno || end == page || *end || at <= 0 || at > INT32_MAX) {
        status_set(u, 1, _("'%s' is not a page number"), page);
        return 0;
    }
    if (!ask_text(u, _("why split here (Enter for no reason): "), reason,
                  sizeof(reason)))
        return 0;
    act.at = (int)at;
    act.reason = *reason ? reason : NULL;
    rc = mr_letter_split_at(&act, u->a, u->judge, u->who, l->code, canon,
                            new_code, &err);
    capture_show(u);
    if (rc) {
        status_set(u, 1, "%s", err.msg);
        return fatal(rc) ? rc : 0;
    }
    if (new_code[0]) {
        u->q.v[u->cur].changed = 1;
        rc = queue_insert_after(&u->q, u->cur, new_code, &err);
        if (rc) {
            status_set(u, 1, "%s", err.msg);
            return rc;
        }
        status_set(u, 0,
                   _("letter %s split at page %d: pages from %d on are now "
                     "letter %s, next in the queue"),
                   canon, act.at, act.at, new_code);
    } else {
        status_set(u, 0,
                   _("page %d already begins letter %s: boundary confirmed"),
                   act.at, canon);
    }
    u->loaded = 0;
    return 0;
}

/* The letter after another one in its stack (arc_letter_each). */
struct next_letter {
    int64_t stack;
    int after; /* the other's last page */
    char code[ARC_CODE_SIZE];
    int first, count;
};

static int
find_next(const struct arc_letter *l, void *ctx)
{
    struct next_letter *f = ctx;

    if (l->stack_id == f->stack && l->first_page > f->after &&
        (!f->code[0] || l->first_page < f->first)) {
        memcpy(f->code, l->code, sizeof(f->code));
        f->first = l->first_page;
        f->count = l->page_count;
    }
    return 0;
}

/* Merge the letter on screen with the next letter of its stack. */
static int
merge(struct ui *u)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_cli act = action_cli(u);
    const struct arc_letter *l = &u->v.l;
    char reason[512], question[512];
    char c1[ARC_CODE_SIZE], c2[ARC_CODE_SIZE], kept[ARC_CODE_SIZE];
    struct next_letter f;
    int rc;

    memset(&f, 0, sizeof(f));
    f.stack = l->stack_id;
    f.after = l->first_page + l->page_count - 1;
    rc = arc_letter_each(u->a, find_next, &f, &err);
    if (rc) {
        status_set(u, 1, "%s", err.msg);
        return fatal(rc) ? rc : 0;
    }
    if (!f.code[0]) {
        status_set(u, 1,
                   _("letter %s is the last of its stack: nothing to "
                     "merge it with"),
                   l->code);
        return 0;
    }
    snprintf(question, sizeof(question),
             _("merge %s with the next letter, %s (pages %d-%d)? y/n"), l->code,
             f.code, f.first, f.first + f.count - 1);
    if (!ask_yes(u, question)) {
        status_set(u, 0, "%s", _("nothing was changed"));
        return 0;
    }
    if (!ask_text(u, _("why merge (Enter for no reason): "), reason,
                  sizeof(reason)))
        return 0;
    act.reason = *reason ? reason : NULL;
    rc = mr_letters_merge(&act, u->a, u->judge, u->who, l->code, f.code, c1, c2,
                          kept, &err);
    capture_show(u);
    if (rc) {
        status_set(u, 1, "%s", err.msg);
        return fatal(rc) ? rc : 0;
    }
    /* The merged-away letter leaves the queue; the kept one is on screen. */
    for (size_t i = 0; i < u->q.n; i++)
        if (i != u->cur &&
            (!strcmp(u->q.v[i].code, c1) || !strcmp(u->q.v[i].code, c2)))
            u->q.v[i].out = OUT_GONE;
    snprintf(u->q.v[u->cur].code, sizeof(u->q.v[u->cur].code), "%s", kept);
    u->q.v[u->cur].changed = 1;
    status_set(u, 0, _("letters %s and %s merged: tracking code %s"), c1, c2,
               kept);
    u->loaded = 0;
    return 0;
}

/* The help screen, until a key is pressed. */
static void
help(struct ui *u)
{
    static const char *const lines[] = {
        N_("c, Enter   confirm the letter as proposed"),
        N_("m          put it in another mailbox of the catalogue"),
        N_("d          give it another responsible department"),
        N_("v          mark it valid (asks its department if it had none)"),
        N_("i          mark it invalid, for a reason picked from a list"),
        N_("s          simple handling on or off, saved on confirmation"),
        N_("p          split it at a page (asks the page number)"),
        N_("j          merge it with the next letter of its stack"),
        N_("n          skip it: it stays unconfirmed, for later"),
        N_("Space, b   the next or previous screen of its text (also "
           "PgDn, PgUp, arrows)"),
        N_("q          quit: what was done stays done"),
        "",
        N_("A change of the program's decision asks for the kind of reason"),
        N_("and, if you like, your own words.  Every action is saved at"),
        N_("once, under your name, in the letter's history."),
    };
    wint_t wc;
    int r;

    do {
        int rows, cols;

        getmaxyx(stdscr, rows, cols);
        clear();
        paint_title(u, _(" review: keys"), 0, cols);
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
            if (2 + (int)i < rows - 1)
                puts_at(2 + (int)i, 1, *lines[i] ? _(lines[i]) : "", cols - 1,
                        A_NORMAL);
        puts_at(rows - 1, 0, _("press any key"), cols - 1, A_DIM);
        refresh();
        r = get_key(u, &wc);
    } while (r == KEY_CODE_YES && wc == KEY_RESIZE);
    u->full = 1;
}

/*
 * Keys for the letter on screen, until it leaves the screen (confirmed,
 * skipped) or the reviewer quits.  0, or a fatal error.
 */
static int
letter_keys(struct ui *u)
{
    int rc = 0;

    while (!rc && !u->quit && u->loaded) {
        struct item *e = &u->q.v[u->cur];
        int rows, page, r;
        wint_t wc;

        paint(u);
        refresh();
        /* A screen of text: the rows below the letter's details. */
        rows = getmaxy(stdscr);
        page = rows > 14 ? rows - 14 : 1;
        r = get_key(u, &wc);
        if (r == ERR)
            break;
        if (r == KEY_CODE_YES) {
            switch (wc) {
            case KEY_ENTER: {
                struct mr_cli act = action_cli(u);

                u->status[0] = '\0';
                u->status_bad = 0;
                rc = confirm(u, &act);
                break;
            }
            case KEY_NPAGE:
                u->v.top += page;
                break;
            case KEY_PPAGE:
                u->v.top -= page;
                break;
            case KEY_DOWN:
                u->v.top++;
                break;
            case KEY_UP:
                u->v.top--;
                break;
            case KEY_HOME:
                u->v.top = 0;
                break;
            case KEY_RESIZE:
                u->full = 1;
                break;
            default:
                beep();
            }
            continue;
        }
        if (wc == ' ') {
            u->v.top += page;
            continue;
        }
        if (wc == 'b') {
            u->v.top -= page;
            continue;
        }
        u->status[0] = '\0';
        u->status_bad = 0;
        switch (wc) {
        case 'c':
        case '\n':
        case '\r': {
            struct mr_cli act = action_cli(u);

            rc = confirm(u, &act);
            break;
        }
        case 'm':
            rc = choose_mailbox(u);
            break;
        case 'd':
            rc = choose_department(u);
            break;
        case 'v':
            rc = mark_valid(u);
            break;
        case 'i':
            rc = mark_invalid(u);
            break;
        case 's':
            e->simple = !simple_now(u);
            status_set(u, 0,
                       e->simple ? _("simple handling on: saved when you "
                                     "confirm the letter")
                                 : _("simple handling off: saved when you "
                                     "confirm the letter"));
            break;
        case 'p':
            rc = split(u);
            break;
        case 'j':
            rc = merge(u);
            break;
        case 'n':
            e->out = e->changed ? OUT_CHANGED : OUT_SKIPPED;
            if (e->changed)
                u->changed++;
            else
                u->skipped++;
            status_set(u, 0, _("letter %s skipped: it stays unconfirmed"),
                       e->code);
            u->cur++;
            u->loaded = 0;
            break;
        case 'q':
            u->quit = 1;
            break;
        case '?':
        case 'h':
            help(u);
            break;
        default:
            beep();
            status_set(u, 0, "%s", _("no such key: ? shows the keys"));
        }
    }
    return rc;
}

/* The screen after the last letter, until q. */
static void
done_screen(struct ui *u)
{
    u->full = 1;
    while (!u->quit) {
        int rows, cols, r;
        wint_t wc;

        getmaxyx(stdscr, rows, cols);
        if (u->full) {
            clear();
            u->full = 0;
        } else {
            erase();
        }
        paint_title(u, _(" review: nothing left"), 0, cols);
        puts_at(2, 1, _("every letter of the queue was reviewed or skipped"),
                cols - 1, A_NORMAL);
        puts_at(rows - 2, 0, u->status, cols,
                u->status_bad ? alarm_attr(u, 1) : A_NORMAL);
        puts_at(rows - 1, 0, _("q: quit"), cols - 1, A_REVERSE);
        refresh();
        r = get_key(u, &wc);
        if (r == ERR ||
            (r == OK && (wc == 'q' || wc == '\n' || wc == '\r' || wc == ESC)))
            break;
        if (r == KEY_CODE_YES && wc == KEY_RESIZE)
            u->full = 1;
    }
}

/* Go through the queue.  0, or a fatal error (in err). */
static int
run(struct ui *u, struct mr_err *err)
{
    int rc = 0;

    u->cur = 0;
    while (!rc && !u->quit) {
        struct item *e;

        if (u->cur >= u->q.n) {
            done_screen(u);
            break;
        }
        e = &u->q.v[u->cur];
        if (e->out != OUT_NONE) {
            u->cur++;
            continue;
        }
        rc = view_load(u->a, e->code, &u->v, err);
        if (rc && !fatal(rc)) {
            /* Gone meanwhile (merged by someone else): on to the next. */
            status_set(u, 1, "%s", err->msg);
            mr_err_clear(err);
            e->out = OUT_GONE;
            rc = 0;
            continue;
        }
        if (rc)
            break;
        if (u->v.l.d.review == ARC_REVIEW_CONFIRMED ||
            u->v.l.t.state > ARC_STATE_SORTED) {
            status_set(u, 0, _("letter %s was confirmed meanwhile"), e->code);
            e->out = OUT_GONE;
            continue;
        }
        u->loaded = 1;
        u->full = 1;
        rc = letter_keys(u);
        if (rc)
            mr_fail(err, rc, "%s", u->status);
    }
    /* A letter left on screen after a split or merge was changed. */
    if (u->quit && u->loaded && u->q.v[u->cur].changed &&
        u->q.v[u->cur].out == OUT_NONE) {
        u->q.v[u->cur].out = OUT_CHANGED;
        u->changed++;
    }
    return rc;
}

/*
 * Run the session on the terminal.  0 (also when interrupted); MR_EINVAL
 * when the terminal cannot be driven; else a fatal error (in err).
 * However it ends, the terminal is given back (endwin) and what was
 * logged meanwhile is written to stderr before it returns.
 */
static int
session(struct ui *u, struct mr_err *err)
{
    const char *term = getenv("TERM");
    SCREEN *scr;
    int rc;

    scr = newterm(NULL, stdout, stdin);
    if (!scr)
        return mr_fail(err, MR_EINVAL,
                       _("cannot use terminal type '%s': set TERM"),
                       term ? term : "");
    set_term(scr);
    capture_begin(u);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    timeout(KEY_POLL_MS);
    curs_set(0);
    set_escdelay(50);
    if (has_colors() && start_color() == OK) {
        use_default_colors();
        init_pair(PAIR_RED, COLOR_RED, -1);
        init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
        u->color = 1;
    }
    rc = run(u, err);
    endwin();
    delscreen(scr);
    capture_end(u);
    return rc;
}

int
mr_cmd_review(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_judge judge = {NULL, NULL};
    int rc, reviewed;
    struct ui u;

    memset(&u, 0, sizeof(u));
    u.q.err = (struct mr_err)MR_ERR_INIT;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        mr_log(MR_LOG_ERROR, _("'review' needs a terminal; scripts use "
                               "'mailroom confirm'"));
        return MR_EXIT_USAGE;
    }
    u.cli = cli;
    u.who = mr_reviewer(cli);
    if (!u.who)
        return MR_EXIT_USAGE;
    u.a = mr_open_both(cli, &judge, &rc);
    if (!u.a)
        return rc;
    u.judge = &judge;
    rc = mr_mailbox_check(judge.catalog, cli->mailbox, 1);
    if (rc)
        goto out;
    u.q.mailbox = cli->mailbox;
    u.today = cls_catalog_day(judge.catalog, mr_now());
    rc = arc_letter_each(u.a, queue_add, &u.q, &err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", u.q.err.code ? u.q.err.msg : err.msg);
        rc = mr_exit_code(rc);
        goto out;
    }
    if (u.q.n)
        qsort(u.q.v, u.q.n, sizeof(*u.q.v), review_order);
    if (!u.q.n && cli->mailbox)
        fprintf(stderr, _("no letter in mailbox '%s' awaits review\n"),
                cli->mailbox);
    else if (!u.q.n)
        fprintf(stderr, "%s\n", _("no letter awaits review"));
    else
        rc = session(&u, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    rc = rc == MR_EINVAL ? MR_EXIT_USAGE : mr_exit_code(rc);
    /* Interrupted: the model learns after the next confirmation instead. */
    if (u.confirmed + u.changed && !mr_interrupted) {
        mr_err_clear(&err);
        if (mr_model_retrain_due(u.a, judge.catalog, u.who, &err)) {
            mr_log(MR_LOG_ERROR, "%s", err.msg);
            if (!rc)
                rc = mr_exit_code(err.code);
        }
    }
    reviewed = u.confirmed + u.changed + u.skipped;
    printf(ngettext("reviewed %d letter: %d confirmed, %d changed, "
                    "%d skipped\n",
                    "reviewed %d letters: %d confirmed, %d changed, "
                    "%d skipped\n",
                    (unsigned long)reviewed),
           reviewed, u.confirmed, u.changed, u.skipped);
    if (!rc && mr_interrupted)
        rc = MR_EXIT_INTERRUPTED;
out:
    view_release(&u.v);
    free(u.q.v);
    arc_close(&u.a);
    mr_judge_close(&judge);
    return rc;
}
