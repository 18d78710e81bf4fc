/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootpath: paths taken inside a root directory, as a process chrooted
 * there would see them.  Every component is resolved inside the root:
 * symlinks are followed, and an absolute target or a ".." at the root
 * stays at the root (openat2(2) RESOLVE_IN_ROOT), so a hostile image
 * (ROOT/etc/modprobe.d -> /etc/modprobe.d, ROOT/sys -> /sys, a relative
 * link climbing out with ../..) cannot make a tool read or write outside
 * it.  Where the kernel lacks openat2 (before Linux 5.6, or a seccomp
 * filter refuses it) a walk in user space does the same, one component at
 * a time with O_PATH|O_NOFOLLOW and readlinkat.  Magic links
 * (/proc/PID/fd/N) are refused under a root: they are not paths.
 *
 * A root of "/" (or NULL) is the system's own: paths are opened as given.
 */
#ifndef VFIOKIT_ROOTPATH_H
#define VFIOKIT_ROOTPATH_H

#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>

#include "buf.h"

/* an O_PATH descriptor of the directory root; -errno */
int rootfd_open(const char *root);

/*
 * Open path inside the root rootfd names; path is taken from the root
 * whether or not it starts with '/'.  flags as openat(2) (O_CLOEXEC is
 * added; O_NOFOLLOW applies to the last component).  fd or -errno.
 */
int root_openat(int rootfd, const char *path, int flags);
/* the same by the user-space walk alone (what root_openat falls back to) */
int root_walk_openat(int rootfd, const char *path, int flags);

/* root_openat with the root given by name; a plain open(2) for "/" */
int root_open(const char *root, const char *path, int flags);
/*
 * A regular file under root read whole into b; a FIFO, device or
 * directory is -EINVAL / -EISDIR, never a read that hangs.  0 or -errno.
 */
int root_read(const char *root, const char *path, struct buf *b, size_t max);
/* fstat of path under root (symlinks followed inside it); 0 or -errno */
int root_stat(const char *root, const char *path, struct stat *st);
/* opendir of path under root; NULL with errno */
DIR *root_opendir(const char *root, const char *path);
/* scandir(3) of path under root, every entry, sorted by cmp (may be NULL); -1 with errno */
int root_scandir(const char *root, const char *path, struct dirent ***list,
		 int (*cmp)(const struct dirent **, const struct dirent **));

/* a regular file read whole from fd, opened O_NONBLOCK; 0 or -errno */
int read_regular_fd(int fd, struct buf *b, size_t max);

/* where a file to be written is */
struct rootpath {
	int dirfd;	/* the directory holding it, O_RDONLY|O_DIRECTORY */
	char *name;	/* its name there: never a symlink (or ".") */
	char *shown;	/* path as given, or the path reached when a link was followed */
	int followed;	/* a symlink was followed on the way */
};

/*
 * Resolve path for writing.  When root is not "/" and path begins with
 * "ROOT/", the rest is resolved inside ROOT; otherwise path is resolved as
 * the system does (relative to the working directory).  Symlinks are
 * followed in every component, the last one too, even when it dangles:
 * its target is then what gets created.  0 or -errno.
 */
int rootpath_resolve(const char *root, const char *path, struct rootpath *rp);
void rootpath_free(struct rootpath *rp);

/* the part of path after "ROOT/", or NULL when path is not under root */
const char *root_relative(const char *root, const char *path);
/*
 * A file named as the user gave it ("ROOT/etc/...", or any other path)
 * read whole: inside the root when it is under it (root_read), else
 * buf_read_file.  0 or -errno.
 */
int root_read_given(const char *root, const char *path, struct buf *b, size_t max);

/*
 * Where a root keeps its kernels' modules, relative to it: "/lib/modules",
 * or "/usr/lib/modules" on a root without /lib/modules (a merged /usr whose
 * /lib link is gone).  A static string.
 */
const char *root_modules(const char *root);

/*
 * Where path under root leads, every link followed inside the root, as a
 * path from the root ("/sys/devices/pci0000:00/0000:00:1f.6/net/eno1"):
 * realpath(3) as a process chrooted there sees it.  Into out (reset
 * first); 0 or -errno.
 */
int root_realpath(const char *root, const char *path, struct buf *out);

/* ROOT joined with an absolute system path; the caller frees */
char *root_path(const char *root, const char *path);
int root_is_slash(const char *root);
/* the whole of ROOT/path (an empty file is ""), or NULL; the caller frees */
char *root_read_file(const char *root, const char *path);

#endif
