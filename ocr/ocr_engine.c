/*
 * Recognition with Tesseract's C API.  One engine holds two handles for
 * the whole batch: one for orientation and script detection ("osd"), one
 * for recognition in the configured languages.  Per page:
 *
 *   as delivered -> grey, paper levelled -> blank? (stop: MR_PAGE_BLANK)
 *     -> upright (OSD) -> deskewed -> recognised -> text, words, language
 *
 * Tesseract's strings are freed with its own deleters; everything put in
 * the page record is malloc'd, so the rest of the program uses free().
 */
#include "ocr/ocr_int.h"

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>
#include <unistd.h>

/* A page that takes longer than this to recognise is given up. */
#define OCR_DEADLINE_MS (5 * 60 * 1000)

/* Below this OSD confidence the page is left as it is. */
#define OCR_MIN_OSD_CONF 1.5f

/*
 * Orientation detection stops after 20 to 100 characters it is sure of
 * (Tesseract's default: 50 to 250).
 */
#define OCR_OSD_CHARS "20"

struct ocr_engine {
    TessBaseAPI *api; /* all configured languages */
    TessBaseAPI *han; /* only the Chinese ones, or NULL */
    TessBaseAPI *osd;
};

/* Keep Tesseract's own chatter out of the operator's terminal. */
static void
quiet(TessBaseAPI *api)
{
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
}

static void
end_api(TessBaseAPI **papi)
{
    if (!*papi)
        return;
    TessBaseAPIEnd(*papi);
    TessBaseAPIDelete(*papi);
    *papi = NULL;
}

/* A new handle for langs, or NULL when its traineddata cannot load. */
static TessBaseAPI *
start_api(const char *datapath, const char *langs, int legacy)
{
    TessBaseAPI *api = TessBaseAPICreate();

    if (!api)
        return NULL;
    quiet(api);
    if ((legacy ? TessBaseAPIInit2(api, datapath, langs, OEM_TESSERACT_ONLY)
                : TessBaseAPIInit3(api, datapath, langs)) != 0) {
        end_api(&api);
        return NULL;
    }
    quiet(api);
    return api;
}

/*
 * The Chinese languages of langs ("chi_sim+eng" -> "chi_sim") into out,
 * or "" when langs has none or nothing else.  On a Chinese page they
 * read better alone: with English beside them, short lines such as
 * "敬礼！" come out as Latin letters.
 */
static void
han_languages(const char *langs, char *out, size_t n)
{
    size_t used = 0;
    int other = 0;
    const char *p = langs;

    out[0] = '\0';
    while (*p) {
        size_t len = strcspn(p, "+");

        if (len > 4 && !strncmp(p, "chi_", 4) && used + len + 2 < n) {
            if (used)
                out[used++] = '+';
            memcpy(out + used, p, len);
            used += len;
            out[used] = '\0';
        } else if (len) {
            other = 1;
        }
        p += len;
        if (*p == '+')
            p++;
    }
    if (!other)
        out[0] = '\0';
}

struct ocr_engine *
ocr_engine_new(const char *datapath, const char *langs, struct mr_err *err)
{
    struct ocr_engine *e = calloc(1, sizeof(*e));
    char han[64];

    if (!langs || !*langs)
        langs = OCR_DEFAULT_LANGS;
    if (!e) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    e->api = start_api(datapath, langs, 0);
    if (!e->api) {
        mr_fail(err, MR_EOCR,
                _("cannot start OCR for languages '%s': traineddata "
                  "missing (install tesseract-ocr-<lang>)"),
                langs);
        goto fail;
    }
    han_languages(langs, han, sizeof(han));
    if (han[0] && !(e->han = start_api(datapath, han, 0))) {
        mr_fail(err, MR_EOCR, _("cannot start OCR for languages '%s'"), han);
        goto fail;
    }
    e->osd = start_api(datapath, "osd", 1);
    if (!e->osd) {
        mr_fail(err, MR_EOCR,
                _("cannot start orientation detection: osd.traineddata "
                  "missing (install tesseract-ocr-osd)"));
        goto fail;
    }
    TessBaseAPISetVariable(e->osd, "min_characters_to_try", OCR_OSD_CHARS);
    return e;
fail:
    ocr_engine_destroy(&e);
    return NULL;
}

