/*
 * Reading archived stacks, shared by import, scan and process: stored
 * pages are cleaned and OCR'd by the pool of readers (mr_pool.c), split
 * into letters, and each letter judged.  This file is the one thread that
 * writes the archive; it feeds the pool and writes what it reads.  A page
 * moves through these states (page.processed):
 *
 *   STORED (0) ---- in the pool ----> results written ----> READ (1)
 *   as delivered   (its pixels from     (a batch a stack,
 *        |          intake, or loaded    one transaction)          ^
 *        |          from the archive)                              |
 *        | survey: the rest of a long letter                       |
 *        v                                                         |
 *   DEFERRED (2) ------------------------------------------------'
 *   blank or not known     read after every other stack's pages
 *
 * A stack of more pages than a long letter has is surveyed first (its
 * blank pages and separator sheets found without OCR): a letter in it too
 * long to read whole (cls_read_first) has its first pages and a sample
 * read now and the rest marked DEFERRED, so the letter is decided and the
 * stacks behind it are not held up; the rest is read at the end and the
 * letter judged again on its whole text.  A stack's letters are made once
 * all its pages are read.  Results are committed as they come, so a crash
 * loses no work done and a rerun does nothing twice.  A stack is taken
 * (arc_stack_take) before it is read, so that two mailrooms on one
 * archive do not both read it: one that another has taken is left to it.
 *
 * Memory: the pool holds at most MR_POOL_SLOTS pages a worker; a page
 * that finds it full is read later from the archive, so a stack of any
 * length is never held whole.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"
#include "ocr/ocr.h"

#include <leptonica/allheaders.h>
#include <stdarg.h>
#include <time.h>

/* Pages in the pool a worker: one read, one waiting. */
#define MR_POOL_SLOTS 2

/* The state of a page of a stack taken on. */
enum page_state {
    PAGE_STORED, /* stored, to be read */
    PAGE_FLIGHT, /* in the pool */
    PAGE_DONE,   /* read, results written */
    PAGE_SKIP,   /* not read now: deferred, read before, or failed */
};

struct stack_page {
    int64_t id;
    int seq;
    enum page_state state;
};

struct stack_work {
    int64_t id;
    char *label;
    struct stack_page *pages;
    size_t npages, cap;
    size_t next;   /* no page before it is PAGE_STORED */
    int complete;  /* every page stored, pages listed and planned */
    int failed;    /* a page could not be read: left for `process` */
    int done;      /* letters made (or failed) */
    int read;      /* pages read this run */
    int elsewhere; /* another mailroom reads it (arc_stack_take): left */
};

/* A long letter whose deferred rest is being read. */
struct rest_letter {
    char code[ARC_CODE_SIZE];
    int left;      /* pages not read yet; -1: one failed, -2: all read, said */
    int pages;     /* the letter's pages */
    int confirmed; /* a reviewer settled it: not judged again */
    char *mailbox; /* decided before its rest was read, or NULL */
};

/* A deferred page of rest letter letter (an index into rest). */
struct rest_page {
    int64_t stack, id;
    size_t letter;
};

struct mr_reader {
    const struct mr_cli *cli;
    struct arc *a;
    const struct mr_judge *judge;
    struct mr_pool *pool;
    struct stack_work *stacks;
    size_t nstacks, cap;
    int archived; /* pages given by intake */
    int to_read;  /* pages known to need reading */
    int read, blank, letters;
    int failed; /* the error code of the last failure, 0: none */
    int failed_stacks, failed_letters;
    double started;           /* monotonic seconds */
    double drawn;             /* when the progress line was last drawn */
    char doing[160];          /* intake's part of the progress line */
    int shown;                /* the progress line is on the terminal */
    struct rest_letter *rest; /* long letters whose rest is read */
    size_t nrest;
    struct mr_job *stash;         /* read while surveying, to be written */
    struct rest_page *rest_pages; /* their deferred pages, letter by letter */
    size_t nrest_pages, rest_next;
};

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether a failure stops the whole run, not just its stack or letter. */
static int
fatal(int code)
{
    return code == MR_EDB || code == MR_EBUSY || code == MR_ENOMEM ||
           code == MR_EINTR;
}

