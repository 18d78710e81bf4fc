/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pciids: names from a pci.ids file (see pciids.h for the lookup).  The
 * names come out as lspci prints them; the rules for that shape -- the
 * fall-backs for an unknown id, a subsystem named by its device, a name
 * cut short ending in "..." -- are those of pciutils' lib/names.c
 * (format_name(), format_name_pair(), id_lookup_subsys()) and of its
 * lib/names-parse.c for reading the file, written here as our own code
 * and checked against lspci itself (t/30-pci-list.bats).
 */
#include "pciids.h"
#include "buf.h"
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
	size_t end;	/* where the name starts */
};

/* one remembered answer: kind 0 vendor, 1 device, 2 subsystem, 3 vendor block */
struct memo {
	int used;
	unsigned kind, v, d, sv, sd;
	const char *name;
	size_t len;
};

#define MEMO_SIZE 4096

/* no vendor line starts in [from, to): learnt by earlier scans */
struct gap {
	size_t from, to;
};

struct pciids {
	const char *p;
	size_t size;
	size_t cstart;		/* the first "C xx" line, or size */
	int classes_built;
	struct ent *cls;	/* id: class << 8 | 0x10000 for a class, else class << 8 | sub */
	size_t ncls;
	struct memo *memo;	/* MEMO_SIZE slots, open addressing */
	size_t nmemo;
	struct gap *gaps;	/* sorted, disjoint */
	size_t ngaps, capgaps;
};

/* n hex digits at off, or -1 */
static long id_hex(const struct pciids *ids, size_t off, int n)
{
	long v = 0;
	int i, d;

	if (off + (size_t)n > ids->size)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = hexdigit((unsigned char)ids->p[off + (size_t)i])) < 0)
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
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return pciids_open_fd(fd, out);
}

