/*
 * Reviewers' corrections of letter boundaries, and the audit table.
 *
 * Invariants a correction keeps, inside the open stack's transaction and
 * a savepoint of its own (all of it or nothing):
 *   - every page of a letter lies between its first_page and its
 *     first_page + page_count - 1, and no page is in two letters;
 *   - the part of a letter that keeps its first page keeps its tracking
 *     code; a code that disappears in a merge is retired, never reused,
 *     and points to the letter it went into (and on, after later merges);
 *   - the audit table is append-only (its triggers refuse the rest): one
 *     row per letter a correction touched, with who, when and why;
 *   - the review questions a correction settles are answered by it.
 */
#include "archive/arc_int.h"

#include <time.h>

/* What a correction needs to know of a letter. */
struct span {
    int64_t id;
    int first, last;
    char code[ARC_CODE_SIZE];
    char *language;
};

int
arc_now_utc(char *buf, struct mr_err *err)
{
    return mr_time_text(mr_now(), buf, err);
}

/* Letter code of the open stack into *s; free s->language after. */
static int
find_letter(struct arc *a, const char *code, struct span *s, struct mr_err *err)
{
    struct arc_letter l;
    int rc;

    memset(s, 0, sizeof(*s));
    if (MR_NEVER(!a || !code))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot correct letter '%s': its stack is not open"),
                       code);
    rc = arc_letter_get(a, code, &l, err);
    if (rc)
        return rc;
    if (l.stack_id != a->stack_id)
        rc = mr_fail(err, MR_EINVAL,
                     _("letter '%s' is not in stack %lld, the one open"),
                     l.code, (long long)a->stack_id);
    s->id = l.id;
    s->first = l.first_page;
    s->last = l.first_page + l.page_count - 1;
    snprintf(s->code, sizeof(s->code), "%s", l.code);
    s->language = l.language;
    l.language = NULL;
    arc_letter_release(&l);
    return rc;
}

/* "first-last" of a page range into buf (24 bytes). */
static const char *
range_text(char *buf, int first, int last)
{
    snprintf(buf, 24, "%d-%d", first, last);
    return buf;
}

int
arc_audit_add(struct arc *a, const char *at, const char *who,
              const char *action, const char *letter, const char *field,
              const char *old, const char *new_value, const char *other,
              const char *reason, const char *why, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_AUDIT_INSERT];
    int rc = arc_bind_text(a, st, ":at", at, -1, err);

    if (!rc)
        rc = arc_bind_text(a, st, ":who", who, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":action", action, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":letter", letter, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":field", field, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":old", old, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":new", new_value, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":other", other, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":reason", reason && *reason ? reason : NULL,
                           -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":why", why, -1, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    return rc;
}

/* Answer the open questions of pages first..last of the open stack. */
static int
answer_questions(struct arc *a, const char *at, const char *who, int first,
                 int last, const char *answer, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_REVIEW_ANSWER];
    int rc = arc_bind_text(a, st, ":at", at, -1, err);

    if (!rc)
        rc = arc_bind_text(a, st, ":who", who, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":answer", answer, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":first", first, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":last", last, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    return rc;
}

/* The count of a one-row count(*) statement st with its bindings made. */
static int
count_rows(struct arc *a, sqlite3_stmt *st, int64_t *pn, struct mr_err *err)
{
    int rc = arc_step(a, st, err);

    *pn = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
    arc_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* Pages of letter s in first..last that are neither blank nor separators. */
static int
content_pages(struct arc *a, const struct span *s, int first, int last,
              int64_t *pn, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_LETTER_CONTENT];
    int rc = arc_bind_int(a, st, ":letter", s->id, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":first", first, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":last", last, err);
    if (rc) {
        arc_stmt_done(st);
        return rc;
    }
    return count_rows(a, st, pn, err);
}

/* Letter letter_id now runs from page first for count pages. */
static int
set_span(struct arc *a, int64_t letter_id, int first, int count,
         struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_LETTER_SPAN];
    int rc = arc_bind_int(a, st, ":letter", letter_id, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":first", first, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":count", count, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    return rc;
}

