/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a command-line op promises, checked in the kernel's reading
 * (kparse.h) of the line before (a) and after (b): shared by the
 * cmdline and GRUB harnesses.
 */
#ifndef VFIOKIT_CMDPROPS_H
#define VFIOKIT_CMDPROPS_H

#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "fuzz.h"
#include "kparse.h"

struct items {
	const char *p[64];
	size_t len[64];
	size_t n;
	int empty;		/* an empty item, or more than 64 */
};

static void items_of(const char *list, struct items *it)
{
	memset(it, 0, sizeof(*it));
	for (;;) {
		size_t n = strcspn(list, ",");

		if (n == 0 || it->n == 64)
			it->empty = 1;
		else {
			it->p[it->n] = list;
			it->len[it->n++] = n;
		}
		if (!list[n])
			return;
		list += n + 1;
	}
}

/*
 * KEY's NAME (after "MODULE.") is ids: items are PCI ids, read with %x by
 * drivers/vfio/pci/vfio_pci.c vfio_pci_fill_ids(), so case is not data
 */
static int key_is_ids(const char *key)
{
	const char *dot = strchr(key, '.');

	return k_parameq(dot ? dot + 1 : key, "ids");
}

static int item_same(const char *a, const char *b, size_t n, int ids)
{
	return ids ? strncasecmp(a, b, n) == 0 : memcmp(a, b, n) == 0;
}

static int list_holds(const char *list, const char *item, size_t n, int ids)
{
	for (;;) {
		size_t len = strcspn(list, ",");

		if (len == n && item_same(list, item, n, ids))
			return 1;
		if (!list[len])
			return 0;
		list += len + 1;
	}
}

/* what the op promises, in the kernel's reading of input (a) and output (b) */
static void check_meaning(enum cl_op op, const char *arg, const struct kline *a,
			  const struct kline *b)
{
	const char *eq = strchr(arg, '=');
	char *key = strndup(arg, eq ? (size_t)(eq - arg) : strlen(arg));
	const char *val = eq ? eq + 1 : NULL;
	size_t i, j, na = 0, nb = 0, last = 0;
	struct items it;

	if (!key)
		abort();
	for (i = 0; i < a->n; i++)
		na += k_parameq(a->p[i].key, key);
	for (i = 0; i < b->n; i++)
		if (k_parameq(b->p[i].key, key))
			nb++, last = i;
	switch (op) {
	case CL_SET:
		PROP(nb == 1, "--set '%s': KEY %zu times after", arg, nb);
		PROP(k_val_eq(b->p[last].val, val), "--set '%s': the value read back is '%s'",
		     arg, b->p[last].val ? b->p[last].val : "(none)");
		PROP(kline_eq(a, b, key), "--set '%s' changed another parameter", arg);
		break;
	case CL_ADD:
		for (i = 0; i < a->n; i++)
			if (k_parameq(a->p[i].key, key) && k_val_eq(a->p[i].val, val))
				break;
		if (i < a->n) {
			PROP(kline_eq(a, b, NULL), "--add '%s' changed a line that had it", arg);
			break;
		}
		PROP(b->n == a->n + 1, "--add '%s': %zu parameters after %zu", arg, b->n, a->n);
		for (i = 0; i < a->n; i++)
			PROP(strcmp(a->p[i].key, b->p[i].key) == 0 && k_val_eq(a->p[i].val, b->p[i].val),
			     "--add '%s' changed parameter %zu", arg, i);
		PROP(strcmp(b->p[a->n].key, key) == 0 && k_val_eq(b->p[a->n].val, val),
		     "--add '%s' appended something else", arg);
		break;
	case CL_DEL:
		for (i = 0, j = 0; i < a->n; i++) {
			if (k_parameq(a->p[i].key, key) && (!eq || k_val_eq(a->p[i].val, val)))
				continue;
			PROP(j < b->n && strcmp(a->p[i].key, b->p[j].key) == 0 &&
			     k_val_eq(a->p[i].val, b->p[j].val), "--del '%s' removed or changed another parameter", arg);
			j++;
		}
		PROP(j == b->n, "--del '%s' left a match", arg);
		break;
	case CL_MERGE:
		PROP(nb == (na ? na : 1), "--merge '%s': KEY %zu times after %zu", arg, nb, na);
		PROP(b->p[last].val, "--merge '%s': no value after", arg);
		items_of(val, &it);
		/*
		 * what the kernel keeps: a module's parameter (MODULE.NAME) is
		 * set anew by each occurrence, so the last must hold every item;
		 * any other's handler runs for each (parse_args()), so each item
		 * must be in one occurrence or another
		 */
		for (i = 0; i < it.n; i++) {
			int held = list_holds(b->p[last].val, it.p[i], it.len[i], key_is_ids(key));

			for (j = 0; j < b->n && !held && !strchr(key, '.'); j++)
				held = k_parameq(b->p[j].key, key) && b->p[j].val &&
				       list_holds(b->p[j].val, it.p[i], it.len[i], key_is_ids(key));
			PROP(held, "--merge '%s': item '%.*s' missing from '%s'", arg, (int)it.len[i],
			     it.p[i], b->p[last].val);
		}
		PROP(kline_eq(a, b, key), "--merge '%s' changed another parameter", arg);
		break;
	case CL_UNMERGE:
		items_of(val, &it);
		for (j = 0; j < b->n; j++)
			for (i = 0; i < it.n; i++)
				PROP(!k_parameq(b->p[j].key, key) || !b->p[j].val ||
				     !list_holds(b->p[j].val, it.p[i], it.len[i], key_is_ids(key)),
				     "--unmerge '%s': item '%.*s' still in '%s'", arg, (int)it.len[i],
				     it.p[i], b->p[j].val);
		PROP(kline_eq(a, b, key), "--unmerge '%s' changed another parameter", arg);
		break;
	case CL_GET:
		break;
	}
	free(key);
}

/* --merge ITEMS then --unmerge ITEMS restores the parameters when KEY held none */
__attribute__((unused))
static int merge_reversible(const struct kline *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct items it;
	size_t i, k;
	int ok = 1;
	char *key = strndup(arg, (size_t)(eq - arg));

	if (!key)
		abort();
	items_of(eq + 1, &it);
	for (i = 0; i < it.n; i++)
		for (k = 0; k < i; k++)
			if (it.len[k] == it.len[i] && item_same(it.p[k], it.p[i], it.len[i], key_is_ids(key)))
				ok = 0;
	if (it.empty || it.n == 0)
		ok = 0;
	for (k = 0; k < a->n && ok; k++) {
		if (!k_parameq(a->p[k].key, key))
			continue;
		/* a bare KEY or an empty list empties, and goes, on --unmerge */
		if (!a->p[k].val || !*a->p[k].val)
			ok = 0;
		for (i = 0; i < it.n && ok; i++)
			if (list_holds(a->p[k].val, it.p[i], it.len[i], key_is_ids(key)))
				ok = 0;
	}
	free(key);
	return ok;
}

#endif
