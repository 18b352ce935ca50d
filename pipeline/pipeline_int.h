#ifndef PIPELINE_INT_H
#define PIPELINE_INT_H
/*
 * Private to pipeline/: the subcommands main.c dispatches to.  Each
 * returns an enum mr_exit code and has printed its own messages.
 */
#include "pipeline/mr.h"

#include "classifier/classifier.h"
#include "scanner/scanner.h"

#include <signal.h>

/* What the command line said, for every subcommand. */
struct mr_cli {
    const char *archive;   /* --archive, $MAILROOM_ARCHIVE, ./mailroom-data */
    const char *langs;     /* --lang: Tesseract languages, NULL = default */
    const char *format;    /* --format; NULL: the command's own default */
    const char *out;       /* --out of page */
    const char *separator; /* --separator: separator sheets' barcode */
    int split_by_text;     /* --split auto: also split where the text shows */
    int progress;          /* show progress: stderr is a terminal, not -q */
    struct scan_settings scan; /* --device, --source, --resolution, --mode */
    int64_t stack;             /* --continue STACK of scan, 0 for a new stack */
    int at;                    /* --at PAGE of split, 0 when not given */
    const char *reviewer;      /* --reviewer: who corrects; the login name */
    const char *reason;        /* --reason: why, for the audit table */
    const char *catalog;       /* --catalog: the mailbox catalogue file */
    const char *mailbox;       /* --mailbox of confirm */
    const char *department;    /* --department of confirm */
    int valid;                 /* --valid 1, --invalid 0, else -1 */
    const char *invalid_reason; /* --invalid=REASON */
    const char *password;       /* --password of status */
    const char *file;           /* --file of reply */
    int office, unit;           /* --office and --unit of rate, 0: none */
    const char *why;            /* --why: the kind of an override's reason */
    int simple;                 /* --simple 1, --not-simple 0, else -1 */
    const char *date;           /* --date DAY of bundle */
    const char *month;          /* --month YYYY-MM of stats */
    int jobs;                   /* --jobs: readers at once (default: cores) */
    int later;                  /* --later of import: archive, read later */
    long max_pixels; /* --max-pixels of import: largest page, 0: default */
    int unmasked; /* --unmasked: ID numbers and phones shown (mr_privacy.c) */
};

int mr_cmd_import(const struct mr_cli *cli, char **paths, int npaths);
int mr_cmd_letters(const struct mr_cli *cli);
int mr_cmd_show(const struct mr_cli *cli, const char *code);
int mr_cmd_alerts(const struct mr_cli *cli);
int mr_cmd_search(const struct mr_cli *cli, const char *text);
int mr_cmd_page(const struct mr_cli *cli, const char *id);
int mr_cmd_devices(const struct mr_cli *cli);
int mr_cmd_scan(const struct mr_cli *cli);
int mr_cmd_process(const struct mr_cli *cli);
int mr_cmd_split(const struct mr_cli *cli, const char *code);
int mr_cmd_merge(const struct mr_cli *cli, const char *code1,
                 const char *code2);
int mr_cmd_confirm(const struct mr_cli *cli, char **codes, int ncodes);
int mr_cmd_train(const struct mr_cli *cli);
int mr_cmd_decide(const struct mr_cli *cli, char **codes, int ncodes);
int mr_cmd_receipt(const struct mr_cli *cli, char **codes, int ncodes);
int mr_cmd_status(const struct mr_cli *cli, const char *code);
int mr_cmd_reply(const struct mr_cli *cli, const char *code);
int mr_cmd_rate(const struct mr_cli *cli, const char *code);
int mr_cmd_overdue(const struct mr_cli *cli);
int mr_cmd_stats(const struct mr_cli *cli);
int mr_cmd_review(const struct mr_cli *cli);
int mr_cmd_bundle(const struct mr_cli *cli);
int mr_cmd_verify(const struct mr_cli *cli);

/*
 * Whether bundle PDF path (relative to archive directory dir, or
 * absolute) is not in place but its hidden file is: a bundle run cut off
 * after its record, which the next `bundle` finishes.  Cannot fail.
 */
int mr_bundle_cut_off(const char *dir, const char *path);

struct Pix;
struct arc;
struct arc_letter;
struct cls_catalog;
struct cls_model;
struct ocr_engine;

