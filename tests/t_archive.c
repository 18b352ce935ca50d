/*
 * Unit tests of archive/: schema and open checks, lossless page storage
 * with checksums (PNG and JPEG files kept as delivered), rollback of a
 * stack, tracking codes, letters, search, export and totals.  Each test
 * works in a fresh temporary directory, removes it afterwards and ends with
 * PRAGMA integrity_check on the index.
 */
#include "archive/archive.h"

#include <dirent.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/t.h"

/* ---- helpers ---------------------------------------------------------- */

static char t_dir[1024];

/* Make a fresh temporary directory into t_dir. */
static void
tmp_begin(void)
{
    const char *base = getenv("TMPDIR");

    if (!base || !*base)
        base = "/tmp";
    snprintf(t_dir, sizeof(t_dir), "%s/t_archive.XXXXXX", base);
    if (!mkdtemp(t_dir)) {
        fprintf(stderr, "mkdtemp '%s': %s\n", t_dir, strerror(errno));
        exit(1);
    }
}

static void
rm_rf(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *e;
    char sub[4096];

    if (lstat(path, &sb))
        return;
    if (!S_ISDIR(sb.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        rm_rf(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

static void
tmp_end(void)
{
    rm_rf(t_dir);
}

/* path = t_dir/rel */
static char *
tpath(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", t_dir, rel);
    return buf;
}

/* First column of the first row of sql on DIR/index.sqlite, as text. */
static const char *
db_text(const char *dir, const char *sql)
{
    static char out[1024];
    char path[4096];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    snprintf(out, sizeof(out), "(no row)");
    snprintf(path, sizeof(path), "%s/index.sqlite", dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);

        snprintf(out, sizeof(out), "%s", t ? (const char *)t : "NULL");
    } else if (db) {
        snprintf(out, sizeof(out), "(error: %s)", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static long long
db_int(const char *dir, const char *sql)
{
    const char *s = db_text(dir, sql);
    char *end;
    long long v = strtoll(s, &end, 10);

    return *s && !*end ? v : -999999;
}

/* Run sql (no result) on the index, returning the SQLite code. */
static int
db_exec(const char *dir, const char *sql)
{
    char path[4096];
    sqlite3 *db = NULL;
    int rc;

    snprintf(path, sizeof(path), "%s/index.sqlite", dir);
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                         NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* Every DB test ends here: SQLite's and FTS5's own consistency checks. */
static void
check_integrity(const char *dir)
{
    T_EQ_STR(db_text(dir, "PRAGMA integrity_check"), "ok");
    T_EQ_INT(db_exec(dir, "INSERT INTO page_fts(page_fts) "
                          "VALUES('integrity-check')"),
             SQLITE_OK);
}

/* No *.part file anywhere under path. */
static int
no_part_files(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *e;
    char sub[4096];
    int ok = 1;
    size_t n = strlen(path);

    if (n > 5 && !strcmp(path + n - 5, ".part"))
        return 0;
    if (lstat(path, &sb) || !S_ISDIR(sb.st_mode))
        return 1;
    d = opendir(path);
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        ok &= no_part_files(sub);
    }
    if (d)
        closedir(d);
    return ok;
}

static int
file_exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

static unsigned char *
slurp(const char *path, size_t *psize)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;

    *psize = 0;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) == (size_t)n)
            *psize = (size_t)n;
    }
    fclose(f);
    return data;
}

static void
file_sha256(const char *path, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t size;
    unsigned char *data = slurp(path, &size);

    hex[0] = '\0';
    if (data && EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL))
        for (unsigned int i = 0; i < mdlen; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(data);
}

/* Read an image; 16-bit PNG files stay 16-bit (the archive keeps them). */
static PIX *
t_read(const char *path)
{
    l_pngSetReadStrip16To8(0);
    return pixRead(path);
}

/* Pix kinds the archive must keep losslessly. */
enum kind { K_1BPP, K_2BPP, K_8BPP, K_16BPP, K_RGB, K_RGBA, K_CMAP, K_N };
static const char *const kind_name[K_N] = {
    "1bpp", "2bpp", "8bpp", "16bpp", "rgb", "rgba", "colormapped"};
static const char *const kind_format[K_N] = {"tiff-g4", "png", "png", "png",
                                             "png",     "png", "png"};

/* A deterministic pseudo-random picture of the kind, at 300 dpi. */
static PIX *
make_pix(enum kind k)
{
    static const int depth[K_N] = {1, 2, 8, 16, 32, 32, 8};
    int w = 61, h = 37;
    PIX *p = pixCreate(w, h, depth[k]);

    if (k == K_RGBA)
        pixSetSpp(p, 4);
    if (k == K_CMAP) {
        PIXCMAP *cm = pixcmapCreate(8);

        for (int i = 0; i < 200; i++)
            pixcmapAddColor(cm, (i * 37) & 255, (i * 91) & 255,
                            (i * 13 + 7) & 255);
        pixSetColormap(p, cm);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 v =
                ((l_uint32)x * 7919u + (l_uint32)y * 104729u) * 2654435761u;

            v ^= v >> 13;
            switch (k) {
            case K_1BPP:
                v &= 1;
                break;
            case K_2BPP:
                v &= 3;
                break;
            case K_8BPP:
                v &= 0xff;
                break;
            case K_16BPP:
                v &= 0xffff;
                break;
            case K_RGB:
                v &= 0xffffff00;
                break;
            case K_CMAP:
                v %= 200;
                break;
            default:
                break;
            }
            pixSetPixel(p, x, y, v);
        }
    pixSetResolution(p, 300, 300);
    return p;
}

/* A page record with seq, text (may be NULL), conf and language. */
static void
make_page(struct mr_page *pg, int seq, const char *text, int conf,
          const char *lang)
{
    mr_page_init(pg);
    pg->seq = seq;
    pg->dpi = 300;
    pg->text = text ? strdup(text) : NULL;
    pg->ocr_conf = conf;
    snprintf(pg->language, sizeof(pg->language), "%s", lang ? lang : "");
}

/* Add a small 8-bit page with text; returns its id, 0 on failure. */
static int64_t
add_text_page(struct arc *a, int seq, const char *text, int conf,
              const char *lang, int blank)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_page pg;
    PIX *pix = make_pix(blank ? K_1BPP : K_8BPP);
    int64_t id = 0;

    make_page(&pg, seq, text, conf, lang);
    if (blank)
        pg.flags |= MR_PAGE_BLANK;
    if (arc_page_add(a, &pg, pix, NULL, &id, &err)) {
        fprintf(stderr, "arc_page_add: %s\n", err.msg);
        id = 0;
    }
    mr_page_release(&pg);
    pixDestroy(&pix);
    return id;
}

/* ---- tests ------------------------------------------------------------ */

static void
test_open_creates_schema(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char dir[2048], buf[4096];

    tmp_begin();
    /* A directory that does not exist yet, two levels deep. */
    tpath(dir, sizeof(dir), "new/archive");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(err.code, 0);
    snprintf(buf, sizeof(buf), "%s/index.sqlite", dir);
    T_CHECK(file_exists(buf));
    T_EQ_INT(db_int(dir, "PRAGMA user_version"), 11);
    T_EQ_INT(db_int(dir, "PRAGMA application_id"), ARC_APPLICATION_ID);
    T_EQ_STR(db_text(dir, "PRAGMA journal_mode"), "wal");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('stack'))"),
             "id,source,archived,page_count,state,sha256");
    T_EQ_STR(
        db_text(dir, "SELECT group_concat(name, ',') FROM "
                     "(SELECT name FROM pragma_table_info('letter'))"),
        "id,stack_id,tracking_code,first_page,page_count,language,"
        "archived,valid,validity_reason,addressee,mailbox,department,"
        "confidence,review,risk,risk_words,reasons,writer_id,"
        "writer_name,writer_phone,writer_id_number,writer_id_state,"
        "writer_address,signature,repeat,state,handed_over,replied,"
        "reply,rating_office,rating_unit,closed,password,simple,bundle_id");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('lsh'))"),
             "key,letter_id");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info("
                          "'letter_link'))"),
             "letter_id,other_id,kind,similarity");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('writer'))"),
             "id,name,phone,id_number,address,first_seen");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('page'))"),
             "id,stack_id,letter_id,seq,img_path,img_format,sha256,width,"
             "height,depth,dpi,blank,rotation,skew,text,ocr_conf,"
             "language,script,processed,codes,role");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('review'))"),
             "id,kind,stack_id,seq,reason,created,resolved,resolved_by,"
             "answer");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('audit'))"),
             "id,at,who,action,letter,field,old,new,other,reason,why");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info("
                          "'retired_code'))"),
             "code,letter_id,retired");
    T_EQ_STR(db_text(dir, "SELECT group_concat(name, ',') FROM "
                          "(SELECT name FROM pragma_table_info('word'))"),
             "page_id,n,x,y,w,h,conf,text");
    T_CHECK(strstr(db_text(dir, "SELECT sql FROM sqlite_schema "
                                "WHERE name = 'page_fts'"),
                   "trigram") != NULL);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM sqlite_schema WHERE "
                         "type = 'index' AND name IN ('page_letter', "
                         "'letter_stack')"),
             2);
    arc_close(&a);
    T_CHECK(a == NULL);
    arc_close(&a); /* accepts NULL */
    /* Opening again changes nothing. */
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    arc_close(&a);
    T_EQ_INT(db_int(dir, "PRAGMA user_version"), 11);
    check_integrity(dir);
    tmp_end();
}

static void
test_reopen_keeps_data(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_letter l;
    struct arc_totals t;
    char code[ARC_CODE_SIZE] = "";
    struct arc *a;

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "scan-1", &err), 0);
    T_CHECK(add_text_page(a, 1, "hello world", 90, "en", 0) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 1, "en", code, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    arc_close(&a);

    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_totals(a, &t, &err), 0);
    T_EQ_INT(t.stacks, 1);
    T_EQ_INT(t.letters, 1);
    T_EQ_INT(t.pages, 1);
    T_EQ_INT(arc_letter_get(a, code, &l, &err), 0);
    T_EQ_STR(l.text, "hello world");
    T_EQ_STR(l.source, "scan-1");
    arc_letter_release(&l);
    arc_close(&a);
    T_EQ_INT(err.code, 0);
    check_integrity(t_dir);
    tmp_end();
}

static void
test_open_refuses(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char path[4096];
    FILE *f;

    /* A newer schema. */
    tmp_begin();
    a = arc_open(t_dir, &err);
    arc_close(&a);
    T_EQ_INT(db_exec(t_dir, "PRAGMA user_version=12"), SQLITE_OK);
    a = arc_open(t_dir, &err);
    T_CHECK(a == NULL);
    T_EQ_INT(err.code, MR_EDB);
    T_CHECK(strstr(err.msg, "was written by a newer mailroom (schema 12, "
                            "this one knows 11)") != NULL);
    T_CHECK(strstr(err.msg, "index.sqlite") != NULL);
    T_EQ_INT(db_int(t_dir, "PRAGMA user_version"), 12);
    tmp_end();

    /* Somebody else's database. */
    tmp_begin();
    mr_err_clear(&err);
    T_EQ_INT(db_exec(t_dir, "PRAGMA application_id=1234;"
                            "CREATE TABLE x(y)"),
             SQLITE_OK);
    a = arc_open(t_dir, &err);
    T_CHECK(a == NULL);
    T_EQ_INT(err.code, MR_EDB);
    T_CHECK(strstr(err.msg, "is not a mailroom archive") != NULL);
    T_CHECK(strstr(err.msg, tpath(path, sizeof(path), "index.sqlite")) != NULL);
    /* Nothing was changed in it. */
    T_EQ_STR(db_text(t_dir, "PRAGMA journal_mode"), "delete");
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM sqlite_schema"), 1);
    tmp_end();

    /* A database of somebody who did not set an application id. */
    tmp_begin();
    mr_err_clear(&err);
    T_EQ_INT(db_exec(t_dir, "CREATE TABLE x(y)"), SQLITE_OK);
    a = arc_open(t_dir, &err);
    T_CHECK(a == NULL);
    T_CHECK(strstr(err.msg, "is not a mailroom archive") != NULL);
    tmp_end();

    /* Not a database at all. */
    tmp_begin();
    mr_err_clear(&err);
    f = fopen(tpath(path, sizeof(path), "index.sqlite"), "w");
    T_CHECK(f != NULL);
    if (f) {
        fputs("this is not an SQLite database, not at all, no no.\n"
              "padding padding padding padding padding padding\n",
              f);
        fclose(f);
    }
    a = arc_open(t_dir, &err);
    T_CHECK(a == NULL);
    T_EQ_INT(err.code, MR_EDB);
    T_CHECK(strstr(err.msg, "index.sqlite") != NULL);
    tmp_end();

    /* The archive path is a file. */
    tmp_begin();
    mr_err_clear(&err);
    f = fopen(tpath(path, sizeof(path), "file"), "w");
    if (f)
        fclose(f);
    a = arc_open(path, &err);
    T_CHECK(a == NULL);
    T_EQ_INT(err.code, MR_EIO);
    tmp_end();
}

