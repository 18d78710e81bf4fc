/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostkeep: the devices the host keeps (hostkeep.h).
 */
#include "hostkeep.h"
#include "buf.h"
#include "err.h"
#include "rootpath.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* how deep dm/md slaves and bridge/bond lower links are followed */
#define MAX_DEPTH 8

static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789._+-@";

/*
 * A block device's or an interface's name as a kernel makes it, and one we
 * put in a path: net/core/dev.c dev_valid_name() (no '/', ':' or space,
 * shorter than IFNAMSIZ, not "." or ".."), narrowed to printable ASCII.
 */
static int is_devname(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n && n < max && strspn(s, name_chars) == n && strcmp(s, ".") && strcmp(s, "..");
}

int hostkeep_slot_of(const char *path, char *slot, size_t size)
{
	const char *s = path;
	int found = 0;

	if (strncmp(path, "/sys/devices/", 13))
		return 0;
	while (*s) {
		size_t n;
		char comp[32];

		s += strspn(s, "/");
		n = strcspn(s, "/");
		if (n && n < sizeof(comp)) {
			memcpy(comp, s, n);
			comp[n] = '\0';
			if (pci_slot_canonical(comp)) {
				snprintf(slot, size, "%s", comp);
				found = 1;
			}
		}
		s += n;
	}
	return found;
}

int hostkeep_root_mount(const char *mi, unsigned *major, unsigned *minor, char *source,
			size_t size)
{
	int found = 0;

	/* proc(5): ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
	for (const char *s = mi; s && *s;) {
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len), *save = NULL, *w;
		char *f[5] = { 0 };
		int i = 0;

		for (w = strtok_r(line, " ", &save); w && i < 5; w = strtok_r(NULL, " ", &save))
			f[i++] = w;
		if (i == 5 && strcmp(f[4], "/") == 0) {
			unsigned ma, mi2;
			char end;

			if (sscanf(f[2], "%u:%u%c", &ma, &mi2, &end) == 2 &&
			    strspn(f[2], "0123456789:") == strlen(f[2])) {
				const char *fs = NULL, *src = NULL;

				/* the optional fields end at a lone "-" */
				while ((w = strtok_r(NULL, " ", &save)))
					if (strcmp(w, "-") == 0) {
						fs = strtok_r(NULL, " ", &save);
						src = fs ? strtok_r(NULL, " ", &save) : NULL;
						break;
					}
				*major = ma;
				*minor = mi2;
				/* the last line for "/" is the mount on top */
				snprintf(source, size, "%s", src ? src : "");
				found = 1;
			}
		}
		free(line);
		s += len + (s[len] == '\n');
	}
	return found ? 0 : -1;
}

int hostkeep_default_ifaces(const char *route, char *out, size_t size)
{
	int n = 0, bad = 0;
	size_t used = 0;

	out[0] = '\0';
	/*
	 * net/ipv4/fib_trie.c fib_route_seq_show(): a header line, then
	 * "IFACE\tDEST\tGATEWAY\tFLAGS\tREFCNT\tUSE\tMETRIC\tMASK\t..." in hex;
	 * the default route is destination 0 with mask 0, flags with RTF_UP (1)
	 */
	for (const char *s = route; s && *s;) {
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len), *save = NULL, *f[8] = { 0 }, *w;
		int i = 0;

		for (w = strtok_r(line, "\t", &save); w && i < 8; w = strtok_r(NULL, "\t", &save))
			f[i++] = w;
		if (s != route && i == 8 && strcmp(f[1], "00000000") == 0 &&
		    strncmp(f[7], "00000000", 8) == 0 && (strtoul(f[3], NULL, 16) & 1)) {
			if (!is_devname(f[0], 16)) {
				bad = 1;
			} else {
				size_t l = strlen(f[0]);
				int dup = 0;

				for (const char *o = out; *o; o += strcspn(o, " "), o += *o == ' ')
					dup |= strncmp(o, f[0], l) == 0 && (o[l] == ' ' || o[l] == '\0');
				if (!dup && used + l + 2 <= size) {
					used += (size_t)snprintf(out + used, size - used, "%s%s",
								 used ? " " : "", f[0]);
					n++;
				}
			}
		}
		free(line);
		s += len + (s[len] == '\n');
	}
	return bad ? -1 : n;
}

