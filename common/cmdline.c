/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cmdline.h"
#include "err.h"
#include "params.h"

#include <stdlib.h>
#include <string.h>

/*
 * One parameter.  An original one keeps its span; one an edit rewrote is
 * "dirty" and rendered from key/has_eq/val; a new one has no span.
 */
struct tok {
	size_t start, end;	/* span in the text, quotes included */
	char *key;
	char *val;		/* NULL when there is no '=' */
	int is_new;
	int dirty;
	int deleted;
	int whole_quoted;	/* written "KEY=VALUE" */
};

struct cmdline {
	const char *text;
	size_t len;
	struct tok *t;
	size_t n, cap;
	size_t ninit;		/* original tokens: [0, dashdash) the kernel's */
	size_t dashdash;	/* index of "--", or ninit when absent */
	long unterminated;
};

int cmdline_isspace(unsigned char c)
{
	return (c >= 9 && c <= 13) || c == ' ' || c == 160;
}

static struct tok *tok_push(struct cmdline *cl)
{
	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 16;
		cl->t = xrealloc(cl->t, cl->cap * sizeof(*cl->t));
	}
	memset(&cl->t[cl->n], 0, sizeof(cl->t[0]));
	return &cl->t[cl->n++];
}

/* lib/cmdline.c next_arg(), on a span instead of a writable string */
static size_t next_arg(struct cmdline *cl, size_t pos)
{
	const char *s = cl->text;
	size_t args = pos, i, equals = 0, end, kend, vstart = 0, vend = 0, qpos = pos;
	int in_quote = 0, quoted = 0;
	struct tok *t = tok_push(cl);

	if (s[args] == '"') {
		args++;
		in_quote = quoted = 1;
	}
	for (i = 0; args + i < cl->len; i++) {
		if (cmdline_isspace((unsigned char)s[args + i]) && !in_quote)
			break;
		if (equals == 0 && s[args + i] == '=')
			equals = i;
		if (s[args + i] == '"') {
			in_quote = !in_quote;
			qpos = args + i;	/* the quote left open, for the message */
		}
	}
	end = args + i;
	if (in_quote && cl->unterminated < 0)
		cl->unterminated = (long)qpos;
	t->start = pos;
	t->end = end;
	t->whole_quoted = quoted;
	kend = equals ? args + equals : end;
	if (equals) {
		vstart = args + equals + 1;
		vend = end;
		/* a quoted value is the text inside its quotes */
		if (vstart < end && s[vstart] == '"') {
			vstart++;
			if (s[end - 1] == '"')
				vend = end - 1;
		}
	}
	if (quoted && i > 0 && s[end - 1] == '"') {
		if (equals)
			vend = end - 1;
		else
			kend = end - 1;
	}
	if (vend < vstart)
		vend = vstart;
	if (kend < args)
		kend = args;
	t->key = xstrndup(s + args, kend - args);
	t->val = equals ? xstrndup(s + vstart, vend - vstart) : NULL;
	return end;
}

struct cmdline *cmdline_parse(const char *text, size_t len)
{
	struct cmdline *cl = xcalloc(1, sizeof(*cl));
	size_t pos = 0;

	cl->text = text;
	cl->len = len;
	cl->unterminated = -1;
	cl->dashdash = (size_t)-1;
	for (;;) {
		while (pos < len && cmdline_isspace((unsigned char)text[pos]))
			pos++;
		if (pos >= len)
			break;
		pos = next_arg(cl, pos);
		/* parse_args(): a bare "--" ends the kernel's parameters */
		if (cl->dashdash == (size_t)-1 && !cl->t[cl->n - 1].val &&
		    strcmp(cl->t[cl->n - 1].key, "--") == 0)
			cl->dashdash = cl->n - 1;
	}
	cl->ninit = cl->n;
	if (cl->dashdash == (size_t)-1)
		cl->dashdash = cl->n;
	return cl;
}

void cmdline_free(struct cmdline *cl)
{
	size_t i;

	if (!cl)
		return;
	for (i = 0; i < cl->n; i++) {
		free(cl->t[i].key);
		free(cl->t[i].val);
	}
	free(cl->t);
	free(cl);
}

long cmdline_unterminated(const struct cmdline *cl)
{
	return cl->unterminated;
}

