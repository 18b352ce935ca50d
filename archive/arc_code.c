/*
 * Tracking codes: seven random characters and one check character from a
 * 31-character alphabet without look-alikes (no 0, 1, O, I, Z), written
 * "XXXX-XXXX".  With v_i the alphabet index of character i (1-based), a
 * valid code has sum(i * v_i) = 0 mod 31.  31 is prime and every weight is
 * below it, so any one wrong character and any swap of two different
 * characters change the sum and are caught.
 */
#include "archive/arc_int.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#define CODE_LEN 8
#define CODE_MOD 31

static const char code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXY";

/* Index of c in the alphabet, or -1. */
static int
code_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(code_alphabet, c);
    return p ? (int)(p - code_alphabet) : -1;
}

/* The check value making sum(i * v_i), i = 1..8, zero modulo 31. */
static int
code_check_value(const int *v)
{
    int sum = 0;

    for (int i = 0; i < CODE_LEN - 1; i++)
        sum = (sum + (i + 1) * v[i]) % CODE_MOD;
    /* 8 * v8 = -sum (mod 31), and 4 is the inverse of 8 modulo 31. */
    return (4 * (CODE_MOD - sum)) % CODE_MOD;
}

/* Write the eight values v as "XXXX-XXXX" into out. */
static void
code_format(const int *v, char *out)
{
    int j = 0;

    for (int i = 0; i < CODE_LEN; i++) {
        if (i == 4)
            out[j++] = '-';
        out[j++] = code_alphabet[v[i]];
    }
    out[j] = '\0';
}

int
arc_code_new(char *code, struct mr_err *err)
{
    unsigned char bytes[32];
    int v[CODE_LEN];
    int n = 0;

    code[0] = '\0';
    while (n < CODE_LEN - 1) {
        if (RAND_bytes(bytes, (int)sizeof(bytes)) != 1) {
            char why[160];

            ERR_error_string_n(ERR_get_error(), why, sizeof(why));
            return mr_fail(err, MR_EIO,
                           _("cannot generate a tracking code: %s"), why);
        }
        /*
         * Rejection sampling: bytes below 248 = 8 * 31 give every
         * value the same chance.
         */
        for (size_t i = 0; i < sizeof(bytes) && n < CODE_LEN - 1; i++)
            if (bytes[i] < 8 * CODE_MOD)
                v[n++] = bytes[i] % CODE_MOD;
    }
    v[CODE_LEN - 1] = code_check_value(v);
    code_format(v, code);
    return 0;
}

int
arc_code_normalize(const char *in, char *out, struct mr_err *err)
{
    int v[CODE_LEN];
    int n = 0;

    if (out)
        out[0] = '\0';
    if (MR_NEVER(!in || !out))
        return mr_fail(err, MR_EINVAL, _("no tracking code given"));
    for (const char *p = in; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int val;

        if (c == ' ' || c == '-')
            continue;
        val =
            code_value(c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : (char)c);
        if (val < 0) {
            /* Quote a whole UTF-8 character, not one byte of it. */
            int len = 1;

            while (c >= 0x80 && len < 4 &&
                   ((unsigned char)p[len] & 0xc0) == 0x80)
                len++;
            return mr_fail(err, MR_EINVAL,
                           _("'%s' is not a valid tracking code: "
                             "'%.*s' is not used in tracking "
                             "codes"),
                           in, len, p);
        }
        if (n < CODE_LEN)
            v[n] = val;
        n++;
    }
    if (n != CODE_LEN)
        return mr_fail(err, MR_EINVAL,
                       _("'%s' is not a valid tracking code: it must "
                         "have 8 characters"),
                       in);
    if (code_check_value(v) != v[CODE_LEN - 1])
        return mr_fail(err, MR_EINVAL,
                       _("'%s' is not a valid tracking code: check "
                         "character does not match (mistyped?)"),
                       in);
    code_format(v, out);
    return 0;
}
