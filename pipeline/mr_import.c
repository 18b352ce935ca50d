/*
 * The driver for `mailroom import`: every input file is one stack, split
 * into letters at its separator sheets.  A file's pages are stored as
 * delivered in one transaction, then processed like a scanned stack
 * (mr_process.c):
 *
 *   READ ---------> STORED ----------------> READ, LETTERS ----> REST READ
 *   scan_file_next  arc_page_add (pending),  mr_process_stack    mr_read_rest
 *   (as delivered)  arc_stack_commit         (a long letter's    (after every
 *                                             rest deferred)      file)
 *
 * Invariants: a file that cannot be read whole leaves nothing in the
 * archive; one bad file never stops the files after it; a long letter is
 * decided from its first pages and a sample, and the rest of it is read
 * only when every file is done, so it never holds up the files behind
 * it; stdout carries one line per archived letter and nothing else.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"
#include "ocr/ocr.h"
#include "scanner/scanner.h"

#include <leptonica/allheaders.h>
#include <unistd.h>

struct import_totals {
    int files, failed, missing, pages, blank, letters;
    int stored; /* files stored whose processing was cut short */
};

/* Progress on a terminal: one line, rewritten in place. */
static void
progress(const struct mr_cli *cli, int file, int nfiles, const char *path,
         int page, int npages)
{
    if (!cli->progress)
        return;
    fprintf(stderr, "\r\033[K");
    fprintf(stderr, _("storing file %d/%d, page %d/%d: %s"), file, nfiles, page,
            npages, path);
    fflush(stderr);
}

static void
progress_done(const struct mr_cli *cli)
{
    if (cli->progress)
        fprintf(stderr, "\r\033[K");
}

int
mr_read_page(struct ocr_engine *ocr, const char *separator, struct Pix *pix,
             struct mr_page *page, struct mr_err *err)
{
    int rc = ocr_page(ocr, pix, page, err);

    if (rc == MR_EOCR) {
        mr_log(MR_LOG_WARN, _("archived without text: %s"), err->msg);
        mr_err_clear(err);
        rc = 0;
    }
    if (!rc)
        page->flags |= cls_page_role(page, separator);
    return rc;
}

/*
 * Store every page of file path as a new stack, committed, into *pstack.
 * On failure nothing of it stays in the archive and err says why.
 */
static int
store_file(const struct mr_cli *cli, struct arc *a, const char *path,
           int fileno_, int nfiles, int64_t *pstack, int *pn,
           struct mr_err *err)
{
    struct scan_file *f = NULL;
    struct mr_page page;
    PIX *pix = NULL;
    int rc, got;

    *pn = 0;
    mr_page_init(&page);
    f = scan_file_open(path, err);
    if (!f)
        return err->code;
    rc = arc_stack_begin(a, path, err);
    while (!rc) {
        if (mr_interrupted) {
            rc = mr_fail(err, MR_EINTR, _("interrupted"));
            break;
        }
        got = scan_file_next(f, &pix, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        progress(cli, fileno_, nfiles, path, *pn + 1, scan_file_page_count(f));
        page.seq = ++*pn;
        page.flags = MR_PAGE_PENDING;
        page.dpi = pixGetXRes(pix);
        rc = arc_page_add(a, &page, pix, NULL, err);
        pixDestroy(&pix);
    }
    progress_done(cli);
    *pstack = arc_stack_current(a);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
    pixDestroy(&pix);
    scan_file_close(&f);
    return rc;
}

/*
 * Archive one file as one stack and make its letters.  When its pages
 * are stored but processing fails, they stay for `mailroom process`.
 */
static int
import_file(const struct mr_cli *cli, struct arc *a, struct ocr_engine *ocr,
            const struct mr_judge *judge, const char *path, int fileno_,
            int nfiles, int64_t *pstack, struct import_totals *tot,
            struct mr_err *err)
{
    int n = 0, rc = store_file(cli, a, path, fileno_, nfiles, pstack, &n, err);

