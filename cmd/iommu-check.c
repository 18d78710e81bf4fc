/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommu-check: is the IOMMU there and on, and can vfio take a device?
 * One "STATUS CHECK DETAIL" line per check, a "hint" line after each WARN
 * or FAIL naming what to do.  Everything is read under --root.
 */
#include "bootdetect.h"
#include "buf.h"
#include "cmdline.h"
#include "err.h"
#include "hostfacts.h"
#include "opts.h"
#include "pcidevarg.h"
#include "rootpath.h"
#include "sysfs.h"
#include "vfiogroup.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_DEVICE = OPT_TOOL };

struct check {
	const struct common_opts *co;
	int quiet;
	int failed;
	char *rel;
	const char *container;	/* the file saying the root is a container, or NULL */
	const char *image;	/* the root is no running system (bootdetect_image), or NULL */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--root DIR] [--kernel REL] [-q] [--device DEVICE...]\n",
		progname);
	/* -h: every option, one a line; a usage error: the usage alone */
	if (f == stdout)
		fputs("options:\n"
		      "  --device DEVICE... also check each device's IOMMU group (a slot or ids)\n"
		      "  -q, --quiet        print nothing; the exit status tells\n"
		      OPTS_HELP_ROOT
		      "  --kernel REL       the kernel release to check the modules and config of\n"
		      OPTS_HELP_COMMON, f);
}

