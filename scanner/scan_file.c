/*
 * File intake: the pages of an image file, one at a time, as stored.
 *
 * Invariants:
 *   - the format is judged from the content (Leptonica's findFileFormat),
 *     never from the name, so a text file called .png is refused clearly;
 *   - a TIFF is walked by directory offsets, and an offset seen before
 *     ends the walk: a file whose IFD chain loops cannot loop us; a chain
 *     that points past the end of the file is a cut-off file, refused;
 *   - a page's size is judged from its header, before it is decoded;
 *   - any other file is read into memory once and its one page decoded
 *     from those bytes, so that the bytes scan_file_original hands to the
 *     archive are exactly the bytes that were decoded;
 *   - every refusal names the file (and page) and says why, in one line.
 */
#include "scanner/scanner.h"

#include <dirent.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <sys/stat.h>
#include <tiffio.h>

/* More pages than any letter stack; a TIFF claiming more is refused. */
#define SCAN_MAX_PAGES 100000

/*
 * A file read whole (not a TIFF) larger than this is not one page: the
 * largest page within the default SCAN_MAX_PIXELS, a 16-bit RGBA PAM, is
 * 800 MB.
 */
#define SCAN_MAX_BYTES (1L << 30)

struct scan_file {
    char *path;
    int format;          /* Leptonica IFF_* */
    long max_pixels;     /* a larger page is refused before decoding */
    int npages;          /* counted when opened */
    int next;            /* 0-based index of the next page */
    size_t offset;       /* TIFF: offset of the next directory, 0 at end */
    size_t *seen;        /* TIFF: directory offsets already read */
    unsigned char *data; /* not TIFF: the file's bytes, while a page is out */
    size_t size;
    const char *original; /* "png"/"jpeg": the page out is data as is */
};

static int
is_tiff(int format)
{
    switch (format) {
    case IFF_TIFF:
    case IFF_TIFF_PACKBITS:
    case IFF_TIFF_RLE:
    case IFF_TIFF_G3:
    case IFF_TIFF_G4:
    case IFF_TIFF_LZW:
    case IFF_TIFF_ZIP:
    case IFF_TIFF_JPEG:
        return 1;
    default:
        return 0;
    }
}

/* The formats we take; for others, a reason fit for the operator. */
static const char *
format_refusal(int format)
{
    if (is_tiff(format))
        return NULL;
    switch (format) {
    case IFF_PNG:
    case IFF_JFIF_JPEG:
    case IFF_PNM:
    case IFF_BMP:
    case IFF_GIF:
    case IFF_WEBP:
    case IFF_JP2:
        return NULL;
    case IFF_PS:
    case IFF_LPDF:
        return _("PDF and PostScript files are not supported; "
                 "import the scanned images (TIFF, PNG, JPEG)");
    default:
        return _("not an image file mailroom can read "
                 "(TIFF, PNG, JPEG or PNM)");
    }
}

/* The unsigned integer of n bytes at b, in the file's byte order. */
static uint64_t
tiff_uint(const unsigned char *b, size_t n, int big_endian)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)b[big_endian ? n - 1 - i : i] << (8 * i);
    return v;
}

/*
 * Whether the directory chain goes on from directory n - 1, the last one
 * libtiff could read, to an offset at or past the end of the file (of
 * size bytes): a file cut off while it was written or copied.  A chain
 * that ends, or loops back, is not cut off.
 */
static int
tiff_cut_off(const char *path, int n, off_t size)
{
    TIFF *tif = TIFFOpen(path, "rm");
    FILE *fp = NULL;
    unsigned char b[8];
    uint64_t at, count;
    int cut = 0, big, msb;
    size_t word;

    if (!tif || !TIFFSetDirectory(tif, (tdir_t)(n - 1)) ||
        TIFFLastDirectory(tif) || !(fp = fopen(path, "rb")))
        goto out;
    at = TIFFCurrentDirOffset(tif);
    big = TIFFIsBigTIFF(tif);
    word = big ? 8 : 4;
    /* "MM" is big-endian, "II" little-endian. */
    if (fread(b, 2, 1, fp) != 1)
        goto out;
    msb = b[0] == 'M';
    /* The entry count, the entries (12 or 20 bytes), the next offset. */
    if (fseeko(fp, (off_t)at, SEEK_SET) || fread(b, big ? 8 : 2, 1, fp) != 1)
        goto out;
    count = tiff_uint(b, big ? 8 : 2, msb);
    if (fseeko(fp, (off_t)(at + (big ? 8 : 2) + count * (big ? 20 : 12)),
               SEEK_SET) ||
        fread(b, word, 1, fp) != 1)
        goto out;
    cut = tiff_uint(b, word, msb) >= (uint64_t)size;
out:
    if (fp)
        fclose(fp);
    if (tif)
        TIFFClose(tif);
    return cut;
}

