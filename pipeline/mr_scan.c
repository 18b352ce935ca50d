/*
 * `mailroom scan` and `mailroom process`: a stack from a SANE feeder is
 * archived page by page as it is read, and each page handed to the
 * reader (mr_process.c) at once when its pool has room, so pages are
 * read while the feeder goes on; a page that finds the pool full is read
 * from the archive once the feeder is empty.  A scanned page:
 *
 *   READ --------> STORED (committed) ------------> READ -----> LETTERS
 *   scan_dev_next  arc_page_add + arc_stack_commit  the pool    once the
 *                  (stack "scanning", page pending) (results    stack is
 *                                                    written)   complete
 *
 * Invariants: a page is committed before the next sheet is read, so a
 * crash loses at most the sheet in the feeder; the feeder never waits
 * for the readers; a stack stays "scanning" until the feeder is empty,
 * and only then gets its letters; each page's results are committed as
 * they come, so nothing is done twice.  A jam keeps every page before
 * it: on a terminal the operator clears it and the same stack goes on,
 * otherwise `scan --continue STACK` does.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"
#include "ocr/ocr.h"
#include "scanner/scanner.h"

#include <leptonica/allheaders.h>
#include <unistd.h>

/* Store one scanned page of the stack in its own transaction. */
static int
store_page(struct arc *a, int64_t stack, int seq, PIX *pix, int64_t *pid,
           struct mr_err *err)
{
    struct mr_page page;
    int rc;

