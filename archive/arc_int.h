#ifndef ARC_INT_H
#define ARC_INT_H
/*
 * Private to archive/: the archive handle, its prepared statements and the
 * helpers the files of the module share.  Never included from outside
 * archive/.  Every helper follows mr.h: 0 or a negative MR_E* code, with
 * the first error kept in err.
 */
#include "archive/archive.h"

#include <sqlite3.h>

/* The schema version this code writes (the number of migration steps). */
#define ARC_SCHEMA_VERSION 11

/* Statements prepared once per handle by arc_open; see arc_db.c. */
enum arc_stmt_id {
    ARC_ST_STACK_INSERT,
    ARC_ST_STACK_BY_SHA256,
    ARC_ST_STACK_COUNT,
    ARC_ST_PAGE_INSERT,
    ARC_ST_WORD_INSERT,
    ARC_ST_PAGE_FREE,
    ARC_ST_LETTER_INSERT,
    ARC_ST_LETTER_PAGES_SET,
    ARC_ST_LETTER_ALL,
    ARC_ST_LETTER_BY_CODE,
    ARC_ST_LETTER_PAGES,
    ARC_ST_LETTERS_UNREAD,
    ARC_ST_SEARCH_FTS,
    ARC_ST_SEARCH_INSTR,
    ARC_ST_PAGE_FILE,
    ARC_ST_TOTALS,
    ARC_ST_PAGE_EXISTS,
    ARC_ST_STACK_GET,
    ARC_ST_STACK_STATE,
    ARC_ST_STACK_PAGES,
    ARC_ST_STACKS_UNFINISHED,
    ARC_ST_PAGE_RESULTS,
    ARC_ST_WORD_DELETE,
    ARC_ST_REVIEW_INSERT,
    ARC_ST_LETTER_CONTENT,
    ARC_ST_LETTER_MOVE,
    ARC_ST_LETTER_SPAN,
    ARC_ST_LETTER_DELETE,
    ARC_ST_LETTER_LANGUAGE,
    ARC_ST_PAGES_BETWEEN,
    ARC_ST_PAGES_JOIN,
    ARC_ST_LETTER_BEFORE,
    ARC_ST_CODE_RETIRE,
    ARC_ST_CODE_REPOINT,
    ARC_ST_CODE_RETIRED,
    ARC_ST_AUDIT_INSERT,
    ARC_ST_AUDIT_OF_LETTER,
    ARC_ST_REVIEW_ANSWER,
    ARC_ST_REVIEW_OF_LETTER,
    ARC_ST_LETTER_DECIDE,
    ARC_ST_WRITER_BY_ID_NUMBER,
    ARC_ST_WRITER_BY_PHONE,
    ARC_ST_WRITER_BY_NAME,
    ARC_ST_WRITER_INSERT,
    ARC_ST_WRITER_FILL,
    ARC_ST_SIGNATURE_SET,
    ARC_ST_LSH_CLEAR,
    ARC_ST_LSH_ADD,
    ARC_ST_LSH_FIND,
    ARC_ST_LETTERS_OF_WRITER,
    ARC_ST_LINKS_CLEAR,
    ARC_ST_LINKS_DROP,
    ARC_ST_LETTER_ALERTS,
    ARC_ST_LINK_ADD,
    ARC_ST_LETTER_CONFIRM,
    ARC_ST_CONFIRMED_LETTERS,
    ARC_ST_MODEL_INSERT,
    ARC_ST_LETTER_PASSWORD_SET,
    ARC_ST_LETTER_PASSWORD_GET,
    ARC_ST_LETTER_REPLY,
    ARC_ST_LETTER_RATE,
    ARC_ST_BUNDLE_INSERT,
    ARC_ST_LETTER_HAND_OVER,
    ARC_ST_BUNDLE_ALL,
    ARC_ST_MODEL_GET,
    ARC_ST_PAGE_LETTER,
    ARC_ST_COUNT
};

