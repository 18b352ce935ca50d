/*
 * Unit tests of scanner/scan_sane.c against real libsane and its virtual
 * `test` backend.  SANE_CONFIG_DIR points at a private temporary folder
 * (dll.conf: `test`), set before the first SANE call; each test writes the
 * test.conf it needs there before opening a device.  Since scanner/ stops
 * SANE when its last device closes, the next open re-reads the file.
 *
 * The backend's reader thread is cancelled asynchronously (sanei_thread
 * with pthreads) as soon as the last byte of a page is read: inside its
 * free() that deadlocks, and before it the thread's buffer leaks.  So
 * pages stay within a pipe's 64 KiB, which the thread writes at once,
 * and reads are limited to 1 KiB, so the thread is gone long before the
 * last byte is read.  After a fault the test pauses, as an operator
 * would, before the device is used again (when scanner/ cancels the
 * failed page).
 */
#include "scanner/scanner_int.h"

#include "tests/t.h"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <libgen.h>
#include <time.h>
#include <unistd.h>

static char confdir[64];
static char shipped[2048]; /* tests/sane.d, or "" when not found */

/* Every key, so that nothing depends on what an earlier test set. */
static const char base_conf[] = "number_of_devices 2\n"
                                "mode Gray\n"
                                "depth 8\n"
                                "hand-scanner false\n"
                                "three-pass false\n"
                                "three-pass-order RGB\n"
                                "resolution_min 1.0\n"
                                "resolution_max 1200.0\n"
                                "resolution_quant 1.0\n"
                                "resolution 50.0\n"
                                "scan-source \"Flatbed\"\n"
                                "test-picture \"Solid black\"\n"
                                "invert-endianess false\n"
                                "read-limit true\n"
                                "read-limit-size 16\n"
                                "read-delay false\n"
                                "read-delay-duration 1000\n"
                                "read-status-code \"Default\"\n"
                                "fuzzy-parameters false\n"
                                "ppl-loss 0\n"
                                "non-blocking false\n"
                                "select-fd false\n"
                                "enable-test-options false\n"
                                "geometry_min 0.0\n"
                                "geometry_max 200.0\n"
                                "geometry_quant 1.0\n"
                                "tl_x 0.0\n"
                                "tl_y 0.0\n"
                                "br_x 80.0\n"
                                "br_y 100.0\n";

/* The test backend's page at 50 dpi: 80 x 100 mm. */
#define PAGE_W 157
#define PAGE_H 196
/* Colour pages 80 x 60 mm, to stay within 64 KiB. */
#define COLOR "br_y 60.0\n"
#define COLOR_H 118

static void
write_file(const char *name, const char *a, const char *b)
{
    char path[128];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", confdir, name);
    fp = fopen(path, "w");
    if (!fp || fputs(a, fp) < 0 || fputs(b, fp) < 0 || fclose(fp) != 0)
        abort();
}

/* Write test.conf: the base, then extra lines (later lines win). */
static void
conf(const char *extra)
{
    write_file("test.conf", base_conf, extra);
}

static struct scan_dev *
open_dev(const char *extra, enum scan_source source, enum scan_mode mode,
         int dpi, struct mr_err *err)
{
    struct scan_settings s = {"test:0", source, dpi, mode};

    conf(extra);
    return scan_dev_open(&s, err);
}

/* Scan one page with the given test.conf lines and settings. */
static PIX *
scan_one(const char *extra, enum scan_mode mode, int dpi)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_dev *d = open_dev(extra, SCAN_SOURCE_DEFAULT, mode, dpi, &err);
    PIX *pix = NULL;

    T_CHECK(d != NULL);
    if (!d) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    T_EQ_INT(scan_dev_next(d, &pix, &err), 1);
    if (!pix)
        fprintf(stderr, "  %s\n", err.msg);
    scan_dev_close(&d);
    return pix;
}

/* The operator clearing a fault; the backend's reader thread ends. */
static void
operator_pause(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};

    nanosleep(&ts, NULL);
}

/* Whether every pixel of pix has value v. */
static int
all_pixels(PIX *pix, l_uint32 v)
{
    for (int y = 0; y < pixGetHeight(pix); y++)
        for (int x = 0; x < pixGetWidth(pix); x++) {
            l_uint32 p;

            pixGetPixel(pix, x, y, &p);
            if (p != v)
                return 0;
        }
    return 1;
}

