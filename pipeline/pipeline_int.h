#ifndef PIPELINE_INT_H
#define PIPELINE_INT_H
/*
 * Private to pipeline/: the subcommands main.c dispatches to.  Each
 * returns an enum mr_exit code and has printed its own messages.
 */
#include "pipeline/mr.h"

#include "scanner/scanner.h"

#include <signal.h>

/* What the command line said, for every subcommand. */
struct mr_cli {
    const char *archive;   /* --archive, $MAILROOM_ARCHIVE, ./mailroom-data */
    const char *langs;     /* --lang: Tesseract languages, NULL = default */
    const char *format;    /* --format of letters: "jsonl" or "table" */
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
 * Clean and OCR pix into page with ocr_page(), and mark the page a
 * separator sheet (or an unsure one) when it is one for value separator.
 * A page the recogniser gives up on (MR_EOCR, e.g. its deadline) is kept
 * without text and a warning, rather than losing the stack around it;
 * other failures are returned.
 */
int mr_read_page(struct ocr_engine *ocr, const char *separator, struct Pix *pix,
                 struct mr_page *page, struct mr_err *err);

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
 * Process stored stack of a (no stack open): read its pages (deferring
 * the rest of a long letter, see mr_process.c), make its letters and
 * judge them (mr_stack_letters, which prints them with label).  Adds to
 * *pletters and *pblank when given.  Pages read stay read on failure.
 */
int mr_process_stack(const struct mr_cli *cli, struct arc *a,
                     struct ocr_engine *ocr, const struct mr_judge *judge,
                     int64_t stack, const char *label, int *pletters,
                     int *pblank, struct mr_err *err);

/*
 * Process every complete stack with work left, oldest first, then read
 * the deferred rest of every long letter (mr_read_rest).  Reports
 * failure; returns the exit code.
 */
int mr_process_all(const struct mr_cli *cli, struct arc *a,
                   struct ocr_engine *ocr, const struct mr_judge *judge);

/*
 * The low-priority work: read the deferred pages of the long letters of
 * stack (0: of every stack), each letter judged again on its whole text
 * when its last page is read (unless a reviewer confirmed it), saying so
 * on stderr.
 */
int mr_read_rest(const struct mr_cli *cli, struct arc *a,
                 struct ocr_engine *ocr, const struct mr_judge *judge,
                 int64_t stack, struct mr_err *err);

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

/* A day as "2026-05-01": MR_DAY_SIZE bytes. */
#define MR_DAY_SIZE 11

/* Day (days after 1970-01-01) as "2026-05-01" ("-" for -1). */
void mr_day_text(long day, char buf[MR_DAY_SIZE]);

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

/* The exit code that fits an error code.  Cannot fail. */
int mr_exit_code(int code);

/* Set by the SIGINT/SIGTERM handler; long loops check it. */
extern volatile sig_atomic_t mr_interrupted;

#endif
