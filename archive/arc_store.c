/*
 * Page image files of the archive: files kept as delivered, lossless
 * encoding, SHA-256, atomic writes and export.  Invariants: a file appears
 * under its final name only complete and synced (.part, fsync, rename,
 * fsync of the directory); no .part file outlives a failed write; a stored
 * file is handed out only after its bytes matched the SHA-256 in the
 * index; its extension is its img_format's (.tif, .png, .jpg).
 */
#include "archive/arc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <openssl/evp.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

char *
arc_path_join(const char *dir, const char *name, struct mr_err *err)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *s = malloc(n);

    if (!s) {
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* fsync the directory holding path, so a rename in it is durable. */
static int
sync_parent(const char *path, struct mr_err *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    int fd = -1, rc = 0;

    if (!slash)
        dir = mr_strdup(".", err);
    else if (slash == path)
        dir = mr_strdup("/", err);
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd)) {
        rc = mr_fail(err, MR_EIO, _("cannot sync directory '%s': %s"), dir,
                     strerror(errno));
        goto out;
    }
out:
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

int
arc_mkdir_p(const char *path, struct mr_err *err)
{
    char *p = NULL;
    struct stat sb;
    int rc = 0;

    if (!*path) {
        rc = mr_fail(err, MR_EIO, _("no directory name given"));
        goto out;
    }
    p = mr_strdup(path, err);
    if (!p) {
        rc = MR_ENOMEM;
        goto out;
    }
    /*
     * Create each parent in turn, then path itself; sync the parent of
     * each new directory so that it survives a crash.
     */
    for (char *s = p + 1;; s++) {
        char c = *s;

        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) == 0) {
            rc = sync_parent(p, err);
            if (rc)
                goto out;
        } else if (errno != EEXIST) {
            rc = mr_fail(err, MR_EIO, _("cannot create directory '%s': %s"), p,
                         strerror(errno));
            goto out;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (stat(path, &sb) || !S_ISDIR(sb.st_mode))
        rc = mr_fail(err, MR_EIO, _("'%s' is not a directory"), path);
out:
    free(p);
    return rc;
}

int
arc_image_encode(struct Pix *pix, unsigned char **pdata, size_t *psize,
                 const char **pformat, const char **pext, struct mr_err *err)
{
    l_uint8 *data = NULL;
    size_t size = 0;
    int depth = pixGetDepth(pix);
    int bad;

    *pdata = NULL;
    *psize = 0;
    *pformat = NULL;
    *pext = NULL;
    if (depth == 1) {
        bad = pixWriteMemTiff(&data, &size, pix, IFF_TIFF_G4);
        *pformat = "tiff-g4";
        *pext = "tif";
    } else {
        /* 16 bpp stays 16-bit in the PNG; see read_pix(). */
        bad = pixWriteMemPng(&data, &size, pix, 0.0);
        *pformat = "png";
        *pext = "png";
    }
    if (bad || !data) {
        lept_free(data);
        return mr_fail(err, MR_EFORMAT, _("cannot encode a %d bpp page as %s"),
                       depth, *pformat);
    }
    *pdata = data;
    *psize = size;
    return 0;
}

/* The formats kept as delivered: img_format, extension, Leptonica IFF_*. */
static const struct {
    const char *format, *ext;
    int iff;
} kept[] = {
    {"png", "png", IFF_PNG},
    {"jpeg", "jpg", IFF_JFIF_JPEG},
};

int
arc_image_delivered(const struct arc_image *img, struct Pix *pix, int seq,
                    const char **pformat, const char **pext, struct mr_err *err)
{
    size_t n = sizeof(kept) / sizeof(*kept), i;
    l_int32 iff = IFF_UNKNOWN, w = 0, h = 0;

    *pformat = NULL;
    *pext = NULL;
    for (i = 0; i < n && img->format; i++)
        if (!strcmp(img->format, kept[i].format))
            break;
    if (MR_NEVER(!img->format || i == n || !img->data))
        return mr_fail(err, MR_EINVAL,
                       _("bug: cannot keep '%s' files as delivered"),
                       img->format ? img->format : "");
    /* Reads the header only: the caller decoded these very bytes. */
    if (pixReadHeaderMem(img->data, img->size, &iff, &w, &h, NULL, NULL,
                         NULL) ||
        iff != kept[i].iff || w != pixGetWidth(pix) || h != pixGetHeight(pix))
        return mr_fail(err, MR_EINVAL,
                       _("cannot add page %d: the delivered file is not a "
                         "%s image of the page"),
                       seq, img->format);
    *pformat = kept[i].format;
    *pext = kept[i].ext;
    return 0;
}

