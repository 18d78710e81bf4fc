/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline-edit: edit a kernel command line in /etc/kernel/cmdline (a line)
 * or in /etc/default/grub (a shell variable), by the kernel's own rules.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootentry.h"
#include "buf.h"
#include "cmdline.h"
#include "editfile.h"
#include "err.h"
#include "grubvar.h"
#include "opts.h"
#include "rootpath.h"

struct op {
	enum cl_op op;
	const char *name;
	const char *arg;
};

struct edits {
	struct op *ops;
	size_t nops;
	int grub;		/* -g: every FILE is a GRUB file */
	int entry;		/* --entry: every FILE is a loader entry */
	const char *var;
	const char *init_from;	/* --init-from: where a missing FILE starts */
	const char *root;	/* --root: grub.d beside a FILE under it is read inside it */
};

enum {
	OPT_ADD = OPT_TOOL, OPT_DEL, OPT_ENTRY, OPT_GET, OPT_INIT_FROM, OPT_MERGE, OPT_SET,
	OPT_UNMERGE, OPT_VAR
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--root DIR] [-i] [--check] [--diff] [-b[SUFFIX]] [-g] [--var NAME]\n"
		"       [--entry] [--init-from FILE] OP... [FILE...]\n",
		progname);
	/* -h: every option, one a line; a usage error: the usage alone */
	if (f == stdout)
		fputs("options (OP: the edits, in the order given):\n"
		      "  --set KEY[=VALUE]  KEY exactly once, with this value\n"
		      "  --add KEY[=VALUE]  append the parameter unless this exact one is there\n"
		      "  --merge KEY=ITEM[,ITEM...]    append to KEY's comma list the items it lacks\n"
		      "  --del KEY[=VALUE]  remove every KEY, or those with exactly this value\n"
		      "  --unmerge KEY=ITEM[,ITEM...]  remove the items from KEY's list\n"
		      "  --get KEY          print each value of KEY, one a line\n"
		      "  -g, --grub         every FILE is a GRUB defaults file\n"
		      "  --var NAME         the variable -g edits (GRUB_CMDLINE_LINUX_DEFAULT)\n"
		      "  --entry            every FILE is a systemd-boot loader entry\n"
		      "  --init-from FILE   a missing FILE starts as this one's first line\n"
		      EDIT_HELP
		      OPTS_HELP_ROOT
		      OPTS_HELP_COMMON, f);
}

/* a FILE named *.conf in a loader/entries directory is a loader entry */
static int looks_entry(const char *name)
{
	return path_is_in(name, "loader/entries/", ".conf");
}

/* a text file holds no NUL byte: 0, or EXIT_TROUBLE naming its line */
static int nul_refused(const char *name, const struct buf *in)
{
	size_t line = buf_nul_line(in->p, in->len);

	if (!line)
		return 0;
	errorf_line(name, line, "NUL byte in a text file");
	return EXIT_TROUBLE;
}

static void quote_refused(const char *name, size_t line, const struct op *op)
{
	errorf_line(name, line, "%s '%s': the value holds '\"', which the kernel keeps "
		    "as data and cannot escape; cannot be edited safely", op->name, op->arg);
}

/* 1 when the ops changed the line, 0 when not, -1 after an error */
static int apply_ops(struct cmdline *cl, const struct edits *c, const char *name,
		     size_t line)
{
	size_t i;
	int changed = 0;

	for (i = 0; i < c->nops; i++) {
		int r = cmdline_apply(cl, c->ops[i].op, c->ops[i].arg);

		if (r < 0) {
			quote_refused(name, line, &c->ops[i]);
			return -1;
		}
		changed |= r;
	}
	return changed;
}

/* occurrences of op's KEY in text */
static size_t key_count(const char *text, size_t len, const struct op *op)
{
	struct cmdline *cl = cmdline_parse(text, len);
	struct buf scratch = BUF_INIT;
	char *key = xstrndup(op->arg, strcspn(op->arg, "="));
	size_t n = cmdline_get(cl, key, &scratch);

	free(key);
	buf_free(&scratch);
	cmdline_free(cl);
	return n;
}

/* does op change text? */
static int op_changes(const char *text, size_t len, const struct op *op)
{
	struct cmdline *cl = cmdline_parse(text, len);
	int r = cmdline_apply(cl, op->op, op->arg);

	cmdline_free(cl);
	return r != 0;
}

