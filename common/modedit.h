/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modedit: edits of module configuration files (modconf.h) in their own
 * syntax, as spans over the original text (textpatch.h): each op is a
 * line of the file's format, dispatched by its directive to an editor
 * (options, blacklist, alias/install/remove, softdep/weakdep, a module
 * list line), each family in a file of its own (modedit-int.h lists
 * them).  Warnings say what the file's readers get wrong (err.h
 * warnf); refused: ops a directive does not take, arguments kmod would
 * misread, merges into quoted values.
 */
#ifndef VFIOKIT_MODEDIT_H
#define VFIOKIT_MODEDIT_H

#include "buf.h"
#include "modconf.h"

enum modconf_opkind { MODCONF_SET, MODCONF_MERGE, MODCONF_DEL, MODCONF_UNMERGE };

struct modconf_op {
	enum modconf_opkind kind;
	const char *arg;	/* a line in the file's own syntax */
};

const char *modconf_opname(enum modconf_opkind kind);

/*
 * Apply ops in order to the text of file (its name for messages and for
 * the warnings that depend on where it lives).  Prints warnings (exit
 * status unchanged) and errors itself; returns 0, or -1 after an error.
 */
int modconf_edit(const char *file, enum modconf_format fmt,
		 const struct modconf_op *ops, size_t nops,
		 const struct buf *in, struct buf *out);

#endif
