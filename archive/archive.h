#ifndef ARCHIVE_H
#define ARCHIVE_H
/*
 * The archive: an SQLite index (DIR/index.sqlite) and the page images
 * (DIR/pages/...).  Every page, blank or not, is kept without loss with
 * its SHA-256: a PNG or JPEG file byte for byte as delivered, any other
 * page encoded losslessly.  A stack's pages are stored in one transaction
 * (the pages of a scan in one each), then its pages' results and its
 * letters in transactions of their own.  Only the batch driver's thread
 * writes.
 */
#include "pipeline/mr.h"

struct Pix;
struct arc;

/* Application id stored in PRAGMA application_id ("MRom"). */
#define ARC_APPLICATION_ID 0x4d526f6d

/*
 * Open the archive in directory dir, creating the directory, the database
 * and its schema when missing, and migrating an older schema forward.
 * Refuses a database written by a newer mailroom.  Returns NULL on failure
 * with err filled (MR_EIO for the directory, MR_EDB for the database).
 */
struct arc *arc_open(const char *dir, struct mr_err *err);

/* Close the archive, rolling back an unfinished stack.  Accepts NULL. */
void arc_close(struct arc **pa);

/*
 * Start a stack (one scanner run or one imported file): opens the write
 * transaction and records the source.  Fails with MR_EINVAL if a stack is
 * already open, MR_EDB if the database is busy or broken.
 */
int arc_stack_begin(struct arc *a, const char *source, struct mr_err *err);

/*
 * As arc_stack_begin, for a file whose content has SHA-256 sha256 (hex),
 * recorded with the stack: unless a stack already holds that content.
 * Then no stack is begun, *pexisting is that stack's id and 1 is
 * returned.  The check and the new stack are one transaction, so two
 * mailrooms importing the same file store it once.
 */
int arc_stack_begin_file(struct arc *a, const char *source, const char *sha256,
                         int64_t *pexisting, struct mr_err *err);

/*
 * An image file as it was delivered, to be archived byte for byte: size
 * bytes of data in format "png" or "jpeg" (the page.img_format names).
 * All borrowed.
 */
struct arc_image {
    const unsigned char *data;
    size_t size;
    const char *format;
};

/*
 * Store one page of the open stack: the image pix exactly as delivered,
 * written atomically (.part, fsync, rename), then its index row with the
 * OCR results in page (or, when page has MR_PAGE_PENDING, marked not yet
 * processed).  When as_delivered is given, its bytes are the file stored
 * (.png or .jpg) and must be the file pix was decoded from: its format
 * and size are checked against pix (MR_EINVAL), not its pixels.  Without
 * it pix is encoded losslessly (TIFF G4 when 1 bpp, PNG otherwise).  pix
 * gives the index row its width, height, depth and resolution either way.
 * A page number the stack already has is refused (MR_EINVAL) before any
 * file is written.  pix and as_delivered are borrowed.  *ppage_id receives
 * the page id.  On failure the file is removed and the stack must be
 * aborted.
 */
int arc_page_add(struct arc *a, const struct mr_page *page, struct Pix *pix,
                 const struct arc_image *as_delivered, int64_t *ppage_id,
                 struct mr_err *err);

/*
 * Make pages first_seq .. first_seq + count - 1 of the open stack one
 * letter, with a new tracking code written to code (ARC_CODE_SIZE bytes,
 * formatted "XXXX-XXXX").  language may be NULL.
 */
#define ARC_CODE_SIZE 10
int arc_letter_add(struct arc *a, int first_seq, int count,
                   const char *language, char *code, struct mr_err *err);

/*
 * Scanning commits each page as soon as it is read (stack state
 * "scanning"), and OCRs it later.  arc_stack_resume opens the write
 * transaction on existing stack stack_id again, to add pages, results or
 * letters and commit them; *pscanning (may be NULL) tells whether the
 * stack is still being scanned.  A stack still being scanned first loses
 * the files of its folder that no row names: a page's file written by a
 * scan cut off before its commit.  MR_ENOTFOUND for an unknown stack,
 * MR_EIO when its folder cannot be read.
 */
int arc_stack_resume(struct arc *a, int64_t stack_id, int *pscanning,
                     struct mr_err *err);

/* The id of the open stack, 0 when none is open.  Cannot fail. */
int64_t arc_stack_current(const struct arc *a);

