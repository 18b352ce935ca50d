/*
 * A reviewer's corrections of letter boundaries: `split CODE --at PAGE`
 * and `merge CODE CODE`.  Each runs in one transaction on the letters'
 * stack: the change, the decisions of the letters it touched made again,
 * the audit rows and the answered review questions, all or nothing.
 * stdout gets one "CODE<TAB>FIRST-LAST" line per letter afterwards.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <pwd.h>
#include <unistd.h>

/* Who corrects: --reviewer, else the login name.  NULL after a message. */
static const char *
reviewer(const struct mr_cli *cli)
{
    const struct passwd *pw;

    if (cli->reviewer)
        return cli->reviewer;
    pw = getpwuid(geteuid());
    if (pw && pw->pw_name && *pw->pw_name)
        return pw->pw_name;
    mr_log(MR_LOG_ERROR, _("cannot tell who you are: give --reviewer NAME"));
    return NULL;
}

/* Print "CODE<TAB>FIRST-LAST" of letter code (committed). */
static int
print_letter(struct arc *a, const char *code, struct mr_err *err)
{
    struct arc_letter l;
    int rc = arc_letter_get(a, code, &l, err);

    if (rc)
        return rc;
    printf("%s\t%d-%d\n", l.code, l.first_page,
           l.first_page + l.page_count - 1);
    arc_letter_release(&l);
    return 0;
}

/* Open the stack of letter code for a correction. */
static int
resume_letter_stack(struct arc *a, const char *code, int64_t *pstack,
                    struct mr_err *err)
{
    struct arc_letter l;
    int rc = arc_letter_get(a, code, &l, err);

    *pstack = 0;
    if (rc)
        return rc;
    *pstack = l.stack_id;
    arc_letter_release(&l);
    return arc_stack_resume(a, *pstack, NULL, err);
}

/*
 * The catalogue, to judge the letters again, and the existing archive.
 * NULL, with nothing open and *prc the exit code, after a message.
 */
static struct arc *
open_both(const struct mr_cli *cli, struct cls_catalog **pcatalog, int *prc)
{
    struct arc *a = NULL;

    *pcatalog = mr_catalog_open(cli, prc);
    if (*pcatalog)
        a = mr_archive_existing(cli, prc);
    if (!a)
        cls_catalog_destroy(pcatalog);
    return a;
}

int
mr_cmd_split(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = reviewer(cli);
    char new_code[ARC_CODE_SIZE], canon[ARC_CODE_SIZE];
    struct cls_catalog *catalog = NULL;
    int64_t stack = 0;
    struct arc *a = NULL;
    int rc;

    if (!who)
        return MR_EXIT_USAGE;
    a = open_both(cli, &catalog, &rc);
    if (!a)
        return rc;
    rc = arc_code_normalize(code, canon, &err);
    if (!rc)
        rc = resume_letter_stack(a, canon, &stack, &err);
    if (!rc)
        rc = arc_letter_split(a, canon, cli->at, who, cli->reason, new_code,
                              &err);
    if (!rc && new_code[0])
        rc = mr_letter_decide(a, catalog, canon, &err);
    if (!rc && new_code[0])
        rc = mr_letter_decide(a, catalog, new_code, &err);
    if (!rc)
        rc = arc_stack_commit(a, &err);
    if (rc) {
        arc_stack_abort(a);
        goto out;
    }
    if (new_code[0])
        fprintf(stderr,
                _("letter %s split at page %d: pages from %d on are now "
                  "letter %s\n"),
                canon, cli->at, cli->at, new_code);
    else
        fprintf(stderr,
                _("page %d already begins letter %s: boundary confirmed\n"),
                cli->at, canon);
    rc = print_letter(a, canon, &err);
    if (!rc && new_code[0])
        rc = print_letter(a, new_code, &err);
out:
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    cls_catalog_destroy(&catalog);
    return mr_exit_code(rc);
}

int
mr_cmd_merge(const struct mr_cli *cli, const char *code1, const char *code2)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = reviewer(cli);
    char kept[ARC_CODE_SIZE], c1[ARC_CODE_SIZE], c2[ARC_CODE_SIZE];
    struct cls_catalog *catalog = NULL;
    struct arc_letter l1, l2;
    int64_t stack = 0;
    struct arc *a = NULL;
    int rc;

    memset(&l1, 0, sizeof(l1));
    memset(&l2, 0, sizeof(l2));
    if (!who)
        return MR_EXIT_USAGE;
    a = open_both(cli, &catalog, &rc);
    if (!a)
        return rc;
    rc = arc_letter_get(a, code1, &l1, &err);
    if (!rc)
        rc = arc_letter_get(a, code2, &l2, &err);
    if (rc)
        goto out;
    snprintf(c1, sizeof(c1), "%s", l1.code);
    snprintf(c2, sizeof(c2), "%s", l2.code);
    if (l1.stack_id != l2.stack_id) {
        rc = mr_fail(&err, MR_EINVAL,
                     _("cannot merge letters '%s' and '%s': they came in "
                       "different stacks ('%s' and '%s')"),
                     c1, c2, l1.source, l2.source);
        goto out;
    }
    rc = resume_letter_stack(a, c1, &stack, &err);
    if (!rc)
        rc = arc_letter_merge(a, c1, c2, who, cli->reason, kept, &err);
    if (!rc)
        rc = mr_letter_decide(a, catalog, kept, &err);
    if (!rc)
        rc = arc_stack_commit(a, &err);
    if (rc) {
        arc_stack_abort(a);
        goto out;
    }
    fprintf(stderr, _("letters %s and %s merged: tracking code %s\n"), c1, c2,
            kept);
    rc = print_letter(a, kept, &err);
out:
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_letter_release(&l1);
    arc_letter_release(&l2);
    arc_close(&a);
    cls_catalog_destroy(&catalog);
    return mr_exit_code(rc);
}
