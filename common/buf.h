/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * buf: a growable byte buffer (text that may hold any byte), and whole-file
 * reading into one.  Config files are small: tools read a file whole, edit
 * spans of it and write once.
 */
#ifndef VFIOKIT_BUF_H
#define VFIOKIT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* the most a tool reads of one input (bounded memory on hostile input) */
#define BUF_MAX_FILE (64u << 20)

/* the value of hex digit c (either case), or -1: pci.ids, sysfs, ids */
int hexdigit(int c);

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* a NUL-terminated copy of the contents that the caller frees */
char *buf_detach(struct buf *b);

/* the 1-based line of the first NUL byte in p[0..len), or 0: a text file holds none */
size_t buf_nul_line(const char *p, size_t len);

/* one line of a text: its bytes without the '\n', and whether it had one */
struct buf_line {
	const char *p;
	size_t len;
	int nl;
};

/* the lines of p[0..len) (a last one without '\n' too); the caller frees *lines */
size_t buf_lines(const char *p, size_t len, struct buf_line **lines);

/*
 * Read all of fd / the file at path into b (appending).  Returns 0, or
 * -errno (-EFBIG past max bytes).
 */
int buf_read_fd(struct buf *b, int fd, size_t max);
int buf_read_file(struct buf *b, const char *path, size_t max);
/* write all of p to fd, retrying short writes; 0 or -errno */
int write_all(int fd, const void *p, size_t n);

/* name is DIR/BASE with BASE ending in suffix ("grub.d/", ".cfg") */
int path_is_in(const char *name, const char *dir, const char *suffix);

#endif