/*
 * Mark the open stack as being scanned (more pages to come, not to be
 * processed yet) or as complete.  Takes effect with the commit.
 */
int arc_stack_set_scanning(struct arc *a, int scanning, struct mr_err *err);

/*
 * Claim stack stack_id for this handle to scan into, until
 * arc_stack_unclaim or arc_close: only one live process scans a stack.
 * The claim is an flock(2) on DIR/scanning/SSSSSS.lock (made when
 * missing), which a process loses when it ends, however it ends.
 * Letting go of a claim removes the file, so one found there unlocked
 * was left by a process cut off (killed) while scanning the stack:
 * *pcut_off (may be NULL) is then 1, and that process's last side may
 * come from the scanner again (a feeder that counts a side as fed only
 * when the front end goes on).  The stack's state is not looked at.  One
 * claim per handle (MR_EINVAL for a second); MR_EBUSY when another live
 * process holds it, MR_EIO.
 */
int arc_stack_claim(struct arc *a, int64_t stack_id, int *pcut_off,
                    struct mr_err *err);

/*
 * Let go of the handle's claim, removing its lock file.  Does nothing
 * without one.  Cannot fail.
 */
void arc_stack_unclaim(struct arc *a);

/*
 * Take stack stack_id for this handle to read (its pages cleaned and
 * OCR'd, its letters made), so that two mailrooms on one archive never
 * read the same stack: *pelsewhere is 1, and nothing is taken, when a
 * live process has taken it already.  A handle's takes last until
 * arc_close.  They are listed in its file DIR/reading/PID-N.stacks, which
 * it holds flock'd; a file found unlocked was left by a process cut off,
 * and its takes are void.  The stack's state is not looked at.
 * MR_EINTR, MR_EIO, MR_ENOMEM.
 */
int arc_stack_take(struct arc *a, int64_t stack_id, int *pelsewhere,
                   struct mr_err *err);

/* Let go of the handle's takes, removing its file.  Cannot fail. */
void arc_stack_takes_release(struct arc *a);

/*
 * The stacks from source still "scanning" (claimed by a live process or
 * not), newest first, into *pids (malloc'd, *pn entries; free()).  MR_EDB,
 * MR_ENOMEM.
 */
int arc_stacks_scanning(struct arc *a, const char *source, int64_t **pids,
                        size_t *pn, struct mr_err *err);

/* One page of a stack, for processing and for continuing a scan. */
struct arc_stack_page {
    int64_t id;
    int seq;
    int processed;     /* 1: cleaned and OCR'd; 0: not yet (or deferred) */
    unsigned flags;    /* MR_PAGE_BLANK, _PENDING, _DEFERRED, _SEPARATOR, ... */
    char *text;        /* OCR text, NULL when none */
    int64_t letter_id; /* the letter it is in, 0 when none (yet) */
};

/*
 * The pages of stack stack_id in page order into *ppages (malloc'd, *pn
 * entries; free with arc_stack_pages_free).  An unknown stack has none.
 * MR_EDB, MR_ENOMEM.
 */
int arc_stack_pages(struct arc *a, int64_t stack_id,
                    struct arc_stack_page **ppages, size_t *pn,
                    struct mr_err *err);

/*
 * Queue a question for a reviewer about page seq of the open stack: kind
 * "boundary" (is a letter boundary here?), with reason in the reviewer's
 * words.  Part of the stack's transaction.  MR_EINVAL without an open
 * stack, MR_EDB.
 */
int arc_review_add(struct arc *a, const char *kind, int seq, const char *reason,
                   struct mr_err *err);

/* Free a list from arc_stack_pages and null it.  Accepts NULL. */
void arc_stack_pages_free(struct arc_stack_page **ppages, size_t n);

/*
 * The complete stacks with work left (a page neither processed nor
 * deferred, or no letter yet), oldest first, into *pids (malloc'd, *pn
 * entries; free()).
 */
int arc_stacks_todo(struct arc *a, int64_t **pids, size_t *pn,
                    struct mr_err *err);

/*
 * The tracking codes of the letters with pages whose reading was
 * deferred (MR_PAGE_DEFERRED), of stack stack_id or, when 0, of every
 * stack, oldest first, into *pcodes (malloc'd, *pn entries; free()).
 */
