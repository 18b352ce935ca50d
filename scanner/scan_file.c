/*
 * File intake: the pages of an image file, one at a time, as stored.
 *
 * Invariants:
 *   - the format is judged from the content (Leptonica's findFileFormat),
 *     never from the name, so a text file called .png is refused clearly;
 *   - a TIFF is walked by directory offsets, and an offset seen before
 *     ends the walk: a file whose IFD chain loops cannot loop us;
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

/* A3 at 600 dpi is about 70 million pixels; more is not a letter page. */
#define SCAN_MAX_PIXELS (100L * 1000 * 1000)

/*
 * A file read whole (not a TIFF) larger than this is not one page: the
 * largest page within SCAN_MAX_PIXELS, a 16-bit RGBA PAM, is 800 MB.
 */
#define SCAN_MAX_BYTES (1L << 30)

struct scan_file {
    char *path;
    int format;          /* Leptonica IFF_* */
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
    free(f->data);
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
 * formats from the header in f->data.  Fills err when it is not.
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
    if ((long)w * (long)h <= SCAN_MAX_PIXELS)
        return 1;
    mr_fail(err, MR_EFORMAT,
            _("cannot read '%s' page %d: %ldx%ld pixels is too large "
              "for a page"),
            f->path, f->next + 1, (long)w, (long)h);
    return 0;
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
