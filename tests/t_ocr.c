/*
 * Unit tests of ocr/: text tidying, blank detection, resolution,
 * recognition of rendered English pages in all four orientations, and
 * words blacked out.
 */
#include "ocr/ocr_int.h"

#include "tests/t.h"

#include <leptonica/allheaders.h>

static const char *const lines[] = {
    "DEAR MAYOR, THE BUS STOP",  "ON RIVER ROAD HAS BEEN",
    "CLOSED FOR THREE MONTHS.",  "PLEASE REOPEN IT FOR THE",
    "OLD PEOPLE WHO LIVE IN",    "OUR STREET. THANK YOU.",
    "JOHN SMITH, 12 RIVER ROAD",
};

/*
 * An A4-shaped 8 bpp page at 300 dpi with the lines above, drawn with
 * Leptonica's bitmap font at 150 dpi and scaled up, so glyphs are about
 * as large as 12 point type.
 */
static PIX *
text_page(void)
{
    L_BMF *bmf = bmfCreate(NULL, 14);
    PIX *small = pixCreate(1240, 1754, 8), *page;

    pixSetAll(small);
    for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++)
        pixSetTextline(small, bmf, lines[i], 0x0, 100, (l_int32)(150 + 50 * i),
                       NULL, NULL);
    page = pixScale(small, 2.0f, 2.0f);
    pixSetResolution(page, 300, 300);
    pixDestroy(&small);
    bmfDestroy(&bmf);
    return page;
}

static void
test_tidy(void)
{
    char a[] = "市 长 您 好 ：\n我 是  居民 。  \nHello world  ";
    char b[] = "中 文 abc 中";

    ocr_text_tidy(a);
    T_EQ_STR(a, "市长您好：\n我是居民。\nHello world");
    ocr_text_tidy(b);
    T_EQ_STR(b, "中文 abc 中");
    ocr_text_tidy(NULL);
}

static void
test_effective_dpi(void)
{
    PIX *p = pixCreate(2480, 100, 8);

    T_EQ_INT(ocr_effective_dpi(p), 300);
    pixSetResolution(p, 200, 200);
    T_EQ_INT(ocr_effective_dpi(p), 200);
    pixDestroy(&p);
    p = pixCreate(100, 100, 8);
    T_EQ_INT(ocr_effective_dpi(p), 70);
    pixDestroy(&p);
}

static void
test_blank(void)
{
    PIX *white = pixCreate(2480, 3508, 8), *noisy, *gray, *text, *speck;

    pixSetAll(white);
    pixSetResolution(white, 300, 300);
    gray = ocr_prep_gray(white);
    T_EQ_INT(ocr_prep_is_blank(gray, 300), 1);
    pixDestroy(&gray);

    /* Scanner noise and a dark edge shadow are not content. */
    noisy = pixAddGaussianNoise(white, 12.0f);
    pixRasterop(noisy, 0, 0, 40, 3508, PIX_CLR, NULL, 0, 0);
    gray = ocr_prep_gray(noisy);
    T_EQ_INT(ocr_prep_is_blank(gray, 300), 1);
    pixDestroy(&gray);

    /* One speck of dust is not content either. */
    speck = pixCopy(NULL, white);
    pixRasterop(speck, 1000, 1000, 5, 5, PIX_CLR, NULL, 0, 0);
    gray = ocr_prep_gray(speck);
    T_EQ_INT(ocr_prep_is_blank(gray, 300), 1);
    pixDestroy(&gray);

    text = text_page();
    gray = ocr_prep_gray(text);
    T_EQ_INT(ocr_prep_is_blank(gray, 300), 0);
    pixDestroy(&gray);

    pixDestroy(&speck);
    pixDestroy(&text);
    pixDestroy(&noisy);
    pixDestroy(&white);
}

static void
test_bad_language(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct ocr_engine *e = ocr_engine_new(NULL, "xx_nope", &err);

    T_CHECK(e == NULL);
    T_EQ_INT(err.code, MR_EOCR);
    T_CHECK(strstr(err.msg, "xx_nope") != NULL);
    ocr_engine_destroy(&e);
}

/* Recognise the text page turned by quarter turns clockwise. */
static void
check_orientation(struct ocr_engine *e, PIX *page, int quads)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_page rec;
    PIX *turned = pixRotateOrth(page, quads);

    mr_page_init(&rec);
    T_EQ_INT(ocr_page(e, turned, &rec, &err), 0);
    T_EQ_INT(rec.flags & MR_PAGE_BLANK, 0);
    /* Turning it back upright takes the remaining quarter turns. */
    T_EQ_INT(rec.rotation, (4 - quads) % 4 * 90);
    T_CHECK(rec.text && strstr(rec.text, "RIVER ROAD") != NULL);
    T_CHECK(rec.text && strstr(rec.text, "OLD PEOPLE") != NULL);
    T_CHECK(rec.ocr_conf >= 80);
    T_EQ_STR(rec.language, "en");
    T_CHECK(rec.nwords >= 28);
    T_CHECK(rec.nwords > 0 && rec.words[0].w > 0 && rec.words[0].h > 0);
    T_EQ_INT(rec.width, pixGetWidth(turned));
    if (t_fail)
        fprintf(stderr, "quads %d: rotation %d conf %d text:\n%s\n", quads,
                rec.rotation, rec.ocr_conf, rec.text ? rec.text : "(none)");
    mr_page_release(&rec);
    pixDestroy(&turned);
}