static void
test_pages_lossless(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    int64_t ids[K_N];

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "kinds.tif", &err), 0);
    for (int k = 0; k < K_N; k++) {
        struct mr_page pg;
        PIX *pix = make_pix((enum kind)k);

        make_page(&pg, k + 1, NULL, -1, NULL);
        ids[k] = -1;
        T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &ids[k], &err), 0);
        T_CHECK(ids[k] > 0);
        mr_page_release(&pg);
        pixDestroy(&pix);
    }
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    if (err.code)
        fprintf(stderr, "%s\n", err.msg);
    T_EQ_INT(db_int(t_dir, "SELECT page_count FROM stack"), K_N);

    for (int k = 0; k < K_N; k++) {
        char sql[256], rel[256], path[4096], want[65], got[65];
        PIX *orig = make_pix((enum kind)k), *back;
        l_int32 same = 0;

        snprintf(sql, sizeof(sql), "SELECT img_path FROM page WHERE id = %lld",
                 (long long)ids[k]);
        snprintf(rel, sizeof(rel), "%s", db_text(t_dir, sql));
        tpath(path, sizeof(path), rel);
        snprintf(sql, sizeof(sql),
                 "SELECT img_format FROM page WHERE id = %lld",
                 (long long)ids[k]);
        T_EQ_STR(db_text(t_dir, sql), kind_format[k]);
        snprintf(sql, sizeof(sql), "SELECT sha256 FROM page WHERE id = %lld",
                 (long long)ids[k]);
        snprintf(want, sizeof(want), "%s", db_text(t_dir, sql));
        file_sha256(path, got);
        T_EQ_STR(got, want);
        snprintf(sql, sizeof(sql),
                 "SELECT width || 'x' || height || 'x' || depth || "
                 "'@' || dpi FROM page WHERE id = %lld",
                 (long long)ids[k]);
        snprintf(rel, sizeof(rel), "61x37x%d@300", pixGetDepth(orig));
        T_EQ_STR(db_text(t_dir, sql), rel);

        back = t_read(path);
        T_CHECK(back != NULL);
        if (back) {
            pixEqualWithAlpha(orig, back, k == K_RGBA, &same);
            if (!same)
                fprintf(stderr, "%s: pixels differ\n", kind_name[k]);
            T_CHECK(same);
            T_EQ_INT(pixGetDepth(back), pixGetDepth(orig));
            T_EQ_INT(pixGetXRes(back), 300);
        }
        pixDestroy(&back);
        pixDestroy(&orig);
    }
    T_EQ_STR(db_text(t_dir, "SELECT img_path FROM page WHERE seq = 1"),
             "pages/000001/0001.tif");
    T_EQ_STR(db_text(t_dir, "SELECT img_path FROM page WHERE seq = 3"),
             "pages/000001/0003.png");
    T_CHECK(no_part_files(t_dir));
    arc_close(&a);
    check_integrity(t_dir);
    tmp_end();
}

static void
test_abort_removes(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char path[4096], code[ARC_CODE_SIZE];
    struct arc_totals t;

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);

    /* A committed stack that must survive everything below. */
    T_EQ_INT(arc_stack_begin(a, "kept", &err), 0);
    T_CHECK(add_text_page(a, 1, "kept page", 80, "en", 0) > 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);

    T_EQ_INT(arc_stack_begin(a, "dropped", &err), 0);
    T_CHECK(add_text_page(a, 1, "one", 80, "en", 0) > 0);
    T_CHECK(add_text_page(a, 2, NULL, -1, NULL, 1) > 0);
    T_CHECK(add_text_page(a, 3, "three", 80, "en", 0) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 3, "en", code, &err), 0);
    T_CHECK(file_exists(tpath(path, sizeof(path), "pages/000002/0001.png")));
    T_CHECK(file_exists(tpath(path, sizeof(path), "pages/000002/0002.tif")));
    /* A second stack cannot start while one is open. */
    T_EQ_INT(arc_stack_begin(a, "other", &err), MR_EINVAL);
    mr_err_clear(&err);
    /* The same page twice is refused and does not harm the first. */
    {
        struct mr_page pg;
        PIX *pix = make_pix(K_8BPP);
        int64_t id = 1;

        make_page(&pg, 3, "three again", 80, "en");
        T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id, &err), MR_EINVAL);
        T_EQ_INT(id, 0);
        T_CHECK(strstr(err.msg, "already has it") != NULL);
        mr_err_clear(&err);
        mr_page_release(&pg);
        pixDestroy(&pix);
    }
    T_CHECK(file_exists(tpath(path, sizeof(path), "pages/000002/0003.png")));
    /* Pages already in a letter, or not in the stack, cannot be one. */
    T_EQ_INT(arc_letter_add(a, 3, 1, NULL, code, &err), MR_EINVAL);
    T_EQ_STR(code, "");
    mr_err_clear(&err);
    T_EQ_INT(arc_letter_add(a, 4, 2, NULL, code, &err), MR_EINVAL);
    mr_err_clear(&err);
    arc_stack_abort(a);
    arc_stack_abort(a); /* nothing open: does nothing */

    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000002/0001.png")));
    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000002/0002.tif")));
    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000002/0003.png")));
    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000002")));
    T_CHECK(file_exists(tpath(path, sizeof(path), "pages/000001/0001.png")));
    T_EQ_INT(arc_totals(a, &t, &err), 0);
    T_EQ_INT(t.stacks, 1);
    T_EQ_INT(t.pages, 1);
    T_EQ_INT(t.letters, 0);

    /* Commit without a stack fails; closing rolls an open stack back. */
    T_EQ_INT(arc_stack_commit(a, &err), MR_EINVAL);
    mr_err_clear(&err);
    T_EQ_INT(arc_stack_begin(a, "closed", &err), 0);
    T_CHECK(add_text_page(a, 1, "x", 80, "en", 0) > 0);
    arc_close(&a);
    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000002/0001.png")));
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM page"), 1);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM stack"), 1);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM word"), 0);
    T_CHECK(no_part_files(t_dir));
    check_integrity(t_dir);
    tmp_end();
}

/* ---- tracking codes --------------------------------------------------- */

static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXY";

/* An independent implementation of the check, as the spec states it. */
static int
code_valid(const char *c8)
{
    int sum = 0;

    for (int i = 0; i < 8; i++) {
        const char *p = strchr(alphabet, c8[i]);

        if (!p || !c8[i])
            return 0;
        sum += (i + 1) * (int)(p - alphabet);
    }
    return sum % 31 == 0;
}

/* A random valid code (8 characters, no dash) from rand(). */
static void
random_code(char *c8)
{
    for (int i = 0; i < 7; i++)
        c8[i] = alphabet[rand() % 31];
    c8[8] = '\0';
    for (int v = 0; v < 31; v++) {
        c8[7] = alphabet[v];
        if (code_valid(c8))
            return;
    }
}

/* Does arc_code_normalize accept the 8 characters? */
static int
accepted(const char *c8)
{
    struct mr_err err = MR_ERR_INIT;
    char out[ARC_CODE_SIZE];

    return arc_code_normalize(c8, out, &err) == 0;
}

static void
test_code_check(void)
{
    int bad_subst = 0, bad_swap = 0, ok = 0, n = 2000;

    T_EQ_INT((long long)strlen(alphabet), 31);
    srand(12345);
    for (int k = 0; k < n; k++) {
        char c[9], m[9];

        random_code(c);
        ok += accepted(c);
        for (int i = 0; i < 8; i++)
            for (int v = 0; v < 31; v++) {
                if (alphabet[v] == c[i])
                    continue;
                memcpy(m, c, 9);
                m[i] = alphabet[v];
                bad_subst += accepted(m);
            }
        for (int i = 0; i < 8; i++)
            for (int j = i + 1; j < 8; j++) {
                if (c[i] == c[j])
                    continue;
                memcpy(m, c, 9);
                m[i] = c[j];
                m[j] = c[i];
                bad_swap += accepted(m);
            }
    }
    T_EQ_INT(ok, n);
    T_EQ_INT(bad_subst, 0);
    T_EQ_INT(bad_swap, 0);
}

static void
test_code_normalize(void)
{
    struct mr_err err = MR_ERR_INIT;
    char c[9], in[64], out[ARC_CODE_SIZE], want[ARC_CODE_SIZE];
    const char *msg;

    srand(99);
    random_code(c);
    snprintf(want, sizeof(want), "%.4s-%.4s", c, c + 4);
    for (int i = 0; c[i]; i++)
        in[i] = (char)(c[i] >= 'A' ? c[i] - 'A' + 'a' : c[i]);
    /* "abcd efgh" style, lower case with a space */
    snprintf(in + 9, sizeof(in) - 9, "%.4s %.4s", in, in + 4);
    T_EQ_INT(arc_code_normalize(in + 9, out, &err), 0);
    T_EQ_STR(out, want);
    snprintf(in, sizeof(in), " %.2s-%.3s  %.3s- ", c, c + 2, c + 5);
    T_EQ_INT(arc_code_normalize(in, out, &err), 0);
    T_EQ_STR(out, want);
    T_EQ_INT(arc_code_normalize(want, out, &err), 0);
    T_EQ_STR(out, want);
    T_EQ_INT(err.code, 0);

    T_EQ_INT(arc_code_normalize("ABCD-EFG0", out, &err), MR_EINVAL);
    T_EQ_STR(out, "");
    T_EQ_STR(err.msg, "'ABCD-EFG0' is not a valid tracking code: '0' is "
                      "not used in tracking codes");
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("abcd-efgo", out, &err), MR_EINVAL);
    T_EQ_STR(err.msg, "'abcd-efgo' is not a valid tracking code: 'o' is "
                      "not used in tracking codes");
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("ABCD-EFGI", out, &err), MR_EINVAL);
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("ABCD-EFG1", out, &err), MR_EINVAL);
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("ABCD-EFGZ", out, &err), MR_EINVAL);
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("ABCD-E\xe6\x8b\x86", out, &err), MR_EINVAL);
    T_CHECK(strstr(err.msg, "'\xe6\x8b\x86' is not used") != NULL);
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("ABCD-EFG", out, &err), MR_EINVAL);
    T_EQ_STR(err.msg, "'ABCD-EFG' is not a valid tracking code: it must "
                      "have 8 characters");
    mr_err_clear(&err);
    T_EQ_INT(arc_code_normalize("", out, &err), MR_EINVAL);
    mr_err_clear(&err);
    snprintf(in, sizeof(in), "%s2", want);
    T_EQ_INT(arc_code_normalize(in, out, &err), MR_EINVAL);
    T_CHECK(strstr(err.msg, "must have 8 characters") != NULL);
    mr_err_clear(&err);
    /* One wrong character: the check must notice. */
    snprintf(in, sizeof(in), "%s", want);
    in[0] = in[0] == '2' ? '3' : '2';
    T_EQ_INT(arc_code_normalize(in, out, &err), MR_EINVAL);
    msg = err.msg; /* it names the input as typed */
    T_CHECK(strstr(msg, "check character does not match (mistyped?)") != NULL);
    T_CHECK(strncmp(msg + 1, in, 9) == 0);
}

