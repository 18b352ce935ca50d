/*
 * Scanner intake through SANE: the devices, their settings and their pages.
 *
 * Invariants:
 *   - sane_init runs when the first user (an open device or a listing)
 *     needs SANE and sane_exit when the last one is done: a count, not
 *     atexit, so a later user starts afresh and re-reads the configuration.
 *     Like SANE itself this is for one thread: the batch driver's.
 *   - per device: sane_open -> per page [sane_start (retrying WARMING_UP)
 *     -> sane_get_parameters -> sane_read until EOF, once per frame] ->
 *     sane_cancel -> sane_close.  Between good pages of a batch nothing is
 *     cancelled.  A page that fails leaves a cancel pending: it is done
 *     right before the next sane_start (or option change, or at close), so
 *     the device rests as it stopped while the operator clears the fault,
 *     and the next sheet goes on with the same stack.  (Cancelling later
 *     also spares backends whose reader thread is cancelled asynchronously,
 *     like the `test` backend's, a cancel that lands in its malloc: such a
 *     thread deadlocks.  So the pending cancel first waits a moment, even
 *     when the failure is followed at once by the next sheet or by close.)
 *   - option descriptors are looked up by name whenever they are needed and
 *     never kept, so SANE_INFO_RELOAD_OPTIONS needs no further handling.
 *   - a page becomes a PIX only once every frame has been read to EOF: a
 *     failed page leaves nothing behind.  Samples are stored one by one
 *     with Leptonica's accessors, never copied into its words.
 *   - SANE statuses are mapped here, sane_strstatus copied at once.
 */
#include "scanner/scanner_int.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <sane/sane.h>
#include <sane/saneopts.h>
#include <strings.h>

#define SCAN_MAX_WIDTH 100000L
/* How far past its samples a device may pad a line. */
#define SCAN_MAX_LINE_PAD 65536L
/* sane_start answering WARMING_UP is tried again this often, a second on. */
#define SCAN_WARMUP_TRIES 10
/* Most bytes asked of one sane_read. */
#define SCAN_READ_CHUNK (1L << 20)
/* Empty reads in a row (a millisecond apart) before giving up. */
#define SCAN_MAX_IDLE_READS 60000
/* How long a failed page's reader thread gets to end before the cancel. */
#define SCAN_CANCEL_GRACE_MS 100

/* In sane.h but still under #if 0: the lamp is not ready, retry. */
#ifdef SANE_STATUS_WARMING_UP
#define SCAN_STATUS_WARMING_UP SANE_STATUS_WARMING_UP
#else
#define SCAN_STATUS_WARMING_UP 12
#endif

struct scan_dev {
    SANE_Handle h;
    char *name;
    int feeder; /* the source is a feeder: read until NO_DOCS */
    int dpi;    /* the resolution option's value, 0 when unknown */
    int done;   /* the batch ended (NO_DOCS, or a flatbed's page read) */
    int cancel; /* a failed page awaits sane_cancel */
};

/* One frame of a page as read: all of a gray or RGB page, or one colour. */
struct frame {
    SANE_Parameters p;
    unsigned char *buf;
    size_t len, cap;
    long lines; /* complete lines in buf */
};

static int sane_users;

/* Start SANE unless it runs already; count one user more. */
static int
scan_sane_acquire(struct mr_err *err)
{
    SANE_Int version = 0;
    SANE_Status st;

    if (sane_users > 0) {
        sane_users++;
        return 0;
    }
    st = sane_init(&version, NULL);
    if (st != SANE_STATUS_GOOD)
        return mr_fail(err, MR_EDEVICE, _("cannot start SANE: %s"),
                       sane_strstatus(st));
    sane_users = 1;
    return 0;
}

/* Count one user less; the last one stops SANE. */
static void
scan_sane_release(void)
{
    if (sane_users > 0 && --sane_users == 0)
        sane_exit();
}

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/*
 * End a failed page, if one is pending, before the device is used again.
 * A backend that read ahead in a thread (sanei_thread) cancels it
 * asynchronously; right after a fault that thread may still be in malloc
 * or free, where a cancel deadlocks it, so it gets a moment to end first.
 */
static void
cancel_pending(struct scan_dev *d)
{
    if (d->cancel) {
        sleep_ms(SCAN_CANCEL_GRACE_MS);
        sane_cancel(d->h);
        d->cancel = 0;
    }
}

/* Whether s contains needle, ignoring case. */
static int
ci_contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

/* The option called name and its index, or NULL. */
static const SANE_Option_Descriptor *
option_find(SANE_Handle h, const char *name, SANE_Int *pidx)
{
    SANE_Int n = 0;

    *pidx = 0;
    if (!sane_get_option_descriptor(h, 0) ||
        sane_control_option(h, 0, SANE_ACTION_GET_VALUE, &n, NULL) !=
            SANE_STATUS_GOOD)
        return NULL;
    for (SANE_Int i = 1; i < n; i++) {
        const SANE_Option_Descriptor *od = sane_get_option_descriptor(h, i);

        if (od && od->name && strcmp(od->name, name) == 0) {
            *pidx = i;
            return od;
        }
    }
    return NULL;
}