/* The hex digits of md (mdlen bytes) into hex. */
static void
to_hex(const unsigned char *md, unsigned int mdlen, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned int i = 0; i < mdlen; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * mdlen] = '\0';
}

int
arc_sha256_hex(const void *data, size_t size, char *hex, struct mr_err *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    hex[0] = '\0';
    if (EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        MR_NEVER(mdlen != 32))
        return mr_fail(err, MR_EIO, _("cannot compute a SHA-256"));
    to_hex(md, mdlen, hex);
    return 0;
}

int
arc_sha256_file(const char *path, char *hex, struct mr_err *err)
{
    unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = NULL;
    ssize_t n = 0;
    int fd, rc = 0;

    hex[0] = '\0';
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mr_fail(err, errno == ENOENT ? MR_ENOTFOUND : MR_EIO,
                       _("cannot read '%s': %s"), path, strerror(errno));
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = mr_fail(err, MR_EIO, _("cannot compute a SHA-256"));
        goto out;
    }
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mr_fail(err, MR_EIO, _("cannot read '%s': %s"), path,
                         strerror(errno));
            goto out;
        }
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
            rc = mr_fail(err, MR_EIO, _("cannot compute a SHA-256"));
            goto out;
        }
    }
    if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || MR_NEVER(mdlen != 32)) {
        rc = mr_fail(err, MR_EIO, _("cannot compute a SHA-256"));
        goto out;
    }
    to_hex(md, mdlen, hex);
out:
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

int
arc_write_atomic(const char *path, const void *data, size_t size,
                 struct mr_err *err)
{
    const unsigned char *p = data;
    char *part = NULL;
    size_t plen = strlen(path) + sizeof(".part");
    int fd = -1, rc = 0;

    part = malloc(plen);
    if (!part) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    snprintf(part, plen, "%s.part", path);
    fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = mr_fail(err, MR_EIO, _("cannot create '%s': %s"), part,
                     strerror(errno));
        goto out;
    }
    while (size > 0) {
        ssize_t n = write(fd, p, size);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = mr_fail(err, MR_EIO, _("cannot write '%s': %s"), part,
                         n < 0 ? strerror(errno) : _("nothing written"));
            goto out;
        }
        p += n;
        size -= (size_t)n;
    }
    if (fsync(fd)) {
        rc = mr_fail(err, MR_EIO, _("cannot sync '%s': %s"), part,
                     strerror(errno));
        goto out;
    }
    rc = close(fd);
    fd = -1;
    if (rc) {
        rc = mr_fail(err, MR_EIO, _("cannot write '%s': %s"), part,
                     strerror(errno));
        goto out;
    }
    if (rename(part, path)) {
        rc = mr_fail(err, MR_EIO, _("cannot rename '%s' to '%s': %s"), part,
                     path, strerror(errno));
        goto out;
    }
    rc = sync_parent(path, err);
    if (rc)
        unlink(path);
out:
    if (fd >= 0)
        close(fd);
    if (rc && part)
        unlink(part);
    free(part);
    return rc;
}

int
arc_read_file(const char *path, unsigned char **pdata, size_t *psize,
              struct mr_err *err)
{
    unsigned char *data = NULL;
    size_t size = 0, cap = 0;
    int fd = -1, rc = 0;

