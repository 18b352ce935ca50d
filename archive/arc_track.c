/*
 * A letter's way through the office after it is sorted, as its writer can
 * follow it: the query password (only its hash is kept), the responsible
 * unit's reply and the writer's rating.  Each change is its own
 * transaction, written to the audit table with who made it.
 */
#include "archive/arc_int.h"

static const char *const state_names[] = {"received",    "sorted",  "confirmed",
                                          "handed_over", "replied", "closed"};

const char *
arc_state_text(enum arc_state s)
{
    return (unsigned)s < sizeof(state_names) / sizeof(state_names[0])
               ? state_names[s]
               : "received";
}

enum arc_state
arc_state_of(const char *text)
{
    for (size_t i = 0; text && i < sizeof(state_names) / sizeof(*state_names);
         i++)
        if (!strcmp(text, state_names[i]))
            return (enum arc_state)i;
    return ARC_STATE_RECEIVED;
}

/*
 * Begin a change of letter code outside any stack: *l gets the letter as
 * it is (release it), at the time now.  On failure nothing is open.
 */
static int
track_begin(struct arc *a, const char *code, struct arc_letter *l, char *at,
            struct mr_err *err)
{
    int rc;

    memset(l, 0, sizeof(*l));
    if (MR_NEVER(!a || !code))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    if (a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot change letter '%s' while a stack is open"),
                       code);
    rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_exec(a, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = arc_letter_get(a, code, l, err);
    if (rc)
        arc_exec(a, "ROLLBACK", NULL);
    return rc;
}

/* Step st (bound to l and more by the caller), audit, commit or undo. */
static int
track_end(struct arc *a, sqlite3_stmt *st, struct arc_letter *l, int rc,
          const char *at, const char *who, const char *action,
          const char *field, const char *old, const char *new_value,
          struct mr_err *err)
{
    if (!rc)
        rc = arc_bind_int(a, st, ":letter", l->id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        rc = arc_audit_add(a, at, who, action, l->code, field, old, new_value,
                           NULL, NULL, NULL, err);
    if (!rc)
        rc = arc_exec(a, "COMMIT", err);
    if (rc)
        arc_exec(a, "ROLLBACK", NULL);
    arc_letter_release(l);
    return rc;
}

int
arc_letter_password_set(struct arc *a, const char *code, const char *hash,
                        const char *who, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_PASSWORD_SET] : NULL;
    struct arc_letter l;
    char at[MR_TIME_SIZE];
    int rc = track_begin(a, code, &l, at, err);

    if (rc)
        return rc;
    rc = arc_bind_text(a, st, ":password", hash, -1, err);
    return track_end(a, st, &l, rc, at, who, "receipt", "password",
                     l.t.has_password ? "issued" : NULL, "issued", err);
}

int
arc_letter_password_get(struct arc *a, const char *code, char **phash,
                        struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_PASSWORD_GET] : NULL;
    struct arc_letter l;
    int rc;

    *phash = NULL;
    if (MR_NEVER(!a || !code))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    rc = arc_letter_get(a, code, &l, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letter", l.id, err);
    if (!rc && (rc = arc_step(a, st, err)) == 1)
        rc = arc_column_dup(st, 0, phash, err);
    arc_stmt_done(st);
    arc_letter_release(&l);
    return rc < 0 ? rc : 0;
}

int
arc_letter_reply(struct arc *a, const char *code, const char *reply,
                 const char *who, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_REPLY] : NULL;
    struct arc_letter l;
    char at[MR_TIME_SIZE];
    int rc = track_begin(a, code, &l, at, err);

    if (rc)
        return rc;
    if (!l.d.valid || l.d.review != ARC_REVIEW_CONFIRMED)
        rc = mr_fail(err, MR_EINVAL,
                     _("letter %s: a reply is recorded for a valid letter a "
                       "reviewer confirmed; this one is %s"),
                     l.code, arc_state_text(l.t.state));
    else if (l.t.state > ARC_STATE_HANDED_OVER)
        rc = mr_fail(err, MR_EINVAL, _("letter %s has its reply already (%s)"),
                     l.code, l.t.replied ? l.t.replied : "");
    if (!rc)
        rc = arc_bind_text(a, st, ":at", at, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":reply", reply, -1, err);
    return track_end(a, st, &l, rc, at, who, "reply", "state",
                     arc_state_text(l.t.state), "replied", err);
}

int
arc_letter_rate(struct arc *a, const char *code, int office, int unit,
                const char *who, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_RATE] : NULL;
    struct arc_letter l;
    char at[MR_TIME_SIZE];
    int rc;

    if (office < 1 || office > 3 || unit < 1 || unit > 3)
        return mr_fail(err, MR_EINVAL,
                       _("a rating is 3 (satisfied), 2 (fairly satisfied) "
                         "or 1 (not satisfied)"));
    rc = track_begin(a, code, &l, at, err);
    if (rc)
        return rc;
    if (l.t.state != ARC_STATE_REPLIED)
        rc = mr_fail(err, MR_EINVAL,
                     _("letter %s is %s: the writer rates the handling once "
                       "the reply is recorded"),
                     l.code, arc_state_text(l.t.state));
    if (!rc)
        rc = arc_bind_text(a, st, ":at", at, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":office", office, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":unit", unit, err);
    return track_end(a, st, &l, rc, at, who, "rate", "state",
                     arc_state_text(l.t.state), "closed", err);
}
