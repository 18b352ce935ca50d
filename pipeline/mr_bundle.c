/*
 * `bundle`: for each mailbox, the confirmed letters not yet handed over
 * become one searchable PDF (Tesseract's PDF renderer: each page's
 * cleaned image with its text as an invisible layer) that opens with a
 * cover listing them, repeat and risk letters first and marked, and a
 * JSON manifest beside it.  The files are made and synced under hidden
 * names; then one transaction records the bundle and marks its letters
 * handed over (arc_bundle_add), and only then are the files renamed into
 * place.  A run cut off between the two is finished by the next one
 * (finish_bundles): a letter is in one bundle, never two, and every
 * bundle recorded gets its files.
 *
 * The cover is laid out with Pango on a Cairo PDF surface (real text,
 * its fonts embedded, so that it searches exactly), and joined in front
 * of the renderer's pages with qpdf.
 *
 * Citizens' ID numbers and phones are masked in the cover and manifest
 * and blacked out on the pages, whose text layer is then read from the
 * blacked-out image; with --unmasked (mr_privacy.c) they are not, and an
 * audit row names who made the bundle so and its letters.
 */
/* realpath() of a relative --out, to record where the bundle is. */
#define _XOPEN_SOURCE 700

#include "pipeline/pipeline_int.h"

#include "archive/archive.h"
#include "classifier/classifier.h"
#include "ocr/ocr.h"

#include <errno.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <leptonica/allheaders.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <unistd.h>

/* The cover: A4 at 300 dpi, margins of 12 mm, rows of the letter table. */
#define COVER_DPI 300
#define COVER_W 2480
#define COVER_H 3508
#define COVER_MARGIN 142
#define COVER_TOP 532 /* where the table's rows begin */
#define COVER_ROW 120 /* the height of a row */
#define COVER_ROWS ((COVER_H - COVER_MARGIN - COVER_TOP) / COVER_ROW)
/*
 * Latin from DejaVu, Chinese from Noto: Cairo keeps a CFF font's
 * subroutines whole, so Noto's Latin glyphs alone can add 0.8 MB.
 */
#define COVER_FONT "DejaVu Sans, Noto Sans CJK SC"
/* Bytes of a letter's summary line kept. */
#define SUMMARY_MAX 160

/* A letter waiting to be handed over. */
struct item {
    char code[ARC_CODE_SIZE];
    char *mailbox;
    char *received; /* UTC */
    size_t rank;    /* of its mailbox in the catalogue (mr_box_rank) */
    char *writer;
    char *summary;
    char *risk;      /* kinds, or NULL */
    char *repeat_of; /* codes, or NULL */
    int repeat, simple;
    int64_t *pages;
    size_t npages;
    struct mr_due due;
    int first_pdf, last_pdf; /* its pages in the PDF */
};

struct waiting {
    const struct cls_catalog *c;
    const char *who;     /* the login name for --unmasked, else NULL */
    const char *mailbox; /* --mailbox, or NULL */
    long until;          /* --date: received on or before; -1: any */
    long today;
    struct item *v;
    size_t n, cap;
    struct mr_err err;
};

static void
item_release(struct item *it)
{
    free(it->mailbox);
    free(it->received);
    free(it->writer);
    free(it->summary);
    free(it->risk);
    free(it->repeat_of);
    free(it->pages);
    memset(it, 0, sizeof(*it));
}

/*
 * The first line of text that says something: not a salutation (a short
 * line ending with a colon or comma), at most SUMMARY_MAX bytes, cut at a
 * character boundary.  A malloc'd string ("" for no text), or NULL.
 */
static char *
summary_of(const char *text, struct mr_err *err)
{
    char line[SUMMARY_MAX + 8] = "";

    for (const char *p = text; p && *p;) {
        size_t len, n;
        const char *end;

        /* Leading blanks: spaces, tabs and the ideographic space. */
        while (*p == ' ' || *p == '\t' || !strncmp(p, "\u3000", 3))
            p += *p == ' ' || *p == '\t' ? 1 : 3;
        len = strcspn(p, "\n\f");
        n = len;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
            n--;
        end = p + n;
        if (n >= 6 && !(n < 40 && (end[-1] == ':' || end[-1] == ',' ||
                                   (n >= 3 && (!memcmp(end - 3, "：", 3) ||
                                               !memcmp(end - 3, "，", 3)))))) {
            if (n > SUMMARY_MAX) {
                n = SUMMARY_MAX;
                while (n && ((unsigned char)p[n] & 0xc0) == 0x80)
                    n--;
            }
            snprintf(line, sizeof(line), "%.*s", (int)n, p);
            break;
        }
        p += len;
        p += *p != '\0';
    }
    return mr_strdup(line, err);
}

