/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "modconf.h"
#include "err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- which format a file is in, by where it lives -------------------- */

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* the name of the directory holding path ("" when none is given) */
static size_t parent_name(const char *path, const char **name)
{
	const char *base = basename_of(path), *end = base, *s;

	while (end > path && end[-1] == '/')
		end--;
	s = end;
	while (s > path && s[-1] != '/')
		s--;
	*name = s;
	return (size_t)(end - s);
}

int modconf_dir_is(const char *path, const char *dir)
{
	const char *s;
	size_t n = parent_name(path, &s);

	return n == strlen(dir) && memcmp(s, dir, n) == 0;
}

int modconf_name_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum modconf_format modconf_format_of(const char *path)
{
	if (modconf_dir_is(path, "modprobe.d") || strcmp(basename_of(path), "modprobe.conf") == 0)
		return MODCONF_MODPROBE;
	return MODCONF_MODULES;
}

/* ---- parsing -------------------------------------------------------- */

static void add_word(struct mc_line *l, size_t off, size_t len)
{
	l->w = xgrow1(l->w, l->nw, sizeof(*l->w));
	l->w[l->nw].off = off;
	l->w[l->nw].len = len;
	l->nw++;
}

/*
 * Words of text[from..len): split on space and tab; with quotes, as the
 * kernel's next_arg() reads module parameters, '"' groups blanks.  Returns
 * -1 on an unbalanced quote.
 */
static int split_words(struct mc_line *l, size_t from, int quotes)
{
	size_t i = from;

	while (i < l->len) {
		size_t s;
		int inq = 0;

		while (i < l->len && (l->text[i] == ' ' || l->text[i] == '\t'))
			i++;
		if (i == l->len)
			break;
		s = i;
		for (; i < l->len; i++) {
			if (quotes && l->text[i] == '"')
				inq = !inq;
			else if (!inq && (l->text[i] == ' ' || l->text[i] == '\t'))
				break;
		}
		if (inq)
			return -1;
		add_word(l, s, i - s);
	}
	return 0;
}

static const struct {
	const char *name;
	enum mc_verb verb;
	size_t nhead;		/* verb, module or pattern, ... */
	int rest;		/* needs data after the head */
} verbs[] = {
	{ "alias", MV_ALIAS, 3, 0 },
	{ "blacklist", MV_BLACKLIST, 2, 0 },
	{ "config", MV_OBSOLETE, 1, 0 },
	{ "include", MV_OBSOLETE, 1, 0 },
	{ "install", MV_INSTALL, 2, 1 },
	{ "options", MV_OPTIONS, 2, 1 },
	{ "remove", MV_REMOVE, 2, 1 },
	{ "softdep", MV_SOFTDEP, 2, 1 },
	{ "weakdep", MV_WEAKDEP, 2, 1 },
};

static int verb_lookup(const char *s, size_t n, size_t *i)
{
	for (*i = 0; *i < sizeof(verbs) / sizeof(verbs[0]); (*i)++)
		if (strlen(verbs[*i].name) == n && memcmp(verbs[*i].name, s, n) == 0)
			return 1;
	return 0;
}

static void classify_modprobe(struct mc_line *l)
{
	size_t v;

	if (l->len == 0)
		return;
	if (l->text[0] == '#') {
		l->kind = MC_COMMENT;
		return;
	}
	split_words(l, 0, 0);
	if (l->nw == 0)
		return;		/* blanks: strtok finds no command */
	if (l->text[l->w[0].off] == '#') {
		l->kind = MC_BAD;
		l->indented_comment = 1;
		l->bad = "an indented '#' is not a comment to kmod";
		return;
	}
	if (!verb_lookup(l->text + l->w[0].off, l->w[0].len, &v)) {
		l->kind = MC_BAD;
		l->bad = "unknown directive";
		return;
	}
	l->verb = verbs[v].verb;
	l->nhead = verbs[v].nhead;
	l->kind = MC_DIRECTIVE;
	if (l->verb == MV_OBSOLETE)
		return;
	/*
	 * strtok_r(NULL, "\0") after the module: the rest must hold a byte
	 * past the blank that ended the module name
	 */
	if (l->nw < l->nhead ||
	    (verbs[v].rest && l->w[1].off + l->w[1].len + 1 >= l->len)) {
		l->kind = MC_BAD;
		l->bad = "missing arguments";
		return;
	}
	if (l->verb == MV_OPTIONS) {
		/* parameters as the kernel splits them, quotes grouping */
		size_t from = l->w[1].off + l->w[1].len;

		l->nw = 2;
		if (split_words(l, from, 1) < 0) {
			l->kind = MC_BAD;
			l->bad = "unbalanced quote";
			return;
		}
	}
	if (verbs[v].rest) {
		size_t i;

		for (i = l->nhead; i < l->nw; i++)
			if (l->text[l->w[i].off] == '#')
				l->hash = 1;
	}
}

