/*
 * Stacks being scanned.  A scan commits its stack page by page, so a stack
 * in state "scanning" is either being scanned by a live mailroom or was
 * left by one that stopped (a jam, Ctrl-C) or was cut off (killed).  The
 * scanning process holds a claim on the stack: an flock(2) on
 * DIR/scanning/SSSSSS.lock, which dies with the process.  Invariants:
 *   - a stack is claimed by one live handle at most;
 *   - a handle that lets go of a claim removes the file while it still
 *     holds the lock, so a file found unlocked was left by a process that
 *     was cut off;
 *   - page files are written only by a handle holding the write lock, so
 *     a file of a scanning stack's folder that no row names, seen under
 *     the write lock, is a write that was cut off (arc_stack_sweep).
 *
 * Stacks being read.  A process that reads stacks (import, scan, process)
 * takes each before reading it (arc_stack_take), so two mailrooms on one
 * archive never read the same pages.  A handle's takes are listed in its
 * own file, DIR/reading/PID-N.stacks (one stack id a line), which it holds
 * flock'd until arc_close removes it.  Invariants:
 *   - takes are made, and files made and swept, only while holding the
 *     flock on the folder DIR/reading, so two handles never take one
 *     stack;
 *   - a file found unlocked was left by a process that was cut off, and
 *     its takes are void: it is removed.
 */
#include "archive/arc_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tries to open and lock a lock file that others keep removing. */
#define ARC_CLAIM_TRIES 10

/* DIR/scanning/SSSSSS.lock into a malloc'd string; NULL with MR_ENOMEM. */
static char *
claim_path(const struct arc *a, int64_t stack_id, struct mr_err *err)
{
    char name[64];

    snprintf(name, sizeof(name), "scanning/%06lld.lock", (long long)stack_id);
    return arc_path_join(a->dir, name, err);
}

/*
 * Open the lock file at path, creating it when missing; *pfound tells
 * whether it was there.  -1 with errno on failure.
 */
static int
claim_open(const char *path, int *pfound)
{
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

    *pfound = fd >= 0;
    if (fd < 0 && errno == ENOENT)
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    return fd;
}

/* Whether fd is still the file at path (not removed by its last holder). */
static int
claim_current(int fd, const char *path)
{
    struct stat by_fd, by_path;

    return fstat(fd, &by_fd) == 0 && stat(path, &by_path) == 0 &&
           by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

int
arc_stack_claim(struct arc *a, int64_t stack_id, int *pcut_off,
                struct mr_err *err)
{
    char *path = NULL, *dir = NULL;
    int rc = 0, fd = -1, found = 0;

    if (pcut_off)
        *pcut_off = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (a->claimed)
        return mr_fail(err, MR_EINVAL,
                       _("cannot claim stack %lld: stack %lld is claimed"),
                       (long long)stack_id, (long long)a->claimed);
    path = claim_path(a, stack_id, err);
    dir = arc_path_join(a->dir, "scanning", err);
    if (!path || !dir) {
        rc = MR_ENOMEM;
        goto out;
    }
    rc = arc_mkdir_p(dir, err);
    for (int i = 0; !rc && i < ARC_CLAIM_TRIES; i++) {
        fd = claim_open(path, &found);
        if (fd < 0 && errno == EEXIST)
            continue; /* made by another between our two opens */
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
            rc = fd >= 0 && errno == EWOULDBLOCK
                     ? mr_fail(err, MR_EBUSY,
                               _("stack %lld is being scanned by another "
                                 "mailroom"),
                               (long long)stack_id)
                     : mr_fail(err, MR_EIO, _("cannot lock '%s': %s"), path,
                               strerror(errno));
            break;
        }
        if (claim_current(fd, path)) {
            a->claimed = stack_id;
            a->claim_fd = fd;
            fd = -1;
            if (pcut_off)
                *pcut_off = found;
            goto out;
        }
        close(fd); /* its holder let go of it and removed it: again */
        fd = -1;
    }
    if (!rc)
        rc = mr_fail(err, MR_EBUSY,
                     _("stack %lld is being scanned by another mailroom"),
                     (long long)stack_id);
out:
    if (fd >= 0)
        close(fd);
    free(dir);
    free(path);
    return rc;
}

void
arc_stack_unclaim(struct arc *a)
{
    char *path;

    if (!a || !a->claimed)
        return;
    path = claim_path(a, a->claimed, NULL);
    if (path && unlink(path) && errno != ENOENT)
        mr_log(MR_LOG_WARN, _("cannot remove '%s': %s"), path, strerror(errno));
    free(path);
    close(a->claim_fd); /* the lock goes with it */
    a->claimed = 0;
    a->claim_fd = -1;
}

