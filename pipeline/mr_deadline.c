/*
 * Deadlines: when a letter is due to be handed over and its result due
 * (the catalogue's [deadlines] and working-day calendar), and `overdue`,
 * the letters late or due soon, per mailbox, red and yellow on a
 * terminal.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <unistd.h>

long
mr_office_day(const struct cls_catalog *c, const char *text)
{
    time_t t = mr_time_of(text);

    return t == (time_t)-1 ? -1 : cls_catalog_day(c, t);
}

void
mr_day_text(long day, char buf[MR_DAY_SIZE])
{
    char t[MR_TIME_SIZE];
    struct mr_err err = MR_ERR_INIT;

    if (day < 0 || mr_time_text((time_t)day * 86400, t, &err))
        snprintf(buf, MR_DAY_SIZE, "-");
    else
        snprintf(buf, MR_DAY_SIZE, "%.10s", t);
}

int
mr_letter_due(const struct cls_catalog *c, const struct arc_letter *l,
              long today, struct mr_due *due)
{
    due->received = mr_office_day(c, l->archived);
    due->handed = mr_office_day(c, l->t.handed_over);
    due->replied = mr_office_day(c, l->t.replied);
    due->result_clock = l->t.simple ? CLS_CLOCK_SIMPLE : CLS_CLOCK_RESULT;
    due->handover_due = due->result_due = -1;
    if ((l->d.decided && !l->d.valid) || due->received < 0)
        return 0;
    due->handover_due = cls_deadline(c, CLS_CLOCK_HANDOVER, due->received);
    due->result_due = cls_deadline(c, due->result_clock,
                                   due->handed >= 0 ? due->handed : today);
    return 1;
}

/* A letter late or due soon. */
struct late {
    size_t box; /* catalogue order; the catalogue's size for none */
    char code[ARC_CODE_SIZE];
    enum cls_clock clock;
    long due, left; /* left < 0: late by -left days */
    enum arc_state state;
    char *writer;
};

struct overdue {
    const struct cls_catalog *c;
    const char *mailbox; /* --mailbox, or NULL for all */
    long today;
    struct late *v;
    size_t n, cap;
    struct mr_err err;
};

static int
collect(const struct arc_letter *l, void *ctx)
{
    struct overdue *o = ctx;
    struct mr_due due;
    struct late *e;
    enum cls_clock clock;
    long day;

    if (o->mailbox && (!l->d.mailbox || strcmp(o->mailbox, l->d.mailbox)))
        return 0;
    if (!mr_letter_due(o->c, l, o->today, &due) || due.replied >= 0 ||
        l->t.state >= ARC_STATE_REPLIED)
        return 0;
    clock = due.handed < 0 ? CLS_CLOCK_HANDOVER : due.result_clock;
    day = due.handed < 0 ? due.handover_due : due.result_due;
    if (day - o->today > cls_catalog_due_soon(o->c))
        return 0;
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 32;
        struct late *grown = realloc(o->v, cap * sizeof(*grown));

        if (!grown)
            return mr_fail(&o->err, MR_ENOMEM, _("out of memory"));
        o->v = grown;
        o->cap = cap;
    }
    e = &o->v[o->n];
    memset(e, 0, sizeof(*e));
    e->box = mr_box_rank(o->c, l->d.mailbox);
    memcpy(e->code, l->code, sizeof(e->code));
    e->clock = clock;
    e->due = day;
    e->left = day - o->today;
    e->state = l->t.state;
    if (l->d.writer_name && !(e->writer = mr_strdup(l->d.writer_name, &o->err)))
        return o->err.code;
    o->n++;
    return 0;
}

/* By mailbox, then the latest first. */
static int
by_box_then_left(const void *x, const void *y)
{
    const struct late *a = x, *b = y;

    if (a->box != b->box)
        return a->box < b->box ? -1 : 1;
    if (a->left != b->left)
        return a->left < b->left ? -1 : 1;
    return strcmp(a->code, b->code);
}