static void
draw(struct mr_reader *r)
{
    double elapsed = now_seconds() - r->started;
    double rate = elapsed > 0 ? r->read * 60.0 / elapsed : 0.0;
    int left = r->to_read - r->read;

    fprintf(stderr, "\r\033[K");
    if (r->doing[0])
        fprintf(stderr, "%s; ", r->doing);
    fprintf(stderr, _("%d pages archived, %d read"), r->archived, r->read);
    if (r->read > 0 && rate > 0) {
        fprintf(stderr, _(", %.0f pages/min"), rate);
        if (left > 0)
            fprintf(stderr, _(", about %d min left"),
                    (int)(left / rate + 0.999));
    }
    fflush(stderr);
    r->shown = 1;
    r->drawn = now_seconds();
}

void
mr_reader_progress(struct mr_reader *r, const char *doing)
{
    if (!r->cli->progress)
        return;
    snprintf(r->doing, sizeof(r->doing), "%s", doing ? doing : "");
    draw(r);
}

/* The progress line, from a format. */
static void say(struct mr_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct mr_reader *r, const char *fmt, ...)
{
    char buf[160];
    va_list ap;

    if (!r->cli->progress)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    mr_reader_progress(r, buf);
}

/* Take the progress line off the terminal before a message. */
static void
clear_line(struct mr_reader *r)
{
    if (r->shown) {
        fprintf(stderr, "\r\033[K");
        r->shown = 0;
    }
}

/* Redraw the line when something changed and a moment has passed. */
static void
tick(struct mr_reader *r)
{
    if (r->cli->progress && now_seconds() - r->drawn >= 0.25)
        draw(r);
}

/* Stack s failed this run: its pages stay for `mailroom process`. */
static void
fail_stack(struct mr_reader *r, struct stack_work *s)
{
    if (s->failed)
        return;
    s->failed = 1;
    r->failed_stacks++;
    clear_line(r);
    mr_log(MR_LOG_WARN,
           _("the pages of '%s' are archived; 'mailroom process' reads them"),
           s->label);
}

/* Report a failure that stops one stack or letter, not the run. */
static void
report(struct mr_reader *r, struct mr_err *err)
{
    clear_line(r);
    mr_log(MR_LOG_ERROR, "%s", err->msg);
    r->failed = err->code;
    mr_err_clear(err);
}

static struct stack_work *
find_stack(struct mr_reader *r, int64_t id)
{
    for (size_t i = 0; i < r->nstacks; i++)
        if (r->stacks[i].id == id)
            return &r->stacks[i];
    return NULL;
}

static struct stack_page *
find_page(struct stack_work *s, int64_t id)
{
    for (size_t i = s->npages; i-- > 0;)
        if (s->pages[i].id == id)
            return &s->pages[i];
    return NULL;
}

static struct stack_page *
add_page(struct stack_work *s, int64_t id, int seq, struct mr_err *err)
{
    struct stack_page *p;

    if (s->npages == s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 16;
        struct stack_page *grown = realloc(s->pages, ncap * sizeof(*grown));

        if (!grown) {
            mr_fail(err, MR_ENOMEM, _("out of memory"));
            return NULL;
        }
        s->pages = grown;
        s->cap = ncap;
    }
    p = &s->pages[s->npages++];
    p->id = id;
    p->seq = seq;
    p->state = PAGE_STORED;
    return p;
}

/*
 * Defer, in the open stack, the pages of letter pages[first..last] (as
 * surveyed) that need not be read before it is decided; counts them into
 * *pdeferred.
 */
static int
defer_rest(const struct cls_catalog *catalog, struct arc *a,
           const struct arc_stack_page *pages, struct mr_page *surveyed,
           size_t first, size_t last, int *pdeferred, struct mr_err *err)
{
    int content = 0, i = 0, rc = 0;

    for (size_t k = first; k <= last; k++)
        content += !(surveyed[k].flags & MR_PAGE_BLANK);
    for (size_t k = first; !rc && k <= last; k++) {
        if (surveyed[k].flags & MR_PAGE_BLANK)
            continue;
        if (cls_read_first(catalog, (int)(last - first + 1), content, i++) ||
            pages[k].processed)
            continue;
        surveyed[k].flags |= MR_PAGE_PENDING | MR_PAGE_DEFERRED;
        rc = arc_page_set_results(a, pages[k].id, &surveyed[k], err);
        (*pdeferred)++;
    }
    return rc;
}

/* The index in pages of the page numbered seq (present: cls_split's). */
static size_t
index_of(const struct arc_stack_page *pages, size_t n, int seq)
{
    size_t i = 0;

    while (i + 1 < n && pages[i].seq != seq)
        i++;
    return i;
}

