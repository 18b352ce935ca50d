/*
 * From a stack's processed pages to its letters: separation at separator
 * sheets (and, when asked, where the text shows a letter ending and the
 * next opening), each letter's language, unsure boundaries queued for review,
 * and the separation report for the operator.  Called by mr_process.c for
 * every stack, so a stack gives the same letters however it came in.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <unistd.h>

/* The language of pages first..last of the stack's page list. */
static const char *
letter_language(const struct arc_stack_page *pages, size_t n, int first,
                int last)
{
    struct cls_tally tally = {0, 0};

    for (size_t i = 0; i < n; i++)
        if (pages[i].seq >= first && pages[i].seq <= last)
            cls_tally_add(&tally, pages[i].text);
    return cls_tally_language(&tally);
}

/* "2+1+3": the page counts of the letters, for the report. */
static void
counts_text(const struct cls_separation *sep, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sep->nletters && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%d", i ? "+" : "",
                         sep->letters[i].last - sep->letters[i].first + 1);

        if (w < 0 || (size_t)w >= size - used) {
            snprintf(buf + (used < size - 4 ? used : size - 4),
                     size - (used < size - 4 ? used : size - 4), "...");
            break;
        }
        used += (size_t)w;
    }
}

/* The question for a reviewer about a doubtful boundary. */
static const char *
doubt_text(enum cls_doubt why)
{
    switch (why) {
    case CLS_DOUBT_UNREAD:
        return _("split here: looks like a separator sheet, but its barcode "
                 "could not be read");
    case CLS_DOUBT_NO_CLOSING:
        return _("split here: this page opens with an addressee or "
                 "salutation, but the page before does not end with a "
                 "signature or date");
    case CLS_DOUBT_NO_OPENING:
        return _("not split: the page before ends with a signature or date, "
                 "but this page does not open with an addressee or "
                 "salutation");
    }
    return "";
}

int
mr_stack_letters(struct arc *a, const struct mr_judge *judge, int64_t stack,
                 const char *label, int by_text, int *pletters, int *pblank,
                 struct mr_err *err)
{
    struct arc_stack_page *pages = NULL;
    struct cls_page *roles = NULL;
    struct cls_separation sep = {0};
    size_t n = 0;
    char(*codes)[ARC_CODE_SIZE] = NULL, counts[128];
    int rc, blank = 0, separators = 0;

    rc = arc_stack_pages(a, stack, &pages, &n, err);
    if (rc || n == 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (pages[i].letter_id) {
            /* Another run on the archive made them meanwhile. */
            rc = arc_stack_commit(a, err);
            goto out;
        }
    roles = calloc(n, sizeof(*roles));
    if (!roles) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        roles[i].seq = pages[i].seq;
        roles[i].flags = pages[i].flags;
        roles[i].marks = by_text ? cls_page_marks(pages[i].text) : 0;
        blank += (pages[i].flags & MR_PAGE_BLANK) != 0;
        separators += (pages[i].flags & MR_PAGE_SEPARATOR) != 0;
    }
    rc = cls_split(roles, n, by_text, &sep, err);
    for (size_t i = 0; !rc && i < sep.nquestions; i++)
        rc = arc_review_add(a, "boundary", sep.questions[i].seq,
                            doubt_text(sep.questions[i].why), err);
    if (!rc && sep.nletters && !(codes = calloc(sep.nletters, sizeof(*codes))))
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    for (size_t i = 0; !rc && i < sep.nletters; i++) {
        const struct cls_letter *l = &sep.letters[i];

        rc = arc_letter_add(a, l->first, l->last - l->first + 1,
                            letter_language(pages, n, l->first, l->last),
                            codes[i], err);
        if (!rc)
            rc = mr_letter_decide(a, judge, codes[i], err);
    }
    if (!rc)
        rc = arc_stack_commit(a, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < sep.nletters; i++)
        printf("%s\t%d\t%s\n", codes[i],
               sep.letters[i].last - sep.letters[i].first + 1, label);
    fflush(stdout);
    if (pletters)
        *pletters += (int)sep.nletters;
    if (pblank)
        *pblank += blank;
    if (separators || sep.nquestions || (by_text && sep.nletters > 1)) {
        counts_text(&sep, counts, sizeof(counts));
        fprintf(stderr,
                _("%s: %zu letters (pages %s), %d blank pages, %d separator "
                  "sheets, %zu unsure boundaries for review\n"),
                label, sep.nletters, counts, blank, separators, sep.nquestions);
    }
out:
    free(codes);
    cls_separation_release(&sep);
    free(roles);
    arc_stack_pages_free(&pages, n);
    return rc;
}

