/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "grubvar.h"
#include "err.h"
#include "rootpath.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

struct lex {
	const char *s;
	size_t len;
	const char *var;
	/* decoding (one word) */
	struct buf val;
	size_t *map;
	unsigned char *lit;
	int nseg;
	char style;
	size_t cstart, cend;
	int refs_self;
	size_t *self;		/* with map: [start, end) in val of each $VAR */
	size_t nself;
	int reading;		/* a backslash-newline is sh's line continuation, not an error */
	const char *err;	/* the first thing that makes it unsafe */
	size_t errpos;
};

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void lex_error(struct lex *lx, size_t pos, const char *why)
{
	if (!lx->err) {
		lx->err = why;
		lx->errpos = pos;
	}
}

static void push(struct lex *lx, char c, size_t src, int lit)
{
	size_t n = lx->val.len;

	buf_addc(&lx->val, c);
	if (lx->map) {
		lx->map[n] = src;
		lx->lit[n] = (unsigned char)lit;
	}
}

static void segment(struct lex *lx, char style, size_t cstart)
{
	if (lx->nseg++ == 0) {
		lx->style = style;
		lx->cstart = cstart;
	}
}

/* skip a $(...) or `...` we will not edit; returns the position after it */
static size_t skip_subst(struct lex *lx, size_t pos)
{
	const char *s = lx->s;

	if (s[pos] == '`') {
		for (pos++; pos < lx->len && s[pos] != '`'; pos++)
			if (s[pos] == '\\')
				pos++;
		if (pos >= lx->len) {
			lex_error(lx, pos, "unterminated backquote");
			return lx->len;
		}
		return pos + 1;
	} else {
		int depth = 0;

		for (pos += 1; pos < lx->len; pos++) {
			if (s[pos] == '(')
				depth++;
			else if (s[pos] == ')' && --depth == 0)
				return pos + 1;
		}
		lex_error(lx, pos, "unterminated command substitution");
		return lx->len;
	}
}

/* a '$' at pos: an expansion kept as opaque text, or a literal '$' */
static size_t expansion(struct lex *lx, size_t pos)
{
	const char *s = lx->s;
	size_t end = pos + 1, i, nstart = pos + 1, nend;

	if (end < lx->len && s[end] == '(') {
		lex_error(lx, pos, "command substitution cannot be edited safely");
		return skip_subst(lx, pos);
	}
	if (end < lx->len && s[end] == '{') {
		nstart = end + 1;
		for (nend = nstart; nend < lx->len && is_name(s[nend]); nend++)
			;
		if (nend >= lx->len || s[nend] != '}' || nend == nstart ||
		    !is_name_start(s[nstart])) {
			lex_error(lx, pos, "a ${...} expansion other than ${NAME} cannot be edited safely");
			while (end < lx->len && s[end] != '}')
				end++;
			return end < lx->len ? end + 1 : end;
		}
		end = nend + 1;
	} else if (end < lx->len && is_name_start(s[end])) {
		for (nend = end; nend < lx->len && is_name(s[nend]); nend++)
			;
		end = nend;
	} else if (end < lx->len && strchr("0123456789@*#?$!-", s[end])) {
		nend = nstart;	/* $1, $@ ...: opaque, never our variable */
		end++;
	} else {
		push(lx, '$', pos, 1);	/* a lone '$' is itself */
		return pos + 1;
	}
	if (lx->var && nend - nstart == strlen(lx->var) &&
	    memcmp(s + nstart, lx->var, nend - nstart) == 0) {
		lx->refs_self = 1;
		if (lx->map) {
			lx->self = xgrow1(lx->self, lx->nself, 2 * sizeof(*lx->self));
			lx->self[2 * lx->nself] = lx->val.len;
			lx->self[2 * lx->nself + 1] = lx->val.len + (end - pos);
			lx->nself++;
		}
	}
	for (i = pos; i < end; i++)
		push(lx, s[i], i, 0);
	return end;
}

