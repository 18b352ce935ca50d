/*
 * Unit tests of scanner/: reading the pages of image files, handing out a
 * PNG or JPEG file's bytes as delivered, refusing bad files with a message
 * naming them (tiny, cut short, damaged, over the pixel limit), TIFF
 * layouts (tiled, planar, 16-bit), and expanding folders.
 */
#include "scanner/scanner.h"

#include "tests/t.h"

#include <errno.h>
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
    T_CHECK(strstr(err.msg, "page 2") && strstr(err.msg, "16000x16000") &&
            strstr(err.msg, "limit of 100000000"));
    remove_tmpdir();
}

/* Read the first page of path with a pixel limit; the code as read_all. */
static int
read_limited(const char *path, long limit, struct mr_err *err)
{
    struct scan_file *f = scan_file_open(path, err);
    PIX *pix = NULL;
    int rc;

    if (!f)
        return err->code;
    scan_file_set_limit(f, limit);
    rc = scan_file_next(f, &pix, err);
    pixDestroy(&pix);
    scan_file_close(&f);
    return rc;
}

/*
 * The pixel limit can be set per file: a page of exactly the limit is
 * read, one pixel more is refused, naming the limit, and that is judged
 * from the header: a PNG that is a header claiming a huge page and no
 * image data is refused for its size, not for its missing data.
 */
static void
test_pixel_limit(void)
{
    static const unsigned char huge[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D',
        'R', 0, 0, 0x27, 0x11, 0, 0, 0x27, 0x10, 8, 0, 0, 0, 0,
        /* CRC of IHDR, not checked by the header reader */
        0, 0, 0, 0,
        /* the start of an IDAT that never comes */
        0, 0, 0x10, 0, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0, 0};
    char path[128];
    struct mr_err err = MR_ERR_INIT;
    PIX *p = pixCreate(64, 64, 8);

    make_tmpdir();
    snprintf(path, sizeof(path), "%s/page.png", tmpdir);
    pixSetAll(p);
    T_EQ_INT(pixWrite(path, p, IFF_PNG), 0);
    T_EQ_INT(read_limited(path, 64 * 64, &err), 1);
    T_EQ_INT(err.code, 0);
    T_EQ_INT(read_limited(path, 64 * 64 - 1, &err), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "64x64") &&
            strstr(err.msg, "limit of 4095"));
    mr_err_clear(&err);
    T_EQ_INT(read_limited(path, 0, &err), 1);

    /* A TIFF page over the limit is refused the same way. */
    snprintf(path, sizeof(path), "%s/page.tif", tmpdir);
    T_EQ_INT(pixWriteTiff(path, p, IFF_TIFF_ZIP, "w"), 0);
    T_EQ_INT(read_limited(path, 1000, &err), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "limit of 1000"));

    /* 10001 x 10000 pixels claimed, with the default limit. */
    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/huge.png", tmpdir);
    write_file(path, huge, sizeof(huge));
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "10001x10000") &&
            strstr(err.msg, "limit of 100000000"));
    pixDestroy(&p);
    remove_tmpdir();
}

/* A sample of the test pattern: distinct per pixel and per channel. */
static unsigned
pattern(uint32_t x, uint32_t y, int s)
{
    return (x * 7 + y * 3 + (unsigned)s * 50) % 256;
}

/*
 * Write a w x h uncompressed TIFF of the pattern: spp 1 (grey) or 3
 * (RGB), 8 or 16 bits a sample, PLANARCONFIG_CONTIG or _SEPARATE, in
 * tiles of tile x tile pixels or in one strip.
 */
