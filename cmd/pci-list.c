/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci-list: the PCI devices under ROOT/sys/bus/pci/devices, one a line
 * (TAB-separated fields), as IOMMU groups, or as lspci -Dnnk prints them.
 */
#include "err.h"
#include "modalias.h"
#include "opts.h"
#include "pciids.h"
#include "rootpath.h"
#include "sysfs.h"
#include "vfiogroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field {
	F_SLOT, F_CLASS, F_IDS, F_VENDOR, F_DEVICE, F_SUBSYS, F_DRIVER,
	F_GROUP, F_MODALIAS, F_MODULES, F_NAME, F_MODULE, F_VFIO, F_BOOTVGA,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"slot", "class", "ids", "vendor", "device", "subsys", "driver",
	"group", "modalias", "modules", "name", "module", "vfio", "bootvga"
};

enum mode { M_FIELDS, M_GROUPS, M_LSPCI };
enum { OPT_GROUPS = OPT_TOOL, OPT_LSPCI };

struct listopts {
	struct common_opts co;
	struct pcifilter filter;
	enum mode mode;
	enum field fields[F_COUNT * 4];
	size_t nfields;		/* 0: the default set */
	int no_names;
	int kmods;
	const char *idsfile;
};

struct ctx {
	struct pciids *ids;
	struct modalias_db *mods;
	char *rel;		/* the kernel release, for the vfio field */
	char *builtin;		/* modules.builtin, for the module field */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--root DIR] [--kernel REL] [-s SLOT] [-d [VENDOR]:[DEVICE][:CLASS]] [-c CLASS]\n"
		"       %*s [-g GROUP] [-o FIELD[,FIELD...]] [-n] [-k] [-i PCI.IDS] [--groups | --lspci]\n"
		"fields: slot class ids vendor device subsys driver group modalias modules name\n"
		"        module vfio bootvga\n",
		progname, (int)strlen(progname), "");
	/* -h: every option, one a line; a usage error: the usage alone */
	if (f == stdout)
		fputs("options:\n"
		      OPTS_HELP_ROOT
		      "  --kernel REL       the kernel release whose modules.alias -k reads\n"
		      "  -s SLOT            only devices in [[[[DOMAIN]:]BUS]:][DEV][.[FN]]\n"
		      "  -d ID              only devices with [VENDOR]:[DEVICE][:CLASS[:PROGIF]]\n"
		      "  -c CLASS           only devices of a class (2 hex digits) or class and subclass (4)\n"
		      "  -g GROUP           only devices in IOMMU group GROUP\n"
		      "  -o FIELDS          print these fields, in this order\n"
		      "  -n                 leave names out\n"
		      "  -k                 add the modules field (modules.alias matches)\n"
		      "  -i FILE            read names from FILE instead of pci.ids\n"
		      "  --groups           each IOMMU group with its devices\n"
		      "  --lspci            print what lspci -Dnnk prints\n"
		      OPTS_HELP_COMMON, f);
}

static void bad_arg(const char *opt, const char *arg, const char *why)
{
	errorf(opt, "'%s': %s", arg, why);
	usage(stderr);
	exit(EXIT_TROUBLE);
}

static void parse_fields(struct listopts *lo, const char *arg)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < F_COUNT; i++)
			if (strlen(field_names[i]) == n &&
			    strncmp(field_names[i], p, n) == 0)
				break;
		if (i == F_COUNT || lo->nfields == sizeof(lo->fields) / sizeof(lo->fields[0]))
			bad_arg("-o", arg, "unknown field");
		lo->fields[lo->nfields++] = (enum field)i;
		p += n;
		if (*p == ',')
			p++;
	}
	if (lo->nfields == 0)
		bad_arg("-o", arg, "no field");
}

