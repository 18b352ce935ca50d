/*
 * Checking the archive against itself: SQLite's own integrity and
 * foreign-key checks, every page file against its index row (there, and
 * the SHA-256 the row recorded), every file under pages/ against a row
 * (a file nothing indexes is a leftover: a write cut off, or something
 * put there by hand), and every bundle's PDF against its row.  Reads
 * only; each problem goes to the caller as it is found.
 */
#include "archive/arc_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

/* The rows' image paths, sorted, to find the files no row names. */
struct known {
    char **paths;
    size_t n, cap;
};

static int
known_add(struct known *k, const char *path, struct mr_err *err)
{
    if (k->n == k->cap) {
        size_t ncap = k->cap ? 2 * k->cap : 256;
        char **grown = realloc(k->paths, ncap * sizeof(*grown));

        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        k->paths = grown;
        k->cap = ncap;
    }
    k->paths[k->n] = mr_strdup(path, err);
    if (!k->paths[k->n])
        return MR_ENOMEM;
    k->n++;
    return 0;
}

static int
compare_paths(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
known_free(struct known *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->paths[i]);
    free(k->paths);
}

struct verify {
    struct arc *a;
    int (*fn)(const struct arc_problem *p, void *ctx);
    void *ctx;
    struct arc_verified *t;
    sqlite3_stmt *state; /* a stack's state, by id */
};

static int
say(struct verify *v, const struct arc_problem *p)
{
    if (p->kind == ARC_PROBLEM_UNCOMMITTED)
        v->t->uncommitted++;
    else
        v->t->problems++;
    return v->fn(p, v->ctx);
}

/*
 * Whether a file at rel ("pages/SSSSSS/...") that no row names belongs to
 * a write not committed: its stack has no row, or is still scanning.
 * 1 yes, 0 no, MR_EDB.
 */
static int
uncommitted(struct verify *v, const char *rel, struct mr_err *err)
{
    const char *state;
    char *end;
    long long id;
    int rc;

    if (strncmp(rel, "pages/", 6) || !isdigit((unsigned char)rel[6]))
        return 0;
    id = strtoll(rel + 6, &end, 10);
    if (*end != '/')
        return 0;
    rc = arc_bind_int(v->a, v->state, ":stack", id, err);
    if (!rc)
        rc = arc_step(v->a, v->state, err);
    if (rc == 1) {
        state = (const char *)sqlite3_column_text(v->state, 0);
        rc = state && !strcmp(state, "scanning");
    } else if (rc == 0) {
        rc = 1; /* no such stack */
    }
    arc_stmt_done(v->state);
    return rc;
}

