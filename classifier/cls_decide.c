/*
 * The judgement on a letter by the catalogue's rules: valid or invalid
 * (and why), whom it addresses, its mailbox and responsible department,
 * and the risk words in it, each with how sure the rule is and what
 * decided it (the reasons, as JSON).
 *
 * Order of the validity checks, first that applies wins: blank (almost
 * nothing written), illegible (mean OCR confidence under the threshold),
 * advertising, a published article, no request (a long manuscript when it
 * has more pages than the catalogue's long_letter_pages; it is decided
 * from its first pages and a sample, cls_read_first).  The addressee
 * is the mailbox whose address words appear in the letter's first lines
 * (its salutation); a letter to a leader goes to that leader's mailbox,
 * every other valid letter to its department's.  The department is the
 * one whose words weigh most in the letter's body (not its signature,
 * contact and address lines, which are about the writer), with a bonus when the
 * letter addresses it; below a minimum weight it is "other", for a person
 * to sort.  The department model learnt from reviewers' confirmations
 * (cls_model.c), once it has learnt from enough letters, takes the
 * department over where it is MODEL_MARGIN more confident than the words.
 */
#include "classifier/cls_int.h"

#include <jansson.h>

/* Lines at the top of a letter where its salutation stands. */
#define OPENING_LINES 3
/* Fewer letters than this (Han or Latin) is a blank letter. */
#define BLANK_CHARS 10
/* Weights: what it takes to be sure. */
#define REQUEST_MIN 3      /* request words for a valid letter */
#define ADVERT_MIN 6       /* advertising words for an advertisement */
#define ARTICLE_MIN 5      /* article marks for a published article */
#define DEPARTMENT_MIN 3   /* department words for a department at all */
#define DEPARTMENT_SURE 12 /* department words for full confidence */
#define ADDRESS_BONUS 10   /* for the department a letter addresses */
/* How much surer than the rules the model must be to overrule them. */
#define MODEL_MARGIN 0.1

const char *
cls_invalid_id(enum cls_invalid why)
{
    switch (why) {
    case CLS_VALID:
        break;
    case CLS_INVALID_BLANK:
        return "blank";
    case CLS_INVALID_ILLEGIBLE:
        return "illegible";
    case CLS_INVALID_NO_REQUEST:
        return "no_request";
    case CLS_INVALID_ARTICLE:
        return "article";
    case CLS_INVALID_ADVERTISING:
        return "advertising";
    case CLS_INVALID_LONG:
        return "long_no_request";
    }
    return NULL;
}

void
cls_decision_release(struct cls_decision *d)
{
    if (!d)
        return;
    free(d->reasons);
    memset(d, 0, sizeof(*d));
}

/* The first OPENING_LINES non-empty lines of the first page, malloc'd. */
static char *
opening(const char *text, struct mr_err *err)
{
    const char *p = text ? text : "", *end = p;
    int lines = 0;
    char *raw, *folded;

    while (*end && *end != '\f' && lines < OPENING_LINES) {
        const char *nl = strchr(end, '\n');
        const char *stop = nl ? nl : end + strlen(end);

        if (strspn(end, " \t\r") < (size_t)(stop - end))
            lines++;
        end = nl ? nl + 1 : stop;
    }
    raw = malloc((size_t)(end - p) + 1);
    if (!raw) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    memcpy(raw, p, (size_t)(end - p));
    raw[end - p] = '\0';
    folded = cls_fold(raw, err);
    free(raw);
    return folded;
}

/* Add {"score": n, "words": "a,b"} as key of o when n > 0. */
static void
json_words(json_t *o, const char *key, int score, const char *words)
{
    json_t *w;

    if (score <= 0)
        return;
    w = json_object();
    json_object_set_new(w, "score", json_integer(score));
    json_object_set_new(w, "words", json_string(words));
    json_object_set_new(o, key, w);
}

int
cls_read_first(const struct cls_catalog *c, int pages, int content, int i)
{
    int rest = content - c->long_first_pages, n = c->long_sample_pages;

    if (pages <= c->long_letter_pages || i < c->long_first_pages || rest <= n)
        return 1;
    /* Sample k stands in the middle of the k-th of n equal parts. */
    for (int k = 0; k < n; k++)
        if (i == c->long_first_pages + (int)((2L * k + 1) * rest / (2L * n)))
            return 1;
    return 0;
}

