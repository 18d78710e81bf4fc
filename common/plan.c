/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan: the passthrough guide decided from the host (plan.h).
 */
#include "plan.h"
#include "bootentry.h"
#include "err.h"
#include "grubvar.h"
#include "hostkeep.h"
#include "modalias.h"
#include "modname.h"
#include "pcidevarg.h"
#include "rootpath.h"
#include "sysfs.h"
#include "vfiogroup.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VFIO_CONF "/etc/modprobe.d/vfio.conf"
#define BLACKLIST_CONF "/etc/modprobe.d/blacklist.conf"

static const char *const method_names[] = {
	[PM_AUTO] = "", [PM_SLOT] = "slot", [PM_IDS] = "ids", [PM_BLACKLIST] = "blacklist",
	[PM_ALIAS] = "alias", [PM_SOFTDEP] = "softdep"
};

int pmethod_parse(const char *s, enum pmethod *m)
{
	for (int i = PM_SLOT; i <= PM_SOFTDEP; i++)
		if (strcmp(s, method_names[i]) == 0) {
			*m = (enum pmethod)i;
			return 0;
		}
	return -1;
}

const char *pmethod_name(enum pmethod m)
{
	return method_names[m];
}

/* a name the kernel gives a driver or module: letters, digits, '_' and '-' */
static int is_name(const char *s)
{
	return s && *s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_-") == strlen(s);
}

static int is_number(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 10;
}

static void note(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* fmt's text, allocated; out of memory says so and exits */
static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0 || !s)
		xmalloc((size_t)-1);	/* out of memory: says so and exits */
	return s;
}

static void note(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	buf_adds(&p->notes, s);
	buf_addc(&p->notes, '\n');
	free(s);
}

/*
 * What the host keeps: with --force a note ("SLOT: passed anyway (--force):
 * WHY"), else an error now ("PROG: SLOT: WHY")
 */
static void keep_say(struct plan *p, int force, const char *slot, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void keep_say(struct plan *p, int force, const char *slot, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (force)
		note(p, "%s: passed anyway (--force): %s", slot, s);
	else
		errorf(slot, "%s", s);
	free(s);
}

static void add_edit(struct plan *p, const char *file, enum jtool tool, const char *flag,
		     const char *op, const char *arg)
{
	struct jitem it = { (char *)file, tool, journal_flag(flag), journal_op(op), (char *)arg };

	p->edits = xgrow1(p->edits, p->nedits, sizeof(*p->edits));
	jitem_copy(&p->edits[p->nedits++], &it);
	/* ops that only take away are not journal ops: keep the string itself */
	if (!p->edits[p->nedits - 1].op)
		p->edits[p->nedits - 1].op = op;
}

static void need(struct plan *p, const char *slot, const char *file, enum jtool tool,
		 const char *flag, const char *op, const char *arg)
{
	struct jrec r;

	memset(&r, 0, sizeof(r));
	r.kind = J_DEV;
	snprintf(r.slot, sizeof(r.slot), "%s", slot);
	r.it.file = (char *)file;
	r.it.tool = tool;
	r.it.flag = journal_flag(flag);
	r.it.op = journal_op(op);
	r.it.arg = (char *)arg;
	journal_add(&p->needs, &r);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->ndev; i++) {
		free(p->dev[i].driver);
		free(p->dev[i].module);
		free(p->dev[i].group);
		free(p->dev[i].modalias);
	}
	free(p->dev);
	for (size_t i = 0; i < p->nedits; i++)
		jitem_free(&p->edits[i]);
	free(p->edits);
	for (size_t i = 0; i < p->noldslots; i++)
		free(p->oldslots[i]);
	free(p->oldslots);
	journal_free(&p->needs);
	journal_free(&p->rest);
	journal_free(&p->taken);
	buf_free(&p->notes);
	free(p->cmdfile);
	memset(p, 0, sizeof(*p));
}

int plan_standard_dir(const char *dir)
{
	static const char *const std[] = {
		"/etc/modules-load.d", "/etc/modprobe.d", "/etc/dracut.conf.d", "/etc/mkinitcpio.conf.d"
	};

	for (size_t i = 0; i < sizeof(std) / sizeof(*std); i++)
		if (strcmp(dir, std[i]) == 0)
			return 1;
	return 0;
}

/*
 * The slots an install vfio-pci line names: the words of "install vfio-pci
 * for d in SLOT...; do ..." that are PCI slots (a ';' after the last one).
 */
size_t plan_install_slots(const char *text, char ***slots)
{
	size_t n = 0;
	const char *p = text;

	*slots = NULL;
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *save = NULL, *w;
		int i = 0, ours = 0;

		for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save), i++) {
			size_t wl = strlen(w), k;

			if (i == 0)
				ours = strcmp(w, "install") == 0;
			else if (i == 1)
				ours = ours && (strcmp(w, "vfio-pci") == 0 || strcmp(w, "vfio_pci") == 0);
			if (!ours)
				break;
			if (i < 2)
				continue;
			if (wl && w[wl - 1] == ';')
				w[--wl] = '\0';
			if (!pci_slot_canonical(w))
				continue;
			for (k = 0; k < n && strcmp((*slots)[k], w); k++)
				;
			if (k == n) {
				*slots = xgrow1(*slots, n, sizeof(**slots));
				(*slots)[n++] = xstrdup(w);
			}
		}
		free(line);
		p += len + (p[len] == '\n');
	}
	return n;
}

/* the install hook that gives each slot to vfio-pci before any driver probes it */
static char *install_line(char **slots, size_t n)
{
	struct buf b = BUF_INIT;

	/*
	 * kmod runs an install command with sh -c, $CMDLINE_OPTS replaced by
	 * the module's options (libkmod-module.c module_do_install_commands)
	 */
	buf_adds(&b, "install vfio-pci for d in");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, " %s", slots[i]);
	buf_adds(&b, "; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; "
		     "modprobe --ignore-install vfio-pci $CMDLINE_OPTS");
	return buf_detach(&b);
}

/* the module of d's bound driver, NULL when built in or none (modalias_bound_module) */
static const char *driver_module(const struct pcidev *d, struct modalias_db *db,
				 const char *builtin)
{
	return modalias_bound_module(db, builtin, d->drvmodule, d->driver, d->modalias);
}