/*
 * Hand stored page sp to the pool to be surveyed (ocr_page_survey), not
 * read.  MR_ENOMEM; a page that cannot be loaded is an error for its
 * stack (MR_EIO, MR_EFORMAT).
 */
static int
put_survey(struct mr_reader *r, const struct arc_stack_page *sp,
           struct mr_err *err)
{
    struct mr_job *job = calloc(1, sizeof(*job));
    int rc;

    if (!job)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    job->page_id = sp->id;
    job->seq = sp->seq;
    job->survey = 1;
    rc = arc_page_load(r->a, sp->id, &job->pix, err);
    if (rc) {
        free(job);
        return rc;
    }
    mr_pool_put(r->pool, job);
    return 0;
}

/* Keep a read job that came while surveying, for the next poll. */
static void
stash(struct mr_reader *r, struct mr_job *job)
{
    struct mr_job **pp = &r->stash;

    while (*pp)
        pp = &(*pp)->next;
    job->next = NULL;
    *pp = job;
}

/*
 * Survey the unread pages of pages[0..n) (as surveyed[] has them) on the
 * pool: size, blank, separator sheet, no OCR; the results into
 * surveyed[].  Read results that come meanwhile are stashed.
 */
static int
survey_all(struct mr_reader *r, const char *label,
           const struct arc_stack_page *pages, size_t n,
           struct mr_page *surveyed, struct mr_err *err)
{
    size_t next = 0, want = 0, got = 0;
    struct mr_job *job;
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        want += !pages[i].processed;
    while (!rc && got < want && !mr_interrupted) {
        while (!rc && next < n && mr_pool_room(r->pool) > 0) {
            if (!pages[next].processed)
                rc = put_survey(r, &pages[next], err);
            next++;
        }
        job = rc ? NULL : mr_pool_take(r->pool, 1);
        if (!job)
            continue;
        if (!job->survey) {
            stash(r, job);
            continue;
        }
        got++;
        say(r, _("%s: looking for letters, page %d of %zu"), label, job->seq,
            n);
        if (job->rc) {
            rc = mr_fail(err, job->rc, "%s", job->err.msg);
        } else {
            size_t i = index_of(pages, n, job->seq);

            mr_page_release(&surveyed[i]);
            surveyed[i] = job->page;
            mr_page_init(&job->page);
        }
        mr_job_free(job);
    }
    mr_reader_progress(r, NULL);
    return rc;
}

/*
 * Before a long stack is read: find its letters by its separator sheets
 * and defer the rest of each long letter.  Stacks split by text, and
 * stacks too short to hold a long letter, are read whole.
 */
static int
plan_reading(struct mr_reader *r, int64_t stack, const char *label,
             const struct arc_stack_page *pages, size_t n, struct mr_err *err)
{
    const struct mr_judge *judge = r->judge;
    struct arc *a = r->a;
    struct mr_page *surveyed = NULL;
    struct cls_page *roles = NULL;
    struct cls_separation sep = {0};
    int rc = 0, deferred = 0;

    if (r->cli->split_by_text ||
        n <= (size_t)cls_catalog_long_pages(judge->catalog))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (pages[i].flags & MR_PAGE_DEFERRED)
            return 0; /* planned by an earlier run */
    surveyed = calloc(n, sizeof(*surveyed));
    roles = calloc(n, sizeof(*roles));
    if (!surveyed || !roles) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        mr_page_init(&surveyed[i]);
        surveyed[i].seq = pages[i].seq;
        surveyed[i].flags = pages[i].flags;
    }
    rc = survey_all(r, label, pages, n, surveyed, err);
    for (size_t i = 0; i < n; i++) {
        roles[i].seq = pages[i].seq;
        roles[i].flags = surveyed[i].flags;
    }
    mr_reader_progress(r, NULL);
    if (!rc && mr_interrupted)
        rc = mr_fail(err, MR_EINTR, _("interrupted"));
    if (!rc)
        rc = cls_split(roles, n, 0, &sep, err);
    if (!rc)
        rc = arc_stack_resume(a, stack, NULL, err);
    for (size_t i = 0; !rc && i < sep.nletters; i++)
        rc =
            defer_rest(judge->catalog, a, pages, surveyed,
                       index_of(pages, n, sep.letters[i].first),
                       index_of(pages, n, sep.letters[i].last), &deferred, err);
    if (!rc && deferred)
        rc = arc_stack_commit(a, err);
    arc_stack_abort(a); /* nothing to keep when nothing was deferred */
    if (!rc && deferred)
        fprintf(stderr,
                _("%s: a long letter: %d of its pages will be read after "
                  "the other work\n"),
                label, deferred);