int arc_letters_unread(struct arc *a, int64_t stack_id,
                       char (**pcodes)[ARC_CODE_SIZE], size_t *pn,
                       struct mr_err *err);

/*
 * Decode stored page page_id into *ppix (caller destroys) after checking
 * its SHA-256.  MR_ENOTFOUND, MR_EIO (missing or damaged file),
 * MR_EFORMAT (cannot be decoded).
 */
int arc_page_load(struct arc *a, int64_t page_id, struct Pix **ppix,
                  struct mr_err *err);

/*
 * Record the cleaning and OCR results in page (blank flag, rotation, skew,
 * text, confidence, language, script, words) for page page_id of the open
 * stack, and mark it processed; or, when page->flags has
 * MR_PAGE_DEFERRED, mark it deferred (surveyed, its reading left for
 * later).  MR_ENOTFOUND when the open stack has no such page.  On failure
 * the page is left as it was.
 */
int arc_page_set_results(struct arc *a, int64_t page_id,
                         const struct mr_page *page, struct mr_err *err);

/* Commit the open stack.  On failure the stack is rolled back. */
int arc_stack_commit(struct arc *a, struct mr_err *err);

/*
 * Roll back the open stack and remove the image files it wrote.  Does
 * nothing when no stack is open.  Cannot fail.
 */
void arc_stack_abort(struct arc *a);

/*
 * Tracking codes: eight characters from an alphabet without 0/O, 1/I and
 * Z (read as 2) look-alikes, the last a check character that catches any one
 * wrong character and any swap of two.  arc_code_normalize accepts lower case,
 * spaces and dashes and writes the canonical "XXXX-XXXX" to out
 * (ARC_CODE_SIZE bytes).  Fails with MR_EINVAL saying why (wrong length,
 * a character not in the alphabet, check character mismatch).
 */
int arc_code_normalize(const char *in, char *out, struct mr_err *err);

/* Where a letter's decisions stand with reviewers. */
enum arc_review {
    ARC_REVIEW_NONE,     /* sure enough: nobody asked to look */
    ARC_REVIEW_PENDING,  /* marked for a reviewer */
    ARC_REVIEW_CONFIRMED /* a reviewer settled it */
};

/* The text of a review state ("pending", "confirmed"; NULL for none). */
const char *arc_review_text(enum arc_review r);

/*
 * The decisions on a letter.  In an arc_letter its strings are owned by
 * the letter (freed by arc_letter_release); given to arc_letter_decide
 * they are borrowed.  NULL strings
 * are fields not decided or not found.
 */
struct arc_decision {
    int decided; /* 0: nothing decided yet, the rest is empty */
    int valid;
    const char *validity_reason; /* "blank", "no_request", ...; NULL if valid */
    const char *addressee;       /* mailbox id of whom the letter addresses */
    const char *mailbox;    /* leader or department id, "other", "invalid" */
    const char *department; /* department id or "other"; NULL if invalid */
    double confidence;      /* 0-1 */
    enum arc_review review;
    const char *risk; /* kinds of risk, comma-separated, NULL: none */
    const char *risk_words;
    const char *reasons; /* JSON object: what decided each decision */
    int64_t writer_id;   /* in the writer registry, 0 when none */
    const char *writer_name, *writer_phone, *writer_id_number;
    const char *writer_id_state; /* "valid", "damaged", NULL */
    const char *writer_address;
    int repeat;            /* -1: not decided; 0 or 1 */
    const char *repeat_of; /* codes of the earlier letters, comma-separated */
};

/* Where a letter stands in the office, in order. */
enum arc_state {
    ARC_STATE_RECEIVED,    /* archived, not yet judged */
    ARC_STATE_SORTED,      /* judged by the program */
    ARC_STATE_CONFIRMED,   /* its decisions confirmed by a reviewer */
    ARC_STATE_HANDED_OVER, /* in a bundle handed to its mailbox's office */
    ARC_STATE_REPLIED,     /* the responsible unit's result recorded */
    ARC_STATE_CLOSED       /* the writer rated the handling */
};

/* "received", "sorted", ... for a state.  Cannot fail. */
const char *arc_state_text(enum arc_state s);

/* The state named text; ARC_STATE_RECEIVED for NULL.  Cannot fail. */
enum arc_state arc_state_of(const char *text);