/*
 * The archive handle.  While in_stack is set a write transaction is open
 * and files[] lists every image file written for it, so that a rollback
 * can remove them again.
 */
struct arc {
    sqlite3 *db;
    char *dir;     /* the archive directory as given */
    char *db_path; /* dir/index.sqlite, for messages */
    sqlite3_stmt *st[ARC_ST_COUNT];
    int in_stack;
    int64_t stack_id;
    char stack_time[MR_TIME_SIZE]; /* stack.archived, reused for its letters */
    char **files; /* malloc'd full paths written in the stack */
    size_t nfiles, afiles;
    int stepping;               /* arc_letter_each or arc_search is running */
    struct timespec busy_since; /* when the current wait for a lock began */
    int busy_said;              /* the wait was told on stderr */
    int64_t claimed;            /* the stack claimed for scanning, 0: none */
    int claim_fd;               /* its lock file, open while claimed */
    int takes_fd;           /* DIR/reading/PID-N.stacks once a stack is taken */
    char *takes_path;       /* its path, or NULL */
    const char *takes_name; /* its name, in takes_path */
};

/* arc_db.c: statements and errors. */

/*
 * Fill err with MR_EDB and the connection's current message, naming the
 * database file.  Returns MR_EDB.
 */
int arc_db_fail(struct arc *a, struct mr_err *err);

/* Run fixed SQL (no data in it) with sqlite3_exec.  MR_EDB on failure. */
int arc_exec(struct arc *a, const char *sql, struct mr_err *err);

/*
 * Bind by parameter name.  A name the statement does not have is a bug
 * (MR_NEVER) and fails with MR_EDB.  arc_bind_text binds NULL for a NULL
 * string and copies the text (SQLITE_TRANSIENT); len -1 means strlen.
 */
int arc_bind_text(struct arc *a, sqlite3_stmt *st, const char *name,
                  const char *v, int len, struct mr_err *err);
int arc_bind_int(struct arc *a, sqlite3_stmt *st, const char *name, int64_t v,
                 struct mr_err *err);
int arc_bind_double(struct arc *a, sqlite3_stmt *st, const char *name, double v,
                    struct mr_err *err);
int arc_bind_null(struct arc *a, sqlite3_stmt *st, const char *name,
                  struct mr_err *err);
int arc_bind_blob(struct arc *a, sqlite3_stmt *st, const char *name,
                  const void *v, size_t n, struct mr_err *err);

/* Step once: 1 for a row, 0 when done, MR_EDB (err filled) on failure. */
int arc_step(struct arc *a, sqlite3_stmt *st, struct mr_err *err);

/*
 * Step st to its end, collecting its rows' first column (an id) into
 * *pids (malloc'd, *pn of them; NULL and 0 on failure).  MR_EDB,
 * MR_ENOMEM.  The caller resets or finalizes st.
 */
int arc_ids_collect(struct arc *a, sqlite3_stmt *st, int64_t **pids, size_t *pn,
                    struct mr_err *err);

/* Reset a statement and clear its bindings after use.  Accepts NULL. */
void arc_stmt_done(sqlite3_stmt *st);

/* Copy a text column; NULL stays NULL.  MR_ENOMEM on failure. */
int arc_column_dup(sqlite3_stmt *st, int col, char **pout, struct mr_err *err);

/*
 * Whether the open stack's transaction is still there: SQLite rolls a
 * whole transaction back by itself after some errors (disk full, I/O
 * error); a SAVEPOINT then would start, and its RELEASE commit, a
 * transaction of its own, archiving half a stack.  MR_EDB when it is gone;
 * the caller must then abort the stack.
 */
int arc_stack_alive(struct arc *a, struct mr_err *err);

/*
 * Undo savepoint name after a failure; the transaction goes on.  Does
 * nothing when SQLite already rolled it all back.  Cannot fail.
 */
void arc_savepoint_undo(struct arc *a, const char *name);

/* arc_claim.c: stacks being scanned. */

