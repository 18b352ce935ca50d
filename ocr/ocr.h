#ifndef OCR_H
#define OCR_H
/*
 * Page cleaning and recognition: blank detection, orientation, deskew,
 * background normalisation with Leptonica, then Tesseract through its C
 * API.  One engine is initialised once and reused for every page.
 */
#include "pipeline/mr.h"

struct Pix;
struct ocr_engine;

/* Default recognition languages (Tesseract names, '+'-joined). */
#define OCR_DEFAULT_LANGS "chi_sim+eng"

/*
 * Start an engine for langs (NULL: OCR_DEFAULT_LANGS) with traineddata
 * from datapath (NULL: Tesseract's default).  Also loads orientation and
 * script detection.  NULL on failure with err filled (MR_EOCR, naming
 * the missing language).
 */
struct ocr_engine *ocr_engine_new(const char *datapath, const char *langs,
                                  struct mr_err *err);

/* Shut the engine down.  Accepts NULL and nulls the handle. */
void ocr_engine_destroy(struct ocr_engine **pe);

/*
 * Process one page: pix (borrowed, as delivered) has its barcodes read
 * into page->codes (see ocr_read_codes in ocr_int.h: QR, Code 128, Code
 * 39 and the rest of ZBar's symbologies, tried at more than one scale)
 * and is checked for content: a blank page gets MR_PAGE_BLANK, a page
 * that is one symbol and nothing else (a separator sheet, read or not)
 * MR_PAGE_SYMBOL, and neither is OCR'd.  Otherwise it is turned
 * upright, deskewed, normalised and recognised, filling page's rotation,
 * skew, text, ocr_conf, language, script and words.  page->width, height,
 * depth and dpi are filled in any case.  Returns 0, or MR_EOCR / MR_ENOMEM
 * with err filled; the page record is then left without text.
 */
int ocr_page(struct ocr_engine *e, struct Pix *pix, struct mr_page *page,
             struct mr_err *err);

/*
 * The part of ocr_page() that needs no engine and takes a fraction of its
 * time: page->width, height, depth and dpi, page->codes, and
 * MR_PAGE_SYMBOL or MR_PAGE_BLANK: what cls_page_role needs to find a
 * stack's separator sheets before its pages are read.  Returns 0, or
 * MR_ENOMEM / MR_EOCR (a barcode reader failure).
 */
int ocr_page_survey(struct Pix *pix, struct mr_page *page, struct mr_err *err);

/*
 * The words of a page to black out before it leaves the archive (citizens'
 * numbers): fn is given the page as read (text and words filled) and
 * hide, page->nwords bytes of zero, and sets hide[i] for each word i to
 * black out.  It returns how many it set, or a negative MR_E* code with
 * err filled; ctx is passed on.
 */
struct ocr_redact {
    int (*fn)(const struct mr_page *page, unsigned char *hide, void *ctx,
              struct mr_err *err);
    void *ctx;
};

/*
 * Read pix (borrowed) as ocr_page() does, filling page, and black out on
 * the page as read (upright, deskewed, grey) the boxes, with a margin, of
 * the words redact picks.  That page goes to *pout (the caller destroys
 * it) and the number of words blacked out to *phidden; a page without
 * content to read (blank, a separator sheet) leaves *pout NULL.  Returns
 * 0, or MR_EOCR / MR_ENOMEM / redact's error with *pout NULL.
 */
int ocr_page_redacted(struct ocr_engine *e, struct Pix *pix,
                      struct mr_page *page, const struct ocr_redact *redact,
                      struct Pix **pout, int *phidden, struct mr_err *err);

/*
 * A searchable PDF made by Tesseract's PDF renderer: each page's cleaned
 * image (upright, deskewed, black and white as Tesseract thresholded it)
 * with its recognised text laid over it as an invisible layer, so that
 * it can be searched and copied.
 */
struct ocr_pdf;

/*
 * Start writing base + ".pdf" with engine e (borrowed; it must outlive the
 * PDF), titled title.  NULL on failure with err filled (MR_EIO, MR_ENOMEM).
 */
struct ocr_pdf *ocr_pdf_begin(struct ocr_engine *e, const char *base,
                              const char *title, struct mr_err *err);

/*
 * Read pix (borrowed) as ocr_page() does, filling page, and add it to the
 * PDF.  Every page is recognised, a blank one too (its text layer is then
 * empty or a few specks read as marks).  With redact (may be NULL), the
 * words it picks are blacked out as in ocr_page_redacted and a page with
 * any is recognised again, so that its text layer is what its image
 * shows; page keeps the first reading.  On failure (MR_EOCR, MR_ENOMEM,
 * MR_EIO, redact's error) the PDF must be given up with ocr_pdf_abort.
 */
int ocr_pdf_add(struct ocr_pdf *p, struct Pix *pix, struct mr_page *page,
                const struct ocr_redact *redact, struct mr_err *err);

/*
 * Finish the PDF and free *pp, nulling it.  On failure (MR_EIO) the file
 * is removed.
 */
int ocr_pdf_end(struct ocr_pdf **pp, struct mr_err *err);

/* Give the PDF up: free it and remove its file.  Accepts NULL. */
void ocr_pdf_abort(struct ocr_pdf **pp);

#endif
