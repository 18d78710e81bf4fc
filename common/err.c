#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "vfio-kit";

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

__attribute__((format(printf, 4, 0)))
static void verrorf(const char *where, size_t line, int errnum,
		    const char *fmt, va_list ap)
{
	char *msg = NULL;

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	if (where && line)
		fprintf(stderr, "%s:%zu: ", where, line);
	else if (where)
		fprintf(stderr, "%s: ", where);
	/*
	 * A message quotes the input (a directive, a module name): from a
	 * hostile file that may be a megabyte.  Its start and end say where.
	 */
	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("(message lost: out of memory)", stderr);
	} else {
		size_t n = strlen(msg);

		if (n > MSG_MAX)
			fprintf(stderr, "%.*s[... %zu bytes ...]%s", MSG_MAX / 2, msg,
				n - MSG_MAX, msg + n - MSG_MAX / 2);
		else
			fputs(msg, stderr);
		free(msg);
	}
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
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
	fprintf(stderr, "%s: out of memory\n", progname);
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

int close_stdout(int status)
{
	int bad = ferror(stdout);

	if (fclose(stdout) != 0 || bad) {
		int e = errno;

		/* a closed pipe (EPIPE) is the reader's choice, still trouble */
		fprintf(stderr, "%s: write error on standard output%s%s\n",
			progname, e ? ": " : "", e ? strerror(e) : "");
		return EXIT_TROUBLE;
	}
	return status;
}
