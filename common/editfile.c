/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "editfile.h"
#include "atomicfile.h"
#include "err.h"
#include "udiff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int edit_opts_parse(int c, const char *arg, struct edit_opts *o)
{
	switch (c) {
	case 'i':
		o->in_place = 1;
		return 1;
	case 'b':
		o->backup = arg && *arg ? arg : ".bak";
		return 1;
	case OPT_CHECK:
		o->check = 1;
		return 1;
	case OPT_DIFF:
		o->diff = 1;
		return 1;
	}
	return 0;
}

/*
 * read FILE whole; a missing FILE reads as empty (it is created by the
 * edit).  Under --root, or with -i, FILE is resolved as -i writes it
 * (inside the root) and must be a regular file; *label is the path really
 * read when a symlink led elsewhere.
 */
int edit_read(const struct edit_opts *o, const char *name, struct buf *in,
	      char **label)
{
	struct rootpath rp;
	int r, fd;

	*label = NULL;
	if (strcmp(name, "-") == 0) {
		r = buf_read_fd(in, 0, BUF_MAX_FILE);
	} else if (!o->in_place && !root_relative(o->root, name)) {
		r = buf_read_file(in, name, BUF_MAX_FILE);
	} else if ((r = rootpath_resolve(o->root, name, &rp)) == 0) {
		if (rp.followed)
			*label = xstrdup(rp.shown);
		fd = openat(rp.dirfd, rp.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		r = fd < 0 ? -errno : read_regular_fd(fd, in, BUF_MAX_FILE);
		if (fd >= 0)
			close(fd);
		rootpath_free(&rp);
	}
	return r;
}

static int read_input(const struct edit_opts *o, const char *name, struct buf *in,
		      char **label)
{
	int r = edit_read(o, name, in, label);

	if (r == -ENOENT && strcmp(name, "-") != 0)
		return 0;
	if (r == -EFBIG) {
		errorf(name, "file too large (over %u bytes)", BUF_MAX_FILE);
		return EXIT_TROUBLE;
	}
	if (r == -EINVAL) {
		errorf(name, "not a regular file");
		return EXIT_TROUBLE;
	}
	if (r < 0) {
		errorf_errno(name, -r, "cannot read");
		return EXIT_TROUBLE;
	}
	return 0;
}

/* the diff on stdout now, before the file is replaced; 0 or -1 after a message */
static int put_diff_now(const char *name, const char *label, const struct buf *in,
			const struct buf *out)
{
	struct buf d = BUF_INIT;
	int r;

	udiff(&d, label, in->p, in->len, out->p, out->len);
	fflush(stdout);
	r = write_all(STDOUT_FILENO, d.p ? d.p : "", d.len);
	buf_free(&d);
	if (r < 0) {
		errorf_errno(name, -r, "not written: its diff cannot go to standard output");
		return -1;
	}
	return 0;
}

struct pending {
	struct buf in;
	struct buf out;
	char *label;	/* the path really read, when a symlink led elsewhere */
};

static int edit_in_place(const struct edit_opts *o, const char *name,
			 struct pending *p, edit_fn fn, void *ctx)
{
	struct lockedfile lf;
	struct buf now = BUF_INIT;
	const char *what = NULL, *label;
	int r = lockedfile_open(&lf, o->root, name);

	if (r == -EMLINK) {
		errorf(name, "has more than one hard link: replacing it would split them "
		       "(edit the file the links share some other way)");
		return EXIT_TROUBLE;
	}
	if (r == -EINVAL) {
		errorf(name, "not a regular file");
		return EXIT_TROUBLE;
	}
	if (r < 0) {
		errorf_errno(name, -r, "cannot open for editing");
		return EXIT_TROUBLE;
	}
	label = lf.rp.followed ? lf.rp.shown : name;
	if (lf.fd >= 0 && (r = read_regular_fd(lf.fd, &now, BUF_MAX_FILE)) < 0) {
		errorf_errno(name, -r, "cannot read");
		goto out;
	}
	/* changed since the first pass: another editor ran; edit what is there now */
	if (now.len != p->in.len || memcmp(now.p ? now.p : "", p->in.p ? p->in.p : "", now.len)) {
		buf_free(&p->in);
		buf_free(&p->out);
		p->in = now;
		now = (struct buf)BUF_INIT;
		if (fn(name, &p->in, &p->out, ctx) != 0) {
			r = -1;
			goto out;
		}
	}
	if (p->out.len == p->in.len && memcmp(p->out.p ? p->out.p : "", p->in.p ? p->in.p : "", p->in.len) == 0)
		goto out;	/* unchanged: not rewritten, mtime kept */
	/* the diff first: a diff that cannot be shown is a change not made */
	if (o->diff && (r = put_diff_now(name, label, &p->in, &p->out)) < 0)
		goto out;
	if (o->backup && lf.fd >= 0) {
		r = lockedfile_backup(&lf, o->backup, p->in.p ? p->in.p : "", p->in.len, &what);
		if (r < 0) {
			errorf_errno(name, -r, "backup %s%s: %s", label, o->backup, what);
			goto out;
		}
	}
	r = lockedfile_replace(&lf, p->out.p ? p->out.p : "", p->out.len, &what);
	if (r < 0) {
		errorf_errno(name, -r, "%s", what);
		goto out;
	}
out:
	buf_free(&now);
	lockedfile_close(&lf);
	return r < 0 ? EXIT_TROUBLE : 0;
}

int edit_run(const struct edit_opts *o, char **files, int nfiles,
	     edit_fn fn, void *ctx)
{
	static char *stdin_name[] = { (char *)"-" };
	struct pending *p;
	struct buf text = BUF_INIT;
	int i, status = EXIT_YES, changed = 0;

	/* a suffix, not a path: FILE.SUFFIX stays beside FILE (inside --root) */
	if (o->backup && strchr(o->backup, '/')) {
		errorf("--backup", "'%s': a suffix, not a path: it holds '/'", o->backup);
		return EXIT_TROUBLE;
	}
	if (nfiles == 0) {
		if (o->in_place) {
			errorf(NULL, "-i needs a FILE");
			return EXIT_TROUBLE;
		}
		files = stdin_name;
		nfiles = 1;
	}
	if (o->backup && !o->in_place) {
		errorf(NULL, "--backup needs -i");
		return EXIT_TROUBLE;
	}
	for (i = 0; o->in_place && i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0) {
			errorf("-", "-i edits files in place, not standard input");
			return EXIT_TROUBLE;
		}
	}
	p = xcalloc((size_t)nfiles, sizeof(*p));

	/* first pass: every input edited in memory, nothing written */
	for (i = 0; i < nfiles && status != EXIT_TROUBLE; i++) {
		if (read_input(o, files[i], &p[i].in, &p[i].label) != 0 ||
		    fn(files[i], &p[i].in, &p[i].out, ctx) != 0) {
			status = EXIT_TROUBLE;
			break;
		}
		if (p[i].out.len != p[i].in.len ||
		    memcmp(p[i].out.p ? p[i].out.p : "", p[i].in.p ? p[i].in.p : "", p[i].in.len))
			changed = 1;
	}

	for (i = 0; i < nfiles && status != EXIT_TROUBLE; i++) {
		if (o->check) {
			if (o->diff)
				udiff(&text, p[i].label ? p[i].label : files[i],
				      p[i].in.p, p[i].in.len, p[i].out.p, p[i].out.len);
			continue;
		}
		if (o->in_place) {
			/*
			 * Unchanged in the first pass: nothing to write, so
			 * nothing to lock (a read-only file system is fine).
			 * A concurrent edit is not lost: ours did nothing.
			 */
			if (p[i].out.len == p[i].in.len &&
			    memcmp(p[i].out.p ? p[i].out.p : "", p[i].in.p ? p[i].in.p : "", p[i].in.len) == 0)
				continue;
			if (edit_in_place(o, files[i], &p[i], fn, ctx) != 0)
				status = EXIT_TROUBLE;
		} else if (o->diff) {
			udiff(&text, p[i].label ? p[i].label : files[i], p[i].in.p, p[i].in.len, p[i].out.p, p[i].out.len);
		} else {
			buf_add(&text, p[i].out.p ? p[i].out.p : "", p[i].out.len);
		}
	}

	/* with -i --diff each diff went out before its file was replaced */
	if (text.len && status != EXIT_TROUBLE)
		fwrite(text.p ? text.p : "", 1, text.len, stdout);
	if (status != EXIT_TROUBLE && o->check && changed)
		status = EXIT_NO;
	for (i = 0; i < nfiles; i++) {
		buf_free(&p[i].in);
		buf_free(&p[i].out);
		free(p[i].label);
	}
	free(p);
	buf_free(&text);
	return status;
}

int edit_close_stdout(const struct edit_opts *o, int status)
{
	if (o->in_place && !o->diff)
		return status;
	return close_stdout(status);
}
