/*
 * Barcodes on a page, read with ZBar (QR, Code 128, Code 39, EAN, the
 * other symbologies ZBar knows), and the look of a separator sheet.
 *
 * A missed separator sheet merges two letters without a word, so a page
 * that looks like one is not given up on after one try: the whole page
 * is read at full size, then at half size (which averages scanner noise
 * away and brings a coarse symbol into ZBar's range), then as a clean
 * black-and-white copy.  A page whose ink is one compact symbol and
 * nothing else is reported as such, read or not, so that an unreadable
 * separator sheet is still noticed.  Other pages get one quick pass, for
 * the barcodes a letter may carry: reading every page thoroughly would
 * cost a fifth of the page's recognition time.
 */
#include "ocr/ocr_int.h"

#include <leptonica/allheaders.h>
#include <zbar.h>

/* Append "TYPE:DATA\n" for sym to *pcodes unless it is there already. */
static int
code_add(char **pcodes, const zbar_symbol_t *sym, struct mr_err *err)
{
    const char *type = zbar_get_symbol_name(zbar_symbol_get_type(sym));
    const char *data = zbar_symbol_get_data(sym);
    unsigned len = zbar_symbol_get_data_length(sym);
    size_t old = *pcodes ? strlen(*pcodes) : 0, tl = strlen(type), n;
    char *line, *grown;

    n = tl + 1 + len + 2;
    line = malloc(n);
    if (!line)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    memcpy(line, type, tl);
    line[tl] = ':';
    /* One line per symbol: control bytes in the data become '?'. */
    for (unsigned i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];

        line[tl + 1 + i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    line[n - 2] = '\n';
    line[n - 1] = '\0';
    if (*pcodes) {
        for (const char *p = *pcodes; *p; p = strchr(p, '\n') + 1) {
            if (!strncmp(p, line, n - 1)) {
                free(line);
                return 0;
            }
        }
    }
    grown = realloc(*pcodes, old + n);
    if (!grown) {
        free(line);
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    memcpy(grown + old, line, n);
    *pcodes = grown;
    free(line);
    return 0;
}

/*
 * Read the symbols on 8 bpp grey pix into *pcodes.  *pfound counts them.
 */
static int
codes_read(zbar_image_scanner_t *sc, PIX *pix, char **pcodes, int *pfound,
           struct mr_err *err)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
    l_int32 wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    unsigned char *buf = malloc((size_t)w * (size_t)h);
    zbar_image_t *img = zbar_image_create();
    int rc = 0, n;

    *pfound = 0;
    if (!buf || !img) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (l_int32 y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;

        for (l_int32 x = 0; x < w; x++)
            buf[(size_t)y * (size_t)w + (size_t)x] =
                (unsigned char)GET_DATA_BYTE(line, x);
    }
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, buf, (unsigned long)w * (unsigned long)h, NULL);
    n = zbar_scan_image(sc, img);
    if (n < 0) {
        rc = mr_fail(err, MR_EOCR, _("the barcode reader failed"));
        goto out;
    }
    for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s && !rc;
         s = zbar_symbol_next(s)) {
        rc = code_add(pcodes, s, err);
        (*pfound)++;
    }
out:
    zbar_image_destroy(img);
    free(buf);
    return rc;
}

int
ocr_read_codes(struct Pix *gray, int thorough, char **pcodes,
               struct mr_err *err)
{
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    PIX *half = NULL, *bw = NULL, *bw8 = NULL;
    int rc, found = 0;

    *pcodes = NULL;
    if (!sc)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 1);
    /*
     * Two-digit and five-digit add-ons and DataBar turn bars misread in
     * noise into short nonsense codes; no separator or office slip uses
     * them.
     */
    zbar_image_scanner_set_config(sc, ZBAR_EAN2, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_EAN5, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_DATABAR, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_DATABAR_EXP, ZBAR_CFG_ENABLE, 0);
    if (!thorough) {
        /*
         * Every fourth line each way: a symbol is many lines tall (at 300
         * dpi a 1 cm bar code is 118), and the pass costs 0.07 s of CPU a
         * page instead of 0.13 s for every other line.
         */
        zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_X_DENSITY, 4);
        zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_Y_DENSITY, 4);
    }
    rc = codes_read(sc, gray, pcodes, &found, err);
    if (!rc && !found && thorough) {
        half = pixScaleAreaMap2(gray);
        rc = half ? codes_read(sc, half, pcodes, &found, err)
                  : mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    if (!rc && !found && thorough) {
        bw = pixThresholdToBinary(gray, 128);
        bw8 = bw ? pixConvert1To8(NULL, bw, 255, 0) : NULL;
        rc = bw8 ? codes_read(sc, bw8, pcodes, &found, err)
                 : mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    if (rc) {
        free(*pcodes);
        *pcodes = NULL;
    }
    pixDestroy(&bw8);
    pixDestroy(&bw);
    pixDestroy(&half);
    zbar_image_scanner_destroy(sc);
    return rc;
}

int
ocr_prep_is_symbol(struct Pix *gray, int dpi)
{
    PIX *crop = NULL, *bin = NULL, *merged = NULL;
    BOX *inner = NULL, *best = NULL;
    BOXA *blobs = NULL;
    l_int32 w, h, total = 0, inside = 0, bw, bh;
    l_float64 best_area = 0;
    int brick = dpi / 10 > 3 ? dpi / 10 : 3; /* about 2.5 mm */
    int symbol = 0;

    pixGetDimensions(gray, &w, &h, NULL);
    inner = boxCreate(w / 25, h / 25, w - 2 * (w / 25), h - 2 * (h / 25));
    crop = inner ? pixClipRectangle(gray, inner, NULL) : NULL;
    bin = crop ? pixThresholdToBinary(crop, 128) : NULL;
    /* Close the gaps between bars and modules: a symbol becomes a blob. */
    merged = bin ? pixCloseBrick(NULL, bin, brick, brick) : NULL;
    blobs = merged ? pixConnCompBB(merged, 8) : NULL;
    if (!blobs || pixCountPixels(bin, &total, NULL) || total == 0)
        goto out;
    for (int i = 0; i < boxaGetCount(blobs); i++) {
        boxaGetBoxGeometry(blobs, i, NULL, NULL, &bw, &bh);
        if ((l_float64)bw * bh > best_area) {
            best_area = (l_float64)bw * bh;
            boxDestroy(&best);
            best = boxaGetBox(blobs, i, L_COPY);
        }
    }
    if (!best || pixCountPixelsInRect(bin, best, &inside, NULL))
        goto out;
    boxGetGeometry(best, NULL, NULL, &bw, &bh);
    /*
     * One symbol: nearly all the ink in one blob at least 6 mm a side,
     * no longer than eight times its height, covering at most a fifth of
     * the page, and dense the way bars and modules are (text is sparser).
     */
    symbol =
        inside >= total * 0.9 && bw >= dpi / 4 && bh >= dpi / 4 &&
        bw <= 8 * bh && bh <= 8 * bw &&
        best_area <= 0.2 * (l_float64)pixGetWidth(bin) * pixGetHeight(bin) &&
        inside >= 0.3 * best_area;
out:
    boxDestroy(&best);
    boxaDestroy(&blobs);
    pixDestroy(&merged);
    pixDestroy(&bin);
    pixDestroy(&crop);
    boxDestroy(&inner);
    return symbol;
}