/*
 * The ops on an assignment that extends earlier ones ("$VAR ..."): each is
 * judged on the value sh ends with (v->val).  One that changes nothing
 * there is skipped; one that would change a parameter an earlier
 * assignment gives cannot be done here: refused, naming that line.
 */
static int apply_ops_extending(struct cmdline *cl, const struct edits *c, const char *name,
			       const struct grubvar *gv, const struct grubvar_value *v)
{
	struct cmdline *whole = cmdline_parse(v->val, v->vlen);
	size_t i, k;
	int changed = 0, r = 0;

	for (i = 0; i < c->nops && r >= 0; i++) {
		const struct op *op = &c->ops[i];

		r = cmdline_apply(whole, op->op, op->arg);
		if (r < 0) {
			quote_refused(name, gv->line, op);
			break;
		}
		if (r == 0)
			continue;
		for (k = 0; k + 1 < v->nsteps && r >= 0; k++) {
			const struct grubvar_step *st = &v->steps[k];
			int blocked;

			if (op->op == CL_ADD || !key_count(st->val, st->vlen, op))
				continue;
			if (op->op == CL_SET)
				blocked = 1;
			else if (op->op == CL_MERGE)	/* into the last occurrence: reachable when here */
				blocked = !key_count(gv->val, gv->vlen, op);
			else
				blocked = op_changes(st->val, st->vlen, op);
			if (blocked) {
				errorf_line(name, st->line, "%s: %s '%s': this earlier assignment gives the "
					    "parameter, and line %zu extends it through $%s; the edit cannot "
					    "reach it here: edit it by hand", c->var, op->name, op->arg,
					    gv->line, c->var);
				r = -1;
			}
		}
		if (r < 0)
			break;
		r = cmdline_apply(cl, op->op, op->arg);
		if (r < 0)
			quote_refused(name, gv->line, op);
		changed |= r > 0;
	}
	cmdline_free(whole);
	return r < 0 ? -1 : changed;
}

/*
 * Line mode, as kernel-install reads /etc/kernel/cmdline (src/kernel-install/
 * 90-loaderentry.install.in: grep -Gv '^\s*#' FILE | tr -s "$IFS" ' '): the
 * lines whose first non-blank byte is '#' are dropped and the rest joined
 * into one command line.  Here the comment lines are blanked in a copy of
 * the text, which keeps every offset, and the copy is split as one line:
 * each parameter is found once, wherever its line, and what is written
 * comes from the original bytes, comments and line ends included.
 */
struct lines_view {
	char *text;		/* the text with comment lines blanked */
	size_t content;		/* lines with a parameter */
	size_t first;		/* the first of them, or 0 */
	size_t comments;	/* comment lines */
};

static void lines_view(const struct buf *in, struct lines_view *v)
{
	const char *p = in->p ? in->p : "";
	size_t pos = 0, lineno = 0;

	memset(v, 0, sizeof(*v));
	v->text = xmalloc(in->len + 1);
	memcpy(v->text, p, in->len);
	v->text[in->len] = '\0';
	while (pos < in->len) {
		const char *nl = memchr(p + pos, '\n', in->len - pos);
		size_t end = nl ? (size_t)(nl - p) : in->len, i = pos;

		lineno++;
		while (i < end && cmdline_isspace((unsigned char)p[i]))
			i++;
		if (i < end && p[i] == '#') {
			memset(v->text + pos, ' ', end - pos);
			v->comments++;
		} else if (i < end) {
			v->content++;
			if (!v->first)
				v->first = lineno;
		}
		pos = end + (nl != NULL);
	}
}

/*
 * A quote left open at a line's end: kernel-install's join would carry it
 * over to the next line, proxmox-boot-tool's line 1 would end inside it;
 * refused, naming the line (1 after printing why, else 0)
 */
static int quote_spans_lines(const char *name, const char *text, size_t len)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct cmdline *cl = cmdline_parse(text + pos, end - pos);
		long col = cmdline_unterminated(cl);

		cmdline_free(cl);
		lineno++;
		if (col >= 0) {
			errorf_line(name, lineno, "unterminated quote at column %ld", col + 1);
			return 1;
		}
		pos = end + (nl != NULL);
	}
	return 0;
}

struct orig_out {
	const char *orig;
	struct buf *out;
};

/* a piece of the edited line: an original span is taken from the original text */
static void emit_orig(void *arg, const char *p, size_t n, int orig, size_t off)
{
	struct orig_out *o = arg;

	buf_add(o->out, orig ? o->orig + off : p, n);
}