/* SQLite's checks: each row that is not "ok" is a problem. */
static int
check_database(struct verify *v, const char *sql, struct mr_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(v->a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return arc_db_fail(v->a, err);
    while ((rc = arc_step(v->a, st, err)) == 1) {
        struct arc_problem p = {0};
        const char *what = (const char *)sqlite3_column_text(st, 0);
        char buf[256];

        if (what && !strcmp(what, "ok"))
            continue;
        if (sqlite3_column_count(st) > 1) {
            /* foreign_key_check: table, rowid, parent */
            snprintf(buf, sizeof(buf),
                     _("row %lld of table %s refers to a missing %s row"),
                     (long long)sqlite3_column_int64(st, 1), what ? what : "?",
                     (const char *)sqlite3_column_text(st, 2));
            what = buf;
        }
        p.kind = ARC_PROBLEM_DATABASE;
        p.detail = what ? what : "?";
        rc = say(v, &p);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Every page row: its file there, and the checksum the row recorded. */
static int
check_pages(struct verify *v, struct known *k, struct mr_err *err)
{
    static const char sql[] =
        "SELECT page.id, page.stack_id, page.seq, page.img_path,"
        " letter.tracking_code,"
        " (SELECT count(*) FROM page AS p2 WHERE p2.letter_id = page.letter_id"
        "  AND p2.seq <= page.seq)"
        " FROM page LEFT JOIN letter ON letter.id = page.letter_id"
        " ORDER BY page.id";
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(v->a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return arc_db_fail(v->a, err);
    while ((rc = arc_step(v->a, st, err)) == 1) {
        struct mr_err why = MR_ERR_INIT;
        struct arc_problem p = {0};
        unsigned char *data = NULL;
        char *path = NULL, *format = NULL;
        const char *rel = (const char *)sqlite3_column_text(st, 3);
        size_t size = 0;
        int bad;

        p.page_id = sqlite3_column_int64(st, 0);
        p.stack = sqlite3_column_int64(st, 1);
        p.seq = sqlite3_column_int(st, 2);
        p.letter = (const char *)sqlite3_column_text(st, 4);
        p.letter_page = p.letter ? sqlite3_column_int(st, 5) : 0;
        v->t->pages++;
        if (rel && (rc = known_add(k, rel, err)))
            break;
        bad =
            arc_page_file(v->a, p.page_id, &data, &size, &path, &format, &why);
        if (bad == MR_ENOMEM) {
            rc = mr_fail(err, MR_ENOMEM, "%s", why.msg);
            break;
        }
        if (bad) {
            p.kind = ARC_PROBLEM_PAGE;
            p.path = rel;
            p.detail = why.msg;
            rc = say(v, &p);
        }
        free(data);
        free(path);
        free(format);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Whether rel is one of the rows' paths. */
static int
known_has(const struct known *k, const char *rel)
{
    return k->n && bsearch(&rel, k->paths, k->n, sizeof(*k->paths),
                           compare_paths) != NULL;
}

/* Files under dir (relative rel) that no row names. */
static int
check_files(struct verify *v, const struct known *k, const char *rel,
            struct mr_err *err)
{
    char *dir = arc_path_join(v->a->dir, rel, err);
    struct dirent *e;
    DIR *d;
    int rc = 0;

    if (!dir)
        return MR_ENOMEM;
    d = opendir(dir);
    if (!d) {
        if (errno != ENOENT) {
            struct arc_problem p = {0};

            p.kind = ARC_PROBLEM_FILE;
            p.path = rel;
            p.detail = strerror(errno);
            rc = say(v, &p);
        }
        free(dir);
        return rc;
    }
    while (!rc && (e = readdir(d))) {
        char sub[512];
        struct stat sb;
        char *full;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
        full = arc_path_join(v->a->dir, sub, err);
        if (!full) {
            rc = MR_ENOMEM;
            break;
        }
        if (lstat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            rc = check_files(v, k, sub, err);
        } else if (!known_has(k, sub)) {
            struct arc_problem p = {0};
            size_t len = strlen(e->d_name);
            int cut = uncommitted(v, sub, err);

            if (cut < 0) {
                rc = cut;
                free(full);
                break;
            }
            p.kind = cut ? ARC_PROBLEM_UNCOMMITTED : ARC_PROBLEM_FILE;
            p.path = sub;
            p.detail = cut ? _("not committed: a write in progress or cut "
                               "off, replaced when that stack goes on")
                       : len > 5 && !strcmp(e->d_name + len - 5, ".part")
                           ? _("a write that was cut off: no index row")
                           : _("no index row names this file");
            rc = say(v, &p);
        }
        free(full);
    }
    closedir(d);
    free(dir);
    return rc;
}

/* Every bundle row: its PDF there, with the checksum recorded. */
static int
check_bundles(struct verify *v, struct mr_err *err)
{
    static const char sql[] = "SELECT path, sha256 FROM bundle ORDER BY id";
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(v->a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return arc_db_fail(v->a, err);
    while ((rc = arc_step(v->a, st, err)) == 1) {
        const char *rel = (const char *)sqlite3_column_text(st, 0);
        const char *sha = (const char *)sqlite3_column_text(st, 1);
        struct mr_err why = MR_ERR_INIT;
        struct arc_problem p = {0};
        unsigned char *data = NULL;
        size_t size = 0;
        char hex[65];
        char *path;

        rc = 0;
        v->t->bundles++;
        rel = rel ? rel : "";
        path = rel[0] == '/' ? mr_strdup(rel, err)
                             : arc_path_join(v->a->dir, rel, err);
        if (!path) {
            rc = MR_ENOMEM;
            break;
        }
        p.kind = ARC_PROBLEM_BUNDLE;
        p.path = rel;
        if (arc_read_file(path, &data, &size, &why) ||
            arc_sha256_hex(data, size, hex, &why)) {
            p.detail = why.msg;
            rc = why.code == MR_ENOMEM ? mr_fail(err, MR_ENOMEM, "%s", why.msg)
                                       : say(v, &p);
        } else if (!sha || strcmp(hex, sha)) {
            p.detail = _("the PDF does not match the checksum of its bundle");
            rc = say(v, &p);
        }
        free(data);
        free(path);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

int
arc_verify(struct arc *a, int (*fn)(const struct arc_problem *p, void *ctx),
           void *ctx, struct arc_verified *t, struct mr_err *err)
{
    struct verify v = {a, fn, ctx, t, NULL};
    struct known k = {NULL, 0, 0};
    int rc;

    if (MR_NEVER(!a || !fn || !t))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    memset(t, 0, sizeof(*t));
    if (sqlite3_prepare_v2(a->db, "SELECT state FROM stack WHERE id = :stack",
                           -1, &v.state, NULL) != SQLITE_OK)
        return arc_db_fail(a, err);
    /*
     * One read transaction: the files a writer adds meanwhile belong to
     * stacks this snapshot has no row for, or still scanning.
     */
    rc = arc_exec(a, "BEGIN", err);
    if (!rc)
        rc = check_database(&v, "PRAGMA integrity_check", err);
    if (!rc)
        rc = check_database(&v, "PRAGMA foreign_key_check", err);
    if (!rc)
        rc = check_pages(&v, &k, err);
    if (!rc) {
        if (k.n) /* qsort may not be given NULL, even for none */
            qsort(k.paths, k.n, sizeof(*k.paths), compare_paths);
        rc = check_files(&v, &k, "pages", err);
    }
    if (!rc)
        rc = check_bundles(&v, err);
    if (!sqlite3_get_autocommit(a->db))
        sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(v.state);
    known_free(&k);
    return rc;
}
