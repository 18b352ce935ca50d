/*
 * The read-only commands: `letters` (JSON Lines or a table), `show`,
 * `alerts`, `search` and `page`.  They only read the archive, but for the
 * audit row of an --unmasked use.  Citizens' ID numbers and phones are
 * masked in all they print (mr_privacy.c), and blacked out on a page
 * image.  JSON is written with jansson; a field whose stage has not
 * landed yet is null, never guessed.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include "ocr/ocr.h"

#include <errno.h>
#include <sys/stat.h>
#include <jansson.h>
#include <leptonica/allheaders.h>
#include <utf8proc.h>

struct arc *
mr_archive_existing(const struct mr_cli *cli, int *prc)
{
    struct mr_err err = MR_ERR_INIT;
    struct arc *a = NULL;
    char index[4096];
    struct stat st;

    *prc = MR_EXIT_OK;
    snprintf(index, sizeof(index), "%s/index.sqlite", cli->archive);
    if (stat(index, &st)) {
        mr_log(MR_LOG_ERROR,
               _("no archive in '%s' (import letters first, or give "
                 "--archive DIR)"),
               cli->archive);
        *prc = MR_EXIT_NOINPUT;
        return NULL;
    }
    a = arc_open(cli->archive, &err);
    if (!a) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        *prc = err.code == MR_EBUSY ? MR_EXIT_TEMPFAIL : MR_EXIT_CANTCREAT;
    }
    return a;
}

/*
 * A JSON string of s, or null for NULL.  Bytes that are not UTF-8 (a file
 * name from an old Windows share, say) become U+FFFD rather than making
 * the field vanish.  NULL only when out of memory.
 */
static json_t *
json_string_or_null(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    json_t *j;
    char *clean, *d;

    if (!s)
        return json_null();
    j = json_string(s);
    if (j)
        return j;
    clean = malloc(3 * strlen(s) + 1);
    if (!clean)
        return NULL;
    for (d = clean; *p;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

        if (n <= 0) {
            memcpy(d, "\xef\xbf\xbd", 3);
            d += 3;
            p++;
            continue;
        }
        memcpy(d, p, (size_t)n);
        d += n;
        p += n;
    }
    *d = '\0';
    j = json_string(clean);
    free(clean);
    return j;
}

/* The writer the letter names, as v shows it: a JSON object, or null. */
static json_t *
writer_json(const struct arc_decision *d, const struct mr_view *v)
{
    struct mr_err err = MR_ERR_INIT;
    char phone[64], id[64], *address;
    json_t *w;

    if (!d->writer_name && !d->writer_phone && !d->writer_id_number &&
        !d->writer_address)
        return json_null();
    address = mr_view_text(v, d->writer_address, 0, &err);
    if (err.code)
        return NULL;
    w = json_object();
    json_object_set_new(w, "name", json_string_or_null(d->writer_name));
    json_object_set_new(
        w, "phone",
        json_string_or_null(mr_view_field(v, d->writer_phone, CLS_PII_PHONE,
                                          phone, sizeof(phone))));
    json_object_set_new(
        w, "id_number",
        json_string_or_null(
            mr_view_field(v, d->writer_id_number, CLS_PII_ID, id, sizeof(id))));
    /* A damaged ID number is shown for a person to read, never trusted. */
    json_object_set_new(w, "id_number_state",
                        json_string_or_null(d->writer_id_state));
    json_object_set_new(w, "address", json_string_or_null(address));
    free(address);
    json_object_set_new(w, "writer_id",
                        d->writer_id ? json_integer(d->writer_id)
                                     : json_null());
    return w;
}

/* "a,b" as a JSON array of strings; [] for NULL. */
static json_t *
json_list(const char *s)
{
    json_t *a = json_array();

    for (const char *p = s; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);

        json_array_append_new(a, json_stringn(p, n));
        p += n + (comma != NULL);
    }
    return a;
}

