/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for common/cmdline: a kernel command line parsed,
 * edited and rendered.
 *
 * Properties (abort() on violation):
 *   - rendering an unedited line gives the input back byte for byte;
 *   - the parameters agree with the kernel's own next_arg()/parse_args()
 *     (kparse.h): the count, and every key's values as --get prints them;
 *   - an edit's output parses again (no quote left open) and says what the
 *     op promises, checked against the kernel's reading of input and output:
 *     --set leaves KEY once with VALUE and every other parameter as it was,
 *     --add appends exactly the missing parameter, --del removes exactly the
 *     matching ones, --merge leaves every item in KEY's last value,
 *     --unmerge leaves none anywhere;
 *   - every edit is idempotent: applied to its own output it changes nothing;
 *   - --merge then --unmerge of items KEY did not hold gives back the
 *     parameters the line had.
 * Input: TEXT ['\0' OP...] (fuzz.h), OP's first byte % 6: set add merge del
 * unmerge get.  An op cmdline_apply() refuses (-1) must leave the line alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmdline.h"
#include "fuzz.h"
#include "kparse.h"
#include "cmdprops.h"

#define MAX_TEXT 16384

static const char *const defaults[] = {
	"0intel_iommu=on", "0iommu=pt", "1intel_iommu=igfx_off", "1video=efifb:off",
	"2vfio-pci.ids=8086:3e92,10de:1b80", "2intel_iommu=on,igfx_off",
	"3quiet", "3console=ttyS0", "4vfio_pci.ids=8086:3e92", "4mitigations=auto",
	"5root", "0acpi_osi=Windows 2020", "1console=ttyS0,115200", "0boot=zfs",
	"3intel_iommu", "0pcie_acs_override=downstream,multifunction",
};

static const enum cl_op ops[] = { CL_SET, CL_ADD, CL_MERGE, CL_DEL, CL_UNMERGE, CL_GET };
static const char *const opnames[] = { "--set", "--add", "--merge", "--del", "--unmerge", "--get" };

FUZZ_QUIET_INIT
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(const struct cmdline *cl, struct buf *out)
{
	buf_reset(out);
	cmdline_render_buf(cl, out);
	if (!out->p)
		buf_add(out, "", 0);
}

/* --get KEY as the kernel's reading would answer it */
static void kget(const struct kline *kl, const char *key, struct buf *out, size_t *count)
{
	size_t i;

	*count = 0;
	for (i = 0; i < kl->n; i++) {
		if (!k_parameq(kl->p[i].key, key))
			continue;
		if (kl->p[i].val)
			buf_adds(out, kl->p[i].val);
		buf_addc(out, '\n');
		(*count)++;
	}
}

static void check_get(const struct cmdline *cl, const struct kline *kl, const char *key,
		      const char *text, size_t len)
{
	struct buf got = BUF_INIT, want = BUF_INIT;
	size_t n = cmdline_get(cl, key, &got), wn;

	kget(kl, key, &want, &wn);
	if (n != wn || !same_bytes(got.p, got.len, want.p, want.len))
		fuzz_dump("line", text, len);
	PROP(n == wn, "--get '%s': %zu occurrences, the kernel reads %zu", key, n, wn);
	PROP(same_bytes(got.p, got.len, want.p, want.len), "--get '%s' differs from the kernel's values", key);
	buf_free(&got);
	buf_free(&want);
}

/* the parser against the kernel's: count and every key's values */
static void check_parse(const char *text, size_t len)
{
	struct cmdline *cl = cmdline_parse(text, len);
	struct buf out = BUF_INIT;
	struct kline kl;
	size_t i;

	render(cl, &out);
	if (!same_bytes(out.p, out.len, text, len)) {
		fuzz_dump("in", text, len);
		fuzz_dump("out", out.p, out.len);
	}
	PROP(same_bytes(out.p, out.len, text, len), "an unedited line renders as its input");
	if (cmdline_unterminated(cl) < 0) {
		kline_parse(&kl, text, len);
		PROP(cmdline_count(cl) == kl.n, "%zu parameters, the kernel reads %zu",
		     cmdline_count(cl), kl.n);
		for (i = 0; i < kl.n && i < 64; i++)
			check_get(cl, &kl, kl.p[i].key, text, len);
		kline_free(&kl);
	}
	buf_free(&out);
	cmdline_free(cl);
}