/* Pages until the batch ends; the first failure's code, if any. */
static int
count_pages(struct scan_dev *d, struct mr_err *err, int *pn)
{
    PIX *pix = NULL;
    int rc;

    while ((rc = scan_dev_next(d, &pix, err)) == 1) {
        (*pn)++;
        pixDestroy(&pix);
    }
    return rc;
}

static void
test_devices_list(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_device_info *info = NULL;
    struct scan_dev *d;
    size_t n = 0;

    conf("");
    T_EQ_INT(scan_devices_list(&info, &n, &err), 0);
    T_EQ_INT(n, 2);
    if (n == 2) {
        T_EQ_STR(info[0].name, "test:0");
        T_EQ_STR(info[1].name, "test:1");
        T_EQ_STR(info[0].vendor, "Noname");
        T_EQ_STR(info[0].model, "frontend-tester");
        T_EQ_STR(info[0].type, "virtual device");
        T_EQ_INT(info[0].nsources, 2);
        if (info[0].nsources == 2) {
            T_EQ_STR(info[0].sources[0], "Flatbed");
            T_EQ_STR(info[0].sources[1], "Automatic Document Feeder");
        }
    }
    scan_device_info_free(info, n);

    /* A device that cannot be opened now is listed without sources. */
    d = open_dev("", SCAN_SOURCE_DEFAULT, SCAN_MODE_DEFAULT, 0, &err);
    T_CHECK(d != NULL);
    T_EQ_INT(scan_devices_list(&info, &n, &err), 0);
    T_EQ_INT(n, 2);
    if (n == 2) {
        T_EQ_STR(info[0].name, "test:0");
        T_EQ_INT(info[0].nsources, 0);
        T_EQ_INT(info[1].nsources, 2);
    }
    scan_device_info_free(info, n);
    scan_dev_close(&d);
    T_CHECK(d == NULL);
    scan_dev_close(NULL);
    scan_device_info_free(NULL, 0);

    /* No backend, no device (number_of_devices 0 crashes the backend). */
    write_file("dll.conf", "", "");
    T_EQ_INT(scan_devices_list(&info, &n, &err), 0);
    T_EQ_INT(n, 0);
    scan_device_info_free(info, n);
    write_file("dll.conf", "test\n", "");
}

/* The feeder holds 10 sheets: exactly 10 pages, then 0, and 0 again. */
static void
test_adf_batch(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_dev *d;
    PIX *pix = NULL;
    int n = 0, rc;

    d = open_dev("", SCAN_SOURCE_ADF, SCAN_MODE_GRAY, 0, &err);
    T_CHECK(d != NULL);
    if (!d)
        return;
    T_EQ_STR(scan_dev_name(d), "test:0");
    while ((rc = scan_dev_next(d, &pix, &err)) == 1) {
        n++;
        T_EQ_INT(pixGetWidth(pix), PAGE_W);
        T_EQ_INT(pixGetHeight(pix), PAGE_H);
        T_EQ_INT(pixGetDepth(pix), 8);
        T_EQ_INT(pixGetXRes(pix), 50);
        T_EQ_INT(pixGetYRes(pix), 50);
        pixDestroy(&pix);
    }
    T_EQ_INT(rc, 0);
    T_EQ_INT(n, 10);
    T_CHECK(pix == NULL);
    T_EQ_INT(scan_dev_next(d, &pix, &err), 0);
    T_EQ_INT(err.code, 0);
    scan_dev_close(&d);
}

/* A flatbed gives its one page, then the batch is over. */
static void
test_flatbed(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_dev *d;
    PIX *pix = NULL;

    /* The configured feeder is switched to the flatbed by the setting. */
    d = open_dev("scan-source \"Automatic Document Feeder\"\n",
                 SCAN_SOURCE_FLATBED, SCAN_MODE_DEFAULT, 0, &err);
    T_CHECK(d != NULL);
    if (!d)
        return;
    T_EQ_INT(scan_dev_next(d, &pix, &err), 1);
    T_CHECK(pix != NULL);
    pixDestroy(&pix);
    T_EQ_INT(scan_dev_next(d, &pix, &err), 0);
    T_EQ_INT(scan_dev_next(d, &pix, &err), 0);
    T_CHECK(pix == NULL);
    scan_dev_close(&d);
}

