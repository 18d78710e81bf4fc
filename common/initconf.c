/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * initconf: module lists in dracut.conf.d and mkinitcpio.conf.d drop-ins
 * (see initconf.h for the shapes and where they come from).
 */
#include "initconf.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

struct tok {
	size_t off, len;	/* in the text */
	int ref;		/* mkinitcpio: the ${VAR[@]} of what came before */
};

/* one assignment of VAR */
struct asg {
	size_t start, end;	/* the line, its newline included */
	size_t cs, ce;		/* the list: inside the quotes or parentheses */
	struct tok *t;
	size_t nt;
	size_t line;
	int plus;		/* VAR+=: appends to what came before */
};

struct vlines {
	struct asg *a;
	size_t n;
};

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* the name of the directory path is in */
static int parent_is(const char *path, const char *dir)
{
	const char *b = basename_of(path);
	size_t n = strlen(dir);

	return (size_t)(b - path) > n && b[-1] == '/' &&
	       strncmp(b - 1 - n, dir, n) == 0 &&
	       (b - 1 - n == path || b[-2 - n] == '/');
}

enum initconf_format initconf_format_of(const char *path)
{
	if (parent_is(path, "dracut.conf.d"))
		return INITCONF_DRACUT;
	if (parent_is(path, "mkinitcpio.conf.d"))
		return INITCONF_MKINITCPIO;
	return INITCONF_NONE;
}

/* a byte of a module name or path word: nothing the shell would expand */
static int wordc(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_-.:+@,/", c) != NULL;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* module names compare with '-' and '_' equal; a path (install_items) exactly */
static int nameeq(const char *a, size_t an, const char *b, size_t bn)
{
	int path = memchr(a, '/', an) || memchr(b, '/', bn);

	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		char x = a[i] == '-' && !path ? '_' : a[i], y = b[i] == '-' && !path ? '_' : b[i];

		if (x != y)
			return 0;
	}
	return 1;
}

static void vlines_free(struct vlines *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->a[i].t);
	free(v->a);
	v->a = NULL;
	v->n = 0;
}

static void add_tok(struct asg *a, size_t off, size_t len, int ref)
{
	a->t = xrealloc(a->t, (a->nt + 1) * sizeof(*a->t));
	a->t[a->nt].off = off;
	a->t[a->nt].len = len;
	a->t[a->nt].ref = ref;
	a->nt++;
}

/*
 * The line [s, e) of p as an assignment of var: 1 and *a filled, 0 when it
 * assigns something else (or nothing), -1 with an error printed when it
 * assigns var in a shape this module does not edit.
 */
static int parse_asg(const char *file, size_t lineno, enum initconf_format fmt,
		     const char *p, size_t s, size_t e, const char *var, struct asg *a)
{
	size_t vn = strlen(var), i = s, close;
	int plus = 0;
	char q;
	struct buf ref = BUF_INIT;

	while (i < e && blank(p[i]))
		i++;
	if (e - i < vn || memcmp(p + i, var, vn) != 0)
		return 0;
	i += vn;
	if (i < e && p[i] == '+')
		i++, plus = 1;
	if (i >= e || p[i] != '=')
		return 0;
	i++;
	memset(a, 0, sizeof(*a));
	a->start = s;
	a->line = lineno;
	a->plus = plus;
	q = fmt == INITCONF_DRACUT ? p[i] : '(';
	if (i >= e || (fmt == INITCONF_DRACUT ? (q != '"' && q != '\'') : p[i] != '('))
		goto bad;
	close = fmt == INITCONF_DRACUT ? (size_t)q : ')';
	a->cs = ++i;
	buf_printf(&ref, "${%s[@]}", var);
	while (i < e && p[i] != (char)close) {
		size_t w = i;

		if (blank(p[i])) {
			i++;
			continue;
		}
		if (fmt == INITCONF_MKINITCPIO && e - i >= ref.len &&
		    memcmp(p + i, ref.p, ref.len) == 0) {
			add_tok(a, i, ref.len, 1);
			i += ref.len;
		} else if (fmt == INITCONF_MKINITCPIO && e - i >= ref.len + 2 && p[i] == '"' &&
			   memcmp(p + i + 1, ref.p, ref.len) == 0 && p[i + 1 + ref.len] == '"') {
			add_tok(a, i, ref.len + 2, 1);
			i += ref.len + 2;
		} else {
			while (i < e && wordc(p[i]))
				i++;
			if (i == w)
				goto bad;
			add_tok(a, w, i - w, 0);
		}
		if (i < e && p[i] != (char)close && !blank(p[i]))
			goto bad;
	}
	if (i >= e)
		goto bad;
	a->ce = i++;
	while (i < e && blank(p[i]))
		i++;
	if (i < e && p[i] != '\n' && p[i] != '#')
		goto bad;
	a->end = e;
	buf_free(&ref);
	return 1;
bad:
	free(a->t);
	a->t = NULL;
	errorf_line(file, lineno, "cannot edit this assignment of %s: only %s", var,
		    fmt == INITCONF_DRACUT ? "VAR+=\" WORD... \" on one line" :
		    "VAR=(WORD... ${VAR[@]}) on one line");
	buf_free(&ref);
	return -1;
}

