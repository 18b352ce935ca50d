/*
 * `mailroom verify`: check that the archive still holds what its index
 * says (arc_verify), and say each problem on stdout in one line, naming
 * the letter and page it touches:
 *
 *   page 12 (letter ABCD-EFGH page 2; stack 3 page 4): pages/000003/0004.png:
 * <why> file pages/000003/0007.png.part: <why> bundle
 * bundles/2026-05-12/mayor.pdf: <why> database: <SQLite's words>
 *
 * then a summary on stderr.  A file of a write not committed (a run in
 * progress or cut off) is not a problem: it is counted in the summary,
 * and named with -v.  Nor is a bundle whose run was cut off between its
 * record and putting its files in place: a warning says the next
 * `bundle` finishes it.  Exit 0 when nothing is wrong, 65 (data error) when
 * anything is.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"

/* What was said. */
struct said {
    const char *dir; /* the archive's */
    int cut_bundles; /* bundles whose run was cut off before the renames */
};

static int
print_problem(const struct arc_problem *p, void *ctx)
{
    struct said *said = ctx;

    if (p->kind == ARC_PROBLEM_BUNDLE &&
        mr_bundle_cut_off(said->dir, p->path)) {
        mr_log(MR_LOG_WARN,
               _("bundle %s: recorded by a run cut off before its files were "
                 "in place; the next 'mailroom bundle' puts them there"),
               p->path);
        said->cut_bundles++;
        return 0;
    }
    switch (p->kind) {
    case ARC_PROBLEM_DATABASE:
        printf(_("database: %s\n"), p->detail);
        break;
    case ARC_PROBLEM_PAGE:
        if (p->letter)
            printf(_("page %lld (letter %s page %d; stack %lld page %d): "
                     "%s: %s\n"),
                   (long long)p->page_id, p->letter, p->letter_page,
                   (long long)p->stack, p->seq, p->path ? p->path : "-",
                   p->detail);
        else
            printf(_("page %lld (in no letter; stack %lld page %d): %s: "
                     "%s\n"),
                   (long long)p->page_id, (long long)p->stack, p->seq,
                   p->path ? p->path : "-", p->detail);
        break;
    case ARC_PROBLEM_FILE:
        printf(_("file %s: %s\n"), p->path, p->detail);
        break;
    case ARC_PROBLEM_BUNDLE:
        printf(_("bundle %s: %s\n"), p->path, p->detail);
        break;
    case ARC_PROBLEM_UNCOMMITTED:
        mr_log(MR_LOG_INFO, _("file %s: %s"), p->path, p->detail);
        break;
    }
    return 0;
}

int
mr_cmd_verify(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_verified t;
    struct said said = {cli->archive, 0};
    int rc;
    struct arc *a = mr_archive_existing(cli, &rc);

    if (!a)
        return rc;
    if (arc_verify(a, print_problem, &said, &t, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        arc_close(&a);
        return mr_exit_code(err.code);
    }
    fflush(stdout);
    if (t.uncommitted)
        fprintf(stderr,
                ngettext("%d file not committed yet (a write in progress, "
                         "or cut off: replaced when its stack goes on)\n",
                         "%d files not committed yet (a write in progress, "
                         "or cut off: replaced when their stacks go on)\n",
                         t.uncommitted),
                t.uncommitted);
    t.problems -= said.cut_bundles;
    fprintf(stderr,
            _("verified %d pages and %d bundles in '%s': %d problems\n"),
            t.pages, t.bundles, cli->archive, t.problems);
    arc_close(&a);
    return t.problems ? MR_EXIT_DATAERR : MR_EXIT_OK;
}