static void
test_default_device(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_settings s = {NULL, SCAN_SOURCE_DEFAULT, 0, SCAN_MODE_DEFAULT};
    struct scan_dev *d;

    conf("");
    d = scan_dev_open(&s, &err);
    T_CHECK(d != NULL);
    T_EQ_STR(scan_dev_name(d), "test:0");
    scan_dev_close(&d);

    write_file("dll.conf", "", "");
    d = scan_dev_open(&s, &err);
    T_CHECK(d == NULL);
    T_EQ_INT(err.code, MR_ENOTFOUND);
    T_EQ_STR(err.msg, "no scanner found");
    write_file("dll.conf", "test\n", "");
}

/*
 * Line art is gray at depth 1 on this backend.  SANE's 1 bit is black, as
 * Leptonica's: a solid black page has every bit set, a white one none, and
 * the 1-bit grid is the 8-bit grid thresholded.  157 pixels a line leave
 * 3 bits of padding in each line's last byte.
 */
static void
test_lineart(void)
{
    PIX *pix, *gray, *bin;

    pix = scan_one("", SCAN_MODE_LINEART, 0);
    if (pix) {
        l_int32 count = -1;

        T_EQ_INT(pixGetDepth(pix), 1);
        T_EQ_INT(pixGetWidth(pix), PAGE_W);
        pixCountPixels(pix, &count, NULL);
        T_EQ_INT(count, PAGE_W * PAGE_H);
        T_EQ_INT(pixGetXRes(pix), 50);
    }
    pixDestroy(&pix);

    pix = scan_one("test-picture \"Solid white\"\n", SCAN_MODE_LINEART, 0);
    if (pix) {
        l_int32 count = -1;

        T_EQ_INT(pixGetDepth(pix), 1);
        pixCountPixels(pix, &count, NULL);
        T_EQ_INT(count, 0);
    }
    pixDestroy(&pix);

    pix = scan_one("test-picture \"Grid\"\n", SCAN_MODE_LINEART, 0);
    gray = scan_one("test-picture \"Grid\"\ndepth 1\n", SCAN_MODE_GRAY, 0);
    if (pix && gray) {
        l_int32 same = 0, count = 0;

        T_EQ_INT(pixGetDepth(gray), 8);
        bin = pixThresholdToBinary(gray, 128);
        pixEqual(pix, bin, &same);
        T_CHECK(same);
        pixCountPixels(pix, &count, NULL);
        T_CHECK(count > 0 && count < PAGE_W * PAGE_H);
        pixDestroy(&bin);
    }
    pixDestroy(&pix);
    pixDestroy(&gray);
}

static void
test_gray8(void)
{
    PIX *pix;

    pix = scan_one("", SCAN_MODE_GRAY, 0);
    if (pix) {
        T_EQ_INT(pixGetDepth(pix), 8);
        T_CHECK(all_pixels(pix, 0));
    }
    pixDestroy(&pix);
    /* Gray on a device left at depth 1 asks for depth 8. */
    pix =
        scan_one("depth 1\ntest-picture \"Solid white\"\n", SCAN_MODE_GRAY, 0);
    if (pix) {
        T_EQ_INT(pixGetDepth(pix), 8);
        T_CHECK(all_pixels(pix, 255));
    }
    pixDestroy(&pix);
}

/*
 * 16-bit gray stays 16 bpp.  The colour pattern at depth 16 is a ramp,
 * value(x, y) = (x - 4) * 256 + (y - 4) inside a 4-pixel frame, so a
 * byte-order mistake shows.
 */
static void
test_gray16(void)
{
    static const int xs[] = {4, 5, 60, 150, 156}, ys[] = {4, 6, 100, 195};
    PIX *pix;

    pix = scan_one("depth 16\ntest-picture \"Color pattern\"\n",
                   SCAN_MODE_DEFAULT, 0);
    if (pix) {
        T_EQ_INT(pixGetDepth(pix), 16);
        T_EQ_INT(pixGetWidth(pix), PAGE_W);
        for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
            for (size_t j = 0; j < sizeof(ys) / sizeof(ys[0]); j++) {
                l_uint32 v = 0;

                pixGetPixel(pix, xs[i], ys[j], &v);
                T_EQ_INT(v, (xs[i] - 4) * 256 + (ys[j] - 4));
            }
    }
    pixDestroy(&pix);
    pix =
        scan_one("depth 16\ntest-picture \"Solid white\"\n", SCAN_MODE_GRAY, 0);
    if (pix) {
        T_EQ_INT(pixGetDepth(pix), 16);
        T_CHECK(all_pixels(pix, 65535));
    }
    pixDestroy(&pix);
}

