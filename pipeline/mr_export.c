/*
 * The read-only commands: `letters` (JSON Lines or a table), `show`,
 * `search` and `page`.  They only read the archive.  JSON is written with
 * jansson; a field whose stage has not landed yet is null, never guessed.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <errno.h>
#include <sys/stat.h>
#include <jansson.h>
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

/* The writer the letter names, as a JSON object, or null. */
static json_t *
writer_json(const struct arc_decision *d)
{
    json_t *w;

    if (!d->writer_name && !d->writer_phone && !d->writer_id_number &&
        !d->writer_address)
        return json_null();
    w = json_object();
    json_object_set_new(w, "name", json_string_or_null(d->writer_name));
    json_object_set_new(w, "phone", json_string_or_null(d->writer_phone));
    json_object_set_new(w, "id_number",
                        json_string_or_null(d->writer_id_number));
    /* A damaged ID number is shown for a person to read, never trusted. */
    json_object_set_new(w, "id_number_state",
                        json_string_or_null(d->writer_id_state));
    json_object_set_new(w, "address", json_string_or_null(d->writer_address));
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
letter_json(const struct arc_letter *l)
{
    const struct arc_decision *d = &l->d;
    json_t *o = json_object(), *pages = json_array();

    if (!o || !pages) {
        json_decref(o);
        json_decref(pages);
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
    json_object_set_new(o, "text", json_string_or_null(l->text));
    json_object_set_new(o, "valid",
                        d->decided ? json_boolean(d->valid) : json_null());
    json_object_set_new(o, "validity_reason",
                        json_string_or_null(d->validity_reason));
    json_object_set_new(o, "writer", writer_json(d));
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
    json_t *o = letter_json(l);
    /* Every field must be there: a set that failed for memory is fatal. */
    char *s = o && json_object_size(o) == LETTER_FIELDS
                  ? json_dumps(o, JSON_COMPACT)
                  : NULL;

    (void)ctx;
    json_decref(o);
    if (!s)
        return MR_ENOMEM;
    puts(s);
    free(s);
    return 0;
}

/*
 * Print s in exactly cols terminal columns: cut at a character boundary
 * (Chinese characters take two columns), control characters shown as
 * spaces, padded with spaces.
 */
static void
print_cols(const char *s, int cols)
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
            fputc(' ', stdout);
            used++;
            p += n;
            continue;
        }
        w = utf8proc_charwidth(c);
        if (used + w > cols)
            break;
        fwrite(p, 1, (size_t)n, stdout);
        used += w;
        p += n;
    }
    while (used++ < cols)
        fputc(' ', stdout);
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
    (void)ctx;
    print_cols(l->code, 10);
    printf("%5d  ", l->page_count);
    print_cols(l->language ? l->language : "-", 5);
    print_cols(l->d.mailbox ? l->d.mailbox : "-", 12);
    print_cols(l->d.department ? l->d.department : "-", 12);
    /* ! a risk letter, R a repeat letter, ? awaiting review. */
    printf("%c%c%c   ", l->d.risk ? '!' : ' ', l->d.repeat > 0 ? 'R' : ' ',
           l->questions || l->d.review == ARC_REVIEW_PENDING ? '?' : ' ');
    print_cols(l->archived, 21);
    /* The file name says more than the first columns of its path. */
    print_cols(
        strrchr(l->source, '/') ? strrchr(l->source, '/') + 1 : l->source, 24);
    fputs("  ", stdout);
    print_cols(text_start(l->text), 30);
    fputc('\n', stdout);
    return 0;
}

int
mr_cmd_letters(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    int table = !strcmp(cli->format, "table"), rc;
    struct arc *a = mr_archive_existing(cli, &rc);

    if (!a)
        return rc;
    if (table) {
        print_cols(_("CODE"), 10);
        print_cols(_("PAGES"), 7);
        print_cols(_("LANG"), 5);
        print_cols(_("MAILBOX"), 12);
        print_cols(_("DEPARTMENT"), 12);
        print_cols(_("FLAGS"), 6);
        print_cols(_("ARCHIVED (UTC)"), 21);
        print_cols(_("SOURCE"), 26);
        print_cols(_("TEXT"), 30);
        fputc('\n', stdout);
    }
    rc = arc_letter_each(a, table ? print_row : print_jsonl, NULL, &err);
    if (rc == MR_ENOMEM && !err.code)
        mr_fail(&err, rc, _("out of memory"));
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    return mr_exit_code(rc);
}

