/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit-keyed: blacklist M, alias PATTERN M, install M CMD, remove M CMD: one line per
 * key, kept or rewritten in place, the others of the same key deleted.
 */
#include "modedit-int.h"
#include "err.h"
#include "textpatch.h"

#include <stdlib.h>
#include <string.h>

int me_op_blacklist(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, mlen, found = 0;
	const char *m = mc_word(&o->l, 1, &mlen);

	if (o->l.nw > 2) {
		me_operr(e, "'blacklist' takes one module name");
		return -1;
	}
	for (li = 0; li < e->mc.nline; li++) {
		if (!me_line_is(e, li, MV_BLACKLIST, m, mlen))
			continue;
		found++;
		if (kind == MODCONF_DEL)
			me_del_line(e, li);
		else
			me_touch_line(e, li);
	}
	if (kind == MODCONF_SET && !found)
		me_tail_line(e, o);
	return 0;
}

/*
 * alias PATTERN MODULE, install M COMMAND, remove M COMMAND: one line per
 * key (word 1), its value the words after.  --del deletes the lines of the
 * key (with a value, those holding it); --set keeps the first line,
 * rewrites its value where it differs, deletes the rest, and appends a
 * line when there is none.
 */
int me_op_one_line(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o)
{
	int alias = o->l.verb == MV_ALIAS;	/* the value is a module name */
	size_t li, klen, vlen = 0, found = 0;
	const char *key = mc_word(&o->l, 1, &klen), *val = NULL;

	if (alias && o->l.nw > 3) {
		me_operr(e, "'alias' takes a pattern and a module name");
		return -1;
	}
	if (kind == MODCONF_SET && o->l.nw < 3) {
		if (alias)
			me_operr(e, "'alias' needs a pattern and a module name");
		else	/* "install M" and blanks passes kmod's check but holds no command */
			me_operr(e, "'%.*s' needs a command after the module name",
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

		if (!me_line_is(e, li, o->l.verb, key, klen))
			continue;
		last = alias ? 2 : l->nw - 1;	/* kmod reads an alias's word 2 alone */
		have = l->text + l->w[2].off;
		hn = l->w[last].off + l->w[last].len - l->w[2].off;
		same = val && (alias ? modname_eq(have, hn, val, vlen)
				     : hn == vlen && memcmp(have, val, hn) == 0);
		if (kind == MODCONF_DEL) {
			if (!val || same)
				me_del_line(e, li);
			continue;
		}
		if (found++) {
			me_del_line(e, li);
			continue;
		}
		me_touch_line(e, li);
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
