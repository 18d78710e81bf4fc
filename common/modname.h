/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modname: kernel module names as kmod compares them (shared/util.c
 * underscores(), libkmod-config.c): '-' and '_' are one character except
 * inside a [...] range of an alias pattern; a ']' without its '[' is bad.
 */
#ifndef VFIOKIT_MODNAME_H
#define VFIOKIT_MODNAME_H

#include <stddef.h>

/* kmod's underscores(): '-' to '_' outside [...]; -1 on an unmatched bracket */
int modname_normalize(char *s);
/* module names equal as kmod compares them */
int modname_eq(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Does a modules.dep or modules.builtin text (NULL: none) have a line for
 * module name ("kernel/.../NAME.ko[.xz]" before any ':')?
 */
int modname_listed(const char *list, const char *name);

#endif
