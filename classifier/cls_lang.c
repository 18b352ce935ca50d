/*
 * The language of a letter, from the characters of its pages' text.
 * Han ideographs against Latin letters: digits, punctuation and symbols
 * do not count, so phone numbers and dates in a Chinese letter do not
 * make it English.
 */
#include "classifier/classifier.h"

#include <utf8proc.h>

static int
is_latin_letter(utf8proc_int32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7);
}

void
cls_tally_add(struct cls_tally *t, const char *text)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;

    if (!text)
        return;
    while (*s) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(s, -1, &c);

        if (n <= 0) {
            s++;
            continue;
        }
        if (mr_is_han((uint32_t)c))
            t->han++;
        else if (is_latin_letter(c))
            t->latin++;
        s += n;
    }
}

const char *
cls_tally_language(const struct cls_tally *t)
{
    if (t->han > 0 && 2 * t->han >= t->latin)
        return "zh";
    if (t->latin > 0)
        return "en";
    return NULL;
}