static void add(struct hostkeep *k, enum keep_kind kind, const char *slot, const char *what)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].kind == kind && strcmp(k->v[i].slot, slot) == 0)
			return;
	k->v = xgrow1(k->v, k->n, sizeof(*k->v));
	k->v[k->n].kind = kind;
	snprintf(k->v[k->n].slot, sizeof(k->v[k->n].slot), "%s", slot);
	k->v[k->n++].what = xstrdup(what);
}

/*
 * The PCI devices under sysfs directory dir (a block device or an
 * interface): the slot on its resolved path, else those of what it is
 * made of, in subdir (a block device's "slaves/NAME", an interface's
 * "lower_NAME" links: a bridge's ports, a bond's slaves, a VLAN's parent),
 * each found again under class.  0, or -1 after saying why.
 */
static int follow(const char *root, const char *dir, const char *class, int block,
		  enum keep_kind kind, const char *what, struct hostkeep *k, int depth)
{
	struct buf real = BUF_INIT, sub = BUF_INIT;
	struct dirent **ents = NULL;
	char slot[16];
	int n, r = 0;

	if (depth > MAX_DEPTH || root_realpath(root, dir, &real) < 0) {
		buf_free(&real);
		return 0;
	}
	if (hostkeep_slot_of(real.p, slot, sizeof(slot))) {
		add(k, kind, slot, what);
		buf_free(&real);
		return 0;
	}
	buf_free(&real);
	buf_printf(&sub, "%s%s", dir, block ? "/slaves" : "");
	n = root_scandir(root, sub.p, &ents, alphasort);
	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		const char *name = block ? e : strncmp(e, "lower_", 6) == 0 ? e + 6 : NULL;

