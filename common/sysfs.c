/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sysfs.h"
#include "buf.h"
#include "err.h"
#include "rootpath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pcifilter_init(struct pcifilter *f)
{
	f->domain = f->bus = f->dev = f->fn = -1;
	f->vendor = f->device = -1;
	f->class16 = -1;
	f->class_mask = ~0u;
	f->progif = -1;
	f->group = -1;
}

/* lib/filter.c field_defined(): empty and "*" mean any */
static int field_defined(const char *s, size_t n)
{
	return n > 0 && !(n == 1 && s[0] == '*');
}

/* lib/filter.c parse_hex_field(); 'x' digits only when maskp is given */
static int parse_hex_field(const char *s, size_t n, int *out, unsigned *maskp,
			   unsigned max)
{
	unsigned v = 0, mask = ~0u;
	/* wide enough that no digit string wraps past max (100000000 is not 0) */
	unsigned long long bound = 0;
	size_t i;

	if (!field_defined(s, n))
		return 1;
	if (n > 16)
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if ((c == 'x' || c == 'X') && maskp) {
			v <<= 4;
			bound = (bound << 4) | 1;
			mask <<= 4;
		} else {
			if ((d = hexdigit(c)) < 0)
				return 0;
			v = (v << 4) | (unsigned)d;
			bound = (bound << 4) | (unsigned long long)d;
			mask = (mask << 4) | 0xf;
		}
		if (bound > max)
			return 0;
	}
	*out = (int)v;
	if (maskp)
		*maskp = mask;
	return 1;
}

/* split s at sep into at most max fields; returns the count, or -1 if more */
static int split(const char *s, int sep, const char **f, size_t *len, int max)
{
	int n = 0;

	for (;;) {
		const char *e = strchr(s, sep);

		if (n == max)
			return -1;
		f[n] = s;
		len[n] = e ? (size_t)(e - s) : strlen(s);
		n++;
		if (!e)
			return n;
		s = e + 1;
	}
}

const char *pcifilter_slot(struct pcifilter *f, const char *s)
{
	const char *fl[3], *sf[2];
	size_t len[3], slen[2];
	int n, i = 0;
	char devpart[64];

	if (strlen(s) >= 64)
		return "expression too long";
	if ((n = split(s, ':', fl, len, 3)) < 0)
		return "too many fields";
	if (n == 3) {
		if (!parse_hex_field(fl[0], len[0], &f->domain, NULL, 0x7fffffff))
			return "invalid domain number";
		i++;
	}
	if (n - i == 2) {
		if (!parse_hex_field(fl[i], len[i], &f->bus, NULL, 0xff))
			return "invalid bus number";
		i++;
	}
	if (field_defined(fl[i], len[i])) {
		memcpy(devpart, fl[i], len[i]);
		devpart[len[i]] = '\0';
		n = split(devpart, '.', sf, slen, 2);
		if (n < 0)
			return "invalid slot/function number";
		if (!parse_hex_field(sf[0], slen[0], &f->dev, NULL, 0x1f))
			return "invalid slot number";
		if (n == 2 && !parse_hex_field(sf[1], slen[1], &f->fn, NULL, 7))
			return "invalid function number";
	}
	return NULL;
}

const char *pcifilter_id(struct pcifilter *f, const char *s)
{
	const char *fl[4];
	size_t len[4];
	int n;

	if (strlen(s) >= 64)
		return "expression too long";
	if ((n = split(s, ':', fl, len, 4)) < 0)
		return "too many fields";
	if (n < 2)
		return "at least two fields must be given";
	if (!parse_hex_field(fl[0], len[0], &f->vendor, NULL, 0xffff))
		return "invalid vendor ID";
	if (!parse_hex_field(fl[1], len[1], &f->device, NULL, 0xffff))
		return "invalid device ID";
	if (n > 2 && !parse_hex_field(fl[2], len[2], &f->class16,
				      &f->class_mask, 0xffff))
		return "invalid class code";
	if (n > 3 && !parse_hex_field(fl[3], len[3], &f->progif, NULL, 0xff))
		return "invalid programming interface code";
	return NULL;
}

const char *pcifilter_class(struct pcifilter *f, const char *s)
{
	size_t n = strlen(s);
	int v;

	if ((n != 2 && n != 4) || !parse_hex_field(s, n, &v, NULL, 0xffff))
		return "want 2 or 4 hex digits";
	if (n == 2) {
		f->class16 = v << 8;
		f->class_mask = 0xff00;
	} else {
		f->class16 = v;
		f->class_mask = 0xffff;
	}
	return NULL;
}

