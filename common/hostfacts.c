/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostfacts: facts about the system under ROOT for the passthrough plan.
 */
#include "hostfacts.h"
#include "err.h"
#include "modname.h"
#include "opts.h"
#include "rootpath.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

enum cpu_vendor hostfacts_cpu_of(const char *info)
{
	if (strstr(info, "GenuineIntel"))
		return CPU_INTEL;
	if (strstr(info, "AuthenticAMD") || strstr(info, "HygonGenuine"))
		return CPU_AMD;
	return CPU_OTHER;
}

enum cpu_vendor hostfacts_cpu(const char *root)
{
	char *info = root_read_file(root, "/proc/cpuinfo");
	enum cpu_vendor v = info ? hostfacts_cpu_of(info) : CPU_OTHER;

	free(info);
	return v;
}

const char *cpu_vendor_name(enum cpu_vendor v)
{
	return v == CPU_INTEL ? "intel" : v == CPU_AMD ? "amd" : "other";
}

enum mod_state hostfacts_module(const char *root, const char *rel, const char *name)
{
	struct buf path = BUF_INIT;
	enum mod_state st = MOD_MISSING;
	char *list;

	if (!rel)
		return st;
	buf_printf(&path, "%s/%s/modules.builtin", root_modules(root), rel);
	if ((list = root_read_file(root, path.p)) && modname_listed(list, name))
		st = MOD_BUILTIN;
	free(list);
	if (st == MOD_MISSING) {
		path.len = 0;
		buf_printf(&path, "%s/%s/modules.dep", root_modules(root), rel);
		if ((list = root_read_file(root, path.p)) && modname_listed(list, name))
			st = MOD_MODULE;
		free(list);
	}
	buf_free(&path);
	return st;
}

int hostfacts_modules_listed(const char *root, const char *rel)
{
	static const char *const lists[] = { "modules.dep", "modules.builtin" };
	struct buf path = BUF_INIT;
	int r = 0;

	for (size_t i = 0; rel && i < 2 && !r; i++) {
		struct stat st;

		path.len = 0;
		buf_printf(&path, "%s/%s/%s", root_modules(root), rel, lists[i]);
		r = root_stat(root, path.p, &st) == 0;	/* inside the root */
	}
	buf_free(&path);
	return r;
}

/*
 * Linux 6.0 and later: vfio-pci removes the firmware framebuffers on the
 * device itself (drivers/vfio/pci/vfio_pci_core.c, commit d17378062079
 * "vfio/pci: Remove console drivers": vfio_pci_core_register_device() ->
 * aperture_remove_conflicting_pci_devices()), nothing is needed.  Before:
 * where sysfb hands the framebuffer to simpledrm/simplefb
 * (CONFIG_SYSFB_SIMPLEFB=y, drivers/firmware/sysfb.c), video=efifb:off has
 * no effect and only initcall_blacklist=sysfb_init keeps it off the
 * device; otherwise efifb holds it and video=efifb:off lets go (the guide's
 * parameter, drivers/video/fbdev/efifb.c efifb_setup()).
 */
const char *hostfacts_fb_release(const char *root, const char *rel)
{
	struct buf path = BUF_INIT;
	const char *param = "video=efifb:off";
	char *cfg;

	if (!rel || kver_cmp(rel, 6, 0) >= 0)
		return rel ? NULL : param;
	buf_printf(&path, "/boot/config-%s", rel);
	cfg = root_read_file(root, path.p);
	if (cfg && (strncmp(cfg, "CONFIG_SYSFB_SIMPLEFB=y\n", 24) == 0 ||
		    strstr(cfg, "\nCONFIG_SYSFB_SIMPLEFB=y\n")))
		param = "initcall_blacklist=sysfb_init";
	free(cfg);
	buf_free(&path);
	return param;
}

/* "modconf" among the words of a HOOKS=(...) / HOOKS+=(...) line */
static int has_modconf(const char *s, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++)
		if (memcmp(s + i, "modconf", 7) == 0 &&
		    (i == 0 || strchr("( \t\"'", s[i - 1])) &&
		    (i + 7 == n || strchr(") \t\"'", s[i + 7])))
			return 1;
	return 0;
}

/*
 * The HOOKS mkinitcpio ends with: /etc/mkinitcpio.conf, then the drop-ins
 * in /etc/mkinitcpio.conf.d in version order (mkinitcpio appends them to
 * the main file and sources the whole: "sort -zVu" in mkinitcpio).  Each
 * HOOKS= line sets, each HOOKS+= line adds.  1 when modconf is in, 0 not,
 * and *where the last file that set HOOKS.
 */
