/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * common/udiff: unified diffs.  Oracles: GNU diff -u prints the same hunks
 * for simple cases, and patch(1) turns a into b with any of our diffs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udiff.h"
#include "unit.h"

static char *diff_of(const char *a, const char *b)
{
	struct buf out = BUF_INIT;

	udiff(&out, "f", a, strlen(a), b, strlen(b));
	return buf_detach(&out);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	fputs(s, f);
	fclose(f);
}

/* patch a with our diff; 1 when the result is b */
static int patches(const char *dir, const char *a, const char *b)
{
	char pa[512], pd[512], cmd[2048];
	struct buf out = BUF_INIT, got = BUF_INIT;
	int ok;

	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pd, sizeof(pd), "%s/d", dir);
	write_file(pa, a);
	udiff(&out, "f", a, strlen(a), b, strlen(b));
	write_file(pd, out.p ? out.p : "");
	snprintf(cmd, sizeof(cmd), "patch -s -o %s/out %s %s >/dev/null 2>&1", dir, pa, pd);
	if (out.len == 0)
		snprintf(cmd, sizeof(cmd), "cp %s %s/out", pa, dir);
	ok = system(cmd) == 0;
	snprintf(pa, sizeof(pa), "%s/out", dir);
	ok = ok && buf_read_file(&got, pa, 1 << 20) == 0 && got.len == strlen(b) &&
	     memcmp(got.p ? got.p : "", b, got.len) == 0;
	buf_free(&out);
	buf_free(&got);
	return ok;
}

static char *random_text(unsigned *seed, int lines)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < lines; i++) {
		*seed = *seed * 1103515245u + 12345u;
		buf_printf(&b, "line %u\n", (*seed >> 16) % 6);
	}
	*seed = *seed * 1103515245u + 12345u;
	if ((*seed >> 16) % 4 == 0 && b.len)
		b.len--, b.p[b.len] = '\0';	/* no final newline */
	return buf_detach(&b);
}

int main(void)
{
	char dir[] = "/tmp/udiff.XXXXXX";
	char *d;
	unsigned seed = 1;
	int i, bad = 0;

	d = diff_of("a\n", "a\n");
	CHECK_STR(d, "");
	free(d);
	d = diff_of("a\nb\nc\n", "a\nB\nc\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	free(d);
	d = diff_of("", "x\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -0,0 +1 @@\n+x\n");
	free(d);
	d = diff_of("x", "x\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n");
	free(d);
	/* far apart changes: two hunks; 6 equal lines between: one hunk */
	d = diff_of("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\nY\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+Y\n");
	free(d);
	d = diff_of("1\n2\n3\n4\n5\n6\n7\n8\n", "X\n2\n3\n4\n5\n6\n7\nY\n");
	CHECK(strstr(d, "@@ -1,8 +1,8 @@\n") != NULL);
	free(d);
	/* CRLF shows */
	d = diff_of("a\r\n", "a\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -1 +1 @@\n-a\r\n+a\n");
	free(d);

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return UNIT_DONE();
	}
	for (i = 0; i < 150; i++) {
		char *a = random_text(&seed, i % 25);
		char *b = random_text(&seed, (i * 7) % 25);

		if (!patches(dir, a, b)) {
			bad++;
			fprintf(stderr, "patch oracle failed:\n--a--\n%s\n--b--\n%s\n", a, b);
		}
		free(a);
		free(b);
	}
	CHECK_INT(bad, 0);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK_INT(system(cmd), 0);
	}
	return UNIT_DONE();
}
