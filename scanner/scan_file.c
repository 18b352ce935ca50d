/*
 * File intake: the pages of an image file, one at a time, as stored.
 *
 * Invariants:
 *   - the format is judged from the content (Leptonica's findFileFormat),
 *     never from the name, so a text file called .png is refused clearly;
 *   - a TIFF is walked by directory offsets, and an offset seen before
 *     ends the walk: a file whose IFD chain loops cannot loop us;
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

/* A3 at 600 dpi is about 70 million pixels; more is not a letter page. */
#define SCAN_MAX_PIXELS (100L * 1000 * 1000)

struct scan_file {
    char *path;
    int format;    /* Leptonica IFF_* */
    int npages;    /* counted when opened */
    int next;      /* 0-based index of the next page */
    size_t offset; /* TIFF: offset of the next directory, 0 at end */
    size_t *seen;  /* TIFF: directory offsets already read */
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

/* Count TIFF directories, stopping at a loop or an absurd count. */
static int
tiff_count(const char *path, int *pcount, struct mr_err *err)
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
    f->npages = 1;
    if (is_tiff(format)) {
        if (tiff_count(path, &f->npages, err))
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
    free(f);
    *pf = NULL;
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
 * Read the TIFF directory at offset through libtiff's RGBA interface,
 * which takes the layouts Leptonica refuses (tiles, old-style JPEG,
 * YCbCr, unusual fax options).  On success returns the page and moves
 * *poffset to the next directory (0 at the end); NULL on failure, the
 * reason left in mr_library_message().
 */
static PIX *
tiff_read_rgba(const char *path, size_t *poffset)
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
    if (w == 0 || h == 0 || (long)w * (long)h > SCAN_MAX_PIXELS)
        goto out;
    raster = _TIFFmalloc((tmsize_t)w * h * sizeof(*raster));
    rgb = raster ? pixCreate((l_int32)w, (l_int32)h, 32) : NULL;
    if (!rgb ||
        !TIFFReadRGBAImageOriented(tif, w, h, raster, ORIENTATION_TOPLEFT, 0))
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
 * Whether the next page's size, from its header, is one we can decode
 * without running out of memory: a TIFF page from its directory, other
 * formats from their header.  Fills err when it is not.
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
    } else if (pixReadHeader(f->path, NULL, &w, &h, NULL, NULL, NULL)) {
        w = h = 0; /* the decoder will say what is wrong */
    }
    if ((long)w * (long)h <= SCAN_MAX_PIXELS)
        return 1;
    mr_fail(err, MR_EFORMAT,
            _("cannot read '%s' page %d: %ldx%ld pixels is too large "
              "for a page"),
            f->path, f->next + 1, (long)w, (long)h);
    return 0;
}

int
scan_file_next(struct scan_file *f, struct Pix **ppix, struct mr_err *err)
{
    PIX *pix = NULL;
    int rc;

    *ppix = NULL;
    if (f->next >= f->npages)
        return 0;
    if (is_tiff(f->format)) {
        for (int i = 0; i < f->next; i++)
            if (f->seen[i] == f->offset)
                return 0; /* the directory chain loops */
    }
    mr_library_message_clear();
    mr_stderr_capture_begin();
    if (!pixel_count_ok(f, err)) {
        mr_stderr_capture_end();
        return MR_EFORMAT;
    }
    if (is_tiff(f->format)) {
        f->seen[f->next] = f->offset;
        pix = pixReadFromMultipageTiff(f->path, &f->offset);
        if (!pix) {
            f->offset = f->seen[f->next];
            pix = tiff_read_rgba(f->path, &f->offset);
            if (pix)
                mr_library_message_clear();
        }
        if (pix && f->offset == 0)
            f->npages = f->next + 1;
    } else {
        /* Keep 16 bits per sample: the page is archived as delivered. */
        l_pngSetReadStrip16To8(0);
        pix = pixRead(f->path);
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
    *ppix = pix;
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

static int
expand_dir(const char *dir, char ***pfiles, size_t *pnfiles, struct mr_err *err)
{
    DIR *d = NULL;
    struct dirent *de;
    char **names = NULL;
    size_t nnames = 0;
    int rc = 0;

    d = opendir(dir);
    if (!d) {
        rc = mr_fail(err, MR_EIO, _("cannot read folder '%s': %s"), dir,
                     strerror(errno));
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
    for (size_t i = 0; i < nnames; i++) {
        struct stat st;
        int rc2;

        /* A linked folder could lead back up: follow only real ones. */
        if (!lstat(names[i], &st) && S_ISLNK(st.st_mode) &&
            !stat(names[i], &st) && S_ISDIR(st.st_mode))
            continue;
        /* The first error is reported; the rest of the folder goes on. */
        rc2 = scan_path_expand(names[i], pfiles, pnfiles, err);
        if (!rc)
            rc = rc2;
        if (rc2 == MR_ENOMEM)
            goto out;
    }
out:
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    if (d)
        closedir(d);
    return rc;
}

int
scan_path_expand(const char *path, char ***pfiles, size_t *pnfiles,
                 struct mr_err *err)
{
    struct stat st;
    char *copy;

    if (stat(path, &st))
        return mr_fail(err, errno == ENOENT ? MR_ENOTFOUND : MR_EIO,
                       _("cannot open '%s': %s"), path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return expand_dir(path, pfiles, pnfiles, err);
    copy = mr_strdup(path, err);
    if (!copy)
        return MR_ENOMEM;
    return append_path(pfiles, pnfiles, copy, err);
}