    mr_page_init(&page);
    page.seq = seq;
    page.flags = MR_PAGE_PENDING;
    page.dpi = pixGetXRes(pix);
    rc = arc_stack_resume(a, stack, NULL, err);
    if (!rc)
        rc = arc_page_add(a, &page, pix, NULL, pid, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
    return rc;
}

/* Mark the stack complete: every sheet has been read. */
static int
finish_stack(struct arc *a, int64_t stack, struct mr_err *err)
{
    int rc = arc_stack_resume(a, stack, NULL, err);

    if (!rc)
        rc = arc_stack_set_scanning(a, 0, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
    return rc;
}

/*
 * Open the judge (catalogue and model), the archive and the reader;
 * reports failure and returns the exit code.  The caller closes what is
 * open.
 */
static int
open_all(const struct mr_cli *cli, struct mr_judge *judge, struct arc **pa,
         struct mr_reader **pr)
{
    struct mr_err err = MR_ERR_INIT;
    int rc = mr_judge_open(cli, judge);

    if (rc)
        return rc;
    *pa = arc_open(cli->archive, &err);
    if (!*pa) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        return err.code == MR_EBUSY ? MR_EXIT_TEMPFAIL : MR_EXIT_CANTCREAT;
    }
    if (mr_judge_model(judge, *pa, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        return mr_exit_code(err.code);
    }
    *pr = mr_reader_new(cli, *pa, judge, &rc);
    return rc;
}

/*
 * Read every stack with work left, then the rest of every long letter;
 * reports failure and returns the exit code.
 */
static int
process_all(struct mr_reader *r)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_read_totals t;
    int rc = mr_reader_stacks_todo(r, &err);

    if (!rc)
        rc = mr_reader_finish(r, 1, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    mr_reader_totals(r, &t);
    return mr_exit_code(rc ? rc : t.failed ? t.code : 0);
}

int
mr_cmd_process(const struct mr_cli *cli)
{
    struct mr_judge judge = {NULL, NULL};
    struct arc *a = NULL;
    struct mr_reader *r = NULL;
    int rc = open_all(cli, &judge, &a, &r);

    if (!rc)
        rc = process_all(r);
    mr_reader_destroy(&r);
    arc_close(&a);
    mr_judge_close(&judge);
    return rc;
}

/*
 * The stack to scan into: a new one marked "scanning", or the one named
 * by --continue, which must still be scanning.  *pnext is the page number
 * the next sheet gets.
 */
static int
start_stack(const struct mr_cli *cli, struct arc *a, const char *device,
            int64_t *pstack, int *pnext, struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    char source[512];
    size_t n = 0;
    int rc, scanning = 0;

    *pnext = 1;
    if (cli->stack > 0) {
        *pstack = cli->stack;
        rc = arc_stack_resume(a, cli->stack, &scanning, err);
        if (!rc)
            arc_stack_abort(a); /* only looked */
        if (!rc && !scanning)
            rc = mr_fail(err, MR_EINVAL,
                         _("stack %lld is complete; scan a new stack "
                           "instead"),
                         (long long)cli->stack);
        if (!rc)
            rc = arc_stack_pages(a, cli->stack, &pages, &n, err);
        if (!rc && n)
            *pnext = pages[n - 1].seq + 1;
        arc_stack_pages_free(&pages, n);
        return rc;
    }
    snprintf(source, sizeof(source), "scanner %s", device);
    rc = arc_stack_begin(a, source, err);
    if (!rc)
        rc = arc_stack_set_scanning(a, 1, err);
    if (!rc) {
        *pstack = arc_stack_current(a);
        rc = arc_stack_commit(a, err);
    }
    if (rc)
        arc_stack_abort(a);
    return rc;
}

/*
 * Ask the operator at the terminal to clear a fault: 1 to go on with the
 * same stack, 0 to stop.
 */
static int
operator_cleared(const char *what)
{
    char line[64];

    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
        return 0;
    fprintf(stderr,
            _("%s\nPress Enter to go on with the same stack, or "
              "q and Enter to stop: "),
            what);
    fflush(stderr);
    if (!fgets(line, sizeof(line), stdin))
        return 0;
    return line[0] != 'q' && line[0] != 'Q';
}

/* Progress while scanning: sheets read, pages per minute. */
static void
scan_progress(struct mr_reader *r, int64_t stack, int pages, time_t started)
{
    double minutes = difftime(time(NULL), started) / 60.0;
    char doing[160];

    snprintf(doing, sizeof(doing),
             _("stack %lld: %d pages scanned, %.0f pages/min"),
             (long long)stack, pages, minutes > 0 ? pages / minutes : 0.0);
    mr_reader_progress(r, doing);
}

int
mr_cmd_scan(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_judge judge = {NULL, NULL};
    struct arc *a = NULL;
    struct mr_reader *r = NULL;
    struct scan_dev *dev = NULL;
    int64_t stack = 0, id = 0;
    int rc, next = 1, got, pages = 0;
    char label[64];
    time_t started = time(NULL);
    PIX *pix = NULL;

    rc = open_all(cli, &judge, &a, &r);
    if (rc)
        goto out;
    dev = scan_dev_open(&cli->scan, &err);
    if (!dev) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(err.code);
        goto out;
    }
    if (start_stack(cli, a, scan_dev_name(dev), &stack, &next, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(err.code);
        goto out;
    }
    snprintf(label, sizeof(label), _("stack %lld"), (long long)stack);
    if (mr_reader_stack(r, stack, label, 0, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(err.code);
        goto out;
    }
    for (;;) {
        if (mr_interrupted) {
            mr_fail(&err, MR_EINTR, _("interrupted"));
            break;
        }
        got = scan_dev_next(dev, &pix, &err);
        if (got < 0 && mr_interrupted) {
            /*
             * Ctrl-C cut the backend's read short, which it reports as
             * a device fault (a bad length, an I/O error): the operator
             * stopped the scan, the scanner did not fail.
             */
            mr_err_clear(&err);
            mr_fail(&err, MR_EINTR, _("interrupted"));
            break;
        }
        if (got == 0)
            break;
        if (got == MR_EJAM && operator_cleared(err.msg)) {
            mr_err_clear(&err);
            continue;
        }
        if (got < 0)
            break;
        /* The page is read while the feeder goes on, if the pool has room. */
        rc = store_page(a, stack, next, pix, &id, &err);
        if (!rc)
            rc = mr_reader_page(r, stack, id, next, &pix, &err);
        if (!rc)
            rc = mr_reader_poll(r, 0, &err);
        pixDestroy(&pix);
        if (rc)
            break;
        next++;
        pages++;
        scan_progress(r, stack, pages, started);
    }
    mr_reader_progress(r, NULL);
    scan_dev_close(&dev);
    if (err.code) {
        /*
         * Every page read so far is archived, by this run and by those it
         * continues (pages 1 to next - 1); say how to go on.
         */
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        mr_log(MR_LOG_ERROR,
               _("%d pages of stack %lld are archived; to go on with it: "
                 "mailroom scan --continue %lld"),
               next - 1, (long long)stack, (long long)stack);
        rc = mr_exit_code(err.code);
        if (rc == MR_EXIT_DATAERR || rc == MR_EXIT_SOFTWARE)
            rc = MR_EXIT_TEMPFAIL;
        goto out;
    }
    if (pages == 0 && cli->stack == 0)
        mr_log(MR_LOG_WARN, _("the feeder was empty: no pages scanned"));
    else
        fprintf(stderr, _("stack %lld: %d pages scanned; reading them\n"),
                (long long)stack, pages);
    rc = finish_stack(a, stack, &err);
    if (!rc)
        rc = mr_reader_complete(r, stack, &err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(rc);
        goto out;
    }
    rc = process_all(r);
out:
    pixDestroy(&pix);
    scan_dev_close(&dev);
    mr_reader_destroy(&r);
    arc_close(&a);
    mr_judge_close(&judge);
    return rc;
}