static void parse_options(int argc, char **argv, struct listopts *lo)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "groups", no_argument, NULL, OPT_GROUPS },
		{ "lspci", no_argument, NULL, OPT_LSPCI },
		{ NULL, 0, NULL, 0 }
	};
	const char *e;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "c:d:g:hi:kno:s:", longopts, NULL)) != -1) {
		int taken = opts_common(c, optarg, &lo->co, usage);

		if (taken == OPTS_QUIT)
			exit(close_stdout(lo->co.status));
		if (taken == OPTS_TAKEN)
			continue;
		switch (c) {
		case 'c':
			if ((e = pcifilter_class(&lo->filter, optarg)))
				bad_arg("-c", optarg, e);
			break;
		case 'd':
			if ((e = pcifilter_id(&lo->filter, optarg)))
				bad_arg("-d", optarg, e);
			break;
		case 'g':
			errno = 0;
			lo->filter.group = (int)strtol(optarg, &end, 10);
			if (errno || !*optarg || *end || lo->filter.group < 0)
				bad_arg("-g", optarg, "not a group number");
			break;
		case 'i':
			lo->idsfile = optarg;
			break;
		case 'k':
			lo->kmods = 1;
			break;
		case 'n':
			lo->no_names = 1;
			break;
		case 'o':
			parse_fields(lo, optarg);
			break;
		case 's':
			if ((e = pcifilter_slot(&lo->filter, optarg)))
				bad_arg("-s", optarg, e);
			break;
		case OPT_GROUPS:
			lo->mode = M_GROUPS;
			break;
		case OPT_LSPCI:
			lo->mode = M_LSPCI;
			break;
		default:
			usage(stderr);
			exit(EXIT_TROUBLE);
		}
	}
	if (optind < argc) {
		errorf(argv[optind], "unexpected argument");
		usage(stderr);
		exit(EXIT_TROUBLE);
	}
}

static int wants(const struct listopts *lo, enum field f)
{
	size_t i;

	for (i = 0; i < lo->nfields; i++)
		if (lo->fields[i] == f)
			return 1;
	return 0;
}

/* the default field set: slot class ids subsys driver group [modules] [name] */
static void default_fields(struct listopts *lo, int have_names)
{
	static const enum field def[] = { F_SLOT, F_CLASS, F_IDS, F_SUBSYS,
					  F_DRIVER, F_GROUP };
	size_t i;

	for (i = 0; i < sizeof(def) / sizeof(def[0]); i++)
		lo->fields[lo->nfields++] = def[i];
	if (lo->kmods)
		lo->fields[lo->nfields++] = F_MODULES;
	if (have_names && !lo->no_names)
		lo->fields[lo->nfields++] = F_NAME;
}

/* -i FILE, else ROOT/usr/share/misc/pci.ids, else ROOT/usr/share/hwdata/pci.ids */
static int open_ids(const struct listopts *lo, struct pciids **ids)
{
	static const char *const paths[] = { "/usr/share/misc/pci.ids",
					     "/usr/share/hwdata/pci.ids" };
	size_t i;
	int r;

	*ids = NULL;
	if (lo->idsfile) {
		if ((r = pciids_open(lo->idsfile, ids)) < 0) {
			errorf_errno(lo->idsfile, -r, "cannot read");
			return -1;
		}
		return 0;
	}
	for (i = 0; i < 2; i++) {
		char *p = root_path(lo->co.root, paths[i]);
		int fd = root_open(lo->co.root, paths[i], O_RDONLY | O_NONBLOCK);

		r = fd < 0 ? fd : pciids_open_fd(fd, ids);
		if (r < 0 && r != -ENOENT)
			errorf_errno(p, -r, "cannot read");
		free(p);
		if (r == 0)
			return 0;
		if (r != -ENOENT)
			return -1;
	}
	return 0;
}

/* ROOT/lib/modules/REL/modules.alias (or /usr/lib/modules); quiet: a missing one is no news */
static struct modalias_db *open_mods(const struct listopts *lo, int quiet)
{
	char *rel = root_kernel_release(&lo->co), *where = NULL;
	struct modalias_db *db = NULL;
	int r;

	if (!rel) {
		if (!quiet)
			errorf(lo->co.root, "no kernel release found: modules left out");
		return NULL;
	}
	r = modalias_open_release(lo->co.root, rel, &db, &where);
	if (r < 0 && !(quiet && r == -ENOENT))
		errorf_errno(where, -r, "modules left out");
	free(where);
	free(rel);
	return r < 0 ? NULL : db;
}

static void put_opt(const char *s)
{
	fputs(s && *s ? s : "-", stdout);
}

static void put_modules(const struct ctx *cx, const struct pcidev *d,
			const char *sep)
{
	const char **m = NULL;
	size_t n = 0, i;

	if (cx->mods && d->modalias)
		n = modalias_lookup(cx->mods, d->modalias, &m);
	if (n == 0)
		fputs("-", stdout);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(sep, stdout);
		fputs(m[i], stdout);
	}
	free(m);
}

static int has_subsys(const struct pcidev *d)
{
	return d->subvendor != 0 && d->subvendor != 0xffff;
}

