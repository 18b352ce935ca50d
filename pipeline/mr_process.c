/*
 * Processing an archived stack, shared by import, scan and process: its
 * stored pages are cleaned and OCR'd, split into letters, and each letter
 * judged.  A page moves through these states (page.processed):
 *
 *   STORED (0) ------------------------------------------> READ (1)
 *   as delivered   ocr_page + arc_page_set_results, committed
 *        |                                                   ^
 *        | survey: the rest of a long letter                 |
 *        v                                                   |
 *   DEFERRED (2) --------------------------------------------'
 *   blank or not known     read after every other stack's pages
 *
 * A stack of more pages than a long letter has is surveyed first (its
 * blank pages and separator sheets found without OCR): a letter in it too
 * long to read whole (cls_read_first) has its first pages and a sample
 * read now and the rest marked DEFERRED, so the letter is decided and the
 * stacks behind it are not held up; mr_read_rest reads the rest later and
 * judges the letter again on its whole text.  Each page's results are
 * committed on their own, so a crash loses no work done and a rerun does
 * nothing twice.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"
#include "ocr/ocr.h"

#include <leptonica/allheaders.h>
#include <stdarg.h>

/*
 * Clean and OCR one stored page and record the results, committed; with
 * code, letter code is judged again in the same transaction (the last
 * page of a letter's deferred rest: a crash cannot leave it read but
 * judged on a sample).
 */