/* Whether od is a string option constrained to a list. */
static int
is_string_list(const SANE_Option_Descriptor *od)
{
    return od && od->type == SANE_TYPE_STRING &&
           od->constraint_type == SANE_CONSTRAINT_STRING_LIST &&
           od->constraint.string_list && od->size > 0;
}

/* Whether od is a single int or fixed value. */
static int
is_number(const SANE_Option_Descriptor *od)
{
    return od && (od->type == SANE_TYPE_INT || od->type == SANE_TYPE_FIXED) &&
           od->size == (SANE_Int)sizeof(SANE_Word);
}

/* The values of a string list, ", "-separated, truncated to fit. */
static void
list_values(const SANE_Option_Descriptor *od, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    if (!is_string_list(od))
        return;
    for (const SANE_String_Const *s = od->constraint.string_list; *s; s++) {
        int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", *s);

        if (n < 0 || (size_t)n >= size - len) {
            buf[len] = '\0';
            break;
        }
        len += (size_t)n;
    }
}

/* Refuse an option that is missing, inactive or not settable by software. */
static int
option_check(const struct scan_dev *d, const SANE_Option_Descriptor *od,
             const char *name, struct mr_err *err)
{
    if (!od)
        return mr_fail(err, MR_EINVAL, _("scanner '%s' has no '%s' setting"),
                       d->name, name);
    if (!SANE_OPTION_IS_ACTIVE(od->cap) || !SANE_OPTION_IS_SETTABLE(od->cap))
        return mr_fail(err, MR_EINVAL,
                       _("the '%s' setting of scanner '%s' cannot be "
                         "changed now"),
                       name, d->name);
    return 0;
}

/* Set option idx to value; text is the value as the operator sees it. */
static int
option_set(struct scan_dev *d, SANE_Int idx, const char *name, void *value,
           const char *text, struct mr_err *err)
{
    SANE_Int info = 0;
    SANE_Status st;

    st = sane_control_option(d->h, idx, SANE_ACTION_SET_VALUE, value, &info);
    if (st == SANE_STATUS_INVAL)
        return mr_fail(err, MR_EINVAL,
                       _("scanner '%s' refuses '%s' for its '%s' setting"),
                       d->name, text, name);
    if (st != SANE_STATUS_GOOD)
        return mr_fail(err, MR_EDEVICE,
                       _("cannot set '%s' on scanner '%s': %s"), name, d->name,
                       sane_strstatus(st));
    return 0;
}

/* Set a string option to value, which must fit its size. */
static int
set_string(struct scan_dev *d, SANE_Int idx, const SANE_Option_Descriptor *od,
           const char *value, struct mr_err *err)
{
    size_t n = strlen(value) + 1;
    char *buf;
    int rc;

    if (n > (size_t)od->size)
        return mr_fail(err, MR_EINVAL,
                       _("scanner '%s' refuses '%s' for its '%s' setting"),
                       d->name, value, od->name);
    buf = calloc(1, (size_t)od->size);
    if (!buf)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    memcpy(buf, value, n);
    rc = option_set(d, idx, od->name, buf, value, err);
    free(buf);
    return rc;
}

/*
 * How well a source value fits what was asked: 0 not at all, higher is
 * better.  A feeder's front side beats its back side.
 */
static int
match_source(const char *s, int want)
{
    switch (want) {
    case SCAN_SOURCE_FLATBED:
        return ci_contains(s, "flatbed") ? 2 : 0;
    case SCAN_SOURCE_ADF:
        if (ci_contains(s, "duplex"))
            return 0;
        if (!ci_contains(s, "adf") && !ci_contains(s, "feeder"))
            return 0;
        return ci_contains(s, "back") || ci_contains(s, "rear") ? 1 : 2;
    case SCAN_SOURCE_DUPLEX:
        return ci_contains(s, "duplex") ? 2 : 0;
    default:
        return 0;
    }
}

static int
match_mode(const char *s, int want)
{
    switch (want) {
    case SCAN_MODE_LINEART:
        if (ci_contains(s, "lineart") || ci_contains(s, "binary"))
            return 2;
        return ci_contains(s, "black") && !ci_contains(s, "halftone") ? 1 : 0;
    case SCAN_MODE_GRAY:
        return ci_contains(s, "gray") || ci_contains(s, "grey") ? 2 : 0;
    case SCAN_MODE_COLOR:
        return ci_contains(s, "color") || ci_contains(s, "colour") ? 2 : 0;
    default:
        return 0;
    }
}

