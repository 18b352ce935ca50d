/*
 * What the month's statistics read: the letters whose figures a span of
 * time touches (received, handed over, replied, closed in it, or handed
 * over before its end and not replied before its start, so that their
 * result may fall due in it), and the reviewers' confirmations made in
 * it, each rebuilt from its audit rows.  Read only; the statements are
 * prepared per call (a command that runs once a month) and finalized
 * before returning.  Times are compared as the UTC text the archive
 * stores ("2026-05-01T09:00:00Z" sorts as it runs); days of the office's
 * time zone are the caller's business.
 */
#include "archive/arc_int.h"

/*
 * The letters of [:from, :to).  The last condition takes the letters
 * whose result clock runs into the span: handed over before its end and
 * not replied before its start.
 */
static const char letters_sql[] =
    "SELECT l.id, l.tracking_code, l.stack_id, l.archived, l.valid,"
    " l.validity_reason, l.addressee, l.mailbox, l.department, l.risk,"
    " l.repeat, l.writer_id, l.review, l.state, l.handed_over, l.replied,"
    " l.closed, l.rating_office, l.rating_unit, l.simple, l.bundle_id"
    " FROM letter AS l"
    " WHERE (l.archived >= :from AND l.archived < :to)"
    " OR (l.handed_over >= :from AND l.handed_over < :to)"
    " OR (l.replied >= :from AND l.replied < :to)"
    " OR (l.closed >= :from AND l.closed < :to)"
    " OR (l.handed_over < :to AND (l.replied IS NULL OR l.replied >= :from))"
    " ORDER BY l.archived, l.id";

/*
 * The rows of every confirmation of the letters confirmed in the span, a
 * letter's in the order written.  A confirmation writes one row per
 * decision it changed, then its "review" row (arc_letter_confirm), so the
 * rows before a "review" row belong to it.  For the "review" row, column
 * 8 is the mailbox the letter had once confirmed: the old value of the
 * next change of its mailbox, or the mailbox it has now.
 */
static const char confirm_sql[] =
    "SELECT r.letter, r.field, r.old, r.new, r.why, r.at, r.who, r.id,"
    " CASE WHEN r.field = 'review' THEN coalesce("
    "  (SELECT n.old FROM audit AS n WHERE n.letter = r.letter"
    "   AND n.field = 'mailbox' AND n.id > r.id ORDER BY n.id LIMIT 1),"
    "  (SELECT l.mailbox FROM letter AS l"
    "   WHERE l.tracking_code = r.letter)) END"
    " FROM audit AS r WHERE r.action = 'confirm'"
    " AND r.field IN ('valid', 'validity_reason', 'mailbox', 'department',"
    "  'review')"
    " AND r.letter IN (SELECT c.letter FROM audit AS c"
    "  WHERE c.action = 'confirm' AND c.field = 'review'"
    "  AND c.at >= :from AND c.at < :to)"
    " ORDER BY r.letter, r.id";

/* Prepare sql on a's connection and bind the span.  MR_EDB. */
static int
prepare_span(struct arc *a, const char *sql, const char *from, const char *to,
             sqlite3_stmt **pst, struct mr_err *err)
{
    int rc;

    *pst = NULL;
    if (sqlite3_prepare_v2(a->db, sql, -1, pst, NULL) != SQLITE_OK)
        return arc_db_fail(a, err);
    rc = arc_bind_text(a, *pst, ":from", from, -1, err);
    if (!rc)
        rc = arc_bind_text(a, *pst, ":to", to, -1, err);
    return rc;
}

/* Fill l from the current row of letters_sql. */
static int
stats_letter_fill(sqlite3_stmt *st, struct arc_letter *l, struct mr_err *err)
{
    struct {
        int col;
        char **p;
    } const text[] = {
        {3, &l->archived},
        {5, (char **)&l->d.validity_reason},
        {6, (char **)&l->d.addressee},
        {7, (char **)&l->d.mailbox},
        {8, (char **)&l->d.department},
        {9, (char **)&l->d.risk},
        {14, &l->t.handed_over},
        {15, &l->t.replied},
        {16, &l->t.closed},
    };
    const char *code = (const char *)sqlite3_column_text(st, 1);
    const char *review = (const char *)sqlite3_column_text(st, 12);
    int rc = 0;

    memset(l, 0, sizeof(*l));
    l->id = sqlite3_column_int64(st, 0);
    snprintf(l->code, sizeof(l->code), "%s", code ? code : "");
    l->stack_id = sqlite3_column_int64(st, 2);
    l->ocr_conf = -1;
    l->d.decided = sqlite3_column_type(st, 4) != SQLITE_NULL;
    l->d.valid = sqlite3_column_int(st, 4);
    l->d.repeat = sqlite3_column_type(st, 10) == SQLITE_NULL
                      ? -1
                      : sqlite3_column_int(st, 10);
    l->d.writer_id = sqlite3_column_int64(st, 11);
    l->d.review = review && !strcmp(review, "confirmed") ? ARC_REVIEW_CONFIRMED
                  : review && !strcmp(review, "pending") ? ARC_REVIEW_PENDING
                                                         : ARC_REVIEW_NONE;
    l->t.state = arc_state_of((const char *)sqlite3_column_text(st, 13));
    l->t.rating_office = sqlite3_column_int(st, 17);
    l->t.rating_unit = sqlite3_column_int(st, 18);
    l->t.simple = sqlite3_column_int(st, 19);
    l->t.bundle_id = sqlite3_column_int64(st, 20);
    for (size_t i = 0; !rc && i < sizeof(text) / sizeof(text[0]); i++)
        rc = arc_column_dup(st, text[i].col, text[i].p, err);
    if (rc)
        arc_letter_release(l);
    return rc;
}

