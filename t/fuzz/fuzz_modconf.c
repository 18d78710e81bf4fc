/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for common/modconf: modprobe.d(5) files and module
 * lists (/etc/modules) parsed and edited as modconf-edit does.
 *
 * Properties (abort() on violation):
 *   - no op gives the input back byte for byte;
 *   - an edit's output is accepted again (parses, no bad line it made);
 *   - every edit is idempotent: the same op on the output changes nothing;
 *   - after --set: a module list has a line for the module, a blacklist
 *     or alias line is there once, and each K of "options M K=V" is given
 *     once among M's options lines, as exactly K=V (ids case aside);
 *     after --merge each item is in K's list; after --del the lines or
 *     parameters named are gone; after --unmerge no item is left in K;
 *   - --merge then --unmerge of an options K that M did not have gives the
 *     file back byte for byte (when it ends in a newline and has no CR).
 * Input: TEXT ['\0' OP...] (fuzz.h); OP's first byte % 4: set merge del
 * unmerge; bit 0x10 of the first OP picks the modprobe format (else a
 * module list).  With no OP the format is guessed from the text.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "modedit.h"
#include "fuzz.h"

#define MAX_TEXT 16384

static const char *const defaults_modprobe[] = {
	"0options vfio-pci ids=8086:3e92 disable_vga=1", "0blacklist i915", "0blacklist nouveau",
	"0alias pci:v00008086d00003E92sv*sd*bc*sc*i* vfio-pci", "0softdep i915 pre: vfio-pci",
	"1options vfio-pci ids=10de:1b80,10de:10f0", "2blacklist nvidiafb", "2options vfio-pci",
	"3options vfio-pci ids=8086:3e92", "0options kvm ignore_msrs=1", "0install nouveau /bin/false",
	"2alias pci:v00008086d00003E92sv00001458sd0000D000bc03sc80i00",
};
static const char *const defaults_modules[] = {
	"0vfio", "0vfio_pci", "0vfio_iommu_type1", "2vfio_virqfd", "0vfio-pci", "2vfio",
	"0kvmgt", "0i2c_dev",
};
static const enum modconf_opkind kinds[] = { MODCONF_SET, MODCONF_MERGE, MODCONF_DEL, MODCONF_UNMERGE };

FUZZ_QUIET_INIT
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int edit(enum modconf_format fmt, enum modconf_opkind kind, const char *arg,
		const char *text, size_t len, struct buf *out)
{
	struct modconf_op op = { kind, arg };
	struct buf in = BUF_INIT;
	int r;

	buf_add(&in, text, len);
	buf_reset(out);
	r = modconf_edit(fmt == MODCONF_MODPROBE ? "/etc/modprobe.d/fuzz.conf" : "/etc/modules",
			 fmt, &op, 1, &in, out);
	if (!out->p)
		buf_add(out, "", 0);
	buf_free(&in);
	return r;
}

static int parameq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
			return 0;
	return 1;
}

static const char *word(const struct mc_line *l, size_t i, size_t *n)
{
	*n = l->w[i].len;
	return l->text + l->w[i].off;
}