/* ---- letters ---------------------------------------------------------- */

struct each_ctx {
    int n;
    int stop_at;
    char codes[4][ARC_CODE_SIZE];
    struct arc *a; /* when set, try a listing inside the listing */
    int nested_rc;
};

static int
nested_cb(const struct arc_letter *l, void *ctx)
{
    (void)l;
    (void)ctx;
    return 0;
}

static int
each_cb(const struct arc_letter *l, void *ctx)
{
    struct each_ctx *c = ctx;

    if (c->n < 4)
        snprintf(c->codes[c->n], ARC_CODE_SIZE, "%s", l->code);
    c->n++;
    if (c->a) {
        struct mr_err err = MR_ERR_INIT;
        struct arc_letter l2;

        c->nested_rc = arc_letter_each(c->a, nested_cb, NULL, &err);
        /* a lookup is fine inside a listing */
        if (arc_letter_get(c->a, l->code, &l2, &err) == 0 && l2.id == l->id &&
            l2.npages == l->npages)
            c->nested_rc *= 2;
        arc_letter_release(&l2);
    }
    return c->n == c->stop_at ? 42 : 0;
}

static void
test_letters(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char code1[ARC_CODE_SIZE], code2[ARC_CODE_SIZE], in[32];
    struct arc_letter l;
    struct each_ctx ec = {0, 0, {""}, NULL, 0};
    struct mr_page pg;
    struct mr_word words[2] = {{1, 2, 3, 4, 91, NULL}, {5, 6, 7, 8, 92, NULL}};
    int64_t p1, p2, p3;
    PIX *pix;

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "post.tif", &err), 0);
    /* Page 1 with words, page 2 blank, page 3 text. */
    make_page(&pg, 1, "Dear Sir,\nthank you.", 90, "en");
    words[0].text = strdup("Dear");
    words[1].text = strdup("Sir,");
    pg.words = words;
    pg.nwords = 2;
    pg.rotation = 90;
    pg.skew = 1.5f;
    snprintf(pg.script, sizeof(pg.script), "Latin");
    pix = make_pix(K_8BPP);
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &p1, &err), 0);
    pixDestroy(&pix);
    free(words[0].text);
    free(words[1].text);
    pg.words = NULL;
    pg.nwords = 0;
    mr_page_release(&pg);
    p2 = add_text_page(a, 2, NULL, -1, NULL, 1);
    p3 = add_text_page(a, 3, "Yours faithfully", 85, "en", 0);
    T_CHECK(add_text_page(a, 4, "second letter", 70, "", 0) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 3, "en", code1, &err), 0);
    T_EQ_INT(arc_letter_add(a, 4, 1, NULL, code2, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(err.code, 0);
    T_EQ_INT((long long)strlen(code1), 9);
    T_CHECK(code1[4] == '-');
    T_CHECK(strcmp(code1, code2) != 0);

    /* Look up by a sloppy form of the code. */
    for (int i = 0, j = 0; i < 10; i++)
        if (code1[i] != '-')
            in[j++] = (char)(code1[i] >= 'A' ? code1[i] + 32 : code1[i]);
    T_EQ_INT(arc_letter_get(a, in, &l, &err), 0);
    T_EQ_STR(l.code, code1);
    T_EQ_STR(l.source, "post.tif");
    T_EQ_STR(l.language, "en");
    T_EQ_INT(l.first_page, 1);
    T_EQ_INT(l.page_count, 3);
    T_EQ_INT((long long)l.npages, 3);
    if (l.npages == 3) {
        T_EQ_INT(l.pages[0], p1);
        T_EQ_INT(l.pages[1], p2);
        T_EQ_INT(l.pages[2], p3);
    }
    T_EQ_INT(l.blank_pages, 1);
    T_EQ_INT(l.ocr_conf, 88); /* (90 + 85) / 2 = 87.5 */
    T_EQ_STR(l.text, "Dear Sir,\nthank you.\f\nYours faithfully");
    T_CHECK(l.archived && strlen(l.archived) == 20 && l.archived[10] == 'T' &&
            l.archived[19] == 'Z');
    arc_letter_release(&l);
    T_CHECK(l.text == NULL && l.pages == NULL);

    T_EQ_INT(arc_letter_get(a, code2, &l, &err), 0);
    T_CHECK(l.language == NULL);
    T_EQ_STR(l.text, "second letter");
    T_EQ_INT(l.ocr_conf, 70);
    arc_letter_release(&l);

    /* The record of page 1 is in page and word. */
    T_EQ_STR(db_text(t_dir, "SELECT rotation || ' ' || skew || ' ' || "
                            "script || ' ' || language || ' ' || ocr_conf "
                            "FROM page WHERE seq = 1"),
             "90 1.5 Latin en 90");
    T_EQ_STR(db_text(t_dir, "SELECT group_concat(text, '|') FROM "
                            "(SELECT text FROM word ORDER BY n)"),
             "Dear|Sir,");
    T_EQ_STR(db_text(t_dir, "SELECT x||y||w||h||conf FROM word "
                            "WHERE n = 2"),
             "567892");
    T_EQ_INT(db_int(t_dir, "SELECT ocr_conf IS NULL AND blank = 1 "
                           "FROM page WHERE seq = 2"),
             1);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM page "
                           "WHERE letter_id IS NULL"),
             0);

    /* Unknown and mistyped codes. */
    snprintf(in, sizeof(in), "%s", code1);
    in[0] = in[0] == '2' ? '3' : '2';
    T_EQ_INT(arc_letter_get(a, in, &l, &err), MR_EINVAL);
    mr_err_clear(&err);
    for (int v = 0; v < 31; v++) {
        /* find a valid code that is not one of ours */
        char c[9];

        random_code(c);
        snprintf(in, sizeof(in), "%.4s-%.4s", c, c + 4);
        if (strcmp(in, code1) && strcmp(in, code2))
            break;
    }
    T_EQ_INT(arc_letter_get(a, in, &l, &err), MR_ENOTFOUND);
    T_CHECK(strstr(err.msg, in) != NULL);
    mr_err_clear(&err);

    /* Each, oldest first, and stopping. */
    T_EQ_INT(arc_letter_each(a, each_cb, &ec, &err), 0);
    T_EQ_INT(ec.n, 2);
    T_EQ_STR(ec.codes[0], code1);
    T_EQ_STR(ec.codes[1], code2);
    ec.n = 0;
    ec.stop_at = 1;
    ec.a = a;
    T_EQ_INT(arc_letter_each(a, each_cb, &ec, &err), 42);
    T_EQ_INT(ec.n, 1);
    T_EQ_INT(ec.nested_rc, 2 * MR_EINVAL);
    T_EQ_INT(err.code, 0);
    arc_close(&a);
    check_integrity(t_dir);
    tmp_end();
}

/* ---- search ----------------------------------------------------------- */

struct hits {
    int n;
    char codes[8][ARC_CODE_SIZE];
    int seqs[8];
    char snippets[8][256];
};

static int
hit_cb(const struct arc_hit *h, void *ctx)
{
    struct hits *hs = ctx;

    if (hs->n < 8) {
        snprintf(hs->codes[hs->n], ARC_CODE_SIZE, "%s", h->code);
        hs->seqs[hs->n] = h->seq;
        snprintf(hs->snippets[hs->n], 256, "%s", h->snippet);
    }
    hs->n++;
    return 0;
}

static int
stop_cb(const struct arc_hit *h, void *ctx)
{
    (void)h;
    (void)ctx;
    return 1;
}