static void put_field(const struct ctx *cx, const struct pcidev *d, enum field f)
{
	char slot[32], cls[128], dev[128];

	switch (f) {
	case F_SLOT:
		pci_slot_name(d, slot, sizeof(slot));
		fputs(slot, stdout);
		break;
	case F_CLASS:
		printf("%04x", d->class24 >> 8);
		break;
	case F_IDS:
		printf("%04x:%04x", d->vendor, d->device);
		break;
	case F_VENDOR:
		printf("%04x", d->vendor);
		break;
	case F_DEVICE:
		printf("%04x", d->device);
		break;
	case F_SUBSYS:
		if (has_subsys(d))
			printf("%04x:%04x", d->subvendor, d->subdevice);
		else
			fputs("-", stdout);
		break;
	case F_DRIVER:
		put_opt(d->driver);
		break;
	case F_GROUP:
		put_opt(d->group);
		break;
	case F_MODALIAS:
		put_opt(d->modalias);
		break;
	case F_MODULES:
		put_modules(cx, d, ",");
		break;
	case F_MODULE:
		/* the module modprobe knows the bound driver by (softdep, blacklist) */
		put_opt(modalias_bound_module(cx->mods, cx->builtin, d->drvmodule, d->driver,
					      d->modalias));
		break;
	case F_VFIO:
		fputs(vfio_member_ok(d, cx->rel) ? "ok" : "blocks", stdout);
		break;
	case F_BOOTVGA:
		if (d->boot_vga < 0)
			fputs("-", stdout);
		else
			printf("%d", d->boot_vga);
		break;
	case F_NAME:
		if (!cx->ids) {
			fputs("-", stdout);
			break;
		}
		printf("%s: %s",
		       pciids_name_class(cx->ids, cls, sizeof(cls), d->class24 >> 8, 0),
		       pciids_name_device(cx->ids, dev, sizeof(dev), d->vendor, d->device, 0));
		break;
	case F_COUNT:
		break;
	}
}

static void show_fields(const struct listopts *lo, const struct ctx *cx,
			const struct pcilist *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < lo->nfields; j++) {
			if (j)
				putchar('\t');
			put_field(cx, &l->dev[i], lo->fields[j]);
		}
		putchar('\n');
	}
}

/* lspci.c show_terse(): the first line of lspci -Dnn (buffers as lspci's) */
static void show_terse(const struct ctx *cx, const struct pcidev *d)
{
	char slot[32], cls[128], dev[128];

	pci_slot_name(d, slot, sizeof(slot));
	printf("%s %s: %s", slot,
	       pciids_name_class(cx->ids, cls, sizeof(cls), d->class24 >> 8, 1),
	       pciids_name_device(cx->ids, dev, sizeof(dev), d->vendor, d->device, 1));
	if (d->rev > 0)
		printf(" (rev %02x)", (unsigned)d->rev);
	putchar('\n');
}

/* lspci -Dnnk: show_terse() with -k, then ls-kernel.c show_kernel() */
static void show_lspci(const struct ctx *cx, const struct pcilist *l)
{
	char ss[256];
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct pcidev *d = &l->dev[i];

		show_terse(cx, d);
		if (d->label)	/* lspci prints the file as it is, newline or not */
			printf("\tDeviceName: %s", d->label);
		if (has_subsys(d))
			printf("\tSubsystem: %s\n",
			       pciids_name_subsystem(cx->ids, ss, sizeof(ss),
						     d->vendor, d->device,
						     d->subvendor, d->subdevice, 1));
		if (d->driver)
			printf("\tKernel driver in use: %s\n", d->driver);
		if (cx->mods && d->modalias) {
			const char **m;
			size_t n = modalias_lookup(cx->mods, d->modalias, &m), j;

			for (j = 0; j < n; j++)
				printf("%s %s", j ? "," : "\tKernel modules:", m[j]);
			if (n)
				putchar('\n');
			free(m);
		}
	}
}

static int cmp_group(const void *a, const void *b)
{
	const struct pcidev *x = *(const struct pcidev *const *)a;
	const struct pcidev *y = *(const struct pcidev *const *)b;
	long gx = strtol(x->group, NULL, 10), gy = strtol(y->group, NULL, 10);

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return x < y ? -1 : x > y;	/* keep the slot order within a group */
}

/* the Arch wiki's loop over /sys/kernel/iommu_groups, lspci -nns per device */
static size_t show_groups(const struct ctx *cx, const struct pcilist *l)
{
	const struct pcidev **g = xcalloc(l->n + 1, sizeof(*g));
	size_t n = 0, i;

	for (i = 0; i < l->n; i++)
		if (l->dev[i].group)
			g[n++] = &l->dev[i];
	qsort(g, n, sizeof(*g), cmp_group);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(g[i]->group, g[i - 1]->group) != 0)
			printf("IOMMU Group %s:\n", g[i]->group);
		putchar('\t');
		show_terse(cx, g[i]);
	}
	free(g);
	return n;
}