void
ocr_engine_destroy(struct ocr_engine **pe)
{
    struct ocr_engine *e;

    if (!pe || !*pe)
        return;
    e = *pe;
    end_api(&e->api);
    end_api(&e->han);
    end_api(&e->osd);
    free(e);
    *pe = NULL;
}

/*
 * Turn gray upright.  Returns a new PIX (caller destroys) and the
 * clockwise rotation applied in *prot; the detected script goes into
 * page->script.  A page OSD cannot judge is returned as it is.
 */
static PIX *
orient(struct ocr_engine *e, PIX *gray, int dpi, struct mr_page *page,
       int *prot)
{
    int deg = 0;
    float conf = 0.0f, sconf = 0.0f;
    const char *script = NULL;
    PIX *half;

    *prot = 0;
    /*
     * At half size, from fewer characters (OCR_OSD_CHARS): the
     * orientation and script come out as at full size on the mixed pages
     * of bench/throughput.sh, for about a third of the CPU time.
     */
    half = pixScaleAreaMap2(gray);
    if (!half)
        return NULL;
    TessBaseAPISetImage2(e->osd, half);
    TessBaseAPISetSourceResolution(e->osd, dpi / 2);
    if (TessBaseAPIDetectOrientationScript(e->osd, &deg, &conf, &script,
                                           &sconf)) {
        if (script)
            snprintf(page->script, sizeof(page->script), "%s", script);
        if (conf >= OCR_MIN_OSD_CONF && deg % 90 == 0)
            *prot = (360 - deg) % 360;
    }
    TessBaseAPIClear(e->osd);
    pixDestroy(&half);
    mr_log(MR_LOG_DEBUG, "orientation %d (confidence %.2f), script %s", deg,
           conf, page->script);
    return pixRotateOrth(gray, *prot / 90);
}

/* "chi_sim" -> "zh", "eng" -> "en"; others as Tesseract names them. */
static const char *
short_language(const char *lang)
{
    if (!strncmp(lang, "chi_", 4))
        return "zh";
    if (!strcmp(lang, "eng"))
        return "en";
    return lang;
}

/* Characters recognised per language, to name the page's language. */
struct lang_tally {
    char name[16];
    long chars;
};
#define OCR_MAX_LANGS 8

static void
tally_language(struct lang_tally *t, const char *lang, long chars)
{
    int i;

    for (i = 0; i < OCR_MAX_LANGS && t[i].name[0]; i++)
        if (!strcmp(t[i].name, lang))
            break;
    if (i == OCR_MAX_LANGS)
        return;
    if (!t[i].name[0])
        snprintf(t[i].name, sizeof(t[i].name), "%s", lang);
    t[i].chars += chars;
}

/* Append a copy of word text t with its box and confidence to page. */
static int
add_word(TessResultIterator *ri, const char *t, size_t *pcap,
         struct mr_page *page, struct mr_err *err)
{
    TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    struct mr_word *w;
    int l, tp, r, b;

    if (page->nwords == *pcap) {
        size_t ncap = *pcap ? 2 * *pcap : 256;
        struct mr_word *grown = realloc(page->words, ncap * sizeof(*grown));

        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        page->words = grown;
        *pcap = ncap;
    }
    w = &page->words[page->nwords];
    memset(w, 0, sizeof(*w));
    w->text = mr_strdup(t, err);
    if (!w->text)
        return MR_ENOMEM;
    page->nwords++;
    if (TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &tp, &r, &b)) {
        w->x = l;
        w->y = tp;
        w->w = r - l;
        w->h = b - tp;
    }
    w->conf = (int)(TessResultIteratorConfidence(ri, RIL_WORD) + 0.5f);
    return 0;
}