/*
 * Remove the files of the open stack's folder that no row of the stack
 * names: writes cut off between a page's file and its commit.  Only under
 * the write lock (the open stack), before any page of ours is written in
 * it, when every such file is a leftover.  A file that cannot be removed
 * is warned about and left.  MR_EIO when the folder cannot be read,
 * MR_EDB, MR_ENOMEM.
 */
int arc_stack_sweep(struct arc *a, struct mr_err *err);

/* arc_edit.c: the clock and the audit table. */

/* The current UTC time (mr_now), ISO 8601, into buf (24 bytes).  MR_EINVAL. */
int arc_now_utc(char *buf, struct mr_err *err);

/*
 * Append an audit row; the strings may be NULL except at, who, action and
 * letter; why is the kind of a reviewer's reason for an override.  MR_EDB.
 */
int arc_audit_add(struct arc *a, const char *at, const char *who,
                  const char *action, const char *letter, const char *field,
                  const char *old, const char *new_value, const char *other,
                  const char *reason, const char *why, struct mr_err *err);

/* arc_decision.c: whether two strings (either may be NULL) are equal. */
int arc_same_text(const char *x, const char *y);

/* arc_similar.c: the repeat index. */

/*
 * Remove letter letter_id from the LSH index and every link to or from
 * it, before the letter itself goes.  MR_EDB.
 */
int arc_similar_forget(struct arc *a, int64_t letter_id, struct mr_err *err);

/* arc_store.c: image files. */

/*
 * Read page page_id's stored file into *pdata (malloc'd, *psize bytes)
 * after checking its SHA-256; *ppath (malloc'd) names it for messages.
 * MR_ENOTFOUND for an unknown page, MR_EIO for a missing or damaged file.
 */
int arc_page_file(struct arc *a, int64_t page_id, unsigned char **pdata,
                  size_t *psize, char **ppath, char **pformat,
                  struct mr_err *err);

/* Decode stored image bytes, 16 bits kept.  NULL when they cannot be. */
struct Pix *arc_image_decode(const unsigned char *data, size_t size);

/* "dir/name" in a new malloc'd string, or NULL with MR_ENOMEM. */
char *arc_path_join(const char *dir, const char *name, struct mr_err *err);

/* Read a whole file into a malloc'd buffer.  MR_EIO, MR_ENOMEM. */
int arc_read_file(const char *path, unsigned char **pdata, size_t *psize,
                  struct mr_err *err);

/*
 * Encode pix losslessly for storage: TIFF G4 for 1 bpp, PNG for the rest
 * (16-bit grey stays 16-bit).
 * *pdata is allocated by Leptonica: free it with lept_free().  *pformat is
 * the page.img_format value, *pext the file extension, both static.
 * MR_EFORMAT when Leptonica cannot encode the image.
 */
int arc_image_encode(struct Pix *pix, unsigned char **pdata, size_t *psize,
                     const char **pformat, const char **pext,
                     struct mr_err *err);

/*
 * Check that img, a file delivered for page seq, can be stored as is: a
 * format we keep as delivered ("png" or "jpeg"), bytes of that format,
 * and a header giving pix's width and height (the pixels are not
 * decoded).  *pformat is the page.img_format value, *pext the file
 * extension, both static.  MR_EINVAL when it cannot.
 */
int arc_image_delivered(const struct arc_image *img, struct Pix *pix, int seq,
                        const char **pformat, const char **pext,
                        struct mr_err *err);

/*
 * Insert a letter row of the open stack for pages first_seq .. + count - 1
 * (the pages are not touched) with a fresh tracking code into code, its id
 * into *pid.  MR_EDB.
 */
int arc_letter_insert(struct arc *a, int first_seq, int count,
                      const char *language, char *code, int64_t *pid,
                      struct mr_err *err);

/* arc_code.c: tracking codes. */

/*
 * A new random tracking code in canonical form into code (ARC_CODE_SIZE
 * bytes).  MR_EIO when the random generator fails.
 */
int arc_code_new(char *code, struct mr_err *err);

#endif