/* one shell word from pos; decodes it into lx and returns its end */
static size_t scan_word(struct lex *lx, size_t pos)
{
	const char *s = lx->s;
	char prev = -1;		/* the kind of the piece before: '"', '\'', 0 */

	while (pos < lx->len) {
		char c = s[pos];

		if (strchr(" \t\n;&|<>()", c))
			break;
		if (c == '"' || c == '\'') {
			size_t start = pos + 1;

			segment(lx, c, start);
			for (pos = start; pos < lx->len && s[pos] != c; pos++) {
				if (c == '"' && s[pos] == '\\' && pos + 1 < lx->len &&
				    strchr("$`\"\\\n", s[pos + 1])) {
					/* sh: "\\<newline>" in double quotes is removed */
					if (s[pos + 1] == '\n' && !lx->reading)
						lex_error(lx, pos, "a backslash-continued line cannot be edited safely");
					if (s[pos + 1] != '\n')
						push(lx, s[pos + 1], pos, 1);
					pos++;
				} else if (c == '"' && s[pos] == '$') {
					pos = expansion(lx, pos) - 1;
				} else if (c == '"' && s[pos] == '`') {
					lex_error(lx, pos, "backquotes cannot be edited safely");
					pos = skip_subst(lx, pos) - 1;
				} else {
					push(lx, s[pos], pos, 1);
				}
			}
			if (pos >= lx->len) {
				lex_error(lx, start - 1, "unterminated quote");
				return lx->len;
			}
			if (lx->nseg == 1)
				lx->cend = pos;
			pos++;
			prev = c;
			continue;
		}
		if (prev != 0) {
			segment(lx, 0, pos);
			prev = 0;
		}
		if (c == '\\') {
			if (pos + 1 >= lx->len || s[pos + 1] == '\n') {
				if (!lx->reading || pos + 1 >= lx->len)
					lex_error(lx, pos, "a backslash-continued line cannot be edited safely");
				pos += 2;
				continue;
			}
			push(lx, s[pos + 1], pos, 1);
			pos += 2;
		} else if (c == '$') {
			pos = expansion(lx, pos);
		} else if (c == '`') {
			lex_error(lx, pos, "backquotes cannot be edited safely");
			pos = skip_subst(lx, pos);
		} else {
			push(lx, c, pos, 1);
			pos++;
		}
		if (lx->nseg == 1)
			lx->cend = pos;
	}
	return pos;
}

static size_t line_of(const char *s, size_t pos)
{
	size_t line = 1, i;

	for (i = 0; i < pos; i++)
		line += s[i] == '\n';
	return line;
}

/*
 * if/case/loops/braces opened (+) or closed (-) by the words of a line.
 * Only a word where a command starts is a reserved word ("echo if" opens
 * nothing): the line's first, one after ; & | ( ), or one after a reserved
 * word that a command follows; quoted text is part of its word.
 */
static int depth_change(const char *s, size_t pos, size_t eol)
{
	static const char *const open[] = { "if", "case", "for", "while", "until", "{", NULL };
	static const char *const close[] = { "fi", "esac", "done", "}", NULL };
	static const char *const lead[] = { "then", "else", "elif", "do", "!", "{",
					    "if", "while", "until", NULL };
	int d = 0, cmd = 1;

	while (pos < eol) {
		size_t w = pos, k;
		int next = 0;

		if (strchr(";&|()", s[pos])) {
			cmd = 1;
			pos++;
			continue;
		}
		if (s[pos] == ' ' || s[pos] == '\t') {
			pos++;
			continue;
		}
		if (s[pos] == '#')
			break;
		while (w < eol && !strchr(" \t;&|()", s[w])) {
			if (s[w] == '\\' && w + 1 < eol) {
				w += 2;
			} else if (s[w] == '\'' || s[w] == '"') {
				char q = s[w];

				for (w++; w < eol && s[w] != q; w++)
					if (q == '"' && s[w] == '\\' && w + 1 < eol)
						w++;
				if (w < eol)
					w++;
			} else {
				w++;
			}
		}
		for (k = 0; cmd && open[k]; k++)
			if (w - pos == strlen(open[k]) && memcmp(s + pos, open[k], w - pos) == 0)
				d++;
		for (k = 0; cmd && close[k]; k++)
			if (w - pos == strlen(close[k]) && memcmp(s + pos, close[k], w - pos) == 0)
				d--;
		for (k = 0; cmd && lead[k]; k++)
			if (w - pos == strlen(lead[k]) && memcmp(s + pos, lead[k], w - pos) == 0)
				next = 1;
		cmd = next;
		pos = w;
	}
	return d;
}

