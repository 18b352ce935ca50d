#ifndef CLASSIFIER_H
#define CLASSIFIER_H
/*
 * Letter-level decisions from the pages' text and marks: the language of
 * a letter; how a stack splits into letters (at separator sheets, and on
 * request where the text shows one letter ending and another opening);
 * validity, addressee, mailbox, department and risk by the mailbox
 * catalogue's rules and a department model learnt from reviewers'
 * confirmations; the writer; and how alike two letters are.
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

/*
 * The mailbox catalogue and its rules, from a configuration file (the
 * shipped default is classifier/catalog.ini, DOMAIN.md's catalogue).
 */
struct cls_catalog;

/* A mailbox of the catalogue.  Owned by the catalogue. */
struct cls_mailbox {
    char *id;      /* "secretary", "mayor", "housing", ... */
    char *name;    /* in English */
    char *name_zh; /* in Chinese */
    int leader;    /* a leadership mailbox; else a department's */
};

/* The kinds of extreme action a risk letter threatens. */
enum cls_risk_kind {
    CLS_RISK_SELF_HARM,
    CLS_RISK_VIOLENCE,
    CLS_RISK_ESCALATION,
    CLS_RISK_KINDS
};

/*
 * Read the catalogue at path.  A malformed file fails with MR_EFORMAT and
 * a message naming the file and line and what is wrong there; a catalogue
 * without a leader or a department, or with a mailbox id given twice or
 * reserved ("other", "invalid"), fails the same way.  MR_ENOTFOUND when
 * the file cannot be opened, MR_ENOMEM.  NULL on failure.
 */
struct cls_catalog *cls_catalog_load(const char *path, struct mr_err *err);

/* Free the catalogue and null the handle.  Accepts NULL. */
void cls_catalog_destroy(struct cls_catalog **pc);

/* The number of mailboxes, and mailbox i (leaders first).  Cannot fail. */
size_t cls_catalog_size(const struct cls_catalog *c);
const struct cls_mailbox *cls_catalog_mailbox(const struct cls_catalog *c,
                                              size_t i);

/*
 * Confirmations after which the department model is learnt again (the
 * catalogue's retrain_after).  Cannot fail.
 */
int cls_catalog_retrain_after(const struct cls_catalog *c);

/*
 * Pages from which a letter is a long one, decided before it is read
 * whole (the catalogue's long_letter_pages; cls_read_first).  Cannot
 * fail.
 */
int cls_catalog_long_pages(const struct cls_catalog *c);

/* The mailbox with id, or NULL.  Cannot fail. */
const struct cls_mailbox *cls_catalog_find(const struct cls_catalog *c,
                                           const char *id);

/* What the decisions see of a letter. */
struct cls_input {
    const char *text; /* its pages' OCR text joined by "\f\n", or NULL */
    int pages;        /* page count, blank pages included */
    int blank_pages;
    int ocr_conf; /* mean OCR confidence 0-100, -1 when nothing was read */
    int unread;   /* pages not read yet (see cls_read_first) */
};

/*
 * Whether content page i (0-based, blank pages not counted) of a letter
 * of pages pages, content of them with content, is read before the letter
 * is decided.  Every page of a letter of up to the catalogue's
 * long_letter_pages is; a longer one (a manuscript of hundreds of pages)
 * is decided from its first long_first_pages and long_sample_pages more
 * spread evenly over the rest, which are read later, after the work
 * behind it.  Cannot fail.
 */
int cls_read_first(const struct cls_catalog *c, int pages, int content, int i);

/* Why a letter is invalid. */
enum cls_invalid {
    CLS_VALID,
    CLS_INVALID_BLANK,       /* nothing written */
    CLS_INVALID_ILLEGIBLE,   /* OCR could not read it with confidence */
    CLS_INVALID_NO_REQUEST,  /* no request, complaint, report, suggestion */
    CLS_INVALID_ARTICLE,     /* a copy of a published article */
    CLS_INVALID_ADVERTISING, /* an advertisement */
    CLS_INVALID_LONG         /* a long manuscript with no request */
};

