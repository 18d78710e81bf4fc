/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit: an op's line parsed in the file's format, dispatched by its
 * directive to the editor of that family (modedit-int.h names them), and
 * the ops applied in order to the file's text.
 */
#include "modedit-int.h"
#include "err.h"
#include "textpatch.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* "PROG: --set 'ARG': WHAT": an op refused */
void me_operr(const struct mc_edit *e, const char *fmt, ...)
{
	struct buf where = BUF_INIT;
	va_list ap;

	buf_printf(&where, "%s '%s'", e->opname, e->oparg);
	va_start(ap, fmt);
	verrorf_line(where.p, 0, fmt, ap);
	va_end(ap);
	buf_free(&where);
}

/*
 * Per-line marks of one op, made at the first mark: an op that only adds
 * a line (one --set of 20,000) costs nothing per line of the file
 */
static int marked(const unsigned char *marks, size_t li)
{
	return marks && marks[li];
}

static void mark(const struct mc_edit *e, unsigned char **marks, size_t li)
{
	if (!*marks)
		*marks = xcalloc(e->mc.nline + 1, 1);
	(*marks)[li] = 1;
}

void me_del_line(struct mc_edit *e, size_t li)
{
	if (marked(e->gone, li))
		return;
	mark(e, &e->gone, li);
	textpatch_replace(&e->tp, e->mc.line[li].start, e->mc.line[li].end - e->mc.line[li].start, NULL);
}

/*
 * A line an edit matched or changed: say what its readers get wrong, and
 * take off a CR they would read as data.
 */
void me_touch_line(struct mc_edit *e, size_t li)
{
	struct mc_line *l = &e->mc.line[li];
	size_t n;
	const char *name = l->nw > 1 ? mc_word(l, 1, &n) : mc_word(l, 0, &n);

	if (l->verb == MV_MODULE)
		name = mc_word(l, 0, &n);
	if (l->cr && !marked(e->fixed_cr, li) && !marked(e->gone, li)) {
		mark(e, &e->fixed_cr, li);
		textpatch_replace(&e->tp, l->cr_off, (size_t)l->cr, NULL);
		warnf(e->file, l->lineno, "CR line end removed: %s read it as part of the line",
		     e->mc.fmt == MODCONF_MODPROBE ? "kmod" : "initramfs-tools and sysvinit");
	}
	if (l->hash && e->mc.fmt == MODCONF_MODPROBE)
		warnf(e->file, l->lineno, "'#' after a directive is not a comment: kmod reads it and what follows as part of '%.*s'",
		     (int)n, name);
	else if (l->hash)
		warnf(e->file, l->lineno, "'#' after a module name is not a comment: systemd-modules-load reads the whole line as the name and never loads '%.*s'",
		     (int)n, name);
	else if (l->verb == MV_MODULE && l->nw > 1 &&
		 !modconf_dir_is(e->file, "initramfs-tools"))
		warnf(e->file, l->lineno, "module parameters after '%.*s' are ignored by systemd-modules-load, which reads the whole line as a name; use modprobe.d: options %.*s ...",
		     (int)n, name, (int)n, name);
}

static int opline_parse(struct mc_edit *e, enum modconf_opkind kind, const char *arg,
			struct opline *o)
{
	struct modconf tmp;
	size_t eline;
	const char *err;

	memset(o, 0, sizeof(*o));
	if (strpbrk(arg, "\n\r\\")) {
		me_operr(e, "newlines, CRs and backslashes are not supported in a line");
		return -1;
	}
	if (modconf_parse(&tmp, arg, strlen(arg), e->mc.fmt, &eline, &err) < 0 ||
	    tmp.nline != 1) {
		modconf_free(&tmp);
		me_operr(e, "not one line");
		return -1;
	}
	o->l = tmp.line[0];
	free(tmp.line);
	if (o->l.kind == MC_BLANK || o->l.kind == MC_COMMENT) {
		me_operr(e, "no %s", e->mc.fmt == MODCONF_MODPROBE ? "directive" : "module name");
		return -1;
	}
	/* --del names what to remove: "options M", "alias PATTERN", "softdep M" */
	if (o->l.kind == MC_BAD && kind == MODCONF_DEL && o->l.verb != MV_NONE &&
	    strcmp(o->l.bad, "missing arguments") == 0 && o->l.nw >= 2)
		o->l.kind = MC_DIRECTIVE;
	if (o->l.kind == MC_BAD) {
		size_t n;
		const char *w = mc_word(&o->l, 0, &n);

		if (o->l.indented_comment)
			me_operr(e, "'#' is not a comment in modprobe.d after blanks");
		else if (strcmp(o->l.bad, "unknown directive") == 0)
			me_operr(e, "unknown directive '%.*s'", (int)n, w);
		else if (strcmp(o->l.bad, "missing arguments") == 0)
			me_operr(e, "'%.*s' needs %s", (int)n, w,
			      o->l.verb == MV_ALIAS ? "a pattern and a module" :
			      o->l.nhead == 2 && o->l.nw >= 2 ? "more after the module name" :
			      "a module name");
		else
			me_operr(e, "%s", o->l.bad);
		return -1;
	}
	if (o->l.verb == MV_OBSOLETE) {
		me_operr(e, "kmod no longer reads '%s'", o->l.text);
		return -1;
	}
	if (o->l.hash) {
		me_operr(e, "'#' here is not a comment: %s would read it",
		      e->mc.fmt == MODCONF_MODPROBE ? "kmod" : "systemd-modules-load");
		return -1;
	}
	if (e->mc.fmt == MODCONF_MODULES) {
		size_t n;
		const char *w = mc_word(&o->l, 0, &n);

		if (modconf_is_verb(w, n) && o->l.nw > 1) {
			me_operr(e, "a modprobe.d line, but %s is in modules format (use --format modprobe)",
			      e->file);
			return -1;
		}
	}
	/* module names (and alias patterns) must pass kmod's underscores() */
	{
		size_t i, last = o->l.verb == MV_ALIAS ? 3 : o->l.verb == MV_MODULE ? 1 : 2;

		for (i = o->l.verb == MV_MODULE ? 0 : 1; i < last && i < o->l.nw; i++) {
			size_t n;
			const char *w = mc_word(&o->l, i, &n);
			char *c = xstrndup(w, n);
			int r = modname_normalize(c);

			free(c);
			if (r < 0) {
				me_operr(e, "unmatched bracket in '%.*s'", (int)n, w);
				return -1;
			}
		}
	}
	return 0;
}