int
mr_judge_open(const struct mr_cli *cli, struct mr_judge *judge)
{
    struct mr_err err = MR_ERR_INIT;
    char own[4096];
    const char *path = cli->catalog;

    judge->model = NULL;
    if (!path) {
        snprintf(own, sizeof(own), "%s/catalog.ini", cli->archive);
        path = access(own, F_OK) == 0 ? own : MR_CATALOG;
    }
    judge->catalog = cls_catalog_load(path, &err);
    if (!judge->catalog) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        return mr_exit_code(err.code);
    }
    return MR_EXIT_OK;
}

int
mr_judge_model(struct mr_judge *judge, struct arc *a, struct mr_err *err)
{
    struct mr_err why = MR_ERR_INIT;
    struct arc_model_info info;
    unsigned char *data = NULL;
    size_t size = 0;
    int rc;

    cls_model_destroy(&judge->model);
    rc = arc_model_get(a, &info, &data, &size, err);
    if (rc || !data)
        return rc;
    judge->model = cls_model_load(data, size, &why);
    free(data);
    if (judge->model)
        return 0;
    if (why.code == MR_ENOMEM)
        return mr_fail(err, MR_ENOMEM, "%s", why.msg);
    mr_log(MR_LOG_WARN,
           _("the department model trained %s is not used (%s): run "
             "'mailroom train'"),
           info.trained, why.msg);
    return 0;
}

void
mr_judge_close(struct mr_judge *judge)
{
    cls_model_destroy(&judge->model);
    cls_catalog_destroy(&judge->catalog);
}

/* The risk kinds of mask as "self_harm,violence", or NULL. */
static const char *
risk_kinds(unsigned mask, char *buf, size_t size)
{
    static const char *const kinds[CLS_RISK_KINDS] = {"self_harm", "violence",
                                                      "escalation"};
    size_t used = 0;

    buf[0] = '\0';
    for (int k = 0; k < CLS_RISK_KINDS && used < size; k++)
        if (mask & (1u << k))
            used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                     used ? "," : "", kinds[k]);
    return buf[0] ? buf : NULL;
}

static const char *
or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* The repeat check of one letter: its signature and what it finds. */
struct repeat_check {
    const struct cls_catalog *catalog;
    const struct arc_letter *l;
    int64_t writer_id;
    const char *department; /* decided for l just now */
    struct cls_signature sig;
    struct arc_link links[32]; /* the most alike, earlier letters */
    size_t nlinks;
    int repeat;
};

/* Whether two letters have one department (both unknown counts). */
static int
same_department(const char *x, const char *y)
{
    return (!x && !y) || (x && y && !strcmp(x, y));
}

/* Whether candidate s came into the archive before letter l. */
static int
earlier(const struct arc_similar *s, const struct arc_letter *l)
{
    int c = strcmp(s->archived, l->archived);

    return c < 0 || (c == 0 && s->id < l->id);
}

/* Compare one candidate; keep the link when it is one. */
static int
check_candidate(const struct arc_similar *s, void *ctx)
{
    struct repeat_check *rc = ctx;
    struct cls_signature other;
    enum cls_link kind;
    double sim;

    if (!s->signature || s->nsignature != CLS_SIGNATURE_HASHES ||
        !earlier(s, rc->l))
        return 0;
    for (size_t i = 0; i < rc->nlinks; i++)
        if (rc->links[i].other_id == s->id)
            return 0; /* found through another band already */
    memcpy(other.h, s->signature, sizeof(other.h));
    other.shingles = 1;
    sim = cls_signature_similarity(&rc->sig, &other);
    kind = cls_link_kind(rc->catalog, sim,
                         rc->writer_id && s->writer_id == rc->writer_id,
                         same_department(s->department, rc->department));
    if (kind == CLS_LINK_NONE ||
        rc->nlinks == sizeof(rc->links) / sizeof(rc->links[0]))
        return 0;
    rc->links[rc->nlinks].other_id = s->id;
    rc->links[rc->nlinks].kind = kind == CLS_LINK_REPEAT ? "repeat" : "related";
    rc->links[rc->nlinks].similarity = sim;
    rc->nlinks++;
    rc->repeat |= kind == CLS_LINK_REPEAT;
    return 0;
}

