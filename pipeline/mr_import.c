/*
 * The batch driver for `mailroom import`: every input file is one stack,
 * and (until stack separation lands) one letter.  A page moves through
 * these states; any state can fall to FAILED, which aborts its stack:
 *
 *   READ ---------> OCRED ---------> STORED ------------> ARCHIVED
 *   scan_file_next  ocr_page         arc_page_add         arc_stack_commit
 *   (as delivered)  (blank, upright, (image file + row,   (letter + tracking
 *                    deskew, text)    uncommitted)          code, COMMIT)
 *
 * Invariants: a stack is committed whole or rolled back with its files
 * removed; one bad file never stops the files after it; stdout carries
 * one line per archived letter and nothing else.
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
};

/* Progress on a terminal: one line, rewritten in place. */
static void
progress(const struct mr_cli *cli, int file, int nfiles, const char *path,
         int page, int npages)
{
    if (!cli->progress)
        return;
    fprintf(stderr, "\r\033[K");
    fprintf(stderr, _("importing file %d/%d, page %d/%d: %s"), file, nfiles,
            page, npages, path);
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
 * Archive one file as one stack, split into letters at its separator
 * sheets.  On failure nothing of it stays in the archive and err says why.
 */
static int
import_file(const struct mr_cli *cli, struct arc *a, struct ocr_engine *ocr,
            const struct mr_judge *judge, const char *path, int fileno_,
            int nfiles, struct import_totals *tot, struct mr_err *err)
{
    struct scan_file *f = NULL;
    struct mr_page page;
    PIX *pix = NULL;
    int rc, n = 0;

    mr_page_init(&page);
    f = scan_file_open(path, err);
    if (!f)
        return err->code;
    rc = arc_stack_begin(a, path, err);
    if (rc)
        goto out;
    for (;;) {
        int got;

        if (mr_interrupted) {
            rc = mr_fail(err, MR_EINTR, _("interrupted"));
            goto out;
        }
        got = scan_file_next(f, &pix, err);
        if (got < 0) {
            rc = got;
            goto out;
        }
        if (got == 0)
            break;
        n++;
        progress(cli, fileno_, nfiles, path, n, scan_file_page_count(f));
        mr_log_context(_("'%s' page %d"), path, n);
        page.seq = n;
        rc = mr_read_page(ocr, cli->separator, pix, &page, err);
        if (!rc)
            rc = arc_page_add(a, &page, pix, NULL, err);
        if (rc)
            goto out;
        mr_page_release(&page);
        pixDestroy(&pix);
        mr_log_context(NULL);
    }
    if (mr_interrupted) {
        rc = mr_fail(err, MR_EINTR, _("interrupted"));
        goto out;
    }
    progress_done(cli);
    rc = mr_stack_letters(a, judge, arc_stack_current(a), path,
                          cli->split_by_text, &tot->letters, &tot->blank, err);
    if (rc)
        goto out;
    tot->files++;
    tot->pages += n;
out:
    if (rc)
        arc_stack_abort(a);
    mr_log_context(NULL);
    mr_page_release(&page);
    pixDestroy(&pix);
    scan_file_close(&f);
    return rc;
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
    for (size_t i = 0; i < nfiles && !mr_interrupted; i++) {
        mr_err_clear(&err);
        if (!import_file(cli, a, ocr, &judge, files[i], (int)i + 1, (int)nfiles,
                         &tot, &err))
            continue;
        progress_done(cli);
        if (mr_interrupted)
            break;
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        tot.failed++;
        /* A broken or locked archive fails every file after. */
        if (err.code == MR_EDB || err.code == MR_EBUSY ||
            err.code == MR_ENOMEM) {
            rc = mr_exit_code(err.code);
            goto out;
        }
    }
    if (mr_interrupted) {
        mr_log(MR_LOG_ERROR,
               _("interrupted: the stack being read was not archived; "
                 "%d letters before it are"),
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
    return rc;
}
