/*
 * Stack separation: which pages of a stack are separator sheets, and the
 * letters between them.
 *
 * Rules, in the order a reader in the mailroom applies them:
 *   - a page whose barcode reads the separator value is a separator
 *     sheet: it ends the letter before it and belongs to no letter;
 *   - a page that is one symbol and nothing else, whose code could not be
 *     read, is taken for a separator sheet too, and the boundary it makes
 *     is marked unsure, for a person to confirm;
 *   - a blank page belongs to the letter of the page before it (the back
 *     of a sheet); right after a separator, or at the start of the stack,
 *     it belongs to no letter (the separator's back) — a blank page is
 *     never a letter of its own;
 *   - a stack with no separator and no content at all is still one
 *     letter (a blank letter, for the validity check to refuse).
 */
#include "classifier/classifier.h"

#include <string.h>

unsigned
cls_page_role(const struct mr_page *page, const char *value)
{
    size_t vlen = value ? strlen(value) : 0;

    for (const char *p = page->codes; p && *p && vlen;) {
        const char *colon = strchr(p, ':'), *nl = strchr(p, '\n');
        size_t len;

        if (!nl)
            nl = p + strlen(p);
        if (colon && colon < nl) {
            len = (size_t)(nl - colon - 1);
            if (len == vlen && !memcmp(colon + 1, value, vlen))
                return MR_PAGE_SEPARATOR;
        }
        p = *nl ? nl + 1 : nl;
    }
    if ((page->flags & MR_PAGE_SYMBOL) && !page->codes)
        return MR_PAGE_UNSURE;
    return 0;
}

int
cls_split(const struct cls_page *pages, size_t n, struct cls_letter **pletters,
          size_t *pn, struct mr_err *err)
{
    struct cls_letter *out = NULL;
    size_t count = 0;
    int open = 0, separators = 0, content = 0;

    *pletters = NULL;
    *pn = 0;
    if (n == 0)
        return 0;
    /* At most one letter per page. */
    out = calloc(n, sizeof(*out));
    if (!out)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < n; i++) {
        unsigned f = pages[i].flags;

        if (f & (MR_PAGE_SEPARATOR | MR_PAGE_UNSURE)) {
            open = 0;
            separators++;
            continue;
        }
        if (f & MR_PAGE_BLANK) {
            if (open)
                out[count - 1].last = pages[i].seq;
            continue;
        }
        content++;
        if (!open) {
            out[count++].first = pages[i].seq;
            open = 1;
        }
        out[count - 1].last = pages[i].seq;
    }
    if (!separators && !content) {
        out[0].first = pages[0].seq;
        out[0].last = pages[n - 1].seq;
        count = 1;
    }
    if (!count) {
        free(out);
        out = NULL;
    }
    *pletters = out;
    *pn = count;
    return 0;
}