/*
 * Count the directories of TIFF path (size bytes), stopping at a loop or
 * an absurd count; a file cut off after a page is refused.
 */
static int
tiff_count(const char *path, off_t size, int *pcount, struct mr_err *err)
{
    FILE *fp = NULL;
    int n = 0, rc = 0;

    *pcount = 0;
    fp = fopen(path, "rb");
    if (!fp) {
        rc = mr_fail(err, MR_EIO, _("cannot open '%s': %s"), path,
                     strerror(errno));
        goto out;
    }
    if (tiffGetCount(fp, &n) || n <= 0) {
        rc = mr_fail(err, MR_EFORMAT, _("cannot read '%s': %s"), path,
                     mr_library_message()[0] ? mr_library_message()
                                             : _("damaged TIFF directory"));
        goto out;
    }
    if (n > SCAN_MAX_PAGES) {
        rc = mr_fail(err, MR_EFORMAT, _("cannot read '%s': it claims %d pages"),
                     path, n);
        goto out;
    }
    if (tiff_cut_off(path, n, size)) {
        rc = mr_fail(err, MR_EFORMAT,
                     _("cannot read '%s' page %d: the file is cut short"), path,
                     n + 1);
        goto out;
    }
    *pcount = n;
out:
    if (fp)
        fclose(fp);
    return rc;
}

struct scan_file *
scan_file_open(const char *path, struct mr_err *err)
{
    struct scan_file *f = NULL;
    struct stat st;
    FILE *fp;
    const char *why;
    int format = IFF_UNKNOWN;

    mr_library_message_clear();
    if (stat(path, &st)) {
        mr_fail(err, errno == ENOENT ? MR_ENOTFOUND : MR_EIO,
                _("cannot open '%s': %s"), path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        mr_fail(err, MR_EFORMAT, _("cannot import '%s': not a file"), path);
        return NULL;
    }
    if (st.st_size == 0) {
        mr_fail(err, MR_EFORMAT, _("cannot import '%s': empty file"), path);
        return NULL;
    }
    fp = fopen(path, "rb");
    if (!fp) {
        mr_fail(err, MR_EIO, _("cannot read '%s': %s"), path, strerror(errno));
        return NULL;
    }
    /* Fails for fewer than 12 bytes or an unknown signature alike. */
    if (findFileFormatStream(fp, &format))
        format = IFF_UNKNOWN;
    fclose(fp);
    why = format_refusal(format);
    if (why) {
        mr_fail(err, MR_EFORMAT, _("cannot import '%s': %s"), path, why);
        return NULL;
    }

    f = calloc(1, sizeof(*f));
    if (!f || !(f->path = mr_strdup(path, err)))
        goto fail;
    f->format = format;
    f->max_pixels = SCAN_MAX_PIXELS;
    f->npages = 1;
    if (is_tiff(format)) {
        if (tiff_count(path, st.st_size, &f->npages, err))
            goto fail;
        f->seen = calloc((size_t)f->npages, sizeof(*f->seen));
        if (!f->seen)
            goto fail;
    }
    return f;
fail:
    mr_fail(err, MR_ENOMEM, _("out of memory"));
    scan_file_close(&f);
    return NULL;
}

void
scan_file_close(struct scan_file **pf)
{
    struct scan_file *f;

    if (!pf || !*pf)
        return;
    f = *pf;
    free(f->path);
    free(f->seen);
    free(f->data);
    free(f);
    *pf = NULL;
}

void
scan_file_set_limit(struct scan_file *f, long max_pixels)
{
    f->max_pixels = max_pixels > 0 ? max_pixels : SCAN_MAX_PIXELS;
}

int
scan_file_page_count(const struct scan_file *f)
{
    return f->npages;
}

/*
 * The smallest depth that holds an RGB page exactly: 8 bpp when every
 * pixel is grey, 1 bpp when every pixel is black or white, else 32 bpp.
 * Returns a new PIX (caller destroys), or NULL when out of memory.
 */
static PIX *
narrowest(PIX *rgb)
{
    l_int32 w, h, wpl = pixGetWpl(rgb);
    l_uint32 *data = pixGetData(rgb);
    int gray = 1, bilevel = 1;
    PIX *pix8, *pix1;

    pixGetDimensions(rgb, &w, &h, NULL);
    for (l_int32 y = 0; y < h && gray; y++) {
        const l_uint32 *line = data + y * wpl;

        for (l_int32 x = 0; x < w; x++) {
            l_int32 r, g, b;

            extractRGBValues(line[x], &r, &g, &b);
            if (r != g || g != b) {
                gray = 0;
                break;
            }
            if (r != 0 && r != 255)
                bilevel = 0;
        }
    }
    if (!gray)
        return pixClone(rgb);
    pix8 = pixGetRGBComponent(rgb, COLOR_RED);
    if (!pix8 || !bilevel)
        return pix8;
    pix1 = pixThresholdToBinary(pix8, 128);
    pixDestroy(&pix8);
    return pix1;
}

/*
 * Whether the current directory is a tiled 16-bit grey page in the usual
 * orientation.  libtiff 4.5's RGBA reader shifts the rows of a tile that
 * overhangs the right edge at this depth (put16bitbwtile skips pixels,
 * not bytes), so such pages are read by tiff_read_gray16_tiles.
 */
static int
tiff_gray16_tiled(TIFF *tif)
{
    uint16_t bps = 0, spp = 0, photometric = 0, orientation = 0;

    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &orientation);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    return TIFFIsTiled(tif) && bps == 16 && spp == 1 &&
           orientation == ORIENTATION_TOPLEFT &&
           (photometric == PHOTOMETRIC_MINISBLACK ||
            photometric == PHOTOMETRIC_MINISWHITE);
}

