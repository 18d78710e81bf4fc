/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/cmdline: the kernel's splitting (next_arg/parameq) and the edits */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "params.h"
#include "unit.h"

static char *edit(const char *line, enum cl_op op, const char *arg, int *changed)
{
	struct cmdline *cl = cmdline_parse(line, strlen(line));
	struct buf out = BUF_INIT;
	int c = cmdline_apply(cl, op, arg);

	if (changed)
		*changed = c;
	cmdline_render_buf(cl, &out);
	cmdline_free(cl);
	return buf_detach(&out);
}

static char *get(const char *line, const char *key, size_t *n)
{
	struct cmdline *cl = cmdline_parse(line, strlen(line));
	struct buf out = BUF_INIT;

	*n = cmdline_get(cl, key, &out);
	cmdline_free(cl);
	return buf_detach(&out);
}

#define EDIT(line, op, arg, want) do { \
	char *got_ = edit(line, op, arg, NULL); \
	CHECK_STR(got_, want); \
	free(got_); \
} while (0)

#define GET(line, key, want, count) do { \
	size_t n_; \
	char *got_ = get(line, key, &n_); \
	CHECK_STR(got_, want); \
	CHECK_INT(n_, count); \
	free(got_); \
} while (0)

int main(void)
{
	struct cmdline *cl;
	int changed;
	char *s;

	/* splitting: spaces and tabs, and the other kernel whitespace */
	cl = cmdline_parse("a\tb  c\vd", 8);
	CHECK_INT(cmdline_count(cl), 4);
	cmdline_free(cl);
	cl = cmdline_parse("a\xa0" "b", 3);	/* lib/ctype.c: 160 is a space */
	CHECK_INT(cmdline_count(cl), 2);
	cmdline_free(cl);

	/* quotes: around the value, around the whole parameter, in the middle */
	GET("acpi_osi=\"Windows 2020\" x", "acpi_osi", "Windows 2020\n", 1);
	GET("\"acpi_osi=Windows 2020\" x", "acpi_osi", "Windows 2020\n", 1);
	GET("a=b\"c d\"e", "a", "b\"c d\"e\n", 1);
	GET("\"quiet\"", "quiet", "\n", 1);
	GET("a=\"\"", "a", "\n", 1);

	/* KEY before the first '=', VALUE may hold '=' */
	GET("root=ZFS=rpool/ROOT/pve-1", "root", "ZFS=rpool/ROOT/pve-1\n", 1);
	/* parameq: - and _ equal, case matters, length matters */
	CHECK(param_eq("vfio-pci.ids", 12, "vfio_pci.ids", 12));
	CHECK(!param_eq("Quiet", 5, "quiet", 5));
	CHECK(!param_eq("quiet", 5, "quie", 4));
	GET("vfio_pci.ids=1:2", "vfio-pci.ids", "1:2\n", 1);

	/* "--" ends the kernel's: nothing after it is seen */
	GET("a=1 -- a=2", "a", "1\n", 1);
	GET("\"--\" a=2", "a", "", 0);
	GET("--=x a=2", "a", "2\n", 1);	/* "--=x" is not a lone "--" */

	/* unterminated quotes are found */
	cl = cmdline_parse("a \"b c", 6);
	CHECK_INT(cmdline_unterminated(cl), 2);
	cmdline_free(cl);
	cl = cmdline_parse("a b=\"c d", 8);	/* the quote itself, not its parameter */
	CHECK_INT(cmdline_unterminated(cl), 4);
	cmdline_free(cl);
	cl = cmdline_parse("a \"b\" c", 7);
	CHECK_INT(cmdline_unterminated(cl), -1);
	cmdline_free(cl);

	/* an edit that changes nothing renders the input byte for byte */
	s = edit("  a\t\"b c\"  d=\"x y\" -- e \r", CL_DEL, "zz", &changed);
	CHECK_STR(s, "  a\t\"b c\"  d=\"x y\" -- e \r");
	CHECK_INT(changed, 0);
	free(s);

	/* set / add / del / merge / unmerge */
	EDIT("a b=1 c b=2", CL_SET, "b=3", "a b=3 c");
	EDIT("a b=1", CL_SET, "b", "a b");
	EDIT("a", CL_SET, "b=x y", "a b=\"x y\"");
	EDIT("\"b=x y\"", CL_SET, "b=x z", "\"b=x z\"");
	EDIT("c=1", CL_ADD, "c=1", "c=1");
	EDIT("c=1", CL_ADD, "c=2", "c=1 c=2");
	EDIT("c=1", CL_ADD, "c", "c=1 c");
	EDIT("c=1 d c=2", CL_DEL, "c", "d");
	EDIT("c=1 d c=2", CL_DEL, "c=2", "c=1 d");
	EDIT("c=1 d c=2", CL_DEL, "c=", "c=1 d c=2");
	EDIT("ids=a", CL_MERGE, "ids=b,a,c", "ids=a,b,c");
	EDIT("ids", CL_MERGE, "ids=b", "ids=b");
	EDIT("ids=", CL_MERGE, "ids=b", "ids=b");
	EDIT("x ids=a,b,c", CL_UNMERGE, "ids=b", "x ids=a,c");
	EDIT("x ids=a,b y", CL_UNMERGE, "ids=a,b", "x y");
	/* vfio_pci_fill_ids() reads ids with %x: case is not data there, elsewhere it is */
	EDIT("vfio-pci.ids=10de:1b80", CL_MERGE, "vfio-pci.ids=10DE:1B80", "vfio-pci.ids=10de:1b80");
	EDIT("vfio_pci.ids=10de:1b80,8086:3e92", CL_UNMERGE, "vfio-pci.ids=10DE:1B80",
	     "vfio_pci.ids=8086:3e92");
	EDIT("intel_iommu=on", CL_MERGE, "intel_iommu=ON", "intel_iommu=on,ON");
	/* a kernel parameter's handler reads every occurrence: an item in any is there */
	EDIT("iommu=pt iommu=1", CL_MERGE, "iommu=pt", "iommu=pt iommu=1");
	EDIT("intel_iommu=on q intel_iommu=igfx_off", CL_MERGE, "intel_iommu=on",
	     "intel_iommu=on q intel_iommu=igfx_off");
	EDIT("iommu=pt iommu=1", CL_MERGE, "iommu=pt,soft,pt", "iommu=pt iommu=1,soft");
	/* a module's parameter keeps its last occurrence: the item goes there */
	EDIT("vfio-pci.ids=8086:3e92 vfio-pci.ids=10de:1b80", CL_MERGE, "vfio-pci.ids=8086:3e92",
	     "vfio-pci.ids=8086:3e92 vfio-pci.ids=10de:1b80,8086:3e92");
	EDIT("a -- b", CL_SET, "c=1", "a c=1 -- b");
	EDIT("", CL_SET, "c=1", "c=1");
	EDIT("\r", CL_SET, "c=1", "c=1\r");
	EDIT("a b\r", CL_DEL, "b", "a\r");
	/* across lines, what holds a line end stays (blanked comment lines too), once */
	EDIT("a quiet\n   \nb", CL_DEL, "quiet", "a\n   \nb");
	EDIT("a\nquiet c", CL_DEL, "quiet", "a\nc");
	EDIT("a\nb\nc", CL_DEL, "b", "a\nc");
	EDIT("a\n  \nq\n   \nb", CL_DEL, "q", "a\n  \n   \nb");
	EDIT("q\n   \nroot=x\n", CL_DEL, "q", "   \nroot=x\n");
	EDIT("root=x\nq\n   \n", CL_DEL, "q", "root=x\n   \n");
	EDIT("root=x\n   \nq\n", CL_DEL, "q", "root=x\n   \n");
	EDIT("a q\r\n   \r\nb", CL_DEL, "q", "a\r\n   \r\nb");

	/*
	 * a value the kernel read with '"' kept as data cannot be rebuilt: the
	 * kernel has no escape, and wrapping it in quotes split it (found by
	 * t/fuzz/fuzz_cmdline: "x=a\"b c\"" --merge x=d gave x="a"b c",d")
	 */
	s = edit("x=a\"b c\" y", CL_MERGE, "x=d", &changed);
	CHECK_INT(changed, -1);
	CHECK_STR(s, "x=a\"b c\" y");
	free(s);
	s = edit("x=\"a b\",c", CL_UNMERGE, "x=c", &changed);
	CHECK_INT(changed, -1);
	CHECK_STR(s, "x=\"a b\",c");
	free(s);
	s = edit("x=\"a b\",c x=c", CL_UNMERGE, "x=c", &changed);
	CHECK_INT(changed, -1);	/* no occurrence changed when one cannot be */
	CHECK_STR(s, "x=\"a b\",c x=c");
	free(s);
	EDIT("x=a\"b c\" y", CL_UNMERGE, "x=d", "x=a\"b c\" y");	/* nothing to rewrite */
	EDIT("x=\"a b\" y", CL_MERGE, "x=d", "x=\"a b,d\" y");	/* quotes the kernel strips */
	EDIT("x=a\"b c\" y", CL_SET, "x=d", "x=d y");

	/* argument checks */
	CHECK(cmdline_arg_check(CL_SET, "a=b") == NULL);
	CHECK(cmdline_arg_check(CL_SET, "a=\"") != NULL);
	CHECK(cmdline_arg_check(CL_SET, "a b=1") != NULL);
	CHECK(cmdline_arg_check(CL_SET, "=1") != NULL);
	CHECK(cmdline_arg_check(CL_SET, "--") != NULL);
	CHECK(cmdline_arg_check(CL_MERGE, "a") != NULL);
	CHECK(cmdline_arg_check(CL_MERGE, "a=") != NULL);
	CHECK(cmdline_arg_check(CL_GET, "a=1") != NULL);
	CHECK(cmdline_arg_check(CL_SET, "a=x\ny") != NULL);

	return UNIT_DONE();
}