static void lex_reset(struct lex *lx)
{
	buf_free(&lx->val);
	free(lx->map);
	free(lx->lit);
	lx->map = NULL;
	lx->lit = NULL;
	lx->nseg = 0;
	lx->style = 0;
	lx->cstart = lx->cend = 0;
	lx->refs_self = 0;
	free(lx->self);
	lx->self = NULL;
	lx->nself = 0;
	lx->err = NULL;
}

/* what one pass over a file finds about var */
struct scan {
	size_t *word;		/* [start, end) of the value word of each top-level assignment */
	unsigned char *prefix;	/* ... that is followed by a command */
	size_t n;
	size_t nested;		/* the first assignment inside a block, or -1 */
	size_t open_at;		/* an assignment whose quote runs to the end, or -1 */
	size_t block_at;	/* where the block open at the end began */
	int depth;
};

static void scan_free(struct scan *sc)
{
	free(sc->word);
	free(sc->prefix);
}

static void scan_file(const char *text, size_t len, const char *var, struct scan *sc)
{
	struct lex lx = { 0 };
	size_t pos = 0;

	memset(sc, 0, sizeof(*sc));
	sc->nested = sc->open_at = (size_t)-1;
	lx.s = text;
	lx.len = len;
	lx.var = var;
	while (pos < len) {
		size_t p, n, eol;

		while (pos < len && (text[pos] == ' ' || text[pos] == '\t'))
			pos++;
		if (pos >= len)
			break;
		if (text[pos] == '\n') {
			pos++;
			continue;
		}
		p = pos;
		if (len - p > 7 && memcmp(text + p, "export", 6) == 0 &&
		    (text[p + 6] == ' ' || text[p + 6] == '\t')) {
			p += 6;
			while (p < len && (text[p] == ' ' || text[p] == '\t'))
				p++;
		}
		for (n = 0; p + n < len && (n ? is_name(text[p + n]) : is_name_start(text[p + n])); n++)
			;
		if (text[pos] != '#' && n > 0 && p + n < len && text[p + n] == '=') {
			size_t wstart = p + n + 1, wend, q;

			lex_reset(&lx);
			wend = scan_word(&lx, wstart);
			/* an open quote runs to the end: what follows is inside it */
			if (lx.err && wend >= len && sc->open_at == (size_t)-1)
				sc->open_at = p;
			for (q = wend; q < len && (text[q] == ' ' || text[q] == '\t'); q++)
				;
			if (n == strlen(var) && memcmp(text + p, var, n) == 0) {
				if (sc->depth == 0) {
					sc->word = xgrow1(sc->word, sc->n, 2 * sizeof(*sc->word));
					sc->prefix = xgrow1(sc->prefix, sc->n, 1);
					sc->word[2 * sc->n] = wstart;
					sc->word[2 * sc->n + 1] = wend;
					sc->prefix[sc->n++] = q < len && !strchr("\n#;", text[q]);
				} else if (sc->nested == (size_t)-1) {
					sc->nested = p;
				}
			}
			pos = wend;
		}
		eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		if (pos < len && text[pos] != '#') {
			int was = sc->depth;

			sc->depth += depth_change(text, pos, eol);
			if (was == 0 && sc->depth != 0)
				sc->block_at = pos;
		}
		pos = eol;
	}
	lex_reset(&lx);
}

/* var has no top-level assignment: 1, or 2 after saying why one cannot be added */
static int absent(const char *text, const char *var, const char *fname,
		  const struct scan *sc)
{
	if (sc->open_at == (size_t)-1 && sc->depth != 0) {
		/* appended, it would not be top level: found by no later run */
		errorf_line(fname, line_of(text, sc->block_at), "%s: %s; cannot add %s safely", var,
			    sc->depth > 0 ? "an if, case, loop or brace here is not closed by the end of the file"
					  : "a fi, esac, done or } here closes a block never opened", var);
		return 2;
	}
	if (sc->open_at != (size_t)-1) {
		/* appending would put the new assignment inside that quote */
		errorf_line(fname, line_of(text, sc->open_at),
			    "%s: an unterminated quote or substitution here runs to the end of the file; "
			    "cannot add %s safely", var, var);
		return 2;
	}
	return 1;
}