int pciids_open_fd(int fd, struct pciids **out)
{
	struct stat st;
	struct pciids *ids;
	void *m = NULL;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
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
	if (!ids)
		return;
	if (ids->size)
		munmap((void *)(uintptr_t)ids->p, ids->size);
	free(ids->memo);
	free(ids->gaps);
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

static int is_device_line(const struct pciids *ids, size_t off)
{
	return off + 1 < ids->size && ids->p[off] == '\t' &&
	       id_hex(ids, off + 1, 4) >= 0 && white_at(ids, off + 5);
}

/*
 * The first line starting at or after off (and before hi) that is an
 * entry of the kind is_entry tells, or SIZE_MAX.
 */
static size_t next_entry(const struct pciids *ids, size_t off, size_t hi,
			 int (*is_entry)(const struct pciids *, size_t))
{
	if (off > 0 && ids->p[off - 1] != '\n')
		off = next_line(ids, off);
	while (off < hi) {
		if (is_entry(ids, off))
			return off;
		off = next_line(ids, off);
	}
	return SIZE_MAX;
}

/* the index of the first gap that starts after off */
static size_t gap_after(const struct pciids *ids, size_t off)
{
	size_t lo = 0, hi = ids->ngaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids->gaps[mid].from <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* remember that no vendor line starts in [from, to), merged with what is known */
static void gap_add(struct pciids *ids, size_t from, size_t to)
{
	size_t i, j;

	if (from >= to)
		return;
	i = gap_after(ids, from);
	if (i > 0 && ids->gaps[i - 1].to >= from) {
		i--;
		from = ids->gaps[i].from;
	}
	for (j = i; j < ids->ngaps && ids->gaps[j].from <= to; j++)
		if (ids->gaps[j].to > to)
			to = ids->gaps[j].to;
	if (j == i) {
		if (ids->ngaps == ids->capgaps) {
			ids->capgaps = ids->capgaps ? 2 * ids->capgaps : 64;
			ids->gaps = xrealloc(ids->gaps, ids->capgaps * sizeof(*ids->gaps));
		}
		memmove(ids->gaps + i + 1, ids->gaps + i, (ids->ngaps - i) * sizeof(*ids->gaps));
		ids->ngaps++;
	} else {
		memmove(ids->gaps + i + 1, ids->gaps + j, (ids->ngaps - j) * sizeof(*ids->gaps));
		ids->ngaps -= j - i - 1;
	}
	ids->gaps[i] = (struct gap){ from, to };
}

/* off, or the start of the next line when off is inside one */
static size_t line_at_or_after(const struct pciids *ids, size_t off)
{
	return off > 0 && off < ids->size && ids->p[off - 1] != '\n' ? next_line(ids, off) : off;
}

/*
 * next_entry() for vendor lines, which a binary search asks for most: a
 * probe that lands in a big vendor block (Intel's is a quarter of the
 * file) scans to its end, so what each scan learns is kept as a gap and
 * never scanned again.  A lookup then costs each byte at most once.
 */
static size_t next_vendor(struct pciids *ids, size_t off, size_t hi)
{
	size_t start, i;

	off = line_at_or_after(ids, off);
	start = off;
	i = gap_after(ids, off);
	if (i > 0 && ids->gaps[i - 1].to > off)
		off = line_at_or_after(ids, ids->gaps[i - 1].to);
	while (off < hi) {
		if (i < ids->ngaps && off >= ids->gaps[i].from) {
			if (ids->gaps[i].to > off)
				off = line_at_or_after(ids, ids->gaps[i].to);
			i++;
			continue;
		}
		if (is_vendor_line(ids, off))
			break;
		off = next_line(ids, off);
	}
	gap_add(ids, start, off < hi ? off : hi);
	return off < hi ? off : SIZE_MAX;
}

/*
 * Binary search over the lines of [lo, hi) for the first entry whose id
 * is at least id, or hi.  pci.ids keeps vendors, and devices within a
 * vendor, in ascending order: that is what makes a lookup touch a few
 * pages instead of the whole file.
 */
static size_t lower_bound(struct pciids *ids, size_t lo, size_t hi,
			  unsigned id, int depth,
			  int (*is_entry)(const struct pciids *, size_t))
{
	size_t best = hi;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		/* no entry lies in [old mid, best): scan no further than hi */
		size_t at = is_entry == is_vendor_line ? next_vendor(ids, mid, hi) :
			    next_entry(ids, mid, hi, is_entry);

		if (at == SIZE_MAX) {
			hi = mid;
			continue;
		}
		if ((unsigned)id_hex(ids, at + (size_t)depth, 4) < id) {
			lo = next_line(ids, at);
		} else {
			best = at;
			hi = mid;
		}
	}
	return best;
}

static size_t memo_hash(unsigned kind, unsigned v, unsigned d, unsigned sv,
			unsigned sd)
{
	unsigned long long h = ((unsigned long long)v << 48 | (unsigned long long)d << 32 |
				sv << 16 | sd) ^ ((unsigned long long)kind << 62);

	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 52) & (MEMO_SIZE - 1);
}

/* the remembered slot for this question: used says whether it holds the answer */
static struct memo *memo_slot(struct pciids *ids, unsigned kind, unsigned v,
			      unsigned d, unsigned sv, unsigned sd)
{
	size_t i = memo_hash(kind, v, d, sv, sd), n;

	if (!ids->memo)
		ids->memo = xcalloc(MEMO_SIZE, sizeof(*ids->memo));
	for (n = 0; n < MEMO_SIZE; n++, i = (i + 1) & (MEMO_SIZE - 1)) {
		struct memo *m = &ids->memo[i];

		if (!m->used || (m->kind == kind && m->v == v && m->d == d &&
				 m->sv == sv && m->sd == sd))
			return m;
	}
	return NULL;
}

static const char *remember(struct pciids *ids, struct memo *m, unsigned kind,
			    unsigned v, unsigned d, unsigned sv, unsigned sd,
			    const char *name, size_t len)
{
	/* a table three quarters full stops remembering: no slot ever runs out */
	if (m && ids->nmemo < MEMO_SIZE * 3 / 4) {
		*m = (struct memo){ 1, kind, v, d, sv, sd, name, len };
		ids->nmemo++;
	}
	return name;
}

