#include "modconf.h"
#include "err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names ---------------------------------------------------------- */

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

static int parent_is(const char *path, const char *dir)
{
	const char *s;
	size_t n = parent_name(path, &s);

	return n == strlen(dir) && memcmp(s, dir, n) == 0;
}

static int endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum modconf_format modconf_format_of(const char *path)
{
	if (parent_is(path, "modprobe.d") || strcmp(basename_of(path), "modprobe.conf") == 0)
		return MODCONF_MODPROBE;
	return MODCONF_MODULES;
}

int modname_normalize(char *s)
{
	size_t i;

	/* shared/util.c underscores(): dashes in [...] ranges stay */
	for (i = 0; s[i]; i++) {
		if (s[i] == '-') {
			s[i] = '_';
		} else if (s[i] == ']') {
			return -1;
		} else if (s[i] == '[') {
			i += strcspn(s + i, "]");
			if (!s[i])
				return -1;
		}
	}
	return 0;
}

int modname_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	char *x, *y;
	int eq;

	if (alen != blen)
		return 0;
	/* no [...] range: every '-' is a '_', compared in place (no copies per line) */
	if (!memchr(a, '[', alen) && !memchr(a, ']', alen) &&
	    !memchr(b, '[', blen) && !memchr(b, ']', blen)) {
		size_t i;

		for (i = 0; i < alen; i++)
			if (a[i] != b[i] && (a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
				return 0;
		return 1;
	}
	x = xstrndup(a, alen);
	y = xstrndup(b, blen);
	modname_normalize(x);
	modname_normalize(y);
	eq = strcmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}

/* kernel/params.c parameq(): '-' and '_' are the same in parameter names */
static int parameq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return 0;
	}
	return 1;
}

/* ---- parsing -------------------------------------------------------- */

/*
 * Room for element n of an array grown one at a time: its capacity is the
 * power of two at or above n, so a line of 100,000 words costs 17 reallocs,
 * not 100,000 copies of a growing array (ASan's realloc always copies).
 */
static void *grow1(void *p, size_t n, size_t size)
{
	if (n & (n - 1))
		return p;	/* not a power of two (nor 0): there is room */
	if (n > ((size_t)-1 / 2) / size)
		return xrealloc(p, (size_t)-1);	/* reports out of memory */
	return xrealloc(p, (n ? 2 * n : 1) * size);
}

static void add_word(struct mc_line *l, size_t off, size_t len)
{
	l->w = grow1(l->w, l->nw, sizeof(*l->w));
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

		mc->line = grow1(mc->line, mc->nline, sizeof(*mc->line));
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
	const char *nul = memchr(p ? p : "", '\0', len);

	memset(mc, 0, sizeof(*mc));
	mc->p = p ? p : "";
	mc->len = len;
	mc->fmt = fmt;
	if (nul) {
		size_t i;

		*errline = 1;
		for (i = 0; mc->p + i < nul; i++)
			*errline += mc->p[i] == '\n';
		*err = "NUL byte";
		return -1;
	}
	parse_lines(mc, pos, lineno);
	return 0;
}

/*
 * Lines appended to a parsed text that ended in a newline: parse just
 * those (p may have moved), so that ops which only add lines cost the
 * lines they add, not a parse of the whole text each (10,000 --set ops).
 */
