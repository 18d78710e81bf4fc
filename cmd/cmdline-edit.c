/*
 * cmdline-edit: edit a kernel command line in /etc/kernel/cmdline (a line)
 * or in /etc/default/grub (a shell variable), by the kernel's own rules.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

struct ctx {
	struct op *ops;
	size_t nops;
	int grub;		/* -g: every FILE is a GRUB file */
	const char *var;
	const char *init_from;	/* --init-from: where a missing FILE starts */
	const char *root;	/* --root: grub.d beside a FILE under it is read inside it */
};

enum {
	OPT_ADD = OPT_TOOL, OPT_DEL, OPT_GET, OPT_INIT_FROM, OPT_MERGE, OPT_SET, OPT_UNMERGE,
	OPT_VAR
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--root DIR] [-i] [--check] [--diff] [-b[SUFFIX]] [-g] [--var NAME]\n"
		"       [--init-from FILE] OP... [FILE...]\n"
		"ops:   --set KEY[=VALUE]   --add KEY[=VALUE]   --merge KEY=ITEM[,ITEM...]\n"
		"       --del KEY[=VALUE]   --unmerge KEY=ITEM[,ITEM...]   --get KEY\n",
		progname);
}

/* a FILE named grub, or *.cfg in a grub.d directory, is a GRUB file */
static int looks_grub(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base ? base + 1 : name;
	if (strcmp(base, "grub") == 0)
		return 1;
	n = strlen(base);
	return n > 4 && strcmp(base + n - 4, ".cfg") == 0 && base - name >= 7 &&
	       memcmp(base - 7, "grub.d/", 7) == 0;
}

static int check_nul(const char *name, const struct buf *in)
{
	const char *z = in->len ? memchr(in->p, '\0', in->len) : NULL;
	size_t line = 1, i;

	if (!z)
		return 0;
	for (i = 0; i < (size_t)(z - in->p); i++)
		line += in->p[i] == '\n';
	errorf_line(name, line, "NUL byte in a text file");
	return EXIT_TROUBLE;
}

/* 1 when the ops changed the line, 0 when not, -1 after an error */
static int apply_ops(struct cmdline *cl, const struct ctx *c, const char *name,
		     size_t line)
{
	size_t i;
	int changed = 0;

	for (i = 0; i < c->nops; i++) {
		int r = cmdline_apply(cl, c->ops[i].op, c->ops[i].arg);

		if (r < 0) {
			errorf_line(name, line, "%s '%s': the value holds '\"', which the kernel keeps "
				    "as data and cannot escape; cannot be edited safely",
				    c->ops[i].name, c->ops[i].arg);
			return -1;
		}
		changed |= r;
	}
	return changed;
}

static int is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!cmdline_isspace((unsigned char)p[i]))
			return 0;
	return 1;
}

struct line {
	const char *p;
	size_t len;	/* without its '\n' */
	int nl;		/* has a '\n' */
};

static size_t split_lines(const struct buf *in, struct line **out)
{
	size_t n = 0, cap = 8, pos = 0;
	struct line *v = xmalloc(cap * sizeof(*v));

	while (pos < in->len) {
		const char *nl = memchr(in->p + pos, '\n', in->len - pos);
		size_t end = nl ? (size_t)(nl - in->p) : in->len;

		if (n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n].p = in->p + pos;
		v[n].len = end - pos;
		v[n].nl = nl != NULL;
		n++;
		pos = nl ? end + 1 : end;
	}
	*out = v;
	return n;
}

