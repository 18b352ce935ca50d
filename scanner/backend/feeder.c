/*
 * feeder: a SANE backend that feeds a folder of page images as a document
 * feeder would.  mailroom's tests and demo scan real letters through it
 * with no scanner attached; any SANE front end can use it:
 *
 *   dll.conf      feeder
 *   feeder.conf   device demo               a device "feeder:demo" ...
 *                 folder pages              ... holding these images
 *                 duplex true               front, back, front, back ...
 *                 fault 3 jammed            sheet 3 jams, the first time
 *                 delay 20                  each read takes 20 ms more
 *                 pickup 300                each sane_start 300 ms more
 *   LD_LIBRARY_PATH=<dir of libsane-feeder.so.1> SANE_CONFIG_DIR=<dir>
 *
 * feeder.conf is read from the first directory of SANE_CONFIG_DIR that has
 * one (else /etc/sane.d); a relative folder is taken from the directory
 * of feeder.conf.  The folder's image files (PNG, TIFF, JPEG, PNM; hidden
 * files skipped) are the stack, in name order, a multi-page TIFF giving
 * its pages in turn.  "duplex false" (the default): a simplex feeder,
 * every page a sheet.  "duplex true": the pages pair up as the front and
 * back of a sheet.  "duplex blank-backs": the pages are fronts of sheets
 * whose backs are blank paper, as most letters are.  A duplex feeder also
 * offers "ADF Front", which feeds the fronts only.
 *
 * Options: scan source ("ADF Front", "ADF Duplex" when duplex), mode
 * (Lineart, Gray, Color) and resolution (50-1200 dpi).  A page is scaled
 * from its own resolution (300 dpi when it records none) to the one set
 * and converted to the mode, the way a scanner reads paper: Gray keeps a
 * 16-bit grey image at 16 bits and gives 8 bits otherwise, Lineart
 * thresholds at half grey.  A page scanned at its own resolution in its
 * own depth comes out exactly as it is in the file.  Data comes in reads
 * of at most 32 KiB.
 *
 * The feeder keeps its place in <folder>/.feeder-state, so a later run
 * (after a jam, a crash or a kill) goes on with the side that was not
 * finished, as an operator re-feeds it.  A side read to its last byte
 * counts as fed only when the front end goes on: at the next sane_start,
 * or at sane_cancel (or sane_close).  A front end killed while it was
 * storing a side it had read whole gets that side again on its next run:
 * every side comes at least once, and a front end that stored it before
 * the kill must tell it from a new one.  "pickup" makes sane_start slow,
 * as a feeder picking up the next sheet, before the side before counts
 * as fed: kill tests land there too.  When the stack has run out,
 * sane_start answers NO_DOCS and the feeder is loaded again for the next
 * scan.
 *
 * Faults: "fault SHEET KIND" makes that sheet fail once, then feed
 * normally.  jammed and io-error strike halfway through the sheet's front
 * side (the sheet is then fed again whole); cover-open, device-busy and
 * no-docs answer sane_start for it.  Faults already struck are kept in
 * the state file.
 *
 * Not modelled: flatbed, geometry options, non-blocking reads.  One
 * handle per device at a time; like SANE, for one thread.
 */
#include <dirent.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <libintl.h>
#include <limits.h>
#include <sane/sane.h>
#include <sane/saneopts.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define _(s) dgettext("mailroom", s)

#define FEEDER_MAX_DEVICES 16
#define FEEDER_MAX_FAULTS 32
#define FEEDER_READ_CHUNK 32768
#define FEEDER_DEFAULT_DPI 300
#define FEEDER_STATE ".feeder-state"

enum fault_kind {
    FAULT_NONE,
    FAULT_JAMMED,
    FAULT_IO_ERROR,
    FAULT_COVER_OPEN,
    FAULT_DEVICE_BUSY,
    FAULT_NO_DOCS
};

static const struct {
    const char *name;
    enum fault_kind kind;
    SANE_Status status;
} fault_names[] = {
    {"jammed", FAULT_JAMMED, SANE_STATUS_JAMMED},
    {"io-error", FAULT_IO_ERROR, SANE_STATUS_IO_ERROR},
    {"cover-open", FAULT_COVER_OPEN, SANE_STATUS_COVER_OPEN},
    {"device-busy", FAULT_DEVICE_BUSY, SANE_STATUS_DEVICE_BUSY},
    {"no-docs", FAULT_NO_DOCS, SANE_STATUS_NO_DOCS},
};

struct fault {
    int sheet; /* 1-based */
    enum fault_kind kind;
};

