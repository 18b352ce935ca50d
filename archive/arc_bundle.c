/*
 * Bundles: the confirmed letters of one mailbox handed to its office
 * together, as one searchable PDF and a manifest (made in pipeline/).
 * Recording a bundle is one transaction: the bundle row, each letter
 * marked handed over with the time and the bundle, an audit row per
 * letter.  The row is the record: the caller moves its files into place
 * after the commit, and finishes that on the next run if it was cut off
 * (arc_bundle_each lists the rows to check).
 */
#include "archive/arc_int.h"

/* Mark letter code handed over in bundle id; it must still be waiting. */
static int
hand_over(struct arc *a, const char *code, const struct arc_bundle *b,
          int64_t id, const char *who, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_LETTER_HAND_OVER];
    struct arc_letter l;
    char bundle[32];
    int rc = arc_letter_get(a, code, &l, err);

    if (rc)
        return rc;
    if (l.t.state != ARC_STATE_CONFIRMED || !l.d.valid || l.t.bundle_id ||
        !l.d.mailbox || strcmp(l.d.mailbox, b->mailbox))
        rc = mr_fail(err, MR_EINVAL,
                     _("letter %s changed meanwhile (it is %s, mailbox %s): "
                       "make the bundle again"),
                     l.code, arc_state_text(l.t.state),
                     l.d.mailbox ? l.d.mailbox : "-");
    if (!rc)
        rc = arc_bind_text(a, st, ":at", b->created, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":bundle", id, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letter", l.id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    snprintf(bundle, sizeof(bundle), "%lld", (long long)id);
    if (!rc)
        rc = arc_audit_add(a, b->created, who, "handover", l.code, "bundle",
                           NULL, bundle, b->mailbox, NULL, NULL, err);
    arc_letter_release(&l);
    return rc;
}

int
arc_bundle_add(struct arc *a, const struct arc_bundle *b,
               const char (*codes)[ARC_CODE_SIZE], size_t n, const char *who,
               int64_t *pid, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_BUNDLE_INSERT] : NULL;
    int rc;

    *pid = 0;
    if (MR_NEVER(!a || !b || !codes || !n || !who))
        return mr_fail(err, MR_EINVAL, _("no bundle given"));
    if (a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot record a bundle while a stack is open"));
    rc = arc_exec(a, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = arc_bind_text(a, st, ":mailbox", b->mailbox, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":created", b->created, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":who", who, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":path", b->path, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":sha256", b->sha256, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letters", (int64_t)n, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":pages", b->pages, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        *pid = sqlite3_last_insert_rowid(a->db);
    for (size_t i = 0; !rc && i < n; i++)
        rc = hand_over(a, codes[i], b, *pid, who, err);
    if (!rc)
        rc = arc_exec(a, "COMMIT", err);
    if (rc) {
        arc_exec(a, "ROLLBACK", NULL);
        *pid = 0;
    }
    return rc;
}

int
arc_bundle_each(struct arc *a,
                int (*fn)(int64_t id, const char *path, void *ctx), void *ctx,
                struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_BUNDLE_ALL] : NULL;
    int rc;

    if (MR_NEVER(!a || !fn))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    while ((rc = arc_step(a, st, err)) == 1) {
        rc = fn(sqlite3_column_int64(st, 0),
                (const char *)sqlite3_column_text(st, 1), ctx);
        if (rc)
            break;
    }
    arc_stmt_done(st);
    return rc;
}