/* mkinitcpio.conf, then its drop-ins in the order mkinitcpio cats them; *nf of them */
static char **mkinitcpio_files(const char *root, size_t *nfiles)
{
	struct dirent **ents = NULL;
	/* inside the root (common/rootpath), as the files read below */
	int n = root_scandir(root, "/etc/mkinitcpio.conf.d", &ents, NULL);
	char **files = xcalloc((size_t)(n > 0 ? n : 0) + 2, sizeof(*files));
	size_t nf = 0;

	files[nf++] = xstrdup("/etc/mkinitcpio.conf");
	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		size_t len = strlen(e);

		if (e[0] != '.' && len > 5 && strcmp(e + len - 5, ".conf") == 0) {
			struct buf b = BUF_INIT;

			buf_printf(&b, "/etc/mkinitcpio.conf.d/%s", e);
			files[nf++] = buf_detach(&b);
		}
		free(ents[i]);
	}
	free(ents);
	if (nf > 2)
		qsort(files + 1, nf - 1, sizeof(*files), by_version);
	*nfiles = nf;
	return files;
}

static int mkinitcpio_modconf(const char *root, char **where)
{
	size_t nf;
	char **files = mkinitcpio_files(root, &nf);
	int has = 1;

	*where = NULL;
	for (size_t f = 0; f < nf; f++) {
		char *text = root_read_file(root, files[f]);
		const char *p = text;

		while (p && *p) {
			size_t len = strcspn(p, "\n"), k = strspn(p, " \t");

			if (len - k >= 6 && strncmp(p + k, "HOOKS=", 6) == 0) {
				has = has_modconf(p + k + 6, len - k - 6);
				free(*where);
				*where = xstrdup(files[f]);
			} else if (len - k >= 7 && strncmp(p + k, "HOOKS+=", 7) == 0) {
				has = has || has_modconf(p + k + 7, len - k - 7);
			}
			p += len + (p[len] == '\n');
		}
		free(text);
	}
	free_strings(files, nf);
	return has;
}

/*
 * initramfs-tools: /etc/initramfs-tools/modules, loaded early in the
 * image; mkinitramfs copies every /etc/modprobe.d file in, and
 * manual_add_modules (hook-functions, modprobe --show-depends) follows a
 * softdep's pre: modules, so where a softdep line names vfio-pci the
 * image has it without the list.  dracut: force_drivers in a drop-in
 * (dracut.sh: instmods them, "rd.driver.pre=" each, modprobed before
 * udev); /etc/modprobe.d goes in only in hostonly mode
 * (modules.d/80base/module-setup.sh), so the files are named in
 * install_items too.  mkinitcpio: MODULES in a drop-in, ahead of
 * mkinitcpio.conf's (init loads MODULES with modprobe before the
 * hooks run, before udev loads amdgpu for the kms hook); modprobe.d goes
 * in only with the modconf hook (install/modconf).
 */
void hostfacts_initramfs(const char *root, enum initramfs_kind k, struct initramfs_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->modprobe_d = 1;
	switch (k) {
	case INITRAMFS_TOOLS:
		p->file = "/etc/initramfs-tools/modules";
		p->format = "modules";
		p->unless_softdep = 1;
		break;
	case INITRAMFS_DRACUT:
		p->file = "/etc/dracut.conf.d/vfio.conf";
		p->format = "dracut";
		p->var = "force_drivers";
		p->files_var = "install_items";
		break;
	case INITRAMFS_MKINITCPIO:
		p->file = "/etc/mkinitcpio.conf.d/vfio.conf";
		p->format = "mkinitcpio";
		p->var = "MODULES";
		p->modprobe_d = mkinitcpio_modconf(root, &p->modprobe_d_where);
		break;
	case INITRAMFS_NONE:
		break;
	}
}

