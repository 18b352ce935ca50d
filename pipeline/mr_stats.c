/*
 * `stats --month YYYY-MM`: the figures the office reports for a month,
 * days counted in its time zone (cls_catalog_day).  Each letter and each
 * confirmation is counted in at most one month for each figure:
 *   received       by the day it was archived;
 *   handover       with the letters received (see on_letter);
 *   completion     by the day of its reply when on time, else the day of
 *                  its result deadline;
 *   satisfaction   by the day it was rated (closed);
 *   overrides      by the day of the reviewer's first confirmation.
 * A table, CSV (section,key,value) or JSON on stdout, all made from the
 * same counts; `--out FILE.svg` also draws the month, written atomically.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <utf8proc.h>

/* A count per key, in the order keys were first added. */
struct tally_row {
    char *key;
    long n[3];
};

struct tally {
    struct tally_row *v;
    size_t n, cap;
};

/* A letter confirmed in the month for the first time (at least once). */
struct confirmed {
    char code[ARC_CODE_SIZE];
    int decided;      /* the program had decided it */
    unsigned changed; /* enum arc_changed */
    char *box;        /* the mailbox the program proposed, or NULL */
    char *why;
};

struct stats {
    const struct cls_catalog *c;
    const char *month;
    const char *only; /* --mailbox, or NULL for every mailbox */
    long first, last, today;
    /* Letters received in the month. */
    long received, valid, invalid, undecided, repeat, risk;
    struct tally reasons; /* invalid letters by reason */
    struct tally boxes;   /* n[0] valid, n[1] invalid, n[2] undecided */
    struct tally depts;   /* valid letters by responsible department */
    struct tally risks;   /* risk letters by kind */
    int64_t *writers;     /* distinct writers of repeat letters */
    size_t nwriters, awriters;
    /* Handover of the letters received in the month. */
    long ho_on_time, ho_late, ho_open_late, ho_not_due;
    /* Results whose clock stopped or ran out in the month. */
    long re_on_time, re_late, re_open_late;
    /* Letters rated in the month: [1..3] by rating. */
    long closed, office[4], unit[4];
    /* Confirmations. */
    struct confirmed *conf;
    size_t nconf, aconf;
    long again; /* confirmations of letters confirmed before */
    struct mr_err err;
};

static void
tally_release(struct tally *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].key);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

/* Add d to count i of key (added when new).  MR_ENOMEM. */
static int
tally_add(struct tally *t, const char *key, int i, long d, struct mr_err *err)
{
    size_t k;

    for (k = 0; k < t->n; k++)
        if (!strcmp(t->v[k].key, key))
            break;
    if (k == t->n) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 16;
            struct tally_row *v = realloc(t->v, cap * sizeof(*v));

            if (!v)
                return mr_fail(err, MR_ENOMEM, _("out of memory"));
            t->v = v;
            t->cap = cap;
        }
        memset(&t->v[k], 0, sizeof(t->v[k]));
        if (!(t->v[k].key = mr_strdup(key, err)))
            return err->code;
        t->n++;
    }
    t->v[k].n[i] += d;
    return 0;
}

static int
in_month(const struct stats *s, long day)
{
    return day >= s->first && day <= s->last;
}

/* Count writer once among the writers of repeat letters. */
static int
add_writer(struct stats *s, int64_t writer)
{
    for (size_t i = 0; i < s->nwriters; i++)
        if (s->writers[i] == writer)
            return 0;
    if (s->nwriters == s->awriters) {
        size_t cap = s->awriters ? 2 * s->awriters : 16;
        int64_t *v = realloc(s->writers, cap * sizeof(*v));

        if (!v)
            return mr_fail(&s->err, MR_ENOMEM, _("out of memory"));
        s->writers = v;
        s->awriters = cap;
    }
    s->writers[s->nwriters++] = writer;
    return 0;
}

/* The figures of a letter received in the month. */
static int
count_received(struct stats *s, const struct arc_letter *l)
{
    const struct arc_decision *d = &l->d;
    int col = !d->decided ? 2 : d->valid ? 0 : 1;
    int rc;

    s->received++;
    if (!d->decided)
        s->undecided++;
    else if (d->valid)
        s->valid++;
    else
        s->invalid++;
    rc = tally_add(&s->boxes, d->mailbox ? d->mailbox : "undecided", col, 1,
                   &s->err);
    if (!rc && d->decided && !d->valid)
        rc = tally_add(&s->reasons,
                       d->validity_reason ? d->validity_reason : "unknown", 0,
                       1, &s->err);
    if (!rc && d->decided && d->valid)
        rc = tally_add(&s->depts, d->department ? d->department : "other", 0, 1,
                       &s->err);
    if (!rc && d->repeat > 0) {
        s->repeat++;
        if (d->writer_id)
            rc = add_writer(s, d->writer_id);
    }
    if (!rc && d->risk && *d->risk)
        s->risk++;
    for (const char *p = d->risk; !rc && p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char kind[64];

        snprintf(kind, sizeof(kind), "%.*s", (int)n, p);
        if (*kind)
            rc = tally_add(&s->risks, kind, 0, 1, &s->err);
        p += n + (comma != NULL);
    }
    return rc;
}

/* The handover of a letter received in the month whose clock runs. */
static void
count_handover(struct stats *s, const struct mr_due *due)
{
    if (due->handed >= 0 && due->handed <= due->handover_due)
        s->ho_on_time++;
    else if (due->handed >= 0)
        s->ho_late++;
    else if (s->today > due->handover_due)
        s->ho_open_late++;
    else
        s->ho_not_due++;
}

/*
 * One letter of the span.  Handover: the letters received in the month
 * whose clock runs (valid, or not decided yet), handed over or past
 * their deadline today; on time when handed over on or before the
 * deadline.  Completion: the letters handed over, replied on or before
 * their result deadline in the month (on time), or not replied by a
 * deadline that fell in the month and has passed (late, replied since or
 * not).  Satisfaction: the letters closed in the month.
 */
