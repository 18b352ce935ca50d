/*
 * Base services shared by every module: the first-error-wins error
 * struct, the logger with its page context, the page record's lifecycle,
 * and the capture of Leptonica's and libtiff's messages.
 */
#include "pipeline/mr.h"

#include <leptonica/allheaders.h>
#include <stdarg.h>
#include <tiffio.h>
#include <utf8proc.h>
#include <unistd.h>

enum mr_level mr_log_level = MR_LOG_WARN;

volatile sig_atomic_t mr_interrupted;

static _Thread_local char log_context[208];
static _Thread_local char library_message[256];

int
mr_fail(struct mr_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->code)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void
mr_err_clear(struct mr_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

void
mr_log_context(const char *fmt, ...)
{
    va_list ap;

    if (!fmt) {
        log_context[0] = '\0';
        return;
    }
    va_start(ap, fmt);
    vsnprintf(log_context, 200, fmt, ap);
    va_end(ap);
}

void
mr_log_(enum mr_level lvl, const char *fmt, ...)
{
    static const char *const names[] = {N_("error"), N_("warning"), N_("info"),
                                        N_("debug")};
    va_list ap;

    fprintf(stderr, "mailroom: %s: ", _(names[lvl]));
    if (log_context[0])
        fprintf(stderr, "%s: ", log_context);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/*
 * Keep the first library message since the last clear, on one line: the
 * first is the cause, the ones after it are callers giving up.
 * Leptonica's "Error in fn: " prefix is dropped, it means nothing to a
 * reader.
 */
static void
keep_library_message(const char *msg)
{
    const char *p = msg;

    if (!strncmp(p, "Error in ", 9) && strstr(p, ": "))
        p = strstr(p, ": ") + 2;
    mr_log(MR_LOG_DEBUG, "%s", msg);
    if (library_message[0])
        return;
    snprintf(library_message, sizeof(library_message), "%s", p);
    for (char *c = library_message; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    while (*library_message &&
           library_message[strlen(library_message) - 1] == ' ')
        library_message[strlen(library_message) - 1] = '\0';
}

static void __attribute__((format(printf, 2, 0)))
tiff_message(const char *module, const char *fmt, va_list ap)
{
    char msg[256];
    int n = 0;

    if (module && *module)
        n = snprintf(msg, sizeof(msg), "%s: ", module);
    if (n < 0 || (size_t)n >= sizeof(msg))
        n = 0;
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    keep_library_message(msg);
}

static void
lept_message(const char *msg)
{
    keep_library_message(msg);
}

void
mr_library_messages_init(void)
{
    leptSetStderrHandler(lept_message);
    setMsgSeverity(L_SEVERITY_WARNING);
    TIFFSetErrorHandler(tiff_message);
    TIFFSetWarningHandler(NULL);
}

/* What libraries write straight to stderr, while a capture is on. */
static FILE *capture;
static int saved_stderr = -1;

void
mr_stderr_capture_begin(void)
{
    if (capture)
        return;
    fflush(stderr);
    capture = tmpfile();
    saved_stderr = capture ? dup(STDERR_FILENO) : -1;
    if (saved_stderr < 0 || dup2(fileno(capture), STDERR_FILENO) < 0) {
        if (saved_stderr >= 0)
            close(saved_stderr);
        if (capture)
            fclose(capture);
        capture = NULL;
        saved_stderr = -1;
    }
}

void
mr_stderr_capture_end(void)
{
    char line[512], kept[sizeof(library_message)];

    if (!capture)
        return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    rewind(capture);
    /* A library's own error line says more than its caller's. */
    memcpy(kept, library_message, sizeof(kept));
    library_message[0] = '\0';
    while (fgets(line, sizeof(line), capture)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "mailroom: ", 10))
            fprintf(stderr, "%s\n", line);
        else if (strstr(line, "error") || strstr(line, "Error"))
            keep_library_message(line);
        else
            mr_log(MR_LOG_DEBUG, "%s", line);
    }
    if (!library_message[0])
        memcpy(library_message, kept, sizeof(kept));
    fclose(capture);
    capture = NULL;
}

const char *
mr_library_message(void)
{
    return library_message;
}

void
mr_library_message_clear(void)
{
    library_message[0] = '\0';
}

void
mr_page_init(struct mr_page *p)
{
    memset(p, 0, sizeof(*p));
    p->ocr_conf = -1;
}

void
mr_page_release(struct mr_page *p)
{
    if (!p)
        return;
    free(p->text);
    free(p->codes);
    for (size_t i = 0; i < p->nwords; i++)
        free(p->words[i].text);
    free(p->words);
    mr_page_init(p);
}

char *
mr_strdup(const char *s, struct mr_err *err)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        mr_fail(err, MR_ENOMEM, _("out of memory"));
    return d;
}

int
mr_is_han(uint32_t c)
{
    return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2fa1f);
}

int
mr_text_width(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    int w = 0;

    while (p && *p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

        if (n <= 0) {
            p++;
            w++;
            continue;
        }
        w += c < 0x20 ? 1 : utf8proc_charwidth(c);
        p += n;
    }
    return w;
}

long
mr_day_of(long y, int m, int d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

time_t
mr_time_of(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
        return (time_t)-1;
    if (s[10] &&
        (sscanf(s + 10, "T%2d:%2d:%2dZ%n", &h, &mi, &sec, &used) != 3 ||
         s[10 + used]))
        return (time_t)-1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
        return (time_t)-1;
    return (time_t)(mr_day_of(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec);
}

time_t
mr_now(void)
{
    const char *s = getenv("MAILROOM_NOW");

    return s && *s ? mr_time_of(s) : time(NULL);
}

int
mr_time_text(time_t t, char *buf, struct mr_err *err)
{
    struct tm tm;

    if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
        !strftime(buf, MR_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return mr_fail(err, MR_EINVAL, _("MAILROOM_NOW is not a time: '%s'"),
                       getenv("MAILROOM_NOW") ? getenv("MAILROOM_NOW") : "");
    return 0;
}
