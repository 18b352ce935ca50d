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
 *     letter (a blank letter, for the validity check to refuse);
 *   - when asked to split by text: a content page that opens a letter
 *     (an addressee, a salutation) begins a new letter.  When the letter
 *     before it had closed (a signature, a date), on its last page or
 *     before its attachments, the boundary is certain; when it had not,
 *     the split is made and queued for review; a page that does not open
 *     a letter right after one that closed one is kept in the letter
 *     (attachments follow signatures) and queued for review too.
 */
#include "classifier/classifier.h"

#include <string.h>

unsigned
cls_page_role(const struct mr_page *page, const char *value)
{
    size_t vlen = value ? strlen(value) : 0;

    for (const char *p = page->codes; p && *p && vlen;) {
        /* Look no further than the line: codes may be many lines. */
        const char *nl = p + strcspn(p, "\n");
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        size_t len;

        if (colon) {
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

void
cls_separation_release(struct cls_separation *s)
{
    if (!s)
        return;
    free(s->letters);
    free(s->questions);
    memset(s, 0, sizeof(*s));
}

/*
 * Whether content page begins a new letter after content page prev of a
 * letter that closed already (closed) or not; a boundary that is not
 * certain becomes a question.
 */
static int
text_boundary(const struct cls_page *prev, const struct cls_page *page,
              int closed, struct cls_separation *out)
{
    struct cls_question *q = &out->questions[out->nquestions];

    q->seq = page->seq;
    if (page->marks & CLS_OPENS) {
        if (!closed) {
            q->why = CLS_DOUBT_NO_CLOSING;
            out->nquestions++;
        }
        return 1;
    }
    if (prev->marks & CLS_CLOSES) {
        q->why = CLS_DOUBT_NO_OPENING;
        out->nquestions++;
    }
    return 0;
}

int
cls_split(const struct cls_page *pages, size_t n, int by_text,
          struct cls_separation *out, struct mr_err *err)
{
    const struct cls_page *prev = NULL; /* last content page of the letter */
    struct cls_letter *l;
    int separators = 0, content = 0, closed = 0;

    memset(out, 0, sizeof(*out));
    if (n == 0)
        return 0;
    /* At most one letter and one question per page. */
    out->letters = calloc(n, sizeof(*out->letters));
    out->questions = calloc(n, sizeof(*out->questions));
    if (!out->letters || !out->questions) {
        cls_separation_release(out);
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    for (size_t i = 0; i < n; i++) {
        unsigned f = pages[i].flags;

        if (f & (MR_PAGE_SEPARATOR | MR_PAGE_UNSURE)) {
            if (f & MR_PAGE_UNSURE) {
                out->questions[out->nquestions].seq = pages[i].seq;
                out->questions[out->nquestions].why = CLS_DOUBT_UNREAD;
                out->nquestions++;
            }
            prev = NULL;
            separators++;
            continue;
        }
        if (f & MR_PAGE_BLANK) {
            if (prev)
                out->letters[out->nletters - 1].last = pages[i].seq;
            continue;
        }
        content++;
        if (!prev || (by_text && text_boundary(prev, &pages[i], closed, out))) {
            l = &out->letters[out->nletters++];
            l->first = pages[i].seq;
            closed = 0;
        }
        closed |= (pages[i].marks & CLS_CLOSES) != 0;
        out->letters[out->nletters - 1].last = pages[i].seq;
        prev = &pages[i];
    }
    if (!separators && !content) {
        out->letters[0].first = pages[0].seq;
        out->letters[0].last = pages[n - 1].seq;
        out->nletters = 1;
    }
    return 0;
}
