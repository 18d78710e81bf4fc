/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostfacts: what a passthrough plan needs to know about the system under
 * ROOT beyond its boot setup (bootdetect): the CPU's IOMMU, where vfio's
 * modules come from, the IOMMU parameters the kernel wants, and what lets
 * go of the firmware framebuffer.  Decided once here so that
 * vfio-passthrough, the Ansible playbook and iommu-check agree; printed by
 * boot-refresh --detect.
 */
#ifndef VFIOKIT_HOSTFACTS_H
#define VFIOKIT_HOSTFACTS_H

#include "bootdetect.h"
#include "buf.h"

enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD };
enum mod_state { MOD_MISSING, MOD_MODULE, MOD_BUILTIN };

/* ROOT/proc/cpuinfo's vendor_id; CPU_OTHER when unreadable */
enum cpu_vendor hostfacts_cpu(const char *root);
const char *cpu_vendor_name(enum cpu_vendor v);

/*
 * Module NAME ('-' and '_' alike) for release rel: built in
 * (lib/modules/REL/modules.builtin), a module (modules.dep) or missing.
 */
enum mod_state hostfacts_module(const char *root, const char *rel, const char *name);
/* lib/modules/REL has a modules.dep or modules.builtin to answer from */
int hostfacts_modules_listed(const char *root, const char *rel);

/*
 * The kernel parameter that makes the firmware framebuffer let go of the
 * boot display for vfio-pci, or NULL when none is needed (see hostfacts.c).
 */
const char *hostfacts_fb_release(const char *root, const char *rel);

/*
 * How the initramfs carries vfio-pci, its modprobe.d lines and loads it
 * before the driver it displaces, for generator k (see hostfacts.c).
 */
struct initramfs_plan {
	const char *file;	/* where the vfio modules go, or NULL */
	const char *format;	/* modconf-edit --format of file */
	const char *var;	/* the list variable in file, or NULL */
	int unless_softdep;	/* not needed when a softdep line carries vfio-pci */
	const char *files_var;	/* the variable naming modprobe.d files to carry, or NULL */
	int modprobe_d;		/* the image has /etc/modprobe.d */
	char *modprobe_d_where;	/* when it has not: the file that says so */
};
void hostfacts_initramfs(const char *root, enum initramfs_kind k, struct initramfs_plan *p);
void initramfs_plan_free(struct initramfs_plan *p);

#endif