/*
 * Copy the words, their boxes and confidences out of the recogniser, and
 * take as the page language the one that recognised the most characters.
 */
static int
collect_words(TessBaseAPI *api, struct mr_page *page, struct mr_err *err)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    struct lang_tally tally[OCR_MAX_LANGS];
    size_t cap = 0;
    int rc = 0, best = -1;

    if (!ri)
        return 0; /* nothing was recognised */
    memset(tally, 0, sizeof(tally));
    do {
        char *t = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
        const char *lang;

        if (!t)
            continue;
        rc = add_word(ri, t, &cap, page, err);
        lang = TessResultIteratorWordRecognitionLanguage(ri);
        if (!rc && lang)
            tally_language(tally, lang, (long)strlen(t));
        TessDeleteText(t);
    } while (!rc && TessResultIteratorNext(ri, RIL_WORD));
    for (int i = 0; i < OCR_MAX_LANGS && tally[i].name[0]; i++)
        if (best < 0 || tally[i].chars > tally[best].chars)
            best = i;
    if (best >= 0)
        snprintf(page->language, sizeof(page->language), "%s",
                 short_language(tally[best].name));
    TessResultIteratorDelete(ri);
    return rc;
}

/*
 * Black out on pix the words of page that redact picks, each box grown
 * by a margin so that no edge of a character is left.  Returns how many,
 * or a negative error code.
 */
static int
black_out(PIX *pix, int dpi, const struct mr_page *page,
          const struct ocr_redact *redact, struct mr_err *err)
{
    unsigned char *hide = NULL;
    int n, pad = dpi / 75 > 2 ? dpi / 75 : 2;

    if (!page->nwords)
        return 0;
    hide = calloc(page->nwords, 1);
    if (!hide)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    n = redact->fn(page, hide, redact->ctx, err);
    for (size_t i = 0; n > 0 && i < page->nwords; i++) {
        const struct mr_word *w = &page->words[i];
        int x = w->x > pad ? w->x - pad : 0, y = w->y > pad ? w->y - pad : 0;
        BOX *box;

        if (!hide[i])
            continue;
        box = boxCreate(x, y, w->x + w->w + pad - x, w->y + w->h + pad - y);
        if (!box) {
            n = mr_fail(err, MR_ENOMEM, _("out of memory"));
            break;
        }
        /* Black: 1 in a bilevel image, 0 in grey and colour. */
        if (pixGetDepth(pix) == 1)
            pixSetInRect(pix, box);
        else
            pixClearInRect(pix, box);
        boxDestroy(&box);
    }
    free(hide);
    return n;
}

/*
 * Recognise the upright, deskewed grey page, with the Chinese languages
 * alone when orientation detection found Han script.  With redact, black
 * out the words it picks on pix (see black_out), and when there are any
 * and pdf is given, recognise the page again for the PDF's text layer.
 */
