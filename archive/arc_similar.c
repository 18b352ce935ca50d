/*
 * The repeat index: each letter's MinHash signature (a BLOB of
 * little-endian uint32), its LSH band keys in table lsh (one B-tree: a
 * lookup per key, whatever the size of the archive), and its links to
 * earlier letters on the same matter.  Candidates come from the writer's
 * own letters (index letter_writer) and from shared band keys; the caller
 * compares signatures and decides.
 */
#include "archive/arc_int.h"

/* Largest signature kept: 1024 hashes. */
#define SIGNATURE_MAX 1024

/*
 * Call fn for each row of st (id, code, archived, writer, signature,
 * department).
 */
static int
each_candidate(struct arc *a, sqlite3_stmt *st,
               int (*fn)(const struct arc_similar *s, void *ctx), void *ctx,
               struct mr_err *err)
{
    uint32_t sig[SIGNATURE_MAX];
    int rc;

    while ((rc = arc_step(a, st, err)) == 1) {
        const unsigned char *blob = sqlite3_column_blob(st, 4);
        size_t n = (size_t)sqlite3_column_bytes(st, 4) / 4;
        struct arc_similar s = {
            sqlite3_column_int64(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2),
            sqlite3_column_int64(st, 3),
            NULL,
            0,
            (const char *)sqlite3_column_text(st, 5),
        };

        if (blob && n <= SIGNATURE_MAX) {
            for (size_t i = 0; i < n; i++)
                sig[i] = (uint32_t)blob[4 * i] |
                         (uint32_t)blob[4 * i + 1] << 8 |
                         (uint32_t)blob[4 * i + 2] << 16 |
                         (uint32_t)blob[4 * i + 3] << 24;
            s.signature = sig;
            s.nsignature = n;
        }
        rc = fn(&s, ctx);
        if (rc)
            break;
    }
    arc_stmt_done(st);
    return rc;
}

/* The candidates of query st with name = value, other than letter_id. */
static int
candidates_by(struct arc *a, sqlite3_stmt *st, const char *name, int64_t value,
              int64_t letter_id,
              int (*fn)(const struct arc_similar *s, void *ctx), void *ctx,
              struct mr_err *err)
{
    int rc = arc_bind_int(a, st, name, value, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":letter", letter_id, err);
    if (rc) {
        arc_stmt_done(st);
        return rc;
    }
    return each_candidate(a, st, fn, ctx, err);
}

int
arc_similar_candidates(struct arc *a, int64_t letter_id, int64_t writer_id,
                       const int64_t *keys, size_t nkeys,
                       int (*fn)(const struct arc_similar *s, void *ctx),
                       void *ctx, struct mr_err *err)
{
    int rc = 0;

    if (MR_NEVER(!a || !fn))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (writer_id)
        rc = candidates_by(a, a->st[ARC_ST_LETTERS_OF_WRITER], ":writer",
                           writer_id, letter_id, fn, ctx, err);
    for (size_t i = 0; !rc && i < nkeys; i++)
        rc = candidates_by(a, a->st[ARC_ST_LSH_FIND], ":key", keys[i],
                           letter_id, fn, ctx, err);
    return rc;
}

/* Run st bound to :letter once. */
static int
run_for_letter(struct arc *a, sqlite3_stmt *st, int64_t letter_id,
               struct mr_err *err)
{
    int rc = arc_bind_int(a, st, ":letter", letter_id, err);

    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    return rc;
}

static int
set_signature(struct arc *a, int64_t letter_id, const uint32_t *signature,
              size_t n, int repeat, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_SIGNATURE_SET];
    unsigned char *blob = NULL;
    int rc = 0;

    if (n) {
        blob = malloc(4 * n);
        if (!blob)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        for (size_t i = 0; i < n; i++) {
            blob[4 * i] = (unsigned char)signature[i];
            blob[4 * i + 1] = (unsigned char)(signature[i] >> 8);
            blob[4 * i + 2] = (unsigned char)(signature[i] >> 16);
            blob[4 * i + 3] = (unsigned char)(signature[i] >> 24);
        }
        rc = arc_bind_blob(a, st, ":signature", blob, 4 * n, err);
    } else {
        rc = arc_bind_null(a, st, ":signature", err);
    }
    if (!rc)
        rc = arc_bind_int(a, st, ":repeat", repeat != 0, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":letter", letter_id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    free(blob);
    return rc;
}

int
arc_letter_similar_set(struct arc *a, int64_t letter_id,
                       const uint32_t *signature, size_t n, const int64_t *keys,
                       size_t nkeys, int repeat, const struct arc_link *links,
                       size_t nlinks, struct mr_err *err)
{
    sqlite3_stmt *add = a ? a->st[ARC_ST_LSH_ADD] : NULL;
    sqlite3_stmt *link = a ? a->st[ARC_ST_LINK_ADD] : NULL;
    int rc;

    if (MR_NEVER(!a || n > SIGNATURE_MAX))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL, _("no stack is open"));
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = set_signature(a, letter_id, signature, n, repeat, err);
    if (!rc)
        rc = run_for_letter(a, a->st[ARC_ST_LSH_CLEAR], letter_id, err);
    if (!rc)
        rc = run_for_letter(a, a->st[ARC_ST_LINKS_CLEAR], letter_id, err);
    for (size_t i = 0; !rc && i < nkeys; i++) {
        rc = arc_bind_int(a, add, ":key", keys[i], err);
        if (!rc)
            rc = arc_bind_int(a, add, ":letter", letter_id, err);
        if (!rc)
            rc = arc_step(a, add, err);
        arc_stmt_done(add);
    }
    for (size_t i = 0; !rc && i < nlinks; i++) {
        rc = arc_bind_int(a, link, ":letter", letter_id, err);
        if (!rc)
            rc = arc_bind_int(a, link, ":other", links[i].other_id, err);
        if (!rc)
            rc = arc_bind_text(a, link, ":kind", links[i].kind, -1, err);
        if (!rc)
            rc = arc_bind_double(a, link, ":similarity", links[i].similarity,
                                 err);
        if (!rc)
            rc = arc_step(a, link, err);
        arc_stmt_done(link);
    }
    return rc;
}

int
arc_similar_forget(struct arc *a, int64_t letter_id, struct mr_err *err)
{
    int rc = run_for_letter(a, a->st[ARC_ST_LSH_CLEAR], letter_id, err);

    if (!rc)
        rc = run_for_letter(a, a->st[ARC_ST_LINKS_DROP], letter_id, err);
    return rc;
}