/* Validity by the checks in order; *pconf how sure, reasons into o. */
static enum cls_invalid
validity(const struct cls_catalog *c, const struct cls_input *in,
         const char *folded, double *pconf, json_t *o)
{
    struct cls_tally tally = {0, 0};
    char req[256] = "", ad[256] = "", art[256] = "";
    int nreq, nad, nart;
    long chars;

    cls_tally_add(&tally, in->text);
    chars = tally.han + tally.latin;
    json_object_set_new(o, "characters", json_integer(chars));
    if (in->unread > 0)
        json_object_set_new(o, "pages_read",
                            json_pack("{s:i, s:i}", "read",
                                      in->pages - in->unread, "of", in->pages));
    if (chars < BLANK_CHARS) {
        *pconf = in->blank_pages == in->pages ? 0.99 : 0.9;
        return CLS_INVALID_BLANK;
    }
    json_object_set_new(o, "ocr_confidence", json_integer(in->ocr_conf));
    if (in->ocr_conf >= 0 && in->ocr_conf < c->illegible_below) {
        *pconf = 0.6 + 0.4 * (c->illegible_below - in->ocr_conf) /
                           (double)c->illegible_below;
        return CLS_INVALID_ILLEGIBLE;
    }
    nreq = cls_terms_score(&c->request, folded, req, sizeof(req));
    nad = cls_terms_score(&c->advertising, folded, ad, sizeof(ad));
    nart = cls_terms_score(&c->article, folded, art, sizeof(art));
    json_words(o, "request", nreq, req);
    json_words(o, "advertising", nad, ad);
    json_words(o, "article", nart, art);
    if (nad >= ADVERT_MIN && nad > nreq) {
        *pconf = nad >= 2 * ADVERT_MIN ? 0.95 : 0.8;
        return CLS_INVALID_ADVERTISING;
    }
    if (nart >= ARTICLE_MIN && nart >= nreq) {
        *pconf = nart >= 2 * ARTICLE_MIN ? 0.95 : 0.8;
        return CLS_INVALID_ARTICLE;
    }
    if (nreq < REQUEST_MIN) {
        *pconf = nreq == 0 ? 0.9 : 0.7;
        return in->pages > c->long_letter_pages ? CLS_INVALID_LONG
                                                : CLS_INVALID_NO_REQUEST;
    }
    *pconf = nreq >= 3 * REQUEST_MIN ? 0.98 : 0.85;
    return CLS_VALID;
}

/* The mailbox whose address words weigh most in the opening, or NULL. */
static const struct cls_box *
addressee(const struct cls_catalog *c, const char *open, json_t *o)
{
    const struct cls_box *best = NULL;
    char words[256] = "", best_words[256] = "";
    int best_score = 0;

    for (size_t i = 0; i < c->nboxes; i++) {
        int s;

        words[0] = '\0';
        s = cls_terms_score(&c->boxes[i].address, open, words, sizeof(words));
        /* Leaders come first: a tie goes to the leader. */
        if (s > best_score) {
            best = &c->boxes[i];
            best_score = s;
            snprintf(best_words, sizeof(best_words), "%s", words);
        }
    }
    if (best) {
        json_t *a = json_object();

        json_object_set_new(a, "id", json_string(best->pub.id));
        json_object_set_new(a, "words", json_string(best_words));
        json_object_set_new(o, "addressee", a);
    }
    return best;
}

/* The department whose words weigh most, with the addressed one's bonus. */
static const struct cls_box *
department(const struct cls_catalog *c, const char *folded,
           const struct cls_box *addressed, double *pconf, json_t *o)
{
    const struct cls_box *best = NULL, *second = NULL;
    char words[256], best_words[256] = "";
    int best_score = 0, second_score = 0;
    json_t *d = json_object();

    for (size_t i = 0; i < c->nboxes; i++) {
        const struct cls_box *b = &c->boxes[i];
        int s;

        if (b->pub.leader)
            continue;
        words[0] = '\0';
        s = cls_terms_score(&b->words, folded, words, sizeof(words));
        if (b == addressed)
            s += ADDRESS_BONUS;
        if (s > best_score) {
            second = best;
            second_score = best_score;
            best = b;
            best_score = s;
            snprintf(best_words, sizeof(best_words), "%s", words);
        } else if (s > second_score) {
            second = b;
            second_score = s;
        }
    }
    json_object_set_new(d, "score", json_integer(best_score));
    json_object_set_new(d, "words", json_string(best_words));
    if (best == addressed && best)
        json_object_set_new(d, "addressed", json_true());
    if (second) {
        json_object_set_new(d, "runner_up", json_string(second->pub.id));
        json_object_set_new(d, "runner_up_score", json_integer(second_score));
    }
    if (best_score < DEPARTMENT_MIN) {
        *pconf = 0.3;
        best = NULL;
    } else {
        double margin = (best_score - second_score) / (double)best_score;
        double strength = best_score >= DEPARTMENT_SURE
                              ? 1.0
                              : best_score / (double)DEPARTMENT_SURE;

        *pconf = 0.5 + 0.5 * margin * strength;
    }
    json_object_set_new(d, "id", json_string(best ? best->pub.id : "other"));
    json_object_set_new(o, "department", d);
    return best;
}

/*
 * The model's guess for the letter; it takes the department over (*pbest,
 * *pconf) when it is more confident.  Reasons into o.
 */