/* the vendor's block: its line, and where the next vendor's starts */
static int vendor_block(struct pciids *ids, unsigned v, size_t *at, size_t *end)
{
	struct memo *m = memo_slot(ids, 3, v, 0, 0, 0);

	if (m && m->used) {	/* name: the block's start, len: its length */
		*at = (size_t)(m->name - ids->p);
		*end = *at + m->len;
		return m->len > 0;
	}
	*at = lower_bound(ids, 0, ids->cstart, v, 0, is_vendor_line);
	if (*at >= ids->cstart || (unsigned)id_hex(ids, *at, 4) != v) {
		*at = *end = 0;
	} else {
		*end = v == 0xffff ? ids->cstart :
		       lower_bound(ids, *at, ids->cstart, v + 1, 0, is_vendor_line);
	}
	remember(ids, m, 3, v, 0, 0, 0, ids->p + *at, *end - *at);
	return *end > *at;
}

/* the device's line and where its subsystem lines end */
static int device_line(struct pciids *ids, unsigned v, unsigned d,
		       size_t *at, size_t *end)
{
	size_t va, ve;

	if (!vendor_block(ids, v, &va, &ve))
		return 0;
	*at = lower_bound(ids, next_line(ids, va), ve, d, 1, is_device_line);
	if (*at >= ve || (unsigned)id_hex(ids, *at + 1, 4) != d)
		return 0;
	*end = next_entry(ids, next_line(ids, *at), ve, is_device_line);
	if (*end == SIZE_MAX)
		*end = ve;
	return 1;
}

const char *pciids_vendor(struct pciids *ids, unsigned v, size_t *len)
{
	struct memo *m;
	const char *name = NULL;
	size_t at, end;

	if (!ids)
		return NULL;
	m = memo_slot(ids, 0, v, 0, 0, 0);
	if (m && m->used) {
		*len = m->len;
		return m->name;
	}
	if (vendor_block(ids, v, &at, &end))
		name = name_at(ids, at + 4, at, len);
	return remember(ids, m, 0, v, 0, 0, 0, name, name ? *len : 0);
}

const char *pciids_device(struct pciids *ids, unsigned v, unsigned d,
			  size_t *len)
{
	struct memo *m;
	const char *name = NULL;
	size_t at, end;

	if (!ids)
		return NULL;
	m = memo_slot(ids, 1, v, d, 0, 0);
	if (m && m->used) {
		*len = m->len;
		return m->name;
	}
	if (device_line(ids, v, d, &at, &end))
		name = name_at(ids, at + 5, at, len);
	return remember(ids, m, 1, v, d, 0, 0, name, name ? *len : 0);
}

