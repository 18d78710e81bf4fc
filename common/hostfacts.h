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

#include <stddef.h>

#include "bootdetect.h"
#include "buf.h"
#include "opts.h"
#include "sysfs.h"

enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD };
enum mod_state { MOD_MISSING, MOD_MODULE, MOD_BUILTIN };

/* ROOT/proc/cpuinfo's vendor_id; CPU_OTHER when unreadable */
enum cpu_vendor hostfacts_cpu(const char *root);
/* the vendor a /proc/cpuinfo text names (Hygon's is AMD-Vi) */
enum cpu_vendor hostfacts_cpu_of(const char *cpuinfo);
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

/*
 * The file under root that makes generator k's initramfs load module by
 * name ahead of the vfio modules of p (a load by name, modprobe M, is not
 * stopped by "blacklist M"), or NULL; the caller frees it.  dracut:
 * force_drivers of dracut.conf and of the drop-ins sorted before p->file;
 * initramfs-tools: a line of /etc/initramfs-tools/modules.  The name
 * returned holds only bytes a path of this kit may hold.
 */
char *hostfacts_early_load(const char *root, enum initramfs_kind k,
			   const struct initramfs_plan *p, const char *module);

/*
 * mkinitcpio cats mkinitcpio.conf and the drop-ins into one file before it
 * sources it: the file before ours (the drop-in at path ours, there and
 * not starting with a newline) whose last line has no newline and so is
 * glued to our first, or NULL; the caller frees it.
 */
char *hostfacts_mkinitcpio_glued(const char *root, const char *ours);

/*
 * A drop-in mkinitcpio sources after ours (at path ours) that sets MODULES
 * afresh (MODULES=(...) with no ${MODULES[@]}): the vfio modules ours puts
 * there are gone from the image.  The first such file (control bytes shown
 * as '?'), or NULL; the caller frees it.
 */
char *hostfacts_mkinitcpio_reset(const char *root, const char *ours);
void initramfs_plan_free(struct initramfs_plan *p);

/*
 * The vfio modules release rel loads, in load order: vfio_pci vfio
 * vfio_iommu_type1, and vfio_virqfd before Linux 6.2 (folded into vfio
 * then, commit e2d55709398e "vfio: Fold vfio_virqfd.ko into vfio.ko").
 * Returns how many are in mods (3 or 4; 3 when rel is NULL).
 */
size_t hostfacts_vfio_modules(const char *rel, const char *mods[4]);

/* an Intel display controller on bus 0: the integrated GPU */
int pci_is_igpu(const struct pcidev *d);

/*
 * Everything a passthrough plan needs to know of the host, read once:
 * what boot-refresh --detect prints after its four boot lines.
 */
struct hostprofile {
	char *rel;			/* the kernel release, NULL: none found */
	enum cpu_vendor cpu;
	const char *iommu_params[2];	/* the parameters to merge, in order */
	size_t n_iommu;
	enum mod_state vfio_pci;
	const char *modules_file;	/* where the vfio modules are loaded from at boot */
	const char *load[4];		/* the vfio modules to list there (not built in) */
	size_t nload;
	const char *drop[1];		/* the ones to take out (vfio_virqfd from 6.2 on) */
	size_t ndrop;
	const char *fb_release;		/* hostfacts_fb_release(), NULL: none */
	struct initramfs_plan im;
};
void hostprofile_read(const struct common_opts *o, const struct bootsetup *bs,
		      struct hostprofile *p);
void hostprofile_free(struct hostprofile *p);

#endif