static void check_op(const char *text, size_t len, enum cl_op op, const char *opname,
		     const char *arg, struct buf *result)
{
	struct cmdline *cl, *cl2;
	struct buf out = BUF_INIT, again = BUF_INIT;
	struct kline ka, kb;
	int changed;

	buf_reset(result);
	buf_add(result, text, len);
	if (cmdline_arg_check(op, arg))
		return;
	cl = cmdline_parse(text, len);
	if (cmdline_unterminated(cl) >= 0) {
		cmdline_free(cl);
		return;		/* the tool refuses the line */
	}
	if (op == CL_GET) {
		kline_parse(&ka, text, len);
		check_get(cl, &ka, arg, text, len);
		kline_free(&ka);
		cmdline_free(cl);
		return;
	}
	changed = cmdline_apply(cl, op, arg);
	render(cl, &out);
	if (changed < 0) {
		/* refused (a value holding '"' to rewrite): the line is left alone */
		PROP(op == CL_MERGE || op == CL_UNMERGE, "%s '%s' refused", opname, arg);
		PROP(same_bytes(out.p, out.len, text, len), "%s '%s' refused but changed the line",
		     opname, arg);
		buf_free(&out);
		cmdline_free(cl);
		return;
	}
	if (!changed)
		PROP(same_bytes(out.p, out.len, text, len), "%s '%s' said unchanged but changed", opname, arg);

	cl2 = cmdline_parse(out.p, out.len);
	if (cmdline_unterminated(cl2) >= 0) {
		fuzz_dump("in", text, len);
		fuzz_dump("out", out.p, out.len);
	}
	PROP(cmdline_unterminated(cl2) < 0, "%s '%s' wrote an unterminated quote", opname, arg);
	kline_parse(&ka, text, len);
	kline_parse(&kb, out.p, out.len);
	if (getenv("FUZZ_VERBOSE")) {
		fuzz_dump("in", text, len);
		fuzz_dump("out", out.p, out.len);
	}
	check_meaning(op, arg, &ka, &kb);
	kline_free(&kb);

	/* idempotent: the same op on the output changes nothing */
	changed = cmdline_apply(cl2, op, arg);
	render(cl2, &again);
	if (changed || !same_bytes(again.p, again.len, out.p, out.len)) {
		fuzz_dump("in", text, len);
		fuzz_dump("once", out.p, out.len);
		fuzz_dump("twice", again.p, again.len);
	}
	PROP(!changed, "%s '%s' is not idempotent (changed again)", opname, arg);
	PROP(same_bytes(again.p, again.len, out.p, out.len), "%s '%s' is not idempotent", opname, arg);
	cmdline_free(cl2);

	if (op == CL_MERGE && merge_reversible(&ka, arg)) {
		cl2 = cmdline_parse(out.p, out.len);
		cmdline_apply(cl2, CL_UNMERGE, arg);
		render(cl2, &again);
		kline_parse(&kb, again.p, again.len);
		if (!kline_eq(&ka, &kb, NULL)) {
			fuzz_dump("in", text, len);
			fuzz_dump("merged", out.p, out.len);
			fuzz_dump("unmerged", again.p, again.len);
		}
		PROP(kline_eq(&ka, &kb, NULL), "--merge then --unmerge '%s' did not restore the line", arg);
		kline_free(&kb);
		cmdline_free(cl2);
	}
	kline_free(&ka);
	cmdline_free(cl);
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
	check_parse(in.text, in.len);
	buf_add(&cur, in.text, in.len);
	/* ops in turn, each checked on what the ones before it wrote */
	for (i = 0; i < in.nops; i++) {
		unsigned k = in.op[i].kind % 6;

		check_op(cur.p ? cur.p : "", cur.len, ops[k], opnames[k], in.op[i].arg, &next);
		buf_reset(&cur);
		buf_add(&cur, next.p ? next.p : "", next.len);
	}
	buf_free(&cur);
	buf_free(&next);
	fuzz_free(&in);
	return 0;
}
