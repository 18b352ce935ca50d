#ifndef SCANNER_H
#define SCANNER_H
/*
 * Page intake.  For now from files: TIFF (multi-page, any layout libtiff
 * reads that carries a page), PNG, JPEG and PNM.  A file is one stack;
 * its pages come out one at a time, exactly as stored in the file.
 */
#include "pipeline/mr.h"

struct Pix;
struct scan_file;

/*
 * Open an image file for reading its pages.  Detects the format from the
 * content, not the name.  Returns NULL with err filled: MR_ENOTFOUND when
 * the file is missing, MR_EIO when it cannot be read, MR_EFORMAT when it
 * is empty, not an image, or an image format we do not take.
 */
struct scan_file *scan_file_open(const char *path, struct mr_err *err);

/* Close the file.  Accepts NULL and nulls the handle. */
void scan_file_close(struct scan_file **pf);

/*
 * Number of pages in the file, as far as it can be told without decoding
 * them (a damaged TIFF may end earlier).  Cannot fail.
 */
int scan_file_page_count(const struct scan_file *f);

/*
 * Read the next page into *ppix (caller destroys) with its resolution set
 * when the file records one.  Returns 1 when a page was read, 0 at the end
 * of the file, or a negative code (MR_EFORMAT: the page is damaged or of a
 * layout we cannot use, the message naming the page and the reason).
 */
int scan_file_next(struct scan_file *f, struct Pix **ppix, struct mr_err *err);

/*
 * Expand path into the files to import: a file is itself; a folder gives
 * its files, recursively, in name order, hidden ones and linked folders
 * skipped.  Appends malloc'd paths to *pfiles (grown with realloc,
 * *pnfiles entries).  MR_ENOTFOUND when path does not exist, MR_EIO when
 * a folder cannot be read; an unreadable folder inside path is reported
 * (the first one) but the others are still expanded.  Paths already
 * appended stay on failure.
 */
int scan_path_expand(const char *path, char ***pfiles, size_t *pnfiles,
                     struct mr_err *err);

#endif