/* a comma list holds item (ids: case aside) */
static int list_has(const char *list, size_t len, const char *item, size_t n, int ids)
{
	size_t i = 0;

	while (i <= len) {
		size_t j = i;

		while (j < len && list[j] != ',')
			j++;
		if (j - i == n && (ids ? strncasecmp(list + i, item, n) : memcmp(list + i, item, n)) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

/* the promise of one op, read back from the output with the library's parser */
static void check_meaning(enum modconf_format fmt, enum modconf_opkind kind, const char *arg,
			  const char *out, size_t olen)
{
	struct modconf op, mc;
	const struct mc_line *o;
	size_t el, li, wi, n, mn, count = 0;
	const char *err, *m;

	if (modconf_parse(&op, arg, strlen(arg), fmt, &el, &err) < 0 || op.nline != 1 ||
	    op.line[0].nw < 1) {
		modconf_free(&op);
		return;
	}
	PROP(modconf_parse(&mc, out, olen, fmt, &el, &err) == 0, "the output does not parse");
	o = &op.line[0];
	m = o->verb == MV_MODULE ? word(o, 0, &mn) : o->nw > 1 ? word(o, 1, &mn) : word(o, 0, &mn);

	if (o->verb == MV_MODULE || o->verb == MV_BLACKLIST) {
		for (li = 0; li < mc.nline; li++) {
			const struct mc_line *l = &mc.line[li];
			size_t k = o->verb == MV_MODULE ? 0 : 1;

			if (l->kind == MC_DIRECTIVE && l->verb == o->verb && l->nw > k) {
				const char *w = word(l, k, &n);

				count += modname_eq(w, n, m, mn);
			}
		}
		if (kind == MODCONF_SET)
			PROP(count >= 1, "--set '%s': no such line after", arg);
		if (kind == MODCONF_DEL)
			PROP(count == 0, "--del '%s': %zu such lines after", arg, count);
	}
	if (o->verb == MV_ALIAS && o->nw >= 2) {
		for (li = 0; li < mc.nline; li++) {
			const struct mc_line *l = &mc.line[li];

			if (l->kind == MC_DIRECTIVE && l->verb == MV_ALIAS && l->nw >= 3) {
				const char *w = word(l, 1, &n), *t;
				size_t tn;

				if (!modname_eq(w, n, m, mn))
					continue;
				count++;
				t = word(l, 2, &tn);
				if (kind == MODCONF_SET)
					PROP(o->nw < 3 || modname_eq(t, tn, o->text + o->w[2].off, o->w[2].len),
					     "--set '%s': the alias names another module", arg);
			}
		}
		if (kind == MODCONF_SET)
			PROP(count == 1, "--set '%s': %zu alias lines for the pattern", arg, count);
		if (kind == MODCONF_DEL && o->nw == 2)
			PROP(count == 0, "--del '%s': %zu alias lines left", arg, count);
	}
	if (o->verb == MV_OPTIONS && o->nw >= 2) {
		size_t pi;

		for (pi = 2; pi < o->nw || (pi == 2 && o->nw == 2); pi++) {
			const char *pw = pi < o->nw ? word(o, pi, &n) : "";
			size_t pn = pi < o->nw ? n : 0, kn = pn, occ = 0;
			const char *eq = memchr(pw, '=', pn);
			int ids;

			if (pi < o->nw && (pw[0] == '"' || memchr(pw, '"', pn)))
				continue;	/* quoted parameters: not modelled here */
			if (eq)
				kn = (size_t)(eq - pw);
			ids = parameq(pw, kn, "ids", 3);
			for (li = 0; li < mc.nline; li++) {
				const struct mc_line *l = &mc.line[li];

				if (l->kind != MC_DIRECTIVE || l->verb != MV_OPTIONS || l->nw < 2)
					continue;
				if (!modname_eq(l->text + l->w[1].off, l->w[1].len, m, mn))
					continue;
				for (wi = 2; wi < l->nw; wi++) {
					const char *w = word(l, wi, &n), *we = memchr(w, '=', n);
					size_t wk = we ? (size_t)(we - w) : n;

					if (pi == o->nw) {
						occ++;
						continue;
					}
					if (*w == '"' || !parameq(w, wk, pw, kn))
						continue;
					occ++;
					if (kind == MODCONF_SET)
						PROP(n == pn && (ids ? strncasecmp(w, pw, n) : memcmp(w, pw, n)) == 0,
						     "--set '%s': '%.*s' after", arg, (int)n, w);
					if (kind == MODCONF_MERGE && eq && we) {
						size_t i = 0;
						const char *v = eq + 1;
						size_t vn = pn - kn - 1;

						while (i < vn) {
							size_t j = i;

							while (j < vn && v[j] != ',')
								j++;
							if (j > i)
								PROP(list_has(we + 1, n - wk - 1, v + i, j - i, ids),
								     "--merge '%s': item '%.*s' missing", arg,
								     (int)(j - i), v + i);
							i = j + 1;
						}
					}
					if (kind == MODCONF_UNMERGE && eq && we) {
						size_t i = 0;
						const char *v = eq + 1;
						size_t vn = pn - kn - 1;

						while (i < vn) {
							size_t j = i;

							while (j < vn && v[j] != ',')
								j++;
							if (j > i)
								PROP(!list_has(we + 1, n - wk - 1, v + i, j - i, ids),
								     "--unmerge '%s': item '%.*s' left", arg,
								     (int)(j - i), v + i);
							i = j + 1;
						}
					}
					if (kind == MODCONF_DEL && !eq)
						PROP(0, "--del '%s': parameter '%.*s' left", arg, (int)n, w);
				}
			}
			if (kind == MODCONF_SET && pi < o->nw)
				PROP(occ == 1, "--set '%s': '%.*s' given %zu times after", arg, (int)kn, pw, occ);
			if (kind == MODCONF_MERGE && pi < o->nw)
				PROP(occ == 1, "--merge '%s': '%.*s' given %zu times after", arg, (int)kn, pw, occ);
			if (kind == MODCONF_DEL && pi == o->nw)
				PROP(occ == 0, "--del '%s': %zu parameters left", arg, occ);
		}
	}
	modconf_free(&mc);
	modconf_free(&op);
}

/* options M K=ITEMS where no options line of M has K, on a file ending in "\n", no CR */
static int merge_reversible(enum modconf_format fmt, const char *arg, const char *text, size_t len)
{
	struct modconf op, mc;
	size_t el, li, wi, kn, n;
	const char *err, *k, *eq;
	int ok = 1;

	if (fmt != MODCONF_MODPROBE || (len && text[len - 1] != '\n') || memchr(text, '\r', len))
		return 0;
	/*
	 * a last line continued by an odd run of backslashes: kmod would join
	 * the next line to it, so the merge must end it with a line of its own
	 * first, which the unmerge rightly keeps (the file then reads as before)
	 */
	{
		size_t bs = 0;

		while (bs + 1 < len && text[len - 2 - bs] == '\\')
			bs++;
		if (bs % 2)
			return 0;
	}
	if (modconf_parse(&op, arg, strlen(arg), fmt, &el, &err) < 0 || op.nline != 1 ||
	    op.line[0].verb != MV_OPTIONS || op.line[0].nw != 3) {
		modconf_free(&op);
		return 0;
	}
	k = word(&op.line[0], 2, &n);
	eq = memchr(k, '=', n);
	kn = eq ? (size_t)(eq - k) : n;
	if (!eq || *k == '"' || memchr(k, '"', n) || strstr(eq, ",,") || eq[1] == ',' || k[n - 1] == ',' ||
	    modconf_parse(&mc, text, len, fmt, &el, &err) < 0) {
		modconf_free(&op);
		return 0;
	}
	for (li = 0; li < mc.nline && ok; li++) {
		const struct mc_line *l = &mc.line[li];

		if (l->kind != MC_DIRECTIVE || l->verb != MV_OPTIONS || l->nw < 2 ||
		    !modname_eq(l->text + l->w[1].off, l->w[1].len, op.line[0].text + op.line[0].w[1].off,
				op.line[0].w[1].len))
			continue;
		for (wi = 2; wi < l->nw; wi++) {
			const char *w = word(l, wi, &n), *we = memchr(w, '=', n);

			if (*w == '"' || parameq(w, we ? (size_t)(we - w) : n, k, kn))
				ok = 0;
		}
	}
	/* duplicate items merge into one: not reversible by bytes */
	{
		const char *v = eq + 1;
		size_t vn = strlen(v), i = 0;

		while (i < vn && ok) {
			size_t j = i;

			while (j < vn && v[j] != ',')
				j++;
			if (list_has(v + j, vn - j, v + i, j - i, parameq(k, kn, "ids", 3)))
				ok = 0;
			i = j + 1;
		}
	}
	modconf_free(&mc);
	modconf_free(&op);
	return ok;
}

static void check_op(enum modconf_format fmt, enum modconf_opkind kind, const char *arg,
		     const char *text, size_t len, struct buf *result)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	struct modconf mc;
	size_t el;
	const char *err;
	int r;

	buf_reset(result);
	buf_add(result, text, len);
	if (edit(fmt, kind, arg, text, len, &out) < 0) {
		buf_free(&out);
		return;		/* refused: modconf-edit exits 2 */
	}
	PROP(modconf_parse(&mc, out.p, out.len, fmt, &el, &err) == 0, "%s '%s': output does not parse",
	     modconf_opname(kind), arg);
	modconf_free(&mc);
	if (getenv("FUZZ_VERBOSE")) {
		fuzz_dump("in", text, len);
		fuzz_dump("out", out.p, out.len);
	}
	check_meaning(fmt, kind, arg, out.p, out.len);
	r = edit(fmt, kind, arg, out.p, out.len, &again);
	if (r < 0 || !same_bytes(again.p, again.len, out.p, out.len)) {
		fuzz_dump("in", text, len);
		fuzz_dump("once", out.p, out.len);
		fuzz_dump("twice", again.p, again.len);
	}
	PROP(r == 0, "%s '%s': its own output is refused", modconf_opname(kind), arg);
	PROP(same_bytes(again.p, again.len, out.p, out.len), "%s '%s' is not idempotent",
	     modconf_opname(kind), arg);
	if (kind == MODCONF_MERGE && merge_reversible(fmt, arg, text, len)) {
		r = edit(fmt, MODCONF_UNMERGE, arg, out.p, out.len, &again);
		if (r < 0 || !same_bytes(again.p, again.len, text, len)) {
			fuzz_dump("in", text, len);
			fuzz_dump("merged", out.p, out.len);
			fuzz_dump("unmerged", again.p, again.len);
		}
		PROP(r == 0 && same_bytes(again.p, again.len, text, len),
		     "--merge then --unmerge '%s' did not give the file back", arg);
	}
	buf_reset(result);
	buf_add(result, out.p, out.len);
	buf_free(&out);
	buf_free(&again);
}

static int looks_modprobe(const char *p, size_t len)
{
	static const char *const verbs[] = { "options ", "blacklist ", "alias ", "softdep ", "install " };
	size_t i, k;

	for (i = 0; i < len; i = (const char *)memchr(p + i, '\n', len - i) ?
	     (size_t)((const char *)memchr(p + i, '\n', len - i) - p) + 1 : len)
		for (k = 0; k < 5; k++)
			if (len - i >= strlen(verbs[k]) && memcmp(p + i, verbs[k], strlen(verbs[k])) == 0)
				return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct buf cur = BUF_INIT, next = BUF_INIT, out = BUF_INIT;
	enum modconf_format fmt;
	size_t i;

	if (size > MAX_TEXT)
		return 0;
	fuzz_split(data, size, &in);
	if (in.nops)
		fmt = in.op[0].kind & 0x10 ? MODCONF_MODPROBE : MODCONF_MODULES;
	else
		fmt = looks_modprobe(in.text, in.len) ? MODCONF_MODPROBE : MODCONF_MODULES;
	if (fmt == MODCONF_MODPROBE)
		fuzz_default_op(&in, defaults_modprobe, sizeof(defaults_modprobe) / sizeof(defaults_modprobe[0]));
	else
		fuzz_default_op(&in, defaults_modules, sizeof(defaults_modules) / sizeof(defaults_modules[0]));

	/* no op: the file byte for byte */
	buf_add(&cur, in.text, in.len);
	if (modconf_edit(fmt == MODCONF_MODPROBE ? "/etc/modprobe.d/fuzz.conf" : "/etc/modules",
			 fmt, NULL, 0, &cur, &out) == 0)
		PROP(same_bytes(out.p ? out.p : "", out.len, in.text, in.len), "no op changed the file");
	buf_free(&out);
	for (i = 0; i < in.nops; i++) {
		check_op(fmt, kinds[in.op[i].kind % 4], in.op[i].arg, cur.p ? cur.p : "", cur.len, &next);
		buf_reset(&cur);
		buf_add(&cur, next.p ? next.p : "", next.len);
	}
	buf_free(&cur);
	buf_free(&next);
	fuzz_free(&in);
	return 0;
}