out:
    for (size_t i = 0; surveyed && i < n; i++)
        mr_page_release(&surveyed[i]);
    free(surveyed);
    free(roles);
    cls_separation_release(&sep);
    return rc;
}

struct mr_reader *
mr_reader_new(const struct mr_cli *cli, struct arc *a,
              const struct mr_judge *judge, int *prc)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_reader *r = calloc(1, sizeof(*r));
    int jobs = cli->jobs > 0 ? cli->jobs : 1;

    *prc = MR_EXIT_OK;
    if (!r) {
        mr_log(MR_LOG_ERROR, "%s", _("out of memory"));
        *prc = MR_EXIT_SOFTWARE;
        return NULL;
    }
    r->cli = cli;
    r->a = a;
    r->judge = judge;
    r->started = r->drawn = now_seconds();
    r->pool = mr_pool_new(cli->langs, cli->separator, jobs,
                          jobs * MR_POOL_SLOTS, &err);
    if (!r->pool) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        *prc = MR_EXIT_SOFTWARE;
        free(r);
        return NULL;
    }
    mr_log(MR_LOG_INFO, _("reading with %d workers"), jobs);
    return r;
}

/*
 * List the pages of complete stack s from the archive, after planning
 * the reading of a long one: read or deferred pages are skipped.
 */
static int
list_pages(struct mr_reader *r, struct stack_work *s, struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    size_t n = 0;
    int rc = arc_stack_pages(r->a, s->id, &pages, &n, err);

    if (!rc)
        rc = plan_reading(r, s->id, s->label, pages, n, err);
    if (!rc) {
        arc_stack_pages_free(&pages, n);
        rc = arc_stack_pages(r->a, s->id, &pages, &n, err);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        struct stack_page *p = find_page(s, pages[i].id);
        int skip =
            pages[i].processed || (pages[i].flags & MR_PAGE_DEFERRED) != 0;

        if (!p) {
            p = add_page(s, pages[i].id, pages[i].seq, err);
            if (!p) {
                rc = MR_ENOMEM;
                break;
            }
            if (!skip) {
                r->to_read++;
                r->archived += pages[i].letter_id == 0;
            }
        }
        if (p->state == PAGE_STORED && skip) {
            p->state = PAGE_SKIP;
            r->to_read--;
        }
    }
    arc_stack_pages_free(&pages, n);
    s->complete = !rc;
    s->failed |= rc != 0; /* the caller says why; the stacks after go on */
    s->next = 0;
    return rc;
}

int
mr_reader_stack(struct mr_reader *r, int64_t stack, const char *label,
                int complete, struct mr_err *err)
{
    struct stack_work *s = find_stack(r, stack);

    if (!s) {
        int elsewhere, rc = arc_stack_take(r->a, stack, &elsewhere, err);

        if (rc)
            return rc;
        if (r->nstacks == r->cap) {
            size_t ncap = r->cap ? 2 * r->cap : 8;
            struct stack_work *grown =
                realloc(r->stacks, ncap * sizeof(*grown));

            if (!grown)
                return mr_fail(err, MR_ENOMEM, _("out of memory"));
            r->stacks = grown;
            r->cap = ncap;
        }
        s = &r->stacks[r->nstacks];
        memset(s, 0, sizeof(*s));
        s->id = stack;
        s->label = mr_strdup(label, err);
        if (!s->label)
            return MR_ENOMEM;
        r->nstacks++;
        if (elsewhere) {
            s->elsewhere = s->complete = s->done = 1;
            clear_line(r);
            mr_log(MR_LOG_WARN,
                   _("%s is being read by another mailroom: left to it"),
                   label);
        }
    }
    if (!complete || s->complete)
        return 0;
    return list_pages(r, s, err);
}

int
mr_reader_has(struct mr_reader *r, int64_t stack)
{
    return find_stack(r, stack) != NULL;
}