static void
test_color(void)
{
    PIX *pix, *pix16;

    pix = scan_one(COLOR "test-picture \"Solid white\"\n", SCAN_MODE_COLOR, 0);
    if (pix) {
        l_uint32 white;

        composeRGBPixel(255, 255, 255, &white);
        T_EQ_INT(pixGetDepth(pix), 32);
        T_CHECK(all_pixels(pix, white));
    }
    pixDestroy(&pix);

    /* The pattern has colour in it, and 16-bit colour reads the same. */
    pix =
        scan_one(COLOR "test-picture \"Color pattern\"\n", SCAN_MODE_COLOR, 0);
    pix16 = scan_one("test-picture \"Color pattern\"\ndepth 16\n"
                     "br_x 40.0\nbr_y 40.0\n",
                     SCAN_MODE_COLOR, 0);
    if (pix && pix16) {
        l_int32 colored = 0, r, g, b;

        for (int y = 0; y < COLOR_H && !colored; y++)
            for (int x = 0; x < PAGE_W && !colored; x++) {
                pixGetRGBPixel(pix, x, y, &r, &g, &b);
                colored = r != g || g != b;
            }
        T_CHECK(colored);
        T_EQ_INT(pixGetDepth(pix16), 32);
        T_EQ_INT(pixGetHeight(pix), COLOR_H);
        T_EQ_INT(pixGetWidth(pix16), 78);
        T_EQ_INT(pixGetHeight(pix16), 78);
    }
    pixDestroy(&pix);
    pixDestroy(&pix16);
}

/* Three frames, in any order, make the same page as one RGB frame. */
static void
test_three_pass(void)
{
    static const char *const orders[] = {"RGB", "GBR", "BRG"};
    PIX *ref;

    ref = scan_one(COLOR "mode Color\ntest-picture \"Color pattern\"\n",
                   SCAN_MODE_COLOR, 0);
    for (size_t i = 0; ref && i < sizeof(orders) / sizeof(orders[0]); i++) {
        char extra[256];
        PIX *pix;

        snprintf(extra, sizeof(extra),
                 COLOR "mode Color\nthree-pass true\nthree-pass-order %s\n"
                       "test-picture \"Color pattern\"\n",
                 orders[i]);
        pix = scan_one(extra, SCAN_MODE_COLOR, 0);
        if (pix) {
            l_int32 same = 0;

            pixEqual(pix, ref, &same);
            T_CHECK(same);
            if (!same)
                fprintf(stderr, "  three-pass order %s\n", orders[i]);
        }
        pixDestroy(&pix);
    }
    pixDestroy(&ref);
}

/* A hand scanner does not know the height: 11 x 17 cm, here at 40 dpi. */
static void
test_hand_scanner(void)
{
    PIX *pix = scan_one("hand-scanner true\n", SCAN_MODE_GRAY, 40);

    if (pix) {
        T_EQ_INT(pixGetWidth(pix), 173);
        T_EQ_INT(pixGetHeight(pix), 267);
        T_EQ_INT(pixGetXRes(pix), 40);
        T_CHECK(all_pixels(pix, 0));
    }
    pixDestroy(&pix);
}

/* Reads of 7 bytes at most give the same page as reads of 64 KiB. */
static void
test_read_limit(void)
{
    PIX *ref, *pix;

    ref =
        scan_one(COLOR "test-picture \"Color pattern\"\n", SCAN_MODE_COLOR, 0);
    pix = scan_one(COLOR "test-picture \"Color pattern\"\nread-limit true\n"
                         "read-limit-size 7\n",
                   SCAN_MODE_COLOR, 0);
    if (ref && pix) {
        l_int32 same = 0;

        pixEqual(pix, ref, &same);
        T_CHECK(same);
    }
    pixDestroy(&ref);
    pixDestroy(&pix);
}

