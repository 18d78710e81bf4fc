/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "atomicfile.h"
#include "buf.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* ".NAME.XXXXXX~": what make_named_temp makes; 1 when e is one of NAME's */
static int is_our_temp(const char *e, const char *name)
{
	size_t n = strlen(name), i;

	if (e[0] != '.' || strncmp(e + 1, name, n) != 0 || e[n + 1] != '.')
		return 0;
	e += n + 2;
	for (i = 0; i < 6; i++)
		if (hexdigit((unsigned char)e[i]) < 0)
			return 0;
	return e[6] == '~' && e[7] == '\0';
}

/*
 * Temporaries of NAME left by an editor killed between link and rename.
 * We hold the directory's lock, which every editor holds while it has a
 * temporary: any there now belongs to a dead process.
 */
static void drop_stale_temps(int dirfd, const char *name)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		if ((e->d_type == DT_REG || e->d_type == DT_UNKNOWN) && is_our_temp(e->d_name, name))
			unlinkat(dirfd, e->d_name, 0);
	closedir(d);
}

int lockedfile_open(struct lockedfile *lf, const char *root, const char *path)
{
	struct stat pre;
	int r;

	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	r = rootpath_resolve(root, path, &lf->rp);
	if (r < 0)
		return r;
	if (flock(lf->rp.dirfd, LOCK_EX) < 0) {
		r = -errno;
		goto fail;
	}
	drop_stale_temps(lf->rp.dirfd, lf->rp.name);
	/* the type before opening: opening a FIFO or a device is not harmless */
	if (fstatat(lf->rp.dirfd, lf->rp.name, &pre, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(pre.st_mode)) {
		r = S_ISDIR(pre.st_mode) ? -EISDIR : S_ISLNK(pre.st_mode) ? -ELOOP : -EINVAL;
		goto fail;
	}
	lf->fd = openat(lf->rp.dirfd, lf->rp.name,
			O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (lf->fd < 0 || fstat(lf->fd, &lf->st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(lf->st.st_mode)) {
		r = -EINVAL;
		goto fail;
	}
	if (lf->st.st_nlink > 1) {
		r = -EMLINK;
		goto fail;
	}
	return 0;
fail:
	lockedfile_close(lf);
	return r;
}

/* a fresh ".NAME.XXXXXX~" into b */
static void temp_name(struct buf *b, const char *name, unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	buf_reset(b);
	buf_printf(b, ".%s.%06x~", name, (*seed >> 4) & 0xffffff);
}

static unsigned temp_seed(void)
{
	return (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)clock();
}

static int make_named_temp(int dirfd, const char *name, char **tmp)
{
	unsigned seed = temp_seed();
	int i;

	for (i = 0; i < 100; i++) {
		struct buf b = BUF_INIT;
		int fd;

		temp_name(&b, name, &seed);
		fd = openat(dirfd, b.p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*tmp = buf_detach(&b);
			return fd;
		}
		buf_free(&b);
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* a new name for an O_TMPFILE file: through /proc, else AT_EMPTY_PATH */
static int link_tmpfile(int fd, int dirfd, const char *to)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, dirfd, to, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == EEXIST)
		return -EEXIST;
	if (linkat(fd, "", dirfd, to, AT_EMPTY_PATH) == 0)
		return 0;
	return -errno;
}

/* srcfd's extended attributes (SELinux label, POSIX ACLs, user.*) onto fd */
static int copy_xattrs(int srcfd, int fd, const char **what)
{
	struct buf names = BUF_INIT, val = BUF_INIT;
	ssize_t n;
	size_t i;
	int r = 0;

	n = flistxattr(srcfd, NULL, 0);
	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	if (n > 0) {
		buf_grow(&names, (size_t)n + 1);
		n = flistxattr(srcfd, names.p, (size_t)n);
		if (n < 0) {
			buf_free(&names);
			return -errno;
		}
	}
	for (i = 0; r == 0 && i < (size_t)n; i += strlen(names.p + i) + 1) {
		const char *k = names.p + i;
		ssize_t m = fgetxattr(srcfd, k, NULL, 0);

		*what = "cannot keep extended attributes";
		if (m < 0) {
			r = -errno;
			break;
		}
		buf_reset(&val);
		buf_grow(&val, (size_t)m + 1);
		m = fgetxattr(srcfd, k, val.p, (size_t)m);
		if (m < 0 || fsetxattr(fd, k, val.p, (size_t)m, 0) < 0)
			r = -errno;
	}
	/* a default ACL of the directory gave the new file an ACL the old one lacked */
	if (r == 0 && fgetxattr(srcfd, "system.posix_acl_access", NULL, 0) < 0 &&
	    errno == ENODATA && fremovexattr(fd, "system.posix_acl_access") < 0 &&
	    errno != ENODATA && errno != ENOTSUP) {
		*what = "cannot keep extended attributes";
		r = -errno;
	}
	buf_free(&names);
	buf_free(&val);
	return r;
}

/* content, owner, xattrs, mode, fsync: everything before the name */
static int fill(int fd, const void *data, size_t len, const struct stat *like,
		int srcfd, const char **what)
{
	int r;

	*what = "cannot write";
	if ((r = write_all(fd, data, len)) < 0)
		return r;
	/* owner before mode: chown(2) clears setuid and setgid */
	if (like && (like->st_uid != geteuid() || like->st_gid != getegid())) {
		*what = "cannot keep owner";
		if (fchown(fd, like->st_uid, like->st_gid) < 0)
			return -errno;
	}
	if (srcfd >= 0 && (r = copy_xattrs(srcfd, fd, what)) < 0)
		return r;
	*what = "cannot set mode";
	if (fchmod(fd, like ? like->st_mode & 07777 : 0644) < 0)
		return -errno;
	*what = "cannot sync";
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

int atomic_write_at(int dirfd, const char *name, int exists, const void *data,
		    size_t len, const struct stat *like, int srcfd, const char **what)
{
	char *tmp = NULL;
	int fd, r, linking = 0;

	*what = "cannot create temporary file";
	/* unnamed until complete: a kill leaves nothing behind */
	fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		r = fill(fd, data, len, like, srcfd, what);
		if (r == 0) {
			*what = "cannot link temporary file";
			linking = 1;
			if (!exists) {
				r = link_tmpfile(fd, dirfd, name);
			} else {
				/* a free ".NAME.XXXXXX~", then rename over NAME */
				struct buf b = BUF_INIT;
				unsigned seed = temp_seed();
				int i;

				for (i = 0, r = -EEXIST; i < 100 && r == -EEXIST; i++) {
					temp_name(&b, name, &seed);
					r = link_tmpfile(fd, dirfd, b.p);
				}
				if (r == 0)
					tmp = buf_detach(&b);
				buf_free(&b);
			}
		}
		/*
		 * After fsync a close cannot lose data; and once linked, the
		 * file is what we wrote: a close error changes nothing
		 */
		close(fd);
		/* no /proc and no CAP_DAC_READ_SEARCH: a named temporary after all */
		if (linking && (r == -ENOENT || r == -EPERM || r == -EACCES)) {
			if (tmp)
				unlinkat(dirfd, tmp, 0);
			free(tmp);
			tmp = NULL;
			goto named;
		}
		if (r < 0 || !exists)
			goto done;
		goto rename;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
named:
	*what = "cannot create temporary file";
	fd = make_named_temp(dirfd, name, &tmp);
	if (fd < 0)
		return fd;
	r = fill(fd, data, len, like, srcfd, what);
	if (close(fd) < 0 && r == 0) {
		*what = "cannot write";
		r = -errno;
	}
	if (r < 0)
		goto done;
rename:
	*what = "cannot rename temporary file";
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
done:
	if (r < 0) {
		if (tmp)
			unlinkat(dirfd, tmp, 0);
		free(tmp);
		return r;
	}
	free(tmp);
	/*
	 * The new content is in place; a directory that cannot be synced
	 * makes it less durable, not wrong: warn, do not fail.
	 */
	if (fsync(dirfd) < 0 && errno != EINVAL)
		errorf_errno(name, errno, "warning: cannot sync directory");
	*what = NULL;
	return 0;
}

int lockedfile_replace(struct lockedfile *lf, const void *data, size_t len,
		       const char **what)
{
	return atomic_write_at(lf->rp.dirfd, lf->rp.name, lf->fd >= 0, data, len,
			       lf->fd >= 0 ? &lf->st : NULL, lf->fd, what);
}

int lockedfile_backup(struct lockedfile *lf, const char *suffix, const void *data,
		      size_t len, const char **what)
{
	struct buf name = BUF_INIT;
	struct stat st;
	int r;

	buf_printf(&name, "%s%s", lf->rp.name, suffix);
	r = fstatat(lf->rp.dirfd, name.p, &st, AT_SYMLINK_NOFOLLOW) == 0;
	r = atomic_write_at(lf->rp.dirfd, name.p, r, data, len,
			    lf->fd >= 0 ? &lf->st : NULL, lf->fd, what);
	buf_free(&name);
	return r;
}

void lockedfile_close(struct lockedfile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	rootpath_free(&lf->rp);	/* closing the directory drops the lock */
}