/* A letter's way through the office (owned by its arc_letter). */
struct arc_tracking {
    enum arc_state state;
    char *handed_over, *replied, *closed; /* UTC times, NULL: not yet */
    char *reply;                          /* the unit's result, or NULL */
    int rating_office, rating_unit;       /* 3 satisfied, 2 fairly, 1 not; 0 */
    int has_password;                     /* a query password was issued */
    int simple;        /* marked for simple handling: a shorter deadline */
    int64_t bundle_id; /* the bundle it was handed over in, 0: none */
};

/* A letter as the archive knows it.  Owned strings; arc_letter_release. */
struct arc_letter {
    int64_t id;
    int64_t stack_id;
    char code[ARC_CODE_SIZE];
    char *source;   /* input file path or scanner stack name */
    char *archived; /* UTC time, ISO 8601 */
    int first_page; /* 1-based page in the source */
    int page_count;
    char *language; /* "zh", "en" or NULL */
    int64_t *pages; /* page ids, in page order */
    size_t npages;
    int blank_pages;
    int unread;    /* pages not read yet: a long letter's deferred rest */
    int ocr_conf;  /* mean over OCR'd pages, -1 when none */
    char *text;    /* page texts joined by "\f\n", NULL if none */
    int questions; /* open review questions about its boundaries */
    struct arc_decision d;
    struct arc_tracking t;
};

/* Free what l owns and zero it.  Accepts NULL.  Cannot fail. */
void arc_letter_release(struct arc_letter *l);

/*
 * Call fn for every letter, oldest first.  fn returns 0 to go on, non-zero
 * to stop (that value is then returned).  The letter passed to fn is owned
 * by the archive and valid only during the call.
 */
int arc_letter_each(struct arc *a,
                    int (*fn)(const struct arc_letter *l, void *ctx), void *ctx,
                    struct mr_err *err);

/*
 * Like arc_letter_each, for the letters leaders must hear of at once:
 * repeat letters and risk letters, newest first (a partial index: the
 * rest of the archive is not read).
 */
int arc_letter_alerts(struct arc *a,
                      int (*fn)(const struct arc_letter *l, void *ctx),
                      void *ctx, struct mr_err *err);

/*
 * Look up one letter by tracking code (any form arc_code_normalize
 * accepts).  MR_EINVAL for a mistyped code, MR_ENOTFOUND for an unknown
 * one or one retired by a merge (the message names the letter it went
 * into).  The caller releases *l.
 */
int arc_letter_get(struct arc *a, const char *code, struct arc_letter *l,
                   struct mr_err *err);

/*
 * Corrections by a reviewer.  They work in the open stack: resume the
 * letter's stack (arc_stack_resume with arc_letter.stack_id), correct,
 * recompute, then commit, so that a correction is whole or not at all.
 * Each writes audit rows (arc_audit_each) naming who, and reason (may be
 * NULL), and answers the open review questions it settles.
 */

/*
 * Split letter code at page seq (numbered as in its source): its pages
 * from seq on become a new letter, whose code is written to new_code
 * (ARC_CODE_SIZE bytes); code keeps the pages before, so the part with
 * the first page keeps its tracking code.  When seq is already the
 * letter's first page the boundary stands: nothing is split, the
 * questions about it are answered "boundary", and new_code is "".
 * MR_EINVAL when seq is not a page of the letter, when a part would have
 * no page but blank ones, or the letter is not in the open stack;
 * MR_ENOTFOUND for an unknown code.
 */
int arc_letter_split(struct arc *a, const char *code, int seq, const char *who,
                     const char *reason, char *new_code, struct mr_err *err);

/*
 * Merge two letters of the open stack, given in either order, that only
 * pages of no letter (separator sheets and their backs) stand between:
 * the one with the earlier pages keeps its code, written to kept
 * (ARC_CODE_SIZE bytes), and takes every page from its first to the
 * other's last; the other's code is retired and points to it.  The
 * questions between them are answered "no boundary".  MR_EINVAL for the
 * same letter twice, letters of another stack, or another letter between;
 * MR_ENOTFOUND for an unknown code.
 */
int arc_letter_merge(struct arc *a, const char *code1, const char *code2,
                     const char *who, const char *reason, char *kept,
                     struct mr_err *err);

/*
 * Store a recomputed language (NULL: none) of letter code in the open
 * stack, with an audit row by "mailroom" when it changed.  MR_ENOTFOUND.
 */