/* One letter as the JSON object of `letters --format jsonl`. */
#define LETTER_FIELDS 22
static json_t *
letter_json(const struct arc_letter *l, const struct mr_view *v)
{
    const struct arc_decision *d = &l->d;
    struct mr_err err = MR_ERR_INIT;
    char *text = mr_view_text(v, l->text, 0, &err);
    json_t *o = json_object(), *pages = json_array(), *writer;

    if (!o || !pages || err.code) {
        json_decref(o);
        json_decref(pages);
        free(text);
        return NULL;
    }
    for (size_t i = 0; i < l->npages; i++)
        json_array_append_new(pages, json_integer(l->pages[i]));
    json_object_set_new(o, "tracking_code", json_string_or_null(l->code));
    json_object_set_new(o, "source", json_string_or_null(l->source));
    json_object_set_new(o, "first_page", json_integer(l->first_page));
    json_object_set_new(o, "page_count", json_integer(l->page_count));
    json_object_set_new(o, "pages", pages);
    json_object_set_new(o, "pages_unread", json_integer(l->unread));
    json_object_set_new(o, "state", json_string(arc_state_text(l->t.state)));
    json_object_set_new(o, "language", json_string_or_null(l->language));
    json_object_set_new(o, "text", json_string_or_null(text));
    free(text);
    json_object_set_new(o, "valid",
                        d->decided ? json_boolean(d->valid) : json_null());
    json_object_set_new(o, "validity_reason",
                        json_string_or_null(d->validity_reason));
    /* Not set, the object lacks a field: a failure, as below. */
    writer = writer_json(d, v);
    if (writer)
        json_object_set_new(o, "writer", writer);
    json_object_set_new(o, "addressee", json_string_or_null(d->addressee));
    json_object_set_new(o, "mailbox", json_string_or_null(d->mailbox));
    json_object_set_new(o, "department", json_string_or_null(d->department));
    json_object_set_new(o, "repeat",
                        d->repeat < 0 ? json_null() : json_boolean(d->repeat));
    json_object_set_new(o, "repeat_of",
                        d->repeat < 0 ? json_null() : json_list(d->repeat_of));
    json_object_set_new(
        o, "risk", d->decided ? json_boolean(d->risk != NULL) : json_null());
    json_object_set_new(o, "risk_words", json_list(d->risk_words));
    json_object_set_new(o, "confidence",
                        d->decided ? json_real(d->confidence) : json_null());
    /* Open boundary questions hold a letter back, like unsure decisions. */
    json_object_set_new(o, "review",
                        l->questions
                            ? json_string("pending")
                            : json_string_or_null(arc_review_text(d->review)));
    json_object_set_new(o, "reasons",
                        d->reasons ? json_loads(d->reasons, 0, NULL)
                                   : json_null());
    return o;
}

static int
print_jsonl(const struct arc_letter *l, void *ctx)
{
    struct mr_view *v = ctx;
    struct mr_err err = MR_ERR_INIT;
    json_t *o = letter_json(l, v);
    /* Every field must be there: a set that failed for memory is fatal. */
    char *s = o && json_object_size(o) == LETTER_FIELDS
                  ? json_dumps(o, JSON_COMPACT)
                  : NULL;

    json_decref(o);
    if (!s || mr_view_letter(v, l->code, &err)) {
        free(s);
        return MR_ENOMEM;
    }
    fputs(s, v->out);
    fputc('\n', v->out);
    free(s);
    return 0;
}

/*
 * Print s in exactly cols terminal columns: cut at a character boundary
 * (Chinese characters take two columns), control characters shown as
 * spaces, padded with spaces.
 */
static void
print_cols(FILE *out, const char *s, int cols)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
    int used = 0;

    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        int w;

        if (n <= 0)
            break;
        if (c < 0x20 || c == 0x7f) {
            if (used + 1 > cols)
                break;
            fputc(' ', out);
            used++;
            p += n;
            continue;
        }
        w = utf8proc_charwidth(c);
        if (used + w > cols)
            break;
        fwrite(p, 1, (size_t)n, out);
        used += w;
        p += n;
    }
    while (used++ < cols)
        fputc(' ', out);
}

/* The text of a letter from its first non-blank line on. */
static const char *
text_start(const char *t)
{
    if (!t)
        return "";
    while (*t == '\n' || *t == ' ' || *t == '\f')
        t++;
    return t;
}

