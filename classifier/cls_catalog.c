/*
 * The mailbox catalogue: mailboxes, the ways letters address them, the
 * words of each department's matters, risk words, validity words and
 * thresholds, read from an INI file with inih (format in catalog.ini).
 * Leaders come first in the mailbox list, in file order, then departments.
 * A loaded catalogue is read-only.
 */
#include "classifier/cls_int.h"

#include <errno.h>
#include <ini.h>

/* Sections and keys while parsing; the first error wins. */
struct load {
    struct cls_catalog *c;
    struct mr_err err; /* why the handler refused a line */
};

/* A mailbox id: lower-case letters, digits and '_', at most 31 bytes. */
static int
valid_id(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 31)
        return 0;
    return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* The box of section "leader ID" / "department ID", added when new. */
static struct cls_box *
section_box(struct load *l, const char *section)
{
    struct cls_catalog *c = l->c;
    int leader = !strncmp(section, "leader ", 7);
    const char *id = section + (leader ? 7 : 11);
    struct cls_box *b;

    if (!leader && strncmp(section, "department ", 11))
        return NULL;
    while (*id == ' ')
        id++;
    if (!valid_id(id)) {
        mr_fail(&l->err, MR_EFORMAT,
                _("'%s' is not a mailbox id (use a-z, 0-9 and _)"), id);
        return NULL;
    }
    if (!strcmp(id, "other") || !strcmp(id, "invalid")) {
        mr_fail(&l->err, MR_EFORMAT, _("mailbox id '%s' is reserved"), id);
        return NULL;
    }
    /* Keys of one section arrive together: a new section is a new box. */
    if (c->nboxes) {
        b = &c->boxes[c->nboxes - 1];
        if (!strcmp(b->pub.id, id) && b->pub.leader == leader)
            return b;
    }
    for (size_t i = 0; i < c->nboxes; i++)
        if (!strcmp(c->boxes[i].pub.id, id)) {
            mr_fail(&l->err, MR_EFORMAT, _("mailbox '%s' is given twice"), id);
            return NULL;
        }
    if (c->nboxes == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct cls_box *v = realloc(c->boxes, cap * sizeof(*v));

        if (!v) {
            mr_fail(&l->err, MR_ENOMEM, _("out of memory"));
            return NULL;
        }
        c->boxes = v;
        c->cap = cap;
    }
    b = &c->boxes[c->nboxes];
    memset(b, 0, sizeof(*b));
    b->pub.leader = leader;
    b->pub.id = mr_strdup(id, &l->err);
    if (!b->pub.id)
        return NULL;
    c->nboxes++;
    return b;
}

/* name / name_zh of a box: set once. */
static int
set_name(struct load *l, char **pname, const char *key, const char *value)
{
    if (*pname)
        return mr_fail(&l->err, MR_EFORMAT, _("'%s' is given twice"), key);
    *pname = mr_strdup(value, &l->err);
    return *pname ? 0 : MR_ENOMEM;
}

static int
box_key(struct load *l, const char *section, const char *name,
        const char *value)
{
    struct cls_box *b = section_box(l, section);

    if (!b)
        return l->err.code ? l->err.code : MR_EFORMAT;
    if (!strcmp(name, "name"))
        return set_name(l, &b->pub.name, name, value);
    if (!strcmp(name, "name_zh"))
        return set_name(l, &b->pub.name_zh, name, value);
    if (!strcmp(name, "address"))
        return cls_terms_add(&b->address, value, &l->err);
    if (!strcmp(name, "words") && !b->pub.leader)
        return cls_terms_add(&b->words, value, &l->err);
    return mr_fail(&l->err, MR_EFORMAT, _("unknown key '%s' in [%s]"), name,
                   section);
}

/* A number in [lo, hi] for a [settings] key. */
static int
number(struct load *l, const char *name, const char *value, double lo,
       double hi, double *pv)
{
    char *end = NULL;
    double v;

    errno = 0;
    v = strtod(value, &end);
    if (errno || end == value || *end || v < lo || v > hi)
        return mr_fail(&l->err, MR_EFORMAT,
                       _("'%s' wants a number from %g to %g, not '%s'"), name,
                       lo, hi, value);
    *pv = v;
    return 0;
}

