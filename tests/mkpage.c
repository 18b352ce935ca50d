/*
 * mkpage: make test page images the way a scanner might deliver them.
 *
 * Reads rendered pages (PNG from pango-view), and for each one: converts it
 * to grey (or RGB for --depth 32), pads it onto a page of --page size
 * (at the top left, or with its corner at --at XxY), darkens it with
 * --stamp FILE laid with its corner at --stamp-at XxY (with --page: a
 * barcode on a letter),
 * skews it, lays it on grey paper, turns it by quarter turns, adds noise,
 * converts it to the output depth, sets the resolution and writes OUT in
 * the format its extension names.  Several inputs and a .tif output give a
 * multi-page TIFF.  The noise generator is seeded with a constant, so the
 * same command always writes the same bytes.  Test tool only: messages go
 * to stderr and any failure exits 1 (2 for bad usage).
 */
#include <leptonica/allheaders.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct opts {
    double skew;  /* degrees, positive turns clockwise */
    int quads;    /* clockwise quarter turns, 0..3 */
    double noise; /* standard deviation of Gaussian noise, 0 = none */
    int paper;    /* grey level of the paper, 255 = white */
    int depth;    /* 1, 8, 16 or 32 */
    int dpi;
    int blank_w, blank_h; /* > 0: make a blank page of this size */
    int page_w, page_h;   /* > 0: pad each input to this size */
    int at_x, at_y;       /* where on the page the input goes */
    const char *stamp;    /* an image laid over each page, or NULL */
    int stamp_x, stamp_y; /* where it goes */
    const char *out;
};

static void
usage(void)
{
    fputs("usage: mkpage [--skew DEG] [--rotate 90|180|270] "
          "[--noise SIGMA] [--paper GRAY]\n"
          "              [--depth 1|8|16|32] [--dpi N] [--page WxH] "
          "[--at XxY]\n"
          "              [--stamp FILE --stamp-at XxY]\n"
          "              [--blank WxH] -o OUT [IN...]\n",
          stderr);
    exit(2);
}

static double
num_arg(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    double v;

    if (!s)
        usage();
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "mkpage: bad value '%s' for %s\n", s, opt);
        exit(2);
    }
    return v;
}

static void
size_arg(const char *opt, const char *s, int *pw, int *ph)
{
    char *end;
    long w, h;

    if (!s)
        usage();
    w = strtol(s, &end, 10);
    if (*end != 'x' || w < 1 || w > 20000)
        goto bad;
    h = strtol(end + 1, &end, 10);
    if (*end || h < 1 || h > 20000)
        goto bad;
    *pw = (int)w;
    *ph = (int)h;
    return;
bad:
    fprintf(stderr, "mkpage: bad size '%s' for %s (want WxH)\n", s, opt);
    exit(2);
}

