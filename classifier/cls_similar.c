/*
 * How alike two letters are in what they are about: MinHash signatures
 * of their shingles, compared without the texts, and cut into bands for
 * locality-sensitive hashing, so that an index finds the letters that
 * share a band without reading the archive.
 *
 * What a letter is about lies in its body, not in the formulas every
 * letter has: the salutation line, and lines of signature, contact and
 * address, are left out, and so are shingles that are common formulas
 * (尊敬, 您好, 恳请, 领导, 有关部门 ...).  A shingle is two consecutive
 * tokens, a token being one Han character or one Latin word or number;
 * two Han characters already name places, counterparts and sums (南岸,
 * 包工, 工头, 七万), and pairs survive the rewording of a letter written
 * again better than longer runs.  Hash i of a shingle is its 64-bit hash
 * mixed with seed i; the signature keeps each minimum.
 */
#include "classifier/cls_int.h"

#include <utf8proc.h>

/* At most this many tokens are read. */
#define TOKENS_MAX 20000

/* Shingles of the formulas of a letter, not of its matter. */
static const char *const formula_pairs[] = {
    "尊敬", "敬的", "您好", "你好", "们好", "领导", "恳请", "请求",
    "希望", "有关", "关部", "部门", "督促", "反映", "问题", "解决",
    "处理", "帮助", "谢谢", "盼复", "我们", "我是", "写信", "给您",
    "事情", "情况", "没有", "已经", "现在", "一直", "多次", "但是",
    "因为", "所以", "这个", "自己", "今年", "去年", "时候", "至今",
    "要求", "请领", "市长", "书记", "市委", "委书", "尽快", "是一",
    "一名", "的事", "们的", "我的", "了我", "的人", NULL};

/* The shingle hash of a two-character formula pair. */
static uint64_t
pair_hash(const char *pair)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)pair, -1, &c);
    uint64_t a = cls_hash(pair, (size_t)n, CLS_HASH_SEED);
    uint64_t b = cls_hash(pair + n, strlen(pair + n), CLS_HASH_SEED);

    return cls_mix(a ^ cls_mix(b));
}

#define FORMULAS_MAX 128

/* The shingle hashes of formula_pairs into h; returns their count. */
static size_t
formula_hashes(uint64_t *h)
{
    size_t n = 0;

    for (const char *const *p = formula_pairs; *p && n < FORMULAS_MAX; p++)
        h[n++] = pair_hash(*p);
    return n;
}

static int
is_formula(uint64_t shingle, const uint64_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (h[i] == shingle)
            return 1;
    return 0;
}

int
cls_signature(const char *text, struct cls_signature *sig, struct mr_err *err)
{
    struct cls_token *tok = NULL;
    uint64_t formulas[FORMULAS_MAX];
    size_t nformulas = formula_hashes(formulas), n;
    char *body = NULL, *folded = NULL;
    int rc = 0;

    for (int i = 0; i < CLS_SIGNATURE_HASHES; i++)
        sig->h[i] = UINT32_MAX;
    sig->shingles = 0;
    body = cls_body(text, err);
    folded = body ? cls_fold(body, err) : NULL;
    tok = malloc(TOKENS_MAX * sizeof(*tok));
    if (!folded || !tok) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    n = cls_tokens(folded, tok, TOKENS_MAX);
    for (size_t i = 0; i + 1 < n; i++) {
        uint64_t s = cls_mix(tok[i].hash ^ cls_mix(tok[i + 1].hash));

        if (is_formula(s, formulas, nformulas))
            continue;
        for (int k = 0; k < CLS_SIGNATURE_HASHES; k++) {
            uint32_t v =
                (uint32_t)(cls_mix(s + 0x9e3779b97f4a7c15ULL * (k + 1)) >> 32);

            if (v < sig->h[k])
                sig->h[k] = v;
        }
        sig->shingles++;
    }
out:
    free(tok);
    free(body);
    free(folded);
    return rc;
}

double
cls_signature_similarity(const struct cls_signature *a,
                         const struct cls_signature *b)
{
    int same = 0;

    if (!a->shingles || !b->shingles)
        return 0;
    for (int k = 0; k < CLS_SIGNATURE_HASHES; k++)
        same += a->h[k] == b->h[k];
    return same / (double)CLS_SIGNATURE_HASHES;
}

void
cls_signature_bands(const struct cls_signature *sig,
                    int64_t keys[CLS_SIGNATURE_BANDS])
{
    const int rows = 4;

    for (int b = 0; b < CLS_SIGNATURE_BANDS; b++) {
        uint64_t h = cls_hash(&sig->h[b * rows], rows * sizeof(sig->h[0]),
                              CLS_HASH_SEED);

        /* The band number in the top bits: one index serves all bands. */
        keys[b] = (int64_t)(((uint64_t)b << 56) | (h >> 8));
    }
}
