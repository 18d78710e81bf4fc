/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/modalias: modprobe's glob matching over modules.alias */
#include "buf.h"
#include "modalias.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

/* the first 8 matches into m; how many there are */
static size_t lookup(const struct modalias_db *db, const char *alias, const char *m[8])
{
	const char **all;
	size_t n = modalias_lookup(db, alias, &all), i;

	for (i = 0; i < n && i < 8; i++)
		m[i] = all[i];
	free(all);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/test_modalias.XXXXXX", p[600];
	struct modalias_db *db = NULL;
	const char *m[8];
	char *where = NULL;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(modalias_open(dir, &db, &where), -2);	/* -ENOENT */
	CHECK(where && strstr(where, "modules.alias"));
	free(where);
	put(dir, "modules.alias",
	    "# Aliases extracted from modules themselves.\n"
	    "alias pci:v*d*sv*sd*bc04sc03i00 snd_hda_intel\n"
	    "alias pci:v00008086d0000A348sv*sd*bc*sc*i* snd_hda_intel\n"
	    "alias pci:v00008086d0000A348sv*sd*bc*sc*i* snd_sof_pci_intel_cnl\n"
	    "alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau\n"
	    "alias pci:v0000[18]0DEd*sv*sd*bc03sc*i* glob_class\n"
	    "alias usb:v*p*d*dc*dsc*dp*ic09isc00ip*in* usbcore\n");
	put(dir, "modules.builtin.alias", "alias pci:v*d*sv*sd*bc0Csc03i30 xhci_pci\n");
	CHECK_INT(modalias_open(dir, &db, &where), 0);
	CHECK_INT(lookup(db, "pci:v00008086d0000A348sv00001458sd0000A182bc04sc03i00", m), 2);
	CHECK_STR(m[0], "snd_hda_intel");	/* once, at its first line */
	CHECK_STR(m[1], "snd_sof_pci_intel_cnl");
	CHECK_INT(lookup(db, "pci:v000010DEd00001B80sv00001462sd00003362bc03sc00i00", m), 2);
	CHECK_STR(m[0], "nouveau");
	CHECK_STR(m[1], "glob_class");
	CHECK_INT(lookup(db, "pci:v000010DEd000010F0sv00001462sd00003362bc04sc03i00", m), 1);
	CHECK_STR(m[0], "snd_hda_intel");
	/* builtin aliases only when modules.alias has nothing */
	CHECK_INT(lookup(db, "pci:v00008086d0000A2AFsv00001458sd00005007bc0Csc03i30", m), 1);
	CHECK_STR(m[0], "xhci_pci");
	CHECK_INT(lookup(db, "pci:v00008086d00000D57sv00000000sd00000000bc06sc00i00", m), 0);
		modalias_close(db);

	/* no silent cap: 300 modules matching one alias are 300 answers (once 256) */
	{
		struct buf many = BUF_INIT;
		size_t i;

		for (i = 0; i < 300; i++)
			buf_printf(&many, "alias pci:v*d*sv*sd*bc*sc*i* mod%zu\n", i);
		put(dir, "modules.alias", many.p);
		buf_free(&many);
		CHECK_INT(modalias_open(dir, &db, &where), 0);
		CHECK_INT(lookup(db, "pci:v00008086d00000D57sv00000000sd00000000bc06sc00i00", m), 300);
		CHECK_STR(m[7], "mod7");
		modalias_close(db);
	}
	/* a module link to a module modules.builtin lists is a built-in driver */
	{
		const char *builtin = "kernel/drivers/pci/pcieport.ko\n"
				      "kernel/drivers/tty/serial/8250/8250_pci.ko\n";

		CHECK(modalias_bound_module(NULL, builtin, "8250_pci", "serial", NULL) == NULL);
		CHECK_STR(modalias_bound_module(NULL, builtin, "i915", "i915", NULL), "i915");
		CHECK_STR(modalias_bound_module(NULL, NULL, "8250_pci", "serial", NULL), "8250_pci");
		CHECK(modalias_bound_module(NULL, builtin, NULL, "serial", "pci:v00008086d0000A363") == NULL);
		CHECK(modalias_bound_module(NULL, builtin, "8250", "serial", NULL) != NULL);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	CHECK_INT(system(p), 0);
	return UNIT_DONE();
}
