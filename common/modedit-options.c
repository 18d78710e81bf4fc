/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit-options: options M K=V ...: --set, --merge, --unmerge and --del of module
 * parameters, each parameter edited where the module's options lines give
 * it (kmod joins them; the last one wins).
 */
#include "modedit-int.h"
#include "err.h"
#include "params.h"
#include "textpatch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
		if (!me_line_is(e, li, MV_OPTIONS, m, mlen))
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
			me_del_line(e, li);	/* "options M" alone is a bad line */
			continue;
		}
		last = li;
		me_touch_line(e, li);
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
		me_operr(e, "'options' needs a parameter after the module name");
		return -1;
	}
	for (pi = 2; pi < o->l.nw; pi++) {
		size_t kn, vn;
		const char *k = param_key(&o->l, pi, &kn);
		const char *w = mc_word(&o->l, pi, &vn);
		const char *eq = memchr(w, '=', vn);

		if (kn == 0) {
			me_operr(e, "empty parameter name in '%.*s'", (int)vn, w);
			return -1;
		}
		/* a second K=V would be written too, and undone by the next --set */
		for (i = 2; i < pi; i++) {
			size_t kn2;
			const char *k2 = param_key(&o->l, i, &kn2);

			if (param_eq(k, kn, k2, kn2)) {
				me_operr(e, "'%.*s' given twice", (int)kn, k);
				return -1;
			}
		}
		if ((kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) && !eq) {
			me_operr(e, "'%.*s': %s needs KEY=ITEM[,ITEM...]", (int)vn, w, e->opname);
			return -1;
		}
		/* what a merge writes it must be able to merge into next time */
		if ((kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) && memchr(w, '"', vn)) {
			me_operr(e, "'%.*s': %s cannot take a quoted value", (int)vn, w, e->opname);
			return -1;
		}
		if (eq && param_eq(k, kn, "ids", 3) && kind != MODCONF_DEL) {
			struct param_items it = { NULL, 0 };

			param_items_split(&it, eq + 1, (size_t)(w + vn - eq - 1));
			for (i = 0; i < it.n; i++)
				if (!param_id_ok(it.v[i], strlen(it.v[i]))) {
					me_operr(e, "bad id '%s' (VENDOR:DEVICE in hex, e.g. 8086:3e92)", it.v[i]);
					param_items_free(&it);
					return -1;
				}
			if (it.n == 0 && kind != MODCONF_SET) {
				me_operr(e, "no ids");
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

int me_op_options(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
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
