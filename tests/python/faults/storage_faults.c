/* An LD_PRELOAD shim that makes storage calls fail (the collector's, the exports'), for the
 * fault tests.
 *
 * Armed while the file named by STORAGE_FAULT_ARMED exists (so a test arms it after the
 * collector started). STORAGE_FAULT_CALL names the call that fails:
 *   write     a write() to an open spool file (`*.jsonl.part`)
 *   fsync     an fsync() of an open spool file
 *   dirfsync  an fsync() of a directory (the spool's folder, after a rename)
 *   rename    a rename() of an open spool file into its published name
 *   store     an fsync() or fdatasync() of the session store (`sessions.sqlite3*`)
 *   export    an fsync() of an export written under its temporary name (`*.tmp`)
 * STORAGE_FAULT_SKIP lets that many armed calls pass before the first that fails (0).
 * STORAGE_FAULT_ERRNO is the errno it fails with (5, EIO, by default; 28 is ENOSPC).
 * Every other call passes through to libc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int armed_for(const char *call) {
    const char *wanted = getenv("STORAGE_FAULT_CALL");
    const char *flag = getenv("STORAGE_FAULT_ARMED");
    if (wanted == NULL || flag == NULL || strcmp(wanted, call) != 0) return 0;
    return access(flag, F_OK) == 0;
}

/* Counts the armed calls; fails those after the first STORAGE_FAULT_SKIP. */
static int fails_now(void) {
    static long seen = 0;
    const char *skip = getenv("STORAGE_FAULT_SKIP");
    return seen++ >= (skip != NULL ? atol(skip) : 0);
}

static int fault_errno(void) {
    const char *value = getenv("STORAGE_FAULT_ERRNO");
    return value != NULL ? atoi(value) : EIO;
}

static int path_has(int fd, const char *part) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, target, sizeof target - 1);
    if (length < 0) return 0;
    target[length] = '\0';
    return strstr(target, part) != NULL;
}

static int is_spool_file(int fd) { return path_has(fd, ".jsonl.part"); }

static int path_ends_with(int fd, const char *suffix) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, target, sizeof target - 1);
    size_t wanted = strlen(suffix);
    if (length < 0 || (size_t)length < wanted) return 0;
    target[length] = '\0';
    return strcmp(target + length - wanted, suffix) == 0;
}

static int is_directory(int fd) {
    struct stat status;
    return fstat(fd, &status) == 0 && S_ISDIR(status.st_mode);
}

ssize_t write(int fd, const void *buffer, size_t count) {
    static ssize_t (*real_write)(int, const void *, size_t) = NULL;
    if (real_write == NULL) real_write = dlsym(RTLD_NEXT, "write");
    if (armed_for("write") && is_spool_file(fd) && fails_now()) {
        errno = fault_errno();
        return -1;
    }
    return real_write(fd, buffer, count);
}

int fsync(int fd) {
    static int (*real_fsync)(int) = NULL;
    if (real_fsync == NULL) real_fsync = dlsym(RTLD_NEXT, "fsync");
    if (((armed_for("fsync") && is_spool_file(fd)) || (armed_for("dirfsync") && is_directory(fd)) ||
         (armed_for("store") && path_has(fd, "sessions.sqlite3")) ||
         (armed_for("export") && !is_directory(fd) && path_ends_with(fd, ".tmp"))) &&
        fails_now()) {
        errno = fault_errno();
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd) {
    static int (*real_fdatasync)(int) = NULL;
    if (real_fdatasync == NULL) real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    if (armed_for("store") && path_has(fd, "sessions.sqlite3") && fails_now()) {
        errno = fault_errno();
        return -1;
    }
    return real_fdatasync(fd);
}

int rename(const char *source, const char *target) {
    static int (*real_rename)(const char *, const char *) = NULL;
    if (real_rename == NULL) real_rename = dlsym(RTLD_NEXT, "rename");
    if (armed_for("rename") && strstr(source, ".jsonl.part") != NULL && fails_now()) {
        errno = fault_errno();
        return -1;
    }
    return real_rename(source, target);
}