/*
 * Read the w x h tiled 16-bit grey page of the current directory, tile by
 * tile, into a 16 bpp PIX (caller destroys).  NULL on failure, the
 * reason left in mr_library_message().
 */
static PIX *
tiff_read_gray16_tiles(TIFF *tif, uint32_t w, uint32_t h)
{
    uint32_t tw = 0, th = 0;
    uint16_t photometric = 0;
    uint16_t *tile = NULL;
    PIX *pix = NULL;

    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    if (tw == 0 || th == 0 || TIFFTileSize(tif) < (tmsize_t)tw * th * 2)
        return NULL;
    tile = _TIFFmalloc(TIFFTileSize(tif));
    pix = tile ? pixCreate((l_int32)w, (l_int32)h, 16) : NULL;
    for (uint32_t ty = 0; pix && ty < h; ty += th) {
        for (uint32_t tx = 0; pix && tx < w; tx += tw) {
            if (TIFFReadTile(tif, tile, tx, ty, 0, 0) < 0) {
                pixDestroy(&pix);
                break;
            }
            for (uint32_t y = ty; y < h && y < ty + th; y++) {
                l_uint32 *line = pixGetData(pix) + y * pixGetWpl(pix);

                for (uint32_t x = tx; x < w && x < tx + tw; x++) {
                    uint16_t v = tile[(y - ty) * tw + (x - tx)];

                    if (photometric == PHOTOMETRIC_MINISWHITE)
                        v = (uint16_t)(0xffff - v);
                    SET_DATA_TWO_BYTES(line, x, v);
                }
            }
        }
    }
    if (tile)
        _TIFFfree(tile);
    return pix;
}

/*
 * Read the TIFF directory at offset through libtiff's RGBA interface,
 * which takes the layouts Leptonica refuses (tiles, old-style JPEG,
 * YCbCr, unusual fax options), if it has at most max_pixels.  A strip or
 * tile that cannot be read fails the page: it is not left blank.  On
 * success returns the page and moves *poffset to the next directory (0
 * at the end); NULL on failure, the reason left in mr_library_message().
 */
