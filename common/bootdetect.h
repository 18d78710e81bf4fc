/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootdetect: how a system under ROOT builds its initramfs, which boot
 * loader setup reads its kernel command line, and which file holds that
 * command line -- decided only from files under ROOT, never from the
 * running host (a chroot or image is judged by its own files).
 *
 * It models what the real tools look at: proxmox-boot-tool's ESP list
 * (/etc/kernel/proxmox-boot-uuids; /etc/kernel/pve-efiboot-uuids on old
 * Proxmox) and its EFI-or-legacy choice (/sys/firmware/efi), systemd-boot's
 * LoaderInfo EFI variable and loader.conf on an ESP (/efi, /boot, /boot/efi
 * as bootctl searches), GRUB's /etc/default/grub with update-grub or
 * grub(2)-mkconfig and the grub.cfg that exists, and the commands of
 * initramfs-tools, dracut and mkinitcpio.  It refuses to guess: a root it
 * cannot place gets "none".
 */
#ifndef VFIOKIT_BOOTDETECT_H
#define VFIOKIT_BOOTDETECT_H

enum initramfs_kind {
	INITRAMFS_NONE,
	INITRAMFS_TOOLS,	/* Debian, Ubuntu, Proxmox: update-initramfs */
	INITRAMFS_DRACUT,	/* Fedora, RHEL, openSUSE */
	INITRAMFS_MKINITCPIO	/* Arch */
};

enum loader_kind {
	LOADER_NONE,
	LOADER_PROXMOX,		/* proxmox-boot-tool refresh */
	LOADER_PVE_EFIBOOT,	/* pve-efiboot-tool refresh (Proxmox VE 6.0-6.3) */
	LOADER_GRUB,
	LOADER_SDBOOT
};

struct bootsetup {
	enum initramfs_kind initramfs;
	enum loader_kind loader;
	const char *cmdline_file;	/* "/etc/kernel/cmdline", "/etc/default/grub", a glob of
					   loader entries ("/boot/loader/entries/ *.conf"), NULL */
	int cmdline_grub;		/* cmdline_file is a /etc/default/grub shell file */
	int cmdline_entry;		/* cmdline_file is ESP/loader/entries/ *.conf: loader entries */
	const char *grub_cmd;		/* "update-grub", "grub-mkconfig", "grub2-mkconfig" */
	const char *grub_cfg;		/* what *-mkconfig writes (-o) */
	int grub_bls_update;		/* BLS on and grub2-mkconfig has --update-bls-cmdline */
	int kernel_install;		/* systemd-boot entries come from kernel-install */
	const char *container;		/* the file saying ROOT is a container, or NULL */
	/*
	 * what writes the loader's command line itself, so that an edit of
	 * the file above is lost or refused: "nixos" (built from
	 * configuration.nix), "rpm-ostree" (an ostree deployment's kargs),
	 * "kernelstub" (Pop!_OS: the entry from /etc/kernelstub/configuration),
	 * or NULL; owner_file is the file that says so
	 */
	const char *owner;
	const char *owner_file;
	int uki;			/* kernel-install's layout=uki: the command line goes into each UKI */
	char dropin[320];	/* cmdline_file when a grub.d drop-in sets the value anew */
};

/* the system command directories, searched in this order under ROOT */
extern const char *const bootdetect_path[];

/*
 * Fill bs from the files under root.  Never fails: what is not found is
 * NONE/NULL.
 */
void bootdetect(const char *root, struct bootsetup *bs);

/*
 * The command that refreshes loader setup bs after a command line edit,
 * NULL-terminated into argv: proxmox-boot-tool refresh, pve-efiboot-tool
 * refresh, update-grub, grub(2)-mkconfig -o CFG [--update-bls-cmdline].
 * 0, or -1 for systemd-boot (kernel-install per kernel, or nothing for
 * entries written by hand) and none.
 */
int bootdetect_loader_cmd(const struct bootsetup *bs, const char *argv[6]);

/*
 * ROOT is no running system: a root other than / with nothing of sysfs
 * under ROOT/sys (an image tree, a debootstrap); /sys named, or NULL
 */
const char *bootdetect_image(const char *root);

/* the absolute path (as seen inside ROOT) of command cmd, or NULL; free it */
char *bootdetect_which(const char *root, const char *cmd);

const char *initramfs_name(enum initramfs_kind k);
const char *loader_name(enum loader_kind k);

/* what bootdetect looks for, one phrase each, for the "not recognised" error */
extern const char bootdetect_initramfs_sought[];
extern const char bootdetect_loader_sought[];

#endif
