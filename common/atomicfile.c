#include "atomicfile.h"
#include "buf.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

char *path_resolve(const char *path)
{
	char *cur = xstrdup(path);
	int hops;

	for (hops = 0; hops < 40; hops++) {
		struct buf target = BUF_INIT;
		ssize_t n;
		char *slash;

		buf_grow(&target, PATH_MAX);
		n = readlink(cur, target.p, target.cap - 1);
		if (n < 0) {
			buf_free(&target);
			if (errno == EINVAL || errno == ENOENT)
				return cur;	/* not a link, or nothing there */
			free(cur);
			return NULL;
		}
		target.len = (size_t)n;
		target.p[n] = '\0';
		slash = strrchr(cur, '/');
		if (target.p[0] != '/' && slash) {
			struct buf next = BUF_INIT;

			buf_add(&next, cur, (size_t)(slash - cur) + 1);
			buf_add(&next, target.p, target.len);
			free(cur);
			cur = buf_detach(&next);
			buf_free(&target);
		} else {
			free(cur);
			cur = buf_detach(&target);
		}
	}
	free(cur);
	errno = ELOOP;
	return NULL;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * A file we created to lock and could not lock or check: remove it if the
 * path still names it, so a failed edit leaves nothing where there was
 * nothing.  An editor that replaced it meanwhile made a new inode: kept.
 */
static void drop_created(int fd, const char *path)
{
	struct stat mine, now;

	if (fstat(fd, &mine) == 0 && mine.st_size == 0 && stat(path, &now) == 0 &&
	    now.st_dev == mine.st_dev && now.st_ino == mine.st_ino)
		unlink(path);
}

int lockedfile_open(struct lockedfile *lf, const char *path)
{
	int tries;

	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	lf->path = path_resolve(path);
	if (!lf->path)
		return -errno;

	for (tries = 0; tries < 100; tries++) {
		struct stat now;
		int created = 0;
		int fd = open(lf->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

		if (fd < 0 && errno == ENOENT) {
			fd = open(lf->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (fd < 0 && errno == EEXIST)
				continue;	/* raced with a creator: open it */
			created = fd >= 0;
		}
		if (fd < 0)
			goto fail;
		if (fstat(fd, &lf->st) < 0 || flock(fd, LOCK_EX) < 0) {
			int e = errno;

			if (created)
				drop_created(fd, lf->path);
			close(fd);
			errno = e;
			goto fail;
		}
		if (!S_ISREG(lf->st.st_mode)) {
			close(fd);
			errno = EISDIR;
			if (!S_ISDIR(lf->st.st_mode))
				errno = EINVAL;
			goto fail;
		}
		/* still the file the path names? else an editor replaced it */
		if (stat(lf->path, &now) == 0 && now.st_dev == lf->st.st_dev &&
		    now.st_ino == lf->st.st_ino) {
			lf->fd = fd;
			lf->created = created;
			fstat(fd, &lf->st);
			return 0;
		}
		close(fd);
	}
	errno = EAGAIN;
fail:
	{
		int e = errno;

		free(lf->path);
		lf->path = NULL;
		return -e;
	}
}

static int make_temp(const char *path, char **tmp)
{
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/');
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	int i;

	base = base ? base + 1 : path;
	for (i = 0; i < 100; i++) {
		struct buf name = BUF_INIT;
		int fd;

		seed = seed * 1103515245u + 12345u + (unsigned)i;
		buf_printf(&name, "%s/.%s.%06x~", dir, base, seed & 0xffffff);
		fd = open(name.p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			free(dir);
			*tmp = buf_detach(&name);
			return fd;
		}
		buf_free(&name);
		if (errno != EEXIST) {
			int e = errno;

			free(dir);
			return -e;
		}
	}
	free(dir);
	return -EEXIST;
}

static int sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

int atomic_write(const char *path, const void *data, size_t len,
		 const struct stat *like, const char **what)
{
	char *tmp = NULL;
	int fd = make_temp(path, &tmp);
	int r;

	*what = "cannot create temporary file";
	if (fd < 0)
		return fd;
	*what = "cannot write";
	r = write_all(fd, data, len);
	if (r == 0) {
		*what = "cannot set mode";
		if (fchmod(fd, like ? like->st_mode & 07777 : 0644) < 0)
			r = -errno;
	}
	if (r == 0 && like && (like->st_uid != geteuid() || like->st_gid != getegid())) {
		*what = "cannot keep owner";
		if (fchown(fd, like->st_uid, like->st_gid) < 0)
			r = -errno;
	}
	if (r == 0) {
		*what = "cannot sync";
		if (fsync(fd) < 0)
			r = -errno;
	}
	if (close(fd) < 0 && r == 0) {
		*what = "cannot write";
		r = -errno;
	}
	if (r == 0) {
		*what = "cannot rename temporary file";
		if (rename(tmp, path) < 0)
			r = -errno;
	}
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		return r;
	}
	free(tmp);
	/*
	 * The new content is in place; a directory that cannot be synced
	 * makes it less durable, not wrong: warn, do not fail.
	 */
	r = sync_dir(path);
	if (r < 0)
		errorf_errno(path, -r, "warning: cannot sync directory");
	*what = NULL;
	return 0;
}

int lockedfile_replace(struct lockedfile *lf, const void *data, size_t len,
		       const char **what)
{
	int r = atomic_write(lf->path, data, len, lf->created ? NULL : &lf->st, what);

	if (r == 0)
		lf->created = 0;
	return r;
}

void lockedfile_close(struct lockedfile *lf)
{
	if (lf->fd >= 0) {
		if (lf->created)
			unlink(lf->path);	/* still ours: we hold the lock */
		close(lf->fd);
	}
	free(lf->path);
	lf->path = NULL;
	lf->fd = -1;
}