static void opline_free(struct opline *o)
{
	free(o->l.text);
	free(o->l.map);
	free(o->l.w);
}

/* does line li hold directive verb for the module (word 1) named m? */
int me_line_is(const struct mc_edit *e, size_t li, enum mc_verb verb,
	       const char *m, size_t mlen)
{
	const struct mc_line *l = &e->mc.line[li];
	size_t n;
	const char *w;

	if (marked(e->gone, li) || l->kind != MC_DIRECTIVE || l->verb != verb)
		return 0;
	w = verb == MV_MODULE ? mc_word(l, 0, &n) : mc_word(l, 1, &n);
	return modname_eq(w, n, m, mlen);
}

void me_tail_line(struct mc_edit *e, const struct opline *o)
{
	size_t i, n;

	for (i = 0; i < o->l.nw; i++) {
		const char *w = mc_word(&o->l, i, &n);

		if (i)
			buf_addc(&e->tp.tail, ' ');
		buf_add(&e->tp.tail, w, n);
	}
	buf_addc(&e->tp.tail, '\n');
}

const char *modconf_opname(enum modconf_opkind kind)
{
	switch (kind) {
	case MODCONF_SET: return "--set";
	case MODCONF_MERGE: return "--merge";
	case MODCONF_DEL: return "--del";
	case MODCONF_UNMERGE: return "--unmerge";
	}
	return "?";
}

static int check_file(struct mc_edit *e)
{
	size_t i;

	for (i = 0; i < e->mc.nline; i++) {
		const struct mc_line *l = &e->mc.line[i];
		size_t n;
		const char *w;

		if (l->kind == MC_BAD && l->indented_comment) {
			warnf(e->file, l->lineno, "an indented '#' is not a comment to kmod, which ignores the line with an error");
		} else if (l->kind == MC_BAD) {
			w = mc_word(l, 0, &n);
			if (strcmp(l->bad, "unknown directive") == 0)
				errorf_line(e->file, l->lineno, "unknown directive '%.*s'", (int)n, w);
			else
				errorf_line(e->file, l->lineno, "'%.*s': %s", (int)n, w, l->bad);
			return -1;
		} else if (l->kind == MC_DIRECTIVE && l->verb == MV_SOFTDEP) {
			me_warn_glued(e, l);
		} else if (l->kind == MC_DIRECTIVE && l->verb == MV_OBSOLETE) {
			w = mc_word(l, 0, &n);
			warnf(e->file, l->lineno, "kmod no longer reads '%.*s' lines", (int)n, w);
		}
	}
	return 0;
}

/* what one op made: patches, tail, per-line marks (the parse and its index are kept) */
static void edit_reset(struct mc_edit *e)
{
	textpatch_free(&e->tp);
	free(e->fixed_cr);
	free(e->gone);
	e->fixed_cr = e->gone = NULL;
}

static void edit_free(struct mc_edit *e)
{
	me_mindex_free(e);
	textpatch_free(&e->tp);
	free(e->fixed_cr);
	free(e->gone);
	e->fixed_cr = e->gone = NULL;
	modconf_free(&e->mc);
}

#define TAKES(k) (1u << (k))
#define SET_DEL (TAKES(MODCONF_SET) | TAKES(MODCONF_DEL))

