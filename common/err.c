/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "vfio-kit";

/* the one sink of diagnostics (NULL after err_set_stream(NULL): none) */
static FILE *sink;
static int sink_set;

/* warnings printed, not to repeat them */
static char **seen;
static size_t nseen;

void err_set_stream(FILE *f)
{
	sink = f;
	sink_set = 1;
}

static FILE *out(void)
{
	return sink_set ? sink : stderr;
}

void err_init(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

void stdfds_init(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free descriptor: fd itself */
		if (open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			_exit(EXIT_TROUBLE);	/* no /dev/null: no safe way on */
	}
}

/* the longest message printed whole */
#define MSG_MAX 512

/* the message as printed: "PROG: [WHERE[:LINE]: ]WHAT[: strerror]" */
__attribute__((format(printf, 5, 0)))
static char *format(const char *where, size_t line, int errnum, const char *label,
		    const char *fmt, va_list ap)
{
	char *msg = NULL, *whole = NULL;
	size_t n;
	int r;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	n = msg ? strlen(msg) : 0;
	/*
	 * A message quotes the input (a directive, a module name): from a
	 * hostile file that may be a megabyte.  Its start and end say where.
	 */
	if (msg && n > MSG_MAX) {
		char *cut = NULL;

		if (asprintf(&cut, "%.*s[... %zu bytes ...]%s", MSG_MAX / 2, msg,
			     n - MSG_MAX, msg + n - MSG_MAX / 2) >= 0) {
			free(msg);
			msg = cut;
		}
	}
	if (where && line)
		r = asprintf(&whole, "%s: %s:%zu: %s%s%s%s", progname, where, line, label,
			     msg ? msg : "(message lost: out of memory)", errnum ? ": " : "",
			     errnum ? strerror(errnum) : "");
	else if (where)
		r = asprintf(&whole, "%s: %s: %s%s%s%s", progname, where, label,
			     msg ? msg : "(message lost: out of memory)", errnum ? ": " : "",
			     errnum ? strerror(errnum) : "");
	else
		r = asprintf(&whole, "%s: %s%s%s%s", progname, label,
			     msg ? msg : "(message lost: out of memory)", errnum ? ": " : "",
			     errnum ? strerror(errnum) : "");
	free(msg);
	return r < 0 ? NULL : whole;
}

static void emit(const char *whole)
{
	FILE *f = out();

	fflush(stdout);
	if (!f)
		return;
	if (whole)
		fprintf(f, "%s\n", whole);
	else
		fprintf(f, "%s: (message lost: out of memory)\n", progname);
}

__attribute__((format(printf, 4, 0)))
static void verrorf(const char *where, size_t line, int errnum,
		    const char *fmt, va_list ap)
{
	char *whole = format(where, line, errnum, "", fmt, ap);

	emit(whole);
	free(whole);
}

void verrorf_line(const char *where, size_t line, const char *fmt, va_list ap)
{
	verrorf(where, line, 0, fmt, ap);
}

void warnf(const char *where, size_t line, const char *fmt, ...)
{
	va_list ap;
	char *whole;
	size_t i;

	va_start(ap, fmt);
	whole = format(where, line, 0, "warning: ", fmt, ap);
	va_end(ap);
	for (i = 0; whole && i < nseen; i++) {
		if (strcmp(seen[i], whole) == 0) {
			free(whole);
			return;
		}
	}
	emit(whole);
	if (whole) {
		seen = xgrow1(seen, nseen, sizeof(*seen));
		seen[nseen++] = whole;
	}
}

void warnf_forget(void)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	seen = NULL;
	nseen = 0;
}

void errorf(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(where, 0, 0, fmt, ap);
	va_end(ap);
}

void errorf_errno(const char *where, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(where, 0, errnum, fmt, ap);
	va_end(ap);
}

void errorf_line(const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(file, line, 0, fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	if (out())
		fprintf(out(), "%s: out of memory\n", progname);
	exit(EXIT_TROUBLE);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *xgrow1(void *p, size_t n, size_t size)
{
	if (n & (n - 1))
		return p;	/* not a power of two (nor 0): there is room */
	if (n > ((size_t)-1 / 2) / size)
		oom();
	return xrealloc(p, (n ? 2 * n : 1) * size);
}

char *xstrdup_shown(const char *s)
{
	char *d = xstrdup(s);

	for (char *c = d; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return d;
}

void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int close_stdout(int status)
{
	int bad = ferror(stdout);

	if (fclose(stdout) != 0 || bad) {
		int e = errno;

		/* a closed pipe (EPIPE) is the reader's choice, still trouble */
		if (out())
			fprintf(out(), "%s: write error on standard output%s%s\n",
				progname, e ? ": " : "", e ? strerror(e) : "");
		return EXIT_TROUBLE;
	}
	return status;
}
