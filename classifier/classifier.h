#ifndef CLASSIFIER_H
#define CLASSIFIER_H
/*
 * Letter-level decisions from the pages' text.  For now: the language of
 * a letter and of a page.  Validity, writer, flags and routing come with
 * later work.
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

#endif
