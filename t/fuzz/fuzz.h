/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every harness in t/fuzz shares: the library's diagnostics sent to
 * /dev/null (a refused input prints one per run), a property check that
 * aborts with the property named, and the split of a fuzz input into the
 * text under test and the edit ops that follow a NUL byte.
 *
 * Input layout: TEXT [ '\0' OP [ '\0' OP ... ] ].  No format under test
 * takes a NUL, so the seeds are real files byte for byte and the fuzzer
 * learns to append ops; an input without one gets a default op picked from
 * a table of the guide's real edits.  An OP is one byte choosing the kind,
 * then its argument.
 */
#ifndef VFIOKIT_FUZZ_H
#define VFIOKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static FILE *fuzz_err;

/* the library's diagnostics (err.c's one sink) to nowhere; FUZZ_VERBOSE=1 keeps them */
__attribute__((unused))
static void fuzz_quiet(void)
{
	fuzz_err = stderr;
	if (!getenv("FUZZ_VERBOSE"))
		err_set_stream(NULL);
}

/* an LLVMFuzzerInitialize that only quiets the library */
#define FUZZ_QUIET_INIT \
	int LLVMFuzzerInitialize(int *argc, char ***argv); \
	int LLVMFuzzerInitialize(int *argc, char ***argv) \
	{ \
		(void)argc; \
		(void)argv; \
		fuzz_quiet(); \
		return 0; \
	}

__attribute__((unused))
static void fuzz_dump(const char *what, const char *p, size_t n)
{
	size_t i;

	fprintf(fuzz_err, "  %s (%zu bytes): \"", what, n);
	for (i = 0; i < n && i < 2048; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\' || c == '"')
			fprintf(fuzz_err, "\\%c", c);
		else if (c >= 32 && c < 127)
			fputc(c, fuzz_err);
		else
			fprintf(fuzz_err, "\\x%02x", c);
	}
	fprintf(fuzz_err, "\"%s\n", n > 2048 ? "..." : "");
}

/* a property that must hold: print what broke, then abort() for libFuzzer */
#define PROP(cond, ...) do { \
	if (!(cond)) { \
		if (!fuzz_err) \
			fuzz_err = stderr; \
		fprintf(fuzz_err, "%s:%d: property violated: %s\n  ", __FILE__, __LINE__, #cond); \
		fprintf(fuzz_err, __VA_ARGS__); \
		fputc('\n', fuzz_err); \
		fflush(fuzz_err); \
		abort(); \
	} \
} while (0)

#define FUZZ_MAX_OPS 4

struct fuzz_op {
	unsigned kind;		/* the first byte */
	char *arg;		/* the rest, NUL-terminated; the caller frees */
};

struct fuzz_input {
	const char *text;	/* points into the input: not NUL-terminated */
	size_t len;
	struct fuzz_op op[FUZZ_MAX_OPS];
	size_t nops;
	int defaulted;		/* no op in the input: op[0] is a table pick */
};

/* split data; ops beyond FUZZ_MAX_OPS are ignored */
__attribute__((unused))
static void fuzz_split(const uint8_t *data, size_t size, struct fuzz_input *in)
{
	const char *p = (const char *)data;
	const char *nul = memchr(p, '\0', size);
	size_t pos;

	memset(in, 0, sizeof(*in));
	in->text = p;
	in->len = nul ? (size_t)(nul - p) : size;
	pos = nul ? in->len + 1 : size;
	while (pos < size && in->nops < FUZZ_MAX_OPS) {
		const char *e = memchr(p + pos, '\0', size - pos);
		size_t end = e ? (size_t)(e - p) : size;
		size_t n = end > pos ? end - pos - 1 : 0;
		struct fuzz_op *o = &in->op[in->nops++];

		o->kind = end > pos ? (unsigned char)p[pos] : 0;
		o->arg = malloc(n + 1);
		if (!o->arg)
			abort();
		if (n)
			memcpy(o->arg, p + pos + 1, n);
		o->arg[n] = '\0';
		pos = end + 1;
	}
}

/* no op given: the one the table holds at a hash of the text */
__attribute__((unused))
static void fuzz_default_op(struct fuzz_input *in, const char *const *table, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	if (in->nops)
		return;
	for (i = 0; i < in->len; i++)
		h = (h ^ (unsigned char)in->text[i]) * 16777619u;
	in->op[0].kind = table[h % n][0];
	in->op[0].arg = strdup(table[h % n] + 1);
	if (!in->op[0].arg)
		abort();
	in->nops = 1;
	in->defaulted = 1;
}

__attribute__((unused))
static void fuzz_free(struct fuzz_input *in)
{
	size_t i;

	for (i = 0; i < in->nops; i++)
		free(in->op[i].arg);
}

__attribute__((unused))
static int same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

#endif