/* The best fitting value of a string list, or NULL. */
static const char *
pick(const SANE_Option_Descriptor *od, int (*match)(const char *, int),
     int want)
{
    const char *best = NULL;
    int best_score = 0;

    for (const SANE_String_Const *s = od->constraint.string_list; *s; s++) {
        int score = match(*s, want);

        if (score > best_score) {
            best = *s;
            best_score = score;
        }
    }
    return best;
}

/*
 * Set the string-list option name to the value that best matches want;
 * what names the wish in a refusal ("duplex source").  With pmissing, a
 * missing match sets *pmissing instead of failing.
 */
static int
set_from_list(struct scan_dev *d, const char *name,
              int (*match)(const char *, int), int want, const char *what,
              int *pmissing, struct mr_err *err)
{
    const SANE_Option_Descriptor *od;
    const char *value;
    char offers[512];
    SANE_Int idx;
    int rc;

    od = option_find(d->h, name, &idx);
    rc = option_check(d, od, name, err);
    if (rc)
        return rc;
    if (!is_string_list(od))
        return mr_fail(err, MR_EINVAL,
                       _("scanner '%s' has a '%s' setting we cannot use"),
                       d->name, name);
    value = pick(od, match, want);
    if (!value) {
        if (pmissing) {
            *pmissing = 1;
            return 0;
        }
        list_values(od, offers, sizeof(offers));
        return mr_fail(err, MR_EINVAL,
                       _("scanner '%s' has no %s (it offers: %s)"), d->name,
                       what, offers);
    }
    return set_string(d, idx, od, value, err);
}

/* The value of a single int or fixed option, or -1. */
static long
get_number(struct scan_dev *d, const char *name)
{
    const SANE_Option_Descriptor *od;
    SANE_Word w = 0;
    SANE_Int idx;

    od = option_find(d->h, name, &idx);
    if (!is_number(od) || !SANE_OPTION_IS_ACTIVE(od->cap) ||
        sane_control_option(d->h, idx, SANE_ACTION_GET_VALUE, &w, NULL) !=
            SANE_STATUS_GOOD)
        return -1;
    if (od->type == SANE_TYPE_FIXED)
        return lround(SANE_UNFIX(w));
    return w;
}

/* Whether the word-list option od allows v. */
static int
word_list_has(const SANE_Option_Descriptor *od, SANE_Word v)
{
    const SANE_Word *wl = od->constraint.word_list;

    if (od->constraint_type != SANE_CONSTRAINT_WORD_LIST || !wl)
        return 0;
    for (SANE_Word i = 1; i <= wl[0]; i++)
        if (wl[i] == v)
            return 1;
    return 0;
}

/*
 * Set the bit depth to depth when the device has a settable depth option
 * allowing it; *pdone says whether it did.
 */
static int
set_depth(struct scan_dev *d, SANE_Word depth, int *pdone, struct mr_err *err)
{
    const SANE_Option_Descriptor *od;
    char text[16];
    SANE_Int idx;

    *pdone = 0;
    od = option_find(d->h, SANE_NAME_BIT_DEPTH, &idx);
    if (!od || od->type != SANE_TYPE_INT || !is_number(od) ||
        !SANE_OPTION_IS_ACTIVE(od->cap) || !SANE_OPTION_IS_SETTABLE(od->cap) ||
        !word_list_has(od, depth))
        return 0;
    snprintf(text, sizeof(text), "%d", (int)depth);
    *pdone = 1;
    return option_set(d, idx, SANE_NAME_BIT_DEPTH, &depth, text, err);
}

/*
 * Set the scan mode.  A device without a line-art mode but with 1-bit
 * gray (SANE's `test` backend) gets gray at depth 1; gray or colour on a
 * device left at depth 1 gets depth 8.
 */
static int
set_mode(struct scan_dev *d, enum scan_mode mode, struct mr_err *err)
{
    int missing = 0, done = 0, rc;

    rc = set_from_list(d, SANE_NAME_SCAN_MODE, match_mode, mode,
                       mode == SCAN_MODE_LINEART ? _("line-art mode")
                       : mode == SCAN_MODE_GRAY  ? _("gray mode")
                                                 : _("colour mode"),
                       mode == SCAN_MODE_LINEART ? &missing : NULL, err);
    if (rc)
        return rc;
    if (missing) {
        rc = set_from_list(d, SANE_NAME_SCAN_MODE, match_mode, SCAN_MODE_GRAY,
                           _("gray mode"), NULL, err);
        if (!rc)
            rc = set_depth(d, 1, &done, err);
        if (!rc && !done)
            return set_from_list(d, SANE_NAME_SCAN_MODE, match_mode,
                                 SCAN_MODE_LINEART, _("line-art mode"), NULL,
                                 err);
        return rc;
    }
    if (mode != SCAN_MODE_LINEART && get_number(d, SANE_NAME_BIT_DEPTH) == 1)
        rc = set_depth(d, 8, &done, err);
    return rc;
}