int
mr_reader_stacks_todo(struct mr_reader *r, struct mr_err *err)
{
    int64_t *todo = NULL;
    size_t n = 0;
    int rc = arc_stacks_todo(r->a, &todo, &n, err);

    for (size_t i = 0; !rc && i < n; i++) {
        char label[64];

        snprintf(label, sizeof(label), _("stack %lld"), (long long)todo[i]);
        rc = mr_reader_stack(r, todo[i], label, 1, err);
        if (rc && !fatal(rc)) {
            /* Its pages stay archived; the next stack goes on. */
            report(r, err);
            rc = 0;
        }
    }
    free(todo);
    return rc;
}

int
mr_reader_room(struct mr_reader *r)
{
    return mr_pool_room(r->pool);
}

/* Hand page p of stack s to the pool with pix (taken, *ppix nulled). */
static int
put(struct mr_reader *r, struct stack_work *s, struct stack_page *p,
    const char *code, struct Pix **ppix, struct mr_err *err)
{
    struct mr_job *job = calloc(1, sizeof(*job));

    if (!job)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    job->stack = s->id;
    job->page_id = p->id;
    job->seq = p->seq;
    snprintf(job->code, sizeof(job->code), "%s", code ? code : "");
    job->pix = *ppix;
    *ppix = NULL;
    p->state = PAGE_FLIGHT;
    mr_pool_put(r->pool, job);
    return 0;
}

int
mr_reader_page(struct mr_reader *r, int64_t stack, int64_t page_id, int seq,
               struct Pix **ppix, struct mr_err *err)
{
    struct stack_work *s = find_stack(r, stack);
    struct stack_page *p;

    if (MR_NEVER(!s))
        return mr_fail(err, MR_EINVAL, _("stack %lld is not being read"),
                       (long long)stack);
    if (s->elsewhere)
        return 0;
    p = find_page(s, page_id);
    if (!p) {
        p = add_page(s, page_id, seq, err);
        if (!p)
            return MR_ENOMEM;
        r->archived++;
        r->to_read++;
    }
    if (p->state == PAGE_STORED && !mr_interrupted && mr_pool_room(r->pool) > 0)
        return put(r, s, p, NULL, ppix, err);
    return 0;
}

int
mr_reader_complete(struct mr_reader *r, int64_t stack, struct mr_err *err)
{
    struct stack_work *s = find_stack(r, stack);

    if (MR_NEVER(!s))
        return mr_fail(err, MR_EINVAL, _("stack %lld is not being read"),
                       (long long)stack);
    return s->complete ? 0 : list_pages(r, s, err);
}

/* The long letter code being read, or NULL. */
static struct rest_letter *find_rest(struct mr_reader *r, const char *code);

/*
 * Write the results of the jobs of one stack (the first job's) taken off
 * *plist, in one transaction; a long letter whose last deferred page is
 * among them is judged again in it.  Frees them.
 */
