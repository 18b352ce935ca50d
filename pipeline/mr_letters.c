/*
 * From a stack's processed pages to its letters: separation at separator
 * sheets, each letter's language, unsure boundaries queued for review,
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
counts_text(const struct cls_letter *letters, size_t n, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%d", i ? "+" : "",
                         letters[i].last - letters[i].first + 1);

        if (w < 0 || (size_t)w >= size - used) {
            snprintf(buf + (used < size - 4 ? used : size - 4),
                     size - (used < size - 4 ? used : size - 4), "...");
            break;
        }
        used += (size_t)w;
    }
}

int
mr_stack_letters(struct arc *a, int64_t stack, const char *label, int *pletters,
                 int *pblank, struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    struct cls_page *roles = NULL;
    struct cls_letter *letters = NULL;
    size_t n = 0, nletters = 0;
    char(*codes)[ARC_CODE_SIZE] = NULL, counts[128];
    int rc, blank = 0, separators = 0, unsure = 0;

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
        blank += (pages[i].flags & MR_PAGE_BLANK) != 0;
        separators += (pages[i].flags & MR_PAGE_SEPARATOR) != 0;
        if (pages[i].flags & MR_PAGE_UNSURE) {
            unsure++;
            rc = arc_review_add(a, "boundary", pages[i].seq,
                                _("looks like a separator sheet, but its "
                                  "barcode could not be read"),
                                err);
            if (rc)
                goto out;
        }
    }
    rc = cls_split(roles, n, &letters, &nletters, err);
    if (!rc && nletters && !(codes = calloc(nletters, sizeof(*codes))))
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    for (size_t i = 0; !rc && i < nletters; i++)
        rc = arc_letter_add(
            a, letters[i].first, letters[i].last - letters[i].first + 1,
            letter_language(pages, n, letters[i].first, letters[i].last),
            codes[i], err);
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < nletters; i++)
        printf("%s\t%d\t%s\n", codes[i], letters[i].last - letters[i].first + 1,
               label);
    fflush(stdout);
    if (pletters)
        *pletters += (int)nletters;
    if (pblank)
        *pblank += blank;
    if (separators || unsure) {
        counts_text(letters, nletters, counts, sizeof(counts));
        fprintf(stderr,
                _("%s: %zu letters (pages %s), %d blank pages, %d separator "
                  "sheets, %d unsure boundaries for review\n"),
                label, nletters, counts, blank, separators, unsure);
    }
out:
    free(codes);
    free(letters);
    free(roles);
    arc_stack_pages_free(&pages, n);
    return rc;
}