/* A split at the letter's own first page: confirm the boundary there. */
static int
confirm_boundary(struct arc *a, const struct span *s, const char *at,
                 const char *who, const char *reason, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_LETTER_BEFORE];
    char page[24];
    int64_t before = 0;
    int rc = arc_bind_int(a, st, ":stack", a->stack_id, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":seq", s->first, err);
    if (!rc)
        rc = count_rows(a, st, &before, err);
    else
        arc_stmt_done(st);
    if (!rc)
        rc = answer_questions(a, at, who, (int)before + 1, s->first, "boundary",
                              err);
    snprintf(page, sizeof(page), "%d", s->first);
    if (!rc)
        rc = arc_audit_add(a, at, who, "confirm", s->code, "boundary", NULL,
                           page, NULL, reason, NULL, err);
    return rc;
}

/* Give pages seq.. of letter s to a new letter; s keeps the rest. */
static int
split_pages(struct arc *a, const struct span *s, int seq, const char *at,
            const char *who, const char *reason, char *new_code,
            struct mr_err *err)
{
    sqlite3_stmt *move = a->st[ARC_ST_LETTER_MOVE];
    char was[24], now[24], part[24];
    int64_t new_id = 0;
    int rc;

    rc = arc_letter_insert(a, seq, s->last - seq + 1, s->language, new_code,
                           &new_id, err);
    if (!rc)
        rc = arc_bind_int(a, move, ":to", new_id, err);
    if (!rc)
        rc = arc_bind_int(a, move, ":from", s->id, err);
    if (!rc)
        rc = arc_bind_int(a, move, ":seq", seq, err);
    if (!rc)
        rc = arc_step(a, move, err);
    arc_stmt_done(move);
    if (!rc)
        rc = set_span(a, s->id, s->first, seq - s->first, err);
    if (!rc)
        rc = answer_questions(a, at, who, seq, seq, "boundary", err);
    if (!rc)
        rc = arc_audit_add(a, at, who, "split", s->code, "pages",
                           range_text(was, s->first, s->last),
                           range_text(now, s->first, seq - 1), new_code, reason,
                           NULL, err);
    if (!rc)
        rc = arc_audit_add(a, at, who, "split", new_code, "pages", NULL,
                           range_text(part, seq, s->last), s->code, reason,
                           NULL, err);
    return rc;
}

int
arc_letter_split(struct arc *a, const char *code, int seq, const char *who,
                 const char *reason, char *new_code, struct mr_err *err)
{
    struct span s;
    char at[24];
    int64_t before = 0, after = 0;
    int rc, saved = 0;

    if (new_code)
        new_code[0] = '\0';
    if (MR_NEVER(!new_code || !who))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    rc = find_letter(a, code, &s, err);
    if (!rc)
        rc = arc_now_utc(at, err);
    if (rc)
        goto out;
    if (seq < s.first || seq > s.last) {
        rc = mr_fail(err, MR_EINVAL,
                     _("page %d is not in letter '%s' (pages %d-%d)"), seq,
                     s.code, s.first, s.last);
        goto out;
    }
    if (seq > s.first) {
        rc = content_pages(a, &s, s.first, seq - 1, &before, err);
        if (!rc)
            rc = content_pages(a, &s, seq, s.last, &after, err);
        if (!rc && (!before || !after))
            rc = mr_fail(err, MR_EINVAL,
                         _("cannot split letter '%s' at page %d: pages %d-%d "
                           "would be a letter of blank pages only"),
                         s.code, seq, before ? seq : s.first,
                         before ? s.last : seq - 1);
        if (rc)
            goto out;
    }
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_exec(a, "SAVEPOINT arc_edit", err);
    if (rc)
        goto out;
    saved = 1;
    if (seq == s.first)
        rc = confirm_boundary(a, &s, at, who, reason, err);
    else
        rc = split_pages(a, &s, seq, at, who, reason, new_code, err);
    if (!rc)
        rc = arc_exec(a, "RELEASE arc_edit", err);
out:
    if (rc && saved) {
        arc_savepoint_undo(a, "arc_edit");
        new_code[0] = '\0';
    }
    free(s.language);
    return rc;
}