static int
collect(const struct arc_letter *l, void *ctx)
{
    struct waiting *w = ctx;
    struct item *it;
    struct mr_err *err = &w->err;
    char *masked = NULL;

    if (l->t.state != ARC_STATE_CONFIRMED || !l->d.valid || l->t.bundle_id ||
        !l->d.mailbox || (w->mailbox && strcmp(w->mailbox, l->d.mailbox)))
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        struct item *grown = realloc(w->v, cap * sizeof(*grown));

        if (!grown)
            return mr_fail(err, MR_ENOMEM, _("out of memory"));
        w->v = grown;
        w->cap = cap;
    }
    it = &w->v[w->n];
    memset(it, 0, sizeof(*it));
    if (!mr_letter_due(w->c, l, w->today, &it->due) ||
        (w->until >= 0 && it->due.received > w->until))
        return 0;
    w->n++;
    memcpy(it->code, l->code, sizeof(it->code));
    it->rank = mr_box_rank(w->c, l->d.mailbox);
    it->repeat = l->d.repeat == 1;
    it->simple = l->t.simple;
    if (!(it->mailbox = mr_strdup(l->d.mailbox, err)) ||
        !(it->received = mr_strdup(l->archived, err)) ||
        (l->d.writer_name &&
         !(it->writer = mr_strdup(l->d.writer_name, err))) ||
        (l->d.risk && !(it->risk = mr_strdup(l->d.risk, err))) ||
        (l->d.repeat_of && !(it->repeat_of = mr_strdup(l->d.repeat_of, err))) ||
        (!w->who && l->text && !(masked = cls_pii_mask(l->text, 0, err))))
        return err->code;
    it->summary = summary_of(masked ? masked : l->text, err);
    free(masked);
    if (!it->summary)
        return err->code;
    it->pages = malloc((l->npages ? l->npages : 1) * sizeof(*it->pages));
    if (!it->pages)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    memcpy(it->pages, l->pages, l->npages * sizeof(*it->pages));
    it->npages = l->npages;
    return 0;
}

/* By mailbox; within one, risk and repeat letters first, then oldest. */
static int
by_box_flags_age(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    int fa = a->risk || a->repeat, fb = b->risk || b->repeat, c;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    c = strcmp(a->mailbox, b->mailbox);
    if (c)
        return c;
    if (fa != fb)
        return fb - fa;
    c = strcmp(a->received, b->received);
    return c ? c : strcmp(a->code, b->code);
}

/* "risk, repeat of X" style flags of it into buf ("" for none). */
static void
flags_text(const struct item *it, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s%s", it->risk ? _("RISK") : "",
             it->risk ? " (" : "", it->risk ? it->risk : "",
             it->risk ? ")" : "", it->risk && it->repeat ? "; " : "");
    if (it->repeat)
        snprintf(buf + strlen(buf), size - strlen(buf), _("REPEAT of %s"),
                 it->repeat_of ? it->repeat_of : "-");
    if (it->simple)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
                 *buf ? "; " : "", _("simple handling"));
}

/* A mailbox's title: "住房城乡建委 (housing)". */
static void
box_title(const struct cls_catalog *c, const char *id, char *buf, size_t size)
{
    const struct cls_mailbox *m = cls_catalog_find(c, id);

    if (m)
        snprintf(buf, size, "%s (%s)", m->name_zh, m->id);
    else
        snprintf(buf, size, "%s", id);
}

/* One bundle being made. */
struct bundle {
    const struct mr_cli *cli;
    const char *who; /* the login name for --unmasked, else NULL */
    const struct cls_catalog *c;
    struct item *v; /* its letters, in cover order */
    size_t n;
    const char *mailbox;
    char created[MR_TIME_SIZE];
    char day[MR_DAY_SIZE];
    int ncover, pages;
    char *dir;        /* the folder of its files, absolute or in the
                         archive */
    char name[96];    /* "housing-20260503T090000Z" */
    char *pdf, *json; /* final paths */
    char *pdf_part;   /* the PDF, hidden until recorded */
    char *json_part;  /* the manifest, hidden until recorded */
    char *pages_base; /* the renderer's output, + ".pdf" */
    char *pages_part; /* = pages_base + ".pdf" */
    char *cover_part; /* the cover alone */
    char sha256[65];
};

/*
 * Draw text at x, y in a cell width px wide (0: no limit), in at most
 * lines lines, the rest cut with an ellipsis.
 */
static void
cell(cairo_t *cr, PangoFontDescription *font, const char *text, int x, int y,
     int width, int lines)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);

    pango_cairo_context_set_resolution(pango_layout_get_context(layout),
                                       COVER_DPI);
    pango_layout_set_font_description(layout, font);
    if (width > 0) {
        pango_layout_set_width(layout, width * PANGO_SCALE);
        pango_layout_set_height(layout, -lines);
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    }
    pango_layout_set_text(layout, text ? text : "", -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}