/* the new parameters alone (the text they were added to is blank) */
static void emit_new(void *arg, const char *p, size_t n, int orig, size_t off)
{
	(void)off;
	if (!orig)
		buf_add(arg, p, n);
}

static int edit_lines(const char *name, const struct buf *in, struct buf *out,
		      const struct edits *c)
{
	struct lines_view v;
	struct cmdline *cl;
	int status = 0, r;

	lines_view(in, &v);
	if (v.content > 1)
		errorf(name, "warning: the command line spans %zu lines: proxmox-boot-tool reads "
		       "line 1 only, kernel-install joins them all", v.content);
	cl = cmdline_parse(v.text, in->len);
	if (quote_spans_lines(name, v.text, in->len)) {
		status = EXIT_TROUBLE;
	} else if ((r = apply_ops(cl, c, name, v.first)) < 0) {
		status = EXIT_TROUBLE;
	} else if (r && !v.content && v.comments) {
		/* comments alone: they stay first, the command line goes after them */
		buf_add(out, in->p, in->len);
		if (in->p[in->len - 1] != '\n')
			buf_addc(out, '\n');
		cmdline_render(cl, emit_new, out);
		buf_addc(out, '\n');
	} else if (r) {
		struct orig_out o = { in->p, out };

		cmdline_render(cl, emit_orig, &o);
		/* an edited last line gains its missing newline */
		if (out->len && out->p[out->len - 1] != '\n')
			buf_addc(out, '\n');
	} else {
		buf_add(out, in->p ? in->p : "", in->len);
	}
	cmdline_free(cl);
	free(v.text);
	return status;
}

/*
 * Edited here: the value of the one "options" line of a kernel's entry;
 * several (whose joint line --set could not keep whole), a quoted one or a
 * CR inside a line are refused; a "linux" entry with none gets one at the
 * end, and one the edits leave empty goes; a "uki" entry with none is
 * refused (options given to a UKI replace the command line built into it,
 * root= and all).  --get reads the joined value, as systemd-boot boots it.
 * The entry is read by common/bootentry.
 */

static int edit_entry(const char *name, const struct buf *in, struct buf *out,
		      const struct edits *c)
{
	const char *p = in->p ? in->p : "";
	struct entry e;
	struct opt_line *ol;
	struct cmdline *cl;
	int status = 0, r = 0;

	entry_scan(in, &e);
	/* another program's entry (efi), or one systemd-boot drops: no kernel command line */
	if (!entry_boots_kernel(&e)) {
		buf_add(out, p, in->len);
		entry_free(&e);
		return 0;
	}
	ol = e.nopt ? &e.opt[0] : NULL;
	if (e.cr_line) {
		errorf_line(name, e.cr_line, "a CR inside a line: systemd-boot splits the line there");
		status = EXIT_TROUBLE;
	} else if (e.nopt > 1) {
		errorf_line(name, e.opt[1].lineno, "another options line (systemd-boot joins them, "
			    "line %zu is the first): join them into one to edit them", ol->lineno);
		status = EXIT_TROUBLE;
	} else if (ol && ol->quoted) {
		errorf_line(name, ol->lineno, "a quoted options value: systemd-boot drops "
			    "the quotes, cannot be edited safely");
		status = EXIT_TROUBLE;
	}
	if (status) {
		entry_free(&e);
		return status;
	}
	cl = cmdline_parse(p + (ol ? ol->vs : 0), ol ? ol->ve - ol->vs : 0);
	if (cmdline_unterminated(cl) >= 0) {
		errorf_line(name, ol->lineno, "unterminated quote at column %ld",
			    (long)ol->vs + cmdline_unterminated(cl) + 1);
		status = EXIT_TROUBLE;
	} else if ((r = apply_ops(cl, c, name, ol ? ol->lineno : 0)) < 0) {
		status = EXIT_TROUBLE;
	} else if (r == 0) {
		buf_add(out, p, in->len);
	} else if (ol) {
		struct buf v = BUF_INIT;

		cmdline_render_buf(cl, &v);
		if (v.len == strspn(v.p ? v.p : "", " \t")) {
			/*
			 * the edits emptied it: the line goes (systemd-boot skips
			 * a line with no value), so that --undo of a run that added
			 * it gives back the entry byte for byte
			 */
			size_t ls = ol->vs, le = ol->ve;

			while (ls > 0 && p[ls - 1] != '\n')
				ls--;
			le += strcspn(p + le, "\n");
			le += le < in->len;
			buf_add(out, p, ls);
			buf_add(out, p + le, in->len - le);
		} else {
			buf_add(out, p, ol->vs);
			buf_add(out, v.p, v.len);
			buf_add(out, p + ol->ve, in->len - ol->ve);
		}
		buf_free(&v);
	} else if (e.kind != EK_LINUX) {
		/* systemd-stub: options given to a UKI replace the command line built into it */
		errorf(name, "a UKI entry without an options line boots the UKI's own command line; "
		       "an options line would replace all of it: edit the command line the UKI is "
		       "built with (/etc/kernel/cmdline) instead");
		status = EXIT_TROUBLE;
	} else {
		/* no options line: one at the end */
		buf_add(out, p, in->len);
		if (in->len && p[in->len - 1] != '\n')
			buf_addc(out, '\n');
		buf_adds(out, "options ");
		cmdline_render_buf(cl, out);
		buf_addc(out, '\n');
	}
	cmdline_free(cl);
	entry_free(&e);
	return status;
}