    *pdata = NULL;
    *psize = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = mr_fail(err, MR_EIO, _("cannot open '%s': %s"), path,
                     strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t n;

        if (size == cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            unsigned char *d = realloc(data, ncap);

            if (!d) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                goto out;
            }
            data = d;
            cap = ncap;
        }
        n = read(fd, data + size, cap - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mr_fail(err, MR_EIO, _("cannot read '%s': %s"), path,
                         strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        size += (size_t)n;
    }
    *pdata = data;
    *psize = size;
    data = NULL;
out:
    if (fd >= 0)
        close(fd);
    free(data);
    return rc;
}

/* The extension of path (after the last dot of its last part), or "". */
static const char *
path_ext(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');

    return dot ? dot + 1 : "";
}

/*
 * The Leptonica format for an export to ext, given the page depth, and
 * whether ext is a TIFF extension.  -1 for an extension we do not write.
 */
static int
export_format(const char *ext, int depth, int *ptiff)
{
    *ptiff = 0;
    if (!strcasecmp(ext, "png"))
        return IFF_PNG;
    if (!strcasecmp(ext, "tif") || !strcasecmp(ext, "tiff")) {
        *ptiff = 1;
        return depth == 1 ? IFF_TIFF_G4 : IFF_TIFF_ZIP;
    }
    if (!strcasecmp(ext, "jpg") || !strcasecmp(ext, "jpeg"))
        return IFF_JFIF_JPEG;
    if (!strcasecmp(ext, "pnm") || !strcasecmp(ext, "pgm") ||
        !strcasecmp(ext, "ppm") || !strcasecmp(ext, "pbm"))
        return IFF_PNM;
    return -1;
}

/* The extension of a stored file of format img_format, or "". */
static const char *
stored_ext(const char *img_format)
{
    if (!strncmp(img_format, "tiff-", 5))
        return "tif";
    for (size_t i = 0; i < sizeof(kept) / sizeof(*kept); i++)
        if (!strcmp(img_format, kept[i].format))
            return kept[i].ext;
    return "";
}

/* Why Leptonica failed, as far as it told us. */
static const char *
library_why(void)
{
    const char *why = mr_library_message();

    return *why ? why : _("not a supported image");
}

/*
 * Leptonica reads 16-bit PNG as 8 bits unless told otherwise; the switch
 * is global, so it is put back to Leptonica's default at once.
 */
struct Pix *
arc_image_decode(const unsigned char *data, size_t size)
{
    struct Pix *pix;

    mr_library_message_clear();
    l_pngSetReadStrip16To8(0);
    pix = pixReadMem(data, size);
    l_pngSetReadStrip16To8(1);
    return pix;
}

/* A stored img_path must stay inside the archive directory. */
static int
rel_path_ok(const char *rel)
{
    if (rel[0] == '\0' || rel[0] == '/')
        return 0;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

int
arc_page_file(struct arc *a, int64_t page_id, unsigned char **pdata,
              size_t *psize, char **ppath, char **pformat, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_PAGE_FILE];
    char *rel = NULL, *sha = NULL;
    char hex[65];
    int rc;

    *pdata = NULL;
    *psize = 0;
    *ppath = NULL;
    *pformat = NULL;
    rc = arc_bind_int(a, st, ":id", page_id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc < 0)
        goto out;
    if (rc == 0) {
        rc = mr_fail(err, MR_ENOTFOUND, _("no page with id %lld"),
                     (long long)page_id);
        goto out;
    }
    rc = arc_column_dup(st, 0, &rel, err);
    if (!rc)
        rc = arc_column_dup(st, 1, pformat, err);
    if (!rc)
        rc = arc_column_dup(st, 2, &sha, err);
    arc_stmt_done(st);
    if (rc)
        goto out;
    if (!rel || !*pformat || !sha || !rel_path_ok(rel)) {
        rc = mr_fail(err, MR_EIO, _("page %lld has a damaged index entry"),
                     (long long)page_id);
        goto out;
    }
    *ppath = arc_path_join(a->dir, rel, err);
    if (!*ppath) {
        rc = MR_ENOMEM;
        goto out;
    }
    rc = arc_read_file(*ppath, pdata, psize, err);
    if (!rc)
        rc = arc_sha256_hex(*pdata, *psize, hex, err);
    if (!rc && strcmp(hex, sha) != 0)
        rc = mr_fail(err, MR_EIO,
                     _("'%s' is damaged: checksum does not match the "
                       "archive index"),
                     *ppath);
out:
    arc_stmt_done(st);
    if (rc) {
        free(*pdata);
        *pdata = NULL;
        free(*ppath);
        *ppath = NULL;
        free(*pformat);
        *pformat = NULL;
    }
    free(sha);
    free(rel);
    return rc;
}

int
arc_page_load(struct arc *a, int64_t page_id, struct Pix **ppix,
              struct mr_err *err)
{
    unsigned char *data = NULL;
    char *path = NULL, *format = NULL;
    size_t size = 0;
    int rc;