static int
settings_key(struct load *l, const char *name, const char *value)
{
    struct cls_catalog *c = l->c;
    double v = 0;
    int rc;

    if (!strcmp(name, "review_below"))
        return number(l, name, value, 0, 1, &c->review_below);
    if (!strcmp(name, "illegible_below")) {
        rc = number(l, name, value, 0, 100, &v);
        c->illegible_below = (int)v;
        return rc;
    }
    if (!strcmp(name, "repeat_similarity"))
        return number(l, name, value, 0.01, 1, &c->repeat_similarity);
    if (!strcmp(name, "related_similarity"))
        return number(l, name, value, 0.01, 1, &c->related_similarity);
    if (!strcmp(name, "model_min_letters")) {
        rc = number(l, name, value, 1, 1000000, &v);
        c->model_min_letters = (int)v;
        return rc;
    }
    if (!strcmp(name, "retrain_after")) {
        rc = number(l, name, value, 1, 1000000, &v);
        c->retrain_after = (int)v;
        return rc;
    }
    if (!strcmp(name, "long_letter_pages")) {
        rc = number(l, name, value, 2, 100000, &v);
        c->long_letter_pages = (int)v;
        return rc;
    }
    if (!strcmp(name, "long_first_pages")) {
        rc = number(l, name, value, 1, 100000, &v);
        c->long_first_pages = (int)v;
        return rc;
    }
    if (!strcmp(name, "long_sample_pages")) {
        rc = number(l, name, value, 0, 100000, &v);
        c->long_sample_pages = (int)v;
        return rc;
    }
    return mr_fail(&l->err, MR_EFORMAT, _("unknown key '%s' in [settings]"),
                   name);
}

/* inih's handler: 1 to go on, 0 for an error at this line. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
    static const char *const risks[CLS_RISK_KINDS] = {"self_harm", "violence",
                                                      "escalation"};
    struct load *l = user;
    struct cls_catalog *c = l->c;
    int rc;

    if (l->err.code)
        return 0;
    if (!strcmp(section, "risk")) {
        rc = MR_EFORMAT;
        for (int k = 0; k < CLS_RISK_KINDS; k++)
            if (!strcmp(name, risks[k]))
                rc = cls_terms_add(&c->risk[k], value, &l->err);
        if (rc == MR_EFORMAT && !l->err.code)
            mr_fail(&l->err, rc, _("unknown key '%s' in [risk]"), name);
    } else if (!strcmp(section, "validity")) {
        if (!strcmp(name, "request"))
            rc = cls_terms_add(&c->request, value, &l->err);
        else if (!strcmp(name, "advertising"))
            rc = cls_terms_add(&c->advertising, value, &l->err);
        else if (!strcmp(name, "article"))
            rc = cls_terms_add(&c->article, value, &l->err);
        else
            rc = mr_fail(&l->err, MR_EFORMAT,
                         _("unknown key '%s' in [validity]"), name);
    } else if (!strcmp(section, "settings")) {
        rc = settings_key(l, name, value);
    } else if (!strcmp(section, "deadlines")) {
        rc = cls_deadlines_key(c, name, value, &l->err);
    } else if (!strncmp(section, "leader ", 7) ||
               !strncmp(section, "department ", 11)) {
        rc = box_key(l, section, name, value);
    } else {
        rc = mr_fail(&l->err, MR_EFORMAT, _("unknown section [%s]"), section);
    }
    return rc == 0;
}

/* The checks of the whole catalogue after reading it. */
static int
check(struct cls_catalog *c, struct mr_err *err)
{
    size_t leaders = 0;

    for (size_t i = 0; i < c->nboxes; i++) {
        const struct cls_box *b = &c->boxes[i];

        leaders += b->pub.leader;
        if (!b->pub.name || !b->pub.name_zh || !b->address.n)
            return mr_fail(err, MR_EFORMAT,
                           _("catalogue '%s': mailbox '%s' needs name, "
                             "name_zh and address"),
                           c->path, b->pub.id);
        if (!b->pub.leader && !b->words.n)
            return mr_fail(err, MR_EFORMAT,
                           _("catalogue '%s': department '%s' has no words"),
                           c->path, b->pub.id);
    }
    if (!leaders || leaders == c->nboxes)
        return mr_fail(err, MR_EFORMAT,
                       _("catalogue '%s' needs at least one leader and one "
                         "department"),
                       c->path);
    if (!c->request.n)
        return mr_fail(err, MR_EFORMAT,
                       _("catalogue '%s': [validity] has no request words"),
                       c->path);
    return 0;
}