static void emit_grub(void *arg, const char *p, size_t n, int orig, size_t off)
{
	if (orig)
		grubvar_edit_keep(arg, off, n);
	else
		grubvar_edit_insert(arg, p, n);
}

/*
 * A parameter that holds a $VAR expansion cannot be rewritten: the new
 * text is written literal ("\$IDS"), so the reference would be lost or
 * turned into text.  Deleting it whole, or editing others, is fine.
 */
static int rewrites_expansion(const struct cmdline *cl, const struct grubvar *gv,
			      const char *name, const char *var)
{
	size_t i = 0, s, e, k;

	while (cmdline_next_rewritten(cl, &i, &s, &e)) {
		for (k = s; k < e && k < gv->vlen; k++) {
			if (!gv->lit[k]) {
				errorf_line(name, gv->line, "%s: '%.*s' holds a shell expansion "
					    "that this edit would turn into text; edit it by hand",
					    var, (int)(e - s), gv->val + s);
				return 1;
			}
		}
	}
	return 0;
}

static int edit_grub(const char *name, const struct buf *in, struct buf *out,
		     const struct edits *c)
{
	const char *text = in->p ? in->p : "";
	struct grubvar gv;
	struct grubvar_value whole = { 0 };
	struct cmdline *cl;
	int r = grubvar_find(text, in->len, c->var, name, &gv);

	if (r == 2)
		return EXIT_TROUBLE;
	if (strcmp(name, "-") != 0 && grubvar_warn_dropins(c->root, name, c->var) > 0) {
		if (r == 0)
			grubvar_free(&gv);
		return EXIT_TROUBLE;
	}
	if (r == 1) {
		struct buf val = BUF_INIT;

		cl = cmdline_parse("", 0);
		r = 0;
		if (apply_ops(cl, c, name, 0) <= 0) {
			buf_add(out, text, in->len);
		} else if (gv.nested_line) {
			/* appended at top level, it would replace what the block sets */
			errorf_line(name, gv.nested_line, "%s: assigned only inside an if, case, loop or "
				    "function; a top-level assignment appended would throw that value "
				    "away: edit it by hand", c->var);
			r = EXIT_TROUBLE;
		} else {
			cmdline_render_buf(cl, &val);
			grubvar_append(text, in->len, c->var, val.p, val.len,
				       strcmp(name, "-") != 0 && grubvar_is_dropin(name), out);
		}
		buf_free(&val);
		cmdline_free(cl);
		return r;
	}
	cl = cmdline_parse(gv.val, gv.vlen);
	if (gv.refs_self && (r = grubvar_value(text, in->len, c->var, name, &whole)) != 0) {
		r = EXIT_TROUBLE;	/* an earlier assignment sh cannot read */
	} else if (cmdline_unterminated(cl) >= 0) {
		errorf_line(name, gv.line, "%s: unterminated double quote in the command line",
			    c->var);
		r = EXIT_TROUBLE;
	} else if ((r = gv.refs_self ? apply_ops_extending(cl, c, name, &gv, &whole)
				     : apply_ops(cl, c, name, gv.line)) < 0) {
		r = EXIT_TROUBLE;
	} else if (r && rewrites_expansion(cl, &gv, name, c->var)) {
		r = EXIT_TROUBLE;
	} else if (r) {
		struct grubvar_edit *e = grubvar_edit_begin(&gv);

		cmdline_render(cl, emit_grub, e);
		grubvar_edit_finish(e, text, in->len, out);
		r = 0;
	} else {
		buf_add(out, text, in->len);
	}
	cmdline_free(cl);
	grubvar_free(&gv);
	grubvar_value_free(&whole);
	return r;
}