/* The handle files' suffix in DIR/reading. */
#define TAKES_SUFFIX ".stacks"

/* Whether name is a handle's file of takes. */
static int
takes_file(const char *name)
{
    size_t n = strlen(name), k = strlen(TAKES_SUFFIX);

    return name[0] != '.' && n > k && !strcmp(name + n - k, TAKES_SUFFIX);
}

/*
 * Whether the file at path, another handle's takes, lists stack_id: 1
 * yes, 0 no; MR_EIO, MR_ENOMEM.  Only whole lines count.
 */
static int
takes_list(const char *path, int64_t stack_id, struct mr_err *err)
{
    unsigned char *data;
    size_t size, at = 0;
    int found = 0, rc = arc_read_file(path, &data, &size, err);

    if (rc)
        return rc;
    while (!found && at < size) {
        size_t end = at;
        uint64_t id = 0; /* wraps, never overflows, on a line not ours */

        for (; end < size && data[end] != '\n'; end++)
            id = id * 10 + (unsigned)(data[end] - '0');
        found = end < size && end > at && id == (uint64_t)stack_id;
        at = end + 1;
    }
    free(data);
    return found;
}

/*
 * Whether a live handle other than a's lists stack_id in DIR/reading (dir):
 * *pelsewhere.  Files of handles that were cut off are removed on the way.
 * Called holding the folder's flock.
 */
static int
taken_elsewhere(struct arc *a, const char *dir, int64_t stack_id,
                int *pelsewhere, struct mr_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    *pelsewhere = 0;
    if (!d)
        return mr_fail(err, MR_EIO, _("cannot read folder '%s': %s"), dir,
                       strerror(errno));
    while (!rc && !*pelsewhere && (e = readdir(d))) {
        char *path;
        int fd;

        if (!takes_file(e->d_name) ||
            (a->takes_name && !strcmp(e->d_name, a->takes_name)))
            continue;
        path = arc_path_join(dir, e->d_name, err);
        if (!path) {
            rc = MR_ENOMEM;
            break;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            if (errno != ENOENT)
                rc = mr_fail(err, MR_EIO, _("cannot open '%s': %s"), path,
                             strerror(errno));
        } else if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
            /* Its handle was cut off: its takes are void. */
            if (claim_current(fd, path) && unlink(path) && errno != ENOENT)
                mr_log(MR_LOG_WARN, _("cannot remove '%s': %s"), path,
                       strerror(errno));
        } else if (errno == EWOULDBLOCK) {
            rc = takes_list(path, stack_id, err);
            *pelsewhere = rc == 1;
            rc = rc == 1 ? 0 : rc;
        } else {
            rc = mr_fail(err, MR_EIO, _("cannot lock '%s': %s"), path,
                         strerror(errno));
        }
        if (fd >= 0)
            close(fd);
        free(path);
    }
    closedir(d);
    return rc;
}

/* Make and lock the handle's file of takes in dir, when not yet done. */
static int
takes_open(struct arc *a, const char *dir, struct mr_err *err)
{
    static unsigned handles; /* handles of this process that took stacks */
    char name[64];
    char *path;
    int fd;

    if (a->takes_fd >= 0)
        return 0;
    snprintf(name, sizeof(name), "%ld-%u" TAKES_SUFFIX, (long)getpid(),
             ++handles);
    path = arc_path_join(dir, name, err);
    if (!path)
        return MR_ENOMEM;
    fd =
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
        int rc = mr_fail(err, MR_EIO, _("cannot lock '%s': %s"), path,
                         strerror(errno));

        if (fd >= 0)
            close(fd);
        free(path);
        return rc;
    }
    a->takes_fd = fd;
    a->takes_path = path;
    a->takes_name = strrchr(path, '/') + 1;
    return 0;
}

/* Add stack_id to the handle's file of takes. */
static int
takes_add(struct arc *a, int64_t stack_id, struct mr_err *err)
{
    char line[32];
    size_t n =
        (size_t)snprintf(line, sizeof(line), "%lld\n", (long long)stack_id);
    size_t done = 0;

    while (done < n) {
        ssize_t put = write(a->takes_fd, line + done, n - done);

        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return mr_fail(err, MR_EIO, _("cannot write '%s': %s"),
                           a->takes_path, strerror(errno));
        done += (size_t)put;
    }
    return 0;
}

int
arc_stack_take(struct arc *a, int64_t stack_id, int *pelsewhere,
               struct mr_err *err)
{
    char *dir;
    int rc, fd = -1;

