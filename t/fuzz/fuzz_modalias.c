/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for common/modalias: which modules' aliases match a
 * device's modalias, against a plain oracle: every "alias PATTERN MODULE"
 * line in file order, fnmatch(3) with no flags, each module once, the
 * builtin file asked only when modules.alias has no match.
 *
 * Input: MODULES.ALIAS ['\0' MODULES.BUILTIN.ALIAS ['\0' MODALIAS...]].
 * The modaliases asked: those after the second NUL (one a line), and for
 * each pattern of the file one string made to match it ('*' and '?' filled,
 * a [...] set's first member), so real alias files are asked real devices.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modalias.h"
#include "fuzz.h"

#define MAX_TEXT 65536
#define MAX_Q 64
#define MAX_MODS 2048	/* more than the rules a 16 KiB input holds */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096];

static void cleanup(void)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/modules.alias", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/modules.builtin.alias", dir);
	unlink(p);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(dir, sizeof(dir), "%s/fuzz-modalias.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	return 0;
}

static void put(const char *name, const char *p, size_t n, int present)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!present) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	if (n)
		fwrite(p, 1, n, f);
	fclose(f);
}

struct rule { char *pat, *mod; };
struct rules { struct rule r[4096]; size_t n; char *copy; };

/* the lines modprobe reads: "alias PATTERN MODULE" (a NUL ends the text, as C strings do) */
static void rules_read(struct rules *rs, const char *p, size_t n)
{
	char *line, *save, *s;

	rs->n = 0;
	rs->copy = malloc(n + 1);
	if (!rs->copy)
		abort();
	memcpy(rs->copy, p, n);
	rs->copy[n] = '\0';
	for (s = rs->copy; s && *s && rs->n < 4096; ) {
		char *eol = strchr(s, '\n'), *pat, *mod;

		if (eol)
			*eol = '\0';
		line = s;
		s = eol ? eol + 1 : NULL;
		if (strncmp(line, "alias", 5) != 0 || (line[5] != ' ' && line[5] != '\t'))
			continue;
		save = NULL;
		pat = strtok_r(line + 5, " \t", &save);
		mod = strtok_r(NULL, " \t", &save);
		if (pat && mod)
			rs->r[rs->n++] = (struct rule){ pat, mod };
	}
}

static size_t oracle(const struct rules *rs, const char *alias, const char **mods, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < rs->n && n < max; i++) {
		if (fnmatch(rs->r[i].pat, alias, 0) != 0)
			continue;
		for (j = 0; j < n && strcmp(mods[j], rs->r[i].mod) != 0; j++)
			;
		if (j == n)
			mods[n++] = rs->r[i].mod;
	}
	return n;
}

/* a string the pattern matches (most of the time: fnmatch has the last word) */
static char *instance(const char *pat, const uint8_t *salt, size_t saltn)
{
	size_t n = strlen(pat), i, k = 0;
	char *s = malloc(2 * n + 2);

	if (!s)
		abort();
	for (i = 0; i < n; i++) {
		if (pat[i] == '*') {
			if (saltn && salt[i % saltn] & 1)
				s[k++] = (char)('0' + salt[i % saltn] % 10);
		} else if (pat[i] == '?') {
			s[k++] = 'A';
		} else if (pat[i] == '[') {
			const char *close = strchr(pat + i + 1, ']');

			if (close && close > pat + i + 1 && pat[i + 1] != '!' && pat[i + 1] != '^') {
				s[k++] = pat[i + 1];
				i = (size_t)(close - pat);
			} else {
				s[k++] = pat[i];
			}
		} else if (pat[i] == '\\' && i + 1 < n) {
			s[k++] = pat[++i];
		} else {
			s[k++] = pat[i];
		}
	}
	s[k] = '\0';
	return s;
}

static void ask(const struct modalias_db *db, const struct rules *al, const struct rules *bi,
		int has_builtin, const char *alias)
{
	const char **got, *want[MAX_MODS];
	size_t n, w, i;

	n = modalias_lookup(db, alias, &got);
	w = oracle(al, alias, want, MAX_MODS);
	if (w == 0 && has_builtin)
		w = oracle(bi, alias, want, MAX_MODS);
	if (n != w)
		fuzz_dump("alias", alias, strlen(alias));
	PROP(n == w, "'%s': %zu modules, fnmatch says %zu", alias, n, w);
	for (i = 0; i < n && i < MAX_MODS; i++)
		PROP(strcmp(got[i], want[i]) == 0, "'%s': module %zu is '%s', fnmatch says '%s'",
		     alias, i, got[i], want[i]);
	free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nul1, *nul2 = NULL;
	size_t alen, blen = 0, i, nq = 0;
	static struct rules al, bi;
	struct modalias_db *db;
	char *where = NULL, *q[MAX_Q];
	int has_builtin;

	if (size > MAX_TEXT)
		return 0;
	nul1 = memchr(p, '\0', size);
	alen = nul1 ? (size_t)(nul1 - p) : size;
	has_builtin = nul1 != NULL;
	if (nul1) {
		nul2 = memchr(nul1 + 1, '\0', size - alen - 1);
		blen = nul2 ? (size_t)(nul2 - nul1 - 1) : size - alen - 1;
	}
	put("modules.alias", p, alen, 1);
	put("modules.builtin.alias", has_builtin ? nul1 + 1 : "", blen, has_builtin);
	PROP(modalias_open(dir, &db, &where) == 0, "modalias_open failed");
	rules_read(&al, p, alen);
	rules_read(&bi, has_builtin ? nul1 + 1 : "", blen);

	if (nul2) {
		const char *s = nul2 + 1, *end = p + size;

		while (s < end && nq < MAX_Q / 2) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
			char *a = strndup(s, n);

			if (!a)
				abort();
			if (strlen(a) == n)
				q[nq++] = a;
			else
				free(a);
			s += n + 1;
		}
	}
	for (i = 0; i < al.n && nq < MAX_Q; i++)
		q[nq++] = instance(al.r[i].pat, data, size);
	for (i = 0; i < bi.n && nq < MAX_Q; i++)
		q[nq++] = instance(bi.r[i].pat, data, size);
	for (i = 0; i < nq; i++) {
		ask(db, &al, &bi, has_builtin, q[i]);
		free(q[i]);
	}
	free(al.copy);
	free(bi.copy);
	modalias_close(db);
	return 0;
}
