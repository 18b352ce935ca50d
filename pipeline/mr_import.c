/*
 * The driver for `mailroom import`: every input file is one stack, split
 * into letters at its separator sheets.  A file's pages are stored as
 * delivered in one transaction; the reader (mr_process.c) then reads
 * them on its pool of workers while the next file is stored:
 *
 *   READ ---------> STORED -----------------> IN THE POOL ----> LETTERS
 *   scan_file_next  arc_page_add (pending),   mr_reader_page    mr_reader_poll
 *   (as delivered)  arc_stack_commit          (pixels kept when (the results
 *                                              it had room)      written)
 *
 * Invariants: a file that cannot be read whole leaves nothing in the
 * archive; one bad file never stops the files after it; the next file is
 * stored only when the pool has room, so a page is decoded once; a long
 * letter is decided from its first pages and a sample, and the rest of
 * it is read only when every file is done (mr_reader_finish); stdout
 * carries one line per archived letter and nothing else.  With --later
 * the pages are only stored, for `mailroom process`.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"
#include "ocr/ocr.h"
#include "scanner/scanner.h"

#include <leptonica/allheaders.h>
#include <unistd.h>

struct import_totals {
    int files, failed, missing, pages;
    int known; /* files archived already, not stored again */
};

/* A page stored with its pixels, to be read once its file is committed. */
struct held {
    int64_t id;
    int seq;
    PIX *pix;
};

/*
 * Store every page of file path as a new stack, committed, into *pstack.
 * With a reader, up to as many pages as its pool takes now are kept in
 * memory and handed to it once the file is committed; the rest are read
 * from the archive later.  A file whose content a stack already holds is
 * not stored again: 1 is returned with that stack in *pstack.  *pstored
 * tells whether the file was committed.  On a failure before that
 * nothing of it stays in the archive; after it (the reader could not take
 * it on), its pages stay for `mailroom process`; err says why.
 */
static int
store_file(const struct mr_cli *cli, struct arc *a, struct mr_reader *r,
           const char *path, int fileno_, int nfiles, int64_t *pstack, int *pn,
           int *pstored, struct mr_err *err)
{
    struct scan_file *f = NULL;
    struct held *held = NULL;
    struct mr_page page;
    struct arc_image orig, *as_is; /* a PNG or JPEG file: kept as is */
    PIX *pix = NULL;
    int rc, got, room = r ? mr_reader_room(r) : 0, nheld = 0;
    int64_t id = 0;
    char doing[160], sha[65];

    *pn = 0;
    *pstack = 0;
    *pstored = 0;
    mr_page_init(&page);
    if (room > 0 && !(held = calloc((size_t)room, sizeof(*held))))
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    f = scan_file_open(path, err);
    if (!f) {
        free(held);
        return err->code;
    }
    scan_file_set_limit(f, cli->max_pixels);
    rc = arc_sha256_file(path, sha, err);
    if (!rc)
        rc = arc_stack_begin_file(a, path, sha, pstack, err);
    if (rc) {
        free(held);
        scan_file_close(&f);
        return rc;
    }
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
        if (cli->progress) {
            snprintf(doing, sizeof(doing),
                     _("storing file %d/%d, page %d/%d: %s"), fileno_, nfiles,
                     *pn + 1, scan_file_page_count(f), path);
            if (r)
                mr_reader_progress(r, doing);
            else
                fprintf(stderr, "\r\033[K%s", doing);
        }
        page.seq = ++*pn;
        page.flags = MR_PAGE_PENDING;
        page.dpi = pixGetXRes(pix);
        as_is = scan_file_original(f, &orig.data, &orig.size, &orig.format)
                    ? &orig
                    : NULL;
        rc = arc_page_add(a, &page, pix, as_is, &id, err);
        if (!rc && nheld < room) {
            held[nheld].id = id;
            held[nheld].seq = page.seq;
            held[nheld++].pix = pix;
            pix = NULL;
        }
        pixDestroy(&pix);
    }
    if (cli->progress && !r)
        fprintf(stderr, "\r\033[K");
    *pstack = arc_stack_current(a);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
    *pstored = !rc;
    if (!rc && r)
        rc = mr_reader_stack(r, *pstack, path, 1, err);
    for (int i = 0; i < nheld; i++) {
        if (!rc)
            rc = mr_reader_page(r, *pstack, held[i].id, held[i].seq,
                                &held[i].pix, err);
        pixDestroy(&held[i].pix);
    }
    free(held);
    pixDestroy(&pix);
    scan_file_close(&f);
    return rc;
}

/*
 * File path was archived already, as stack: say so, and hand the stack to
 * reader r (when there is one) if work is left on it, as after a run cut
 * off before it was read.
 */
static int
known_file(struct arc *a, struct mr_reader *r, const char *path, int64_t stack,
           struct mr_err *err)
{
    int64_t *todo = NULL;
    size_t n = 0;
    int rc = 0, left = 0;

    /* Stored earlier in this run: it is being read already. */
    if (r && !mr_reader_has(r, stack))
        rc = arc_stacks_todo(a, &todo, &n, err);

    for (size_t i = 0; !rc && i < n; i++)
        left |= todo[i] == stack;
    free(todo);
    if (rc)
        return rc;
    if (!left) {
        mr_log(MR_LOG_WARN,
               _("'%s' is archived already, as stack %lld: not stored again"),
               path, (long long)stack);
        return 0;
    }
    mr_log(MR_LOG_WARN,
           _("'%s' is archived already, as stack %lld: reading what is left "
             "of it"),
           path, (long long)stack);
    return mr_reader_stack(r, stack, path, 1, err);
}

