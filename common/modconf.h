/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modconf: module configuration files, parsed as the programs that read
 * them (modedit.h edits them).
 *
 *   modprobe   modprobe.d(5) as kmod parses it (libkmod-config.c
 *              kmod_config_parse, shared/util.c freadline_wrapped): a
 *              logical line joins physical lines ending in a backslash, a
 *              backslash before any other byte is dropped and that byte kept
 *              ("\\" is a backslash, not a continuation); a comment is a line
 *              whose first byte is '#' (an indented '#' is a bad line, and a
 *              '#' after a directive is data); words split on space and tab;
 *              '-' equals '_' in module names except inside [...].
 *   modules    /etc/modules, modules-load.d/NAME.conf, initramfs-tools/modules:
 *              one module a line, '#' and ';' comments where the first
 *              non-blank byte is one; systemd-modules-load reads the whole
 *              stripped line as the name, initramfs-tools and sysvinit take
 *              the words after it as parameters.
 *
 * A CR before the newline is data to kmod and to initramfs-tools: the model
 * keeps it apart (mc_line.cr), and an edit that matches or touches such a
 * line removes it, with a warning.  Refused: NUL bytes, unknown directives,
 * directives missing their arguments (kmod ignores them; we do not guess).
 */
#ifndef VFIOKIT_MODCONF_H
#define VFIOKIT_MODCONF_H

#include "buf.h"
#include "modname.h"

#include <stddef.h>

enum modconf_format { MODCONF_AUTO, MODCONF_MODULES, MODCONF_MODPROBE };

enum mc_kind { MC_BLANK, MC_COMMENT, MC_DIRECTIVE, MC_BAD };

enum mc_verb {
	MV_NONE, MV_ALIAS, MV_BLACKLIST, MV_INSTALL, MV_OPTIONS, MV_REMOVE,
	MV_SOFTDEP, MV_WEAKDEP, MV_OBSOLETE,	/* include, config */
	MV_MODULE				/* a modules-format line */
};

struct mc_word {
	size_t off, len;	/* in mc_line.text */
};

struct mc_line {
	size_t start, end;	/* raw bytes, the newline included */
	size_t lineno;		/* of the first physical line */
	char *text;		/* the logical line, unescaped, CR dropped */
	size_t len;
	size_t *map;		/* raw offset of each byte of text */
	int cr;			/* CRs before the newline (data to kmod) */
	size_t cr_off;
	enum mc_kind kind;
	enum mc_verb verb;
	const char *bad;	/* why a MC_BAD line is bad */
	int indented_comment;	/* MC_BAD: blanks, then '#' */
	struct mc_word *w;	/* the words: verb, module, ... */
	size_t nw;
	size_t nhead;		/* words before the data: 2 for "options M" */
	int hash;		/* a data word starts with '#': not a comment */
};

struct modconf {
	const char *p;		/* the text parsed (not owned) */
	size_t len;
	enum modconf_format fmt;
	struct mc_line *line;
	size_t nline;
	int open_end;		/* the last logical line ends at EOF */
	int escape_end;		/* ... right after a lone backslash */
};

/* the format of a FILE by its path: under a modprobe.d directory, modprobe */
enum modconf_format modconf_format_of(const char *path);
/* does path name a file in a directory named dir? */
int modconf_dir_is(const char *path, const char *dir);
/* does the name s end with suffix? */
int modconf_name_ends(const char *s, const char *suffix);

/*
 * Parse len bytes of p.  Returns 0, or -1 with *errline and *err set (a NUL
 * byte).  Lines kmod would ignore are MC_BAD, not errors: the caller says.
 */
int modconf_parse(struct modconf *mc, const char *p, size_t len,
		  enum modconf_format fmt, size_t *errline, const char **err);
/*
 * Lines appended to a parsed text that ended in a newline (not open_end,
 * not escape_end): the text is now len bytes at p (it may have moved; the
 * old part is the same bytes), and only the new lines are parsed, so ops
 * that only add lines cost the lines they add, not a parse of the whole
 * text each (10,000 --set ops).  The new part holds no NUL byte.
 */
void modconf_parse_more(struct modconf *mc, const char *p, size_t len);
void modconf_free(struct modconf *mc);

/* is s (n bytes) a modprobe.d directive? */
int modconf_is_verb(const char *s, size_t n);

/* word i of a line: its text, and its raw span in the file */
const char *mc_word(const struct mc_line *l, size_t i, size_t *n);
size_t mc_word_start(const struct mc_line *l, size_t i);
size_t mc_word_end(const struct mc_line *l, size_t i);

#endif
