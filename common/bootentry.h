/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootentry: a Boot Loader Specification entry as systemd-boot reads it
 * (src/boot/efi/boot.c boot_entry_add_type1(), config_entry_add_type1()
 * before v255; line_get_key_value()): a line ends at '\n' or '\r'; blanks
 * around it are dropped; '#' starts a comment line; the key ends at the
 * first blank, the value starts after the blanks that follow, and a line
 * with no value is skipped; a value that starts with '"' on a line that
 * ends with '"' loses both; the values of every "options" line are joined
 * with a space.  What the entry boots is its "linux", "uki", "uki-url" or
 * "efi" line; two different ones make it LOADER_BAD, which systemd-boot
 * drops.  Only "linux" and "uki" (and "uki-url") boot a kernel whose
 * command line the options are: an "efi" entry's options are another
 * program's arguments (an EFI shell, Windows, memtest86+), left alone.
 */
#ifndef VFIOKIT_BOOTENTRY_H
#define VFIOKIT_BOOTENTRY_H

#include "buf.h"

#include <stddef.h>

enum entry_kind { EK_NONE, EK_LINUX, EK_UKI, EK_UKI_URL, EK_EFI, EK_BAD };

struct opt_line {
	size_t vs, ve;		/* the value in the text, quotes included */
	size_t lineno;
	int quoted;		/* systemd-boot drops its first and last byte */
};

struct entry {
	enum entry_kind kind;
	struct opt_line *opt;	/* the options lines, in order */
	size_t nopt;
	size_t cr_line;		/* the first line with a CR inside it, or 0 */
};

/* read in (an entry's text) into e; entry_free() after */
void entry_scan(const struct buf *in, struct entry *e);
void entry_free(struct entry *e);
/* does it boot a kernel (linux, uki, uki-url) whose command line the options are? */
int entry_boots_kernel(const struct entry *e);
/* the entry's kernel command line as systemd-boot joins it, appended to out */
void entry_joined(const struct buf *in, const struct entry *e, struct buf *out);

#endif
