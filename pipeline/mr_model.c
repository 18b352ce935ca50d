/*
 * The department model's training: `mailroom train`, and again after a
 * batch of confirmations.  The model learns from every letter whose
 * department a reviewer confirmed, and is stored in the archive, where
 * import, scan, process and the corrections load it (mr_judge_model).
 * `mailroom decide` judges letters no reviewer confirmed again, by the
 * catalogue and model as they are now: after a catalogue was edited or
 * the model learnt again.  stdout gets "CODE<TAB>OLD<TAB>NEW" for each
 * letter that moved to another mailbox.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

int
mr_model_train(struct arc *a, const char *who, struct cls_model_report *rep,
               struct mr_err *err)
{
    struct arc_confirmed *v = NULL;
    struct cls_example *ex = NULL;
    struct cls_model *m = NULL;
    struct arc_model_info info;
    unsigned char *data = NULL;
    size_t n = 0, nex = 0, size = 0;
    int rc;

    memset(rep, 0, sizeof(*rep));
    rc = arc_confirmed_letters(a, &v, &n, err);
    if (rc)
        return rc;
    ex = calloc(n ? n : 1, sizeof(*ex));
    if (!ex) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (v[i].text)
            ex[nex++] = (struct cls_example){v[i].department, v[i].text};
    if (!nex) {
        rc = mr_fail(err, MR_ENOTFOUND,
                     _("no letter's department has been confirmed by a "
                       "reviewer yet: nothing to learn from"));
        goto out;
    }
    rc = cls_model_train(ex, nex, &m, rep, err);
    if (!rc)
        rc = cls_model_save(m, &data, &size, err);
    if (rc)
        goto out;
    memset(&info, 0, sizeof(info));
    snprintf(info.who, sizeof(info.who), "%s", who);
    info.letters = (int64_t)rep->letters;
    info.departments = (int64_t)rep->departments;
    info.tested = (int64_t)rep->tested;
    info.right = (int64_t)rep->right;
    rc = arc_model_save(a, &info, data, size, err);
out:
    free(data);
    cls_model_destroy(&m);
    free(ex);
    arc_confirmed_free(&v, n);
    return rc;
}

/* One line on what training made. */
static void
report(FILE *to, const struct cls_model_report *rep)
{
    fprintf(to,
            _("department model learnt from %zu confirmed letters of %zu "
              "departments (%zu terms)"),
            rep->letters, rep->departments, rep->terms);
    if (rep->tested)
        fprintf(to, _("; cross-validated: %zu of %zu right (%.1f%%)\n"),
                rep->right, rep->tested, 100.0 * rep->right / rep->tested);
    else
        fprintf(to, _("; too few to validate\n"));
}

int
mr_model_retrain_due(struct arc *a, const struct cls_catalog *catalog,
                     const char *who, struct mr_err *err)
{
    struct cls_model_report rep;
    struct arc_model_info info;
    int rc = arc_model_get(a, &info, NULL, NULL, err);

    if (rc || info.since < cls_catalog_retrain_after(catalog))
        return rc;
    rc = mr_model_train(a, who, &rep, err);
    if (rc == MR_ENOTFOUND) {
        mr_err_clear(err);
        return 0; /* confirmed, but none valid with a department */
    }
    if (!rc && mr_log_level >= MR_LOG_WARN)
        report(stderr, &rep);
    return rc;
}

int
mr_cmd_train(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_model_report rep;
    const char *who = mr_reviewer(cli);
    struct arc *a;
    int rc;

    if (!who)
        return MR_EXIT_USAGE;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        return rc;
    rc = mr_model_train(a, who, &rep, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    else
        report(stdout, &rep);
    arc_close(&a);
    return mr_exit_code(rc);
}

/* The letters to decide again: codes of those no reviewer confirmed. */
struct todo {
    char (*codes)[ARC_CODE_SIZE];
    size_t n, cap;
    int failed; /* MR_ENOMEM */
};

static int
todo_add(struct todo *t, const char *code)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        char(*p)[ARC_CODE_SIZE] = realloc(t->codes, cap * sizeof(*p));

        if (!p) {
            t->failed = MR_ENOMEM;
            return MR_ENOMEM;
        }
        t->codes = p;
        t->cap = cap;
    }
    snprintf(t->codes[t->n++], ARC_CODE_SIZE, "%s", code);
    return 0;
}