/* Lines padded past their pixels: the padding is dropped. */
static void
test_line_padding(void)
{
    PIX *ref, *pix;

    ref = scan_one("test-picture \"Grid\"\n", SCAN_MODE_GRAY, 0);
    pix = scan_one("test-picture \"Grid\"\nppl-loss 5\n", SCAN_MODE_GRAY, 0);
    if (ref && pix) {
        BOX *box = boxCreate(0, 0, PAGE_W - 5, PAGE_H);
        PIX *clip = pixClipRectangle(ref, box, NULL);
        l_int32 same = 0;

        T_EQ_INT(pixGetWidth(pix), PAGE_W - 5);
        pixEqual(pix, clip, &same);
        T_CHECK(same);
        pixDestroy(&clip);
        boxDestroy(&box);
    }
    pixDestroy(&ref);
    pixDestroy(&pix);
}

/* The nearest resolution the device allows (here 25, 50, 75, ...). */
static void
test_resolution(void)
{
    static const struct {
        int ask, get;
    } cases[] = {{60, 50}, {70, 75}, {10, 25}, {5000, 1200}};
    const char *extra = "resolution_min 25.0\nresolution_quant 25.0\n"
                        "br_x 4.0\nbr_y 4.0\n";

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PIX *pix = scan_one(extra, SCAN_MODE_GRAY, cases[i].ask);

        if (pix) {
            T_EQ_INT(pixGetXRes(pix), cases[i].get);
            T_EQ_INT(pixGetWidth(pix), (int)(cases[i].get * 4 / 25.4));
        }
        pixDestroy(&pix);
    }
}

static const struct {
    const char *status;
    int code;
    const char *msg; /* part of the message */
} faults[] = {
    {"SANE_STATUS_JAMMED", MR_EJAM,
     "paper jam in 'test:0': clear the feeder and continue"},
    {"SANE_STATUS_COVER_OPEN", MR_EJAM, "cover open on 'test:0'"},
    {"SANE_STATUS_DEVICE_BUSY", MR_EBUSY, "scanner 'test:0' is busy"},
    {"SANE_STATUS_IO_ERROR", MR_EDEVICE,
     "cannot scan on 'test:0': Error during device I/O"},
    {"SANE_STATUS_NO_MEM", MR_EDEVICE, "cannot scan on 'test:0': "},
    {"SANE_STATUS_CANCELLED", MR_EINTR, "scan on 'test:0' was cancelled"},
};

/* Faults set in test.conf: every sheet fails, and nothing is returned. */
static void
test_faults_config(void)
{
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        struct mr_err err = MR_ERR_INIT;
        struct scan_dev *d;
        char extra[256];
        PIX *pix = NULL;

        snprintf(extra, sizeof(extra),
                 "enable-test-options true\nread-status-code \"%s\"\n",
                 faults[i].status);
        d = open_dev(extra, SCAN_SOURCE_ADF, SCAN_MODE_DEFAULT, 0, &err);
        T_CHECK(d != NULL);
        if (!d)
            continue;
        T_EQ_INT(scan_dev_next(d, &pix, &err), faults[i].code);
        T_CHECK(pix == NULL);
        T_CHECK(strstr(err.msg, faults[i].msg) != NULL);
        if (!strstr(err.msg, faults[i].msg))
            fprintf(stderr, "  %s: '%s'\n", faults[i].status, err.msg);
        /* Not cleared: the next sheet fails the same way. */
        operator_pause();
        mr_err_clear(&err);
        T_EQ_INT(scan_dev_next(d, &pix, &err), faults[i].code);
        T_CHECK(pix == NULL);
        operator_pause();
        scan_dev_close(&d);
    }
}

/* NO_DOCS from sane_read ends the batch like NO_DOCS from sane_start. */
static void
test_no_docs_read(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_dev *d;
    PIX *pix = NULL;

    d = open_dev("read-status-code \"SANE_STATUS_NO_DOCS\"\n", SCAN_SOURCE_ADF,
                 SCAN_MODE_DEFAULT, 0, &err);
    T_CHECK(d != NULL);
    if (!d)
        return;
    T_EQ_INT(scan_dev_next(d, &pix, &err), 0);
    T_CHECK(pix == NULL);
    T_EQ_INT(err.code, 0);
    T_EQ_INT(scan_dev_next(d, &pix, &err), 0);
    operator_pause();
    scan_dev_close(&d);
}

/*
 * A fault on the third sheet: two pages came, the fault is reported, and
 * once cleared the same stack goes on.  The backend counts the failed
 * sheet as fed, so 7 more pages follow; none is returned twice.
 */
