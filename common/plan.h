/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan: the passthrough guide decided once, from the host under a root:
 * which devices go (with their IOMMU group's members), the method that
 * binds them to vfio-pci first, the vfio modules and where they load,
 * the modprobe.d lines, the initramfs's own list, the kernel command
 * line, and what each device needs on record for --undo; and for --undo,
 * the inverse of what a run made that no other device needs.
 *
 * Every word taken from sysfs or a file under the root is checked before
 * it becomes part of an edit: a slot is a PCI slot, ids are hex, a driver
 * or module is a name the kernel makes ([A-Za-z0-9_-]), a modalias is
 * pci:... in ASCII.  The edits come out as journal items (journal.h),
 * whose fields can carry no newline, TAB or option.
 */
#ifndef VFIOKIT_PLAN_H
#define VFIOKIT_PLAN_H

#include <stddef.h>

#include "bootdetect.h"
#include "buf.h"
#include "hostfacts.h"
#include "journal.h"
#include "opts.h"

enum pmethod { PM_AUTO, PM_SLOT, PM_IDS, PM_BLACKLIST, PM_ALIAS, PM_SOFTDEP };

/* "slot" ... "softdep"; PM_AUTO for NULL/unknown is the caller's to refuse */
int pmethod_parse(const char *s, enum pmethod *m);
const char *pmethod_name(enum pmethod m);

struct plan_opts {
	struct common_opts co;
	enum pmethod method;
	int group;		/* --group */
	int force;		/* --force: pass what the host keeps (hostkeep.h) */
};

struct pdev {
	char slot[16];
	char ids[10];		/* "8086:3e92" */
	unsigned class24;
	char *driver;		/* NULL: none */
	char *module;		/* NULL: built in, or no driver */
	char *group;		/* NULL: no IOMMU group */
	char *modalias;
	int bootvga;		/* -1: not known */
};

struct plan {
	enum pmethod method;
	struct pdev *dev;		/* the devices, the group's members after the named */
	size_t ndev;
	struct jitem *edits;		/* in order; a run of one file, tool and flag is one call */
	size_t nedits;
	struct journal needs;		/* dev records: what each device needs */
	char **oldslots;		/* the slots the install vfio-pci line held before */
	size_t noldslots;
	struct buf notes;		/* said (stderr) when the run changes something */
	char *cmdfile;			/* the command line file a line file starts from, or NULL */
	int container;			/* the root is a container: nothing to do */
	/* --undo */
	struct journal rest;		/* the journal once the devices are taken back */
	struct journal taken;		/* the own records taken back */
};

/*
 * Decide the plan for devs (DEVICE operands).  EXIT_YES with *p filled;
 * EXIT_TROUBLE after saying why (nothing decided is to be done).  A
 * container gets EXIT_YES and p->container set, after saying so.
 */
int plan_make(const struct plan_opts *o, char **devs, int ndevs, struct plan *p);

/*
 * --undo: from journal j (read under the lock), the inverse edits of what
 * the devices needed, nobody else needs and a run made.  where names the
 * journal in messages.  EXIT_YES or EXIT_TROUBLE after saying why.
 */
int plan_undo(const struct plan_opts *o, const struct journal *j, const char *where,
	      char **devs, int ndevs, struct plan *p);

void plan_free(struct plan *p);

/*
 * dir is a standard drop-in directory a run may create when its parent is
 * there: /etc/modules-load.d (modules-load.d(5)), /etc/modprobe.d
 * (modprobe.d(5)), /etc/dracut.conf.d, /etc/mkinitcpio.conf.d
 */
int plan_standard_dir(const char *dir);

/* the slots the install vfio-pci lines of text name, each once; the caller frees */
size_t plan_install_slots(const char *text, char ***slots);

#endif