const char *pciids_subsystem(struct pciids *ids, unsigned v, unsigned d,
			     unsigned sv, unsigned sd, size_t *len)
{
	struct memo *m;
	const char *name = NULL;
	size_t at, end, off;

	if (!ids)
		return NULL;
	m = memo_slot(ids, 2, v, d, sv, sd);
	if (m && m->used) {
		*len = m->len;
		return m->name;
	}
	if (device_line(ids, v, d, &at, &end)) {
		for (off = next_line(ids, at); off < end; off = next_line(ids, off)) {
			if (off + 2 < ids->size && ids->p[off] == '\t' &&
			    ids->p[off + 1] == '\t' &&
			    id_hex(ids, off + 2, 4) == (long)sv &&
			    white_at(ids, off + 6) &&
			    id_hex(ids, off + 7, 4) == (long)sd &&
			    white_at(ids, off + 11)) {
				name = name_at(ids, off + 11, off, len);
				break;
			}
		}
	}
	return remember(ids, m, 2, v, d, sv, sd, name, name ? *len : 0);
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
	if (!ids->classes_built)
		index_classes(ids);
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

/*
 * A name as lspci prints it, built in buf: what is known, then the ids
 * when asked for (numeric: " [10de:1b80]") or when a name is missing
 * (" 1b80").  The text that does not fit is cut and ends in "...", as
 * lspci's does.  Unlike lspci, a control byte of a name (a pci.ids under
 * --root is the image's, any bytes) is shown as '?', as ls -q does: an ESC
 * would drive the terminal, a TAB forge a field of the TAB-separated output.
 */
struct namebuf {
	char *p;
	size_t size;
	size_t len;		/* of the whole text, written or not */
};

static void nb_add(struct namebuf *nb, const char *s, size_t n)
{
	size_t i;

	n = strnlen(s, n);	/* a NUL ends a name */
	for (i = 0; i < n; i++, nb->len++)
		if (nb->len + 1 < nb->size)
			nb->p[nb->len] = s[i];
}

static void nb_adds(struct namebuf *nb, const char *s)
{
	nb_add(nb, s, strlen(s));
}

/* the ids after the name: bracketed when numeric, else bare if a name is missing */
static void nb_ids(struct namebuf *nb, int numeric, int missing, const char *ids,
		   const char *bare)
{
	if (numeric) {
		nb_adds(nb, " [");
		nb_adds(nb, ids);
		nb_adds(nb, "]");
	} else if (missing) {
		nb_adds(nb, " ");
		nb_adds(nb, bare);
	}
}

static char *nb_finish(struct namebuf *nb)
{
	unsigned char *c;

	if (nb->size == 0)
		return nb->p;
	if (nb->len < nb->size) {
		nb->p[nb->len] = '\0';
	} else {
		nb->p[nb->size - 1] = '\0';
		if (nb->size >= 4)
			memcpy(nb->p + nb->size - 4, "...", 3);
	}
	for (c = (unsigned char *)nb->p; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	return nb->p;
}

/*
 * A vendor and device (or subsystem) pair: "Vendor Device", with an
 * unknown device "Vendor Device 1b80", with an unknown vendor
 * "Device 10de:1b80" whatever the device's name; ids is "vvvv:dddd".
 */
static char *name_pair(char *buf, size_t size, int numeric, const char *vn,
		       size_t vl, const char *dn, size_t dl, const char *ids)
{
	struct namebuf nb = { buf, size, 0 };

	if (!vn) {
		nb_adds(&nb, "Device");
		nb_ids(&nb, numeric, 1, ids, ids);
		return nb_finish(&nb);
	}
	nb_add(&nb, vn, vl);
	nb_adds(&nb, " ");
	if (dn)
		nb_add(&nb, dn, dl);
	else
		nb_adds(&nb, "Device");
	nb_ids(&nb, numeric, !dn, ids, ids + 5);
	return nb_finish(&nb);
}

char *pciids_name_class(struct pciids *ids, char *buf, size_t size,
			unsigned class16, int numeric)
{
	char num[16];
	size_t len = 0;
	const char *n = pciids_subclass(ids, class16 >> 8, class16 & 0xff, &len);
	struct namebuf nb = { buf, size, 0 };

	snprintf(num, sizeof(num), "%04x", class16 & 0xffff);
	/* a known class with an unknown subclass shows the full number */
	if (!n && (n = pciids_class(ids, class16 >> 8, &len)))
		numeric = 1;
	if (n)
		nb_add(&nb, n, len);
	else
		nb_adds(&nb, "Class");
	nb_ids(&nb, numeric, !n, num, num);
	return nb_finish(&nb);
}

char *pciids_name_device(struct pciids *ids, char *buf, size_t size,
			 unsigned v, unsigned d, int numeric)
{
	char num[16];
	size_t vl = 0, dl = 0;
	const char *vn = pciids_vendor(ids, v, &vl);
	const char *dn = pciids_device(ids, v, d, &dl);

	snprintf(num, sizeof(num), "%04x:%04x", v & 0xffff, d & 0xffff);
	return name_pair(buf, size, numeric, vn, vl, dn, dl, num);
}

char *pciids_name_subsystem(struct pciids *ids, char *buf, size_t size,
			    unsigned v, unsigned d, unsigned sv, unsigned sd,
			    int numeric)
{
	char num[16];
	size_t vl = 0, dl = 0;
	const char *vn = pciids_vendor(ids, sv, &vl);
	const char *dn = NULL;

	/*
	 * the subsystem's own line under its device; else, when the subsystem
	 * ids are the device's own, the device's name (lspci does the same)
	 */
	if (v > 0 && d > 0)
		dn = pciids_subsystem(ids, v, d, sv, sd, &dl);
	if (!dn && v == sv && d == sd)
		dn = pciids_device(ids, v, d, &dl);
	snprintf(num, sizeof(num), "%04x:%04x", sv & 0xffff, sd & 0xffff);
	return name_pair(buf, size, numeric, vn, vl, dn, dl, num);
}