/* word [w, w + n) is module m, '-' and '_' alike (dracut.sh: force_drivers=${force_drivers//-/_}) */
static int word_is(const char *w, size_t n, const char *m)
{
	if (strlen(m) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((w[i] == '-' ? '_' : w[i]) != (m[i] == '-' ? '_' : m[i]))
			return 0;
	return 1;
}

/*
 * text names module among the words of a force_drivers assignment (dracut:
 * VAR+=" ... " or VAR=" ... ", each on a line of its own: dracut.conf(5))
 */
static int dracut_forces(const char *text, const char *module)
{
	for (const char *p = text; p && *p;) {
		size_t len = strcspn(p, "\n"), k = strspn(p, " \t");
		const char *s = p + k, *e = p + len;

		if ((size_t)(e - s) > 14 && strncmp(s, "force_drivers", 13) == 0) {
			s += 13;
			s += *s == '+';
			if (*s == '=' && (s[1] == '"' || s[1] == '\'')) {
				char q = s[1];

				for (s += 2; s < e && *s != q;) {
					size_t n = strcspn(s, " \t\"'\n");

					if (n && s + n <= e && word_is(s, n, module))
						return 1;
					s += n ? n : 1;
				}
			}
		}
		p += len + (p[len] == '\n');
	}
	return 0;
}

/* a file name this kit would print: no byte a message or a path could be bent by */
static int plain_name(const char *s)
{
	return *s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._+@-") == strlen(s);
}

static char *dracut_early(const char *root, const struct initramfs_plan *p, const char *module)
{
	/* dracut.sh: dracut.conf, then dropindirs_sort ".conf" over /etc first, /usr/lib: sort -Vu */
	static const char *const dirs[] = { "/etc/dracut.conf.d", "/usr/lib/dracut/dracut.conf.d" };
	const char *ours = strrchr(p->file, '/') + 1;
	char **names = NULL, *found = NULL, *text;
	size_t nn = 0;

	text = root_read_file(root, "/etc/dracut.conf");
	if (text && dracut_forces(text, module))
		found = xstrdup("/etc/dracut.conf");
	free(text);
	for (size_t d = 0; d < 2 && !found; d++) {
		struct dirent **ents = NULL;
		int n = root_scandir(root, dirs[d], &ents, NULL);

		for (int i = 0; i < n; i++) {
			const char *e = ents[i]->d_name;
			size_t len = strlen(e), k;

			if (plain_name(e) && e[0] != '.' && len > 5 &&
			    strcmp(e + len - 5, ".conf") == 0 && strverscmp(e, ours) < 0) {
				for (k = 0; k < nn && strcmp(strrchr(names[k], '/') + 1, e); k++)
					;
				if (k == nn) {	/* /etc's file of a name wins */
					struct buf b = BUF_INIT;

					buf_printf(&b, "%s/%s", dirs[d], e);
					names = xgrow1(names, nn, sizeof(*names));
					names[nn++] = buf_detach(&b);
				}
			}
			free(ents[i]);
		}
		free(ents);
	}
	for (size_t i = 0; i < nn; i++) {
		if (!found) {
			text = root_read_file(root, names[i]);
			if (text && dracut_forces(text, module))
				found = xstrdup(names[i]);
			free(text);
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* add_modules_from_file (initramfs-tools hook-functions): grep '^[^#]', the first word of each */
static char *tools_early(const char *root, const struct initramfs_plan *p, const char *module)
{
	char *text = root_read_file(root, p->file), *found = NULL;

	for (const char *s = text; s && *s && !found;) {
		size_t len = strcspn(s, "\n"), k = strspn(s, " \t"), n;

		if (len && s[0] != '#') {
			n = strcspn(s + k, " \t\r\n");
			if (word_is(s + k, n, "vfio_pci"))
				break;	/* vfio-pci is loaded first */
			if (word_is(s + k, n, module))
				found = xstrdup(p->file);
		}
		s += len + (s[len] == '\n');
	}
	free(text);
	return found;
}

char *hostfacts_mkinitcpio_glued(const char *root, const char *ours)
{
	size_t nf;
	char **files = mkinitcpio_files(root, &nf), *found = NULL, *text;
	const char *base = strrchr(ours, '/') + 1;
	size_t last = 0;

	/* the file just before ours in the concatenation (mkinitcpio.conf is first) */
	while (last + 1 < nf && strverscmp(strrchr(files[last + 1], '/') + 1, base) < 0)
		last++;
	text = root_read_file(root, ours);
	if (text && text[0] && text[0] != '\n') {
		char *t = root_read_file(root, files[last]);
		size_t len = t ? strlen(t) : 0;

		if (len && t[len - 1] != '\n' && plain_name(strrchr(files[last], '/') + 1))
			found = xstrdup(files[last]);
		free(t);
	}
	free(text);
	free_strings(files, nf);
	return found;
}

/*
 * Does line (n bytes, leading blanks skipped) set MODULES afresh: MODULES=
 * (not +=) with no reference to MODULES in its value, so that what came
 * before in the concatenation is gone when mkinitcpio sources it?
 */
static int resets_modules(const char *s, size_t n)
{
	const char *v;

	if (n < 8 || strncmp(s, "MODULES=", 8) != 0)
		return 0;
	for (v = s + 8; v + 7 <= s + n; v++)
		if (strncmp(v, "MODULES", 7) == 0 && v > s + 8 && (v[-1] == '$' || v[-1] == '{'))
			return 0;
	return 1;
}

char *hostfacts_mkinitcpio_reset(const char *root, const char *ours)
{
	size_t nf;
	char **files = mkinitcpio_files(root, &nf);
	const char *base = strrchr(ours, '/') + 1;
	char *found = NULL;

	for (size_t f = 1; f < nf && !found; f++) {
		char *text;
		const char *p;

		/* only what mkinitcpio sources after ours */
		if (strverscmp(strrchr(files[f], '/') + 1, base) <= 0)
			continue;
		text = root_read_file(root, files[f]);
		for (p = text; p && *p && !found;) {
			size_t len = strcspn(p, "\n"), k = strspn(p, " \t");

			/* a name mkinitcpio sources, shown without its control bytes */
			if (k < len && resets_modules(p + k, len - k))
				found = xstrdup_shown(files[f]);
			p += len + (p[len] == '\n');
		}
		free(text);
	}
	free_strings(files, nf);
	return found;
}

char *hostfacts_early_load(const char *root, enum initramfs_kind k,
			   const struct initramfs_plan *p, const char *module)
{
	if (!p->file)
		return NULL;
	if (k == INITRAMFS_DRACUT)
		return dracut_early(root, p, module);
	if (k == INITRAMFS_TOOLS)
		return tools_early(root, p, module);
	return NULL;
}

void initramfs_plan_free(struct initramfs_plan *p)
{
	free(p->modprobe_d_where);
	p->modprobe_d_where = NULL;
}

size_t hostfacts_vfio_modules(const char *rel, const char *mods[4])
{
	size_t n = 0;

	mods[n++] = "vfio_pci";
	mods[n++] = "vfio";
	mods[n++] = "vfio_iommu_type1";
	if (rel && kver_cmp(rel, 6, 2) < 0)
		mods[n++] = "vfio_virqfd";
	return n;
}

int pci_is_igpu(const struct pcidev *d)
{
	return d->vendor == 0x8086 && (d->class24 >> 16) == 0x03 && d->bus == 0;
}

static int root_has(const char *root, const char *path)
{
	struct stat st;

	return root_stat(root, path, &st) == 0;
}

void hostprofile_read(const struct common_opts *o, const struct bootsetup *bs,
		      struct hostprofile *p)
{
	const char *mods[4];
	size_t n, i;

	memset(p, 0, sizeof(*p));
	p->rel = root_kernel_release(o);
	p->cpu = hostfacts_cpu(o->root);
	/* AMD-Vi is on unless amd_iommu=off; "on" is no value amd_iommu_setup() knows */
	if (p->cpu == CPU_INTEL)
		p->iommu_params[p->n_iommu++] = "intel_iommu=on";
	if (p->cpu != CPU_OTHER)
		p->iommu_params[p->n_iommu++] = "iommu=pt";
	p->vfio_pci = hostfacts_module(o->root, p->rel, "vfio_pci");
	/*
	 * /etc/modules is read on the Debian family only (initramfs-tools,
	 * and systemd through /etc/modules-load.d/modules.conf -> ../modules)
	 */
	p->modules_file = root_has(o->root, "/etc/modules") ||
			  root_has(o->root, "/etc/debian_version") ?
			  "/etc/modules" : "/etc/modules-load.d/vfio.conf";
	n = hostfacts_vfio_modules(p->rel, mods);
	for (i = 0; i < n; i++)
		if (hostfacts_module(o->root, p->rel, mods[i]) != MOD_BUILTIN)
			p->load[p->nload++] = mods[i];
	if (p->rel && kver_cmp(p->rel, 6, 2) >= 0)
		p->drop[p->ndrop++] = "vfio_virqfd";
	p->fb_release = hostfacts_fb_release(o->root, p->rel);
	hostfacts_initramfs(o->root, bs->initramfs, &p->im);
}

void hostprofile_free(struct hostprofile *p)
{
	free(p->rel);
	initramfs_plan_free(&p->im);
	p->rel = NULL;
}
