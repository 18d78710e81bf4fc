/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit-modules: a module list's lines (/etc/modules, modules-load.d): one module per
 * line, its parameters after it; looked up by an index of names, so
 * thousands of ops on a long list stay linear.
 */
#include "modedit-int.h"
#include "err.h"
#include "textpatch.h"

#include <stdlib.h>
#include <string.h>

/* a module name's hash, '-' as '_' (names with [...] are not indexed) */
static size_t mod_hash(const char *s, size_t n)
{
	size_t h = 5381, i;

	for (i = 0; i < n; i++)
		h = h * 33 + (unsigned char)(s[i] == '-' ? '_' : s[i]);
	return h;
}

void me_mindex_free(struct mc_edit *e)
{
	free(e->mhead);
	free(e->mnext);
	e->mhead = e->mnext = NULL;
	e->nbucket = e->nindexed = e->capnext = 0;
}

/* index the module lines parsed since the last call; rehash as it grows */
static void mindex_update(struct mc_edit *e)
{
	size_t li, n;

	if (!e->mhead || e->nbucket < 2 * e->mc.nline) {
		me_mindex_free(e);
		for (e->nbucket = 64; e->nbucket < 4 * e->mc.nline; e->nbucket *= 2)
			;
		e->mhead = xcalloc(e->nbucket, sizeof(*e->mhead));
	}
	/* room grows by doubling: one line a --set, 20,000 of them, stay linear */
	if (e->capnext < e->mc.nline + 1) {
		while (e->capnext < e->mc.nline + 1)
			e->capnext = e->capnext ? 2 * e->capnext : 64;
		e->mnext = xrealloc(e->mnext, e->capnext * sizeof(*e->mnext));
	}
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
 * frees); every line when m has a [...] range.  Each still needs me_line_is.
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

int me_op_module(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, k, mlen, found = 0, *cand, ncand;
	const char *m = mc_word(&o->l, 0, &mlen);
	const char *params = o->l.nw > 1 ? o->l.text + o->l.w[1].off : NULL;

	if (kind == MODCONF_DEL && params) {
		me_operr(e, "--del takes a module name in a modules list");
		return -1;
	}
	/* by the index: 10,000 ops on a 10,000-line list stay linear */
	ncand = mindex_lookup(e, m, mlen, &cand);
	for (k = 0; k < ncand; k++) {
		struct mc_line *l = &e->mc.line[li = cand[k]];

		if (!me_line_is(e, li, MV_MODULE, m, mlen))
			continue;
		if (kind == MODCONF_DEL) {
			me_del_line(e, li);
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
		me_touch_line(e, li);
	}
	free(cand);
	if (kind == MODCONF_SET && !found) {
		me_tail_line(e, o);
		if (params && !modconf_dir_is(e->file, "initramfs-tools"))
			warnf(e->file, 0, "module parameters after '%.*s' are ignored by systemd-modules-load, which reads the whole line as a name; use modprobe.d: options %.*s ...",
			     (int)mlen, m, (int)mlen, m);
	}
	return 0;
}
