#ifndef T_H
#define T_H
/*
 * The unit-test runner: a table of {name, fn}, run all or the one named on
 * the command line, and close with exactly "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_CHECK(c)                                                             \
    do {                                                                       \
        if (c) {                                                               \
            t_pass++;                                                          \
        } else {                                                               \
            t_fail++;                                                          \
            fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #c);       \
        }                                                                      \
    } while (0)

#define T_EQ_INT(a, b)                                                         \
    do {                                                                       \
        long long t_a_ = (a), t_b_ = (b);                                      \
        if (t_a_ == t_b_) {                                                    \
            t_pass++;                                                          \
        } else {                                                               \
            t_fail++;                                                          \
            fprintf(stderr, "%s:%d: FAIL %s == %s: %lld != %lld\n", __FILE__,  \
                    __LINE__, #a, #b, t_a_, t_b_);                             \
        }                                                                      \
    } while (0)

#define T_EQ_STR(a, b)                                                         \
    do {                                                                       \
        const char *t_a_ = (a), *t_b_ = (b);                                   \
        if (t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0) {                         \
            t_pass++;                                                          \
        } else {                                                               \
            t_fail++;                                                          \
            fprintf(stderr, "%s:%d: FAIL %s == %s: '%s' != '%s'\n", __FILE__,  \
                    __LINE__, #a, #b, t_a_ ? t_a_ : "(null)",                  \
                    t_b_ ? t_b_ : "(null)");                                   \
        }                                                                      \
    } while (0)

struct t_case {
    const char *name;
    void (*fn)(void);
};

/* Run every case, or only the one named in argv[1]; print the summary. */
static int
t_run(const struct t_case *cases, int argc, char **argv)
{
    int found = 0;

    for (const struct t_case *c = cases; c->name; c++) {
        if (argc > 1 && strcmp(argv[1], c->name) != 0)
            continue;
        found = 1;
        c->fn();
    }
    if (!found)
        fprintf(stderr, "no test named '%s'\n", argv[1]);
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail || !found ? 1 : 0;
}

#endif
