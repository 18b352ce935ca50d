/*
 * Unit tests of scanner/: reading the pages of image files, handing out a
 * PNG or JPEG file's bytes as delivered, refusing bad files with a message
 * naming them, and expanding folders.
 */
#include "scanner/scanner.h"

#include "tests/t.h"

#include <leptonica/allheaders.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

static char tmpdir[64];

static const char *
realdata(void)
{
    const char *r = getenv("REALDATA");

    return r && *r ? r : "../shared/realdata";
}

static void
make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/t_scanner.XXXXXX");
    if (!mkdtemp(tmpdir))
        abort();
}

static void
remove_tmpdir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd))
        fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static void
write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");

    if (!fp || fwrite(data, 1, n, fp) != n)
        abort();
    fclose(fp);
}

/* Read every page of path; returns the count or the negative error. */
static int
read_all(const char *path, struct mr_err *err, int *pdepth)
{
    struct scan_file *f = scan_file_open(path, err);
    PIX *pix;
    int n = 0, rc;

    if (!f)
        return err->code;
    while ((rc = scan_file_next(f, &pix, err)) > 0) {
        if (pdepth)
            *pdepth = pixGetDepth(pix);
        pixDestroy(&pix);
        n++;
    }
    scan_file_close(&f);
    return rc < 0 ? rc : n;
}

static void
test_multipage_tiff(void)
{
    char path[128];
    struct scan_file *f;
    struct mr_err err = MR_ERR_INIT;
    PIX *pix;

    make_tmpdir();
    snprintf(path, sizeof(path), "%s/stack.tif", tmpdir);
    for (int i = 0; i < 3; i++) {
        PIX *p = pixCreate(100 + 10 * i, 200, 1);

        pixSetResolution(p, 300, 300);
        pixWriteTiff(path, p, IFF_TIFF_G4, i ? "a" : "w");
        pixDestroy(&p);
    }
    f = scan_file_open(path, &err);
    T_CHECK(f != NULL);
    T_EQ_INT(scan_file_page_count(f), 3);
    for (int i = 0; i < 3; i++) {
        T_EQ_INT(scan_file_next(f, &pix, &err), 1);
        T_EQ_INT(pixGetWidth(pix), 100 + 10 * i);
        T_EQ_INT(pixGetXRes(pix), 300);
        pixDestroy(&pix);
    }
    T_EQ_INT(scan_file_next(f, &pix, &err), 0);
    T_CHECK(pix == NULL);
    scan_file_close(&f);
    T_CHECK(f == NULL);
    remove_tmpdir();
}

static void
test_bad_files(void)
{
    static const unsigned char png_head[] = {0x89, 'P',  'N', 'G', '\r', '\n',
                                             0x1a, '\n', 0,   0,   0,    13,
                                             'I',  'H',  'D', 'R'};
    char path[128];
    struct mr_err err = MR_ERR_INIT;

    make_tmpdir();
    snprintf(path, sizeof(path), "%s/empty.png", tmpdir);
    write_file(path, "", 0);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "empty"));

    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/letter.png", tmpdir);
    write_file(path, "Dear Mayor,\nthis is text, not an image.\n", 40);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "not an image"));

    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/cut.png", tmpdir);
    write_file(path, png_head, sizeof(png_head));
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) != NULL);

    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/missing.tif", tmpdir);
    T_EQ_INT(read_all(path, &err, NULL), MR_ENOTFOUND);
    T_CHECK(strstr(err.msg, path) != NULL);

    mr_err_clear(&err);
    T_EQ_INT(read_all(tmpdir, &err, NULL), MR_EFORMAT);
    remove_tmpdir();
}

