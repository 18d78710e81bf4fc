/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * grubvar: the value of a variable assigned in a /etc/default/grub-style
 * POSIX shell file, decoded to the text the shell would give it, with a map
 * back to the source so an edit rewrites only what it changes.
 *
 * A value is a shell word: "..." (with \" \\ \$ \` escapes; $VAR and
 * ${VAR} kept as opaque text), '...', or bare; optionally after "export ";
 * a trailing comment is kept.  The assignment edited is the last one at
 * top level (not inside if/case/loops/braces).  Refused, in the edited
 * assignment only: command substitution, backquotes, an unterminated quote,
 * a backslash-continued line (read as sh reads it: grubvar_value()), other ${...} forms, an assignment that is a
 * prefix of a command; a missing assignment when another's quote or
 * substitution is left open to the end of the file (an appended one would
 * be inside it).  Elsewhere the file may hold anything the shell takes
 * (Debian's GRUB_DISTRIBUTOR has backquotes).
 */
#ifndef VFIOKIT_GRUBVAR_H
#define VFIOKIT_GRUBVAR_H

#include <stddef.h>

#include "buf.h"

struct grubvar {
	size_t line;		/* 1-based line of the assignment */
	size_t wstart, wend;	/* the value word in the source */
	char *val;		/* decoded */
	size_t vlen;
	size_t *map;		/* map[i]: source offset of val[i]; map[vlen] its end */
	unsigned char *lit;	/* lit[i]: 1 literal byte, 0 part of a $expansion */
	int nseg;		/* quoted or bare pieces the word is made of */
	char style;		/* of a one-piece word: '"', '\'' or 0 (bare) */
	size_t cstart, cend;	/* that piece's content in the source */
	int refs_self;		/* the value refers to $VAR itself */
	size_t nested_line;	/* not found: the line of an assignment inside a block, or 0 */
};

/*
 * Find the last top-level assignment of var in text.  Returns 0 and fills
 * gv, 1 when var is not assigned at top level (gv->nested_line says where
 * it is assigned inside an if, case, loop or function), 2 when the
 * assignment cannot be edited safely (the message printed, naming
 * fname:line).
 */
int grubvar_find(const char *text, size_t len, const char *var,
		 const char *fname, struct grubvar *gv);
void grubvar_free(struct grubvar *gv);

/* a FILE named grub, or a grub.d drop-in, is a GRUB defaults file */
int grubvar_is_grub_file(const char *name);
/* *.cfg in a grub.d directory: grub-mkconfig sources it after /etc/default/grub */
int grubvar_is_dropin(const char *name);
/*
 * A grub.d/NAME.cfg beside file that assigns var is read after file: one
 * that only adds to it ("$VAR ...") gets a warning; one that sets it anew
 * overrides an edit of file, so grub-mkconfig would never see the edit:
 * an error naming it.  Returns how many override it.  When file is under
 * root (not NULL or "/"), grub.d is read inside the root (common/rootpath),
 * as file was.
 */
int grubvar_warn_dropins(const char *root, const char *file, const char *var);

/* one assignment of the chain that makes a value, decoded on its own */
struct grubvar_step {
	size_t line;
	char *val;		/* $VAR in it kept as text */
	size_t vlen;
};

/*
 * The value sh gives var after running text: the last top-level
 * assignment, each $VAR or ${VAR} in it standing for the value the one
 * before gave (before the first, unknown: the reference is kept as text).
 * A backslash-newline is a line continuation here, as sh reads it.
 * steps are the assignments that make the value, oldest first; the last
 * one is grubvar_find()'s.  Returns 0, 1 when var is not assigned, 2 after
 * an error (printed; an assignment only inside a block is one).
 */
struct grubvar_value {
	char *val;
	size_t vlen;
	struct grubvar_step *steps;
	size_t nsteps;
};

int grubvar_value(const char *text, size_t len, const char *var, const char *fname,
		  struct grubvar_value *v);
void grubvar_value_free(struct grubvar_value *v);

/* text with the value word replaced by one whose decoded value is the edit */
struct grubvar_edit;
struct grubvar_edit *grubvar_edit_begin(const struct grubvar *gv);
/* a span of the old decoded value, or new text, in order */
void grubvar_edit_keep(struct grubvar_edit *e, size_t off, size_t n);
void grubvar_edit_insert(struct grubvar_edit *e, const char *p, size_t n);
/* write the whole file with the new value into out; frees e */
void grubvar_edit_finish(struct grubvar_edit *e, const char *text, size_t len,
			 struct buf *out);

/*
 * Append "VAR=\"VALUE\"\n" for a variable not yet assigned (text is the
 * file); with extend (a grub.d drop-in, read after the files that set it),
 * "VAR=\"$VAR VALUE\"\n" in the file's quoting: VALUE after what they set.
 */
void grubvar_append(const char *text, size_t len, const char *var,
		    const char *value, size_t vlen, int extend, struct buf *out);

#endif