/* Leaders first, keeping file order within each kind. */
static void
leaders_first(struct cls_catalog *c)
{
    size_t k = 0;

    for (size_t i = 0; i < c->nboxes; i++)
        if (c->boxes[i].pub.leader) {
            struct cls_box b = c->boxes[i];

            memmove(&c->boxes[k + 1], &c->boxes[k], (i - k) * sizeof(b));
            c->boxes[k++] = b;
        }
}

struct cls_catalog *
cls_catalog_load(const char *path, struct mr_err *err)
{
    struct load l = {NULL, MR_ERR_INIT};
    FILE *f = NULL;
    int line, rc = 0;

    if (MR_NEVER(!path)) {
        mr_fail(err, MR_EINVAL, _("no catalogue given"));
        return NULL;
    }
    l.c = calloc(1, sizeof(*l.c));
    if (!l.c || !(l.c->path = mr_strdup(path, err))) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    l.c->review_below = 0.75;
    l.c->illegible_below = 45;
    l.c->long_letter_pages = 50;
    l.c->long_first_pages = 5;
    l.c->long_sample_pages = 5;
    l.c->repeat_similarity = 0.1;
    l.c->related_similarity = 0.4;
    l.c->model_min_letters = 30;
    l.c->retrain_after = 20;
    cls_deadlines_defaults(l.c);
    f = fopen(path, "r");
    if (!f) {
        rc = mr_fail(err, MR_ENOTFOUND, _("cannot open catalogue '%s': %s"),
                     path, strerror(errno));
        goto out;
    }
    line = ini_parse_file(f, on_key, &l);
    if (line > 0)
        rc = mr_fail(
            err, l.err.code ? l.err.code : MR_EFORMAT, "%s:%d: %s", path, line,
            l.err.code ? l.err.msg : _("not a section or key = value"));
    else if (line < 0)
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    if (!rc)
        rc = check(l.c, err);
    if (!rc)
        rc = cls_deadlines_load(l.c, err);
    if (!rc)
        leaders_first(l.c);
out:
    if (f)
        fclose(f);
    if (rc)
        cls_catalog_destroy(&l.c);
    return l.c;
}

void
cls_catalog_destroy(struct cls_catalog **pc)
{
    struct cls_catalog *c = pc ? *pc : NULL;

    if (!c)
        return;
    for (size_t i = 0; i < c->nboxes; i++) {
        free(c->boxes[i].pub.id);
        free(c->boxes[i].pub.name);
        free(c->boxes[i].pub.name_zh);
        cls_terms_release(&c->boxes[i].address);
        cls_terms_release(&c->boxes[i].words);
    }
    free(c->boxes);
    for (int k = 0; k < CLS_RISK_KINDS; k++)
        cls_terms_release(&c->risk[k]);
    cls_terms_release(&c->request);
    cls_terms_release(&c->advertising);
    cls_terms_release(&c->article);
    cls_deadlines_release(c);
    free(c->path);
    free(c);
    *pc = NULL;
}

size_t
cls_catalog_size(const struct cls_catalog *c)
{
    return c ? c->nboxes : 0;
}

const struct cls_mailbox *
cls_catalog_mailbox(const struct cls_catalog *c, size_t i)
{
    return c && i < c->nboxes ? &c->boxes[i].pub : NULL;
}

enum cls_link
cls_link_kind(const struct cls_catalog *c, double similarity, int same_writer,
              int same_department)
{
    if (!same_department)
        return CLS_LINK_NONE;
    if (same_writer)
        return similarity >= c->repeat_similarity ? CLS_LINK_REPEAT
                                                  : CLS_LINK_NONE;
    return similarity >= c->related_similarity ? CLS_LINK_RELATED
                                               : CLS_LINK_NONE;
}

int
cls_catalog_long_pages(const struct cls_catalog *c)
{
    return c->long_letter_pages;
}

int
cls_catalog_retrain_after(const struct cls_catalog *c)
{
    return c->retrain_after;
}

const struct cls_mailbox *
cls_catalog_find(const struct cls_catalog *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->nboxes; i++)
        if (!strcmp(c->boxes[i].pub.id, id))
            return &c->boxes[i].pub;
    return NULL;
}