/* the devices of the scan as the plan keeps them; -1 after saying why */
static int keep_dev(struct plan *p, const struct pcidev *d, struct modalias_db *db,
		    const char *builtin)
{
	struct pdev *k;
	const char *mod = driver_module(d, db, builtin);

	if ((d->driver && !is_name(d->driver)) || (mod && !is_name(mod))) {
		errorf(d->slot, "'%s' '%s': not a driver or module name a kernel makes",
		       d->driver ? d->driver : "-", mod ? mod : "-");
		return -1;
	}
	if (d->group && !is_number(d->group)) {
		errorf(d->slot, "IOMMU group '%s'", d->group);
		return -1;
	}
	if (!d->modalias || strncmp(d->modalias, "pci:", 4) ||
	    strspn(d->modalias, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:") !=
	    strlen(d->modalias)) {
		errorf(d->slot, "no modalias, or one that is not pci:...");
		return -1;
	}
	p->dev = xgrow1(p->dev, p->ndev, sizeof(*p->dev));
	k = &p->dev[p->ndev++];
	memset(k, 0, sizeof(*k));
	pci_slot_name(d, k->slot, sizeof(k->slot));
	snprintf(k->ids, sizeof(k->ids), "%04x:%04x", d->vendor, d->device);
	k->class24 = d->class24;
	k->driver = d->driver ? xstrdup(d->driver) : NULL;
	k->module = mod ? xstrdup(mod) : NULL;
	k->group = d->group ? xstrdup(d->group) : NULL;
	k->modalias = xstrdup(d->modalias);
	k->bootvga = d->boot_vga;
	return 0;
}

static int chosen(const struct plan *p, const char *slot)
{
	for (size_t i = 0; i < p->ndev; i++)
		if (strcmp(p->dev[i].slot, slot) == 0)
			return 1;
	return 0;
}

static int is_vfio(const char *drv)
{
	return drv && (strcmp(drv, "vfio-pci") == 0 || strcmp(drv, "vfio_pci") == 0);
}

/* a word in a space-separated list held in b */
static int listed(const struct buf *b, const char *w)
{
	size_t n = strlen(w);

	for (const char *s = b->p; s && (s = strstr(s, w)); s += n)
		if ((s == b->p || s[-1] == ' ' || s[-1] == ',') &&
		    (s[n] == '\0' || s[n] == ' ' || s[n] == ','))
			return 1;
	return 0;
}

/* read the facts: DEVICE operands into p->dev, with their group's members */
static int choose_devices(const struct plan_opts *o, const char *rel, const char *builtin,
			  char **devs, int ndevs, struct plan *p, struct pcilist *l)
{
	struct modalias_db *db = NULL;
	char *where = NULL;
	int r;
	struct buf byids = BUF_INIT;

	r = sysfs_scan(o->co.root, SYSFS_DRIVER | SYSFS_GROUP | SYSFS_MODULE | SYSFS_BOOTVGA |
		       SYSFS_HDRTYPE, NULL, l, &where);
	if (r < 0) {
		errorf_errno(where, -r, "cannot read");
		free(where);
		return -1;
	}
	if (rel && modalias_open_release(o->co.root, rel, &db, &where) < 0) {
		free(where);
		db = NULL;	/* only for drivers without a module link */
	}
	r = 0;
	for (int i = 0; i < ndevs && r == 0; i++) {
		struct pcidevarg a;
		int found = 0;

		if (pcidevarg_parse(devs[i], &a) < 0) {
			errorf(NULL, "'%s': not a slot (0000:00:02.0) or ids (8086:3e92)", devs[i]);
			r = -1;
			break;
		}
		for (size_t j = 0; j < l->n && r == 0; j++) {
			char s[32];

			if (!pcidevarg_match(&a, &l->dev[j]))
				continue;
			found = 1;
			pci_slot_name(&l->dev[j], s, sizeof(s));
			if (!chosen(p, s))
				r = keep_dev(p, &l->dev[j], db, builtin);
		}
		if (r == 0 && !found) {
			errorf(devs[i], "no such PCI device under %s", o->co.root);
			r = -1;
		}
		if (r == 0 && a.byids) {
			struct buf s = BUF_INIT;

			for (size_t j = 0; j < l->n; j++)
				if (pcidevarg_match(&a, &l->dev[j]))
					buf_printf(&s, "%s%s", s.len ? " " : "", l->dev[j].slot);
			buf_printf(&byids, "%s: given as ids, it binds by ids: every device with them "
				   "goes to vfio-pci: %s\n", devs[i], s.p);
			buf_free(&s);
		}
	}
	if (byids.len)
		buf_adds(&p->notes, byids.p);
	buf_free(&byids);

	/*
	 * IOMMU groups, by the kernel's rule (common/vfiogroup): another member
	 * on a driver that uses the kernel's DMA API blocks the group
	 */
	if (r == 0) {
		size_t named = p->ndev;
		unsigned long *groups = xcalloc(named + 1, sizeof(*groups));
		size_t ng = 0;

		for (size_t i = 0; i < named; i++) {
			unsigned long g;
			size_t k;

			if (!p->dev[i].group)
				continue;
			g = strtoul(p->dev[i].group, NULL, 10);
			for (k = 0; k < ng && groups[k] != g; k++)
				;
			if (k == ng)
				groups[ng++] = g;
		}
		for (size_t a = 1; a < ng; a++)	/* numeric order, as sort -un */
			for (size_t b = a; b > 0 && groups[b - 1] > groups[b]; b--) {
				unsigned long t = groups[b];

				groups[b] = groups[b - 1];
				groups[b - 1] = t;
			}
		for (size_t gi = 0; gi < ng && r == 0; gi++) {
			char gs[24];
			size_t before = p->ndev;

			snprintf(gs, sizeof(gs), "%lu", groups[gi]);
			for (size_t j = 0; j < l->n && r == 0; j++) {
				const struct pcidev *d = &l->dev[j];
				char s[32];

				if (!d->group || strcmp(d->group, gs))
					continue;
				pci_slot_name(d, s, sizeof(s));
				if (chosen(p, s) || vfio_member_ok(d, rel))
					continue;
				if (pci_is_bridge(d)) {
					errorf(s, "a bridge on %s shares IOMMU group %s: vfio cannot claim "
					       "the group while it keeps its driver, and the host cannot "
					       "give it away (iommu-check --device)", d->driver, gs);
					r = -1;
					break;
				}
				errorf(s, "shares IOMMU group %s on %s and must go to the VM too", gs,
				       d->driver ? d->driver : "-");
				r = keep_dev(p, d, db, builtin);
			}
			if (r == 0 && p->ndev > before && !o->group) {
				errorf(NULL, "IOMMU group %s has other devices: pass --group to take "
				       "them along", gs);
				r = -1;
			}
		}
		free(groups);
	}
	modalias_close(db);
	return r;
}

/*
 * What the host cannot give away and still be run (hostkeep): the
 * controller of the disk / is on, the NICs its default route leaves by;
 * and its boot display when no other display stays with it and no NIC
 * with a default route does either (nothing would be left to reach it
 * by: a host managed over the network, a single-GPU passthrough
 * desktop, keep their way in and may pass it).  Refused unless --force;
 * with it, said.  0, or -1 after saying why.
 */
static int keep_host(const struct plan_opts *o, struct plan *p, const struct pcilist *l)
{
	struct hostkeep k;
	int refused = 0, way_in = 0, other_display = 0, storage = 0;

	if (hostkeep_read(o->co.root, &k) < 0)
		return -1;
	for (size_t i = 0; i < k.n; i++) {
		const struct keep *e = &k.v[i];

		if (!chosen(p, e->slot)) {
			way_in |= e->kind == KEEP_NIC;
			continue;
		}
		refused = 1;
		if (e->kind == KEEP_ROOTDISK)
			keep_say(p, o->force, e->slot, "the controller of the root file system's disk "
				 "(%s): the host would not boot without it", e->what);
		else
			keep_say(p, o->force, e->slot, "the management NIC (%s): the host would be cut "
				 "off the network", e->what);
	}
	/* a default route by a VPN or tunnel leaves by some NIC this plan cannot see: a way in */
	way_in |= k.unplaced > 0;
	for (size_t i = 0; i < l->n; i++)
		if ((l->dev[i].class24 >> 16) == 0x03 && !chosen(p, l->dev[i].slot))
			other_display = 1;
	for (size_t i = 0; i < p->ndev; i++) {
		storage |= (p->dev[i].class24 >> 16) == 0x01;
		if (p->dev[i].bootvga != 1 || other_display || way_in || !k.routes_read)
			continue;
		refused = 1;
		keep_say(p, o->force, p->dev[i].slot, "the boot display and the host's only display, "
			 "and no NIC with a default route stays with the host: nothing would be "
			 "left to reach it by");
	}
	if (storage && k.root_unknown)
		note(p, "cannot tell which disk / is on (%s): make sure it is not behind the "
		     "storage controller passed", k.root_unknown);
	hostkeep_free(&k);
	if (refused && !o->force) {
		errorf(NULL, "the host needs these to run; pass --force to pass them anyway");
		return -1;
	}
	return 0;
}

/* the ids of the chosen devices, each once, comma-joined, in order */
static void all_ids(const struct plan *p, struct buf *ids)
{
	for (size_t i = 0; i < p->ndev; i++)
		if (!listed(ids, p->dev[i].ids))
			buf_printf(ids, "%s%s", ids->len ? "," : "", p->dev[i].ids);
}

struct ctx {
	const struct plan_opts *o;
	struct plan *p;
	struct bootsetup bs;
	struct hostprofile hp;
	char **cmdfiles;
	size_t ncmd;
	const char *cmdflag;	/* "-", "-g", "--entry" */
	const char *imflag;	/* "--format=..." */
	char *modfile_flag;
	char *builtin;		/* lib/modules/REL/modules.builtin, or NULL */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* hand-written systemd-boot entries: every *.conf of the directory is a file to edit */
static int entry_files(struct ctx *c, const char *glob)
{
	const char *slash = strrchr(glob, '/');
	char *dir = xstrndup(glob, (size_t)(slash - glob));
	struct dirent **ents = NULL;
	int n = root_scandir(c->o->co.root, dir, &ents, NULL);

	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		size_t len = strlen(e);
		struct buf f = BUF_INIT;
		struct stat st;

		if (e[0] != '.' && len > 5 && strcmp(e + len - 5, ".conf") == 0) {
			buf_printf(&f, "%s/%s", dir, e);
			if (journal_check_file(f.p)) {
				errorf(f.p, "an entry name this kit does not write");
				n = -2;
			} else if (root_stat(c->o->co.root, f.p, &st) == 0 && S_ISREG(st.st_mode)) {
				c->cmdfiles = xgrow1(c->cmdfiles, c->ncmd, sizeof(*c->cmdfiles));
				c->cmdfiles[c->ncmd++] = buf_detach(&f);
			}
		}
		buf_free(&f);
		free(ents[i]);
		if (n == -2) {
			for (int k = i + 1; k < n; k++)
				free(ents[k]);
			break;
		}
	}
	free(ents);
	free(dir);
	if (c->ncmd > 1)
		qsort(c->cmdfiles, c->ncmd, sizeof(*c->cmdfiles), by_name);
	return n == -2 ? -1 : 0;
}

/* what each device needs on the command line: one item per line file */
static void cneed(struct ctx *c, const char *slot, const char *op, const char *arg)
{
	for (size_t i = 0; i < c->ncmd; i++)
		need(c->p, slot, c->cmdfiles[i], JT_CMDLINE, c->cmdflag, op, arg);
}

struct oplist {
	const char **op;
	char **arg;
	size_t n;
};

static void op_add(struct oplist *l, const char *op, const char *arg)
{
	l->op = xgrow1(l->op, l->n, sizeof(*l->op));
	l->arg = xgrow1(l->arg, l->n, sizeof(*l->arg));
	l->op[l->n] = op;
	l->arg[l->n++] = xstrdup(arg);
}

static void op_free(struct oplist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->arg[i]);
	free(l->op);
	free(l->arg);
	memset(l, 0, sizeof(*l));
}

