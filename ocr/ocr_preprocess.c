/*
 * Page cleaning with Leptonica: grey conversion with paper levelling,
 * blank-page detection, deskew, and tidying of the recognised text.
 * Every function takes borrowed PIXes and returns new ones, so each PIX
 * has exactly one owner and one pixDestroy().
 */
#include "ocr/ocr_int.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <utf8proc.h>

/* A4 is 8.27 inches wide; the resolution assumed for a file without one. */
#define A4_WIDTH_IN 8.27

int
ocr_effective_dpi(struct Pix *pix)
{
    int dpi = pixGetXRes(pix);

    if (dpi >= 50 && dpi <= 2400)
        return dpi;
    dpi = (int)(pixGetWidth(pix) / A4_WIDTH_IN + 0.5);
    return dpi < 70 ? 70 : dpi;
}

struct Pix *
ocr_prep_gray(struct Pix *pix)
{
    PIX *flat = NULL, *gray = NULL, *norm = NULL;

    if (pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4)
        flat = pixAlphaBlendUniform(pix, 0xffffff00);
    else
        flat = pixClone(pix);
    if (!flat)
        goto out;
    gray = pixConvertTo8(flat, FALSE);
    if (!gray)
        goto out;
    /* Level the paper: grey, yellowed or unevenly lit paper to white. */
    norm = pixBackgroundNorm(gray, NULL, NULL, 10, 15, 100, 50, 255, 2, 1);
    if (!norm)
        norm = pixClone(gray);
    else
        pixCopyResolution(norm, pix);
out:
    pixDestroy(&flat);
    pixDestroy(&gray);
    return norm;
}

int
ocr_prep_is_blank(struct Pix *gray, int dpi)
{
    PIX *crop = NULL, *bin = NULL;
    BOX *inner = NULL;
    BOXA *marks = NULL;
    l_int32 w, h;
    int minsz = dpi / 25 > 6 ? dpi / 25 : 6; /* about a millimetre */
    int big = dpi / 6; /* about four millimetres: a stamp, a mark */
    int n = 0, blank = 0, significant = 0;

    /* Scanner edges and punch holes are not content: skip 4% margins. */
    pixGetDimensions(gray, &w, &h, NULL);
    inner = boxCreate(w / 25, h / 25, w - 2 * (w / 25), h - 2 * (h / 25));
    crop = inner ? pixClipRectangle(gray, inner, NULL) : NULL;
    /* Levelled paper is near 200; ink is far darker than show-through. */
    bin = crop ? pixThresholdToBinary(crop, 128) : NULL;
    marks = bin ? pixConnCompBB(bin, 8) : NULL;
    if (!marks)
        goto out; /* out of memory: not blank, so it gets OCR'd */
    n = boxaGetCount(marks);
    for (int i = 0; i < n && significant < 2; i++) {
        l_int32 bw, bh;

        boxaGetBoxGeometry(marks, i, NULL, NULL, &bw, &bh);
        if (bw >= big && bh >= big)
            significant = 2;
        else if (bw >= minsz && bh >= minsz)
            significant++;
    }
    blank = significant < 2;
out:
    boxaDestroy(&marks);
    pixDestroy(&bin);
    pixDestroy(&crop);
    boxDestroy(&inner);
    return blank;
}

struct Pix *
ocr_prep_deskew(struct Pix *gray, float *pangle)
{
    l_float32 angle = 0.0f, conf = 0.0f;
    PIX *out;

    *pangle = 0.0f;
    /* Defaults: 7 degree sweep, reduction 4 then 2, binarise at 130. */
    out = pixDeskewGeneral(gray, 0, 0.0f, 0.0f, 0, 0, &angle, &conf);
    /* Leptonica turns the page only when this sure (skew.c's limits). */
    if (out && conf >= 3.0f && fabsf(angle) >= 0.1f)
        *pangle = angle;
    return out;
}

/* Decode one character at s; sets *plen.  A bad byte reads as U+FFFD. */
static unsigned
utf8_decode(const unsigned char *s, int *plen)
{
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t n = utf8proc_iterate(s, -1, &c);

    if (n <= 0) {
        *plen = 1;
        return 0xfffd;
    }
    *plen = (int)n;
    return (unsigned)c;
}

/* Han ideographs, CJK punctuation and full-width forms. */
static int
is_cjk(unsigned c)
{
    return mr_is_han(c) || (c >= 0x3000 && c <= 0x303f) ||
           (c >= 0xff00 && c <= 0xffef);
}

void
ocr_text_tidy(char *text)
{
    unsigned char *s = (unsigned char *)text, *d = s;
    unsigned prev = 0; /* last character kept that is not a space */

    if (!text)
        return;
    while (*s) {
        int len;
        unsigned c = utf8_decode(s, &len);

        if (c == ' ' || c == '\t') {
            unsigned char *e = s;
            unsigned next;
            int nlen;

            while (*e == ' ' || *e == '\t')
                e++;
            next = utf8_decode(e, &nlen);
            /* Drop runs between CJK, or before a line end. */
            if ((is_cjk(prev) && is_cjk(next)) || next == '\n' ||
                next == '\0') {
                s = e;
                continue;
            }
            while (s < e)
                *d++ = *s++;
            continue;
        }
        prev = c;
        memmove(d, s, (size_t)len);
        d += len;
        s += len;
    }
    *d = '\0';
}