/* Is s valid UTF-8 without line breaks? */
static int
one_line_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int n = *p < 0x80    ? 0
                : *p >= 0xf0 ? 3
                : *p >= 0xe0 ? 2
                : *p >= 0xc0 ? 1
                             : -1;

        if (n < 0 || *p == '\n' || *p == '\f' || *p == '\r')
            return 0;
        p++;
        while (n-- > 0)
            if ((*p++ & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static void
test_search(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char old[ARC_CODE_SIZE], new1[ARC_CODE_SIZE];
    struct hits hs;
    int n;

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "old.tif", &err), 0);
    add_text_page(a, 1,
                  "INVOICE 2023-117\nplease pay the invoice "
                  "within thirty days of receipt, thank you",
                  90, "en", 0);
    add_text_page(a, 2,
                  "关于房屋拆迁补偿的通知：请于本月底前到街道办事处"
                  "办理拆迁补偿手续。逾期不办理的，视为自动放弃。",
                  80, "zh", 0);
    T_EQ_INT(arc_letter_add(a, 1, 2, NULL, old, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_stack_begin(a, "new.tif", &err), 0);
    add_text_page(a, 1, "Reminder:\f\nyour invoice is overdue", 90, "en", 0);
    add_text_page(a, 2, "拆", 50, "zh", 0);
    add_text_page(a, 3, "a \"quoted\" word", 50, "en", 0);
    T_EQ_INT(arc_letter_add(a, 1, 3, NULL, new1, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);

    /* FTS, case-insensitive, newest letter first, then page order. */
    memset(&hs, 0, sizeof(hs));
    n = arc_search(a, "invoice", 0, hit_cb, &hs, &err);
    T_EQ_INT(n, 2);
    T_EQ_INT(hs.n, 2);
    T_EQ_STR(hs.codes[0], new1);
    T_EQ_STR(hs.codes[1], old);
    T_EQ_INT(hs.seqs[1], 1);
    T_EQ_STR(hs.snippets[0], "Reminder: your invoice is overdue");
    T_EQ_STR(hs.snippets[1], "INVOICE 2023-117 please pay");
    for (int i = 0; i < hs.n && i < 8; i++)
        T_CHECK(one_line_utf8(hs.snippets[i]));

    /* Limit, and a callback that stops. */
    memset(&hs, 0, sizeof(hs));
    T_EQ_INT(arc_search(a, "INVOICE", 1, hit_cb, &hs, &err), 1);
    T_EQ_STR(hs.codes[0], new1);
    T_EQ_INT(arc_search(a, "invoice", 0, stop_cb, NULL, &err), 1);

    /* Chinese of three characters or more goes through the index. */
    memset(&hs, 0, sizeof(hs));
    T_EQ_INT(arc_search(a, "拆迁补偿", 10, hit_cb, &hs, &err), 1);
    T_EQ_STR(hs.codes[0], old);
    T_EQ_INT(hs.seqs[0], 2);
    T_CHECK(strstr(hs.snippets[0], "拆迁补偿") != NULL);
    T_CHECK(one_line_utf8(hs.snippets[0]));
    /* 20 characters of context either side: starts at the text. */
    T_CHECK(strncmp(hs.snippets[0], "关于房屋", 12) == 0);
    T_CHECK(strstr(hs.snippets[0], "逾期") == NULL);

    /* One and two characters: the fallback scan. */
    memset(&hs, 0, sizeof(hs));
    T_EQ_INT(arc_search(a, "拆迁", 10, hit_cb, &hs, &err), 1);
    T_EQ_STR(hs.codes[0], old);
    T_CHECK(one_line_utf8(hs.snippets[0]));
    T_CHECK(strstr(hs.snippets[0], "拆迁") != NULL);
    memset(&hs, 0, sizeof(hs));
    T_EQ_INT(arc_search(a, "拆", 10, hit_cb, &hs, &err), 2);
    T_EQ_STR(hs.codes[0], new1);
    T_EQ_STR(hs.snippets[0], "拆");
    T_EQ_STR(hs.codes[1], old);
    memset(&hs, 0, sizeof(hs));
    T_EQ_INT(arc_search(a, "iN", 10, hit_cb, &hs, &err), 2);

    /* Quotes and FTS syntax in the query are literal text. */
    memset(&hs, 0, sizeof(hs));
    T_EQ_INT(arc_search(a, "\"quoted\"", 10, hit_cb, &hs, &err), 1);
    T_EQ_INT(hs.seqs[0], 3);
    T_EQ_INT(arc_search(a, "AND OR NOT *", 10, hit_cb, &hs, &err), 0);
    T_EQ_INT(arc_search(a, "nothing like this", 10, hit_cb, &hs, &err), 0);
    T_EQ_INT(err.code, 0);
    T_EQ_INT(arc_search(a, "", 10, hit_cb, &hs, &err), MR_EINVAL);
    arc_close(&a);
    check_integrity(t_dir);
    tmp_end();
}

/* ---- export ----------------------------------------------------------- */

static int
same_bytes(const char *p1, const char *p2)
{
    size_t n1, n2;
    unsigned char *d1 = slurp(p1, &n1), *d2 = slurp(p2, &n2);
    int same = d1 && d2 && n1 == n2 && memcmp(d1, d2, n1) == 0;

    free(d1);
    free(d2);
    return same;
}

/* Does the image at path have the pixels of make_pix(k)? */
static int
same_pixels(const char *path, enum kind k)
{
    PIX *a = make_pix(k), *b = t_read(path);
    l_int32 same = 0;

    if (b)
        pixEqual(a, b, &same);
    pixDestroy(&a);
    pixDestroy(&b);
    return same;
}

static void
test_export(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    int64_t id1 = 0, id8 = 0, id16 = 0, idrgb = 0;
    char out[4096], stored[4096];
    struct mr_page pg;
    PIX *pix;
    FILE *f;

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "export", &err), 0);
    make_page(&pg, 1, NULL, -1, NULL);
    pix = make_pix(K_1BPP);
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id1, &err), 0);
    pixDestroy(&pix);
    pg.seq = 2;
    pix = make_pix(K_8BPP);
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id8, &err), 0);
    pixDestroy(&pix);
    pg.seq = 3;
    pix = make_pix(K_16BPP);
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id16, &err), 0);
    pixDestroy(&pix);
    pg.seq = 4;
    pix = make_pix(K_RGB);
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &idrgb, &err), 0);
    pixDestroy(&pix);
    mr_page_release(&pg);
    T_EQ_INT(arc_stack_commit(a, &err), 0);

    /* Same format: the stored bytes exactly. */
    T_EQ_INT(arc_page_export(a, id1, tpath(out, sizeof(out), "a.tif"), &err),
             0);
    T_CHECK(same_bytes(out,
                       tpath(stored, sizeof(stored), "pages/000001/0001.tif")));
    T_EQ_INT(arc_page_export(a, id8, tpath(out, sizeof(out), "b.PNG"), &err),
             0);
    T_CHECK(same_bytes(out,
                       tpath(stored, sizeof(stored), "pages/000001/0002.png")));
    T_EQ_INT(arc_page_export(a, id16, tpath(out, sizeof(out), "c.png"), &err),
             0);
    T_CHECK(same_bytes(out,
                       tpath(stored, sizeof(stored), "pages/000001/0003.png")));

    /* Re-encoded, lossless formats keep the pixels. */
    T_EQ_INT(arc_page_export(a, id1, tpath(out, sizeof(out), "d.png"), &err),
             0);
    T_CHECK(same_pixels(out, K_1BPP));
    T_EQ_INT(arc_page_export(a, id8, tpath(out, sizeof(out), "e.tif"), &err),
             0);
    T_CHECK(same_pixels(out, K_8BPP));
    T_EQ_INT(arc_page_export(a, id1, tpath(out, sizeof(out), "f.pbm"), &err),
             0);
    T_CHECK(same_pixels(out, K_1BPP));
    T_EQ_INT(arc_page_export(a, idrgb, tpath(out, sizeof(out), "g.ppm"), &err),
             0);
    T_CHECK(same_pixels(out, K_RGB));
    T_EQ_INT(arc_page_export(a, id16, tpath(out, sizeof(out), "h.pgm"), &err),
             0);
    T_CHECK(same_pixels(out, K_16BPP));
    T_EQ_INT(arc_page_export(a, id16, tpath(out, sizeof(out), "h2.tif"), &err),
             0);
    T_CHECK(same_pixels(out, K_16BPP));
    /* JPEG is lossy: it only has to be a readable image of the size. */
    T_EQ_INT(arc_page_export(a, idrgb, tpath(out, sizeof(out), "i.jpg"), &err),
             0);
    pix = t_read(out);
    T_CHECK(pix && pixGetWidth(pix) == 61 && pixGetHeight(pix) == 37);
    pixDestroy(&pix);
    T_EQ_INT(arc_page_export(a, id16, tpath(out, sizeof(out), "j.jpeg"), &err),
             0);
    T_EQ_INT(err.code, 0);
    T_CHECK(no_part_files(t_dir));

    /* Errors. */
    T_EQ_INT(arc_page_export(a, id8, tpath(out, sizeof(out), "k.gif"), &err),
             MR_EINVAL);
    T_CHECK(!file_exists(out));
    mr_err_clear(&err);
    T_EQ_INT(arc_page_export(a, 999, tpath(out, sizeof(out), "l.png"), &err),
             MR_ENOTFOUND);
    mr_err_clear(&err);
    /* A damaged stored file is never handed out. */
    f = fopen(tpath(stored, sizeof(stored), "pages/000001/0002.png"), "r+b");
    T_CHECK(f != NULL);
    if (f) {
        fseek(f, 40, SEEK_SET);
        fputc(0x5a, f);
        fclose(f);
    }
    T_EQ_INT(arc_page_export(a, id8, tpath(out, sizeof(out), "m.png"), &err),
             MR_EIO);
    T_CHECK(strstr(err.msg, "is damaged: checksum does not match the "
                            "archive index") != NULL);
    T_CHECK(!file_exists(out));
    mr_err_clear(&err);
    T_EQ_INT(arc_page_export(a, id8, tpath(out, sizeof(out), "n.jpg"), &err),
             MR_EIO);
    mr_err_clear(&err);
    unlink(tpath(stored, sizeof(stored), "pages/000001/0001.tif"));
    T_EQ_INT(arc_page_export(a, id1, tpath(out, sizeof(out), "o.tif"), &err),
             MR_EIO);
    mr_err_clear(&err);
    arc_close(&a);
    check_integrity(t_dir);
    tmp_end();
}

/* A page whose index rows cannot be written leaves nothing behind. */
static void
test_page_add_failure(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_word word = {1, 2, 3, 4, 90, NULL};
    struct mr_page pg;
    struct arc *a;
    char path[4096], code[ARC_CODE_SIZE];
    int64_t id = 1;
    PIX *pix = make_pix(K_RGB);

    tmp_begin();
    a = arc_open(t_dir, &err);
    arc_close(&a);
    T_EQ_INT(db_exec(t_dir, "CREATE TRIGGER boom BEFORE INSERT ON word "
                            "BEGIN SELECT RAISE(ABORT, 'boom'); END"),
             SQLITE_OK);
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "faulty", &err), 0);
    T_CHECK(add_text_page(a, 1, "first", 90, "en", 0) > 0);
    make_page(&pg, 2, "second", 90, "en");
    word.text = strdup("second");
    pg.words = &word;
    pg.nwords = 1;
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id, &err), MR_EDB);
    T_EQ_INT(id, 0);
    T_CHECK(strstr(err.msg, "boom") != NULL);
    T_CHECK(strstr(err.msg, "index.sqlite") != NULL);
    mr_err_clear(&err);
    free(word.text);
    pg.words = NULL;
    pg.nwords = 0;
    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000001/0002.png")));
    /* The stack goes on: the page can be added again, without words. */
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id, &err), 0);
    T_EQ_INT(arc_letter_add(a, 1, 2, "en", code, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(err.code, 0);
    arc_close(&a);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM page"), 2);
    T_EQ_INT(db_int(t_dir, "SELECT page_count FROM stack"), 2);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM page_fts "
                           "WHERE page_fts MATCH 'second'"),
             1);
    T_CHECK(file_exists(tpath(path, sizeof(path), "pages/000001/0002.png")));
    T_CHECK(no_part_files(t_dir));
    mr_page_release(&pg);
    pixDestroy(&pix);
    check_integrity(t_dir);
    tmp_end();
}

/* Does the stored file rel hold exactly size bytes of data? */
static int
stored_is(const char *rel, const unsigned char *data, size_t size)
{
    char path[4096];
    size_t n;
    unsigned char *d = slurp(tpath(path, sizeof(path), rel), &n);
    int same = d && n == size && memcmp(d, data, n) == 0;

    free(d);
    return same;
}

/*
 * A PNG or JPEG file given as delivered is stored byte for byte under
 * .png or .jpg, indexed from pix, loaded and exported like any page; a
 * file that is not of the named format, or not of pix's size, is refused
 * before anything is written.
 */
static void
test_as_delivered(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    struct mr_page pg;
    struct arc_image png = {NULL, 0, "png"}, jpeg = {NULL, 0, "jpeg"};
    l_uint8 *pngdata = NULL, *jpegdata = NULL;
    PIX *grey = make_pix(K_8BPP), *rgb = make_pix(K_RGB), *pix = NULL;
    PIX *decoded = NULL, *from_png = NULL, *small = NULL;
    int64_t idpng = 0, idjpeg = 0, id = 1;
    char out[4096], sql[128];
    l_int32 same = 0;

    /*
     * Zlib level 1, as a fast scanner might write it: the archive's own
     * encoder (the default level) would not give these bytes back.
     */
    pixSetZlibCompression(grey, 1);
    T_EQ_INT(pixWriteMemPng(&pngdata, &png.size, grey, 0.0), 0);
    T_EQ_INT(pixWriteMemJpeg(&jpegdata, &jpeg.size, rgb, 75, 0), 0);
    png.data = pngdata;
    jpeg.data = jpegdata;
    decoded = pixReadMem(jpegdata, jpeg.size);
    from_png = pixReadMem(pngdata, png.size);
    T_CHECK(decoded && from_png);

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "delivered", &err), 0);
    make_page(&pg, 1, NULL, -1, NULL);
    T_EQ_INT(arc_page_add(a, &pg, from_png, &png, &idpng, &err), 0);
    pg.seq = 2;
    T_EQ_INT(arc_page_add(a, &pg, decoded, &jpeg, &idjpeg, &err), 0);

    /* Refused: the bytes are not of the format named, or not of pix. */
    pg.seq = 3;
    jpeg.format = "png";
    T_EQ_INT(arc_page_add(a, &pg, decoded, &jpeg, &id, &err), MR_EINVAL);
    T_EQ_INT(id, 0);
    T_CHECK(strstr(err.msg, "page 3") && strstr(err.msg, "not a png image"));
    mr_err_clear(&err);
    jpeg.format = "jpeg";
    small = pixScale(decoded, 0.5, 0.5);
    T_EQ_INT(arc_page_add(a, &pg, small, &jpeg, &id, &err), MR_EINVAL);
    mr_err_clear(&err);
    T_CHECK(!file_exists(tpath(out, sizeof(out), "pages/000001/0003.jpg")));
    T_CHECK(!file_exists(tpath(out, sizeof(out), "pages/000001/0003.png")));
    mr_page_release(&pg);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(db_int(t_dir, "SELECT page_count FROM stack"), 2);

    /* Stored as delivered, indexed from pix. */
    snprintf(sql, sizeof(sql),
             "SELECT img_format || ' ' || img_path || ' ' || width || 'x' ||"
             " height || 'x' || depth || '@' || dpi FROM page WHERE id = %lld",
             (long long)idpng);
    T_EQ_STR(db_text(t_dir, sql), "png pages/000001/0001.png 61x37x8@300");
    snprintf(sql, sizeof(sql),
             "SELECT img_format || ' ' || img_path || ' ' || width || 'x' ||"
             " height || 'x' || depth || '@' || dpi FROM page WHERE id = %lld",
             (long long)idjpeg);
    T_EQ_STR(db_text(t_dir, sql), "jpeg pages/000001/0002.jpg 61x37x32@300");
    T_CHECK(stored_is("pages/000001/0001.png", png.data, png.size));
    T_CHECK(stored_is("pages/000001/0002.jpg", jpeg.data, jpeg.size));
    {
        char want[65], got[65];

        file_sha256(tpath(out, sizeof(out), "pages/000001/0002.jpg"), got);
        snprintf(want, sizeof(want), "%s",
                 db_text(t_dir, "SELECT sha256 FROM page WHERE seq = 2"));
        T_EQ_STR(got, want);
    }

    /* Loaded: the pixels that were decoded from the delivered file. */
    T_EQ_INT(arc_page_load(a, idpng, &pix, &err), 0);
    T_CHECK(pix && pixEqual(pix, grey, &same) == 0 && same);
    pixDestroy(&pix);
    T_EQ_INT(arc_page_load(a, idjpeg, &pix, &err), 0);
    same = 0;
    T_CHECK(pix && pixEqual(pix, decoded, &same) == 0 && same);
    pixDestroy(&pix);

    /* Exported: the file as delivered, or decoded and re-encoded. */
    T_EQ_INT(arc_page_export(a, idjpeg, tpath(out, sizeof(out), "a.jpg"), &err),
             0);
    T_CHECK(stored_is("a.jpg", jpeg.data, jpeg.size));
    T_EQ_INT(
        arc_page_export(a, idjpeg, tpath(out, sizeof(out), "b.JPEG"), &err), 0);
    T_CHECK(stored_is("b.JPEG", jpeg.data, jpeg.size));
    T_EQ_INT(arc_page_export(a, idjpeg, tpath(out, sizeof(out), "c.png"), &err),
             0);
    pix = t_read(out);
    same = 0;
    T_CHECK(pix && pixEqual(pix, decoded, &same) == 0 && same);
    T_EQ_INT(findFileFormat(out, &same), 0);
    T_EQ_INT(same, IFF_PNG);
    pixDestroy(&pix);
    T_EQ_INT(arc_page_export(a, idpng, tpath(out, sizeof(out), "d.png"), &err),
             0);
    T_CHECK(stored_is("d.png", png.data, png.size));
    T_EQ_INT(arc_page_export(a, idpng, tpath(out, sizeof(out), "e.jpg"), &err),
             0);
    T_CHECK(!stored_is("e.jpg", png.data, png.size));
    T_EQ_INT(findFileFormat(out, &same), 0);
    T_EQ_INT(same, IFF_JFIF_JPEG);
    T_EQ_INT(err.code, 0);
    T_CHECK(no_part_files(t_dir));
    arc_close(&a);
    check_integrity(t_dir);
    tmp_end();
    pixDestroy(&small);
    pixDestroy(&from_png);
    pixDestroy(&decoded);
    pixDestroy(&rgb);
    pixDestroy(&grey);
    lept_free(jpegdata);
    lept_free(pngdata);
}