/* a --set of "BEFORE MODULE AFTER" for each module of the space-separated list mods */
static void per_module(struct oplist *l, const char *mods, const char *before, const char *after)
{
	char *m = xstrdup(mods ? mods : ""), *save = NULL;
	struct buf line = BUF_INIT;

	for (char *w = strtok_r(m, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		buf_reset(&line);
		buf_printf(&line, "%s%s%s", before, w, after);
		op_add(l, "--set", line.p);
	}
	buf_free(&line);
	free(m);
}

static void edits_of(struct plan *p, const char *file, enum jtool t, const char *flag,
		     const struct oplist *l)
{
	for (size_t i = 0; i < l->n; i++)
		add_edit(p, file, t, flag, l->op[i], l->arg[i]);
}

static int has_softdep(const struct oplist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (strncmp(l->arg[i], "softdep ", 8) == 0)
			return 1;
	return 0;
}

static void say_params(const struct oplist *cmd, int del, struct buf *b)
{
	for (size_t i = 0; i < cmd->n; i++) {
		int d = strcmp(cmd->op[i], "--unmerge") == 0 || strcmp(cmd->op[i], "--del") == 0;

		if (d == del)
			buf_printf(b, " %s", cmd->arg[i]);
	}
}

/*
 * A generator that loads a displaced module by name in the initramfs ahead
 * of vfio-pci defeats a blacklist and an alias alike, an error: kmod's
 * modprobe applies a blacklist to aliases only, never to "modprobe i915"
 * (tools/modprobe.c insmod(): KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, the
 * whole blacklist only with -b, which udev passes), and an alias of the
 * device's modalias is never asked when the driver is loaded by its name:
 * it binds the device before vfio-pci is there.  -1 after saying so.
 */
static int early_load_refuse(struct ctx *c, const char *mods, const char *what)
{
	char *m = xstrdup(mods ? mods : ""), *save = NULL;
	int r = 0;

	for (char *w = strtok_r(m, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *f = hostfacts_early_load(c->o->co.root, c->bs.initramfs, &c->hp.im, w);

		if (f) {
			errorf(f, "the initramfs loads %s by name ahead of vfio-pci, which %s "
			       "does not stop: use --method ids (its softdep loads vfio-pci first), or "
			       "take %s out of %s", w, what, w, f);
			free(f);
			r = -1;
		}
	}
	free(m);
	return r;
}

/*
 * --method blacklist takes each module of mods (space-separated) from the
 * whole host: the other devices on it lose their driver (the host's iGPU,
 * its sound), said in a note; and the initramfs must not load it by name
 * first (early_load_refuse)
 */
static int blacklist_checks(struct ctx *c, const struct pcilist *l, const char *mods)
{
	char *m = xstrdup(mods ? mods : ""), *save = NULL;
	int r = early_load_refuse(c, mods, "a blacklist");

	for (char *w = strtok_r(m, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		struct buf others = BUF_INIT;

		for (size_t i = 0; i < l->n; i++) {
			const struct pcidev *d = &l->dev[i];
			const char *dm;
			char s[32];

			pci_slot_name(d, s, sizeof(s));
			if (chosen(c->p, s) || !d->driver || !is_name(d->driver))
				continue;
			dm = driver_module(d, NULL, c->builtin);
			if (dm && is_name(dm) && modname_eq(dm, strlen(dm), w, strlen(w)))
				buf_printf(&others, " %s [%04x %04x:%04x] on %s", s, d->class24 >> 8,
					   d->vendor, d->device, d->driver);
		}
		if (others.len)
			note(c->p, "blacklist %s: the host's other devices on it lose their driver "
			     "too:%s; --method ids leaves them be", w, others.p);
		buf_free(&others);
	}
	free(m);
	return r;
}

/* the command line ops that put a parameter there, or (del) take one out */
static int is_del_op(const char *op)
{
	return strcmp(op, "--unmerge") == 0 || strcmp(op, "--del") == 0;
}

/* "chroot ROOT " when the command is to run in an image, else "" */
static char *in_root(const struct ctx *c)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "");
	if (!root_is_slash(c->o->co.root))
		buf_printf(&b, "chroot %s ", c->o->co.root);
	return buf_detach(&b);
}

/*
 * Pop!_OS: kernelstub rewrites the entry's options from its JSON
 * configuration ("user" -> "kernel_options", kernelstub/config.py) at every
 * kernel and initramfs update, so an edit of the entry is lost.  The
 * configuration is not edited here (a JSON writer for one distribution's
 * file is more than this kit should carry, and kernelstub -a also writes
 * the entry at once): the parameters missing from it are refused with the
 * kernelstub command that adds them; once there (each a JSON string of its
 * own), the entries are left to kernelstub.  0, or -1 after saying why.
 */
static int kernelstub_cmdline(struct ctx *c, struct oplist *cmd)
{
	struct buf cfg = BUF_INIT, add = BUF_INIT, del = BUF_INIT, q = BUF_INIT;
	char *shown = root_path(c->o->co.root, c->bs.owner_file), *pre;
	int e = root_read(c->o->co.root, c->bs.owner_file, &cfg, BUF_MAX_FILE), r = 0;

	if (e < 0) {
		errorf_errno(shown, -e, "cannot read");
		free(shown);
		buf_free(&cfg);
		return -1;
	}
	for (size_t i = 0; i < cmd->n; i++) {
		int del_op = is_del_op(cmd->op[i]), there;

		buf_reset(&q);
		buf_printf(&q, "\"%s\"", cmd->arg[i]);
		there = memmem(cfg.p, cfg.len, q.p, q.len) != NULL;
		if (!del_op && !there)
			buf_printf(&add, "%s%s", add.len ? " " : "", cmd->arg[i]);
		else if (del_op && there)
			buf_printf(&del, "%s%s", del.len ? " " : "", cmd->arg[i]);
	}
	pre = in_root(c);
	if (add.len || del.len) {
		errorf(shown, "Pop!_OS's kernelstub writes the boot entry's options from this file "
		       "at every kernel and initramfs update: an edit of the entry would be lost; "
		       "nothing written");
		if (add.len)
			errorf(NULL, "run: %skernelstub -a \"%s\"", pre, add.p);
		if (del.len)
			errorf(NULL, "run: %skernelstub -d \"%s\"", pre, del.p);
		errorf(NULL, "then run this again");
		r = -1;
	} else {
		/* kernelstub carries them: its entries are its own */
		for (size_t i = 0; i < c->ncmd; i++)
			free(c->cmdfiles[i]);
		c->ncmd = 0;
		op_free(cmd);
		note(c->p, "%s: kernelstub carries the kernel command line: the entries are left to it",
		     c->bs.owner_file);
	}
	free(pre);
	free(shown);
	buf_free(&cfg);
	buf_free(&add);
	buf_free(&del);
	buf_free(&q);
	return r;
}

/*
 * An ostree deployment (Silverblue, Kinoite, CoreOS, bootc): its entries
 * are ostree's, their options rpm-ostree's kargs, and its initramfs is
 * built on the server unless rpm-ostree initramfs --enable; so the whole
 * binding goes on the command line (vfio-pci.ids=, rd.driver.pre=vfio_pci:
 * dracut loads it first) and is refused here, said as the commands that
 * do it.  Always -1.
 */
static int ostree_cmdline(struct ctx *c, const struct oplist *cmd, const struct buf *ids)
{
	struct buf k = BUF_INIT;
	char *shown = root_path(c->o->co.root, c->bs.owner_file);
	int idsdone = 0;

	for (size_t i = 0; i < cmd->n; i++) {
		buf_printf(&k, " --%s=%s", is_del_op(cmd->op[i]) ? "delete-if-present" : "append-if-missing",
			   cmd->arg[i]);
		idsdone |= strncmp(cmd->arg[i], "vfio-pci.ids=", 13) == 0;
	}
	if (!idsdone)
		buf_printf(&k, " --append-if-missing=vfio-pci.ids=%s", ids->p);
	buf_adds(&k, " --append-if-missing=rd.driver.pre=vfio_pci");
	errorf(shown, "an ostree system: its boot entries are ostree's, their options "
	       "rpm-ostree's kargs; nothing written");
	errorf(NULL, "run on it: rpm-ostree kargs%s", k.p);
	errorf(NULL, "and, for vfio-pci in its initramfs: rpm-ostree initramfs --enable "
	       "--arg=--add-drivers --arg=\"vfio_pci vfio vfio_iommu_type1\"; then reboot");
	free(shown);
	buf_free(&k);
	return -1;
}

/* a word of a BLS options line this kit would write back: no quote, '$', space or control byte */
static int bls_word_ok(const char *w)
{
	return *w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "._,:=/+-@") == strlen(w);
}

