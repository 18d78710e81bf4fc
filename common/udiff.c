/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "udiff.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT 3
/* the most LCS cells worth a table; past it the middle is replaced whole */
#define LCS_MAX_CELLS ((size_t)1 << 24)

struct line {
	const char *p;
	size_t len;	/* with its '\n' when it has one */
};

struct lines {
	struct line *v;
	size_t n;
};

static void split_lines(struct lines *l, const char *s, size_t len)
{
	size_t i, start = 0, cap = 16;

	l->v = xmalloc(cap * sizeof(*l->v));
	l->n = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		if (l->n == cap) {
			cap *= 2;
			l->v = xrealloc(l->v, cap * sizeof(*l->v));
		}
		l->v[l->n].p = s + start;
		l->v[l->n].len = (i < len ? i + 1 : i) - start;
		l->n++;
		start = i + 1;
	}
}

static int line_eq(const struct line *x, const struct line *y)
{
	return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

/* an edit script: ops[k] is ' ' (both), '-' (a only) or '+' (b only) */
struct script {
	char *op;
	size_t n;
};

static void script_push(struct script *s, char op)
{
	s->op[s->n++] = op;
}

static void diff_middle(struct script *s, const struct line *a, size_t na,
			const struct line *b, size_t nb)
{
	size_t i, j;
	uint32_t *t;
	size_t w = nb + 1;

	if (na == 0 || nb == 0 || (na + 1) > LCS_MAX_CELLS / (nb + 1)) {
		for (i = 0; i < na; i++)
			script_push(s, '-');
		for (j = 0; j < nb; j++)
			script_push(s, '+');
		return;
	}
	/* t[i][j]: LCS length of a[i..] and b[j..] */
	t = xcalloc((na + 1) * w, sizeof(*t));
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			t[i * w + j] = line_eq(&a[i], &b[j]) ? t[(i + 1) * w + j + 1] + 1 :
				t[(i + 1) * w + j] >= t[i * w + j + 1] ? t[(i + 1) * w + j] :
				t[i * w + j + 1];
	i = j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && line_eq(&a[i], &b[j])) {
			script_push(s, ' ');
			i++, j++;
		} else if (j == nb || (i < na && t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			script_push(s, '-');
			i++;
		} else {
			script_push(s, '+');
			j++;
		}
	}
	free(t);
}

static void emit_line(struct buf *out, char op, const struct line *l)
{
	buf_addc(out, op);
	buf_add(out, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		buf_adds(out, "\n\\ No newline at end of file\n");
}

static void emit_range(struct buf *out, size_t start, size_t count)
{
	/* GNU diff: an empty range names the line before it */
	if (count == 1)
		buf_printf(out, "%zu", start + 1);
	else
		buf_printf(out, "%zu,%zu", count ? start + 1 : start, count);
}

void udiff(struct buf *out, const char *name, const char *a, size_t alen,
	   const char *b, size_t blen)
{
	struct lines la, lb;
	struct script s;
	size_t head = 0, tail = 0, k, i;
	size_t *ai, *bi;	/* line index in a and b before op k */

	if (alen == blen && memcmp(a, b, alen) == 0)
		return;
	split_lines(&la, a, alen);
	split_lines(&lb, b, blen);
	while (head < la.n && head < lb.n && line_eq(&la.v[head], &lb.v[head]))
		head++;
	while (tail < la.n - head && tail < lb.n - head &&
	       line_eq(&la.v[la.n - 1 - tail], &lb.v[lb.n - 1 - tail]))
		tail++;

	s.op = xmalloc(la.n + lb.n + 1);
	s.n = 0;
	for (i = 0; i < head; i++)
		script_push(&s, ' ');
	diff_middle(&s, la.v + head, la.n - head - tail, lb.v + head, lb.n - head - tail);
	for (i = 0; i < tail; i++)
		script_push(&s, ' ');

	ai = xmalloc((s.n + 1) * sizeof(*ai));
	bi = xmalloc((s.n + 1) * sizeof(*bi));
	ai[0] = bi[0] = 0;
	for (k = 0; k < s.n; k++) {
		ai[k + 1] = ai[k] + (s.op[k] != '+');
		bi[k + 1] = bi[k] + (s.op[k] != '-');
	}

	buf_printf(out, "--- %s\n+++ %s\n", name, name);
	k = 0;
	while (k < s.n) {
		size_t first, last, end, an = 0, bn = 0;

		while (k < s.n && s.op[k] == ' ')
			k++;
		if (k == s.n)
			break;
		first = k > CONTEXT ? k - CONTEXT : 0;
		/* extend over changes closer than 2*CONTEXT equal lines */
		last = k;
		for (i = k; i < s.n; i++) {
			if (s.op[i] != ' ')
				last = i;
			else if (i - last > 2 * CONTEXT)
				break;
		}
		end = last + 1 + CONTEXT < s.n ? last + 1 + CONTEXT : s.n;
		for (i = first; i < end; i++) {
			an += s.op[i] != '+';
			bn += s.op[i] != '-';
		}
		buf_adds(out, "@@ -");
		emit_range(out, ai[first], an);
		buf_adds(out, " +");
		emit_range(out, bi[first], bn);
		buf_adds(out, " @@\n");
		for (i = first; i < end; i++) {
			if (s.op[i] == '+')
				emit_line(out, '+', &lb.v[bi[i]]);
			else
				emit_line(out, s.op[i], &la.v[ai[i]]);
		}
		k = end;
	}
	free(ai);
	free(bi);
	free(s.op);
	free(la.v);
	free(lb.v);
}