/* the kernel's parameters: original ones before "--", then new ones */
static int editable(const struct cmdline *cl, size_t i)
{
	return !cl->t[i].deleted && (i < cl->dashdash || i >= cl->ninit);
}

static int key_is(const struct tok *t, const char *key, size_t klen)
{
	return param_eq(t->key, strlen(t->key), key, klen);
}

size_t cmdline_count(const struct cmdline *cl)
{
	size_t i, c = 0;

	for (i = 0; i < cl->n; i++)
		c += editable(cl, i);
	return c;
}

const char *cmdline_arg_check(enum cl_op op, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	size_t i;

	if (klen == 0)
		return "empty key";
	for (i = 0; i < klen; i++) {
		if (cmdline_isspace((unsigned char)arg[i]))
			return "a key cannot hold whitespace";
		if (arg[i] == '"')
			return "a key cannot hold '\"'";
	}
	if (klen == 2 && arg[0] == '-' && arg[1] == '-')
		return "\"--\" is not a parameter (it ends the kernel's)";
	if ((op == CL_GET) && eq)
		return "--get takes a KEY alone";
	if ((op == CL_MERGE || op == CL_UNMERGE) && (!eq || !eq[1]))
		return "needs KEY=ITEM[,ITEM...]";
	if (eq) {
		if (strchr(eq, '"'))
			return "a value holding '\"' cannot be written (the kernel has no escape for it)";
		if (strchr(eq, '\n') || strchr(eq, '\r'))
			return "a value cannot hold a line end";
	}
	return NULL;
}

static void tok_set_val(struct tok *t, const char *val)
{
	free(t->val);
	t->val = val ? xstrdup(val) : NULL;
	t->dirty = 1;
}

static void tok_new(struct cmdline *cl, const char *key, size_t klen, const char *val)
{
	struct tok *t = tok_push(cl);

	t->is_new = 1;
	t->key = xstrndup(key, klen);
	t->val = val ? xstrdup(val) : NULL;
}

static int val_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* is item (n bytes) one of the comma list's items? */
static int list_has(const char *list, const char *item, size_t n, int ids)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (param_item_eq(p, len, item, n, ids))
			return 1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/*
 * Append to b (a comma list) each item of add it lacks, add deduplicated
 * too; an item "have" says is held elsewhere is left out as well
 */
struct have_ctx {
	const struct cmdline *cl;
	const char *key;
	size_t klen;
};

static int occurrence_has(const struct have_ctx *h, const char *item, size_t len, int ids);

static void list_append_new(struct buf *b, const char *add, int ids, const struct have_ctx *h)
{
	const char *p = add;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (len && !(h && occurrence_has(h, p, len, ids)) &&
		    !(b->len && list_has(b->p, p, len, ids))) {
			if (b->len)
				buf_addc(b, ',');
			buf_add(b, p, len);
		}
		if (!p[len])
			break;
		p += len + 1;
	}
}

/* list with the items of add it lacks appended (add deduplicated too) */
static char *list_merge(const char *list, const char *add, int ids)
{
	struct buf b = BUF_INIT;

	if (list)
		buf_adds(&b, list);
	list_append_new(&b, add, ids, NULL);
	return buf_detach(&b);
}