static int
on_letter(const struct arc_letter *l, void *ctx)
{
    struct stats *s = ctx;
    struct mr_due due;
    int runs, rc = 0;
    long closed;

    if (s->only && (!l->d.mailbox || strcmp(l->d.mailbox, s->only)))
        return 0;
    runs = mr_letter_due(s->c, l, s->today, &due);
    if (in_month(s, due.received)) {
        rc = count_received(s, l);
        if (runs)
            count_handover(s, &due);
    }
    if (runs && due.handed >= 0) {
        int on_time = due.replied >= 0 && due.replied <= due.result_due;
        int late = !on_time && in_month(s, due.result_due) &&
                   s->today > due.result_due;

        if (on_time && in_month(s, due.replied))
            s->re_on_time++;
        else if (late && due.replied >= 0)
            s->re_late++;
        else if (late)
            s->re_open_late++;
    }
    closed = mr_office_day(s->c, l->t.closed);
    if (in_month(s, closed)) {
        s->closed++;
        if (l->t.rating_office >= 1 && l->t.rating_office <= 3)
            s->office[l->t.rating_office]++;
        if (l->t.rating_unit >= 1 && l->t.rating_unit <= 3)
            s->unit[l->t.rating_unit]++;
    }
    return rc;
}

/*
 * One confirmation of the span.  A letter counts once, by its first
 * confirmation (or, after a split or merge judged it again, the first
 * after that) in the month; a later one in the month adds what it
 * changed.  Confirmations of letters already confirmed change a
 * reviewer's decision, not the program's: only counted.
 */
static int
on_confirm(const struct arc_confirm_event *e, void *ctx)
{
    struct stats *s = ctx;
    struct confirmed *c = NULL;

    if (!in_month(s, mr_office_day(s->c, e->at)))
        return 0;
    if (s->only && (!e->mailbox_before || strcmp(e->mailbox_before, s->only)))
        return 0;
    if (e->again) {
        s->again++;
        return 0;
    }
    for (size_t i = 0; i < s->nconf; i++)
        if (!strcmp(s->conf[i].code, e->code))
            c = &s->conf[i];
    if (c) {
        c->changed |= e->changed;
        if (!c->why && e->why && !(c->why = mr_strdup(e->why, &s->err)))
            return s->err.code;
        return 0;
    }
    if (s->nconf == s->aconf) {
        size_t cap = s->aconf ? 2 * s->aconf : 16;
        struct confirmed *v = realloc(s->conf, cap * sizeof(*v));

        if (!v)
            return mr_fail(&s->err, MR_ENOMEM, _("out of memory"));
        s->conf = v;
        s->aconf = cap;
    }
    c = &s->conf[s->nconf++];
    memset(c, 0, sizeof(*c));
    snprintf(c->code, sizeof(c->code), "%s", e->code);
    c->decided = e->decided;
    c->changed = e->changed;
    if ((e->mailbox_before &&
         !(c->box = mr_strdup(e->mailbox_before, &s->err))) ||
        (e->why && !(c->why = mr_strdup(e->why, &s->err))))
        return s->err.code;
    return 0;
}

/* The override figures, from the confirmations collected. */
struct overrides {
    long decided, overridden, validity, mailbox, department;
    struct tally boxes; /* n[0] confirmed, n[1] overridden */
    struct tally whys;  /* overridden letters by kind of reason */
};

/*
 * Where mailbox id stands in reports: mr_box_rank's order (catalogue,
 * then "other"), then "invalid" and "undecided", then the rest.
 */
static size_t
box_order(const struct stats *s, const char *id)
{
    static const char *const after[] = {"invalid", "undecided"};
    size_t n = cls_catalog_size(s->c), rank = mr_box_rank(s->c, id);

    for (size_t i = 0; rank > n && i < sizeof(after) / sizeof(after[0]); i++)
        if (!strcmp(after[i], id))
            return n + 1 + i;
    return rank > n ? n + 1 + sizeof(after) / sizeof(after[0]) : rank;
}

/* Put the rows of t in box_order (stable: few rows). */
static void
tally_sort_boxes(const struct stats *s, struct tally *t)
{
    for (size_t i = 1; i < t->n; i++) {
        struct tally_row r = t->v[i];
        size_t j = i;

        for (; j > 0 && box_order(s, t->v[j - 1].key) > box_order(s, r.key);
             j--)
            t->v[j] = t->v[j - 1];
        t->v[j] = r;
    }
}

/*
 * The override figures of the letters confirmed (those the program had
 * decided): overridden when the reviewer changed any decision; per kind;
 * per mailbox the program proposed, in catalogue order; per kind of
 * reason given.
 */
static int
count_overrides(const struct stats *s, struct overrides *o, struct mr_err *err)
{
    int rc = 0;

    for (size_t i = 0; !rc && mr_why_id(i); i++)
        rc = tally_add(&o->whys, mr_why_id(i), 0, 0, err);
    for (size_t i = 0; !rc && i < s->nconf; i++) {
        const struct confirmed *c = &s->conf[i];
        const char *box = c->box ? c->box : "unknown";
        int over = c->changed != 0;

        if (!c->decided)
            continue;
        o->decided++;
        o->overridden += over;
        o->validity +=
            (c->changed & (ARC_CHANGED_VALID | ARC_CHANGED_REASON)) != 0;
        o->mailbox += (c->changed & ARC_CHANGED_MAILBOX) != 0;
        o->department += (c->changed & ARC_CHANGED_DEPARTMENT) != 0;
        rc = tally_add(&o->boxes, box, 0, 1, err);
        if (!rc)
            rc = tally_add(&o->boxes, box, 1, over, err);
        if (!rc && over)
            rc = tally_add(&o->whys, c->why ? c->why : "none", 0, 1, err);
    }
    tally_sort_boxes(s, &o->boxes);
    return rc;
}

static void
overrides_release(struct overrides *o)
{
    tally_release(&o->boxes);
    tally_release(&o->whys);
}

/* Nothing at all to report for the month. */
static int
stats_empty(const struct stats *s)
{
    return !s->received && !s->ho_on_time && !s->ho_late && !s->ho_open_late &&
           !s->re_on_time && !s->re_late && !s->re_open_late && !s->closed &&
           !s->nconf && !s->again;
}