/* Layouts from libtiff's test images that carry a page, and their depth. */
static void
test_tiff_layouts(void)
{
    static const struct {
        const char *name;
        int depth;
    } good[] = {
        {"miniswhite-1c-1b.tiff", 1},
        {"minisblack-1c-8b.tiff", 8},
        {"minisblack-1c-16b.tiff", 16},
        {"palette-1c-4b.tiff", 4},
        {"palette-1c-8b.tiff", 8},
        {"rgb-3c-8b.tiff", 32},
        {"rgb-3c-16b.tiff", 32},
        {"lzw-single-strip.tiff", 1},
        {"testfax4.tiff", 1},
        {"quad-tile.jpg.tiff", 32},
        {"ojpeg_zackthecat_subsamp22_single_strip.tiff", 32},
    };
    static const char *const refused[] = {
        "logluv-3c-16b.tiff",
        "test_float64_predictor2_le_lzw.tif",
    };
    char path[512];

    snprintf(path, sizeof(path), "%s/formats/libtiff", realdata());
    if (access(path, R_OK)) {
        fprintf(stderr, "skip tiff_layouts: no %s\n", path);
        return;
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
        struct mr_err err = MR_ERR_INIT;
        int depth = 0;

        snprintf(path, sizeof(path), "%s/formats/libtiff/%s", realdata(),
                 good[i].name);
        T_EQ_INT(read_all(path, &err, &depth), 1);
        T_EQ_INT(depth, good[i].depth);
        if (err.code)
            fprintf(stderr, "%s\n", err.msg);
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
        struct mr_err err = MR_ERR_INIT;

        snprintf(path, sizeof(path), "%s/formats/libtiff/%s", realdata(),
                 refused[i]);
        T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
        T_CHECK(strstr(err.msg, refused[i]) != NULL);
    }
}

/* IFD chains that loop must end, not hang. */
static void
test_tiff_loops(void)
{
    static const char *const loops[] = {
        "libtiff/test_ifd_loop_to_self.tif",
        "libtiff/test_ifd_loop_to_first.tif",
        "libtiff/test_ifd_loop_subifd.tif",
        "pillow/multipage_multiple_frame_loop.tiff",
        "pillow/multipage_single_frame_loop.tiff",
    };
    char path[512];

    for (size_t i = 0; i < sizeof(loops) / sizeof(*loops); i++) {
        struct mr_err err = MR_ERR_INIT;
        int n;

        snprintf(path, sizeof(path), "%s/hostile/%s", realdata(), loops[i]);
        if (access(path, R_OK)) {
            fprintf(stderr, "skip %s\n", path);
            continue;
        }
        n = read_all(path, &err, NULL);
        T_CHECK(n >= 0 || strstr(err.msg, path) != NULL);
        T_CHECK(n <= 10);
    }
}

/* 16-bit grey PNG pages keep their 16 bits: pages are archived as read. */
static void
test_png16(void)
{
    char path[128];
    struct mr_err err = MR_ERR_INIT;
    PIX *p = pixCreate(64, 64, 16);
    int depth = 0;

    make_tmpdir();
    snprintf(path, sizeof(path), "%s/deep.png", tmpdir);
    pixSetAllArbitrary(p, 40000);
    T_EQ_INT(pixWrite(path, p, IFF_PNG), 0);
    T_EQ_INT(read_all(path, &err, &depth), 1);
    T_EQ_INT(depth, 16);
    pixDestroy(&p);
    remove_tmpdir();
}

/* Does f hand out path's bytes as delivered, in format? */
static int
original_is(const struct scan_file *f, const char *path, const char *format)
{
    const unsigned char *data = (const unsigned char *)"x";
    const char *got = "x";
    size_t size = 1, n = 0;
    l_uint8 *file = l_binaryRead(path, &n);
    int same;

    same = scan_file_original(f, &data, &size, &got) == 1 && file &&
           size == n && memcmp(data, file, n) == 0 && !strcmp(got, format);
    lept_free(file);
    return same;
}

/* Does f say the page out is not a file to keep as delivered? */
static int
no_original(const struct scan_file *f)
{
    const unsigned char *data = (const unsigned char *)"x";
    const char *format = "x";
    size_t size = 1;

    return scan_file_original(f, &data, &size, &format) == 0 && !data &&
           size == 0 && !format;
}

