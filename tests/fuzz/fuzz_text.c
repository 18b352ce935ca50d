/*
 * libFuzzer harness for the text analysis: the bytes are the recognised
 * text of one stack, pages split at form feeds, invalid UTF-8 included,
 * and go where Tesseract's text goes: ocr_text_tidy, the page's role
 * (the text read as its barcodes, so that the fuzzer can make separator
 * sheets), its opening and closing marks, the split of the stack by
 * text, then for every letter its language, cls_decide with the shipped
 * catalogue and a department model learnt at start-up, the writer, and
 * the MinHash signature with its LSH bands and its likeness to the
 * stack's first letter.  `make fuzz` builds and runs it.
 */
#include "classifier/classifier.h"
#include "ocr/ocr_int.h"

#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cls_catalog *catalog;
static struct cls_model *model;

/* Matters in words the catalogue does not know, for the model to learn. */
static const char *const matters[3][4] = {
    {"楼道声控灯坏了半年", "单元防盗门关不上", "楼顶水箱锈蚀",
     "外墙瓷砖脱落砸人"},
    {"公交司机经常甩站", "末班车提前半小时开走", "站牌被拆后没有恢复",
     "候车亭漏雨没人修"},
    {"门诊排队开药要等三小时", "病历丢失无人负责", "输液室座位太少",
     "挂错科室退号难"},
};
static const char *const departments[3] = {"housing", "transport", "health"};

/* 36 letters of three departments: more than model_min_letters. */
static struct cls_model *
learn(void)
{
    static char texts[36][512];
    struct cls_example ex[36];
    struct cls_model_report rep;
    struct cls_model *m = NULL;
    struct mr_err err = MR_ERR_INIT;

    for (int i = 0; i < 36; i++) {
        int d = i % 3, k = i / 3;

        snprintf(texts[i], sizeof(texts[i]),
                 "尊敬的领导：\n我家住在幸福里%d号。%s，%s，请求尽快处理。\n"
                 "来信人：王%d\n",
                 k, matters[d][k % 4], matters[d][(k + 1 + k / 4) % 4], k);
        ex[i].department = departments[d];
        ex[i].text = texts[i];
    }
    if (cls_model_train(ex, 36, &m, &rep, &err))
        abort();
    return m;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct mr_err err = MR_ERR_INIT;

    (void)argc;
    (void)argv;
    catalog = cls_catalog_load(MR_CATALOG, &err);
    if (!catalog)
        abort();
    model = learn();
    return 0;
}

/*
 * The letter of pages first..last (1-based) of texts as the archive gives
 * it into *in: their texts joined by "\f\n" (returned, the caller frees
 * it), and its blank pages counted.
 */
static char *
letter_of(char **texts, const struct cls_page *roles, int first, int last,
          struct cls_input *in)
{
    size_t n = 1, used = 0;
    char *s;

    for (int i = first; i <= last; i++)
        n += strlen(texts[i - 1]) + 2;
    s = malloc(n);
    if (!s)
        abort();
    memset(in, 0, sizeof(*in));
    for (int i = first; i <= last; i++) {
        size_t len = strlen(texts[i - 1]);

        if (i > first) {
            memcpy(s + used, "\f\n", 2);
            used += 2;
        }
        memcpy(s + used, texts[i - 1], len);
        used += len;
        in->blank_pages += (roles[i - 1].flags & MR_PAGE_BLANK) != 0;
    }
    s[used] = '\0';
    in->text = s;
    in->pages = last - first + 1;
    in->ocr_conf = 80;
    return s;
}

/* What mr_letter_decide asks of the classifier about a letter. */
static void
judge(const struct cls_input *in, const struct cls_signature *first)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_tally tally = {0, 0};
    struct cls_decision dec;
    struct cls_writer w;
    struct cls_signature sig;
    int64_t keys[CLS_SIGNATURE_BANDS];

    memset(&dec, 0, sizeof(dec));
    cls_tally_add(&tally, in->text);
    cls_tally_language(&tally);
    if (cls_decide(catalog, model, in, &dec, &err))
        abort();
    cls_writer_extract(in->text, &w);
    if (cls_signature(in->text, &sig, &err))
        abort();
    if (sig.shingles) {
        cls_signature_bands(&sig, keys);
        cls_link_kind(catalog, cls_signature_similarity(&sig, first),
                      w.name[0] != '\0', 1);
    }
    cls_decision_release(&dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mr_err err = MR_ERR_INIT;
    struct cls_separation sep = {0};
    struct cls_signature first;
    struct cls_page *roles = NULL;
    char **texts = NULL;
    size_t n = 1;

    for (size_t i = 0; i < size; i++)
        n += data[i] == '\f';
    texts = calloc(n, sizeof(*texts));
    roles = calloc(n, sizeof(*roles));
    if (!texts || !roles)
        abort();
    for (size_t i = 0, start = 0; i < n; i++) {
        const uint8_t *ff = memchr(data + start, '\f', size - start);
        size_t len = ff ? (size_t)(ff - data) - start : size - start;
        struct mr_page page;

        texts[i] = strndup((const char *)data + start, len);
        if (!texts[i])
            abort();
        start += len + 1;
        ocr_text_tidy(texts[i]);
        mr_page_init(&page);
        page.codes = texts[i];
        roles[i].seq = (int)i + 1;
        roles[i].flags = cls_page_role(&page, CLS_SEPARATOR_DEFAULT);
        if (!texts[i][strspn(texts[i], " \t\n")])
            roles[i].flags |= MR_PAGE_BLANK;
        roles[i].marks = cls_page_marks(texts[i]);
    }
    if (cls_split(roles, n, 1, &sep, &err))
        abort();
    memset(&first, 0, sizeof(first));
    for (size_t i = 0; i < sep.nletters; i++) {
        struct cls_input in;
        char *text = letter_of(texts, roles, sep.letters[i].first,
                               sep.letters[i].last, &in);

        if (i == 0 && cls_signature(in.text, &first, &err))
            abort();
        judge(&in, &first);
        free(text);
    }
    cls_separation_release(&sep);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(roles);
    return 0;
}
