/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline: a kernel command line as the kernel itself splits it
 * (lib/cmdline.c next_arg(), kernel/params.c parse_args() and parameq()),
 * and edits of it that keep every byte they do not touch.
 *
 * Parameters are separated by kernel whitespace; a double quote toggles
 * quoting anywhere in a parameter and cannot be escaped; KEY is what stands
 * before the first '=' and VALUE the rest (it may hold '='), with the
 * quotes the kernel strips stripped; '-' and '_' are one character in
 * keys; a lone "--" ends the kernel's parameters: what follows is init's
 * and no edit looks there.  Refused: an unterminated quote in the input;
 * a new KEY or VALUE that cannot be written (a '"', a newline, a key with
 * whitespace, an empty key, "--"); a --merge or --unmerge that would
 * rewrite a value holding '"'.  Items of a list compare as params.h says
 * (the ids of MODULE.ids regardless of case).  A key given more than once
 * is, for --merge, what the kernel makes of it: a kernel parameter's
 * handler reads every occurrence (its items are all of theirs), a
 * module's parameter is set by each in turn (its last one counts).
 */
#ifndef VFIOKIT_CMDLINE_H
#define VFIOKIT_CMDLINE_H

#include <stddef.h>

#include "buf.h"

enum cl_op { CL_SET, CL_ADD, CL_MERGE, CL_DEL, CL_UNMERGE, CL_GET };

struct cmdline;

/* split text (one command line, no line end needed) into parameters */
struct cmdline *cmdline_parse(const char *text, size_t len);
void cmdline_free(struct cmdline *cl);

/* offset of the quote left unterminated, or -1 */
long cmdline_unterminated(const struct cmdline *cl);

/*
 * Check an op's argument ("KEY", "KEY=", "KEY=VALUE", "KEY=A,B"); NULL
 * when it is good, else why not (a static string).
 */
const char *cmdline_arg_check(enum cl_op op, const char *arg);

/*
 * Apply one checked op; returns 1 when the line changed, else 0, or -1
 * (the line left alone) when --merge or --unmerge would rewrite a value
 * that holds '"': the kernel keeps such quotes as data and has no escape,
 * so no rewritten form is sure to read back as the same value.
 */
int cmdline_apply(struct cmdline *cl, enum cl_op op, const char *arg);

/* append each value of KEY (one a line) to out; the count of occurrences */
size_t cmdline_get(const struct cmdline *cl, const char *key, struct buf *out);

/*
 * The next original parameter, from index *i on, that an edit rewrote
 * (kept but changed): 1 with its span in the text and *i past it, 0 when
 * there is none.  Start with *i = 0.
 */
int cmdline_next_rewritten(const struct cmdline *cl, size_t *i, size_t *start,
			   size_t *end);

/* parameters before "--" */
size_t cmdline_count(const struct cmdline *cl);

/*
 * The edited line as pieces, in order: spans of the original text
 * (orig != 0, at offset off) and new text (orig == 0).  Rendering a line
 * nothing changed gives back the input byte for byte.
 */
typedef void (*cmdline_emit_fn)(void *arg, const char *p, size_t n,
				int orig, size_t off);
void cmdline_render(const struct cmdline *cl, cmdline_emit_fn emit, void *arg);
/* the same, plainly appended to out */
void cmdline_render_buf(const struct cmdline *cl, struct buf *out);

/*
 * What the kernel makes of KEY's comma-list values over all its
 * occurrences (intel_iommu_setup(), iommu_setup(): each item in turn, the
 * last of "on"/"off" wins): "on", "off", "other" (KEY without either), or
 * NULL (KEY absent).  shown, when not NULL, gets "KEY=VALUE ..." back.
 */
const char *cmdline_onoff(const struct cmdline *cl, const char *key, struct buf *shown);

/* kernel isspace() (lib/ctype.c: 9-13, 32 and 160) */
int cmdline_isspace(unsigned char c);

#endif