/* decode assignment k of sc into lx (map, lit and $VAR spans); 0, or 2 after an error */
static int decode(struct lex *lx, const struct scan *sc, size_t k, const char *fname)
{
	size_t ws = sc->word[2 * k], we = sc->word[2 * k + 1];

	lex_reset(lx);
	lx->map = xmalloc((we - ws + 1) * sizeof(*lx->map));
	lx->lit = xmalloc(we - ws + 1);
	scan_word(lx, ws);
	if (lx->err) {
		errorf_line(fname, line_of(lx->s, lx->errpos), "%s: %s", lx->var, lx->err);
		return 2;
	}
	if (sc->prefix[k]) {
		errorf_line(fname, line_of(lx->s, ws), "%s: the assignment is followed by a command; "
			    "cannot be edited safely", lx->var);
		return 2;
	}
	return 0;
}

int grubvar_find(const char *text, size_t len, const char *var,
		 const char *fname, struct grubvar *gv)
{
	struct lex lx = { 0 };
	struct scan sc;
	size_t found, found_end;
	int r;

	memset(gv, 0, sizeof(*gv));
	lx.s = text;
	lx.len = len;
	lx.var = var;
	scan_file(text, len, var, &sc);
	if (sc.n == 0) {
		r = absent(text, var, fname, &sc);
		if (r == 1 && sc.nested != (size_t)-1)
			gv->nested_line = line_of(text, sc.nested);
		scan_free(&sc);
		return r;
	}
	found = sc.word[2 * (sc.n - 1)];
	found_end = sc.word[2 * (sc.n - 1) + 1];
	gv->line = line_of(text, found);
	if (decode(&lx, &sc, sc.n - 1, fname)) {
		lex_reset(&lx);
		scan_free(&sc);
		return 2;
	}
	scan_free(&sc);
	gv->wstart = found;
	gv->wend = found_end;
	gv->vlen = lx.val.len;
	gv->val = buf_detach(&lx.val);
	gv->map = lx.map;
	gv->lit = lx.lit;
	lx.map = NULL;
	lx.lit = NULL;
	gv->nseg = lx.nseg;
	gv->style = lx.nseg == 1 ? lx.style : 0;
	gv->cstart = lx.nseg ? lx.cstart : found;
	gv->cend = lx.nseg ? lx.cend : found;
	gv->map[gv->vlen] = gv->cend;
	gv->refs_self = lx.refs_self;
	lex_reset(&lx);
	return 0;
}

int grubvar_value(const char *text, size_t len, const char *var, const char *fname,
		  struct grubvar_value *v)
{
	struct lex lx = { 0 };
	struct scan sc;
	struct buf cur = BUF_INIT;
	size_t k, first;
	int known = 0;

	memset(v, 0, sizeof(*v));
	lx.s = text;
	lx.len = len;
	lx.var = var;
	lx.reading = 1;
	scan_file(text, len, var, &sc);
	if (sc.n == 0) {
		if (sc.nested != (size_t)-1) {
			errorf_line(fname, line_of(text, sc.nested), "%s: assigned only inside an if, case, "
				    "loop or function: its value depends on how the shell runs", var);
			scan_free(&sc);
			return 2;
		}
		scan_free(&sc);
		return 1;
	}
	/* the last assignment, and each earlier one it reaches through $VAR */
	for (first = sc.n - 1;; first--) {
		if (decode(&lx, &sc, first, fname)) {
			lex_reset(&lx);
			scan_free(&sc);
			return 2;
		}
		if (!lx.refs_self || first == 0)
			break;
	}
	v->steps = xcalloc(sc.n - first, sizeof(*v->steps));
	for (k = first; k < sc.n; k++) {
		struct grubvar_step *st = &v->steps[v->nsteps++];
		struct buf next = BUF_INIT;
		size_t i = 0, j;

		decode(&lx, &sc, k, fname);
		st->line = line_of(text, sc.word[2 * k]);
		st->vlen = lx.val.len;
		st->val = xstrndup(lx.val.p ? lx.val.p : "", lx.val.len);
		/* each $VAR stands for the value before; before the first, unknown: kept */
		for (j = 0; j < lx.nself; j++) {
			buf_add(&next, lx.val.p + i, lx.self[2 * j] - i);
			if (known)
				buf_add(&next, cur.p ? cur.p : "", cur.len);
			else
				buf_add(&next, lx.val.p + lx.self[2 * j], lx.self[2 * j + 1] - lx.self[2 * j]);
			i = lx.self[2 * j + 1];
		}
		buf_add(&next, lx.val.p ? lx.val.p + i : "", lx.val.len - i);
		buf_free(&cur);
		cur = next;
		known = 1;
	}
	lex_reset(&lx);
	scan_free(&sc);
	v->vlen = cur.len;
	v->val = buf_detach(&cur);
	return 0;
}