/* the directive editors, as sbase's sed dispatches its commands */
static const struct editor {
	enum mc_verb verb;
	int (*edit)(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o);
	unsigned kinds;		/* the ops it takes: TAKES(MODCONF_...) */
	int op_first;		/* the refusal is "--OP <refusal>" */
	const char *refusal;	/* for any other op */
} editors[] = {
	{ MV_MODULE, me_op_module, SET_DEL, 1, "is for modprobe.d 'options' lines, not for a module list" },
	{ MV_BLACKLIST, me_op_blacklist, SET_DEL, 0, "only --set and --del take 'blacklist'" },
	{ MV_ALIAS, me_op_one_line, SET_DEL, 0, "only --set and --del take 'alias'" },
	{ MV_INSTALL, me_op_one_line, SET_DEL, 0, "only --set and --del take 'install'" },
	{ MV_REMOVE, me_op_one_line, SET_DEL, 0, "only --set and --del take 'remove'" },
	{ MV_OPTIONS, me_op_options, SET_DEL | TAKES(MODCONF_MERGE) | TAKES(MODCONF_UNMERGE), 0, NULL },
	{ MV_SOFTDEP, me_op_deps, SET_DEL | TAKES(MODCONF_MERGE) | TAKES(MODCONF_UNMERGE), 0, NULL },
	{ MV_WEAKDEP, me_op_deps, SET_DEL | TAKES(MODCONF_MERGE) | TAKES(MODCONF_UNMERGE), 0, NULL },
};

static int dispatch(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t i;

	for (i = 0; i < sizeof(editors) / sizeof(editors[0]); i++) {
		const struct editor *ed = &editors[i];

		if (ed->verb != o->l.verb)
			continue;
		if (ed->kinds & TAKES(kind))
			return ed->edit(e, kind, o);
		if (ed->op_first)
			me_operr(e, "%s %s", e->opname, ed->refusal);
		else
			me_operr(e, "%s", ed->refusal);
		return -1;
	}
	me_operr(e, "cannot edit this");
	return -1;
}

int modconf_edit(const char *file, enum modconf_format fmt,
		 const struct modconf_op *ops, size_t nops,
		 const struct buf *in, struct buf *out)
{
	struct mc_edit e;
	struct buf cur = BUF_INIT;
	size_t i, eline;
	const char *err;
	int r = 0, parsed = 0;

	memset(&e, 0, sizeof(e));
	e.file = file;
	if (fmt == MODCONF_AUTO)
		fmt = strcmp(file, "-") == 0 ? MODCONF_MODULES : modconf_format_of(file);
	if (fmt == MODCONF_MODPROBE && modconf_dir_is(file, "modprobe.d") &&
	    !modconf_name_ends(file, ".conf") && !modconf_name_ends(file, ".alias"))
		warnf(file, 0, "kmod reads only *.conf files in modprobe.d: it ignores this one");
	if (fmt == MODCONF_MODULES && modconf_dir_is(file, "modules-load.d") &&
	    !modconf_name_ends(file, ".conf"))
		warnf(file, 0, "systemd-modules-load reads only *.conf files in modules-load.d: it ignores this one");
	buf_add(&cur, in->p ? in->p : "", in->len);

	for (i = 0; i <= nops && r == 0; i++) {
		struct opline o;
		struct buf next = BUF_INIT;

		if (!parsed && modconf_parse(&e.mc, cur.p, cur.len, fmt, &eline, &err) < 0) {
			errorf_line(file, eline, "%s", err);
			r = -1;
			break;
		}
		parsed = 0;
		if (i == 0 && fmt == MODCONF_MODPROBE && check_file(&e) < 0) {
			r = -1;
			break;
		}
		if (i == nops)
			break;
		e.opname = modconf_opname(ops[i].kind);
		e.oparg = ops[i].arg;
		textpatch_init(&e.tp, e.mc.p, e.mc.len);
		if (opline_parse(&e, ops[i].kind, ops[i].arg, &o) < 0) {
			opline_free(&o);
			r = -1;
			break;
		}
		r = dispatch(&e, ops[i].kind, &o);
		opline_free(&o);
		if (r == 0 && e.tp.n == 0 && !e.mc.open_end && !e.mc.escape_end) {
			/* lines added at the end only: the parse so far still holds */
			buf_add(&cur, e.tp.tail.p ? e.tp.tail.p : "", e.tp.tail.len);
			modconf_parse_more(&e.mc, cur.p, cur.len);
			parsed = 1;
			edit_reset(&e);
			continue;
		}
		if (r == 0) {
			/* a last line without its newline ends; "\\\n" at the end joined the next */
			const char *lead = e.mc.escape_end ? (e.mc.open_end && e.mc.len ? "\n\n" : "\n")
					   : e.mc.open_end && e.mc.len ? "\n" : "";

			textpatch_apply(&e.tp, lead, &next);
			buf_free(&cur);
			cur = next;
		} else {
			buf_free(&next);
		}
		edit_free(&e);
	}
	edit_free(&e);
	warnf_forget();
	if (r == 0)
		buf_add(out, cur.p ? cur.p : "", cur.len);
	buf_free(&cur);
	return r;
}
