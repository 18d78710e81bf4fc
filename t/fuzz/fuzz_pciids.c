/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for common/pciids: lookups in a pci.ids file.
 *
 * common/pciids.c is built with mmap/munmap renamed to fuzz_mmap and
 * fuzz_munmap (scripts/fuzz), which read the file into a heap block of
 * exactly its size: AddressSanitizer then catches a read one byte past
 * the end, which a page-rounded mapping would hide.
 *
 * Properties (abort() on violation), for ids taken from the file's own
 * lines and a few more from the input:
 *   - a name is a non-empty span inside the file, on one line, and that
 *     line carries the id asked for (never a misnamed entry);
 *   - in a file whose vendors (and a vendor's devices) ascend, as every
 *     published pci.ids does, every vendor and device line is found;
 *   - asking again, or in another order on a fresh handle, gives the
 *     same answer;
 *   - the formatted names are NUL-terminated inside the buffer, whatever
 *     its size, and an unknown id gives lspci's fall-back exactly
 *     ("Device [1234:5678]", "Class [ff00]");
 *   - a formatted name holds no control byte: the name's own are shown
 *     as '?', every other byte as the file has it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "pciids.h"
#include "fuzz.h"

#define MAX_TEXT 65536
#define MAX_Q 48

void *fuzz_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int fuzz_munmap(void *addr, size_t len);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *last_map;	/* the copy the last pciids_open() read */

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if (is_control((unsigned char)*s))
			return 1;
	return 0;
}

/* the first len bytes of shown are name's, a control byte shown as '?' */
static int shown_as(const char *shown, const char *name, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (shown[k] != (is_control((unsigned char)name[k]) ? '?' : name[k]))
			return 0;
	return 1;
}

void *fuzz_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	char *p = malloc(len);
	size_t got = 0;

	(void)addr;
	(void)prot;
	(void)flags;
	if (!p)
		return MAP_FAILED;
	while (got < len) {
		ssize_t n = pread(fd, p + got, len - got, off + (off_t)got);

		if (n <= 0) {
			free(p);
			return MAP_FAILED;
		}
		got += (size_t)n;
	}
	last_map = p;
	return p;
}