    *pelsewhere = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    dir = arc_path_join(a->dir, "reading", err);
    if (!dir)
        return MR_ENOMEM;
    rc = arc_mkdir_p(dir, err);
    if (rc)
        goto out;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    while (fd >= 0 && flock(fd, LOCK_EX)) {
        if (errno != EINTR || mr_interrupted) {
            rc = errno == EINTR
                     ? mr_fail(err, MR_EINTR, _("interrupted"))
                     : mr_fail(err, MR_EIO, _("cannot lock '%s': %s"), dir,
                               strerror(errno));
            goto out;
        }
    }
    if (fd < 0) {
        rc = mr_fail(err, MR_EIO, _("cannot open '%s': %s"), dir,
                     strerror(errno));
        goto out;
    }
    rc = taken_elsewhere(a, dir, stack_id, pelsewhere, err);
    if (!rc && !*pelsewhere)
        rc = takes_open(a, dir, err);
    if (!rc && !*pelsewhere)
        rc = takes_add(a, stack_id, err);
out:
    if (fd >= 0)
        close(fd); /* and with it the lock */
    free(dir);
    return rc;
}

void
arc_stack_takes_release(struct arc *a)
{
    if (!a || a->takes_fd < 0)
        return;
    if (unlink(a->takes_path) && errno != ENOENT)
        mr_log(MR_LOG_WARN, _("cannot remove '%s': %s"), a->takes_path,
               strerror(errno));
    close(a->takes_fd); /* the lock goes with it */
    free(a->takes_path);
    a->takes_fd = -1;
    a->takes_path = NULL;
    a->takes_name = NULL;
}

int
arc_stacks_scanning(struct arc *a, const char *source, int64_t **pids,
                    size_t *pn, struct mr_err *err)
{
    static const char sql[] = "SELECT id FROM stack WHERE state = 'scanning'"
                              " AND source = :source ORDER BY id DESC";
    sqlite3_stmt *st = NULL;
    int rc;

    *pids = NULL;
    *pn = 0;
    if (MR_NEVER(!a || !source))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return arc_db_fail(a, err);
    rc = arc_bind_text(a, st, ":source", source, -1, err);
    if (!rc)
        rc = arc_ids_collect(a, st, pids, pn, err);
    sqlite3_finalize(st);
    return rc;
}

/* The open stack's image paths, sorted, into *ppaths (*pn of them). */
static int
stack_paths(struct arc *a, char ***ppaths, size_t *pn, struct mr_err *err)
{
    static const char sql[] = "SELECT img_path FROM page"
                              " WHERE stack_id = :stack ORDER BY img_path";
    sqlite3_stmt *st = NULL;
    char **paths = NULL, **grown;
    size_t n = 0, cap = 0;
    int rc;

    *ppaths = NULL;
    *pn = 0;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return arc_db_fail(a, err);
    rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            grown = realloc(paths, cap * sizeof(*paths));
            if (!grown) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                break;
            }
            paths = grown;
        }
        rc = arc_column_dup(st, 0, &paths[n], err);
        if (rc)
            break;
        n++;
    }
    sqlite3_finalize(st);
    *ppaths = paths;
    *pn = n;
    return rc;
}

static int
compare_paths(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int
arc_stack_sweep(struct arc *a, struct mr_err *err)
{
    char rel[512], folder[32];
    char **paths = NULL, *dir = NULL, *full = NULL;
    size_t n = 0;
    struct dirent *e;
    DIR *d = NULL;
    int rc;

    if (MR_NEVER(!a || !a->in_stack))
        return mr_fail(err, MR_EINVAL, _("no stack is open"));
    snprintf(folder, sizeof(folder), "pages/%06lld", (long long)a->stack_id);
    dir = arc_path_join(a->dir, folder, err);
    if (!dir)
        return MR_ENOMEM;
    d = opendir(dir);
    if (!d) {
        rc = errno == ENOENT ? 0
                             : mr_fail(err, MR_EIO, _("cannot read '%s': %s"),
                                       dir, strerror(errno));
        goto out;
    }
    rc = stack_paths(a, &paths, &n, err);
    while (!rc && (e = readdir(d))) {
        const char *p = rel;

        if (e->d_name[0] == '.' &&
            (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        snprintf(rel, sizeof(rel), "%s/%s", folder, e->d_name);
        if (n && bsearch(&p, paths, n, sizeof(*paths), compare_paths))
            continue;
        full = arc_path_join(a->dir, rel, err);
        if (!full) {
            rc = MR_ENOMEM;
            break;
        }
        if (unlink(full) == 0)
            mr_log(MR_LOG_INFO, _("removed '%s': a write that was cut off"),
                   full);
        else if (errno != ENOENT)
            mr_log(MR_LOG_WARN, _("cannot remove '%s': %s"), full,
                   strerror(errno));
        free(full);
        full = NULL;
    }
out:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(dir);
    return rc;
}