static int
model_department(const struct cls_catalog *c, const struct cls_model *model,
                 const char *text, const struct cls_box **pbest, double *pconf,
                 json_t *o, struct mr_err *err)
{
    const struct cls_box *box = NULL;
    json_t *m, *d = json_object_get(o, "department");
    struct cls_guess g;
    int rc = cls_model_guess(model, text, &g, err);

    if (rc || !g.department)
        return rc;
    for (size_t i = 0; i < c->nboxes && !box; i++)
        if (!c->boxes[i].pub.leader &&
            !strcmp(c->boxes[i].pub.id, g.department))
            box = &c->boxes[i];
    m = json_object();
    json_object_set_new(m, "id", json_string(g.department));
    json_object_set_new(m, "confidence", json_real(g.confidence));
    json_object_set_new(m, "words", json_string(g.terms));
    json_object_set_new(m, "letters",
                        json_integer((json_int_t)cls_model_letters(model)));
    json_object_set_new(o, "model", m);
    /* A department the catalogue no longer has is no guess. */
    if (!box || g.confidence < *pconf + MODEL_MARGIN)
        return 0;
    if (box != *pbest) {
        json_object_set_new(d, "id", json_string(box->pub.id));
        json_object_set_new(d, "by", json_string("model"));
    }
    *pbest = box;
    *pconf = g.confidence;
    return 0;
}

/* Risk words of every kind; reasons into o. */
static void
risk(const struct cls_catalog *c, const char *folded, struct cls_decision *out,
     json_t *o)
{
    static const char *const kinds[CLS_RISK_KINDS] = {"self_harm", "violence",
                                                      "escalation"};
    json_t *r = json_object();

    for (int k = 0; k < CLS_RISK_KINDS; k++) {
        char words[256] = "";
        int s = cls_terms_score(&c->risk[k], folded, words, sizeof(words));
        size_t used = strlen(out->risk_words);

        if (!s)
            continue;
        out->risk |= 1u << k;
        json_object_set_new(r, kinds[k], json_string(words));
        snprintf(out->risk_words + used, sizeof(out->risk_words) - used, "%s%s",
                 used ? "," : "", words);
    }
    if (out->risk)
        json_object_set_new(o, "risk", r);
    else
        json_decref(r);
}

int
cls_decide(const struct cls_catalog *c, const struct cls_model *model,
           const struct cls_input *in, struct cls_decision *out,
           struct mr_err *err)
{
    const struct cls_box *to = NULL, *dept = NULL;
    char *folded = NULL, *open = NULL, *body = NULL, *matter = NULL;
    double valid_conf = 0, dept_conf = 0, route_conf;
    json_t *o = json_object(), *v = json_object();
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (MR_NEVER(!c || !in)) {
        rc = mr_fail(err, MR_EINVAL, _("nothing to decide"));
        goto out;
    }
    folded = cls_fold(in->text, err);
    open = folded ? opening(in->text, err) : NULL;
    body = open ? cls_body(in->text, err) : NULL;
    matter = body ? cls_fold(body, err) : NULL;
    if (!o || !v || !folded || !open || !matter) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    out->invalid = validity(c, in, folded, &valid_conf, v);
    json_object_set_new(v, "valid", json_boolean(out->invalid == CLS_VALID));
    if (out->invalid != CLS_VALID)
        json_object_set_new(v, "reason",
                            json_string(cls_invalid_id(out->invalid)));
    json_object_set_new(o, "validity", v);
    v = NULL;
    risk(c, folded, out, o);
    if (out->invalid == CLS_VALID) {
        to = addressee(c, open, o);
        dept = department(c, matter, to && !to->pub.leader ? to : NULL,
                          &dept_conf, o);
        if (model && cls_model_letters(model) >= (size_t)c->model_min_letters)
            rc =
                model_department(c, model, in->text, &dept, &dept_conf, o, err);
        if (rc)
            goto out;
        out->addressee = to ? to->pub.id : NULL;
        out->department = dept ? dept->pub.id : "other";
        if (to && to->pub.leader) {
            out->mailbox = to->pub.id;
            route_conf = 0.95;
        } else {
            out->mailbox = out->department;
            route_conf = dept_conf;
        }
    } else {
        out->mailbox = "invalid";
        route_conf = 1.0;
    }
    out->confidence = valid_conf < route_conf ? valid_conf : route_conf;
    /* The department of a leader's letter matters too, but less. */
    if (out->invalid == CLS_VALID && to && to->pub.leader &&
        dept_conf < out->confidence)
        out->confidence = (out->confidence + dept_conf) / 2;
    out->review = out->confidence < c->review_below;
    json_object_set_new(o, "confidence", json_real(out->confidence));
    out->reasons = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!out->reasons)
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
out:
    if (rc)
        cls_decision_release(out);
    json_decref(o);
    json_decref(v);
    free(folded);
    free(open);
    free(body);
    free(matter);
    return rc;
}
