/*
 * The office's working-day calendar: weekends, the public holidays, and
 * the make-up working days on weekends that China's holiday schedule adds
 * (each year's comes from the State Council's notice).  One file a year,
 * which the office updates; sections name a holiday:
 *
 *   [holiday Spring Festival 春节]
 *   days = 2026-02-15..2026-02-23
 *   workdays = 2026-02-14, 2026-02-28
 *
 * Days are counted from 1970-01-01 (day 0, a Thursday).
 */
#include "classifier/classifier.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

/* A day the calendar overrides: a holiday, or a working weekend day. */
struct special {
    long day;
    int working;
};

struct cls_calendar {
    struct special *days; /* sorted by day once loaded */
    size_t n, cap;
    long first, last; /* the span the file covers */
};

struct load {
    struct cls_calendar *c;
    struct mr_err err;
};

/* "2026-02-15" into *pday; 0 or -1 when it is no such day. */
static int
parse_day(const char *s, size_t len, long *pday)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, used = 0;
    char buf[16];

    if (len != 10)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (sscanf(buf, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10 ||
        m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
        (m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
        return -1;
    *pday = mr_day_of(y, m, d);
    return 0;
}

static int
add_day(struct load *l, long day, int working)
{
    struct cls_calendar *c = l->c;

    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        struct special *grown = realloc(c->days, cap * sizeof(*grown));

        if (!grown)
            return mr_fail(&l->err, MR_ENOMEM, _("out of memory"));
        c->days = grown;
        c->cap = cap;
    }
    c->days[c->n].day = day;
    c->days[c->n++].working = working;
    if (c->n == 1 || day < c->first)
        c->first = day;
    if (c->n == 1 || day > c->last)
        c->last = day;
    return 0;
}

/* A comma-separated list of days and "A..B" spans, all added. */
static int
add_list(struct load *l, const char *name, const char *value, int working)
{
    const char *p = value;

    while (*p) {
        size_t len = strcspn(p, ",");
        const char *dots = strstr(p, "..");
        long a, b;
        int rc = 0;

        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (dots && dots < p + len) {
            if (parse_day(p, (size_t)(dots - p), &a) ||
                parse_day(dots + 2, (size_t)(p + len - dots - 2), &b) || b < a)
                rc = -1;
            for (long day = a; !rc && day <= b; day++)
                if (add_day(l, day, working))
                    return l->err.code;
        } else if (parse_day(p, len, &a)) {
            rc = -1;
        } else if (add_day(l, a, working)) {
            return l->err.code;
        }
        if (rc)
            return mr_fail(&l->err, MR_EFORMAT,
                           _("'%s' wants days such as 2026-02-14 or "
                             "2026-02-15..2026-02-23, not '%s'"),
                           name, value);
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return 0;
}

/* inih's handler: 1 to go on, 0 for an error at this line. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
    struct load *l = user;
    int rc;

    if (strncmp(section, "holiday ", 8) || !section[8])
        rc = mr_fail(&l->err, MR_EFORMAT,
                     _("unknown section [%s]: the calendar has "
                       "[holiday NAME] sections"),
                     section);
    else if (!strcmp(name, "days"))
        rc = add_list(l, name, value, 0);
    else if (!strcmp(name, "workdays"))
        rc = add_list(l, name, value, 1);
    else
        rc = mr_fail(&l->err, MR_EFORMAT, _("unknown key '%s' in [%s]"), name,
                     section);
    return rc == 0;
}

static int
by_day(const void *x, const void *y)
{
    const struct special *a = x, *b = y;

    return (a->day > b->day) - (a->day < b->day);
}

/* Add the days of the calendar file at path to l. */
static int
load_file(struct load *l, const char *path, struct mr_err *err)
{
    FILE *f = fopen(path, "r");
    int line;

    if (!f)
        return mr_fail(err, MR_ENOTFOUND, _("cannot open calendar '%s': %s"),
                       path, strerror(errno));
    mr_err_clear(&l->err);
    line = ini_parse_file(f, on_key, l);
    fclose(f);
    if (line) {
        if (!l->err.code)
            mr_fail(&l->err, MR_EFORMAT, _("not an INI file"));
        return mr_fail(err, l->err.code, "%s:%d: %s", path, line, l->err.msg);
    }
    return 0;
}

struct cls_calendar *
cls_calendar_load(const char *const *paths, size_t n, struct mr_err *err)
{
    struct load l = {NULL, MR_ERR_INIT};

    l.c = calloc(1, sizeof(*l.c));
    if (!l.c) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (load_file(&l, paths[i], err)) {
            cls_calendar_destroy(&l.c);
            return NULL;
        }
    if (l.c->n) /* none without a file: a catalogue that names none */
        qsort(l.c->days, l.c->n, sizeof(*l.c->days), by_day);
    for (size_t i = 1; i < l.c->n; i++)
        if (l.c->days[i].day == l.c->days[i - 1].day) {
            char when[MR_TIME_SIZE] = "";

            mr_time_text((time_t)l.c->days[i].day * 86400, when, &l.err);
            mr_fail(err, MR_EFORMAT, _("calendar: %.10s is listed twice"),
                    when);
            cls_calendar_destroy(&l.c);
            return NULL;
        }
    return l.c;
}

void
cls_calendar_destroy(struct cls_calendar **pc)
{
    if (!pc || !*pc)
        return;
    free((*pc)->days);
    free(*pc);
    *pc = NULL;
}

int
cls_calendar_working(const struct cls_calendar *c, long day)
{
    struct special key = {day, 0}, *hit = NULL;
    long weekday = ((day % 7) + 7 + 3) % 7; /* 0 Monday .. 6 Sunday */

    if (c && c->n)
        hit = bsearch(&key, c->days, c->n, sizeof(*c->days), by_day);
    return hit ? hit->working : weekday < 5;
}

int
cls_calendar_year(const struct cls_calendar *c, long day)
{
    char a[MR_TIME_SIZE], b[MR_TIME_SIZE];
    struct mr_err err = MR_ERR_INIT;

    if (!c || !c->n || mr_time_text((time_t)day * 86400, a, &err) ||
        mr_time_text((time_t)c->last * 86400, b, &err))
        return 0;
    return strncmp(a, b, 4) <= 0;
}

long
cls_calendar_add(const struct cls_calendar *c, long day, int n, int working)
{
    if (!working)
        return day + n;
    while (n > 0)
        n -= cls_calendar_working(c, ++day);
    return day;
}
