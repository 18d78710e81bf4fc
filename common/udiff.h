/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udiff: a unified diff (diff -u, 3 lines of context) of two texts, for
 * the editing tools' --diff.  Lines are compared with their line ends, so
 * a CR or a missing last newline shows; "\ No newline at end of file" as
 * GNU diff prints it.  Minimal where the changed middle is small (an LCS
 * after trimming the common head and tail); past a size bound it still
 * prints a correct, if longer, diff.
 */
#ifndef VFIOKIT_UDIFF_H
#define VFIOKIT_UDIFF_H

#include "buf.h"

/* append to out the diff of a into b under "--- name"/"+++ name"; nothing when equal */
void udiff(struct buf *out, const char *name, const char *a, size_t alen,
	   const char *b, size_t blen);

#endif