		if (r == 0 && name && e[0] != '.') {
			struct buf next = BUF_INIT;

			if (!is_devname(name, 64)) {
				char *shown = root_path(root, sub.p);

				errorf(shown, "a device name no kernel makes");
				free(shown);
				r = -1;
			} else {
				buf_printf(&next, "%s/%s", class, name);
				r = follow(root, next.p, class, block, kind, what, k, depth + 1);
			}
			buf_free(&next);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	buf_free(&sub);
	return r;
}

/* the block device a mount source names: /dev/NAME, or /dev/mapper/NAME by its dm name */
static char *source_block(const char *root, const char *src)
{
	struct dirent **ents = NULL;
	char *found = NULL;
	int n;

	if (strncmp(src, "/dev/mapper/", 12) == 0) {
		const char *name = src + 12;

		if (!is_devname(name, 128))
			return NULL;
		n = root_scandir(root, "/sys/block", &ents, alphasort);
		for (int i = 0; i < n; i++) {
			struct buf p = BUF_INIT, b = BUF_INIT;

			if (!found && ents[i]->d_name[0] != '.' && is_devname(ents[i]->d_name, 64)) {
				buf_printf(&p, "/sys/block/%s/dm/name", ents[i]->d_name);
				if (root_read(root, p.p, &b, 4096) == 0) {
					b.len = strcspn(b.p, "\n");
					b.p[b.len] = '\0';
					if (strcmp(b.p, name) == 0) {
						buf_reset(&p);
						buf_printf(&p, "/sys/class/block/%s", ents[i]->d_name);
						found = buf_detach(&p);
					}
				}
			}
			buf_free(&p);
			buf_free(&b);
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
		return found;
	}
	if (strncmp(src, "/dev/", 5) == 0 && is_devname(src + 5, 64)) {
		struct buf p = BUF_INIT;

		buf_printf(&p, "/sys/class/block/%s", src + 5);
		return buf_detach(&p);
	}
	return NULL;
}

static int root_disk(const char *root, struct hostkeep *k)
{
	struct buf mi = BUF_INIT, what = BUF_INIT, dir = BUF_INIT;
	unsigned major, minor;
	char src[256];
	int r = 0;

	if (root_read(root, "/proc/self/mountinfo", &mi, 1 << 20) < 0) {
		k->root_unknown = xstrdup("no /proc/self/mountinfo to read");
		buf_free(&mi);
		return 0;
	}
	if (hostkeep_root_mount(mi.p, &major, &minor, src, sizeof(src)) < 0) {
		k->root_unknown = xstrdup("no mount of / in /proc/self/mountinfo");
		buf_free(&mi);
		return 0;
	}
	/* shown in messages: a source no kernel would print is shown as '?' */
	for (char *c = src; *c; c++)
		if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
			*c = '?';
	/* an anonymous device (btrfs, ZFS, overlay) has major 0: its source names the disk, if any */
	if (major) {
		buf_printf(&dir, "/sys/dev/block/%u:%u", major, minor);
	} else {
		char *b = source_block(root, src);

		if (b)
			buf_adds(&dir, b);
		free(b);
	}
	buf_printf(&what, "/ is on %s (%u:%u)", src[0] ? src : "?", major, minor);
	if (dir.len) {
		size_t before = k->n;

		r = follow(root, dir.p, "/sys/class/block", 1, KEEP_ROOTDISK, what.p, k, 0);
		if (r == 0 && k->n == before) {
			buf_reset(&what);
			buf_printf(&what, "%s (%u:%u) leads to no PCI device in /sys", src, major, minor);
			k->root_unknown = buf_detach(&what);
		}
	} else {
		buf_reset(&what);
		buf_printf(&what, "/ is %s (%u:%u), no block device to follow", src, major, minor);
		k->root_unknown = buf_detach(&what);
	}
	buf_free(&what);
	buf_free(&dir);
	buf_free(&mi);
	return r;
}

static int mgmt_nics(const char *root, struct hostkeep *k)
{
	struct buf rt = BUF_INIT;
	char ifs[256];
	int n, r = 0;

	if (root_read(root, "/proc/net/route", &rt, 1 << 20) < 0) {
		buf_free(&rt);
		return 0;
	}
	k->routes_read = 1;
	n = hostkeep_default_ifaces(rt.p, ifs, sizeof(ifs));
	buf_free(&rt);
	if (n < 0) {
		char *shown = root_path(root, "/proc/net/route");

		errorf(shown, "a default route on an interface name no kernel makes");
		free(shown);
		return -1;
	}
	for (char *save = NULL, *w = strtok_r(ifs, " ", &save); w && r == 0;
	     w = strtok_r(NULL, " ", &save)) {
		struct buf dir = BUF_INIT, what = BUF_INIT;

		buf_printf(&dir, "/sys/class/net/%s", w);
		buf_printf(&what, "the default route leaves by %s", w);
		{
			size_t before = k->n;

			r = follow(root, dir.p, "/sys/class/net", 0, KEEP_NIC, what.p, k, 0);
			if (r == 0 && k->n == before)
				k->unplaced++;
		}
		buf_free(&dir);
		buf_free(&what);
	}
	return r;
}

int hostkeep_read(const char *root, struct hostkeep *k)
{
	memset(k, 0, sizeof(*k));
	if (root_disk(root, k) < 0 || mgmt_nics(root, k) < 0) {
		hostkeep_free(k);
		return -1;
	}
	return 0;
}

void hostkeep_free(struct hostkeep *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].what);
	free(k->v);
	free(k->root_unknown);
	memset(k, 0, sizeof(*k));
}
