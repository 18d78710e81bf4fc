/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * faultinject: a test-only LD_PRELOAD library that makes the k-th call of
 * one libc function fail, so t/60-faults.bats can walk every failure point
 * of an in-place edit and check nothing is lost or torn.
 *
 *   FAULT_FUNC=write   the function family to fail (see families[] below:
 *                      "open" covers open, open64, openat, __open_2, ...)
 *   FAULT_NTH=3        which call fails (1 = the first); later calls succeed
 *   FAULT_ERRNO=EIO    the errno it fails with (a name or a number; EIO)
 *   FAULT_KILL=1       the chosen call does not fail: the process is killed
 *                      there (SIGKILL), as a power loss or an OOM kill would
 *   FAULT_COUNT_FILE=F at exit, "FAMILY COUNT" lines for every family the
 *                      program called, and "fired FAMILY K" when the fault hit
 *
 * A failing call fails as the real one can: close() and fclose() release
 * the descriptor first (Linux always does), fwrite() and fflush() set the
 * stream's error flag, so ferror() sees it.  Only calls made through the
 * dynamic symbol table are seen: the program's calls, not libc's own
 * internal ones (stdio's buffered writes reach the kernel without write()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum fam {
	F_OPEN, F_READ, F_WRITE, F_CLOSE, F_FSYNC, F_FCHMOD, F_FCHOWN,
	F_RENAME, F_UNLINK, F_FLOCK, F_FSTAT, F_STAT, F_READLINK,
	F_FTRUNCATE, F_MKSTEMP, F_FOPEN, F_FCLOSE, F_FFLUSH, F_FWRITE,
	F_OPENDIR, F_SCANDIR, F_NFAM
};

static const char *const families[F_NFAM] = {
	"open", "read", "write", "close", "fsync", "fchmod", "fchown",
	"rename", "unlink", "flock", "fstat", "stat", "readlink",
	"ftruncate", "mkstemp", "fopen", "fclose", "fflush", "fwrite",
	"opendir", "scandir"
};

static struct {
	int ready;
	int fam;		/* the family to fail, or -1 */
	long nth;
	int err;
	long count[F_NFAM];
	long fired;		/* the call that failed, 0 if none */
} st = { 0, -1, 0, EIO, { 0 }, 0 };