/* list without the items of del */
static char *list_remove(const char *list, const char *del, int ids)
{
	struct buf b = BUF_INIT;
	const char *p = list;
	int first = 1;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (!list_has(del, p, len, ids)) {
			if (!first)
				buf_addc(&b, ',');
			buf_add(&b, p, len);
			first = 0;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	return buf_detach(&b);
}

/* does an occurrence of h's KEY (one edits may touch) hold the item? */
static int occurrence_has(const struct have_ctx *h, const char *item, size_t len, int ids)
{
	for (size_t i = 0; i < h->cl->n; i++)
		if (editable(h->cl, i) && key_is(&h->cl->t[i], h->key, h->klen) && h->cl->t[i].val &&
		    list_has(h->cl->t[i].val, item, len, ids))
			return 1;
	return 0;
}

/* the items of add (a comma list) that no occurrence of KEY holds, as a list */
static char *list_missing(const struct cmdline *cl, const char *key, size_t klen,
			  const char *add, int ids)
{
	struct buf b = BUF_INIT;
	const struct have_ctx h = { cl, key, klen };

	list_append_new(&b, add, ids, &h);
	buf_adds(&b, "");
	return buf_detach(&b);
}

int cmdline_apply(struct cmdline *cl, enum cl_op op, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *val = eq ? eq + 1 : NULL;
	size_t i, found = 0, last = 0;
	int changed = 0, ids = param_is_ids(arg, klen);

	switch (op) {
	case CL_SET:
		for (i = 0; i < cl->n; i++) {
			struct tok *t = &cl->t[i];

			if (!editable(cl, i) || !key_is(t, arg, klen))
				continue;
			if (found++ == 0) {
				if (!val_eq(t->val, val)) {
					tok_set_val(t, val);
					changed = 1;
				}
			} else {
				t->deleted = 1;
				changed = 1;
			}
		}
		if (!found) {
			tok_new(cl, arg, klen, val);
			changed = 1;
		}
		return changed;
	case CL_ADD:
		for (i = 0; i < cl->n; i++)
			if (editable(cl, i) && key_is(&cl->t[i], arg, klen) &&
			    val_eq(cl->t[i].val, val))
				return 0;
		tok_new(cl, arg, klen, val);
		return 1;
	case CL_MERGE: {
		char *merged, *add = NULL;

		for (i = 0; i < cl->n; i++)
			if (editable(cl, i) && key_is(&cl->t[i], arg, klen))
				found++, last = i;
		if (!found) {
			merged = list_merge(NULL, val, ids);
			tok_new(cl, arg, klen, merged);
			free(merged);
			return 1;
		}
		/*
		 * A kernel parameter's handler runs for each occurrence
		 * (kernel/params.c parse_args() calls unknown_bootoption() or
		 * do_early_param() for each; intel_iommu_setup() and
		 * iommu_setup() add each one's items to what is set): its
		 * items are those of every occurrence, and only the missing
		 * ones go to the last.  A module's parameter (MODULE.NAME) is
		 * set anew by each: the last occurrence is the one it keeps.
		 */
		if (found > 1 && !memchr(arg, '.', klen)) {
			add = list_missing(cl, arg, klen, val, ids);
			if (!*add) {
				free(add);
				return 0;
			}
		}
		merged = list_merge(cl->t[last].val && *cl->t[last].val ? cl->t[last].val : NULL,
				    add ? add : val, ids);
		free(add);
		if (!val_eq(merged, cl->t[last].val) && cl->t[last].val &&
		    strchr(cl->t[last].val, '"')) {
			free(merged);
			return -1;
		}
		if (!val_eq(merged, cl->t[last].val)) {
			tok_set_val(&cl->t[last], merged);
			changed = 1;
		}
		free(merged);
		return changed;
	}
	case CL_DEL:
		for (i = 0; i < cl->n; i++) {
			struct tok *t = &cl->t[i];

			if (editable(cl, i) && key_is(t, arg, klen) &&
			    (!eq || val_eq(t->val, val))) {
				t->deleted = 1;
				changed = 1;
			}
		}
		return changed;
	case CL_UNMERGE:
		/* check every occurrence before changing any */
		for (i = 0; i < cl->n; i++) {
			struct tok *t = &cl->t[i];
			char *rest;
			int bad;

			if (!editable(cl, i) || !key_is(t, arg, klen) || !t->val ||
			    !strchr(t->val, '"'))
				continue;
			rest = list_remove(t->val, val, ids);
			bad = *rest && strcmp(rest, t->val) != 0;
			free(rest);
			if (bad)
				return -1;
		}
		for (i = 0; i < cl->n; i++) {
			struct tok *t = &cl->t[i];
			char *rest;

			if (!editable(cl, i) || !key_is(t, arg, klen) || !t->val)
				continue;
			rest = list_remove(t->val, val, ids);
			if (!*rest) {
				t->deleted = 1;
				changed = 1;
			} else if (strcmp(rest, t->val) != 0) {
				tok_set_val(t, rest);
				changed = 1;
			}
			free(rest);
		}
		return changed;
	case CL_GET:
		break;
	}
	return 0;
}

size_t cmdline_get(const struct cmdline *cl, const char *key, struct buf *out)
{
	size_t i, c = 0;

	for (i = 0; i < cl->n; i++) {
		if (!editable(cl, i) || !key_is(&cl->t[i], key, strlen(key)))
			continue;
		if (cl->t[i].val)
			buf_adds(out, cl->t[i].val);
		buf_addc(out, '\n');
		c++;
	}
	return c;
}

static int needs_quotes(const char *v)
{
	for (; v && *v; v++)
		if (cmdline_isspace((unsigned char)*v))
			return 1;
	return 0;
}

int cmdline_next_rewritten(const struct cmdline *cl, size_t *i, size_t *start,
			   size_t *end)
{
	for (; *i < cl->ninit; (*i)++) {
		const struct tok *t = &cl->t[*i];

		if (t->dirty && !t->deleted && !t->is_new) {
			*start = t->start;
			*end = t->end;
			(*i)++;
			return 1;
		}
	}
	return 0;
}

static void emit_tok(const struct cmdline *cl, const struct tok *t,
		     cmdline_emit_fn emit, void *arg)
{
	struct buf b = BUF_INIT;

	if (!t->is_new && !t->dirty) {
		emit(arg, cl->text + t->start, t->end - t->start, 1, t->start);
		return;
	}
	if (t->whole_quoted && !t->is_new && t->val && needs_quotes(t->val)) {
		buf_printf(&b, "\"%s=%s\"", t->key, t->val);
	} else {
		buf_adds(&b, t->key);
		if (t->val) {
			buf_addc(&b, '=');
			if (needs_quotes(t->val))
				buf_printf(&b, "\"%s\"", t->val);
			else
				buf_adds(&b, t->val);
		}
	}
	emit(arg, b.p, b.len, 0, 0);
	buf_free(&b);
}

/* the blanks between original parameters k-1 and k (0: before the first, ninit: after the last) */
static void region(const struct cmdline *cl, size_t k, size_t *s, size_t *e)
{
	*s = k ? cl->t[k - 1].end : 0;
	*e = k < cl->ninit ? cl->t[k].start : cl->len;
}

static int has_nl(const struct cmdline *cl, size_t s, size_t e)
{
	return memchr(cl->text + s, '\n', e - s) != NULL;
}

enum gap_kind { GAP_LEAD, GAP_MID, GAP_TRAIL };

/*
 * The blanks of regions a..b, where the parameters between them were
 * deleted.  One region is written as it is.  On one line, the first
 * region stays (the last after the last parameter: what ends the line).
 * Across lines, what holds a line end stays: the line structure, and the
 * blank or comment lines a caller blanked out (cmdline-edit's view of a
 * commented file), each line end once: a region after another starts
 * past its first '\n', one before another ends at its last.
 */
static void emit_gap(const struct cmdline *cl, size_t a, size_t b, enum gap_kind kind,
		     cmdline_emit_fn emit, void *arg)
{
	size_t k, s, e, first = (size_t)-1, last = 0;

	for (k = a; k <= b; k++) {
		region(cl, k, &s, &e);
		if (has_nl(cl, s, e)) {
			if (first == (size_t)-1)
				first = k;
			last = k;
		}
	}
	if (a == b || first == (size_t)-1) {
		region(cl, a == b || kind != GAP_TRAIL ? a : b, &s, &e);
		emit(arg, cl->text + s, e - s, 1, s);
		return;
	}
	for (k = first; k <= last; k++) {
		region(cl, k, &s, &e);
		if (!has_nl(cl, s, e))
			continue;
		/*
		 * at the start of the text, the line end before the first kept
		 * line goes too, and the blanks that stood before the first
		 * parameter's line
		 */
		if (k > first || (kind == GAP_LEAD && k > 0))
			s += (size_t)((const char *)memchr(cl->text + s, '\n', e - s) - (cl->text + s)) + 1;
		if (k < last || (kind == GAP_LEAD && k > 0))
			while (e > s && cl->text[e - 1] != '\n')
				e--;
		emit(arg, cl->text + s, e - s, 1, s);
	}
}

/*
 * The order of what is written: original parameters before "--", new
 * ones, then "--" and init's.  Between two original parameters that both
 * stay, the blanks between them; where parameters between them went,
 * emit_gap() says which; anything new gets one space.  Leading and
 * trailing blanks (a CR, say) stay where they are.
 */
void cmdline_render(const struct cmdline *cl, cmdline_emit_fn emit, void *arg)
{
	size_t *order = xmalloc((cl->n + 1) * sizeof(*order));
	size_t i, k = 0, first = (size_t)-1;
	long prev = -1, lastkept = -1;	/* previous written original token, or -1 */
	int any = 0;

	for (i = 0; i < cl->dashdash; i++)
		order[k++] = i;
	for (i = cl->ninit; i < cl->n; i++)
		order[k++] = i;
	for (i = cl->dashdash; i < cl->ninit; i++)
		order[k++] = i;

	if (cl->ninit == 0) {
		for (i = 0; i < k; i++) {
			if (cl->t[order[i]].deleted)
				continue;
			if (any)
				emit(arg, " ", 1, 0, 0);
			emit_tok(cl, &cl->t[order[i]], emit, arg);
			any = 1;
		}
		emit(arg, cl->text, cl->len, 1, 0);
		free(order);
		return;
	}
	for (i = 0; i < k && first == (size_t)-1; i++)
		if (!cl->t[order[i]].deleted)
			first = order[i];
	for (i = 0; i < cl->ninit; i++)
		if (!cl->t[i].deleted)
			lastkept = (long)i;
	if (first < cl->ninit)
		emit_gap(cl, 0, first, GAP_LEAD, emit, arg);
	else
		emit_gap(cl, 0, 0, GAP_LEAD, emit, arg);
	for (i = 0; i < k; i++) {
		const struct tok *t = &cl->t[order[i]];

		if (t->deleted)
			continue;
		if (any) {
			if (!t->is_new && prev >= 0 && (size_t)prev < order[i])
				emit_gap(cl, (size_t)prev + 1, order[i], GAP_MID, emit, arg);
			else
				emit(arg, " ", 1, 0, 0);
		}
		emit_tok(cl, t, emit, arg);
		if (!t->is_new)
			prev = (long)order[i];
		else
			prev = -1;
		any = 1;
	}
	if (lastkept >= 0)
		emit_gap(cl, (size_t)lastkept + 1, cl->ninit, GAP_TRAIL, emit, arg);
	else
		emit_gap(cl, cl->ninit, cl->ninit, GAP_TRAIL, emit, arg);
	free(order);
}

static void emit_buf(void *arg, const char *p, size_t n, int orig, size_t off)
{
	(void)orig;
	(void)off;
	buf_add(arg, p, n);
}

void cmdline_render_buf(const struct cmdline *cl, struct buf *out)
{
	cmdline_render(cl, emit_buf, out);
}

/*
 * What the kernel makes of KEY's comma-list values, all occurrences in
 * order (each one reaches the parameter's handler): the last of the items
 * "on"/"off" seen, "other" when KEY is there without either, NULL when absent.
 * The words come from common/cmdline, the kernel's own splitting rules;
 * shown (may be NULL) gets them back as "KEY=VALUE ..." for a report.
 */
const char *cmdline_onoff(const struct cmdline *cl, const char *key, struct buf *shown)
{
	struct buf vals = BUF_INIT;
	const char *state = NULL, *p, *eol;

	if (shown)
		shown->len = 0;
	if (cmdline_get(cl, key, &vals) == 0) {
		buf_free(&vals);
		return NULL;
	}
	buf_addc(&vals, '\0');
	for (p = vals.p; *p; p = *eol ? eol + 1 : eol) {
		const char *item;

		eol = p + strcspn(p, "\n");
		if (shown)
			buf_printf(shown, "%s%s%s%.*s", shown->len ? " " : "", key,
				   eol > p ? "=" : "", (int)(eol - p), p);
		for (item = p; item < eol; item += strcspn(item, ",\n") + (item[strcspn(item, ",\n")] == ',')) {
			size_t n = strcspn(item, ",\n");

			if (n == 2 && !strncmp(item, "on", 2))
				state = "on";
			else if (n == 3 && !strncmp(item, "off", 3))
				state = "off";
			if (item[n] != ',')
				break;
		}
	}
	buf_free(&vals);
	return state ? state : "other";
}