/* line mode: each line with content is one command line */
static int edit_lines(const char *name, const struct buf *in, struct buf *out,
		      const struct ctx *c)
{
	struct line *lines, empty = { "", 0, 0 };
	size_t n = split_lines(in, &lines), i, content = 0;
	int status = 0, r;

	for (i = 0; i < n; i++)
		content += !is_blank(lines[i].p, lines[i].len);
	if (content > 1)
		errorf(name, "warning: the command line spans %zu lines: proxmox-boot-tool reads "
		       "line 1 only, kernel-install joins them all", content);
	if (n == 0) {
		lines = xrealloc(lines, sizeof(*lines));
		lines[0] = empty;
		n = 1;
	}
	for (i = 0; i < n && status == 0; i++) {
		const struct line *l = &lines[i];
		struct cmdline *cl;

		if (content > 0 && is_blank(l->p, l->len)) {
			buf_add(out, l->p, l->len + l->nl);
			continue;
		}
		if (content == 0 && i > 0) {
			buf_add(out, l->p, l->len + l->nl);
			continue;
		}
		cl = cmdline_parse(l->p, l->len);
		if (cmdline_unterminated(cl) >= 0) {
			errorf_line(name, i + 1, "unterminated quote at column %ld",
				    cmdline_unterminated(cl) + 1);
			status = EXIT_TROUBLE;
		} else if ((r = apply_ops(cl, c, name, i + 1)) < 0) {
			status = EXIT_TROUBLE;
		} else if (r) {
			size_t before = out->len;

			cmdline_render_buf(cl, out);
			/* an edited last line gains its missing newline */
			if (out->len > before || l->nl)
				buf_addc(out, '\n');
		} else {
			buf_add(out, l->p, l->len + l->nl);
		}
		cmdline_free(cl);
	}
	free(lines);
	return status;
}

static void emit_grub(void *arg, const char *p, size_t n, int orig, size_t off)
{
	if (orig)
		grubvar_edit_keep(arg, off, n);
	else
		grubvar_edit_insert(arg, p, n);
}

/* grub.d/NAME.cfg beside FILE is sourced after it: say when it sets VAR too */
static int scandir_root(const char *root, const char *dir, struct dirent ***list)
{
	const char *rel = root_relative(root, dir);
	DIR *d;

	if (!rel)
		return scandir(dir, list, NULL, alphasort);
	/* inside the root, as every read of a FILE under it */
	if (!(d = root_opendir(root, *rel ? rel : "/")))
		return -1;
	{
		int fd = dirfd(d), n = scandirat(fd, ".", list, NULL, alphasort);

		closedir(d);
		return n;
	}
}

static int read_beside(const char *root, const char *path, struct buf *text)
{
	const char *rel = root_relative(root, path);

	return rel ? root_read(root, rel, text, BUF_MAX_FILE)
		   : buf_read_file(text, path, BUF_MAX_FILE);
}