int arc_letter_set_language(struct arc *a, const char *code,
                            const char *language, struct mr_err *err);

/* What a reviewer settled on for a letter. */
struct arc_confirmation {
    int valid;
    const char *validity_reason; /* NULL for a valid letter */
    const char *mailbox;         /* "invalid" for an invalid letter */
    const char *department;      /* NULL for an invalid letter */
    int simple;                  /* simple handling 1 or 0; -1: as it was */
    const char *why; /* the kind of reason for an override (mr_why_ok) */
};

/*
 * Store what reviewer who settled on for letter code of the open stack
 * and mark it confirmed: an audit row ("confirm", with reason and c->why)
 * for each of validity, mailbox, department and simple handling that
 * changed, and one for the review.
 * MR_ENOTFOUND, MR_EDB.
 */
int arc_letter_confirm(struct arc *a, const char *code,
                       const struct arc_confirmation *c, const char *who,
                       const char *reason, struct mr_err *err);

/* A confirmed letter to learn from. */
struct arc_confirmed {
    char *department;
    char *text; /* its pages' text joined by "\f\n"; NULL when none */
};

/*
 * The valid letters whose department reviewers confirmed (not "other"),
 * oldest first, into *pv (free with arc_confirmed_free).  MR_ENOMEM,
 * MR_EDB.
 */
int arc_confirmed_letters(struct arc *a, struct arc_confirmed **pv, size_t *pn,
                          struct mr_err *err);
void arc_confirmed_free(struct arc_confirmed **pv, size_t n);

/* The department model's training, as the archive keeps it. */
/*
 * Tracking, each change its own transaction (no stack may be open) and an
 * audit row naming who.  MR_EINVAL, with the reason, for a change the
 * letter's state does not allow; MR_ENOTFOUND, MR_EDB.
 *
 * arc_letter_password_set: keep hash as letter code's query password
 * (replacing one issued before).  arc_letter_password_get: the hash into
 * *phash (malloc'd; NULL when none was issued).
 */
int arc_letter_password_set(struct arc *a, const char *code, const char *hash,
                            const char *who, struct mr_err *err);
int arc_letter_password_get(struct arc *a, const char *code, char **phash,
                            struct mr_err *err);

/*
 * Record the responsible unit's result for letter code, a valid letter a
 * reviewer confirmed (handed over or not): it becomes "replied".
 */
int arc_letter_reply(struct arc *a, const char *code, const char *reply,
                     const char *who, struct mr_err *err);

/*
 * Record the writer's satisfaction with the letters office and with the
 * responsible unit (3 satisfied, 2 fairly satisfied, 1 not) for a replied
 * letter: it becomes "closed".
 */
int arc_letter_rate(struct arc *a, const char *code, int office, int unit,
                    const char *who, struct mr_err *err);

struct arc_model_info {
    char trained[24]; /* UTC; "" when no model was trained */
    char who[64];
    int64_t letters, departments;
    int64_t tested, right; /* cross-validated guesses, and right ones */
    int64_t since;         /* confirmations since (or ever, with none) */
};

/*
 * Store a trained model (data, from cls_model_save) in place of the one
 * before, stamped now.  Not while a stack is open.  MR_EDB.
 */
int arc_model_save(struct arc *a, const struct arc_model_info *info,
                   const void *data, size_t size, struct mr_err *err);

/*
 * The newest model: *info (trained "" when none), and its bytes into
 * *pdata (malloc'd; NULL when none) when pdata is given.  MR_EDB.
 */
int arc_model_get(struct arc *a, struct arc_model_info *info,
                  unsigned char **pdata, size_t *psize, struct mr_err *err);

/*
 * Store the decisions d on letter code of the open stack (d->decided is
 * ignored), with an audit row by "mailroom" for each of validity,
 * mailbox, department and risk that changed.  MR_ENOTFOUND, MR_EDB.
 */
int arc_letter_decide(struct arc *a, const char *code,
                      const struct arc_decision *d, struct mr_err *err);

/*
 * The registry writer that the person (name, phone, trusted ID number,
 * address; any may be NULL) is, found by ID number, else phone, else name
 * with a similar address (tolerant of OCR errors and different spellings)
 * or no address on either side and no phone or ID number that disagrees,
 * else added; missing fields of a found
 * writer are filled in.  *pid receives the writer id, 0 when all four are
 * NULL.  In the open stack.  MR_EDB.
 */
