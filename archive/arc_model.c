/*
 * Reviewers' confirmations and the department model learnt from them.
 *
 * A confirmation stores what a reviewer settled on (validity, mailbox,
 * department), marks the letter confirmed, and leaves audit rows by the
 * reviewer: one per field changed, and one for the review itself, which
 * is what "confirmations since the model was trained" counts.  The model
 * is one row, the newest training: the archive keeps what the letters
 * say, not each model ever learnt from them.
 */
#include "archive/arc_int.h"

/* An audit row of a confirmation when field changed. */
static int
audit_confirm(struct arc *a, const char *at, const char *who,
              const struct arc_confirmation *c, const char *reason,
              const char *code, const char *field, const char *old,
              const char *new_value, struct mr_err *err)
{
    /* A reviewer overrides the program's decisions, not the rest. */
    int decision = strcmp(field, "review") && strcmp(field, "simple");

    if (arc_same_text(old, new_value) && strcmp(field, "review"))
        return 0;
    return arc_audit_add(a, at, who, "confirm", code, field, old, new_value,
                         NULL, reason, decision ? c->why : NULL, err);
}

int
arc_letter_confirm(struct arc *a, const char *code,
                   const struct arc_confirmation *c, const char *who,
                   const char *reason, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_CONFIRM] : NULL;
    struct arc_letter old;
    char at[24];
    int rc;

    if (MR_NEVER(!a || !code || !c || !who))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot confirm letter '%s': its stack is not open"),
                       code);
    rc = arc_letter_get(a, code, &old, err);
    if (rc)
        return rc;
    rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letter", old.id, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":valid", c->valid != 0, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":reason", c->validity_reason, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":mailbox", c->mailbox, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":department", c->department, -1, err);
    if (!rc && c->simple >= 0)
        rc = arc_bind_int(a, st, ":simple", c->simple, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        rc = audit_confirm(a, at, who, c, reason, old.code, "valid",
                           old.d.decided ? (old.d.valid ? "valid" : "invalid")
                                         : NULL,
                           c->valid ? "valid" : "invalid", err);
    if (!rc)
        rc = audit_confirm(a, at, who, c, reason, old.code, "validity_reason",
                           old.d.validity_reason, c->validity_reason, err);
    if (!rc)
        rc = audit_confirm(a, at, who, c, reason, old.code, "mailbox",
                           old.d.mailbox, c->mailbox, err);
    if (!rc)
        rc = audit_confirm(a, at, who, c, reason, old.code, "department",
                           old.d.department, c->department, err);
    if (!rc)
        rc = audit_confirm(a, at, who, c, reason, old.code, "review",
                           arc_review_text(old.d.review), "confirmed", err);
    if (!rc && c->simple >= 0 && c->simple != old.t.simple)
        rc = audit_confirm(a, at, who, c, reason, old.code, "simple",
                           old.t.simple ? "yes" : "no",
                           c->simple ? "yes" : "no", err);
    arc_letter_release(&old);
    return rc;
}

void
arc_confirmed_free(struct arc_confirmed **pv, size_t n)
{
    struct arc_confirmed *v = pv ? *pv : NULL;

    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].department);
        free(v[i].text);
    }
    free(v);
    *pv = NULL;
}

int
arc_confirmed_letters(struct arc *a, struct arc_confirmed **pv, size_t *pn,
                      struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_CONFIRMED_LETTERS];
    struct arc_confirmed *v = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *pv = NULL;
    *pn = 0;
    while ((rc = arc_step(a, st, err)) == 1) {
        if (n == cap) {
            struct arc_confirmed *p;

            cap = cap ? 2 * cap : 64;
            p = realloc(v, cap * sizeof(*v));
            if (!p) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                break;
            }
            v = p;
        }
        memset(&v[n], 0, sizeof(v[n]));
        rc = arc_column_dup(st, 0, &v[n].department, err);
        if (!rc)
            rc = arc_column_dup(st, 1, &v[n].text, err);
        n++;
        if (rc)
            break;
    }
    arc_stmt_done(st);
    if (rc) {
        arc_confirmed_free(&v, n);
        return rc;
    }
    *pv = v;
    *pn = n;
    return 0;
}

int
arc_model_save(struct arc *a, const struct arc_model_info *info,
               const void *data, size_t size, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_MODEL_INSERT];
    char at[24];
    int rc;

    if (a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot store the model while a stack is open"));
    rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_exec(a, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = arc_exec(a, "DELETE FROM model", err);
    if (!rc)
        rc = arc_bind_text(a, st, ":trained", at, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":who", info->who, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letters", info->letters, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":departments", info->departments, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":tested", info->tested, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":correct", info->right, err);
    if (!rc)
        rc = arc_bind_blob(a, st, ":data", data, size, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        rc = arc_exec(a, "COMMIT", err);
    if (rc)
        arc_exec(a, "ROLLBACK", NULL);
    return rc;
}

int
arc_model_get(struct arc *a, struct arc_model_info *info, unsigned char **pdata,
              size_t *psize, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_MODEL_GET];
    int rc;

    memset(info, 0, sizeof(*info));
    if (pdata)
        *pdata = NULL;
    if (psize)
        *psize = 0;
    rc = arc_step(a, st, err);
    if (rc == 1) {
        const void *blob = sqlite3_column_blob(st, 6);
        size_t size = (size_t)sqlite3_column_bytes(st, 6);

        snprintf(info->trained, sizeof(info->trained), "%s",
                 sqlite3_column_type(st, 0) == SQLITE_NULL
                     ? ""
                     : (const char *)sqlite3_column_text(st, 0));
        snprintf(info->who, sizeof(info->who), "%s",
                 sqlite3_column_type(st, 1) == SQLITE_NULL
                     ? ""
                     : (const char *)sqlite3_column_text(st, 1));
        info->letters = sqlite3_column_int64(st, 2);
        info->departments = sqlite3_column_int64(st, 3);
        info->tested = sqlite3_column_int64(st, 4);
        info->right = sqlite3_column_int64(st, 5);
        info->since = sqlite3_column_int64(st, 7);
        rc = 0;
        if (pdata && blob && size) {
            *pdata = malloc(size);
            if (!*pdata)
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
            else
                memcpy(*pdata, blob, size);
            *psize = size;
        }
    }
    arc_stmt_done(st);
    return rc;
}