void grubvar_value_free(struct grubvar_value *v)
{
	size_t i;

	for (i = 0; i < v->nsteps; i++)
		free(v->steps[i].val);
	free(v->steps);
	free(v->val);
	memset(v, 0, sizeof(*v));
}

void grubvar_free(struct grubvar *gv)
{
	free(gv->val);
	free(gv->map);
	free(gv->lit);
	memset(gv, 0, sizeof(*gv));
}

struct piece {
	size_t off, n;
	char *ins;	/* NULL for a kept span */
};

struct grubvar_edit {
	const struct grubvar *gv;
	struct piece *p;
	size_t n, cap;
};

struct grubvar_edit *grubvar_edit_begin(const struct grubvar *gv)
{
	struct grubvar_edit *e = xcalloc(1, sizeof(*e));

	e->gv = gv;
	return e;
}

static struct piece *piece_push(struct grubvar_edit *e)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 16;
		e->p = xrealloc(e->p, e->cap * sizeof(*e->p));
	}
	memset(&e->p[e->n], 0, sizeof(e->p[0]));
	return &e->p[e->n++];
}

void grubvar_edit_keep(struct grubvar_edit *e, size_t off, size_t n)
{
	struct piece *p = piece_push(e);

	p->off = off;
	p->n = n;
}

void grubvar_edit_insert(struct grubvar_edit *e, const char *s, size_t n)
{
	struct piece *p = piece_push(e);

	p->ins = xstrndup(s, n);
	p->n = n;
}

static void dq_escape(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr("\"\\$`", s[i]) && s[i])
			buf_addc(out, '\\');
		buf_addc(out, s[i]);
	}
}

static int bare_safe(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!is_name(c) && !strchr(".,:=/+-@%^", c))
			return 0;
		if (!c)
			return 0;
	}
	return 1;
}

static void sq_escape(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, s[i]);
	}
}

void grubvar_edit_finish(struct grubvar_edit *e, const char *text, size_t len,
			 struct buf *out)
{
	const struct grubvar *gv = e->gv;
	int keep_style = gv->nseg <= 1;
	size_t i, j;

	if (keep_style && gv->style == 0)
		for (i = 0; i < e->n; i++)
			if (e->p[i].ins && !bare_safe(e->p[i].ins, e->p[i].n))
				keep_style = 0;

	buf_add(out, text, gv->wstart);
	if (keep_style) {
		buf_add(out, text + gv->wstart, gv->cstart - gv->wstart);
		for (i = 0; i < e->n; i++) {
			const struct piece *p = &e->p[i];

			if (!p->ins)
				buf_add(out, text + gv->map[p->off],
					gv->map[p->off + p->n] - gv->map[p->off]);
			else if (gv->style == '"')
				dq_escape(out, p->ins, p->n);
			else if (gv->style == '\'')
				sq_escape(out, p->ins, p->n);
			else
				buf_add(out, p->ins, p->n);
		}
		buf_add(out, text + gv->cend, gv->wend - gv->cend);
	} else {
		/* a word of several pieces, or bare that now needs quotes: "..." */
		struct buf c = BUF_INIT, lit = BUF_INIT;

		for (i = 0; i < e->n; i++) {
			const struct piece *p = &e->p[i];

			for (j = 0; j < p->n; j++) {
				buf_addc(&c, p->ins ? p->ins[j] : gv->val[p->off + j]);
				buf_addc(&lit, (char)(p->ins ? 1 : gv->lit[p->off + j]));
			}
		}
		buf_addc(out, '"');
		for (i = 0; i < c.len; i++) {
			size_t k = i + 1;

			if (lit.p[i]) {
				dq_escape(out, c.p + i, 1);
				continue;
			}
			/* $NAME that a name character now follows ("$X"y): ${NAME} */
			if (c.p[i] == '$' && k < c.len && !lit.p[k] && is_name_start(c.p[k])) {
				while (k < c.len && !lit.p[k] && is_name(c.p[k]))
					k++;
				if (k < c.len && is_name(c.p[k])) {
					buf_adds(out, "${");
					buf_add(out, c.p + i + 1, k - i - 1);
					buf_addc(out, '}');
					i = k - 1;
					continue;
				}
			}
			buf_addc(out, c.p[i]);
		}
		buf_addc(out, '"');
		buf_free(&c);
		buf_free(&lit);
	}
	buf_add(out, text + gv->wend, len - gv->wend);
	for (i = 0; i < e->n; i++)
		free(e->p[i].ins);
	free(e->p);
	free(e);
}