/* Set the resolution to the allowed value nearest to dpi. */
static int
set_resolution(struct scan_dev *d, int dpi, struct mr_err *err)
{
    const SANE_Option_Descriptor *od;
    long long want, v;
    SANE_Word w;
    SANE_Int idx;
    char text[16];
    int rc;

    od = option_find(d->h, SANE_NAME_SCAN_RESOLUTION, &idx);
    rc = option_check(d, od, SANE_NAME_SCAN_RESOLUTION, err);
    if (rc)
        return rc;
    if (!is_number(od))
        return mr_fail(err, MR_EINVAL,
                       _("scanner '%s' has a '%s' setting we cannot use"),
                       d->name, SANE_NAME_SCAN_RESOLUTION);
    want = od->type == SANE_TYPE_FIXED
               ? (long long)dpi << SANE_FIXED_SCALE_SHIFT
               : dpi;
    v = want;
    if (od->constraint_type == SANE_CONSTRAINT_RANGE && od->constraint.range) {
        const SANE_Range *r = od->constraint.range;

        if (v < r->min)
            v = r->min;
        if (v > r->max)
            v = r->max;
        if (r->quant > 0) {
            v = r->min + (v - r->min + r->quant / 2) / r->quant * r->quant;
            if (v > r->max)
                v -= r->quant;
        }
    } else if (od->constraint_type == SANE_CONSTRAINT_WORD_LIST &&
               od->constraint.word_list && od->constraint.word_list[0] > 0) {
        const SANE_Word *wl = od->constraint.word_list;

        v = wl[1];
        for (SANE_Word i = 2; i <= wl[0]; i++)
            if (llabs(wl[i] - want) < llabs(v - want))
                v = wl[i];
    }
    if (v < INT32_MIN || v > INT32_MAX)
        return mr_fail(err, MR_EINVAL, _("scanner '%s' refuses %d dpi"),
                       d->name, dpi);
    w = (SANE_Word)v;
    snprintf(text, sizeof(text), "%d", dpi);
    return option_set(d, idx, SANE_NAME_SCAN_RESOLUTION, &w, text, err);
}

/* Note the source kind and the resolution the device is now set to. */
static void
read_state(struct scan_dev *d)
{
    const SANE_Option_Descriptor *od;
    SANE_Int idx;
    char *buf;
    long dpi;

    d->feeder = 0;
    od = option_find(d->h, SANE_NAME_SCAN_SOURCE, &idx);
    if (od && od->type == SANE_TYPE_STRING && od->size > 0 &&
        SANE_OPTION_IS_ACTIVE(od->cap) && (buf = calloc(1, (size_t)od->size))) {
        if (sane_control_option(d->h, idx, SANE_ACTION_GET_VALUE, buf, NULL) ==
            SANE_STATUS_GOOD) {
            buf[od->size - 1] = '\0';
            d->feeder = ci_contains(buf, "adf") || ci_contains(buf, "feeder") ||
                        ci_contains(buf, "duplex");
        }
        free(buf);
    }
    dpi = get_number(d, SANE_NAME_SCAN_RESOLUTION);
    d->dpi = dpi > 0 && dpi <= 100000 ? (int)dpi : 0;
}

static int
apply_settings(struct scan_dev *d, const struct scan_settings *s,
               struct mr_err *err)
{
    static const char *const source_what[] = {NULL, N_("flatbed source"),
                                              N_("document feeder source"),
                                              N_("duplex source")};
    int rc = 0;

    if (s->source > SCAN_SOURCE_DEFAULT && s->source <= SCAN_SOURCE_DUPLEX)
        rc = set_from_list(d, SANE_NAME_SCAN_SOURCE, match_source, s->source,
                           _(source_what[s->source]), NULL, err);
    if (!rc && s->mode > SCAN_MODE_DEFAULT && s->mode <= SCAN_MODE_COLOR)
        rc = set_mode(d, s->mode, err);
    if (!rc && s->resolution > 0)
        rc = set_resolution(d, s->resolution, err);
    return rc;
}

/* Whether SANE lists a device called name. */
static int
device_listed(const char *name)
{
    const SANE_Device **list = NULL;

    if (sane_get_devices(&list, SANE_FALSE) != SANE_STATUS_GOOD || !list)
        return 0;
    for (; *list; list++)
        if ((*list)->name && strcmp((*list)->name, name) == 0)
            return 1;
    return 0;
}

/* The name of the first device SANE lists, malloc'd. */
static int
first_device(char **pname, struct mr_err *err)
{
    const SANE_Device **list = NULL;
    SANE_Status st;

    *pname = NULL;
    st = sane_get_devices(&list, SANE_FALSE);
    if (st != SANE_STATUS_GOOD)
        return mr_fail(err, MR_EDEVICE, _("cannot list scanners: %s"),
                       sane_strstatus(st));
    if (!list || !list[0] || !list[0]->name)
        return mr_fail(err, MR_ENOTFOUND, _("no scanner found"));
    *pname = mr_strdup(list[0]->name, err);
    return *pname ? 0 : MR_ENOMEM;
}

