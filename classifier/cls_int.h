#ifndef CLS_INT_H
#define CLS_INT_H
/*
 * Private to classifier/: folded text, word lists and the catalogue's
 * insides.  Never included from outside classifier/.
 */
#include "classifier/classifier.h"

/*
 * Fold UTF-8 text for matching: full-width ASCII forms made ASCII, ASCII
 * lower-cased, white space (line breaks included) dropped except one space
 * between two ASCII letters or digits; bytes that are not UTF-8 dropped.
 * Returns a malloc'd string, or NULL (MR_ENOMEM in err).
 */
char *cls_fold(const char *text, struct mr_err *err);

/*
 * The body of a letter's text: without its salutation (a short first line
 * ending with a colon or comma) and without the lines of signature,
 * contact and address, which are about the writer, not the matter.  A
 * malloc'd copy, or NULL (MR_ENOMEM in err).
 */
char *cls_body(const char *text, struct mr_err *err);

/*
 * Words that label a phone number, lower case ("电话", "tel"; in
 * cls_writer.c).  NULL-terminated.
 */
extern const char *const cls_phone_labels[];

/* FNV-1a's offset basis: the seed of cls_hash for text. */
#define CLS_HASH_SEED 0xcbf29ce484222325ULL

/* FNV-1a 64-bit hash of n bytes, continuing from h.  Cannot fail. */
uint64_t cls_hash(const void *data, size_t n, uint64_t h);

/* A strong 64-bit mix (splitmix64's finaliser).  Cannot fail. */
uint64_t cls_mix(uint64_t x);

/*
 * A token of folded text: one Han character, or one run of ASCII letters
 * and digits (a word or a number), at bytes at..at+len of the text.
 */
struct cls_token {
    uint64_t hash; /* cls_hash of its bytes */
    size_t at, len;
    int han;
};

/* The first max tokens of folded text into tok; returns their count. */
size_t cls_tokens(const char *folded, struct cls_token *tok, size_t max);

/* One word or phrase of a list, folded, with its weight. */
struct cls_term {
    char *text;
    size_t len;
    int weight;
};

/* A list of terms. */
struct cls_terms {
    struct cls_term *v;
    size_t n, cap;
};

/*
 * Add the comma-separated terms of value ("word" or "word*N") to t.
 * MR_EINVAL naming what is wrong, MR_ENOMEM.
 */
int cls_terms_add(struct cls_terms *t, const char *value, struct mr_err *err);

/* Free what t holds and zero it.  Accepts NULL.  Cannot fail. */
void cls_terms_release(struct cls_terms *t);

/*
 * Find the terms of t in folded text: an English term matches whole words
 * (with an -s, -es, -ed, -ing, -d ending), any other anywhere.  Returns the
 * sum of weight times occurrences (each term counted at most 3 times).
 * When hits is given, each term found is added to it, comma-separated, up
 * to size bytes.  Cannot fail.
 */
int cls_terms_score(const struct cls_terms *t, const char *folded, char *hits,
                    size_t size);

/* A mailbox with its matching rules. */
struct cls_box {
    struct cls_mailbox pub;
    struct cls_terms address; /* how letters address it */
    struct cls_terms words;   /* words of its matters (departments) */
};

struct cls_catalog {
    char *path;
    struct cls_box *boxes;
    size_t nboxes, cap;
    struct cls_terms risk[CLS_RISK_KINDS];
    struct cls_terms request, advertising, article;
    double review_below;
    int illegible_below;
    int long_letter_pages;
    int long_first_pages;  /* a long letter is decided from these */
    int long_sample_pages; /* and a sample of this many of the rest */
    int model_min_letters; /* the model decides nothing before this */
    int retrain_after;     /* confirmations between trainings */
    double repeat_similarity, related_similarity;
    struct cls_limit {
        int days, working; /* working: counted in working days */
    } limits[CLS_CLOCKS];
    int due_soon;         /* days before a deadline a letter is due soon */
    int utc_offset;       /* the office's hours east of UTC */
    char **calendar_path; /* the calendar files, as resolved */
    size_t ncalendar;
    struct cls_calendar *calendar;
};

/* cls_deadline.c: the catalogue's [deadlines]. */

/* The deadlines of a catalogue that does not give them.  Cannot fail. */
void cls_deadlines_defaults(struct cls_catalog *c);

/* One key of [deadlines].  MR_EFORMAT naming what is wrong, MR_ENOMEM. */
int cls_deadlines_key(struct cls_catalog *c, const char *name,
                      const char *value, struct mr_err *err);

/* Read the calendar files named, once the catalogue is read. */
int cls_deadlines_load(struct cls_catalog *c, struct mr_err *err);

/* Free the calendar and its paths.  Cannot fail. */
void cls_deadlines_release(struct cls_catalog *c);

#endif
