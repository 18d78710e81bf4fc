/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny unit-test runner: CHECK() counts, a failure prints where and what,
 * main() returns 1 when anything failed.  Each t/unit/test_NAME.c is one
 * program; t/run adds their counts into the closing summary.
 */
#ifndef VFIOKIT_UNIT_H
#define VFIOKIT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond) do { \
	if (cond) { unit_passed++; } else { unit_failed++; \
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

/* compare two strings, printing both on mismatch */
#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && strcmp(g_, w_) == 0) { unit_passed++; } else { unit_failed++; \
		fprintf(stderr, "%s:%d: FAIL: %s\n  got:  [%s]\n  want: [%s]\n", \
			__FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ == w_) { unit_passed++; } else { unit_failed++; \
		fprintf(stderr, "%s:%d: FAIL: %s = %lld, want %lld\n", \
			__FILE__, __LINE__, #got, g_, w_); } \
} while (0)

/* the last line each runner prints; t/run adds them up */
#define UNIT_DONE() (printf("%d passed, %d failed\n", unit_passed, unit_failed), \
	unit_failed ? 1 : 0)

#endif
