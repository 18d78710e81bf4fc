/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for common/grubvar with common/cmdline: the value of
 * GRUB_CMDLINE_LINUX[_DEFAULT] in a /etc/default/grub-style shell file,
 * edited as cmdline-edit -g edits it.
 *
 * Properties (abort() on violation):
 *   - the decoded value's map points into the assignment's word, in order;
 *   - an edit that keeps the whole value, and a render of the unedited
 *     command line through the map, give the file back byte for byte (a
 *     word of several pieces, rewritten as one "...", the same value);
 *   - an edit changes only the value word: every byte before and after it
 *     is kept;
 *   - the edited file is one the tool accepts again: the same assignment is
 *     found at the same place, decodes without refusal, and its command line
 *     has no open quote;
 *   - the decoded new value says what the op promises (cmdprops.h, against
 *     the kernel's next_arg()), --set's KEY reads back exactly VALUE;
 *   - a missing variable is appended, and then found with that meaning;
 *   - every edit is idempotent: the same edit of the output changes nothing.
 * Input: TEXT ['\0' OP...] (fuzz.h); OP's first byte % 6 picks the op as in
 * fuzz_cmdline, bit 6 (0x40) picks GRUB_CMDLINE_LINUX over ..._DEFAULT.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmdline.h"
#include "grubvar.h"
#include "fuzz.h"
#include "kparse.h"
#include "cmdprops.h"

#define MAX_TEXT 16384

static const char *const defaults[] = {
	"0intel_iommu=on", "0iommu=pt", "1video=efifb:off", "2vfio-pci.ids=8086:3e92,10de:1b80",
	"3quiet", "4vfio_pci.ids=8086:3e92", "3splash", "0acpi_osi=Windows 2020",
	"pintel_iommu=on", "qboot=zfs", "rintel_iommu=on,igfx_off", "sroot",
};

static const enum cl_op ops[] = { CL_SET, CL_ADD, CL_MERGE, CL_DEL, CL_UNMERGE, CL_GET };
static const char *const opnames[] = { "--set", "--add", "--merge", "--del", "--unmerge", "--get" };

FUZZ_QUIET_INIT
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit_grub(void *arg, const char *p, size_t n, int orig, size_t off)
{
	if (orig)
		grubvar_edit_keep(arg, off, n);
	else
		grubvar_edit_insert(arg, p, n);
}

enum { ED_SAME, ED_CHANGED, ED_REFUSED };

/* cmdline-edit -g's edit_grub(): the new file in out */
static int grub_edit(const char *text, size_t len, const char *var, enum cl_op op,
		     const char *arg, struct buf *out)
{
	struct grubvar gv;
	struct cmdline *cl;
	int r = grubvar_find(text, len, var, "f", &gv), st = ED_SAME;

	buf_reset(out);
	if (r == 2)
		return ED_REFUSED;
	if (r == 1) {
		struct buf val = BUF_INIT;

		cl = cmdline_parse("", 0);
		if (cmdline_apply(cl, op, arg) <= 0) {
			buf_add(out, text, len);
		} else if (gv.nested_line) {
			st = ED_REFUSED;	/* only inside a block: appending would replace it */
		} else {
			cmdline_render_buf(cl, &val);
			grubvar_append(text, len, var, val.p, val.len, 0, out);
			st = ED_CHANGED;
		}
		buf_free(&val);
		cmdline_free(cl);
		return st;
	}
	cl = cmdline_parse(gv.val, gv.vlen);
	if (cmdline_unterminated(cl) >= 0 || (r = cmdline_apply(cl, op, arg)) < 0) {
		st = ED_REFUSED;
	} else if (r) {
		struct grubvar_edit *e = grubvar_edit_begin(&gv);

		cmdline_render(cl, emit_grub, e);
		grubvar_edit_finish(e, text, len, out);
		st = ED_CHANGED;
	} else {
		buf_add(out, text, len);
	}
	cmdline_free(cl);
	grubvar_free(&gv);
	return st;
}

/* the value as the shell sees it: literal bytes, and $NAME/${NAME} as one name */
static void meaning(const struct grubvar *gv, struct buf *m)
{
	size_t i = 0;

	while (i < gv->vlen) {
		if (gv->lit[i] || gv->val[i] != '$') {
			buf_addc(m, gv->lit[i] ? 'L' : 'X');
			buf_addc(m, gv->val[i++]);
			continue;
		}
		buf_addc(m, 'E');
		i++;
		if (i < gv->vlen && !gv->lit[i] && gv->val[i] == '{') {
			for (i++; i < gv->vlen && !gv->lit[i] && gv->val[i] != '}'; i++)
				buf_addc(m, gv->val[i]);
			i++;
		} else {
			while (i < gv->vlen && !gv->lit[i] && gv->val[i] != '$')
				buf_addc(m, gv->val[i++]);
		}
		buf_addc(m, '\001');
	}
}

/* the decoded value with every expansion written ${NAME}: "$X"y and "${X}y" alike */
static void canon(const struct grubvar *gv, struct buf *m)
{
	size_t i = 0;

	buf_reset(m);
	buf_add(m, "", 0);
	while (i < gv->vlen) {
		if (gv->lit[i] || gv->val[i] != '$') {
			buf_addc(m, gv->val[i++]);
			continue;
		}
		buf_adds(m, "${");
		i++;
		if (i < gv->vlen && !gv->lit[i] && gv->val[i] == '{') {
			for (i++; i < gv->vlen && !gv->lit[i] && gv->val[i] != '}'; i++)
				buf_addc(m, gv->val[i]);
			i++;
		} else {
			while (i < gv->vlen && !gv->lit[i] && gv->val[i] != '$')
				buf_addc(m, gv->val[i++]);
		}
		buf_addc(m, '}');
	}
}

/* the found assignment's map and the identity edits */
static void check_find(const char *text, size_t len, const char *var)
{
	struct grubvar gv;
	struct grubvar_edit *e;
	struct buf out = BUF_INIT;
	struct cmdline *cl;
	size_t i;

	if (grubvar_find(text, len, var, "f", &gv) != 0)
		return;
	PROP(gv.wstart <= gv.cstart && gv.cstart <= gv.cend && gv.cend <= gv.wend && gv.wend <= len,
	     "word [%zu,%zu) content [%zu,%zu) in %zu bytes", gv.wstart, gv.wend, gv.cstart, gv.cend, len);
	PROP(gv.line >= 1, "line %zu", gv.line);
	for (i = 0; i < gv.vlen; i++) {
		PROP(gv.map[i] >= gv.wstart && gv.map[i] < gv.wend, "map[%zu] = %zu outside the word", i, gv.map[i]);
		PROP(i == 0 || gv.map[i] > gv.map[i - 1], "map[%zu] not after map[%zu]", i, i - 1);
		/* a literal byte is the source byte, or the one a backslash escapes */
		PROP(!gv.lit[i] || text[gv.map[i]] == gv.val[i] ||
		     (text[gv.map[i]] == '\\' && gv.map[i] + 1 < len && text[gv.map[i] + 1] == gv.val[i]),
		     "val[%zu] '%c' is not at map[%zu]", i, gv.val[i], i);
	}
	PROP(gv.map[gv.vlen] <= gv.wend, "map[vlen] past the word");

	e = grubvar_edit_begin(&gv);
	grubvar_edit_keep(e, 0, gv.vlen);
	grubvar_edit_finish(e, text, len, &out);
	if (gv.nseg <= 1) {
		if (!same_bytes(out.p, out.len, text, len)) {
			fuzz_dump("in", text, len);
			fuzz_dump("out", out.p, out.len);
		}
		PROP(same_bytes(out.p, out.len, text, len), "keeping the whole value changed the file");
	} else {
		/* a word of several pieces is rewritten as one "...": same value */
		struct grubvar g2;

		PROP(grubvar_find(out.p, out.len, var, "f", &g2) == 0, "a rewritten word is refused");
		struct buf m1 = BUF_INIT, m2 = BUF_INIT;

		meaning(&gv, &m1);
		meaning(&g2, &m2);
		if (!same_bytes(m1.p, m1.len, m2.p, m2.len)) {
			fuzz_dump("in", text, len);
			fuzz_dump("out", out.p, out.len);
		}
		PROP(same_bytes(m1.p, m1.len, m2.p, m2.len), "rewriting the word as \"...\" changed its value");
		buf_free(&m1);
		buf_free(&m2);
		grubvar_free(&g2);
	}

	cl = cmdline_parse(gv.val, gv.vlen);
	buf_reset(&out);
	e = grubvar_edit_begin(&gv);
	cmdline_render(cl, emit_grub, e);
	grubvar_edit_finish(e, text, len, &out);
	PROP(gv.nseg > 1 || same_bytes(out.p, out.len, text, len),
	     "rendering the unedited line changed the file");
	cmdline_free(cl);
	buf_free(&out);
	grubvar_free(&gv);
}

static void check_op(const char *text, size_t len, const char *var, enum cl_op op,
		     const char *opname, const char *arg, struct buf *result)
{
	struct grubvar a, b;
	struct buf out = BUF_INIT, again = BUF_INIT;
	struct kline ka, kb;
	int ra, rb, st;

	buf_reset(result);
	buf_add(result, text, len);
	if (cmdline_arg_check(op, arg) || op == CL_GET)
		return;
	ra = grubvar_find(text, len, var, "f", &a);
	st = grub_edit(text, len, var, op, arg, &out);
	if (st == ED_REFUSED) {
		if (ra == 0)
			grubvar_free(&a);
		buf_free(&out);
		return;
	}
	if (st == ED_SAME)
		PROP(same_bytes(out.p, out.len, text, len), "%s '%s': unchanged, yet different", opname, arg);

	rb = grubvar_find(out.p, out.len, var, "f", &b);
	if (!(rb == 0 || (rb == 1 && ra == 1 && st == ED_SAME))) {
		fuzz_dump("in", text, len);
		fuzz_dump("out", out.p, out.len);
	}
	PROP(rb == 0 || (rb == 1 && ra == 1 && st == ED_SAME),
	     "%s %s '%s': the edited file is refused or lost the variable (%d)", var, opname, arg, rb);
	if (rb == 0) {
		struct cmdline *cl = cmdline_parse(b.val, b.vlen);

		PROP(cmdline_unterminated(cl) < 0, "%s '%s' left an open quote in the value", opname, arg);
		cmdline_free(cl);
	}
	if (ra == 0 && rb == 0) {
		size_t tail = len - a.wend;

		PROP(b.wstart == a.wstart, "%s '%s': the assignment moved", opname, arg);
		PROP(out.len >= tail && b.wend == out.len - tail, "%s '%s': the word's end moved", opname, arg);
		PROP(memcmp(out.p, text, a.wstart) == 0, "%s '%s' changed bytes before the value", opname, arg);
		PROP(memcmp(out.p + out.len - tail, text + a.wend, tail) == 0,
		     "%s '%s' changed bytes after the value", opname, arg);
	}
	if (ra == 1 && rb == 0) {
		PROP(out.len > len && memcmp(out.p, text, len) == 0, "%s '%s': append changed the file", opname, arg);
	}
	if (rb == 0) {
		if (getenv("FUZZ_VERBOSE")) {
			fuzz_dump("in", text, len);
			fuzz_dump("out", out.p, out.len);
		}
		struct buf ca = BUF_INIT, cb = BUF_INIT;

		if (ra == 0)
			canon(&a, &ca);
		canon(&b, &cb);
		kline_parse(&ka, ca.p ? ca.p : "", ca.len);
		kline_parse(&kb, cb.p, cb.len);
		check_meaning(op, arg, &ka, &kb);
		buf_free(&ca);
		buf_free(&cb);
		kline_free(&ka);
		kline_free(&kb);
		grubvar_free(&b);
	}
	if (ra == 0)
		grubvar_free(&a);

	st = grub_edit(out.p, out.len, var, op, arg, &again);
	if (st != ED_SAME) {
		fuzz_dump("in", text, len);
		fuzz_dump("once", out.p, out.len);
		fuzz_dump("twice", again.p, again.len);
	}
	PROP(st == ED_SAME, "%s '%s' of %s is not idempotent (%d)", opname, arg, var, st);
	PROP(same_bytes(again.p, again.len, out.p, out.len), "%s '%s' is not idempotent", opname, arg);
	buf_reset(result);
	buf_add(result, out.p, out.len);
	buf_free(&out);
	buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct buf cur = BUF_INIT, next = BUF_INIT;
	size_t i;

	if (size > MAX_TEXT)
		return 0;
	fuzz_split(data, size, &in);
	fuzz_default_op(&in, defaults, sizeof(defaults) / sizeof(defaults[0]));
	check_find(in.text, in.len, "GRUB_CMDLINE_LINUX_DEFAULT");
	check_find(in.text, in.len, "GRUB_CMDLINE_LINUX");
	buf_add(&cur, in.text, in.len);
	for (i = 0; i < in.nops; i++) {
		unsigned k = in.op[i].kind % 6;
		const char *var = in.op[i].kind & 0x40 ? "GRUB_CMDLINE_LINUX" : "GRUB_CMDLINE_LINUX_DEFAULT";

		check_op(cur.p ? cur.p : "", cur.len, var, ops[k], opnames[k], in.op[i].arg, &next);
		buf_reset(&cur);
		buf_add(&cur, next.p ? next.p : "", next.len);
	}
	buf_free(&cur);
	buf_free(&next);
	fuzz_free(&in);
	return 0;
}