static int
recognise(struct ocr_engine *e, PIX *pix, int dpi, struct mr_page *page,
          TessResultRenderer *pdf, const struct ocr_redact *redact,
          int *phidden, struct mr_err *err)
{
    ETEXT_DESC *monitor = TessMonitorCreate();
    TessBaseAPI *api = e->api;
    char *text = NULL;
    int rc = 0;

    if (e->han && !strcmp(page->script, "Han"))
        api = e->han;

    if (!monitor)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    TessMonitorSetDeadlineMSecs(monitor, OCR_DEADLINE_MS);
    TessBaseAPISetImage2(api, pix);
    TessBaseAPISetSourceResolution(api, dpi);
    if (TessBaseAPIRecognize(api, monitor) != 0) {
        rc = mr_fail(err, MR_EOCR, _("text recognition failed"));
        goto out;
    }
    text = TessBaseAPIGetUTF8Text(api);
    page->text = mr_strdup(text ? text : "", err);
    if (!page->text) {
        rc = MR_ENOMEM;
        goto out;
    }
    ocr_text_tidy(page->text);
    page->ocr_conf = TessBaseAPIMeanTextConf(api);
    if (page->ocr_conf < 0)
        page->ocr_conf = 0;
    rc = collect_words(api, page, err);
    if (!rc && redact) {
        int hidden = black_out(pix, dpi, page, redact, err);

        rc = hidden < 0 ? hidden : 0;
        *phidden = hidden < 0 ? 0 : hidden;
        if (hidden > 0 && pdf) {
            TessBaseAPISetImage2(api, pix);
            TessBaseAPISetSourceResolution(api, dpi);
            if (TessBaseAPIRecognize(api, monitor) != 0)
                rc = mr_fail(err, MR_EOCR, _("text recognition failed"));
        }
    }
    if (!rc && pdf) {
        /*
         * The PDF shows the page as Tesseract read it, black and white:
         * stored as CCITT G4, a noisy grey scan takes some 60 KB instead
         * of 3 MB.  The archive keeps the page as scanned.
         */
        PIX *bw = TessBaseAPIGetThresholdedImage(api);

        if (bw) {
            pixSetResolution(bw, dpi, dpi);
            TessBaseAPISetInputImage(api, bw); /* takes it over */
        }
        if (!TessResultRendererAddImage(pdf, api))
            rc = mr_fail(err, MR_EIO, _("cannot add the page to the PDF"));
    }
out:
    if (text)
        TessDeleteText(text);
    TessBaseAPIClear(api);
    TessMonitorDelete(monitor);
    return rc;
}

/*
 * The look at a page that needs no engine: its size, whether it is one
 * symbol (read thoroughly) or blank, and the barcodes on a page with
 * content.  *pgray gets the grey page (the caller destroys it, also on
 * failure).  1 when the page has content to read, 0 when not, or an error
 * code.
 */
static int
survey(PIX *pix, int dpi, struct mr_page *page, PIX **pgray, struct mr_err *err)
{
    int rc;

    page->width = pixGetWidth(pix);
    page->height = pixGetHeight(pix);
    page->depth = pixGetDepth(pix);
    page->dpi = pixGetXRes(pix);
    *pgray = ocr_prep_gray(pix);
    if (!*pgray)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    free(page->codes);
    page->codes = NULL;
    /* A separator sheet: its symbol read thoroughly, and no text. */
    if (ocr_prep_is_symbol(*pgray, dpi)) {
        page->flags |= MR_PAGE_SYMBOL;
        return ocr_read_codes(*pgray, 1, &page->codes, err);
    }
    if (ocr_prep_is_blank(*pgray, dpi)) {
        page->flags |= MR_PAGE_BLANK;
        return 0;
    }
    rc = ocr_read_codes(*pgray, 0, &page->codes, err);
    return rc ? rc : 1;
}

int
ocr_page_survey(struct Pix *pix, struct mr_page *page, struct mr_err *err)
{
    PIX *gray = NULL;
    int rc = survey(pix, ocr_effective_dpi(pix), page, &gray, err);

    pixDestroy(&gray);
    return rc < 0 ? rc : 0;
}

/*
 * ocr_page, and with pdf, the cleaned page and its text added to it; a
 * page without content is then added with no text.  With redact, the
 * words it picks are blacked out (recognise); with pout, the cleaned page
 * of content is returned there.
 */