/* One page of the stack: a file, and the page within it. */
struct leaf {
    char *path;
    int index; /* page of a multi-page TIFF, else 0 */
};

struct device {
    char *name;
    char *folder;
    int duplex;      /* offers "ADF Duplex" */
    int blank_backs; /* its folder holds only fronts */
    struct fault faults[FEEDER_MAX_FAULTS];
    int nfaults;
    long delay_ms;  /* added to every sane_read that returns data */
    long pickup_ms; /* added to every sane_start */
    SANE_Device sane;
    int open;
};

enum option {
    OPT_NUM,
    OPT_MODE_GROUP,
    OPT_SOURCE,
    OPT_MODE,
    OPT_RESOLUTION,
    OPT_COUNT
};

struct handle {
    struct device *dev;
    SANE_Option_Descriptor opt[OPT_COUNT];
    char source[32];
    char mode[16];
    SANE_Int dpi;
    struct leaf *leaves;
    int nleaves;
    /* Where the feeder is: the sheet (0-based) and side (0 front). */
    int sheet, side;
    unsigned long struck; /* bit i: faults[i] has struck */
    /* The side being read, and whether its end was reached. */
    int scanning, eof;
    int read_whole; /* a side was read whole: fed once the front end goes on */
    SANE_Parameters params;
    unsigned char *frame;
    size_t frame_len, frame_pos;
    enum fault_kind read_fault;
};

static struct device devices[FEEDER_MAX_DEVICES];
static int ndevices;
static const SANE_Device *device_list[FEEDER_MAX_DEVICES + 1];

static SANE_String_Const source_simplex[] = {"ADF Front", NULL};
static SANE_String_Const source_duplex[] = {"ADF Front", "ADF Duplex", NULL};
static SANE_String_Const mode_list[] = {SANE_VALUE_SCAN_MODE_LINEART,
                                        SANE_VALUE_SCAN_MODE_GRAY,
                                        SANE_VALUE_SCAN_MODE_COLOR, NULL};
static const SANE_Range dpi_range = {50, 1200, 1};

static char *
dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p)
        memcpy(p, s, n);
    return p;
}

/* Join dir and name into a malloc'd path; NULL when out of memory. */
static char *
join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Report a configuration problem on stderr: a device would be missing. */
static void
config_error(const char *file, int line, const char *what)
{
    fprintf(stderr, _("feeder: %s:%d: %s\n"), file, line, what);
}

/* Open feeder.conf where SANE looks for configuration; *ppath malloc'd. */
static FILE *
config_open(char **ppath)
{
    const char *dirs = getenv("SANE_CONFIG_DIR");
    char dir[PATH_MAX];
    FILE *fp;

    *ppath = NULL;
    while (dirs && *dirs) {
        size_t n = strcspn(dirs, ":");

        if (n > 0 && n < sizeof(dir)) {
            memcpy(dir, dirs, n);
            dir[n] = '\0';
            *ppath = join_path(dir, "feeder.conf");
            if (*ppath && (fp = fopen(*ppath, "r")))
                return fp;
            free(*ppath);
            *ppath = NULL;
        }
        dirs += n;
        if (*dirs == ':')
            dirs++;
    }
    *ppath = dup_string("/etc/sane.d/feeder.conf");
    return *ppath ? fopen(*ppath, "r") : NULL;
}

/* The folder named in feeder.conf, relative to the file's directory. */
static char *
config_folder(const char *conf, const char *value)
{
    const char *slash = strrchr(conf, '/');
    char dir[PATH_MAX];

    if (value[0] == '/' || !slash)
        return dup_string(value);
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - conf), conf);
    return join_path(dir, value);
}

static int
parse_bool(const char *s, int *pv)
{
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
        *pv = 1;
    else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
        *pv = 0;
    else
        return -1;
    return 0;
}

/* "fault SHEET KIND" into d; -1 with *pwhy when malformed. */
static int
parse_fault(struct device *d, char *value, const char **pwhy)
{
    char *kind, *end;
    long sheet;

    errno = 0;
    sheet = strtol(value, &end, 10);
    kind = end + strspn(end, " \t");
    if (errno || end == value || kind == end || sheet < 1 || sheet > INT_MAX) {
        *pwhy = _("fault wants a sheet number and a kind");
        return -1;
    }
    if (d->nfaults == FEEDER_MAX_FAULTS) {
        *pwhy = _("too many faults for one device");
        return -1;
    }
    for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++) {
        if (!strcmp(kind, fault_names[i].name)) {
            d->faults[d->nfaults].sheet = (int)sheet;
            d->faults[d->nfaults++].kind = fault_names[i].kind;
            return 0;
        }
    }
    *pwhy = _("unknown fault kind (jammed, io-error, cover-open, "
              "device-busy, no-docs)");
    return -1;
}