/* The Leptonica file format for a path, from its extension; -1 if none. */
static int
format_of(const char *path, int depth)
{
    const char *dot = strrchr(path, '.');

    if (!dot)
        return -1;
    if (!strcasecmp(dot, ".png"))
        return IFF_PNG;
    if (!strcasecmp(dot, ".tif") || !strcasecmp(dot, ".tiff"))
        return depth == 1 ? IFF_TIFF_G4 : IFF_TIFF_LZW;
    if (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"))
        return depth == 8 || depth == 32 ? IFF_JFIF_JPEG : -1;
    if (!strcasecmp(dot, ".pnm") || !strcasecmp(dot, ".pgm") ||
        !strcasecmp(dot, ".ppm") || !strcasecmp(dot, ".pbm"))
        return IFF_PNM;
    return -1;
}

/*
 * Replace *ppix by next (a new image, or NULL when the operation failed).
 * Returns 0, or -1 after printing what failed.
 */
static int
take(PIX **ppix, PIX *next, const char *what)
{
    if (!next) {
        fprintf(stderr, "mkpage: %s failed\n", what);
        return -1;
    }
    pixDestroy(ppix);
    *ppix = next;
    return 0;
}

/*
 * A page at the working depth (8, or 32 for --depth 32): the input file,
 * padded to the page size, or a blank page.  NULL on failure.
 */
static PIX *
load(const struct opts *o, const char *in)
{
    int wd = o->depth == 32 ? 32 : 8;
    PIX *pix = NULL, *page = NULL;
    int w, h;

    if (!in) {
        pix = pixCreate(o->blank_w, o->blank_h, wd);
        if (pix)
            pixSetBlackOrWhite(pix, L_SET_WHITE);
        return pix;
    }
    pix = pixRead(in);
    if (!pix) {
        fprintf(stderr, "mkpage: cannot read '%s'\n", in);
        return NULL;
    }
    if (take(&pix, wd == 32 ? pixConvertTo32(pix) : pixConvertTo8(pix, 0),
             "conversion to the working depth"))
        goto fail;
    if (o->page_w <= 0)
        return pix;
    pixGetDimensions(pix, &w, &h, NULL);
    if (o->at_x + w > o->page_w || o->at_y + h > o->page_h) {
        fprintf(stderr, "mkpage: '%s' (%dx%d) is larger than the page\n", in, w,
                h);
        goto fail;
    }
    page = pixCreate(o->page_w, o->page_h, wd);
    if (!page)
        goto fail;
    pixSetBlackOrWhite(page, L_SET_WHITE);
    pixRasterop(page, o->at_x, o->at_y, w, h, PIX_SRC, pix, 0, 0);
    pixDestroy(&pix);
    if (o->stamp) {
        PIX *stamp = pixRead(o->stamp), *st8 = NULL;

        if (stamp)
            st8 = wd == 32 ? pixConvertTo32(stamp) : pixConvertTo8(stamp, 0);
        pixDestroy(&stamp);
        if (!st8) {
            fprintf(stderr, "mkpage: cannot read '%s'\n", o->stamp);
            pixDestroy(&page);
            goto fail;
        }
        /* AND: white leaves the page as it is, black marks it. */
        pixRasterop(page, o->stamp_x, o->stamp_y, pixGetWidth(st8),
                    pixGetHeight(st8), PIX_SRC & PIX_DST, st8, 0, 0);
        pixDestroy(&st8);
    }
    return page;
fail:
    pixDestroy(&pix);
    return NULL;
}

/* Degrade one page in the order a scanner would; NULL on failure. */
static PIX *
degrade(const struct opts *o, PIX *pix)
{
    const double pi = 3.14159265358979323846;
    float f = (float)o->paper / 255.0f;

    if (o->skew != 0.0 &&
        take(&pix,
             pixRotate(pix, (float)(o->skew * pi / 180.0), L_ROTATE_AREA_MAP,
                       L_BRING_IN_WHITE, 0, 0),
             "skew"))
        goto fail;
    /* Ink on grey paper: multiply, so white becomes paper, black stays. */
    if (o->paper < 255) {
        if (pixGetDepth(pix) == 8)
            pixMultConstantGray(pix, f);
        else if (take(&pix, pixMultConstantColor(pix, f, f, f), "paper"))
            goto fail;
    }
    if (o->quads && take(&pix, pixRotateOrth(pix, o->quads), "rotation"))
        goto fail;
    if (o->noise > 0.0 &&
        take(&pix, pixAddGaussianNoise(pix, (float)o->noise), "noise"))
        goto fail;
    if (o->depth == 1 && take(&pix, pixConvertTo1(pix, 128), "binarising"))
        goto fail;
    if (o->depth == 16 &&
        take(&pix, pixConvert8To16(pix, 8), "conversion to 16 bpp"))
        goto fail;
    pixSetResolution(pix, o->dpi, o->dpi);
    return pix;
fail:
    pixDestroy(&pix);
    return NULL;
}

int
main(int argc, char **argv)
{
    struct opts o = {0.0, 0, 0.0, 255, 8,    300, 0, 0,
                     0,   0, 0,   0,   NULL, 0,   0, NULL};
    int i, nin, fmt, rc = 1;
    PIX *pix = NULL;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i], *v = argv[i + 1];

        if (!strcmp(a, "--skew")) {
            o.skew = num_arg(a, v, -45, 45);
        } else if (!strcmp(a, "--rotate")) {
            int deg = (int)num_arg(a, v, 0, 270);

            if (deg % 90)
                usage();
            o.quads = deg / 90;
        } else if (!strcmp(a, "--noise")) {
            o.noise = num_arg(a, v, 0, 100);
        } else if (!strcmp(a, "--paper")) {
            o.paper = (int)num_arg(a, v, 0, 255);
        } else if (!strcmp(a, "--depth")) {
            o.depth = (int)num_arg(a, v, 1, 32);
            if (o.depth != 1 && o.depth != 8 && o.depth != 16 && o.depth != 32)
                usage();
        } else if (!strcmp(a, "--dpi")) {
            o.dpi = (int)num_arg(a, v, 1, 10000);
        } else if (!strcmp(a, "--page")) {
            size_arg(a, v, &o.page_w, &o.page_h);
        } else if (!strcmp(a, "--blank")) {
            size_arg(a, v, &o.blank_w, &o.blank_h);
        } else if (!strcmp(a, "--at")) {
            size_arg(a, v, &o.at_x, &o.at_y);
        } else if (!strcmp(a, "--stamp")) {
            if (!v)
                usage();
            o.stamp = v;
        } else if (!strcmp(a, "--stamp-at")) {
            size_arg(a, v, &o.stamp_x, &o.stamp_y);
        } else if (!strcmp(a, "-o")) {
            if (!v)
                usage();
            o.out = v;
        } else {
            usage();
        }
        i++;
    }
    nin = argc - i;
    if (!o.out || (o.blank_w > 0) == (nin > 0))
        usage();
    fmt = format_of(o.out, o.depth);
    if (fmt < 0 || (nin > 1 && fmt != IFF_TIFF_G4 && fmt != IFF_TIFF_LZW)) {
        fprintf(stderr, "mkpage: cannot write '%s' at %d bpp%s\n", o.out,
                o.depth, nin > 1 ? " with several pages" : "");
        return 2;
    }
    srand(1);
    for (int k = 0; k < (nin ? nin : 1); k++) {
        const char *in = nin ? argv[i + k] : NULL;
        int bad;

        pix = load(&o, in);
        if (pix)
            pix = degrade(&o, pix);
        if (!pix)
            goto out;
        if (fmt == IFF_TIFF_G4 || fmt == IFF_TIFF_LZW)
            bad = pixWriteTiff(o.out, pix, fmt, k ? "a" : "w");
        else
            bad = pixWrite(o.out, pix, fmt);
        pixDestroy(&pix);
        if (bad) {
            fprintf(stderr, "mkpage: cannot write '%s'\n", o.out);
            goto out;
        }
    }
    rc = 0;
out:
    pixDestroy(&pix);
    return rc;
}
