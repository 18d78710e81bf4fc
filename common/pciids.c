#include "pciids.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct ent {
	unsigned id;
	size_t off;	/* the entry's line */
	size_t end;	/* devices: where its subsystem lines end */
};

struct vendor {
	size_t off;
	struct ent *dev;
	size_t ndev;
};

struct pciids {
	const char *p;
	size_t size;
	size_t cstart;		/* the first "C xx" line, or size */
	int full;		/* vidx built */
	struct ent *vidx;	/* every vendor line, sorted by id */
	size_t nv;
	int32_t *vslot;		/* vendor id -> 1 + index in vc, -1 absent, 0 unknown */
	struct vendor *vc;
	size_t nvc;
	int classes_built;
	struct ent *cls;	/* id: class << 8 | 0x100 for a class, else class << 8 | sub */
	size_t ncls;
};

static int hexd(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* lib/names-parse.c id_hex(): n hex digits at off, or -1 */
static long id_hex(const struct pciids *ids, size_t off, int n)
{
	long v = 0;
	int i, d;

	if (off + (size_t)n > ids->size)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = hexd((unsigned char)ids->p[off + (size_t)i])) < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static int white_at(const struct pciids *ids, size_t off)
{
	return off < ids->size && (ids->p[off] == ' ' || ids->p[off] == '\t');
}

/* the start of the line after the one holding off */
static size_t next_line(const struct pciids *ids, size_t off)
{
	const char *nl = memchr(ids->p + off, '\n', ids->size - off);

	return nl ? (size_t)(nl - ids->p) + 1 : ids->size;
}

/* where the line at off ends: lspci stops at the first CR or LF */
static size_t line_end(const struct pciids *ids, size_t off)
{
	size_t e = next_line(ids, off), i;

	if (e > off && e <= ids->size && ids->p[e - 1] == '\n')
		e--;
	for (i = off; i < e; i++)
		if (ids->p[i] == '\r')
			return i;
	return e;
}

/* a comment or a blank line: lspci skips them wherever they are */
static int skip_line(const struct pciids *ids, size_t off)
{
	while (off < ids->size && (ids->p[off] == ' ' || ids->p[off] == '\t'))
		off++;
	return off >= ids->size || ids->p[off] == '#' || ids->p[off] == '\n' ||
	       ids->p[off] == '\r';
}

/* the name that starts at off (after the ids' white space), or NULL */
static const char *name_at(const struct pciids *ids, size_t off, size_t line,
			   size_t *len)
{
	size_t e = line_end(ids, line);

	/* names-parse.c drops one trailing blank, then skips leading ones */
	if (e > off && (ids->p[e - 1] == ' ' || ids->p[e - 1] == '\t'))
		e--;
	while (off < e && (ids->p[off] == ' ' || ids->p[off] == '\t'))
		off++;
	if (off >= e)
		return NULL;
	*len = e - off;
	return ids->p + off;
}

static int is_vendor_line(const struct pciids *ids, size_t off)
{
	return id_hex(ids, off, 4) >= 0 && white_at(ids, off + 4);
}

static int is_class_line(const struct pciids *ids, size_t off)
{
	return off + 1 < ids->size && ids->p[off] == 'C' && ids->p[off + 1] == ' ';
}

/* the class section: scan back from the end over "C" blocks */
static void find_classes(struct pciids *ids)
{
	size_t e = ids->size;

	ids->cstart = ids->size;
	while (e > 0) {
		size_t le = e, ls;
		const char *nl;

		if (ids->p[le - 1] == '\n')
			le--;
		nl = le ? memrchr(ids->p, '\n', le) : NULL;
		ls = nl ? (size_t)(nl - ids->p) + 1 : 0;
		if (ids->p[ls] != '\t' && !skip_line(ids, ls)) {
			if (!is_class_line(ids, ls))
				break;
			ids->cstart = ls;
		}
		e = ls;
	}
}

int pciids_open(const char *path, struct pciids **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct pciids *ids;
	void *m = NULL;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			int e = errno;

			close(fd);
			return -e;
		}
	}
	close(fd);
	ids = xcalloc(1, sizeof(*ids));
	ids->p = m ? m : "";
	ids->size = m ? (size_t)st.st_size : 0;
	find_classes(ids);
	*out = ids;
	return 0;
}