/* Forget every device. */
static void
devices_free(void)
{
    for (int i = 0; i < ndevices; i++) {
        free(devices[i].name);
        free(devices[i].folder);
    }
    memset(devices, 0, sizeof(devices));
    ndevices = 0;
}

/*
 * Read feeder.conf into devices[].  A bad line is reported and skipped;
 * a device without a folder is dropped.
 */
static void
config_read(void)
{
    char *conf = NULL, line[PATH_MAX + 64];
    struct device *d = NULL;
    int lineno = 0;
    FILE *fp = config_open(&conf);

    while (fp && fgets(line, sizeof(line), fp)) {
        char *key, *value, *end;
        const char *why = NULL;

        lineno++;
        key = line + strspn(line, " \t");
        end = key + strlen(key);
        while (end > key && strchr(" \t\r\n", end[-1]))
            *--end = '\0';
        if (!*key || *key == '#')
            continue;
        value = key + strcspn(key, " \t");
        if (*value)
            *value++ = '\0';
        value += strspn(value, " \t");
        if (!strcmp(key, "device")) {
            d = NULL;
            if (!*value || ndevices == FEEDER_MAX_DEVICES) {
                why = _("device wants a name (at most 16 devices)");
            } else {
                d = &devices[ndevices];
                d->name = dup_string(value);
                if (d->name)
                    ndevices++;
                else
                    why = strerror(ENOMEM);
            }
        } else if (!d) {
            why = _("a device line must come first");
        } else if (!strcmp(key, "folder")) {
            free(d->folder);
            if (!*value || !(d->folder = config_folder(conf, value)))
                why = _("folder wants a path");
        } else if (!strcmp(key, "duplex")) {
            d->blank_backs = !strcmp(value, "blank-backs");
            if (d->blank_backs)
                d->duplex = 1;
            else if (parse_bool(value, &d->duplex))
                why = _("duplex wants true, false or blank-backs");
        } else if (!strcmp(key, "delay") || !strcmp(key, "pickup")) {
            long *pms = key[0] == 'd' ? &d->delay_ms : &d->pickup_ms;

            errno = 0;
            *pms = strtol(value, &end, 10);
            if (errno || end == value || *end || *pms < 0 || *pms > 60000)
                why = key[0] == 'd' ? _("delay wants milliseconds (0-60000)")
                                    : _("pickup wants milliseconds (0-60000)");
        } else if (!strcmp(key, "fault")) {
            parse_fault(d, value, &why);
        } else {
            why = _("unknown setting");
        }
        if (why)
            config_error(conf, lineno, why);
    }
    if (fp)
        fclose(fp);
    for (int i = 0; i < ndevices; i++) {
        if (!devices[i].folder) {
            config_error(conf, lineno, _("a device has no folder"));
            free(devices[i].name);
            memmove(&devices[i], &devices[i + 1],
                    sizeof(devices[0]) * (size_t)(ndevices - i - 1));
            memset(&devices[--ndevices], 0, sizeof(devices[0]));
            i--;
        }
    }
    free(conf);
}

SANE_Status sane_feeder_init(SANE_Int *version, SANE_Auth_Callback auth);
SANE_Status
sane_feeder_init(SANE_Int *version, SANE_Auth_Callback auth)
{
    (void)auth;
    if (version)
        *version = SANE_VERSION_CODE(SANE_CURRENT_MAJOR, 0, 1);
    devices_free();
    config_read();
    for (int i = 0; i < ndevices; i++) {
        devices[i].sane.name = devices[i].name;
        devices[i].sane.vendor = "mailroom";
        devices[i].sane.model = "virtual feeder";
        devices[i].sane.type = "sheetfed scanner";
        device_list[i] = &devices[i].sane;
    }
    device_list[ndevices] = NULL;
    return SANE_STATUS_GOOD;
}

void sane_feeder_exit(void);
void
sane_feeder_exit(void)
{
    devices_free();
    device_list[0] = NULL;
}

SANE_Status sane_feeder_get_devices(const SANE_Device ***list,
                                    SANE_Bool local_only);
SANE_Status
sane_feeder_get_devices(const SANE_Device ***list, SANE_Bool local_only)
{
    (void)local_only;
    *list = device_list;
    return SANE_STATUS_GOOD;
}