/* The columns of the cover's table: x positions and widths in pixels. */
static const int col_x[] = {142, 252, 532, 772, 982, 1542, 1862, 2112};
#define COL_W(i) (col_x[(i) + 1] - col_x[i] - 20)
#define COVER_RIGHT (COVER_W - COVER_MARGIN)

/* Draw cover page k (0-based) of bundle b on cr, in pixels at 300 dpi. */
static void
cover_page(const struct bundle *b, cairo_t *cr, int k, PangoFontDescription **f)
{
    char line[512], box[160];
    size_t first = (size_t)k * COVER_ROWS;
    const char *heads[] = {_("No."),          _("tracking code"), _("received"),
                           _("writer"),       _("summary"),       _("flags"),
                           _("handover due"), _("reply due")};
    int y = COVER_TOP - 90;

    box_title(b->c, b->mailbox, box, sizeof(box));
    snprintf(line, sizeof(line), _("Letters handed over to %s"), box);
    cell(cr, f[0], line, COVER_MARGIN, COVER_MARGIN, 0, 1);
    snprintf(line, sizeof(line),
             _("handed over %s by %s; letters: %zu; pages: %d; cover page %d "
               "of %d"),
             b->day, mr_reviewer(b->cli), b->n, b->pages - b->ncover, k + 1,
             b->ncover);
    cell(cr, f[2], line, COVER_MARGIN, COVER_MARGIN + 150, 0, 1);
    for (int i = 0; i < 8; i++)
        cell(cr, f[1], heads[i], col_x[i], y,
             i < 7 ? COL_W(i) : COVER_RIGHT - col_x[i], 1);
    y += 70;
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, COVER_MARGIN, y);
    cairo_line_to(cr, COVER_RIGHT, y);
    cairo_stroke(cr);
    y = COVER_TOP;
    for (size_t i = first; i < b->n && i < first + COVER_ROWS; i++) {
        const struct item *it = &b->v[i];
        char no[32], day[MR_DAY_SIZE], flags[256], hand[MR_DAY_SIZE],
            reply[MR_DAY_SIZE], pages[48];
        const char *cells[8];
        int marked = it->risk || it->repeat;

        snprintf(no, sizeof(no), "%s%zu", marked ? "★" : "", i + 1);
        mr_day_text(it->due.received, day);
        flags_text(it, flags, sizeof(flags));
        mr_day_text(it->due.handover_due, hand);
        mr_day_text(it->due.result_due, reply);
        snprintf(pages, sizeof(pages), _("pages %d-%d"), it->first_pdf,
                 it->last_pdf);
        cells[0] = no;
        cells[1] = it->code;
        cells[2] = day;
        cells[3] = it->writer ? it->writer : "-";
        cells[4] = it->summary;
        cells[5] = flags;
        cells[6] = hand;
        cells[7] = reply;
        for (int c = 0; c < 8; c++)
            cell(cr, f[marked ? 1 : 2], cells[c], col_x[c], y,
                 c < 7 ? COL_W(c) : COVER_RIGHT - col_x[c], c == 1 ? 1 : 2);
        cell(cr, f[2], pages, col_x[1], y + 55, COL_W(1) + COL_W(2) + 20, 1);
        y += COVER_ROW;
    }
}

/*
 * Write the cover of bundle b to path: a PDF of real text (Pango on
 * Cairo, fonts embedded), so that it reads and searches exactly.
 */