void pciids_close(struct pciids *ids)
{
	size_t i;

	if (!ids)
		return;
	if (ids->size)
		munmap((void *)(uintptr_t)ids->p, ids->size);
	for (i = 0; i < ids->nvc; i++)
		free(ids->vc[i].dev);
	free(ids->vc);
	free(ids->vslot);
	free(ids->vidx);
	free(ids->cls);
	free(ids);
}

static int cmp_ent(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;	/* the first one wins */
}

static const struct ent *find_ent(const struct ent *v, size_t n, unsigned id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first entry with this id */
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].id == id ? &v[lo] : NULL;
}

/* every top-level line, once: for files that are not sorted */
static void build_full(struct pciids *ids)
{
	size_t off = 0, cap = 0;
	int seen_class = 0;

	ids->full = 1;
	while (off < ids->size) {
		if (ids->p[off] != '\t' && !skip_line(ids, off)) {
			if (is_class_line(ids, off)) {
				if (!seen_class)
					ids->cstart = off;
				seen_class = 1;
			} else if (is_vendor_line(ids, off)) {
				if (ids->nv == cap) {
					cap = cap ? 2 * cap : 4096;
					ids->vidx = xrealloc(ids->vidx,
						cap * sizeof(*ids->vidx));
				}
				ids->vidx[ids->nv].id = (unsigned)id_hex(ids, off, 4);
				ids->vidx[ids->nv].off = off;
				ids->vidx[ids->nv].end = 0;
				ids->nv++;
			}
		}
		off = next_line(ids, off);
	}
	if (ids->nv)
		qsort(ids->vidx, ids->nv, sizeof(*ids->vidx), cmp_ent);
	ids->classes_built = 0;
	free(ids->cls);
	ids->cls = NULL;
	ids->ncls = 0;
}

/* the first vendor line starting at or after off and before hi */
static size_t next_vendor_line(const struct pciids *ids, size_t off, size_t hi)
{
	if (off > 0 && ids->p[off - 1] != '\n')
		off = next_line(ids, off);
	while (off < hi) {
		if (is_vendor_line(ids, off))
			return off;
		off = next_line(ids, off);
	}
	return SIZE_MAX;
}