/* w is one of the space-separated words of list (" a b ") */
static int has_param(const struct buf *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *s = list->p; s && (s = strstr(s, w)); s += n)
		if (s[-1] == ' ' && s[n] == ' ')
			return 1;
	return 0;
}

/*
 * Fedora and RHEL with BLS: grub2-mkconfig --update-bls-cmdline rewrites
 * the options line of every entry in /boot/loader/entries from
 * "root=... ro $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT" (Fedora's
 * grub2 10_linux, update_bls_cmdline()), so what grubby --args put in the
 * entries alone is dropped by the refresh this plan runs.  A parameter in
 * every entry (rescue entries aside) and not in /etc/default/grub is
 * carried into the edited value (an edit, never a need: --undo leaves it);
 * one in some entries only is said, and stays theirs to decide.
 */
static void bls_carry(struct ctx *c, struct oplist *cmd)
{
	struct buf have = BUF_INIT, text = BUF_INIT, carry = BUF_INIT, some = BUF_INIT;
	size_t odd = 0;
	struct dirent **ents = NULL;
	char **words = NULL;
	size_t *count = NULL, nw = 0, nent = 0;
	int n;

	if (c->bs.loader != LOADER_GRUB || !c->bs.grub_bls_update || !c->bs.cmdline_grub ||
	    c->ncmd != 1)
		return;
	buf_adds(&have, " ");
	if (root_read(c->o->co.root, "/etc/default/grub", &text, BUF_MAX_FILE) == 0) {
		static const char *const vars[] = { "GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT" };

		for (size_t i = 0; i < 2; i++) {
			struct grubvar_value v;

			if (grubvar_value(text.p, text.len, vars[i], "/etc/default/grub", &v) == 0) {
				for (size_t k = 0; k < v.vlen; k++)
					buf_addc(&have, v.val[k] == '\t' || v.val[k] == '\n' ? ' ' : v.val[k]);
				buf_addc(&have, ' ');
				grubvar_value_free(&v);
			}
		}
	}
	for (size_t i = 0; i < cmd->n; i++)
		if (!is_del_op(cmd->op[i]))
			buf_printf(&have, "%s ", cmd->arg[i]);
	n = root_scandir(c->o->co.root, "/boot/loader/entries", &ents, alphasort);
	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		size_t len = strlen(e);
		struct buf f = BUF_INIT, b = BUF_INIT;

		if (e[0] != '.' && len > 5 && strcmp(e + len - 5, ".conf") == 0 && !strstr(e, "rescue")) {
			struct entry en = { 0 };

			buf_printf(&f, "/boot/loader/entries/%s", e);
			/* read as systemd-boot and grub2's blscfg read it (common/bootentry) */
			if (root_read(c->o->co.root, f.p, &b, BUF_MAX_FILE) == 0)
				entry_scan(&b, &en);
			if (entry_boots_kernel(&en)) {
				struct buf joined = BUF_INIT;

				entry_joined(&b, &en, &joined);
				nent++;
				if (joined.len) {
					char *line = buf_detach(&joined), *save = NULL;

					for (char *w = strtok_r(line, " \t", &save); w;
					     w = strtok_r(NULL, " \t", &save)) {
						size_t k;

						/* 10_linux writes root=, ro, and rootflags=subvol= on btrfs itself */
						if (strncmp(w, "root=", 5) == 0 || !strcmp(w, "ro") || !strcmp(w, "rw") ||
						    strncmp(w, "rootflags=", 10) == 0 ||
						    w[0] == '$' || has_param(&have, w))
							continue;
						for (k = 0; k < nw && strcmp(words[k], w); k++)
							;
						if (k == nw) {
							words = xgrow1(words, nw, sizeof(*words));
							count = xgrow1(count, nw, sizeof(*count));
							words[nw] = xstrdup(w);
							count[nw++] = 0;
						}
						count[k]++;
					}
					free(line);
				}
			}
			entry_free(&en);
		}
		buf_free(&f);
		buf_free(&b);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	for (size_t k = 0; k < nw; k++) {
		/* a word seen twice in one entry counts twice: never more than in every entry */
		if (!bls_word_ok(words[k]))
			odd++;
		else if (count[k] >= nent)
			buf_printf(&carry, " %s", words[k]);
		else
			buf_printf(&some, " %s", words[k]);
		if (bls_word_ok(words[k]) && count[k] >= nent)
			op_add(cmd, "--add", words[k]);
		free(words[k]);
	}
	if (carry.len)
		note(c->p, "/boot/loader/entries: every entry has%s, which %s lacks (grubby --args?): "
		     "grub2-mkconfig --update-bls-cmdline would drop it; carried into %s",
		     carry.p, "/etc/default/grub", c->cmdfiles[0]);
	if (some.len)
		note(c->p, "/boot/loader/entries: some entries have%s, which %s lacks: "
		     "grub2-mkconfig --update-bls-cmdline drops it from them", some.p, "/etc/default/grub");
	if (odd)
		note(c->p, "/boot/loader/entries: %zu parameter(s) with characters this kit does not "
		     "write, which grub2-mkconfig --update-bls-cmdline drops: put them in "
		     "/etc/default/grub", odd);
	free(words);
	free(count);
	buf_free(&have);
	buf_free(&text);
	buf_free(&carry);
	buf_free(&some);
}

static int owned_cmdline(struct ctx *c, struct oplist *cmd, const struct buf *ids)
{
	if (strcmp(c->bs.owner, "kernelstub") == 0)
		return kernelstub_cmdline(c, cmd);
	if (strcmp(c->bs.owner, "rpm-ostree") == 0)
		return ostree_cmdline(c, cmd, ids);
	return 0;
}