static int
write_cover(const struct bundle *b, const char *path, struct mr_err *err)
{
    cairo_surface_t *s = cairo_pdf_surface_create(
        path, COVER_W * 72.0 / COVER_DPI, COVER_H * 72.0 / COVER_DPI);
    cairo_t *cr = cairo_create(s);
    PangoFontDescription *f[3] = {
        pango_font_description_from_string(COVER_FONT " Bold 15"),
        pango_font_description_from_string(COVER_FONT " Bold 7.5"),
        pango_font_description_from_string(COVER_FONT " 7.5")};
    int rc = 0;

    cairo_scale(cr, 72.0 / COVER_DPI, 72.0 / COVER_DPI);
    for (int k = 0; k < b->ncover; k++) {
        cover_page(b, cr, k, f);
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = mr_fail(err, MR_EIO, _("cannot write '%s': %s"), path,
                     cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    for (int i = 0; i < 3; i++)
        pango_font_description_free(f[i]);
    return rc;
}

/* Say what qpdf found wrong with q, if anything; 0 when nothing. */
static int
qpdf_failed(qpdf_data q, const char *path, struct mr_err *err)
{
    if (!qpdf_has_error(q))
        return 0;
    return mr_fail(err, MR_EIO, _("cannot join '%s': %s"), path,
                   qpdf_get_error_full_text(q, qpdf_get_error(q)));
}

/* Join the cover PDF and the pages PDF into out (cover first), with qpdf. */
static int
join(const char *cover, const char *pages, const char *out, struct mr_err *err)
{
    qpdf_data q = qpdf_init(), c = qpdf_init();
    qpdf_oh first;
    int rc = 0, n;

    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    qpdf_set_suppress_warnings(c, QPDF_TRUE);
    qpdf_read(q, pages, NULL);
    rc = qpdf_failed(q, pages, err);
    if (!rc) {
        qpdf_read(c, cover, NULL);
        rc = qpdf_failed(c, cover, err);
    }
    n = rc ? 0 : qpdf_get_num_pages(c);
    if (!rc && qpdf_get_num_pages(q) > 0) {
        first = qpdf_get_page_n(q, 0);
        for (int i = 0; !rc && i < n; i++) {
            qpdf_add_page_at(q, c, qpdf_get_page_n(c, (size_t)i), QPDF_TRUE,
                             first);
            rc = qpdf_failed(q, cover, err);
        }
    }
    if (!rc) {
        qpdf_init_write(q, out);
        if (!qpdf_has_error(q))
            qpdf_write(q);
        rc = qpdf_failed(q, out, err);
    }
    qpdf_cleanup(&c);
    qpdf_cleanup(&q);
    return rc;
}

/* Name the letter and page of a failure in err (which holds it). */
static int
page_failed(const struct item *it, size_t j, struct mr_err *err)
{
    char why[sizeof(err->msg)];
    int code = err->code;

    snprintf(why, sizeof(why), "%s", err->msg);
    mr_err_clear(err);
    return mr_fail(err, code, _("letter %s, page %zu of %zu: %s"), it->code,
                   j + 1, it->npages, why);
}

/*
 * Write the PDF of bundle b to b->pdf_part: the cover, then every
 * letter's pages as Tesseract's renderer makes them.
 */
static int
write_pdf(struct bundle *b, struct arc *a, struct ocr_engine *ocr,
          struct mr_err *err)
{
    struct ocr_redact redact = {mr_redact_words, NULL};
    struct ocr_pdf *pdf = NULL;
    char title[200], box[160];
    int done = 0, rc = 0;

    box_title(b->c, b->mailbox, box, sizeof(box));
    snprintf(title, sizeof(title), _("Letters handed over to %s, %s"), box,
             b->day);
    pdf = ocr_pdf_begin(ocr, b->pages_base, title, err);
    if (!pdf)
        return err->code;
    for (size_t i = 0; !rc && i < b->n; i++)
        for (size_t j = 0; !rc && j < b->v[i].npages; j++) {
            struct mr_page page;
            PIX *pix = NULL;

            if (mr_interrupted) {
                rc = mr_fail(err, MR_EINTR, _("interrupted"));
                break;
            }
            mr_page_init(&page);
            rc = arc_page_load(a, b->v[i].pages[j], &pix, err);
            if (!rc)
                rc = ocr_pdf_add(pdf, pix, &page, b->who ? NULL : &redact, err);
            if (rc)
                rc = page_failed(&b->v[i], j, err);
            mr_page_release(&page);
            pixDestroy(&pix);
            done++;
            if (b->cli->progress) {
                fprintf(stderr, "\r\033[K");
                fprintf(stderr, _("bundle %s: page %d of %d"), b->mailbox, done,
                        b->pages - b->ncover);
                fflush(stderr);
            }
        }
    if (b->cli->progress)
        fprintf(stderr, "\r\033[K");
    if (rc)
        ocr_pdf_abort(&pdf);
    else
        rc = ocr_pdf_end(&pdf, err);
    if (!rc)
        rc = write_cover(b, b->cover_part, err);
    if (!rc)
        rc = join(b->cover_part, b->pages_part, b->pdf_part, err);
    unlink(b->cover_part);
    unlink(b->pages_part);
    return rc;
}

/* The manifest of bundle b as JSON text (malloc'd), or NULL. */
static char *
manifest(const struct bundle *b, struct mr_err *err)
{
    json_t *root = json_object(), *letters = json_array();
    const struct cls_mailbox *m = cls_catalog_find(b->c, b->mailbox);
    char *text = NULL;

    if (!root || !letters)
        goto out;
    json_object_set_new(root, "mailbox", json_string(b->mailbox));
    json_object_set_new(root, "mailbox_name",
                        m ? json_string(m->name_zh) : json_null());
    json_object_set_new(root, "handed_over", json_string(b->created));
    json_object_set_new(root, "handed_over_by",
                        json_string(mr_reviewer(b->cli)));
    json_object_set_new(root, "pdf", json_string(strrchr(b->pdf, '/') + 1));
    json_object_set_new(root, "pdf_sha256", json_string(b->sha256));
    json_object_set_new(root, "pdf_pages", json_integer(b->pages));
    json_object_set_new(root, "cover_pages", json_integer(b->ncover));
    json_object_set_new(root, "numbers_masked", json_boolean(!b->who));
    for (size_t i = 0; i < b->n; i++) {
        const struct item *it = &b->v[i];
        json_t *l = json_object();
        char hand[MR_DAY_SIZE], reply[MR_DAY_SIZE];

        if (!l)
            goto out;
        mr_day_text(it->due.handover_due, hand);
        mr_day_text(it->due.result_due, reply);
        json_object_set_new(l, "tracking_code", json_string(it->code));
        json_object_set_new(l, "received", json_string(it->received));
        json_object_set_new(l, "writer",
                            it->writer ? json_string(it->writer) : json_null());
        json_object_set_new(l, "summary", json_string(it->summary));
        json_object_set_new(l, "risk",
                            it->risk ? json_string(it->risk) : json_null());
        json_object_set_new(l, "repeat", json_boolean(it->repeat));
        json_object_set_new(l, "repeat_of",
                            it->repeat_of ? json_string(it->repeat_of)
                                          : json_null());
        json_object_set_new(l, "simple_handling", json_boolean(it->simple));
        json_object_set_new(l, "handover_due", json_string(hand));
        json_object_set_new(l, "reply_due", json_string(reply));
        json_object_set_new(l, "pages", json_integer((json_int_t)it->npages));
        json_object_set_new(l, "pdf_first_page", json_integer(it->first_pdf));
        json_object_set_new(l, "pdf_last_page", json_integer(it->last_pdf));
        json_array_append_new(letters, l);
    }
    json_object_set(root, "letters", letters);
    text = json_dumps(root, JSON_INDENT(2));
out:
    if (!text)
        mr_fail(err, MR_ENOMEM, _("out of memory"));
    json_decref(letters);
    json_decref(root);
    return text;
}

/*
 * Sync file path to disk and hash it: its SHA-256 into hex (65 bytes),
 * read in pieces (a bundle may be hundreds of megabytes).
 */
static int
sync_and_hash(const char *path, char *hex, struct mr_err *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char buf[1 << 16], h[EVP_MAX_MD_SIZE];
    unsigned hlen = 0;
    int fd = open(path, O_RDONLY), rc = 0;
    ssize_t n;

    if (fd < 0 || fsync(fd))
        rc = mr_fail(err, MR_EIO, _("cannot write '%s': %s"), path,
                     strerror(errno));
    else if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    while (!rc && (n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0)
            rc = mr_fail(err, MR_EIO, _("cannot read '%s': %s"), path,
                         strerror(errno));
        else if (!EVP_DigestUpdate(md, buf, (size_t)n))
            rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    }
    if (!rc && !EVP_DigestFinal_ex(md, h, &hlen))
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
    for (unsigned i = 0; !rc && i < hlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(md);
    return rc;
}

/* Sync directory dir, so that renames in it survive a crash. */
static int
sync_dir(const char *dir, struct mr_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY), rc = 0;

    if (fd < 0 || fsync(fd))
        rc = mr_fail(err, MR_EIO, _("cannot sync '%s': %s"), dir,
                     strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/*
 * The hidden names of bundle file pdf (".../NAME.pdf"): the PDF
 * ".../.NAME.part.pdf" and the manifest ".../.NAME.json", malloc'd.
 */
static int
hidden_names(const char *pdf, char **ppdf_part, char **pjson_part,
             struct mr_err *err)
{
    const char *slash = strrchr(pdf, '/');
    int dir = slash ? (int)(slash - pdf + 1) : 0;
    size_t len = strlen(pdf), size = len + 16;
    int name = (int)(len - (size_t)dir) - 4; /* without ".pdf" */

    *ppdf_part = malloc(size);
    *pjson_part = malloc(size);
    if (!*ppdf_part || !*pjson_part || name <= 0)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    snprintf(*ppdf_part, size, "%.*s.%.*s.part.pdf", dir, pdf, name, pdf + dir);
    snprintf(*pjson_part, size, "%.*s.%.*s.json", dir, pdf, name, pdf + dir);
    return 0;
}

/* Rename the hidden files of bundle pdf (with manifest json) into place. */
static int
publish(const char *pdf_part, const char *pdf, const char *json_part,
        const char *json, struct mr_err *err)
{
    char *dir = mr_strdup(pdf, err);
    int rc = 0;

    if (!dir)
        return err->code;
    if (rename(pdf_part, pdf))
        rc = mr_fail(err, MR_EIO, _("cannot move '%s' into place: %s"), pdf,
                     strerror(errno));
    else if (rename(json_part, json) && errno != ENOENT)
        rc = mr_fail(err, MR_EIO, _("cannot move '%s' into place: %s"), json,
                     strerror(errno));
    if (!rc && strrchr(dir, '/')) {
        *strrchr(dir, '/') = '\0';
        rc = sync_dir(dir, err);
    }
    free(dir);
    return rc;
}

int
mr_bundle_cut_off(const char *dir, const char *path)
{
    char *pdf = NULL, *pdf_part = NULL, *json_part = NULL;
    size_t size = strlen(dir) + strlen(path) + 2;
    int cut = 0;

    pdf = malloc(size);
    if (!pdf)
        return 0;
    if (*path == '/')
        snprintf(pdf, size, "%s", path);
    else
        snprintf(pdf, size, "%s/%s", dir, path);
    if (access(pdf, F_OK) && errno == ENOENT &&
        !hidden_names(pdf, &pdf_part, &json_part, NULL))
        cut = access(pdf_part, F_OK) == 0;
    free(pdf);
    free(pdf_part);
    free(json_part);
    return cut;
}

/* finish_bundles' state. */
struct finish {
    struct arc *a;
    int missing;
    struct mr_err err;
};

/*
 * A bundle recorded whose PDF is not in place: a run cut off between
 * the record and the renames.  Put its files in place now.
 */
static int
finish_one(int64_t id, const char *path, void *ctx)
{
    struct finish *f = ctx;
    char *pdf = NULL, *json = NULL, *pdf_part = NULL, *json_part = NULL;
    size_t size = strlen(arc_dir(f->a)) + strlen(path) + 2;
    int rc = 0;

    pdf = malloc(size);
    if (!pdf)
        return mr_fail(&f->err, MR_ENOMEM, _("out of memory"));
    if (*path == '/')
        snprintf(pdf, size, "%s", path);
    else
        snprintf(pdf, size, "%s/%s", arc_dir(f->a), path);
    if (access(pdf, F_OK) == 0)
        goto out;
    rc = hidden_names(pdf, &pdf_part, &json_part, &f->err);
    if (!rc && !(json = malloc(size + 1)))
        rc = mr_fail(&f->err, MR_ENOMEM, _("out of memory"));
    if (rc)
        goto out;
    snprintf(json, size + 1, "%.*s.json", (int)strlen(pdf) - 4, pdf);
    if (access(pdf_part, F_OK)) {
        mr_log(MR_LOG_WARN, _("bundle %lld: '%s' is missing"), (long long)id,
               pdf);
        f->missing++;
    } else if (publish(pdf_part, pdf, json_part, json, &f->err)) {
        mr_log(MR_LOG_WARN, _("bundle %lld: %s"), (long long)id, f->err.msg);
        mr_err_clear(&f->err);
        f->missing++;
    } else {
        mr_log(MR_LOG_WARN,
               _("bundle %lld was recorded by a run cut off before its files "
                 "were in place: now they are ('%s')"),
               (long long)id, pdf);
    }
out:
    free(pdf);
    free(json);
    free(pdf_part);
    free(json_part);
    return rc;
}

/* "dir/name" + suffix, malloc'd. */
static char *
path_of(const char *dir, const char *name, const char *suffix,
        struct mr_err *err)
{
    size_t size = strlen(dir) + strlen(name) + strlen(suffix) + 3;
    char *p = malloc(size);

    if (!p)
        mr_fail(err, MR_ENOMEM, _("out of memory"));
    else
        snprintf(p, size, "%s/%s%s", dir, name, suffix);
    return p;
}

/*
 * Choose the folder (--out, else the archive's bundles/, and the day) and
 * a name no file has yet for bundle b, and its files' paths.
 */
static int
place(struct bundle *b, struct arc *a, struct mr_err *err)
{
    char stamp[MR_TIME_SIZE], hidden[128], *root = NULL;
    int rc, k;

    if (!b->cli->out)
        root = path_of(arc_dir(a), "bundles", "", err);
    else if (b->cli->out[0] == '/')
        root = mr_strdup(b->cli->out, err);
    else if (!arc_mkdir_p(b->cli->out, err)) /* recorded as a full path */
        root = realpath(b->cli->out, NULL);
    if (!root)
        return err->code ? err->code
                         : mr_fail(err, MR_EIO, _("cannot use '%s': %s"),
                                   b->cli->out, strerror(errno));
    b->dir = path_of(root, b->day, "", err);
    free(root);
    if (!b->dir)
        return err->code;
    rc = arc_mkdir_p(b->dir, err);
    if (rc)
        return rc;
    /* 2026-05-03T09:00:00Z -> 20260503T090000Z */
    snprintf(stamp, sizeof(stamp), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", b->created,
             b->created + 5, b->created + 8, b->created + 11, b->created + 14,
             b->created + 17);
    for (k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(b->name, sizeof(b->name), "%s-%s", b->mailbox, stamp);
        else
            snprintf(b->name, sizeof(b->name), "%s-%s-%d", b->mailbox, stamp,
                     k);
        free(b->pdf);
        free(b->json);
        b->pdf = path_of(b->dir, b->name, ".pdf", err);
        b->json = path_of(b->dir, b->name, ".json", err);
        if (!b->pdf || !b->json)
            return err->code;
        if (access(b->pdf, F_OK) && access(b->json, F_OK))
            break;
    }
    if (k == 1000)
        return mr_fail(err, MR_EIO, _("'%s' has too many bundles named '%s'"),
                       b->dir, b->name);
    rc = hidden_names(b->pdf, &b->pdf_part, &b->json_part, err);
    if (rc)
        return rc;
    snprintf(hidden, sizeof(hidden), ".%s.pages", b->name);
    b->pages_base = path_of(b->dir, hidden, "", err);
    b->pages_part = path_of(b->dir, hidden, ".pdf", err);
    snprintf(hidden, sizeof(hidden), ".%s.cover.pdf", b->name);
    b->cover_part = path_of(b->dir, hidden, "", err);
    return b->pages_base && b->pages_part && b->cover_part ? 0 : err->code;
}

/* The PDF's path as the archive records it: inside the archive, relative. */
static const char *
recorded_path(struct arc *a, const char *pdf)
{
    size_t n = strlen(arc_dir(a));

    return !strncmp(pdf, arc_dir(a), n) && pdf[n] == '/' ? pdf + n + 1 : pdf;
}

/*
 * For a bundle made by who with --unmasked: the audit row naming its n
 * letters codes, before anything of it is written.
 */
static int
audit_unmasked(struct arc *a, const char *who,
               const char (*codes)[ARC_CODE_SIZE], size_t n, struct mr_err *err)
{
    char *list = malloc(n * ARC_CODE_SIZE + 1);
    size_t used = 0;
    int rc;

    if (!list)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    list[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(list + used, n * ARC_CODE_SIZE + 1 - used,
                                 "%s%s", i ? "," : "", codes[i]);
    rc = arc_audit_unmasked(a, who, "bundle", list, err);
    free(list);
    return rc;
}

/*
 * Make, write and record the bundle of the n letters v of one mailbox;
 * who: as struct bundle's.
 */
static int
make_bundle(const struct mr_cli *cli, const struct cls_catalog *c,
            struct arc *a, struct ocr_engine *ocr, const char *who,
            struct item *v, size_t n, struct mr_err *err)
{
    struct bundle b;
    struct arc_bundle rec;
    char(*codes)[ARC_CODE_SIZE] = NULL, *json = NULL;
    int64_t id = 0;
    int rc, page;

    memset(&b, 0, sizeof(b));
    b.cli = cli;
    b.who = who;
    b.c = c;
    b.v = v;
    b.n = n;
    b.mailbox = v[0].mailbox;
    rc = mr_time_text(mr_now(), b.created, err);
    if (rc)
        return rc;
    mr_day_text(cls_catalog_day(c, mr_now()), b.day);
    b.ncover = (int)((n + COVER_ROWS - 1) / COVER_ROWS);
    page = b.ncover;
    for (size_t i = 0; i < n; i++) {
        v[i].first_pdf = page + 1;
        page += (int)v[i].npages;
        v[i].last_pdf = page;
    }
    b.pages = page;
    codes = calloc(n, sizeof(*codes));
    if (!codes) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(codes[i], v[i].code, ARC_CODE_SIZE);
    rc = place(&b, a, err);
    if (!rc && who)
        rc =
            audit_unmasked(a, who, (const char(*)[ARC_CODE_SIZE])codes, n, err);
    if (!rc)
        rc = write_pdf(&b, a, ocr, err);
    if (!rc)
        rc = sync_and_hash(b.pdf_part, b.sha256, err);
    if (!rc && !(json = manifest(&b, err)))
        rc = err->code;
    if (!rc)
        rc = arc_write_atomic(b.json_part, json, strlen(json), err);
    if (!rc) {
        rec.mailbox = b.mailbox;
        rec.created = b.created;
        rec.path = recorded_path(a, b.pdf);
        rec.sha256 = b.sha256;
        rec.pages = b.pages;
        rc = arc_bundle_add(a, &rec, (const char(*)[ARC_CODE_SIZE])codes, n,
                            mr_reviewer(cli), &id, err);
    }
    if (rc)
        goto out;
    /* Recorded: from here on the files are the bundle's, come what may. */
    if (publish(b.pdf_part, b.pdf, b.json_part, b.json, err)) {
        char why[sizeof(err->msg)];

        snprintf(why, sizeof(why), "%s", err->msg);
        mr_err_clear(err);
        rc = mr_fail(err, MR_EIO,
                     _("bundle %lld is recorded, its letters handed over, but "
                       "%s; run 'mailroom bundle' again to finish it"),
                     (long long)id, why);
        goto out;
    }
    printf("%s\t%zu\t%d\t%s\n", b.mailbox, n, b.pages, b.pdf);
out:
    if (rc && !id) {
        mr_log(MR_LOG_ERROR, _("bundle for %s not made: %s"), b.mailbox,
               err->msg);
        if (b.pdf_part)
            unlink(b.pdf_part);
        if (b.json_part)
            unlink(b.json_part);
    } else if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err->msg);
    }
    free(json);
    free(codes);
    free(b.dir);
    free(b.pdf);
    free(b.json);
    free(b.pdf_part);
    free(b.json_part);
    free(b.pages_base);
    free(b.pages_part);
    free(b.cover_part);
    return rc;
}

/*
 * Give back what Pango, Cairo and fontconfig keep for the rest of the
 * process once a cover was drawn (a leak checker would count it).
 */
static void
fonts_release(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}

int
mr_cmd_bundle(const struct mr_cli *cli)
{
    struct mr_judge judge = {NULL, NULL};
    struct ocr_engine *ocr = NULL;
    struct finish fin = {NULL, 0, MR_ERR_INIT};
    struct waiting w;
    struct arc *a = NULL;
    int rc, failed = 0, made = 0;

    memset(&w, 0, sizeof(w));
    w.err = (struct mr_err)MR_ERR_INIT;
    if (!mr_reviewer(cli))
        return MR_EXIT_USAGE;
    rc = mr_unmasked_who(cli, &w.who);
    if (rc)
        return rc;
    rc = mr_judge_open(cli, &judge);
    if (rc)
        return rc;
    w.c = judge.catalog;
    rc = mr_mailbox_check(w.c, cli->mailbox, 0);
    if (rc)
        goto out;
    w.mailbox = cli->mailbox;
    w.today = cls_catalog_day(w.c, mr_now());
    /* --date names a day of the office's calendar: its number is its own. */
    w.until = cli->date ? (long)(mr_time_of(cli->date) / 86400) : -1;
    a = mr_archive_existing(cli, &rc);
    if (!a)
        goto out;
    fin.a = a;
    if (arc_bundle_each(a, finish_one, &fin, &fin.err) ||
        arc_letter_each(a, collect, &w, &w.err)) {
        mr_log(MR_LOG_ERROR, "%s", fin.err.code ? fin.err.msg : w.err.msg);
        rc = mr_exit_code(fin.err.code ? fin.err.code : w.err.code);
        goto out;
    }
    if (!w.n) {
        fprintf(stderr,
                _("no confirmed letter is waiting to be handed over\n"));
        rc = fin.missing ? MR_EXIT_IOERR : MR_EXIT_OK;
        goto out;
    }
    qsort(w.v, w.n, sizeof(*w.v), by_box_flags_age);
    ocr = ocr_engine_new(NULL, cli->langs, &w.err);
    if (!ocr) {
        mr_log(MR_LOG_ERROR, "%s", w.err.msg);
        rc = mr_exit_code(w.err.code);
        goto out;
    }
    for (size_t i = 0; i < w.n;) {
        size_t j = i;
        struct mr_err err = MR_ERR_INIT;

        while (j < w.n && !strcmp(w.v[j].mailbox, w.v[i].mailbox))
            j++;
        rc = make_bundle(cli, w.c, a, ocr, w.who, &w.v[i], j - i, &err);
        made = 1;
        if (rc) {
            failed = rc;
            if (rc == MR_EDB || rc == MR_EBUSY || rc == MR_ENOMEM ||
                rc == MR_EINTR)
                break;
        }
        i = j;
    }
    rc = failed        ? mr_exit_code(failed)
         : fin.missing ? MR_EXIT_IOERR
                       : MR_EXIT_OK;
out:
    for (size_t i = 0; i < w.n; i++)
        item_release(&w.v[i]);
    free(w.v);
    ocr_engine_destroy(&ocr);
    arc_close(&a);
    mr_judge_close(&judge);
    if (made)
        fonts_release();
    return rc;
}
