/*
 * An oracle for the command-line harnesses: the kernel's own splitting,
 * lib/cmdline.c next_arg() and kernel/params.c parse_args() copied as they
 * stand (on a writable NUL-terminated copy), written apart from
 * common/cmdline.c so the two can disagree.
 */
#ifndef VFIOKIT_KPARSE_H
#define VFIOKIT_KPARSE_H

#include <stdlib.h>
#include <string.h>

struct kparam {
	char *key;
	char *val;		/* NULL: no '=' */
};

struct kline {
	struct kparam *p;
	size_t n;
	char *copy;
};

static int k_isspace(unsigned char c)
{
	return (c >= 9 && c <= 13) || c == ' ' || c == 160;	/* lib/ctype.c */
}

static char *k_skip_spaces(char *s)
{
	while (k_isspace((unsigned char)*s))
		s++;
	return s;
}

static char *k_next_arg(char *args, char **param, char **val)
{
	unsigned int i, equals = 0;
	int in_quote = 0, quoted = 0;

	if (*args == '"') {
		args++;
		in_quote = 1;
		quoted = 1;
	}
	for (i = 0; args[i]; i++) {
		if (k_isspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0) {
			if (args[i] == '=')
				equals = i;
		}
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* Don't include quotes in value. */
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args += i;
	}
	return k_skip_spaces(args);
}

/* the kernel's parameters of text (those before a bare "--") */
static void kline_parse(struct kline *kl, const char *text, size_t len)
{
	char *args;

	memset(kl, 0, sizeof(*kl));
	kl->copy = malloc(len + 1);
	kl->p = malloc((len / 2 + 2) * sizeof(*kl->p));
	if (!kl->copy || !kl->p)
		abort();
	memcpy(kl->copy, text, len);
	kl->copy[len] = '\0';
	args = k_skip_spaces(kl->copy);
	while (*args) {
		char *param, *val;

		args = k_next_arg(args, &param, &val);
		if (!val && strcmp(param, "--") == 0)
			break;
		kl->p[kl->n].key = param;
		kl->p[kl->n].val = val;
		kl->n++;
	}
}

static void kline_free(struct kline *kl)
{
	free(kl->copy);
	free(kl->p);
}

static int k_parameq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

static int k_val_eq(const char *a, const char *b)
{
	return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* the params equal, one by one; skip names a key left out of both (or NULL) */
static int kline_eq(const struct kline *a, const struct kline *b, const char *skip)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n && skip && k_parameq(a->p[i].key, skip))
			i++;
		while (j < b->n && skip && k_parameq(b->p[j].key, skip))
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (strcmp(a->p[i].key, b->p[j].key) != 0 || !k_val_eq(a->p[i].val, b->p[j].val))
			return 0;
		i++;
		j++;
	}
}

#endif