static int
print_row(const struct arc_letter *l, void *ctx)
{
    struct mr_view *v = ctx;
    struct mr_err err = MR_ERR_INIT;
    char *text = mr_view_text(v, text_start(l->text), 0, &err);

    if (!text || mr_view_letter(v, l->code, &err)) {
        free(text);
        return MR_ENOMEM;
    }
    print_cols(v->out, l->code, 10);
    fprintf(v->out, "%5d  ", l->page_count);
    print_cols(v->out, l->language ? l->language : "-", 5);
    print_cols(v->out, l->d.mailbox ? l->d.mailbox : "-", 12);
    print_cols(v->out, l->d.department ? l->d.department : "-", 12);
    /* ! a risk letter, R a repeat letter, ? awaiting review. */
    fprintf(v->out, "%c%c%c   ", l->d.risk ? '!' : ' ',
            l->d.repeat > 0 ? 'R' : ' ',
            l->questions || l->d.review == ARC_REVIEW_PENDING ? '?' : ' ');
    print_cols(v->out, l->archived, 21);
    /* The file name says more than the first columns of its path. */
    print_cols(
        v->out,
        strrchr(l->source, '/') ? strrchr(l->source, '/') + 1 : l->source, 24);
    fputs("  ", v->out);
    print_cols(v->out, text, 30);
    fputc('\n', v->out);
    free(text);
    return 0;
}

int
mr_cmd_letters(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_view v;
    int table = !strcmp(cli->format, "table"), rc;
    struct arc *a = NULL;

    rc = mr_view_open(cli, &v);
    if (rc)
        return rc;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    if (table) {
        print_cols(v.out, _("CODE"), 10);
        print_cols(v.out, _("PAGES"), 7);
        print_cols(v.out, _("LANG"), 5);
        print_cols(v.out, _("MAILBOX"), 12);
        print_cols(v.out, _("DEPARTMENT"), 12);
        print_cols(v.out, _("FLAGS"), 6);
        print_cols(v.out, _("ARCHIVED (UTC)"), 21);
        print_cols(v.out, _("SOURCE"), 26);
        print_cols(v.out, _("TEXT"), 30);
        fputc('\n', v.out);
    }
    rc = arc_letter_each(a, table ? print_row : print_jsonl, &v, &err);
    if (rc == MR_ENOMEM && !err.code)
        mr_fail(&err, rc, _("out of memory"));
    if (mr_view_close(&v, a, "letters", rc != 0, &err) && !rc)
        rc = err.code;
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    rc = mr_exit_code(rc);
out:
    mr_view_close(&v, NULL, NULL, 1, NULL);
    arc_close(&a);
    return rc;
}

/* The decisions of a letter, for `show`; c (may be NULL) names mailboxes. */
static int
print_decision(const struct arc_decision *d, const struct cls_catalog *c,
               const struct mr_view *v, struct mr_err *err)
{
    FILE *out = v->out;
    char label[256], phone[64], id[64], *address;

    if (!d->decided)
        return 0;
    if (d->valid)
        fprintf(out, _("valid:          yes\n"));
    else
        fprintf(out, _("valid:          no (%s)\n"), d->validity_reason);
    if (d->addressee)
        fprintf(out, _("addressed to:   %s\n"),
                mr_box_label(c, d->addressee, label, sizeof(label)));
    fprintf(out, _("mailbox:        %s\n"),
            mr_box_label(c, d->mailbox, label, sizeof(label)));
    if (d->department)
        fprintf(out, _("department:     %s\n"),
                mr_box_label(c, d->department, label, sizeof(label)));
    fprintf(out, _("confidence:     %.2f%s\n"), d->confidence,
            d->review == ARC_REVIEW_PENDING ? _(" (for review)")
            : d->review == ARC_REVIEW_CONFIRMED
                ? _(" (confirmed by a reviewer)")
                : "");
    if (d->risk)
        fprintf(out, _("RISK:           %s: %s\n"), d->risk,
                d->risk_words ? d->risk_words : "");
    if (d->repeat > 0)
        fprintf(out, _("REPEAT of:      %s\n"),
                d->repeat_of ? d->repeat_of : "");
    address = mr_view_text(v, d->writer_address, 0, err);
    if (d->writer_address && !address)
        return MR_ENOMEM;
    if (d->writer_name || d->writer_phone || d->writer_id_number ||
        d->writer_address) {
        const char *p = mr_view_field(v, d->writer_phone, CLS_PII_PHONE, phone,
                                      sizeof(phone));
        const char *i =
            mr_view_field(v, d->writer_id_number, CLS_PII_ID, id, sizeof(id));

        fprintf(out,
                _("writer:         %s; phone %s; ID %s%s; address %s "
                  "(writer %lld)\n"),
                d->writer_name ? d->writer_name : "-", p ? p : "-", i ? i : "-",
                d->writer_id_state && !strcmp(d->writer_id_state, "damaged")
                    ? _(" (damaged, not trusted)")
                    : "",
                address ? address : "-", (long long)d->writer_id);
    }
    free(address);
    if (d->reasons)
        fprintf(out, _("reasons:        %s\n"), d->reasons);
    return 0;
}

