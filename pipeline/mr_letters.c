/*
 * From a stack's processed pages to its letters: separation at separator
 * sheets (and, when asked, where the text shows a letter ending and the
 * next opening), each letter's language, unsure boundaries queued for review,
 * and the separation report for the operator.  Shared by import and scan,
 * so a stack gives the same letters however it came in.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

/* The language of pages first..last of the stack's page list. */
static const char *
letter_language(const struct arc_stack_page *pages, size_t n, int first,
                int last)
{
    struct cls_tally tally = {0, 0};

    for (size_t i = 0; i < n; i++)
        if (pages[i].seq >= first && pages[i].seq <= last)
            cls_tally_add(&tally, pages[i].text);
    return cls_tally_language(&tally);
}

/* "2+1+3": the page counts of the letters, for the report. */
static void
counts_text(const struct cls_separation *sep, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sep->nletters && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%d", i ? "+" : "",
                         sep->letters[i].last - sep->letters[i].first + 1);

        if (w < 0 || (size_t)w >= size - used) {
            snprintf(buf + (used < size - 4 ? used : size - 4),
                     size - (used < size - 4 ? used : size - 4), "...");
            break;
        }
        used += (size_t)w;
    }
}

/* The question for a reviewer about a doubtful boundary. */
static const char *
doubt_text(enum cls_doubt why)
{
    switch (why) {
    case CLS_DOUBT_UNREAD:
        return _("split here: looks like a separator sheet, but its barcode "
                 "could not be read");
    case CLS_DOUBT_NO_CLOSING:
        return _("split here: this page opens with an addressee or "
                 "salutation, but the page before does not end with a "
                 "signature or date");
    case CLS_DOUBT_NO_OPENING:
        return _("not split: the page before ends with a signature or date, "
                 "but this page does not open with an addressee or "
                 "salutation");
    }
    return "";
}

int
mr_stack_letters(struct arc *a, int64_t stack, const char *label, int by_text,
                 int *pletters, int *pblank, struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    struct cls_page *roles = NULL;
    struct cls_separation sep = {0};
    size_t n = 0;
    char(*codes)[ARC_CODE_SIZE] = NULL, counts[128];
    int rc, blank = 0, separators = 0;

    rc = arc_stack_pages(a, stack, &pages, &n, err);
    if (rc || n == 0)
        goto out;
    roles = calloc(n, sizeof(*roles));
    if (!roles) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        roles[i].seq = pages[i].seq;
        roles[i].flags = pages[i].flags;
        roles[i].marks = by_text ? cls_page_marks(pages[i].text) : 0;
        blank += (pages[i].flags & MR_PAGE_BLANK) != 0;
        separators += (pages[i].flags & MR_PAGE_SEPARATOR) != 0;
    }
    rc = cls_split(roles, n, by_text, &sep, err);
    for (size_t i = 0; !rc && i < sep.nquestions; i++)
        rc = arc_review_add(a, "boundary", sep.questions[i].seq,
                            doubt_text(sep.questions[i].why), err);
    if (!rc && sep.nletters && !(codes = calloc(sep.nletters, sizeof(*codes))))
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    for (size_t i = 0; !rc && i < sep.nletters; i++) {
        const struct cls_letter *l = &sep.letters[i];

        rc = arc_letter_add(a, l->first, l->last - l->first + 1,
                            letter_language(pages, n, l->first, l->last),
                            codes[i], err);
    }
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < sep.nletters; i++)
        printf("%s\t%d\t%s\n", codes[i],
               sep.letters[i].last - sep.letters[i].first + 1, label);
    fflush(stdout);
    if (pletters)
        *pletters += (int)sep.nletters;
    if (pblank)
        *pblank += blank;
    if (separators || sep.nquestions || (by_text && sep.nletters > 1)) {
        counts_text(&sep, counts, sizeof(counts));
        fprintf(stderr,
                _("%s: %zu letters (pages %s), %d blank pages, %d separator "
                  "sheets, %zu unsure boundaries for review\n"),
                label, sep.nletters, counts, blank, separators, sep.nquestions);
    }
out:
    free(codes);
    cls_separation_release(&sep);
    free(roles);
    arc_stack_pages_free(&pages, n);
    return rc;
}

int
mr_letter_recompute(struct arc *a, const char *code, struct mr_err *err)
{
    struct cls_tally tally = {0, 0};
    struct arc_letter l;
    int rc = arc_letter_get(a, code, &l, err);

    if (rc)
        return rc;
    cls_tally_add(&tally, l.text);
    rc = arc_letter_set_language(a, l.code, cls_tally_language(&tally), err);
    arc_letter_release(&l);
    return rc;
}
