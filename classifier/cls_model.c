/*
 * The department model: multinomial naive Bayes learnt from the letters
 * whose department reviewers confirmed.
 *
 * A letter's terms are those of its body (cls_body: no salutation,
 * signature or contact lines): each Han character, each pair of adjacent
 * Han characters (most Chinese words are two characters, and OCR puts no
 * spaces between them), and each English word of three letters or more.
 * Numbers are left out: they are the writer's, not the matter's.  A term
 * is kept by its 64-bit hash.  After training, terms met in one letter
 * only are dropped, since they say nothing about the next letter, and so
 * are the words of every letter (in more than a third of them, their
 * letters spread over departments: "the", 我们, 没有).
 *
 * The reasons of a guess name the words (pairs and English words) that
 * speak most for it against the runner-up.
 *
 * Naive Bayes is sure of itself far beyond its right: its posterior is a
 * product over hundreds of terms that are not independent.  Two things
 * bring its confidence down to what it has earned: the evidence of a
 * letter counts as at most EVIDENCE_TERMS terms, and the confidence of a
 * guess is at most the share of right guesses for that department when
 * each fifth of the training letters was guessed by a model learnt from
 * the other four (its cross-validated precision).
 */
#include "classifier/cls_int.h"

#include <math.h>

/* Serialised models begin so; the version follows. */
#define MODEL_MAGIC "MRNB"
#define MODEL_VERSION 1u
/* Additive smoothing of term counts. */
#define ALPHA 0.1
/* The evidence of one letter counts as at most this many terms. */
#define EVIDENCE_TERMS 10.0
/* Terms in more than a third of the letters are common (from 10 letters). */
#define COMMON_SHARE 3
#define COMMON_MIN 10
/* Cross-validation folds, and the fewest letters worth validating. */
#define FOLDS 5
#define FOLDS_MIN 10
/* Tokens of a letter read, at most. */
#define TOKENS_MAX 20000
/* Terms that speak most for a guess, named in its reasons. */
#define TOP_TERMS 5

struct model_class {
    char id[40];
    uint32_t letters;
    uint64_t terms;   /* term occurrences learnt */
    double precision; /* cross-validated; 1 when not validated */
};

struct cls_model {
    struct model_class *cls;
    size_t nclass;
    uint32_t letters;
    /* Open addressing: keys[slot] (0 for empty), counts[slot * nclass]. */
    uint64_t *keys;
    uint32_t *counts;
    uint32_t *seen; /* while learning: letters with the term */
    uint32_t *last; /* while learning: the last letter counted in seen */
    size_t cap, nterms;
};

/* A term of a letter: its key, and where it stands in the folded text. */
struct term {
    uint64_t key;
    size_t at, len;
    uint32_t n; /* occurrences */
    int word;   /* a pair of Han characters or an English word */
};

static uint64_t
term_key(uint64_t h)
{
    return h ? h : 1; /* 0 marks an empty slot */
}

static int
by_key(const void *x, const void *y)
{
    const struct term *a = x, *b = y;

    return a->key < b->key ? -1 : a->key > b->key;
}

/*
 * The terms of a letter's text into *pterms, sorted by key, one entry per
 * distinct term with its count; *pfolded keeps the folded body the spans
 * point into.  MR_ENOMEM.
 */
static int
letter_terms(const char *text, struct term **pterms, size_t *pn, char **pfolded,
             struct mr_err *err)
{
    struct cls_token *tok = NULL;
    struct term *t = NULL;
    char *body = NULL, *folded = NULL;
    size_t ntok, n = 0, out = 0;
    int rc = 0;

    *pterms = NULL;
    *pn = 0;
    *pfolded = NULL;
    body = cls_body(text, err);
    folded = body ? cls_fold(body, err) : NULL;
    tok = folded ? malloc(TOKENS_MAX * sizeof(*tok)) : NULL;
    if (!tok) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    ntok = cls_tokens(folded, tok, TOKENS_MAX);
    t = malloc((2 * ntok + 1) * sizeof(*t));
    if (!t) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < ntok; i++) {
        const struct cls_token *k = &tok[i];

        if (k->han) {
            t[n++] = (struct term){term_key(k->hash), k->at, k->len, 1, 0};
            if (i + 1 < ntok && tok[i + 1].han &&
                tok[i + 1].at == k->at + k->len)
                t[n++] = (struct term){
                    term_key(cls_mix(k->hash ^ cls_mix(tok[i + 1].hash))),
                    k->at, k->len + tok[i + 1].len, 1, 1};
        } else if (k->len >= 3 &&
                   !(folded[k->at] >= '0' && folded[k->at] <= '9')) {
            t[n++] = (struct term){term_key(k->hash), k->at, k->len, 1, 1};
        }
    }
    qsort(t, n, sizeof(*t), by_key);
    for (size_t i = 0; i < n; i++) {
        if (out && t[out - 1].key == t[i].key)
            t[out - 1].n++;
        else
            t[out++] = t[i];
    }
    *pterms = t;
    *pn = out;
    *pfolded = folded;
    t = NULL;
    folded = NULL;