static PIX *
tiff_read_rgba(const char *path, long max_pixels, size_t *poffset)
{
    TIFF *tif = NULL;
    uint32_t w = 0, h = 0, *raster = NULL;
    PIX *rgb = NULL, *pix = NULL;
    float xres = 0.0f;
    uint16_t unit = RESUNIT_INCH;

    tif = TIFFOpen(path, "rm");
    if (!tif || (*poffset && !TIFFSetSubDirectory(tif, *poffset)))
        goto out;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    if (w == 0 || h == 0 || (long)w * (long)h > max_pixels)
        goto out;
    if (tiff_gray16_tiled(tif)) {
        pix = tiff_read_gray16_tiles(tif, w, h);
    } else {
        raster = _TIFFmalloc((tmsize_t)w * h * sizeof(*raster));
        rgb = raster ? pixCreate((l_int32)w, (l_int32)h, 32) : NULL;
        if (!rgb || !TIFFReadRGBAImageOriented(tif, w, h, raster,
                                               ORIENTATION_TOPLEFT, 1))
            goto out;
        for (uint32_t y = 0; y < h; y++) {
            l_uint32 *line = pixGetData(rgb) + y * pixGetWpl(rgb);

            for (uint32_t x = 0; x < w; x++) {
                uint32_t v = raster[y * w + x];

                composeRGBPixel((l_int32)TIFFGetR(v), (l_int32)TIFFGetG(v),
                                (l_int32)TIFFGetB(v), &line[x]);
            }
        }
        pix = narrowest(rgb);
    }
    if (!pix)
        goto out;
    if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) && xres > 0) {
        TIFFGetField(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
        if (unit == RESUNIT_CENTIMETER)
            xres *= 2.54f;
        pixSetResolution(pix, (l_int32)(xres + 0.5f), (l_int32)(xres + 0.5f));
    }
    *poffset = TIFFReadDirectory(tif) ? (size_t)TIFFCurrentDirOffset(tif) : 0;
out:
    if (raster)
        _TIFFfree(raster);
    pixDestroy(&rgb);
    if (tif)
        TIFFClose(tif);
    return pix;
}

/* Why a page could not be decoded, from the library's last message. */
static int
page_failure(const struct scan_file *f, struct mr_err *err)
{
    const char *why = mr_library_message();

    return mr_fail(err, MR_EFORMAT, _("cannot read '%s' page %d: %s"), f->path,
                   f->next + 1,
                   why[0] ? why : _("damaged or unsupported image data"));
}

/* A page must be something a person could have scanned. */
static int
check_page(const struct scan_file *f, PIX *pix, struct mr_err *err)
{
    l_int32 w, h, d;

    pixGetDimensions(pix, &w, &h, &d);
    if (w < 16 || h < 16)
        return mr_fail(err, MR_EFORMAT,
                       _("cannot read '%s' page %d: "
                         "%dx%d pixels is too small for a page"),
                       f->path, f->next + 1, w, h);
    return 0;
}

/*
 * Whether the next page's size, from its header, is within f's limit, so
 * that decoding it cannot run out of memory: a TIFF page from its
 * directory, other formats from the header in f->data.  Fills err when
 * it is not.
 */
static int
pixel_count_ok(const struct scan_file *f, struct mr_err *err)
{
    l_int32 w = 0, h = 0;

    if (is_tiff(f->format)) {
        TIFF *tif = TIFFOpen(f->path, "rm");
        uint32_t tw = 0, th = 0;

        if (tif && (!f->offset || TIFFSetSubDirectory(tif, f->offset))) {
            TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &tw);
            TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &th);
        }
        if (tif)
            TIFFClose(tif);
        w = tw > INT32_MAX ? INT32_MAX : (l_int32)tw;
        h = th > INT32_MAX ? INT32_MAX : (l_int32)th;
    } else if (pixReadHeaderMem(f->data, f->size, NULL, &w, &h, NULL, NULL,
                                NULL)) {
        w = h = 0; /* the decoder will say what is wrong */
    }
    if ((long)w * (long)h <= f->max_pixels)
        return 1;
    mr_fail(err, MR_EFORMAT,
            _("cannot read '%s' page %d: %ldx%ld pixels is more than the "
              "limit of %ld"),
            f->path, f->next + 1, (long)w, (long)h, f->max_pixels);
    return 0;
}

