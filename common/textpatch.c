/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "textpatch.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void textpatch_init(struct textpatch *tp, const char *text, size_t len)
{
	memset(tp, 0, sizeof(*tp));
	tp->text = text;
	tp->len = len;
}

void textpatch_replace(struct textpatch *tp, size_t off, size_t len, const char *s)
{
	tp->span = xgrow1(tp->span, tp->n, sizeof(*tp->span));
	tp->span[tp->n].off = off;
	tp->span[tp->n].len = len;
	tp->span[tp->n].s = s ? xstrdup(s) : NULL;
	tp->span[tp->n].seq = tp->n;
	tp->n++;
}

static int span_cmp(const void *a, const void *b)
{
	const struct textpatch_span *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* at one offset, insertions first: text added before a CR removed there */
	if ((x->len == 0) != (y->len == 0))
		return x->len == 0 ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

void textpatch_apply(struct textpatch *tp, const char *tail_lead, struct buf *out)
{
	size_t i, at = 0;

	if (tp->n)
		qsort(tp->span, tp->n, sizeof(*tp->span), span_cmp);
	for (i = 0; i < tp->n; i++) {
		const struct textpatch_span *p = &tp->span[i];

		if (p->off < at)	/* covered by a deleted span: it goes with it */
			continue;
		buf_add(out, tp->text + at, p->off - at);
		if (p->s)
			buf_adds(out, p->s);
		at = p->off + p->len;
	}
	buf_add(out, tp->text + at, tp->len - at);
	if (tp->tail.len) {
		buf_adds(out, tail_lead ? tail_lead : "");
		buf_add(out, tp->tail.p, tp->tail.len);
	}
}

void textpatch_free(struct textpatch *tp)
{
	size_t i;

	for (i = 0; i < tp->n; i++)
		free(tp->span[i].s);
	free(tp->span);
	buf_free(&tp->tail);
	memset(tp, 0, sizeof(*tp));
}
