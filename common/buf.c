/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "buf.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void buf_grow(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > (size_t)-1 - b->len - 1)
		xrealloc(NULL, (size_t)-1);	/* reports out of memory */
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > (size_t)-1 / 2 ? need : b->cap * 2;
	b->p = xrealloc(b->p, b->cap);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b)
{
	char *p;

	buf_grow(b, 0);
	b->p[b->len] = '\0';
	p = b->p;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

int buf_read_fd(struct buf *b, int fd, size_t max)
{
	size_t start = b->len;

	for (;;) {
		ssize_t n;

		buf_grow(b, 65536);
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->p[b->len] = '\0';
		if (b->len - start > max)
			return -EFBIG;
	}
	buf_grow(b, 0);
	b->p[b->len] = '\0';
	return 0;
}

int buf_read_file(struct buf *b, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = buf_read_fd(b, fd, max);
	close(fd);
	return r;
}

int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t buf_nul_line(const char *p, size_t len)
{
	const char *z = len ? memchr(p, '\0', len) : NULL;
	size_t line = 1, i;

	if (!z)
		return 0;
	for (i = 0; i < (size_t)(z - p); i++)
		line += p[i] == '\n';
	return line;
}

size_t buf_lines(const char *p, size_t len, struct buf_line **lines)
{
	size_t n = 0, pos = 0;
	struct buf_line *v = NULL;

	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - p) : len;

		v = xgrow1(v, n, sizeof(*v));
		v[n].p = p + pos;
		v[n].len = end - pos;
		v[n].nl = nl != NULL;
		n++;
		pos = nl ? end + 1 : end;
	}
	*lines = v ? v : xmalloc(sizeof(*v));
	return n;
}

int path_is_in(const char *name, const char *dir, const char *suffix)
{
	const char *base = strrchr(name, '/');
	size_t n, dn = strlen(dir), sn = strlen(suffix);

	base = base ? base + 1 : name;
	n = strlen(base);
	return n > sn && strcmp(base + n - sn, suffix) == 0 && (size_t)(base - name) >= dn &&
	       memcmp(base - dn, dir, dn) == 0;
}
