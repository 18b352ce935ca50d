#ifndef MR_H
#define MR_H
/*
 * The base every module may include: error reporting, logging, the page
 * record that stages exchange, exit codes and message translation.
 * Its interface exposes no library type; mr.c only hooks Leptonica's and
 * libtiff's message handlers.
 */
#include <assert.h>
#include <libintl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Messages seen by people go through gettext; N_ marks without translating. */
#define _(s) gettext(s)
#define N_(s) (s)

/*
 * Return codes of every library function: 0 on success, one of these on
 * failure.  Library-native codes (SANE_Status, SQLITE_*, Leptonica's 1,
 * Tesseract's -1) are mapped at the call site and never cross a module.
 */
enum mr_code {
    MR_OK = 0,
    MR_ENOMEM = -1,    /* out of memory */
    MR_EIO = -2,       /* a file or disk operation failed */
    MR_EDEVICE = -3,   /* the scanner failed */
    MR_ENODOCS = -4,   /* the feeder is empty */
    MR_EJAM = -5,      /* paper jam or cover open */
    MR_EDB = -6,       /* the archive database failed */
    MR_EINVAL = -7,    /* bad argument or bad input data */
    MR_ENOTFOUND = -8, /* no such letter, page or file */
    MR_EFORMAT = -9,   /* not an image, or an image we cannot read */
    MR_EOCR = -10,     /* the OCR engine failed */
    MR_EBUSY = -11,    /* the archive or the scanner is in use */
    MR_EINTR = -12,    /* stopped by the operator (Ctrl-C) */
};

/*
 * Exit codes of the mailroom command (listed in README.md).  Library
 * statuses are never passed through as an exit code.
 */
enum mr_exit {
    MR_EXIT_OK = 0,
    MR_EXIT_USAGE = 64,       /* bad command line */
    MR_EXIT_DATAERR = 65,     /* some input could not be read or archived */
    MR_EXIT_NOINPUT = 66,     /* an input file, letter or page is missing */
    MR_EXIT_SOFTWARE = 70,    /* internal error */
    MR_EXIT_CANTCREAT = 73,   /* cannot create the archive or an output */
    MR_EXIT_IOERR = 74,       /* read or write error */
    MR_EXIT_TEMPFAIL = 75,    /* scanner busy or jammed: try again */
    MR_EXIT_NOPERM = 77,      /* a wrong query password, --unmasked refused */
    MR_EXIT_INTERRUPTED = 130 /* stopped by Ctrl-C */
};

/*
 * The error of a call that can fail: it is the last parameter.  The first
 * error recorded wins; on success the struct is left untouched, so calls
 * can be chained and the message of the first failure reported.
 */
struct mr_err {
    int code;
    char msg[1024];
};

#define MR_ERR_INIT                                                            \
    {                                                                          \
        0, ""                                                                  \
    }

/*
 * Record an error in err unless one is already there; returns code so a
 * caller can write `return mr_fail(err, MR_EIO, ...)`.  The message is one
 * lower-case line without a full stop, subject in quotes.  err may be NULL.
 */
