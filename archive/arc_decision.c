/*
 * The decisions on a letter and the registry of writers.
 *
 * A letter's decisions are one row update; each of validity, mailbox,
 * department and risk that changes leaves an audit row by "mailroom", so
 * the history of a letter shows what the program decided and when, next
 * to what reviewers changed.  A writer is one row of the registry that
 * every letter naming the same person points to: the same trusted ID
 * number, else the same phone, else the same name with a similar address
 * and no phone or ID number that disagrees.
 */
#include "archive/arc_int.h"

#include <utf8proc.h>

/* Addresses this similar (bigram Jaccard) are one address. */
#define ADDRESS_SAME 0.5
/* Code points of an address compared, at most. */
#define ADDRESS_MAX 96

int
arc_same_text(const char *x, const char *y)
{
    return (!x && !y) || (x && y && !strcmp(x, y));
}

/* Audit field if it changed from old to new (both may be NULL). */
static int
audit_change(struct arc *a, const char *at, const char *code, const char *field,
             const char *old, const char *new_value, struct mr_err *err)
{
    if (arc_same_text(old, new_value))
        return 0;
    return arc_audit_add(a, at, "mailroom", "decide", code, field, old,
                         new_value, NULL, NULL, NULL, err);
}

static int
bind_decision(struct arc *a, sqlite3_stmt *st, int64_t id,
              const struct arc_decision *d, struct mr_err *err)
{
    int rc = arc_bind_int(a, st, ":letter", id, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":valid", d->valid != 0, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":reason", d->validity_reason, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":addressee", d->addressee, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":mailbox", d->mailbox, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":department", d->department, -1, err);
    if (!rc)
        rc = arc_bind_double(a, st, ":confidence", d->confidence, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":review", arc_review_text(d->review), -1,
                           err);
    if (!rc)
        rc = arc_bind_text(a, st, ":risk", d->risk, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":risk_words", d->risk_words, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":reasons", d->reasons, -1, err);
    if (!rc && d->writer_id)
        rc = arc_bind_int(a, st, ":writer", d->writer_id, err);
    else if (!rc)
        rc = arc_bind_null(a, st, ":writer", err);
    if (!rc)
        rc = arc_bind_text(a, st, ":name", d->writer_name, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":phone", d->writer_phone, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":id_number", d->writer_id_number, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":id_state", d->writer_id_state, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":address", d->writer_address, -1, err);
    return rc;
}

int
arc_letter_decide(struct arc *a, const char *code, const struct arc_decision *d,
                  struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTER_DECIDE] : NULL;
    struct arc_letter old;
    char at[24];
    int rc;

    memset(&old, 0, sizeof(old));
    if (MR_NEVER(!a || !code || !d))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot store decisions on letter '%s': its stack is "
                         "not open"),
                       code);
    rc = arc_letter_get(a, code, &old, err);
    if (!rc)
        rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_stack_alive(a, err);
    if (!rc)
        rc = bind_decision(a, st, old.id, d, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        rc = audit_change(a, at, old.code, "valid",
                          old.d.decided ? (old.d.valid ? "valid" : "invalid")
                                        : NULL,
                          d->valid ? "valid" : "invalid", err);
    if (!rc && d->validity_reason)
        rc = audit_change(a, at, old.code, "validity_reason",
                          old.d.validity_reason, d->validity_reason, err);
    if (!rc)
        rc = audit_change(a, at, old.code, "mailbox", old.d.mailbox, d->mailbox,
                          err);
    if (!rc)
        rc = audit_change(a, at, old.code, "department", old.d.department,
                          d->department, err);
    if (!rc)
        rc = audit_change(a, at, old.code, "risk", old.d.risk, d->risk, err);
    arc_letter_release(&old);
    return rc;
}

/* Code points of an address without spaces and punctuation, into cp. */
static size_t
address_points(const char *s, utf8proc_int32_t *cp, size_t max)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t n = 0;

    while (*p && n < max) {
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &c);

        if (len <= 0) {
            p++;
            continue;
        }
        p += len;
        /* Punctuation, symbols, separators, controls and unassigned. */
        if (utf8proc_category(c) >= UTF8PROC_CATEGORY_PC ||
            utf8proc_category(c) == UTF8PROC_CATEGORY_CN)
            continue;
        if (c >= 0xff01 && c <= 0xff5e)
            c -= 0xfee0;
        cp[n++] = utf8proc_tolower(c);
    }
    return n;
}