static int decide(struct ctx *c, struct pcilist *l)
{
	const struct plan_opts *o = c->o;
	struct plan *p = c->p;
	const struct hostprofile *hp = &c->hp;
	const char *rel = hp->rel;
	struct oplist mods_ops = { 0 }, vfio_ops = { 0 }, bl_ops = { 0 }, cmd_ops = { 0 },
		      im_ops = { 0 };
	struct buf ids = BUF_INIT, twins = BUF_INIT, mods = BUF_INIT, tmp = BUF_INIT;
	int display = 0, r = 0;
	const char *bootvga = NULL, *igpu = NULL;
	int builtin = hp->vfio_pci == MOD_BUILTIN;
	size_t i;

	/* twins: other devices with the chosen ids, which an ids= binding takes too */
	all_ids(p, &ids);
	for (i = 0; i < l->n; i++) {
		char s[32], di[10];

		pci_slot_name(&l->dev[i], s, sizeof(s));
		snprintf(di, sizeof(di), "%04x:%04x", l->dev[i].vendor, l->dev[i].device);
		if (listed(&ids, di) && !chosen(p, s))
			buf_printf(&twins, " %s", s);
	}
	/* in the order of the ids, as the chosen devices give them */
	if (twins.len) {
		struct buf ordered = BUF_INIT;
		const char *s = ids.p;

		while (*s) {
			char id[10];

			snprintf(id, sizeof(id), "%.9s", s);
			for (i = 0; i < l->n; i++) {
				char sl[32], di[10];

				pci_slot_name(&l->dev[i], sl, sizeof(sl));
				snprintf(di, sizeof(di), "%04x:%04x", l->dev[i].vendor, l->dev[i].device);
				if (strcmp(di, id) == 0 && !chosen(p, sl))
					buf_printf(&ordered, " %s", sl);
			}
			s += strlen(id) + (s[strlen(id)] == ',');
		}
		buf_free(&twins);
		twins = ordered;
		if (p->method == PM_AUTO) {
			p->method = PM_SLOT;
			note(p, "ids %s also match%s: binding by slot (--method slot)", ids.p, twins.p);
		} else if (p->method != PM_SLOT) {
			errorf(NULL, "--method %s binds by ids (%s), which also match%s: use --method slot",
			       pmethod_name(p->method), ids.p, twins.p);
			r = -1;
			goto out;
		}
	}
	if (p->method == PM_AUTO)
		p->method = PM_IDS;

	for (i = 0; i < p->ndev; i++) {
		if ((p->dev[i].class24 >> 16) == 0x03)
			display = 1;
		if (!bootvga && p->dev[i].bootvga == 1)
			bootvga = p->dev[i].slot;
	}
	for (i = 0; i < l->n && !igpu; i++)
		if (chosen(p, l->dev[i].slot) && pci_is_igpu(&l->dev[i]))
			igpu = l->dev[i].slot;

	/*
	 * the modules modprobe knows the displaced drivers by (xhci_hcd is
	 * xhci_pci), in the order of the drivers' names
	 */
	{
		struct pdev **byname = xcalloc(p->ndev + 1, sizeof(*byname));
		size_t n = 0;

		for (i = 0; i < p->ndev; i++)
			if (p->dev[i].driver && !is_vfio(p->dev[i].driver))
				byname[n++] = &p->dev[i];
		for (size_t a = 1; a < n; a++)
			for (size_t b = a; b > 0; b--) {
				struct pdev *x = byname[b - 1], *y = byname[b];
				int cmp = strcmp(x->driver, y->driver);

				if (cmp == 0)
					cmp = strcmp(x->module ? x->module : "-", y->module ? y->module : "-");
				if (cmp <= 0)
					break;
				byname[b - 1] = y;
				byname[b] = x;
			}
		for (i = 0; i < n && r == 0; i++) {
			if (i && strcmp(byname[i]->driver, byname[i - 1]->driver) == 0 &&
			    !strcmp(byname[i]->module ? byname[i]->module : "-",
				    byname[i - 1]->module ? byname[i - 1]->module : "-"))
				continue;
			if (!byname[i]->module) {
				note(p, "%s: built into the kernel (no module): it binds before anything "
				     "in modprobe.d can act", byname[i]->driver);
				if (p->method == PM_SLOT || p->method == PM_BLACKLIST) {
					errorf(NULL, "--method %s: %s is built into %s, nothing in "
					       "modprobe.d comes before it", pmethod_name(p->method),
					       byname[i]->driver, rel);
					r = -1;
				}
				continue;
			}
			if (!listed(&mods, byname[i]->module))
				buf_printf(&mods, "%s%s", mods.len ? " " : "", byname[i]->module);
		}
		free(byname);
		if (r)
			goto out;
	}

	/* 4. what goes where */
	for (i = 0; i < hp->nload; i++)
		op_add(&mods_ops, "--set", hp->load[i]);
	for (i = 0; i < hp->ndrop; i++)
		op_add(&mods_ops, "--del", hp->drop[i]);
	for (i = 0; i < hp->n_iommu; i++) {
		/* the guide's igfx_off keeps the iGPU out of VT-d: "on" takes its place */
		if (igpu && strncmp(hp->iommu_params[i], "intel_iommu=", 12) == 0)
			op_add(&cmd_ops, "--unmerge", "intel_iommu=igfx_off");
		/*
		 * an "off" in the list goes: intel_iommu_setup() would take
		 * "off,on" as on, but iommu_setup() (arch/x86/kernel/pci-dma.c)
		 * keeps no_iommu for "off,pt": the IOMMU would stay off
		 */
		if (strncmp(hp->iommu_params[i], "intel_iommu=", 12) == 0)
			op_add(&cmd_ops, "--unmerge", "intel_iommu=off");
		else if (strncmp(hp->iommu_params[i], "iommu=", 6) == 0)
			op_add(&cmd_ops, "--unmerge", "iommu=off");
		op_add(&cmd_ops, "--merge", hp->iommu_params[i]);
	}
	/* parse_amd_iommu_options() (drivers/iommu/amd/init.c): "off" keeps AMD-Vi off */
	if (hp->cpu == CPU_AMD)
		op_add(&cmd_ops, "--unmerge", "amd_iommu=off");
	/* "on" is no value amd_iommu= knows (drivers/iommu/amd/init.c parse_amd_iommu_options) */
	if (hp->cpu == CPU_AMD)
		op_add(&cmd_ops, "--unmerge", "amd_iommu=on");
	if (bootvga) {
		note(p, "%s: the boot display: the host's console on it goes dark once vfio-pci has it",
		     bootvga);
		if (hp->fb_release)
			op_add(&cmd_ops, strncmp(hp->fb_release, "video=", 6) == 0 ? "--add" : "--merge",
			       hp->fb_release);
	}
	if (p->method == PM_SLOT) {
		struct buf vc = BUF_INIT;
		char **all;
		size_t nall, k;
		char *line;
		int e;

		if (hp->vfio_pci != MOD_MODULE) {
			errorf(NULL, "--method slot: vfio-pci is built into %s: no modprobe.d install "
			       "hook runs for it", rel);
			r = -1;
			goto out;
		}
		/* the slots an earlier run wrote are kept; read inside the root */
		e = root_read(o->co.root, VFIO_CONF, &vc, BUF_MAX_FILE);
		if (e < 0 && e != -ENOENT) {
			char *shown = root_path(o->co.root, VFIO_CONF);

			errorf_errno(shown, -e, "cannot read");
			free(shown);
			buf_free(&vc);
			r = -1;
			goto out;
		}
		buf_adds(&vc, "");
		p->noldslots = plan_install_slots(vc.p, &p->oldslots);
		buf_free(&vc);
		all = xcalloc(p->noldslots + p->ndev + 1, sizeof(*all));
		for (nall = 0; nall < p->noldslots; nall++)
			all[nall] = p->oldslots[nall];
		for (i = 0; i < p->ndev; i++) {
			for (k = 0; k < nall && strcmp(all[k], p->dev[i].slot); k++)
				;
			if (k == nall)
				all[nall++] = p->dev[i].slot;
		}
		line = install_line(all, nall);
		op_add(&vfio_ops, "--set", line);
		free(line);
		free(all);
		if (display)
			op_add(&vfio_ops, "--merge", "options vfio-pci disable_vga=1");
	} else if (builtin || p->method == PM_SOFTDEP) {
		/* modprobe.d options never reach a built-in vfio-pci: the kernel command line does */
		buf_reset(&tmp);
		buf_printf(&tmp, "vfio-pci.ids=%s", ids.p);
		op_add(&cmd_ops, "--merge", tmp.p);
		if (display)
			op_add(&cmd_ops, "--set", "vfio-pci.disable_vga=1");
	} else {
		buf_reset(&tmp);
		buf_printf(&tmp, "options vfio-pci ids=%s%s", ids.p, display ? " disable_vga=1" : "");
		op_add(&vfio_ops, "--merge", tmp.p);
	}
	if (p->method == PM_BLACKLIST) {
		if (blacklist_checks(c, l, mods.p) < 0) {
			r = -1;
			goto out;
		}
		per_module(&bl_ops, mods.p, "blacklist ", "");
	} else if (p->method == PM_ALIAS) {
		if (builtin) {
			errorf(NULL, "--method alias: vfio-pci is built into %s, a modprobe alias never "
			       "loads it; use ids", rel);
			r = -1;
			goto out;
		}
		if (early_load_refuse(c, mods.p, "an alias") < 0) {
			r = -1;
			goto out;
		}
		for (i = 0; i < p->ndev; i++) {
			buf_reset(&tmp);
			buf_printf(&tmp, "alias %s vfio-pci", p->dev[i].modalias);
			op_add(&vfio_ops, "--set", tmp.p);
		}
	} else if (!builtin) {	/* a built-in vfio-pci is always first */
		per_module(&vfio_ops, mods.p, "softdep ", " pre: vfio-pci");
	}

	/*
	 * The initramfs carries vfio-pci and its modprobe.d lines and loads it
	 * before the driver it displaces, the way this host's generator does
	 * it (hostfacts_initramfs): its module list (initramfs-tools: unless a
	 * softdep line carries vfio-pci in; with the install hook, modprobe
	 * --show-depends prints the hook, not vfio-pci.ko, so initramfs-tools'
	 * softdep copy leaves the module out: seen on a real Debian 12 boot,
	 * make check-boot), the modprobe.d files named where the generator
	 * would leave them out (dracut without hostonly).
	 */
	if (hp->im.file && hp->nload) {
		int sd = has_softdep(&vfio_ops) && p->method != PM_SLOT;

		if (!hp->im.unless_softdep || !sd)
			for (i = 0; i < hp->nload; i++) {
				buf_reset(&tmp);
				buf_printf(&tmp, "%s%s%s", hp->im.var ? hp->im.var : "",
					   hp->im.var ? " " : "", hp->load[i]);
				op_add(&im_ops, "--set", tmp.p);
			}
		if (hp->im.files_var) {
			if (bl_ops.n) {
				buf_reset(&tmp);
				buf_printf(&tmp, "%s %s", hp->im.files_var, BLACKLIST_CONF);
				op_add(&im_ops, "--set", tmp.p);
			}
			if (vfio_ops.n) {
				buf_reset(&tmp);
				buf_printf(&tmp, "%s %s", hp->im.files_var, VFIO_CONF);
				op_add(&im_ops, "--set", tmp.p);
			}
		}
	}
	/*
	 * a drop-in of ours from before the leading newline (initconf.c),
	 * after a file whose last line has no newline: mkinitcpio's one
	 * concatenated file would not parse; an edit that changes ours adds
	 * the newline, one that does not leaves the build broken
	 */
	if (c->bs.initramfs == INITRAMFS_MKINITCPIO && hp->im.file) {
		char *g = hostfacts_mkinitcpio_glued(o->co.root, hp->im.file);

		if (g) {
			errorf(g, "no newline at its end: mkinitcpio joins its last line to the first "
			       "line of %s and the initramfs build fails; end %s with a newline",
			       hp->im.file, g);
			free(g);
			r = -1;
			goto out;
		}
		g = hostfacts_mkinitcpio_reset(o->co.root, hp->im.file);
		if (g) {
			errorf(g, "sets MODULES afresh after %s (mkinitcpio sources the drop-ins in "
			       "order): the vfio modules would be gone from the initramfs; make it "
			       "MODULES=(... ${MODULES[@]}) or MODULES+=(...)", hp->im.file);
			free(g);
			r = -1;
			goto out;
		}
	}
	if (!hp->im.modprobe_d && (vfio_ops.n || bl_ops.n))
		errorf(hp->im.modprobe_d_where, "HOOKS has no modconf: the initramfs gets no "
		       "/etc/modprobe.d, so vfio-pci has neither its options nor its softdep there; "
		       "add modconf to HOOKS");

	if (cmd_ops.n)
		bls_carry(c, &cmd_ops);
	if (cmd_ops.n && c->bs.owner && (r = owned_cmdline(c, &cmd_ops, &ids)) != 0)
		goto out;

	/*
	 * Where no file holds the command line, the parameters are said, with
	 * where they go, and nothing is written: half a setup would boot
	 * without them.
	 */
	if (c->ncmd == 0 && cmd_ops.n) {
		struct buf add = BUF_INIT, del = BUF_INIT;

		errorf(o->co.root, "no kernel command line file this kit can edit for boot loader "
		       "'%s'; nothing written", loader_name(c->bs.loader));
		say_params(&cmd_ops, 0, &add);
		say_params(&cmd_ops, 1, &del);
		errorf(NULL, "add to %s:%s", c->bs.loader == LOADER_SDBOOT ?
		       "the options line of each entry in loader/entries/*.conf on the ESP" :
		       "the kernel command line the boot loader passes", add.p ? add.p : "");
		if (del.len)
			errorf(NULL, "and take out, where there:%s", del.p);
		errorf(NULL, "then run this again");
		buf_free(&add);
		buf_free(&del);
		r = -1;
		goto out;
	}

	if (c->bs.uki && cmd_ops.n && c->ncmd)
		note(p, "%s goes into each unified kernel image (its .cmdline section) when "
		     "kernel-install adds the kernel (layout=uki): the refresh re-adds them",
		     c->cmdfiles[0]);

	/* 5. the edits, file by file */
	edits_of(p, hp->modules_file, JT_MODCONF, "--format=modules", &mods_ops);
	edits_of(p, BLACKLIST_CONF, JT_MODCONF, "-", &bl_ops);
	edits_of(p, VFIO_CONF, JT_MODCONF, "-", &vfio_ops);
	if (hp->im.file)
		edits_of(p, hp->im.file, JT_MODCONF, c->imflag, &im_ops);
	for (i = 0; i < c->ncmd; i++)
		edits_of(p, c->cmdfiles[i], JT_CMDLINE, c->cmdflag, &cmd_ops);

	/* what each device needs, for --undo: what no other device needs goes */
	for (i = 0; i < p->ndev; i++) {
		const struct pdev *d = &p->dev[i];
		const char *s = d->slot, *dep = NULL;
		int disp = (d->class24 >> 16) == 0x03;

		for (size_t k = 0; k < hp->nload; k++)
			need(p, s, hp->modules_file, JT_MODCONF, "--format=modules", "--set", hp->load[k]);
		for (size_t k = 0; k < hp->n_iommu; k++)
			cneed(c, s, "--merge", hp->iommu_params[k]);
		if (d->bootvga == 1 && hp->fb_release)
			cneed(c, s, strncmp(hp->fb_release, "video=", 6) == 0 ? "--add" : "--merge",
			      hp->fb_release);
		if (d->driver && !is_vfio(d->driver))
			dep = d->module;
		if (p->method == PM_SLOT) {
			need(p, s, VFIO_CONF, JT_SLOT, "-", "-", s);
			if (disp)
				need(p, s, VFIO_CONF, JT_MODCONF, "-", "--merge",
				     "options vfio-pci disable_vga=1");
		} else if (builtin || p->method == PM_SOFTDEP) {
			buf_reset(&tmp);
			buf_printf(&tmp, "vfio-pci.ids=%s", d->ids);
			cneed(c, s, "--merge", tmp.p);
			if (disp)
				cneed(c, s, "--set", "vfio-pci.disable_vga=1");
		} else {
			buf_reset(&tmp);
			buf_printf(&tmp, "options vfio-pci ids=%s", d->ids);
			need(p, s, VFIO_CONF, JT_MODCONF, "-", "--merge", tmp.p);
			if (disp)
				need(p, s, VFIO_CONF, JT_MODCONF, "-", "--merge",
				     "options vfio-pci disable_vga=1");
		}
		if (p->method == PM_BLACKLIST) {
			if (dep) {
				buf_reset(&tmp);
				buf_printf(&tmp, "blacklist %s", dep);
				need(p, s, BLACKLIST_CONF, JT_MODCONF, "-", "--set", tmp.p);
			}
		} else if (p->method == PM_ALIAS) {
			buf_reset(&tmp);
			buf_printf(&tmp, "alias %s vfio-pci", d->modalias);
			need(p, s, VFIO_CONF, JT_MODCONF, "-", "--set", tmp.p);
		} else if (dep && !builtin) {
			buf_reset(&tmp);
			buf_printf(&tmp, "softdep %s pre: vfio-pci", dep);
			need(p, s, VFIO_CONF, JT_MODCONF, "-", "--set", tmp.p);
		}
		for (size_t k = 0; k < im_ops.n; k++)
			need(p, s, hp->im.file, JT_MODCONF, c->imflag, im_ops.op[k], im_ops.arg[k]);
	}
	/* every edit and record passes the journal's own checks, or nothing is done */
	for (i = 0; i < p->nedits && r == 0; i++) {
		const char *why = p->edits[i].op && journal_op(p->edits[i].op) ?
				  journal_check_item(&p->edits[i]) : NULL;

		if (why) {
			errorf(p->edits[i].file, "%s: '%s'", why, p->edits[i].arg);
			r = -1;
		}
	}
	for (i = 0; i < p->needs.n && r == 0; i++) {
		const char *why = journal_check_item(&p->needs.v[i].it);

		if (why) {
			errorf(p->needs.v[i].it.file, "%s: '%s'", why, p->needs.v[i].it.arg);
			r = -1;
		}
	}
out:
	op_free(&mods_ops);
	op_free(&vfio_ops);
	op_free(&bl_ops);
	op_free(&cmd_ops);
	op_free(&im_ops);
	buf_free(&ids);
	buf_free(&twins);
	buf_free(&mods);
	buf_free(&tmp);
	return r;
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->ncmd; i++)
		free(c->cmdfiles[i]);
	free(c->cmdfiles);
	free(c->modfile_flag);
	free(c->builtin);
	hostprofile_free(&c->hp);
}