static void
test_totals(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_totals t;
    char code[ARC_CODE_SIZE];
    struct arc *a;

    tmp_begin();
    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_totals(a, &t, &err), 0);
    T_EQ_INT(t.stacks + t.letters + t.pages + t.blank_pages, 0);
    for (int s = 0; s < 3; s++) {
        T_EQ_INT(arc_stack_begin(a, "stack", &err), 0);
        for (int p = 1; p <= 4; p++)
            add_text_page(a, p, "text", 90, "en", p == 4);
        T_EQ_INT(arc_letter_add(a, 1, 2, "en", code, &err), 0);
        T_EQ_INT(arc_letter_add(a, 3, 2, "en", code, &err), 0);
        T_EQ_INT(arc_stack_commit(a, &err), 0);
    }
    T_EQ_INT(arc_totals(a, &t, &err), 0);
    T_EQ_INT(t.stacks, 3);
    T_EQ_INT(t.letters, 6);
    T_EQ_INT(t.pages, 12);
    T_EQ_INT(t.blank_pages, 3);
    T_EQ_INT(err.code, 0);
    arc_close(&a);
    T_EQ_INT(db_int(t_dir, "SELECT sum(page_count) FROM stack"), 12);
    T_EQ_INT(db_int(t_dir, "SELECT count(DISTINCT tracking_code) "
                           "FROM letter"),
             6);
    check_integrity(t_dir);
    tmp_end();
}

/*
 * A file's content is recorded with its stack: the same content again
 * finds that stack and begins none; a new stack's folder is cleared of
 * what a run cut off before its commit left there.
 */
static void
test_stack_begin_file(void)
{
    struct mr_err err = MR_ERR_INIT;
    char hex[65], want[65], path[4096], dir[4096];
    int64_t existing = -1;
    struct arc *a;
    FILE *f;

    tmp_begin();
    tpath(path, sizeof(path), "letter.bin");
    f = fopen(path, "wb");
    T_CHECK(f != NULL);
    for (int i = 0; f && i < 200000; i++)
        fputc(i * 7 % 251, f);
    if (f)
        fclose(f);
    T_EQ_INT(arc_sha256_file(path, hex, &err), 0);
    file_sha256(path, want);
    T_EQ_STR(hex, want);
    T_EQ_INT(arc_sha256_file(tpath(dir, sizeof(dir), "none"), hex, &err),
             MR_ENOTFOUND);
    T_CHECK(strstr(err.msg, "none") != NULL);
    mr_err_clear(&err);

    a = arc_open(t_dir, &err);
    T_CHECK(a != NULL);
    /* Left by a run killed before its commit: stack 1's folder. */
    T_EQ_INT(arc_mkdir_p(tpath(dir, sizeof(dir), "pages/000001"), &err), 0);
    T_EQ_INT(
        arc_write_atomic(tpath(path, sizeof(path), "pages/000001/0003.png"),
                         "x", 1, &err),
        0);
    f = fopen(tpath(path, sizeof(path), "pages/000001/0004.png.part"), "w");
    T_CHECK(f != NULL);
    if (f)
        fclose(f);
    T_EQ_INT(arc_stack_begin_file(a, "letter.bin", want, &existing, &err), 0);
    T_EQ_INT(existing, 0);
    T_EQ_INT(arc_stack_current(a), 1);
    T_CHECK(!file_exists(tpath(path, sizeof(path), "pages/000001/0003.png")));
    T_CHECK(
        !file_exists(tpath(path, sizeof(path), "pages/000001/0004.png.part")));
    T_CHECK(add_text_page(a, 1, "a page", 90, "en", 0) > 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    /* The same content again, under another name. */
    T_EQ_INT(arc_stack_begin_file(a, "copy.bin", want, &existing, &err), 1);
    T_EQ_INT(existing, 1);
    T_EQ_INT(arc_stack_current(a), 0);
    /* Other content, and a scanned stack, begin as before. */
    hex[0] = hex[0] == 'a' ? 'b' : 'a';
    T_EQ_INT(arc_stack_begin_file(a, "other.bin", hex, &existing, &err), 0);
    T_EQ_INT(existing, 0);
    T_EQ_INT(arc_stack_current(a), 2);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_stack_begin(a, "scanner", &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(err.code, 0);
    arc_close(&a);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM stack"), 3);
    T_EQ_INT(db_int(t_dir, "SELECT count(*) FROM stack WHERE sha256 IS NULL"),
             1);
    T_EQ_STR(db_text(t_dir, "SELECT source FROM stack WHERE id = 1"),
             "letter.bin");
    check_integrity(t_dir);
    tmp_end();
}

/* A version 1 archive (before scanning) is upgraded when opened. */
static void
test_migrate_v1(void)
{
    struct mr_err err = MR_ERR_INIT;
    char dir[1100];
    struct arc *a;

    tmp_begin();
    tpath(dir, sizeof(dir), "old");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "old.tif", &err), 0);
    T_CHECK(add_text_page(a, 1, "old page", 90, "en", 0) > 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    arc_close(&a);
    /* Take it back to schema 1 as an older mailroom wrote it. */
    T_EQ_INT(db_exec(dir, "DROP INDEX stack_sha256;"
                          "ALTER TABLE stack DROP COLUMN sha256;"
                          "DROP TABLE bundle;"
                          "DROP TABLE model;"
                          "DROP TABLE lsh;"
                          "DROP TABLE letter_link;"
                          "DROP TABLE writer;"
                          "CREATE TABLE v1_letter AS SELECT id, stack_id,"
                          " tracking_code, first_page, page_count, language,"
                          " archived FROM letter;"
                          "DROP TABLE letter;"
                          "CREATE TABLE letter(\n"
                          "  id INTEGER PRIMARY KEY,\n"
                          "  stack_id INTEGER NOT NULL REFERENCES stack(id),\n"
                          "  tracking_code TEXT NOT NULL UNIQUE,\n"
                          "  first_page INTEGER NOT NULL,\n"
                          "  page_count INTEGER NOT NULL,\n"
                          "  language TEXT,\n"
                          "  archived TEXT NOT NULL);"
                          "INSERT INTO letter SELECT * FROM v1_letter;"
                          "DROP TABLE v1_letter;"
                          "CREATE INDEX letter_stack ON letter(stack_id);"
                          "DROP TABLE retired_code;"
                          "DROP TABLE audit;"
                          "DROP INDEX review_open;"
                          "DROP TABLE review;"
                          "ALTER TABLE page DROP COLUMN role;"
                          "ALTER TABLE page DROP COLUMN codes;"
                          "DROP INDEX page_deferred;"
                          "DROP INDEX page_pending;"
                          "ALTER TABLE page DROP COLUMN processed;"
                          "ALTER TABLE stack DROP COLUMN state;"
                          "PRAGMA user_version = 1;"),
             0);
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    arc_close(&a);
    T_EQ_INT(db_int(dir, "PRAGMA user_version"), 11);
    T_EQ_STR(db_text(dir, "SELECT state FROM stack"), "complete");
    T_EQ_STR(db_text(dir, "SELECT ifnull(role, 'content') FROM page"),
             "content");
    T_EQ_INT(db_int(dir, "SELECT processed FROM page"), 1);
    check_integrity(dir);
    tmp_end();
}

/*
 * The scanning flow: each page committed as it is read, unprocessed; the
 * stack resumed for more pages; then processed and made a letter.
 */
static void
test_scan_flow(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_stack_page *pages = NULL;
    struct mr_page pg;
    char dir[1100], code[ARC_CODE_SIZE], before[1200], *stored;
    unsigned char *again;
    int64_t *todo = NULL, stack, id1;
    size_t n = 0, npages = 0, size1 = 0, size2 = 0;
    int scanning = -1;
    struct arc *a;
    PIX *pix = make_pix(K_8BPP), *back = NULL, *orig = NULL;
    l_uint32 v = 0;
    l_int32 same = 0;

    tmp_begin();
    tpath(dir, sizeof(dir), "scan");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "scanner test:0", &err), 0);
    stack = arc_stack_current(a);
    T_CHECK(stack > 0);
    T_EQ_INT(arc_stack_set_scanning(a, 1, &err), 0);
    make_page(&pg, 1, NULL, -1, NULL);
    pg.flags |= MR_PAGE_PENDING;
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, &id1, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_stack_current(a), 0);

    /* Committed at once, not yet processed; not work for process. */
    T_EQ_INT(db_int(dir, "SELECT processed FROM page"), 0);
    T_EQ_INT(arc_stacks_todo(a, &todo, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(todo);

    /* Resume: page 2 goes in; page 1 again is refused, file untouched. */
    T_EQ_INT(arc_stack_resume(a, stack, &scanning, &err), 0);
    T_EQ_INT(scanning, 1);
    snprintf(before, sizeof(before), "%s/%s", dir,
             db_text(dir, "SELECT img_path FROM page WHERE seq = 1"));
    stored = (char *)slurp(before, &size1);
    orig = pixCopy(NULL, pix);
    pixGetPixel(pix, 0, 0, &v);
    pixSetPixel(pix, 0, 0, v ^ 0x7f); /* a different page 1 */
    T_CHECK(arc_page_add(a, &pg, pix, NULL, NULL, &err) == MR_EINVAL);
    mr_err_clear(&err);
    pg.seq = 2;
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, NULL, &err), 0);
    T_EQ_INT(arc_stack_set_scanning(a, 0, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    mr_page_release(&pg);
    again = slurp(before, &size2);
    T_CHECK(stored && again && size1 == size2 && !memcmp(stored, again, size1));
    free(again);
    free(stored);

    T_EQ_INT(arc_stacks_todo(a, &todo, &n, &err), 0);
    T_EQ_INT(n, 1);
    T_CHECK(n == 1 && todo[0] == stack);
    free(todo);
    T_EQ_INT(arc_stack_pages(a, stack, &pages, &n, &err), 0);
    T_EQ_INT(n, 2);
    T_CHECK(n == 2 && pages[0].seq == 1 && !pages[0].processed &&
            pages[0].id == id1 && pages[1].seq == 2);

    /* Process: load, record results, make the letter. */
    T_EQ_INT(arc_page_load(a, id1, &back, &err), 0);
    T_CHECK(back && pixEqual(back, orig, &same) == 0 && same);
    T_EQ_INT(arc_stack_resume(a, stack, &scanning, &err), 0);
    T_EQ_INT(scanning, 0);
    for (size_t i = 0; i < n; i++) {
        make_page(&pg, pages[i].seq, "燃气管道 gas pipes", 91, "zh");
        if (i == 1) {
            pg.flags |= MR_PAGE_BLANK | MR_PAGE_UNSURE;
            pg.codes = strdup("QR-Code:OTHER\n");
        }
        T_EQ_INT(arc_page_set_results(a, pages[i].id, &pg, &err), 0);
        mr_page_release(&pg);
    }
    T_EQ_INT(arc_page_set_results(a, 999999, &pg, &err), MR_ENOTFOUND);
    mr_err_clear(&err);
    /* What separation reads back: flags, role and text. */
    arc_stack_pages_free(&pages, n);
    T_EQ_INT(arc_stack_pages(a, stack, &pages, &npages, &err), 0);
    T_EQ_INT(npages, 2);
    T_CHECK(npages == 2 && pages[0].flags == 0 && pages[0].text &&
            !strcmp(pages[0].text, "燃气管道 gas pipes"));
    T_CHECK(npages == 2 && pages[1].flags == (MR_PAGE_BLANK | MR_PAGE_UNSURE));
    T_EQ_INT(arc_review_add(a, "boundary", 2, "unread", &err), 0);
    T_EQ_INT(arc_letter_add(a, 1, 2, "zh", code, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM page WHERE processed = 1 "
                         "AND ocr_conf = 91 AND letter_id IS NOT NULL"),
             2);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM page_fts "
                         "WHERE page_fts MATCH '\"燃气管\"'"),
             2);
    T_EQ_INT(arc_stacks_todo(a, &todo, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(todo);
    T_EQ_INT(arc_stack_resume(a, 424242, NULL, &err), MR_ENOTFOUND);
    T_EQ_STR(db_text(dir, "SELECT codes || role FROM page WHERE seq = 2"),
             "QR-Code:OTHER\nunsure");
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM review WHERE seq = 2 AND "
                         "resolved IS NULL AND created LIKE '20%Z'"),
             1);
    mr_err_clear(&err);
    T_EQ_INT(arc_review_add(a, "boundary", 1, "no stack", &err), MR_EINVAL);
    arc_stack_pages_free(&pages, npages);
    pixDestroy(&back);
    pixDestroy(&orig);
    pixDestroy(&pix);
    arc_close(&a);
    check_integrity(dir);
    tmp_end();
}

