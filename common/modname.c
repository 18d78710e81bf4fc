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
	x = xstrndup(a, alen);
	y = xstrndup(b, blen);
	modname_normalize(x);
	modname_normalize(y);
	eq = strcmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}