int fuzz_munmap(void *addr, size_t len)
{
	(void)len;
	free(addr);
	return 0;
}

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = memfd_create("pci.ids", 0);

	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (fd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static long hex4(const char *p, size_t len, size_t off)
{
	long v = 0;
	size_t i;

	if (off + 4 > len)
		return -1;
	for (i = 0; i < 4; i++) {
		if (hex(p[off + i]) < 0)
			return -1;
		v = v << 4 | hex(p[off + i]);
	}
	return v;
}

/* a name: inside the file, not empty, one line, that line's id at idoff is id */
static void check_name(const char *f, size_t flen, const char *name, size_t n,
		       size_t idoff, long id, const char *what)
{
	const char *ls;

	if (!name)
		return;
	PROP(name >= f && n > 0 && (size_t)(name - f) + n <= flen, "%s: name outside the file", what);
	PROP(!memchr(name, '\n', n), "%s: name spans lines", what);
	for (ls = name; ls > f && ls[-1] != '\n'; ls--)
		;
	PROP(hex4(f, flen, (size_t)(ls - f) + idoff) == id, "%s %04lx: the name is another entry's", what, id);
}

struct q { unsigned v, d; int vline, dline; };

/* the line [from, end) holds a non-blank byte before any CR: a name */
static int named(const char *f, size_t from, size_t end)
{
	for (; from < end && f[from] != '\r'; from++)
		if (f[from] != ' ' && f[from] != '\t')
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f = (const char *)data, *fa, *fb;
	struct pciids *a, *b;
	struct q q[MAX_Q];
	size_t nq = 0, off, i, flen = size, cstart = size;
	long lastv = -1, lastd = -1, curv = -1;
	int sorted = 1;
	FILE *fp;

	if (size > MAX_TEXT)
		return 0;
	fp = fopen(path, "w");
	if (!fp)
		abort();
	if (size)
		fwrite(data, 1, size, fp);
	fclose(fp);

	/* the ids the file's lines carry, and whether they ascend */
	for (off = 0; off < size; ) {
		const char *nl = memchr(f + off, '\n', size - off);
		size_t end = nl ? (size_t)(nl - f) : size;
		long v = hex4(f, size, off), d;

		if (off + 1 < size && f[off] == 'C' && f[off + 1] == ' ' && cstart == size)
			cstart = off;	/* the class section, if it is one */
		else if (cstart < size && (v >= 0 || (f[off] == '\t' && hex4(f, size, off + 1) >= 0)))
			sorted = 0;	/* ids after a class: not a file to promise for */
		if (cstart == size && v >= 0 && off + 4 < end && (f[off + 4] == ' ' || f[off + 4] == '\t')) {
			if (v <= lastv)
				sorted = 0;
			lastv = curv = v;
			lastd = -1;
			if (nq < MAX_Q)
				q[nq++] = (struct q){ (unsigned)v, 0, named(f, off + 5, end), 0 };
		} else if (cstart == size && curv >= 0 && f[off] == '\t' &&
			   (d = hex4(f, size, off + 1)) >= 0 && off + 5 < end &&
			   (f[off + 5] == ' ' || f[off + 5] == '\t')) {
			if (d <= lastd)
				sorted = 0;
			lastd = d;
			if (nq < MAX_Q)
				q[nq++] = (struct q){ (unsigned)curv, (unsigned)d, 0, named(f, off + 6, end) };
		}
		off = nl ? end + 1 : size;
	}
	/* a few ids from the input's last bytes */
	for (i = 0; i + 4 <= size && i < 16 && nq < MAX_Q; i += 4)
		q[nq++] = (struct q){ (unsigned)(data[size - i - 1] << 8 | data[size - i - 2]),
				      (unsigned)(data[size - i - 3] << 8 | data[size - i - 4]), 0, 0 };

	last_map = "";
	if (pciids_open(path, &a) < 0)
		abort();
	fa = last_map;
	last_map = "";
	if (pciids_open(path, &b) < 0)
		abort();
	fb = last_map;
	for (i = 0; i < nq; i++) {
		size_t vl = 0, dl = 0, vl2 = 0, dl2 = 0;
		const char *vn = pciids_vendor(a, q[i].v, &vl);
		const char *dn = pciids_device(a, q[i].v, q[i].d, &dl);

		check_name(fa, flen, vn, vl, 0, q[i].v, "vendor");
		check_name(fa, flen, dn, dl, 1, q[i].d, "device");
		/* every vendor and device line of a sorted file is found */
		if (sorted && q[i].vline)
			PROP(vn, "vendor %04x not found in a sorted file", q[i].v);
		if (sorted && q[i].dline)
			PROP(dn, "device %04x:%04x not found in a sorted file", q[i].v, q[i].d);
		PROP(pciids_vendor(a, q[i].v, &vl2) == vn && vl2 == vl, "vendor %04x: asked again, another answer", q[i].v);
		PROP(pciids_device(a, q[i].v, q[i].d, &dl2) == dn && dl2 == dl, "device: asked again, another answer");
	}
	/* a fresh handle, asked in the reverse order, agrees */
	for (i = nq; i-- > 0; ) {
		size_t vl = 0, dl = 0, vl2 = 0, dl2 = 0;
		const char *dn = pciids_device(b, q[i].v, q[i].d, &dl);
		const char *vn = pciids_vendor(b, q[i].v, &vl);

		const char *va = pciids_vendor(a, q[i].v, &vl2), *da = pciids_device(a, q[i].v, q[i].d, &dl2);

		check_name(fb, flen, vn, vl, 0, q[i].v, "vendor");
		PROP(!va == !vn && (!vn || (va - fa == vn - fb && vl2 == vl)), "vendor %04x: handles disagree", q[i].v);
		PROP(!da == !dn && (!dn || (da - fa == dn - fb && dl2 == dl)),
		     "device %04x:%04x: handles disagree", q[i].v, q[i].d);
	}
	/* formatted names: any buffer size, exact fall-backs, no control byte */
	for (i = 0; i < nq && i < 8; i++) {
		size_t sz = 1 + (size ? data[i % size] % 96 : 0), vl, dl;
		char *buf = malloc(sz), want[64];
		unsigned cls = q[i].v & 0xffff;
		const char *n;

		if (!buf)
			abort();
		pciids_name_device(a, buf, sz, q[i].v, q[i].d, 1);
		PROP(memchr(buf, '\0', sz), "device name not terminated in %zu bytes", sz);
		PROP(!has_control(buf), "device name with a control byte: '%s'", buf);
		if (!pciids_vendor(a, q[i].v, &vl) && sz > 24) {
			snprintf(want, sizeof(want), "Device [%04x:%04x]", q[i].v, q[i].d);
			PROP(strcmp(buf, want) == 0, "unknown vendor: '%s', want '%s'", buf, want);
		} else if (!pciids_device(a, q[i].v, q[i].d, &dl) &&
			   (n = pciids_vendor(a, q[i].v, &vl)) && !memchr(n, '\0', vl) &&
			   vl + snprintf(want, sizeof(want), " Device [%04x:%04x]", q[i].v, q[i].d) < sz) {
			PROP(strlen(buf) == vl + strlen(want) && shown_as(buf, n, vl) &&
			     strcmp(buf + vl, want) == 0, "unknown device: '%s'", buf);
		}
		pciids_name_subsystem(a, buf, sz, q[i].v, q[i].d, q[i].d, q[i].v, 0);
		PROP(memchr(buf, '\0', sz), "subsystem name not terminated in %zu bytes", sz);
		PROP(!has_control(buf), "subsystem name with a control byte: '%s'", buf);
		pciids_name_class(a, buf, sz, cls, 1);
		PROP(memchr(buf, '\0', sz), "class name not terminated in %zu bytes", sz);
		PROP(!has_control(buf), "class name with a control byte: '%s'", buf);
		if (!pciids_subclass(a, cls >> 8, cls & 0xff, &vl) && !pciids_class(a, cls >> 8, &vl) && sz > 16) {
			snprintf(want, sizeof(want), "Class [%04x]", cls);
			PROP(strcmp(buf, want) == 0, "unknown class: '%s', want '%s'", buf, want);
		}
		free(buf);
	}
	pciids_close(a);
	pciids_close(b);
	return 0;
}
