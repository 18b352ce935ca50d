#ifndef CLASSIFIER_H
#define CLASSIFIER_H
/*
 * Letter-level decisions from the pages' text and marks: the language of
 * a letter, and how a stack splits into letters.  Validity, writer, flags
 * and routing come with later work.
 */
#include "pipeline/mr.h"

/* Character counts of text seen so far; zero-initialise it. */
struct cls_tally {
    long han;   /* CJK unified ideographs */
    long latin; /* ASCII and Latin-1 letters */
};

/* Count the characters of UTF-8 text (NULL counts nothing).  Cannot fail. */
void cls_tally_add(struct cls_tally *t, const char *text);

/*
 * The main language of what was counted: "zh" when Han characters are at
 * least a third of the letters counted (a Chinese letter often quotes
 * Latin names and numbers), "en" when there are Latin letters otherwise,
 * NULL when nothing was counted.  A static string.  Cannot fail.
 */
const char *cls_tally_language(const struct cls_tally *t);

/* The separator value a stack's separator sheets carry by default. */
#define CLS_SEPARATOR_DEFAULT "PATCHT"

/*
 * The role of a processed page in its stack: MR_PAGE_SEPARATOR when one of
 * its barcodes (page->codes) reads value exactly; MR_PAGE_UNSURE when it
 * is one symbol and nothing else (MR_PAGE_SYMBOL) and no code was read
 * from it; otherwise 0, letter content.  Cannot fail.
 */
unsigned cls_page_role(const struct mr_page *page, const char *value);

/* A page of a stack as separation sees it. */
struct cls_page {
    int seq;
    unsigned flags; /* MR_PAGE_BLANK, MR_PAGE_SEPARATOR, MR_PAGE_UNSURE */
};

/* A letter of a stack: pages first to last, blank pages included. */
struct cls_letter {
    int first, last;
};

/*
 * Split the n pages of a stack (in page order) into letters: separator
 * sheets end letters and belong to none; blank pages go with the page
 * before them, or with no letter right after a separator or at the start;
 * a stack without separators and without content is one letter.  See
 * cls_split.c for the rules.  *pletters is malloc'd (*pn entries, NULL
 * when none); MR_ENOMEM.
 */
int cls_split(const struct cls_page *pages, size_t n,
              struct cls_letter **pletters, size_t *pn, struct mr_err *err);

#endif
