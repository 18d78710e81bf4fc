/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootentry: a Boot Loader Specification entry as systemd-boot reads it
 * (bootentry.h).
 */
#include "bootentry.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void entry_free(struct entry *e)
{
	free(e->opt);
}

int entry_boots_kernel(const struct entry *e)
{
	return e->kind == EK_LINUX || e->kind == EK_UKI || e->kind == EK_UKI_URL;
}

static int is_key(const char *p, size_t ks, size_t ke, const char *key)
{
	return ke - ks == strlen(key) && memcmp(p + ks, key, ke - ks) == 0;
}

void entry_scan(const struct buf *in, struct entry *e)
{
	static const struct { const char *key; enum entry_kind kind; } kinds[] = {
		{ "linux", EK_LINUX }, { "uki", EK_UKI }, { "uki-url", EK_UKI_URL }, { "efi", EK_EFI },
	};
	const char *p = in->p ? in->p : "";
	size_t pos = 0, lineno = 1;

	memset(e, 0, sizeof(*e));
	while (pos < in->len) {
		size_t end = pos, i, k, ve;

		while (end < in->len && p[end] != '\n' && p[end] != '\r')
			end++;
		/* a CR that does not end a CRLF line splits what a reader by lines sees as one */
		if (end < in->len && p[end] == '\r' && end + 1 < in->len && p[end + 1] != '\n' &&
		    !e->cr_line)
			e->cr_line = lineno;
		i = pos;
		ve = end;
		while (i < ve && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (ve > i && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
			ve--;
		for (k = i; k < ve && p[k] != ' ' && p[k] != '\t'; k++)
			;
		if (i < ve && p[i] != '#' && k < ve) {
			size_t ks = i, ke = k, t;

			while (k < ve && (p[k] == ' ' || p[k] == '\t'))
				k++;
			for (t = 0; t < sizeof(kinds) / sizeof(kinds[0]); t++) {
				if (!is_key(p, ks, ke, kinds[t].key) || e->kind == EK_BAD)
					continue;
				e->kind = e->kind == EK_NONE || e->kind == kinds[t].kind ? kinds[t].kind : EK_BAD;
			}
			if (is_key(p, ks, ke, "options")) {
				struct opt_line *o;

				e->opt = xgrow1(e->opt, e->nopt, sizeof(*e->opt));
				o = &e->opt[e->nopt++];
				o->vs = k;
				o->ve = ve;
				o->lineno = lineno;
				o->quoted = p[k] == '"' && p[ve - 1] == '"';
			}
		}
		if (end < in->len && p[end] == '\n')
			lineno++;
		pos = end + (end < in->len);
	}
}

void entry_joined(const struct buf *in, const struct entry *e, struct buf *out)
{
	for (size_t i = 0; i < e->nopt; i++) {
		const struct opt_line *o = &e->opt[i];
		size_t vs = o->vs + (o->quoted && o->ve > o->vs), ve = o->ve - (o->quoted && o->ve > vs);

		if (i)
			buf_addc(out, ' ');
		buf_add(out, in->p + vs, ve - vs);
	}
}
