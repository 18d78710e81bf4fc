/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modalias: which modules claim a device, from ROOT/lib/modules/REL/
 * modules.alias as modprobe matches it: each "alias PATTERN MODULE" line
 * whose PATTERN, a shell glob, matches the device's modalias (fnmatch(3),
 * no flags, as kmod's index_searchwild does).  Modules come in the file's
 * order, each once; modules.builtin.alias is asked only when modules.alias
 * has no match (kmod_module_new_from_lookup stops at the first source with
 * one).  modprobe.d aliases are not read: they are configuration, not what
 * the kernel's modules declare.
 */
#ifndef VFIOKIT_MODALIAS_H
#define VFIOKIT_MODALIAS_H

#include <stddef.h>

struct modalias_db;

/*
 * Read DIR/modules.alias and, when present, DIR/modules.builtin.alias;
 * 0, or -errno (-ENOENT: no modules.alias) with *where the path at fault
 * (the caller frees it).
 */
int modalias_open(const char *dir, struct modalias_db **out, char **where);
/* the same for dir inside root (common/rootpath), *where naming ROOT/... */
int modalias_open_root(const char *root, const char *dir, struct modalias_db **out,
		       char **where);
void modalias_close(struct modalias_db *db);
/* modalias_open_root() on kernel release rel's directory under root (rootpath.h root_modules()) */
int modalias_open_release(const char *root, const char *rel, struct modalias_db **out,
			  char **where);

/*
 * The modules whose aliases match alias, each once, in modules.alias
 * order: *mods (pointers into db; the caller frees the array); returns
 * how many.  No limit: every match is there.
 */
size_t modalias_lookup(const struct modalias_db *db, const char *alias,
		       const char ***mods);

/*
 * The module behind a bound driver when sysfs has no driver/module link:
 * among the modules whose aliases match alias, the one named like the
 * driver ('-' and '_' alike), else NULL (the only match is no answer: a
 * bridge's one alias match is shpchp, yet it runs on pcieport).
 */
const char *modalias_driver_module(const struct modalias_db *db, const char *alias,
				   const char *driver);

/* lib/modules/REL/modules.builtin read inside root, NULL when unreadable; the caller frees */
char *modalias_builtin_read(const char *root, const char *rel);

/*
 * The module modprobe knows a bound driver by, NULL when it is built in or
 * there is none: the driver's module link (link, or NULL), else
 * modalias_driver_module() (db may be NULL); a name that builtin, the text
 * of modules.builtin (or NULL), lists is built in, whatever the link says.
 */
const char *modalias_bound_module(const struct modalias_db *db, const char *builtin,
				  const char *link, const char *driver, const char *alias);

#endif
