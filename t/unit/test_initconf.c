/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/initconf: module lists in dracut.conf.d and mkinitcpio.conf.d drop-ins */
#include "unit.h"
#include "buf.h"
#include "err.h"
#include "initconf.h"

#include <stdlib.h>
#include <string.h>

/* one edit of s: the new text, or "(error)" */
static char *edit1(enum initconf_format fmt, enum modconf_opkind kind, const char *arg, const char *s)
{
	static char res[1024];
	struct modconf_op op = { kind, arg };
	struct buf in = BUF_INIT, out = BUF_INIT;

	buf_adds(&in, s);
	if (initconf_edit("t.conf", fmt, &op, 1, &in, &out) < 0)
		snprintf(res, sizeof(res), "(error)");
	else
		snprintf(res, sizeof(res), "%s", out.p ? out.p : "");
	buf_free(&in);
	buf_free(&out);
	return res;
}

int main(void)
{
	const enum initconf_format D = INITCONF_DRACUT, M = INITCONF_MKINITCPIO;

	err_init("test_initconf");
	CHECK_INT(initconf_format_of("/etc/dracut.conf.d/vfio.conf"), D);
	CHECK_INT(initconf_format_of("etc/mkinitcpio.conf.d/vfio.conf"), M);
	CHECK_INT(initconf_format_of("/etc/mkinitcpio.conf"), INITCONF_NONE);
	CHECK_INT(initconf_format_of("/etc/xdracut.conf.d/a.conf"), INITCONF_NONE);

	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a b", ""), "force_drivers+=\" a b \"\n");
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a", "x=1"), "x=1\nforce_drivers+=\" a \"\n");
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a", "force_drivers+=''\n"), "force_drivers+=' a '\n");
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a_b", "force_drivers=\"a-b\"\n"), "force_drivers=\"a-b\"\n");
	/* another variable with the name as a prefix is not it */
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a", "force_drivers_x=\"$(y)\"\n"),
		  "force_drivers_x=\"$(y)\"\nforce_drivers+=\" a \"\n");
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a", "force_drivers+=\" b\" ; x\n"), "(error)");
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers a", "force_drivers+=\" b\n"), "(error)");
	CHECK_STR(edit1(D, MODCONF_DEL, "force_drivers b", "force_drivers+=\" a b c \"\n"), "force_drivers+=\" a c \"\n");
	CHECK_STR(edit1(D, MODCONF_DEL, "force_drivers a", "force_drivers+=\" a b \"\n"), "force_drivers+=\" b \"\n");
	CHECK_STR(edit1(D, MODCONF_DEL, "force_drivers a b", "#\nforce_drivers+=\" a b \"\n"), "#\n");
	CHECK_STR(edit1(D, MODCONF_SET, "install_items /a/b_c", "install_items+=\" /a/b-c \"\n"),
		  "install_items+=\" /a/b_c /a/b-c \"\n");
	CHECK_STR(edit1(D, MODCONF_DEL, "force_drivers z", "force_drivers+=\"\"\n"), "force_drivers+=\"\"\n");

	/* new words go ahead of the list's (a load order); a changed file starts with a newline */
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES a b", ""), "\nMODULES=(a b ${MODULES[@]})\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES b", "MODULES=(a ${MODULES[@]})\n"), "\nMODULES=(b a ${MODULES[@]})\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES b", "MODULES=()\n"), "\nMODULES=(b)\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES b", "MODULES=(a)\n"), "\nMODULES=(b a)\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES b", "\nMODULES=(a)\n"), "\nMODULES=(b a)\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES a", "MODULES=(a)"), "MODULES=(a)");
	CHECK_STR(edit1(D, MODCONF_SET, "force_drivers b", "force_drivers+=\" i915 \"\n"),
		  "force_drivers+=\" b i915 \"\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES b", "MODULES=(${MODULE[@]})\n"), "(error)");
	CHECK_STR(edit1(M, MODCONF_DEL, "MODULES a c", "MODULES=(a b c d ${MODULES[@]})\n"), "\nMODULES=(b d ${MODULES[@]})\n");
	CHECK_STR(edit1(M, MODCONF_DEL, "MODULES a b", "MODULES=(a b ${MODULES[@]} c)\n"), "\nMODULES=(${MODULES[@]} c)\n");
	/* the line goes: nothing is left, not even the newline it began with */
	CHECK_STR(edit1(M, MODCONF_DEL, "MODULES a", "\nMODULES=(a ${MODULES[@]})\n"), "");
	CHECK_STR(edit1(M, MODCONF_DEL, "MODULES a", "MODULES=(${MODULES[@]})\n"), "MODULES=(${MODULES[@]})\n");
	CHECK_STR(edit1(M, MODCONF_SET, "MODULES", ""), "(error)");
	/* ops one word at a time keep the order they are given in, ahead of the rest */
	{
		struct modconf_op ops[] = { { MODCONF_SET, "force_drivers a" }, { MODCONF_SET, "install_items /x" },
					    { MODCONF_SET, "force_drivers b" }, { MODCONF_SET, "force_drivers c" } };
		struct buf in = BUF_INIT, out = BUF_INIT;

		buf_adds(&in, "force_drivers+=\" i915 \"\n");
		CHECK_INT(initconf_edit("t.conf", D, ops, 4, &in, &out), 0);
		buf_adds(&out, "");
		CHECK_STR(out.p, "force_drivers+=\" a b c i915 \"\ninstall_items+=\" /x \"\n");
		buf_free(&in);
		buf_free(&out);
	}
	CHECK_STR(edit1(M, MODCONF_SET, "1X a", ""), "(error)");
	return UNIT_DONE();
}
