/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdetect: what the files under a root say about its boot setup */
#include "bootdetect.h"
#include "buf.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/test_bootdetect.XXXXXX";

/* create path under root (parents too) holding text, mode 0755 when exec */
static void put(const char *path, const char *text, int exec)
{
	struct buf b = BUF_INIT;
	FILE *f;

	buf_printf(&b, "%s%s", root, path);
	for (char *s = b.p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(b.p, 0755);
		*s = '/';
	}
	f = fopen(b.p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
		chmod(b.p, exec ? 0755 : 0644);
	}
	buf_free(&b);
}

static void dir(const char *path)
{
	put(path, "", 0);	/* makes the parents; then swap the file for a dir */
	{
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s%s", root, path);
		unlink(b.p);
		mkdir(b.p, 0755);
		buf_free(&b);
	}
}

static void wipe(void)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "rm -rf '%s'/* '%s'/.dockerenv", root, root);
	if (system(b.p) != 0)
		fprintf(stderr, "cannot clean %s\n", root);
	buf_free(&b);
}

int main(void)
{
	struct bootsetup bs;
	char *p;

	if (!mkdtemp(root))
		return 2;

	/* nothing at all */
	bootdetect(root, &bs);
	CHECK_INT(bs.initramfs, INITRAMFS_NONE);
	CHECK_INT(bs.loader, LOADER_NONE);
	CHECK(bs.cmdline_file == NULL);
	CHECK_STR(loader_name(bs.loader), "none");

	/* which: executable regular files only, first directory wins */
	put("/usr/bin/dracut", "#!/bin/sh\n", 0);
	p = bootdetect_which(root, "dracut");
	CHECK(p == NULL);
	free(p);
	put("/usr/bin/dracut", "#!/bin/sh\n", 1);
	put("/usr/sbin/dracut", "#!/bin/sh\n", 1);
	p = bootdetect_which(root, "dracut");
	CHECK_STR(p, "/usr/sbin/dracut");
	free(p);
	bootdetect(root, &bs);
	CHECK_STR(initramfs_name(bs.initramfs), "dracut");
	wipe();

	/* update-initramfs without /etc/initramfs-tools is not initramfs-tools */
	put("/usr/sbin/update-initramfs", "", 1);
	bootdetect(root, &bs);
	CHECK_INT(bs.initramfs, INITRAMFS_NONE);
	dir("/etc/initramfs-tools");
	bootdetect(root, &bs);
	CHECK_INT(bs.initramfs, INITRAMFS_TOOLS);

	/* Proxmox: a blank ESP list is no ESP list */
	put("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n", 0);
	put("/usr/sbin/update-grub", "", 1);
	put("/etc/kernel/proxmox-boot-uuids", "\n \n", 0);
	bootdetect(root, &bs);
	CHECK_INT(bs.loader, LOADER_GRUB);
	CHECK_STR(bs.grub_cmd, "update-grub");
	CHECK(bs.grub_cfg == NULL);
	CHECK(bs.cmdline_grub);
	put("/etc/kernel/proxmox-boot-uuids", "4A3B-1C2D\n", 0);
	put("/etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n", 0);
	/* an image root without /sys: its /etc/kernel/cmdline decides */
	bootdetect(root, &bs);
	CHECK_INT(bs.loader, LOADER_PROXMOX);
	CHECK_STR(bs.cmdline_file, "/etc/kernel/cmdline");
	CHECK(!bs.cmdline_grub);
	/* booted by legacy BIOS: proxmox-boot-tool uses GRUB */
	dir("/sys/firmware");
	bootdetect(root, &bs);
	CHECK_STR(bs.cmdline_file, "/etc/default/grub");
	CHECK(bs.cmdline_grub);
	dir("/sys/firmware/efi");
	bootdetect(root, &bs);
	CHECK_STR(bs.cmdline_file, "/etc/kernel/cmdline");
	wipe();

	/* grub2-mkconfig: the grub.cfg that exists, BLS update only when known */
	put("/etc/default/grub", "GRUB_ENABLE_BLSCFG=true\n", 0);
	put("/usr/sbin/grub2-mkconfig", "#!/bin/sh\n", 1);
	bootdetect(root, &bs);
	CHECK_STR(bs.grub_cmd, "grub2-mkconfig");
	CHECK_STR(bs.grub_cfg, "/boot/grub2/grub.cfg");
	CHECK(!bs.grub_bls_update);
	put("/usr/sbin/grub2-mkconfig", "#!/bin/sh\n--update-bls-cmdline)\n", 1);
	put("/boot/grub/grub.cfg", "", 0);
	bootdetect(root, &bs);
	CHECK_STR(bs.grub_cfg, "/boot/grub/grub.cfg");
	CHECK(bs.grub_bls_update);
	put("/etc/default/grub", "#GRUB_ENABLE_BLSCFG=true\n", 0);
	bootdetect(root, &bs);
	CHECK(!bs.grub_bls_update);
	wipe();

	/* systemd-boot: kernel-install's layout needs $BOOT/ENTRY-TOKEN */
	put("/boot/loader/loader.conf", "timeout 3\n", 0);
	put("/usr/bin/kernel-install", "", 1);
	bootdetect(root, &bs);
	CHECK_INT(bs.loader, LOADER_SDBOOT);
	CHECK(!bs.kernel_install);
	CHECK(bs.cmdline_file == NULL);
	put("/etc/machine-id", "0123456789abcdef0123456789abcdef\n", 0);
	dir("/efi/0123456789abcdef0123456789abcdef");
	bootdetect(root, &bs);
	CHECK(bs.kernel_install);
	CHECK_STR(bs.cmdline_file, "/etc/kernel/cmdline");
	put("/etc/kernel/entry-token", "fedora\n", 0);
	bootdetect(root, &bs);
	CHECK(!bs.kernel_install);
	put("/etc/kernel/install.conf", "layout=bls\n", 0);
	bootdetect(root, &bs);
	CHECK(bs.kernel_install);
	wipe();

	/* containers */
	put("/etc/default/grub", "", 0);
	put("/usr/sbin/update-grub", "", 1);
	put("/.dockerenv", "", 0);
	bootdetect(root, &bs);
	CHECK_STR(bs.container, "/.dockerenv");
	CHECK_INT(bs.loader, LOADER_NONE);
	wipe();
	put("/proc/1/environ", "HOME=/\0container=\0", 0);	/* fputs stops at NUL */
	bootdetect(root, &bs);
	CHECK(bs.container == NULL);

	/* the refresh after a command line edit, as boot-refresh runs it and iommu-check's hint says it */
	{
		const char *a[6] = { NULL };
		struct bootsetup g;

		memset(&g, 0, sizeof(g));
		g.loader = LOADER_GRUB;
		g.grub_cmd = "grub2-mkconfig";
		g.grub_cfg = "/boot/grub2/grub.cfg";
		g.grub_bls_update = 1;
		CHECK_INT(bootdetect_loader_cmd(&g, a), 0);
		CHECK_STR(a[0], "grub2-mkconfig");
		CHECK_STR(a[3], "--update-bls-cmdline");
		CHECK(a[4] == NULL);
		g.grub_cmd = "update-grub";
		g.grub_cfg = NULL;
		CHECK_INT(bootdetect_loader_cmd(&g, a), 0);
		CHECK_STR(a[0], "update-grub");
		CHECK(a[1] == NULL);
		g.loader = LOADER_PROXMOX;
		CHECK_INT(bootdetect_loader_cmd(&g, a), 0);
		CHECK_STR(a[1], "refresh");
		g.loader = LOADER_SDBOOT;
		CHECK(bootdetect_loader_cmd(&g, a) < 0);
	}
	/* an image tree: nothing of sysfs; / itself never is one */
	CHECK(bootdetect_image("/") == NULL);
	wipe();
	CHECK_STR(bootdetect_image(root), "/sys");
	put("/sys/bus/pci/devices/.keep", "", 0);
	CHECK(bootdetect_image(root) == NULL);

	wipe();
	rmdir(root);
	return UNIT_DONE();
}