/* The catalogue's Chinese name of mailbox id, or NULL. */
static const char *
name_zh(const struct stats *s, const char *id)
{
    const struct cls_mailbox *m = cls_catalog_find(s->c, id);

    return m ? m->name_zh : NULL;
}

/* A label for the ids that are no mailbox of the catalogue. */
static const char *
special_label(const char *id)
{
    if (!strcmp(id, "other"))
        return _("not sorted to a department");
    if (!strcmp(id, "invalid"))
        return _("invalid letters");
    if (!strcmp(id, "undecided"))
        return _("not decided yet");
    if (!strcmp(id, "unknown"))
        return _("not known");
    return "";
}

/* The name column of mailbox id: its Chinese name, or what it stands for. */
static const char *
box_name(const struct stats *s, const char *id)
{
    const char *zh = name_zh(s, id);

    return zh ? zh : special_label(id);
}

/*
 * ---- JSON (and CSV, made from it) ----
 */

/*
 * Set key of o to v, taking v over; *bad is set when o or v is NULL (out
 * of memory) or the set fails, so that no figure goes missing unseen.
 */
static void
put(int *bad, json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, v))
        *bad = 1;
}

static json_t *
rate_json(long k, long n)
{
    return n ? json_real((double)k / (double)n) : json_null();
}

static json_t *
name_json(const struct stats *s, const char *id)
{
    const char *zh = name_zh(s, id);

    return zh ? json_string(zh) : json_null();
}

static json_t *
day_json(long day)
{
    char buf[MR_DAY_SIZE];

    mr_day_text(day, buf);
    return json_string(buf);
}

/* { key: count } of count 0 of a tally. */
static json_t *
tally_json(const struct tally *t, int *bad)
{
    json_t *o = json_object();

    for (size_t i = 0; o && i < t->n; i++)
        put(bad, o, t->v[i].key, json_integer(t->v[i].n[0]));
    return o;
}

static json_t *
ratings_json(const long r[4], long n, int *bad)
{
    static const char *const names[4] = {NULL, "not_satisfied",
                                         "fairly_satisfied", "satisfied"};
    json_t *o = json_object();
    char key[64];

    for (int i = 3; o && i >= 1; i--) {
        put(bad, o, names[i], json_integer(r[i]));
        snprintf(key, sizeof(key), "%s_share", names[i]);
        put(bad, o, key, rate_json(r[i], n));
    }
    return o;
}

static json_t *
received_json(const struct stats *s, int *bad)
{
    json_t *o = json_object(), *boxes = json_object(), *depts = json_object();

    put(bad, o, "letters", json_integer(s->received));
    put(bad, o, "valid", json_integer(s->valid));
    put(bad, o, "invalid", json_integer(s->invalid));
    put(bad, o, "undecided", json_integer(s->undecided));
    put(bad, o, "invalid_reasons", tally_json(&s->reasons, bad));
    for (size_t i = 0; i < s->boxes.n; i++) {
        const struct tally_row *r = &s->boxes.v[i];
        json_t *b = json_object();

        put(bad, b, "name", name_json(s, r->key));
        put(bad, b, "letters", json_integer(r->n[0] + r->n[1] + r->n[2]));
        put(bad, b, "valid", json_integer(r->n[0]));
        put(bad, b, "invalid", json_integer(r->n[1]));
        put(bad, boxes, r->key, b);
    }
    put(bad, o, "mailboxes", boxes);
    for (size_t i = 0; i < s->depts.n; i++) {
        const struct tally_row *r = &s->depts.v[i];
        json_t *d = json_object();

        put(bad, d, "name", name_json(s, r->key));
        put(bad, d, "letters", json_integer(r->n[0]));
        put(bad, depts, r->key, d);
    }
    put(bad, o, "departments", depts);
    put(bad, o, "repeat_letters", json_integer(s->repeat));
    put(bad, o, "repeat_writers", json_integer((json_int_t)s->nwriters));
    put(bad, o, "risk_letters", json_integer(s->risk));
    put(bad, o, "risk_kinds", tally_json(&s->risks, bad));
    return o;
}

static json_t *
overrides_json(const struct stats *s, const struct overrides *ov, int *bad)
{
    json_t *o = json_object(), *kinds = json_object(), *boxes = json_object();
    const struct {
        const char *name;
        long n;
    } kind[] = {{"validity", ov->validity},
                {"mailbox", ov->mailbox},
                {"department", ov->department}};

    put(bad, o, "confirmed", json_integer((json_int_t)s->nconf));
    put(bad, o, "decided", json_integer(ov->decided));
    put(bad, o, "overridden", json_integer(ov->overridden));
    put(bad, o, "rate", rate_json(ov->overridden, ov->decided));
    put(bad, o, "confirmed_again", json_integer(s->again));
    for (size_t i = 0; i < sizeof(kind) / sizeof(kind[0]); i++) {
        json_t *k = json_object();

        put(bad, k, "overridden", json_integer(kind[i].n));
        put(bad, k, "rate", rate_json(kind[i].n, ov->decided));
        put(bad, kinds, kind[i].name, k);
    }
    put(bad, o, "kinds", kinds);
    for (size_t i = 0; i < ov->boxes.n; i++) {
        const struct tally_row *r = &ov->boxes.v[i];
        json_t *b = json_object();

        put(bad, b, "name", name_json(s, r->key));
        put(bad, b, "confirmed", json_integer(r->n[0]));
        put(bad, b, "overridden", json_integer(r->n[1]));
        put(bad, b, "rate", rate_json(r->n[1], r->n[0]));
        put(bad, boxes, r->key, b);
    }
    put(bad, o, "proposed_mailboxes", boxes);
    put(bad, o, "whys", tally_json(&ov->whys, bad));
    return o;
}

