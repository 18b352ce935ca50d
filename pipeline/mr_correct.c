/*
 * A reviewer's corrections: of letter boundaries, `split CODE --at PAGE`
 * and `merge CODE CODE`; of decisions, `confirm CODE...`.  Each runs in
 * one transaction on the letter's stack: the change, the decisions of the
 * letters it touched made again, the audit rows and the answered review
 * questions, all or nothing.  stdout gets one "CODE<TAB>FIRST-LAST" line
 * per letter after a split or merge, "CODE<TAB>MAILBOX<TAB>DEPARTMENT"
 * after a confirmation.  After a batch of confirmations the department
 * model is learnt again.  `review` (mr_review.c) makes its corrections
 * through the same functions (mr_confirm_one, mr_letter_split_at,
 * mr_letters_merge); the commands around them print what they did.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <pwd.h>
#include <unistd.h>

const char *
mr_reviewer(const struct mr_cli *cli)
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

/* The kinds of reason a reviewer gives for overriding a decision. */
static const struct {
    const char *id, *text;
} whys[] = {
    {"misread", N_("the text was misread")},
    {"addressee", N_("the letter addresses another mailbox")},
    {"matter", N_("the matter belongs to another department")},
    {"several", N_("several matters: another is the main one")},
    {"validity", N_("valid or invalid was misjudged")},
    {"instruction", N_("a leader's or the office's instruction")},
    {"other", N_("another reason (say which with --reason)")},
};

const char *
mr_why_text(const char *id)
{
    for (size_t i = 0; id && i < sizeof(whys) / sizeof(whys[0]); i++)
        if (!strcmp(id, whys[i].id))
            return _(whys[i].text);
    return NULL;
}

const char *
mr_why_id(size_t i)
{
    return i < sizeof(whys) / sizeof(whys[0]) ? whys[i].id : NULL;
}

