#ifndef OCR_INT_H
#define OCR_INT_H
/* Private to ocr/: the Leptonica cleaning steps used by ocr_engine.c. */
#include "ocr/ocr.h"

struct Pix;

/*
 * The resolution to assume for pix: its own when recorded, otherwise the
 * one that would make it an A4 page wide (at least 70).  Cannot fail.
 */
int ocr_effective_dpi(struct Pix *pix);

/*
 * An 8 bpp grey copy of pix (any depth, colormap or alpha; alpha is laid
 * on white) with the paper levelled to white, so grey or uneven paper
 * does not reach the recogniser.  Caller destroys; NULL when out of memory.
 */
struct Pix *ocr_prep_gray(struct Pix *pix);

/*
 * Whether grey page gray (from ocr_prep_gray) carries no content: no mark
 * of at least about a millimetre away from the scanner's edges.  dpi is
 * the effective resolution.  Returns 1 for blank, 0 otherwise.
 */
int ocr_prep_is_blank(struct Pix *gray, int dpi);

/*
 * A deskewed copy of grey page gray (caller destroys) and the angle
 * corrected in degrees in *pangle (0 when none was found).  NULL when out
 * of memory.
 */
struct Pix *ocr_prep_deskew(struct Pix *gray, float *pangle);

/*
 * Read every barcode on grey page gray (from ocr_prep_gray) into *pcodes,
 * malloc'd, one "TYPE:DATA\n" line per distinct symbol (ZBar's type
 * name, control bytes in the data as '?'), NULL when there is none.  The
 * page is read whole at full size; thorough (for a page that looks like a
 * separator sheet) then tries half size and a black-and-white copy,
 * stopping at the first that finds a symbol.  Returns 0, or MR_ENOMEM /
 * MR_EOCR with err filled and *pcodes NULL.
 */
int ocr_read_codes(struct Pix *gray, int thorough, char **pcodes,
                   struct mr_err *err);

/*
 * Whether grey page gray (from ocr_prep_gray) looks like a separator
 * sheet: nearly all its ink in one dense compact symbol at least 6 mm a
 * side, nothing else.  dpi is the effective resolution.  Returns 1 or 0;
 * 0 when out of memory.
 */
int ocr_prep_is_symbol(struct Pix *gray, int dpi);

/*
 * Remove the spaces Tesseract puts between Chinese characters (and around
 * full-width punctuation), and trailing blanks on each line, in place.
 * Cannot fail.
 */
void ocr_text_tidy(char *text);

#endif