static void
write_tiff(const char *path, uint32_t w, uint32_t h, int bps, int spp,
           int planar, uint32_t tile)
{
    TIFF *tif = TIFFOpen(path, "w");
    uint32_t bw = tile ? tile : w, bh = tile ? tile : h;
    int nplanes = planar == PLANARCONFIG_SEPARATE ? spp : 1;
    int per = planar == PLANARCONFIG_SEPARATE ? 1 : spp;
    unsigned char *buf = calloc((size_t)bw * bh * per, (size_t)bps / 8);

    if (!tif || !buf)
        abort();
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bps);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, planar);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
                 spp == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, 300.0);
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, 300.0);
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    if (tile) {
        TIFFSetField(tif, TIFFTAG_TILEWIDTH, tile);
        TIFFSetField(tif, TIFFTAG_TILELENGTH, tile);
    } else {
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, h);
    }
    for (int plane = 0; plane < nplanes; plane++) {
        for (uint32_t ty = 0; ty < h; ty += bh) {
            for (uint32_t tx = 0; tx < w; tx += bw) {
                size_t k = 0;

                for (uint32_t y = ty; y < ty + bh; y++) {
                    for (uint32_t x = tx; x < tx + bw; x++) {
                        for (int c = 0; c < per; c++, k++) {
                            unsigned v =
                                x < w && y < h
                                    ? pattern(x, y,
                                              per == 1 && spp == 3 ? plane : c)
                                    : 0;

                            if (bps == 16)
                                ((uint16_t *)buf)[k] = (uint16_t)(v * 257);
                            else
                                buf[k] = (unsigned char)v;
                        }
                    }
                }
                if (tile ? TIFFWriteTile(tif, buf, tx, ty, 0, (uint16_t)plane) <
                               0
                         : TIFFWriteEncodedStrip(
                               tif, (uint32_t)plane, buf,
                               (tmsize_t)((size_t)bw * bh * per * bps / 8)) < 0)
                    abort();
            }
        }
    }
    TIFFClose(tif);
    free(buf);
}

/* Whether pix shows the pattern (grey: channel 0 only). */
static int
shows_pattern(PIX *pix, int spp)
{
    l_int32 w, h, d;

    pixGetDimensions(pix, &w, &h, &d);
    for (l_int32 y = 0; y < h; y++) {
        for (l_int32 x = 0; x < w; x++) {
            l_uint32 v = 0;
            l_int32 r, g, b;

            pixGetPixel(pix, x, y, &v);
            if (d == 16)
                v >>= 8;
            if (spp == 1 && v != pattern((uint32_t)x, (uint32_t)y, 0))
                return 0;
            if (spp == 1)
                continue;
            extractRGBValues(v, &r, &g, &b);
            if ((unsigned)r != pattern((uint32_t)x, (uint32_t)y, 0) ||
                (unsigned)g != pattern((uint32_t)x, (uint32_t)y, 1) ||
                (unsigned)b != pattern((uint32_t)x, (uint32_t)y, 2))
                return 0;
        }
    }
    return 1;
}

/*
 * TIFF layouts a scanner or its software may write: tiled, planar
 * (PLANARCONFIG_SEPARATE, tiled or not) and 16-bit, grey and RGB; each is
 * read whole, every pixel as written, at the depth that holds it.  The
 * 100-pixel width leaves the last column of 32-pixel tiles overhanging,
 * where libtiff 4.5's RGBA reader misplaces 16-bit grey rows.
 */