/*
 * --init-from: a command line file that does not exist yet starts as the
 * first line of c->init_from without BOOT_IMAGE= and initrd=, which is
 * what the loader would have used (systemd's kernel-install
 * 90-loaderentry.install falls back to /proc/cmdline so; proxmox-boot-tool
 * likewise).  Without a root= there it is refused: a command line without
 * root= is a host that does not boot.  0 and *seed filled, 1 when FILE
 * exists, or EXIT_TROUBLE.
 */
static int seed_line(const char *name, const struct edits *c, struct buf *seed)
{
	struct buf src = BUF_INIT, vals = BUF_INIT;
	struct cmdline *cl;
	const char *rel = root_relative(c->root, name);
	struct stat st;
	int r;

	if (!c->init_from || strcmp(name, "-") == 0)
		return 1;
	/* is FILE there? under --root, as the edit resolves it: inside the root */
	r = rel ? root_stat(c->root, rel, &st) : stat(name, &st) < 0 ? -errno : 0;
	if (r != -ENOENT)
		return 1;
	if ((r = root_read_given(c->root, c->init_from, &src, BUF_MAX_FILE)) < 0) {
		errorf_errno(c->init_from, -r, "cannot read");
		return EXIT_TROUBLE;
	}
	cl = cmdline_parse(src.p ? src.p : "", src.p ? strcspn(src.p, "\n") : 0);
	if (cmdline_unterminated(cl) >= 0) {
		errorf_line(c->init_from, 1, "unterminated quote");
		r = EXIT_TROUBLE;
	} else {
		cmdline_apply(cl, CL_DEL, "BOOT_IMAGE");
		cmdline_apply(cl, CL_DEL, "initrd");
		if (cmdline_get(cl, "root", &vals) == 0) {
			errorf(c->init_from, "no root= to start %s from: write it first", name);
			r = EXIT_TROUBLE;
		} else {
			cmdline_render_buf(cl, seed);
			buf_addc(seed, '\n');
			r = 0;
		}
	}
	cmdline_free(cl);
	buf_free(&vals);
	buf_free(&src);
	return r;
}

static int edit(const char *name, const struct buf *in, struct buf *out, void *arg)
{
	const struct edits *c = arg;
	struct buf seed = BUF_INIT;
	int r;

	if (nul_refused(name, in))
		return EXIT_TROUBLE;
	if (c->entry || (!c->grub && looks_entry(name)))
		return edit_entry(name, in, out, c);
	if (c->grub || grubvar_is_grub_file(name))
		return edit_grub(name, in, out, c);
	if (in->len == 0 && (r = seed_line(name, c, &seed)) != 1) {
		if (r == 0)
			r = edit_lines(name, &seed, out, c);
		buf_free(&seed);
		return r;
	}
	return edit_lines(name, in, out, c);
}

