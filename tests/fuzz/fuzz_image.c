/*
 * libFuzzer harness for the image import path: the bytes are an image file
 * handed to `mailroom import`, and go through what becomes of a file
 * before recognition: scan_file_open (format sniffing), scan_file_next on
 * every page (the pixel and byte limits, decoding, the TIFF walk), the
 * archive's lossless encoding of a page not kept as delivered and its
 * decoding when the reader takes the page back, then ocr_page_survey
 * (grey page, blank and separator checks, barcodes) and, for a page with
 * content, the half-size copy orientation detection reads and the
 * deskew.  Tesseract itself is left out: it takes a second a page.  The
 * import path reads by name, so each input is written to a private file.
 * It calls the archive's and ocr/'s private functions, as unit tests do.
 * `make fuzz` builds and runs it.
 */
#include "archive/arc_int.h"
#include "ocr/ocr_int.h"
#include "scanner/scanner.h"

#include <leptonica/allheaders.h>
#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[80];

static void
remove_file(void)
{
    unlink(path);
    rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof(dir), "%s/fuzz_image.XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/page", dir);
    atexit(remove_file);
    mr_library_messages_init();
    return 0;
}

/* The archive's round trip of a page stored by encoding it. */
static void
store_and_take_back(PIX *pix)
{
    struct mr_err err = MR_ERR_INIT;
    unsigned char *data = NULL;
    size_t size = 0;
    const char *format, *ext;
    PIX *back;

    if (arc_image_encode(pix, &data, &size, &format, &ext, &err))
        return;
    back = arc_image_decode(data, size);
    pixDestroy(&back);
    lept_free(data);
}

/* What ocr_page does before Tesseract is called. */
static void
prepare(PIX *pix)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_page page;
    PIX *gray = NULL, *half = NULL, *straight = NULL;
    float angle;

    mr_page_init(&page);
    if (ocr_page_survey(pix, &page, &err) ||
        (page.flags & (MR_PAGE_BLANK | MR_PAGE_SYMBOL)))
        goto out;
    gray = ocr_prep_gray(pix);
    if (!gray)
        goto out;
    half = pixScaleAreaMap2(gray);
    straight = ocr_prep_deskew(gray, &angle);
out:
    pixDestroy(&straight);
    pixDestroy(&half);
    pixDestroy(&gray);
    mr_page_release(&page);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_file *f = NULL;
    const unsigned char *orig;
    const char *format;
    size_t osize;
    FILE *fp;
    PIX *pix = NULL;

    fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp))
        abort();
    f = scan_file_open(path, &err);
    while (f && scan_file_next(f, &pix, &err) > 0) {
        if (!scan_file_original(f, &orig, &osize, &format))
            store_and_take_back(pix);
        prepare(pix);
        pixDestroy(&pix);
    }
    scan_file_close(&f);
    return 0;
}