static void
leaves_free(struct handle *h)
{
    for (int i = 0; i < h->nleaves; i++)
        free(h->leaves[i].path);
    free(h->leaves);
    h->leaves = NULL;
    h->nleaves = 0;
}

static int
leaf_add(struct handle *h, const char *path, int index)
{
    struct leaf *l = realloc(h->leaves, sizeof(*l) * (size_t)(h->nleaves + 1));

    if (!l)
        return -1;
    h->leaves = l;
    l[h->nleaves].index = index;
    if (!(l[h->nleaves].path = dup_string(path)))
        return -1;
    h->nleaves++;
    return 0;
}

static int
skip_hidden(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* The folder's pages, in name order, TIFF pages in turn. */
static SANE_Status
leaves_load(struct handle *h)
{
    struct dirent **ents = NULL;
    SANE_Status st = SANE_STATUS_GOOD;
    int n = scandir(h->dev->folder, &ents, skip_hidden, alphasort);

    if (n < 0)
        return SANE_STATUS_IO_ERROR;
    for (int i = 0; i < n; i++) {
        char *path = join_path(h->dev->folder, ents[i]->d_name);
        l_int32 format = IFF_UNKNOWN, pages = 1;
        FILE *fp = path ? fopen(path, "rb") : NULL;

        if (!path)
            st = SANE_STATUS_NO_MEM;
        if (fp && !findFileFormatStream(fp, &format) && format != IFF_UNKNOWN) {
            if ((format == IFF_TIFF || format == IFF_TIFF_G4 ||
                 format == IFF_TIFF_G3 || format == IFF_TIFF_LZW ||
                 format == IFF_TIFF_ZIP || format == IFF_TIFF_PACKBITS ||
                 format == IFF_TIFF_RLE || format == IFF_TIFF_JPEG) &&
                (rewind(fp), tiffGetCount(fp, &pages) || pages < 1))
                pages = 1;
            for (int p = 0; st == SANE_STATUS_GOOD && p < pages; p++)
                if (leaf_add(h, path, pages > 1 ? p : 0))
                    st = SANE_STATUS_NO_MEM;
        }
        if (fp)
            fclose(fp);
        free(path);
        free(ents[i]);
    }
    free(ents);
    return st;
}

static int
is_duplex(const struct handle *h)
{
    return h->dev->duplex && !strcmp(h->source, "ADF Duplex");
}

/* Whether the folder's pages pair up as fronts and backs. */
static int
folder_paired(const struct handle *h)
{
    return h->dev->duplex && !h->dev->blank_backs;
}

static int
sheet_count(const struct handle *h)
{
    return folder_paired(h) ? (h->nleaves + 1) / 2 : h->nleaves;
}

/* The page of the folder for a sheet's side; -1 for blank paper. */
static int
leaf_of(const struct handle *h, int sheet, int side)
{
    int i = folder_paired(h) ? sheet * 2 + side : side ? -1 : sheet;

    return i < h->nleaves ? i : -1;
}

static char *
state_path(const struct handle *h)
{
    return join_path(h->dev->folder, FEEDER_STATE);
}

/* Where the feeder stood when it was last used. */
static void
state_load(struct handle *h)
{
    char *path = state_path(h);
    FILE *fp = path ? fopen(path, "r") : NULL;

    h->sheet = h->side = 0;
    h->struck = 0;
    if (fp && fscanf(fp, "sheet %d side %d struck %lu", &h->sheet, &h->side,
                     &h->struck) != 3) {
        h->sheet = h->side = 0;
        h->struck = 0;
    }
    if (h->sheet < 0 || h->side < 0 || h->side > 1)
        h->sheet = h->side = 0;
    if (fp)
        fclose(fp);
    free(path);
}

/* Keep the feeder's place, replacing the file whole. */
static SANE_Status
state_save(const struct handle *h)
{
    char *path = state_path(h),
         *part = join_path(h->dev->folder, FEEDER_STATE "~");
    SANE_Status st = SANE_STATUS_IO_ERROR;
    FILE *fp;

    if (!path || !part)
        goto out;
    fp = fopen(part, "w");
    if (!fp)
        goto out;
    fprintf(fp, "sheet %d side %d struck %lu\n", h->sheet, h->side, h->struck);
    if (fclose(fp) == 0 && rename(part, path) == 0)
        st = SANE_STATUS_GOOD;
out:
    free(part);
    free(path);
    return st;
}

static void
options_init(struct handle *h)
{
    SANE_Option_Descriptor *o = h->opt;

    o[OPT_NUM].name = "";
    o[OPT_NUM].title = SANE_TITLE_NUM_OPTIONS;
    o[OPT_NUM].desc = SANE_DESC_NUM_OPTIONS;
    o[OPT_NUM].type = SANE_TYPE_INT;
    o[OPT_NUM].size = sizeof(SANE_Word);
    o[OPT_NUM].cap = SANE_CAP_SOFT_DETECT;

    o[OPT_MODE_GROUP].name = "";
    o[OPT_MODE_GROUP].title = SANE_I18N("Scan Mode");
    o[OPT_MODE_GROUP].desc = "";
    o[OPT_MODE_GROUP].type = SANE_TYPE_GROUP;

    o[OPT_SOURCE].name = SANE_NAME_SCAN_SOURCE;
    o[OPT_SOURCE].title = SANE_TITLE_SCAN_SOURCE;
    o[OPT_SOURCE].desc = SANE_DESC_SCAN_SOURCE;
    o[OPT_SOURCE].type = SANE_TYPE_STRING;
    o[OPT_SOURCE].size = sizeof(h->source);
    o[OPT_SOURCE].cap = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
    o[OPT_SOURCE].constraint_type = SANE_CONSTRAINT_STRING_LIST;
    o[OPT_SOURCE].constraint.string_list =
        h->dev->duplex ? source_duplex : source_simplex;

    o[OPT_MODE].name = SANE_NAME_SCAN_MODE;
    o[OPT_MODE].title = SANE_TITLE_SCAN_MODE;
    o[OPT_MODE].desc = SANE_DESC_SCAN_MODE;
    o[OPT_MODE].type = SANE_TYPE_STRING;
    o[OPT_MODE].size = sizeof(h->mode);
    o[OPT_MODE].cap = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
    o[OPT_MODE].constraint_type = SANE_CONSTRAINT_STRING_LIST;
    o[OPT_MODE].constraint.string_list = mode_list;

    o[OPT_RESOLUTION].name = SANE_NAME_SCAN_RESOLUTION;
    o[OPT_RESOLUTION].title = SANE_TITLE_SCAN_RESOLUTION;
    o[OPT_RESOLUTION].desc = SANE_DESC_SCAN_RESOLUTION;
    o[OPT_RESOLUTION].type = SANE_TYPE_INT;
    o[OPT_RESOLUTION].unit = SANE_UNIT_DPI;
    o[OPT_RESOLUTION].size = sizeof(SANE_Word);
    o[OPT_RESOLUTION].cap = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
    o[OPT_RESOLUTION].constraint_type = SANE_CONSTRAINT_RANGE;
    o[OPT_RESOLUTION].constraint.range = &dpi_range;

    snprintf(h->source, sizeof(h->source), "%s",
             h->dev->duplex ? "ADF Duplex" : "ADF Front");
    snprintf(h->mode, sizeof(h->mode), "%s", SANE_VALUE_SCAN_MODE_GRAY);
    h->dpi = FEEDER_DEFAULT_DPI;
}

SANE_Status sane_feeder_open(SANE_String_Const name, SANE_Handle *ph);
SANE_Status
sane_feeder_open(SANE_String_Const name, SANE_Handle *ph)
{
    struct device *dev = NULL;
    struct handle *h;
    SANE_Status st;

    *ph = NULL;
    for (int i = 0; i < ndevices && !dev; i++)
        if (!name[0] || !strcmp(name, devices[i].name))
            dev = &devices[i];
    if (!dev)
        return SANE_STATUS_INVAL;
    if (dev->open)
        return SANE_STATUS_DEVICE_BUSY;
    h = calloc(1, sizeof(*h));
    if (!h)
        return SANE_STATUS_NO_MEM;
    h->dev = dev;
    st = leaves_load(h);
    if (st != SANE_STATUS_GOOD) {
        leaves_free(h);
        free(h);
        return st;
    }
    options_init(h);
    state_load(h);
    dev->open = 1;
    *ph = h;
    return SANE_STATUS_GOOD;
}

/* Drop the side being read; it will be fed again. */
static void
frame_drop(struct handle *h)
{
    free(h->frame);
    h->frame = NULL;
    h->frame_len = h->frame_pos = 0;
    h->scanning = h->eof = 0;
    h->read_fault = FAULT_NONE;
}

/* Take ms milliseconds more, as a slow device would. */
static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};

    if (ms > 0)
        nanosleep(&ts, NULL);
}