static int
print_question(const struct arc_question *q, void *ctx)
{
    const struct mr_view *v = ctx;

    fprintf(v->out, _("to review:      page %d: %s\n"), q->seq, q->reason);
    return 0;
}

/* One audit row in words: "2026-11-22T10:19:40Z alice: split, ...". */
static int
print_audit(const struct arc_audit *r, void *ctx)
{
    const struct mr_view *v = ctx;
    const char *action = r->action ? r->action : "";
    const char *field = r->field ? r->field : "";
    struct mr_err err = MR_ERR_INIT;
    /* A reviewer's reason may quote the writer's phone. */
    char *reason = mr_view_text(v, r->reason, 0, &err);
    FILE *out = v->out;

    if (r->reason && !reason)
        return MR_ENOMEM;
    fprintf(out, _("history:        %s %s: "), r->at, r->who);
    if (!strcmp(action, "split") && r->old)
        fprintf(out, _("split, pages %s -> %s; the rest is letter %s"), r->old,
                r->new_value, r->other);
    else if (!strcmp(action, "split"))
        fprintf(out, _("made from pages %s of letter %s"), r->new_value,
                r->other);
    else if (!strcmp(action, "merge") && r->new_value)
        fprintf(out, _("merged with letter %s, pages %s -> %s"), r->other,
                r->old, r->new_value);
    else if (!strcmp(action, "merge"))
        fprintf(out, _("merged into letter %s"), r->other);
    else if (!strcmp(action, "confirm") && !strcmp(field, "boundary"))
        fprintf(out, _("boundary before page %s confirmed"), r->new_value);
    else if (!strcmp(action, "confirm") && !strcmp(field, "review"))
        fprintf(out, _("decisions confirmed"));
    else if (!strcmp(action, "confirm"))
        fprintf(out, _("set %s: %s -> %s"), field, r->old ? r->old : "-",
                r->new_value ? r->new_value : "-");
    else if (!strcmp(action, "decide"))
        fprintf(out, _("decided %s: %s -> %s"), field, r->old ? r->old : "-",
                r->new_value ? r->new_value : "-");
    else if (!strcmp(action, "receipt"))
        fprintf(out, _("query password issued"));
    else if (!strcmp(action, "reply"))
        fprintf(out, _("the unit's reply recorded"));
    else if (!strcmp(action, "handover"))
        fprintf(out, _("handed over in bundle %s to %s"), r->new_value,
                r->other ? r->other : "-");
    else if (!strcmp(action, "rate"))
        fprintf(out, _("the writer's rating recorded; closed"));
    else if (!strcmp(action, "unmasked"))
        fprintf(out, _("ID numbers and phones shown unmasked ('%s')"), field);
    else
        fprintf(out, _("%s %s: %s -> %s"), action, field, r->old ? r->old : "-",
                r->new_value ? r->new_value : "-");
    if (r->why && reason)
        fprintf(out, _(" (reason: %s; %s)"), mr_why_text(r->why), reason);
    else if (r->why || reason)
        fprintf(out, _(" (reason: %s)"), r->why ? mr_why_text(r->why) : reason);
    fputc('\n', out);
    free(reason);
    return 0;
}

/* The handover and result deadlines of l, while they run. */
static void
print_deadlines(const struct arc_letter *l, const struct cls_catalog *c,
                FILE *out)
{
    struct mr_due due;
    char day[MR_DAY_SIZE];

    if (!c || !mr_letter_due(c, l, cls_catalog_day(c, mr_now()), &due))
        return;
    if (l->t.simple)
        fprintf(out, _("handling:       simple (a shorter result deadline)\n"));
    if (due.handed < 0) {
        mr_day_text(due.handover_due, day);
        fprintf(out, _("handover due:   %s\n"), day);
    } else if (due.replied < 0) {
        mr_day_text(due.result_due, day);
        fprintf(out, _("result due:     %s\n"), day);
    }
}

