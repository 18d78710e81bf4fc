/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state: what vfio-kit keeps between runs, in ROOT/var/lib/vfio-kit: the
 * journal (what --undo takes back), the marker of a refresh owed, and the
 * lock every run and undo on one root holds from its first read of the
 * journal to its last write.
 *
 * Everything here is hostile until checked: each of /var, /var/lib and
 * vfio-kit is opened inside the root with O_NOFOLLOW (a symbolic link is
 * refused, never followed); the directory is made 0755 whatever the umask;
 * it, the journal, the marker and the lock must be owned by root (or the
 * user running the tool, for images built without root) and writable by
 * nobody else; the journal and the marker must be regular files (a FIFO
 * would hang the run, a directory would read as empty, a symlink would
 * have its target deleted).  The lock file is 0600: a user who cannot open
 * it cannot hold it.
 */
#ifndef VFIOKIT_STATE_H
#define VFIOKIT_STATE_H

#include <stddef.h>

#include "buf.h"

#define STATE_DIR "/var/lib/vfio-kit"
#define STATE_JOURNAL STATE_DIR "/journal"
#define STATE_MARKER STATE_DIR "/refresh-needed"

struct state {
	const char *root;
	int dirfd;	/* ROOT/var/lib/vfio-kit, or -1 when it does not exist */
	int lockfd;	/* held when >= 0 */
};

/*
 * Open the state directory.  create: made (with /var and /var/lib) when
 * missing, and locked; else st->dirfd is -1 when it is missing and no lock
 * is taken (a dry run reads, never writes).  Prints why and returns -1 on
 * a refusal or an error, else 0.
 */
int state_open(const char *root, int create, struct state *st);
/*
 * Close it; when it holds nothing but the lock (no journal, no marker), the
 * lock file and the directory go, under the lock: a run waiting for it then
 * finds the inode it waited on unlinked and starts over.
 */
void state_close(struct state *st);

/*
 * The journal's text into b ("" when there is none).  0, or -1 after
 * saying why (not a regular file, a symlink, owned by another user,
 * writable by others, unreadable, over 1 MiB).
 */
int state_journal_read(const struct state *st, struct buf *b);
/* replace the journal atomically with text; an empty text removes it; 0 or -1 */
int state_journal_write(const struct state *st, const char *text, size_t len);

/* the marker of a refresh owed, made; 0 or -1 */
int state_mark(const struct state *st);
/*
 * Is a refresh owed under root?  1 or 0; -1 after saying why when the
 * marker is not a regular file of ours.
 */
int state_marked(const char *root);
/* the marker removed (a refresh ran every command); 0 or -1 */
int state_unmark(const char *root);

/* "ROOT/var/lib/vfio-kit/..." as shown in messages; the caller frees */
char *state_path(const char *root, const char *path);

#endif