int arc_writer_match(struct arc *a, const char *name, const char *phone,
                     const char *id_number, const char *address, int64_t *pid,
                     struct mr_err *err);

/* A letter as the repeat check compares it. */
struct arc_similar {
    int64_t id;
    const char *code;
    const char *archived;
    int64_t writer_id;         /* 0: no writer known */
    const uint32_t *signature; /* NULL when none is stored */
    size_t nsignature;
    const char *department; /* its responsible department, or NULL */
};

/*
 * Call fn for the letters that may be on the same matter as letter
 * letter_id: the letters of writer writer_id (when not 0), then those that
 * share one of the nkeys LSH keys; a letter may come more than once.  The
 * index is used, never the whole archive.  fn returns non-zero to stop;
 * the record is valid only during the call.  MR_EDB.
 */
int arc_similar_candidates(struct arc *a, int64_t letter_id, int64_t writer_id,
                           const int64_t *keys, size_t nkeys,
                           int (*fn)(const struct arc_similar *s, void *ctx),
                           void *ctx, struct mr_err *err);

/* A link from a letter to an earlier one on the same matter. */
struct arc_link {
    int64_t other_id;
    const char *kind; /* "repeat" (same writer) or "related" */
    double similarity;
};

/*
 * Store letter letter_id's signature (n hashes), its LSH keys, whether it
 * is a repeat letter, and its links to earlier letters (replacing what it
 * had), in the open stack.  MR_EDB.
 */
int arc_letter_similar_set(struct arc *a, int64_t letter_id,
                           const uint32_t *signature, size_t n,
                           const int64_t *keys, size_t nkeys, int repeat,
                           const struct arc_link *links, size_t nlinks,
                           struct mr_err *err);

/* One row of the audit table.  Strings may be NULL except at and who. */
struct arc_audit {
    const char *at, *who, *action, *field, *old, *new_value, *other, *reason;
    const char *why; /* the kind of a reviewer's reason for an override */
};

/*
 * Record that who was shown what masking hides (citizens' ID numbers and
 * phones) of the letters codes (tracking codes, comma-separated; "" for
 * none) by command ("show", "letters", "bundle"...): one audit row,
 * action "unmasked", field command, new codes, letter the one code, or
 * "*" for more or none.  Its own transaction; no stack may be open.
 * MR_EDB, MR_EBUSY (MR_EINVAL while a stack is open).
 */
int arc_audit_unmasked(struct arc *a, const char *who, const char *command,
                       const char *codes, struct mr_err *err);

/*
 * Call fn for every audit row of letter code (canonical form), oldest
 * first, the "unmasked" rows that name it among others too; fn returns
 * non-zero to stop (that value is returned).  The row is valid only
 * during the call.  MR_EDB.
 */
int arc_audit_each(struct arc *a, const char *code,
                   int (*fn)(const struct arc_audit *row, void *ctx), void *ctx,
                   struct mr_err *err);

/* An open review question about a letter's boundaries. */
struct arc_question {
    int seq; /* the page it is about, numbered as in the source */
    const char *reason;
    const char *created;
};

/*
 * Call fn for every open question about letter letter_id's boundaries
 * (from the page after the letter before it to the page after its last),
 * in page order; fn returns non-zero to stop.  MR_EDB.
 */
int arc_letter_questions(struct arc *a, int64_t letter_id,
                         int (*fn)(const struct arc_question *q, void *ctx),
                         void *ctx, struct mr_err *err);

/* A search hit: one page whose text contains the query. */
struct arc_hit {
    int64_t page_id;
    int seq;
    const char *code;
    const char *source;
    const char *snippet; /* the text around the match, on one line */
};

/*
 * Full-text search over page text (Chinese or English, any substring of
 * one character or more).  Calls fn per hit, newest letter first, at most
 * limit hits (no limit when limit <= 0); fn returns non-zero to stop.
 * Returns the number of hits passed to fn or a negative code.  A page in
 * no letter has code "".
 */
int arc_search(struct arc *a, const char *query, int limit,
               int (*fn)(const struct arc_hit *h, void *ctx), void *ctx,
               struct mr_err *err);