/* Whether path exists. */
static int
exists(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0;
}

/* Write a small file at path. */
static void
put_file(const char *path)
{
    FILE *fp = fopen(path, "w");

    T_CHECK(fp != NULL);
    if (fp) {
        fputs("cut off\n", fp);
        fclose(fp);
    }
}

/*
 * Stacks being scanned: one live claim per stack, a lock file found
 * unlocked means a scan cut off, and going on with a scanning stack
 * removes the files of its folder no row names (complete stacks keep
 * theirs).
 */
static void
test_scan_claims(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_page pg;
    char dir[1100], lock[1200], part[1200], stray[1200], kept[1200];
    int64_t stack, *ids = NULL;
    size_t n = 0;
    int cut_off = -1;
    struct arc *a, *b;
    PIX *pix = make_pix(K_8BPP);

    tmp_begin();
    tpath(dir, sizeof(dir), "claims");
    a = arc_open(dir, &err);
    b = arc_open(dir, &err);
    T_CHECK(a && b);
    T_EQ_INT(arc_stack_begin(a, "scanner feeder:tray", &err), 0);
    stack = arc_stack_current(a);
    T_EQ_INT(arc_stack_set_scanning(a, 1, &err), 0);
    T_EQ_INT(arc_stack_claim(a, stack, &cut_off, &err), 0);
    T_EQ_INT(cut_off, 0);
    make_page(&pg, 1, NULL, -1, NULL);
    pg.flags |= MR_PAGE_PENDING;
    T_EQ_INT(arc_page_add(a, &pg, pix, NULL, NULL, &err), 0);
    mr_page_release(&pg);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    snprintf(lock, sizeof(lock), "%s/scanning/%06lld.lock", dir,
             (long long)stack);
    T_CHECK(exists(lock));

    /* Another handle: the stack is listed, but it cannot claim it. */
    T_EQ_INT(arc_stacks_scanning(b, "scanner feeder:tray", &ids, &n, &err), 0);
    T_CHECK(n == 1 && ids[0] == stack);
    free(ids);
    T_EQ_INT(arc_stacks_scanning(b, "scanner test:0", &ids, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(ids);
    T_EQ_INT(arc_stack_claim(b, stack, &cut_off, &err), MR_EBUSY);
    T_EQ_STR(err.msg, "stack 1 is being scanned by another mailroom");
    mr_err_clear(&err);
    T_EQ_INT(arc_stack_claim(a, stack + 1, NULL, &err), MR_EINVAL);
    mr_err_clear(&err);

    /* Let go of cleanly: the file goes, the next claim is no cut-off. */
    arc_stack_unclaim(a);
    T_CHECK(!exists(lock));
    T_EQ_INT(arc_stack_claim(b, stack, &cut_off, &err), 0);
    T_EQ_INT(cut_off, 0);
    arc_stack_unclaim(b);

    /* A lock file left unlocked: the last scan was cut off. */
    put_file(lock);
    T_EQ_INT(arc_stack_claim(a, stack, &cut_off, &err), 0);
    T_EQ_INT(cut_off, 1);

    /* A page's file and a .part without their rows are swept. */
    snprintf(kept, sizeof(kept), "%s/pages/%06lld/0001.png", dir,
             (long long)stack);
    snprintf(stray, sizeof(stray), "%s/pages/%06lld/0002.png", dir,
             (long long)stack);
    snprintf(part, sizeof(part), "%s/pages/%06lld/0003.tif.part", dir,
             (long long)stack);
    put_file(stray);
    put_file(part);
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    T_CHECK(exists(kept));
    T_CHECK(!exists(stray) && !exists(part));
    T_EQ_INT(arc_stack_set_scanning(a, 0, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);

    /* A complete stack's folder is not touched. */
    put_file(stray);
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    arc_stack_abort(a);
    T_CHECK(exists(stray));
    unlink(stray);
    T_EQ_INT(arc_stacks_scanning(a, "scanner feeder:tray", &ids, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(ids);

    /* Closing lets go of the claim. */
    arc_close(&a);
    T_CHECK(!exists(lock));
    arc_close(&b);
    pixDestroy(&pix);
    check_integrity(dir);
    tmp_end();
}

/* The number of handle files (*.stacks) in dir/reading. */
static int
takes_files(const char *dir)
{
    char path[1200];
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(path, sizeof(path), "%s/reading", dir);
    d = opendir(path);
    if (!d)
        return 0;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".stacks") != NULL;
    closedir(d);
    return n;
}

/*
 * Stacks being read: a stack taken by one live handle is taken elsewhere
 * for every other; the takes of a handle closed, or cut off (its file
 * found unlocked), are void.
 */
static void
test_read_takes(void)
{
    struct mr_err err = MR_ERR_INIT;
    char dir[1100], left[1200];
    int elsewhere = -1;
    struct arc *a, *b;
    FILE *fp;

    tmp_begin();
    tpath(dir, sizeof(dir), "takes");
    a = arc_open(dir, &err);
    b = arc_open(dir, &err);
    T_CHECK(a && b);
    T_EQ_INT(takes_files(dir), 0);
    T_EQ_INT(arc_stack_take(a, 7, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 0);
    T_EQ_INT(arc_stack_take(a, 12, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 0);
    T_EQ_INT(takes_files(dir), 1);

    /* Another handle: 7 and 12 are taken, 1 (a prefix of 12) is not. */
    T_EQ_INT(arc_stack_take(b, 7, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 1);
    T_EQ_INT(arc_stack_take(b, 12, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 1);
    T_EQ_INT(arc_stack_take(b, 1, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 0);
    T_EQ_INT(takes_files(dir), 2);
    T_EQ_INT(arc_stack_take(a, 1, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 1);

    /* Closing lets go of them, and removes the file. */
    arc_close(&a);
    T_EQ_INT(takes_files(dir), 1);
    T_EQ_INT(arc_stack_take(b, 7, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 0);

    /* A file nobody holds: its process was cut off, its takes are void. */
    snprintf(left, sizeof(left), "%s/reading/99999-1.stacks", dir);
    fp = fopen(left, "w");
    T_CHECK(fp != NULL);
    if (fp) {
        fputs("3\n", fp);
        fclose(fp);
    }
    T_EQ_INT(arc_stack_take(b, 3, &elsewhere, &err), 0);
    T_EQ_INT(elsewhere, 0);
    T_CHECK(!exists(left));
    arc_close(&b);
    T_EQ_INT(takes_files(dir), 0);
    check_integrity(dir);
    tmp_end();
}

/*
 * The rest of a long letter: a page deferred is no work for `process`,
 * counts as unread in its letter, and is read later like any page.
 */
static void
test_deferred_pages(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_stack_page *pages = NULL;
    struct arc_letter l;
    struct mr_page pg;
    char dir[1100], code[ARC_CODE_SIZE], (*codes)[ARC_CODE_SIZE] = NULL;
    int64_t *todo = NULL, stack;
    size_t n = 0, npages = 0;
    struct arc *a;
    PIX *pix = make_pix(K_8BPP);

    tmp_begin();
    tpath(dir, sizeof(dir), "deferred");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "long.tif", &err), 0);
    stack = arc_stack_current(a);
    for (int seq = 1; seq <= 3; seq++) {
        make_page(&pg, seq, NULL, -1, NULL);
        pg.flags |= MR_PAGE_PENDING;
        T_EQ_INT(arc_page_add(a, &pg, pix, NULL, NULL, &err), 0);
        mr_page_release(&pg);
    }
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_stack_pages(a, stack, &pages, &npages, &err), 0);
    T_EQ_INT(npages, 3);

    /* Pages 1 and 3 read, page 2 deferred; then the letter is made. */
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    for (size_t i = 0; i < npages; i++) {
        make_page(&pg, pages[i].seq, i == 1 ? NULL : "回忆录第一章", 90, "zh");
        if (i == 1)
            pg.flags |= MR_PAGE_PENDING | MR_PAGE_DEFERRED;
        T_EQ_INT(arc_page_set_results(a, pages[i].id, &pg, &err), 0);
        mr_page_release(&pg);
    }
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_stacks_todo(a, &todo, &n, &err), 0);
    T_EQ_INT(n, 1); /* no letter yet */
    free(todo);
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    T_EQ_INT(arc_letter_add(a, 1, 3, "zh", code, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_stacks_todo(a, &todo, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(todo);
    arc_stack_pages_free(&pages, npages);
    T_EQ_INT(arc_stack_pages(a, stack, &pages, &npages, &err), 0);
    T_CHECK(npages == 3 && !pages[1].processed && !pages[1].text &&
            pages[1].flags == (MR_PAGE_PENDING | MR_PAGE_DEFERRED) &&
            pages[0].processed && pages[0].flags == 0 &&
            pages[1].letter_id > 0 && pages[1].letter_id == pages[2].letter_id);
    T_EQ_INT(arc_letters_unread(a, 0, &codes, &n, &err), 0);
    T_CHECK(n == 1 && !strcmp(codes[0], code));
    free(codes);
    T_EQ_INT(arc_letters_unread(a, stack + 1, &codes, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(codes);
    T_EQ_INT(arc_letter_get(a, code, &l, &err), 0);
    T_EQ_INT(l.unread, 1);
    T_EQ_INT(l.page_count, 3);
    T_EQ_STR(l.text, "回忆录第一章\f\n回忆录第一章");
    arc_letter_release(&l);

    /* Read later: the letter is whole, and the page is searchable. */
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    make_page(&pg, 2, "青石板桥", 88, "zh");
    T_EQ_INT(arc_page_set_results(a, pages[1].id, &pg, &err), 0);
    mr_page_release(&pg);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_letters_unread(a, 0, &codes, &n, &err), 0);
    T_EQ_INT(n, 0);
    free(codes);
    T_EQ_INT(arc_letter_get(a, code, &l, &err), 0);
    T_EQ_INT(l.unread, 0);
    T_CHECK(l.text && strstr(l.text, "青石板桥"));
    arc_letter_release(&l);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM page_fts "
                         "WHERE page_fts MATCH '\"青石板\"'"),
             1);
    arc_stack_pages_free(&pages, npages);
    pixDestroy(&pix);
    arc_close(&a);
    check_integrity(dir);
    tmp_end();
}

/* The clock can be set: MAILROOM_NOW, for tests of deadlines. */
static void
test_clock(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a;
    char dir[1100], buf[MR_TIME_SIZE];

    T_EQ_INT(setenv("MAILROOM_NOW", "2026-02-28T23:59:59Z", 1), 0);
    T_EQ_INT((long long)mr_now(), 1772323199LL);
    T_EQ_INT(mr_time_text(mr_now(), buf, &err), 0);
    T_EQ_STR(buf, "2026-02-28T23:59:59Z");
    T_EQ_INT(setenv("MAILROOM_NOW", "2024-02-29", 1), 0);
    T_EQ_INT(mr_time_text(mr_now(), buf, &err), 0);
    T_EQ_STR(buf, "2024-02-29T00:00:00Z");
    /* Not a time: refused, not guessed. */
    T_EQ_INT(setenv("MAILROOM_NOW", "2026-02-30", 1), 0);
    T_CHECK(mr_now() == (time_t)-1);
    T_EQ_INT(setenv("MAILROOM_NOW", "2026-02-01T09:00", 1), 0);
    T_CHECK(mr_now() == (time_t)-1);
    T_EQ_INT(mr_time_text(mr_now(), buf, &err), MR_EINVAL);
    T_CHECK(strstr(err.msg, "2026-02-01T09:00") != NULL);

    /* What the archive records takes it. */
    T_EQ_INT(setenv("MAILROOM_NOW", "2026-05-01T09:30:00Z", 1), 0);
    tmp_begin();
    tpath(dir, sizeof(dir), "clock");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "clock.png", &err), 0);
    T_CHECK(add_text_page(a, 1, "钟", 90, "zh", 0) > 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    arc_close(&a);
    T_EQ_STR(db_text(dir, "SELECT archived FROM stack"),
             "2026-05-01T09:30:00Z");
    T_EQ_INT(unsetenv("MAILROOM_NOW"), 0);
    T_CHECK(mr_now() != (time_t)-1);
    tmp_end();
}

static int
count_question(const struct arc_question *q, void *ctx)
{
    (void)q;
    (*(int *)ctx)++;
    return 0;
}

static int
count_audit(const struct arc_audit *r, void *ctx)
{
    T_CHECK(r->at != NULL && r->who != NULL);
    (*(int *)ctx)++;
    return 0;
}

/*
 * A stack of 8 pages: letter A is 1-3 (3 blank), page 4 is in no letter
 * (a separator), letter B is 5-6, letter C is 7-8 (8 blank); a review
 * question stands at page 4.  Reviewers split, merge and confirm.
 */
static void
test_corrections(void)
{
    struct mr_err err = MR_ERR_INIT;
    char dir[1100], ca[ARC_CODE_SIZE], cb[ARC_CODE_SIZE], cc[ARC_CODE_SIZE];
    char cn[ARC_CODE_SIZE], kept[ARC_CODE_SIZE], sql[256];
    struct arc_letter l;
    int64_t stack;
    int n = 0;
    struct arc *a;

    tmp_begin();
    tpath(dir, sizeof(dir), "edit");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "stack.tif", &err), 0);
    stack = arc_stack_current(a);
    for (int seq = 1; seq <= 8; seq++)
        T_CHECK(add_text_page(a, seq, seq == 2 ? "Dear Sir, the road" : "text",
                              90, "en", seq == 3 || seq == 8) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 3, "zh", ca, &err), 0);
    T_EQ_INT(arc_letter_add(a, 5, 2, "en", cb, &err), 0);
    T_EQ_INT(arc_letter_add(a, 7, 2, "en", cc, &err), 0);
    T_EQ_INT(arc_review_add(a, "boundary", 4, "unread separator", &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);

    /* The question is about the letters on both sides of page 4. */
    T_EQ_INT(arc_letter_get(a, ca, &l, &err), 0);
    T_EQ_INT(l.questions, 1);
    T_EQ_INT(l.stack_id, stack);
    T_EQ_INT(arc_letter_questions(a, l.id, count_question, &n, &err), 0);
    T_EQ_INT(n, 1);
    arc_letter_release(&l);
    T_EQ_INT(arc_letter_get(a, cc, &l, &err), 0);
    T_EQ_INT(l.questions, 0);
    arc_letter_release(&l);

    /* Corrections need the letter's stack open. */
    T_EQ_INT(arc_letter_split(a, ca, 2, "alice", NULL, cn, &err), MR_EINVAL);
    err = (struct mr_err)MR_ERR_INIT;
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    /* Pages outside the letter, and a part of blank pages only. */
    T_EQ_INT(arc_letter_split(a, ca, 4, "alice", NULL, cn, &err), MR_EINVAL);
    T_CHECK(strstr(err.msg, "page 4 is not in letter") != NULL);
    err = (struct mr_err)MR_ERR_INIT;
    T_EQ_INT(arc_letter_split(a, cc, 8, "alice", NULL, cn, &err), MR_EINVAL);
    T_CHECK(strstr(err.msg, "blank pages only") != NULL);
    T_EQ_STR(cn, "");
    err = (struct mr_err)MR_ERR_INIT;
    /* Split A at 2: A keeps page 1 and its code, 2-3 is a new letter. */
    T_EQ_INT(arc_letter_split(a, ca, 2, "alice", "two writers", cn, &err), 0);
    T_EQ_INT((int)strlen(cn), 9);
    T_CHECK(strcmp(cn, ca) != 0);
    T_EQ_INT(arc_letter_set_language(a, cn, "en", &err), 0);
    T_EQ_INT(arc_letter_set_language(a, ca, "zh", &err), 0); /* unchanged */
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_letter_get(a, ca, &l, &err), 0);
    T_EQ_INT(l.first_page, 1);
    T_EQ_INT(l.page_count, 1);
    T_EQ_INT((int)l.npages, 1);
    arc_letter_release(&l);
    T_EQ_INT(arc_letter_get(a, cn, &l, &err), 0);
    T_EQ_INT(l.first_page, 2);
    T_EQ_INT(l.page_count, 2);
    T_EQ_INT((int)l.npages, 2);
    T_EQ_INT(l.blank_pages, 1);
    T_EQ_STR(l.language, "en");
    arc_letter_release(&l);
    n = 0;
    T_EQ_INT(arc_audit_each(a, ca, count_audit, &n, &err), 0);
    T_EQ_INT(n, 1);
    n = 0;
    T_EQ_INT(arc_audit_each(a, cn, count_audit, &n, &err), 0);
    T_EQ_INT(n, 2); /* made by the split; its language recomputed */
    snprintf(sql, sizeof(sql),
             "SELECT old || '>' || new || ' ' || other || ' ' || reason"
             " FROM audit WHERE letter = '%s'",
             ca);
    snprintf(kept, sizeof(kept), "%s", cn);
    T_CHECK(strstr(db_text(dir, sql), "1-3>1-1 ") != NULL);
    T_CHECK(strstr(db_text(dir, sql), " two writers") != NULL);

    /* Merge B into the new letter across the separator: B's code retires. */
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    T_EQ_INT(arc_letter_merge(a, ca, cc, "bob", NULL, kept, &err), MR_EINVAL);
    T_CHECK(strstr(err.msg, "another letter lies between") != NULL);
    err = (struct mr_err)MR_ERR_INIT;
    T_EQ_INT(arc_letter_merge(a, cb, cb, "bob", NULL, kept, &err), MR_EINVAL);
    err = (struct mr_err)MR_ERR_INIT;
    T_EQ_INT(arc_letter_merge(a, cb, cn, "bob", NULL, kept, &err), 0);
    T_EQ_STR(kept, cn);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_letter_get(a, cn, &l, &err), 0);
    T_EQ_INT(l.first_page, 2);
    T_EQ_INT(l.page_count, 5);
    T_EQ_INT((int)l.npages, 5); /* the separator page 4 included */
    T_EQ_INT(l.questions, 0);
    arc_letter_release(&l);
    T_EQ_INT(arc_letter_get(a, cb, &l, &err), MR_ENOTFOUND);
    T_CHECK(strstr(err.msg, "was merged into letter") != NULL);
    T_CHECK(strstr(err.msg, cn) != NULL);
    err = (struct mr_err)MR_ERR_INIT;
    T_EQ_STR(db_text(dir, "SELECT answer || ' ' || resolved_by FROM review"),
             "no boundary bob");

    /* A split at a letter's first page confirms the boundary there. */
    T_EQ_INT(arc_stack_resume(a, stack, NULL, &err), 0);
    T_EQ_INT(arc_letter_split(a, cc, 7, "carol", NULL, cn, &err), 0);
    T_EQ_STR(cn, "");
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM audit WHERE action ="
                         " 'confirm' AND who = 'carol'"),
             1);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM letter"), 3);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM page WHERE letter_id IS NULL"),
             0);

    /* The audit table refuses changes and deletions. */
    T_CHECK(db_exec(dir, "UPDATE audit SET who = 'mallory'") != SQLITE_OK);
    T_CHECK(db_exec(dir, "DELETE FROM audit") != SQLITE_OK);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM audit"), 6);
    arc_close(&a);
    check_integrity(dir);
    tmp_end();
}