static void report(struct check *c, const char *status, const char *name,
		   const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct check *c, const char *status, const char *name,
		   const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (strcmp(status, "FAIL") == 0)
		c->failed = 1;
	if (c->quiet)
		return;
	printf("%s\t%s\t", status, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (hint)
		printf("hint\t%s\t%s\n", name, hint);
}

static int root_exists(const struct common_opts *co, const char *path)
{
	struct stat st;

	return root_stat(co->root, path, &st) == 0;
}

/* whether word occurs in the space-separated list s */
static int has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p = s;

	while ((p = strstr(p, w))) {
		if ((p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

static enum cpu_vendor check_cpu(struct check *c)
{
	char *info = root_read_file(c->co->root, "/proc/cpuinfo");
	enum cpu_vendor cpu = CPU_OTHER;
	char *flags;

	if (!info) {
		if (c->image)
			report(c, "WARN", "cpu", "run iommu-check on the machine that boots it",
			       "an image, not a running system (no /proc/cpuinfo)");
		else
			report(c, "FAIL", "cpu", NULL, "cannot read /proc/cpuinfo");
		return cpu;
	}
	cpu = hostfacts_cpu_of(info);
	report(c, cpu == CPU_OTHER ? "WARN" : "PASS", "cpu",
	       cpu == CPU_OTHER ? "the checks below know Intel VT-d and AMD-Vi only" : NULL,
	       "%s", cpu == CPU_INTEL ? "Intel" : cpu == CPU_AMD ? "AMD" : "neither Intel nor AMD");
	flags = strstr(info, "\nflags");
	if (flags)
		flags[strcspn(flags + 1, "\n") + 1] = '\0';
	/* vmx/svm is what KVM needs to run the VM; the IOMMU is a separate unit */
	if (flags && (has_word(flags, "vmx") || has_word(flags, "svm")))
		report(c, "PASS", "kvm", NULL, "%s", has_word(flags, "vmx") ? "vmx" : "svm");
	else
		report(c, "WARN", "kvm",
		       cpu == CPU_AMD ? "enable SVM (AMD-V) in the firmware setup to run KVM guests"
				      : "enable VT-x in the firmware setup to run KVM guests",
		       "no %s flag in /proc/cpuinfo", cpu == CPU_AMD ? "svm" : "vmx");
	free(info);
	return cpu;
}

static void check_firmware(struct check *c, enum cpu_vendor cpu)
{
	/* the tables are readable by root only: their presence is the answer */
	int dmar = root_exists(c->co, "/sys/firmware/acpi/tables/DMAR");
	int ivrs = root_exists(c->co, "/sys/firmware/acpi/tables/IVRS");

	if (dmar || ivrs)
		report(c, "PASS", "firmware", NULL, "ACPI %s table present", dmar ? "DMAR" : "IVRS");
	else if (c->image)
		/* an image tree has no firmware of its own to tell of */
		report(c, "WARN", "firmware", "run iommu-check on the machine that boots it",
		       "an image, not a running system (nothing of sysfs in %s)", c->image);
	else if (c->container)
		/* container engines mask /sys/firmware: the host's tables are not to be seen */
		report(c, "WARN", "firmware", "run iommu-check on the container's host",
		       "a container (%s): no ACPI %s table to be seen from inside it", c->container,
		       cpu == CPU_AMD ? "IVRS" : "DMAR");
	else
		report(c, "FAIL", "firmware",
		       cpu == CPU_AMD ? "enable IOMMU (AMD-Vi) in the firmware setup"
				      : "enable VT-d in the firmware setup",
		       "no ACPI %s table", cpu == CPU_AMD ? "IVRS" : "DMAR");
}

/*
 * "cmdline-edit -i [-g] OPS FILE" for the file this host's boot setup reads
 * (under --root, "cmdline-edit --root ROOT ... ROOT/FILE"); where it has none this kit can edit, or
 * is a container, what to do instead
 */
static char *edit_hint(const struct check *c, const char *ops)
{
	struct bootsetup bs;
	struct buf b = BUF_INIT;

	bootdetect(c->co->root, &bs);
	if (bs.container)
		buf_printf(&b, "a container (%s): set the IOMMU on its host", bs.container);
	else if (!bs.cmdline_file)
		buf_printf(&b, "no kernel command line file found for boot loader %s: "
			   "make the edit (%s) where it reads the command line",
			   loader_name(bs.loader), ops);
	else if (root_is_slash(c->co->root))
		buf_printf(&b, "cmdline-edit -i%s %s %s", bs.cmdline_grub ? " -g" : "", ops,
			   bs.cmdline_file);
	else	/* run as printed, it resolves the file inside the root, links and all */
		buf_printf(&b, "cmdline-edit --root %s -i%s %s %s%s", c->co->root,
			   bs.cmdline_grub ? " -g" : "", ops, c->co->root, bs.cmdline_file);
	if (!bs.container && bs.cmdline_file) {
		const char *a[6] = { NULL };

		/*
		 * the edit reaches the kernel once the loader reads it: GRUB's
		 * grub.cfg (and Fedora's BLS entries) are made by a refresh;
		 * hand-written systemd-boot entries are read as they are
		 */
		if (!root_is_slash(c->co->root))
			buf_printf(&b, " && boot-refresh --root %s --bootloader-only", c->co->root);
		else if (bootdetect_loader_cmd(&bs, a) == 0)
			for (size_t i = 0; a[i]; i++)
				buf_printf(&b, "%s%s", i ? " " : " && ", a[i]);
		else if (bs.loader == LOADER_SDBOOT && !bs.cmdline_entry)
			buf_adds(&b, " && boot-refresh --bootloader-only");
		buf_adds(&b, " # then reboot");	/* a comment: the hint runs as printed */
	}
	return buf_detach(&b);
}

/* Debian's kernels build CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y */
static const char *intel_default_on(struct check *c, int *known)
{
	char path[512], *cfg;
	const char *opt = NULL;

	*known = 0;
	if (!c->rel)
		return NULL;
	snprintf(path, sizeof(path), "/boot/config-%s", c->rel);
	if (!(cfg = root_read_file(c->co->root, path)))
		return NULL;
	*known = 1;
	if (strstr(cfg, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y"))
		opt = "CONFIG_INTEL_IOMMU_DEFAULT_ON=y";
	else if (strstr(cfg, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y"))
		opt = "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y";
	free(cfg);
	return opt;
}

static void check_cmdline(struct check *c, enum cpu_vendor cpu, long groups)
{
	char *text = root_read_file(c->co->root, "/proc/cmdline"), *hint = NULL;
	struct buf vals = BUF_INIT;
	const char *intel, *amd;
	struct cmdline *cl;

	if (!text) {
		report(c, "WARN", "cmdline", NULL, "cannot read /proc/cmdline");
		return;
	}
	cl = cmdline_parse(text, strcspn(text, "\n"));
	if ((intel = cmdline_onoff(cl, "iommu", &vals)) && !strcmp(intel, "off")) {
		hint = edit_hint(c, "--del iommu=off");
		report(c, "FAIL", "cmdline", hint, "iommu=off disables every IOMMU");
	} else if (cpu == CPU_INTEL) {
		int known;
		const char *def = intel_default_on(c, &known);

		intel = cmdline_onoff(cl, "intel_iommu", &vals);
		if (intel && !strcmp(intel, "on")) {
			report(c, "PASS", "cmdline", NULL, "%s", vals.p);
		} else if (intel && !strcmp(intel, "off")) {
			hint = edit_hint(c, "--set intel_iommu=on --set iommu=pt");
			report(c, "FAIL", "cmdline", hint, "%s turns VT-d off", vals.p);
		} else if (def) {
			report(c, "PASS", "cmdline", NULL, "VT-d on by default (%s)", def);
		} else if (!known && groups > 0) {
			/* no config to read, but the groups say the kernel turned it on */
			report(c, "PASS", "cmdline", NULL,
			       "VT-d on by the kernel's default (no intel_iommu=on, IOMMU groups present)");
		} else {
			hint = edit_hint(c, "--set intel_iommu=on --set iommu=pt");
			report(c, "FAIL", "cmdline", hint,
			       "no intel_iommu=on and the kernel does not turn VT-d on by default");
		}
	} else if (cpu == CPU_AMD) {
		/* the AMD IOMMU is on unless amd_iommu=off; "on" is not a value it knows */
		amd = cmdline_onoff(cl, "amd_iommu", &vals);
		if (amd && !strcmp(amd, "off")) {
			hint = edit_hint(c, "--del amd_iommu");
			report(c, "FAIL", "cmdline", hint, "%s turns AMD-Vi off", vals.p);
		} else if (amd && !strcmp(amd, "on")) {
			hint = edit_hint(c, "--del amd_iommu=on");
			report(c, "WARN", "cmdline", hint,
			       "amd_iommu=on is not a value the kernel knows (AMD-Vi is on by default)");
		} else {
			report(c, "PASS", "cmdline", NULL, "AMD-Vi on by default (no amd_iommu=off)");
		}
	} else {
		report(c, "PASS", "cmdline", NULL, "no iommu=off");
	}
	free(hint);
	buf_free(&vals);
	cmdline_free(cl);
	free(text);
}

/* entries of ROOT/path other than . and .., or -1 */
static long count_dir(const struct common_opts *co, const char *path)
{
	DIR *d = root_opendir(co->root, path);
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void check_active(struct check *c, int cmdline_failed)
{
	long units = count_dir(c->co, "/sys/class/iommu");
	long groups = count_dir(c->co, "/sys/kernel/iommu_groups");

	/* an empty iommu_groups directory is what a kernel without an IOMMU shows */
	if (groups > 0)
		report(c, "PASS", "iommu", NULL, "%ld IOMMU groups, %ld IOMMU units",
		       groups, units > 0 ? units : 0);
	else if (c->image)
		report(c, "WARN", "iommu", "run iommu-check on the machine that boots it",
		       "an image, not a running system (nothing of sysfs in %s)", c->image);
	else
		report(c, "FAIL", "iommu", cmdline_failed ?
		       "the kernel command line above keeps it off: edit it, refresh, then reboot" :
		       "fix the checks above, then reboot",
		       "no IOMMU groups in /sys/kernel/iommu_groups");
}

static void check_vfio(struct check *c)
{
	const char *mods[4];
	struct buf missing = BUF_INIT;
	size_t i, n, known = 0;

	if (!c->rel) {
		report(c, "WARN", "vfio", "name the kernel with --kernel REL", "no kernel release found");
		return;
	}
	/* the list, and vfio_virqfd before 6.2, as the plan loads them (hostfacts) */
	n = hostfacts_vfio_modules(c->rel, mods);
	for (i = 0; i < n; i++) {
		enum mod_state st = hostfacts_module(c->co->root, c->rel, mods[i]);

		if (st == MOD_MISSING)
			buf_printf(&missing, "%s%s", missing.len ? " " : "", mods[i]);
		else
			known++;
	}
	if (known == 0 && !hostfacts_modules_listed(c->co->root, c->rel)) {
		report(c, "WARN", "vfio", "install the kernel's modules (and run depmod)",
		       "no %s/%s/modules.dep", root_modules(c->co->root), c->rel);
	} else if (missing.len) {
		report(c, "FAIL", "vfio", "use a kernel built with CONFIG_VFIO_PCI",
		       "%s: missing %s", c->rel, missing.p);
	} else {
		report(c, "PASS", "vfio", NULL, "%s: %s", c->rel,
		       n == 4 ? "vfio vfio_pci vfio_iommu_type1 vfio_virqfd"
			      : "vfio vfio_pci vfio_iommu_type1");
	}
	buf_free(&missing);
}

/*
 * The guide's intel_iommu=igfx_off keeps the integrated GPU out of VT-d:
 * it then has no IOMMU group and cannot be passed through
 * (drivers/iommu/intel/iommu.c: dmar_map_gfx = 0 for "igfx_off").
 */
static void check_igfx_off(struct check *c, const struct pcidev *d, const char *slot)
{
	char *text;
	struct cmdline *cl;
	struct buf vals = BUF_INIT;

	if (!pci_is_igpu(d))
		return;
	if (!(text = root_read_file(c->co->root, "/proc/cmdline")))
		return;
	cl = cmdline_parse(text, strcspn(text, "\n"));
	if (cmdline_get(cl, "intel_iommu", &vals) > 0) {
		buf_addc(&vals, '\0');
		if (strstr(vals.p, "igfx_off")) {
			char *hint = edit_hint(c, "--unmerge intel_iommu=igfx_off --merge intel_iommu=on");

			report(c, "WARN", "igfx", hint,
			       "%s: intel_iommu=igfx_off leaves the integrated GPU outside VT-d", slot);
			free(hint);
		}
	}
	buf_free(&vals);
	cmdline_free(cl);
	free(text);
}

/*
 * --device: can vfio claim each device's IOMMU group?  Every other member
 * must be one of the devices named, unbound, or on a driver that manages
 * its own DMA (common/vfiogroup.h has the kernel's rule).  A blocking
 * endpoint can go to the VM too (WARN); a blocking bridge cannot (FAIL).
 */
static void check_group(struct check *c, const struct pcilist *l, size_t j,
			const struct pcidevarg *args, int n)
{
	const struct pcidev *d = &l->dev[j];
	struct buf along = BUF_INIT, stuck = BUF_INIT, fine = BUF_INIT;
	char s1[32], s2[32];
	size_t k;
	int i;

	pci_slot_name(d, s1, sizeof(s1));
	check_igfx_off(c, d, s1);
	if (!d->group) {
		report(c, "FAIL", "group", "turn the IOMMU on (see the checks above)",
		       "%s: in no IOMMU group", s1);
		return;
	}
	for (k = 0; k < l->n; k++) {
		const struct pcidev *o = &l->dev[k];
		int chosen = 0;

		if (k == j || !o->group || strcmp(o->group, d->group))
			continue;
		for (i = 0; i < n && !chosen; i++)
			chosen = pcidevarg_match(&args[i], o);
		pci_slot_name(o, s2, sizeof(s2));
		if (chosen || vfio_member_ok(o, c->rel))
			buf_printf(&fine, "%s%s on %s", fine.len ? ", " : "", s2,
				   chosen ? "vfio-pci too" : o->driver ? o->driver : "no driver");
		else if (pci_is_bridge(o))
			buf_printf(&stuck, "%s%s (class %04x on %s)", stuck.len ? ", " : "", s2,
				   o->class24 >> 8, o->driver);
		else
			buf_printf(&along, "%s%s", along.len ? " " : "", s2);
	}
	if (stuck.len) {
		report(c, "FAIL", "group", "move the card to a slot with an IOMMU group of its own "
		       "(or check the firmware's ACS setting)",
		       "%s: group %s holds %s: a bridge on a driver that uses the kernel's DMA API, "
		       "which the host cannot give away; vfio cannot claim the group while it is bound",
		       s1, d->group, stuck.p);
	} else if (along.len) {
		struct buf hint = BUF_INIT;

		buf_printf(&hint, "pass %s to the VM as well (vfio-passthrough --group), "
			   "or move the card to another slot", along.p);
		report(c, "WARN", "group", hint.p, "%s: group %s also holds %s", s1, d->group,
		       along.p);
		buf_free(&hint);
	} else if (fine.len) {
		report(c, "PASS", "group", NULL, "%s: group %s is usable (%s)", s1, d->group, fine.p);
	} else {
		report(c, "PASS", "group", NULL, "%s: group %s, alone", s1, d->group);
	}
	buf_free(&along);
	buf_free(&stuck);
	buf_free(&fine);
}

static int check_devices(struct check *c, char **devs, int n)
{
	struct pcidevarg *args = xcalloc((size_t)n, sizeof(*args));
	struct pcilist l;
	char *where = NULL;
	int r, i;
	size_t j;

	for (i = 0; i < n; i++)
		if (pcidevarg_parse(devs[i], &args[i]) < 0) {
			errorf(devs[i], "not a slot (0000:00:02.0) or ids (8086:3e92)");
			free(args);
			return -1;
		}
	r = sysfs_scan(c->co->root, SYSFS_GROUP | SYSFS_DRIVER | SYSFS_HDRTYPE, NULL, &l, &where);
	if (r < 0) {
		errorf_errno(where, -r, "cannot read");
		free(where);
		free(args);
		return -1;
	}
	for (i = 0; i < n; i++) {
		int found = 0;

		for (j = 0; j < l.n; j++)
			if (pcidevarg_match(&args[i], &l.dev[j])) {
				found = 1;
				check_group(c, &l, j, args, n);
			}
		if (!found) {
			errorf(devs[i], "no such device");
			pcilist_free(&l);
			free(args);
			return -1;
		}
	}
	pcilist_free(&l);
	free(args);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "device", no_argument, NULL, OPT_DEVICE },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct common_opts co = COMMON_OPTS_INIT;
	struct check c = { &co, 0, 0, NULL, NULL, NULL };
	int device = 0, ch;
	enum cpu_vendor cpu;

	stdfds_init();
	err_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		int taken = opts_common(ch, optarg, &co, usage);

		if (taken == OPTS_QUIT)
			return close_stdout(co.status);
		if (taken == OPTS_TAKEN)
			continue;
		switch (ch) {
		case 'q':
			c.quiet = 1;
			break;
		case OPT_DEVICE:
			device = 1;
			break;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && !device) {
		errorf(argv[0], "unexpected argument (devices go after --device)");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (device && argc == 0) {
		errorf("--device", "no device given");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	c.rel = root_kernel_release(&co);
	{
		struct bootsetup bs;

		bootdetect(co.root, &bs);
		c.container = bs.container;
		c.image = bootdetect_image(co.root);
	}
	cpu = check_cpu(&c);
	check_firmware(&c, cpu);
	{
		int before = c.failed;

		c.failed = 0;
		check_cmdline(&c, cpu, count_dir(&co, "/sys/kernel/iommu_groups"));
		check_active(&c, c.failed);
		c.failed |= before;
	}
	check_vfio(&c);
	if (device && check_devices(&c, argv, argc) < 0) {
		free(c.rel);
		return EXIT_TROUBLE;
	}
	free(c.rel);
	return close_stdout(c.failed ? EXIT_NO : EXIT_YES);
}