int pcifilter_match_slot(const struct pcifilter *f, const struct pcidev *d)
{
	return !((f->domain >= 0 && (unsigned)f->domain != d->domain) ||
		 (f->bus >= 0 && (unsigned)f->bus != d->bus) ||
		 (f->dev >= 0 && (unsigned)f->dev != d->dev) ||
		 (f->fn >= 0 && (unsigned)f->fn != d->fn));
}

int pcifilter_match(const struct pcifilter *f, const struct pcidev *d)
{
	if (!pcifilter_match_slot(f, d))
		return 0;
	if ((f->vendor >= 0 && (unsigned)f->vendor != d->vendor) ||
	    (f->device >= 0 && (unsigned)f->device != d->device))
		return 0;
	if (f->class16 >= 0 &&
	    (((unsigned)f->class16 ^ (d->class24 >> 8)) & f->class_mask))
		return 0;
	if (f->progif >= 0 && (unsigned)f->progif != (d->class24 & 0xff))
		return 0;
	if (f->group >= 0 &&
	    (!d->group || strtol(d->group, NULL, 10) != f->group))
		return 0;
	return 1;
}

/* n hex digits at s; -1 unless all are hex */
static long hexn(const char *s, int n)
{
	long v = 0;
	int i, d;

	for (i = 0; i < n; i++) {
		if ((d = hexdigit((unsigned char)s[i])) < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

int pci_parse_slot(const char *name, struct pcidev *d)
{
	size_t dl = strcspn(name, ":");
	long dom, bus, dev, fn;

	if (dl < 4 || dl > 8 || strlen(name) != dl + 8 || name[dl] != ':' ||
	    name[dl + 3] != ':' || name[dl + 6] != '.')
		return -EINVAL;
	dom = hexn(name, (int)dl);
	bus = hexn(name + dl + 1, 2);
	dev = hexn(name + dl + 4, 2);
	fn = hexn(name + dl + 7, 1);
	if (dom < 0 || bus < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return -EINVAL;
	d->domain = (unsigned)dom;
	d->bus = (unsigned)bus;
	d->dev = (unsigned)dev;
	d->fn = (unsigned)fn;
	snprintf(d->slot, sizeof(d->slot), "%s", name);
	return 0;
}

/* drivers/pci/pci-sysfs.c modalias_show(): "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" */
int pci_parse_modalias(const char *s, struct pcidev *d)
{
	static const struct { const char *tag; int digits; } f[] = {
		{ "pci:v", 8 }, { "d", 8 }, { "sv", 8 }, { "sd", 8 },
		{ "bc", 2 }, { "sc", 2 }, { "i", 2 }
	};
	long v[7];
	size_t i;

	for (i = 0; i < 7; i++) {
		size_t tl = strlen(f[i].tag);

		if (strncmp(s, f[i].tag, tl) != 0)
			return -EINVAL;
		s += tl;
		if ((v[i] = hexn(s, f[i].digits)) < 0)
			return -EINVAL;
		s += f[i].digits;
	}
	if (*s != '\0' || v[0] > 0xffff || v[1] > 0xffff || v[2] > 0xffff ||
	    v[3] > 0xffff)
		return -EINVAL;
	d->vendor = (unsigned)v[0];
	d->device = (unsigned)v[1];
	d->subvendor = (unsigned)v[2];
	d->subdevice = (unsigned)v[3];
	d->class24 = (unsigned)(v[4] << 16 | v[5] << 8 | v[6]);
	return 0;
}

void pci_slot_name(const struct pcidev *d, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	char s[20], *p = s;
	int i;

	/* "%04x:%02x:%02x.%u" by hand: a listing names every device several times */
	if (d->domain > 0xffff || d->bus > 0xff || d->dev > 0xff || d->fn > 9 || size < 13) {
		snprintf(buf, size, "%04x:%02x:%02x.%u", d->domain, d->bus, d->dev, d->fn);
		return;
	}
	for (i = 12; i >= 0; i -= 4)
		*p++ = hex[d->domain >> i & 0xf];
	*p++ = ':';
	*p++ = hex[d->bus >> 4 & 0xf];
	*p++ = hex[d->bus & 0xf];
	*p++ = ':';
	*p++ = hex[d->dev >> 4 & 0xf];
	*p++ = hex[d->dev & 0xf];
	*p++ = '.';
	*p++ = (char)('0' + d->fn);
	*p = '\0';
	memcpy(buf, s, (size_t)(p - s) + 1);
}

int pci_slot_canonical(const char *s)
{
	struct pcidev d;
	char back[32];

	if (pci_parse_slot(s, &d) < 0 || d.domain > 0xffff)
		return 0;
	pci_slot_name(&d, back, sizeof(back));
	return strcmp(back, s) == 0;
}

/*
 * Read a small attribute of the device at dfd into buf (NUL-terminated,
 * one trailing newline removed when strip); length, or -errno.
 */
static ssize_t read_attr(int dfd, const char *name, char *buf, size_t size,
			 int strip)
{
	/* a regular file of sysfs, never a link out or a FIFO that blocks */
	int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		n = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		close(fd);
		return n;
	}
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (strip && n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* the last component of a link's target, or NULL when there is no link */
static char *link_base(int dfd, const char *name)
{
	char buf[4096];
	ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
	char *b;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	b = strrchr(buf, '/');
	return xstrdup(b ? b + 1 : buf);
}

/* a "0x1234" attribute; -errno or -EINVAL when it is not one */
static long hex_attr(int dfd, const char *name)
{
	char buf[64], *end;
	long v;
	ssize_t n = read_attr(dfd, name, buf, sizeof(buf), 1);

	if (n < 0)
		return n;
	errno = 0;
	v = strtol(buf, &end, 16);
	if (errno || end == buf || *end || v < 0)
		return -EINVAL;
	return v;
}

/* ids without a modalias file: the separate attributes, as lspci reads them */
static int read_ids(int dfd, struct pcidev *d, const char **bad)
{
	long v = hex_attr(dfd, *bad = "vendor"), dv, c, sv, sd;

	if (v < 0)
		return (int)v;
	if ((dv = hex_attr(dfd, *bad = "device")) < 0)
		return (int)dv;
	if ((c = hex_attr(dfd, *bad = "class")) < 0)
		return (int)c;
	sv = hex_attr(dfd, "subsystem_vendor");
	sd = hex_attr(dfd, "subsystem_device");
	d->vendor = (unsigned)v & 0xffff;
	d->device = (unsigned)dv & 0xffff;
	d->class24 = (unsigned)c & 0xffffff;
	d->subvendor = sv >= 0 ? (unsigned)sv & 0xffff : 0;
	d->subdevice = sd >= 0 ? (unsigned)sd & 0xffff : 0;
	return 0;
}

static int read_device(int rootfd, const char *devpath, int dfd, unsigned want, struct pcidev *d,
		       const char **bad)
{
	char buf[256];
	ssize_t n;

	d->rev = -1;
	n = read_attr(dfd, *bad = "modalias", buf, sizeof(buf), 1);
	if (n >= 0) {
		if (pci_parse_modalias(buf, d) < 0)
			return -EINVAL;
		d->modalias = xstrdup(buf);
	} else if (n == -ENOENT) {
		int r = read_ids(dfd, d, bad);

		if (r < 0)
			return r;
	} else {
		return (int)n;
	}
	if (want & SYSFS_REV) {
		long r = hex_attr(dfd, "revision");

		if (r < 0) {
			/* no revision file (kernels before 2.6.39): config byte 8 */
			unsigned char cfg[9];
			int fd = openat(dfd, "config", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

			r = 0xff;	/* what lspci shows when config is unreadable too */
			if (fd >= 0) {
				if (pread(fd, cfg, 9, 0) == 9)
					r = cfg[8];
				close(fd);
			}
		}
		d->rev = (int)(r & 0xff);
	}
	if (want & SYSFS_LABEL) {
		n = read_attr(dfd, "label", buf, sizeof(buf), 0);
		if (n >= 0)
			d->label = xstrdup(buf);
	}
	if (want & (SYSFS_DRIVER | SYSFS_MODULE))
		d->driver = link_base(dfd, "driver");
	/*
	 * drivers/base/module.c module_add_driver(): the driver's "module"
	 * link names its module (xhci_hcd's is xhci_pci, i801_smbus's is
	 * i2c_i801), built-in ones too when /sys/module has an entry for them
	 */
	if ((want & SYSFS_MODULE) && d->driver) {
		/* the driver link followed inside the root, not by readlinkat */
		struct buf p = BUF_INIT;
		int drv;

		buf_printf(&p, "%s/driver", devpath);
		drv = root_openat(rootfd, p.p, O_PATH | O_DIRECTORY);
		if (drv >= 0) {
			d->drvmodule = link_base(drv, "module");
			close(drv);
		}
		buf_free(&p);
	}
	d->boot_vga = -1;
	if (want & SYSFS_BOOTVGA) {
		n = read_attr(dfd, "boot_vga", buf, sizeof(buf), 1);
		if (n == 1 && (buf[0] == '0' || buf[0] == '1'))
			d->boot_vga = buf[0] - '0';
	}
	d->hdr_type = -1;
	if (want & SYSFS_HDRTYPE) {
		/* include/uapi/linux/pci_regs.h PCI_HEADER_TYPE 0x0e, bit 7 multi-function */
		unsigned char cfg[15];
		int fd = openat(dfd, "config", O_RDONLY | O_CLOEXEC | O_NONBLOCK);

		if (fd >= 0) {
			if (pread(fd, cfg, sizeof(cfg), 0) == (ssize_t)sizeof(cfg))
				d->hdr_type = cfg[14] & 0x7f;
			close(fd);
		}
	}
	if (want & SYSFS_GROUP)
		d->group = link_base(dfd, "iommu_group");
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct pcidev *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->fn != y->fn)
		return x->fn < y->fn ? -1 : 1;
	return 0;
}

static void pcidev_free(struct pcidev *d)
{
	free(d->modalias);
	free(d->driver);
	free(d->group);
	free(d->label);
	free(d->drvmodule);
}

int sysfs_scan(const char *root, unsigned want, const struct pcifilter *f,
	       struct pcilist *out, char **where)
{
	char *dir = root_path(root, "/sys/bus/pci/devices");
	/* every path resolved inside root: a link in a hostile tree stays there */
	int rootfd = rootfd_open(root);
	int fd = rootfd < 0 ? rootfd : root_openat(rootfd, "/sys/bus/pci/devices",
						   O_RDONLY | O_DIRECTORY);
	DIR *dp = fd < 0 ? NULL : fdopendir(fd);
	struct buf devpath = BUF_INIT;
	struct dirent *e;
	size_t cap = 0;
	int r = 0;

	out->dev = NULL;
	out->n = 0;
	*where = NULL;
	if (!dp) {
		r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		if (rootfd >= 0)
			close(rootfd);
		*where = dir;
		return r;
	}
	if (f && f->group >= 0)
		want |= SYSFS_GROUP;
	while ((e = readdir(dp))) {
		struct pcidev d;
		const char *bad = NULL;
		int dfd;

		memset(&d, 0, sizeof(d));
		if (pci_parse_slot(e->d_name, &d) < 0)
			continue;
		if (f && !pcifilter_match_slot(f, &d))
			continue;
		buf_reset(&devpath);
		buf_printf(&devpath, "/sys/bus/pci/devices/%s", e->d_name);
		dfd = root_openat(rootfd, devpath.p, O_PATH | O_DIRECTORY);
		if (dfd < 0) {
			r = dfd;
			bad = "";
		} else {
			r = read_device(rootfd, devpath.p, dfd, want, &d, &bad);
			close(dfd);
		}
		if (r < 0) {
			size_t len = strlen(dir) + strlen(e->d_name) +
				     strlen(bad) + 3;

			*where = xmalloc(len);
			snprintf(*where, len, "%s/%s%s%s", dir, e->d_name,
				 *bad ? "/" : "", bad);
			pcidev_free(&d);
			break;
		}
		if (f && !pcifilter_match(f, &d)) {
			pcidev_free(&d);
			continue;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 64;
			out->dev = xrealloc(out->dev, cap * sizeof(*out->dev));
		}
		out->dev[out->n++] = d;
	}
	closedir(dp);
	close(rootfd);
	buf_free(&devpath);
	free(dir);
	if (r < 0) {
		pcilist_free(out);
		return r;
	}
	if (out->n > 1)
		qsort(out->dev, out->n, sizeof(*out->dev), cmp_dev);
	return 0;
}

void pcilist_free(struct pcilist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		pcidev_free(&l->dev[i]);
	free(l->dev);
	l->dev = NULL;
	l->n = 0;
}