static void parse_more(struct modconf *mc, const char *p, size_t len)
{
	size_t lineno = 1, pos = mc->len, k;

	/* the text moved (realloc): the old part is the same bytes at p */
	mc->p = p;
	mc->len = len;
	if (mc->nline) {
		const struct mc_line *l = &mc->line[mc->nline - 1];

		lineno = l->lineno;
		for (k = l->start; k < l->end; k++)
			lineno += mc->p[k] == '\n';
	}
	parse_lines(mc, pos, lineno);
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

/* ---- patches over the text ------------------------------------------ */

struct patch {
	size_t off, len;	/* raw bytes replaced */
	char *s;		/* by this (NULL: deleted) */
	size_t seq;
};

struct edit {
	const char *file;
	const char *opname;
	const char *oparg;
	struct modconf mc;
	struct patch *pt;
	size_t npt;
	struct buf tail;	/* new lines for the end of the file */
	char **seen;		/* warnings printed, not to repeat them */
	size_t nseen;
	unsigned char *fixed_cr;	/* per line: its CR already taken off */
	unsigned char *gone;		/* per line: deleted */
	/* modules-format lines by name (op_module): kept while the parse is */
	size_t *mhead, *mnext;		/* bucket -> line + 1, line -> line + 1 */
	size_t nbucket, nindexed;
};

static void patch(struct edit *e, size_t off, size_t len, const char *s)
{
	e->pt = grow1(e->pt, e->npt, sizeof(*e->pt));
	e->pt[e->npt].off = off;
	e->pt[e->npt].len = len;
	e->pt[e->npt].s = s ? xstrdup(s) : NULL;
	e->pt[e->npt].seq = e->npt;
	e->npt++;
}

static int patch_cmp(const void *a, const void *b)
{
	const struct patch *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* at one offset, insertions first: text added before a CR removed there */
	if ((x->len == 0) != (y->len == 0))
		return x->len == 0 ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* the patched text; patches never overlap (callers take care) */
static void patch_apply(struct edit *e, struct buf *out)
{
	size_t i, at = 0;

	if (e->npt)
		qsort(e->pt, e->npt, sizeof(*e->pt), patch_cmp);
	for (i = 0; i < e->npt; i++) {
		struct patch *p = &e->pt[i];

		if (p->off < at)	/* covered by a deleted line: it goes with it */
			continue;
		buf_add(out, e->mc.p + at, p->off - at);
		if (p->s)
			buf_adds(out, p->s);
		at = p->off + p->len;
	}
	buf_add(out, e->mc.p + at, e->mc.len - at);
	if (e->tail.len) {
		if (e->mc.open_end && e->mc.len)
			buf_addc(out, '\n');
		if (e->mc.escape_end)
			buf_addc(out, '\n');	/* "\\\n" joined the lines; end that one */
		buf_add(out, e->tail.p, e->tail.len);
	}
}

static void warn(struct edit *e, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct edit *e, size_t line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char msg[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		buf_printf(&b, "%s:%zu: warning: %s", e->file, line, msg);
	else
		buf_printf(&b, "%s: warning: %s", e->file, msg);
	for (i = 0; i < e->nseen; i++)
		if (strcmp(e->seen[i], b.p) == 0) {
			buf_free(&b);
			return;
		}
	e->seen = grow1(e->seen, e->nseen, sizeof(*e->seen));
	e->seen[e->nseen++] = buf_detach(&b);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", progname, e->seen[e->nseen - 1]);
}

static void operr(const struct edit *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void operr(const struct edit *e, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s: %s '%s': %s\n", progname, e->opname, e->oparg, tmp);
}

static size_t wraw_start(const struct mc_line *l, size_t i)
{
	return l->map[l->w[i].off];
}

static size_t wraw_end(const struct mc_line *l, size_t i)
{
	return l->map[l->w[i].off + l->w[i].len - 1] + 1;
}

static const char *wtext(const struct mc_line *l, size_t i, size_t *n)
{
	*n = l->w[i].len;
	return l->text + l->w[i].off;
}

static void del_line(struct edit *e, size_t li)
{
	if (e->gone[li])
		return;
	e->gone[li] = 1;
	patch(e, e->mc.line[li].start, e->mc.line[li].end - e->mc.line[li].start, NULL);
}

/*
 * A line an edit matched or changed: say what its readers get wrong, and
 * take off a CR they would read as data.
 */
static void touch_line(struct edit *e, size_t li)
{
	struct mc_line *l = &e->mc.line[li];
	size_t n;
	const char *name = l->nw > 1 ? wtext(l, 1, &n) : wtext(l, 0, &n);

	if (l->verb == MV_MODULE)
		name = wtext(l, 0, &n);
	if (l->cr && !e->fixed_cr[li] && !e->gone[li]) {
		e->fixed_cr[li] = 1;
		patch(e, l->cr_off, (size_t)l->cr, NULL);
		warn(e, l->lineno, "CR line end removed: %s read it as part of the line",
		     e->mc.fmt == MODCONF_MODPROBE ? "kmod" : "initramfs-tools and sysvinit");
	}
	if (l->hash && e->mc.fmt == MODCONF_MODPROBE)
		warn(e, l->lineno, "'#' after a directive is not a comment: kmod reads it and what follows as part of '%.*s'",
		     (int)n, name);
	else if (l->hash)
		warn(e, l->lineno, "'#' after a module name is not a comment: systemd-modules-load reads the whole line as the name and never loads '%.*s'",
		     (int)n, name);
	else if (l->verb == MV_MODULE && l->nw > 1 &&
		 !parent_is(e->file, "initramfs-tools"))
		warn(e, l->lineno, "module parameters after '%.*s' are ignored by systemd-modules-load, which reads the whole line as a name; use modprobe.d: options %.*s ...",
		     (int)n, name, (int)n, name);
}

/* ---- ops ------------------------------------------------------------ */

struct opline {
	char *s;		/* a copy of the argument, words NUL-ended */
	struct mc_line l;	/* parsed as a line of the file's format */
};

static int opline_parse(struct edit *e, enum modconf_opkind kind, const char *arg,
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
		const char *w = wtext(&o->l, 0, &n);

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
		size_t v, n;
		const char *w = wtext(&o->l, 0, &n);

		if (verb_lookup(w, n, &v) && o->l.nw > 1) {
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
			const char *w = wtext(&o->l, i, &n);
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
static int line_is(const struct edit *e, size_t li, enum mc_verb verb,
		   const char *m, size_t mlen)
{
	const struct mc_line *l = &e->mc.line[li];
	size_t n;
	const char *w;

	if (e->gone[li] || l->kind != MC_DIRECTIVE || l->verb != verb)
		return 0;
	w = verb == MV_MODULE ? wtext(l, 0, &n) : wtext(l, 1, &n);
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

/* vfio-pci ids: VENDOR:DEVICE[:SUBVENDOR[:SUBDEVICE[:CLASS[:MASK]]]] in hex */
static int id_ok(const char *s, size_t n)
{
	size_t i = 0, fields = 0;

	while (i <= n) {
		size_t d = 0;

		while (i < n && isxdigit((unsigned char)s[i])) {
			i++;
			d++;
		}
		if (d == 0 || d > 8)
			return 0;
		fields++;
		if (i == n)
			break;
		if (s[i] != ':')
			return 0;
		i++;
	}
	return fields >= 2 && fields <= 6;
}

struct items {
	char **v;
	size_t n;
};

static void items_add(struct items *it, const char *s, size_t n)
{
	it->v = grow1(it->v, it->n, sizeof(*it->v));
	it->v[it->n++] = xstrndup(s, n);
}

static void items_free(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i]);
	free(it->v);
	it->v = NULL;
	it->n = 0;
}

static void items_split(struct items *it, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != ',')
			j++;
		if (j > i)
			items_add(it, s + i, j - i);
		i = j + 1;
	}
}

static int item_eq(const char *a, const char *b, int ids)
{
	return ids ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

static long items_find(const struct items *it, const char *s, int ids)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (item_eq(it->v[i], s, ids))
			return (long)i;
	return -1;
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

static void optplan_init(struct edit *e, struct optplan *pl, const char *m, size_t mlen)
{
	size_t li, wi;

	memset(pl, 0, sizeof(*pl));
	for (li = 0; li < e->mc.nline; li++) {
		if (!line_is(e, li, MV_OPTIONS, m, mlen))
			continue;
		for (wi = 2; wi < e->mc.line[li].nw; wi++) {
			pl->pw = grow1(pl->pw, pl->n, sizeof(*pl->pw));
			pl->pw[pl->n].li = li;
			pl->pw[pl->n].wi = wi;
			pl->pw[pl->n].repl = NULL;
			pl->pw[pl->n].del = 0;
			pl->n++;
		}
	}
}

static int pw_is(const struct edit *e, const struct pword *p, const char *k, size_t klen)
{
	size_t n;
	const char *key = param_key(&e->mc.line[p->li], p->wi, &n);

	return !p->del && parameq(key, n, k, klen);
}

/* the current text of a parameter word */
static char *pw_text(const struct edit *e, const struct pword *p)
{
	size_t n;
	const char *w;

	if (p->repl)
		return xstrdup(p->repl);
	w = wtext(&e->mc.line[p->li], p->wi, &n);
	return xstrndup(w, n);
}

static void pw_set(struct pword *p, char *s)
{
	free(p->repl);
	p->repl = s;
}

/* the patches for a plan: changed words, deleted words, emptied lines */
static void optplan_commit(struct edit *e, struct optplan *pl, const char *m, size_t mlen)
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
				patch(e, wraw_end(l, p->wi - 1), wraw_end(l, p->wi) - wraw_end(l, p->wi - 1), NULL);
			else if (p->repl)
				patch(e, wraw_start(l, p->wi), wraw_end(l, p->wi) - wraw_start(l, p->wi), p->repl);
		}
	}
	if (pl->append.len) {
		if (last != (size_t)-1) {
			const struct mc_line *l = &e->mc.line[last];

			patch(e, wraw_end(l, l->nw - 1), 0, pl->append.p);
		} else {
			buf_adds(&e->tail, "options ");
			buf_add(&e->tail, m, mlen);
			buf_add(&e->tail, pl->append.p, pl->append.len);
			buf_addc(&e->tail, '\n');
		}
	}
	for (i = 0; i < pl->n; i++)
		free(pl->pw[i].repl);
	free(pl->pw);
	buf_free(&pl->append);
}

/* check a module's existing ids= items before merging into them */
static int ids_check(struct edit *e, const struct pword *p, const struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (!id_ok(it->v[i], strlen(it->v[i]))) {
			errorf_line(e->file, e->mc.line[p->li].lineno, "bad id '%s' in ids=", it->v[i]);
			return -1;
		}
	return 0;
}

static int op_options(struct edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t mlen, pi, i;
	const char *m = wtext(&o->l, 1, &mlen);
	struct optplan pl;
	int r = 0;

	if ((kind == MODCONF_SET || kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) && o->l.nw < 3) {
		operr(e, "'options' needs a parameter after the module name");
		return -1;
	}
	/* check the arguments before touching anything */
	for (pi = 2; pi < o->l.nw; pi++) {
		size_t kn, vn;
		const char *k = param_key(&o->l, pi, &kn);
		const char *w = wtext(&o->l, pi, &vn);
		const char *eq = memchr(w, '=', vn);

		if (kn == 0) {
			operr(e, "empty parameter name in '%.*s'", (int)vn, w);
			return -1;
		}
		/* a second K=V would be written too, and undone by the next --set */
		for (i = 2; i < pi; i++) {
			size_t kn2;
			const char *k2 = param_key(&o->l, i, &kn2);

			if (parameq(k, kn, k2, kn2)) {
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
		if (eq && parameq(k, kn, "ids", 3) && kind != MODCONF_DEL) {
			struct items it = { NULL, 0 };

			items_split(&it, eq + 1, (size_t)(w + vn - eq - 1));
			for (i = 0; i < it.n; i++)
				if (!id_ok(it.v[i], strlen(it.v[i]))) {
					operr(e, "bad id '%s' (VENDOR:DEVICE in hex, e.g. 8086:3e92)", it.v[i]);
					items_free(&it);
					return -1;
				}
			if (it.n == 0 && kind != MODCONF_SET) {
				operr(e, "no ids");
				return -1;
			}
			items_free(&it);
		}
	}

	optplan_init(e, &pl, m, mlen);
	if (kind == MODCONF_DEL && o->l.nw == 2) {
		for (i = 0; i < pl.n; i++)
			pl.pw[i].del = 1;
		/* lines "options M" alone are bad lines, not ours: leave them */
		optplan_commit(e, &pl, m, mlen);
		return 0;
	}
	for (pi = 2; pi < o->l.nw && r == 0; pi++) {
		size_t kn, vn, first = (size_t)-1, nocc = 0;
		const char *k = param_key(&o->l, pi, &kn);
		const char *w = wtext(&o->l, pi, &vn);
		const char *eq = memchr(w, '=', vn);
		int ids = parameq(k, kn, "ids", 3);
		char *want = xstrndup(w, vn);
		struct items add = { NULL, 0 };

		if (eq)
			items_split(&add, eq + 1, (size_t)(w + vn - eq - 1));
		for (i = 0; i < pl.n; i++) {
			if (!pw_is(e, &pl.pw[i], k, kn))
				continue;
			nocc++;
			if (first == (size_t)-1) {
				first = i;
				continue;
			}
			if (kind == MODCONF_SET || kind == MODCONF_MERGE) {
				warn(e, e->mc.line[pl.pw[i].li].lineno,
				     "'%.*s' set again (first at line %zu): kmod joins the options lines and the last one wins; %s",
				     (int)kn, k, e->mc.line[pl.pw[first].li].lineno,
				     kind == MODCONF_SET ? "this one removed" : "merged into the first");
			}
		}
		switch (kind) {
		case MODCONF_SET:
			if (first == (size_t)-1) {
				buf_addc(&pl.append, ' ');
				buf_adds(&pl.append, want);
				break;
			}
			{
				char *cur = pw_text(e, &pl.pw[first]);

				if (!value_same(cur, want, ids))
					pw_set(&pl.pw[first], xstrdup(want));
				free(cur);
			}
			for (i = first + 1; i < pl.n; i++)
				if (pw_is(e, &pl.pw[i], k, kn))
					pl.pw[i].del = 1;
			break;
		case MODCONF_MERGE: {
			struct items have = { NULL, 0 };
			size_t before;

			if (first == (size_t)-1) {
				buf_addc(&pl.append, ' ');
				buf_adds(&pl.append, want);
				break;
			}
			for (i = first; i < pl.n; i++) {
				char *t, *v;

				if (!pw_is(e, &pl.pw[i], k, kn))
					continue;
				t = pw_text(e, &pl.pw[i]);
				v = strchr(t, '=');
				if (v) {
					struct items one = { NULL, 0 };
					size_t j;

					if (strchr(v, '"')) {
						errorf_line(e->file, e->mc.line[pl.pw[i].li].lineno,
							    "cannot merge into the quoted value of '%.*s'", (int)kn, k);
						r = -1;
					}
					items_split(&one, v + 1, strlen(v + 1));
					if (r == 0 && ids)
						r = ids_check(e, &pl.pw[i], &one);
					for (j = 0; j < one.n; j++)
						if (items_find(&have, one.v[j], ids) < 0)
							items_add(&have, one.v[j], strlen(one.v[j]));
					items_free(&one);
				}
				free(t);
				if (i != first)
					pl.pw[i].del = 1;
			}
			before = have.n;
			for (i = 0; i < add.n; i++)
				if (items_find(&have, add.v[i], ids) < 0)
					items_add(&have, add.v[i], strlen(add.v[i]));
			if (r == 0 && (have.n != before || nocc > 1)) {
				struct buf nb = BUF_INIT;
				char *cur = pw_text(e, &pl.pw[first]);

				buf_add(&nb, k, kn);
				buf_addc(&nb, '=');
				for (i = 0; i < have.n; i++) {
					if (i)
						buf_addc(&nb, ',');
					buf_adds(&nb, have.v[i]);
				}
				if (strcmp(cur, nb.p) != 0)
					pw_set(&pl.pw[first], buf_detach(&nb));
				buf_free(&nb);
				free(cur);
			}
			items_free(&have);
			break;
		}
		case MODCONF_UNMERGE:
			for (i = 0; i < pl.n; i++) {
				struct items one = { NULL, 0 }, keep = { NULL, 0 };
				char *t, *v;
				size_t j;

				if (!pw_is(e, &pl.pw[i], k, kn))
					continue;
				t = pw_text(e, &pl.pw[i]);
				v = strchr(t, '=');
				if (v)
					items_split(&one, v + 1, strlen(v + 1));
				for (j = 0; j < one.n; j++)
					if (items_find(&add, one.v[j], ids) < 0)
						items_add(&keep, one.v[j], strlen(one.v[j]));
				if (keep.n == 0) {
					pl.pw[i].del = 1;
				} else if (keep.n != one.n) {
					struct buf nb = BUF_INIT;

					buf_add(&nb, k, kn);
					buf_addc(&nb, '=');
					for (j = 0; j < keep.n; j++) {
						if (j)
							buf_addc(&nb, ',');
						buf_adds(&nb, keep.v[j]);
					}
					pw_set(&pl.pw[i], buf_detach(&nb));
				}
				items_free(&one);
				items_free(&keep);
				free(t);
			}
			break;
		case MODCONF_DEL:
			for (i = 0; i < pl.n; i++) {
				char *t;

				if (!pw_is(e, &pl.pw[i], k, kn))
					continue;
				t = pw_text(e, &pl.pw[i]);
				if (!eq || strcmp(t, want) == 0)
					pl.pw[i].del = 1;
				free(t);
			}
			break;
		}
		items_free(&add);
		free(want);
	}
	optplan_commit(e, &pl, m, mlen);
	return r;
}

static void tail_line(struct edit *e, const struct opline *o)
{
	size_t i, n;

	for (i = 0; i < o->l.nw; i++) {
		const char *w = wtext(&o->l, i, &n);

		if (i)
			buf_addc(&e->tail, ' ');
		buf_add(&e->tail, w, n);
	}
	buf_addc(&e->tail, '\n');
}

static int op_blacklist(struct edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, mlen, found = 0;
	const char *m = wtext(&o->l, 1, &mlen);

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

/* alias PATTERN MODULE: one alias line per pattern */
static int op_alias(struct edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, plen, mlen = 0, found = 0;
	const char *pat = wtext(&o->l, 1, &plen), *m = NULL;

	if (o->l.nw > 3) {
		operr(e, "'alias' takes a pattern and a module name");
		return -1;
	}
	if (o->l.nw == 3)
		m = wtext(&o->l, 2, &mlen);
	if (kind == MODCONF_SET && !m) {
		operr(e, "'alias' needs a pattern and a module name");
		return -1;
	}
	for (li = 0; li < e->mc.nline; li++) {
		struct mc_line *l = &e->mc.line[li];
		size_t n;
		const char *w;

		if (!line_is(e, li, MV_ALIAS, pat, plen))
			continue;
		w = wtext(l, 2, &n);
		if (kind == MODCONF_DEL) {
			if (!m || modname_eq(w, n, m, mlen))
				del_line(e, li);
			continue;
		}
		if (found++) {
			del_line(e, li);
			continue;
		}
		touch_line(e, li);
		if (!modname_eq(w, n, m, mlen)) {
			char *s = xstrndup(m, mlen);

			patch(e, wraw_start(l, 2), wraw_end(l, 2) - wraw_start(l, 2), s);
			free(s);
		}
	}
	if (kind == MODCONF_SET && !found)
		tail_line(e, o);
	return 0;
}

/* install/remove M COMMAND: one line per module */
static int op_command(struct edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, mlen, found = 0;
	const char *m = wtext(&o->l, 1, &mlen);
	char *cmd;

	if (kind != MODCONF_SET && kind != MODCONF_DEL) {
		operr(e, "only --set and --del take '%.*s'", (int)o->l.w[0].len, o->l.text);
		return -1;
	}
	/* the command ends with its last word, as a line's does below */
	/* "install M" and blanks passes kmod's check but holds no command */
	if (kind == MODCONF_SET && o->l.nw < 3) {
		operr(e, "'%.*s' needs a command after the module name", (int)o->l.w[0].len, o->l.text);
		return -1;
	}
	cmd = o->l.nw > 2 ? xstrndup(o->l.text + o->l.w[2].off, o->l.w[o->l.nw - 1].off +
				     o->l.w[o->l.nw - 1].len - o->l.w[2].off) : NULL;
	for (li = 0; li < e->mc.nline; li++) {
		struct mc_line *l = &e->mc.line[li];
		const char *have;
		size_t hn;

		if (!line_is(e, li, o->l.verb, m, mlen))
			continue;
		have = l->text + l->w[2].off;
		hn = l->w[l->nw - 1].off + l->w[l->nw - 1].len - l->w[2].off;
		if (kind == MODCONF_DEL) {
			if (!cmd || (hn == strlen(cmd) && memcmp(have, cmd, hn) == 0))
				del_line(e, li);
			continue;
		}
		if (found++) {
			del_line(e, li);
			continue;
		}
		touch_line(e, li);
		if (hn != strlen(cmd) || memcmp(have, cmd, hn) != 0)
			patch(e, wraw_start(l, 2), wraw_end(l, l->nw - 1) - wraw_start(l, 2), cmd);
	}
	if (kind == MODCONF_SET && !found) {
		size_t n;
		const char *w = wtext(&o->l, 0, &n);

		buf_add(&e->tail, w, n);
		buf_addc(&e->tail, ' ');
		buf_add(&e->tail, m, mlen);
		buf_addc(&e->tail, ' ');
		buf_adds(&e->tail, cmd);
		buf_addc(&e->tail, '\n');
	}
	free(cmd);
	return 0;
}

/* a softdep section marker: 0 "pre:", 1 "post:", -1 a module */
static int marker(const struct mc_line *l, size_t i)
{
	size_t n;
	const char *w = wtext(l, i, &n);

	if (l->verb == MV_WEAKDEP)
		return -1;
	if (n == 4 && memcmp(w, "pre:", 4) == 0)
		return 0;
	if (n == 5 && memcmp(w, "post:", 5) == 0)
		return 1;
	return -1;
}

/* is d among the section's deps (kmod_config_add_softdep's reading)? */
static int has_dep(const struct mc_line *l, int sect, const char *d, size_t dn)
{
	size_t i, n;
	int cur = l->verb == MV_WEAKDEP ? 0 : -1;

	for (i = 2; i < l->nw; i++) {
		const char *w = wtext(l, i, &n);
		int mk = marker(l, i);

		if (mk >= 0)
			cur = mk;
		else if (cur == sect && modname_eq(w, n, d, dn))
			return 1;
	}
	return 0;
}

/* softdep M pre: A post: B / weakdep M A B: deps merged into the first line */
static int op_deps(struct edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, mlen, i, first = (size_t)-1;
	const char *m = wtext(&o->l, 1, &mlen);
	int weak = o->l.verb == MV_WEAKDEP, sect, cur;
	struct buf add[2] = { BUF_INIT, BUF_INIT };
	const struct mc_line *l;
	size_t at[2] = { 0, 0 };	/* where each section's first run ends */
	int ended[2] = { 0, 0 };

	if (kind == MODCONF_UNMERGE) {
		operr(e, "--unmerge takes only 'options' lines");
		return -1;
	}
	if (!weak && kind != MODCONF_DEL) {
		int any = 0;

		for (cur = -1, i = 2; i < o->l.nw; i++) {
			int mk = marker(&o->l, i);

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
		touch_line(e, li);
		if (first == (size_t)-1)
			first = li;
		else
			warn(e, e->mc.line[li].lineno, "another %s line for '%.*s' (deps merged into line %zu)",
			     weak ? "weakdep" : "softdep", (int)mlen, m, e->mc.line[first].lineno);
	}
	if (kind == MODCONF_DEL)
		return 0;
	if (first == (size_t)-1) {
		tail_line(e, o);
		return 0;
	}
	l = &e->mc.line[first];
	if (weak)
		at[0] = wraw_end(l, l->nw - 1);
	for (cur = -1, i = 2; !weak && i < l->nw; i++) {
		int mk = marker(l, i);

		if (mk >= 0) {
			if (cur >= 0)
				ended[cur] = 1;
			cur = mk;
			if (!ended[cur])
				at[cur] = wraw_end(l, i);
		} else if (cur >= 0 && !ended[cur]) {
			at[cur] = wraw_end(l, i);
		}
	}
	for (cur = weak ? 0 : -1, i = 2; i < o->l.nw; i++) {
		size_t n;
		const char *w = wtext(&o->l, i, &n);
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
			patch(e, at[sect], 0, add[sect].p);
		} else {
			buf_adds(&s, sect ? " post:" : " pre:");
			buf_add(&s, add[sect].p, add[sect].len);
			/* pre: goes right after the module, post: at the end */
			patch(e, sect ? wraw_end(l, l->nw - 1) : wraw_end(l, 1), 0, s.p);
		}
		buf_free(&s);
	}
	buf_free(&add[0]);
	buf_free(&add[1]);
	return 0;
}

/* words from..nw of l, one space between them */
/* a module name's hash, '-' as '_' (names with [...] are not indexed) */
static size_t mod_hash(const char *s, size_t n)
{
	size_t h = 5381, i;

	for (i = 0; i < n; i++)
		h = h * 33 + (unsigned char)(s[i] == '-' ? '_' : s[i]);
	return h;
}

static void mindex_free(struct edit *e)
{
	free(e->mhead);
	free(e->mnext);
	e->mhead = e->mnext = NULL;
	e->nbucket = e->nindexed = 0;
}

/* index the module lines parsed since the last call; rehash as it grows */
static void mindex_update(struct edit *e)
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
		w = wtext(l, 0, &n);
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
static size_t mindex_lookup(struct edit *e, const char *m, size_t mlen, size_t **out)
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

static int op_module(struct edit *e, enum modconf_opkind kind, const struct opline *o)
{
	size_t li, k, mlen, found = 0, *cand, ncand;
	const char *m = wtext(&o->l, 0, &mlen);
	const char *params = o->l.nw > 1 ? o->l.text + o->l.w[1].off : NULL;

	if (kind == MODCONF_MERGE || kind == MODCONF_UNMERGE) {
		operr(e, "%s is for modprobe.d 'options' lines, not for a module list", e->opname);
		return -1;
	}
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
			size_t s = l->nw > 1 ? wraw_start(l, 1) : wraw_end(l, 0);
			size_t end = wraw_end(l, l->nw - 1);
			struct buf have = BUF_INIT, want = BUF_INIT;

			words_joined(l, 1, &have);
			words_joined(&o->l, 1, &want);
			if (strcmp(have.p, want.p) != 0) {
				struct buf b = BUF_INIT;

				if (l->nw == 1)
					buf_addc(&b, ' ');
				buf_add(&b, want.p, want.len);
				patch(e, s, end - s, b.p);
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
		if (params && !parent_is(e->file, "initramfs-tools"))
			warn(e, 0, "module parameters after '%.*s' are ignored by systemd-modules-load, which reads the whole line as a name; use modprobe.d: options %.*s ...",
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

static int check_file(struct edit *e)
{
	size_t i;

	for (i = 0; i < e->mc.nline; i++) {
		const struct mc_line *l = &e->mc.line[i];
		size_t n;
		const char *w;

		if (l->kind == MC_BAD && l->indented_comment) {
			warn(e, l->lineno, "an indented '#' is not a comment to kmod, which ignores the line with an error");
		} else if (l->kind == MC_BAD) {
			w = wtext(l, 0, &n);
			if (strcmp(l->bad, "unknown directive") == 0)
				errorf_line(e->file, l->lineno, "unknown directive '%.*s'", (int)n, w);
			else
				errorf_line(e->file, l->lineno, "'%.*s': %s", (int)n, w, l->bad);
			return -1;
		} else if (l->kind == MC_DIRECTIVE && l->verb == MV_OBSOLETE) {
			w = wtext(l, 0, &n);
			warn(e, l->lineno, "kmod no longer reads '%.*s' lines", (int)n, w);
		}
	}
	return 0;
}

/* what one op made: patches, tail, per-line marks (the parse is kept) */
static void edit_reset(struct edit *e)
{
	size_t i;

	for (i = 0; i < e->npt; i++)
		free(e->pt[i].s);
	free(e->pt);
	e->pt = NULL;
	e->npt = 0;
	buf_free(&e->tail);
	free(e->fixed_cr);
	free(e->gone);
	e->fixed_cr = e->gone = NULL;
}

static void edit_free(struct edit *e)
{
	size_t i;

	mindex_free(e);

	for (i = 0; i < e->npt; i++)
		free(e->pt[i].s);
	free(e->pt);
	e->pt = NULL;
	e->npt = 0;
	buf_free(&e->tail);
	free(e->fixed_cr);
	free(e->gone);
	e->fixed_cr = e->gone = NULL;
	modconf_free(&e->mc);
}

int modconf_edit(const char *file, enum modconf_format fmt,
		 const struct modconf_op *ops, size_t nops,
		 const struct buf *in, struct buf *out)
{
	struct edit e;
	struct buf cur = BUF_INIT;
	size_t i, eline;
	const char *err;
	int r = 0, parsed = 0;

	memset(&e, 0, sizeof(e));
	e.file = file;
	if (fmt == MODCONF_AUTO)
		fmt = strcmp(file, "-") == 0 ? MODCONF_MODULES : modconf_format_of(file);
	if (fmt == MODCONF_MODPROBE && parent_is(file, "modprobe.d") &&
	    !endswith(file, ".conf") && !endswith(file, ".alias"))
		warn(&e, 0, "kmod reads only *.conf files in modprobe.d: it ignores this one");
	if (fmt == MODCONF_MODULES && parent_is(file, "modules-load.d") && !endswith(file, ".conf"))
		warn(&e, 0, "systemd-modules-load reads only *.conf files in modules-load.d: it ignores this one");
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
		if (opline_parse(&e, ops[i].kind, ops[i].arg, &o) < 0) {
			opline_free(&o);
			r = -1;
			break;
		}
		switch (o.l.verb) {
		case MV_MODULE: r = op_module(&e, ops[i].kind, &o); break;
		case MV_BLACKLIST:
			r = ops[i].kind == MODCONF_SET || ops[i].kind == MODCONF_DEL
			    ? op_blacklist(&e, ops[i].kind, &o)
			    : (operr(&e, "only --set and --del take 'blacklist'"), -1);
			break;
		case MV_ALIAS:
			r = ops[i].kind == MODCONF_SET || ops[i].kind == MODCONF_DEL
			    ? op_alias(&e, ops[i].kind, &o)
			    : (operr(&e, "only --set and --del take 'alias'"), -1);
			break;
		case MV_OPTIONS: r = op_options(&e, ops[i].kind, &o); break;
		case MV_INSTALL:
		case MV_REMOVE: r = op_command(&e, ops[i].kind, &o); break;
		case MV_SOFTDEP:
		case MV_WEAKDEP: r = op_deps(&e, ops[i].kind, &o); break;
		default:
			operr(&e, "cannot edit this");
			r = -1;
		}
		opline_free(&o);
		if (r == 0 && e.npt == 0 && !e.mc.open_end && !e.mc.escape_end) {
			/* lines added at the end only: the parse so far still holds */
			buf_add(&cur, e.tail.p ? e.tail.p : "", e.tail.len);
			parse_more(&e.mc, cur.p ? cur.p : "", cur.len);
			parsed = 1;
			edit_reset(&e);
			continue;
		}
		if (r == 0) {
			patch_apply(&e, &next);
			buf_free(&cur);
			cur = next;
		} else {
			buf_free(&next);
		}
		edit_free(&e);
	}
	edit_free(&e);
	for (i = 0; i < e.nseen; i++)
		free(e.seen[i]);
	free(e.seen);
	if (r == 0)
		buf_add(out, cur.p ? cur.p : "", cur.len);
	buf_free(&cur);
	return r;
}
