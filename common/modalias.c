/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "modalias.h"
#include "buf.h"
#include "err.h"
#include "modname.h"
#include "rootpath.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

struct rule {
	const char *pat;
	const char *mod;
	size_t order;
};

/* one alias file's rules, "pci:v0000VVVV..." patterns bucketed by vendor */
struct ruleset {
	struct rule *r;		/* sorted: literal-vendor pci rules by key, then the rest */
	size_t n;
	size_t nkeyed;		/* r[0..nkeyed) have a literal vendor key */
	struct buf text;
};

struct modalias_db {
	struct ruleset alias, builtin;
	int has_builtin;
};

/* the 8 hex digits after "pci:v" when they hold no glob character */
static long vendor_key(const char *pat)
{
	long v = 0;
	int i;

	if (strncmp(pat, "pci:v", 5) != 0)
		return -1;
	for (i = 5; i < 13; i++) {
		int c = (unsigned char)pat[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (c - '0');
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (c - 'A' + 10);
		else
			return -1;	/* '*', '?', '[' or the end */
	}
	return v;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;
	long kx = vendor_key(x->pat), ky = vendor_key(y->pat);

	if ((kx < 0) != (ky < 0))
		return kx < 0 ? 1 : -1;
	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int load(struct ruleset *rs, const char *root, const char *path)
{
	char *p, *line;
	size_t cap = 0, order = 0;
	int r = root_read(root, path, &rs->text, BUF_MAX_FILE);

	if (r < 0)
		return r;
	for (p = rs->text.p; p && *p; ) {
		char *eol = strchr(p, '\n'), *pat, *mod, *save = NULL;

		if (eol)
			*eol = '\0';
		line = p;
		p = eol ? eol + 1 : p + strlen(p);
		if (strncmp(line, "alias", 5) != 0 ||
		    (line[5] != ' ' && line[5] != '\t'))
			continue;
		pat = strtok_r(line + 5, " \t", &save);
		mod = strtok_r(NULL, " \t", &save);
		if (!pat || !mod)
			continue;
		if (rs->n == cap) {
			cap = cap ? 2 * cap : 1024;
			rs->r = xrealloc(rs->r, cap * sizeof(*rs->r));
		}
		rs->r[rs->n].pat = pat;
		rs->r[rs->n].mod = mod;
		rs->r[rs->n].order = order++;
		rs->n++;
	}
	if (rs->n > 1)
		qsort(rs->r, rs->n, sizeof(*rs->r), cmp_rule);
	while (rs->nkeyed < rs->n && vendor_key(rs->r[rs->nkeyed].pat) >= 0)
		rs->nkeyed++;
	return 0;
}

int modalias_open(const char *dir, struct modalias_db **out, char **where)
{
	return modalias_open_root(NULL, dir, out, where);
}

/* the path under root for a message */
static char *shown(const char *root, struct buf *path)
{
	char *s;

	if (!root)
		return buf_detach(path);
	s = root_path(root, path->p);
	buf_free(path);
	return s;
}

int modalias_open_root(const char *root, const char *dir, struct modalias_db **out,
		       char **where)
{
	struct modalias_db *db = xcalloc(1, sizeof(*db));
	struct buf path = BUF_INIT;
	int r;

	*where = NULL;
	buf_printf(&path, "%s/modules.alias", dir);
	if ((r = load(&db->alias, root, path.p)) < 0) {
		*where = shown(root, &path);
		modalias_close(db);
		return r;
	}
	buf_reset(&path);
	buf_printf(&path, "%s/modules.builtin.alias", dir);
	r = load(&db->builtin, root, path.p);
	if (r < 0 && r != -ENOENT) {
		*where = shown(root, &path);
		modalias_close(db);
		return r;
	}
	db->has_builtin = r == 0;
	buf_free(&path);
	*out = db;
	return 0;
}

static void ruleset_free(struct ruleset *rs)
{
	free(rs->r);
	buf_free(&rs->text);
}

int modalias_open_release(const char *root, const char *rel, struct modalias_db **out,
			  char **where)
{
	struct buf dir = BUF_INIT;
	int r;

	/* read inside the root (common/rootpath), as every file under --root */
	buf_printf(&dir, "%s/%s", root_modules(root), rel);
	r = modalias_open_root(root, dir.p, out, where);
	buf_free(&dir);
	return r;
}

void modalias_close(struct modalias_db *db)
{
	if (!db)
		return;
	ruleset_free(&db->alias);
	ruleset_free(&db->builtin);
	free(db);
}

struct hit {
	const char *mod;
	size_t order;
};

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static void add_hit(struct hit **h, size_t *nh, const struct rule *r)
{
	*h = xgrow1(*h, *nh, sizeof(**h));
	(*h)[(*nh)++] = (struct hit){ r->mod, r->order };
}

static size_t match_set(const struct ruleset *rs, const char *alias, const char ***mods)
{
	struct hit *h = NULL;
	size_t nh = 0, i, n = 0, lo = 0, hi = rs->nkeyed;
	long key = vendor_key(alias);

	/* the rules with this literal vendor: a binary search for the first */
	if (key >= 0) {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (vendor_key(rs->r[mid].pat) < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo; i < rs->nkeyed && vendor_key(rs->r[i].pat) == key; i++)
			if (fnmatch(rs->r[i].pat, alias, 0) == 0)
				add_hit(&h, &nh, &rs->r[i]);
	} else {
		for (i = 0; i < rs->nkeyed; i++)
			if (fnmatch(rs->r[i].pat, alias, 0) == 0)
				add_hit(&h, &nh, &rs->r[i]);
	}
	for (i = rs->nkeyed; i < rs->n; i++)
		if (fnmatch(rs->r[i].pat, alias, 0) == 0)
			add_hit(&h, &nh, &rs->r[i]);
	if (nh)
		qsort(h, nh, sizeof(*h), cmp_hit);
	*mods = xmalloc((nh ? nh : 1) * sizeof(**mods));
	for (i = 0; i < nh; i++) {
		size_t j;

		for (j = 0; j < n && strcmp((*mods)[j], h[i].mod) != 0; j++)
			;
		if (j == n)
			(*mods)[n++] = h[i].mod;
	}
	free(h);
	return n;
}

size_t modalias_lookup(const struct modalias_db *db, const char *alias,
		       const char ***mods)
{
	size_t n = match_set(&db->alias, alias, mods);

	if (n == 0 && db->has_builtin) {
		free(*mods);
		n = match_set(&db->builtin, alias, mods);
	}
	return n;
}

const char *modalias_driver_module(const struct modalias_db *db, const char *alias,
				   const char *driver)
{
	const char **m, *found = NULL;
	size_t n = modalias_lookup(db, alias, &m), i;

	for (i = 0; i < n && !found; i++) {
		const char *a = m[i], *b = driver;

		while (*a && *b && (*a == *b || (strchr("-_", *a) && strchr("-_", *b))))
			a++, b++;
		if (!*a && !*b)
			found = m[i];
	}
	free(m);
	return found;
}

char *modalias_builtin_read(const char *root, const char *rel)
{
	struct buf path = BUF_INIT;
	char *text;

	if (!rel)
		return NULL;
	buf_printf(&path, "%s/%s/modules.builtin", root_modules(root), rel);
	text = root_read_file(root, path.p);
	buf_free(&path);
	return text;
}

/*
 * The link alone does not tell: drivers/base/module.c module_add_driver()
 * links a built-in driver to its /sys/module entry too (kernel/params.c
 * makes one for a built-in with parameters; newer kernels one for every
 * built-in driver, lookup_or_create_module_kobject(), "drivers: base:
 * handle module_kobject creation"), so modules.builtin decides, as kmod
 * does (libkmod kmod_module_get_initstate(): KMOD_MODULE_BUILTIN).
 */
const char *modalias_bound_module(const struct modalias_db *db, const char *builtin,
				  const char *link, const char *driver, const char *alias)
{
	const char *mod = link;

	if (!mod && driver && db && alias)
		mod = modalias_driver_module(db, alias, driver);
	if (mod && builtin && modname_listed(builtin, mod))
		return NULL;
	return mod;
}
