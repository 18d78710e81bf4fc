/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit-softdep: softdep M pre: A post: B and weakdep M A B: dependencies merged into
 * the first line for M, section by section, as kmod reads them
 * (libkmod-config.c kmod_config_add_softdep()).
 */
#include "modedit-int.h"
#include "err.h"
#include "textpatch.h"

#include <stdlib.h>
#include <string.h>

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
void me_warn_glued(struct mc_edit *e, const struct mc_line *l)
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
		me_del_line(e, li);
		free(out);
		return;
	}
	me_touch_line(e, li);
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
int me_op_deps(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
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
				me_operr(e, "'%s%.*s': a space is missing after '%s' (kmod switches sections only on the word alone)",
				      gs ? "post:" : "pre:", (int)dn, dep, gs ? "post:" : "pre:");
				return -1;
			}
			if (mk >= 0) {
				cur = mk;
			} else if (cur < 0) {
				me_operr(e, "a module before 'pre:' or 'post:'");
				return -1;
			} else {
				any = 1;
			}
		}
		if (!any) {
			me_operr(e, "'softdep' needs 'pre:' or 'post:' modules");
			return -1;
		}
	}
	/* "weakdep M" and blanks passes kmod's check but names no module */
	if (weak && kind != MODCONF_DEL && o->l.nw < 3) {
		me_operr(e, "'weakdep' needs modules after the module name");
		return -1;
	}
	if (kind == MODCONF_DEL && o->l.nw > 2) {
		me_operr(e, "--del takes '%s MODULE'", weak ? "weakdep" : "softdep");
		return -1;
	}
	for (li = 0; li < e->mc.nline; li++) {
		if (!me_line_is(e, li, o->l.verb, m, mlen))
			continue;
		if (kind == MODCONF_DEL) {
			me_del_line(e, li);
			continue;
		}
		if (kind == MODCONF_UNMERGE) {
			deps_unmerge(e, li, &o->l);
			continue;
		}
		me_touch_line(e, li);
		if (first == (size_t)-1)
			first = li;
		else
			warnf(e->file, e->mc.line[li].lineno, "another %s line for '%.*s' (deps merged into line %zu)",
			     weak ? "weakdep" : "softdep", (int)mlen, m, e->mc.line[first].lineno);
	}
	if (kind == MODCONF_DEL || kind == MODCONF_UNMERGE)
		return 0;
	if (first == (size_t)-1) {
		me_tail_line(e, o);
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
