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
 * they come, so nothing is done twice; a stack is scanned by one live
 * process at a time, which claims it (arc_stack_claim) until it is
 * complete or the process ends.  A jam keeps every page before it: on a
 * terminal the operator clears it and the same stack goes on, otherwise
 * `scan --continue STACK` does, or a plain `scan` of the same device,
 * which goes on with the newest such stack nobody is scanning.
 *
 * Killed at any moment, a scan is finished by running it again.  The
 * side in the feeder at the kill may come again (a feeder that counts a
 * side as fed only when the front end goes on): when the scan of a stack
 * was cut off, the first side read on going on with it is compared with
 * the stack's last page, and not stored again when it is the same.
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

/* Where a scan starts, in the stack it scans into. */
struct scan_start {
    int64_t stack;
    int went_on;       /* 1: an existing stack, 0: a new one */
    int next;          /* the page number the next sheet gets */
    int kept;          /* the pages the stack had */
    int64_t last_page; /* its last page when its scan was cut off, else 0 */
};

/*
 * Go on with stack, which this handle has just claimed (cut_off from
 * arc_stack_claim), into *s: 0 when it is still being scanned, 1 (the
 * claim let go) when it is complete.  MR_ENOTFOUND for an unknown stack.
 */
static int
go_on_with(struct arc *a, int64_t stack, int cut_off, struct scan_start *s,
           struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    size_t n = 0;
    int rc, scanning = 0;

    rc = arc_stack_resume(a, stack, &scanning, err);
    if (!rc)
        arc_stack_abort(a); /* only looked (and swept, if still scanning) */
    if (!rc && scanning)
        rc = arc_stack_pages(a, stack, &pages, &n, err);
    if (!rc && scanning) {
        s->stack = stack;
        s->went_on = 1;
        s->next = n ? pages[n - 1].seq + 1 : 1;
        s->kept = (int)n;
        s->last_page = cut_off && n ? pages[n - 1].id : 0;
    }
    arc_stack_pages_free(&pages, n);
    if (rc || !scanning)
        arc_stack_unclaim(a);
    return rc ? rc : !scanning;
}

/* A new stack from source, marked "scanning" and claimed, into *s. */
static int
new_stack(struct arc *a, const char *source, struct scan_start *s,
          struct mr_err *err)
{
    int rc = arc_stack_begin(a, source, err);

    if (!rc)
        rc = arc_stack_set_scanning(a, 1, err);
    if (!rc) {
        /* Claimed before it is committed: nobody else sees it unclaimed. */
        s->stack = arc_stack_current(a);
        rc = arc_stack_claim(a, s->stack, NULL, err);
    }
    if (rc) {
        arc_stack_abort(a);
        return rc;
    }
    rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_unclaim(a);
    return rc;
}

/*
 * The stack to scan into, claimed by this handle (arc_stack_claim): the
 * one named by --continue, which must still be scanning; else the newest
 * stack of this device still scanning that no live mailroom scans (its
 * scan was cut off, or stopped at a fault), said on stderr; else a new
 * one.
 */
static int
start_stack(const struct mr_cli *cli, struct arc *a, const char *device,
            struct scan_start *s, struct mr_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    char source[512];
    int rc, cut_off = 0;

    memset(s, 0, sizeof(*s));
    s->next = 1;
    if (cli->stack > 0) {
        rc = arc_stack_claim(a, cli->stack, &cut_off, err);
        if (!rc)
            rc = go_on_with(a, cli->stack, cut_off, s, err);
        if (rc == 1)
            rc = mr_fail(err, MR_EINVAL,
                         _("stack %lld is complete; scan a new stack "
                           "instead"),
                         (long long)cli->stack);
        return rc;
    }
    snprintf(source, sizeof(source), "scanner %s", device);
    rc = arc_stacks_scanning(a, source, &ids, &n, err);
    for (size_t i = 0; !rc && !s->went_on && i < n; i++) {
        struct mr_err busy = MR_ERR_INIT;

        if (arc_stack_claim(a, ids[i], &cut_off, &busy)) {
            /* Another mailroom is scanning it: not ours to go on with. */
            if (busy.code != MR_EBUSY)
                rc = mr_fail(err, busy.code, "%s", busy.msg);
            continue;
        }
        rc = go_on_with(a, ids[i], cut_off, s, err);
        if (rc == 1)
            rc = 0; /* finished meanwhile by the one that scanned it */
    }
    free(ids);
    if (!rc && s->went_on && mr_log_level >= MR_LOG_WARN)
        fprintf(stderr,
                _("going on with stack %lld from '%s', cut off after %d "
                  "pages\n"),
                (long long)s->stack, device, s->kept);
    if (!rc && !s->went_on)
        rc = new_stack(a, source, s, err);
    return rc;
}

/*
 * Whether pix is page page_id over again, pixel for pixel: the side in
 * the feeder when a scan was cut off, fed again by a feeder that counts a
 * side as fed only when the front end goes on.  A page that cannot be
 * loaded is warned about and taken as different.
 */
static int
fed_again(struct arc *a, int64_t page_id, PIX *pix)
{
    struct mr_err err = MR_ERR_INIT;
    PIX *stored = NULL;
    l_int32 same = 0;

    if (arc_page_load(a, page_id, &stored, &err))
        mr_log(MR_LOG_WARN, "%s", err.msg);
    else if (!pixSizesEqual(stored, pix) || pixEqual(stored, pix, &same))
        same = 0;
    pixDestroy(&stored);
    return same;
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
    struct scan_start start;
    int64_t stack = 0, id = 0, last;
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
    if (start_stack(cli, a, scan_dev_name(dev), &start, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(err.code);
        goto out;
    }
    stack = start.stack;
    next = start.next;
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
        last = start.last_page;
        start.last_page = 0; /* only the first side after going on */
        if (last && fed_again(a, last, pix)) {
            if (mr_log_level >= MR_LOG_WARN)
                fprintf(stderr,
                        _("the first side scanned is page %d of stack %lld "
                          "already, fed again after the cut-off: not stored "
                          "again\n"),
                        next - 1, (long long)stack);
            pixDestroy(&pix);
            continue;
        }
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
    if (pages == 0 && !start.went_on)
        mr_log(MR_LOG_WARN, _("the feeder was empty: no pages scanned"));
    else
        fprintf(stderr, _("stack %lld: %d pages scanned; reading them\n"),
                (long long)stack, pages);
    rc = finish_stack(a, stack, &err);
    if (!rc)
        arc_stack_unclaim(a); /* complete: nobody scans it any more */
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
