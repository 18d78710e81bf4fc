/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/modconf: the modprobe.d and module-list models, and edits on them */
#include "unit.h"
#include "buf.h"
#include "err.h"
#include "modedit.h"

#include <stdlib.h>
#include <string.h>

static struct modconf mc;

static int parse(const char *s, enum modconf_format fmt)
{
	size_t line = 0;
	const char *err = NULL;

	modconf_free(&mc);
	return modconf_parse(&mc, s, strlen(s), fmt, &line, &err);
}

static char *word(size_t li, size_t wi)
{
	static char w[256];
	const struct mc_line *l = &mc.line[li];

	if (wi >= l->nw)
		return (char *)"(none)";
	snprintf(w, sizeof(w), "%.*s", (int)l->w[wi].len, l->text + l->w[wi].off);
	return w;
}

/* one edit of s: the new text, or "(error)" */
static char *edit1(const char *file, enum modconf_opkind kind, const char *arg, const char *s)
{
	static char res[1024];
	struct modconf_op op = { kind, arg };
	struct buf in = BUF_INIT, out = BUF_INIT;

	buf_adds(&in, s);
	if (modconf_edit(file, MODCONF_AUTO, &op, 1, &in, &out) < 0)
		snprintf(res, sizeof(res), "(error)");
	else
		snprintf(res, sizeof(res), "%s", out.p ? out.p : "");
	buf_free(&in);
	buf_free(&out);
	return res;
}

#define P "x/modprobe.d/t.conf"