/* The decisions of a letter, for `show`; c (may be NULL) names mailboxes. */
static void
print_decision(const struct arc_decision *d, const struct cls_catalog *c)
{
    char label[256];

    if (!d->decided)
        return;
    if (d->valid)
        printf(_("valid:          yes\n"));
    else
        printf(_("valid:          no (%s)\n"), d->validity_reason);
    if (d->addressee)
        printf(_("addressed to:   %s\n"),
               mr_box_label(c, d->addressee, label, sizeof(label)));
    printf(_("mailbox:        %s\n"),
           mr_box_label(c, d->mailbox, label, sizeof(label)));
    if (d->department)
        printf(_("department:     %s\n"),
               mr_box_label(c, d->department, label, sizeof(label)));
    printf(_("confidence:     %.2f%s\n"), d->confidence,
           d->review == ARC_REVIEW_PENDING     ? _(" (for review)")
           : d->review == ARC_REVIEW_CONFIRMED ? _(" (confirmed by a reviewer)")
                                               : "");
    if (d->risk)
        printf(_("RISK:           %s: %s\n"), d->risk,
               d->risk_words ? d->risk_words : "");
    if (d->repeat > 0)
        printf(_("REPEAT of:      %s\n"), d->repeat_of ? d->repeat_of : "");
    if (d->writer_name || d->writer_phone || d->writer_id_number ||
        d->writer_address)
        printf(_("writer:         %s; phone %s; ID %s%s; address %s "
                 "(writer %lld)\n"),
               d->writer_name ? d->writer_name : "-",
               d->writer_phone ? d->writer_phone : "-",
               d->writer_id_number ? d->writer_id_number : "-",
               d->writer_id_state && !strcmp(d->writer_id_state, "damaged")
                   ? _(" (damaged, not trusted)")
                   : "",
               d->writer_address ? d->writer_address : "-",
               (long long)d->writer_id);
    if (d->reasons)
        printf(_("reasons:        %s\n"), d->reasons);
}

static int
print_question(const struct arc_question *q, void *ctx)
{
    (void)ctx;
    printf(_("to review:      page %d: %s\n"), q->seq, q->reason);
    return 0;
}

/* One audit row in words: "2026-11-22T10:19:40Z alice: split, ...". */
static int
print_audit(const struct arc_audit *r, void *ctx)
{
    const char *action = r->action ? r->action : "";
    const char *field = r->field ? r->field : "";

    (void)ctx;
    printf(_("history:        %s %s: "), r->at, r->who);
    if (!strcmp(action, "split") && r->old)
        printf(_("split, pages %s -> %s; the rest is letter %s"), r->old,
               r->new_value, r->other);
    else if (!strcmp(action, "split"))
        printf(_("made from pages %s of letter %s"), r->new_value, r->other);
    else if (!strcmp(action, "merge") && r->new_value)
        printf(_("merged with letter %s, pages %s -> %s"), r->other, r->old,
               r->new_value);
    else if (!strcmp(action, "merge"))
        printf(_("merged into letter %s"), r->other);
    else if (!strcmp(action, "confirm") && !strcmp(field, "boundary"))
        printf(_("boundary before page %s confirmed"), r->new_value);
    else if (!strcmp(action, "confirm") && !strcmp(field, "review"))
        printf(_("decisions confirmed"));
    else if (!strcmp(action, "confirm"))
        printf(_("set %s: %s -> %s"), field, r->old ? r->old : "-",
               r->new_value ? r->new_value : "-");
    else if (!strcmp(action, "decide"))
        printf(_("decided %s: %s -> %s"), field, r->old ? r->old : "-",
               r->new_value ? r->new_value : "-");
    else if (!strcmp(action, "receipt"))
        printf(_("query password issued"));
    else if (!strcmp(action, "reply"))
        printf(_("the unit's reply recorded"));
    else if (!strcmp(action, "handover"))
        printf(_("handed over in bundle %s to %s"), r->new_value,
               r->other ? r->other : "-");
    else if (!strcmp(action, "rate"))
        printf(_("the writer's rating recorded; closed"));
    else
        printf(_("%s %s: %s -> %s"), action, field, r->old ? r->old : "-",
               r->new_value ? r->new_value : "-");
    if (r->why && r->reason)
        printf(_(" (reason: %s; %s)"), mr_why_text(r->why), r->reason);
    else if (r->why || r->reason)
        printf(_(" (reason: %s)"), r->why ? mr_why_text(r->why) : r->reason);
    fputc('\n', stdout);
    return 0;
}

/* The handover and result deadlines of l, while they run. */
static void
print_deadlines(const struct arc_letter *l, const struct cls_catalog *c)
{
    struct mr_due due;
    char day[MR_DAY_SIZE];

    if (!c || !mr_letter_due(c, l, cls_catalog_day(c, mr_now()), &due))
        return;
    if (l->t.simple)
        printf(_("handling:       simple (a shorter result deadline)\n"));
    if (due.handed < 0) {
        mr_day_text(due.handover_due, day);
        printf(_("handover due:   %s\n"), day);
    } else if (due.replied < 0) {
        mr_day_text(due.result_due, day);
        printf(_("result due:     %s\n"), day);
    }
}