static const struct { const char *name; int val; } errnos[] = {
	{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
	{ "EACCES", EACCES }, { "EPERM", EPERM }, { "EROFS", EROFS },
	{ "EINTR", EINTR }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
	{ "EMFILE", EMFILE }, { "ENFILE", ENFILE }, { "EBADF", EBADF },
	{ "EEXIST", EEXIST }, { "ENOENT", ENOENT }, { "EINVAL", EINVAL },
	{ "EXDEV", EXDEV }, { "EISDIR", EISDIR }, { "ELOOP", ELOOP },
	{ "EFBIG", EFBIG }, { "ENAMETOOLONG", ENAMETOOLONG },
	{ "ETXTBSY", ETXTBSY }, { "EBUSY", EBUSY }, { "ENOLCK", ENOLCK },
	{ "EWOULDBLOCK", EWOULDBLOCK }, { "ENOSYS", ENOSYS },
};

static void init(void)
{
	const char *f, *n, *e;
	int i;

	if (st.ready)
		return;
	st.ready = 1;
	f = getenv("FAULT_FUNC");
	n = getenv("FAULT_NTH");
	e = getenv("FAULT_ERRNO");
	if (f)
		for (i = 0; i < F_NFAM; i++)
			if (strcmp(f, families[i]) == 0)
				st.fam = i;
	st.nth = n ? strtol(n, NULL, 10) : 1;
	if (e) {
		st.err = (int)strtol(e, NULL, 10);
		for (i = 0; i < (int)(sizeof(errnos) / sizeof(errnos[0])); i++)
			if (strcmp(e, errnos[i].name) == 0)
				st.err = errnos[i].val;
		if (st.err <= 0)
			st.err = EIO;
	}
}

/* count a call of family fam; 1 when this one must fail (errno set) */
static int hit(enum fam fam)
{
	init();
	st.count[fam]++;
	if ((int)fam != st.fam || st.count[fam] != st.nth)
		return 0;
	st.fired = st.count[fam];
	if (getenv("FAULT_KILL"))
		kill(getpid(), SIGKILL);
	errno = st.err;
	return 1;
}

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* the real function, or fail with ENOSYS when libc has no such symbol */
#define REAL(ret, name, params) \
	static ret (*real)params; \
	if (!real) \
		real = (ret (*)params)next(#name); \
	if (!real) { \
		errno = ENOSYS; \
		return (ret)-1; \
	}

static int real_open(const char *sym, const char *path, int flags, mode_t mode)
{
	int (*fn)(const char *, int, ...) = (int (*)(const char *, int, ...))next(sym);

	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(path, flags, mode);
}

static int real_openat(const char *sym, int dirfd, const char *path, int flags, mode_t mode)
{
	int (*fn)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))next(sym);

	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(dirfd, path, flags, mode);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (hit(F_OPEN))
		return -1;
	return real_open("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (hit(F_OPEN))
		return -1;
	return real_open("open64", path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (hit(F_OPEN))
		return -1;
	return real_openat("openat", dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (hit(F_OPEN))
		return -1;
	return real_openat("openat64", dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE turns open(path, flags) without a mode into these */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	if (hit(F_OPEN))
		return -1;
	return real_open("__open_2", path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	if (hit(F_OPEN))
		return -1;
	return real_open("__open64_2", path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	if (hit(F_OPEN))
		return -1;
	return real_openat("__openat_2", dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	if (hit(F_OPEN))
		return -1;
	return real_openat("__openat64_2", dirfd, path, flags, 0);
}

int creat(const char *path, mode_t mode)
{
	if (hit(F_OPEN))
		return -1;
	return real_open("open", path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

ssize_t read(int fd, void *p, size_t n)
{
	REAL(ssize_t, read, (int, void *, size_t));
	if (hit(F_READ))
		return -1;
	return real(fd, p, n);
}

ssize_t __read_chk(int fd, void *p, size_t n, size_t size);
ssize_t __read_chk(int fd, void *p, size_t n, size_t size)
{
	REAL(ssize_t, __read_chk, (int, void *, size_t, size_t));
	if (hit(F_READ))
		return -1;
	return real(fd, p, n, size);
}

ssize_t pread(int fd, void *p, size_t n, off_t off)
{
	REAL(ssize_t, pread, (int, void *, size_t, off_t));
	if (hit(F_READ))
		return -1;
	return real(fd, p, n, off);
}

ssize_t write(int fd, const void *p, size_t n)
{
	REAL(ssize_t, write, (int, const void *, size_t));
	if (hit(F_WRITE))
		return -1;
	return real(fd, p, n);
}

/* Linux releases the descriptor even when close reports an error */
int close(int fd)
{
	REAL(int, close, (int));
	if (hit(F_CLOSE)) {
		int e = errno;

		real(fd);
		errno = e;
		return -1;
	}
	return real(fd);
}

int fsync(int fd)
{
	REAL(int, fsync, (int));
	if (hit(F_FSYNC))
		return -1;
	return real(fd);
}

int fdatasync(int fd)
{
	REAL(int, fdatasync, (int));
	if (hit(F_FSYNC))
		return -1;
	return real(fd);
}

int fchmod(int fd, mode_t mode)
{
	REAL(int, fchmod, (int, mode_t));
	if (hit(F_FCHMOD))
		return -1;
	return real(fd, mode);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	REAL(int, fchown, (int, uid_t, gid_t));
	if (hit(F_FCHOWN))
		return -1;
	return real(fd, uid, gid);
}

int rename(const char *from, const char *to)
{
	REAL(int, rename, (const char *, const char *));
	if (hit(F_RENAME))
		return -1;
	return real(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	REAL(int, renameat, (int, const char *, int, const char *));
	if (hit(F_RENAME))
		return -1;
	return real(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
	REAL(int, renameat2, (int, const char *, int, const char *, unsigned));
	if (hit(F_RENAME))
		return -1;
	return real(fromfd, from, tofd, to, flags);
}

int unlink(const char *path)
{
	REAL(int, unlink, (const char *));
	if (hit(F_UNLINK))
		return -1;
	return real(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	REAL(int, unlinkat, (int, const char *, int));
	if (hit(F_UNLINK))
		return -1;
	return real(dirfd, path, flags);
}

int flock(int fd, int op)
{
	REAL(int, flock, (int, int));
	if (hit(F_FLOCK))
		return -1;
	return real(fd, op);
}

int fstat(int fd, struct stat *sb)
{
	REAL(int, fstat, (int, struct stat *));
	if (hit(F_FSTAT))
		return -1;
	return real(fd, sb);
}

int fstat64(int fd, struct stat64 *sb)
{
	REAL(int, fstat64, (int, struct stat64 *));
	if (hit(F_FSTAT))
		return -1;
	return real(fd, sb);
}

/* glibc before 2.33: fstat() and stat() are inline calls of these */
int __fxstat(int ver, int fd, struct stat *sb);
int __fxstat(int ver, int fd, struct stat *sb)
{
	REAL(int, __fxstat, (int, int, struct stat *));
	if (hit(F_FSTAT))
		return -1;
	return real(ver, fd, sb);
}

int __fxstat64(int ver, int fd, struct stat64 *sb);
int __fxstat64(int ver, int fd, struct stat64 *sb)
{
	REAL(int, __fxstat64, (int, int, struct stat64 *));
	if (hit(F_FSTAT))
		return -1;
	return real(ver, fd, sb);
}

int stat(const char *restrict path, struct stat *restrict sb)
{
	REAL(int, stat, (const char *, struct stat *));
	if (hit(F_STAT))
		return -1;
	return real(path, sb);
}

int stat64(const char *restrict path, struct stat64 *restrict sb)
{
	REAL(int, stat64, (const char *, struct stat64 *));
	if (hit(F_STAT))
		return -1;
	return real(path, sb);
}

int lstat(const char *restrict path, struct stat *restrict sb)
{
	REAL(int, lstat, (const char *, struct stat *));
	if (hit(F_STAT))
		return -1;
	return real(path, sb);
}

int fstatat(int dirfd, const char *restrict path, struct stat *restrict sb, int flags)
{
	REAL(int, fstatat, (int, const char *, struct stat *, int));
	if (hit(F_STAT))
		return -1;
	return real(dirfd, path, sb, flags);
}

int __xstat(int ver, const char *path, struct stat *sb);
int __xstat(int ver, const char *path, struct stat *sb)
{
	REAL(int, __xstat, (int, const char *, struct stat *));
	if (hit(F_STAT))
		return -1;
	return real(ver, path, sb);
}

ssize_t readlink(const char *restrict path, char *restrict p, size_t n)
{
	REAL(ssize_t, readlink, (const char *, char *, size_t));
	if (hit(F_READLINK))
		return -1;
	return real(path, p, n);
}

ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict p, size_t n)
{
	REAL(ssize_t, readlinkat, (int, const char *, char *, size_t));
	if (hit(F_READLINK))
		return -1;
	return real(dirfd, path, p, n);
}

int ftruncate(int fd, off_t len)
{
	REAL(int, ftruncate, (int, off_t));
	if (hit(F_FTRUNCATE))
		return -1;
	return real(fd, len);
}

int mkstemp(char *tmpl)
{
	REAL(int, mkstemp, (char *));
	if (hit(F_MKSTEMP))
		return -1;
	return real(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
	REAL(int, mkostemp, (char *, int));
	if (hit(F_MKSTEMP))
		return -1;
	return real(tmpl, flags);
}

int mkstemps(char *tmpl, int suffixlen)
{
	REAL(int, mkstemps, (char *, int));
	if (hit(F_MKSTEMP))
		return -1;
	return real(tmpl, suffixlen);
}

int mkostemps(char *tmpl, int suffixlen, int flags)
{
	REAL(int, mkostemps, (char *, int, int));
	if (hit(F_MKSTEMP))
		return -1;
	return real(tmpl, suffixlen, flags);
}

/* the pointer-returning ones: NULL on failure */
#define REALP(ret, name, params) \
	static ret (*real)params; \
	if (!real) \
		real = (ret (*)params)next(#name); \
	if (!real) { \
		errno = ENOSYS; \
		return NULL; \
	}

FILE *fopen(const char *restrict path, const char *restrict mode)
{
	REALP(FILE *, fopen, (const char *, const char *));
	if (hit(F_FOPEN))
		return NULL;
	return real(path, mode);
}

FILE *fopen64(const char *restrict path, const char *restrict mode)
{
	REALP(FILE *, fopen64, (const char *, const char *));
	if (hit(F_FOPEN))
		return NULL;
	return real(path, mode);
}

DIR *opendir(const char *path)
{
	REALP(DIR *, opendir, (const char *));
	if (hit(F_OPENDIR))
		return NULL;
	return real(path);
}

int scandir(const char *restrict path, struct dirent ***restrict list,
	    int (*filter)(const struct dirent *),
	    int (*compar)(const struct dirent **, const struct dirent **))
{
	REAL(int, scandir, (const char *, struct dirent ***,
			    int (*)(const struct dirent *),
			    int (*)(const struct dirent **, const struct dirent **)));
	if (hit(F_SCANDIR))
		return -1;
	return real(path, list, filter, compar);
}

/* a stream that failed says so to ferror(), as a real failure would */
static void set_error(FILE *fp)
{
#ifdef _IO_ERR_SEEN
	if (fp)
		fp->_flags |= _IO_ERR_SEEN;
#else
	(void)fp;
#endif
}

/* the stream is released even when fclose reports an error */
int fclose(FILE *fp)
{
	REAL(int, fclose, (FILE *));
	if (hit(F_FCLOSE)) {
		int e = errno;

		real(fp);
		errno = e;
		return EOF;
	}
	return real(fp);
}

int fflush(FILE *fp)
{
	REAL(int, fflush, (FILE *));
	if (hit(F_FFLUSH)) {
		set_error(fp);
		return EOF;
	}
	return real(fp);
}

size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict fp)
{
	static size_t (*real)(const void *, size_t, size_t, FILE *);

	if (!real)
		real = (size_t (*)(const void *, size_t, size_t, FILE *))next("fwrite");
	if (!real) {
		errno = ENOSYS;
		return 0;
	}
	if (hit(F_FWRITE)) {
		set_error(fp);
		return 0;
	}
	return real(p, size, n, fp);
}

/* the counts, written with the real calls so they count nothing */
__attribute__((destructor))
static void report(void)
{
	const char *path = getenv("FAULT_COUNT_FILE");
	int (*ropen)(const char *, int, ...) = (int (*)(const char *, int, ...))next("open");
	ssize_t (*rwrite)(int, const void *, size_t) = (ssize_t (*)(int, const void *, size_t))next("write");
	int (*rclose)(int) = (int (*)(int))next("close");
	char line[128];
	int fd, i, n;

	if (!path || !ropen || !rwrite || !rclose)
		return;
	fd = ropen(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	for (i = 0; i < F_NFAM; i++) {
		if (!st.count[i])
			continue;
		n = snprintf(line, sizeof(line), "%s %ld\n", families[i], st.count[i]);
		if (rwrite(fd, line, (size_t)n) != n)
			break;
	}
	if (st.fired) {
		n = snprintf(line, sizeof(line), "fired %s %ld\n", families[st.fam], st.fired);
		if (rwrite(fd, line, (size_t)n) != n)
			n = 0;	/* nothing more to say: the test sees no "fired" */
	}
	rclose(fd);
}