/* Print letter l in full for `show` as v shows it. */
static int
print_letter(struct arc *a, const struct arc_letter *l,
             const struct cls_catalog *c, struct mr_view *v, struct mr_err *err)
{
    FILE *out = v->out;
    char *text = mr_view_text(v, l->text, 0, err);
    int rc = l->text && !text ? MR_ENOMEM : mr_view_letter(v, l->code, err);

    if (rc)
        goto out;
    fprintf(out, _("tracking code:  %s\n"), l->code);
    fprintf(out, _("source:         %s (pages %d-%d)\n"), l->source,
            l->first_page, l->first_page + l->page_count - 1);
    fprintf(out, _("archived:       %s\n"), l->archived);
    fprintf(out, _("language:       %s\n"), l->language ? l->language : "-");
    fprintf(out, _("pages:          %d (%d blank); page ids:"), l->page_count,
            l->blank_pages);
    for (size_t i = 0; i < l->npages; i++)
        fprintf(out, " %lld", (long long)l->pages[i]);
    fputc('\n', out);
    if (l->unread)
        fprintf(out,
                _("not read yet:   %d pages (a long letter: decided from its "
                  "first pages and a sample, the rest read after the other "
                  "work)\n"),
                l->unread);
    if (l->ocr_conf >= 0)
        fprintf(out, _("OCR confidence: %d%%\n"), l->ocr_conf);
    fprintf(out, _("state:          %s\n"), arc_state_text(l->t.state));
    print_deadlines(l, c, out);
    rc = print_decision(&l->d, c, v, err);
    if (!rc)
        rc = arc_letter_questions(a, l->id, print_question, v, err);
    if (!rc)
        rc = arc_audit_each(a, l->code, print_audit, v, err);
    if (!rc)
        fprintf(out, "\n%s\n", text ? text : _("(no text)"));
out:
    if (rc == MR_ENOMEM && !err->code)
        mr_fail(err, rc, _("out of memory"));
    free(text);
    return rc;
}

int
mr_cmd_show(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_judge judge = {NULL, NULL};
    struct arc_letter l;
    struct mr_view v;
    struct arc *a = NULL;
    int rc;

    memset(&l, 0, sizeof(l));
    rc = mr_view_open(cli, &v);
    if (rc)
        return rc;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    /* Without a catalogue (a malformed one was reported) ids only. */
    mr_judge_open(cli, &judge);
    rc = arc_letter_get(a, code, &l, &err);
    if (!rc)
        rc = print_letter(a, &l, judge.catalog, &v, &err);
    if (mr_view_close(&v, a, "show", rc != 0, &err) && !rc)
        rc = err.code;
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    rc = mr_exit_code(rc);
out:
    mr_view_close(&v, NULL, NULL, 1, NULL);
    arc_letter_release(&l);
    mr_judge_close(&judge);
    arc_close(&a);
    return rc;
}

/* One alert: the letter, why, its writer and the earlier letters. */
static int
print_alert(const struct arc_letter *l, void *ctx)
{
    struct mr_view *v = ctx;
    const struct arc_decision *d = &l->d;
    struct mr_err err = MR_ERR_INIT;
    char phone[64];
    const char *p =
        mr_view_field(v, d->writer_phone, CLS_PII_PHONE, phone, sizeof(phone));

    if (mr_view_letter(v, l->code, &err))
        return MR_ENOMEM;
    fprintf(v->out, "%s\t%s\t", l->code, l->archived);
    if (d->risk && d->repeat > 0)
        fprintf(v->out, _("risk (%s: %s) and repeat of %s"), d->risk,
                d->risk_words ? d->risk_words : "", d->repeat_of);
    else if (d->risk)
        fprintf(v->out, _("risk (%s: %s)"), d->risk,
                d->risk_words ? d->risk_words : "");
    else
        fprintf(v->out, _("repeat of %s"), d->repeat_of ? d->repeat_of : "");
    fprintf(v->out, "\t%s\t%s\t%s\n", d->writer_name ? d->writer_name : "-",
            p ? p : "-", d->mailbox ? d->mailbox : "-");
    return 0;
}

int
mr_cmd_alerts(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_view v;
    struct arc *a = NULL;
    int rc;

    rc = mr_view_open(cli, &v);
    if (rc)
        return rc;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    rc = arc_letter_alerts(a, print_alert, &v, &err);
    if (rc == MR_ENOMEM && !err.code)
        mr_fail(&err, rc, _("out of memory"));
    if (mr_view_close(&v, a, "alerts", rc != 0, &err) && !rc)
        rc = err.code;
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    rc = mr_exit_code(rc);
out:
    mr_view_close(&v, NULL, NULL, 1, NULL);
    arc_close(&a);
    return rc;
}

/* What `search` prints with: the view, and a failure of print_hit. */
struct hits {
    struct mr_view *v;
    struct mr_err err;
};