/* What judges letters: the catalogue's rules and the department model. */
struct mr_judge {
    struct cls_catalog *catalog;
    struct cls_model *model; /* NULL until trained */
};

/*
 * Make the letters of stack, open in a with every page processed or
 * deferred (mr_process.c), unless another run made them already: split
 * it at its separator sheets (cls_split) and, with by_text, where its
 * text shows one letter ending and the next opening; add each letter with
 * its language and decisions (mr_letter_decide), queue every unsure
 * boundary for review, commit the stack,
 * then print one line per letter ("CODE<TAB>PAGES<TAB>label") and the
 * separation report (on stderr, when the stack had separator sheets).
 * Adds to *pletters and *pblank when given.  On failure the stack must
 * be aborted.
 */
int mr_stack_letters(struct arc *a, const struct mr_judge *judge, int64_t stack,
                     const char *label, int by_text, int *pletters, int *pblank,
                     struct mr_err *err);

/*
 * The pool of readers (mr_pool.c): worker threads, each with its own OCR
 * engine, that clean and OCR pages (ocr_page, then cls_page_role for the
 * separator value), or only survey them (ocr_page_survey), and touch
 * nothing else.  A job is one page.
 */
struct mr_job {
    int64_t stack, page_id;
    int seq;
    char code[16];       /* the letter whose deferred rest it is, or "" */
    int survey;          /* only survey it (ocr_page_survey), no OCR */
    struct Pix *pix;     /* the page, owned; freed once read */
    struct mr_page page; /* the results */
    int rc;              /* 0, MR_EOCR (kept without text), or another error */
    struct mr_err err;
    struct mr_job *next;
};

struct mr_pool;

/*
 * Start nworkers threads, each loading an OCR engine for langs (NULL: the
 * default), and wait until all have; at most capacity jobs are in the
 * pool at once.  NULL with err filled (the engine's error, MR_ENOMEM).
 * langs and separator are borrowed for the pool's life.
 */
struct mr_pool *mr_pool_new(const char *langs, const char *separator,
                            int nworkers, int capacity, struct mr_err *err);

/* How many more jobs the pool takes now; jobs in it.  Cannot fail. */
int mr_pool_room(struct mr_pool *p);
int mr_pool_jobs(struct mr_pool *p);

/*
 * Queue job (malloc'd, pix set; the pool owns it until taken).  The caller
 * checks mr_pool_room first: the pool never refuses.  Cannot fail.
 */
void mr_pool_put(struct mr_pool *p, struct mr_job *job);

/*
 * A job read, oldest first, now the caller's (free with mr_job_free); NULL
 * when none is done.  With wait, waits for one while any is in the pool,
 * returning NULL early when mr_interrupted is set (within one page).
 */
struct mr_job *mr_pool_take(struct mr_pool *p, int wait);

/* Wake a caller waiting in mr_pool_take.  Cannot fail. */
void mr_pool_wake(struct mr_pool *p);

/* Free a job.  Accepts NULL. */
void mr_job_free(struct mr_job *job);

/*
 * Stop the workers (each finishes the page it reads), free the engines and
 * every job left, and null *pp.  Accepts NULL.
 */
void mr_pool_destroy(struct mr_pool **pp);

/*
 * The reading of stacks (mr_process.c), shared by import, scan and
 * process: the one thread that writes the archive hands stored pages to
 * the pool, writes their results in batches, makes each stack's letters
 * once its pages are read, and at the end reads the deferred rest of long
 * letters.  Pages are read in the order they are given; a page given
 * without its pixels, or when the pool was full, is loaded from the
 * archive later.  No stack may be open in the archive when these are
 * called, except where said.  Failures of a stack or page are reported
 * and leave its pages archived for `mailroom process`; fatal ones
 * (MR_EDB, MR_EBUSY, MR_ENOMEM, MR_EINTR) are returned.
 */
struct mr_reader;

/*
 * A reader for cli (--jobs workers; progress) on archive a, judging with
 * judge; all borrowed.  NULL on failure after a message, with *prc the
 * exit code.
 */
struct mr_reader *mr_reader_new(const struct mr_cli *cli, struct arc *a,
                                const struct mr_judge *judge, int *prc);

/*
 * Take stack on, labelled label in messages and the letters' lines.  When
 * complete (every page stored), its pages are listed from the archive and
 * the rest of its long letters planned (deferred); otherwise pages come
 * with mr_reader_page until mr_reader_complete.  A stack another live
 * mailroom reads (arc_stack_take) is left to it, with a warning: its
 * pages given are not read.
 */