static int
read_page(const struct mr_cli *cli, struct arc *a, struct ocr_engine *ocr,
          int64_t stack, const struct arc_stack_page *sp,
          const struct mr_judge *judge, const char *code, struct mr_err *err)
{
    struct mr_page page;
    PIX *pix = NULL;
    int rc;

    mr_page_init(&page);
    page.seq = sp->seq;
    rc = arc_page_load(a, sp->id, &pix, err);
    if (rc)
        goto out;
    rc = mr_read_page(ocr, cli->separator, pix, &page, err);
    if (!rc)
        rc = arc_stack_resume(a, stack, NULL, err);
    if (!rc)
        rc = arc_page_set_results(a, sp->id, &page, err);
    if (!rc && code)
        rc = mr_letter_decide(a, judge, code, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
out:
    mr_page_release(&page);
    pixDestroy(&pix);
    return rc;
}

/* Progress on a terminal: one line, rewritten in place. */
static void progress(const struct mr_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
progress(const struct mr_cli *cli, const char *fmt, ...)
{
    va_list ap;

    if (!cli->progress)
        return;
    fprintf(stderr, "\r\033[K");
    if (fmt) {
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fflush(stderr);
}

/*
 * Survey stored page sp without OCR into page: its size, and whether it
 * is blank or a separator sheet.
 */
static int
survey_page(const struct mr_cli *cli, struct arc *a,
            const struct arc_stack_page *sp, struct mr_page *page,
            struct mr_err *err)
{
    PIX *pix = NULL;
    int rc = arc_page_load(a, sp->id, &pix, err);

    page->seq = sp->seq;
    if (!rc)
        rc = ocr_page_survey(pix, page, err);
    if (!rc)
        page->flags |= cls_page_role(page, cli->separator);
    pixDestroy(&pix);
    return rc;
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
 * Before a long stack is read: find its letters by its separator sheets
 * and defer the rest of each long letter.  Stacks split by text, and
 * stacks too short to hold a long letter, are read whole.
 */
static int
plan_reading(const struct mr_cli *cli, struct arc *a,
             const struct mr_judge *judge, int64_t stack, const char *label,
             const struct arc_stack_page *pages, size_t n, struct mr_err *err)
{
    struct mr_page *surveyed = NULL;
    struct cls_page *roles = NULL;
    struct cls_separation sep = {0};
    int rc = 0, deferred = 0;

    if (cli->split_by_text ||
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
    for (size_t i = 0; !rc && i < n && !mr_interrupted; i++) {
        mr_page_init(&surveyed[i]);
        progress(cli, _("%s: looking for letters, page %d of %zu"), label,
                 pages[i].seq, n);
        if (pages[i].processed)
            surveyed[i].flags = pages[i].flags;
        else
            rc = survey_page(cli, a, &pages[i], &surveyed[i], err);
        roles[i].seq = pages[i].seq;
        roles[i].flags = surveyed[i].flags;
    }
    progress(cli, NULL);
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

int
mr_process_stack(const struct mr_cli *cli, struct arc *a,
                 struct ocr_engine *ocr, const struct mr_judge *judge,
                 int64_t stack, const char *label, int *pletters, int *pblank,
                 struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    size_t n = 0;
    int rc, blank = 0, done = 0;

    rc = arc_stack_pages(a, stack, &pages, &n, err);
    if (!rc)
        rc = plan_reading(cli, a, judge, stack, label, pages, n, err);
    if (!rc) {
        arc_stack_pages_free(&pages, n);
        rc = arc_stack_pages(a, stack, &pages, &n, err);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        if (pages[i].processed || (pages[i].flags & MR_PAGE_DEFERRED))
            continue;
        if (mr_interrupted) {
            rc = mr_fail(err, MR_EINTR, _("interrupted"));
            break;
        }
        progress(cli, _("%s: reading page %d of %zu"), label, pages[i].seq, n);
        mr_log_context(_("%s page %d"), label, pages[i].seq);
        rc = read_page(cli, a, ocr, stack, &pages[i], NULL, NULL, err);
        mr_log_context(NULL);
        done++;
    }
    progress(cli, NULL);
    if (rc || n == 0)
        goto out;
    rc = arc_stack_resume(a, stack, NULL, err);
    if (!rc)
        rc = mr_stack_letters(a, judge, stack, label, cli->split_by_text,
                              pletters, &blank, err);
    if (rc) {
        arc_stack_abort(a);
        goto out;
    }
    if (pblank)
        *pblank += blank;
    mr_log(MR_LOG_INFO, _("%s: %d pages read, %d blank"), label, done, blank);
out:
    arc_stack_pages_free(&pages, n);
    return rc;
}

/* Whether a failure stops the whole run, not just its stack or letter. */
static int
fatal(int code)
{
    return code == MR_EDB || code == MR_EBUSY || code == MR_ENOMEM ||
           code == MR_EINTR;
}

int
mr_process_all(const struct mr_cli *cli, struct arc *a, struct ocr_engine *ocr,
               const struct mr_judge *judge)
{
    struct mr_err err = MR_ERR_INIT;
    int64_t *todo = NULL;
    size_t n = 0;
    int rc, failed = 0;

    rc = arc_stacks_todo(a, &todo, &n, &err);
    for (size_t i = 0; !rc && i < n; i++) {
        char label[64];

        snprintf(label, sizeof(label), _("stack %lld"), (long long)todo[i]);
        rc = mr_process_stack(cli, a, ocr, judge, todo[i], label, NULL, NULL,
                              &err);
        if (rc && !fatal(rc)) {
            /* Its pages stay archived; the next stack goes on. */
            mr_log(MR_LOG_ERROR, "%s", err.msg);
            mr_err_clear(&err);
            failed = rc;
            rc = 0;
        }
    }
    free(todo);
    if (!rc)
        rc = mr_read_rest(cli, a, ocr, judge, 0, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    return mr_exit_code(rc ? rc : failed);
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

/*
 * Read the deferred pages of letter code; the last one is committed with
 * the letter judged again on its whole text (unless a reviewer confirmed
 * it).
 */
static int
read_letter_rest(const struct mr_cli *cli, struct arc *a,
                 struct ocr_engine *ocr, const struct mr_judge *judge,
                 const char *code, struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    struct arc_letter l, after;
    size_t n = 0, last = 0;
    int rc, left = 0, had, confirmed;

    rc = arc_letter_get(a, code, &l, err);
    if (rc)
        return rc;
    confirmed = l.d.review == ARC_REVIEW_CONFIRMED;
    rc = arc_stack_pages(a, l.stack_id, &pages, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if ((pages[i].flags & MR_PAGE_DEFERRED) &&
            letter_has(&l, pages[i].id)) {
            last = i;
            left++;
        }
    had = left;
    for (size_t i = 0; !rc && left && i <= last; i++) {
        if (!(pages[i].flags & MR_PAGE_DEFERRED) ||
            !letter_has(&l, pages[i].id))
            continue;
        if (mr_interrupted) {
            rc = mr_fail(err, MR_EINTR, _("interrupted"));
            break;
        }
        progress(cli, _("letter %s: reading the rest, %d of %d pages left"),
                 l.code, left--, l.page_count);
        mr_log_context(_("letter %s page %d"), l.code, pages[i].seq);
        rc = read_page(cli, a, ocr, l.stack_id, &pages[i], judge,
                       i == last && !confirmed ? l.code : NULL, err);
        mr_log_context(NULL);
    }
    progress(cli, NULL);
    if (!rc && had && !left && !arc_letter_get(a, l.code, &after, err)) {
        const char *from = l.d.mailbox ? l.d.mailbox : "-";
        const char *to = after.d.mailbox ? after.d.mailbox : "-";

        if (strcmp(from, to))
            fprintf(stderr,
                    _("letter %s: all %d pages read; judged again on the "
                      "whole text: %s -> %s\n"),
                    l.code, l.page_count, from, to);
        else
            fprintf(stderr, _("letter %s: all %d pages read; stays in %s\n"),
                    l.code, l.page_count, from);
        arc_letter_release(&after);
    }
    arc_stack_pages_free(&pages, n);
    arc_letter_release(&l);
    return rc;
}

int
mr_read_rest(const struct mr_cli *cli, struct arc *a, struct ocr_engine *ocr,
             const struct mr_judge *judge, int64_t stack, struct mr_err *err)
{
    char(*codes)[ARC_CODE_SIZE] = NULL;
    size_t n = 0;
    int rc = arc_letters_unread(a, stack, &codes, &n, err), failed = 0;

    for (size_t i = 0; !rc && i < n; i++) {
        rc = read_letter_rest(cli, a, ocr, judge, codes[i], err);
        if (rc && !fatal(rc)) {
            /* A bad page holds up its own letter only. */
            mr_log(MR_LOG_ERROR, "%s", err->msg);
            mr_err_clear(err);
            failed = rc;
            rc = 0;
        }
    }
    free(codes);
    if (!rc && failed)
        rc = mr_fail(err, failed,
                     _("the rest of some long letters could not be read"));
    return rc;
}