/* The id of a reason ("blank", "illegible", ...), NULL for CLS_VALID. */
const char *cls_invalid_id(enum cls_invalid why);

/* The judgement on a letter.  Release with cls_decision_release. */
struct cls_decision {
    enum cls_invalid invalid; /* CLS_VALID for a valid letter */
    const char *addressee;    /* mailbox id of whom it addresses, or NULL */
    const char *mailbox;      /* leader or department id, "other", "invalid" */
    const char *department;   /* department id or "other"; NULL if invalid */
    double confidence;        /* 0-1: of the least sure decision */
    int review;               /* confidence below the catalogue's threshold */
    unsigned risk;            /* 1 << enum cls_risk_kind of each kind found */
    char risk_words[256];     /* the words that made it a risk letter */
    char *reasons;            /* JSON: what decided each decision */
};

/*
 * The department model: multinomial naive Bayes over the terms of a
 * letter's body (Han characters and pairs of them, English words), learnt
 * from letters whose department reviewers confirmed.  See cls_model.c.
 */
struct cls_model;

/* A letter to learn from: its OCR text and its confirmed department. */
struct cls_example {
    const char *department;
    const char *text;
};

/* What training made: counts, and the cross-validated guesses. */
struct cls_model_report {
    size_t letters, departments, terms;
    size_t tested, right; /* letters guessed by the other folds' models */
};

/*
 * Learn a model from the n examples into *out, and validate it (five
 * folds, from 10 letters and 2 departments).  MR_EINVAL when an example
 * has no department, MR_ENOMEM.
 */
int cls_model_train(const struct cls_example *ex, size_t n,
                    struct cls_model **out, struct cls_model_report *rep,
                    struct mr_err *err);

/* Free the model and null the handle.  Accepts NULL. */
void cls_model_destroy(struct cls_model **pm);

/* The letters the model learnt from (0 for NULL).  Cannot fail. */
size_t cls_model_letters(const struct cls_model *m);

/* What the model makes of a letter. */
struct cls_guess {
    const char *department; /* NULL: no term of the letter is known */
    const char *runner_up;  /* the next likeliest, or NULL */
    double posterior;       /* the model's probability, tempered */
    double confidence;      /* at most its validated precision */
    char terms[128];        /* the words that speak most for it */
};

/* Guess the department of text.  Strings point into m.  MR_ENOMEM. */
int cls_model_guess(const struct cls_model *m, const char *text,
                    struct cls_guess *g, struct mr_err *err);

/* The model as bytes (malloc'd, for the archive).  MR_ENOMEM. */
int cls_model_save(const struct cls_model *m, unsigned char **pdata,
                   size_t *psize, struct mr_err *err);

/* A model from cls_model_save's bytes.  MR_EFORMAT, MR_ENOMEM. */
struct cls_model *cls_model_load(const unsigned char *data, size_t size,
                                 struct mr_err *err);

/*
 * Decide validity, addressee, mailbox, department and risk of a letter by
 * the catalogue's rules; the department model, when given and trained on
 * at least the catalogue's model_min_letters, takes the department over
 * where it is more confident than the rules.  The strings in *out point
 * into the catalogue (keep it while using them) or are static, but
 * reasons, which the caller frees with cls_decision_release.  MR_ENOMEM.
 */
int cls_decide(const struct cls_catalog *c, const struct cls_model *model,
               const struct cls_input *in, struct cls_decision *out,
               struct mr_err *err);

/* Free what d owns and zero it.  Accepts NULL.  Cannot fail. */
void cls_decision_release(struct cls_decision *d);

/* The state of a resident ID number found in a letter. */
enum cls_id_state {
    CLS_ID_NONE,   /* none found */
    CLS_ID_VALID,  /* 18 characters, check character right */
    CLS_ID_DAMAGED /* looks like one, check character wrong: not trusted */
};

