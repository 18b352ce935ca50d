#ifndef CLASSIFIER_H
#define CLASSIFIER_H
/*
 * Letter-level decisions from the pages' text and marks: the language of
 * a letter, and how a stack splits into letters (at separator sheets, and
 * on request where the text shows one letter ending and another
 * opening).  Validity, writer, flags and routing come with later work.
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

/* Signs in a page's text that a letter opens or closes there. */
enum cls_marks {
    CLS_OPENS = 1 << 0, /* begins with an addressee or a salutation */
    CLS_CLOSES = 1 << 1 /* ends with a closing, signature, contact or date */
};

/*
 * The enum cls_marks of a page's OCR text (NULL has none): CLS_OPENS when
 * one of its first lines is an addressee or a salutation, CLS_CLOSES when
 * one of its last lines is a closing formula, a signature, contact details
 * or a date.  Page numbers are skipped.  Cannot fail.
 */
unsigned cls_page_marks(const char *text);

/* A page of a stack as separation sees it. */
struct cls_page {
    int seq;
    unsigned flags; /* MR_PAGE_BLANK, MR_PAGE_SEPARATOR, MR_PAGE_UNSURE */
    unsigned marks; /* enum cls_marks, looked at when splitting by text */
};

/* A letter of a stack: pages first to last, blank pages included. */
struct cls_letter {
    int first, last;
};

/* Why a boundary, made or not, needs a person to confirm it. */
enum cls_doubt {
    /* A separator-like sheet whose code was not read: split there. */
    CLS_DOUBT_UNREAD = 1,
    /* The page opens a letter, the one before does not close one: split. */
    CLS_DOUBT_NO_CLOSING,
    /* The page before closes a letter, this one does not open one: kept. */
    CLS_DOUBT_NO_OPENING
};

/* A boundary for review: at page seq, for reason why. */
struct cls_question {
    int seq;
    enum cls_doubt why;
};

/* What separation made of a stack.  Release with cls_separation_release. */
struct cls_separation {
    struct cls_letter *letters;
    size_t nletters;
    struct cls_question *questions;
    size_t nquestions;
};

/* Free what s holds and zero it.  Accepts NULL.  Cannot fail. */
void cls_separation_release(struct cls_separation *s);

/*
 * Split the n pages of a stack (in page order) into letters in *out:
 * separator sheets end letters and belong to none; blank pages go with the
 * page before them, or with no letter right after a separator or at the
 * start; a stack without separators and without content is one letter.
 * With by_text, a content page that opens a letter after one that closed
 * a letter also begins a new one.  Every boundary not certain is a
 * question for review.  See cls_split.c for the rules.  MR_ENOMEM, with
 * *out empty.
 */
int cls_split(const struct cls_page *pages, size_t n, int by_text,
              struct cls_separation *out, struct mr_err *err);

#endif