struct scan_dev *
scan_dev_open(const struct scan_settings *s, struct mr_err *err)
{
    struct scan_dev *d = NULL;
    char *first = NULL;
    const char *name;
    SANE_Status st;
    int rc, acquired = 0;

    if (MR_NEVER(!s)) {
        rc = mr_fail(err, MR_EINVAL, _("no scanner settings given"));
        goto out;
    }
    rc = scan_sane_acquire(err);
    if (rc)
        goto out;
    acquired = 1;
    name = s->device;
    if (!name || !*name) {
        rc = first_device(&first, err);
        if (rc)
            goto out;
        name = first;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    d->name = mr_strdup(name, err);
    if (!d->name) {
        rc = MR_ENOMEM;
        goto out;
    }
    st = sane_open(name, &d->h);
    if (st != SANE_STATUS_GOOD) {
        d->h = NULL;
        if (st == SANE_STATUS_DEVICE_BUSY)
            rc = mr_fail(err, MR_EBUSY, _("scanner '%s' is in use"), name);
        else if (st != SANE_STATUS_ACCESS_DENIED && !device_listed(name))
            rc = mr_fail(err, MR_ENOTFOUND, _("no scanner '%s'"), name);
        else
            rc = mr_fail(err, MR_EDEVICE, _("cannot open scanner '%s': %s"),
                         name, sane_strstatus(st));
        goto out;
    }
    rc = apply_settings(d, s, err);
    if (rc)
        goto out;
    read_state(d);
out:
    free(first);
    if (rc) {
        if (d && d->h)
            sane_close(d->h);
        if (d)
            free(d->name);
        free(d);
        d = NULL;
        if (acquired)
            scan_sane_release();
    }
    return d;
}

/* Map a failed SANE status during a page to our code and message. */
static int
scan_fail(const struct scan_dev *d, SANE_Status st, struct mr_err *err)
{
    switch ((int)st) {
    case SANE_STATUS_JAMMED:
        return mr_fail(err, MR_EJAM,
                       _("paper jam in '%s': clear the feeder and continue"),
                       d->name);
    case SANE_STATUS_COVER_OPEN:
        return mr_fail(err, MR_EJAM,
                       _("cover open on '%s': close it and continue"), d->name);
    case SANE_STATUS_DEVICE_BUSY:
        return mr_fail(err, MR_EBUSY,
                       _("scanner '%s' is busy: try again later"), d->name);
    case SCAN_STATUS_WARMING_UP:
        return mr_fail(err, MR_EBUSY,
                       _("scanner '%s' is still warming up: try again"),
                       d->name);
    case SANE_STATUS_CANCELLED:
        return mr_fail(err, MR_EINTR, _("scan on '%s' was cancelled"), d->name);
    default:
        return mr_fail(err, MR_EDEVICE, _("cannot scan on '%s': %s"), d->name,
                       sane_strstatus(st));
    }
}

static SANE_Status
start_frame(struct scan_dev *d)
{
    SANE_Status st;

    for (int tries = 1;; tries++) {
        st = sane_start(d->h);
        if ((int)st != SCAN_STATUS_WARMING_UP || tries >= SCAN_WARMUP_TRIES)
            return st;
        sleep_ms(1000);
    }
}

/* Refuse frame parameters we cannot read or that make no sense. */
static int
check_params(const struct scan_dev *d, const SANE_Parameters *p,
             struct mr_err *err)
{
    long channels = p->format == SANE_FRAME_RGB ? 3 : 1;
    long need;

    switch (p->format) {
    case SANE_FRAME_GRAY:
    case SANE_FRAME_RGB:
    case SANE_FRAME_RED:
    case SANE_FRAME_GREEN:
    case SANE_FRAME_BLUE:
        break;
    default:
        return mr_fail(err, MR_EDEVICE,
                       _("scanner '%s' sends frames of a kind we cannot "
                         "read (format %d)"),
                       d->name, (int)p->format);
    }
    if (p->depth != 1 && p->depth != 8 && p->depth != 16)
        return mr_fail(err, MR_EDEVICE,
                       _("scanner '%s' sends %d-bit samples, which we cannot "
                         "read"),
                       d->name, (int)p->depth);
    if (p->pixels_per_line < 1 || p->pixels_per_line > SCAN_MAX_WIDTH ||
        p->lines == 0 || p->lines < -1 ||
        (p->lines > 0 &&
         (long long)p->pixels_per_line * p->lines > SCAN_MAX_PIXELS))
        goto absurd;
    need = (p->pixels_per_line * channels * p->depth + 7) / 8;
    if (p->bytes_per_line < need ||
        p->bytes_per_line > need + SCAN_MAX_LINE_PAD)
        goto absurd;
    return 0;
absurd:
    return mr_fail(err, MR_EDEVICE,
                   _("scanner '%s' announces an absurd page: %d pixels by %d "
                     "lines, %d bytes a line"),
                   d->name, (int)p->pixels_per_line, (int)p->lines,
                   (int)p->bytes_per_line);
}

/*
 * Read one frame to EOF into f (f->p set).  Returns 0, 1 when the device
 * said NO_DOCS, or a negative code.
 */
static int
read_frame(struct scan_dev *d, struct frame *f, struct mr_err *err)
{
    size_t bpl = (size_t)f->p.bytes_per_line;
    size_t max_lines = (size_t)(SCAN_MAX_PIXELS / f->p.pixels_per_line);
    int idle = 0;

    f->cap = bpl * (f->p.lines > 0 ? (size_t)f->p.lines : 64);
    f->buf = malloc(f->cap);
    if (!f->buf)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    for (;;) {
        SANE_Int n = 0;
        size_t chunk;
        SANE_Status st;

        if (f->len == f->cap) {
            size_t cap = f->cap * 2;
            unsigned char *buf;

            if (f->len / bpl >= max_lines)
                return mr_fail(err, MR_EDEVICE,
                               _("scanner '%s' sends a page longer than "
                                 "we take"),
                               d->name);
            if (cap / bpl > max_lines)
                cap = max_lines * bpl;
            buf = realloc(f->buf, cap);
            if (!buf)
                return mr_fail(err, MR_ENOMEM, _("out of memory"));
            f->buf = buf;
            f->cap = cap;
        }
        chunk = f->cap - f->len;
        if (chunk > (size_t)SCAN_READ_CHUNK)
            chunk = SCAN_READ_CHUNK;
        st = sane_read(d->h, f->buf + f->len, (SANE_Int)chunk, &n);
        if (st == SANE_STATUS_EOF)
            break;
        if (st == SANE_STATUS_NO_DOCS)
            return 1;
        if (st != SANE_STATUS_GOOD)
            return scan_fail(d, st, err);
        if (n < 0 || (size_t)n > chunk)
            return mr_fail(err, MR_EDEVICE,
                           _("scanner '%s' returned a bad read length"),
                           d->name);
        if (n == 0) {
            if (++idle > SCAN_MAX_IDLE_READS)
                return mr_fail(err, MR_EDEVICE,
                               _("scanner '%s' stopped sending data"), d->name);
            sleep_ms(1);
            continue;
        }
        idle = 0;
        f->len += (size_t)n;
    }
    f->lines = (long)(f->len / bpl);
    if (f->p.lines > 0 && f->lines > f->p.lines)
        f->lines = f->p.lines;
    if (f->lines == 0)
        return mr_fail(err, MR_EDEVICE, _("scanner '%s' sent an empty page"),
                       d->name);
    return 0;
}

/* Sample i of a line at depth 1, 8 or 16 (host byte order). */
static unsigned
sample(const unsigned char *line, size_t i, int depth)
{
    uint16_t v;

    if (depth == 1)
        return (line[i >> 3] >> (7 - (i & 7))) & 1u;
    if (depth == 8)
        return line[i];
    memcpy(&v, line + 2 * i, sizeof(v));
    return v;
}

/* A colour sample scaled to 8 bits; 1-bit colour is 1 for full intensity. */
static int
to8(unsigned v, int depth)
{
    if (depth == 1)
        return v ? 255 : 0;
    if (depth == 16)
        return (int)(v >> 8);
    return (int)v;
}

/*
 * Build the page from its frames: fr[0] for a gray or RGB page, fr[0..2]
 * for red, green and blue of a three-pass page.  Gray keeps its depth
 * (1 bit: 1 is black for SANE and Leptonica alike; 16 bits stay 16);
 * colour becomes 32 bpp.
 */
static PIX *
frames_to_pix(const struct frame *fr, int threepass)
{
    const SANE_Parameters *p = &fr[0].p;
    int w = p->pixels_per_line, depth = p->depth;
    long h = fr[0].lines;
    PIX *pix;
    l_uint32 *data;
    int wpl;

    if (threepass) {
        for (int c = 1; c < 3; c++)
            if (fr[c].lines < h)
                h = fr[c].lines;
    }
    pix = pixCreate(w, (int)h,
                    !threepass && p->format == SANE_FRAME_GRAY ? depth : 32);
    if (!pix)
        return NULL;
    data = pixGetData(pix);
    wpl = pixGetWpl(pix);
    for (long y = 0; y < h; y++) {
        l_uint32 *line = data + y * wpl;

        if (!threepass && p->format == SANE_FRAME_GRAY) {
            const unsigned char *src = fr[0].buf + y * p->bytes_per_line;

            for (int x = 0; x < w; x++) {
                unsigned v = sample(src, (size_t)x, depth);

                if (depth == 1) {
                    if (v)
                        SET_DATA_BIT(line, x);
                } else if (depth == 8) {
                    SET_DATA_BYTE(line, x, v);
                } else {
                    SET_DATA_TWO_BYTES(line, x, v);
                }
            }
            continue;
        }
        for (int x = 0; x < w; x++) {
            int rgb[3];
            l_uint32 px;

            for (int c = 0; c < 3; c++) {
                const struct frame *f = threepass ? &fr[c] : &fr[0];
                const unsigned char *src = f->buf + y * f->p.bytes_per_line;
                size_t i = threepass ? (size_t)x : (size_t)x * 3 + (size_t)c;

                rgb[c] = to8(sample(src, i, depth), depth);
            }
            composeRGBPixel(rgb[0], rgb[1], rgb[2], &px);
            SET_DATA_FOUR_BYTES(line, x, px);
        }
    }
    return pix;
}

/* Where a frame goes: 0 for gray or RGB, else its colour's index. */
static int
frame_slot(SANE_Frame format)
{
    switch (format) {
    case SANE_FRAME_GREEN:
        return 1;
    case SANE_FRAME_BLUE:
        return 2;
    default:
        return 0;
    }
}

static int
is_single_pass(SANE_Frame format)
{
    return format == SANE_FRAME_GRAY || format == SANE_FRAME_RGB;
}

int
scan_dev_next(struct scan_dev *d, struct Pix **ppix, struct mr_err *err)
{
    struct frame fr[3];
    SANE_Parameters first;
    PIX *pix = NULL;
    int rc = 0, nframes = 0, started = 0, threepass = 0, seen[3] = {0};

    memset(fr, 0, sizeof(fr));
    memset(&first, 0, sizeof(first));
    if (ppix)
        *ppix = NULL;
    if (MR_NEVER(!d || !ppix)) {
        rc = mr_fail(err, MR_EINVAL, _("no scanner or no page to fill"));
        goto out;
    }
    if (d->done)
        goto out;
    cancel_pending(d);
    for (;;) {
        SANE_Parameters p;
        SANE_Status st;
        int slot;

        st = start_frame(d);
        if (st == SANE_STATUS_NO_DOCS && nframes == 0) {
            d->done = 1;
            goto out;
        }
        if (st != SANE_STATUS_GOOD) {
            rc = scan_fail(d, st, err);
            goto out;
        }
        started = 1;
        st = sane_get_parameters(d->h, &p);
        if (st != SANE_STATUS_GOOD) {
            rc = scan_fail(d, st, err);
            goto out;
        }
        rc = check_params(d, &p, err);
        if (rc)
            goto out;
        slot = frame_slot(p.format);
        if (nframes == 0) {
            threepass = !is_single_pass(p.format);
            first = p;
        } else if (!threepass || is_single_pass(p.format) || seen[slot] ||
                   p.pixels_per_line != first.pixels_per_line ||
                   p.depth != first.depth) {
            slot = -1;
        }
        if (slot < 0 || nframes >= 3) {
            rc = mr_fail(err, MR_EDEVICE,
                         _("scanner '%s' sends colour frames that do not "
                           "fit together"),
                         d->name);
            goto out;
        }
        seen[slot] = 1;
        fr[slot].p = p;
        rc = read_frame(d, &fr[slot], err);
        if (rc == 1) {
            d->done = 1; /* NO_DOCS while reading: the batch ends */
            rc = 0;
            goto out;
        }
        if (rc)
            goto out;
        nframes++;
        if (p.last_frame)
            break;
    }
    if (threepass && !(seen[0] && seen[1] && seen[2])) {
        rc = mr_fail(err, MR_EDEVICE,
                     _("scanner '%s' ended a colour page without all its "
                       "colours"),
                     d->name);
        goto out;
    }
    pix = frames_to_pix(fr, threepass);
    if (!pix) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    if (d->dpi > 0)
        pixSetResolution(pix, d->dpi, d->dpi);
    *ppix = pix;
    pix = NULL;
    rc = 1;
    if (!d->feeder)
        d->done = 1;
out:
    /* A page that did not complete is ended before the next one starts. */
    if (rc <= 0 && started)
        d->cancel = 1;
    for (int i = 0; i < 3; i++)
        free(fr[i].buf);
    pixDestroy(&pix);
    return rc;
}

const char *
scan_dev_name(const struct scan_dev *d)
{
    return d && d->name ? d->name : "";
}

void
scan_dev_close(struct scan_dev **pd)
{
    struct scan_dev *d;

    if (!pd || !*pd)
        return;
    d = *pd;
    if (d->h) {
        cancel_pending(d);
        sane_cancel(d->h);
        sane_close(d->h);
    }
    free(d->name);
    free(d);
    *pd = NULL;
    scan_sane_release();
}

int
scan_dev_set_option(struct scan_dev *d, const char *name, const char *value,
                    struct mr_err *err)
{
    const SANE_Option_Descriptor *od;
    char offers[512];
    SANE_Int idx;
    SANE_Word w;
    int rc;

    cancel_pending(d);
    od = option_find(d->h, name, &idx);
    rc = option_check(d, od, name, err);
    if (rc)
        return rc;
    if (od->type == SANE_TYPE_STRING) {
        if (is_string_list(od)) {
            const SANE_String_Const *s = od->constraint.string_list;

            while (*s && strcasecmp(*s, value) != 0)
                s++;
            if (!*s) {
                list_values(od, offers, sizeof(offers));
                return mr_fail(err, MR_EINVAL,
                               _("scanner '%s' has no %s '%s' (it offers: "
                                 "%s)"),
                               d->name, name, value, offers);
            }
            value = *s;
        }
        rc = set_string(d, idx, od, value, err);
    } else if (od->type == SANE_TYPE_BOOL &&
               od->size == (SANE_Int)sizeof(SANE_Word)) {
        if (!strcasecmp(value, "true") || !strcasecmp(value, "yes"))
            w = SANE_TRUE;
        else if (!strcasecmp(value, "false") || !strcasecmp(value, "no"))
            w = SANE_FALSE;
        else
            return mr_fail(err, MR_EINVAL, _("'%s' is not yes or no, for '%s'"),
                           value, name);
        rc = option_set(d, idx, name, &w, value, err);
    } else if (is_number(od)) {
        char *end;
        double v = strtod(value, &end);

        if (end == value || *end || v < -32767 || v > 32767)
            return mr_fail(err, MR_EINVAL,
                           _("'%s' is not a number we can set '%s' to"), value,
                           name);
        w = od->type == SANE_TYPE_FIXED ? SANE_FIX(v) : (SANE_Word)lround(v);
        rc = option_set(d, idx, name, &w, value, err);
    } else {
        return mr_fail(err, MR_EINVAL,
                       _("scanner '%s' has a '%s' setting we cannot use"),
                       d->name, name);
    }
    if (!rc)
        read_state(d);
    return rc;
}

/* The source values of a device, read by opening it briefly. */
static int
device_sources(struct scan_device_info *inf, struct mr_err *err)
{
    const SANE_Option_Descriptor *od;
    SANE_Handle h = NULL;
    SANE_Int idx;
    size_t n = 0;
    int rc = 0;

    if (sane_open(inf->name, &h) != SANE_STATUS_GOOD)
        return 0; /* in use or unreachable: listed without sources */
    od = option_find(h, SANE_NAME_SCAN_SOURCE, &idx);
    if (!is_string_list(od))
        goto out;
    while (od->constraint.string_list[n])
        n++;
    if (!n)
        goto out;
    inf->sources = calloc(n, sizeof(*inf->sources));
    if (!inf->sources) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        inf->sources[i] = mr_strdup(od->constraint.string_list[i], err);
        if (!inf->sources[i]) {
            rc = MR_ENOMEM;
            goto out;
        }
        inf->nsources++;
    }
out:
    sane_close(h);
    return rc;
}