static int
write_stack(struct mr_reader *r, struct mr_job **plist, struct mr_err *err)
{
    int64_t stack = (*plist)->stack;
    struct stack_work *s = find_stack(r, stack);
    struct mr_job *mine = NULL, **tail = &mine, **pp = plist, *job;
    int rc;

    while (*pp) {
        job = *pp;
        if (job->stack == stack) {
            *pp = job->next;
            job->next = NULL;
            *tail = job;
            tail = &job->next;
        } else {
            pp = &job->next;
        }
    }
    rc = arc_stack_resume(r->a, stack, NULL, err);
    for (job = mine; !rc && job; job = job->next) {
        struct stack_page *p = find_page(s, job->page_id);
        struct rest_letter *l = job->code[0] ? find_rest(r, job->code) : NULL;

        mr_log_context(_("%s page %d"), s->label, job->seq);
        if (job->rc == MR_EOCR) {
            clear_line(r);
            mr_log(MR_LOG_WARN, _("archived without text: %s"), job->err.msg);
            job->rc = 0;
        }
        if (job->rc) {
            /* Its stack is left for `mailroom process`. */
            clear_line(r);
            mr_log(MR_LOG_ERROR, "%s", job->err.msg);
            r->failed = job->rc;
            fail_stack(r, s);
            p->state = PAGE_SKIP;
            if (l)
                l->left = -1;
            if (fatal(job->rc))
                rc = mr_fail(err, job->rc, "%s", job->err.msg);
            mr_log_context(NULL);
            continue;
        }
        rc = arc_page_set_results(r->a, job->page_id, &job->page, err);
        mr_log_context(NULL);
        if (rc)
            break;
        p->state = PAGE_DONE;
        r->read++;
        s->read++;
        if (l && l->left > 0 && --l->left == 0 && !l->confirmed)
            rc = mr_letter_decide(r->a, r->judge, l->code, err);
    }
    if (!rc)
        rc = arc_stack_commit(r->a, err);
    if (rc) {
        arc_stack_abort(r->a);
        for (job = mine; job; job = job->next) {
            struct stack_page *p = find_page(s, job->page_id);
            struct rest_letter *l =
                job->code[0] ? find_rest(r, job->code) : NULL;

            if (p->state == PAGE_DONE) {
                r->read--;
                s->read--;
            }
            p->state = PAGE_SKIP;
            if (l)
                l->left = -1; /* rolled back: its rest waits */
        }
        if (!fatal(rc)) {
            report(r, err);
            fail_stack(r, s);
            rc = 0;
        }
    }
    while ((job = mine)) {
        struct rest_letter *l = job->code[0] ? find_rest(r, job->code) : NULL;

        if (!rc && l && l->left == 0) {
            struct arc_letter after;

            if (!arc_letter_get(r->a, l->code, &after, err)) {
                const char *from = l->mailbox ? l->mailbox : "-";
                const char *to = after.d.mailbox ? after.d.mailbox : "-";

                clear_line(r);
                if (strcmp(from, to))
                    fprintf(stderr,
                            _("letter %s: all %d pages read; judged again on "
                              "the whole text: %s -> %s\n"),
                            l->code, l->pages, from, to);
                else
                    fprintf(stderr,
                            _("letter %s: all %d pages read; stays in %s\n"),
                            l->code, l->pages, from);
                arc_letter_release(&after);
            }
            mr_err_clear(err);
            l->left = -2;
        }
        mine = job->next;
        mr_job_free(job);
    }
    return rc;
}

/*
 * Make the letters of the stacks read, in the order they were taken on:
 * a stack waits for those before it, unless they failed.
 */
static int
make_letters(struct mr_reader *r, struct mr_err *err)
{
    for (size_t i = 0; i < r->nstacks; i++) {
        struct stack_work *s = &r->stacks[i];
        int rc, blank = 0;

        if (s->done || s->failed)
            continue;
        if (!s->complete)
            return 0;
        for (size_t k = 0; k < s->npages; k++)
            if (s->pages[k].state == PAGE_STORED ||
                s->pages[k].state == PAGE_FLIGHT)
                return 0;
        s->done = 1;
        if (s->npages == 0)
            continue;
        clear_line(r);
        rc = arc_stack_resume(r->a, s->id, NULL, err);
        if (!rc)
            rc = mr_stack_letters(r->a, r->judge, s->id, s->label,
                                  r->cli->split_by_text, &r->letters, &blank,
                                  err);
        if (rc) {
            arc_stack_abort(r->a);
            if (fatal(rc))
                return rc;
            report(r, err);
            fail_stack(r, s);
            continue;
        }
        r->blank += blank;
        mr_log(MR_LOG_INFO, _("%s: %d pages read, %d blank"), s->label, s->read,
               blank);
    }
    return 0;
}

int
mr_reader_poll(struct mr_reader *r, int wait, struct mr_err *err)
{
    struct mr_job *list = NULL, **tail = &list, *job;
    int rc = 0;

    list = r->stash;
    r->stash = NULL;
    while (*tail)
        tail = &(*tail)->next;
    while ((job = mr_pool_take(r->pool, wait && !list))) {
        if (job->survey) {
            mr_job_free(job); /* of a plan given up */
            continue;
        }
        *tail = job;
        tail = &job->next;
    }
    while (list && !rc)
        rc = write_stack(r, &list, err);
    while ((job = list)) {
        list = job->next;
        mr_job_free(job);
    }
    if (!rc)
        rc = make_letters(r, err);
    if (!rc && mr_interrupted)
        rc = mr_fail(err, MR_EINTR, _("interrupted"));
    tick(r);
    return rc;
}

/* The next page to read from the archive, into *ps and *pp; 0 if none. */
static int
next_todo(struct mr_reader *r, struct stack_work **ps, struct stack_page **pp)
{
    for (size_t i = 0; i < r->nstacks; i++) {
        struct stack_work *s = &r->stacks[i];

        if (s->failed)
            continue;
        for (; s->next < s->npages; s->next++)
            if (s->pages[s->next].state == PAGE_STORED) {
                *ps = s;
                *pp = &s->pages[s->next];
                return 1;
            }
    }
    return 0;
}