static int
read_page(struct ocr_engine *e, PIX *pix, struct mr_page *page,
          TessResultRenderer *pdf, const struct ocr_redact *redact, PIX **pout,
          int *phidden, struct mr_err *err)
{
    PIX *gray = NULL, *upright = NULL, *straight = NULL;
    int dpi = ocr_effective_dpi(pix), rc, hidden = 0;

    rc = survey(pix, dpi, page, &gray, err);
    if (rc < 0 || (rc == 0 && !pdf))
        goto out;
    upright = orient(e, gray, dpi, page, &page->rotation);
    if (upright)
        straight = ocr_prep_deskew(upright, &page->skew);
    if (!straight) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    rc = recognise(e, straight, dpi, page, pdf, redact, &hidden, err);
    if (!rc && pout) {
        *pout = straight;
        straight = NULL;
    }
out:
    if (rc) {
        free(page->text);
        page->text = NULL;
        page->ocr_conf = -1;
    }
    if (phidden)
        *phidden = hidden;
    pixDestroy(&straight);
    pixDestroy(&upright);
    pixDestroy(&gray);
    return rc;
}

int
ocr_page(struct ocr_engine *e, struct Pix *pix, struct mr_page *page,
         struct mr_err *err)
{
    return read_page(e, pix, page, NULL, NULL, NULL, NULL, err);
}

int
ocr_page_redacted(struct ocr_engine *e, struct Pix *pix, struct mr_page *page,
                  const struct ocr_redact *redact, struct Pix **pout,
                  int *phidden, struct mr_err *err)
{
    *pout = NULL;
    *phidden = 0;
    if (MR_NEVER(!redact))
        return mr_fail(err, MR_EINVAL, _("no page given"));
    return read_page(e, pix, page, NULL, redact, pout, phidden, err);
}

struct ocr_pdf {
    struct ocr_engine *e;
    TessResultRenderer *renderer;
    char *path; /* base + ".pdf" */
};

struct ocr_pdf *
ocr_pdf_begin(struct ocr_engine *e, const char *base, const char *title,
              struct mr_err *err)
{
    struct ocr_pdf *p = calloc(1, sizeof(*p));
    size_t size = strlen(base) + 5;

    if (!p || !(p->path = malloc(size))) {
        free(p);
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    snprintf(p->path, size, "%s.pdf", base);
    p->e = e;
    p->renderer =
        TessPDFRendererCreate(base, TessBaseAPIGetDatapath(e->api), 0);
    if (!p->renderer || !TessResultRendererBeginDocument(p->renderer, title)) {
        mr_fail(err, MR_EIO, _("cannot write '%s'"), p->path);
        ocr_pdf_abort(&p);
    }
    return p;
}

int
ocr_pdf_add(struct ocr_pdf *p, struct Pix *pix, struct mr_page *page,
            const struct ocr_redact *redact, struct mr_err *err)
{
    if (MR_NEVER(!p || !pix || !page))
        return mr_fail(err, MR_EINVAL, _("no page given"));
    return read_page(p->e, pix, page, p->renderer, redact, NULL, NULL, err);
}

int
ocr_pdf_end(struct ocr_pdf **pp, struct mr_err *err)
{
    struct ocr_pdf *p = pp ? *pp : NULL;
    int ok;

    if (MR_NEVER(!p))
        return mr_fail(err, MR_EINVAL, _("no PDF given"));
    ok = TessResultRendererEndDocument(p->renderer);
    TessDeleteResultRenderer(p->renderer);
    p->renderer = NULL;
    if (!ok) {
        int rc = mr_fail(err, MR_EIO, _("cannot write '%s'"), p->path);

        ocr_pdf_abort(pp);
        return rc;
    }
    free(p->path);
    free(p);
    *pp = NULL;
    return 0;
}

void
ocr_pdf_abort(struct ocr_pdf **pp)
{
    struct ocr_pdf *p = pp ? *pp : NULL;

    if (!p)
        return;
    if (p->renderer) {
        TessResultRendererEndDocument(p->renderer);
        TessDeleteResultRenderer(p->renderer);
    }
    unlink(p->path);
    free(p->path);
    free(p);
    *pp = NULL;
}
