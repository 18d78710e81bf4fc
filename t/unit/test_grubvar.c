/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/grubvar: a shell variable's value, decoded, edited, re-encoded */
#include <stdlib.h>
#include <string.h>

#include "grubvar.h"
#include "unit.h"

/* decode var in text; returns the value or NULL (status in *st) */
static char *value(const char *text, int *st)
{
	struct grubvar gv;
	char *v = NULL;

	*st = grubvar_find(text, strlen(text), "V", "f", &gv);
	if (*st == 0) {
		v = strdup(gv.val);
		grubvar_free(&gv);
	}
	return v;
}

#define VALUE(text, want) do { \
	int st_; \
	char *v_ = value(text, &st_); \
	CHECK_INT(st_, 0); \
	CHECK_STR(v_, want); \
	free(v_); \
} while (0)

/* the value sh ends with (grubvar_value), or NULL (status in *st) */
static char *final(const char *text, int *st, size_t *nsteps)
{
	struct grubvar_value v;
	char *r = NULL;

	*st = grubvar_value(text, strlen(text), "V", "f", &v);
	*nsteps = v.nsteps;
	if (*st == 0)
		r = strdup(v.val);
	grubvar_value_free(&v);
	return r;
}

#define FINAL(text, want, steps) do { \
	int st_; \
	size_t n_; \
	char *v_ = final(text, &st_, &n_); \
	CHECK_INT(st_, 0); \
	CHECK_STR(v_, want); \
	CHECK_INT(n_, steps); \
	free(v_); \
} while (0)

#define REFUSED(text) do { \
	int st_; \
	char *v_ = value(text, &st_); \
	CHECK_INT(st_, 2); \
	free(v_); \
} while (0)

/* keep the whole old value and append " add"; the new file */
static char *append(const char *text, const char *add)
{
	struct grubvar gv;
	struct grubvar_edit *e;
	struct buf out = BUF_INIT;

	if (grubvar_find(text, strlen(text), "V", "f", &gv) != 0)
		return NULL;
	e = grubvar_edit_begin(&gv);
	grubvar_edit_keep(e, 0, gv.vlen);
	grubvar_edit_insert(e, add, strlen(add));
	grubvar_edit_finish(e, text, strlen(text), &out);
	grubvar_free(&gv);
	return buf_detach(&out);
}

#define APPEND(text, add, want) do { \
	char *o_ = append(text, add); \
	CHECK_STR(o_, want); \
	free(o_); \
} while (0)