/* --get: the values of each KEY in each input; 1 when none was found */
static int get_values(const struct edits *c, const struct edit_opts *eo,
		      char **files, int nfiles)
{
	static char *stdin_name[] = { (char *)"-" };
	struct buf out = BUF_INIT;
	size_t found = 0;
	int i, status = 0;

	if (nfiles == 0) {
		files = stdin_name;
		nfiles = 1;
	}
	for (i = 0; i < nfiles && status == 0; i++) {
		const char *name = files[i];
		struct buf in = BUF_INIT;
		struct grubvar_value gv = { 0 };
		char *label = NULL;
		int r = edit_read(eo, name, &in, &label);
		const char *text;
		size_t len;

		if (r < 0) {
			errorf_errno(name, -r, "cannot read");
			status = EXIT_TROUBLE;
		} else if (nul_refused(name, &in)) {
			status = EXIT_TROUBLE;
		} else {
			struct buf joined = BUF_INIT;
			struct lines_view v = { NULL, 0, 0, 0 };
			struct cmdline *cl;
			size_t k;

			text = in.p ? in.p : "";
			len = in.len;
			if (c->entry || (!c->grub && looks_entry(name))) {
				/* read-only: the one command line systemd-boot joins, whatever its lines */
				struct entry e;

				entry_scan(&in, &e);
				if (entry_boots_kernel(&e))
					entry_joined(&in, &e, &joined);
				entry_free(&e);
				text = joined.p ? joined.p : "";
				len = joined.len;
			} else if (c->grub || grubvar_is_grub_file(name)) {
				r = grubvar_value(text, len, c->var, name, &gv);
				if (r == 2)
					status = EXIT_TROUBLE;
				text = r == 0 ? gv.val : "";
				len = r == 0 ? gv.vlen : 0;
			} else {
				/* kernel-install's joined line, comments left out */
				lines_view(&in, &v);
				text = v.text;
			}
			cl = cmdline_parse(text, len);
			for (k = 0; k < c->nops && status == 0; k++)
				found += cmdline_get(cl, c->ops[k].arg, &out);
			cmdline_free(cl);
			free(v.text);
			buf_free(&joined);
		}
		grubvar_value_free(&gv);
		buf_free(&in);
		free(label);
	}
	if (status == 0)
		fwrite(out.p ? out.p : "", 1, out.len, stdout);
	buf_free(&out);
	return status ? status : found ? EXIT_YES : EXIT_NO;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		BASE_LONGOPTS,
		EDIT_LONGOPTS,
		{ "add", required_argument, NULL, OPT_ADD },
		{ "del", required_argument, NULL, OPT_DEL },
		{ "entry", no_argument, NULL, OPT_ENTRY },
		{ "get", required_argument, NULL, OPT_GET },
		{ "grub", no_argument, NULL, 'g' },
		{ "init-from", required_argument, NULL, OPT_INIT_FROM },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "set", required_argument, NULL, OPT_SET },
		{ "unmerge", required_argument, NULL, OPT_UNMERGE },
		{ "var", required_argument, NULL, OPT_VAR },
		{ NULL, 0, NULL, 0 }
	};
	static const struct { int opt; enum cl_op op; const char *name; } opnames[] = {
		{ OPT_ADD, CL_ADD, "--add" }, { OPT_DEL, CL_DEL, "--del" },
		{ OPT_GET, CL_GET, "--get" }, { OPT_MERGE, CL_MERGE, "--merge" },
		{ OPT_SET, CL_SET, "--set" }, { OPT_UNMERGE, CL_UNMERGE, "--unmerge" },
	};
	struct common_opts common = COMMON_OPTS_INIT;
	struct edit_opts editing = { 0 };
	struct edits c = { 0 };
	size_t i, ngets = 0;
	int ch, status;

	stdfds_init();
	err_init(argv[0]);
	c.var = "GRUB_CMDLINE_LINUX_DEFAULT";
	c.ops = xcalloc((size_t)argc, sizeof(*c.ops));
	while ((ch = getopt_long(argc, argv, "gh" EDIT_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = opts_common(ch, optarg, &common, usage);

		if (taken == OPTS_QUIT) {
			free(c.ops);
			return close_stdout(common.status);
		}
		if (taken == OPTS_TAKEN || edit_opts_parse(ch, optarg, &editing))
			continue;
		if (ch == 'g') {
			c.grub = 1;
			continue;
		}
		if (ch == OPT_ENTRY) {
			c.entry = 1;
			continue;
		}
		if (ch == OPT_VAR) {
			c.var = optarg;
			continue;
		}
		if (ch == OPT_INIT_FROM) {
			c.init_from = optarg;
			continue;
		}
		for (i = 0; i < sizeof(opnames) / sizeof(opnames[0]); i++) {
			const char *why;

			if (opnames[i].opt != ch)
				continue;
			why = cmdline_arg_check(opnames[i].op, optarg);
			if (why) {
				struct buf where = BUF_INIT;

				buf_printf(&where, "%s '%s'", opnames[i].name, optarg);
				errorf(where.p, "%s", why);
				buf_free(&where);
				free(c.ops);
				return EXIT_TROUBLE;
			}
			c.ops[c.nops].op = opnames[i].op;
			c.ops[c.nops].name = opnames[i].name;
			c.ops[c.nops++].arg = optarg;
			ngets += opnames[i].op == CL_GET;
		}
	}
	argc -= optind;
	argv += optind;
	editing.root = common.root;
	c.root = common.root;

	if (c.nops == 0) {
		errorf(NULL, "no edit given (--set, --add, --merge, --del, --unmerge or --get)");
		usage(stderr);
		status = EXIT_TROUBLE;
	} else if (ngets && (ngets != c.nops || editing.in_place || editing.check || editing.diff)) {
		errorf("--get", "cannot be combined with edits, -i, --check or --diff");
		status = EXIT_TROUBLE;
	} else {
		status = ngets ? get_values(&c, &editing, argv, argc)
			       : edit_run(&editing, argv, argc, edit, &c);
	}
	free(c.ops);
	return edit_close_stdout(&editing, status);
}