static int
collect(const struct arc_letter *l, void *ctx)
{
    return l->d.review == ARC_REVIEW_CONFIRMED ? 0 : todo_add(ctx, l->code);
}

/* Room for a mailbox id. */
#define MAILBOX_SIZE 64

/*
 * Decide letter code again, in its stack's own transaction, unless a
 * reviewer confirmed it: then 2, and nothing is done.  from and to get
 * its mailbox before and after ("-" for none); 1 when it moved to
 * another mailbox, 0 when not.  On failure the letter is as it was.
 */
static int
decide_again(struct arc *a, const struct mr_judge *judge, const char *code,
             char from[MAILBOX_SIZE], char to[MAILBOX_SIZE], struct mr_err *err)
{
    struct arc_letter before, after;
    int rc = arc_letter_get(a, code, &before, err);

    if (rc)
        return rc;
    snprintf(from, MAILBOX_SIZE, "%s",
             before.d.mailbox ? before.d.mailbox : "-");
    snprintf(to, MAILBOX_SIZE, "%s", from);
    if (before.d.review == ARC_REVIEW_CONFIRMED) {
        arc_letter_release(&before);
        return 2;
    }
    rc = arc_stack_resume(a, before.stack_id, NULL, err);
    if (!rc)
        rc = mr_letter_decide(a, judge, before.code, err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        arc_stack_abort(a);
    if (!rc && !(rc = arc_letter_get(a, before.code, &after, err))) {
        snprintf(to, MAILBOX_SIZE, "%s",
                 after.d.mailbox ? after.d.mailbox : "-");
        arc_letter_release(&after);
    }
    arc_letter_release(&before);
    return rc ? rc : strcmp(from, to) != 0;
}

int
mr_cmd_decide(const struct mr_cli *cli, char **codes, int ncodes)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_judge judge = {NULL, NULL};
    struct todo t = {NULL, 0, 0, 0};
    struct arc *a = NULL;
    int rc = mr_judge_open(cli, &judge), moved = 0, failed = 0;
    size_t done = 0;

    if (rc)
        return rc;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    rc = mr_judge_model(&judge, a, &err);
    for (int i = 0; !rc && i < ncodes; i++) {
        char canon[ARC_CODE_SIZE];

        mr_err_clear(&err);
        if (arc_code_normalize(codes[i], canon, &err)) {
            mr_log(MR_LOG_ERROR, "%s", err.msg);
            failed = err.code;
        } else if (todo_add(&t, canon)) {
            t.failed = MR_ENOMEM;
        }
    }
    if (!rc && !ncodes)
        rc = arc_letter_each(a, collect, &t, &err);
    if (!rc && t.failed)
        rc = mr_fail(&err, MR_ENOMEM, _("out of memory"));
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(rc);
        goto out;
    }
    for (size_t i = 0; i < t.n && !mr_interrupted; i++) {
        char from[MAILBOX_SIZE], to[MAILBOX_SIZE];
        int r;

        mr_err_clear(&err);
        r = decide_again(a, &judge, t.codes[i], from, to, &err);
        done++;
        if (r == 2)
            mr_log(MR_LOG_WARN,
                   _("letter %s was confirmed by a reviewer: left as it is"),
                   t.codes[i]);
        if (r == 1) {
            printf("%s\t%s\t%s\n", t.codes[i], from, to);
            moved++;
        }
        if (r >= 0)
            continue;
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        failed = r;
        if (r == MR_EDB || r == MR_EBUSY || r == MR_ENOMEM)
            break;
    }
    fprintf(stderr,
            _("decided %zu letters again: %d moved to another mailbox\n"), done,
            moved);
    rc = mr_exit_code(mr_interrupted ? MR_EINTR : failed);
out:
    free(t.codes);
    arc_close(&a);
    mr_judge_close(&judge);
    return rc;
}
