/*
 * Following a letter after it is sorted: `receipt` gives its writer a
 * query password (printed once; only a salted PBKDF2-SHA256 hash is
 * kept), `status` answers the writer's inquiry with the tracking code and
 * that password, `reply` records the responsible unit's result and `rate`
 * the writer's satisfaction with the letters office and with the unit.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <utf8proc.h>

#define PASSWORD_DIGITS 6
#define PBKDF2_ROUNDS 100000
#define SALT_BYTES 16
#define HASH_BYTES 32
/* "pbkdf2-sha256$ROUNDS$SALT$HASH", hex */
#define HASH_TEXT (32 + 2 * SALT_BYTES + 2 * HASH_BYTES)
/* A reply longer than this is a file of something else. */
#define REPLY_MAX (1 << 20)

static void
hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The PBKDF2 hash of password with salt, as hex into out. */
static int
derive(const char *password, const unsigned char *salt, int rounds,
       char out[2 * HASH_BYTES + 1], struct mr_err *err)
{
    unsigned char h[HASH_BYTES];

    if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, SALT_BYTES,
                           rounds, EVP_sha256(), HASH_BYTES, h))
        return mr_fail(err, MR_ENOMEM, _("cannot hash the password"));
    hex(h, HASH_BYTES, out);
    return 0;
}

/* A new password of PASSWORD_DIGITS digits and its stored form. */
static int
new_password(char pw[PASSWORD_DIGITS + 1], char stored[HASH_TEXT],
             struct mr_err *err)
{
    unsigned char salt[SALT_BYTES], r;
    char salt_hex[2 * SALT_BYTES + 1], h[2 * HASH_BYTES + 1];

    for (int i = 0; i < PASSWORD_DIGITS; i++) {
        do { /* 250 = 25 * 10: no digit likelier than another */
            if (RAND_bytes(&r, 1) != 1)
                return mr_fail(err, MR_EIO, _("no random numbers"));
        } while (r >= 250);
        pw[i] = (char)('0' + r % 10);
    }
    pw[PASSWORD_DIGITS] = '\0';
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return mr_fail(err, MR_EIO, _("no random numbers"));
    hex(salt, sizeof(salt), salt_hex);
    if (derive(pw, salt, PBKDF2_ROUNDS, h, err))
        return err->code;
    snprintf(stored, HASH_TEXT, "pbkdf2-sha256$%d$%s$%s", PBKDF2_ROUNDS,
             salt_hex, h);
    return 0;
}

/* Whether password is the one stored hashes; 0 for a malformed hash. */
static int
password_matches(const char *password, const char *stored)
{
    unsigned char salt[SALT_BYTES];
    char salt_hex[2 * SALT_BYTES + 1], want[2 * HASH_BYTES + 1],
        got[2 * HASH_BYTES + 1];
    struct mr_err err = MR_ERR_INIT;
    int rounds = 0, used = 0;

    if (sscanf(stored, "pbkdf2-sha256$%d$%32[0-9a-f]$%64[0-9a-f]%n", &rounds,
               salt_hex, want, &used) != 3 ||
        stored[used] || rounds < 1 || strlen(salt_hex) != 2 * SALT_BYTES ||
        strlen(want) != 2 * HASH_BYTES)
        return 0;
    for (int i = 0; i < SALT_BYTES; i++) {
        unsigned v;

        sscanf(salt_hex + 2 * i, "%2x", &v);
        salt[i] = (unsigned char)v;
    }
    return !derive(password, salt, rounds, got, &err) &&
           !CRYPTO_memcmp(got, want, sizeof(want));
}

int
mr_cmd_receipt(const struct mr_cli *cli, char **codes, int ncodes)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = mr_reviewer(cli);
    struct arc *a;
    int rc, failed = 0;

    if (!who)
        return MR_EXIT_USAGE;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        return rc;
    for (int i = 0; i < ncodes; i++) {
        char pw[PASSWORD_DIGITS + 1], stored[HASH_TEXT], canon[ARC_CODE_SIZE];

        mr_err_clear(&err);
        rc = arc_code_normalize(codes[i], canon, &err);
        if (!rc)
            rc = new_password(pw, stored, &err);
        if (!rc)
            rc = arc_letter_password_set(a, canon, stored, who, &err);
        if (rc) {
            mr_log(MR_LOG_ERROR, "%s", err.msg);
            failed = rc;
            if (rc == MR_EDB || rc == MR_EBUSY || rc == MR_ENOMEM)
                break;
            continue;
        }
        printf("%s\t%s\n", canon, pw);
    }
    arc_close(&a);
    return mr_exit_code(failed);
}

static const char *
rating_text(int r)
{
    switch (r) {
    case 3:
        return _("satisfied");
    case 2:
        return _("fairly satisfied");
    case 1:
        return _("not satisfied");
    }
    return "-";
}