static const char *
clock_text(enum cls_clock k)
{
    switch (k) {
    case CLS_CLOCK_HANDOVER:
        return _("handover");
    case CLS_CLOCK_SIMPLE:
        return _("result (simple handling)");
    default:
        return _("result");
    }
}

/* Print one mailbox's heading. */
static void
heading(const struct overdue *o, const struct late *first, size_t nlate,
        size_t nsoon)
{
    const struct cls_mailbox *m = cls_catalog_mailbox(o->c, first->box);

    if (m)
        printf("%s (%s): ", m->id, m->name_zh);
    else
        printf(_("(not sorted yet): "));
    printf(_("%zu late, %zu due soon\n"), nlate, nsoon);
}

static void
print_overdue(const struct overdue *o, int color)
{
    const char *red = color ? "\033[1;31m" : "";
    const char *yellow = color ? "\033[33m" : "";
    const char *off = color ? "\033[0m" : "";

    for (size_t i = 0; i < o->n;) {
        size_t j = i, nlate = 0;

        while (j < o->n && o->v[j].box == o->v[i].box)
            nlate += o->v[j++].left < 0;
        heading(o, &o->v[i], nlate, j - i - nlate);
        for (; i < j; i++) {
            const struct late *e = &o->v[i];
            char day[MR_DAY_SIZE];

            mr_day_text(e->due, day);
            if (e->left < 0)
                printf(ngettext("  %sLATE%s  %s  %s due %s, %ld day late",
                                "  %sLATE%s  %s  %s due %s, %ld days late",
                                (unsigned long)-e->left),
                       red, off, e->code, clock_text(e->clock), day, -e->left);
            else if (e->left == 0)
                printf(_("  %sDUE%s   %s  %s due %s, today"), yellow, off,
                       e->code, clock_text(e->clock), day);
            else
                printf(ngettext("  %sDUE%s   %s  %s due %s, %ld day left",
                                "  %sDUE%s   %s  %s due %s, %ld days left",
                                (unsigned long)e->left),
                       yellow, off, e->code, clock_text(e->clock), day,
                       e->left);
            printf("  [%s]%s%s\n", arc_state_text(e->state),
                   e->writer ? "  " : "", e->writer ? e->writer : "");
        }
    }
}

int
mr_cmd_overdue(const struct mr_cli *cli)
{
    struct mr_judge judge = {NULL, NULL};
    struct overdue o;
    struct arc *a = NULL;
    char day[MR_DAY_SIZE];
    const char *term = getenv("TERM");
    int rc, color;

    memset(&o, 0, sizeof(o));
    o.err = (struct mr_err)MR_ERR_INIT;
    rc = mr_judge_open(cli, &judge);
    if (rc)
        return rc;
    o.c = judge.catalog;
    rc = mr_mailbox_check(o.c, cli->mailbox, 0);
    if (rc)
        goto out;
    o.mailbox = cli->mailbox;
    o.today = cls_catalog_day(o.c, mr_now());
    mr_day_text(o.today, day);
    if (!cls_calendar_year(cls_catalog_calendar(o.c), o.today))
        mr_log(MR_LOG_WARN,
               _("the working-day calendar has no file for the year of %s: "
                 "holidays are not known, working days are Monday to "
                 "Friday (add the year's file to the catalogue's "
                 "[deadlines])"),
               day);
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    if (arc_letter_each(a, collect, &o, &o.err)) {
        mr_log(MR_LOG_ERROR, "%s", o.err.msg);
        rc = mr_exit_code(o.err.code);
        goto out;
    }
    qsort(o.v, o.n, sizeof(*o.v), by_box_then_left);
    color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term &&
            strcmp(term, "dumb");
    if (!o.n)
        printf(_("no letter is late or due by %s\n"), day);
    print_overdue(&o, color);
    rc = MR_EXIT_OK;
out:
    for (size_t i = 0; i < o.n; i++)
        free(o.v[i].writer);
    free(o.v);
    arc_close(&a);
    mr_judge_close(&judge);
    return rc;
}