static void
test_faults_mid_stack(void)
{
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        struct mr_err err = MR_ERR_INIT;
        struct scan_dev *d;
        PIX *pix = NULL;
        int n = 0;

        d = open_dev("", SCAN_SOURCE_ADF, SCAN_MODE_DEFAULT, 0, &err);
        T_CHECK(d != NULL);
        if (!d)
            continue;
        for (int k = 0; k < 2; k++) {
            T_EQ_INT(scan_dev_next(d, &pix, &err), 1);
            pixDestroy(&pix);
        }
        T_EQ_INT(
            scan_dev_set_option(d, "read-return-value", faults[i].status, &err),
            0);
        T_EQ_INT(scan_dev_next(d, &pix, &err), faults[i].code);
        T_CHECK(pix == NULL);
        T_CHECK(strstr(err.msg, faults[i].msg) != NULL);
        operator_pause();
        mr_err_clear(&err);
        T_EQ_INT(scan_dev_set_option(d, "read-return-value", "default", &err),
                 0);
        T_EQ_INT(count_pages(d, &err, &n), 0);
        T_EQ_INT(n, 7);
        if (err.code)
            fprintf(stderr, "  %s: '%s'\n", faults[i].status, err.msg);
        scan_dev_close(&d);
    }
}

static void
test_open_errors(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_settings s = {"test:9", SCAN_SOURCE_DEFAULT, 0,
                              SCAN_MODE_DEFAULT};
    struct scan_dev *d, *d2;

    conf("");
    d = scan_dev_open(&s, &err);
    T_CHECK(d == NULL);
    T_EQ_INT(err.code, MR_ENOTFOUND);
    T_EQ_STR(err.msg, "no scanner 'test:9'");

    mr_err_clear(&err);
    s.device = "nosuchbackend:0";
    d = scan_dev_open(&s, &err);
    T_CHECK(d == NULL);
    T_EQ_INT(err.code, MR_ENOTFOUND);

    /* The test backend has no duplex: say what it has. */
    mr_err_clear(&err);
    d = open_dev("", SCAN_SOURCE_DUPLEX, SCAN_MODE_DEFAULT, 0, &err);
    T_CHECK(d == NULL);
    T_EQ_INT(err.code, MR_EINVAL);
    T_EQ_STR(err.msg, "scanner 'test:0' has no duplex source (it offers: "
                      "Flatbed, Automatic Document Feeder)");

    /* In use. */
    mr_err_clear(&err);
    d = open_dev("", SCAN_SOURCE_DEFAULT, SCAN_MODE_DEFAULT, 0, &err);
    T_CHECK(d != NULL);
    s.device = "test:0";
    d2 = scan_dev_open(&s, &err);
    T_CHECK(d2 == NULL);
    T_EQ_INT(err.code, MR_EBUSY);
    T_EQ_STR(err.msg, "scanner 'test:0' is in use");

    /* Options it does not have or values it does not take. */
    mr_err_clear(&err);
    T_EQ_INT(scan_dev_set_option(d, "no-such-option", "1", &err), MR_EINVAL);
    T_EQ_STR(err.msg, "scanner 'test:0' has no 'no-such-option' setting");
    mr_err_clear(&err);
    T_EQ_INT(scan_dev_set_option(d, "source", "Duplex", &err), MR_EINVAL);
    T_EQ_STR(err.msg, "scanner 'test:0' has no source 'Duplex' (it offers: "
                      "Flatbed, Automatic Document Feeder)");
    mr_err_clear(&err);
    T_EQ_INT(scan_dev_set_option(d, "hand-scanner", "maybe", &err), MR_EINVAL);
    /* Inactive unless three-pass colour. */
    mr_err_clear(&err);
    T_EQ_INT(scan_dev_set_option(d, "three-pass-order", "BGR", &err),
             MR_EINVAL);
    T_EQ_STR(err.msg, "the 'three-pass-order' setting of scanner 'test:0' "
                      "cannot be changed now");
    scan_dev_close(&d);
}

