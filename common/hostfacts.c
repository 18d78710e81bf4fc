/*
 * hostfacts: facts about the system under ROOT for the passthrough plan.
 */
#include "hostfacts.h"
#include "err.h"
#include "opts.h"
#include "rootpath.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum cpu_vendor hostfacts_cpu(const char *root)
{
	char *info = root_read_file(root, "/proc/cpuinfo");
	enum cpu_vendor v = CPU_OTHER;

	if (!info)
		return v;
	if (strstr(info, "GenuineIntel"))
		v = CPU_INTEL;
	else if (strstr(info, "AuthenticAMD") || strstr(info, "HygonGenuine"))
		v = CPU_AMD;
	free(info);
	return v;
}

const char *cpu_vendor_name(enum cpu_vendor v)
{
	return v == CPU_INTEL ? "intel" : v == CPU_AMD ? "amd" : "other";
}

/* a line of modules.dep ("kernel/.../NAME.ko[.xz]:...") or modules.builtin names NAME */
static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *eol = p + strcspn(p, "\n"), *end = p + strcspn(p, ":\n");
		const char *b = end;
		size_t k;

		while (b > p && b[-1] != '/')
			b--;
		for (k = 0; k < n && b + k < end; k++) {
			char x = b[k] == '-' ? '_' : b[k], y = name[k] == '-' ? '_' : name[k];

			if (x != y)
				break;
		}
		if (k == n && strncmp(b + n, ".ko", 3) == 0)
			return 1;
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

enum mod_state hostfacts_module(const char *root, const char *rel, const char *name)
{
	struct buf path = BUF_INIT;
	enum mod_state st = MOD_MISSING;
	char *list;

	if (!rel)
		return st;
	buf_printf(&path, "/lib/modules/%s/modules.builtin", rel);
	if ((list = root_read_file(root, path.p)) && list_has(list, name))
		st = MOD_BUILTIN;
	free(list);
	if (st == MOD_MISSING) {
		path.len = 0;
		buf_printf(&path, "/lib/modules/%s/modules.dep", rel);
		if ((list = root_read_file(root, path.p)) && list_has(list, name))
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
		buf_printf(&path, "/lib/modules/%s/%s", rel, lists[i]);
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