/*
 * Is letter l, written by writer_id about a matter of department, a repeat
 * of an earlier letter?  Its signature, the writer's letters and the LSH
 * neighbours decide; links and the LSH keys are stored.
 */
static int
repeat_check(struct arc *a, const struct cls_catalog *catalog,
             const struct arc_letter *l, int64_t writer_id,
             const char *department, struct mr_err *err)
{
    struct repeat_check *rc = calloc(1, sizeof(*rc));
    int64_t keys[CLS_SIGNATURE_BANDS];
    size_t nkeys = 0;
    int ret;

    if (!rc)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    rc->catalog = catalog;
    rc->l = l;
    rc->writer_id = writer_id;
    rc->department = department;
    ret = cls_signature(l->text, &rc->sig, err);
    if (!ret && rc->sig.shingles) {
        cls_signature_bands(&rc->sig, keys);
        nkeys = CLS_SIGNATURE_BANDS;
        ret = arc_similar_candidates(a, l->id, writer_id, keys, nkeys,
                                     check_candidate, rc, err);
    }
    if (!ret)
        ret = arc_letter_similar_set(
            a, l->id, rc->sig.shingles ? rc->sig.h : NULL,
            rc->sig.shingles ? CLS_SIGNATURE_HASHES : 0, keys, nkeys,
            rc->repeat, rc->links, rc->nlinks, err);
    free(rc);
    return ret;
}

int
mr_letter_decide(struct arc *a, const struct mr_judge *judge, const char *code,
                 struct mr_err *err)
{
    struct cls_tally tally = {0, 0};
    struct cls_decision dec;
    struct arc_decision d;
    struct cls_writer w;
    struct arc_letter l;
    struct cls_input in;
    char risk[64];
    int rc;

    memset(&dec, 0, sizeof(dec));
    memset(&d, 0, sizeof(d));
    rc = arc_letter_get(a, code, &l, err);
    if (rc)
        return rc;
    cls_tally_add(&tally, l.text);
    rc = arc_letter_set_language(a, l.code, cls_tally_language(&tally), err);
    in.text = l.text;
    in.pages = l.page_count;
    in.blank_pages = l.blank_pages;
    in.ocr_conf = l.ocr_conf;
    in.unread = l.unread;
    if (!rc)
        rc = cls_decide(judge->catalog, judge->model, &in, &dec, err);
    if (rc)
        goto out;
    cls_writer_extract(l.text, &w);
    d.writer_name = or_null(w.name);
    d.writer_phone = or_null(w.phone);
    d.writer_id_number = or_null(w.id_number);
    d.writer_id_state = w.id_state == CLS_ID_VALID     ? "valid"
                        : w.id_state == CLS_ID_DAMAGED ? "damaged"
                                                       : NULL;
    d.writer_address = or_null(w.address);
    /* A damaged ID number is noted, not trusted to recognise anyone. */
    rc = arc_writer_match(a, d.writer_name, d.writer_phone,
                          w.id_state == CLS_ID_VALID ? w.id_number : NULL,
                          d.writer_address, &d.writer_id, err);
    if (rc)
        goto out;
    d.valid = dec.invalid == CLS_VALID;
    d.validity_reason = cls_invalid_id(dec.invalid);
    d.addressee = dec.addressee;
    d.mailbox = dec.mailbox;
    d.department = dec.department;
    d.confidence = dec.confidence;
    d.review = dec.review ? ARC_REVIEW_PENDING : ARC_REVIEW_NONE;
    d.risk = risk_kinds(dec.risk, risk, sizeof(risk));
    d.risk_words = or_null(dec.risk_words);
    d.reasons = dec.reasons;
    rc = arc_letter_decide(a, l.code, &d, err);
    if (!rc)
        rc =
            repeat_check(a, judge->catalog, &l, d.writer_id, d.department, err);
out:
    cls_decision_release(&dec);
    arc_letter_release(&l);
    return rc;
}