int main(void)
{
	char name[64];

	err_init("modconf-edit");

	/* names: kmod's underscores() */
	strcpy(name, "snd-hda-intel");
	CHECK_INT(modname_normalize(name), 0);
	CHECK_STR(name, "snd_hda_intel");
	strcpy(name, "pci:v[0-9]*-x");
	CHECK_INT(modname_normalize(name), 0);
	CHECK_STR(name, "pci:v[0-9]*_x");
	strcpy(name, "a[b-c");
	CHECK_INT(modname_normalize(name), -1);
	strcpy(name, "a]b");
	CHECK_INT(modname_normalize(name), -1);
	CHECK(modname_eq("vfio-pci", 8, "vfio_pci", 8));
	CHECK(!modname_eq("vfio-pci", 8, "vfio_pcie", 9));

	/* formats by path */
	CHECK_INT(modconf_format_of("/etc/modprobe.d/vfio.conf"), MODCONF_MODPROBE);
	CHECK_INT(modconf_format_of("modprobe.d/vfio"), MODCONF_MODPROBE);
	CHECK_INT(modconf_format_of("/etc/modprobe.conf"), MODCONF_MODPROBE);
	CHECK_INT(modconf_format_of("/etc/modules"), MODCONF_MODULES);
	CHECK_INT(modconf_format_of("/etc/modules-load.d/vfio.conf"), MODCONF_MODULES);
	CHECK_INT(modconf_format_of("/etc/modprobe.d.old/vfio.conf"), MODCONF_MODULES);

	/* freadline_wrapped: backslash-newline joins with no space */
	CHECK_INT(parse("options m a=1 \\\n b=2\nblacklist x\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.nline, 2);
	CHECK_STR(mc.line[0].text, "options m a=1  b=2");
	CHECK_INT(mc.line[1].lineno, 3);
	CHECK_STR(word(0, 3), "b=2");
	/* "\\" is a backslash, a backslash before another byte is dropped */
	CHECK_INT(parse("options m a=\\\\\nblacklist \\x\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.nline, 2);
	CHECK_STR(mc.line[0].text, "options m a=\\");
	CHECK_STR(mc.line[1].text, "blacklist x");
	CHECK_INT(mc.open_end, 0);
	/* a backslash at EOF is dropped; the line ends open */
	CHECK_INT(parse("blacklist x\\", MODCONF_MODPROBE), 0);
	CHECK_STR(mc.line[0].text, "blacklist x");
	CHECK_INT(mc.open_end, 1);
	CHECK_INT(mc.escape_end, 1);
	/* comments: only a '#' first; an indented one is bad */
	CHECK_INT(parse("# c\n  # d\n\t\n\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.line[0].kind, MC_COMMENT);
	CHECK_INT(mc.line[1].kind, MC_BAD);
	CHECK_INT(mc.line[1].indented_comment, 1);
	CHECK_INT(mc.line[2].kind, MC_BLANK);
	CHECK_INT(mc.line[3].kind, MC_BLANK);
	/* a continued comment swallows the next line */
	CHECK_INT(parse("# c \\\nblacklist x\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.nline, 1);
	CHECK_INT(mc.line[0].kind, MC_COMMENT);
	/* CR kept apart, '#' after a directive is data */
	CHECK_INT(parse("blacklist i915\r\noptions m a=1 # x\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.line[0].cr, 1);
	CHECK_STR(word(0, 1), "i915");
	CHECK_INT(mc.line[1].hash, 1);
	CHECK_INT(mc.line[1].nw, 5);
	/* options: parameters split as the kernel does, quotes grouping */
	CHECK_INT(parse("options m a=\"x y\" b\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.line[0].nw, 4);
	CHECK_STR(word(0, 2), "a=\"x y\"");
	/* bad lines */
	CHECK_INT(parse("options m\noptions\nfrob x\nalias x\nsoftdep m \ninclude /x\n", MODCONF_MODPROBE), 0);
	CHECK_INT(mc.line[0].kind, MC_BAD);
	CHECK_INT(mc.line[1].kind, MC_BAD);
	CHECK_STR(mc.line[2].bad, "unknown directive");
	CHECK_INT(mc.line[3].kind, MC_BAD);
	CHECK_INT(mc.line[4].kind, MC_BAD);
	CHECK_INT(mc.line[5].verb, MV_OBSOLETE);
	CHECK_INT(parse("blacklist \0x\n", MODCONF_MODPROBE), 0); /* strlen stops at NUL */
	{
		size_t line = 0;
		const char *err = NULL;

		modconf_free(&mc);
		CHECK_INT(modconf_parse(&mc, "a\nb\0\n", 5, MODCONF_MODPROBE, &line, &err), -1);
		CHECK_INT(line, 2);
		CHECK_STR(err, "NUL byte");
	}

	/* module lists: # and ; comments, the whole line has the name first */
	CHECK_INT(parse("# c\n; d\n  vfio_pci  \nvfio_virqfd #not needed\nx \\\n", MODCONF_MODULES), 0);
	CHECK_INT(mc.nline, 5);
	CHECK_INT(mc.line[0].kind, MC_COMMENT);
	CHECK_INT(mc.line[1].kind, MC_COMMENT);
	CHECK_STR(word(2, 0), "vfio_pci");
	CHECK_INT(mc.line[2].nw, 1);
	CHECK_INT(mc.line[3].hash, 1);
	CHECK_STR(word(4, 1), "\\");	/* no continuations in module lists */
	modconf_free(&mc);

	/* edits */
	CHECK_STR(edit1(P, MODCONF_SET, "blacklist i915", ""), "blacklist i915\n");
	CHECK_STR(edit1(P, MODCONF_SET, "blacklist i915", "blacklist i915"), "blacklist i915");
	CHECK_STR(edit1(P, MODCONF_SET, "blacklist i915", "# x"), "# x\nblacklist i915\n");
	CHECK_STR(edit1(P, MODCONF_SET, "blacklist i915", "options m a=1 \\\n"),
		  "options m a=1 \\\n\nblacklist i915\n");
	CHECK_STR(edit1(P, MODCONF_MERGE, "options vfio-pci ids=10de:1b80",
			"options vfio_pci ids=8086:3e92 disable_vga=1\n"),
		  "options vfio_pci ids=8086:3e92,10de:1b80 disable_vga=1\n");
	CHECK_STR(edit1(P, MODCONF_MERGE, "options vfio-pci ids=10de:1b80",
			"options vfio_pci ids= disable_vga=1\n"),
		  "options vfio_pci ids=10de:1b80 disable_vga=1\n");
	CHECK_STR(edit1(P, MODCONF_MERGE, "options vfio-pci ids=10de:1b80", "blacklist x\n"),
		  "blacklist x\noptions vfio-pci ids=10de:1b80\n");
	CHECK_STR(edit1(P, MODCONF_UNMERGE, "options vfio-pci ids=10de:1b80",
			"options vfio_pci ids=10de:1b80\nblacklist x\n"), "blacklist x\n");
	CHECK_STR(edit1(P, MODCONF_SET, "options m a-b=2", "options m a_b=1 c=1\n"),
		  "options m a-b=2 c=1\n");
	CHECK_STR(edit1(P, MODCONF_DEL, "options m c", "options m a=1 \\\n  c=1 \\\n  d=1\n"),
		  "options m a=1 \\\n  d=1\n");
	CHECK_STR(edit1(P, MODCONF_SET, "softdep m post: b", "softdep m pre: a\n"),
		  "softdep m pre: a post: b\n");
	CHECK_STR(edit1(P, MODCONF_SET, "softdep m pre: c", "softdep m pre: a post: b\n"),
		  "softdep m pre: a c post: b\n");
	CHECK_STR(edit1(P, MODCONF_SET, "softdep m pre: c", "softdep m post: b\n"),
		  "softdep m pre: c post: b\n");
	CHECK_STR(edit1(P, MODCONF_SET, "weakdep m b c", "weakdep m a b\n"), "weakdep m a b c\n");
	CHECK_STR(edit1(P, MODCONF_SET, "alias pci:v1* m", "alias pci:v1* n\nalias pci:v1* o\n"),
		  "alias pci:v1* m\n");
	CHECK_STR(edit1(P, MODCONF_SET, "options m a=1", "options m\n"), "(error)");
	CHECK_STR(edit1(P, MODCONF_SET, "options m", ""), "(error)");
	CHECK_STR(edit1(P, MODCONF_MERGE, "options m ids=1:x", ""), "(error)");
	CHECK_STR(edit1(P, MODCONF_MERGE, "options m ids=1:2:3:4:5:6:7", ""), "(error)");
	CHECK_STR(edit1(P, MODCONF_MERGE, "options m ids=1:2:3:4:5:6", ""), "options m ids=1:2:3:4:5:6\n");

	CHECK_STR(edit1("etc/modules", MODCONF_SET, "vfio-pci", "vfio_pci\n"), "vfio_pci\n");
	CHECK_STR(edit1("etc/modules", MODCONF_SET, "vfio", "#vfio\n"), "#vfio\nvfio\n");
	CHECK_STR(edit1("etc/modules", MODCONF_DEL, "vfio_virqfd", "a\nvfio_virqfd #x\nb"), "a\nb");
	CHECK_STR(edit1("etc/modules", MODCONF_SET, "vfio", "a"), "a\nvfio\n");
	CHECK_STR(edit1("etc/modules", MODCONF_MERGE, "vfio a=1", ""), "(error)");
	/*
	 * parameters compare as the words readers split them into: the line
	 * a first --set appended ("x a b") is not rewritten by the second
	 * (found by t/fuzz/fuzz_modconf)
	 */
	CHECK_STR(edit1("etc/initramfs-tools/modules", MODCONF_SET, "x  a   b", ""), "x a b\n");
	CHECK_STR(edit1("etc/initramfs-tools/modules", MODCONF_SET, "x  a   b", "x a b\n"), "x a b\n");
	CHECK_STR(edit1("etc/initramfs-tools/modules", MODCONF_SET, "x a  c", "x\ta b\n"), "x\ta c\n");
	/* a parameter named twice in one op is refused (two lines, then one: not idempotent) */
	CHECK_STR(edit1(P, MODCONF_SET, "options m a=1 a=2", ""), "(error)");
	CHECK_STR(edit1(P, MODCONF_SET, "options m a b c-d c_d", ""), "(error)");
	/* --merge refuses to merge into a quoted value, so it does not write one either */
	CHECK_STR(edit1(P, MODCONF_MERGE, "options m a=\"x y\"", ""), "(error)");
	/* "remove m" and a tab: no command, refused (it was strlen(NULL), a crash) */
	CHECK_STR(edit1(P, MODCONF_SET, "remove m\t\t", ""), "(error)");
	CHECK_STR(edit1(P, MODCONF_SET, "install m ", "x\n"), "(error)");
	CHECK_STR(edit1(P, MODCONF_DEL, "install m", "install m /bin/true\nblacklist m\n"), "blacklist m\n");
	/* "weakdep m" and blanks: no module, refused (it wrote a line kmod ignores) */
	CHECK_STR(edit1(P, MODCONF_SET, "weakdep m\t", ""), "(error)");
	CHECK_STR(edit1(P, MODCONF_SET, "weakdep m a", ""), "weakdep m a\n");
	/* all the CRs before a line end go at once: one a run was not idempotent */
	CHECK_STR(edit1(P, MODCONF_SET, "blacklist m", "blacklist m\r\r\n"), "blacklist m\n");
	CHECK_STR(edit1("etc/modules", MODCONF_SET, "vfio", "vfio\r\r\r"), "vfio");
	/* an install command ends with its last word: a trailing blank is not added again */
	CHECK_STR(edit1(P, MODCONF_SET, "install m /bin/true\t", ""), "install m /bin/true\n");
	CHECK_STR(edit1(P, MODCONF_SET, "install m /bin/true\t", "install m /bin/true\t\n"),
		  "install m /bin/true\t\n");
	return UNIT_DONE();
}