/* the quote the file's assignments open with ('\'' or '"'), '"' when none */
static char file_quote(const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t p = pos, n;

		while (p < len && (text[p] == ' ' || text[p] == '\t'))
			p++;
		for (n = 0; p + n < len && (n ? is_name(text[p + n]) : is_name_start(text[p + n])); n++)
			;
		if (n && p + n + 1 < len && text[p + n] == '=' &&
		    (text[p + n + 1] == '\'' || text[p + n + 1] == '"'))
			return text[p + n + 1];
		while (pos < len && text[pos] != '\n')
			pos++;
		pos++;
	}
	return '"';
}

void grubvar_append(const char *text, size_t len, const char *var,
		    const char *value, size_t vlen, int extend, struct buf *out)
{
	buf_add(out, text, len);
	if (len && text[len - 1] != '\n')
		buf_addc(out, '\n');
	if (!extend) {
		buf_printf(out, "%s=\"", var);
		dq_escape(out, value, vlen);
		buf_adds(out, "\"\n");
		return;
	}
	/* "$VAR ..." keeps what the files read before set; ${VAR} where the file writes so */
	buf_printf(out, memmem(text, len, "${", 2) ? "%s=\"${%s}" : "%s=\"$%s", var, var);
	if (file_quote(text, len) == '\'') {
		buf_adds(out, "\"' ");
		sq_escape(out, value, vlen);
		buf_adds(out, "'\n");
	} else {
		buf_addc(out, ' ');
		dq_escape(out, value, vlen);
		buf_adds(out, "\"\n");
	}
}

int grubvar_is_dropin(const char *name)
{
	return path_is_in(name, "grub.d/", ".cfg");
}

int grubvar_is_grub_file(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return strcmp(base, "grub") == 0 || grubvar_is_dropin(name);
}

/* the *.cfg of a grub.d directory, read inside the root when dir is under it */
static int scandir_root(const char *root, const char *dir, struct dirent ***list)
{
	const char *rel = root_relative(root, dir);

	if (!rel)
		return scandir(dir, list, NULL, alphasort);
	/* inside the root (common/rootpath), as every read of a FILE under it */
	return root_scandir(root, *rel ? rel : "/", list, alphasort);
}

int grubvar_warn_dropins(const char *root, const char *file, const char *var)
{
	const char *slash = strrchr(file, '/');
	struct buf dir = BUF_INIT;
	struct dirent **list;
	int n, i, overrides = 0;

	if (slash)
		buf_add(&dir, file, (size_t)(slash - file) + 1);
	buf_adds(&dir, "grub.d");
	n = scandir_root(root, dir.p, &list);
	for (i = 0; i < n; i++) {
		const char *e = list[i]->d_name;
		size_t len = strlen(e);
		struct buf path = BUF_INIT, text = BUF_INIT;
		struct grubvar gv;

		if (len > 4 && strcmp(e + len - 4, ".cfg") == 0) {
			buf_printf(&path, "%s/%s", dir.p, e);
			if (strcmp(path.p, file) != 0 &&
			    root_read_given(root, path.p, &text, BUF_MAX_FILE) == 0 &&
			    grubvar_find(text.p ? text.p : "", text.len, var, path.p, &gv) == 0) {
				if (gv.refs_self) {
					warnf(file, 0, "%s:%zu also sets %s and is read later: "
					      "it changes the value edited here", path.p, gv.line, var);
				} else {
					errorf(file, "%s:%zu sets %s anew and is read later: it overrides "
					       "this edit; edit %s instead", path.p, gv.line, var, path.p);
					overrides++;
				}
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
	return overrides;
}