static void
test_tiff_made_layouts(void)
{
    static const struct {
        const char *name;
        int bps, spp, planar;
        uint32_t tile;
        int depth;
    } cases[] = {
        {"tiled-gray8", 8, 1, PLANARCONFIG_CONTIG, 32, 8},
        {"tiled-rgb8", 8, 3, PLANARCONFIG_CONTIG, 64, 32},
        {"planar-rgb8", 8, 3, PLANARCONFIG_SEPARATE, 0, 32},
        {"planar-rgb16", 16, 3, PLANARCONFIG_SEPARATE, 0, 32},
        {"tiled-planar-rgb8", 8, 3, PLANARCONFIG_SEPARATE, 32, 32},
        {"gray16", 16, 1, PLANARCONFIG_CONTIG, 0, 16},
        {"tiled-gray16", 16, 1, PLANARCONFIG_CONTIG, 32, 16},
        {"tiled-rgb16", 16, 3, PLANARCONFIG_CONTIG, 32, 32},
        {"tiled-planar-rgb16", 16, 3, PLANARCONFIG_SEPARATE, 32, 32},
    };
    char path[160];

    make_tmpdir();
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct mr_err err = MR_ERR_INIT;
        struct scan_file *f;
        PIX *pix = NULL;

        snprintf(path, sizeof(path), "%s/%s.tif", tmpdir, cases[i].name);
        write_tiff(path, 100, 70, cases[i].bps, cases[i].spp, cases[i].planar,
                   cases[i].tile);
        f = scan_file_open(path, &err);
        T_CHECK(f != NULL);
        if (!f)
            continue;
        T_EQ_INT(scan_file_next(f, &pix, &err), 1);
        if (err.code)
            fprintf(stderr, "%s: %s\n", cases[i].name, err.msg);
        if (pix) {
            T_EQ_INT(pixGetDepth(pix), cases[i].depth);
            T_EQ_INT(pixGetWidth(pix) * 1000 + pixGetHeight(pix), 100070);
            T_EQ_INT(pixGetXRes(pix), 300);
            if (!shows_pattern(pix, cases[i].spp))
                fprintf(stderr, "%s: not the pattern\n", cases[i].name);
            T_CHECK(shows_pattern(pix, cases[i].spp));
        }
        pixDestroy(&pix);
        T_EQ_INT(scan_file_next(f, &pix, &err), 0);
        scan_file_close(&f);
    }
    remove_tmpdir();
}

/* Read path whole into *pn bytes (caller frees); aborts on failure. */
static unsigned char *
slurp(const char *path, size_t *pn)
{
    unsigned char *b = l_binaryRead(path, pn);

    if (!b)
        abort();
    return b;
}

/* The offset of the first n-byte string s in b (size bytes), or 0. */
static size_t
find(const unsigned char *b, size_t size, const char *s, size_t n)
{
    for (size_t i = 0; i + n <= size; i++)
        if (!memcmp(b + i, s, n))
            return i;
    return 0;
}

/*
 * Bad checksums and damaged data: a PNG whose image data (IDAT) fails its
 * CRC is refused by name; one whose resolution chunk (pHYs, ancillary)
 * fails it is read, the chunk ignored, as libpng does; a JPEG whose
 * entropy-coded data is damaged is refused by name, not read as a
 * smeared page.
 */
static void
test_bad_checksums(void)
{
    char path[128];
    struct mr_err err = MR_ERR_INIT;
    PIX *p = pixCreate(200, 100, 8);
    unsigned char *b;
    size_t n, at, len;

    make_tmpdir();
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 200; x++)
            pixSetPixel(p, x, y, pattern((uint32_t)x, (uint32_t)y, 0));
    pixSetResolution(p, 300, 300);
    snprintf(path, sizeof(path), "%s/crc.png", tmpdir);
    T_EQ_INT(pixWrite(path, p, IFF_PNG), 0);
    b = slurp(path, &n);
    at = find(b, n, "IDAT", 4);
    T_CHECK(at >= 4);
    len = (size_t)b[at - 4] << 24 | (size_t)b[at - 3] << 16 |
          (size_t)b[at - 2] << 8 | b[at - 1];
    b[at + 4 + len] ^= 0x55; /* the first byte of the CRC */
    write_file(path, b, n);
    b[at + 4 + len] ^= 0x55;
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "CRC"));

    mr_err_clear(&err);
    at = find(b, n, "pHYs", 4);
    T_CHECK(at >= 4);
    b[at + 4 + 9] ^= 0x55;
    write_file(path, b, n);
    T_EQ_INT(read_all(path, &err, NULL), 1);
    lept_free(b);

    snprintf(path, sizeof(path), "%s/damaged.jpg", tmpdir);
    T_EQ_INT(pixWrite(path, p, IFF_JFIF_JPEG), 0);
    b = slurp(path, &n);
    at = find(b, n, "\xff\xda", 2); /* start of scan */
    T_CHECK(at > 0);
    at += (n - at) / 2;
    for (size_t i = at; i < at + 200 && i + 2 < n; i++)
        b[i] = (unsigned char)(b[i] * 7 + 13);
    write_file(path, b, n);
    lept_free(b);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "page 1"));
    pixDestroy(&p);
    remove_tmpdir();
}

