/*
 * atomicfile: locked, atomic in-place replacement of a file.
 *
 * The sequence: resolve symlinks (the target is replaced, never the link);
 * open and flock the target, then check the path still names the inode we
 * locked (another editor's rename may have replaced it while we waited);
 * read; the caller edits; write a temporary file in the same directory
 * (O_CREAT|O_EXCL|O_NOFOLLOW, never /tmp: rename must not cross file
 * systems), fchmod/fchown to the original's, fsync, rename over the target,
 * fsync the directory.  On any failure the temporary is removed and the
 * original left alone.  Extended attributes and ACLs are not copied.
 */
#ifndef VFIOKIT_ATOMICFILE_H
#define VFIOKIT_ATOMICFILE_H

#include <stddef.h>
#include <sys/stat.h>

struct lockedfile {
	char *path;		/* the target, symlinks followed */
	int fd;			/* open and locked, or -1 */
	int created;		/* we created it empty to have something to lock */
	struct stat st;		/* of the locked file */
};

/* follow symlinks in the last component, even to a missing target; NULL on error (errno) */
char *path_resolve(const char *path);

/*
 * Open and exclusively lock path (symlinks followed), creating it empty
 * (mode 0644) when missing.  0 or -errno.
 */
int lockedfile_open(struct lockedfile *lf, const char *path);

/* replace the locked file's content atomically, keeping mode and owner; 0 or -errno */
int lockedfile_replace(struct lockedfile *lf, const void *data, size_t len,
		       const char **what);

/* unlock and close; a file we created and never filled is removed */
void lockedfile_close(struct lockedfile *lf);

/*
 * Write data to path atomically (temporary, fsync, rename), mode from
 * like (or 0644 when NULL).  0 or -errno; the message-worthy step in *what.
 */
int atomic_write(const char *path, const void *data, size_t len,
		 const struct stat *like, const char **what);

#endif