/*
 * Write archived page page_id to out_path.  If out_path ends in the stored
 * format's extension (.tif/.tiff, .png, or .jpg/.jpeg) the stored bytes
 * are copied exactly after checking their SHA-256; otherwise the image is
 * decoded and re-encoded into the format the extension names (.png, .tif,
 * .jpg, .pnm).
 * MR_ENOTFOUND for an unknown page, MR_EIO when the stored file is missing
 * or its checksum does not match, MR_EINVAL for an unknown extension.
 */
int arc_page_export(struct arc *a, int64_t page_id, const char *out_path,
                    struct mr_err *err);

/*
 * Write pix (borrowed) to out_path in the format its extension names
 * (.png, .tif, .jpg, .pnm), as arc_page_export re-encodes a page.
 * MR_EINVAL for an unknown extension, MR_EFORMAT, MR_EIO.
 */
int arc_pix_export(struct Pix *pix, const char *out_path, struct mr_err *err);

/*
 * The tracking code of the letter page page_id is in into code
 * (ARC_CODE_SIZE bytes; "" when in none) and its OCR text into *ptext
 * (malloc'd; NULL when not read).  MR_ENOTFOUND, MR_EDB, MR_ENOMEM.
 */
int arc_page_letter(struct arc *a, int64_t page_id, char *code, char **ptext,
                    struct mr_err *err);

/* What the whole archive holds. */
struct arc_totals {
    int64_t stacks, letters, pages, blank_pages;
};

/*
 * Count the archive's stacks, letters, pages and blank pages into *t
 * (committed ones, and those of the open stack).  MR_EDB on failure.
 */
int arc_totals(struct arc *a, struct arc_totals *t, struct mr_err *err);

/*
 * Files written the way the archive keeps its pages, for others the
 * archive holds (bundles).
 */

/*
 * Create directory path and any missing parents (owner only: 0700), each
 * synced into its parent.  MR_EIO naming the directory that could not be
 * made.
 */
int arc_mkdir_p(const char *path, struct mr_err *err);

/*
 * Write size bytes of data to path (owner only: 0600): to path.part,
 * fsync, rename, fsync the directory; the .part file is removed on
 * failure.  MR_EIO.
 */
int arc_write_atomic(const char *path, const void *data, size_t size,
                     struct mr_err *err);

/* The lower-case hex SHA-256 of data into hex (65 bytes).  MR_EIO. */
int arc_sha256_hex(const void *data, size_t size, char *hex,
                   struct mr_err *err);

/*
 * The lower-case hex SHA-256 of the file at path into hex (65 bytes),
 * read in pieces.  MR_ENOTFOUND when it is not there, MR_EIO when it
 * cannot be read; the message names path.
 */
int arc_sha256_file(const char *path, char *hex, struct mr_err *err);

/* The archive's directory, as given to arc_open.  Cannot fail. */
const char *arc_dir(const struct arc *a);

/* A bundle of letters handed to a mailbox's office. */
struct arc_bundle {
    const char *mailbox;
    const char *created; /* the handover time, UTC ISO 8601 */
    const char *path;    /* the PDF: relative to the archive, or absolute */
    const char *sha256;  /* of the PDF, hex */
    int pages;           /* of the PDF */
};

/*
 * Record bundle b of the n letters codes, handed over by who at
 * b->created, in one transaction (no stack may be open): each letter,
 * which must still be confirmed, valid, in b->mailbox and in no bundle,
 * becomes "handed_over" with the time and the bundle, with an audit row
 * ("handover").  The row is the record: the caller moves the bundle's
 * files into place after it (and on a later run, see arc_bundle_each,
 * when it was cut off).  *pid gets the bundle id (0 on failure).
 * MR_EINVAL naming a letter that changed meanwhile, MR_EDB, MR_EBUSY.
 */
int arc_bundle_add(struct arc *a, const struct arc_bundle *b,
                   const char (*codes)[ARC_CODE_SIZE], size_t n,
                   const char *who, int64_t *pid, struct mr_err *err);

/*
 * Call fn for every bundle recorded, oldest first, with its id and PDF
 * path (as recorded: relative to the archive, or absolute); fn returns
 * non-zero to stop (that value is returned).  MR_EDB.
 */
int arc_bundle_each(struct arc *a,
                    int (*fn)(int64_t id, const char *path, void *ctx),
                    void *ctx, struct mr_err *err);