/* One-pixel images are no page: refused by name, whatever the format. */
static void
test_tiny_pages(void)
{
    static const struct {
        const char *name;
        int format;
    } cases[] = {
        {"one.png", IFF_PNG},
        {"one.tif", IFF_TIFF_G4},
        {"one.jpg", IFF_JFIF_JPEG},
        {"one.pnm", IFF_PNM},
    };
    char path[128];

    make_tmpdir();
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct mr_err err = MR_ERR_INIT;
        PIX *p = pixCreate(1, 1, cases[i].format == IFF_TIFF_G4 ? 1 : 8);

        snprintf(path, sizeof(path), "%s/%s", tmpdir, cases[i].name);
        T_EQ_INT(pixWrite(path, p, cases[i].format), 0);
        T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
        T_CHECK(strstr(err.msg, path) && strstr(err.msg, "1x1 pixels") &&
                strstr(err.msg, "too small"));
        pixDestroy(&p);
    }
    remove_tmpdir();
}

/*
 * Write a w x h 8-bit grey TIFF whose directory comes first, then its
 * strips of rps rows, keeping only the first keep bytes: a file cut off
 * in its image data, the directory whole.
 */
static void
write_cut_tiff(const char *path, uint16_t w, uint16_t h, uint16_t rps,
               size_t keep)
{
    enum { NENT = 9 };
    uint32_t nstrips = (uint32_t)(h + rps - 1) / rps;
    uint32_t arrays = 8 + 2 + NENT * 12 + 4, data = arrays + 8 * nstrips;
    size_t size = data + (size_t)w * h, k = 0;
    unsigned char *b = calloc(1, size);
    const uint16_t tags[NENT][3] = {
        /* tag, type (3 SHORT, 4 LONG), value or 0 for the arrays */
        {256, 3, w}, {257, 3, h}, {258, 3, 8},   {259, 3, 1}, {262, 3, 1},
        {273, 4, 0}, {277, 3, 1}, {278, 3, rps}, {279, 4, 0},
    };

#define PUT16(v) (b[k] = (v)&0xff, b[k + 1] = (v) >> 8, k += 2)
#define PUT32(v) (PUT16((v)&0xffff), PUT16((uint32_t)(v) >> 16))
    if (!b)
        abort();
    b[k++] = 'I';
    b[k++] = 'I';
    PUT16(42);
    PUT32(8);
    PUT16(NENT);
    for (int i = 0; i < NENT; i++) {
        int array = tags[i][0] == 273 || tags[i][0] == 279;

        PUT16(tags[i][0]);
        PUT16(tags[i][1]);
        PUT32(array ? nstrips : 1);
        if (array && nstrips > 1)
            PUT32(tags[i][0] == 273 ? arrays : arrays + 4 * nstrips);
        else if (array)
            PUT32(tags[i][0] == 273 ? data : (uint32_t)w * rps);
        else
            PUT32(tags[i][2]);
    }
    PUT32(0);
    for (uint32_t s = 0; s < nstrips; s++)
        PUT32(data + s * (uint32_t)w * rps);
    for (uint32_t s = 0; s < nstrips; s++) {
        uint32_t rows = s + 1 < nstrips ? rps : h - s * rps;

        PUT32((uint32_t)w * rows);
    }
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            b[k++] = (unsigned char)pattern(x, y, 0);
#undef PUT32
#undef PUT16
    write_file(path, b, keep < size ? keep : size);
    free(b);
}