/* A path the walk could not take: reported, and counted as failed. */
static void
report_path(const struct mr_err *why, void *arg)
{
    struct import_totals *tot = arg;

    mr_log(MR_LOG_ERROR, "%s", why->msg);
    tot->failed++;
    if (why->code == MR_ENOTFOUND)
        tot->missing++;
}

/*
 * Expand the operands; what cannot be looked at is reported and counted
 * as failed.  MR_ENOMEM after saying so.
 */
static int
expand_paths(char **paths, int npaths, char ***pfiles, size_t *pnfiles,
             struct import_totals *tot)
{
    struct mr_err err = MR_ERR_INIT;

    for (int i = 0; i < npaths; i++)
        if (scan_path_expand(paths[i], pfiles, pnfiles, report_path, tot,
                             &err) == MR_ENOMEM)
            break;
    if (err.code)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    return err.code;
}

/* Whether message msg names path, in quotes. */
static int
names_file(const char *msg, const char *path)
{
    size_t n = strlen(path);

    for (const char *q = strchr(msg, '\''); q; q = strchr(q + 1, '\''))
        if (!strncmp(q + 1, path, n) && q[n + 1] == '\'')
            return 1;
    return 0;
}

/* Whether a failure fails every file after it. */
static int
fatal(int code)
{
    return code == MR_EDB || code == MR_EBUSY || code == MR_ENOMEM;
}

int
mr_cmd_import(const struct mr_cli *cli, char **paths, int npaths)
{
    struct mr_err err = MR_ERR_INIT;
    struct import_totals tot = {0};
    struct mr_read_totals read = {0};
    struct arc_totals all;
    struct mr_judge judge = {NULL, NULL};
    struct mr_reader *r = NULL;
    struct arc *a = NULL;
    char **files = NULL;
    size_t nfiles = 0;
    int rc = MR_EXIT_OK, opened = 0;

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
    if (!cli->later && !(r = mr_reader_new(cli, a, &judge, &rc)))
        goto out;
    opened = 1;
    for (size_t i = 0; i < nfiles && !mr_interrupted; i++) {
        const char *cut = NULL; /* the file a failure cut off */
        int64_t stack = 0;
        int n = 0, stored = 0;

        mr_err_clear(&err);
        /* Intake waits for room in the pool, so pages are decoded once. */
        while (r && !rc && !mr_interrupted && mr_reader_room(r) == 0)
            rc = mr_reader_poll(r, 1, &err);
        if (!rc) {
            rc = store_file(cli, a, r, files[i], (int)i + 1, (int)nfiles,
                            &stack, &n, &stored, &err);
            cut = rc < 0 && !stored ? files[i] : NULL;
        }
        if (rc == 1) {
            rc = known_file(a, r, files[i], stack, &err);
            tot.known += !rc;
        } else if (!rc) {
            tot.pages += n;
            tot.files++;
        }
        if (!rc && r)
            rc = mr_reader_poll(r, 0, &err);
        if (!rc)
            continue;
        if (mr_interrupted || err.code == MR_EINTR)
            break;
        /* The archive's errors name its files: say which file failed. */
        if (cut && !names_file(err.msg, cut))
            mr_log(MR_LOG_ERROR, _("cannot archive '%s': %s"), cut, err.msg);
        else
            mr_log(MR_LOG_ERROR, "%s", err.msg);
        /* Stored, then its reading could not start. */
        if (stored && !fatal(err.code)) {
            mr_log(MR_LOG_WARN,
                   _("the pages of '%s' are archived; 'mailroom process' "
                     "reads them"),
                   files[i]);
            tot.pages += n;
        }
        tot.failed++;
        /* A broken or locked archive fails every file after. */
        if (fatal(err.code)) {
            rc = mr_exit_code(err.code);
            goto out;
        }
        rc = 0;
    }
    mr_err_clear(&err);
    if (r && !mr_interrupted && mr_reader_finish(r, 0, &err) &&
        !mr_interrupted) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(err.code);
        goto out;
    }
    if (mr_interrupted) {
        if (r)
            mr_reader_totals(r, &read);
        mr_log(MR_LOG_ERROR,
               _("interrupted: %d letters are archived; a file being stored "
                 "is not, and pages stored but not read yet are kept for "
                 "'mailroom process'"),
               read.letters);
        rc = MR_EXIT_INTERRUPTED;
        goto out;
    }
    if (cli->later)
        fprintf(stderr, _("%d pages archived; 'mailroom process' reads them\n"),
                tot.pages);
out:
    if (r)
        mr_reader_totals(r, &read);
    mr_reader_destroy(&r);
    tot.failed += read.failed;
    if (!rc && tot.failed)
        rc = tot.failed == tot.missing ? MR_EXIT_NOINPUT : MR_EXIT_DATAERR;
    if (tot.known)
        fprintf(stderr,
                ngettext("%d file was archived already: not stored again\n",
                         "%d files were archived already: not stored again\n",
                         tot.known),
                tot.known);
    /* One summary line: this run, then what the archive now holds. */
    if (opened && !arc_totals(a, &all, &err))
        fprintf(stderr,
                _("imported %d of %d files: %d letters, %d pages "
                  "(%d blank), %d errors; the archive holds %lld letters\n"),
                tot.files - read.failed, (int)nfiles, read.letters, tot.pages,
                read.blank, tot.failed, (long long)all.letters);
    mr_judge_close(&judge);
    arc_close(&a);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return rc;
}