int mr_reader_stack(struct mr_reader *r, int64_t stack, const char *label,
                    int complete, struct mr_err *err);

/* Whether r took stack on.  Cannot fail. */
int mr_reader_has(struct mr_reader *r, int64_t stack);

/* Every complete stack of the archive with work left, oldest first. */
int mr_reader_stacks_todo(struct mr_reader *r, struct mr_err *err);

/* How many pages the pool takes now (0 when full).  Cannot fail. */
int mr_reader_room(struct mr_reader *r);

/*
 * Page page_id (number seq) of stack, taken on, was stored and committed:
 * read it from *ppix when the pool has room (taking the pixels and
 * nulling *ppix), else later from the archive (*ppix left to the caller).
 */
int mr_reader_page(struct mr_reader *r, int64_t stack, int64_t page_id, int seq,
                   struct Pix **ppix, struct mr_err *err);

/* Every page of stack is stored: as mr_reader_stack with complete. */
int mr_reader_complete(struct mr_reader *r, int64_t stack, struct mr_err *err);

/*
 * Write the results read so far, and make the letters of the stacks now
 * read.  With wait, first waits for one result while the pool has work.
 */
int mr_reader_poll(struct mr_reader *r, int wait, struct mr_err *err);

/*
 * Read every page left of the stacks taken on, make their letters, then
 * read the deferred rest of their long letters (with all_rest, of every
 * stack's), each letter judged again on its whole text when its last page
 * is read (unless a reviewer confirmed it), saying so on stderr.
 */
int mr_reader_finish(struct mr_reader *r, int all_rest, struct mr_err *err);

/*
 * What intake is doing, for the progress line ("storing file 3 of 10"), or
 * NULL; the line is redrawn.  With a terminal only.  Cannot fail.
 */
void mr_reader_progress(struct mr_reader *r, const char *doing);

/* The figures of a reader's run. */
struct mr_read_totals {
    int read, blank, letters;
    int failed; /* stacks and long letters that failed, reported */
    int code;   /* the error code of the last failure, 0: none */
};

/* What r did so far.  Cannot fail. */
void mr_reader_totals(const struct mr_reader *r, struct mr_read_totals *t);

/* Stop the pool and free the reader; the progress line is cleared. */
void mr_reader_destroy(struct mr_reader **pr);

/*
 * Open the existing archive of --archive (never create one: a mistyped
 * --archive would otherwise look like an empty office).  On failure says
 * why and sets *prc to the exit code (MR_EXIT_OK otherwise).
 */
struct arc *mr_archive_existing(const struct mr_cli *cli, int *prc);

/*
 * Decide letter code of the open stack by the catalogue's rules and the
 * department model: its language, validity, addressee, mailbox,
 * department, risk and writer (matched against the writer registry),
 * stored with their reasons; changes are audited.  Also after a letter's
 * pages changed.
 */
int mr_letter_decide(struct arc *a, const struct mr_judge *judge,
                     const char *code, struct mr_err *err);

/*
 * Open the judge's catalogue: --catalog FILE, else catalog.ini in the
 * archive directory, else the one mailroom ships; no model yet.  On
 * failure says why and returns the exit code (MR_EXIT_OK on success).
 */
int mr_judge_open(const struct mr_cli *cli, struct mr_judge *judge);

/*
 * Load the department model archive a keeps, if any.  A damaged one is
 * left out with a warning: the rules still decide.  MR_ENOMEM, MR_EDB.
 */
int mr_judge_model(struct mr_judge *judge, struct arc *a, struct mr_err *err);

/* Free what the judge holds.  Accepts an empty one.  Cannot fail. */
void mr_judge_close(struct mr_judge *judge);

struct cls_model_report;

/*
 * Learn the department model again from every letter reviewers confirmed
 * and store it in a (no stack open), trained by who; what it made into
 * *rep.  MR_ENOTFOUND when no letter was confirmed yet.
 */
int mr_model_train(struct arc *a, const char *who, struct cls_model_report *rep,
                   struct mr_err *err);

/*
 * Learn the model again when the catalogue's retrain_after confirmations
 * were made since it was last learnt, saying so on stderr.
 */
