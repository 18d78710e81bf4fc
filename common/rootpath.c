/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootpath.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/openat2.h, spelled out: older headers lack it */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define VK_RESOLVE_NO_MAGICLINKS 0x02
#define VK_RESOLVE_IN_ROOT 0x10

/* fs/namei.c: MAXSYMLINKS, the kernel's own limit on links in one lookup */
#define MAX_HOPS 40

int rootfd_open(const char *root)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

const char *root_relative(const char *root, const char *path)
{
	size_t n;

	if (!root || root_is_slash(root))
		return NULL;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return NULL;
	return path + n;
}

int root_read_given(const char *root, const char *path, struct buf *b, size_t max)
{
	const char *rel = root_relative(root, path);

	return rel ? root_read(root, rel, b, max) : buf_read_file(b, path, max);
}

/* --- the walk ---------------------------------------------------------- */

struct walk {
	int rootfd;		/* the root: ".." stops here, "/" starts here */
	struct stat rootst;
	int cur;		/* O_PATH descriptor of the directory reached */
	struct buf shown;	/* its path, for messages */
	size_t base;		/* shown's length at the root */
	const char *rootname;	/* what shown starts with at the root */
	int abs;		/* shown is absolute (starts at the root) */
	int followed;
};

static void set_cur(struct walk *w, int fd)
{
	if (w->cur >= 0)
		close(w->cur);
	w->cur = fd;
}

static int walk_to_root(struct walk *w)
{
	int fd = openat(w->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	set_cur(w, fd);
	buf_reset(&w->shown);
	buf_adds(&w->shown, w->rootname);
	w->base = w->shown.len;
	w->abs = 1;
	return 0;
}

static void shown_add(struct walk *w, const char *comp, size_t n)
{
	if (w->abs || w->shown.len > 0)
		buf_addc(&w->shown, '/');
	buf_add(&w->shown, comp, n);
}

/* ".." clamped at the root, as RESOLVE_IN_ROOT (and chroot) do */
static int walk_up(struct walk *w)
{
	struct stat st;
	char *slash;
	int fd;

	if (fstat(w->cur, &st) < 0)
		return -errno;
	if (st.st_dev == w->rootst.st_dev && st.st_ino == w->rootst.st_ino)
		return 0;
	fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	set_cur(w, fd);
	slash = w->shown.p ? strrchr(w->shown.p + w->base, '/') : NULL;
	if (w->shown.len > w->base &&
	    strcmp(slash ? slash + 1 : w->shown.p + w->base, "..") != 0) {
		w->shown.len = slash ? (size_t)(slash - w->shown.p) : w->base;
		w->shown.p[w->shown.len] = '\0';
	} else {
		shown_add(w, "..", 2);
	}
	return 0;
}

/* the target of link name in w->cur, as a new path to walk before rest */
static int follow(struct walk *w, const char *name, const char *rest,
		  struct buf *next, int *hops)
{
	char target[4096];
	ssize_t n;

	if (++*hops > MAX_HOPS)
		return -ELOOP;
	n = readlinkat(w->cur, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENOENT;
	target[n] = '\0';
	w->followed = 1;
	buf_reset(next);
	buf_add(next, target, (size_t)n);
	if (*rest) {
		buf_addc(next, '/');
		buf_adds(next, rest);
	}
	return target[0] == '/' ? walk_to_root(w) : 0;
}

/*
 * Walk path from w->cur to the directory holding its last component,
 * which goes to *last ("." when the path ends at a directory).  With
 * follow_last a symlink there is followed too, even a dangling one.
 */
static int walk(struct walk *w, const char *path, int follow_last, char **last)
{
	struct buf rest = BUF_INIT, next = BUF_INIT;
	size_t pos = 0;
	int hops = 0, r = 0;

	*last = NULL;
	buf_adds(&rest, path);
	for (;;) {
		const char *p = rest.p ? rest.p : "";
		size_t n, after;
		char *comp;
		int fd, more;
		struct stat st;

		while (p[pos] == '/')
			pos++;
		if (!p[pos]) {
			*last = xstrdup(".");
			break;
		}
		n = strcspn(p + pos, "/");
		comp = xstrndup(p + pos, n);
		pos += n;
		after = pos + strspn(p + pos, "/");
		more = p[after] != '\0';
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
			if (comp[1] == '.' && (r = walk_up(w)) < 0) {
				free(comp);
				break;
			}
			free(comp);
			if (!more) {
				*last = xstrdup(".");
				break;
			}
			continue;
		}
		if (!more) {
			if (!follow_last) {
				*last = comp;
				break;
			}
			if (fstatat(w->cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno != ENOENT) {
					r = -errno;
					free(comp);
					break;
				}
				*last = comp;	/* missing: what a write creates */
				break;
			}
			if (!S_ISLNK(st.st_mode)) {
				*last = comp;
				break;
			}
		} else {
			fd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 || fstat(fd, &st) < 0) {
				r = -errno;
				if (fd >= 0)
					close(fd);
				free(comp);
				break;
			}
			if (!S_ISLNK(st.st_mode)) {
				if (!S_ISDIR(st.st_mode)) {
					close(fd);
					free(comp);
					r = -ENOTDIR;
					break;
				}
				set_cur(w, fd);
				shown_add(w, comp, strlen(comp));
				free(comp);
				continue;
			}
			close(fd);
		}
		/* a symlink: its target, then what was left of the path */
		r = follow(w, comp, p + pos, &next, &hops);
		free(comp);
		if (r < 0)
			break;
		buf_reset(&rest);
		buf_add(&rest, next.p ? next.p : "", next.len);
		pos = 0;
	}
	buf_free(&rest);
	buf_free(&next);
	if (r < 0) {
		free(*last);
		*last = NULL;
	}
	return r;
}

