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

struct Pix;
struct arc;
struct cls_catalog;
struct ocr_engine;

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
 * Make the letters of stack, open in a with every page processed: split
 * it at its separator sheets (cls_split) and, with by_text, where its
 * text shows one letter ending and the next opening; add each letter with
 * its language and decisions (mr_letter_decide), queue every unsure
 * boundary for review, commit the stack,
 * then print one line per letter ("CODE<TAB>PAGES<TAB>label") and the
 * separation report (on stderr, when the stack had separator sheets).
 * Adds to *pletters and *pblank when given.  On failure the stack must
 * be aborted.
 */
int mr_stack_letters(struct arc *a, const struct cls_catalog *catalog,
                     int64_t stack, const char *label, int by_text,
                     int *pletters, int *pblank, struct mr_err *err);

/*
 * Open the existing archive of --archive (never create one: a mistyped
 * --archive would otherwise look like an empty office).  On failure says
 * why and sets *prc to the exit code (MR_EXIT_OK otherwise).
 */
struct arc *mr_archive_existing(const struct mr_cli *cli, int *prc);

/*
 * Decide letter code of the open stack by the catalogue's rules: its
 * language, validity, addressee, mailbox, department, risk and writer
 * (matched against the writer registry), stored with their reasons;
 * changes are audited.  Also after a letter's pages changed.
 */
int mr_letter_decide(struct arc *a, const struct cls_catalog *catalog,
                     const char *code, struct mr_err *err);

/*
 * The mailbox catalogue: --catalog FILE, else catalog.ini in the archive
 * directory, else the one mailroom ships.  On failure says why and sets
 * *prc to the exit code.
 */
struct cls_catalog *mr_catalog_open(const struct mr_cli *cli, int *prc);

/* The exit code that fits an error code.  Cannot fail. */
int mr_exit_code(int code);

/* Set by the SIGINT/SIGTERM handler; long loops check it. */
extern volatile sig_atomic_t mr_interrupted;

#endif
