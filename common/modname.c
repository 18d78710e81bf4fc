/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "modname.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

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

int modname_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *eol = p + strcspn(p, "\n"), *end = p + strcspn(p, ":\n");
		const char *b = end;
		size_t k;

		while (b > p && b[-1] != '/')
			b--;
		/* kernel/drivers/vfio/pci/vfio-pci.ko(.xz|.zst|.gz): '-' and '_' alike */
		for (k = 0; k < n && b + k < end; k++) {
			char x = b[k] == '-' ? '_' : b[k], y = name[k] == '-' ? '_' : name[k];

			if (x != y)
				break;
		}
		if (k == n && strncmp(b + n, ".ko", 3) == 0)
			return 1;
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}