static void
test_orientations(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct ocr_engine *e = ocr_engine_new(NULL, "eng", &err);
    PIX *page = text_page();

    T_CHECK(e != NULL);
    if (!e) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    for (int q = 0; q < 4; q++)
        check_orientation(e, page, q);
    pixDestroy(&page);
    ocr_engine_destroy(&e);
}

static void
test_blank_page_not_ocred(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct ocr_engine *e = ocr_engine_new(NULL, "eng", &err);
    PIX *white = pixCreate(1240, 1754, 1);
    struct mr_page rec;

    mr_page_init(&rec);
    pixSetResolution(white, 150, 150);
    T_CHECK(e != NULL);
    T_EQ_INT(ocr_page(e, white, &rec, &err), 0);
    T_EQ_INT(rec.flags & MR_PAGE_BLANK, MR_PAGE_BLANK);
    T_CHECK(rec.text == NULL);
    T_EQ_INT(rec.ocr_conf, -1);
    T_EQ_INT(rec.depth, 1);
    T_EQ_INT(rec.dpi, 150);
    mr_page_release(&rec);
    pixDestroy(&white);
    ocr_engine_destroy(&e);
}

/* An ocr_redact function: the words holding "RIVER". */
static int
hide_river(const struct mr_page *page, unsigned char *hide, void *ctx,
           struct mr_err *err)
{
    int n = 0;

    (void)err;
    for (size_t i = 0; i < page->nwords; i++)
        if (strstr(page->words[i].text, "RIVER")) {
            hide[i] = 1;
            n++;
        }
    *(int *)ctx = n;
    return n;
}

/* Pixels of pix in the box of w that are not black. */
static int
not_black(PIX *pix, const struct mr_word *w)
{
    int n = 0;

    for (int y = w->y; y < w->y + w->h; y++)
        for (int x = w->x; x < w->x + w->w; x++) {
            l_uint32 v = 0;

            pixGetPixel(pix, x, y, &v);
            n += v != 0;
        }
    return n;
}

static void
test_redacted(void)
{
    struct mr_err err = MR_ERR_INIT;
    struct ocr_engine *e = ocr_engine_new(NULL, "eng", &err);
    int picked = 0, hidden = -1, river = 0, other = 0;
    struct ocr_redact redact = {hide_river, &picked};
    PIX *page = text_page(), *out = NULL, *white = pixCreate(1240, 1754, 1);
    struct mr_page rec, again;

    mr_page_init(&rec);
    mr_page_init(&again);
    T_CHECK(e != NULL);
    if (!e)
        goto out;
    T_EQ_INT(ocr_page_redacted(e, page, &rec, &redact, &out, &hidden, &err), 0);
    T_EQ_INT(hidden, 2);
    T_EQ_INT(picked, 2);
    T_CHECK(out != NULL);
    for (size_t i = 0; out && i < rec.nwords; i++) {
        if (strstr(rec.words[i].text, "RIVER"))
            river += not_black(out, &rec.words[i]);
        else
            other += not_black(out, &rec.words[i]) > 0;
    }
    T_EQ_INT(river, 0);
    T_EQ_INT(other, (int)rec.nwords - 2);
    /* Read again, the page has lost those words and kept the rest. */
    T_EQ_INT(out ? ocr_page(e, out, &again, &err) : -1, 0);
    T_CHECK(again.text && strstr(again.text, "RIVER") == NULL);
    T_CHECK(again.text && strstr(again.text, "OLD PEOPLE") != NULL);
    pixDestroy(&out);
    /* A blank page has nothing to black out: no page comes back. */
    pixSetResolution(white, 150, 150);
    mr_page_release(&rec);
    T_EQ_INT(ocr_page_redacted(e, white, &rec, &redact, &out, &hidden, &err),
             0);
    T_CHECK(out == NULL);
    T_EQ_INT(hidden, 0);
out:
    mr_page_release(&rec);
    mr_page_release(&again);
    pixDestroy(&out);
    pixDestroy(&white);
    pixDestroy(&page);
    ocr_engine_destroy(&e);
}

int
main(int argc, char **argv)
{
    static const struct t_case cases[] = {
        {"tidy", test_tidy},
        {"effective_dpi", test_effective_dpi},
        {"blank", test_blank},
        {"bad_language", test_bad_language},
        {"orientations", test_orientations},
        {"blank_page_not_ocred", test_blank_page_not_ocred},
        {"redacted", test_redacted},
        {NULL, NULL},
    };

    mr_library_messages_init();
    return t_run(cases, argc, argv);
}