static void classify_modules(struct mc_line *l)
{
	size_t i = 0;

	while (i < l->len && isspace((unsigned char)l->text[i]))
		i++;
	if (i == l->len)
		return;
	if (l->text[i] == '#' || l->text[i] == ';') {
		l->kind = MC_COMMENT;
		return;
	}
	/* a modules line splits on any blank; CR was taken off already */
	for (; i < l->len; ) {
		size_t s = i;

		while (i < l->len && !isspace((unsigned char)l->text[i]))
			i++;
		add_word(l, s, i - s);
		while (i < l->len && isspace((unsigned char)l->text[i]))
			i++;
	}
	l->kind = MC_DIRECTIVE;
	l->verb = MV_MODULE;
	l->nhead = 1;
	for (i = 1; i < l->nw; i++)
		if (l->text[l->w[i].off] == '#' || l->text[l->w[i].off] == ';')
			l->hash = 1;
}

static void line_addc(struct mc_line *l, char c, size_t raw, size_t *cap)
{
	if (l->len + 1 >= *cap) {
		*cap = *cap ? *cap * 2 : 64;
		l->text = xrealloc(l->text, *cap);
		l->map = xrealloc(l->map, *cap * sizeof(*l->map));
	}
	l->text[l->len] = c;
	l->map[l->len] = raw;
	l->len++;
}

/* one logical line from p[*pos]: freadline_wrapped() for modprobe */
static void read_line(struct modconf *mc, struct mc_line *l, size_t *pos,
		      size_t *lineno)
{
	size_t i = *pos, cap = 0;
	int modprobe = mc->fmt == MODCONF_MODPROBE;

	memset(l, 0, sizeof(*l));
	l->start = i;
	l->lineno = *lineno;
	mc->open_end = 1;
	mc->escape_end = 0;
	while (i < mc->len) {
		char c = mc->p[i];

		if (c == '\n') {
			i++;
			(*lineno)++;
			mc->open_end = 0;
			break;
		}
		if (modprobe && c == '\\') {
			if (i + 1 == mc->len) {
				i++;
				mc->escape_end = 1;
				break;
			}
			if (mc->p[i + 1] == '\n') {
				i += 2;
				(*lineno)++;
				continue;
			}
			i++;
			c = mc->p[i];
		}
		line_addc(l, c, i, &cap);
		i++;
	}
	l->end = i;
	*pos = i;
	/* every CR before the line end: taking off one left the next (not idempotent) */
	while (l->len && l->text[l->len - 1] == '\r' &&
	       (!l->cr || l->map[l->len - 1] + 1 == l->cr_off)) {
		l->cr++;
		l->cr_off = l->map[l->len - 1];
		l->len--;
	}
	line_addc(l, '\0', i, &cap);
	l->len--;
}

static void parse_lines(struct modconf *mc, size_t pos, size_t lineno)
{
	while (pos < mc->len) {
		struct mc_line *l;

		mc->line = xgrow1(mc->line, mc->nline, sizeof(*mc->line));
		l = &mc->line[mc->nline++];
		read_line(mc, l, &pos, &lineno);
		if (mc->fmt == MODCONF_MODPROBE)
			classify_modprobe(l);
		else
			classify_modules(l);
	}
}

int modconf_parse(struct modconf *mc, const char *p, size_t len,
		  enum modconf_format fmt, size_t *errline, const char **err)
{
	size_t pos = 0, lineno = 1;
	size_t nul = buf_nul_line(p ? p : "", len);

	memset(mc, 0, sizeof(*mc));
	mc->p = p ? p : "";
	mc->len = len;
	mc->fmt = fmt;
	if (nul) {
		*errline = nul;
		*err = "NUL byte";
		return -1;
	}
	parse_lines(mc, pos, lineno);
	return 0;
}

void modconf_parse_more(struct modconf *mc, const char *p, size_t len)
{
	size_t lineno = 1, pos = mc->len, k;

	/* the text moved (realloc): the old part is the same bytes at p */
	mc->p = p ? p : "";
	mc->len = len;
	if (mc->nline) {
		const struct mc_line *l = &mc->line[mc->nline - 1];

		lineno = l->lineno;
		for (k = l->start; k < l->end; k++)
			lineno += mc->p[k] == '\n';
	}
	parse_lines(mc, pos, lineno);
}

int modconf_is_verb(const char *s, size_t n)
{
	size_t i;

	return verb_lookup(s, n, &i);
}

const char *mc_word(const struct mc_line *l, size_t i, size_t *n)
{
	*n = l->w[i].len;
	return l->text + l->w[i].off;
}

size_t mc_word_start(const struct mc_line *l, size_t i)
{
	return l->map[l->w[i].off];
}

size_t mc_word_end(const struct mc_line *l, size_t i)
{
	return l->map[l->w[i].off + l->w[i].len - 1] + 1;
}

void modconf_free(struct modconf *mc)
{
	size_t i;

	for (i = 0; i < mc->nline; i++) {
		free(mc->line[i].text);
		free(mc->line[i].map);
		free(mc->line[i].w);
	}
	free(mc->line);
	memset(mc, 0, sizeof(*mc));
}