int
scan_devices_list(struct scan_device_info **pinfo, size_t *pn,
                  struct mr_err *err)
{
    const SANE_Device **list = NULL;
    struct scan_device_info *info = NULL;
    SANE_Status st;
    size_t n = 0;
    int rc, acquired = 0;

    *pinfo = NULL;
    *pn = 0;
    rc = scan_sane_acquire(err);
    if (rc)
        goto out;
    acquired = 1;
    st = sane_get_devices(&list, SANE_FALSE);
    if (st != SANE_STATUS_GOOD) {
        rc = mr_fail(err, MR_EDEVICE, _("cannot list scanners: %s"),
                     sane_strstatus(st));
        goto out;
    }
    while (list && list[n])
        n++;
    info = calloc(n ? n : 1, sizeof(*info));
    if (!info) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    /* Copy every entry first: the list is SANE's until the next call. */
    for (size_t i = 0; i < n; i++) {
        const SANE_Device *sd = list[i];

        info[i].name = mr_strdup(sd->name ? sd->name : "", err);
        info[i].vendor = mr_strdup(sd->vendor ? sd->vendor : "", err);
        info[i].model = mr_strdup(sd->model ? sd->model : "", err);
        info[i].type = mr_strdup(sd->type ? sd->type : "", err);
        if (!info[i].name || !info[i].vendor || !info[i].model ||
            !info[i].type) {
            rc = MR_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = device_sources(&info[i], err);
    if (rc)
        goto out;
    *pinfo = info;
    *pn = n;
    info = NULL;
out:
    scan_device_info_free(info, n);
    if (acquired)
        scan_sane_release();
    return rc;
}

void
scan_device_info_free(struct scan_device_info *info, size_t n)
{
    if (!info)
        return;
    for (size_t i = 0; i < n; i++) {
        free(info[i].name);
        free(info[i].vendor);
        free(info[i].model);
        free(info[i].type);
        for (size_t j = 0; j < info[i].nsources; j++)
            free(info[i].sources[j]);
        free(info[i].sources);
    }
    free(info);
}