/* What arc_verify found wrong. */
enum arc_problem_kind {
    ARC_PROBLEM_DATABASE, /* SQLite's integrity or foreign-key check */
    ARC_PROBLEM_PAGE,     /* a page's file: missing, unreadable, changed */
    ARC_PROBLEM_FILE,     /* a file under pages/ that no row names */
    ARC_PROBLEM_BUNDLE,   /* a bundle's PDF: missing, unreadable, changed */
    /*
     * Not a problem: a file of a stack with no row or still being
     * scanned, that no row names: a write not committed, in progress or
     * cut off (the next stack begun, or the scan going on, replaces it).
     */
    ARC_PROBLEM_UNCOMMITTED
};

struct arc_problem {
    enum arc_problem_kind kind;
    int64_t page_id; /* the page (ARC_PROBLEM_PAGE), else 0 */
    int64_t stack;   /* its stack, and its number there */
    int seq;
    const char *letter; /* its letter's code, NULL when in none */
    int letter_page;    /* its number in the letter */
    const char *path;   /* the file, as the archive names it, or NULL */
    const char *detail; /* what is wrong, one line */
};

/* What arc_verify looked at. */
struct arc_verified {
    int pages, bundles, problems;
    int uncommitted; /* ARC_PROBLEM_UNCOMMITTED files, not problems */
};

/*
 * Check archive a (arc_verify.c): SQLite's integrity and foreign-key
 * checks; every page row's file there with the SHA-256 the row recorded;
 * every file under pages/ named by a row; every bundle's PDF there with
 * its checksum, all as of one moment of the index.  Calls fn for each
 * problem as it is found (problem borrowed for the call; non-zero stops,
 * and is returned), and for each file of a write not committed; counts
 * into *t.  Reads only.  MR_EDB, MR_ENOMEM.
 */
int arc_verify(struct arc *a, int (*fn)(const struct arc_problem *p, void *ctx),
               void *ctx, struct arc_verified *t, struct mr_err *err);

/*
 * Statistics (arc_stats.c).  from and to are UTC times as the archive
 * stores them ("2026-05-01T00:00:00Z"), from included, to not; a caller
 * counting the days of another time zone widens the span and sorts the
 * rest out itself.
 *
 * arc_stats_letters calls fn for every letter received, handed over,
 * replied or closed in the span, and every letter handed over before its
 * end and not replied before its start (its result may fall due in it),
 * oldest first.  The letter has its code, ids, archived time, decisions
 * (validity and its reason, addressee, mailbox, department, risk, repeat,
 * writer_id, review) and tracking (state, times, ratings, simple,
 * bundle_id); not its source, pages, text, writer's details or reasons.
 * It is valid only during the call; fn returns non-zero to stop (that
 * value is returned).  MR_EDB, MR_ENOMEM.
 */
int arc_stats_letters(struct arc *a, const char *from, const char *to,
                      int (*fn)(const struct arc_letter *l, void *ctx),
                      void *ctx, struct mr_err *err);

/* What a reviewer's confirmation changed of a letter's decisions. */
enum arc_changed {
    ARC_CHANGED_VALID = 1 << 0,     /* valid or invalid */
    ARC_CHANGED_REASON = 1 << 1,    /* why it is invalid */
    ARC_CHANGED_MAILBOX = 1 << 2,   /* its mailbox */
    ARC_CHANGED_DEPARTMENT = 1 << 3 /* its responsible department */
};

/* One confirmation of a letter by a reviewer, from the audit table. */
struct arc_confirm_event {
    const char *code, *at, *who;
    /* Confirmed before: this changes a reviewer's decisions, not ours. */
    int again;
    int decided;      /* the program had decided the letter */
    unsigned changed; /* enum arc_changed */
    /*
     * The mailbox it was in; NULL when none or not known (a code retired
     * by a merge).
     */
    const char *mailbox_before;
    const char *why; /* the kind of reason given for a change, or NULL */
};

/*
 * Call fn for every confirmation made in the span (audit rows "confirm"
 * of field "review" and the decision rows written with them), by letter
 * code and then in the order made.  The event is valid only during the
 * call; fn returns non-zero to stop (that value is returned).  MR_EDB,
 * MR_ENOMEM.
 */
int arc_stats_confirmations(struct arc *a, const char *from, const char *to,
                            int (*fn)(const struct arc_confirm_event *e,
                                      void *ctx),
                            void *ctx, struct mr_err *err);

#endif
