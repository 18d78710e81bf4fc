/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * params: kernel and module parameters as the kernel compares them, for
 * the command line (cmdline) and modprobe.d options lines (modconf).
 *
 * Names: kernel/params.c parameq(): '-' and '_' are one character; case
 * matters.  Values that are comma lists ("ids=8086:3e92,10de:1b80",
 * "intel_iommu=on,igfx_off") are items between commas.  The ids of
 * vfio-pci (and pci-stub) are read with sscanf("%x:%x:%x:%x:%x:%x")
 * (drivers/vfio/pci/vfio_pci.c vfio_pci_fill_ids()): their case is not
 * data, so 10DE:1B80 and 10de:1b80 are one id.
 */
#ifndef VFIOKIT_PARAMS_H
#define VFIOKIT_PARAMS_H

#include <stddef.h>

#include "buf.h"

/* kernel/params.c parameq() */
int param_eq(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Is the parameter named key (NAME, or MODULE.NAME on a kernel command
 * line) a list of PCI ids?  Its NAME is "ids".
 */
int param_is_ids(const char *key, size_t klen);

/* VENDOR:DEVICE[:SUBVENDOR[:SUBDEVICE[:CLASS[:MASK]]]], each 1-8 hex digits */
int param_id_ok(const char *s, size_t n);

/* two items of a list equal as their reader compares them */
int param_item_eq(const char *a, size_t alen, const char *b, size_t blen, int ids);

/* the items of a comma list, empty ones skipped */
struct param_items {
	char **v;
	size_t n;
};

void param_items_split(struct param_items *it, const char *s, size_t n);
void param_items_add(struct param_items *it, const char *s, size_t n);
/* index of the item equal to s, or -1 */
long param_items_find(const struct param_items *it, const char *s, size_t n, int ids);
/* the items joined with commas, appended to out */
void param_items_join(const struct param_items *it, struct buf *out);
void param_items_free(struct param_items *it);

#endif