/* A side read whole counts as fed: the feeder moves on, and keeps it. */
static SANE_Status
side_fed(struct handle *h)
{
    if (is_duplex(h) && h->side == 0) {
        h->side = 1;
    } else {
        h->sheet++;
        h->side = 0;
    }
    return state_save(h);
}

/*
 * The front end goes on (sane_start, sane_cancel, sane_close): a side it
 * read whole counts as fed now.
 */
static SANE_Status
go_on(struct handle *h)
{
    if (!h->read_whole)
        return SANE_STATUS_GOOD;
    h->read_whole = 0;
    return side_fed(h);
}

void sane_feeder_close(SANE_Handle handle);
void
sane_feeder_close(SANE_Handle handle)
{
    struct handle *h = handle;

    if (!h)
        return;
    go_on(h); /* SANE: closing cancels first */
    frame_drop(h);
    leaves_free(h);
    h->dev->open = 0;
    free(h);
}

const SANE_Option_Descriptor *
sane_feeder_get_option_descriptor(SANE_Handle handle, SANE_Int n);
const SANE_Option_Descriptor *
sane_feeder_get_option_descriptor(SANE_Handle handle, SANE_Int n)
{
    struct handle *h = handle;

    return n >= 0 && n < OPT_COUNT ? &h->opt[n] : NULL;
}