/* Every figure as one JSON object; NULL when out of memory. */
static json_t *
stats_json(const struct stats *s, const struct overrides *ov)
{
    long handed = s->ho_on_time + s->ho_late + s->ho_open_late;
    long due = s->re_on_time + s->re_late + s->re_open_late;
    json_t *o = json_object(), *h = json_object(), *r = json_object();
    json_t *sat = json_object();
    int failed = 0, *bad = &failed;

    put(bad, o, "month", json_string(s->month));
    put(bad, o, "first_day", day_json(s->first));
    put(bad, o, "last_day", day_json(s->last));
    put(bad, o, "as_of", day_json(s->today));
    put(bad, o, "mailbox", s->only ? json_string(s->only) : json_null());
    put(bad, o, "received", received_json(s, bad));
    put(bad, h, "letters", json_integer(handed));
    put(bad, h, "on_time", json_integer(s->ho_on_time));
    put(bad, h, "late", json_integer(s->ho_late));
    put(bad, h, "not_handed_over_late", json_integer(s->ho_open_late));
    put(bad, h, "not_due_yet", json_integer(s->ho_not_due));
    put(bad, h, "rate", rate_json(s->ho_on_time, handed));
    put(bad, o, "handover", h);
    put(bad, r, "letters", json_integer(due));
    put(bad, r, "on_time", json_integer(s->re_on_time));
    put(bad, r, "late", json_integer(s->re_late));
    put(bad, r, "not_replied_late", json_integer(s->re_open_late));
    put(bad, r, "rate", rate_json(s->re_on_time, due));
    put(bad, o, "completion", r);
    put(bad, sat, "letters", json_integer(s->closed));
    put(bad, sat, "office", ratings_json(s->office, s->closed, bad));
    put(bad, sat, "unit", ratings_json(s->unit, s->closed, bad));
    put(bad, o, "satisfaction", sat);
    put(bad, o, "overrides", overrides_json(s, ov, bad));
    if (failed) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Print field as RFC 4180 wants it: quoted when it holds , " CR or LF. */
static void
csv_field(const char *f)
{
    if (!strpbrk(f, ",\"\r\n")) {
        fputs(f, stdout);
        return;
    }
    fputc('"', stdout);
    for (; *f; f++) {
        if (*f == '"')
            fputc('"', stdout);
        fputc(*f, stdout);
    }
    fputc('"', stdout);
}

/* One CSV row per scalar under v, its key the dotted path below section. */
static void
csv_rows(const char *section, const char *path, json_t *v)
{
    char value[64], sub_path[1024];
    const char *key;
    json_t *sub;

    if (json_is_object(v)) {
        /* Keys are catalogue ids and words of ours: lines of 200 bytes. */
        json_object_foreach(v, key, sub)
        {
            snprintf(sub_path, sizeof(sub_path), "%s%s%s", path,
                     *path ? "." : "", key);
            csv_rows(section, sub_path, sub);
        }
        return;
    }
    if (json_is_integer(v))
        snprintf(value, sizeof(value), "%lld",
                 (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(value, sizeof(value), "%.4g", json_real_value(v));
    else if (json_is_true(v) || json_is_false(v))
        snprintf(value, sizeof(value), "%s",
                 json_is_true(v) ? "true" : "false");
    else
        value[0] = '\0';
    csv_field(section);
    fputc(',', stdout);
    csv_field(path);
    fputc(',', stdout);
    csv_field(json_is_string(v) ? json_string_value(v) : value);
    fputc('\n', stdout);
}

/* The figures as CSV: "section,key,value", a header line first. */
static void
print_csv(json_t *o)
{
    const char *key;
    json_t *v;

    puts("section,key,value");
    json_object_foreach(o, key, v)
    {
        if (json_is_object(v))
            csv_rows(key, "", v);
        else
            csv_rows("period", key, v);
    }
}

/*
 * ---- The table ----
 */

/* Rows of cells printed with aligned columns. */
#define GRID_COLS 5
struct grid {
    char *(*row)[GRID_COLS];
    size_t n, cap;
    int ncols;
    const char *align; /* 'l' or 'r' per column */
    int failed;        /* out of memory: print_grid says so */
};

/* Add a row of g->ncols cells (NULL prints as nothing). */
static void
grid_row(struct grid *g, ...)
{
    va_list ap;

    if (g->failed)
        return;
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        char *(*v)[GRID_COLS] = realloc(g->row, cap * sizeof(*v));

        if (!v) {
            g->failed = 1;
            return;
        }
        g->row = v;
        g->cap = cap;
    }
    memset(g->row[g->n], 0, sizeof(g->row[g->n]));
    va_start(ap, g);
    for (int i = 0; i < g->ncols; i++) {
        const char *cell = va_arg(ap, const char *);

        g->row[g->n][i] = mr_strdup(cell ? cell : "", NULL);
        g->failed |= !g->row[g->n][i];
    }
    va_end(ap);
    g->n++;
}

/* Print g's rows indented by two spaces and free them.  MR_ENOMEM. */
static int
print_grid(struct grid *g, struct mr_err *err)
{
    int width[GRID_COLS] = {0};
    int rc = g->failed ? mr_fail(err, MR_ENOMEM, _("out of memory")) : 0;

    for (size_t r = 0; !rc && r < g->n; r++)
        for (int i = 0; i < g->ncols; i++) {
            int w = mr_text_width(g->row[r][i]);

            if (w > width[i])
                width[i] = w;
        }
    for (size_t r = 0; !rc && r < g->n; r++) {
        int pad = 0;

        fputs("  ", stdout);
        for (int i = 0; i < g->ncols; i++) {
            const char *cell = g->row[r][i];
            int fill = width[i] - mr_text_width(cell);
            int last = i == g->ncols - 1;

            if (g->align[i] == 'r')
                printf("%*s%s", pad + fill, "", cell);
            else
                printf("%*s%s", pad, "", cell);
            pad = g->align[i] == 'r' ? 2 : 2 + fill;
            if (last)
                fputc('\n', stdout);
        }
    }
    for (size_t r = 0; r < g->n; r++)
        for (int i = 0; i < g->ncols; i++)
            free(g->row[r][i]);
    free(g->row);
    memset(g, 0, sizeof(*g));
    return rc;
}

/* "50.0% (2 of 4)", or "- (0 of 0)". */
static const char *
rate_text(long k, long n, char *buf, size_t size)
{
    if (n)
        snprintf(buf, size, _("%.1f%% (%ld of %ld)"),
                 100.0 * (double)k / (double)n, k, n);
    else
        snprintf(buf, size, _("- (%ld of %ld)"), k, n);
    return buf;
}

/* "1 (100.0%)", or "0" when there is nothing to share. */
static const char *
share_text(long k, long n, char *buf, size_t size)
{
    if (n)
        snprintf(buf, size, "%ld (%.1f%%)", k, 100.0 * (double)k / (double)n);
    else
        snprintf(buf, size, "%ld", k);
    return buf;
}

static const char *
num(long v, char *buf, size_t size)
{
    snprintf(buf, size, "%ld", v);
    return buf;
}

static int
print_received(const struct stats *s, struct mr_err *err)
{
    struct grid g = {NULL, 0, 0, 2, "lr", 0};
    char n[32], label[160];
    int rc;

    printf(_("Letters received\n"));
    if (!s->received) {
        printf(_("  no letters received in %s\n"), s->month);
        return 0;
    }
    grid_row(&g, _("received"), num(s->received, n, sizeof(n)));
    grid_row(&g, _("  valid"), num(s->valid, n, sizeof(n)));
    grid_row(&g, _("  invalid"), num(s->invalid, n, sizeof(n)));
    for (size_t i = 0; i < s->reasons.n; i++) {
        snprintf(label, sizeof(label), "    %s", s->reasons.v[i].key);
        grid_row(&g, label, num(s->reasons.v[i].n[0], n, sizeof(n)));
    }
    grid_row(&g, _("  not decided yet"), num(s->undecided, n, sizeof(n)));
    grid_row(&g, _("repeat letters"), num(s->repeat, n, sizeof(n)));
    grid_row(&g, _("  their writers"), num((long)s->nwriters, n, sizeof(n)));
    grid_row(&g, _("risk letters"), num(s->risk, n, sizeof(n)));
    for (size_t i = 0; i < s->risks.n; i++) {
        snprintf(label, sizeof(label), "  %s", s->risks.v[i].key);
        grid_row(&g, label, num(s->risks.v[i].n[0], n, sizeof(n)));
    }
    rc = print_grid(&g, err);
    if (rc)
        return rc;
    printf(_("\nBy mailbox\n"));
    g = (struct grid){NULL, 0, 0, 5, "llrrr", 0};
    grid_row(&g, _("MAILBOX"), "", _("LETTERS"), _("VALID"), _("INVALID"));
    for (size_t i = 0; i < s->boxes.n; i++) {
        const struct tally_row *r = &s->boxes.v[i];
        char v[32], x[32];

        grid_row(&g, r->key, box_name(s, r->key),
                 num(r->n[0] + r->n[1] + r->n[2], n, sizeof(n)),
                 num(r->n[0], v, sizeof(v)), num(r->n[1], x, sizeof(x)));
    }
    rc = print_grid(&g, err);
    if (rc)
        return rc;
    printf(_("\nBy responsible department (valid letters)\n"));
    g = (struct grid){NULL, 0, 0, 3, "llr", 0};
    grid_row(&g, _("DEPARTMENT"), "", _("LETTERS"));
    for (size_t i = 0; i < s->depts.n; i++)
        grid_row(&g, s->depts.v[i].key, box_name(s, s->depts.v[i].key),
                 num(s->depts.v[i].n[0], n, sizeof(n)));
    return print_grid(&g, err);
}

static int
print_deadlines(const struct stats *s, struct mr_err *err)
{
    long handed = s->ho_on_time + s->ho_late + s->ho_open_late;
    long due = s->re_on_time + s->re_late + s->re_open_late;
    struct grid g = {NULL, 0, 0, 2, "lr", 0};
    char n[32], r[64];
    int rc;

    printf(_("\nHandover of the letters received\n"));
    grid_row(&g, _("handed over on time"),
             rate_text(s->ho_on_time, handed, r, sizeof(r)));
    grid_row(&g, _("handed over late"), num(s->ho_late, n, sizeof(n)));
    grid_row(&g, _("not handed over, past the deadline"),
             num(s->ho_open_late, n, sizeof(n)));
    grid_row(&g, _("not handed over, not due yet"),
             num(s->ho_not_due, n, sizeof(n)));
    rc = print_grid(&g, err);
    if (rc)
        return rc;
    printf(_("\nResults due or given in the month\n"));
    g = (struct grid){NULL, 0, 0, 2, "lr", 0};
    grid_row(&g, _("replied on time"),
             rate_text(s->re_on_time, due, r, sizeof(r)));
    grid_row(&g, _("replied late"), num(s->re_late, n, sizeof(n)));
    grid_row(&g, _("not replied, past the deadline"),
             num(s->re_open_late, n, sizeof(n)));
    return print_grid(&g, err);
}

static int
print_satisfaction(const struct stats *s, struct mr_err *err)
{
    struct grid g = {NULL, 0, 0, 4, "lrrr", 0};
    const struct {
        const char *who;
        const long *r;
    } rows[] = {{_("letters office"), s->office},
                {_("responsible unit"), s->unit}};

    printf(_("\nSatisfaction of the letters closed: %ld\n"), s->closed);
    grid_row(&g, "", _("SATISFIED"), _("FAIRLY"), _("NOT SATISFIED"));
    for (size_t i = 0; i < 2; i++) {
        char a[48], b[48], c[48];

        grid_row(&g, rows[i].who, share_text(rows[i].r[3], s->closed, a, 48),
                 share_text(rows[i].r[2], s->closed, b, 48),
                 share_text(rows[i].r[1], s->closed, c, 48));
    }
    return print_grid(&g, err);
}

static int
print_overrides(const struct stats *s, const struct overrides *o,
                struct mr_err *err)
{
    struct grid g = {NULL, 0, 0, 2, "lr", 0};
    char n[32], r[64];
    int rc;

    printf(_("\nReviewers' confirmations: %zu letters\n"), s->nconf);
    grid_row(&g, _("overridden"),
             rate_text(o->overridden, o->decided, r, sizeof(r)));
    grid_row(&g, _("  validity or its reason"),
             rate_text(o->validity, o->decided, r, sizeof(r)));
    grid_row(&g, _("  mailbox"),
             rate_text(o->mailbox, o->decided, r, sizeof(r)));
    grid_row(&g, _("  department"),
             rate_text(o->department, o->decided, r, sizeof(r)));
    if (o->decided < (long)s->nconf)
        grid_row(&g, _("confirmed before the program decided"),
                 num((long)s->nconf - o->decided, n, sizeof(n)));
    if (s->again)
        grid_row(&g, _("confirmed again"), num(s->again, n, sizeof(n)));
    rc = print_grid(&g, err);
    if (rc || !o->boxes.n)
        return rc;
    printf(_("\nOverridden by proposed mailbox\n"));
    g = (struct grid){NULL, 0, 0, 3, "llr", 0};
    grid_row(&g, _("MAILBOX"), "", _("OVERRIDDEN"));
    for (size_t i = 0; i < o->boxes.n; i++) {
        const struct tally_row *b = &o->boxes.v[i];

        grid_row(&g, b->key, box_name(s, b->key),
                 rate_text(b->n[1], b->n[0], r, sizeof(r)));
    }
    rc = print_grid(&g, err);
    if (rc)
        return rc;
    printf(_("\nOverrides by reason\n"));
    g = (struct grid){NULL, 0, 0, 3, "llr", 0};
    grid_row(&g, _("WHY"), "", _("LETTERS"));
    for (size_t i = 0; i < o->whys.n; i++) {
        const char *why = o->whys.v[i].key;
        const char *text = mr_why_text(why);

        grid_row(&g, why, text ? text : _("no reason given"),
                 num(o->whys.v[i].n[0], n, sizeof(n)));
    }
    return print_grid(&g, err);
}

static int
print_table(const struct stats *s, const struct overrides *o,
            struct mr_err *err)
{
    char first[MR_DAY_SIZE], last[MR_DAY_SIZE], today[MR_DAY_SIZE];
    int rc;

    mr_day_text(s->first, first);
    mr_day_text(s->last, last);
    mr_day_text(s->today, today);
    if (s->only)
        printf(_("Letters of %s, mailbox %s (%s to %s), as of %s\n\n"),
               s->month, s->only, first, last, today);
    else
        printf(_("Letters of %s (%s to %s), as of %s\n\n"), s->month, first,
               last, today);
    if (stats_empty(s)) {
        printf(_("no letters in %s: none received, handed over, due, "
                 "replied, rated or confirmed\n"),
               s->month);
        return 0;
    }
    rc = print_received(s, err);
    if (!rc)
        rc = print_deadlines(s, err);
    if (!rc)
        rc = print_satisfaction(s, err);
    if (!rc)
        rc = print_overrides(s, o, err);
    return rc;
}

/*
 * ---- The chart ----
 */

/*
 * Write s as XML character data: escaped, control characters dropped,
 * bytes that are not UTF-8 as U+FFFD.
 */
static void
svg_text(FILE *f, const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");

    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

        if (n <= 0) {
            fputs("\xef\xbf\xbd", f);
            p++;
            continue;
        }
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c >= 0x20 && c != 0x7f && c != 0xfffe && c != 0xffff)
            fwrite(p, 1, (size_t)n, f);
        p += n;
    }
}