/*
 * Load page p of stack s from the archive and hand it to the pool (for
 * letter code, or NULL).  A page that cannot be loaded fails its stack
 * (or letter), reported; only a fatal failure is returned.
 */
static int
load_and_put(struct mr_reader *r, struct stack_work *s, struct stack_page *p,
             const char *code, struct mr_err *err)
{
    struct Pix *pix = NULL;
    int rc = arc_page_load(r->a, p->id, &pix, err);

    if (!rc)
        rc = put(r, s, p, code, &pix, err);
    pixDestroy(&pix);
    if (rc && !fatal(rc)) {
        struct rest_letter *l = code ? find_rest(r, code) : NULL;

        p->state = PAGE_SKIP;
        report(r, err);
        if (l)
            l->left = -1; /* the rest of the letter waits */
        else
            fail_stack(r, s);
        rc = 0;
    }
    return rc;
}

/* Fill the pool with stored pages not read yet, loaded from the archive. */
static int
feed(struct mr_reader *r, struct mr_err *err)
{
    struct stack_work *s;
    struct stack_page *p;
    int rc = 0;

    while (!rc && !mr_interrupted && mr_pool_room(r->pool) > 0 &&
           next_todo(r, &s, &p))
        rc = load_and_put(r, s, p, NULL, err);
    return rc;
}

/* Read what is fed until nothing is left in the pool. */
static int
drain(struct mr_reader *r, int (*fill)(struct mr_reader *, struct mr_err *),
      struct mr_err *err)
{
    int rc = 0;

    for (;;) {
        rc = fill(r, err);
        if (rc || mr_pool_jobs(r->pool) == 0)
            break;
        rc = mr_reader_poll(r, 1, err);
        if (rc)
            break;
    }
    if (!rc)
        rc = mr_reader_poll(r, 0, err);
    return rc;
}

static struct rest_letter *
find_rest(struct mr_reader *r, const char *code)
{
    for (size_t i = 0; i < r->nrest; i++)
        if (!strcmp(r->rest[i].code, code))
            return &r->rest[i];
    return NULL;
}

/* Whether page id is one of letter l's. */
static int
letter_has(const struct arc_letter *l, int64_t id)
{
    for (size_t i = 0; i < l->npages; i++)
        if (l->pages[i] == id)
            return 1;
    return 0;
}

/* Grow array *pa of *pcap entries of size bytes to hold n + 1. */
static int
grow(void **pa, size_t *pcap, size_t n, size_t size, struct mr_err *err)
{
    size_t ncap;
    void *grown;

    if (n < *pcap)
        return 0;
    ncap = *pcap ? 2 * *pcap : 16;
    grown = realloc(*pa, ncap * size);
    if (!grown)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    *pa = grown;
    *pcap = ncap;
    return 0;
}

/* Take on the deferred pages of letter code. */
static int
add_rest(struct mr_reader *r, const char *code, size_t *prest_cap,
         size_t *ppages_cap, struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    struct rest_letter *l;
    struct arc_letter al;
    struct stack_work *s;
    char label[64];
    size_t n = 0;
    int rc;

    if (find_rest(r, code))
        return 0;
    rc = arc_letter_get(r->a, code, &al, err);
    if (rc)
        return rc;
    snprintf(label, sizeof(label), _("stack %lld"), (long long)al.stack_id);
    rc = mr_reader_stack(r, al.stack_id, label, 0, err);
    if (rc)
        goto out;
    s = find_stack(r, al.stack_id);
    if (s->elsewhere)
        goto out; /* its reader reads the rest */
    rc = grow((void **)&r->rest, prest_cap, r->nrest, sizeof(*r->rest), err);
    if (!rc)
        rc = arc_stack_pages(r->a, al.stack_id, &pages, &n, err);
    if (rc)
        goto out;
    if (!s->complete) {
        s->complete = 1; /* its letters are made: only the rest is read */
        s->done = 1;
    }
    l = &r->rest[r->nrest];
    memset(l, 0, sizeof(*l));
    snprintf(l->code, sizeof(l->code), "%s", al.code);
    l->pages = al.page_count;
    l->confirmed = al.d.review == ARC_REVIEW_CONFIRMED;
    if (al.d.mailbox && !(l->mailbox = mr_strdup(al.d.mailbox, err))) {
        rc = MR_ENOMEM;
        goto out;
    }
    r->nrest++;
    for (size_t i = 0; !rc && i < n; i++) {
        struct stack_page *p;

        if (!(pages[i].flags & MR_PAGE_DEFERRED) || pages[i].processed ||
            !letter_has(&al, pages[i].id))
            continue;
        p = find_page(s, pages[i].id);
        if (!p && !(p = add_page(s, pages[i].id, pages[i].seq, err))) {
            rc = MR_ENOMEM;
            break;
        }
        p->state = PAGE_SKIP;
        rc = grow((void **)&r->rest_pages, ppages_cap, r->nrest_pages,
                  sizeof(*r->rest_pages), err);
        if (rc)
            break;
        r->rest_pages[r->nrest_pages].stack = s->id;
        r->rest_pages[r->nrest_pages].id = pages[i].id;
        r->rest_pages[r->nrest_pages].letter = r->nrest - 1;
        r->nrest_pages++;
        l->left++;
        r->to_read++;
    }
out:
    arc_stack_pages_free(&pages, n);
    arc_letter_release(&al);
    return rc;
}

