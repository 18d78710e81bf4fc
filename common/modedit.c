/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "modedit.h"
#include "err.h"
#include "params.h"
#include "textpatch.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* one op on one file: the parse, the patches, what each line went through */
struct mc_edit {
	const char *file;
	const char *opname;
	const char *oparg;
	struct modconf mc;
	struct textpatch tp;
	unsigned char *fixed_cr;	/* per line: its CR already taken off */
	unsigned char *gone;		/* per line: deleted */
	/* modules-format lines by name (op_module): kept while the parse is */
	size_t *mhead, *mnext;		/* bucket -> line + 1, line -> line + 1 */
	size_t nbucket, nindexed;
};

static void operr(const struct mc_edit *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "PROG: --set 'ARG': WHAT": an op refused */
static void operr(const struct mc_edit *e, const char *fmt, ...)
{
	struct buf where = BUF_INIT;
	va_list ap;

	buf_printf(&where, "%s '%s'", e->opname, e->oparg);
	va_start(ap, fmt);
	verrorf_line(where.p, 0, fmt, ap);
	va_end(ap);
	buf_free(&where);
}

static void del_line(struct mc_edit *e, size_t li)
{
	if (e->gone[li])
		return;
	e->gone[li] = 1;
	textpatch_replace(&e->tp, e->mc.line[li].start, e->mc.line[li].end - e->mc.line[li].start, NULL);
}

/*
 * A line an edit matched or changed: say what its readers get wrong, and
 * take off a CR they would read as data.
 */
static void touch_line(struct mc_edit *e, size_t li)
{
	struct mc_line *l = &e->mc.line[li];
	size_t n;
	const char *name = l->nw > 1 ? mc_word(l, 1, &n) : mc_word(l, 0, &n);

	if (l->verb == MV_MODULE)
		name = mc_word(l, 0, &n);
	if (l->cr && !e->fixed_cr[li] && !e->gone[li]) {
		e->fixed_cr[li] = 1;
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

/* ---- ops ------------------------------------------------------------ */

struct opline {
	char *s;		/* a copy of the argument, words NUL-ended */
	struct mc_line l;	/* parsed as a line of the file's format */
};

static int opline_parse(struct mc_edit *e, enum modconf_opkind kind, const char *arg,
			struct opline *o)
{
	struct modconf tmp;
	size_t eline;
	const char *err;

	memset(o, 0, sizeof(*o));
	if (strpbrk(arg, "\n\r\\")) {
		operr(e, "newlines, CRs and backslashes are not supported in a line");
		return -1;
	}
	if (modconf_parse(&tmp, arg, strlen(arg), e->mc.fmt, &eline, &err) < 0 ||
	    tmp.nline != 1) {
		modconf_free(&tmp);
		operr(e, "not one line");
		return -1;
	}
	o->l = tmp.line[0];
	free(tmp.line);
	if (o->l.kind == MC_BLANK || o->l.kind == MC_COMMENT) {
		operr(e, "no %s", e->mc.fmt == MODCONF_MODPROBE ? "directive" : "module name");
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
			operr(e, "'#' is not a comment in modprobe.d after blanks");
		else if (strcmp(o->l.bad, "unknown directive") == 0)
			operr(e, "unknown directive '%.*s'", (int)n, w);
		else if (strcmp(o->l.bad, "missing arguments") == 0)
			operr(e, "'%.*s' needs %s", (int)n, w,
			      o->l.verb == MV_ALIAS ? "a pattern and a module" :
			      o->l.nhead == 2 && o->l.nw >= 2 ? "more after the module name" :
			      "a module name");
		else
			operr(e, "%s", o->l.bad);
		return -1;
	}
	if (o->l.verb == MV_OBSOLETE) {
		operr(e, "kmod no longer reads '%s'", o->l.text);
		return -1;
	}
	if (o->l.hash) {
		operr(e, "'#' here is not a comment: %s would read it",
		      e->mc.fmt == MODCONF_MODPROBE ? "kmod" : "systemd-modules-load");
		return -1;
	}
	if (e->mc.fmt == MODCONF_MODULES) {
		size_t n;
		const char *w = mc_word(&o->l, 0, &n);

		if (modconf_is_verb(w, n) && o->l.nw > 1) {
			operr(e, "a modprobe.d line, but %s is in modules format (use --format modprobe)",
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
				operr(e, "unmatched bracket in '%.*s'", (int)n, w);
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
static int line_is(const struct mc_edit *e, size_t li, enum mc_verb verb,
		   const char *m, size_t mlen)
{
	const struct mc_line *l = &e->mc.line[li];
	size_t n;
	const char *w;

	if (e->gone[li] || l->kind != MC_DIRECTIVE || l->verb != verb)
		return 0;
	w = verb == MV_MODULE ? mc_word(l, 0, &n) : mc_word(l, 1, &n);
	return modname_eq(w, n, m, mlen);
}

/* the parameter name of word i of an options line */
static const char *param_key(const struct mc_line *l, size_t i, size_t *n)
{
	const char *w = l->text + l->w[i].off, *eq;
	size_t len = l->w[i].len;

	if (len && *w == '"') {
		w++;
		len--;
	}
	eq = memchr(w, '=', len);
	*n = eq ? (size_t)(eq - w) : len;
	if (!eq && *n && w[*n - 1] == '"')
		(*n)--;
	return w;
}

/*
 * K=V and K'=V' (K and K' already equal as parameter names) set the same
 * value: ids compare case-insensitively (vfio-pci reads them with %x)
 */
static int value_same(const char *a, const char *b, int ids)
{
	const char *x = strchr(a, '='), *y = strchr(b, '=');

	if (!x || !y)
		return !x && !y;
	return ids ? strcasecmp(x, y) == 0 : strcmp(x, y) == 0;
}

/* the parameters of the options lines of one module, flattened */
struct pword {
	size_t li, wi;
	char *repl;		/* new text of the word */
	int del;
};

struct optplan {
	struct pword *pw;
	size_t n;
	struct buf append;	/* " K=V..." for the module's last line */
};

static void optplan_init(struct mc_edit *e, struct optplan *pl, const char *m, size_t mlen)
{
	size_t li, wi;

	memset(pl, 0, sizeof(*pl));
	for (li = 0; li < e->mc.nline; li++) {
		if (!line_is(e, li, MV_OPTIONS, m, mlen))
			continue;
		for (wi = 2; wi < e->mc.line[li].nw; wi++) {
			pl->pw = xgrow1(pl->pw, pl->n, sizeof(*pl->pw));
			pl->pw[pl->n].li = li;
			pl->pw[pl->n].wi = wi;
			pl->pw[pl->n].repl = NULL;
			pl->pw[pl->n].del = 0;
			pl->n++;
		}
	}
}

static int pw_is(const struct mc_edit *e, const struct pword *p, const char *k, size_t klen)
{
	size_t n;
	const char *key = param_key(&e->mc.line[p->li], p->wi, &n);

	return !p->del && param_eq(key, n, k, klen);
}

/* the current text of a parameter word */
static char *pw_text(const struct mc_edit *e, const struct pword *p)
{
	size_t n;
	const char *w;

	if (p->repl)
		return xstrdup(p->repl);
	w = mc_word(&e->mc.line[p->li], p->wi, &n);
	return xstrndup(w, n);
}

static void pw_set(struct pword *p, char *s)
{
	free(p->repl);
	p->repl = s;
}

/* the patches for a plan: changed words, deleted words, emptied lines */
static void optplan_commit(struct mc_edit *e, struct optplan *pl, const char *m, size_t mlen)
{
	size_t i, j, last = (size_t)-1;

	for (i = 0; i < pl->n; i = j) {
		size_t li = pl->pw[i].li, alive = 0;

		for (j = i; j < pl->n && pl->pw[j].li == li; j++)
			alive += !pl->pw[j].del;
		if (alive == 0) {
			del_line(e, li);	/* "options M" alone is a bad line */
			continue;
		}
		last = li;
		touch_line(e, li);
		for (j = i; j < pl->n && pl->pw[j].li == li; j++) {
			const struct mc_line *l = &e->mc.line[li];
			struct pword *p = &pl->pw[j];

			if (p->del)
				textpatch_replace(&e->tp, mc_word_end(l, p->wi - 1), mc_word_end(l, p->wi) - mc_word_end(l, p->wi - 1), NULL);
			else if (p->repl)
				textpatch_replace(&e->tp, mc_word_start(l, p->wi), mc_word_end(l, p->wi) - mc_word_start(l, p->wi), p->repl);
		}
	}
	if (pl->append.len) {
		if (last != (size_t)-1) {
			const struct mc_line *l = &e->mc.line[last];

			textpatch_replace(&e->tp, mc_word_end(l, l->nw - 1), 0, pl->append.p);
		} else {
			buf_adds(&e->tp.tail, "options ");
			buf_add(&e->tp.tail, m, mlen);
			buf_add(&e->tp.tail, pl->append.p, pl->append.len);
			buf_addc(&e->tp.tail, '\n');
		}
	}
	for (i = 0; i < pl->n; i++)
		free(pl->pw[i].repl);
	free(pl->pw);
	buf_free(&pl->append);
}

/* check a module's existing ids= items before merging into them */
static int ids_check(struct mc_edit *e, const struct pword *p, const struct param_items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (!param_id_ok(it->v[i], strlen(it->v[i]))) {
			errorf_line(e->file, e->mc.line[p->li].lineno, "bad id '%s' in ids=", it->v[i]);
			return -1;
		}
	return 0;
}

/* check an options op's parameters before touching anything */
static int options_check(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t pi, i;

	if ((kind == MODCONF_SET || kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) && o->l.nw < 3) {
		operr(e, "'options' needs a parameter after the module name");
		return -1;
	}
	for (pi = 2; pi < o->l.nw; pi++) {
		size_t kn, vn;
		const char *k = param_key(&o->l, pi, &kn);
		const char *w = mc_word(&o->l, pi, &vn);
		const char *eq = memchr(w, '=', vn);

		if (kn == 0) {
			operr(e, "empty parameter name in '%.*s'", (int)vn, w);
			return -1;
		}
		/* a second K=V would be written too, and undone by the next --set */
		for (i = 2; i < pi; i++) {
			size_t kn2;
			const char *k2 = param_key(&o->l, i, &kn2);

			if (param_eq(k, kn, k2, kn2)) {
				operr(e, "'%.*s' given twice", (int)kn, k);
				return -1;
			}
		}
		if ((kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) && !eq) {
			operr(e, "'%.*s': %s needs KEY=ITEM[,ITEM...]", (int)vn, w, e->opname);
			return -1;
		}
		/* what a merge writes it must be able to merge into next time */
		if ((kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) && memchr(w, '"', vn)) {
			operr(e, "'%.*s': %s cannot take a quoted value", (int)vn, w, e->opname);
			return -1;
		}
		if (eq && param_eq(k, kn, "ids", 3) && kind != MODCONF_DEL) {
			struct param_items it = { NULL, 0 };

			param_items_split(&it, eq + 1, (size_t)(w + vn - eq - 1));
			for (i = 0; i < it.n; i++)
				if (!param_id_ok(it.v[i], strlen(it.v[i]))) {
					operr(e, "bad id '%s' (VENDOR:DEVICE in hex, e.g. 8086:3e92)", it.v[i]);
					param_items_free(&it);
					return -1;
				}
			if (it.n == 0 && kind != MODCONF_SET) {
				operr(e, "no ids");
				return -1;
			}
			param_items_free(&it);
		}
	}
	return 0;
}

/* one parameter of an options op, and where the module's lines give it */
struct optparam {
	const char *k;		/* its name */
	size_t kn;
	const char *want;	/* the whole word, K=V */
	const char *eq;		/* its '=' in want, or NULL */
	int ids;
	struct param_items items;	/* V's comma items */
	size_t first, nocc;	/* the first occurrence in the plan, how many */
};

/* "K=A,B,..." */
static char *param_word(const struct optparam *p, const struct param_items *it)
{
	struct buf nb = BUF_INIT;

	buf_add(&nb, p->k, p->kn);
	buf_addc(&nb, '=');
	param_items_join(it, &nb);
	return buf_detach(&nb);
}

/* --set: the first occurrence gets the value, the later ones go */
static int options_set(struct mc_edit *e, struct optplan *pl, const struct optparam *p)
{
	size_t i;
	char *cur;

	if (p->first == (size_t)-1) {
		buf_addc(&pl->append, ' ');
		buf_adds(&pl->append, p->want);
		return 0;
	}
	cur = pw_text(e, &pl->pw[p->first]);
	if (!value_same(cur, p->want, p->ids))
		pw_set(&pl->pw[p->first], xstrdup(p->want));
	free(cur);
	for (i = p->first + 1; i < pl->n; i++)
		if (pw_is(e, &pl->pw[i], p->k, p->kn))
			pl->pw[i].del = 1;
	return 0;
}

/* --merge: every occurrence's items and the new ones, in the first */
static int options_merge(struct mc_edit *e, struct optplan *pl, const struct optparam *p)
{
	struct param_items have = { NULL, 0 };
	size_t i, j, before;
	int r = 0;

	if (p->first == (size_t)-1) {
		buf_addc(&pl->append, ' ');
		buf_adds(&pl->append, p->want);
		return 0;
	}
	for (i = p->first; i < pl->n; i++) {
		char *t, *v;

		if (!pw_is(e, &pl->pw[i], p->k, p->kn))
			continue;
		t = pw_text(e, &pl->pw[i]);
		v = strchr(t, '=');
		if (v) {
			struct param_items one = { NULL, 0 };

			if (strchr(v, '"')) {
				errorf_line(e->file, e->mc.line[pl->pw[i].li].lineno,
					    "cannot merge into the quoted value of '%.*s'", (int)p->kn, p->k);
				r = -1;
			}
			param_items_split(&one, v + 1, strlen(v + 1));
			if (r == 0 && p->ids)
				r = ids_check(e, &pl->pw[i], &one);
			for (j = 0; j < one.n; j++)
				if (param_items_find(&have, one.v[j], strlen(one.v[j]), p->ids) < 0)
					param_items_add(&have, one.v[j], strlen(one.v[j]));
			param_items_free(&one);
		}
		free(t);
		if (i != p->first)
			pl->pw[i].del = 1;
	}
	before = have.n;
	for (i = 0; i < p->items.n; i++)
		if (param_items_find(&have, p->items.v[i], strlen(p->items.v[i]), p->ids) < 0)
			param_items_add(&have, p->items.v[i], strlen(p->items.v[i]));
	if (r == 0 && (have.n != before || p->nocc > 1)) {
		char *cur = pw_text(e, &pl->pw[p->first]), *nw = param_word(p, &have);

		if (strcmp(cur, nw) != 0)
			pw_set(&pl->pw[p->first], nw);
		else
			free(nw);
		free(cur);
	}
	param_items_free(&have);
	return r;
}

/* --unmerge: the items go from every occurrence, an emptied one with them */
static int options_unmerge(struct mc_edit *e, struct optplan *pl, const struct optparam *p)
{
	size_t i, j;

	for (i = 0; i < pl->n; i++) {
		struct param_items one = { NULL, 0 }, keep = { NULL, 0 };
		char *t, *v;

		if (!pw_is(e, &pl->pw[i], p->k, p->kn))
			continue;
		t = pw_text(e, &pl->pw[i]);
		v = strchr(t, '=');
		if (v)
			param_items_split(&one, v + 1, strlen(v + 1));
		for (j = 0; j < one.n; j++)
			if (param_items_find(&p->items, one.v[j], strlen(one.v[j]), p->ids) < 0)
				param_items_add(&keep, one.v[j], strlen(one.v[j]));
		if (keep.n == 0)
			pl->pw[i].del = 1;
		else if (keep.n != one.n)
			pw_set(&pl->pw[i], param_word(p, &keep));
		param_items_free(&one);
		param_items_free(&keep);
		free(t);
	}
	return 0;
}

/* --del: K goes, or K=V where it is exactly that */
static int options_del(struct mc_edit *e, struct optplan *pl, const struct optparam *p)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		char *t;

		if (!pw_is(e, &pl->pw[i], p->k, p->kn))
			continue;
		t = pw_text(e, &pl->pw[i]);
		if (!p->eq || strcmp(t, p->want) == 0)
			pl->pw[i].del = 1;
		free(t);
	}
	return 0;
}

static int op_options(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	static int (*const by_kind[])(struct mc_edit *, struct optplan *, const struct optparam *) = {
		[MODCONF_SET] = options_set, [MODCONF_MERGE] = options_merge,
		[MODCONF_DEL] = options_del, [MODCONF_UNMERGE] = options_unmerge,
	};
	size_t mlen, pi, i;
	const char *m = mc_word(&o->l, 1, &mlen);
	struct optplan pl;
	int r = 0;

	if (options_check(e, kind, o) < 0)
		return -1;
	optplan_init(e, &pl, m, mlen);
	if (kind == MODCONF_DEL && o->l.nw == 2) {
		for (i = 0; i < pl.n; i++)
			pl.pw[i].del = 1;
		/* lines "options M" alone are bad lines, not ours: leave them */
		optplan_commit(e, &pl, m, mlen);
		return 0;
	}
	for (pi = 2; pi < o->l.nw && r == 0; pi++) {
		struct optparam p = { NULL, 0, NULL, NULL, 0, { NULL, 0 }, (size_t)-1, 0 };
		size_t vn;
		const char *w = mc_word(&o->l, pi, &vn);
		char *want = xstrndup(w, vn);

		p.k = param_key(&o->l, pi, &p.kn);
		p.want = want;
		p.eq = strchr(want, '=');
		p.ids = param_eq(p.k, p.kn, "ids", 3);
		if (p.eq)
			param_items_split(&p.items, p.eq + 1, strlen(p.eq + 1));
		for (i = 0; i < pl.n; i++) {
			if (!pw_is(e, &pl.pw[i], p.k, p.kn))
				continue;
			p.nocc++;
			if (p.first == (size_t)-1) {
				p.first = i;
				continue;
			}
			if (kind == MODCONF_SET || kind == MODCONF_MERGE)
				warnf(e->file, e->mc.line[pl.pw[i].li].lineno,
				      "'%.*s' set again (first at line %zu): kmod joins the options lines and the last one wins; %s",
				      (int)p.kn, p.k, e->mc.line[pl.pw[p.first].li].lineno,
				      kind == MODCONF_SET ? "this one removed" : "merged into the first");
		}
		r = by_kind[kind](e, &pl, &p);
		param_items_free(&p.items);
		free(want);
	}
	optplan_commit(e, &pl, m, mlen);
	return r;
}

static void tail_line(struct mc_edit *e, const struct opline *o)
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

static int op_blacklist(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, mlen, found = 0;
	const char *m = mc_word(&o->l, 1, &mlen);

	if (o->l.nw > 2) {
		operr(e, "'blacklist' takes one module name");
		return -1;
	}
	for (li = 0; li < e->mc.nline; li++) {
		if (!line_is(e, li, MV_BLACKLIST, m, mlen))
			continue;
		found++;
		if (kind == MODCONF_DEL)
			del_line(e, li);
		else
			touch_line(e, li);
	}
	if (kind == MODCONF_SET && !found)
		tail_line(e, o);
	return 0;
}

/*
 * alias PATTERN MODULE, install M COMMAND, remove M COMMAND: one line per
 * key (word 1), its value the words after.  --del deletes the lines of the
 * key (with a value, those holding it); --set keeps the first line,
 * rewrites its value where it differs, deletes the rest, and appends a
 * line when there is none.
 */
static int op_one_line(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	int alias = o->l.verb == MV_ALIAS;	/* the value is a module name */
	size_t li, klen, vlen = 0, found = 0;
	const char *key = mc_word(&o->l, 1, &klen), *val = NULL;

	if (alias && o->l.nw > 3) {
		operr(e, "'alias' takes a pattern and a module name");
		return -1;
	}
	if (kind == MODCONF_SET && o->l.nw < 3) {
		if (alias)
			operr(e, "'alias' needs a pattern and a module name");
		else	/* "install M" and blanks passes kmod's check but holds no command */
			operr(e, "'%.*s' needs a command after the module name",
			      (int)o->l.w[0].len, o->l.text);
		return -1;
	}
	/* the value ends with its last word, as a line's does below */
	if (o->l.nw > 2) {
		val = o->l.text + o->l.w[2].off;
		vlen = o->l.w[o->l.nw - 1].off + o->l.w[o->l.nw - 1].len - o->l.w[2].off;
	}
	for (li = 0; li < e->mc.nline; li++) {
		const struct mc_line *l = &e->mc.line[li];
		const char *have;
		size_t hn, last;
		int same;

		if (!line_is(e, li, o->l.verb, key, klen))
			continue;
		last = alias ? 2 : l->nw - 1;	/* kmod reads an alias's word 2 alone */
		have = l->text + l->w[2].off;
		hn = l->w[last].off + l->w[last].len - l->w[2].off;
		same = val && (alias ? modname_eq(have, hn, val, vlen)
				     : hn == vlen && memcmp(have, val, hn) == 0);
		if (kind == MODCONF_DEL) {
			if (!val || same)
				del_line(e, li);
			continue;
		}
		if (found++) {
			del_line(e, li);
			continue;
		}
		touch_line(e, li);
		if (!same) {
			char *s = xstrndup(val, vlen);

			textpatch_replace(&e->tp, mc_word_start(l, 2),
					  mc_word_end(l, last) - mc_word_start(l, 2), s);
			free(s);
		}
	}
	if (kind == MODCONF_SET && !found) {
		size_t n;
		const char *w = mc_word(&o->l, 0, &n);

		buf_add(&e->tp.tail, w, n);
		buf_addc(&e->tp.tail, ' ');
		buf_add(&e->tp.tail, key, klen);
		buf_addc(&e->tp.tail, ' ');
		buf_add(&e->tp.tail, val, vlen);
		buf_addc(&e->tp.tail, '\n');
	}
	return 0;
}

/*
 * A softdep section marker: 0 "pre:", 1 "post:", -1 a module.  kmod
 * switches sections only on the exact word (libkmod-config.c
 * kmod_config_add_softdep(): plen == strlen("pre:") && strstartswith(p,
 * "pre:")): "pre:vfio-pci" is a module of that name after a marker, and
 * nothing at all before one.
 */
static int marker(const struct mc_line *l, size_t i)
{
	size_t n;
	const char *w = mc_word(l, i, &n);

	if (l->verb == MV_WEAKDEP)
		return -1;
	if (n == 4 && memcmp(w, "pre:", 4) == 0)
		return 0;
	if (n == 5 && memcmp(w, "post:", 5) == 0)
		return 1;
	return -1;
}

/* a marker glued to a module ("pre:vfio-pci"): its section and the module, else -1 */
static int glued(const struct mc_line *l, size_t i, const char **dep, size_t *dn)
{
	size_t n;
	const char *w = mc_word(l, i, &n);
	int sect;

	if (l->verb != MV_SOFTDEP || i < 2)
		return -1;
	if (n > 4 && memcmp(w, "pre:", 4) == 0)
		sect = 0;
	else if (n > 5 && memcmp(w, "post:", 5) == 0)
		sect = 1;
	else
		return -1;
	*dep = w + (sect ? 5 : 4);
	*dn = n - (sect ? 5 : 4);
	return sect;
}

/* say what kmod makes of each glued marker of a softdep line */
static void warn_glued(struct mc_edit *e, const struct mc_line *l)
{
	size_t i, n, dn;
	int cur = -1;
	const char *dep;

	for (i = 2; i < l->nw; i++) {
		const char *w = mc_word(l, i, &n);
		int mk = marker(l, i), sect = glued(l, i, &dep, &dn);

		if (mk >= 0)
			cur = mk;
		if (sect < 0)
			continue;
		warnf(e->file, l->lineno, "'%.*s': kmod switches to %s-dependencies only on '%s' followed by a blank, so it %s; "
		     "write '%s %.*s'", (int)n, w, sect ? "post" : "pre", sect ? "post:" : "pre:",
		     cur < 0 ? "ignores this word" : "reads it as a module of that name",
		     sect ? "post:" : "pre:", (int)dn, dep);
	}
}

/* is d among the section's deps (kmod_config_add_softdep's reading)? */
static int has_dep(const struct mc_line *l, int sect, const char *d, size_t dn)
{
	size_t i, n;
	int cur = l->verb == MV_WEAKDEP ? 0 : -1;

	for (i = 2; i < l->nw; i++) {
		const char *w = mc_word(l, i, &n);
		int mk = marker(l, i);

		if (mk >= 0)
			cur = mk;
		else if (cur == sect && modname_eq(w, n, d, dn))
			return 1;
	}
	return 0;
}

/*
 * --unmerge: the op's deps leave line li, each from its own section; a
 * section left empty loses its marker, a line left with no dep goes (kmod
 * reads "softdep M" alone as nothing: libkmod-config.c
 * kmod_config_add_softdep() needs a module after a marker).
 */
static void deps_unmerge(struct mc_edit *e, size_t li, const struct mc_line *op)
{
	const struct mc_line *l = &e->mc.line[li];
	int cur = l->verb == MV_WEAKDEP ? 0 : -1, left[2] = { 0, 0 }, gone[2] = { 0, 0 };
	unsigned char *out = xcalloc(l->nw + 1, 1);
	size_t i, n, mk_at[2] = { 0, 0 };

	for (i = 2; i < l->nw; i++) {
		const char *w = mc_word(l, i, &n);
		int mk = marker(l, i);

		if (mk >= 0) {
			cur = mk;
			mk_at[cur] = i;
		} else if (cur >= 0 && has_dep(op, cur, w, n)) {
			out[i] = 1, gone[cur]++;
		} else if (cur >= 0) {
			left[cur]++;
		}
	}
	if (gone[0] + gone[1] == 0) {
		free(out);
		return;
	}
	if (left[0] + left[1] == 0) {
		del_line(e, li);
		free(out);
		return;
	}
	touch_line(e, li);
	for (cur = 0; cur < 2; cur++)
		if (mk_at[cur] && !left[cur])
			out[mk_at[cur]] = 1;
	/* a word goes with the blanks before it */
	for (i = 2; i < l->nw; i++)
		if (out[i])
			textpatch_replace(&e->tp, mc_word_end(l, i - 1),
					  mc_word_end(l, i) - mc_word_end(l, i - 1), NULL);
	free(out);
}

/* softdep M pre: A post: B / weakdep M A B: deps merged into the first line */
static int op_deps(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, mlen, i, first = (size_t)-1;
	const char *m = mc_word(&o->l, 1, &mlen);
	int weak = o->l.verb == MV_WEAKDEP, sect, cur;
	struct buf add[2] = { BUF_INIT, BUF_INIT };
	const struct mc_line *l;
	size_t at[2] = { 0, 0 };	/* where each section's first run ends */
	int ended[2] = { 0, 0 };

	if (!weak && kind != MODCONF_DEL) {
		int any = 0;

		for (cur = -1, i = 2; i < o->l.nw; i++) {
			int mk = marker(&o->l, i);
			const char *dep;
			size_t dn;
			int gs = glued(&o->l, i, &dep, &dn);

			if (gs >= 0) {
				operr(e, "'%s%.*s': a space is missing after '%s' (kmod switches sections only on the word alone)",
				      gs ? "post:" : "pre:", (int)dn, dep, gs ? "post:" : "pre:");
				return -1;
			}
			if (mk >= 0) {
				cur = mk;
			} else if (cur < 0) {
				operr(e, "a module before 'pre:' or 'post:'");
				return -1;
			} else {
				any = 1;
			}
		}
		if (!any) {
			operr(e, "'softdep' needs 'pre:' or 'post:' modules");
			return -1;
		}
	}
	/* "weakdep M" and blanks passes kmod's check but names no module */
	if (weak && kind != MODCONF_DEL && o->l.nw < 3) {
		operr(e, "'weakdep' needs modules after the module name");
		return -1;
	}
	if (kind == MODCONF_DEL && o->l.nw > 2) {
		operr(e, "--del takes '%s MODULE'", weak ? "weakdep" : "softdep");
		return -1;
	}
	for (li = 0; li < e->mc.nline; li++) {
		if (!line_is(e, li, o->l.verb, m, mlen))
			continue;
		if (kind == MODCONF_DEL) {
			del_line(e, li);
			continue;
		}
		if (kind == MODCONF_UNMERGE) {
			deps_unmerge(e, li, &o->l);
			continue;
		}
		touch_line(e, li);
		if (first == (size_t)-1)
			first = li;
		else
			warnf(e->file, e->mc.line[li].lineno, "another %s line for '%.*s' (deps merged into line %zu)",
			     weak ? "weakdep" : "softdep", (int)mlen, m, e->mc.line[first].lineno);
	}
	if (kind == MODCONF_DEL || kind == MODCONF_UNMERGE)
		return 0;
	if (first == (size_t)-1) {
		tail_line(e, o);
		return 0;
	}
	l = &e->mc.line[first];
	/* a glued "pre:M" asked for as "pre: M": the word goes, M is added below */
	for (i = 2; !weak && i < l->nw; i++) {
		const char *dep;
		size_t dn;
		int gs = glued(l, i, &dep, &dn);

		if (gs >= 0 && has_dep(&o->l, gs, dep, dn))
			textpatch_replace(&e->tp, mc_word_end(l, i - 1), mc_word_end(l, i) - mc_word_end(l, i - 1), NULL);
	}
	if (weak)
		at[0] = mc_word_end(l, l->nw - 1);
	for (cur = -1, i = 2; !weak && i < l->nw; i++) {
		int mk = marker(l, i);

		if (mk >= 0) {
			if (cur >= 0)
				ended[cur] = 1;
			cur = mk;
			if (!ended[cur])
				at[cur] = mc_word_end(l, i);
		} else if (cur >= 0 && !ended[cur]) {
			at[cur] = mc_word_end(l, i);
		}
	}
	for (cur = weak ? 0 : -1, i = 2; i < o->l.nw; i++) {
		size_t n;
		const char *w = mc_word(&o->l, i, &n);
		int mk = marker(&o->l, i);

		if (mk >= 0) {
			cur = mk;
			continue;
		}
		if (has_dep(l, cur, w, n))
			continue;
		buf_addc(&add[cur], ' ');
		buf_add(&add[cur], w, n);
	}
	for (sect = 0; sect < 2; sect++) {
		struct buf s = BUF_INIT;

		if (!add[sect].len)
			continue;
		if (at[sect]) {
			textpatch_replace(&e->tp, at[sect], 0, add[sect].p);
		} else {
			buf_adds(&s, sect ? " post:" : " pre:");
			buf_add(&s, add[sect].p, add[sect].len);
			/* pre: goes right after the module, post: at the end */
			textpatch_replace(&e->tp, sect ? mc_word_end(l, l->nw - 1) : mc_word_end(l, 1), 0, s.p);
		}
		buf_free(&s);
	}
	buf_free(&add[0]);
	buf_free(&add[1]);
	return 0;
}

/* a module name's hash, '-' as '_' (names with [...] are not indexed) */
static size_t mod_hash(const char *s, size_t n)
{
	size_t h = 5381, i;

	for (i = 0; i < n; i++)
		h = h * 33 + (unsigned char)(s[i] == '-' ? '_' : s[i]);
	return h;
}

static void mindex_free(struct mc_edit *e)
{
	free(e->mhead);
	free(e->mnext);
	e->mhead = e->mnext = NULL;
	e->nbucket = e->nindexed = 0;
}

/* index the module lines parsed since the last call; rehash as it grows */
static void mindex_update(struct mc_edit *e)
{
	size_t li, n;

	if (!e->mhead || e->nbucket < 2 * e->mc.nline) {
		mindex_free(e);
		for (e->nbucket = 64; e->nbucket < 4 * e->mc.nline; e->nbucket *= 2)
			;
		e->mhead = xcalloc(e->nbucket, sizeof(*e->mhead));
	}
	e->mnext = xrealloc(e->mnext, (e->mc.nline + 1) * sizeof(*e->mnext));
	for (li = e->nindexed; li < e->mc.nline; li++) {
		const struct mc_line *l = &e->mc.line[li];
		const char *w;
		size_t b;

		e->mnext[li] = 0;
		if (l->kind != MC_DIRECTIVE || l->verb != MV_MODULE)
			continue;
		w = mc_word(l, 0, &n);
		b = mod_hash(w, n) & (e->nbucket - 1);
		e->mnext[li] = e->mhead[b];
		e->mhead[b] = li + 1;
	}
	e->nindexed = e->mc.nline;
}

/*
 * The lines that may hold module m, in file order, into *out (the caller
 * frees); every line when m has a [...] range.  Each still needs line_is.
 */
static size_t mindex_lookup(struct mc_edit *e, const char *m, size_t mlen, size_t **out)
{
	size_t n = 0, cap = 0, li, i;

	*out = NULL;
	if (memchr(m, '[', mlen) || memchr(m, ']', mlen)) {
		*out = xcalloc(e->mc.nline + 1, sizeof(**out));
		for (li = 0; li < e->mc.nline; li++)
			(*out)[n++] = li;
		return n;
	}
	mindex_update(e);
	for (li = e->mhead[mod_hash(m, mlen) & (e->nbucket - 1)]; li; li = e->mnext[li - 1]) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n++] = li - 1;
	}
	/* chains run from the last line back: file order for "the first" */
	for (i = 0; i < n / 2; i++) {
		size_t t = (*out)[i];

		(*out)[i] = (*out)[n - 1 - i];
		(*out)[n - 1 - i] = t;
	}
	return n;
}

/* words from..nw of l, one space between them */
static void words_joined(const struct mc_line *l, size_t from, struct buf *out)
{
	size_t i;

	buf_add(out, "", 0);
	for (i = from; i < l->nw; i++) {
		if (i > from)
			buf_addc(out, ' ');
		buf_add(out, l->text + l->w[i].off, l->w[i].len);
	}
}

static int op_module(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, k, mlen, found = 0, *cand, ncand;
	const char *m = mc_word(&o->l, 0, &mlen);
	const char *params = o->l.nw > 1 ? o->l.text + o->l.w[1].off : NULL;

	if (kind == MODCONF_DEL && params) {
		operr(e, "--del takes a module name in a modules list");
		return -1;
	}
	/* by the index: 10,000 ops on a 10,000-line list stay linear */
	ncand = mindex_lookup(e, m, mlen, &cand);
	for (k = 0; k < ncand; k++) {
		struct mc_line *l = &e->mc.line[li = cand[k]];

		if (!line_is(e, li, MV_MODULE, m, mlen))
			continue;
		if (kind == MODCONF_DEL) {
			del_line(e, li);
			continue;
		}
		if (found++)
			continue;
		if (params) {
			/* readers split the parameters on blanks: compare words */
			size_t s = l->nw > 1 ? mc_word_start(l, 1) : mc_word_end(l, 0);
			size_t end = mc_word_end(l, l->nw - 1);
			struct buf have = BUF_INIT, want = BUF_INIT;

			words_joined(l, 1, &have);
			words_joined(&o->l, 1, &want);
			if (strcmp(have.p, want.p) != 0) {
				struct buf b = BUF_INIT;

				if (l->nw == 1)
					buf_addc(&b, ' ');
				buf_add(&b, want.p, want.len);
				textpatch_replace(&e->tp, s, end - s, b.p);
				buf_free(&b);
			}
			buf_free(&have);
			buf_free(&want);
		}
		touch_line(e, li);
	}
	free(cand);
	if (kind == MODCONF_SET && !found) {
		tail_line(e, o);
		if (params && !modconf_dir_is(e->file, "initramfs-tools"))
			warnf(e->file, 0, "module parameters after '%.*s' are ignored by systemd-modules-load, which reads the whole line as a name; use modprobe.d: options %.*s ...",
			     (int)mlen, m, (int)mlen, m);
	}
	return 0;
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
			warn_glued(e, l);
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
	mindex_free(e);
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
	{ MV_MODULE, op_module, SET_DEL, 1, "is for modprobe.d 'options' lines, not for a module list" },
	{ MV_BLACKLIST, op_blacklist, SET_DEL, 0, "only --set and --del take 'blacklist'" },
	{ MV_ALIAS, op_one_line, SET_DEL, 0, "only --set and --del take 'alias'" },
	{ MV_INSTALL, op_one_line, SET_DEL, 0, "only --set and --del take 'install'" },
	{ MV_REMOVE, op_one_line, SET_DEL, 0, "only --set and --del take 'remove'" },
	{ MV_OPTIONS, op_options, SET_DEL | TAKES(MODCONF_MERGE) | TAKES(MODCONF_UNMERGE), 0, NULL },
	{ MV_SOFTDEP, op_deps, SET_DEL | TAKES(MODCONF_MERGE) | TAKES(MODCONF_UNMERGE), 0, NULL },
	{ MV_WEAKDEP, op_deps, SET_DEL | TAKES(MODCONF_MERGE) | TAKES(MODCONF_UNMERGE), 0, NULL },
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
			operr(e, "%s %s", e->opname, ed->refusal);
		else
			operr(e, "%s", ed->refusal);
		return -1;
	}
	operr(e, "cannot edit this");
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
		e.fixed_cr = xcalloc(e.mc.nline + 1, 1);
		e.gone = xcalloc(e.mc.nline + 1, 1);
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
