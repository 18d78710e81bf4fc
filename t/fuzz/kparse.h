/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An oracle for the command-line harnesses: a kernel command line split
 * into parameters as the kernel does it at boot.  The rules are those of
 * lib/cmdline.c next_arg() and kernel/params.c parse_args(); this is our
 * own code for them, kept apart from common/cmdline.c (a different shape:
 * a token is measured first, then cut into spans) so that the two can
 * disagree.  The rules, for one token:
 *
 *   - blanks are the kernel's isspace(): 9 to 13, ' ', and 0xa0 (lib/ctype.c
 *     counts Latin-1's no-break space as a space); blanks between tokens
 *     are skipped;
 *   - a token runs to the first blank outside double quotes; every '"'
 *     opens or closes a quote, and one left open runs to the end;
 *   - a token that starts with '"' loses that quote; the name is the text
 *     before the first '=' that is not the token's first byte (after that
 *     opening quote), the value what follows it; no such '=': no value;
 *   - a value that starts with '"' loses it; then, if the value starts with
 *     '"' or the token did, a '"' ending the token is dropped (one byte at
 *     most, whichever string it ends);
 *   - a bare "--" (no value) ends the kernel's parameters: the rest is
 *     init's.
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
	char *copy;		/* the keys and values, each NUL-terminated */
};

static int kp_blank(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

/* one token of s[0..len): its extent, and the spans of its name and value */
struct ktok {
	size_t end;		/* the byte after the token */
	size_t key, keyend;
	size_t val, valend;
	int has_val;
};

static void kp_token(const char *s, size_t len, size_t at, struct ktok *t)
{
	int opened = s[at] == '"';
	size_t body = at + (size_t)opened, i, eq = 0;
	int quoting = opened, strip;

	for (i = body; i < len && (quoting || !kp_blank(s[i])); i++) {
		if (s[i] == '=' && !eq && i > body)
			eq = i;
		if (s[i] == '"')
			quoting = !quoting;
	}
	t->end = i;
	t->key = body;
	t->has_val = eq != 0;
	if (!t->has_val) {
		t->keyend = i;
		t->val = t->valend = i;
	} else {
		t->keyend = eq;
		t->val = eq + 1;
		t->valend = i;
	}
	/* the last byte of the token, if a '"' that one of the quotes claims */
	strip = i > body && s[i - 1] == '"' &&
		(opened || (t->has_val && t->val < i && s[t->val] == '"'));
	if (t->has_val && t->val < i && s[t->val] == '"')
		t->val++;
	if (strip) {
		if (t->has_val && t->valend > t->keyend)
			t->valend = i - 1;
		else if (!t->has_val)
			t->keyend = i - 1;
	}
	if (t->valend < t->val)
		t->valend = t->val;
}

/* append s[from..to) and a NUL at *w; return where it starts */
static char *kp_put(char *out, size_t *w, const char *s, size_t from, size_t to)
{
	char *start = out + *w;

	memcpy(start, s + from, to - from);
	*w += to - from;
	out[(*w)++] = '\0';
	return start;
}

/* the kernel's parameters of text (those before a bare "--") */
static void kline_parse(struct kline *kl, const char *text, size_t len)
{
	size_t at = 0, w = 0;

	len = strnlen(text, len);	/* the kernel sees a C string */
	memset(kl, 0, sizeof(*kl));
	kl->copy = malloc(2 * len + 2);
	kl->p = malloc((len / 2 + 2) * sizeof(*kl->p));
	if (!kl->copy || !kl->p)
		abort();
	for (;;) {
		struct ktok t;
		struct kparam *kp;

		while (at < len && kp_blank(text[at]))
			at++;
		if (at == len)
			break;
		kp_token(text, len, at, &t);
		at = t.end;
		if (!t.has_val && t.keyend - t.key == 2 && memcmp(text + t.key, "--", 2) == 0)
			break;
		kp = &kl->p[kl->n++];
		kp->key = kp_put(kl->copy, &w, text, t.key, t.keyend);
		kp->val = t.has_val ? kp_put(kl->copy, &w, text, t.val, t.valend) : NULL;
	}
}

static void kline_free(struct kline *kl)
{
	free(kl->copy);
	free(kl->p);
}

/* kernel/params.c parameq(): '-' and '_' are the same in names */
static int k_parameq(const char *a, const char *b)
{
	size_t i;

	for (i = 0; a[i] || b[i]; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return 0;
	}
	return 1;
}

static int k_val_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* the params equal, one by one; skip names a key left out of both (or NULL) */
static int kline_eq(const struct kline *a, const struct kline *b, const char *skip)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (skip && i < a->n && k_parameq(a->p[i].key, skip))
			i++;
		while (skip && j < b->n && k_parameq(b->p[j].key, skip))
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