/* the host: boot setup and profile, and the command line files; -1 said, 1 a container */
static int read_host(const struct plan_opts *o, struct ctx *c)
{
	bootdetect(o->co.root, &c->bs);
	if (!c->bs.container && c->bs.initramfs == INITRAMFS_NONE && c->bs.loader == LOADER_NONE) {
		errorf(o->co.root, "not a system this tool knows: looked for %s; and for %s",
		       bootdetect_initramfs_sought, bootdetect_loader_sought);
		return -1;
	}
	if (c->bs.container) {
		errorf(NULL, "%s is a container: PCI passthrough is set up on its host", o->co.root);
		return 1;
	}
	if (c->bs.owner && strcmp(c->bs.owner, "nixos") == 0)
		return 2;
	if (bootdetect_image(o->co.root)) {
		char *sys = root_path(o->co.root, "/sys");

		errorf(sys, "an image, not a running system (nothing of sysfs here): its PCI devices "
		       "are read on the machine that boots it; run this there");
		free(sys);
		return -1;
	}
	hostprofile_read(&o->co, &c->bs, &c->hp);
	if (!c->hp.rel) {
		errorf(o->co.root, "cannot tell the kernel release");
		return -1;
	}
	if (c->hp.cpu == CPU_OTHER) {
		char *p = root_path(o->co.root, "/proc/cpuinfo");

		errorf(p, "neither an Intel nor an AMD CPU");
		free(p);
		return -1;
	}
	c->cmdflag = c->bs.cmdline_grub ? "-g" : c->bs.cmdline_entry ? "--entry" : "-";
	if (c->bs.cmdline_entry) {
		if (entry_files(c, c->bs.cmdline_file) < 0)
			return -1;
	} else if (c->bs.cmdline_file) {
		c->cmdfiles = xcalloc(1, sizeof(*c->cmdfiles));
		c->cmdfiles[c->ncmd++] = xstrdup(c->bs.cmdline_file);
	}
	if (c->hp.vfio_pci == MOD_MISSING) {
		errorf(c->hp.rel, "the kernel has no vfio-pci (CONFIG_VFIO_PCI)");
		return -1;
	}
	c->builtin = modalias_builtin_read(o->co.root, c->hp.rel);
	if (c->hp.im.file) {
		struct buf f = BUF_INIT;

		buf_printf(&f, "--format=%s", c->hp.im.format);
		c->imflag = journal_flag(f.p);
		buf_free(&f);
		if (!c->imflag) {
			errorf(c->hp.im.file, "no format modconf-edit knows");
			return -1;
		}
	}
	return 0;
}