int
mr_cmd_status(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    struct mr_judge judge = {NULL, NULL};
    struct arc_letter l;
    char canon[ARC_CODE_SIZE], *stored = NULL;
    struct arc *a = NULL;
    int rc;

    memset(&l, 0, sizeof(l));
    if (!cli->password) {
        mr_log(MR_LOG_ERROR, _("'status' needs --password: the query "
                               "password on the writer's receipt"));
        return MR_EXIT_USAGE;
    }
    /* A mistyped code is caught by its check character, before anything. */
    if (arc_code_normalize(code, canon, &err)) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        return mr_exit_code(err.code);
    }
    a = mr_archive_existing(cli, &rc);
    if (!a)
        return rc;
    mr_judge_open(cli, &judge);
    rc = arc_letter_password_get(a, canon, &stored, &err);
    if (!rc && !stored)
        rc = mr_fail(&err, MR_EINVAL,
                     _("letter %s has no query password yet: the office "
                       "issues one with 'mailroom receipt'"),
                     canon);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(rc);
        goto out;
    }
    if (!password_matches(cli->password, stored)) {
        mr_log(MR_LOG_ERROR, _("wrong query password for letter %s"), canon);
        rc = MR_EXIT_NOPERM;
        goto out;
    }
    rc = arc_letter_get(a, canon, &l, &err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        rc = mr_exit_code(rc);
        goto out;
    }
    printf(_("tracking code:  %s\n"), l.code);
    printf(_("received:       %s\n"), l.archived);
    printf(_("state:          %s\n"), arc_state_text(l.t.state));
    if (l.d.decided && !l.d.valid)
        printf(_("not accepted:   %s\n"),
               l.d.validity_reason ? l.d.validity_reason : "-");
    else if (l.d.decided) {
        char box[160];

        printf(_("mailbox:        %s\n"),
               mr_box_label(judge.catalog, l.d.mailbox, box, sizeof(box)));
        printf(_("department:     %s\n"),
               mr_box_label(judge.catalog, l.d.department, box, sizeof(box)));
    }
    if (l.t.handed_over)
        printf(_("handed over:    %s\n"), l.t.handed_over);
    if (l.t.replied) {
        size_t n = l.t.reply ? strlen(l.t.reply) : 0;

        printf(_("replied:        %s\n"), l.t.replied);
        if (n)
            printf("%s%s", l.t.reply, l.t.reply[n - 1] == '\n' ? "" : "\n");
    }
    if (l.t.closed)
        printf(_("rated:          %s (letters office: %s; unit: %s)\n"),
               l.t.closed, rating_text(l.t.rating_office),
               rating_text(l.t.rating_unit));
    rc = MR_EXIT_OK;
out:
    free(stored);
    arc_letter_release(&l);
    mr_judge_close(&judge);
    arc_close(&a);
    return rc;
}

/* The text of file path into *ptext: UTF-8, at most REPLY_MAX bytes. */
static int
read_reply(const char *path, char **ptext, struct mr_err *err)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    char *text = malloc(REPLY_MAX + 1);

    *ptext = NULL;
    if (!text) {
        if (f)
            fclose(f);
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    if (!f) {
        free(text);
        return mr_fail(err, MR_ENOTFOUND, _("cannot read '%s': %s"), path,
                       strerror(errno));
    }
    n = fread(text, 1, REPLY_MAX + 1, f);
    fclose(f);
    text[n > REPLY_MAX ? REPLY_MAX : n] = '\0';
    if (n > REPLY_MAX || n == 0 || strlen(text) != n) {
        free(text);
        return mr_fail(err, MR_EFORMAT,
                       _("'%s' is not a reply: empty, longer than %d bytes, "
                         "or not text"),
                       path, REPLY_MAX);
    }
    for (const char *p = text; *p;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t len =
            utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &c);

        if (len <= 0) {
            long at = (long)(p - text) + 1;

            free(text);
            return mr_fail(err, MR_EFORMAT,
                           _("'%s' is not UTF-8 text (byte %ld)"), path, at);
        }
        p += len;
    }
    *ptext = text;
    return 0;
}

int
mr_cmd_reply(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = mr_reviewer(cli);
    char *text = NULL;
    struct arc *a = NULL;
    int rc;

    if (!who)
        return MR_EXIT_USAGE;
    if (!cli->file) {
        mr_log(MR_LOG_ERROR, _("'reply' needs --file FILE: the responsible "
                               "unit's result, as UTF-8 text"));
        return MR_EXIT_USAGE;
    }
    rc = read_reply(cli->file, &text, &err);
    if (!rc) {
        a = mr_archive_existing(cli, &rc);
        if (!a) {
            free(text);
            return rc;
        }
        rc = arc_letter_reply(a, code, text, who, &err);
    }
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    free(text);
    arc_close(&a);
    return mr_exit_code(rc);
}

int
mr_cmd_rate(const struct mr_cli *cli, const char *code)
{
    struct mr_err err = MR_ERR_INIT;
    const char *who = mr_reviewer(cli);
    struct arc *a;
    int rc;

    if (!who)
        return MR_EXIT_USAGE;
    if (!cli->office || !cli->unit) {
        mr_log(MR_LOG_ERROR,
               _("'rate' needs --office N and --unit N: 3 satisfied, 2 "
                 "fairly satisfied, 1 not satisfied"));
        return MR_EXIT_USAGE;
    }
    a = mr_archive_existing(cli, &rc);
    if (!a)
        return rc;
    rc = arc_letter_rate(a, code, cli->office, cli->unit, who, &err);
    if (rc)
        mr_log(MR_LOG_ERROR, "%s", err.msg);
    arc_close(&a);
    return mr_exit_code(rc);
}
