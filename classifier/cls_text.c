/*
 * Text as the rules match it: folded (full-width forms, case and spacing
 * made uniform, so that OCR's spaces between Chinese characters do not
 * matter), cut into tokens and hashed, and weighted word lists found in
 * it.
 */
#include "classifier/cls_int.h"

#include <utf8proc.h>

static int
is_ascii_alnum(utf8proc_int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_space(utf8proc_int32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v' || c == 0x3000 || c == 0xa0;
}

uint64_t
cls_hash(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t
cls_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

size_t
cls_tokens(const char *folded, struct cls_token *tok, size_t max)
{
    const utf8proc_uint8_t *base = (const utf8proc_uint8_t *)folded, *p = base;
    size_t n = 0;

    while (*p && n < max) {
        const utf8proc_uint8_t *start = p;
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &c);
        int han = len > 0 && mr_is_han((uint32_t)c);

        if (len <= 0) {
            p++;
            continue;
        }
        if (han) {
            p += len;
        } else if (is_ascii_alnum(c)) {
            while (is_ascii_alnum(*p))
                p++;
        } else {
            p += len;
            continue;
        }
        tok[n].hash = cls_hash(start, (size_t)(p - start), CLS_HASH_SEED);
        tok[n].at = (size_t)(start - base);
        tok[n].len = (size_t)(p - start);
        tok[n].han = han;
        n++;
    }
    return n;
}

char *
cls_fold(const char *text, struct mr_err *err)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(text ? text : "");
    utf8proc_int32_t prev = 0;
    size_t used = 0;
    int space = 0;
    /* Folding never makes a character longer. */
    char *out = malloc(strlen((const char *)p) + 1);

    if (!out) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

        if (n <= 0) {
            p++;
            continue;
        }
        p += n;
        if (is_space(c)) {
            space = 1;
            continue;
        }
        if (c >= 0xff01 && c <= 0xff5e)
            c -= 0xfee0;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (space && is_ascii_alnum(prev) && is_ascii_alnum(c))
            out[used++] = ' ';
        space = 0;
        used += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)out + used);
        prev = c;
    }
    out[used] = '\0';
    return out;
}

void
cls_terms_release(struct cls_terms *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].text);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

/* Add one term, s[0..len) before folding, with weight. */
static int
term_add(struct cls_terms *t, const char *s, size_t len, int weight,
         struct mr_err *err)
{
    char *raw, *folded;

    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        struct cls_term *v = realloc(t->v, cap * sizeof(*v));

        if (!v)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        t->v = v;
        t->cap = cap;
    }
    raw = malloc(len + 1);
    if (!raw)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    memcpy(raw, s, len);
    raw[len] = '\0';
    folded = cls_fold(raw, err);
    free(raw);
    if (!folded)
        return MR_ENOMEM;
    t->v[t->n].text = folded;
    t->v[t->n].len = strlen(folded);
    t->v[t->n].weight = weight;
    t->n++;
    return 0;
}

int
cls_terms_add(struct cls_terms *t, const char *value, struct mr_err *err)
{
    const char *p = value;

    while (*p) {
        const char *end = strchr(p, ','), *star;
        size_t len;
        int weight = 1, rc;

        if (!end)
            end = p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        len = (size_t)(end - p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        star = memchr(p, '*', len);
        if (star) {
            char *num_end = NULL;
            long w = strtol(star + 1, &num_end, 10);

            if (num_end != p + len || w < 1 || w > 100)
                return mr_fail(err, MR_EINVAL,
                               _("weight of '%.*s' is not a number from 1 "
                                 "to 100"),
                               (int)len, p);
            weight = (int)w;
            len = (size_t)(star - p);
        }
        if (len) {
            rc = term_add(t, p, len, weight, err);
            if (rc)
                return rc;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

/*
 * Whether the match of term at text + at stands as words: no letter or
 * digit right before an English start, and after an English end only an
 * ending (-s, -es, -ed, -ing, -d) before the next non-letter.
 */
static int
whole_word(const char *text, size_t at, const struct cls_term *term)
{
    static const char *const endings[] = {"", "s", "es", "ed", "ing", "d"};
    const char *after = text + at + term->len;

    if (is_ascii_alnum((unsigned char)term->text[0]) && at > 0 &&
        is_ascii_alnum((unsigned char)text[at - 1]))
        return 0;
    if (!is_ascii_alnum((unsigned char)term->text[term->len - 1]))
        return 1;
    for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
        size_t n = strlen(endings[i]);

        if (!strncmp(after, endings[i], n) &&
            !is_ascii_alnum((unsigned char)after[n]))
            return 1;
    }
    return 0;
}

int
cls_terms_score(const struct cls_terms *t, const char *folded, char *hits,
                size_t size)
{
    size_t used = hits && size ? strlen(hits) : 0;
    int score = 0;

    for (size_t i = 0; t && i < t->n; i++) {
        const struct cls_term *term = &t->v[i];
        int found = 0;

        for (const char *p = strstr(folded, term->text); p && found < 3;
             p = strstr(p + 1, term->text))
            if (whole_word(folded, (size_t)(p - folded), term))
                found++;
        if (!found)
            continue;
        score += found * term->weight;
        if (hits && used + term->len + 2 < size) {
            used += (size_t)snprintf(hits + used, size - used, "%s%s",
                                     used ? "," : "", term->text);
        }
    }
    return score;
}

/* A line of signature or contact is at most this long (bytes, folded). */
#define SIGNATURE_LINE_MAX 72

/* Lines holding these (folded) are signature, contact or address. */
static const char *const signature_words[] = {
    "来信人", "写信人",  "反映人", "举报人",    "联系电话", "电话",
    "手机",   "地址",    "身份证", "此致",      "敬礼",     "tel",
    "phone",  "address", "yours",  "sincerely", "regards",  NULL};

char *
cls_body(const char *text, struct mr_err *err)
{
    char *out = malloc(strlen(text ? text : "") + 1);
    size_t used = 0;
    int first = 1;

    if (!out) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        char *line = malloc(len + 1), *folded;
        int skip = 0;

        if (!line) {
            free(out);
            mr_fail(err, MR_ENOMEM, _("out of memory"));
            return NULL;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len;
        folded = cls_fold(line, err);
        if (folded) {
            size_t fl = strlen(folded);

            /*
             * A signature or contact line is short or starts with its
             * word: "我用手机测过，噪声..." is the matter, not a contact.
             */
            for (const char *const *w = signature_words; *w && !skip; w++) {
                const char *at = strstr(folded, *w);

                skip = at && (at == folded || fl <= SIGNATURE_LINE_MAX);
            }
            /* The salutation: a short first line ending with a colon. */
            if (first && fl && fl < 60 &&
                (folded[fl - 1] == ':' || folded[fl - 1] == ','))
                skip = 1;
            first &= !fl;
        }
        if (!skip) {
            memcpy(out + used, line, len);
            used += len;
        }
        free(line);
        free(folded);
    }
    out[used] = '\0';
    return out;
}