/*
 * Whether every chunk of a PNG file (in f->data) ends within the file.
 * libpng allocates an ancillary chunk's declared length before reading
 * it, so a chunk claiming a gigabyte in a file of a few bytes would cost
 * that much memory.  Fills err when one does not fit.
 */
static int
png_chunks_fit(const struct scan_file *f, struct mr_err *err)
{
    const unsigned char *p = f->data;
    size_t at = 8; /* past the signature */

    if (f->format != IFF_PNG)
        return 1;
    while (at + 8 <= f->size) {
        size_t len = (size_t)p[at] << 24 | (size_t)p[at + 1] << 16 |
                     (size_t)p[at + 2] << 8 | p[at + 3];

        /* Length, type, data and CRC: 12 bytes more than its data. */
        if (len + 12 > f->size - at) {
            mr_fail(err, MR_EFORMAT, _("cannot read '%s' page %d: %s"), f->path,
                    f->next + 1,
                    _("a PNG chunk runs past the end of the file"));
            return 0;
        }
        if (!memcmp(p + at + 4, "IEND", 4))
            break;
        at += len + 12;
    }
    return 1;
}

/*
 * Read the whole file (not a TIFF) into f->data.  A file that shrank
 * since it was opened is taken as read; the decoder judges it.  MR_EIO,
 * MR_EFORMAT when it is too large to be a page, MR_ENOMEM.
 */
static int
read_whole(struct scan_file *f, struct mr_err *err)
{
    FILE *fp = NULL;
    struct stat st;
    int rc = 0;

    fp = fopen(f->path, "rb");
    if (!fp || fstat(fileno(fp), &st)) {
        rc = mr_fail(err, MR_EIO, _("cannot read '%s': %s"), f->path,
                     strerror(errno));
        goto out;
    }
    if (st.st_size > SCAN_MAX_BYTES) {
        rc = mr_fail(err, MR_EFORMAT, _("cannot read '%s': %s"), f->path,
                     strerror(EFBIG));
        goto out;
    }
    f->data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (!f->data) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    f->size = fread(f->data, 1, (size_t)st.st_size, fp);
    if (ferror(fp))
        rc = mr_fail(err, MR_EIO, _("cannot read '%s': %s"), f->path,
                     strerror(errno));
out:
    if (fp)
        fclose(fp);
    return rc;
}

/* The name the archive gives a format it keeps as delivered, or NULL. */
static const char *
original_format(const unsigned char *data, size_t size)
{
    l_int32 format = IFF_UNKNOWN;

    if (size < 12 || findFileFormatBuffer(data, &format))
        return NULL;
    return format == IFF_PNG ? "png" : format == IFF_JFIF_JPEG ? "jpeg" : NULL;
}

int
scan_file_next(struct scan_file *f, struct Pix **ppix, struct mr_err *err)
{
    PIX *pix = NULL;
    int rc;

    *ppix = NULL;
    free(f->data);
    f->data = NULL;
    f->size = 0;
    f->original = NULL;
    if (f->next >= f->npages)
        return 0;
    if (is_tiff(f->format)) {
        for (int i = 0; i < f->next; i++)
            if (f->seen[i] == f->offset)
                return 0; /* the directory chain loops */
    }
    mr_library_message_clear();
    if (!is_tiff(f->format)) {
        rc = read_whole(f, err);
        if (rc)
            return rc;
    }
    mr_stderr_capture_begin();
    if (!pixel_count_ok(f, err) || !png_chunks_fit(f, err)) {
        mr_stderr_capture_end();
        return MR_EFORMAT;
    }
    if (is_tiff(f->format)) {
        f->seen[f->next] = f->offset;
        pix = pixReadFromMultipageTiff(f->path, &f->offset);
        if (!pix) {
            f->offset = f->seen[f->next];
            pix = tiff_read_rgba(f->path, f->max_pixels, &f->offset);
            if (pix)
                mr_library_message_clear();
        }
        if (pix && f->offset == 0)
            f->npages = f->next + 1;
    } else {
        /*
         * Keep 16 bits per sample: the page is archived as delivered, and
         * read back the same way (arc_image_decode).
         */
        l_pngSetReadStrip16To8(0);
        pix = pixReadMem(f->data, f->size);
        l_pngSetReadStrip16To8(1);
    }
    mr_stderr_capture_end();
    if (!pix) {
        rc = page_failure(f, err);
        f->npages = f->next; /* nothing more can be read */
        return rc;
    }
    rc = check_page(f, pix, err);
    f->next++;
    if (rc) {
        pixDestroy(&pix);
        return rc;
    }
    if (f->data)
        f->original = original_format(f->data, f->size);
    *ppix = pix;
    return 1;
}