/* Open path, read its first page; NULL (and a failed check) if it fails. */
static struct scan_file *
open_first(const char *path, PIX **ppix)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_file *f = scan_file_open(path, &err);

    *ppix = NULL;
    T_CHECK(f != NULL);
    if (!f)
        return NULL;
    T_CHECK(no_original(f));
    T_EQ_INT(scan_file_next(f, ppix, &err), 1);
    if (err.code)
        fprintf(stderr, "%s\n", err.msg);
    return f;
}

/*
 * A PNG or JPEG file's one page is decoded from the file's bytes, which
 * scan_file_original hands out as they are until the next call; TIFF,
 * PNM and the others are not kept as delivered.
 */
static void
test_original(void)
{
    char path[128];
    struct mr_err err = MR_ERR_INIT;
    struct scan_file *f;
    PIX *p8 = pixCreate(64, 48, 8), *p16 = pixCreate(64, 48, 16), *pix;
    l_int32 same = 0;

    make_tmpdir();
    pixSetAllArbitrary(p16, 40000);
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++)
            pixSetPixel(p8, x, y, (l_uint32)(x * 4 + y) & 0xff);
    pixSetResolution(p8, 200, 200);

    /* PNG, written unlike the archive would (zlib level 1). */
    snprintf(path, sizeof(path), "%s/page.png", tmpdir);
    pixSetZlibCompression(p8, 1);
    T_EQ_INT(pixWrite(path, p8, IFF_PNG), 0);
    f = open_first(path, &pix);
    T_CHECK(original_is(f, path, "png"));
    T_CHECK(pix && pixEqual(pix, p8, &same) == 0 && same);
    T_EQ_INT(pix ? pixGetXRes(pix) : 0, 200);
    pixDestroy(&pix);
    T_EQ_INT(scan_file_next(f, &pix, &err), 0);
    T_CHECK(no_original(f));
    scan_file_close(&f);

    /* 16-bit PNG: kept, and decoded with its 16 bits. */
    snprintf(path, sizeof(path), "%s/deep.png", tmpdir);
    T_EQ_INT(pixWrite(path, p16, IFF_PNG), 0);
    f = open_first(path, &pix);
    T_CHECK(original_is(f, path, "png"));
    T_EQ_INT(pix ? pixGetDepth(pix) : 0, 16);
    pixDestroy(&pix);
    scan_file_close(&f);

    /* JPEG, whatever its name. */
    snprintf(path, sizeof(path), "%s/page.tif", tmpdir);
    T_EQ_INT(pixWrite(path, p8, IFF_JFIF_JPEG), 0);
    f = open_first(path, &pix);
    T_CHECK(original_is(f, path, "jpeg"));
    T_EQ_INT(pix ? pixGetWidth(pix) : 0, 64);
    pixDestroy(&pix);
    T_EQ_INT(scan_file_next(f, &pix, &err), 0);
    T_CHECK(no_original(f));
    scan_file_close(&f);

    /* Encoded by the archive: a multi-page TIFF, page by page, and PNM. */
    snprintf(path, sizeof(path), "%s/stack.tiff", tmpdir);
    T_EQ_INT(pixWriteTiff(path, p8, IFF_TIFF_ZIP, "w"), 0);
    T_EQ_INT(pixWriteTiff(path, p8, IFF_TIFF_ZIP, "a"), 0);
    f = open_first(path, &pix);
    T_CHECK(no_original(f));
    pixDestroy(&pix);
    T_EQ_INT(scan_file_next(f, &pix, &err), 1);
    T_CHECK(no_original(f));
    pixDestroy(&pix);
    scan_file_close(&f);
    snprintf(path, sizeof(path), "%s/page.pnm", tmpdir);
    T_EQ_INT(pixWrite(path, p8, IFF_PNM), 0);
    f = open_first(path, &pix);
    T_CHECK(no_original(f));
    T_CHECK(pix && pixEqual(pix, p8, &same) == 0 && same);
    pixDestroy(&pix);
    scan_file_close(&f);

    /* A damaged PNG gives no page and nothing to keep. */
    snprintf(path, sizeof(path), "%s/page.png", tmpdir);
    T_EQ_INT(truncate(path, 60), 0);
    f = scan_file_open(path, &err);
    T_CHECK(f != NULL);
    T_EQ_INT(scan_file_next(f, &pix, &err), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) != NULL);
    T_CHECK(no_original(f));
    scan_file_close(&f);
    T_CHECK(no_original(NULL));

    pixDestroy(&p16);
    pixDestroy(&p8);
    remove_tmpdir();
}