int
arc_stats_letters(struct arc *a, const char *from, const char *to,
                  int (*fn)(const struct arc_letter *l, void *ctx), void *ctx,
                  struct mr_err *err)
{
    sqlite3_stmt *st = NULL;
    struct arc_letter l;
    int rc;

    if (MR_NEVER(!a || !from || !to || !fn))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = prepare_span(a, letters_sql, from, to, &st, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        rc = stats_letter_fill(st, &l, err);
        if (!rc)
            rc = fn(&l, ctx);
        arc_letter_release(&l);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The confirmation being put together from a letter's audit rows. */
struct pending {
    char letter[ARC_CODE_SIZE];
    unsigned changed; /* enum arc_changed */
    int undecided;    /* a "valid" row from nothing */
    char *box_before; /* old value of its "mailbox" row */
    char *why;        /* of its decision rows */
};

static void
pending_reset(struct pending *p)
{
    free(p->box_before);
    free(p->why);
    memset(p, 0, sizeof(*p));
}

/* Add decision row field (old value old, kind of reason why) to p. */
static int
pending_add(struct pending *p, const char *field, const char *old,
            const char *why, struct mr_err *err)
{
    if (!strcmp(field, "valid")) {
        p->changed |= ARC_CHANGED_VALID;
        p->undecided |= old == NULL;
    } else if (!strcmp(field, "validity_reason")) {
        p->changed |= ARC_CHANGED_REASON;
    } else if (!strcmp(field, "department")) {
        p->changed |= ARC_CHANGED_DEPARTMENT;
    } else if (!strcmp(field, "mailbox")) {
        p->changed |= ARC_CHANGED_MAILBOX;
        free(p->box_before);
        if (!(p->box_before = mr_strdup(old, err)) && old)
            return err->code;
    }
    if (why && !p->why && !(p->why = mr_strdup(why, err)))
        return err->code;
    return 0;
}

int
arc_stats_confirmations(struct arc *a, const char *from, const char *to,
                        int (*fn)(const struct arc_confirm_event *e, void *ctx),
                        void *ctx, struct mr_err *err)
{
    sqlite3_stmt *st = NULL;
    struct pending p;
    int rc;

    memset(&p, 0, sizeof(p));
    if (MR_NEVER(!a || !from || !to || !fn))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = prepare_span(a, confirm_sql, from, to, &st, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        const char *letter = (const char *)sqlite3_column_text(st, 0);
        const char *field = (const char *)sqlite3_column_text(st, 1);
        const char *old = (const char *)sqlite3_column_text(st, 2);
        const char *at = (const char *)sqlite3_column_text(st, 5);
        struct arc_confirm_event e;

        rc = 0;
        if (!letter || !field || !at)
            continue; /* NOT NULL columns: cannot happen */
        if (strcmp(letter, p.letter)) {
            pending_reset(&p);
            snprintf(p.letter, sizeof(p.letter), "%s", letter);
        }
        if (strcmp(field, "review")) {
            rc = pending_add(&p, field, old,
                             (const char *)sqlite3_column_text(st, 4), err);
            continue;
        }
        /* The review row closes the confirmation the rows before made. */
        if (strcmp(at, from) >= 0 && strcmp(at, to) < 0) {
            memset(&e, 0, sizeof(e));
            e.code = p.letter;
            e.at = at;
            e.who = (const char *)sqlite3_column_text(st, 6);
            e.again = old && !strcmp(old, "confirmed");
            e.decided = !p.undecided;
            e.changed = p.changed;
            e.mailbox_before = p.changed & ARC_CHANGED_MAILBOX
                                   ? p.box_before
                                   : (const char *)sqlite3_column_text(st, 8);
            e.why = p.why;
            rc = fn(&e, ctx);
        }
        pending_reset(&p);
        snprintf(p.letter, sizeof(p.letter), "%s", letter);
    }
    sqlite3_finalize(st);
    pending_reset(&p);
    return rc;
}