/* binary search over the vendor lines; SIZE_MAX when not found */
static size_t vendor_search(const struct pciids *ids, unsigned v)
{
	size_t lo = 0, hi = ids->cstart;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t at = next_vendor_line(ids, mid, hi);
		long id;

		if (at == SIZE_MAX) {
			hi = mid;
			continue;
		}
		id = id_hex(ids, at, 4);
		if ((unsigned)id == v)
			return at;
		if ((unsigned)id < v)
			lo = next_line(ids, at);
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* index the device lines of the vendor block at off */
static void index_devices(const struct pciids *ids, struct vendor *vd)
{
	size_t off = next_line(ids, vd->off), cap = 0;
	struct ent *last = NULL;

	while (off < ids->size) {
		const char *p = ids->p + off;

		if (skip_line(ids, off)) {
			off = next_line(ids, off);
			continue;
		}
		if (*p != '\t')
			break;
		if (off + 1 < ids->size && p[1] != '\t' &&
		    id_hex(ids, off + 1, 4) >= 0 && white_at(ids, off + 5)) {
			if (last)
				last->end = off;
			if (vd->ndev == cap) {
				cap = cap ? 2 * cap : 64;
				vd->dev = xrealloc(vd->dev, cap * sizeof(*vd->dev));
			}
			last = &vd->dev[vd->ndev++];
			last->id = (unsigned)id_hex(ids, off + 1, 4);
			last->off = off;
		}
		off = next_line(ids, off);
	}
	if (last)
		last->end = off;
	if (vd->ndev > 1)
		qsort(vd->dev, vd->ndev, sizeof(*vd->dev), cmp_ent);
}

static struct vendor *vendor_get(struct pciids *ids, unsigned v)
{
	size_t at;
	int32_t *slot;

	if (!ids || v > 0xffff)
		return NULL;
	if (!ids->vslot)
		ids->vslot = xcalloc(0x10000, sizeof(*ids->vslot));
	slot = &ids->vslot[v];
	if (*slot < 0)
		return NULL;
	if (*slot > 0)
		return &ids->vc[*slot - 1];
	if (ids->full) {
		const struct ent *e = find_ent(ids->vidx, ids->nv, v);

		at = e ? e->off : SIZE_MAX;
	} else {
		at = vendor_search(ids, v);
		if (at == SIZE_MAX) {
			/* a miss may be an unsorted file: ask every line once */
			const struct ent *e;

			build_full(ids);
			e = find_ent(ids->vidx, ids->nv, v);
			at = e ? e->off : SIZE_MAX;
		}
	}
	if (at == SIZE_MAX) {
		*slot = -1;
		return NULL;
	}
	ids->vc = xrealloc(ids->vc, (ids->nvc + 1) * sizeof(*ids->vc));
	ids->vc[ids->nvc].off = at;
	ids->vc[ids->nvc].dev = NULL;
	ids->vc[ids->nvc].ndev = 0;
	index_devices(ids, &ids->vc[ids->nvc]);
	*slot = (int32_t)++ids->nvc;
	return &ids->vc[ids->nvc - 1];
}

const char *pciids_vendor(struct pciids *ids, unsigned v, size_t *len)
{
	struct vendor *vd = vendor_get(ids, v);

	return vd ? name_at(ids, vd->off + 4, vd->off, len) : NULL;
}

static const struct ent *device_get(struct pciids *ids, unsigned v, unsigned d)
{
	struct vendor *vd = vendor_get(ids, v);

	return vd ? find_ent(vd->dev, vd->ndev, d) : NULL;
}

const char *pciids_device(struct pciids *ids, unsigned v, unsigned d,
			  size_t *len)
{
	const struct ent *e = device_get(ids, v, d);

	return e ? name_at(ids, e->off + 5, e->off, len) : NULL;
}

const char *pciids_subsystem(struct pciids *ids, unsigned v, unsigned d,
			     unsigned sv, unsigned sd, size_t *len)
{
	const struct ent *e = device_get(ids, v, d);
	size_t off;

	if (!e)
		return NULL;
	for (off = next_line(ids, e->off); off < e->end;
	     off = next_line(ids, off)) {
		if (off + 2 < ids->size && ids->p[off] == '\t' &&
		    ids->p[off + 1] == '\t' &&
		    id_hex(ids, off + 2, 4) == (long)sv && white_at(ids, off + 6) &&
		    id_hex(ids, off + 7, 4) == (long)sd && white_at(ids, off + 11))
			return name_at(ids, off + 11, off, len);
	}
	return NULL;
}

/* the class section's class and subclass lines, once */
static void index_classes(struct pciids *ids)
{
	size_t off = ids->cstart, cap = 0;
	long cur = -1;

	ids->classes_built = 1;
	for (; off < ids->size; off = next_line(ids, off)) {
		struct ent e;

		if (skip_line(ids, off))
			continue;
		if (ids->p[off] != '\t') {
			cur = -1;
			if (!is_class_line(ids, off) ||
			    (cur = id_hex(ids, off + 2, 2)) < 0 ||
			    !white_at(ids, off + 4))
				continue;
			e.id = (unsigned)cur << 8 | 0x10000;
			e.end = off + 4;
		} else if (cur >= 0 && off + 1 < ids->size &&
			   ids->p[off + 1] != '\t') {
			long sub = id_hex(ids, off + 1, 2);

			if (sub < 0 || !white_at(ids, off + 3))
				continue;
			e.id = (unsigned)(cur << 8 | sub);
			e.end = off + 3;
		} else {
			continue;
		}
		e.off = off;
		if (ids->ncls == cap) {
			cap = cap ? 2 * cap : 256;
			ids->cls = xrealloc(ids->cls, cap * sizeof(*ids->cls));
		}
		ids->cls[ids->ncls++] = e;
	}
	if (ids->ncls > 1)
		qsort(ids->cls, ids->ncls, sizeof(*ids->cls), cmp_ent);
}

static const char *class_lookup(struct pciids *ids, unsigned key, size_t *len)
{
	const struct ent *e;

	if (!ids)
		return NULL;
	if (!ids->classes_built) {
		if (ids->cstart == ids->size && !ids->full)
			build_full(ids);	/* no "C" block at the end: look everywhere */
		index_classes(ids);
	}
	e = find_ent(ids->cls, ids->ncls, key);
	return e ? name_at(ids, e->end, e->off, len) : NULL;
}

const char *pciids_class(struct pciids *ids, unsigned cls, size_t *len)
{
	return class_lookup(ids, (cls & 0xff) << 8 | 0x10000, len);
}

const char *pciids_subclass(struct pciids *ids, unsigned cls, unsigned sub,
			    size_t *len)
{
	return class_lookup(ids, (cls & 0xff) << 8 | (sub & 0xff), len);
}

/* lib/names.c: a result that did not fit ends in "..." */
static char *fit(char *buf, size_t size, int res)
{
	if (res >= 0 && (size_t)res >= size && size >= 4)
		buf[size - 2] = buf[size - 3] = buf[size - 4] = '.';
	return buf;
}

/* lib/names.c format_name() */
static char *format_name(char *buf, size_t size, int mixed, const char *name,
			 size_t len, const char *num, const char *unknown)
{
	int res;

	if (!name)
		res = snprintf(buf, size, mixed ? "%s [%s]" : "%s %s", unknown, num);
	else if (!mixed)
		res = snprintf(buf, size, "%.*s", (int)len, name);
	else
		res = snprintf(buf, size, "%.*s [%s]", (int)len, name, num);
	return fit(buf, size, res);
}

/* lib/names.c format_name_pair() */
static char *format_pair(char *buf, size_t size, int mixed, const char *v,
			 size_t vl, const char *d, size_t dl, const char *num)
{
	int res;

	if (mixed) {
		if (v && d)
			res = snprintf(buf, size, "%.*s %.*s [%s]", (int)vl, v,
				       (int)dl, d, num);
		else if (!v)
			res = snprintf(buf, size, "Device [%s]", num);
		else
			res = snprintf(buf, size, "%.*s Device [%s]", (int)vl, v, num);
	} else {
		if (v && d)
			res = snprintf(buf, size, "%.*s %.*s", (int)vl, v, (int)dl, d);
		else if (!v)
			res = snprintf(buf, size, "Device %s", num);
		else
			res = snprintf(buf, size, "%.*s Device %s", (int)vl, v, num + 5);
	}
	return fit(buf, size, res);
}

char *pciids_name_class(struct pciids *ids, char *buf, size_t size,
			unsigned class16, int numeric)
{
	char num[16];
	size_t len = 0;
	const char *n = pciids_subclass(ids, class16 >> 8, class16 & 0xff, &len);

	snprintf(num, sizeof(num), "%04x", class16 & 0xffff);
	/* a known class with an unknown subclass shows the full number */
	if (!n && (n = pciids_class(ids, class16 >> 8, &len)))
		numeric = 1;
	return format_name(buf, size, numeric, n, len, num, "Class");
}

char *pciids_name_device(struct pciids *ids, char *buf, size_t size,
			 unsigned v, unsigned d, int numeric)
{
	char num[16];
	size_t vl = 0, dl = 0;
	const char *vn = pciids_vendor(ids, v, &vl);
	const char *dn = pciids_device(ids, v, d, &dl);

	snprintf(num, sizeof(num), "%04x:%04x", v & 0xffff, d & 0xffff);
	return format_pair(buf, size, numeric, vn, vl, dn, dl, num);
}

char *pciids_name_subsystem(struct pciids *ids, char *buf, size_t size,
			    unsigned v, unsigned d, unsigned sv, unsigned sd,
			    int numeric)
{
	char num[16];
	size_t vl = 0, dl = 0;
	const char *vn = pciids_vendor(ids, sv, &vl);
	const char *dn = NULL;

	/* lib/names.c id_lookup_subsys() */
	if (v > 0 && d > 0)
		dn = pciids_subsystem(ids, v, d, sv, sd, &dl);
	if (!dn && v == sv && d == sd)
		dn = pciids_device(ids, v, d, &dl);
	snprintf(num, sizeof(num), "%04x:%04x", sv & 0xffff, sd & 0xffff);
	return format_pair(buf, size, numeric, vn, vl, dn, dl, num);
}