/*
 * Files cut short are refused by name, never read as a page with a blank
 * or black rest: a TIFF cut in its strips, a TIFF cut where its directory
 * was, a multi-page TIFF cut after its first page (the whole file, so no
 * letter loses its last pages unnoticed), a JPEG cut in half.
 */
static void
test_cut_short(void)
{
    char path[128], whole[128];
    struct mr_err err = MR_ERR_INIT;
    PIX *p = pixCreate(200, 100, 8), *p1 = pixCreate(200, 100, 1);
    struct stat st;
    int depth = 0;

    make_tmpdir();
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 200; x++)
            pixSetPixel(p, x, y, pattern((uint32_t)x, (uint32_t)y, 0));
    pixRenderLine(p1, 10, 10, 190, 90, 3, L_SET_PIXELS);

    /* The control: the same layout, whole, reads as written. */
    snprintf(whole, sizeof(whole), "%s/whole.tif", tmpdir);
    write_cut_tiff(whole, 100, 70, 10, (size_t)-1);
    T_EQ_INT(read_all(whole, &err, &depth), 1);
    T_EQ_INT(depth, 8);
    snprintf(path, sizeof(path), "%s/cut-strips.tif", tmpdir);
    write_cut_tiff(path, 100, 70, 10, 200 + 100 * 35);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "page 1"));

    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/cut-directory.tif", tmpdir);
    T_EQ_INT(pixWriteTiff(path, p, IFF_TIFF_ZIP, "w"), 0);
    T_EQ_INT(stat(path, &st), 0);
    T_EQ_INT(truncate(path, st.st_size / 2), 0);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) != NULL);

    /* Page 2's data and directory lost: the file, not just page 2. */
    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/cut-stack.tif", tmpdir);
    T_EQ_INT(pixWriteTiff(path, p1, IFF_TIFF_G4, "w"), 0);
    T_EQ_INT(stat(path, &st), 0);
    T_EQ_INT(pixWriteTiff(path, p, IFF_TIFF_ZIP, "a"), 0);
    T_EQ_INT(truncate(path, st.st_size + 40), 0);
    T_CHECK(scan_file_open(path, &err) == NULL);
    T_EQ_INT(err.code, MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "page 2") &&
            strstr(err.msg, "cut short"));

    /* The same file whole is read whole. */
    mr_err_clear(&err);
    T_EQ_INT(pixWriteTiff(path, p1, IFF_TIFF_G4, "w"), 0);
    T_EQ_INT(pixWriteTiff(path, p1, IFF_TIFF_G4, "a"), 0);
    T_EQ_INT(read_all(path, &err, NULL), 2);

    mr_err_clear(&err);
    snprintf(path, sizeof(path), "%s/cut.jpg", tmpdir);
    T_EQ_INT(pixWrite(path, p, IFF_JFIF_JPEG), 0);
    T_EQ_INT(stat(path, &st), 0);
    T_EQ_INT(truncate(path, st.st_size / 2), 0);
    T_EQ_INT(read_all(path, &err, NULL), MR_EFORMAT);
    T_CHECK(strstr(err.msg, path) && strstr(err.msg, "page 1"));
    pixDestroy(&p1);
    pixDestroy(&p);
    remove_tmpdir();
}

/* What scan_path_expand reported: the codes and messages, in order. */
struct reports {
    int n;
    int code[8];
    char msg[8][sizeof(((struct mr_err *)0)->msg)];
};

static void
collect(const struct mr_err *why, void *arg)
{
    struct reports *r = arg;

    if (r->n < 8) {
        r->code[r->n] = why->code;
        snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", why->msg);
    }
    r->n++;
}