int mr_model_retrain_due(struct arc *a, const struct cls_catalog *catalog,
                         const char *who, struct mr_err *err);

/*
 * Mailboxes (mr_mailbox.c).  mr_box_label: "mayor (市长信箱)" for a
 * catalogue id in buf (size bytes), the id itself when the catalogue
 * (may be NULL) has no such mailbox, "-" for NULL; returns what to print.
 * mr_box_rank: the catalogue's order of mailbox id (leaders, then
 * departments), then "other", then anything else.  mr_mailbox_check: 0
 * when --mailbox id (may be NULL) names a catalogue mailbox or "other"
 * (or, with invalid, "invalid"), else MR_EXIT_USAGE after saying so.
 * Cannot fail.
 */
const char *mr_box_label(const struct cls_catalog *c, const char *id, char *buf,
                         size_t size);
size_t mr_box_rank(const struct cls_catalog *c, const char *id);
int mr_mailbox_check(const struct cls_catalog *c, const char *id, int invalid);

/* A day as "2026-05-01": MR_DAY_SIZE bytes. */
#define MR_DAY_SIZE 11

/* Day (days after 1970-01-01) as "2026-05-01" ("-" for -1). */
void mr_day_text(long day, char buf[MR_DAY_SIZE]);

/*
 * The office's day (cls_catalog_day) of a recorded UTC time such as
 * "2026-05-01T09:00:00Z"; -1 for NULL or anything else.  Cannot fail.
 */
long mr_office_day(const struct cls_catalog *c, const char *utc);

/*
 * A letter's deadlines, as days in the office's time zone (-1: none):
 * received, handover due, handed over, result due (from the handover, or
 * if not handed over yet, from today), replied.
 */
struct mr_due {
    long received, handover_due, handed, result_due, replied;
    int result_clock; /* enum cls_clock: CLS_CLOCK_RESULT or _SIMPLE */
};

/*
 * Fill *due for letter l by the catalogue's deadlines, today being day
 * today.  Returns 1, or 0 when no clock runs for it (an invalid letter).
 * Cannot fail.
 */
int mr_letter_due(const struct cls_catalog *c, const struct arc_letter *l,
                  long today, struct mr_due *due);

/*
 * The kinds of reason for overriding a decision ("misread", "addressee",
 * "matter", "several", "validity", "instruction", "other"):
 * mr_why_text is the description of id (NULL for an unknown id),
 * mr_why_id the i-th id (NULL past the last), mr_why_list the ids
 * comma-separated.  Cannot fail.
 */
const char *mr_why_text(const char *id);
const char *mr_why_id(size_t i);
const char *mr_why_list(void);

/* Who corrects: --reviewer, else the login name.  NULL after a message. */
const char *mr_reviewer(const struct mr_cli *cli);

/*
 * The reviewer's corrections, shared by `confirm`, `split`, `merge` and
 * `review` (mr_correct.c).  Each works in one transaction on the letter's
 * stack (none may be open) and is whole or not at all: on failure nothing
 * changed and err says why.
 */

/*
 * The judge, to judge letters again, and the existing archive.  NULL,
 * with nothing open and *prc the exit code, after a message; else *prc
 * is MR_EXIT_OK and the caller closes both (arc_close, mr_judge_close).
 */
struct arc *mr_open_both(const struct mr_cli *cli, struct mr_judge *judge,
                         int *prc);

/*
 * What confirming letter l as cli says (--valid, --invalid=REASON,
 * --mailbox, --department; none: as decided) would change of the
 * program's decisions: "valid", "validity_reason", "department" or
 * "mailbox" into *pfield (a static string), NULL when it changes none,
 * so that an override's reason (--why) can be asked for first.  MR_EINVAL
 * naming what does not fit the catalogue or the letter, as
 * mr_confirm_one would refuse it.  Writes nothing.
 */
int mr_confirm_check(const struct mr_cli *cli,
                     const struct cls_catalog *catalog,
                     const struct arc_letter *l, const char **pfield,
                     struct mr_err *err);

/*
 * Confirm letter code as reviewer who, as cli says (see
 * mr_confirm_check; also --simple, --why and --reason): the letter's
 * review becomes confirmed, with audit rows for what changed and why.
 * An override without cli->why, and why "other" without cli->reason, are
 * refused (MR_EINVAL).  Prints "CODE<TAB>MAILBOX<TAB>DEPARTMENT" to out
 * unless out is NULL.  MR_ENOTFOUND, MR_EDB, MR_EBUSY.
 */