int
mr_cmd_show(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_judge judge = {NULL, NULL};
    struct arc_letter l;
    int rc;
    struct arc *a = mr_archive_existing(cli, &rc);

    memset(&l, 0, sizeof(l));
    if (!a)
        return rc;
    /* Without a catalogue (a malformed one was reported) ids only. */
    mr_judge_open(cli, &judge);
    rc = arc_letter_get(a, code, &l, &err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        goto out;
    }
    printf(_("tracking code:  %s\n"), l.code);
    printf(_("source:         %s (pages %d-%d)\n"), l.source, l.first_page,
           l.first_page + l.page_count - 1);
    printf(_("archived:       %s\n"), l.archived);
    printf(_("language:       %s\n"), l.language ? l.language : "-");
    printf(_("pages:          %d (%d blank); page ids:"), l.page_count,
           l.blank_pages);
    for (size_t i = 0; i < l.npages; i++)
        printf(" %lld", (long long)l.pages[i]);
    fputc('\n', stdout);
    if (l.unread)
        printf(_("not read yet:   %d pages (a long letter: decided from its "
                 "first pages and a sample, the rest read after the other "
                 "work)\n"),
               l.unread);
    if (l.ocr_conf >= 0)
        printf(_("OCR confidence: %d%%\n"), l.ocr_conf);
    printf(_("state:          %s\n"), arc_state_text(l.t.state));
    print_deadlines(&l, judge.catalog);
    print_decision(&l.d, judge.catalog);
    rc = arc_letter_questions(a, l.id, print_question, NULL, &err);
    if (!rc)
        rc = arc_audit_each(a, l.code, print_audit, NULL, &err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        goto out;
    }
    printf("\n%s\n", l.text ? l.text : _("(no text)"));
out:
    arc_letter_release(&l);
    mr_judge_close(&judge);
    arc_close(&a);
    return mr_exit_code(rc);
}

/* One alert: the letter, why, its writer and the earlier letters. */
static int
print_alert(const struct arc_letter *l, void *ctx)
{
    const struct arc_decision *d = &l->d;

    (void)ctx;
    printf("%s\t%s\t", l->code, l->archived);
    if (d->risk && d->repeat > 0)
        printf(_("risk (%s: %s) and repeat of %s"), d->risk,
               d->risk_words ? d->risk_words : "", d->repeat_of);
    else if (d->risk)
        printf(_("risk (%s: %s)"), d->risk, d->risk_words ? d->risk_words : "");
    else
        printf(_("repeat of %s"), d->repeat_of ? d->repeat_of : "");
    printf("\t%s\t%s\t%s\n", d->writer_name ? d->writer_name : "-",
           d->writer_phone ? d->writer_phone : "-",
           d->mailbox ? d->mailbox : "-");
    return 0;
}

int
mr_cmd_alerts(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    int rc;
    struct arc *a = mr_archive_existing(cli, &rc);

    if (!a)
        return rc;
    rc = arc_letter_alerts(a, print_alert, NULL, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    return mr_exit_code(rc);
}

static int
print_hit(const struct arc_hit *h, void *ctx)
{
    (void)ctx;
    printf("%s\t%lld\t%d\t%s\t%s\n", h->code, (long long)h->page_id, h->seq,
           h->source, h->snippet);
    return 0;
}

int
mr_cmd_search(const struct mr_cli *cli, const char *text)
{
    struct mr_err err = MR_ERR_INIT;
    int rc, n;
    struct arc *a = mr_archive_existing(cli, &rc);

    if (!a)
        return rc;
    n = arc_search(a, text, 1000, print_hit, NULL, &err);
    if (n < 0) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(n);
    } else if (n == 0) {
        rc = 1; /* like grep: nothing found */
    }
    arc_close(&a);
    return rc;
}

int
mr_cmd_page(const struct mr_cli *cli, const char *id)
{
    struct mr_err err = MR_ERR_INIT;
    char *end = NULL;
    long long page_id;
    int rc;
    struct arc *a;

    errno = 0;
    page_id = strtoll(id, &end, 10);
    if (errno || end == id || *end || page_id <= 0) {
        mr_log(MR_LOG_ERROR, _("'%s' is not a page id"), id);
        return MR_EXIT_USAGE;
    }
    a = mr_archive_existing(cli, &rc);
    if (!a)
        return rc;
    rc = arc_page_export(a, page_id, cli->out, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    return mr_exit_code(rc);
}
