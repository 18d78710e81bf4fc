/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bootdetect.h"
#include "grubvar.h"
#include "buf.h"
#include "err.h"
#include "rootpath.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const bootdetect_path[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
	"/sbin", "/bin", NULL
};

const char bootdetect_initramfs_sought[] =
	"update-initramfs with /etc/initramfs-tools, dracut, mkinitcpio";
const char bootdetect_loader_sought[] =
	"/etc/kernel/proxmox-boot-uuids, /etc/kernel/pve-efiboot-uuids, "
	"/etc/default/grub with update-grub, grub-mkconfig or grub2-mkconfig, "
	"loader/loader.conf under /efi, /boot or /boot/efi";

/* systemd's LoaderInfo variable (boot loader interface, vendor GUID) */
#define LOADER_INFO "/sys/firmware/efi/efivars/" \
	"LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

static int exists_under(const char *root, const char *path, mode_t type)
{
	struct stat st;

	return root_stat(root, path, &st) == 0 && (!type || (st.st_mode & S_IFMT) == type);
}

char *bootdetect_which(const char *root, const char *cmd)
{
	for (size_t i = 0; bootdetect_path[i]; i++) {
		struct buf b = BUF_INIT;
		struct stat st;

		buf_printf(&b, "%s/%s", bootdetect_path[i], cmd);
		if (root_stat(root, b.p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			return buf_detach(&b);
		buf_free(&b);
	}
	return NULL;
}

static int have_cmd(const char *root, const char *cmd)
{
	char *p = bootdetect_which(root, cmd);

	free(p);
	return p != NULL;
}

/* read a small file under root into b; 0 or -errno */
static int read_under(const char *root, const char *path, struct buf *b)
{
	return root_read(root, path, b, 1 << 20);
}

/* proxmox-boot-tool's loop_esp_list skips blank lines; one other line is an ESP */
static int has_nonblank_line(const char *root, const char *path)
{
	struct buf b = BUF_INIT;
	int r = 0;

	if (read_under(root, path, &b) == 0)
		r = b.p[strspn(b.p, " \t\r\n")] != '\0';
	buf_free(&b);
	return r;
}

/* a line of the file starts with prefix (after blanks) */
static int file_has_line(const char *root, const char *path, const char *prefix)
{
	struct buf b = BUF_INIT;
	int found = 0;

	if (read_under(root, path, &b) == 0) {
		const char *s = b.p;

		while (*s && !found) {
			s += strspn(s, " \t");
			found = strncmp(s, prefix, strlen(prefix)) == 0;
			s += strcspn(s, "\n");
			if (*s)
				s++;
		}
	}
	buf_free(&b);
	return found;
}

static int file_contains(const char *root, const char *path, const char *needle)
{
	struct buf b = BUF_INIT;
	int found = 0;

	if (read_under(root, path, &b) == 0)
		found = memmem(b.p, b.len, needle, strlen(needle)) != NULL;
	buf_free(&b);
	return found;
}

/*
 * LoaderInfo is 4 attribute bytes then UTF-16LE text such as
 * "systemd-boot 252.22"; GRUB 2.12's bli module sets it too, to "GRUB ...".
 */
static int booted_by_systemd_boot(const char *root)
{
	static const char want[] = "systemd-boot";
	struct buf b = BUF_INIT;
	int r = 0;

	if (read_under(root, LOADER_INFO, &b) == 0 &&
	    b.len >= 4 + 2 * (sizeof want - 1)) {
		r = 1;
		for (size_t i = 0; i < sizeof want - 1; i++)
			if (b.p[4 + 2 * i] != want[i] || b.p[5 + 2 * i] != 0)
				r = 0;
	}
	buf_free(&b);
	return r;
}

static const char *container_file(const char *root)
{
	static const char *const marks[] = {
		"/run/systemd/container",	/* systemd in nspawn, LXC, ... */
		"/run/.containerenv",		/* podman */
		"/.dockerenv",			/* docker */
		NULL
	};
	struct buf b = BUF_INIT;
	const char *r = NULL;

	for (size_t i = 0; marks[i]; i++)
		if (exists_under(root, marks[i], 0))
			return marks[i];
	/*
	 * what systemd-detect-virt --container reads; root-only: ignore
	 * EACCES.  Under another root, /proc is the machine's we run on
	 * (podman mounts it into an image build): the image is judged by
	 * its files alone.
	 */
	if (root_is_slash(root) && read_under(root, "/proc/1/environ", &b) == 0) {
		for (size_t off = 0; off < b.len; off += strlen(b.p + off) + 1)
			if (strncmp(b.p + off, "container=", 10) == 0 &&
			    b.p[off + 10])
				r = "/proc/1/environ";
	}
	buf_free(&b);
	return r;
}

/*
 * grub-mkconfig sources /etc/default/grub, then each /etc/default/grub.d/NAME.cfg
 * in order (util/grub-mkconfig.in): the last drop-in that sets
 * GRUB_CMDLINE_LINUX_DEFAULT anew (not "$VAR ...", which adds to it) is
 * where the value comes from, as on Ubuntu's cloud images
 * (50-cloudimg-settings.cfg).  Its path into bs->dropin, or nothing.
 */
static void grub_dropin(const char *root, struct bootsetup *bs)
{
	struct dirent **list;
	/* listed inside the root (common/rootpath), as every read under it */
	int n = root_scandir(root, "/etc/default/grub.d", &list, alphasort), i;

	for (i = 0; i < n; i++) {
		const char *e = list[i]->d_name;
		size_t len = strlen(e);
		struct buf path = BUF_INIT;
		struct grubvar gv;
		char *text;

		buf_printf(&path, "/etc/default/grub.d/%s", e);
		if (len > 4 && strcmp(e + len - 4, ".cfg") == 0 && len < 200 &&
		    (text = root_read_file(root, path.p))) {
			if (grubvar_find(text, strlen(text), "GRUB_CMDLINE_LINUX_DEFAULT", path.p, &gv) == 0) {
				if (!gv.refs_self)
					snprintf(bs->dropin, sizeof(bs->dropin), "%s", path.p);
				grubvar_free(&gv);
			}
			free(text);
		}
		buf_free(&path);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

static int grub_setup(const char *root, struct bootsetup *bs, int need_cfg)
{
	static const char *const cfgs[] = {
		"/boot/grub2/grub.cfg", "/boot/grub/grub.cfg", NULL
	};
	const char *cfg = NULL;

	if (!exists_under(root, "/etc/default/grub", S_IFREG))
		return 0;
	for (size_t i = 0; cfgs[i] && !cfg; i++)
		if (exists_under(root, cfgs[i], S_IFREG))
			cfg = cfgs[i];
	if (need_cfg && !cfg)
		return 0;
	/* Debian's update-grub is grub-mkconfig -o /boot/grub/grub.cfg */
	if (have_cmd(root, "update-grub")) {
		bs->grub_cmd = "update-grub";
	} else if (have_cmd(root, "grub2-mkconfig")) {
		bs->grub_cmd = "grub2-mkconfig";
		bs->grub_cfg = cfg ? cfg : "/boot/grub2/grub.cfg";
		/* RHEL 9.3/Fedora: BLS options are rewritten only when asked */
		bs->grub_bls_update =
			file_has_line(root, "/etc/default/grub", "GRUB_ENABLE_BLSCFG=true") ||
			file_has_line(root, "/etc/default/grub", "GRUB_ENABLE_BLSCFG=\"true\"");
		if (bs->grub_bls_update) {
			char *p = bootdetect_which(root, "grub2-mkconfig");

			bs->grub_bls_update = file_contains(root, p, "update-bls-cmdline");
			free(p);
		}
	} else if (have_cmd(root, "grub-mkconfig")) {
		bs->grub_cmd = "grub-mkconfig";
		bs->grub_cfg = cfg ? cfg : "/boot/grub/grub.cfg";
	} else {
		return 0;
	}
	bs->loader = LOADER_GRUB;
	bs->cmdline_file = "/etc/default/grub";
	bs->cmdline_grub = 1;
	grub_dropin(root, bs);
	if (bs->dropin[0])
		bs->cmdline_file = bs->dropin;
	return 1;
}

static int esp_has_sdboot(const char *root)
{
	static const char *const esps[] = {
		"/efi/loader/loader.conf", "/boot/loader/loader.conf",
		"/boot/efi/loader/loader.conf", NULL
	};

	for (size_t i = 0; esps[i]; i++)
		if (exists_under(root, esps[i], S_IFREG))
			return 1;
	return 0;
}

/*
 * kernel-install's layout=auto: "bls" when $BOOT/ENTRY-TOKEN exists, the
 * token from /etc/kernel/entry-token else /etc/machine-id; or layout= set
 * in /etc/kernel/install.conf.  Without it (Arch's hand-written entries)
 * the options live in the loader entries, not in /etc/kernel/cmdline.
 */
static int kernel_install_layout(const char *root)
{
	static const char *const boots[] = { "/efi/", "/boot/", "/boot/efi/", NULL };
	struct buf b = BUF_INIT;
	int r = 0;

	if (!have_cmd(root, "kernel-install"))
		return 0;
	if (file_has_line(root, "/etc/kernel/install.conf", "layout=bls") ||
	    file_has_line(root, "/etc/kernel/install.conf", "layout=uki"))
		return 1;
	if (read_under(root, "/etc/kernel/entry-token", &b) < 0 &&
	    read_under(root, "/etc/machine-id", &b) < 0) {
		buf_free(&b);
		return 0;
	}
	b.len = strcspn(b.p, " \t\r\n");
	b.p[b.len] = '\0';
	for (size_t i = 0; boots[i] && !r && b.len && !strchr(b.p, '/'); i++) {
		struct buf d = BUF_INIT;

		buf_printf(&d, "%s%s", boots[i], b.p);
		r = exists_under(root, d.p, S_IFDIR);
		buf_free(&d);
	}
	buf_free(&b);
	return r;
}

/*
 * Entries written by hand (no kernel-install layout): their options lines
 * are the command line, in the *.conf of ESP/loader/entries on the ESP that holds
 * loader/loader.conf (as bootctl searches: /efi, /boot, /boot/efi), else of
 * the first that has an entries directory.
 */
static const char *sdboot_entries(const char *root)
{
	static const char *const esps[][2] = {
		{ "/efi/loader/loader.conf", "/efi/loader/entries/*.conf" },
		{ "/boot/loader/loader.conf", "/boot/loader/entries/*.conf" },
		{ "/boot/efi/loader/loader.conf", "/boot/efi/loader/entries/*.conf" },
	};
	size_t i, n = sizeof(esps) / sizeof(esps[0]);

	for (i = 0; i < n; i++)
		if (exists_under(root, esps[i][0], S_IFREG))
			break;
	/* that ESP's first, then each in bootctl's order */
	for (size_t k = 0; k <= n; k++) {
		size_t j = k == 0 ? i : k - 1;
		char dir[64];

		if (j >= n)
			continue;
		size_t len = strlen(esps[j][1]) - strlen("/*.conf");

		memcpy(dir, esps[j][1], len);
		dir[len] = '\0';
		if (exists_under(root, dir, S_IFDIR))
			return esps[j][1];
	}
	return NULL;
}

static void sdboot_setup(const char *root, struct bootsetup *bs)
{
	bs->loader = LOADER_SDBOOT;
	bs->kernel_install = kernel_install_layout(root);
	bs->uki = bs->kernel_install &&
		  file_has_line(root, "/etc/kernel/install.conf", "layout=uki");
	/* kernel-install's 90-loaderentry reads /etc/kernel/cmdline */
	if (bs->kernel_install) {
		bs->cmdline_file = "/etc/kernel/cmdline";
	} else if ((bs->cmdline_file = sdboot_entries(root))) {
		bs->cmdline_entry = 1;
	}
}

static void detect_loader(const char *root, struct bootsetup *bs)
{
	if (has_nonblank_line(root, "/etc/kernel/proxmox-boot-uuids")) {
		bs->loader = LOADER_PROXMOX;
		/*
		 * zz-proxmox-boot: on an EFI boot an ESP without grubx64.efi
		 * gets systemd-boot entries whose options are line 1 of
		 * /etc/kernel/cmdline; a legacy BIOS boot gets update-grub.
		 */
		if (exists_under(root, "/sys/firmware/efi", S_IFDIR) ||
		    (!exists_under(root, "/sys/firmware", 0) &&
		     exists_under(root, "/etc/kernel/cmdline", S_IFREG))) {
			bs->cmdline_file = "/etc/kernel/cmdline";
		} else {
			bs->cmdline_file = "/etc/default/grub";
			bs->cmdline_grub = 1;
		}
		return;
	}
	if (has_nonblank_line(root, "/etc/kernel/pve-efiboot-uuids")) {
		/* pve-efiboot-tool only ever set up systemd-boot */
		bs->loader = LOADER_PVE_EFIBOOT;
		bs->cmdline_file = "/etc/kernel/cmdline";
		return;
	}
	if (booted_by_systemd_boot(root)) {
		sdboot_setup(root, bs);
		return;
	}
	if (grub_setup(root, bs, 1))
		return;
	if (esp_has_sdboot(root)) {
		sdboot_setup(root, bs);
		return;
	}
	grub_setup(root, bs, 0);
}

static void detect_initramfs(const char *root, struct bootsetup *bs)
{
	if (have_cmd(root, "update-initramfs") &&
	    exists_under(root, "/etc/initramfs-tools", S_IFDIR))
		bs->initramfs = INITRAMFS_TOOLS;
	else if (have_cmd(root, "dracut"))
		bs->initramfs = INITRAMFS_DRACUT;
	else if (have_cmd(root, "mkinitcpio"))
		bs->initramfs = INITRAMFS_MKINITCPIO;
}

/*
 * Systems whose boot entries are written from a configuration of their
 * own: NixOS (nixos-rebuild writes every entry from configuration.nix;
 * /etc/NIXOS is made by its activation script, /run/current-system is the
 * running generation), an ostree deployment (ostree-prepare-root makes
 * /run/ostree-booted; a deployed tree holds /ostree/repo; its entries are
 * ostree's, their options rpm-ostree's kargs), Pop!_OS's kernelstub
 * (kernelstub/config.py: the entry's options are rewritten from
 * /etc/kernelstub/configuration at every kernel or initramfs update).
 */
static void detect_owner(const char *root, struct bootsetup *bs)
{
	static const struct { const char *file; const char *owner; mode_t type; } marks[] = {
		{ "/etc/NIXOS", "nixos", 0 },
		{ "/run/current-system", "nixos", 0 },
		{ "/run/ostree-booted", "rpm-ostree", 0 },
		{ "/ostree/repo", "rpm-ostree", S_IFDIR },
		{ "/etc/kernelstub/configuration", "kernelstub", S_IFREG },
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (exists_under(root, marks[i].file, marks[i].type) &&
		    (strcmp(marks[i].owner, "kernelstub") || have_cmd(root, "kernelstub"))) {
			bs->owner = marks[i].owner;
			bs->owner_file = marks[i].file;
			return;
		}
}

void bootdetect(const char *root, struct bootsetup *bs)
{
	memset(bs, 0, sizeof *bs);
	bs->container = container_file(root);
	if (bs->container)
		return;
	detect_initramfs(root, bs);
	detect_loader(root, bs);
	detect_owner(root, bs);
}

int bootdetect_loader_cmd(const struct bootsetup *bs, const char *argv[6])
{
	size_t n = 0;

	switch (bs->loader) {
	case LOADER_PROXMOX:
	case LOADER_PVE_EFIBOOT:
		argv[n++] = bs->loader == LOADER_PROXMOX ? "proxmox-boot-tool" : "pve-efiboot-tool";
		argv[n++] = "refresh";
		break;
	case LOADER_GRUB:
		argv[n++] = bs->grub_cmd;
		if (bs->grub_cfg) {
			argv[n++] = "-o";
			argv[n++] = bs->grub_cfg;
			/* without it grub2-mkconfig leaves the BLS entries' options as they were */
			if (bs->grub_bls_update)
				argv[n++] = "--update-bls-cmdline";
		}
		break;
	case LOADER_SDBOOT:
	case LOADER_NONE:
		return -1;
	}
	argv[n] = NULL;
	return 0;
}

const char *bootdetect_image(const char *root)
{
	static const char *const live[] = { "/sys/kernel", "/sys/firmware", "/sys/bus", "/sys/devices",
					    NULL };

	if (!root || root_is_slash(root))
		return NULL;
	for (size_t i = 0; live[i]; i++)
		if (exists_under(root, live[i], S_IFDIR))
			return NULL;
	return "/sys";
}

const char *initramfs_name(enum initramfs_kind k)
{
	switch (k) {
	case INITRAMFS_TOOLS: return "initramfs-tools";
	case INITRAMFS_DRACUT: return "dracut";
	case INITRAMFS_MKINITCPIO: return "mkinitcpio";
	case INITRAMFS_NONE: break;
	}
	return "none";
}

const char *loader_name(enum loader_kind k)
{
	switch (k) {
	case LOADER_PROXMOX: return "proxmox-boot-tool";
	case LOADER_PVE_EFIBOOT: return "pve-efiboot-tool";
	case LOADER_GRUB: return "grub";
	case LOADER_SDBOOT: return "systemd-boot";
	case LOADER_NONE: break;
	}
	return "none";
}