#define SVG_W 760
#define SVG_ROW 24
#define SVG_FONT "'Noto Sans CJK SC', 'Noto Sans CJK', sans-serif"

static const char *const colour_valid = "#3b78c2";
static const char *const colour_invalid = "#a0a4a8";
static const char *const colour_undecided = "#d9c27a";
static const char *const colour_rating[4] = {NULL, "#d0473e", "#e8a33d",
                                             "#4a9a5b"};

/* A label at x, y (left-aligned unless anchor says otherwise). */
static void
svg_label(FILE *f, int x, int y, int size, const char *anchor, const char *a,
          const char *b)
{
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"%s\">",
            x, y, size, anchor);
    svg_text(f, a);
    if (b && *b) {
        fputc(' ', f);
        svg_text(f, b);
    }
    fputs("</text>\n", f);
}

static void
svg_rect(FILE *f, double x, int y, double w, int h, const char *fill)
{
    if (w > 0)
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                "fill=\"%s\"/>\n",
                x, y, w, h, fill);
}

/* A legend entry: a swatch and its label; returns the x after it. */
static int
svg_legend(FILE *f, int x, int y, const char *fill, const char *label)
{
    svg_rect(f, x, y - 10, 12, 12, fill);
    svg_label(f, x + 16, y, 12, "start", label, NULL);
    return x + 24 + 7 * mr_text_width(label);
}

