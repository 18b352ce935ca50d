/*
 * The office's deadlines, from the catalogue's [deadlines] section:
 *
 *   handover = 2 days          receipt to handover to the mailbox's office
 *   result = 60 days           handover to the responsible unit's result
 *   simple = 10 working days   the same, for letters marked simple
 *   due_soon = 2               days before a deadline a letter is due soon
 *   utc_offset = 8             the office's hours east of UTC
 *   calendar = calendar-2026.ini, calendar-2027.ini
 *
 * "N days" counts calendar days, "N working days" the working days of the
 * calendar files (found beside the catalogue, else beside the shipped
 * one).  A deadline is the
 * last day allowed: a letter received on Monday with 2 days to hand over
 * is on time when handed over by the end of Wednesday.
 */
#include "classifier/cls_int.h"

#include <errno.h>
#include <unistd.h>

/* "N days" or "N working days" into *lim; MR_EFORMAT otherwise. */
static int
limit(const char *name, const char *value, struct cls_limit *lim,
      struct mr_err *err)
{
    char unit[16] = "", more[8] = "";
    int n = 0, k = sscanf(value, "%d %15s %7s", &n, unit, more);

    if (k == 2 && !strcmp(unit, "days"))
        lim->working = 0;
    else if (k == 3 && !strcmp(unit, "working") && !strcmp(more, "days"))
        lim->working = 1;
    else
        n = -1;
    if (n < 0 || n > 3650 || strlen(value) > 40)
        return mr_fail(err, MR_EFORMAT,
                       _("'%s' wants \"N days\" or \"N working days\", not "
                         "'%s'"),
                       name, value);
    lim->days = n;
    return 0;
}

/* An integer from lo to hi into *pv; MR_EFORMAT otherwise. */
static int
whole(const char *name, const char *value, int lo, int hi, int *pv,
      struct mr_err *err)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < lo || v > hi)
        return mr_fail(err, MR_EFORMAT,
                       _("'%s' wants a whole number from %d to %d, not '%s'"),
                       name, lo, hi, value);
    *pv = (int)v;
    return 0;
}

/* File name (len bytes) in the folder of file beside, or as is if absolute. */
static char *
beside(const char *file, const char *name, size_t len, struct mr_err *err)
{
    const char *slash = strrchr(file, '/');
    int dir = slash && *name != '/' ? (int)(slash - file + 1) : 0;
    size_t size = (size_t)dir + len + 1;
    char *path = malloc(size);

    if (!path)
        mr_fail(err, MR_ENOMEM, _("out of memory"));
    else
        snprintf(path, size, "%.*s%.*s", dir, file, (int)len, name);
    return path;
}

/*
 * The path of calendar file name (len bytes) named by catalogue c: beside
 * the catalogue, else beside the shipped one (so that an office's copy of
 * the catalogue still finds the shipped year); when in neither, the one
 * beside the catalogue, for the message.
 */
static char *
calendar_path(const struct cls_catalog *c, const char *name, size_t len,
              struct mr_err *err)
{
    char *path = beside(MR_CATALOG, name, len, err);

    if (path && access(path, F_OK) == 0 && *name != '/') {
        char *own = beside(c->path, name, len, err);

        if (!own || access(own, F_OK) == 0) {
            free(path);
            return own;
        }
        free(own);
        return path;
    }
    free(path);
    return beside(c->path, name, len, err);
}

/* Add the comma-separated calendar files of value, resolved. */
static int
calendars(struct cls_catalog *c, const char *value, struct mr_err *err)
{
    for (const char *p = value; *p;) {
        size_t len = strcspn(p, ",");
        char **grown, *path;

        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (!len)
            return mr_fail(err, MR_EFORMAT,
                           _("'calendar' wants file names, not '%s'"), value);
        grown = realloc(c->calendar_path,
                        (c->ncalendar + 1) * sizeof(*c->calendar_path));
        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        c->calendar_path = grown;
        path = calendar_path(c, p, len, err);
        if (!path)
            return err->code;
        c->calendar_path[c->ncalendar++] = path;
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return 0;
}

void
cls_deadlines_defaults(struct cls_catalog *c)
{
    c->limits[CLS_CLOCK_HANDOVER] = (struct cls_limit){2, 0};
    c->limits[CLS_CLOCK_RESULT] = (struct cls_limit){60, 0};
    c->limits[CLS_CLOCK_SIMPLE] = (struct cls_limit){10, 1};
    c->due_soon = 2;
    c->utc_offset = 8;
}

int
cls_deadlines_key(struct cls_catalog *c, const char *name, const char *value,
                  struct mr_err *err)
{
    for (int k = 0; k < CLS_CLOCKS; k++)
        if (!strcmp(name, cls_clock_name((enum cls_clock)k)))
            return limit(name, value, &c->limits[k], err);
    if (!strcmp(name, "due_soon"))
        return whole(name, value, 0, 365, &c->due_soon, err);
    if (!strcmp(name, "utc_offset"))
        return whole(name, value, -12, 14, &c->utc_offset, err);
    if (!strcmp(name, "calendar"))
        return calendars(c, value, err);
    return mr_fail(err, MR_EFORMAT, _("unknown key '%s' in [deadlines]"), name);
}

int
cls_deadlines_load(struct cls_catalog *c, struct mr_err *err)
{
    c->calendar = cls_calendar_load((const char *const *)c->calendar_path,
                                    c->ncalendar, err);
    return c->calendar ? 0 : err->code;
}

void
cls_deadlines_release(struct cls_catalog *c)
{
    for (size_t i = 0; i < c->ncalendar; i++)
        free(c->calendar_path[i]);
    free(c->calendar_path);
    cls_calendar_destroy(&c->calendar);
}

const char *
cls_clock_name(enum cls_clock k)
{
    static const char *const names[CLS_CLOCKS] = {"handover", "result",
                                                  "simple"};

    return (unsigned)k < CLS_CLOCKS ? names[k] : "?";
}

long
cls_deadline(const struct cls_catalog *c, enum cls_clock k, long from)
{
    const struct cls_limit *lim = &c->limits[(unsigned)k % CLS_CLOCKS];

    return cls_calendar_add(c->calendar, from, lim->days, lim->working);
}

long
cls_catalog_day(const struct cls_catalog *c, time_t t)
{
    long long s = (long long)t + 3600LL * c->utc_offset;

    return (long)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

int
cls_catalog_due_soon(const struct cls_catalog *c)
{
    return c->due_soon;
}

const struct cls_calendar *
cls_catalog_calendar(const struct cls_catalog *c)
{
    return c->calendar;
}
