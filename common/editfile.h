/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * editfile: what every editing tool (cmdline-edit, modconf-edit) does with
 * its FILE operands, so that each tool only supplies the edit of a text.
 *
 *   no FILE        stdin edited to stdout (a filter)
 *   -i             each FILE replaced atomically under a lock; a missing
 *                  FILE is created (0644); an unchanged one is not rewritten
 *   --check        nothing written; status 1 when an edit would change a file
 *   --diff         a unified diff of each change instead of the text
 *   -b[SUFFIX]     with -i, the old content kept as FILE.SUFFIX (".bak")
 *
 * A FILE under --root ("ROOT/etc/...") is resolved inside ROOT, symlinks
 * and all (common/rootpath); with -i a FILE must be a regular file (a FIFO
 * would hang), "-" is refused, and with --diff the diff is on stdout
 * before the file is replaced: when it cannot be written, nothing is.
 *
 * Every input is edited in memory before anything is written, so bad input
 * in any FILE writes nothing at all; with -i each file is then locked,
 * read again and edited again under the lock, so a concurrent editor's
 * change is kept.  On status 2 stdout holds nothing.
 */
#ifndef VFIOKIT_EDITFILE_H
#define VFIOKIT_EDITFILE_H

#include "buf.h"
#include "opts.h"

struct edit_opts {
	const char *root;	/* --root: a FILE under it is resolved inside it */
	int in_place;
	int check;
	int diff;
	const char *backup;	/* suffix, or NULL */
};

/*
 * An edit: the new text of one input.  name is the FILE as given, "-" for
 * stdin.  Returns 0, or EXIT_TROUBLE after printing why (errorf).
 */
typedef int (*edit_fn)(const char *name, const struct buf *in,
		       struct buf *out, void *ctx);

#define EDIT_SHORTOPTS "ib::"
#define EDIT_LONGOPTS \
	{ "backup", optional_argument, NULL, 'b' }, \
	{ "check", no_argument, NULL, OPT_CHECK }, \
	{ "diff", no_argument, NULL, OPT_DIFF }, \
	{ "in-place", no_argument, NULL, 'i' }
/* their lines of -h */
#define EDIT_HELP \
	"  -i, --in-place     edit each FILE in place\n" \
	"  --check            exit 1 when something would change, print nothing\n" \
	"  --diff             print a unified diff of each change\n" \
	"  -b, --backup[=SUFFIX]         with -i, keep the old content as FILE.SUFFIX (.bak)\n"

/* handle -i -b --check --diff; 1 when c was one of them */
int edit_opts_parse(int c, const char *arg, struct edit_opts *o);

/*
 * Read FILE ("-": stdin) whole as the edit reads it: under --root resolved
 * inside the root, with -i a regular file only.  *label is the path really
 * read when a symlink led elsewhere (the caller frees it), else NULL.
 * 0 or -errno (-EINVAL: not a regular file).
 */
int edit_read(const struct edit_opts *o, const char *name, struct buf *in,
	      char **label);

/* run fn over files (stdin when nfiles is 0); the exit status per the spec */
int edit_run(const struct edit_opts *o, char **files, int nfiles,
	     edit_fn fn, void *ctx);

/*
 * close_stdout(status), except with -i and no --diff: nothing goes to
 * stdout then, so closing it loses nothing and must not turn files already
 * replaced into status 2 (which promises nothing was written)
 */
int edit_close_stdout(const struct edit_opts *o, int status);

#endif