/* A bar of a share 0-1 (k of n) across width w, with its figure. */
static void
svg_rate(FILE *f, int x, int y, int w, const char *label, long k, long n)
{
    char r[64];

    svg_label(f, 20, y + 14, 13, "start", label, NULL);
    svg_rect(f, x, y, w, 18, "#eef0f2");
    if (n)
        svg_rect(f, x, y, (double)w * (double)k / (double)n, 18, colour_valid);
    svg_label(f, x + w + 8, y + 14, 12, "start",
              n ? rate_text(k, n, r, sizeof(r)) : _("no letter counted"), NULL);
}

/* The ratings of the closed letters as one bar of three parts. */
static void
svg_ratings(FILE *f, int x, int y, int w, const char *label, const long r[4],
            long n)
{
    double at = x;
    char count[128];

    svg_label(f, 20, y + 14, 13, "start", label, NULL);
    svg_rect(f, x, y, w, 18, "#eef0f2");
    for (int i = 3; n && i >= 1; i--) {
        double part = (double)w * (double)r[i] / (double)n;

        svg_rect(f, at, y, part, 18, colour_rating[i]);
        at += part;
    }
    if (n)
        snprintf(count, sizeof(count), _("%ld satisfied, %ld fairly, %ld not"),
                 r[3], r[2], r[1]);
    else
        snprintf(count, sizeof(count), _("no letter closed"));
    svg_label(f, x + w + 8, y + 14, 12, "start", count, NULL);
}