/* Who wrote a letter, as far as its text says.  "" when not found. */
struct cls_writer {
    char name[64];
    char phone[24];     /* mobile "13800000001", landline "023-12345678" */
    char id_number[20]; /* 18 characters, check character upper case */
    enum cls_id_state id_state;
    char address[192];
};

/*
 * Find the writer's name, phone, resident ID number and address in a
 * letter's text (NULL finds nothing): from labelled lines (来信人：,
 * 联系电话：, 地址：, Tel:, Address:), "我叫..." / "My name is ...", the
 * line after a closing (Yours faithfully,), and numbers anywhere; full-width
 * digits, spaces and dashes in numbers are normalised.  Cannot fail.
 */
void cls_writer_extract(const char *text, struct cls_writer *w);

/*
 * Whether id (18 characters) is a resident ID number with a right check
 * character (GB 11643, ISO 7064 MOD 11-2; 'x' accepted for 'X').
 * Cannot fail.
 */
int cls_id_number_ok(const char *id);

/*
 * Citizens' personal numbers in text (cls_pii.c), to be masked wherever
 * letters leave the archive: resident ID numbers (18 characters, the
 * check character right, or wrong with a plausible birth date, as when
 * OCR misread one; and the 15-digit form issued until 1999) and phone
 * numbers (mobiles 1[3-9] and 9 digits, also after 86; landlines with
 * their area code, 010-12345678, 0571 8765 4321; a local number of 7 or
 * 8 digits only right after a phone label: 电话：6789 1234).  Full-width
 * digits count as digits, and spaces, dashes and brackets may stand
 * between a number's digits.  Dates, amounts and tracking codes are none.
 */
enum cls_pii { CLS_PII_ID, CLS_PII_PHONE };

/*
 * A number found: bytes at..at+len of the text, of which the digits in
 * hide_at..hide_at+hide_len are masked.  Kept are an ID number's first 6
 * (its region) and last 4 characters (110101********123X; of the old
 * form, the last 3), a mobile's first 3 and last 4 (138****5678), a
 * landline's area code and last 4 (023-****5678), a local number's last 4.
 */
struct cls_pii_span {
    size_t at, len;
    size_t hide_at, hide_len;
    enum cls_pii kind;
};

/*
 * The numbers of UTF-8 text (NULL has none), in text order, into *pv
 * (malloc'd, the caller frees it) and their count into *pn.  MR_ENOMEM,
 * with *pv NULL and *pn 0.
 */
int cls_pii_find(const char *text, struct cls_pii_span **pv, size_t *pn,
                 struct mr_err *err);

/* Flags of cls_pii_mask. */
enum cls_pii_flags {
    /*
     * text was cut out of a longer one (a search snippet): digits running
     * up to either end may be the rest of a number, and are masked too.
     */
    CLS_PII_CUT = 1 << 0
};

/*
 * A copy of text with the hidden digits of its numbers made '*' (a
 * full-width digit too), everything else as it was.  malloc'd; NULL for
 * NULL text (err untouched), or MR_ENOMEM.
 */
char *cls_pii_mask(const char *text, unsigned flags, struct mr_err *err);

/*
 * Mask in place a number already known to be of kind: the writer's phone
 * or ID number as cls_writer_extract gives it (a damaged ID number too),
 * kept as a span of that kind keeps it.  Accepts NULL.  Cannot fail.
 */
void cls_pii_mask_field(char *value, enum cls_pii kind);

/*
 * What a letter is about, as a MinHash signature: CLS_SIGNATURE_HASHES
 * minimums over its shingles (three consecutive Han characters or Latin
 * words).  The share of equal minimums of two signatures estimates the
 * Jaccard similarity of their shingle sets.
 */
#define CLS_SIGNATURE_HASHES 128
/* Bands for locality-sensitive hashing: the first 64 hashes, 16 bands of 4. */
#define CLS_SIGNATURE_BANDS 16

struct cls_signature {
    uint32_t h[CLS_SIGNATURE_HASHES];
    size_t shingles; /* 0: too little text to compare */
};