/* The configurations in tests/sane.d, copied into the private folder. */
static void
test_shipped_config(void)
{
    char path[4200], *text = NULL;
    struct mr_err err = MR_ERR_INIT;
    struct scan_settings s = {NULL, SCAN_SOURCE_DEFAULT, 0, SCAN_MODE_DEFAULT};
    struct scan_dev *d;
    PIX *pix = NULL;
    size_t len = 0;
    int n = 0;

    if (!*shipped)
        return; /* counted as skipped by main */
    snprintf(path, sizeof(path), "%s/dll.conf", shipped);
    text = (char *)l_binaryRead(path, &len);
    T_EQ_STR(text, "test\n");
    free(text);

    snprintf(path, sizeof(path), "%s/test.conf", shipped);
    text = (char *)l_binaryRead(path, &len);
    T_CHECK(text != NULL);
    write_file("test.conf", text ? text : "", "");
    free(text);
    d = scan_dev_open(&s, &err);
    T_CHECK(d != NULL);
    if (d) {
        T_EQ_INT(count_pages(d, &err, &n), 0);
        T_EQ_INT(n, 10);
        scan_dev_close(&d);
    }

    snprintf(path, sizeof(path), "%s/jam/test.conf", shipped);
    text = (char *)l_binaryRead(path, &len);
    T_CHECK(text != NULL);
    write_file("test.conf", text ? text : "", "");
    free(text);
    d = scan_dev_open(&s, &err);
    T_CHECK(d != NULL);
    if (d) {
        T_EQ_INT(scan_dev_next(d, &pix, &err), MR_EJAM);
        T_EQ_STR(err.msg,
                 "paper jam in 'test:0': clear the feeder and continue");
        operator_pause();
        scan_dev_close(&d);
    }
}

/*
 * The backend's reader thread, cancelled as it ends, leaks its 64 KiB
 * picture buffer now and then (most often under ASan).  That is the
 * backend's, not ours: tell LeakSanitizer, and keep the backend loaded
 * (SANE's dll backend unloads it at sane_exit) so that it can be named.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
    return "leak:libsane-test.so\n";
}

static void
keep_backend_loaded(void)
{
    static const char *const dirs[] = {
        "/usr/lib/x86_64-linux-gnu/sane", "/usr/lib/aarch64-linux-gnu/sane",
        "/usr/lib64/sane", "/usr/lib/sane", "/usr/local/lib/sane"};
    char path[256];

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/libsane-test.so.1", dirs[i]);
        if (dlopen(path, RTLD_NOW))
            return;
    }
}

/* Find tests/sane.d from the working folder or from the binary's place. */
static void
find_shipped(const char *argv0)
{
    char buf[4096];

    snprintf(shipped, sizeof(shipped), "tests/sane.d");
    if (access("tests/sane.d/test.conf", R_OK) == 0)
        return;
    snprintf(buf, sizeof(buf), "%s", argv0);
    snprintf(shipped, sizeof(shipped), "%s/../../tests/sane.d", dirname(buf));
    snprintf(buf, sizeof(buf), "%s/test.conf", shipped);
    if (access(buf, R_OK) != 0)
        shipped[0] = '\0';
}

int
main(int argc, char **argv)
{
    static const struct t_case cases[] = {
        {"devices_list", test_devices_list},
        {"adf_batch", test_adf_batch},
        {"flatbed", test_flatbed},
        {"default_device", test_default_device},
        {"lineart", test_lineart},
        {"gray8", test_gray8},
        {"gray16", test_gray16},
        {"color", test_color},
        {"three_pass", test_three_pass},
        {"hand_scanner", test_hand_scanner},
        {"read_limit", test_read_limit},
        {"line_padding", test_line_padding},
        {"resolution", test_resolution},
        {"faults_config", test_faults_config},
        {"no_docs_read", test_no_docs_read},
        {"faults_mid_stack", test_faults_mid_stack},
        {"open_errors", test_open_errors},
        {"shipped_config", test_shipped_config},
        {NULL, NULL},
    };
    char cmd[128];
    int rc;

    mr_library_messages_init();
    keep_backend_loaded();
    find_shipped(argv[0]);
    snprintf(confdir, sizeof(confdir), "/tmp/t_sane.XXXXXX");
    if (!mkdtemp(confdir))
        abort();
    write_file("dll.conf", "test\n", "");
    conf("");
    /* Before any SANE call, and without a trailing colon: only ours. */
    setenv("SANE_CONFIG_DIR", confdir, 1);
    /* Said first: the runner's summary must be the last line. */
    if (!*shipped)
        printf("# 1 skipped\n");
    rc = t_run(cases, argc, argv);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", confdir);
    if (system(cmd))
        fprintf(stderr, "cannot remove %s\n", confdir);
    return rc;
}