    if (rc) {
        *pstack = 0;
        return rc;
    }
    tot->pages += n;
    rc = mr_process_stack(cli, a, ocr, judge, *pstack, path, &tot->letters,
                          &tot->blank, err);
    if (rc) {
        tot->stored++;
        return rc;
    }
    tot->files++;
    return 0;
}

/* Expand the operands; a missing one is reported and counted as failed. */
static int
expand_paths(char **paths, int npaths, char ***pfiles, size_t *pnfiles,
             struct import_totals *tot)
{
    for (int i = 0; i < npaths; i++) {
        struct mr_err err = MR_ERR_INIT;

        if (!scan_path_expand(paths[i], pfiles, pnfiles, &err))
            continue;
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        tot->failed++;
        if (err.code == MR_ENOTFOUND)
            tot->missing++;
        if (err.code == MR_ENOMEM)
            return err.code;
    }
    return 0;
}

int
mr_cmd_import(const struct mr_cli *cli, char **paths, int npaths)
{
    struct mr_err err = MR_ERR_INIT;
    struct import_totals tot = {0};
    struct arc_totals all;
    struct ocr_engine *ocr = NULL;
    struct mr_judge judge = {NULL, NULL};
    struct arc *a = NULL;
    char **files = NULL;
    int64_t *stacks = NULL;
    size_t nfiles = 0;
    int rc = MR_EXIT_OK;

    rc = mr_judge_open(cli, &judge);
    if (rc)
        goto out;
    if (expand_paths(paths, npaths, &files, &nfiles, &tot)) {
        rc = MR_EXIT_SOFTWARE;
        goto out;
    }
    if (nfiles == 0) {
        mr_log(MR_LOG_ERROR, _("nothing to import"));
        rc = MR_EXIT_NOINPUT;
        goto out;
    }
    a = arc_open(cli->archive, &err);
    if (!a) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = err.code == MR_EBUSY ? MR_EXIT_TEMPFAIL : MR_EXIT_CANTCREAT;
        goto out;
    }
    if (mr_judge_model(&judge, a, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(err.code);
        goto out;
    }
    ocr = ocr_engine_new(NULL, cli->langs, &err);
    if (!ocr) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = MR_EXIT_SOFTWARE;
        goto out;
    }
    stacks = calloc(nfiles, sizeof(*stacks));
    if (!stacks) {
        mr_log(MR_LOG_ERROR, "%s", _("out of memory"));
        rc = MR_EXIT_SOFTWARE;
        goto out;
    }
    for (size_t i = 0; i < nfiles && !mr_interrupted; i++) {
        int stored = tot.stored;

        mr_err_clear(&err);
        if (!import_file(cli, a, ocr, &judge, files[i], (int)i + 1, (int)nfiles,
                         &stacks[i], &tot, &err))
            continue;
        if (mr_interrupted)
            break;
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        if (tot.stored > stored)
            mr_log(MR_LOG_WARN,
                   _("the pages of '%s' are archived; 'mailroom process' "
                     "reads them"),
                   files[i]);
        tot.failed++;
        /* A broken or locked archive fails every file after. */
        if (err.code == MR_EDB || err.code == MR_EBUSY ||
            err.code == MR_ENOMEM) {
            rc = mr_exit_code(err.code);
            goto out;
        }
    }
    /* The low-priority work: the rest of the long letters. */
    for (size_t i = 0; i < nfiles && !mr_interrupted; i++) {
        mr_err_clear(&err);
        if (!stacks[i] || !mr_read_rest(cli, a, ocr, &judge, stacks[i], &err) ||
            mr_interrupted)
            continue;
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        tot.failed++;
        if (err.code == MR_EDB || err.code == MR_EBUSY ||
            err.code == MR_ENOMEM) {
            rc = mr_exit_code(err.code);
            goto out;
        }
    }
    if (mr_interrupted) {
        mr_log(MR_LOG_ERROR,
               _("interrupted: %d letters are archived; a file being stored "
                 "is not, and pages stored but not read yet are kept for "
                 "'mailroom process'"),
               tot.letters);
        rc = MR_EXIT_INTERRUPTED;
        goto out;
    }
    if (tot.failed)
        rc = tot.failed == tot.missing ? MR_EXIT_NOINPUT : MR_EXIT_DATAERR;
out:
    /* One summary line: this run, then what the archive now holds. */
    if (ocr && !arc_totals(a, &all, &err))
        fprintf(stderr,
                _("imported %d of %d files: %d letters, %d pages "
                  "(%d blank), %d errors; the archive holds %lld letters\n"),
                tot.files, (int)nfiles, tot.letters, tot.pages, tot.blank,
                tot.failed, (long long)all.letters);
    ocr_engine_destroy(&ocr);
    mr_judge_close(&judge);
    arc_close(&a);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free(stacks);
    return rc;
}
