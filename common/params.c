/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "params.h"
#include "err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int param_eq(const char *a, size_t alen, const char *b, size_t blen)
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

int param_is_ids(const char *key, size_t klen)
{
	/* kmod_config_parse_kcmdline(): MODULE.NAME splits at the first '.' */
	const char *dot = memchr(key, '.', klen);

	if (dot) {
		klen -= (size_t)(dot + 1 - key);
		key = dot + 1;
	}
	return param_eq(key, klen, "ids", 3);
}

int param_id_ok(const char *s, size_t n)
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

int param_item_eq(const char *a, size_t alen, const char *b, size_t blen, int ids)
{
	if (alen != blen)
		return 0;
	return ids ? strncasecmp(a, b, alen) == 0 : memcmp(a, b, alen) == 0;
}

void param_items_add(struct param_items *it, const char *s, size_t n)
{
	it->v = xgrow1(it->v, it->n, sizeof(*it->v));
	it->v[it->n++] = xstrndup(s, n);
}

void param_items_split(struct param_items *it, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != ',')
			j++;
		if (j > i)
			param_items_add(it, s + i, j - i);
		i = j + 1;
	}
}

long param_items_find(const struct param_items *it, const char *s, size_t n, int ids)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (param_item_eq(it->v[i], strlen(it->v[i]), s, n, ids))
			return (long)i;
	return -1;
}

void param_items_join(const struct param_items *it, struct buf *out)
{
	size_t i;

	buf_add(out, "", 0);
	for (i = 0; i < it->n; i++) {
		if (i)
			buf_addc(out, ',');
		buf_adds(out, it->v[i]);
	}
}

void param_items_free(struct param_items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i]);
	free(it->v);
	it->v = NULL;
	it->n = 0;
}