/* Decisions stored and audited; writers recognised across letters. */
static void
test_decisions(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_decision d;
    struct arc_letter l;
    char dir[1100], code[ARC_CODE_SIZE];
    int64_t w1 = 0, w2 = 0, w3 = 0, w;
    struct arc *a;

    tmp_begin();
    tpath(dir, sizeof(dir), "decide");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "s.tif", &err), 0);
    T_CHECK(add_text_page(a, 1, "letter", 90, "zh", 0) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 1, "zh", code, &err), 0);

    /* The registry: by phone, by name and a similar address, by ID. */
    T_EQ_INT(arc_writer_match(a, "张三", "13800000001", NULL,
                              "江北区幸福里小区5栋2单元301室", &w1, &err),
             0);
    T_CHECK(w1 > 0);
    T_EQ_INT(arc_writer_match(a, NULL, "13800000001", NULL, NULL, &w, &err), 0);
    T_EQ_INT(w, w1);
    T_EQ_INT(arc_writer_match(a, "张三", NULL, NULL,
                              "江北区 幸福里小区 5栋2单元301", &w, &err),
             0);
    T_EQ_INT(w, w1);
    T_EQ_INT(
        arc_writer_match(a, "张三", NULL, NULL, "渝中区春华苑小区", &w2, &err),
        0);
    T_CHECK(w2 > 0 && w2 != w1);
    T_EQ_INT(
        arc_writer_match(a, NULL, NULL, "11010519491231002X", NULL, &w3, &err),
        0);
    T_EQ_INT(arc_writer_match(a, "李四", "13900000002", "11010519491231002X",
                              NULL, &w, &err),
             0);
    T_EQ_INT(w, w3);
    T_EQ_INT(arc_writer_match(a, NULL, NULL, NULL, NULL, &w, &err), 0);
    T_EQ_INT(w, 0);
    /* One common name, two people: their phones tell them apart. */
    T_EQ_INT(arc_writer_match(a, "王芳", "13500000001", NULL, NULL, &w1, &err),
             0);
    T_EQ_INT(arc_writer_match(a, "王芳", "13600000002", NULL, NULL, &w, &err),
             0);
    T_CHECK(w != w1);
    T_EQ_INT(arc_writer_match(a, "王芳", NULL, NULL, NULL, &w, &err), 0);
    T_EQ_INT(w, w1);

    memset(&d, 0, sizeof(d));
    d.valid = 1;
    d.addressee = "mayor";
    d.mailbox = "mayor";
    d.department = "housing";
    d.confidence = 0.6;
    d.review = ARC_REVIEW_PENDING;
    d.risk = "self_harm";
    d.risk_words = "跳楼";
    d.reasons = "{\"x\":1}";
    d.writer_id = w3;
    d.writer_name = "李四";
    d.writer_id_number = "11010519491231002X";
    d.writer_id_state = "valid";
    T_EQ_INT(arc_letter_decide(a, code, &d, &err), 0);
    /* The same decisions again change nothing and audit nothing. */
    T_EQ_INT(arc_letter_decide(a, code, &d, &err), 0);
    d.mailbox = "secretary";
    T_EQ_INT(arc_letter_decide(a, code, &d, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_letter_decide(a, code, &d, &err), MR_EINVAL);
    T_EQ_INT(arc_letter_get(a, code, &l, &err), 0);
    T_EQ_INT(l.d.decided, 1);
    T_EQ_INT(l.d.valid, 1);
    T_EQ_STR(l.d.mailbox, "secretary");
    T_EQ_STR(l.d.department, "housing");
    T_EQ_INT(l.d.review, ARC_REVIEW_PENDING);
    T_EQ_STR(l.d.risk_words, "跳楼");
    T_EQ_STR(l.d.writer_name, "李四");
    T_EQ_INT(l.d.writer_id, w3);
    T_CHECK(l.d.validity_reason == NULL);
    arc_letter_release(&l);
    T_EQ_STR(db_text(dir, "SELECT group_concat(field || '=' || new, ' ')"
                          " FROM audit WHERE action = 'decide'"),
             "valid=valid mailbox=mayor department=housing risk=self_harm "
             "mailbox=secretary");
    T_EQ_STR(db_text(dir, "SELECT name || ' ' || phone FROM writer"
                          " WHERE id_number = '11010519491231002X'"),
             "李四 13900000002");
    arc_close(&a);
    check_integrity(dir);
    tmp_end();
}