/* The signature of text (NULL: none).  MR_ENOMEM. */
int cls_signature(const char *text, struct cls_signature *sig,
                  struct mr_err *err);

/* Estimated Jaccard similarity 0-1; 0 when either has no shingles. */
double cls_signature_similarity(const struct cls_signature *a,
                                const struct cls_signature *b);

/*
 * The LSH keys of sig, one per band, the band number in the top bits:
 * letters whose similarity is s share at least one key with probability
 * 1 - (1 - s^4)^16 (0.5: 64%, 0.7: 99%).  Meaningless when sig has no
 * shingles.  Cannot fail.
 */
void cls_signature_bands(const struct cls_signature *sig,
                         int64_t keys[CLS_SIGNATURE_BANDS]);

/* How a letter stands to an earlier one. */
enum cls_link {
    CLS_LINK_NONE,
    CLS_LINK_REPEAT, /* the same writer on the same matter */
    CLS_LINK_RELATED /* another writer on the same matter */
};

/*
 * The link of a letter to an earlier letter whose signature similarity
 * to it is similarity, by the catalogue's repeat_similarity and
 * related_similarity.  Letters routed to different departments are on
 * different matters whatever their wording shares (a writer's own
 * phrases, place and formulas recur in all their letters): no link.
 * Cannot fail.
 */
enum cls_link cls_link_kind(const struct cls_catalog *c, double similarity,
                            int same_writer, int same_department);

/*
 * The office's working-day calendar (classifier/calendar-YYYY.ini, see
 * cls_calendar.c): weekends, public holidays, make-up working days.
 */
struct cls_calendar;

/*
 * Read the calendar from the n files at paths (one a year).  A malformed
 * file fails with MR_EFORMAT and a message naming the file and line; a
 * day listed twice fails too; MR_ENOTFOUND, MR_ENOMEM.
 */
struct cls_calendar *cls_calendar_load(const char *const *paths, size_t n,
                                       struct mr_err *err);

/* Free the calendar and null the handle.  Accepts NULL. */
void cls_calendar_destroy(struct cls_calendar **pc);

/*
 * Whether day (days after 1970-01-01, mr_day_of) is a working day: a
 * weekday that is no holiday, or a make-up working day.  Without a
 * calendar (NULL), Monday to Friday.  Cannot fail.
 */
int cls_calendar_working(const struct cls_calendar *c, long day);

/*
 * The day n days after day: calendar days, or with working, the n-th
 * working day after it.  Cannot fail.
 */
long cls_calendar_add(const struct cls_calendar *c, long day, int n,
                      int working);

/*
 * Whether calendar c covers the year of day (a file for that year or a
 * later one was read), so that its holidays are known.  Cannot fail.
 */
int cls_calendar_year(const struct cls_calendar *c, long day);

/*
 * The office's deadlines (the catalogue's [deadlines]): a letter is
 * handed to its mailbox's office within handover days of receipt; the
 * responsible unit's result is due within result days of the handover,
 * or simple days for a letter marked for simple handling.  Each counts
 * calendar or working days, as configured.
 */
enum cls_clock { CLS_CLOCK_HANDOVER, CLS_CLOCK_RESULT, CLS_CLOCK_SIMPLE };
#define CLS_CLOCKS 3

/* "handover", "result", "simple".  Cannot fail. */
const char *cls_clock_name(enum cls_clock k);

/*
 * The last day allowed by clock k started on day from (days after
 * 1970-01-01 in the office's time zone).  Cannot fail.
 */
long cls_deadline(const struct cls_catalog *c, enum cls_clock k, long from);

/* The day of time t in the office's time zone.  Cannot fail. */
long cls_catalog_day(const struct cls_catalog *c, time_t t);

/* How many days before its deadline a letter is due soon.  Cannot fail. */
int cls_catalog_due_soon(const struct cls_catalog *c);

/* The catalogue's working-day calendar (may have no day).  Cannot fail. */
const struct cls_calendar *cls_catalog_calendar(const struct cls_catalog *c);

#endif
