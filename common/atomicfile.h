/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atomicfile: locked, atomic in-place replacement of a file.
 *
 * The sequence: resolve the path (common/rootpath: inside --root when the
 * file is under it; symlinks followed, the target is replaced, never the
 * link); lock the directory that holds the file (flock), so nothing ever
 * has to exist at the target before its content does; remove temporaries
 * of editors killed before their rename; open and read the file; the
 * caller edits; write the new content to an unnamed temporary in the same
 * directory (O_TMPFILE; a named ".NAME.XXXXXX~" where the file system
 * lacks it), fchown, extended attributes and ACLs copied, fchmod (after
 * fchown: chown clears setuid bits), fsync, link it in and rename over the
 * target, fsync the directory.  On any failure the original is left alone
 * and no temporary remains.  A file with more than one hard link is
 * refused (-EMLINK): a rename would split the links.
 */
#ifndef VFIOKIT_ATOMICFILE_H
#define VFIOKIT_ATOMICFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "rootpath.h"

struct lockedfile {
	struct rootpath rp;	/* the directory (locked), the name, the path shown */
	int fd;			/* the file open for reading, or -1: not there yet */
	struct stat st;		/* of fd */
};

/*
 * Lock the directory of path (resolved inside root when path is under
 * it) and open the file when it exists.  0 or -errno: -EISDIR, -EINVAL
 * (not a regular file), -EMLINK (hard links).
 */
int lockedfile_open(struct lockedfile *lf, const char *root, const char *path);

/* replace the locked file's content atomically, keeping mode, owner and xattrs; 0 or -errno */
int lockedfile_replace(struct lockedfile *lf, const void *data, size_t len,
		       const char **what);

/* write data as the file's name + suffix beside it, atomically, with the file's mode, owner and xattrs */
int lockedfile_backup(struct lockedfile *lf, const char *suffix, const void *data,
		      size_t len, const char **what);

/* unlock and close */
void lockedfile_close(struct lockedfile *lf);

/*
 * Write data as name in directory dirfd atomically: mode, owner from like
 * (0644 and ours when NULL), extended attributes from srcfd (when >= 0).
 * exists says whether name is there now.  0 or -errno; the step that
 * failed in *what.
 */
int atomic_write_at(int dirfd, const char *name, int exists, const void *data,
		    size_t len, const struct stat *like, int srcfd, const char **what);

#endif
