/*
 * repeat-index: how fast the repeat check is against a large archive.
 *
 *   build/bench/repeat-index DIR N QUERIES
 *
 * Fills a fresh archive DIR with N synthetic letters (text drawn from
 * 3,000 Han characters with Zipf frequencies, 250-450 characters each,
 * three letters per writer), each stored as the pipeline stores it: its
 * MinHash signature in letter.signature and its 16 band keys in table
 * lsh.  Then runs QUERIES repeat checks through the archive's own
 * arc_similar_candidates, half of them a reworded copy of an archived
 * letter by its writer (30% of characters replaced), half a new letter,
 * and prints the time per check (mean, median, 99th percentile, max),
 * candidates per check, how many reworded copies were found, and the
 * size of the index.  Bulk loading writes with SQLite directly (one
 * transaction per 10,000 letters); the checks use only the archive API.
 */
#include "archive/archive.h"
#include "classifier/classifier.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#define ALPHABET 3000
#define WRITER_LETTERS 3

static double zipf_cdf[ALPHABET];

static void
zipf_init(void)
{
    double sum = 0;

    for (int i = 0; i < ALPHABET; i++)
        sum += 1.0 / (i + 1);
    for (int i = 0; i < ALPHABET; i++)
        zipf_cdf[i] = (i ? zipf_cdf[i - 1] : 0) + 1.0 / (i + 1) / sum;
}

/* xorshift64*: a fast, seedable generator. */
static uint64_t
next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int
zipf_char(uint64_t *s)
{
    double u = (next(s) >> 11) * (1.0 / 9007199254740992.0);
    int lo = 0, hi = ALPHABET - 1;

    while (lo < hi) {
        int mid = (lo + hi) / 2;

        if (zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Letter i's text into buf; with reword, 30% of it replaced. */
static void
letter_text(int64_t i, int reword, uint64_t *noise, char *buf, size_t size)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
    int n = 250 + (int)(next(&s) % 200);
    size_t used = 0;

    for (int k = 0; k < n && used + 4 < size; k++) {
        int c = zipf_char(&s);

        if (reword && next(noise) % 10 < 3)
            c = zipf_char(noise);
        c += 0x4e00;
        buf[used++] = (char)(0xe0 | (c >> 12));
        buf[used++] = (char)(0x80 | ((c >> 6) & 0x3f));
        buf[used++] = (char)(0x80 | (c & 0x3f));
        if (k % 40 == 39)
            buf[used++] = '\n';
    }
    buf[used] = '\0';
}

static double
now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
fail_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "repeat-index: %s: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

/* Fill the archive with n letters. */
static int
load(const char *dir, int64_t n)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_signature sig;
    int64_t keys[CLS_SIGNATURE_BANDS];
    sqlite3_stmt *letter = NULL, *lsh = NULL, *writer = NULL;
    unsigned char blob[4 * CLS_SIGNATURE_HASHES];
    char path[4096], text[2048], code[24];
    sqlite3 *db = NULL;
    int rc = 1;

    snprintf(path, sizeof(path), "%s/index.sqlite", dir);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return fail_sql(db, path);
    if (sqlite3_exec(db,
                     "PRAGMA synchronous = OFF;"
                     "INSERT INTO stack(source, archived, page_count)"
                     " VALUES('bench', '2026-01-01T00:00:00Z', 0);"
                     "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO letter(id, stack_id, tracking_code,"
                           " first_page, page_count, archived, writer_id,"
                           " signature, repeat) VALUES(?, 1, ?, 1, 1,"
                           " '2026-01-01T00:00:00Z', ?, ?, 0)",
                           -1, &letter, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO lsh VALUES(?, ?)", -1,
                           &lsh, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO writer(id, name, first_seen)"
                           " VALUES(?, 'w', '2026-01-01T00:00:00Z')",
                           -1, &writer, NULL) != SQLITE_OK) {
        fail_sql(db, "prepare");
        goto out;
    }
    for (int64_t i = 1; i <= n; i++) {
        int64_t w = (i - 1) / WRITER_LETTERS + 1;

        letter_text(i, 0, NULL, text, sizeof(text));
        if (cls_signature(text, &sig, &err)) {
            fprintf(stderr, "repeat-index: %s\n", err.msg);
            goto out;
        }
        for (int k = 0; k < CLS_SIGNATURE_HASHES; k++)
            for (int b = 0; b < 4; b++)
                blob[4 * k + b] = (unsigned char)(sig.h[k] >> (8 * b));
        if ((i - 1) % WRITER_LETTERS == 0) {
            sqlite3_bind_int64(writer, 1, w);
            if (sqlite3_step(writer) != SQLITE_DONE) {
                fail_sql(db, "writer");
                goto out;
            }
            sqlite3_reset(writer);
        }
        snprintf(code, sizeof(code), "B%08lld", (long long)i);
        sqlite3_bind_int64(letter, 1, i);
        sqlite3_bind_text(letter, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(letter, 3, w);
        sqlite3_bind_blob(letter, 4, blob, sizeof(blob), SQLITE_TRANSIENT);
        if (sqlite3_step(letter) != SQLITE_DONE) {
            fail_sql(db, "letter");
            goto out;
        }
        sqlite3_reset(letter);
        cls_signature_bands(&sig, keys);
        for (int b = 0; b < CLS_SIGNATURE_BANDS; b++) {
            sqlite3_bind_int64(lsh, 1, keys[b]);
            sqlite3_bind_int64(lsh, 2, i);
            if (sqlite3_step(lsh) != SQLITE_DONE) {
                fail_sql(db, "lsh");
                goto out;
            }
            sqlite3_reset(lsh);
        }
        if (i % 10000 == 0) {
            if (sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL) !=
                SQLITE_OK) {
                fail_sql(db, "commit");
                goto out;
            }
            fprintf(stderr, "\rloaded %lld letters", (long long)i);
        }
    }
    if (sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
                     NULL) != SQLITE_OK) {
        fail_sql(db, "commit");
        goto out;
    }
    fprintf(stderr, "\n");
    rc = 0;
out:
    sqlite3_finalize(letter);
    sqlite3_finalize(lsh);
    sqlite3_finalize(writer);
    sqlite3_close(db);
    return rc;
}

