/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/pciids: lookups and lspci's name formats on a small pci.ids */
#include "pciids.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ids_text[] =
	"#\n#\tList of PCI ID's\n#\n\n"
	"1002  Advanced Micro Devices, Inc. [AMD/ATI]\n"
	"\t1478  Navi 10 XL Upstream Port of PCI Express Switch\n"
	"10de  NVIDIA Corporation\n"
	"\t10f0  GP104 High Definition Audio Controller\n"
	"\t1b80  GP104 [GeForce GTX 1080]\n"
	"\t\t1462 3362  GeForce GTX 1080 Gaming X 8G\n"
	"# a comment inside a vendor\n"
	"\t1b81  GP104 [GeForce GTX 1070]\n"
	"1af4  Red Hat, Inc.\n"
	"\t1045  Virtio 1.0 memory balloon\n"
	"8086  Intel Corporation\n"
	"\t3e92  CoffeeLake-S GT2 [UHD Graphics 630]\n"
	"\t\t1458 d000  \n"	/* a name that is only blanks: not an entry */
	"\ta348  Cannon Lake PCH cAVS\r\n"
	"ffff  Illegal Vendor ID\n"
	"\n# List of known device classes\n"
	"C 03  Display controller\n"
	"\t00  VGA compatible controller\n"
	"\t\t00  VGA controller\n"
	"C ff  Unassigned class\n";

/*
 * Lookups remember what they scanned: every vendor and device of the real
 * pci.ids, asked in a scrambled order of one handle, must name what a
 * fresh handle names.  (Skipped without /usr/share/misc/pci.ids.)
 */
static void check_order_free(void)
{
	struct pciids *one, *fresh;
	unsigned i, v, d, bad = 0, asked = 0;
	FILE *f = fopen("/usr/share/misc/pci.ids", "r");

	if (!f) {
		printf("# skipped: no /usr/share/misc/pci.ids for the scrambled-order check\n");
		return;
	}
	fclose(f);
	CHECK_INT(pciids_open("/usr/share/misc/pci.ids", &one), 0);
	for (i = 0; i < 5000; i++) {
		const char *a, *b;
		size_t la = 0, lb = 0;

		v = (i * 40503u) & 0xffff;	/* a scramble of 0..ffff */
		d = (i * 2654435761u) >> 16 & 0xffff;
		if (i % 3 == 0)
			v = 0x8086;	/* the biggest block, often */
		if (pciids_open("/usr/share/misc/pci.ids", &fresh) < 0) {
			bad++;
			break;
		}
		a = pciids_vendor(one, v, &la);
		b = pciids_vendor(fresh, v, &lb);
		bad += (a == NULL) != (b == NULL) || (a && (la != lb || memcmp(a, b, la)));
		a = pciids_device(one, v, d, &la);
		b = pciids_device(fresh, v, d, &lb);
		bad += (a == NULL) != (b == NULL) || (a && (la != lb || memcmp(a, b, la)));
		asked += 2;
		pciids_close(fresh);
	}
	pciids_close(one);
	CHECK_INT(bad, 0);
	CHECK(asked == 10000);
}

int main(void)
{
	char path[] = "/tmp/test_pciids.XXXXXX", buf[256], small[16];
	int fd = mkstemp(path);
	struct pciids *ids = NULL;
	size_t len = 0;
	const char *n;

	CHECK(fd >= 0);
	CHECK(write(fd, ids_text, sizeof(ids_text) - 1) == (ssize_t)sizeof(ids_text) - 1);
	close(fd);
	CHECK_INT(pciids_open(path, &ids), 0);
	unlink(path);

	n = pciids_vendor(ids, 0x10de, &len);
	CHECK(n && len == 18 && !strncmp(n, "NVIDIA Corporation", len));
	CHECK(pciids_vendor(ids, 0x1234, &len) == NULL);
	CHECK(pciids_vendor(ids, 0xffff, &len) != NULL);
	n = pciids_device(ids, 0x10de, 0x1b81, &len);
	CHECK(n && !strncmp(n, "GP104 [GeForce GTX 1070]", len));
	CHECK(pciids_device(ids, 0x10de, 0x1478, &len) == NULL);	/* AMD's */
	n = pciids_device(ids, 0x8086, 0xa348, &len);	/* CR ends the name */
	CHECK(n && len == 20);

	CHECK_STR(pciids_name_device(ids, buf, sizeof(buf), 0x10de, 0x1b80, 1),
		  "NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80]");
	CHECK_STR(pciids_name_device(ids, buf, sizeof(buf), 0x10de, 0x1234, 1),
		  "NVIDIA Corporation Device [10de:1234]");
	CHECK_STR(pciids_name_device(ids, buf, sizeof(buf), 0x1f1f, 0x0001, 1),
		  "Device [1f1f:0001]");
	CHECK_STR(pciids_name_device(ids, buf, sizeof(buf), 0x10de, 0x1234, 0),
		  "NVIDIA Corporation Device 1234");
	CHECK_STR(pciids_name_device(ids, buf, sizeof(buf), 0x1f1f, 0x0001, 0),
		  "Device 1f1f:0001");
	CHECK_STR(pciids_name_subsystem(ids, buf, sizeof(buf), 0x10de, 0x1b80, 0x1462, 0x3362, 1),
		  "Device [1462:3362]");	/* vendor 1462 unknown here */
	CHECK_STR(pciids_name_subsystem(ids, buf, sizeof(buf), 0x1af4, 0x1045, 0x1af4, 0x1045, 1),
		  "Red Hat, Inc. Virtio 1.0 memory balloon [1af4:1045]");
	CHECK_STR(pciids_name_subsystem(ids, buf, sizeof(buf), 0x8086, 0x3e92, 0x8086, 0x1234, 1),
		  "Intel Corporation Device [8086:1234]");
	CHECK_STR(pciids_name_class(ids, buf, sizeof(buf), 0x0300, 1), "VGA compatible controller [0300]");
	CHECK_STR(pciids_name_class(ids, buf, sizeof(buf), 0x0300, 0), "VGA compatible controller");
	CHECK_STR(pciids_name_class(ids, buf, sizeof(buf), 0x0380, 0), "Display controller [0380]");
	CHECK_STR(pciids_name_class(ids, buf, sizeof(buf), 0x2000, 1), "Class [2000]");
	CHECK_STR(pciids_name_class(ids, buf, sizeof(buf), 0x2000, 0), "Class 2000");
	CHECK_STR(pciids_name_class(NULL, buf, sizeof(buf), 0x0300, 1), "Class [0300]");
	/* lib/names.c: what does not fit ends in "..." */
	CHECK_STR(pciids_name_device(ids, small, sizeof(small), 0x10de, 0x1b80, 1), "NVIDIA Corpo...");
	pciids_close(ids);
	CHECK(pciids_open("/nonexistent/pci.ids", &ids) < 0);
	check_order_free();
	return UNIT_DONE();
}
