/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pciids: names from a pci.ids file, looked up the way lspci's lib/names.c
 * does, with its fall-backs for unknown ids ("Device [1234:5678]",
 * "Class [ff00]"), without parsing the whole file.
 *
 * The file is mapped, not read: a vendor is found by binary search over
 * the vendor lines, a device by binary search within its vendor's block,
 * so a lookup touches a few pages.  This relies on what every published
 * pci.ids does: vendors, and devices within a vendor, in ascending order
 * (an entry out of order is not found, never misnamed).  The class section
 * is the run of "C xx" blocks at the end of the file, indexed once.
 * Answers are remembered, so a thousand identical devices cost one lookup.
 * Generic "S" subsystem blocks, unused since 2008, are ignored.
 */
#ifndef VFIOKIT_PCIIDS_H
#define VFIOKIT_PCIIDS_H

#include <stddef.h>

struct pciids;

/* map path; 0 or -errno */
int pciids_open(const char *path, struct pciids **out);
/* the same from an open descriptor (a regular file), which it closes */
int pciids_open_fd(int fd, struct pciids **out);
void pciids_close(struct pciids *ids);

/*
 * Raw lookups: the name as a span into the file (not NUL-terminated), or
 * NULL.  ids may be NULL (no pci.ids): every lookup then finds nothing.
 */
const char *pciids_vendor(struct pciids *ids, unsigned v, size_t *len);
const char *pciids_device(struct pciids *ids, unsigned v, unsigned d,
			  size_t *len);
const char *pciids_subsystem(struct pciids *ids, unsigned v, unsigned d,
			     unsigned sv, unsigned sd, size_t *len);
const char *pciids_class(struct pciids *ids, unsigned cls, size_t *len);
const char *pciids_subclass(struct pciids *ids, unsigned cls, unsigned sub,
			    size_t *len);

/*
 * lspci's pci_lookup_name() with its buffer sizes: numeric adds the
 * "[ids]" as lspci -nn does; a name that does not fit in size ends "...".
 * Each returns buf.
 */
char *pciids_name_class(struct pciids *ids, char *buf, size_t size,
			unsigned class16, int numeric);
char *pciids_name_device(struct pciids *ids, char *buf, size_t size,
			 unsigned v, unsigned d, int numeric);
char *pciids_name_subsystem(struct pciids *ids, char *buf, size_t size,
			    unsigned v, unsigned d, unsigned sv, unsigned sd,
			    int numeric);

#endif