/* One hit; on failure (in h->err) stops the search. */
static int
print_hit(const struct arc_hit *h, void *ctx)
{
    struct hits *hs = ctx;
    /* Cut out of the page: a number at either end may be cut too. */
    char *snippet = mr_view_text(hs->v, h->snippet, CLS_PII_CUT, &hs->err);

    if (!snippet || (*h->code && mr_view_letter(hs->v, h->code, &hs->err))) {
        free(snippet);
        return MR_ENOMEM;
    }
    fprintf(hs->v->out, "%s\t%lld\t%d\t%s\t%s\n", h->code,
            (long long)h->page_id, h->seq, h->source, snippet);
    free(snippet);
    return 0;
}

int
mr_cmd_search(const struct mr_cli *cli, const char *text)
{
    struct mr_err err = MR_ERR_INIT;
    struct hits hs = {NULL, MR_ERR_INIT};
    struct mr_view v;
    struct arc *a = NULL;
    int rc, n;

    rc = mr_view_open(cli, &v);
    if (rc)
        return rc;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    hs.v = &v;
    n = arc_search(a, text, 1000, print_hit, &hs, &err);
    if (hs.err.code) {
        n = hs.err.code;
        err = hs.err;
    }
    if (mr_view_close(&v, a, "search", n < 0, &err) && n >= 0)
        n = err.code;
    if (n < 0) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(n);
    } else if (n == 0) {
        rc = 1; /* like grep: nothing found */
    }
out:
    mr_view_close(&v, NULL, NULL, 1, NULL);
    arc_close(&a);
    return rc;
}

/*
 * Write page page_id of a to cli->out with its numbers blacked out: the
 * page as read again (upright, deskewed, grey) when its text holds any
 * or is not read yet, else as archived.  A page whose text holds numbers
 * that are not found again on its image is not written.
 */
static int
page_masked(const struct mr_cli *cli, struct arc *a, int64_t page_id,
            struct mr_err *err)
{
    struct ocr_redact redact = {mr_redact_words, NULL};
    struct cls_pii_span *v = NULL;
    struct ocr_engine *ocr = NULL;
    struct mr_page page;
    char code[ARC_CODE_SIZE], *text = NULL;
    PIX *pix = NULL, *masked = NULL;
    size_t n = 0;
    int rc, hidden = 0;

    mr_page_init(&page);
    rc = arc_page_letter(a, page_id, code, &text, err);
    if (!rc)
        rc = cls_pii_find(text, &v, &n, err);
    if (rc || (text && !n))
        goto out;
    rc = arc_page_load(a, page_id, &pix, err);
    if (!rc && !(ocr = ocr_engine_new(NULL, cli->langs, err)))
        rc = err->code;
    if (!rc)
        rc = ocr_page_redacted(ocr, pix, &page, &redact, &masked, &hidden, err);
    if (!rc && n && !hidden)
        rc = mr_fail(err, MR_EINVAL,
                     _("page %lld: the ID numbers and phones of its text are "
                       "not found on its image again; not written"),
                     (long long)page_id);
out:
    if (!rc && hidden)
        rc = arc_pix_export(masked, cli->out, err);
    else if (!rc)
        rc = arc_page_export(a, page_id, cli->out, err);
    pixDestroy(&masked);
    pixDestroy(&pix);
    ocr_engine_destroy(&ocr);
    mr_page_release(&page);
    free(text);
    free(v);
    return rc;
}

int
mr_cmd_page(const struct mr_cli *cli, const char *id)
{
    struct mr_err err = MR_ERR_INIT;
    char *end = NULL, code[ARC_CODE_SIZE], *text = NULL;
    const char *who = NULL;
    long long page_id;
    int rc;
    struct arc *a;

    errno = 0;
    page_id = strtoll(id, &end, 10);
    if (errno || end == id || *end || page_id <= 0) {
        mr_log(MR_LOG_ERROR, _("'%s' is not a page id"), id);
        return MR_EXIT_USAGE;
    }
    rc = mr_unmasked_who(cli, &who);
    if (rc)
        return rc;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        return rc;
    if (!who)
        rc = page_masked(cli, a, page_id, &err);
    else if (!(rc = arc_page_letter(a, page_id, code, &text, &err)) &&
             !(rc = arc_audit_unmasked(a, who, "page", code, &err)))
        rc = arc_page_export(a, page_id, cli->out, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    free(text);
    arc_close(&a);
    return mr_exit_code(rc);
}