out:
    free(t);
    free(tok);
    free(body);
    free(folded);
    return rc;
}

void
cls_model_destroy(struct cls_model **pm)
{
    struct cls_model *m = pm ? *pm : NULL;

    if (!m)
        return;
    free(m->cls);
    free(m->keys);
    free(m->counts);
    free(m->seen);
    free(m->last);
    free(m);
    *pm = NULL;
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t
slot_of(const struct cls_model *m, uint64_t key)
{
    size_t s = (size_t)(cls_mix(key) & (m->cap - 1));

    while (m->keys[s] && m->keys[s] != key)
        s = (s + 1) & (m->cap - 1);
    return s;
}

/* Tables of cap slots (a power of two), the learning arrays when asked. */
static int
tables_alloc(struct cls_model *m, size_t cap, int learning, struct mr_err *err)
{
    m->cap = cap;
    m->keys = calloc(cap, sizeof(*m->keys));
    m->counts = calloc(cap * m->nclass, sizeof(*m->counts));
    if (learning) {
        m->seen = calloc(cap, sizeof(*m->seen));
        m->last = calloc(cap, sizeof(*m->last));
    }
    if (!m->keys || !m->counts || (learning && (!m->seen || !m->last)))
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    return 0;
}

/*
 * Whether the term in slot s is worth keeping after learning: met in two
 * letters or more, and not in most letters alike (the words of every
 * letter: "the", 我们, 没有) unless its letters are mostly of one
 * department.
 */
static int
worth_keeping(const struct cls_model *m, size_t s)
{
    uint64_t all = 0, most = 0;

    if (m->seen[s] < 2)
        return 0;
    if (m->letters < COMMON_MIN || m->seen[s] * COMMON_SHARE <= m->letters)
        return 1;
    for (size_t c = 0; c < m->nclass; c++) {
        all += m->counts[s * m->nclass + c];
        if (m->counts[s * m->nclass + c] > most)
            most = m->counts[s * m->nclass + c];
    }
    return 2 * most >= all;
}

/* Move the terms of m into tables of cap slots; prune: the worth keeping. */
static int
rehash(struct cls_model *m, size_t cap, int prune, int learning,
       struct mr_err *err)
{
    struct cls_model old = *m;
    int rc;

    m->keys = NULL;
    m->counts = NULL;
    m->seen = NULL;
    m->last = NULL;
    m->nterms = 0;
    rc = tables_alloc(m, cap, learning, err);
    for (size_t s = 0; !rc && s < old.cap; s++) {
        size_t to;

        if (!old.keys[s] || (prune && !worth_keeping(&old, s)))
            continue;
        to = slot_of(m, old.keys[s]);
        m->keys[to] = old.keys[s];
        memcpy(&m->counts[to * m->nclass], &old.counts[s * m->nclass],
               m->nclass * sizeof(*m->counts));
        if (learning) {
            m->seen[to] = old.seen[s];
            m->last[to] = old.last[s];
        }
        m->nterms++;
    }
    free(old.keys);
    free(old.counts);
    free(old.seen);
    free(old.last);
    return rc;
}

/* The number of terms worth keeping. */
static size_t
kept(const struct cls_model *m)
{
    size_t n = 0;

    for (size_t s = 0; s < m->cap; s++)
        n += m->keys[s] && worth_keeping(m, s);
    return n;
}

/* Slots for n terms: a power of two, at most half full. */
static size_t
table_size(size_t n)
{
    size_t cap = 1024;

    while (cap < 2 * n + 2)
        cap *= 2;
    return cap;
}

/* Learn the terms of letter number no, of class c. */
static int
learn(struct cls_model *m, size_t c, uint32_t no, const struct term *t,
      size_t n, struct mr_err *err)
{
    for (size_t i = 0; i < n; i++) {
        size_t s;

        if ((m->nterms + 1) * 2 > m->cap) {
            int rc = rehash(m, m->cap * 2, 0, 1, err);

            if (rc)
                return rc;
        }
        s = slot_of(m, t[i].key);
        if (!m->keys[s]) {
            m->keys[s] = t[i].key;
            m->nterms++;
        }
        m->counts[s * m->nclass + c] += t[i].n;
        if (m->last[s] != no + 1) {
            m->last[s] = no + 1;
            m->seen[s]++;
        }
    }
    m->cls[c].letters++;
    m->letters++;
    return 0;
}

/* The class index of department id in m, or m->nclass. */
static size_t
class_of(const struct cls_model *m, const char *id)
{
    for (size_t c = 0; c < m->nclass; c++)
        if (!strcmp(m->cls[c].id, id))
            return c;
    return m->nclass;
}

/* A model with the departments of ex, nothing learnt yet. */
static struct cls_model *
model_new(const struct cls_example *ex, size_t n, struct mr_err *err)
{
    struct cls_model *m = calloc(1, sizeof(*m));

    if (!m || !(m->cls = calloc(n ? n : 1, sizeof(*m->cls)))) {
        free(m);
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (class_of(m, ex[i].department) == m->nclass)
            snprintf(m->cls[m->nclass++].id, sizeof(m->cls[0].id), "%s",
                     ex[i].department);
    if (tables_alloc(m, 1024, 1, err))
        cls_model_destroy(&m);
    return m;
}

/*
 * Learn the examples of ex but those of fold skip (of FOLDS; -1 learns
 * them all); drop the terms met in one letter only.  NULL on failure.
 */
static struct cls_model *
model_learn(const struct cls_example *ex, size_t n, int skip,
            struct mr_err *err)
{
    struct cls_model *m = model_new(ex, n, err);
    int rc = m ? 0 : err->code;

    for (size_t i = 0; !rc && i < n; i++) {
        struct term *t;
        char *folded;
        size_t nt;

        if (skip >= 0 && (int)(i % FOLDS) == skip)
            continue;
        rc = letter_terms(ex[i].text, &t, &nt, &folded, err);
        if (!rc)
            rc = learn(m, class_of(m, ex[i].department), (uint32_t)i, t, nt,
                       err);
        free(t);
        free(folded);
    }
    if (!rc)
        rc = rehash(m, table_size(kept(m)), 1, 0, err);
    for (size_t s = 0; !rc && s < m->cap; s++)
        for (size_t c = 0; m->keys[s] && c < m->nclass; c++)
            m->cls[c].terms += m->counts[s * m->nclass + c];
    for (size_t c = 0; m && c < m->nclass; c++)
        m->cls[c].precision = 1;
    if (rc)
        cls_model_destroy(&m);
    return m;
}

/* Log-probability of each class for terms t (tempered); terms known. */
static size_t
scores(const struct cls_model *m, const struct term *t, size_t n, double *logp,
       size_t *slots)
{
    double vocab = (double)m->nterms, scale;
    size_t known = 0, occurrences = 0;

    for (size_t i = 0; i < n; i++) {
        size_t s = slot_of(m, t[i].key);

        slots[i] = m->keys[s] ? s : SIZE_MAX;
        if (m->keys[s]) {
            known++;
            occurrences += t[i].n;
        }
    }
    scale = occurrences > EVIDENCE_TERMS ? EVIDENCE_TERMS / occurrences : 1;
    for (size_t c = 0; c < m->nclass; c++) {
        double denom = log((double)m->cls[c].terms + ALPHA * vocab), ll = 0;

        for (size_t i = 0; i < n; i++)
            if (slots[i] != SIZE_MAX)
                ll +=
                    t[i].n *
                    (log(m->counts[slots[i] * m->nclass + c] + ALPHA) - denom);
        logp[c] =
            log((m->cls[c].letters + 1.0) / (m->letters + (double)m->nclass)) +
            scale * ll;
    }
    return known;
}

/* The term log-probability of slot s in class c. */
static double
term_logp(const struct cls_model *m, size_t s, size_t c)
{
    return log(m->counts[s * m->nclass + c] + ALPHA) -
           log((double)m->cls[c].terms + ALPHA * (double)m->nterms);
}

/* Guess among the classes of m; 0 with g->department NULL when unknown. */
static int
guess(const struct cls_model *m, const char *text, struct cls_guess *g,
      struct mr_err *err)
{
    struct term *t = NULL;
    char *folded = NULL;
    double *logp = NULL, sum = 0;
    size_t *slots = NULL, nt = 0, best = 0, second = SIZE_MAX;
    int rc;

    memset(g, 0, sizeof(*g));
    if (!m->nclass)
        return 0;
    rc = letter_terms(text, &t, &nt, &folded, err);
    if (rc)
        return rc;
    logp = malloc(m->nclass * sizeof(*logp));
    slots = malloc((nt + 1) * sizeof(*slots));
    if (!logp || !slots) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    if (!scores(m, t, nt, logp, slots))
        goto out;
    for (size_t c = 1; c < m->nclass; c++)
        if (logp[c] > logp[best])
            best = c;
    for (size_t c = 0; c < m->nclass; c++) {
        sum += exp(logp[c] - logp[best]);
        if (c != best && (second == SIZE_MAX || logp[c] > logp[second]))
            second = c;
    }
    g->department = m->cls[best].id;
    g->posterior = 1 / sum;
    g->confidence = g->posterior < m->cls[best].precision
                        ? g->posterior
                        : m->cls[best].precision;
    if (second == SIZE_MAX)
        goto out;
    g->runner_up = m->cls[second].id;
    /* The words that speak most for best against the runner-up. */
    for (int k = 0; k < TOP_TERMS; k++) {
        size_t pick = SIZE_MAX, used = strlen(g->terms);
        double top = 0;

        for (size_t i = 0; i < nt; i++) {
            double v;

            if (slots[i] == SIZE_MAX || !t[i].word)
                continue;
            v = t[i].n *
                (term_logp(m, slots[i], best) - term_logp(m, slots[i], second));
            if (v > top) {
                top = v;
                pick = i;
            }
        }
        if (pick == SIZE_MAX || used + t[pick].len + 2 > sizeof(g->terms))
            break;
        snprintf(g->terms + used, sizeof(g->terms) - used, "%s%.*s",
                 used ? "," : "", (int)t[pick].len, folded + t[pick].at);
        slots[pick] = SIZE_MAX;
    }
out:
    free(slots);
    free(logp);
    free(t);
    free(folded);
    return rc;
}

int
cls_model_guess(const struct cls_model *m, const char *text,
                struct cls_guess *g, struct mr_err *err)
{
    if (MR_NEVER(!m || !g))
        return mr_fail(err, MR_EINVAL, _("no model given"));
    return guess(m, text, g, err);
}

/* Cross-validate: each fold guessed by a model of the others. */
static int
validate(struct cls_model *m, const struct cls_example *ex, size_t n,
         struct cls_model_report *rep, struct mr_err *err)
{
    uint32_t *right = calloc(m->nclass, sizeof(*right));
    uint32_t *made = calloc(m->nclass, sizeof(*made));
    int rc = right && made ? 0 : mr_fail(err, MR_ENOMEM, _("out of memory"));

    for (int f = 0; !rc && f < FOLDS; f++) {
        struct cls_model *part = model_learn(ex, n, f, err);

        if (!part) {
            rc = err->code;
            break;
        }
        for (size_t i = (size_t)f; !rc && i < n; i += FOLDS) {
            struct cls_guess g;
            size_t c;

            rc = guess(part, ex[i].text, &g, err);
            if (rc || !g.department)
                continue;
            c = class_of(m, g.department);
            made[c]++;
            rep->tested++;
            if (!strcmp(g.department, ex[i].department)) {
                right[c]++;
                rep->right++;
            }
        }
        cls_model_destroy(&part);
    }
    /* Laplace's rule of succession: a department never guessed is 1/2. */
    for (size_t c = 0; !rc && c < m->nclass; c++)
        m->cls[c].precision = (right[c] + 1.0) / (made[c] + 2.0);
    free(right);
    free(made);
    return rc;
}

int
cls_model_train(const struct cls_example *ex, size_t n, struct cls_model **out,
                struct cls_model_report *rep, struct mr_err *err)
{
    struct cls_model *m;
    int rc = 0;

    *out = NULL;
    memset(rep, 0, sizeof(*rep));
    for (size_t i = 0; i < n; i++)
        if (!ex[i].department || !*ex[i].department ||
            strlen(ex[i].department) >= sizeof(m->cls[0].id))
            return mr_fail(err, MR_EINVAL,
                           _("a training letter has no department"));
    m = model_learn(ex, n, -1, err);
    if (!m)
        return err->code;
    if (n >= FOLDS_MIN && m->nclass > 1)
        rc = validate(m, ex, n, rep, err);
    if (rc) {
        cls_model_destroy(&m);
        return rc;
    }
    rep->letters = m->letters;
    rep->departments = m->nclass;
    rep->terms = m->nterms;
    *out = m;
    return 0;
}

size_t
cls_model_letters(const struct cls_model *m)
{
    return m ? m->letters : 0;
}

/* Little-endian writing and reading of a serialised model. */
struct buf {
    unsigned char *p;
    size_t used, size;
    int bad;
};

static void
put(struct buf *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        b->p[b->used++] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get(struct buf *b, int bytes)
{
    uint64_t v = 0;

    if (b->bad || b->size - b->used < (size_t)bytes) {
        b->bad = 1;
        return 0;
    }
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)b->p[b->used++] << (8 * i);
    return v;
}

int
cls_model_save(const struct cls_model *m, unsigned char **pdata, size_t *psize,
               struct mr_err *err)
{
    struct buf b = {NULL, 0, 0, 0};

    *pdata = NULL;
    *psize = 0;
    if (MR_NEVER(!m))
        return mr_fail(err, MR_EINVAL, _("no model given"));
    /* Header 16 bytes, each class at most 61, the term count 8, terms. */
    b.size = 24 + m->nclass * (1 + sizeof(m->cls[0].id) + 20) +
             m->nterms * (8 + 4 * m->nclass);
    b.p = malloc(b.size);
    if (!b.p)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    memcpy(b.p, MODEL_MAGIC, 4);
    b.used = 4;
    put(&b, MODEL_VERSION, 4);
    put(&b, m->nclass, 4);
    put(&b, m->letters, 4);
    for (size_t c = 0; c < m->nclass; c++) {
        size_t len = strlen(m->cls[c].id);
        uint64_t bits;

        put(&b, len, 1);
        memcpy(b.p + b.used, m->cls[c].id, len);
        b.used += len;
        put(&b, m->cls[c].letters, 4);
        put(&b, m->cls[c].terms, 8);
        memcpy(&bits, &m->cls[c].precision, sizeof(bits));
        put(&b, bits, 8);
    }
    put(&b, m->nterms, 8);
    for (size_t s = 0; s < m->cap; s++) {
        if (!m->keys[s])
            continue;
        put(&b, m->keys[s], 8);
        for (size_t c = 0; c < m->nclass; c++)
            put(&b, m->counts[s * m->nclass + c], 4);
    }
    *pdata = b.p;
    *psize = b.used;
    return 0;
}

struct cls_model *
cls_model_load(const unsigned char *data, size_t size, struct mr_err *err)
{
    struct buf b = {(unsigned char *)data, 4, size, size < 4};
    struct cls_model *m = calloc(1, sizeof(*m));
    uint64_t nterms;
    int rc = m ? 0 : mr_fail(err, MR_ENOMEM, _("out of memory"));

    if (!rc &&
        (b.bad || memcmp(data, MODEL_MAGIC, 4) || get(&b, 4) != MODEL_VERSION))
        rc = mr_fail(err, MR_EFORMAT, _("not a department model"));
    if (!rc) {
        m->nclass = (size_t)get(&b, 4);
        m->letters = (uint32_t)get(&b, 4);
        if (b.bad || m->nclass > 4096 ||
            !(m->cls = calloc(m->nclass + 1, sizeof(*m->cls))))
            rc =
                mr_fail(err, b.bad || m->nclass > 4096 ? MR_EFORMAT : MR_ENOMEM,
                        _("damaged department model"));
    }
    for (size_t c = 0; !rc && c < m->nclass; c++) {
        size_t len = (size_t)get(&b, 1);
        uint64_t bits;

        if (b.bad || len >= sizeof(m->cls[c].id) || size - b.used < len) {
            rc = mr_fail(err, MR_EFORMAT, _("damaged department model"));
            break;
        }
        memcpy(m->cls[c].id, data + b.used, len);
        b.used += len;
        m->cls[c].letters = (uint32_t)get(&b, 4);
        m->cls[c].terms = get(&b, 8);
        bits = get(&b, 8);
        memcpy(&m->cls[c].precision, &bits, sizeof(bits));
    }
    nterms = rc ? 0 : get(&b, 8);
    if (!rc && (b.bad || m->nclass == 0 ||
                nterms > (size - b.used) / (8 + 4 * m->nclass)))
        rc = mr_fail(err, MR_EFORMAT, _("damaged department model"));
    if (!rc)
        rc = tables_alloc(m, table_size((size_t)nterms), 0, err);
    for (uint64_t i = 0; !rc && i < nterms; i++) {
        uint64_t key = get(&b, 8);
        size_t s = slot_of(m, term_key(key));

        if (!m->keys[s])
            m->nterms++;
        m->keys[s] = term_key(key);
        for (size_t c = 0; c < m->nclass; c++)
            m->counts[s * m->nclass + c] = (uint32_t)get(&b, 4);
    }
    if (!rc && (b.bad || b.used != size))
        rc = mr_fail(err, MR_EFORMAT, _("damaged department model"));
    if (rc)
        cls_model_destroy(&m);
    return m;
}
