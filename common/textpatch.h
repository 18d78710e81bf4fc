/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * textpatch: edits of a text collected as replaced spans and lines for
 * its end, then applied at once, so each edit is written against the
 * original offsets and every byte no edit names is kept.
 */
#ifndef VFIOKIT_TEXTPATCH_H
#define VFIOKIT_TEXTPATCH_H

#include <stddef.h>

#include "buf.h"

struct textpatch_span {
	size_t off, len;	/* bytes of the text replaced */
	char *s;		/* by this (NULL: deleted) */
	size_t seq;		/* order of the call, for insertions at one offset */
};

struct textpatch {
	const char *text;	/* not owned */
	size_t len;
	struct textpatch_span *span;
	size_t n;
	struct buf tail;	/* new lines for the end */
};

void textpatch_init(struct textpatch *tp, const char *text, size_t len);
/* replace len bytes at off by s (NULL: delete; len 0: insert) */
void textpatch_replace(struct textpatch *tp, size_t off, size_t len, const char *s);
/*
 * The patched text into out.  Spans never overlap, except that one inside
 * a deleted span goes with it; at one offset insertions come first.  When
 * there is a tail, tail_lead (a line end the text lacks) goes before it.
 */
void textpatch_apply(struct textpatch *tp, const char *tail_lead, struct buf *out);
void textpatch_free(struct textpatch *tp);

#endif
