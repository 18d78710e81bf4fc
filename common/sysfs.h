/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysfs: the PCI devices under ROOT/sys/bus/pci/devices as the kernel shows
 * them, read with as few system calls as the caller's fields need, and
 * lspci's device filters (-s slot, -d ids[:class[:progif]]).
 *
 * The modalias file alone gives vendor, device, subsystem and class; the
 * driver and IOMMU group are the last components of two links.  Reading
 * is relative to an O_PATH descriptor of each device directory.  It
 * refuses what is not a PCI device: directory names that are not slots
 * are skipped, a modalias that is not "pci:v...d...sv...sd...bc..sc..i.."
 * is an error.
 */
#ifndef VFIOKIT_SYSFS_H
#define VFIOKIT_SYSFS_H

#include <stddef.h>

struct pcidev {
	unsigned domain, bus, dev, fn;
	char slot[24];		/* as the directory is named: 0000:00:02.0 */
	unsigned vendor, device;
	unsigned subvendor, subdevice;
	unsigned class24;	/* base << 16 | sub << 8 | prog-if */
	int rev;		/* -1 unless SYSFS_REV and known */
	char *modalias;		/* NULL when the file is absent */
	char *driver;		/* NULL: no driver bound */
	char *group;		/* NULL: no IOMMU group */
	char *label;		/* the label file verbatim, NULL when absent */
	char *drvmodule;	/* SYSFS_MODULE: the driver's module link, NULL when none */
	int boot_vga;		/* SYSFS_BOOTVGA: boot_vga (0/1), -1 when absent */
	int hdr_type;		/* SYSFS_HDRTYPE: config byte 0x0e & 0x7f, -1 unreadable */
};

/* what sysfs_scan reads beyond the ids and class */
enum {
	SYSFS_DRIVER = 1,
	SYSFS_GROUP = 2,
	SYSFS_REV = 4,
	SYSFS_LABEL = 8,
	SYSFS_MODULE = 16,	/* driver/module: the module behind the driver */
	SYSFS_BOOTVGA = 32,
	SYSFS_HDRTYPE = 64
};

/* lspci's struct pci_filter: -1 (or mask 0) matches anything */
struct pcifilter {
	int domain, bus, dev, fn;
	int vendor, device;
	int class16;
	unsigned class_mask;
	int progif;
	int group;		/* -g: IOMMU group number */
};

void pcifilter_init(struct pcifilter *f);
/* lspci -s "[[[[DOMAIN]:]BUS]:][DEV][.[FN]]"; NULL or an error message */
const char *pcifilter_slot(struct pcifilter *f, const char *s);
/* lspci -d "[VENDOR]:[DEVICE][:CLASS[:PROGIF]]" ('x' digits in CLASS match any) */
const char *pcifilter_id(struct pcifilter *f, const char *s);
/* -c CLASS: 2 hex digits (base class) or 4 (base and subclass) */
const char *pcifilter_class(struct pcifilter *f, const char *s);
/* slot fields only (what can be decided before reading the device) */
int pcifilter_match_slot(const struct pcifilter *f, const struct pcidev *d);
int pcifilter_match(const struct pcifilter *f, const struct pcidev *d);

/* "DDDD:BB:DD.F" (domain 4 or more hex digits) into d's slot fields; 0 or -EINVAL */
int pci_parse_slot(const char *name, struct pcidev *d);
/* a PCI modalias into d's ids and class; 0 or -EINVAL */
int pci_parse_modalias(const char *s, struct pcidev *d);

struct pcilist {
	struct pcidev *dev;
	size_t n;
};

/*
 * Read the devices under ROOT that f (may be NULL) selects, sorted by
 * domain, bus, device, function.  Returns 0, or -errno with *where set
 * to the path at fault (the caller frees it).
 */
int sysfs_scan(const char *root, unsigned want, const struct pcifilter *f,
	       struct pcilist *out, char **where);
void pcilist_free(struct pcilist *l);

/* lspci -D's slot: "%04x:%02x:%02x.%d" */
void pci_slot_name(const struct pcidev *d, char *buf, size_t size);

/*
 * Is s a slot exactly as the kernel names it in sysfs (pci_slot_name()'s
 * form, domain up to ffff)?  The test any slot read from a file, a
 * journal or a path must pass before it is used as one.
 */
int pci_slot_canonical(const char *s);

#endif
