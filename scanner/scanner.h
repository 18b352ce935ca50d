#ifndef SCANNER_H
#define SCANNER_H
/*
 * Page intake, from files or from a scanner.  Files: TIFF (multi-page,
 * any layout libtiff reads that carries a page), PNG, JPEG and PNM.
 * Scanners: any SANE device, sheet by sheet from its feeder.  A file or
 * one scanner run is one stack; its pages come out one at a time,
 * exactly as delivered.
 */
#include "pipeline/mr.h"

struct Pix;
struct scan_file;

/*
 * The default largest page, in pixels, from a file or a scanner: A3 at
 * 600 dpi is about 70 million pixels; more is not a letter page.
 */
#define SCAN_MAX_PIXELS (100L * 1000 * 1000)

/*
 * Open an image file for reading its pages.  Detects the format from the
 * content, not the name.  Returns NULL with err filled: MR_ENOTFOUND when
 * the file is missing, MR_EIO when it cannot be read, MR_EFORMAT when it
 * is empty, not an image, or an image format we do not take.
 */
struct scan_file *scan_file_open(const char *path, struct mr_err *err);

/* Close the file.  Accepts NULL and nulls the handle. */
void scan_file_close(struct scan_file **pf);

/*
 * Refuse pages of more than max_pixels pixels (0: SCAN_MAX_PIXELS, the
 * default), judged from each page's header before it is decoded.  Set it
 * before the first scan_file_next.  Cannot fail.
 */
void scan_file_set_limit(struct scan_file *f, long max_pixels);

/*
 * Number of pages in the file, as far as it can be told without decoding
 * them (a damaged TIFF may end earlier).  Cannot fail.
 */
int scan_file_page_count(const struct scan_file *f);

/*
 * Read the next page into *ppix (caller destroys) with its resolution set
 * when the file records one.  Returns 1 when a page was read, 0 at the end
 * of the file, or a negative code (MR_EFORMAT: the page is damaged, of a
 * layout we cannot use, or larger than the limit, the message naming the
 * page and the reason).
 */
int scan_file_next(struct scan_file *f, struct Pix **ppix, struct mr_err *err);

/*
 * Whether the page last returned by scan_file_next is the whole file as
 * delivered, in a format the archive keeps as is: a PNG or a JPEG file
 * (its one page decoded from exactly these bytes).  Returns 1 with
 * *pdata and *psize set to the file's bytes and *pformat to "png" or
 * "jpeg"; 0 with them NULL/0 otherwise (a TIFF page, PNM, BMP, GIF, WebP
 * or JPEG 2000, no page read yet, or scan_file_next at the end or
 * failed).  The bytes belong to f and stay valid until the next
 * scan_file_next or scan_file_close; *pformat is static.  Cannot fail.
 */
int scan_file_original(const struct scan_file *f, const unsigned char **pdata,
                       size_t *psize, const char **pformat);

/*
 * Expand path into the files to import: a file (or anything else that is
 * not a folder: scan_file_open judges it) is itself; a folder gives its
 * entries, recursively, in name order, hidden ones and linked folders
 * skipped, so a link cannot lead the walk round in a loop.  Appends
 * malloc'd paths to *pfiles (grown with realloc, *pnfiles entries).
 * Each path that cannot be looked at (missing, a dangling link, a loop of
 * links) and each folder that cannot be read is passed to report with
 * arg and a message naming it (code MR_ENOTFOUND or MR_EIO), and the walk
 * goes on.  Returns the number of paths reported, or MR_ENOMEM with err
 * filled; paths already appended stay.
 */
int scan_path_expand(const char *path, char ***pfiles, size_t *pnfiles,
                     void (*report)(const struct mr_err *why, void *arg),
                     void *arg, struct mr_err *err);

/* A SANE device as `mailroom devices` lists it.  Owned strings. */
struct scan_device_info {
    char *name; /* what --device takes, e.g. "test:0" */
    char *vendor, *model, *type;
    char **sources; /* the device's "source" option values, may be none */
    size_t nsources;
};

/*
 * List the SANE devices (local and, if SANE is so configured, network
 * ones) with the sources each offers.  *pinfo is malloc'd, *pn entries;
 * free with scan_device_info_free.  MR_EDEVICE when SANE cannot start.
 */
int scan_devices_list(struct scan_device_info **pinfo, size_t *pn,
                      struct mr_err *err);

/* Free a list from scan_devices_list.  Accepts NULL.  Cannot fail. */
void scan_device_info_free(struct scan_device_info *info, size_t n);

enum scan_source {
    SCAN_SOURCE_DEFAULT, /* whatever the device is set to */
    SCAN_SOURCE_FLATBED,
    SCAN_SOURCE_ADF,   /* automatic document feeder, front sides */
    SCAN_SOURCE_DUPLEX /* feeder, both sides */
};

enum scan_mode {
    SCAN_MODE_DEFAULT,
    SCAN_MODE_LINEART, /* 1 bit */
    SCAN_MODE_GRAY,
    SCAN_MODE_COLOR
};

/* What the operator asked for; zero or NULL fields keep the default. */
struct scan_settings {
    const char *device; /* NULL: the first device SANE lists */
    enum scan_source source;
    int resolution; /* dpi */
    enum scan_mode mode;
};

struct scan_dev;

/*
 * Open a device and apply settings, matching option names and values the
 * way SANE front ends do (by name and type; string lists looked up, e.g.
 * "ADF Duplex" for SCAN_SOURCE_DUPLEX).  A setting the device cannot take
 * fails with MR_EINVAL naming what it offers.  MR_ENOTFOUND for an unknown
 * device, MR_EBUSY when it is in use, MR_EDEVICE otherwise.
 */
struct scan_dev *scan_dev_open(const struct scan_settings *s,
                               struct mr_err *err);

/*
 * Scan the next page into *ppix (caller destroys), with its resolution
 * set.  Returns 1 for a page, 0 when the feeder is empty (or a flatbed's
 * one page was read), or a negative code: MR_EJAM for a paper jam or an
 * open cover (the operator can clear it and call again to go on), MR_EBUSY
 * when the device is busy, MR_EDEVICE for an I/O error, MR_EINTR when the
 * scan was cancelled.  A failed page leaves nothing behind.
 */
int scan_dev_next(struct scan_dev *d, struct Pix **ppix, struct mr_err *err);

/* The device name of an open device.  Cannot fail. */
const char *scan_dev_name(const struct scan_dev *d);

/* Cancel what is under way, close the device.  Accepts NULL; nulls it. */
void scan_dev_close(struct scan_dev **pd);

#endif
