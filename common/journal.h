/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal: the record --undo reads (ROOT/var/lib/vfio-kit/journal, kept by
 * common/state), what each passed device needs and which of it a run made.
 * One record a line, fields TAB-separated, "-" for an empty one:
 *
 *   dev SLOT FILE TOOL FLAG OP ARG   device SLOT needs this edit of FILE
 *   own FILE TOOL FLAG OP ARG        ... and it was not there before a run
 *                                    made it (the tool's --check said so)
 *   new FILE BASE                    FILE did not exist before a run made
 *                                    it; BASE is the line it started from
 *   end FILE WHAT                    a run's edit of FILE added to its end
 *                                    what --undo's edits do not take back:
 *                                    WHAT "newline", its last line had none;
 *                                    or a variable NAME, the assignment of
 *                                    NAME appended (a GRUB file that had none)
 *
 * FILE is a path as seen inside the root; TOOL is modconf-edit,
 * cmdline-edit or slot (a slot of the install vfio-pci line: FLAG and OP
 * "-", ARG the slot); FLAG is one of the tool's format options; OP the edit
 * as a run gives it (--set, --merge, --add).  Every field is checked when
 * read: a field holds no TAB, no newline, no control byte and (but for
 * FLAG and OP, which come from a fixed list) never starts with '-', so no
 * field can become an option of the tool that carries the edit out.  A
 * line that is not one of these is refused with its line number: the
 * journal is trusted whole or not at all.
 */
#ifndef VFIOKIT_JOURNAL_H
#define VFIOKIT_JOURNAL_H

#include <stddef.h>

#include "buf.h"

enum jtool { JT_MODCONF, JT_CMDLINE, JT_SLOT };

/* one edit of one file */
struct jitem {
	char *file;		/* absolute, inside the root */
	enum jtool tool;
	const char *flag;	/* a static string from the fixed list; "-": none */
	const char *op;		/* likewise; "-" for a slot */
	char *arg;
};

enum jkind { J_DEV, J_OWN, J_NEW, J_END };

struct jrec {
	enum jkind kind;
	char slot[16];		/* J_DEV */
	struct jitem it;	/* J_DEV, J_OWN (J_NEW, J_END: only it.file) */
	char *base;		/* J_NEW: "-" or the line; J_END: WHAT */
};

struct journal {
	struct jrec *v;
	size_t n;
};

const char *jtool_name(enum jtool t);

/*
 * Each field checked as a record's would be (NULL: good, else why); the
 * planner checks what it is about to record with the same rules.
 */
const char *journal_check_file(const char *file);
const char *journal_check_item(const struct jitem *it);
const char *journal_check_base(const char *base);
const char *journal_check_end(const char *what);
/* the static flag/op string equal to s from the fixed lists, or NULL */
const char *journal_flag(const char *s);
const char *journal_op(const char *s);

/*
 * Parse text (where: the path shown in messages); 0, or -1 after printing
 * "WHERE:LINE: why" for the first bad line.
 */
int journal_parse(const char *where, const char *text, size_t len, struct journal *j);
void journal_free(struct journal *j);

/* the record as its journal line, without the newline, appended to b */
void journal_format(const struct jrec *r, struct buf *b);

/* two items the same edit */
int jitem_eq(const struct jitem *a, const struct jitem *b);
void jitem_copy(struct jitem *dst, const struct jitem *src);
void jitem_free(struct jitem *it);
void jrec_free(struct jrec *r);

/* add a copy of r unless an equal record is there; 1 when added */
int journal_add(struct journal *j, const struct jrec *r);
int jrec_eq(const struct jrec *a, const struct jrec *b);

#endif