/*
 * "mayor (市长信箱)" for a catalogue mailbox (mr_box_label), else what
 * the id stands for.
 */
static const char *
chart_label(const struct stats *s, const char *id, char *buf, size_t size)
{
    if (name_zh(s, id))
        return mr_box_label(s->c, id, buf, size);
    return *special_label(id) ? special_label(id) : id;
}

/* Write the chart of s to f. */
static void
svg_write(FILE *f, const struct stats *s)
{
    long handed = s->ho_on_time + s->ho_late + s->ho_open_late;
    long due = s->re_on_time + s->re_late + s->re_open_late;
    char first[MR_DAY_SIZE], last[MR_DAY_SIZE], today[MR_DAY_SIZE];
    char title[256], sub[256];
    long most = 0;
    int label_w = 0, x, y, w, h;

    mr_day_text(s->first, first);
    mr_day_text(s->last, last);
    mr_day_text(s->today, today);
    for (size_t i = 0; i < s->boxes.n; i++) {
        const struct tally_row *r = &s->boxes.v[i];
        char label[256];
        long total = r->n[0] + r->n[1] + r->n[2];
        int lw;

        lw = mr_text_width(chart_label(s, r->key, label, sizeof(label)));
        if (lw > label_w)
            label_w = lw;
        if (total > most)
            most = total;
    }
    x = 20 + 7 * (label_w > 28 ? label_w : 28) + 12;
    w = SVG_W - x - 110;
    h = 290 + SVG_ROW * (int)(s->received && s->boxes.n ? s->boxes.n : 1);
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
            SVG_W, h, SVG_W, h, SVG_FONT);
    if (s->only)
        snprintf(title, sizeof(title), _("Letters of %s, mailbox %s"), s->month,
                 s->only);
    else
        snprintf(title, sizeof(title), _("Letters of %s"), s->month);
    snprintf(sub, sizeof(sub),
             _("%s to %s, as of %s: %ld received, %ld valid, %ld invalid"),
             first, last, today, s->received, s->valid, s->invalid);
    svg_label(f, 20, 32, 20, "start", title, NULL);
    svg_label(f, 20, 54, 13, "start", sub, NULL);
    y = 86;
    svg_label(f, 20, y, 15, "start", _("Letters received per mailbox"), NULL);
    y += 12;
    if (!s->received) {
        y += 16;
        snprintf(sub, sizeof(sub), _("no letters received in %s"), s->month);
        svg_label(f, 20, y, 13, "start", sub, NULL);
        y += SVG_ROW - 16;
    }
    for (size_t i = 0; s->received && i < s->boxes.n; i++) {
        const struct tally_row *r = &s->boxes.v[i];
        const char *fill[3] = {colour_valid, colour_invalid, colour_undecided};
        long total = r->n[0] + r->n[1] + r->n[2];
        double at = x;
        char count[32], label[256];

        svg_label(f, 20, y + 14, 13, "start",
                  chart_label(s, r->key, label, sizeof(label)), NULL);
        for (int k = 0; k < 3 && most; k++) {
            double part = (double)w * (double)r->n[k] / (double)most;

            svg_rect(f, at, y + 2, part, 16, fill[k]);
            at += part;
        }
        snprintf(count, sizeof(count), "%ld", total);
        svg_label(f, (int)at + 6, y + 15, 12, "start", count, NULL);
        y += SVG_ROW;
    }
    y += 12;
    if (s->received) {
        x = svg_legend(f, 20, y, colour_valid, _("valid"));
        x = svg_legend(f, x, y, colour_invalid, _("invalid"));
        svg_legend(f, x, y, colour_undecided, _("not decided yet"));
    }
    y += 36;
    svg_label(f, 20, y, 15, "start", _("Deadlines and satisfaction"), NULL);
    y += 12;
    x = 20 + 7 * 28 + 12;
    w = SVG_W - x - 200;
    svg_rate(f, x, y, w, _("handed over on time"), s->ho_on_time, handed);
    y += SVG_ROW;
    svg_rate(f, x, y, w, _("replied on time"), s->re_on_time, due);
    y += SVG_ROW;
    svg_ratings(f, x, y, w, _("satisfaction, letters office"), s->office,
                s->closed);
    y += SVG_ROW;
    svg_ratings(f, x, y, w, _("satisfaction, unit"), s->unit, s->closed);
    y += SVG_ROW + 14;
    x = svg_legend(f, 20, y, colour_rating[3], _("satisfied"));
    x = svg_legend(f, x, y, colour_rating[2], _("fairly satisfied"));
    svg_legend(f, x, y, colour_rating[1], _("not satisfied"));
    fputs("</svg>\n", f);
}

/*
 * Write the chart to path the way the archive writes its files: made in
 * memory, then arc_write_atomic (path.part, synced, renamed, the
 * directory synced; the .part removed on failure).  MR_ENOMEM, MR_EIO.
 */
static int
write_chart(const struct stats *s, const char *path, struct mr_err *err)
{
    char *svg = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&svg, &size);
    int rc = 0, failed;

    if (!f) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    svg_write(f, s);
    /* A memory stream fails only for want of memory. */
    failed = ferror(f);
    if (fclose(f) || failed)
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    if (!rc)
        rc = arc_write_atomic(path, svg, size, err);
out:
    free(svg);
    return rc;
}

/*
 * ---- The command ----
 */

/* Seed the tallies with the keys every report shows, in catalogue order. */
static int
seed(struct stats *s)
{
    size_t n = cls_catalog_size(s->c);
    int rc = 0;

    for (int w = CLS_INVALID_BLANK; !rc && w <= CLS_INVALID_LONG; w++)
        rc = tally_add(&s->reasons, cls_invalid_id((enum cls_invalid)w), 0, 0,
                       &s->err);
    if (s->only && !rc)
        rc = tally_add(&s->boxes, s->only, 0, 0, &s->err);
    for (size_t i = 0; !rc && !s->only && i < n; i++)
        rc = tally_add(&s->boxes, cls_catalog_mailbox(s->c, i)->id, 0, 0,
                       &s->err);
    if (!rc && !s->only)
        rc = tally_add(&s->boxes, "other", 0, 0, &s->err);
    if (!rc && !s->only)
        rc = tally_add(&s->boxes, "invalid", 0, 0, &s->err);
    for (size_t i = 0; !rc && i < n; i++)
        if (!cls_catalog_mailbox(s->c, i)->leader)
            rc = tally_add(&s->depts, cls_catalog_mailbox(s->c, i)->id, 0, 0,
                           &s->err);
    if (!rc)
        rc = tally_add(&s->depts, "other", 0, 0, &s->err);
    return rc;
}