/*
 * Write a two-page bilevel TIFF whose second page is w x h white pixels,
 * row by row, so the test itself never holds the page in memory.
 */
static void
write_tiff_with_big_page(const char *path, uint32_t w, uint32_t h)
{
    TIFF *tif = TIFFOpen(path, "w");
    unsigned char *row = calloc(1, w / 8 + 1);

    if (!tif || !row)
        abort();
    for (int page = 0; page < 2; page++) {
        uint32_t pw = page ? w : 100, ph = page ? h : 100;

        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, pw);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, ph);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, ph);
        for (uint32_t y = 0; y < ph; y++)
            if (TIFFWriteScanline(tif, row, y, 0) < 0)
                abort();
        TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
    free(row);
}

/* A page too large to decode is refused before decoding, on any page. */
static void
test_huge_second_page(void)
{
    char path[128];
    struct mr_err err = MR_ERR_INIT;

    make_tmpdir();
    snprintf(path, sizeof(path), "%s/huge.tif", tmpdir);
    write_tiff_with_big_page(path, 16000, 16000);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, "page 2") && strstr(err.msg, "too large"));
    remove_tmpdir();
}

static void
test_expand(void)
{
    char path[160], **files = NULL;
    size_t n = 0;
    struct mr_err err = MR_ERR_INIT;

    make_tmpdir();
    snprintf(path, sizeof(path), "%s/b", tmpdir);
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "%s/b/2.png", tmpdir);
    write_file(path, "x", 1);
    snprintf(path, sizeof(path), "%s/b/1.png", tmpdir);
    write_file(path, "x", 1);
    snprintf(path, sizeof(path), "%s/a.tif", tmpdir);
    write_file(path, "x", 1);
    snprintf(path, sizeof(path), "%s/.hidden", tmpdir);
    write_file(path, "x", 1);
    /* A link back up must not make the walk go round for ever. */
    snprintf(path, sizeof(path), "%s/b/up", tmpdir);
    T_EQ_INT(symlink("..", path), 0);

    T_EQ_INT(scan_path_expand(tmpdir, &files, &n, &err), 0);
    T_EQ_INT(n, 3);
    if (n == 3) {
        T_CHECK(strstr(files[0], "/a.tif") != NULL);
        T_CHECK(strstr(files[1], "/b/1.png") != NULL);
        T_CHECK(strstr(files[2], "/b/2.png") != NULL);
    }
    snprintf(path, sizeof(path), "%s/nope", tmpdir);
    T_EQ_INT(scan_path_expand(path, &files, &n, &err), MR_ENOTFOUND);
    T_EQ_INT(n, 3);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    remove_tmpdir();
}

int
main(int argc, char **argv)
{
    static const struct t_case cases[] = {
        {"multipage_tiff", test_multipage_tiff},
        {"bad_files", test_bad_files},
        {"tiff_layouts", test_tiff_layouts},
        {"tiff_loops", test_tiff_loops},
        {"png16", test_png16},
        {"original", test_original},
        {"huge_second_page", test_huge_second_page},
        {"expand", test_expand},
        {NULL, NULL},
    };

    mr_library_messages_init();
    return t_run(cases, argc, argv);
}
