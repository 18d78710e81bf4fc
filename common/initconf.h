/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * initconf: the module lists of initramfs generators' drop-in files, which
 * their generator sources as bash, edited as spans over the original text.
 *
 *   dracut      /etc/dracut.conf.d/NAME.conf: VAR+=" WORD... " (dracut.conf(5):
 *               lists are appended to, space-padded; dracut.sh sources
 *               every *.conf in order, force_drivers's words are loaded
 *               early, "rd.driver.pre=WORD" in the image's cmdline.d)
 *   mkinitcpio  /etc/mkinitcpio.conf.d/NAME.conf: VAR=(WORD... ${VAR[@]})
 *               (mkinitcpio appends every drop-in to mkinitcpio.conf and
 *               sources the whole, so ${VAR[@]} is what came before; the
 *               words go ahead of it; unquoted, so that an old string
 *               MODULES="a b" splits into its words too)
 *
 * Only assignments of the VAR an edit names are read; every other line is
 * kept byte for byte.  An assignment of VAR in another shape (quotes
 * around a reference, a command substitution, an array over several
 * lines) is refused: it cannot be edited safely.  Words compare as module
 * names ('-' and '_' equal: dracut.sh turns '-' into '_' in force_drivers,
 * kmod does the same).
 */
#ifndef VFIOKIT_INITCONF_H
#define VFIOKIT_INITCONF_H

#include "buf.h"
#include "modedit.h"

#include <stddef.h>

enum initconf_format { INITCONF_NONE, INITCONF_DRACUT, INITCONF_MKINITCPIO };

/* the format of a FILE by its directory: dracut.conf.d, mkinitcpio.conf.d */
enum initconf_format initconf_format_of(const char *path);

/*
 * Apply ops (--set / --del of "VAR WORD...", --del "VAR" for all of VAR's
 * lines) in order to the text of file.  Prints errors itself; returns 0,
 * or -1 after an error.
 */
int initconf_edit(const char *file, enum initconf_format fmt,
		  const struct modconf_op *ops, size_t nops,
		  const struct buf *in, struct buf *out);

#endif