/*
 * The month's days from cli->month, which main.c checked (its first day,
 * "%.7s-01" of it, is a day mr_time_of reads, of 1970 to 9999), and the
 * UTC span to ask the archive for: a day wider on each side, as the
 * office's days start up to 14 hours away from UTC's.
 */
static int
month_span(struct stats *s, const char *month, char *from, char *to,
           struct mr_err *err)
{
    char day[16];
    int y = 0, m = 0;

    snprintf(day, sizeof(day), "%.7s-01", month);
    if (MR_NEVER(sscanf(day, "%4d-%2d", &y, &m) != 2 || y < 1970 || m < 1 ||
                 m > 12))
        return mr_fail(err, MR_EINVAL,
                       _("--month wants a month such as 2026-05, not '%s'"),
                       month);
    s->first = mr_day_of(y, m, 1);
    s->last = mr_day_of(m == 12 ? y + 1 : y, m % 12 + 1, 1) - 1;
    if (mr_time_text((time_t)(s->first - 1) * 86400, from, err) ||
        mr_time_text((time_t)(s->last + 2) * 86400, to, err))
        return err->code;
    return 0;
}

/* Check the command line of stats; MR_EXIT_USAGE after a message. */
static int
stats_usage(const struct mr_cli *cli, const struct cls_catalog *c)
{
    const char *dot = cli->out ? strrchr(cli->out, '.') : NULL;

    if (!cli->month) {
        mr_log(MR_LOG_ERROR, _("'stats' needs --month YYYY-MM"));
        return MR_EXIT_USAGE;
    }
    if (cli->format && strcmp(cli->format, "table") &&
        strcmp(cli->format, "csv") && strcmp(cli->format, "json")) {
        mr_log(MR_LOG_ERROR,
               _("unknown format '%s' for stats (use table, csv or json)"),
               cli->format);
        return MR_EXIT_USAGE;
    }
    if (cli->out &&
        (!dot || strcmp(dot, ".svg") || dot == cli->out || dot[-1] == '/')) {
        mr_log(MR_LOG_ERROR,
               _("--out of stats wants a chart file FILE.svg, "
                 "not '%s'"),
               cli->out);
        return MR_EXIT_USAGE;
    }
    return mr_mailbox_check(c, cli->mailbox, 1);
}

static void
stats_release(struct stats *s)
{
    tally_release(&s->reasons);
    tally_release(&s->boxes);
    tally_release(&s->depts);
    tally_release(&s->risks);
    free(s->writers);
    for (size_t i = 0; i < s->nconf; i++) {
        free(s->conf[i].box);
        free(s->conf[i].why);
    }
    free(s->conf);
}

/* Print the figures in the format cli asks for.  MR_ENOMEM, MR_EIO. */
static int
print_stats(const struct mr_cli *cli, const struct stats *s,
            const struct overrides *ov, struct mr_err *err)
{
    /* stats_usage checked cli->format: NULL (a table), or one of these. */
    int json = cli->format && !strcmp(cli->format, "json");
    int table = !json && (!cli->format || !strcmp(cli->format, "table"));
    json_t *j = table ? NULL : stats_json(s, ov);
    char *text = NULL;
    int rc = 0;

    if (!table && !j)
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    if (!rc && !table && stats_empty(s))
        mr_log(MR_LOG_WARN, _("no letters in %s"), s->month);
    if (!rc && json) {
        text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
        if (text)
            puts(text);
        else
            rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    } else if (!rc && !table) {
        print_csv(j);
    } else if (!rc) {
        rc = print_table(s, ov, err);
    }
    if (!rc && (fflush(stdout) || ferror(stdout)))
        rc = mr_fail(err, MR_EIO, _("cannot write the figures: %s"),
                     strerror(errno));
    free(text);
    json_decref(j);
    return rc;
}

int
mr_cmd_stats(const struct mr_cli *cli)
{
    struct mr_judge judge = {NULL, NULL};
    struct overrides ov;
    struct stats s;
    struct arc *a = NULL;
    char from[MR_TIME_SIZE], to[MR_TIME_SIZE];
    int rc = 0, status;

    memset(&s, 0, sizeof(s));
    memset(&ov, 0, sizeof(ov));
    s.err = (struct mr_err)MR_ERR_INIT;
    status = mr_judge_open(cli, &judge);
    if (status)
        return status;
    s.c = judge.catalog;
    s.month = cli->month;
    s.only = cli->mailbox;
    s.today = cls_catalog_day(s.c, mr_now());
    status = stats_usage(cli, s.c);
    if (!status)
        a = mr_archive_existing(cli, &status);
    if (!a)
        goto out;
    rc = month_span(&s, cli->month, from, to, &s.err);
    if (!rc)
        rc = seed(&s);
    if (!rc)
        rc = arc_stats_letters(a, from, to, on_letter, &s, &s.err);
    if (!rc)
        rc = arc_stats_confirmations(a, from, to, on_confirm, &s, &s.err);
    if (!rc)
        rc = count_overrides(&s, &ov, &s.err);
    if (!rc)
        rc = print_stats(cli, &s, &ov, &s.err);
    if (!rc && cli->out)
        rc = write_chart(&s, cli->out, &s.err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", s.err.msg);
        status = mr_exit_code(rc);
    } else if (cli->out) {
        fprintf(stderr, _("chart of %s written to '%s'\n"), s.month, cli->out);
    }
out:
    overrides_release(&ov);
    stats_release(&s);
    arc_close(&a);
    mr_judge_close(&judge);
    return status;
}
