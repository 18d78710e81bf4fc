/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal: the --undo record, parsed strictly and written back (journal.h).
 */
#include "journal.h"
#include "cmdline.h"
#include "err.h"
#include "sysfs.h"

#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 4096

static const char *const flags[] = {
	"-", "-g", "--entry", "--format=modules", "--format=modprobe",
	"--format=dracut", "--format=mkinitcpio", NULL
};
static const char *const ops[] = { "-", "--set", "--merge", "--add", NULL };

static const char *from_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return list[i];
	return NULL;
}

const char *journal_flag(const char *s)
{
	return from_list(flags, s);
}

const char *journal_op(const char *s)
{
	return from_list(ops, s);
}

const char *jtool_name(enum jtool t)
{
	return t == JT_MODCONF ? "modconf-edit" : t == JT_CMDLINE ? "cmdline-edit" : "slot";
}

/* printable ASCII, no TAB, not empty, not an option */
static const char *check_text(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "an empty field";
	if (n > FIELD_MAX)
		return "a field too long";
	if (s[0] == '-' || s[0] == ' ')
		return "a field that starts with '-' or a space";
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return "a control byte or a byte that is not ASCII in a field";
	return NULL;
}

const char *journal_check_file(const char *f)
{
	const char *p;

	if (f[0] != '/' || strlen(f) > 255)
		return "a file that is not an absolute path";
	if (strspn(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+@/-") !=
	    strlen(f))
		return "a file name with a character this kit does not write";
	for (p = f; *p; p++)
		if (p[0] == '/' && (p[1] == '/' || p[1] == '\0' ||
				    (p[1] == '.' && (p[2] == '/' || p[2] == '\0' ||
						     (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))))
			return "a file path with an empty, '.' or '..' component";
		else if (p[0] == '/' && p[1] == '-')
			return "a file name that starts with '-'";
	return NULL;
}

const char *journal_check_item(const struct jitem *it)
{
	const char *why;

	if ((why = journal_check_file(it->file)))
		return why;
	if (!it->flag || !journal_flag(it->flag) || !it->op || !journal_op(it->op))
		return "an edit this kit does not make";
	switch (it->tool) {
	case JT_SLOT:
		if (strcmp(it->flag, "-") || strcmp(it->op, "-") || !pci_slot_canonical(it->arg))
			return "a slot record that is not a PCI slot";
		return NULL;
	case JT_CMDLINE:
		if (strcmp(it->flag, "-") && strcmp(it->flag, "-g") && strcmp(it->flag, "--entry"))
			return "a command line edit with a modconf-edit format";
		if (strcmp(it->op, "-") == 0)
			return "an edit without its op";
		if ((why = check_text(it->arg)))
			return why;
		return cmdline_arg_check(strcmp(it->op, "--set") == 0 ? CL_SET :
					 strcmp(it->op, "--add") == 0 ? CL_ADD : CL_MERGE,
					 it->arg);
	case JT_MODCONF:
		if (strncmp(it->flag, "--format=", 9) && strcmp(it->flag, "-"))
			return "a module configuration edit with a cmdline-edit flag";
		if (strcmp(it->op, "-") == 0 || strcmp(it->op, "--add") == 0)
			return "an edit modconf-edit does not make";
		return check_text(it->arg);
	}
	return "an unknown tool";
}

const char *journal_check_base(const char *base)
{
	if (strcmp(base, "-") == 0)
		return NULL;
	return check_text(base);
}

/* "newline", or a shell variable's name */
const char *journal_check_end(const char *what)
{
	size_t n = strlen(what);

	if (strcmp(what, "newline") == 0)
		return NULL;
	if (n == 0 || n > 64 || strspn(what, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789_") != n || (what[0] >= '0' && what[0] <= '9'))
		return "an end record that is neither newline nor a variable";
	return NULL;
}

void jitem_free(struct jitem *it)
{
	free(it->file);
	free(it->arg);
	it->file = it->arg = NULL;
}

void jrec_free(struct jrec *r)
{
	jitem_free(&r->it);
	free(r->base);
	r->base = NULL;
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		jrec_free(&j->v[i]);
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

void jitem_copy(struct jitem *dst, const struct jitem *src)
{
	*dst = *src;
	dst->file = xstrdup(src->file);
	dst->arg = src->arg ? xstrdup(src->arg) : NULL;
}

int jitem_eq(const struct jitem *a, const struct jitem *b)
{
	return a->tool == b->tool && strcmp(a->file, b->file) == 0 &&
	       strcmp(a->flag, b->flag) == 0 && strcmp(a->op, b->op) == 0 &&
	       strcmp(a->arg ? a->arg : "", b->arg ? b->arg : "") == 0;
}

int jrec_eq(const struct jrec *a, const struct jrec *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == J_NEW || a->kind == J_END)
		return strcmp(a->it.file, b->it.file) == 0 && strcmp(a->base, b->base) == 0;
	return (a->kind != J_DEV || strcmp(a->slot, b->slot) == 0) && jitem_eq(&a->it, &b->it);
}

int journal_add(struct journal *j, const struct jrec *r)
{
	struct jrec *c;

	for (size_t i = 0; i < j->n; i++)
		if (jrec_eq(&j->v[i], r))
			return 0;
	j->v = xgrow1(j->v, j->n, sizeof(*j->v));
	c = &j->v[j->n++];
	*c = *r;
	jitem_copy(&c->it, &r->it);
	c->base = r->base ? xstrdup(r->base) : NULL;
	return 1;
}

void journal_format(const struct jrec *r, struct buf *b)
{
	if (r->kind == J_NEW || r->kind == J_END) {
		buf_printf(b, "%s\t%s\t%s", r->kind == J_NEW ? "new" : "end", r->it.file, r->base);
		return;
	}
	if (r->kind == J_DEV)
		buf_printf(b, "dev\t%s\t", r->slot);
	else
		buf_adds(b, "own\t");
	buf_printf(b, "%s\t%s\t%s\t%s\t%s", r->it.file, jtool_name(r->it.tool), r->it.flag,
		   r->it.op, r->it.arg);
}

/* split line into at most max TAB-separated fields; how many, or -1 past max */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *t = strchr(line, '\t');

		if (n == max)
			return -1;
		f[n++] = line;
		if (!t)
			return n;
		*t = '\0';
		line = t + 1;
	}
}

static const char *parse_item(char **f, struct jitem *it)
{
	memset(it, 0, sizeof(*it));
	if (strcmp(f[1], "modconf-edit") == 0)
		it->tool = JT_MODCONF;
	else if (strcmp(f[1], "cmdline-edit") == 0)
		it->tool = JT_CMDLINE;
	else if (strcmp(f[1], "slot") == 0)
		it->tool = JT_SLOT;
	else
		return "a tool this kit does not have";
	it->flag = journal_flag(f[2]);
	it->op = journal_op(f[3]);
	it->file = f[0];
	it->arg = f[4];
	return journal_check_item(it);
}

int journal_parse(const char *where, const char *text, size_t len, struct journal *j)
{
	struct buf_line *lines = NULL;
	size_t n = buf_lines(text, len, &lines), i;
	int r = 0;

	memset(j, 0, sizeof(*j));
	for (i = 0; i < n && r == 0; i++) {
		char *line = xstrndup(lines[i].p, lines[i].len), *f[8];
		const char *why = NULL;
		struct jrec rec;
		int nf;

		memset(&rec, 0, sizeof(rec));
		if (memchr(lines[i].p, '\0', lines[i].len))
			why = "a NUL byte";
		else if (!lines[i].nl)
			why = "a last line without its newline: the journal was cut short";
		else if ((nf = split_tabs(line, f, 8)) < 0)
			why = "too many fields";
		else if (strcmp(f[0], "dev") == 0 && nf == 7) {
			rec.kind = J_DEV;
			if (!pci_slot_canonical(f[1]))
				why = "a device that is not a PCI slot";
			else
				snprintf(rec.slot, sizeof(rec.slot), "%s", f[1]);
			if (!why)
				why = parse_item(f + 2, &rec.it);
		} else if (strcmp(f[0], "own") == 0 && nf == 6) {
			rec.kind = J_OWN;
			why = parse_item(f + 1, &rec.it);
		} else if ((strcmp(f[0], "new") == 0 || strcmp(f[0], "end") == 0) && nf == 3) {
			/* FILE and what it started from (new) or ends with (end) */
			rec.kind = f[0][0] == 'n' ? J_NEW : J_END;
			rec.it.file = f[1];
			rec.it.flag = rec.it.op = "-";
			rec.base = f[2];
			why = journal_check_file(f[1]);
			if (!why)
				why = rec.kind == J_NEW ? journal_check_base(f[2]) : journal_check_end(f[2]);
		} else {
			why = "not a dev, own, new or end record";
		}
		if (why) {
			errorf_line(where, i + 1, "%s: not trusting the journal", why);
			r = -1;
		} else {
			journal_add(j, &rec);
		}
		free(line);
	}
	free(lines);
	if (r < 0)
		journal_free(j);
	return r;
}