/* Letter gone goes into letter keep, which ends at gone's last page. */
static int
merge_pages(struct arc *a, const struct span *keep, const struct span *gone,
            const char *at, const char *who, const char *reason,
            struct mr_err *err)
{
    sqlite3_stmt *join = a->st[ARC_ST_PAGES_JOIN];
    sqlite3_stmt *repoint = a->st[ARC_ST_CODE_REPOINT];
    sqlite3_stmt *del = a->st[ARC_ST_LETTER_DELETE];
    sqlite3_stmt *retire = a->st[ARC_ST_CODE_RETIRE];
    char was[24], now[24], part[24];
    int rc;

    rc = arc_bind_int(a, join, ":letter", keep->id, err);
    if (!rc)
        rc = arc_bind_int(a, join, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, join, ":first", keep->first, err);
    if (!rc)
        rc = arc_bind_int(a, join, ":last", gone->last, err);
    if (!rc)
        rc = arc_step(a, join, err);
    arc_stmt_done(join);
    if (!rc)
        rc = set_span(a, keep->id, keep->first, gone->last - keep->first + 1,
                      err);
    /* Codes retired into gone now lead to keep; then gone's own. */
    if (!rc)
        rc = arc_bind_int(a, repoint, ":to", keep->id, err);
    if (!rc)
        rc = arc_bind_int(a, repoint, ":from", gone->id, err);
    if (!rc)
        rc = arc_step(a, repoint, err);
    arc_stmt_done(repoint);
    if (!rc)
        rc = arc_similar_forget(a, gone->id, err);
    if (!rc)
        rc = arc_bind_int(a, del, ":letter", gone->id, err);
    if (!rc)
        rc = arc_step(a, del, err);
    arc_stmt_done(del);
    if (!rc)
        rc = arc_bind_text(a, retire, ":code", gone->code, -1, err);
    if (!rc)
        rc = arc_bind_int(a, retire, ":letter", keep->id, err);
    if (!rc)
        rc = arc_bind_text(a, retire, ":at", at, -1, err);
    if (!rc)
        rc = arc_step(a, retire, err);
    arc_stmt_done(retire);
    if (!rc)
        rc = answer_questions(a, at, who, keep->last + 1, gone->first,
                              "no boundary", err);
    if (!rc)
        rc = arc_audit_add(a, at, who, "merge", keep->code, "pages",
                           range_text(was, keep->first, keep->last),
                           range_text(now, keep->first, gone->last), gone->code,
                           reason, NULL, err);
    if (!rc)
        rc = arc_audit_add(a, at, who, "merge", gone->code, "pages",
                           range_text(part, gone->first, gone->last), NULL,
                           keep->code, reason, NULL, err);
    return rc;
}

int
arc_letter_merge(struct arc *a, const char *code1, const char *code2,
                 const char *who, const char *reason, char *kept,
                 struct mr_err *err)
{
    sqlite3_stmt *between = a ? a->st[ARC_ST_PAGES_BETWEEN] : NULL;
    struct span s1, s2, *keep = &s1, *gone = &s2;
    char at[24];
    int64_t others = 0;
    int rc, saved = 0;

