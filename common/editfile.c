#include "editfile.h"
#include "atomicfile.h"
#include "err.h"
#include "udiff.h"

#include <errno.h>
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

/* read FILE whole; a missing FILE reads as empty (it is created by the edit) */
static int read_input(const char *name, struct buf *in)
{
	int r = strcmp(name, "-") == 0 ? buf_read_fd(in, 0, BUF_MAX_FILE)
				       : buf_read_file(in, name, BUF_MAX_FILE);

	if (r == -ENOENT && strcmp(name, "-") != 0)
		return 0;
	if (r == -EFBIG) {
		errorf(name, "file too large (over %u bytes)", BUF_MAX_FILE);
		return EXIT_TROUBLE;
	}
	if (r < 0) {
		errorf_errno(name, -r, "cannot read");
		return EXIT_TROUBLE;
	}
	return 0;
}

struct pending {
	struct buf in;
	struct buf out;
};

static int edit_in_place(const struct edit_opts *o, const char *name,
			 struct pending *p, edit_fn fn, void *ctx,
			 struct buf *stdout_buf)
{
	struct lockedfile lf;
	struct buf now = BUF_INIT;
	const char *what = NULL;
	int r = lockedfile_open(&lf, name);

	if (r < 0) {
		errorf_errno(name, -r, "cannot open for editing");
		return EXIT_TROUBLE;
	}
	r = buf_read_fd(&now, lf.fd, BUF_MAX_FILE);
	if (r < 0) {
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
	if (o->backup && !lf.created) {
		struct buf bak = BUF_INIT;

		buf_printf(&bak, "%s%s", lf.path, o->backup);
		r = atomic_write(bak.p, p->in.p ? p->in.p : "", p->in.len, &lf.st, &what);
		if (r < 0)
			errorf_errno(bak.p, -r, "%s", what);
		buf_free(&bak);
		if (r < 0)
			goto out;
	}
	r = lockedfile_replace(&lf, p->out.p ? p->out.p : "", p->out.len, &what);
	if (r < 0) {
		errorf_errno(name, -r, "%s", what);
		goto out;
	}
	if (o->diff)
		udiff(stdout_buf, name, p->in.p, p->in.len, p->out.p, p->out.len);
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
	p = xcalloc((size_t)nfiles, sizeof(*p));

	/* first pass: every input edited in memory, nothing written */
	for (i = 0; i < nfiles && status != EXIT_TROUBLE; i++) {
		if (read_input(files[i], &p[i].in) != 0 ||
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
				udiff(&text, files[i], p[i].in.p, p[i].in.len, p[i].out.p, p[i].out.len);
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
			if (edit_in_place(o, files[i], &p[i], fn, ctx, &text) != 0)
				status = EXIT_TROUBLE;
		} else if (o->diff) {
			udiff(&text, files[i], p[i].in.p, p[i].in.len, p[i].out.p, p[i].out.len);
		} else {
			buf_add(&text, p[i].out.p ? p[i].out.p : "", p[i].out.len);
		}
	}

	/* with -i the files written before a failure stay written: show their diffs */
	if (text.len && (status != EXIT_TROUBLE || (o->in_place && o->diff)))
		fwrite(text.p ? text.p : "", 1, text.len, stdout);
	if (status != EXIT_TROUBLE && o->check && changed)
		status = EXIT_NO;
	for (i = 0; i < nfiles; i++) {
		buf_free(&p[i].in);
		buf_free(&p[i].out);
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