int main(void)
{
	int st;
	struct grubvar gv;

	VALUE("V=\"quiet splash\"\n", "quiet splash");
	VALUE("V='a \"b\" $c'\n", "a \"b\" $c");
	VALUE("V=bare\n", "bare");
	VALUE("V=\n", "");
	VALUE("V=\"\"\n", "");
	VALUE("V=\"a\\\"b\\\\c\\$d\\`e\\x\"\n", "a\"b\\c$d`e\\x");
	VALUE("V=\"$V ${X} $1\"\n", "$V ${X} $1");
	VALUE("export V=\"x\" # note\n", "x");
	VALUE("V=\"first\"\nV=\"second\"\n", "second");
	VALUE("V=a\"b c\"'d'\n", "ab cd");
	VALUE("V=\"x\"; W=1\n", "x");
	VALUE("V=\"two\nlines\"\n", "two\nlines");
	VALUE("  V=\"indented\"\n", "indented");
	/* only top level counts */
	VALUE("V=top\nif true; then\nV=inner\nfi\n", "top");
	VALUE("V=top\nif true; then V=inner; fi\nV=last\n", "last");
	/*
	 * a reserved word counts only where a command starts: "if" as an
	 * argument hid every later assignment, so the tool appended one more
	 * on each run (found by t/fuzz/fuzz_grub)
	 */
	VALUE("echo run update-grub if you change this\nV=1\n", "1");
	VALUE("echo done\nV=1\n", "1");
	VALUE("echo 'a; fi; b'\nV=1\n", "1");
	VALUE("V=top\nfor x in if fi; do V=inner; done\n", "top");
	VALUE("V=top\ncase $x in a) V=inner;; esac\nV=last\n", "last");
	VALUE("V=top\n[ -f x ] && { V=inner; }\n", "top");
	/* other assignments may hold what we refuse in ours */
	VALUE("D=`lsb_release -i -s 2> /dev/null || echo Debian`\nV=\"quiet\"\n", "quiet");
	VALUE("D=$(uname -r)\nV=\"q\"\n", "q");
	/* comments are not assignments */
	VALUE("V=\"a\"\n#V=\"b\"\n", "a");

	REFUSED("V=\"$(x)\"\n");
	REFUSED("V=\"`x`\"\n");
	REFUSED("V=`x`\n");
	REFUSED("V=\"open\n");
	REFUSED("V='open\n");
	REFUSED("V=a\\\nb\n");
	REFUSED("V=\"${X:-a b}\"\n");
	REFUSED("V=a true\n");

	CHECK_INT(grubvar_find("W=1\n", 4, "V", "f", &gv), 1);
	/*
	 * another assignment's open quote runs to the end: a V appended there
	 * would be inside it, and the next run would append again (found by
	 * t/fuzz/fuzz_grub on Ubuntu's cloud-image grub.d snippet cut short)
	 */
	REFUSED("W=\"console=tty1\nX=1\n");
	REFUSED("W=`x\n");
	REFUSED("W=$(x\n");
	VALUE("V=1\nW=\"open\n", "1");	/* found before it: the shell ran it */

	/* self references are seen */
	CHECK_INT(grubvar_find("V=\"${V} x\"\n", 11, "V", "f", &gv), 0);
	CHECK_INT(gv.refs_self, 1);
	grubvar_free(&gv);

	/* edits keep the style of a one-piece word */
	APPEND("A=1\nV=\"quiet\" # c\nB=2\n", " iommu=pt", "A=1\nV=\"quiet iommu=pt\" # c\nB=2\n");
	APPEND("V='quiet'\n", " x=it's", "V='quiet x=it'\\''s'\n");
	APPEND("V=quiet\n", ",x", "V=quiet,x\n");
	APPEND("V=quiet\n", " x", "V=\"quiet x\"\n");
	APPEND("V=\"\\$x $y\"\n", " $z", "V=\"\\$x $y \\$z\"\n");
	/* several pieces become one "..." word; $y stays an expansion */
	APPEND("V=a'b c'$y\n", " d", "V=\"ab c$y d\"\n");
	/*
	 * joined pieces must not lengthen a name: "$X"y is $X then y, and
	 * "$Xy" another variable (found by t/fuzz/fuzz_grub)
	 */
	APPEND("V=\"$X\"y\n", " d", "V=\"${X}y d\"\n");
	APPEND("V=\"$X\"'-y'\n", " d", "V=\"$X-y d\"\n");
	APPEND("V=\"$X\"\"$Y\"\n", " d", "V=\"$X$Y d\"\n");
	(void)st;

	/* grubvar_value: $V stands for the value before; before the first, kept */
	FINAL("V=\"a\"\nV=\"$V b\"\nV=\"${V}c\"\n", "a bc", 3);
	FINAL("V=\"$V a\"\nV=\"$V b\"\n", "$V a b", 2);
	FINAL("V=\"a\"\nV=\"b\"\nV=\"$V c\"\n", "b c", 2);
	FINAL("V='$V'\n", "$V", 1);	/* single quotes: no expansion */
	FINAL("V=\"a \\\n b\"\n", "a  b", 1);	/* sh drops backslash-newline */
	FINAL("V=a\\\nb\n", "ab", 1);
	{
		size_t n;
		char *v = final("X=1\n", &st, &n);

		CHECK_INT(st, 1);
		free(v);
		v = final("if x; then\n V=1\nfi\n", &st, &n);
		CHECK_INT(st, 2);	/* only in a block: sh's value depends on the run */
		free(v);
		v = final("V=\"$(x)\"\nV=\"$V a\"\n", &st, &n);
		CHECK_INT(st, 2);	/* an earlier part it cannot read */
		free(v);
	}

	/* an edit still refuses the continued line */
	REFUSED("V=\"a \\\n b\"\n");

	return UNIT_DONE();
}