/* Whether two addresses are one: bigram Jaccard >= ADDRESS_SAME. */
static int
same_address(const char *x, const char *y)
{
    utf8proc_int32_t a[ADDRESS_MAX], b[ADDRESS_MAX];
    size_t na = address_points(x, a, ADDRESS_MAX);
    size_t nb = address_points(y, b, ADDRESS_MAX);
    size_t common = 0;

    if (na < 2 || nb < 2)
        return na == nb && (na == 0 || a[0] == b[0]);
    for (size_t i = 0; i + 1 < na; i++)
        for (size_t j = 0; j + 1 < nb; j++)
            if (a[i] == b[j] && a[i + 1] == b[j + 1]) {
                common++;
                break;
            }
    return common >= ADDRESS_SAME * (double)(na - 1 + nb - 1 - common);
}

/* The first row's id of writer query st by value v; 0 when none. */
static int
writer_by(struct arc *a, sqlite3_stmt *st, const char *v, int64_t *pid,
          struct mr_err *err)
{
    int rc = arc_bind_text(a, st, ":v", v, -1, err);

    *pid = 0;
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc == 1)
        *pid = sqlite3_column_int64(st, 0);
    arc_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* Whether two values of a field disagree (both known and different). */
static int
conflict(const char *x, const unsigned char *y)
{
    return x && y && strcmp(x, (const char *)y);
}

/*
 * The writer of that name with an address like address (or none on
 * either side), unless their phones or ID numbers disagree: two people
 * may share a common name.
 */
static int
writer_by_name(struct arc *a, const char *name, const char *address,
               const char *phone, const char *id_number, int64_t *pid,
               struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_WRITER_BY_NAME];
    int rc = arc_bind_text(a, st, ":v", name, -1, err);

    *pid = 0;
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        const char *other = (const char *)sqlite3_column_text(st, 1);

        rc = 0;
        if (conflict(phone, sqlite3_column_text(st, 2)) ||
            conflict(id_number, sqlite3_column_text(st, 3)))
            continue;
        if ((!other && !address) ||
            (other && address && same_address(other, address))) {
            *pid = sqlite3_column_int64(st, 0);
            break;
        }
    }
    arc_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int
bind_person(struct arc *a, sqlite3_stmt *st, const char *name,
            const char *phone, const char *id_number, const char *address,
            struct mr_err *err)
{
    int rc = arc_bind_text(a, st, ":name", name, -1, err);

    if (!rc)
        rc = arc_bind_text(a, st, ":phone", phone, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":id_number", id_number, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":address", address, -1, err);
    return rc;
}

int
arc_writer_match(struct arc *a, const char *name, const char *phone,
                 const char *id_number, const char *address, int64_t *pid,
                 struct mr_err *err)
{
    sqlite3_stmt *st;
    char at[MR_TIME_SIZE];
    int rc = 0;

    *pid = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (!name && !phone && !id_number && !address)
        return 0;
    if (id_number)
        rc = writer_by(a, a->st[ARC_ST_WRITER_BY_ID_NUMBER], id_number, pid,
                       err);
    if (!rc && !*pid && phone)
        rc = writer_by(a, a->st[ARC_ST_WRITER_BY_PHONE], phone, pid, err);
    if (!rc && !*pid && name)
        rc = writer_by_name(a, name, address, phone, id_number, pid, err);
    if (rc)
        return rc;
    st = a->st[*pid ? ARC_ST_WRITER_FILL : ARC_ST_WRITER_INSERT];
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = bind_person(a, st, name, phone, id_number, address, err);
    if (!rc && *pid)
        rc = arc_bind_int(a, st, ":id", *pid, err);
    if (!rc && !*pid && !(rc = arc_now_utc(at, err)))
        rc = arc_bind_text(a, st, ":at", at, -1, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc && !*pid)
        *pid = sqlite3_last_insert_rowid(a->db);
    return rc;
}
