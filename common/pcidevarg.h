/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcidevarg: the DEVICE operand of every tool, parsed once: a slot as
 * sysfs names it (0000:00:02.0) or without its domain (00:02.0, domain
 * 0000), or ids VENDOR:DEVICE (8086:3e92: every device with them).
 */
#ifndef VFIOKIT_PCIDEVARG_H
#define VFIOKIT_PCIDEVARG_H

#include "sysfs.h"

struct pcidevarg {
	struct pcidev slot;
	struct pcifilter ids;
	int byids;
};

/* 0, or -EINVAL when s is neither a slot nor ids */
int pcidevarg_parse(const char *s, struct pcidevarg *a);
/* does d answer to the operand? */
int pcidevarg_match(const struct pcidevarg *a, const struct pcidev *d);

#endif