/* One check: the candidates seen, the best similarity to the target. */
struct check {
    const struct cls_signature *sig;
    int64_t target;
    int candidates;
    double target_similarity;
};

static int
on_candidate(const struct arc_similar *s, void *ctx)
{
    struct check *c = ctx;
    struct cls_signature other;

    c->candidates++;
    if (!s->signature || s->nsignature != CLS_SIGNATURE_HASHES)
        return 0;
    memcpy(other.h, s->signature, sizeof(other.h));
    other.shingles = 1;
    if (s->id == c->target) {
        double sim = cls_signature_similarity(c->sig, &other);

        if (sim > c->target_similarity)
            c->target_similarity = sim;
    } else {
        cls_signature_similarity(c->sig, &other);
    }
    return 0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Run q checks against the n letters of the archive. */
static int
query(const char *dir, int64_t n, int q)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a = arc_open(dir, &err);
    double *ms = calloc((size_t)q, sizeof(*ms)), total = 0;
    uint64_t noise = 88172645463325252ULL;
    long candidates = 0;
    int found = 0, copies = 0;
    char text[2048];

    if (!a || !ms) {
        fprintf(stderr, "repeat-index: %s\n", a ? "out of memory" : err.msg);
        free(ms);
        arc_close(&a);
        return 1;
    }
    for (int i = 0; i < q; i++) {
        struct cls_signature sig;
        int64_t keys[CLS_SIGNATURE_BANDS];
        int copy = i % 2 == 0;
        int64_t target = 1 + (int64_t)(next(&noise) % (uint64_t)n);
        struct check c = {&sig, copy ? target : 0, 0, 0};
        double t0;

        letter_text(copy ? target : n + 1 + i, copy, &noise, text,
                    sizeof(text));
        t0 = now_ms();
        if (cls_signature(text, &sig, &err))
            break;
        cls_signature_bands(&sig, keys);
        if (arc_similar_candidates(
                a, 0, copy ? (target - 1) / WRITER_LETTERS + 1 : 0, keys,
                CLS_SIGNATURE_BANDS, on_candidate, &c, &err))
            break;
        ms[i] = now_ms() - t0;
        total += ms[i];
        candidates += c.candidates;
        copies += copy;
        found += copy && c.target_similarity >= 0.1;
    }
    if (err.code)
        fprintf(stderr, "repeat-index: %s\n", err.msg);
    qsort(ms, (size_t)q, sizeof(*ms), cmp_double);
    printf("%d checks against %lld letters: mean %.2f ms, median %.2f ms, "
           "p99 %.2f ms, max %.2f ms; %.1f candidates per check; "
           "%d of %d reworded copies found\n",
           q, (long long)n, total / q, ms[q / 2], ms[q * 99 / 100], ms[q - 1],
           candidates / (double)q, found, copies);
    free(ms);
    arc_close(&a);
    return err.code != 0;
}

int
main(int argc, char **argv)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char path[4096];
    struct stat st;
    int64_t n;
    int q;

    if (argc != 4 || (n = strtoll(argv[2], NULL, 10)) <= 0 ||
        (q = (int)strtol(argv[3], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: repeat-index DIR N QUERIES\n");
        return 2;
    }
    zipf_init();
    a = arc_open(argv[1], &err);
    if (!a) {
        fprintf(stderr, "repeat-index: %s\n", err.msg);
        return 1;
    }
    arc_close(&a);
    if (load(argv[1], n))
        return 1;
    snprintf(path, sizeof(path), "%s/index.sqlite", argv[1]);
    if (stat(path, &st) == 0)
        printf("index: %lld letters, %.0f MiB (%.0f bytes per letter)\n",
               (long long)n, st.st_size / 1048576.0, st.st_size / (double)n);
    return query(argv[1], n, q);
}