/*
 * Inputs the fuzzer (tests/fuzz/fuzz_image.c) found: each is refused,
 * before it is decoded, with a message naming it.
 */
static void
test_fuzz_findings(void)
{
    static const struct {
        const char *file, *why;
    } cases[] = {
        /* A 112-byte PNG whose tEXt chunk claims 2 GB: libpng took 2 GB. */
        {"tests/data/fuzz/image-huge-chunk.png", "runs past the end"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mr_err err = MR_ERR_INIT;

        T_EQ_INT(read_all(cases[i].file, &err, NULL), MR_EFORMAT);
        T_CHECK(strstr(err.msg, cases[i].file) != NULL);
        T_CHECK(strstr(err.msg, cases[i].why) != NULL);
    }
}

static void
test_expand(void)
{
    char path[160], target[160], **files = NULL;
    size_t n = 0;
    struct mr_err err = MR_ERR_INIT;
    struct reports r = {0};

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
    /* A link to itself and one to nothing: each reported, by name. */
    snprintf(path, sizeof(path), "%s/b/3-loop.png", tmpdir);
    T_EQ_INT(symlink("3-loop.png", path), 0);
    snprintf(path, sizeof(path), "%s/b/4-gone.png", tmpdir);
    T_EQ_INT(symlink("no-such.png", path), 0);
    /* A FIFO is listed, for scan_file_open to refuse without opening. */
    snprintf(path, sizeof(path), "%s/c.png", tmpdir);
    T_EQ_INT(mkfifo(path, 0600), 0);
    /* A folder named like an image is a folder. */
    snprintf(path, sizeof(path), "%s/d.png", tmpdir);
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "%s/d.png/5.png", tmpdir);
    write_file(path, "x", 1);

    T_EQ_INT(scan_path_expand(tmpdir, &files, &n, collect, &r, &err), 2);
    T_EQ_INT(err.code, 0);
    T_EQ_INT(n, 5);
    if (n == 5) {
        T_CHECK(strstr(files[0], "/a.tif") != NULL);
        T_CHECK(strstr(files[1], "/b/1.png") != NULL);
        T_CHECK(strstr(files[2], "/b/2.png") != NULL);
        T_CHECK(strstr(files[3], "/c.png") != NULL);
        T_CHECK(strstr(files[4], "/d.png/5.png") != NULL);
        T_EQ_INT(read_all(files[3], &err, NULL), MR_EFORMAT);
        T_CHECK(strstr(err.msg, "not a file") != NULL);
        mr_err_clear(&err);
    }
    T_EQ_INT(r.n, 2);
    snprintf(target, sizeof(target), "'%s/b/3-loop.png': %s", tmpdir,
             strerror(ELOOP));
    T_CHECK(strstr(r.msg[0], target) != NULL);
    T_EQ_INT(r.code[0], MR_EIO);
    snprintf(target, sizeof(target), "'%s/b/4-gone.png': %s", tmpdir,
             strerror(ENOENT));
    T_CHECK(strstr(r.msg[1], target) != NULL);
    T_EQ_INT(r.code[1], MR_ENOTFOUND);

    r.n = 0;
    snprintf(path, sizeof(path), "%s/nope", tmpdir);
    T_EQ_INT(scan_path_expand(path, &files, &n, collect, &r, &err), 1);
    T_EQ_INT(r.code[0], MR_ENOTFOUND);
    T_CHECK(strstr(r.msg[0], path) != NULL);
    T_EQ_INT(n, 5);
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
        {"pixel_limit", test_pixel_limit},
        {"tiff_made_layouts", test_tiff_made_layouts},
        {"tiny_pages", test_tiny_pages},
        {"cut_short", test_cut_short},
        {"bad_checksums", test_bad_checksums},
        {"fuzz_findings", test_fuzz_findings},
        {"expand", test_expand},
        {NULL, NULL},
    };

    mr_library_messages_init();
    return t_run(cases, argc, argv);
}