    *ppix = NULL;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = arc_page_file(a, page_id, &data, &size, &path, &format, err);
    if (rc)
        return rc;
    *ppix = arc_image_decode(data, size);
    if (!*ppix)
        rc = mr_fail(err, MR_EFORMAT, _("cannot decode '%s': %s"), path,
                     library_why());
    free(data);
    free(path);
    free(format);
    return rc;
}

int
arc_page_export(struct arc *a, int64_t page_id, const char *out_path,
                struct mr_err *err)
{
    char *format = NULL, *path = NULL;
    unsigned char *data = NULL;
    l_uint8 *out = NULL;
    size_t size = 0, outsize = 0;
    struct Pix *pix = NULL;
    const char *ext, *stored, *wanted;
    int want_tiff, iff, rc;

    if (MR_NEVER(!a || !out_path))
        return mr_fail(err, MR_EINVAL, _("no export file given"));
    ext = path_ext(out_path);
    iff = export_format(ext, 8, &want_tiff);
    if (iff < 0)
        return mr_fail(err, MR_EINVAL,
                       _("cannot export to '%s': unknown file "
                         "extension (use .png, .tif, .jpg or .pnm)"),
                       out_path);
    rc = arc_page_file(a, page_id, &data, &size, &path, &format, err);
    if (rc)
        goto out;

    /* Same kind of file as stored: hand out the verified bytes. */
    stored = stored_ext(format);
    wanted = want_tiff              ? "tif"
             : iff == IFF_PNG       ? "png"
             : iff == IFF_JFIF_JPEG ? "jpg"
                                    : "-";
    if (!strcmp(stored, wanted)) {
        rc = arc_write_atomic(out_path, data, size, err);
        goto out;
    }

    pix = arc_image_decode(data, size);
    if (!pix) {
        rc = mr_fail(err, MR_EFORMAT, _("cannot decode '%s': %s"), path,
                     library_why());
        goto out;
    }
    iff = export_format(ext, pixGetDepth(pix), &want_tiff);
    if (pixWriteMem(&out, &outsize, pix, iff) || !out) {
        rc = mr_fail(err, MR_EFORMAT, _("cannot encode page %lld for '%s': %s"),
                     (long long)page_id, out_path, library_why());
        goto out;
    }
    rc = arc_write_atomic(out_path, out, outsize, err);
out:
    pixDestroy(&pix);
    lept_free(out);
    free(data);
    free(path);
    free(format);
    return rc;
}

int
arc_pix_export(struct Pix *pix, const char *out_path, struct mr_err *err)
{
    l_uint8 *out = NULL;
    size_t outsize = 0;
    int want_tiff, iff, rc;

    if (MR_NEVER(!pix || !out_path))
        return mr_fail(err, MR_EINVAL, _("no export file given"));
    iff = export_format(path_ext(out_path), pixGetDepth(pix), &want_tiff);
    if (iff < 0)
        return mr_fail(err, MR_EINVAL,
                       _("cannot export to '%s': unknown file "
                         "extension (use .png, .tif, .jpg or .pnm)"),
                       out_path);
    if (pixWriteMem(&out, &outsize, pix, iff) || !out)
        rc = mr_fail(err, MR_EFORMAT, _("cannot encode the page for '%s': %s"),
                     out_path, library_why());
    else
        rc = arc_write_atomic(out_path, out, outsize, err);
    lept_free(out);
    return rc;
}