static int
in_list(SANE_String_Const const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

SANE_Status sane_feeder_control_option(SANE_Handle handle, SANE_Int n,
                                       SANE_Action action, void *value,
                                       SANE_Int *info);
SANE_Status
sane_feeder_control_option(SANE_Handle handle, SANE_Int n, SANE_Action action,
                           void *value, SANE_Int *info)
{
    struct handle *h = handle;
    SANE_Word w;

    if (info)
        *info = 0;
    if (n < 0 || n >= OPT_COUNT || n == OPT_MODE_GROUP)
        return SANE_STATUS_INVAL;
    if (h->scanning)
        return SANE_STATUS_DEVICE_BUSY;
    if (action == SANE_ACTION_GET_VALUE) {
        switch (n) {
        case OPT_NUM:
            *(SANE_Word *)value = OPT_COUNT;
            break;
        case OPT_SOURCE:
            memcpy(value, h->source, sizeof(h->source));
            break;
        case OPT_MODE:
            memcpy(value, h->mode, sizeof(h->mode));
            break;
        case OPT_RESOLUTION:
            *(SANE_Word *)value = h->dpi;
            break;
        }
        return SANE_STATUS_GOOD;
    }
    if (action != SANE_ACTION_SET_VALUE || n == OPT_NUM)
        return SANE_STATUS_INVAL;
    switch (n) {
    case OPT_SOURCE:
    case OPT_MODE:
        if (!in_list(h->opt[n].constraint.string_list, value))
            return SANE_STATUS_INVAL;
        snprintf(n == OPT_SOURCE ? h->source : h->mode,
                 n == OPT_SOURCE ? sizeof(h->source) : sizeof(h->mode), "%s",
                 (const char *)value);
        break;
    case OPT_RESOLUTION:
        w = *(SANE_Word *)value;
        if (w < dpi_range.min || w > dpi_range.max)
            return SANE_STATUS_INVAL;
        h->dpi = w;
        break;
    }
    if (info)
        *info = SANE_INFO_RELOAD_PARAMS;
    return SANE_STATUS_GOOD;
}

/* What a side at the current settings looks like; A4 before a start. */
static void
params_guess(const struct handle *h, SANE_Parameters *p)
{
    int lineart = !strcmp(h->mode, SANE_VALUE_SCAN_MODE_LINEART);
    int color = !strcmp(h->mode, SANE_VALUE_SCAN_MODE_COLOR);

    p->format = color ? SANE_FRAME_RGB : SANE_FRAME_GRAY;
    p->last_frame = SANE_TRUE;
    p->depth = lineart ? 1 : 8;
    p->pixels_per_line = (SANE_Int)(h->dpi * 827L / 100);
    p->lines = (SANE_Int)(h->dpi * 1169L / 100);
    p->bytes_per_line = lineart ? (p->pixels_per_line + 7) / 8
                        : color ? p->pixels_per_line * 3
                                : p->pixels_per_line;
}

SANE_Status sane_feeder_get_parameters(SANE_Handle handle, SANE_Parameters *p);
SANE_Status
sane_feeder_get_parameters(SANE_Handle handle, SANE_Parameters *p)
{
    struct handle *h = handle;

    if (h->scanning)
        *p = h->params;
    else
        params_guess(h, p);
    return SANE_STATUS_GOOD;
}

/* The page as the settings read it: scaled, then in the mode's depth. */
static PIX *
page_render(const struct handle *h, PIX *page)
{
    int res = pixGetXRes(page) > 0 ? pixGetXRes(page) : FEEDER_DEFAULT_DPI;
    PIX *scaled = NULL, *out = NULL;
    int d;

    scaled = res == h->dpi ? pixClone(page)
                           : pixScale(page, (float)h->dpi / (float)res,
                                      (float)h->dpi / (float)res);
    if (!scaled)
        return NULL;
    d = pixGetDepth(scaled);
    if (!strcmp(h->mode, SANE_VALUE_SCAN_MODE_LINEART)) {
        if (d == 1 && !pixGetColormap(scaled)) {
            out = pixClone(scaled);
        } else {
            PIX *gray = pixConvertTo8(scaled, 0);

            out = gray ? pixThresholdToBinary(gray, 128) : NULL;
            pixDestroy(&gray);
        }
    } else if (!strcmp(h->mode, SANE_VALUE_SCAN_MODE_GRAY)) {
        if ((d == 8 || d == 16) && !pixGetColormap(scaled))
            out = pixClone(scaled);
        else if (d == 1 && !pixGetColormap(scaled))
            out = pixConvert1To8(NULL, scaled, 255, 0);
        else
            out = pixConvertTo8(scaled, 0);
    } else {
        out = d == 32 ? pixClone(scaled) : pixConvertTo32(scaled);
    }
    pixDestroy(&scaled);
    if (out)
        pixSetResolution(out, h->dpi, h->dpi);
    return out;
}

/* Lay the page out as SANE sends it: lines of samples, MSB first. */
static SANE_Status
frame_fill(struct handle *h, PIX *pix)
{
    int w = pixGetWidth(pix), hgt = pixGetHeight(pix), d = pixGetDepth(pix);
    int wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    SANE_Parameters *p = &h->params;
    unsigned char *out;

    p->format = d == 32 ? SANE_FRAME_RGB : SANE_FRAME_GRAY;
    p->last_frame = SANE_TRUE;
    p->depth = d == 32 ? 8 : d;
    p->pixels_per_line = w;
    p->lines = hgt;
    p->bytes_per_line = d == 1 ? (w + 7) / 8 : d == 32 ? w * 3 : w * (d / 8);
    h->frame_len = (size_t)p->bytes_per_line * (size_t)hgt;
    h->frame = malloc(h->frame_len);
    if (!h->frame)
        return SANE_STATUS_NO_MEM;
    out = h->frame;
    for (int y = 0; y < hgt; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;

        for (int x = 0; x < p->bytes_per_line && d <= 8; x++)
            *out++ = (unsigned char)GET_DATA_BYTE(line, x);
        for (int x = 0; x < w && d == 16; x++) {
            uint16_t v = (uint16_t)GET_DATA_TWO_BYTES(line, x);

            memcpy(out, &v, 2); /* SANE: the host's byte order */
            out += 2;
        }
        for (int x = 0; x < w && d == 32; x++) {
            l_int32 r, g, b;

            extractRGBValues(line[x], &r, &g, &b);
            *out++ = (unsigned char)r;
            *out++ = (unsigned char)g;
            *out++ = (unsigned char)b;
        }
    }
    return SANE_STATUS_GOOD;
}

/* The fault waiting for this sheet, marked as struck; FAULT_NONE if none. */
static enum fault_kind
fault_take(struct handle *h, int sheet)
{
    for (int i = 0; i < h->dev->nfaults; i++) {
        if (h->dev->faults[i].sheet == sheet + 1 && !(h->struck & (1UL << i))) {
            h->struck |= 1UL << i;
            return h->dev->faults[i].kind;
        }
    }
    return FAULT_NONE;
}

static SANE_Status
fault_status(enum fault_kind kind)
{
    for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
        if (fault_names[i].kind == kind)
            return fault_names[i].status;
    return SANE_STATUS_GOOD;
}

SANE_Status sane_feeder_start(SANE_Handle handle);
SANE_Status
sane_feeder_start(SANE_Handle handle)
{
    struct handle *h = handle;
    enum fault_kind fault = FAULT_NONE;
    SANE_Status st;
    PIX *page = NULL, *pix = NULL;
    const struct leaf *l;
    int i;

    if (h->scanning)
        return SANE_STATUS_DEVICE_BUSY;
    frame_drop(h);
    pause_ms(h->dev->pickup_ms);
    st = go_on(h);
    if (st != SANE_STATUS_GOOD)
        return st;
    if (!is_duplex(h) && h->side == 1) {
        h->sheet++; /* switched to fronts only halfway through a sheet */
        h->side = 0;
    }
    if (h->sheet >= sheet_count(h)) {
        /* The stack has run out: load it again for the next scan. */
        char *path = state_path(h);

        if (path)
            remove(path);
        free(path);
        h->sheet = h->side = 0;
        h->struck = 0;
        return SANE_STATUS_NO_DOCS;
    }
    if (h->side == 0)
        fault = fault_take(h, h->sheet);
    if (fault != FAULT_NONE && state_save(h) != SANE_STATUS_GOOD)
        return SANE_STATUS_IO_ERROR;
    if (fault == FAULT_COVER_OPEN || fault == FAULT_DEVICE_BUSY ||
        fault == FAULT_NO_DOCS)
        return fault_status(fault);
    i = leaf_of(h, h->sheet, h->side);
    if (i < 0) {
        /* A blank back (or an odd page count's last): white A4 paper. */
        page = pixCreate(2480, 3508, 1);
        if (page)
            pixSetResolution(page, FEEDER_DEFAULT_DPI, FEEDER_DEFAULT_DPI);
    } else {
        l = &h->leaves[i];
        l_pngSetReadStrip16To8(0); /* 16-bit grey stays 16-bit */
        page = l->index ? pixReadTiff(l->path, l->index) : pixRead(l->path);
        l_pngSetReadStrip16To8(1);
    }
    if (!page)
        return SANE_STATUS_IO_ERROR;
    pix = page_render(h, page);
    pixDestroy(&page);
    if (!pix)
        return SANE_STATUS_NO_MEM;
    st = frame_fill(h, pix);
    pixDestroy(&pix);
    if (st != SANE_STATUS_GOOD) {
        frame_drop(h);
        return st;
    }
    h->scanning = 1;
    h->read_fault = fault;
    return SANE_STATUS_GOOD;
}

SANE_Status sane_feeder_read(SANE_Handle handle, SANE_Byte *buf, SANE_Int max,
                             SANE_Int *len);
SANE_Status
sane_feeder_read(SANE_Handle handle, SANE_Byte *buf, SANE_Int max,
                 SANE_Int *len)
{
    struct handle *h = handle;
    size_t n;

    *len = 0;
    if (h->eof)
        return SANE_STATUS_EOF;
    if (!h->scanning)
        return SANE_STATUS_CANCELLED;
    if (h->frame_pos == h->frame_len) {
        frame_drop(h);
        h->eof = 1;
        h->read_whole = 1;
        return SANE_STATUS_EOF;
    }
    if (h->read_fault != FAULT_NONE && h->frame_pos >= h->frame_len / 2) {
        SANE_Status st = fault_status(h->read_fault);

        frame_drop(h);
        return st;
    }
    n = h->frame_len - h->frame_pos;
    if (h->read_fault != FAULT_NONE && n > h->frame_len / 2)
        n -= h->frame_len / 2;
    if (n > FEEDER_READ_CHUNK)
        n = FEEDER_READ_CHUNK;
    if (max >= 0 && n > (size_t)max)
        n = (size_t)max;
    pause_ms(h->dev->delay_ms);
    memcpy(buf, h->frame + h->frame_pos, n);
    h->frame_pos += n;
    *len = (SANE_Int)n;
    return SANE_STATUS_GOOD;
}

void sane_feeder_cancel(SANE_Handle handle);
void
sane_feeder_cancel(SANE_Handle handle)
{
    struct handle *h = handle;

    /*
     * A side cut short is fed again; one read whole counts as fed (a
     * state file that cannot be written: it comes again next run).
     */
    go_on(h);
    frame_drop(h);
}

SANE_Status sane_feeder_set_io_mode(SANE_Handle handle, SANE_Bool nonblock);
SANE_Status
sane_feeder_set_io_mode(SANE_Handle handle, SANE_Bool nonblock)
{
    (void)handle;
    return nonblock ? SANE_STATUS_UNSUPPORTED : SANE_STATUS_GOOD;
}

SANE_Status sane_feeder_get_select_fd(SANE_Handle handle, SANE_Int *fd);
SANE_Status
sane_feeder_get_select_fd(SANE_Handle handle, SANE_Int *fd)
{
    (void)handle;
    (void)fd;
    return SANE_STATUS_UNSUPPORTED;
}