/* every assignment of var in p; -1 after an error */
static int find_var(const char *file, enum initconf_format fmt, const char *p,
		    size_t len, const char *var, struct vlines *v)
{
	size_t s = 0, lineno = 1;

	while (s < len) {
		const char *nl = memchr(p + s, '\n', len - s);
		size_t e = nl ? (size_t)(nl - p) + 1 : len;
		struct asg a;
		int r = parse_asg(file, lineno, fmt, p, s, e, var, &a);

		if (r < 0) {
			vlines_free(v);
			return -1;
		}
		if (r) {
			v->a = xrealloc(v->a, (v->n + 1) * sizeof(*v->a));
			v->a[v->n++] = a;
		}
		s = e;
		lineno++;
	}
	return 0;
}

struct cut {
	size_t off, len;
	const char *ins;	/* inserted at off, or NULL */
};

static int cut_cmp(const void *x, const void *y)
{
	const struct cut *a = x, *b = y;

	return a->off < b->off ? -1 : a->off > b->off;
}

/* the op's argument: VAR then words; all checked */
static int op_words(const char *opname, const char *arg, char **var,
		    char ***w, size_t *nw)
{
	char *s = xstrdup(arg), *save = NULL, *t;

	*var = NULL, *w = NULL, *nw = 0;
	for (t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		size_t i;

		for (i = 0; t[i] && (*var ? wordc(t[i]) :
				     ((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') ||
				      t[i] == '_' || (i && t[i] >= '0' && t[i] <= '9'))); i++)
			;
		if (t[i]) {
			errorf(opname, "'%s': '%s' is not a %s", arg, t,
			       *var ? "module name" : "shell variable name");
			goto fail;
		}
		if (!*var) {
			*var = xstrdup(t);
			continue;
		}
		*w = xrealloc(*w, (*nw + 1) * sizeof(**w));
		(*w)[(*nw)++] = xstrdup(t);
	}
	if (!*var) {
		errorf(opname, "'%s': needs VAR and module names", arg);
		goto fail;
	}
	free(s);
	return 0;
fail:
	free(s);
	for (size_t i = 0; i < *nw; i++)
		free((*w)[i]);
	free(*w);
	free(*var);
	*var = NULL, *w = NULL, *nw = 0;
	return -1;
}

static int has_word(const struct vlines *v, const char *p, const char *w)
{
	for (size_t i = 0; i < v->n; i++)
		for (size_t j = 0; j < v->a[i].nt; j++)
			if (!v->a[i].t[j].ref &&
			    nameeq(p + v->a[i].t[j].off, v->a[i].t[j].len, w, strlen(w)))
				return 1;
	return 0;
}

/* [w, w + n) is one of the space-separated words of list */
static int in_words(const struct buf *list, const char *w, size_t n)
{
	for (const char *s = list->p; s && *s;) {
		size_t k = strcspn(s, " ");

		if (nameeq(s, k, w, n))
			return 1;
		s += k + (s[k] == ' ');
	}
	return 0;
}

/*
 * One op on in into out.  before: the words the earlier ops of this call
 * added to this op's VAR (space-separated); added: where this op's go.
 */
static int one_op(const char *file, enum initconf_format fmt, const struct modconf_op *op,
		  const struct buf *before, struct buf *added, const struct buf *in, struct buf *out)
{
	const char *p = in->p ? in->p : "", *opname = modconf_opname(op->kind);
	struct vlines v = { NULL, 0 };
	struct cut *c = NULL;
	size_t nc = 0, nw, i, j, at = 0;
	struct buf add = BUF_INIT, tail = BUF_INIT;
	char *var, **w;
	int r = 0;

	if (op->kind != MODCONF_SET && op->kind != MODCONF_DEL) {
		errorf(opname, "'%s': only --set and --del edit a module list", op->arg);
		return -1;
	}
	if (op_words(opname, op->arg, &var, &w, &nw) < 0)
		return -1;
	if (op->kind == MODCONF_SET && nw == 0) {
		errorf(opname, "'%s': needs VAR and module names", op->arg);
		r = -1;
		goto out;
	}
	if (find_var(file, fmt, p, in->len, var, &v) < 0) {
		r = -1;
		goto out;
	}
	c = xcalloc(2 * (in->len + nw) + 4, sizeof(*c));
	if (op->kind == MODCONF_SET) {
		for (i = 0; i < nw; i++) {
			int dup = has_word(&v, p, w[i]);

			for (j = 0; j < i && !dup; j++)
				dup = nameeq(w[i], strlen(w[i]), w[j], strlen(w[j]));
			if (dup)
				continue;
			if (add.len)
				buf_addc(&add, ' ');
			buf_adds(&add, w[i]);
		}
		if (!add.len)
			goto done;
		buf_printf(added, "%s%s", added->len ? " " : "", add.p);
		if (!v.n) {
			if (in->len && p[in->len - 1] != '\n')
				buf_addc(&tail, '\n');
			if (fmt == INITCONF_DRACUT)
				buf_printf(&tail, "%s+=\" %s \"\n", var, add.p);
			else
				buf_printf(&tail, "%s=(%s ${%s[@]})\n", var, add.p, var);
			goto done;
		}
		/*
		 * Ahead of every word of the file's first VAR line (mkinitcpio:
		 * of what came before, too): the list is a load order (dracut
		 * modprobes force_drivers one by one, rd.driver.pre in
		 * modules.d/80base/parse-kernel.sh; mkinitcpio's init runs
		 * "modprobe -qab $MODULES"), and vfio-pci must claim its device
		 * before a driver such as i915 or amdgpu in the list does.  Words
		 * the earlier ops of this call put there come first, so that
		 * --set 'V a' --set 'V b' gives the order of --set 'V a b'.
		 */
		{
			const struct asg *a = &v.a[0];
			size_t off = a->nt ? a->t[0].off : a->ce, lead = 0;
			struct buf b = BUF_INIT;

			while (lead < a->nt && !a->t[lead].ref &&
			       in_words(before, p + a->t[lead].off, a->t[lead].len))
				lead++;

			if (fmt == INITCONF_MKINITCPIO && a->plus)
				warnf(file, a->line, "%s+=(...) adds after what mkinitcpio.conf and the "
				      "drop-ins before this one list: %s load after those; "
				      "%s=(%s ${%s[@]}) puts them first", var, add.p, var, add.p, var);
			if (lead) {
				off = a->t[lead - 1].off + a->t[lead - 1].len;
				buf_printf(&b, " %s", add.p);
			} else if (a->nt)
				buf_printf(&b, "%s ", add.p);
			else if (a->ce == a->cs)
				buf_printf(&b, fmt == INITCONF_DRACUT ? " %s " : "%s", add.p);
			else if (blank(p[a->ce - 1]))
				buf_printf(&b, "%s ", add.p);
			else
				buf_printf(&b, " %s", add.p);
			buf_free(&add);
			add = b;
			c[nc++] = (struct cut){ off, 0, add.p };
		}
		goto done;
	}
	for (i = 0; i < v.n; i++) {
		const struct asg *a = &v.a[i];
		size_t left = 0, k;
		unsigned char *gone = xcalloc(a->nt + 1, 1);

		for (k = 0; k < a->nt; k++) {
			for (j = 0; j < nw && !a->t[k].ref; j++)
				if (nameeq(p + a->t[k].off, a->t[k].len, w[j], strlen(w[j])))
					gone[k] = 1;
			if (!nw && !a->t[k].ref)
				gone[k] = 1;
			if (!gone[k] && !a->t[k].ref)
				left++;
		}
		if (!left) {
			/* no word left: the line goes */
			for (k = 0; k < a->nt && !gone[k]; k++)
				;
			if (k < a->nt || !nw)
				c[nc++] = (struct cut){ a->start, a->end - a->start, NULL };
		} else {
			int lead = 1;	/* in the run of words going at the start */

			for (k = 0; k < a->nt; k++) {
				size_t from, to;

				if (!gone[k]) {
					lead = 0;
					continue;
				}
				/* with the blanks before it; at the start, those after */
				if (!lead) {
					from = a->t[k - 1].off + a->t[k - 1].len;
					to = a->t[k].off + a->t[k].len;
				} else {
					from = a->t[k].off;
					to = a->t[k + 1].off;	/* a word is left after it */
				}
				c[nc++] = (struct cut){ from, to - from, NULL };
			}
		}
		free(gone);
	}
done:
	qsort(c, nc, sizeof(*c), cut_cmp);
	for (i = 0; i < nc; i++) {
		if (c[i].off < at)	/* inside a line already cut */
			continue;
		buf_add(out, p + at, c[i].off - at);
		if (c[i].ins)
			buf_adds(out, c[i].ins);
		at = c[i].off + c[i].len;
	}
	buf_add(out, p + at, in->len - at);
	buf_add(out, tail.p ? tail.p : "", tail.len);
out:
	free(c);
	vlines_free(&v);
	buf_free(&add);
	buf_free(&tail);
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	free(var);
	return r;
}

int initconf_edit(const char *file, enum initconf_format fmt,
		  const struct modconf_op *ops, size_t nops,
		  const struct buf *in, struct buf *out)
{
	struct buf cur = BUF_INIT, *added = xcalloc(nops + 1, sizeof(*added));
	char **vars = xcalloc(nops + 1, sizeof(*vars));
	int r = 0;

	if (memchr(in->p ? in->p : "", '\0', in->len)) {
		errorf(file, "a NUL byte: not a text file");
		return -1;
	}
	buf_add(&cur, in->p ? in->p : "", in->len);
	for (size_t i = 0; i < nops && r == 0; i++) {
		struct buf next = BUF_INIT, none = BUF_INIT, *mine = &none;
		size_t k, vn = strcspn(ops[i].arg + strspn(ops[i].arg, " \t"), " \t");
		const char *v = ops[i].arg + strspn(ops[i].arg, " \t");

		/* the words added so far to this op's VAR, by --set; a --del forgets them */
		for (k = 0; k < i && !(vars[k] && strlen(vars[k]) == vn && !strncmp(vars[k], v, vn)); k++)
			;
		if (k == i)
			vars[i] = xstrndup(v, vn);
		else
			mine = &added[k];
		if (ops[i].kind != MODCONF_SET)
			buf_reset(mine);
		if (one_op(file, fmt, &ops[i], mine, mine == &none ? &added[i] : mine, &cur, &next) < 0)
			r = -1;
		buf_free(&none);
		buf_free(&cur);
		cur = next;
	}
	for (size_t i = 0; i < nops; i++) {
		buf_free(&added[i]);
		free(vars[i]);
	}
	free(added);
	free(vars);
	if (r < 0) {
		buf_free(&cur);
		return -1;
	}
	/*
	 * mkinitcpio concatenates mkinitcpio.conf and every drop-in into one
	 * file before it sources it (mkinitcpio: cat -- "$_d_config/$conf"
	 * >> "$tmpfile"): a drop-in before this one that lacks its final
	 * newline would glue its last line to this file's first and break
	 * every build.  A drop-in an edit changes starts with a newline; one
	 * left with nothing but that newline is empty.  (mkinitcpio.conf
	 * itself comes first.)
	 */
	if (fmt == INITCONF_MKINITCPIO && strcmp(basename_of(file), "mkinitcpio.conf") != 0 &&
	    (cur.len != in->len || memcmp(cur.p ? cur.p : "", in->p ? in->p : "", cur.len))) {
		if (cur.len == 1 && cur.p[0] == '\n') {
			cur.len = 0;
		} else if (cur.len && cur.p[0] != '\n') {
			struct buf sep = BUF_INIT;

			buf_addc(&sep, '\n');
			buf_add(&sep, cur.p, cur.len);
			buf_free(&cur);
			cur = sep;
		}
	}
	buf_add(out, cur.p ? cur.p : "", cur.len);
	buf_free(&cur);
	return 0;
}