/* A reviewer's confirmation, and the model trained after confirmations. */
static void
test_confirm_and_model(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc_confirmation c = {1, NULL, "housing", "housing", 1, "matter"};
    struct arc_decision d;
    struct arc_confirmed *v = NULL;
    struct arc_model_info info;
    struct arc_letter l;
    unsigned char *data = NULL;
    char dir[1100], c1[ARC_CODE_SIZE], c2[ARC_CODE_SIZE];
    size_t n = 0, size = 0;
    struct arc *a;

    tmp_begin();
    tpath(dir, sizeof(dir), "confirm");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "s.tif", &err), 0);
    T_CHECK(add_text_page(a, 1, "楼道灯坏了", 90, "zh", 0) > 0);
    T_CHECK(add_text_page(a, 2, "第二页", 90, "zh", 0) > 0);
    T_CHECK(add_text_page(a, 3, "广告", 90, "zh", 0) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 2, "zh", c1, &err), 0);
    T_EQ_INT(arc_letter_add(a, 3, 1, "zh", c2, &err), 0);
    memset(&d, 0, sizeof(d));
    d.valid = 1;
    d.mailbox = "environment";
    d.department = "environment";
    d.review = ARC_REVIEW_PENDING;
    T_EQ_INT(arc_letter_decide(a, c1, &d, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    /* No model yet; no confirmation yet. */
    T_EQ_INT(arc_model_get(a, &info, &data, &size, &err), 0);
    T_EQ_STR(info.trained, "");
    T_CHECK(data == NULL);
    T_EQ_INT(info.since, 0);
    /* Only in the letter's open stack. */
    T_EQ_INT(arc_letter_confirm(a, c1, &c, "alice", NULL, &err), MR_EINVAL);
    mr_err_clear(&err);
    T_EQ_INT(arc_stack_resume(a, 1, NULL, &err), 0);
    T_EQ_INT(arc_letter_confirm(a, c1, &c, "alice", "wrong bureau", &err), 0);
    c = (struct arc_confirmation){0, "advertising", "invalid", NULL, -1, NULL};
    T_EQ_INT(arc_letter_confirm(a, c2, &c, "bob", NULL, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(arc_letter_get(a, c1, &l, &err), 0);
    T_EQ_INT(l.d.review, ARC_REVIEW_CONFIRMED);
    T_EQ_STR(l.d.mailbox, "housing");
    T_EQ_INT(l.t.simple, 1);
    arc_letter_release(&l);
    T_EQ_STR(db_text(dir, "SELECT group_concat(who || ':' || field || '=' ||"
                          " ifnull(old, '-') || '>' || new ||"
                          " ifnull('/' || why, ''), ' ')"
                          " FROM audit WHERE action = 'confirm'"),
             "alice:mailbox=environment>housing/matter "
             "alice:department=environment>housing/matter "
             "alice:review=pending>confirmed alice:simple=no>yes "
             "bob:valid=->invalid "
             "bob:validity_reason=->advertising bob:mailbox=->invalid "
             "bob:review=->confirmed");
    T_EQ_STR(db_text(dir, "SELECT reason FROM audit WHERE who = 'alice'"
                          " LIMIT 1"),
             "wrong bureau");
    /* The valid confirmed letter with a department, its pages joined. */
    T_EQ_INT(arc_confirmed_letters(a, &v, &n, &err), 0);
    T_EQ_INT((int)n, 1);
    T_EQ_STR(v[0].department, "housing");
    T_EQ_STR(v[0].text, "楼道灯坏了\f\n第二页");
    arc_confirmed_free(&v, n);
    T_EQ_INT(arc_model_get(a, &info, NULL, NULL, &err), 0);
    T_EQ_INT(info.since, 2);
    /* A model replaces the one before; confirmations count from it. */
    snprintf(info.who, sizeof(info.who), "carol");
    info.letters = 1;
    info.departments = 1;
    T_EQ_INT(arc_model_save(a, &info, "MRNB", 4, &err), 0);
    T_EQ_INT(arc_model_save(a, &info, "MRNB+", 5, &err), 0);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM model"), 1);
    T_EQ_INT(arc_model_get(a, &info, &data, &size, &err), 0);
    T_EQ_INT((int)size, 5);
    T_CHECK(data && !memcmp(data, "MRNB+", 5));
    T_EQ_STR(info.who, "carol");
    T_EQ_INT(info.since, 0);
    T_CHECK(info.trained[0] != '\0');
    free(data);
    T_EQ_INT(arc_stack_resume(a, 1, NULL, &err), 0);
    T_EQ_INT(arc_model_save(a, &info, "x", 1, &err), MR_EINVAL);
    arc_stack_abort(a);
    arc_close(&a);
    check_integrity(dir);
    tmp_end();
}

static int
collect_similar(const struct arc_similar *s, void *ctx)
{
    char *buf = ctx;
    size_t used = strlen(buf);

    snprintf(buf + used, 256 - used, "%s%lld:%zu", used ? " " : "",
             (long long)s->id, s->nsignature);
    if (s->signature && s->nsignature == 3)
        T_EQ_INT(s->signature[2], 0xdeadbeef);
    return 0;
}

/* The repeat index: signatures, LSH keys, links; forgotten on merge. */
static void
test_similar(void)
{
    struct mr_err err = MR_ERR_INIT;
    char dir[1100], c1[ARC_CODE_SIZE], c2[ARC_CODE_SIZE], c3[ARC_CODE_SIZE];
    char found[256] = "", kept[ARC_CODE_SIZE];
    const uint32_t sig[3] = {1, 0x7fffffff, 0xdeadbeef};
    const int64_t keys[2] = {(int64_t)1 << 56 | 42, 7};
    struct arc_link link = {1, "repeat", 0.25};
    struct arc_letter l;
    int64_t w = 0;
    struct arc *a;

    tmp_begin();
    tpath(dir, sizeof(dir), "similar");
    a = arc_open(dir, &err);
    T_CHECK(a != NULL);
    T_EQ_INT(arc_stack_begin(a, "s.tif", &err), 0);
    for (int seq = 1; seq <= 3; seq++)
        T_CHECK(add_text_page(a, seq, "text", 90, "zh", 0) > 0);
    T_EQ_INT(arc_letter_add(a, 1, 1, "zh", c1, &err), 0);
    T_EQ_INT(arc_letter_add(a, 2, 1, "zh", c2, &err), 0);
    T_EQ_INT(arc_letter_add(a, 3, 1, "zh", c3, &err), 0);
    T_EQ_INT(arc_writer_match(a, "李四", NULL, NULL, NULL, &w, &err), 0);
    /* Letter 1 of writer w, indexed under both keys. */
    T_EQ_INT(arc_letter_similar_set(a, 1, sig, 3, keys, 2, 0, NULL, 0, &err),
             0);
    T_EQ_INT(arc_letter_similar_set(a, 2, NULL, 0, NULL, 0, 1, &link, 1, &err),
             0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(db_exec(dir, "UPDATE letter SET writer_id = 1 WHERE id IN (1, 2)"),
             SQLITE_OK);
    /* Letter 3 finds 1 and 2 through the writer, 1 through each key. */
    T_EQ_INT(
        arc_similar_candidates(a, 3, w, keys, 2, collect_similar, found, &err),
        0);
    T_EQ_STR(found, "1:3 2:0 1:3 1:3");
    found[0] = '\0';
    /* Without a writer, only the keys; never the letter itself. */
    T_EQ_INT(
        arc_similar_candidates(a, 1, 0, keys, 2, collect_similar, found, &err),
        0);
    T_EQ_STR(found, "");
    T_EQ_INT(arc_letter_get(a, c2, &l, &err), 0);
    T_EQ_INT(l.d.repeat, 1);
    T_EQ_STR(l.d.repeat_of, c1);
    arc_letter_release(&l);
    T_EQ_INT(arc_letter_get(a, c3, &l, &err), 0);
    T_EQ_INT(l.d.repeat, -1);
    arc_letter_release(&l);
    /* A merged-away letter leaves the index and its links. */
    T_EQ_INT(arc_stack_resume(a, 1, NULL, &err), 0);
    T_EQ_INT(arc_letter_merge(a, c1, c2, "r", NULL, kept, &err), 0);
    T_EQ_INT(arc_stack_commit(a, &err), 0);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM letter_link"), 0);
    T_EQ_INT(db_int(dir, "SELECT count(*) FROM lsh"), 2);
    arc_close(&a);
    check_integrity(dir);
    tmp_end();
}

int
main(int argc, char **argv)
{
    static const struct t_case cases[] = {
        {"open_creates_schema", test_open_creates_schema},
        {"reopen_keeps_data", test_reopen_keeps_data},
        {"open_refuses", test_open_refuses},
        {"pages_lossless", test_pages_lossless},
        {"abort_removes", test_abort_removes},
        {"page_add_failure", test_page_add_failure},
        {"code_check", test_code_check},
        {"code_normalize", test_code_normalize},
        {"letters", test_letters},
        {"search", test_search},
        {"export", test_export},
        {"as_delivered", test_as_delivered},
        {"totals", test_totals},
        {"stack_begin_file", test_stack_begin_file},
        {"migrate_v1", test_migrate_v1},
        {"scan_flow", test_scan_flow},
        {"scan_claims", test_scan_claims},
        {"read_takes", test_read_takes},
        {"deferred_pages", test_deferred_pages},
        {"clock", test_clock},
        {"corrections", test_corrections},
        {"decisions", test_decisions},
        {"confirm_and_model", test_confirm_and_model},
        {"similar", test_similar},
        {NULL, NULL},
    };

    setMsgSeverity(L_SEVERITY_ERROR);
    return t_run(cases, argc, argv);
}
