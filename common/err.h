/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err: diagnostics as "PROG: WHERE: WHAT" on stderr, the allocation
 * wrappers that exit, and the stdout check at exit.  Only main() and the
 * x* wrappers exit; library code returns a status.
 */
#ifndef VFIOKIT_ERR_H
#define VFIOKIT_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* exit statuses, as diff(1) and grep(1) */
enum { EXIT_YES = 0, EXIT_NO = 1, EXIT_TROUBLE = 2 };

extern const char *progname;

void err_init(const char *argv0);
/*
 * Make sure descriptors 0, 1 and 2 are open, so that no file a tool opens
 * becomes its stderr (a message written into a locked file) or stdout.
 * A closed one is opened on /dev/null the wrong way round (0 write-only,
 * 1 and 2 read-only): it stays as unusable as a closed one, a write to
 * stdout still fails.  Called first in every main.
 */
void stdfds_init(void);
/* "PROG: WHERE: WHAT"; WHERE may be NULL ("PROG: WHAT") */
void errorf(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* same, with ": strerror(errnum)" appended */
void errorf_errno(const char *where, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "PROG: WHERE:LINE: WHAT" */
void errorf_line(const char *file, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* the same with a va_list; line 0: none */
void verrorf_line(const char *where, size_t line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/*
 * "PROG: WHERE[:LINE]: warning: WHAT" (line 0: none), printed once: the
 * same warning again is dropped until warnf_forget()
 */
void warnf(const char *where, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void warnf_forget(void);
/* where diagnostics go: stderr unless set (NULL: nowhere; the fuzzers) */
void err_set_stream(FILE *f);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/*
 * Room for element n of an array grown one element at a time: its capacity
 * is the power of two at or above n, so a line of 100,000 words costs 17
 * reallocs, not 100,000 copies of a growing array.
 */
void *xgrow1(void *p, size_t n, size_t size);
/* a copy of s to show: each control byte (below 0x20, 0x7f) as '?' */
char *xstrdup_shown(const char *s);
/* free n allocated strings and the array that holds them */
void free_strings(char **v, size_t n);

/*
 * Flush and close stdout; returns status, or EXIT_TROUBLE with a message
 * when the write failed (a full pipe or disk must not vanish).
 */
int close_stdout(int status);

#endif