int mr_fail(struct mr_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Forget a recorded error so the struct can be reused.  Cannot fail. */
void mr_err_clear(struct mr_err *err);

/*
 * Defensive checks: MR_NEVER(x) asserts that x is false in debug builds and
 * evaluates to x in release builds, so `if (MR_NEVER(p == NULL))` still
 * handles the case.  assert() itself is for programmer errors only.
 */
#ifdef NDEBUG
#define MR_NEVER(x) (x)
#else
#define MR_NEVER(x) (assert(!(x)), (x))
#endif

/*
 * Logging to stderr.  Each line is prefixed with the context set by the
 * batch driver (for example "'stack.tif' page 3: ").  mr_log checks the
 * level before formatting anything.
 */
enum mr_level { MR_LOG_ERROR, MR_LOG_WARN, MR_LOG_INFO, MR_LOG_DEBUG };
extern enum mr_level mr_log_level;

void mr_log_(enum mr_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define mr_log(lvl, ...)                                                       \
    do {                                                                       \
        if ((lvl) <= mr_log_level)                                             \
            mr_log_(lvl, __VA_ARGS__);                                         \
    } while (0)

/*
 * Set the context printed before each log line; NULL clears it.  The
 * string is copied (and truncated to 200 bytes).  Cannot fail.
 */
void mr_log_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Send Leptonica's and libtiff's messages into mr_log (at DEBUG level, since
 * each failure they describe is reported once by the caller) and keep the
 * last one, so a caller can say why a read failed.  Call once at start-up.
 */
void mr_library_messages_init(void);

/*
 * The last message a library printed since mr_library_message_clear(), or ""
 * if none.  The string is owned by this module; copy it before the next call
 * into a library.
 */
const char *mr_library_message(void);
void mr_library_message_clear(void);

/*
 * Some libraries (libpng, libjpeg) print to stderr themselves.  Between
 * begin and end, what is written to stderr is held back; at the end an
 * error line among it becomes the library message and the rest is logged
 * at DEBUG level.  Calls do not nest; if stderr cannot be redirected,
 * nothing is captured.  Cannot fail.
 */
void mr_stderr_capture_begin(void);
void mr_stderr_capture_end(void);

/* Flags of a page. */
enum mr_page_flags {
    MR_PAGE_BLANK = 1 << 0,     /* no content: archived, not OCR'd */
    MR_PAGE_PENDING = 1 << 1,   /* stored as scanned, not yet cleaned/OCR'd */
    MR_PAGE_SYMBOL = 1 << 2,    /* one symbol and nothing else: not OCR'd */
    MR_PAGE_SEPARATOR = 1 << 3, /* a separator sheet: ends a letter */
    MR_PAGE_UNSURE = 1 << 4,    /* looks like a separator, code unread */
    MR_PAGE_DEFERRED = 1 << 5   /* pending, to be read after other work */
};

/* One recognised word and its box in the upright, deskewed page. */
struct mr_word {
    int x, y, w, h;
    int conf;   /* 0..100 */
    char *text; /* UTF-8, malloc'd */
};

/*
 * The page record: what the stages tell each other about one page.  It
 * holds plain data only, never a library handle.  Strings and arrays are
 * owned by the record and freed by mr_page_release().
 */
struct mr_page {
    int seq;           /* 1-based page number in its source file */
    int width, height; /* of the page as delivered */
    int depth;         /* bits per pixel as delivered: 1, 8, 16, 32 ... */
    int dpi;           /* resolution as delivered, 0 when unknown */
    unsigned flags;    /* enum mr_page_flags */
    int rotation;      /* 0, 90, 180, 270: degrees turned clockwise */
    float skew;        /* degrees of skew that were corrected */
    char *text;        /* OCR text, NULL when not OCR'd */
    int ocr_conf;      /* mean word confidence 0..100, -1 when not OCR'd */
    char language[8];  /* "zh", "en" or "" when unknown */
    char script[16];   /* script found by orientation detection, or "" */
    char *codes;       /* barcodes read, "TYPE:DATA\n" each, or NULL */
    struct mr_word *words;
    size_t nwords;
};

/* Prepare a caller-allocated record: all zero, ocr_conf -1.  Cannot fail. */
void mr_page_init(struct mr_page *p);

/* Free what the record owns and re-initialise it.  Accepts NULL. */
void mr_page_release(struct mr_page *p);

/* Whether code point c is a Han ideograph (CJK unified, extensions,
 * compatibility).  Cannot fail. */
int mr_is_han(uint32_t c);

/*
 * The columns UTF-8 text s takes on a terminal: two for a wide (Chinese)
 * character, one for other characters and for each byte that is not
 * UTF-8, none for combining marks; 0 for NULL.  Cannot fail.
 */
int mr_text_width(const char *s);

/*
 * Duplicate a string; on failure fills err with MR_ENOMEM and returns NULL.
 * s may be NULL, then the result is NULL and err is untouched.
 */
char *mr_strdup(const char *s, struct mr_err *err);

/*
 * The day y-m-d of the proleptic Gregorian calendar as days after
 * 1970-01-01 (negative before).  Does not check its arguments.
 */
long mr_day_of(long y, int m, int d);

/*
 * The time now: $MAILROOM_NOW when set (UTC, "2026-05-01T09:00:00Z", or a
 * day, "2026-05-01", meaning its midnight), else the clock, so that tests
 * and demonstrations of deadlines need no waiting.  (time_t)-1 when
 * MAILROOM_NOW is set but not such a time.
 */
time_t mr_now(void);

/*
 * The time text names: "2026-05-01T09:00:00Z" (UTC) or "2026-05-01" (its
 * midnight, UTC).  (time_t)-1 for NULL or anything else.  Cannot fail.
 */
time_t mr_time_of(const char *text);

/*
 * t as "2026-05-01T09:00:00Z" into buf (MR_TIME_SIZE bytes).  MR_EINVAL
 * for a time gmtime cannot break down.
 */
#define MR_TIME_SIZE 24
int mr_time_text(time_t t, char *buf, struct mr_err *err);

/*
 * Set by the SIGINT/SIGTERM handler (pipeline/main.c); long loops and
 * waits check it.
 */
extern volatile sig_atomic_t mr_interrupted;

#include "pipeline/banned.h"
#endif