int mr_confirm_one(const struct mr_cli *cli, struct arc *a,
                   const struct mr_judge *judge, const char *who,
                   const char *code, FILE *out, struct mr_err *err);

/*
 * Split letter code (any form arc_code_normalize takes) at page cli->at
 * as reviewer who for cli->reason (arc_letter_split), and judge both
 * parts again.  The code in canonical form goes to canon, the split-off
 * part's new code to new_code (both ARC_CODE_SIZE bytes); new_code is ""
 * when the page already begins the letter: the boundary is confirmed.
 */
int mr_letter_split_at(const struct mr_cli *cli, struct arc *a,
                       const struct mr_judge *judge, const char *who,
                       const char *code, char *canon, char *new_code,
                       struct mr_err *err);

/*
 * Merge letters code1 and code2 of one stack as reviewer who for
 * cli->reason (arc_letter_merge), and judge the letter again.  Their
 * codes in canonical form go to c1 and c2, the code kept to kept (each
 * ARC_CODE_SIZE bytes); the other one is retired.  MR_EINVAL for letters
 * of different stacks, naming them.
 */
int mr_letters_merge(const struct mr_cli *cli, struct arc *a,
                     const struct mr_judge *judge, const char *who,
                     const char *code1, const char *code2, char *c1, char *c2,
                     char *kept, struct mr_err *err);

/*
 * Citizens' ID numbers and phones (mr_privacy.c).  mr_unmasked_who: for
 * a command given --unmasked, whether the login name (in *pwho, a static
 * string) is listed in privacy.ini of the archive; MR_EXIT_OK with *pwho
 * NULL without --unmasked, else an exit code after a one-line message
 * (MR_EXIT_NOPERM: not listed, or the file may be written by others).
 */
int mr_unmasked_who(const struct mr_cli *cli, const char **pwho);

/*
 * What a command that prints letters shows: masked, or for an allowed
 * --unmasked whole, and then held back until an audit row names who saw
 * which letters.  The command prints to out and notes each letter it
 * shows with mr_view_letter.
 */
struct mr_view {
    const char *who; /* the login name for --unmasked, else NULL */
    FILE *out;       /* stdout, or for --unmasked the held-back output */
    char *held;
    size_t nheld;
    char *codes; /* for --unmasked: the letters shown, comma-separated */
    size_t ncodes, capcodes, last;
};

/*
 * Start *v for cli (checks --unmasked with mr_unmasked_who).  MR_EXIT_OK,
 * else an exit code after a message, with nothing to close.
 */
int mr_view_open(const struct mr_cli *cli, struct mr_view *v);

/* Letter code is shown (noted for the audit row).  MR_ENOMEM. */
int mr_view_letter(struct mr_view *v, const char *code, struct mr_err *err);

/*
 * text as v shows it, malloc'd: masked (cls_pii_mask with flags) unless
 * unmasked.  NULL for NULL (err untouched), or MR_ENOMEM.
 */
char *mr_view_text(const struct mr_view *v, const char *text, unsigned flags,
                   struct mr_err *err);

/*
 * A writer's phone or ID number (kind) as v shows it: value itself when
 * unmasked or NULL, else masked into buf (size bytes).  Cannot fail.
 */
const char *mr_view_field(const struct mr_view *v, const char *value,
                          enum cls_pii kind, char *buf, size_t size);

/*
 * End *v: for --unmasked, unless failed, record one audit row (who,
 * command, the letters noted) in a, then print what was held back.  On
 * failure (MR_EDB, MR_EBUSY, MR_ENOMEM) nothing was printed.  Frees what
 * v holds.
 */
int mr_view_close(struct mr_view *v, struct arc *a, const char *command,
                  int failed, struct mr_err *err);

/*
 * An ocr_redact function: marks in hide the words of page that carry the
 * hidden digits of ID numbers and phones (cls_pii_find over the words
 * joined by spaces); returns how many, or MR_ENOMEM.  ctx is unused.
 */
int mr_redact_words(const struct mr_page *page, unsigned char *hide, void *ctx,
                    struct mr_err *err);

/* The exit code that fits an error code.  Cannot fail. */
int mr_exit_code(int code);

#endif