/*
 * What sysfs gave as text (a driver's or group's link name, the label)
 * goes out as TAB-separated fields: a TAB or newline in it would forge a
 * record for the next tool (a driver named "x\t...\n0000:..."), an ESC
 * would drive the terminal.  Refused, naming the file; 0 or -1.
 */
static int check_text(const char *root, const struct pcilist *l)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		const struct pcidev *d = &l->dev[i];
		const struct { const char *val, *attr; } f[] = {
			{ d->driver, "driver" }, { d->group, "iommu_group" },
			{ d->modalias, "modalias" }, { d->label, "label" },
			{ d->drvmodule, "driver/module" },
		};

		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			const unsigned char *p = (const unsigned char *)f[k].val;
			struct buf where = BUF_INIT;
			char *shown;

			for (; p && *p; p++)
				if ((*p < 0x20 || *p == 0x7f) && !(*p == '\n' && !p[1] && k == 3))
					break;
			if (!p || !*p)
				continue;
			buf_printf(&where, "/sys/bus/pci/devices/%s/%s", d->slot, f[k].attr);
			shown = root_path(root, where.p);
			errorf(shown, "control character 0x%02x in what sysfs gave: refused", *p);
			free(shown);
			buf_free(&where);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct listopts lo = { .co = COMMON_OPTS_INIT, .mode = M_FIELDS };
	struct ctx cx = { NULL, NULL, NULL, NULL };
	struct pcilist l;
	char *where = NULL;
	unsigned want = 0;
	size_t shown;
	int r, need_names, need_mods;

	stdfds_init();
	err_init(argv[0]);
	pcifilter_init(&lo.filter);
	parse_options(argc, argv, &lo);

	need_names = lo.mode != M_FIELDS ||
		     (lo.nfields ? wants(&lo, F_NAME) : !lo.no_names);
	if (need_names && open_ids(&lo, &cx.ids) < 0)
		return EXIT_TROUBLE;
	if (lo.mode == M_FIELDS && lo.nfields == 0)
		default_fields(&lo, cx.ids != NULL);
	need_mods = lo.mode == M_LSPCI || (lo.mode == M_FIELDS && wants(&lo, F_MODULES));
	if (need_mods)
		cx.mods = open_mods(&lo, lo.mode == M_LSPCI);
	else if (lo.mode == M_FIELDS && wants(&lo, F_MODULE))
		cx.mods = open_mods(&lo, 1);	/* only for drivers without a module link */
	if (lo.mode == M_FIELDS && (wants(&lo, F_VFIO) || wants(&lo, F_MODULE)))
		cx.rel = root_kernel_release(&lo.co);
	if (lo.mode == M_FIELDS && wants(&lo, F_MODULE))
		cx.builtin = modalias_builtin_read(lo.co.root, cx.rel);

	switch (lo.mode) {
	case M_LSPCI:
		want = SYSFS_REV | SYSFS_LABEL | SYSFS_DRIVER;
		break;
	case M_GROUPS:
		want = SYSFS_REV | SYSFS_GROUP;
		break;
	case M_FIELDS:
		if (wants(&lo, F_DRIVER))
			want |= SYSFS_DRIVER;
		if (wants(&lo, F_GROUP))
			want |= SYSFS_GROUP;
		if (wants(&lo, F_MODULE))
			want |= SYSFS_MODULE;
		if (wants(&lo, F_VFIO))
			want |= SYSFS_DRIVER | SYSFS_HDRTYPE;
		if (wants(&lo, F_BOOTVGA))
			want |= SYSFS_BOOTVGA;
		break;
	}
	r = sysfs_scan(lo.co.root, want, &lo.filter, &l, &where);
	if (r < 0) {
		if (r == -EINVAL)
			errorf(where, "not a PCI device attribute");
		else
			errorf_errno(where, -r, "cannot read");
		free(where);
		pciids_close(cx.ids);
		modalias_close(cx.mods);
		free(cx.rel);
		free(cx.builtin);
		return EXIT_TROUBLE;
	}
	if (check_text(lo.co.root, &l) < 0) {
		pcilist_free(&l);
		pciids_close(cx.ids);
		modalias_close(cx.mods);
		free(cx.rel);
		free(cx.builtin);
		return EXIT_TROUBLE;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	shown = l.n;
	if (lo.mode == M_LSPCI)
		show_lspci(&cx, &l);
	else if (lo.mode == M_GROUPS)
		shown = show_groups(&cx, &l);
	else
		show_fields(&lo, &cx, &l);
	pcilist_free(&l);
	pciids_close(cx.ids);
	modalias_close(cx.mods);
	free(cx.rel);
	free(cx.builtin);
	return close_stdout(shown ? EXIT_YES : EXIT_NO);
}