/* The long letters whose rest is to be read: of the stacks, or of all. */
static int
plan_rest(struct mr_reader *r, int all_rest, struct mr_err *err)
{
    size_t rest_cap = 0, pages_cap = 0, nstacks = r->nstacks;
    int rc = 0;

    for (size_t k = 0; !rc && k < (all_rest ? 1 : nstacks); k++) {
        char(*codes)[ARC_CODE_SIZE] = NULL;
        size_t n = 0;

        if (!all_rest && (r->stacks[k].failed || r->stacks[k].elsewhere))
            continue;
        rc = arc_letters_unread(r->a, all_rest ? 0 : r->stacks[k].id, &codes,
                                &n, err);
        for (size_t i = 0; !rc && i < n; i++) {
            rc = add_rest(r, codes[i], &rest_cap, &pages_cap, err);
            if (rc && !fatal(rc)) {
                report(r, err);
                rc = 0;
            }
        }
        free(codes);
    }
    return rc;
}

/* Fill the pool with the deferred pages of the long letters, in order. */
static int
feed_rest(struct mr_reader *r, struct mr_err *err)
{
    int rc = 0;

    while (!rc && !mr_interrupted && mr_pool_room(r->pool) > 0 &&
           r->rest_next < r->nrest_pages) {
        struct rest_page *rp = &r->rest_pages[r->rest_next++];
        struct rest_letter *l = &r->rest[rp->letter];
        struct stack_work *s = find_stack(r, rp->stack);

        if (l->left < 0)
            continue;
        rc = load_and_put(r, s, find_page(s, rp->id), l->code, err);
    }
    return rc;
}

int
mr_reader_finish(struct mr_reader *r, int all_rest, struct mr_err *err)
{
    int rc = drain(r, feed, err);

    if (!rc)
        rc = plan_rest(r, all_rest, err);
    if (!rc)
        rc = drain(r, feed_rest, err);
    for (size_t i = 0; !rc && i < r->nrest; i++)
        if (r->rest[i].left == -1) {
            clear_line(r);
            mr_log(MR_LOG_ERROR,
                   _("letter %s: the rest of its pages could not be read"),
                   r->rest[i].code);
            r->failed = MR_EOCR;
            r->failed_letters++;
        }
    clear_line(r);
    return rc;
}

void
mr_reader_totals(const struct mr_reader *r, struct mr_read_totals *t)
{
    t->read = r->read;
    t->blank = r->blank;
    t->letters = r->letters;
    t->failed = r->failed_stacks + r->failed_letters;
    t->code = r->failed;
}

void
mr_reader_destroy(struct mr_reader **pr)
{
    struct mr_reader *r = pr ? *pr : NULL;
    struct mr_job *job;

    if (!r)
        return;
    mr_pool_destroy(&r->pool);
    clear_line(r);
    while ((job = r->stash)) {
        r->stash = job->next;
        mr_job_free(job);
    }
    for (size_t i = 0; i < r->nstacks; i++) {
        free(r->stacks[i].label);
        free(r->stacks[i].pages);
    }
    for (size_t i = 0; i < r->nrest; i++)
        free(r->rest[i].mailbox);
    free(r->stacks);
    free(r->rest);
    free(r->rest_pages);
    free(r);
    *pr = NULL;
}
