/*
 * cer: the character error rate of an OCR text against its reference.
 *
 *     cer REF HYP      (either may be "-" for standard input)
 *
 * prints the Levenshtein distance between the two texts, counted in
 * Unicode code points, divided by the number of code points of REF, as a
 * decimal like "0.0123".  An empty REF gives 0 against an empty HYP and 1
 * otherwise.  Invalid UTF-8 bytes count as one U+FFFD each.  Exit 0, or
 * 2 with a one-line message when a file cannot be read or on bad usage.
 *
 * Both texts are normalised first, because layout and punctuation width
 * are not what we measure (Tesseract often writes ':' for '：'):
 *   - all white space is dropped (ASCII white space, U+00A0, U+1680,
 *     U+2000..U+200B, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF);
 *   - full-width ASCII forms U+FF01..U+FF5E become ASCII U+0021..U+007E;
 *   - the ideographic full stop U+3002 and U+FF61 become '.', the
 *     ideographic comma U+3001 and U+FF64 become ',';
 *   - curly quotes U+2018/U+2019 become '\'' and U+201C/U+201D become '"'.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text {
    uint32_t *cp;
    size_t n;
};

static void
fail(const char *msg, const char *path)
{
    fprintf(stderr, "cer: %s '%s': %s\n", msg, path, strerror(errno));
    exit(2);
}

/* The whole file (or stdin for "-") as a NUL-terminated buffer. */
static char *
slurp(const char *path, size_t *plen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    size_t len = 0, cap = 4096, got;
    char *buf;

    *plen = 0;
    if (!f)
        fail("cannot open", path);
    buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = realloc(buf, cap *= 2);

            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (!buf)
        fail("out of memory reading", path);
    if (ferror(f))
        fail("cannot read", path);
    if (f != stdin)
        fclose(f);
    *plen = len;
    return buf;
}

/*
 * Decode one UTF-8 sequence at s (len bytes left) into *pcp; returns the
 * number of bytes used.  Overlong forms, surrogates, values above
 * U+10FFFF and truncated sequences give U+FFFD for one byte.
 */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *pcp)
{
    static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
    size_t need, i;
    uint32_t c;

    *pcp = 0xFFFD;
    if (s[0] < 0x80) {
        *pcp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        need = 1;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        need = 2;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        need = 3;
        c = s[0] & 0x07;
    } else {
        return 1;
    }
    if (need >= len)
        return 1;
    for (i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min[need] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 1;
    *pcp = c;
    return need + 1;
}

static int
is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* The folding described at the top of this file. */
static uint32_t
fold(uint32_t c)
{
    if (c >= 0xFF01 && c <= 0xFF5E)
        return c - 0xFF01 + 0x21;
    switch (c) {
    case 0x3002:
    case 0xFF61:
        return '.';
    case 0x3001:
    case 0xFF64:
        return ',';
    case 0x2018:
    case 0x2019:
        return '\'';
    case 0x201C:
    case 0x201D:
        return '"';
    default:
        return c;
    }
}

static struct text
load(const char *path)
{
    struct text t = {NULL, 0};
    size_t len, off = 0;
    char *buf = slurp(path, &len);

    t.cp = malloc((len + 1) * sizeof(*t.cp));
    if (!t.cp)
        fail("out of memory reading", path);
    while (off < len) {
        uint32_t c;

        off += utf8_next((const unsigned char *)buf + off, len - off, &c);
        if (!is_space(c))
            t.cp[t.n++] = fold(c);
    }
    free(buf);
    return t;
}

/* Levenshtein distance with two rows of m + 1 cells. */
static size_t
distance(const struct text *a, const struct text *b)
{
    size_t *prev = malloc((b->n + 1) * sizeof(*prev));
    size_t *cur = malloc((b->n + 1) * sizeof(*cur));
    size_t i, j, d;

    if (!prev || !cur) {
        fputs("cer: out of memory\n", stderr);
        exit(2);
    }
    for (j = 0; j <= b->n; j++)
        prev[j] = j;
    for (i = 1; i <= a->n; i++) {
        size_t *tmp;

        cur[0] = i;
        for (j = 1; j <= b->n; j++) {
            size_t sub = prev[j - 1] + (a->cp[i - 1] != b->cp[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

            d = sub < del ? sub : del;
            cur[j] = d < ins ? d : ins;
        }
        tmp = prev;
        prev = cur;
        cur = tmp;
    }
    d = prev[b->n];
    free(prev);
    free(cur);
    return d;
}

int
main(int argc, char **argv)
{
    struct text ref, hyp;
    double rate;

    if (argc != 3) {
        fputs("usage: cer REF HYP\n", stderr);
        return 2;
    }
    ref = load(argv[1]);
    hyp = load(argv[2]);
    if (ref.n == 0)
        rate = hyp.n ? 1.0 : 0.0;
    else
        rate = (double)distance(&ref, &hyp) / (double)ref.n;
    printf("%.4f\n", rate);
    free(ref.cp);
    free(hyp.cp);
    return 0;
}
