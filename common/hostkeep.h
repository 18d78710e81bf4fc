/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostkeep: the PCI devices a host cannot give to a VM and still run: the
 * controller of the disk its root file system is on, and the NICs its
 * default route leaves by (the way in to a host managed over the
 * network).  Read from ROOT/proc/self/mountinfo, ROOT/proc/net/route and
 * the sysfs links under ROOT, every link resolved inside the root
 * (root_realpath); the device is the deepest PCI slot on the resolved
 * path, so a disk or NIC behind a USB controller keeps that controller.
 *
 * It refuses to guess: a root file system on no block device it can
 * follow (ZFS's "rpool/ROOT/pve-1", an overlay) leaves the disk unknown,
 * said in root_unknown.  Names read from the files are checked before
 * they reach a path or a message: a name no kernel makes is an error.
 */
#ifndef VFIOKIT_HOSTKEEP_H
#define VFIOKIT_HOSTKEEP_H

#include <stddef.h>

enum keep_kind { KEEP_ROOTDISK, KEEP_NIC };

struct keep {
	enum keep_kind kind;
	char slot[16];		/* 0000:00:17.0 */
	char *what;		/* "/ is on sda4", "the default route leaves by eno1" */
};

struct hostkeep {
	struct keep *v;
	size_t n;
	int routes_read;	/* ROOT/proc/net/route was there to read */
	int unplaced;		/* default routes on interfaces with no PCI device (a VPN, a tunnel) */
	char *root_unknown;	/* why the disk of / is not known, or NULL */
};

/* 0, or -1 after saying why (a name no kernel makes) */
int hostkeep_read(const char *root, struct hostkeep *k);
void hostkeep_free(struct hostkeep *k);

/* the mount line of "/" in a mountinfo text: its MAJ:MIN and source; 0 or -1 */
int hostkeep_root_mount(const char *mountinfo, unsigned *major, unsigned *minor,
			char *source, size_t size);

/*
 * The interfaces of the default routes in a /proc/net/route text, space-
 * separated into out (size bytes); how many, or -1 for a name no kernel makes.
 */
int hostkeep_default_ifaces(const char *route, char *out, size_t size);

/* the deepest PCI slot among the components of a /sys/devices path, or 0 */
int hostkeep_slot_of(const char *path, char *slot, size_t size);

#endif