/*
 * NixOS builds /etc, the initramfs's modules and every boot entry from
 * configuration.nix (nixos-rebuild): a file written here is replaced or
 * refused (/etc/modprobe.d is a link into the store).  Refused before
 * anything is read further, said as the configuration that does it.
 */
static void nixos_refuse(const struct plan_opts *o, struct ctx *c, char **devs, int ndevs)
{
	struct pcilist l = { NULL, 0 };
	struct buf ids = BUF_INIT;
	char *shown = root_path(o->co.root, c->bs.owner_file);
	enum cpu_vendor cpu = hostfacts_cpu(o->co.root);

	/* the ids, when the devices can be found; their errors are said as they are */
	if (choose_devices(o, NULL, NULL, devs, ndevs, c->p, &l) == 0)
		all_ids(c->p, &ids);
	errorf(shown, "NixOS: /etc, the initramfs and the boot entries are built from "
	       "configuration.nix; nothing written");
	errorf(NULL, "put in /etc/nixos/configuration.nix, then nixos-rebuild boot and reboot:");
	errorf(NULL, "  boot.kernelParams = [ %s\"iommu=pt\" ];",
	       cpu == CPU_INTEL ? "\"intel_iommu=on\" " : "");
	errorf(NULL, "  boot.initrd.kernelModules = [ \"vfio_pci\" \"vfio\" \"vfio_iommu_type1\" ];");
	errorf(NULL, "  boot.extraModprobeConfig = \"options vfio-pci ids=%s\";",
	       ids.len ? ids.p : "VENDOR:DEVICE,...");
	free(shown);
	buf_free(&ids);
	pcilist_free(&l);
}

int plan_make(const struct plan_opts *o, char **devs, int ndevs, struct plan *p)
{
	struct ctx c;
	struct pcilist l = { NULL, 0 };
	int r;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.p = p;
	p->method = o->method;
	r = read_host(o, &c);
	if (r == 1) {
		p->container = 1;
		ctx_free(&c);
		return EXIT_YES;
	}
	if (r == 2) {
		nixos_refuse(o, &c, devs, ndevs);
		ctx_free(&c);
		plan_free(p);
		return EXIT_TROUBLE;
	}
	if (r == 0)
		r = choose_devices(o, c.hp.rel, c.builtin, devs, ndevs, p, &l);
	if (r == 0)
		r = keep_host(o, p, &l);
	if (r == 0)
		r = decide(&c, &l);
	if (r == 0 && c.ncmd)
		p->cmdfile = c.bs.cmdline_entry ? NULL : xstrdup(c.bs.cmdline_file);	/* bs.dropin dies with c */
	pcilist_free(&l);
	ctx_free(&c);
	if (r)
		plan_free(p);	/* nothing decided is to be done */
	return r ? EXIT_TROUBLE : EXIT_YES;
}

/* ---- --undo ---------------------------------------------------------- */

static int recorded(const struct journal *j, const char *slot)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].kind == J_DEV && strcmp(j->v[i].slot, slot) == 0)
			return 1;
	return 0;
}

