/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit internals, shared by modedit.c (the ops' parse, the dispatch,
 * the file's checks) and its directive editors: modedit-options.c
 * (options), modedit-softdep.c (softdep, weakdep), modedit-keyed.c
 * (blacklist, alias, install, remove: one line per key) and
 * modedit-modules.c (a module list's lines).  Not for other modules:
 * modedit.h is the interface.
 */
#ifndef VFIOKIT_MODEDIT_INT_H
#define VFIOKIT_MODEDIT_INT_H

#include "modedit.h"
#include "textpatch.h"

/* one op on one file: the parse, the patches, what each line went through */
struct mc_edit {
	const char *file;
	const char *opname;
	const char *oparg;
	struct modconf mc;
	struct textpatch tp;
	unsigned char *fixed_cr;	/* per line: its CR already taken off (NULL: none) */
	unsigned char *gone;		/* per line: deleted (NULL: none) */
	/* modules-format lines by name (me_op_module): kept while the parse is */
	size_t *mhead, *mnext;		/* bucket -> line + 1, line -> line + 1 */
	size_t nbucket, nindexed, capnext;	/* capnext: mnext's room */
};

struct opline {
	char *s;		/* a copy of the argument, words NUL-ended */
	struct mc_line l;	/* parsed as a line of the file's format */
};

/* "PROG: --set 'ARG': WHAT": an op refused */
void me_operr(const struct mc_edit *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void me_del_line(struct mc_edit *e, size_t li);
/*
 * A line an edit matched or changed: say what its readers get wrong, and
 * take off a CR they would read as data.
 */
void me_touch_line(struct mc_edit *e, size_t li);
/* does line li hold directive verb for the module (word 1) named m? */
int me_line_is(const struct mc_edit *e, size_t li, enum mc_verb verb,
	       const char *m, size_t mlen);
/* the op's line, its words one space apart, appended at the end */
void me_tail_line(struct mc_edit *e, const struct opline *o);

/* the directive editors: 0, or -1 after an error (printed) */
int me_op_options(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o);
int me_op_deps(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o);
int me_op_blacklist(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o);
int me_op_one_line(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o);
int me_op_module(struct mc_edit *e, enum modconf_opkind kind, const struct opline *o);

/* say what kmod makes of each glued marker of a softdep line (modedit-softdep.c) */
void me_warn_glued(struct mc_edit *e, const struct mc_line *l);
/* the module-list index of e (modedit-modules.c) freed */
void me_mindex_free(struct mc_edit *e);

#endif
