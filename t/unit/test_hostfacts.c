/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/hostfacts: which generator file loads a module by name ahead of vfio-pci */
#include "unit.h"
#include "err.h"
#include "hostfacts.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[] = "/tmp/hostfacts.XXXXXX";

static void put(const char *path, const char *text)
{
	char full[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", top, path);
	f = fopen(full, "w");
	if (!f) {
		perror(full);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void dir(const char *path)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", top, path);
	mkdir(full, 0755);
}

/* the file named, or "-" */
static const char *early(enum initramfs_kind k, const char *file, const char *module)
{
	static char res[512];
	struct initramfs_plan p = { 0 };
	char *f;

	p.file = file;
	f = hostfacts_early_load(top, k, &p, module);
	snprintf(res, sizeof(res), "%s", f ? f : "-");
	free(f);
	return res;
}

int main(void)
{
	const char *dc = "/etc/dracut.conf.d/vfio.conf", *it = "/etc/initramfs-tools/modules";

	err_init("test_hostfacts");
	if (!mkdtemp(top))
		return 2;
	dir("/etc");
	dir("/etc/dracut.conf.d");
	dir("/usr");
	dir("/usr/lib");
	dir("/usr/lib/dracut");
	dir("/usr/lib/dracut/dracut.conf.d");
	dir("/etc/initramfs-tools");

	CHECK_STR(early(INITRAMFS_DRACUT, dc, "i915"), "-");
	/* dracut.conf(5): a drop-in sorting before ours, '-' and '_' alike */
	put("/etc/dracut.conf.d/10-early-kms.conf", "hostonly=\"yes\"\nforce_drivers+=\" mmc_block i915 \"\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "i915"), "/etc/dracut.conf.d/10-early-kms.conf");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "mmc-block"), "/etc/dracut.conf.d/10-early-kms.conf");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "i91"), "-");
	/* add_drivers only puts it in the image; a comment is no assignment */
	put("/etc/dracut.conf.d/10-early-kms.conf", "add_drivers+=\" i915 \"\n# force_drivers+=\" i915 \"\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "i915"), "-");
	/* after ours in sort -V order: loaded after vfio_pci */
	put("/etc/dracut.conf.d/zz-kms.conf", "force_drivers+=\" i915 \"\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "i915"), "-");
	/* /usr/lib/dracut/dracut.conf.d counts, unless /etc has a file of its name */
	put("/usr/lib/dracut/dracut.conf.d/99-nvidia.conf", "force_drivers+=\" i915 nvidia \"\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "nvidia"), "/usr/lib/dracut/dracut.conf.d/99-nvidia.conf");
	put("/etc/dracut.conf.d/99-nvidia.conf", "# masked\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "nvidia"), "-");
	/* dracut.conf itself; a name with a newline is not read into a message */
	put("/etc/dracut.conf", "force_drivers=\"amdgpu\"\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "amdgpu"), "/etc/dracut.conf");
	put("/etc/dracut.conf.d/1\nx.conf", "force_drivers+=\" radeon \"\n");
	CHECK_STR(early(INITRAMFS_DRACUT, dc, "radeon"), "-");

	/* initramfs-tools: in the file, ahead of a vfio_pci line */
	put(it, "# i915\n");
	CHECK_STR(early(INITRAMFS_TOOLS, it, "i915"), "-");
	put(it, "# x\nnvme\n  i915 modeset=1\n");
	CHECK_STR(early(INITRAMFS_TOOLS, it, "i915"), it);
	put(it, "vfio_pci\ni915\n");
	CHECK_STR(early(INITRAMFS_TOOLS, it, "i915"), "-");
	CHECK_STR(early(INITRAMFS_MKINITCPIO, "/etc/mkinitcpio.conf.d/vfio.conf", "i915"), "-");

	/* mkinitcpio: a file before ours without its final newline, ours not starting with one */
	{
		const char *ours = "/etc/mkinitcpio.conf.d/vfio.conf";
		char *g;

		dir("/etc/mkinitcpio.conf.d");
		put("/etc/mkinitcpio.conf", "MODULES=()\n");
		put("/etc/mkinitcpio.conf.d/intel.conf", "MODULES+=(i915)");
		CHECK(hostfacts_mkinitcpio_glued(top, ours) == NULL);	/* no drop-in of ours */
		put(ours, "\nMODULES=(vfio_pci ${MODULES[@]})\n");
		CHECK(hostfacts_mkinitcpio_glued(top, ours) == NULL);	/* ours starts with a newline */
		put(ours, "MODULES=(vfio_pci ${MODULES[@]})\n");
		g = hostfacts_mkinitcpio_glued(top, ours);
		CHECK_STR(g, "/etc/mkinitcpio.conf.d/intel.conf");
		free(g);
		/* one that sorts after ours is after it in the concatenation */
		put("/etc/mkinitcpio.conf.d/intel.conf", "MODULES+=(i915)\n");
		put("/etc/mkinitcpio.conf.d/zz.conf", "MODULES+=(vmd)");
		CHECK(hostfacts_mkinitcpio_glued(top, ours) == NULL);
		/* only the file just before ours glues to it */
		put("/etc/mkinitcpio.conf", "MODULES=()");
		CHECK(hostfacts_mkinitcpio_glued(top, ours) == NULL);
		{
			char full[512];

			snprintf(full, sizeof(full), "%s/etc/mkinitcpio.conf.d/intel.conf", top);
			remove(full);
		}
		g = hostfacts_mkinitcpio_glued(top, ours);
		CHECK_STR(g, "/etc/mkinitcpio.conf");
		free(g);
	}

	CHECK_INT(plan_standard_dir("/etc/modules-load.d"), 1);
	CHECK_INT(plan_standard_dir("/etc/mkinitcpio.conf.d"), 1);
	CHECK_INT(plan_standard_dir("/etc/default"), 0);
	CHECK_INT(plan_standard_dir("/etc/modules-load.d/x"), 0);

	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", top);
	}
	return UNIT_DONE();
}