static int in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void push(char ***v, size_t *n, const char *s)
{
	if (in_list(*v, *n, s))
		return;
	*v = xgrow1(*v, *n, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

/* how --undo takes an edit back: --set by --del (a softdep dep by --unmerge), --merge by --unmerge */
static const char *inverse(const struct jitem *it)
{
	if (it->tool == JT_MODCONF && strcmp(it->op, "--set") == 0)
		return strncmp(it->arg, "softdep ", 8) == 0 ? "--unmerge" : "--del";
	if (strcmp(it->op, "--merge") == 0)
		return "--unmerge";
	return "--del";
}

static int by_key(const void *a, const void *b)
{
	const struct jrec *x = a, *y = b;
	int c = strcmp(x->it.file, y->it.file);

	if (c == 0)
		c = strcmp(jtool_name(x->it.tool), jtool_name(y->it.tool));
	if (c == 0)
		c = strcmp(x->it.flag, y->it.flag);
	if (c == 0)
		c = strcmp(x->it.op, y->it.op);
	if (c == 0)
		c = strcmp(x->it.arg, y->it.arg);
	return c;
}

int plan_undo(const struct plan_opts *o, const struct journal *j, const char *where,
	      char **devs, int ndevs, struct plan *p)
{
	char **u = NULL;
	size_t nu = 0, i, k;
	struct pcilist l = { NULL, 0 };
	char *bad = NULL;
	int r = 0, scanned = 0;

	memset(p, 0, sizeof(*p));
	/* the devices: a slot as given (the device may be gone) or ids */
	for (int a = 0; a < ndevs && r == 0; a++) {
		struct pcidevarg arg;
		char **s = NULL;
		size_t ns = 0;

		if (pcidevarg_parse(devs[a], &arg) < 0) {
			errorf(NULL, "'%s': not a slot (0000:00:02.0) or ids (8086:3e92)", devs[a]);
			r = -1;
			break;
		}
		if ((arg.byids || o->group) && !scanned) {
			int e = sysfs_scan(o->co.root, SYSFS_GROUP, NULL, &l, &bad);

			if (e < 0) {
				errorf_errno(bad, -e, "cannot read");
				free(bad);
				r = -1;
				break;
			}
			scanned = 1;
		}
		if (arg.byids) {
			for (i = 0; i < l.n; i++)
				if (pcidevarg_match(&arg, &l.dev[i])) {
					char sl[32];

					pci_slot_name(&l.dev[i], sl, sizeof(sl));
					push(&s, &ns, sl);
				}
			if (!ns) {
				errorf(devs[a], "no such PCI device under %s", o->co.root);
				r = -1;
			}
		} else {
			char sl[32];

			pci_slot_name(&arg.slot, sl, sizeof(sl));
			push(&s, &ns, sl);
		}
		/* with --group, the members of the group recorded with it too */
		for (size_t x = 0; r == 0 && o->group && x < ns; x++) {
			const struct pcidev *d = NULL;

			for (i = 0; i < l.n && !d; i++)
				if (strcmp(l.dev[i].slot, s[x]) == 0 ||
				    (pcidevarg_parse(s[x], &arg) == 0 && pcidevarg_match(&arg, &l.dev[i])))
					d = &l.dev[i];
			if (!d) {
				errorf(s[x], "no such PCI device under %s", o->co.root);
				r = -1;
				break;
			}
			if (!d->group)
				continue;
			for (i = 0; i < l.n; i++) {
				char sl[32];

				if (!l.dev[i].group || strcmp(l.dev[i].group, d->group))
					continue;
				pci_slot_name(&l.dev[i], sl, sizeof(sl));
				if (recorded(j, sl))
					push(&s, &ns, sl);
			}
		}
		for (size_t x = 0; r == 0 && x < ns; x++) {
			if (!recorded(j, s[x])) {
				errorf(s[x], "nothing recorded for it in %s", where);
				r = -1;
			}
			push(&u, &nu, s[x]);
		}
		for (size_t x = 0; x < ns; x++)
			free(s[x]);
		free(s);
	}
	pcilist_free(&l);
	if (r) {
		for (i = 0; i < nu; i++)
			free(u[i]);
		free(u);
		return EXIT_TROUBLE;
	}

	/* what the devices needed, nobody else needs, and a run added: its inverse */
	for (i = 0; i < j->n; i++) {
		const struct jrec *g = &j->v[i];
		int keep = 0, own = 0;
		struct jrec t;

		if (g->kind != J_DEV || !in_list(u, nu, g->slot))
			continue;
		for (k = 0; k < j->n && !keep; k++)
			keep = j->v[k].kind == J_DEV && !in_list(u, nu, j->v[k].slot) &&
			       jitem_eq(&j->v[k].it, &g->it);
		for (k = 0; k < j->n && !own; k++)
			own = j->v[k].kind == J_OWN && jitem_eq(&j->v[k].it, &g->it);
		if (keep || !own)
			continue;
		memset(&t, 0, sizeof(t));
		t.kind = J_OWN;
		t.it = g->it;
		journal_add(&p->taken, &t);
	}
	if (p->taken.n > 1)
		qsort(p->taken.v, p->taken.n, sizeof(*p->taken.v), by_key);
	for (i = 0; i < j->n; i++) {
		const struct jrec *g = &j->v[i];
		int drop = g->kind == J_DEV && in_list(u, nu, g->slot);

		for (k = 0; k < p->taken.n && !drop; k++)
			drop = g->kind == J_OWN && jitem_eq(&g->it, &p->taken.v[k].it);
		if (!drop)
			journal_add(&p->rest, g);
	}
	for (i = 0; i < nu; i++)
		free(u[i]);
	free(u);

	/* the edits: file by file in the order of the sorted records, modconf first */
	for (i = 0; i < p->taken.n; i++) {
		const char *file = p->taken.v[i].it.file;
		static const enum jtool order[] = { JT_MODCONF, JT_CMDLINE, JT_SLOT };
		int seen = 0;

		for (k = 0; k < i && !seen; k++)
			seen = strcmp(p->taken.v[k].it.file, file) == 0;
		if (seen)
			continue;
		for (size_t t = 0; t < 3 && r == 0; t++) {
			const char *flag = "-";
			char **drop = NULL;
			size_t nd = 0, first = p->nedits;

			for (k = i; k < p->taken.n; k++) {
				const struct jitem *it = &p->taken.v[k].it;

				if (strcmp(it->file, file) || it->tool != order[t])
					continue;
				if (strcmp(it->flag, "-"))
					flag = it->flag;
				if (it->tool == JT_SLOT)
					push(&drop, &nd, it->arg);
				else
					add_edit(p, file, it->tool, it->flag, inverse(it), it->arg);
			}
			/* one flag for the file's call: the last one recorded, as it was given */
			for (k = first; k < p->nedits; k++)
				p->edits[k].flag = journal_flag(flag);
			if (nd) {
				/* the slots left in the install line, read inside the root */
				struct buf vc = BUF_INIT;
				char **old = NULL, **left = NULL;
				size_t nold, nleft = 0;
				int e = root_read(o->co.root, file, &vc, BUF_MAX_FILE);

				if (e < 0 && e != -ENOENT) {
					char *shown = root_path(o->co.root, file);

					errorf_errno(shown, -e, "cannot read");
					free(shown);
					r = -1;
				}
				buf_adds(&vc, "");
				nold = plan_install_slots(vc.p, &old);
				for (k = 0; k < nold; k++) {
					if (!in_list(drop, nd, old[k]))
						push(&left, &nleft, old[k]);
					free(old[k]);
				}
				free(old);
				if (nleft) {
					char *line = install_line(left, nleft);

					add_edit(p, file, JT_MODCONF, "-", "--set", line);
					free(line);
				} else {
					add_edit(p, file, JT_MODCONF, "-", "--del", "install vfio-pci");
				}
				for (k = 0; k < nleft; k++)
					free(left[k]);
				free(left);
				buf_free(&vc);
			}
			for (k = 0; k < nd; k++)
				free(drop[k]);
			free(drop);
		}
	}
	return r ? EXIT_TROUBLE : EXIT_YES;
}