const char *
mr_why_list(void)
{
    static char list[160];

    if (!*list)
        for (size_t i = 0; i < sizeof(whys) / sizeof(whys[0]); i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                     i ? ", " : "", whys[i].id);
    return list;
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

struct arc *
mr_open_both(const struct mr_cli *cli, struct mr_judge *judge, int *prc)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a = NULL;

    *prc = mr_judge_open(cli, judge);
    if (!*prc)
        a = mr_archive_existing(cli, prc);
    if (a && mr_judge_model(judge, a, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        *prc = mr_exit_code(err.code);
        arc_close(&a);
    }
    if (!a)
        mr_judge_close(judge);
    return a;
}

int
mr_letter_split_at(const struct mr_cli *cli, struct arc *a,
                   const struct mr_judge *judge, const char *who,
                   const char *code, char *canon, char *new_code,
                   struct mr_err *err)
{
    int64_t stack = 0;
    int rc;

    canon[0] = new_code[0] = '\0';
    rc = arc_code_normalize(code, canon, err);
    if (!rc)
        rc = resume_letter_stack(a, canon, &stack, err);
    if (!rc)
        rc = arc_letter_split(a, canon, cli->at, who, cli->reason, new_code,
                              err);
    if (!rc && new_code[0])
        rc = mr_letter_decide(a, judge, canon, err);
    if (!rc && new_code[0])
        rc = mr_letter_decide(a, judge, new_code, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
    return rc;
}

int
mr_cmd_split(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = mr_reviewer(cli);
    char new_code[ARC_CODE_SIZE], canon[ARC_CODE_SIZE];
    struct mr_judge judge = {NULL, NULL};
    struct arc *a = NULL;
    int rc;

    if (!who)
        return MR_EXIT_USAGE;
    a = mr_open_both(cli, &judge, &rc);
    if (!a)
        return rc;
    rc = mr_letter_split_at(cli, a, &judge, who, code, canon, new_code, &err);
    if (rc)
        goto out;
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
    mr_judge_close(&judge);
    return mr_exit_code(rc);
}

int
mr_letters_merge(const struct mr_cli *cli, struct arc *a,
                 const struct mr_judge *judge, const char *who,
                 const char *code1, const char *code2, char *c1, char *c2,
                 char *kept, struct mr_err *err)
{
    struct arc_letter l1, l2;
    int64_t stack = 0;
    int rc;

    c1[0] = c2[0] = kept[0] = '\0';
    memset(&l1, 0, sizeof(l1));
    memset(&l2, 0, sizeof(l2));
    rc = arc_letter_get(a, code1, &l1, err);
    if (!rc)
        rc = arc_letter_get(a, code2, &l2, err);
    if (rc)
        goto out;
    snprintf(c1, ARC_CODE_SIZE, "%s", l1.code);
    snprintf(c2, ARC_CODE_SIZE, "%s", l2.code);
    if (l1.stack_id != l2.stack_id) {
        rc = mr_fail(err, MR_EINVAL,
                     _("cannot merge letters '%s' and '%s': they came in "
                       "different stacks ('%s' and '%s')"),
                     c1, c2, l1.source, l2.source);
        goto out;
    }
    rc = resume_letter_stack(a, c1, &stack, err);
    if (!rc)
        rc = arc_letter_merge(a, c1, c2, who, cli->reason, kept, err);
    if (!rc)
        rc = mr_letter_decide(a, judge, kept, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
out:
    arc_letter_release(&l1);
    arc_letter_release(&l2);
    return rc;
}

int
mr_cmd_merge(const struct mr_cli *cli, const char *code1, const char *code2)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = mr_reviewer(cli);
    char kept[ARC_CODE_SIZE], c1[ARC_CODE_SIZE], c2[ARC_CODE_SIZE];
    struct mr_judge judge = {NULL, NULL};
    struct arc *a = NULL;
    int rc;

    if (!who)
        return MR_EXIT_USAGE;
    a = mr_open_both(cli, &judge, &rc);
    if (!a)
        return rc;
    rc =
        mr_letters_merge(cli, a, &judge, who, code1, code2, c1, c2, kept, &err);
    if (rc)
        goto out;
    fprintf(stderr, _("letters %s and %s merged: tracking code %s\n"), c1, c2,
            kept);
    rc = print_letter(a, kept, &err);
out:
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    mr_judge_close(&judge);
    return mr_exit_code(rc);
}

/* Whether id is the id of a reason a letter is invalid for. */
static int
invalid_reason_ok(const char *id)
{
    for (int w = CLS_INVALID_BLANK; w <= CLS_INVALID_LONG; w++)
        if (!strcmp(id, cls_invalid_id((enum cls_invalid)w)))
            return 1;
    return 0;
}

/*
 * What the reviewer settles on for letter l: --valid/--invalid, --mailbox
 * and --department over what the program decided.  MR_EINVAL naming what
 * does not fit.
 */
static int
settle(const struct mr_cli *cli, const struct cls_catalog *catalog,
       const struct arc_letter *l, struct arc_confirmation *c,
       struct mr_err *err)
{
    const struct cls_mailbox *box = NULL, *dept = NULL;
    const struct arc_decision *d = &l->d;
    int routed = cli->mailbox || cli->department;

    if (cli->valid < 0 && !routed && !d->decided)
        return mr_fail(err, MR_EINVAL,
                       _("letter %s has not been decided yet: give "
                         "--department, or --invalid"),
                       l->code);
    c->valid = cli->valid >= 0 ? cli->valid : routed || d->valid;
    if (!c->valid) {
        if (routed)
            return mr_fail(err, MR_EINVAL,
                           _("letter %s: an invalid letter goes to no mailbox "
                             "or department"),
                           l->code);
        c->validity_reason = cli->invalid_reason  ? cli->invalid_reason
                             : d->validity_reason ? d->validity_reason
                                                  : "no_request";
        if (!invalid_reason_ok(c->validity_reason))
            return mr_fail(err, MR_EINVAL,
                           _("unknown reason '%s' for an invalid letter (use "
                             "blank, illegible, no_request, article, "
                             "advertising or long_no_request)"),
                           c->validity_reason);
        c->mailbox = "invalid";
        c->department = NULL;
        return 0;
    }
    c->validity_reason = NULL;
    if (cli->mailbox && strcmp(cli->mailbox, "other") &&
        !(box = cls_catalog_find(catalog, cli->mailbox)))
        return mr_fail(err, MR_EINVAL, _("no mailbox '%s' in the catalogue"),
                       cli->mailbox);
    c->department = cli->department          ? cli->department
                    : box && !box->leader    ? box->id
                    : d->decided && d->valid ? d->department
                                             : NULL;
    if (!c->department)
        return mr_fail(err, MR_EINVAL,
                       _("letter %s was decided invalid: give its "
                         "--department"),
                       l->code);
    if (strcmp(c->department, "other") &&
        (!(dept = cls_catalog_find(catalog, c->department)) || dept->leader))
        return mr_fail(err, MR_EINVAL, _("no department '%s' in the catalogue"),
                       c->department);
    if (cli->mailbox)
        c->mailbox = cli->mailbox;
    else if (d->decided && d->valid && d->mailbox &&
             (box = cls_catalog_find(catalog, d->mailbox)) && box->leader)
        c->mailbox = d->mailbox; /* a letter to a leader stays the leader's */
    else
        c->mailbox = c->department;
    return 0;
}

/*
 * What the reviewer's confirmation c changes of what the program decided
 * for l ("mailbox", ...), or NULL when it changes none.
 */
static const char *
overridden(const struct arc_letter *l, const struct arc_confirmation *c)
{
    const struct arc_decision *d = &l->d;

    if (!d->decided)
        return NULL;
    if (d->valid != c->valid)
        return "valid";
    if (!c->valid && d->validity_reason && c->validity_reason &&
        strcmp(d->validity_reason, c->validity_reason))
        return "validity_reason";
    if (c->valid && (!d->department || strcmp(d->department, c->department)))
        return "department";
    if (c->valid && (!d->mailbox || strcmp(d->mailbox, c->mailbox)))
        return "mailbox";
    return NULL;
}

int
mr_confirm_check(const struct mr_cli *cli, const struct cls_catalog *catalog,
                 const struct arc_letter *l, const char **pfield,
                 struct mr_err *err)
{
    struct arc_confirmation c;
    int rc;

    *pfield = NULL;
    memset(&c, 0, sizeof(c));
    rc = settle(cli, catalog, l, &c, err);
    if (!rc)
        *pfield = overridden(l, &c);
    return rc;
}

int
mr_confirm_one(const struct mr_cli *cli, struct arc *a,
               const struct mr_judge *judge, const char *who, const char *code,
               FILE *out, struct mr_err *err)
{
    struct arc_confirmation c;
    struct arc_letter l;
    int64_t stack = 0;
    int rc = arc_letter_get(a, code, &l, err);

    if (rc)
        return rc;
    rc = settle(cli, judge->catalog, &l, &c, err);
    c.simple = cli->simple;
    c.why = cli->why;
    if (!rc && !cli->why && overridden(&l, &c))
        rc = mr_fail(err, MR_EINVAL,
                     _("letter %s: changing its %s needs --why REASON, one "
                       "of %s"),
                     l.code, overridden(&l, &c), mr_why_list());
    if (!rc && cli->why && !strcmp(cli->why, "other") &&
        !(cli->reason && *cli->reason))
        rc = mr_fail(err, MR_EINVAL,
                     _("letter %s: --why other needs --reason TEXT saying "
                       "which"),
                     l.code);
    if (!rc)
        rc = resume_letter_stack(a, l.code, &stack, err);
    if (!rc)
        rc = arc_letter_confirm(a, l.code, &c, who, cli->reason, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc && stack)
        arc_stack_abort(a);
    if (!rc && out)
        fprintf(out, "%s\t%s\t%s\n", l.code, c.mailbox,
                c.department ? c.department : "-");
    arc_letter_release(&l);
    return rc;
}

int
mr_cmd_confirm(const struct mr_cli *cli, char **codes, int ncodes)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = mr_reviewer(cli);
    struct mr_judge judge = {NULL, NULL};
    struct arc *a = NULL;
    int rc, failed = 0, confirmed = 0;

    if (!who)
        return MR_EXIT_USAGE;
    a = mr_open_both(cli, &judge, &rc);
    if (!a)
        return rc;
    for (int i = 0; i < ncodes; i++) {
        mr_err_clear(&err);
        rc = mr_confirm_one(cli, a, &judge, who, codes[i], stdout, &err);
        if (!rc) {
            confirmed++;
            continue;
        }
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        failed = rc;
        if (rc == MR_EDB || rc == MR_EBUSY || rc == MR_ENOMEM)
            break;
    }
    mr_err_clear(&err);
    rc = confirmed ? mr_model_retrain_due(a, judge.catalog, who, &err) : 0;
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    mr_judge_close(&judge);
    return mr_exit_code(failed ? failed : rc);
}