    memset(&s2, 0, sizeof(s2));
    if (kept)
        kept[0] = '\0';
    if (MR_NEVER(!kept || !who))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    rc = find_letter(a, code1, &s1, err);
    if (!rc)
        rc = find_letter(a, code2, &s2, err);
    if (!rc)
        rc = arc_now_utc(at, err);
    if (rc)
        goto out;
    if (s1.id == s2.id) {
        rc = mr_fail(err, MR_EINVAL, _("cannot merge letter '%s' with itself"),
                     s1.code);
        goto out;
    }
    if (s2.first < s1.first) {
        keep = &s2;
        gone = &s1;
    }
    rc = arc_bind_int(a, between, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, between, ":first", keep->first, err);
    if (!rc)
        rc = arc_bind_int(a, between, ":last", gone->last, err);
    if (!rc)
        rc = arc_bind_int(a, between, ":a", keep->id, err);
    if (!rc)
        rc = arc_bind_int(a, between, ":b", gone->id, err);
    if (rc)
        arc_stmt_done(between);
    else
        rc = count_rows(a, between, &others, err);
    if (!rc && others)
        rc = mr_fail(err, MR_EINVAL,
                     _("cannot merge letters '%s' and '%s': another letter "
                       "lies between them (pages %d-%d)"),
                     keep->code, gone->code, keep->last + 1, gone->first - 1);
    if (!rc)
        rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_exec(a, "SAVEPOINT arc_edit", err);
    if (rc)
        goto out;
    saved = 1;
    rc = merge_pages(a, keep, gone, at, who, reason, err);
    if (!rc)
        rc = arc_exec(a, "RELEASE arc_edit", err);
    if (!rc)
        snprintf(kept, ARC_CODE_SIZE, "%s", keep->code);
out:
    if (rc && saved)
        arc_savepoint_undo(a, "arc_edit");
    free(s1.language);
    free(s2.language);
    return rc;
}

int
arc_letter_set_language(struct arc *a, const char *code, const char *language,
                        struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_LANGUAGE] : NULL;
    struct span s;
    char at[24];
    int rc;

    if (language && !*language)
        language = NULL;
    rc = find_letter(a, code, &s, err);
    if (rc || (!s.language && !language) ||
        (s.language && language && !strcmp(s.language, language)))
        goto out;
    rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":language", language, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letter", s.id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        rc = arc_audit_add(a, at, "mailroom", "recompute", s.code, "language",
                           s.language, language, NULL, NULL, NULL, err);
out:
    free(s.language);
    return rc;
}

int
arc_audit_unmasked(struct arc *a, const char *who, const char *command,
                   const char *codes, struct mr_err *err)
{
    char at[MR_TIME_SIZE];
    int rc;

    if (MR_NEVER(!a || !who || !command || !codes))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    if (a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot write the audit table while a stack is open"));
    rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_exec(a, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = arc_audit_add(a, at, who, "unmasked",
                       *codes && !strchr(codes, ',') ? codes : "*", command,
                       NULL, codes, NULL, NULL, NULL, err);
    if (!rc)
        rc = arc_exec(a, "COMMIT", err);
    if (rc)
        arc_exec(a, "ROLLBACK", NULL);
    return rc;
}

int
arc_audit_each(struct arc *a, const char *code,
               int (*fn)(const struct arc_audit *row, void *ctx), void *ctx,
               struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_AUDIT_OF_LETTER] : NULL;
    int rc;

    if (MR_NEVER(!a || !code || !fn))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    rc = arc_bind_text(a, st, ":letter", code, -1, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        struct arc_audit row = {
            (const char *)sqlite3_column_text(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2),
            (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4),
            (const char *)sqlite3_column_text(st, 5),
            (const char *)sqlite3_column_text(st, 6),
            (const char *)sqlite3_column_text(st, 7),
            (const char *)sqlite3_column_text(st, 8),
        };

        rc = fn(&row, ctx);
    }
    arc_stmt_done(st);
    return rc;
}

int
arc_letter_questions(struct arc *a, int64_t letter_id,
                     int (*fn)(const struct arc_question *q, void *ctx),
                     void *ctx, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_REVIEW_OF_LETTER] : NULL;
    int rc;

    if (MR_NEVER(!a || !fn))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    rc = arc_bind_int(a, st, ":letter", letter_id, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        struct arc_question q = {
            sqlite3_column_int(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2),
        };

        rc = fn(&q, ctx);
    }
    arc_stmt_done(st);
    return rc;
}