int
scan_file_original(const struct scan_file *f, const unsigned char **pdata,
                   size_t *psize, const char **pformat)
{
    *pdata = NULL;
    *psize = 0;
    *pformat = NULL;
    if (!f || !f->original)
        return 0;
    *pdata = f->data;
    *psize = f->size;
    *pformat = f->original;
    return 1;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
append_path(char ***pfiles, size_t *pnfiles, char *path, struct mr_err *err)
{
    char **grown = realloc(*pfiles, (*pnfiles + 1) * sizeof(**pfiles));

    if (!grown) {
        free(path);
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    grown[(*pnfiles)++] = path;
    *pfiles = grown;
    return 0;
}

/* A walk of the paths given to scan_path_expand. */
struct walk {
    char ***pfiles;
    size_t *pnfiles;
    void (*report)(const struct mr_err *why, void *arg);
    void *arg;
    int nreported;
};

/* Hand a path the walk cannot take to the caller, errno saying why. */
static void
walk_report(struct walk *w, const char *path, int folder)
{
    struct mr_err why = MR_ERR_INIT;
    int e = errno;

    if (folder)
        mr_fail(&why, MR_EIO, _("cannot read folder '%s': %s"), path,
                strerror(e));
    else
        mr_fail(&why, e == ENOENT ? MR_ENOTFOUND : MR_EIO,
                _("cannot open '%s': %s"), path, strerror(e));
    w->report(&why, w->arg);
    w->nreported++;
}

static int walk_path(struct walk *w, const char *path, struct mr_err *err);

static int
walk_dir(struct walk *w, const char *dir, struct mr_err *err)
{
    DIR *d = NULL;
    struct dirent *de;
    char **names = NULL;
    size_t nnames = 0;
    int rc = 0;

    d = opendir(dir);
    if (!d) {
        walk_report(w, dir, 1);
        goto out;
    }
    while ((de = readdir(d))) {
        size_t len;
        char *p;

        if (de->d_name[0] == '.')
            continue;
        len = strlen(dir) + strlen(de->d_name) + 2;
        p = malloc(len);
        if (!p) {
            rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
            goto out;
        }
        snprintf(p, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                 de->d_name);
        rc = append_path(&names, &nnames, p, err);
        if (rc)
            goto out;
    }
    qsort(names, nnames, sizeof(*names), compare_names);
    for (size_t i = 0; i < nnames && !rc; i++) {
        struct stat st;

        /* A linked folder could lead back up: follow only real ones. */
        if (!lstat(names[i], &st) && S_ISLNK(st.st_mode) &&
            !stat(names[i], &st) && S_ISDIR(st.st_mode))
            continue;
        rc = walk_path(w, names[i], err);
    }
out:
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    if (d)
        closedir(d);
    return rc;
}

/* Append path, or the files of folder path; MR_ENOMEM or 0. */
static int
walk_path(struct walk *w, const char *path, struct mr_err *err)
{
    struct stat st;
    char *copy;

    if (stat(path, &st)) {
        walk_report(w, path, 0);
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, err);
    copy = mr_strdup(path, err);
    if (!copy)
        return MR_ENOMEM;
    return append_path(w->pfiles, w->pnfiles, copy, err);
}

int
scan_path_expand(const char *path, char ***pfiles, size_t *pnfiles,
                 void (*report)(const struct mr_err *why, void *arg), void *arg,
                 struct mr_err *err)
{
    struct walk w = {pfiles, pnfiles, report, arg, 0};
    int rc = walk_path(&w, path, err);

    return rc ? rc : w.nreported;
}
