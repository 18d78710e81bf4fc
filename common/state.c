/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state: ROOT/var/lib/vfio-kit, its journal, marker and lock (state.h).
 */
#include "state.h"
#include "err.h"
#include "opts.h"
#include "rootpath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_MAX (1u << 20)

char *state_path(const char *root, const char *path)
{
	return root_path(root, path);
}

static void refuse(const char *root, const char *path, const char *why)
{
	char *p = state_path(root, path);

	errorf(p, "%s", why);
	free(p);
}

static void refuse_errno(const char *root, const char *path, int e, const char *what)
{
	char *p = state_path(root, path);

	errorf_errno(p, e, "%s", what);
	free(p);
}

/*
 * Owned by root or by us, writable by nobody else: anything else lets
 * another user add a line that root's next --undo carries out.
 */
static const char *not_ours(const struct stat *s)
{
	if (s->st_uid != 0 && s->st_uid != geteuid())
		return "owned by another user: not trusting it";
	if (s->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by others: not trusting it";
	return NULL;
}

/* component name of dirfd, a directory (made 0755 when create); fd, -1 said, -2 missing */
static int open_dir(const char *root, int dirfd, const char *name, const char *shown,
		    int create)
{
	struct stat s;
	int fd, made = 0;

	if (fstatat(dirfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) {
			refuse_errno(root, shown, errno, "cannot read");
			return -1;
		}
		if (!create)
			return -2;
		/* 0755 whatever the umask: others read it, nobody else writes it */
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
			refuse_errno(root, shown, errno, "cannot create");
			return -1;
		}
		made = 1;
	} else if (S_ISLNK(s.st_mode)) {
		refuse(root, shown, "a symbolic link: not following it");
		return -1;
	} else if (!S_ISDIR(s.st_mode)) {
		refuse(root, shown, "not a directory");
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		refuse_errno(root, shown, errno, errno == ELOOP || errno == ENOTDIR ?
			     "not a directory of its own" : "cannot open");
		return -1;
	}
	if (made && fchmod(fd, 0755) < 0) {
		refuse_errno(root, shown, errno, "cannot set its mode");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * /var and /var/lib are the system's: resolved inside the root, links and
 * all (common/rootpath), as a chroot sees them; vfio-kit itself is ours
 * and must be a directory, never a link.
 */
static int open_system_dir(const char *root, const char *path, int create)
{
	int fd = root_open(root, path, O_RDONLY | O_DIRECTORY);

	if (fd == -ENOENT && create) {
		const char *slash = strrchr(path, '/');
		char *parent = xstrndup(path, (size_t)(slash - path) + (slash == path));
		int pfd = root_open(root, parent, O_RDONLY | O_DIRECTORY);

		free(parent);
		if (pfd >= 0) {
			/* 0755 whatever the umask, as vfio-kit below */
			if (mkdirat(pfd, slash + 1, 0755) == 0 && fchmodat(pfd, slash + 1, 0755, 0) < 0)
				fd = -errno;
			close(pfd);
			if (fd == -ENOENT)
				fd = root_open(root, path, O_RDONLY | O_DIRECTORY);
		}
		if (fd < 0) {
			refuse_errno(root, path, -fd, "cannot create");
			return -1;
		}
	}
	if (fd == -ENOENT)
		return -2;
	if (fd < 0) {
		refuse_errno(root, path, -fd, "cannot open");
		return -1;
	}
	return fd;
}

static int open_state_dir(const char *root, int create)
{
	int fd = open_system_dir(root, "/var", create), next;
	struct stat s;
	const char *why;

	if (fd < 0)
		return fd;
	close(fd);
	if ((fd = open_system_dir(root, "/var/lib", create)) < 0)
		return fd;
	next = open_dir(root, fd, "vfio-kit", STATE_DIR, create);
	close(fd);
	if (next < 0)
		return next;
	fd = next;
	if (fstat(fd, &s) < 0) {
		refuse_errno(root, STATE_DIR, errno, "cannot read");
		close(fd);
		return -1;
	}
	if ((why = not_ours(&s))) {
		refuse(root, STATE_DIR, why);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The lock: ROOT/var/lib/vfio-kit/lock, 0600, flock'ed.  Once held, the
 * name must still be the inode locked: a run that finished meanwhile may
 * have removed it (state_close), and a lock on an unlinked file keeps out
 * nobody.
 */
static int take_lock(const char *root, int dirfd)
{
	for (;;) {
		struct stat a, b;
		const char *why;
		int fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
				O_CLOEXEC, 0600);

		if (fd < 0) {
			int e = errno;

			if (e == ENOENT)
				return -2;	/* the directory went: open it again */
			if (e == ELOOP)
				refuse(root, STATE_DIR "/lock", "a symbolic link: not following it");
			else
				refuse_errno(root, STATE_DIR "/lock", e, "cannot open");
			return -1;
		}
		if (fstat(fd, &a) < 0 || !S_ISREG(a.st_mode)) {
			refuse(root, STATE_DIR "/lock", "not a regular file");
			close(fd);
			return -1;
		}
		if ((why = not_ours(&a)) || (a.st_mode & 077)) {
			refuse(root, STATE_DIR "/lock", why ? why :
			       "readable by others: anyone could hold it");
			close(fd);
			return -1;
		}
		if (flock(fd, LOCK_EX) < 0) {
			refuse_errno(root, STATE_DIR "/lock", errno, "cannot lock");
			close(fd);
			return -1;
		}
		if (fstatat(dirfd, "lock", &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_nlink > 0)
			return fd;
		close(fd);
		if (a.st_nlink == 0 || errno == ENOENT)
			return -2;	/* the directory may be gone too: open it again */
	}
}

int state_open(const char *root, int create, struct state *st)
{
	st->root = root;
	st->lockfd = -1;
	for (int tries = 0; tries < 100; tries++) {
		int fd = open_state_dir(root, create);

		if (fd == -2) {	/* missing, and not to be made */
			st->dirfd = -1;
			return 0;
		}
		if (fd < 0)
			return -1;
		st->dirfd = fd;
		if (!create)
			return 0;
		st->lockfd = take_lock(root, fd);
		if (st->lockfd >= 0)
			return 0;
		close(fd);
		st->dirfd = -1;
		if (st->lockfd == -1)
			return -1;
		st->lockfd = -1;
	}
	refuse(root, STATE_DIR "/lock", "removed again and again while waiting for it");
	return -1;
}

void state_close(struct state *st)
{
	if (st->dirfd >= 0 && st->lockfd >= 0) {
		struct stat s;

		if (fstatat(st->dirfd, "journal", &s, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT &&
		    fstatat(st->dirfd, "refresh-needed", &s, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT && unlinkat(st->dirfd, "lock", 0) == 0) {
			int lib = root_open(st->root, "/var/lib", O_RDONLY | O_DIRECTORY);

			/* the directory is ours: gone when empty (a user's file keeps it) */
			if (lib >= 0) {
				(void)unlinkat(lib, "vfio-kit", AT_REMOVEDIR);
				close(lib);
			}
		}
	}
	if (st->lockfd >= 0)
		close(st->lockfd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->lockfd = st->dirfd = -1;
}

/* name in the state directory opened for reading: a regular file of ours; fd, -2 missing, -1 said */
static int open_file(const struct state *st, const char *name, const char *shown, int flags)
{
	struct stat s;
	const char *why;
	int fd;

	if (st->dirfd < 0)
		return -2;
	/* what is there decides before any open: a FIFO opened for writing would fail oddly */
	if (fstatat(st->dirfd, name, &s, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(s.st_mode)) {
		refuse(st->root, shown, S_ISLNK(s.st_mode) ? "a symbolic link: not following it" :
		       "not a regular file: not reading it");
		return -1;
	}
	fd = openat(st->dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		if (errno == ELOOP)
			refuse(st->root, shown, "a symbolic link: not following it");
		else
			refuse_errno(st->root, shown, errno, "cannot open");
		return -1;
	}
	if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode)) {
		refuse(st->root, shown, "not a regular file: not reading it");
		close(fd);
		return -1;
	}
	if ((why = not_ours(&s))) {
		refuse(st->root, shown, why);
		close(fd);
		return -1;
	}
	return fd;
}

int state_journal_read(const struct state *st, struct buf *b)
{
	int fd = open_file(st, "journal", STATE_JOURNAL, O_RDONLY), r;

	buf_reset(b);
	buf_adds(b, "");
	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	r = buf_read_fd(b, fd, JOURNAL_MAX);
	close(fd);
	if (r < 0) {
		refuse_errno(st->root, STATE_JOURNAL, -r, "cannot read");
		return -1;
	}
	return 0;
}

int state_journal_write(const struct state *st, const char *text, size_t len)
{
	char tmp[64];
	int fd, e = 0;

	if (st->dirfd < 0 || st->lockfd < 0) {
		refuse(st->root, STATE_JOURNAL, "written without the lock");
		return -1;
	}
	if (len == 0) {
		if (unlinkat(st->dirfd, "journal", 0) < 0 && errno != ENOENT) {
			refuse_errno(st->root, STATE_JOURNAL, errno, "cannot remove");
			return -1;
		}
		return fsync(st->dirfd) < 0 && errno != EINVAL ? -1 : 0;
	}
	snprintf(tmp, sizeof(tmp), ".journal.%ld", (long)getpid());
	(void)unlinkat(st->dirfd, tmp, 0);	/* a dead run's, under our lock */
	fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		refuse_errno(st->root, STATE_JOURNAL, errno, "cannot create a temporary file beside it");
		return -1;
	}
	if ((e = -write_all(fd, text, len)) == 0 && fchmod(fd, 0644) < 0)
		e = errno;
	if (!e && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && renameat(st->dirfd, tmp, st->dirfd, "journal") < 0)
		e = errno;
	if (e) {
		(void)unlinkat(st->dirfd, tmp, 0);
		refuse_errno(st->root, STATE_JOURNAL, e, "cannot write");
		return -1;
	}
	(void)fsync(st->dirfd);
	return 0;
}

int state_mark(const struct state *st)
{
	int fd = open_file(st, "refresh-needed", STATE_MARKER, O_WRONLY | O_CREAT);

	if (fd < 0) {
		if (fd == -2)
			refuse(st->root, STATE_DIR, "no such directory");
		return -1;
	}
	if (fsync(fd) < 0) {
		refuse_errno(st->root, STATE_MARKER, errno, "cannot write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int state_marked(const char *root)
{
	struct state st;
	int fd, r;

	if (state_open(root, 0, &st) < 0)
		return -1;
	fd = open_file(&st, "refresh-needed", STATE_MARKER, O_RDONLY);
	r = fd >= 0 ? 1 : fd == -2 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	state_close(&st);
	return r;
}

int state_unmark(const char *root)
{
	struct state st;
	struct stat s;
	int r = 0;

	if (state_open(root, 0, &st) < 0)
		return -1;
	if (st.dirfd >= 0 && fstatat(st.dirfd, "refresh-needed", &s, AT_SYMLINK_NOFOLLOW) == 0) {
		/* a link or a FIFO planted there is refused, never its target removed */
		if (!S_ISREG(s.st_mode)) {
			refuse(root, STATE_MARKER, "not a regular file: not removing it");
			r = -1;
		} else if (unlinkat(st.dirfd, "refresh-needed", 0) < 0) {
			refuse_errno(root, STATE_MARKER, errno, "cannot remove");
			r = -1;
		}
	}
	if (r == 0 && st.dirfd >= 0) {
		/*
		 * the directory is ours: gone when it holds nothing but the lock,
		 * if nobody holds that (a run that called us cleans up itself)
		 */
		int fd = openat(st.dirfd, "lock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			st.lockfd = fd;
		else if (fd >= 0)
			close(fd);
		else if (errno == ENOENT) {
			int lib = root_open(root, "/var/lib", O_RDONLY | O_DIRECTORY);

			if (lib >= 0) {
				(void)unlinkat(lib, "vfio-kit", AT_REMOVEDIR);
				close(lib);
			}
		}
	}
	state_close(&st);
	return r;
}
