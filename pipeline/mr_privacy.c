/*
 * Citizens' ID numbers and phones in what leaves the archive: masked
 * (cls_pii_mask) in every export and bundle, unless --unmasked is given
 * by a person the archive allows; each such use is one row of the audit
 * table (who, the command, the letters), written before anything
 * unmasked is printed: when it cannot be written, nothing is.
 *
 * Who may is listed in privacy.ini in the archive directory, never in a
 * file of the command line (--catalog names any file its giver likes):
 *
 *   [privacy]
 *   unmasked = zhang, li
 *
 * and who asks is the login name, not --reviewer, which anyone may type.
 * A privacy.ini others than its owner may write grants nothing.
 */
#include "pipeline/pipeline_int.h"

#include "archive/archive.h"

#include <errno.h>
#include <ini.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

/* What reading privacy.ini found. */
struct allow {
    const char *who;
    int listed;
    struct mr_err err;
};

/* inih's handler: 1 to go on, 0 for an error at this line. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
    struct allow *al = user;

    if (strcmp(section, "privacy") || strcmp(name, "unmasked")) {
        mr_fail(&al->err, MR_EFORMAT, _("unknown key '%s' in [%s]"), name,
                section);
        return 0;
    }
    for (const char *p = value; *p;) {
        size_t n;

        p += strspn(p, " \t,");
        n = strcspn(p, " \t,");
        if (n && n == strlen(al->who) && !strncmp(p, al->who, n))
            al->listed = 1;
        p += n;
    }
    return 1;
}

int
mr_unmasked_who(const struct mr_cli *cli, const char **pwho)
{
    /* getpwuid's answer lasts only until its next call. */
    static char name[256];
    const struct passwd *pw;
    struct allow al = {NULL, 0, MR_ERR_INIT};
    char path[4096];
    struct stat st;
    FILE *f = NULL;
    int line;

    *pwho = NULL;
    if (!cli->unmasked)
        return MR_EXIT_OK;
    pw = getpwuid(geteuid());
    if (!pw || !pw->pw_name || !*pw->pw_name) {
        mr_log(MR_LOG_ERROR, _("--unmasked: cannot tell who you are"));
        return MR_EXIT_NOPERM;
    }
    snprintf(name, sizeof(name), "%s", pw->pw_name);
    al.who = name;
    snprintf(path, sizeof(path), "%s/privacy.ini", cli->archive);
    f = fopen(path, "r");
    if (!f && errno != ENOENT) {
        mr_log(MR_LOG_ERROR, _("cannot read '%s': %s"), path, strerror(errno));
        return MR_EXIT_NOINPUT;
    }
    if (f && (fstat(fileno(f), &st) || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
        fclose(f);
        mr_log(MR_LOG_ERROR,
               _("--unmasked refused: '%s' may be written by others than its "
                 "owner"),
               path);
        return MR_EXIT_NOPERM;
    }
    line = f ? ini_parse_file(f, on_key, &al) : 0;
    if (f)
        fclose(f);
    if (line < 0) {
        mr_log(MR_LOG_ERROR, "%s", _("out of memory"));
        return MR_EXIT_SOFTWARE;
    }
    if (line) {
        mr_log(MR_LOG_ERROR, "%s:%d: %s", path, line,
               al.err.code ? al.err.msg : _("not a section or key = value"));
        return MR_EXIT_DATAERR;
    }
    if (!al.listed) {
        mr_log(MR_LOG_ERROR,
               _("--unmasked refused: '%s' may not see ID numbers and phones "
                 "(see [privacy] in '%s')"),
               al.who, path);
        return MR_EXIT_NOPERM;
    }
    *pwho = al.who;
    return MR_EXIT_OK;
}

int
mr_view_open(const struct mr_cli *cli, struct mr_view *v)
{
    int rc;

    memset(v, 0, sizeof(*v));
    v->out = stdout;
    rc = mr_unmasked_who(cli, &v->who);
    if (rc || !v->who)
        return rc;
    v->out = open_memstream(&v->held, &v->nheld);
    if (!v->out) {
        mr_log(MR_LOG_ERROR, "%s", _("out of memory"));
        return MR_EXIT_SOFTWARE;
    }
    return MR_EXIT_OK;
}

int
mr_view_letter(struct mr_view *v, const char *code, struct mr_err *err)
{
    size_t n = strlen(code);

    if (!v->who)
        return 0;
    /* The hits of one letter come together: note it once. */
    if (v->ncodes && !strcmp(v->codes + v->last, code))
        return 0;
    if (v->ncodes + n + 2 > v->capcodes) {
        size_t cap = 2 * v->capcodes + n + 2 + 256;
        char *grown = realloc(v->codes, cap);

        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        v->codes = grown;
        v->capcodes = cap;
    }
    if (v->ncodes)
        v->codes[v->ncodes++] = ',';
    memcpy(v->codes + v->ncodes, code, n + 1);
    v->last = v->ncodes;
    v->ncodes += n;
    return 0;
}

char *
mr_view_text(const struct mr_view *v, const char *text, unsigned flags,
             struct mr_err *err)
{
    if (!text)
        return NULL;
    if (v->who)
        return mr_strdup(text, err);
    return cls_pii_mask(text, flags, err);
}

const char *
mr_view_field(const struct mr_view *v, const char *value, enum cls_pii kind,
              char *buf, size_t size)
{
    if (!value || v->who)
        return value;
    snprintf(buf, size, "%s", value);
    cls_pii_mask_field(buf, kind);
    return buf;
}

int
mr_view_close(struct mr_view *v, struct arc *a, const char *command, int failed,
              struct mr_err *err)
{
    int rc = 0;

    if (v->who) {
        if (fclose(v->out) && !failed)
            rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        if (!rc && !failed)
            rc = arc_audit_unmasked(a, v->who, command,
                                    v->codes ? v->codes : "", err);
        if (!rc && !failed && v->nheld)
            fwrite(v->held, 1, v->nheld, stdout);
    }
    free(v->held);
    free(v->codes);
    memset(v, 0, sizeof(*v));
    return rc;
}

int
mr_redact_words(const struct mr_page *page, unsigned char *hide, void *ctx,
                struct mr_err *err)
{
    struct cls_pii_span *v = NULL;
    size_t size = 1, used = 0, n = 0, *at = NULL;
    char *text = NULL;
    int count = 0, rc;

    (void)ctx;
    for (size_t i = 0; i < page->nwords; i++)
        size += strlen(page->words[i].text) + 1;
    text = malloc(size);
    at = malloc((page->nwords + 1) * sizeof(*at));
    if (!text || !at) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    /* The words one after another, a space between: word i at at[i]. */
    for (size_t i = 0; i < page->nwords; i++) {
        size_t len = strlen(page->words[i].text);

        at[i] = used;
        memcpy(text + used, page->words[i].text, len);
        used += len;
        text[used++] = ' ';
    }
    at[page->nwords] = used;
    text[used] = '\0';
    rc = cls_pii_find(text, &v, &n, err);
    for (size_t k = 0; !rc && k < n; k++)
        for (size_t i = 0; i < page->nwords; i++) {
            int over = at[i] < v[k].hide_at + v[k].hide_len &&
                       at[i + 1] - 1 > v[k].hide_at;

            count += over && !hide[i];
            hide[i] |= over;
        }
out:
    free(v);
    free(at);
    free(text);
    return rc ? rc : count;
}