static void warn_grub_d(const char *root, const char *name, const char *var)
{
	const char *slash = strrchr(name, '/');
	struct buf dir = BUF_INIT;
	struct dirent **list;
	int n, i;

	if (slash)
		buf_add(&dir, name, (size_t)(slash - name) + 1);
	buf_adds(&dir, "grub.d");
	n = scandir_root(root, dir.p, &list);
	for (i = 0; i < n; i++) {
		const char *e = list[i]->d_name;
		size_t len = strlen(e);
		struct buf path = BUF_INIT, text = BUF_INIT;
		struct grubvar gv;

		if (len > 4 && strcmp(e + len - 4, ".cfg") == 0) {
			buf_printf(&path, "%s/%s", dir.p, e);
			if (strcmp(path.p, name) != 0 &&
			    read_beside(root, path.p, &text) == 0 &&
			    grubvar_find(text.p ? text.p : "", text.len, var, path.p, &gv) == 0) {
				errorf(name, "warning: %s:%zu also sets %s and is read later: %s",
				       path.p, gv.line, var,
				       gv.refs_self ? "it changes the value edited here"
						    : "it overrides this edit");
				grubvar_free(&gv);
			}
		}
		buf_free(&path);
		buf_free(&text);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	buf_free(&dir);
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
		     const struct ctx *c)
{
	const char *text = in->p ? in->p : "";
	struct grubvar gv;
	struct cmdline *cl;
	int r = grubvar_find(text, in->len, c->var, name, &gv);

	if (r == 2)
		return EXIT_TROUBLE;
	if (strcmp(name, "-") != 0)
		warn_grub_d(c->root, name, c->var);
	if (r == 1) {
		struct buf val = BUF_INIT;

		cl = cmdline_parse("", 0);
		if (apply_ops(cl, c, name, 0) > 0) {
			cmdline_render_buf(cl, &val);
			grubvar_append(text, in->len, c->var, val.p, val.len, out);
		} else {
			buf_add(out, text, in->len);
		}
		buf_free(&val);
		cmdline_free(cl);
		return 0;
	}
	cl = cmdline_parse(gv.val, gv.vlen);
	if (cmdline_unterminated(cl) >= 0) {
		errorf_line(name, gv.line, "%s: unterminated double quote in the command line",
			    c->var);
		r = EXIT_TROUBLE;
	} else if ((r = apply_ops(cl, c, name, gv.line)) < 0) {
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
static int seed_line(const char *name, const struct ctx *c, struct buf *seed)
{
	struct buf src = BUF_INIT, vals = BUF_INIT;
	struct cmdline *cl;
	int r;

	if (!c->init_from || strcmp(name, "-") == 0 || access(name, F_OK) == 0 || errno != ENOENT)
		return 1;
	if ((r = read_beside(c->root, c->init_from, &src)) < 0) {
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
	const struct ctx *c = arg;
	struct buf seed = BUF_INIT;
	int r;

	if (check_nul(name, in))
		return EXIT_TROUBLE;
	if (c->grub || looks_grub(name))
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
static int get_values(const struct ctx *c, const struct edit_opts *eo,
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
		struct grubvar gv = { 0 };
		char *label = NULL;
		int r = edit_read(eo, name, &in, &label);
		const char *text;
		size_t len;

		if (r < 0) {
			errorf_errno(name, -r, "cannot read");
			status = EXIT_TROUBLE;
		} else if (check_nul(name, &in)) {
			status = EXIT_TROUBLE;
		} else {
			text = in.p ? in.p : "";
			len = in.len;
			if (c->grub || looks_grub(name)) {
				r = grubvar_find(text, len, c->var, name, &gv);
				if (r == 2)
					status = EXIT_TROUBLE;
				text = r == 0 ? gv.val : "";
				len = r == 0 ? gv.vlen : 0;
			}
			while (status == 0 && len > 0) {
				const char *nl = memchr(text, '\n', len);
				size_t n = nl && !(c->grub || looks_grub(name)) ? (size_t)(nl - text) : len;
				struct cmdline *cl = cmdline_parse(text, n);
				size_t k;

				for (k = 0; k < c->nops; k++)
					found += cmdline_get(cl, c->ops[k].arg, &out);
				cmdline_free(cl);
				text += n + (n < len);
				len -= n + (n < len);
			}
		}
		grubvar_free(&gv);
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
		COMMON_LONGOPTS,
		EDIT_LONGOPTS,
		{ "add", required_argument, NULL, OPT_ADD },
		{ "del", required_argument, NULL, OPT_DEL },
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
	struct common_opts co = COMMON_OPTS_INIT;
	struct edit_opts eo = { 0 };
	struct ctx c = { 0 };
	size_t i, ngets = 0;
	int ch, status;

	stdfds_init();
	err_init(argv[0]);
	c.var = "GRUB_CMDLINE_LINUX_DEFAULT";
	c.ops = xcalloc((size_t)argc, sizeof(*c.ops));
	while ((ch = getopt_long(argc, argv, "gh" EDIT_SHORTOPTS, longopts, NULL)) != -1) {
		if (opts_common(ch, optarg, &co, usage) || edit_opts_parse(ch, optarg, &eo))
			continue;
		if (ch == 'g') {
			c.grub = 1;
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
	eo.root = co.root;
	c.root = co.root;

	if (c.nops == 0) {
		errorf(NULL, "no edit given (--set, --add, --merge, --del, --unmerge or --get)");
		usage(stderr);
		status = EXIT_TROUBLE;
	} else if (ngets && (ngets != c.nops || eo.in_place || eo.check || eo.diff)) {
		errorf("--get", "cannot be combined with edits, -i, --check or --diff");
		status = EXIT_TROUBLE;
	} else {
		status = ngets ? get_values(&c, &eo, argv, argc) : edit_run(&eo, argv, argc, edit, &c);
	}
	free(c.ops);
	return edit_close_stdout(&eo, status);
}