static int walk_init(struct walk *w, int rootfd, const char *rootname)
{
	memset(w, 0, sizeof(*w));
	w->rootfd = rootfd;
	w->cur = -1;
	w->rootname = rootname;
	if (fstat(rootfd, &w->rootst) < 0)
		return -errno;
	return walk_to_root(w);
}

static void walk_free(struct walk *w)
{
	if (w->cur >= 0)
		close(w->cur);
	buf_free(&w->shown);
}

int root_walk_openat(int rootfd, const char *path, int flags)
{
	struct walk w;
	char *last = NULL;
	int r = walk_init(&w, rootfd, "");

	if (r == 0)
		r = walk(&w, path, !(flags & O_NOFOLLOW), &last);
	if (r == 0) {
		r = openat(w.cur, last, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (r < 0)
			r = -errno;
	}
	free(last);
	walk_free(&w);
	return r;
}

int root_openat(int rootfd, const char *path, int flags)
{
	struct { uint64_t flags, mode, resolve; } how;
	int tries;
	long r = -1;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = VK_RESOLVE_IN_ROOT | VK_RESOLVE_NO_MAGICLINKS;
	/* EAGAIN: a rename raced the lookup; the kernel asks to retry */
	for (tries = 0; tries < 8; tries++) {
		r = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (r >= 0 || errno != EAGAIN)
			break;
	}
	if (r >= 0)
		return (int)r;
	/* no openat2 (Linux < 5.6, or a seccomp filter): the walk */
	if (errno == ENOSYS || errno == EPERM || errno == EAGAIN || errno == EXDEV)
		return root_walk_openat(rootfd, path, flags);
	return -errno;
}

int root_open(const char *root, const char *path, int flags)
{
	int rootfd, fd;

	if (!root || root_is_slash(root)) {
		fd = open(path, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	rootfd = rootfd_open(root);
	if (rootfd < 0)
		return rootfd;
	fd = root_openat(rootfd, path, flags);
	close(rootfd);
	return fd;
}

int read_regular_fd(int fd, struct buf *b, size_t max)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;	/* a FIFO or device: a read could hang */
	return buf_read_fd(b, fd, max);
}

int root_read(const char *root, const char *path, struct buf *b, size_t max)
{
	int fd = root_open(root, path, O_RDONLY | O_NONBLOCK);
	int r;

	if (fd < 0)
		return fd;
	r = read_regular_fd(fd, b, max);
	close(fd);
	return r;
}

int root_stat(const char *root, const char *path, struct stat *st)
{
	int fd = root_open(root, path, O_PATH);
	int r = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0)
		r = -errno;
	close(fd);
	return r;
}

DIR *root_opendir(const char *root, const char *path)
{
	int fd = root_open(root, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

int root_scandir(const char *root, const char *path, struct dirent ***list,
		 int (*cmp)(const struct dirent **, const struct dirent **))
{
	DIR *d = root_opendir(root, path);
	int n, e;

	if (!d)
		return -1;
	n = scandirat(dirfd(d), ".", list, NULL, cmp);
	e = errno;
	closedir(d);
	errno = e;
	return n;
}

/* --- paths to write ---------------------------------------------------- */

int rootpath_resolve(const char *root, const char *path, struct rootpath *rp)
{
	const char *rel = root_relative(root, path);
	char *rootname = NULL, *last = NULL;
	struct walk w;
	int rootfd, r;

	memset(rp, 0, sizeof(*rp));
	rp->dirfd = -1;
	if (rel) {
		size_t n = strlen(root);

		while (n > 1 && root[n - 1] == '/')
			n--;
		rootname = xstrndup(root, n);
		rootfd = rootfd_open(root);
	} else {
		rootname = xstrdup("");
		rootfd = rootfd_open("/");
		rel = path;
	}
	if (rootfd < 0) {
		free(rootname);
		return rootfd;
	}
	r = walk_init(&w, rootfd, rootname);
	if (r == 0 && root_relative(root, path) == NULL && path[0] != '/') {
		/* relative to the working directory, shown relative */
		int fd = openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			r = -errno;
		} else {
			set_cur(&w, fd);
			buf_reset(&w.shown);
			w.base = 0;
			w.abs = 0;
		}
	}
	if (r == 0)
		r = walk(&w, rel, 1, &last);
	if (r == 0) {
		rp->dirfd = openat(w.cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rp->dirfd < 0)
			r = -errno;
	}
	if (r == 0) {
		rp->name = last;
		rp->followed = w.followed;
		if (w.followed) {
			if (strcmp(last, ".") != 0)
				shown_add(&w, last, strlen(last));
			rp->shown = w.shown.len ? xstrdup(w.shown.p) : xstrdup(w.abs ? "/" : ".");
		} else {
			rp->shown = xstrdup(path);
		}
		last = NULL;
	}
	free(last);
	walk_free(&w);
	close(rootfd);
	free(rootname);
	if (r < 0)
		rootpath_free(rp);
	return r;
}

void rootpath_free(struct rootpath *rp)
{
	if (rp->dirfd >= 0)
		close(rp->dirfd);
	free(rp->name);
	free(rp->shown);
	rp->dirfd = -1;
	rp->name = NULL;
	rp->shown = NULL;
}

int root_is_slash(const char *root)
{
	return strspn(root, "/") == strlen(root);
}

char *root_path(const char *root, const char *path)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (!root_is_slash(root))
		buf_add(&b, root, n);
	if (path[0] != '/')
		buf_addc(&b, '/');
	buf_adds(&b, path);
	return buf_detach(&b);
}

const char *root_modules(const char *root)
{
	struct stat st;
	/* inside the root: ROOT/lib -> /usr/lib is the root's */
	int lib = root_stat(root, "/lib/modules", &st) == 0 && S_ISDIR(st.st_mode);

	return lib ? "/lib/modules" : "/usr/lib/modules";
}

char *root_read_file(const char *root, const char *path)
{
	struct buf b = BUF_INIT;
	/* inside the root, a regular file only */
	int r = root_read(root, path, &b, BUF_MAX_FILE);

	if (r < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.p ? buf_detach(&b) : xstrdup("");
}

/*
 * The path an O_PATH descriptor opened inside the root stands for, from
 * /proc/self/fd (the kernel's d_path of it), less the root's own real path:
 * the lookup itself stayed inside the root (root_open), so the path does too.
 */
int root_realpath(const char *root, const char *path, struct buf *out)
{
	char link[64], got[PATH_MAX], top[PATH_MAX];
	int fd = root_open(root, path, O_PATH);
	ssize_t n;
	size_t tl;
	int e;

	buf_reset(out);
	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, got, sizeof(got) - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	if ((size_t)n >= sizeof(got) - 1)
		return -ENAMETOOLONG;
	got[n] = '\0';
	if (got[0] != '/')
		return -ENOENT;
	if (!root || root_is_slash(root)) {
		buf_adds(out, got);
		return 0;
	}
	if (!realpath(root, top))
		return -errno;
	tl = strlen(top);
	if (strcmp(top, "/") == 0)
		tl = 0;
	if (strncmp(got, top, tl) || (got[tl] != '/' && got[tl] != '\0'))
		return -EXDEV;
	buf_adds(out, got[tl] ? got + tl : "/");
	return 0;
}
