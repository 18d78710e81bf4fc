/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/sysfs: slot and modalias parsing, lspci's filter syntax */
#include "sysfs.h"
#include "unit.h"

static struct pcidev dev(unsigned dom, unsigned bus, unsigned d, unsigned fn,
			 unsigned v, unsigned id, unsigned cls)
{
	struct pcidev x;

	memset(&x, 0, sizeof(x));
	x.domain = dom; x.bus = bus; x.dev = d; x.fn = fn;
	x.vendor = v; x.device = id; x.class24 = cls;
	return x;
}

int main(void)
{
	struct pcidev d;
	struct pcifilter f;
	char s[32];

	memset(&d, 0, sizeof(d));
	CHECK_INT(pci_parse_slot("0000:00:02.0", &d), 0);
	CHECK_INT(d.bus, 0); CHECK_INT(d.dev, 2); CHECK_INT(d.fn, 0);
	CHECK_INT(pci_parse_slot("10000:e1:1f.7", &d), 0);
	CHECK_INT(d.domain, 0x10000); CHECK_INT(d.bus, 0xe1); CHECK_INT(d.dev, 0x1f); CHECK_INT(d.fn, 7);
	pci_slot_name(&d, s, sizeof(s));
	CHECK_STR(s, "10000:e1:1f.7");
	CHECK(pci_parse_slot("0000:00:20.0", &d) < 0);	/* device 0x20 > 0x1f */
	CHECK(pci_parse_slot("0000:00:02.8", &d) < 0);
	CHECK(pci_parse_slot("00:02.0", &d) < 0);
	CHECK(pci_parse_slot("0000:00:02.0x", &d) < 0);
	/* the kernel's own spelling only: lower-case hex, 4-digit domain up to ffff */
	CHECK(pci_slot_canonical("0000:00:02.0"));
	CHECK(pci_slot_canonical("ffff:e1:1f.7"));
	CHECK(!pci_slot_canonical("0000:00:02.0x"));
	CHECK(!pci_slot_canonical("0000:00:1F.0"));
	CHECK(!pci_slot_canonical("10000:00:02.0"));
	CHECK(!pci_slot_canonical("00:02.0"));

	CHECK_INT(pci_parse_modalias("pci:v00008086d00003E92sv00001458sd0000D000bc03sc00i00", &d), 0);
	CHECK_INT(d.vendor, 0x8086); CHECK_INT(d.device, 0x3e92);
	CHECK_INT(d.subvendor, 0x1458); CHECK_INT(d.subdevice, 0xd000);
	CHECK_INT(d.class24, 0x030000);
	CHECK(pci_parse_modalias("pci:v00008086d00003E92sv00001458sd0000D000bc03sc00", &d) < 0);
	CHECK(pci_parse_modalias("usb:v1D6Bp0002", &d) < 0);
	CHECK(pci_parse_modalias("pci:v00018086d00003E92sv00001458sd0000D000bc03sc00i00", &d) < 0);

	/* lspci -s "[[[[DOMAIN]:]BUS]:][DEV][.[FN]]" */
	d = dev(0, 1, 0, 1, 0x10de, 0x10f0, 0x040300);
	pcifilter_init(&f);
	CHECK(pcifilter_slot(&f, "01:00.1") == NULL);
	CHECK(pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_slot(&f, ".1") == NULL);
	CHECK(pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_slot(&f, "02:") == NULL);
	CHECK(!pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_slot(&f, "1:*:*.*") == NULL);
	CHECK(!pcifilter_match(&f, &d));	/* domain 1 */
	pcifilter_init(&f);
	CHECK(pcifilter_slot(&f, "00:20.0") != NULL);
	CHECK(pcifilter_slot(&f, "00:1f.8") != NULL);
	CHECK(pcifilter_slot(&f, "1:2:3:4") != NULL);

	/* lspci -d "[V]:[D][:CLASS[:PROGIF]]", x digits in CLASS */
	pcifilter_init(&f);
	CHECK(pcifilter_id(&f, "10de:") == NULL);
	CHECK(pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_id(&f, "::04xx") == NULL);
	CHECK(pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_id(&f, "::0300") == NULL);
	CHECK(!pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_id(&f, "*:*:0403:01") == NULL);
	CHECK(!pcifilter_match(&f, &d));	/* prog-if 00 */
	CHECK(pcifilter_id(&f, "10de") != NULL);
	CHECK(pcifilter_id(&f, "10dex:1") != NULL);
	CHECK(pcifilter_id(&f, "1:2:3:4:5") != NULL);

	/* -c */
	pcifilter_init(&f);
	CHECK(pcifilter_class(&f, "04") == NULL);
	CHECK(pcifilter_match(&f, &d));
	pcifilter_init(&f);
	CHECK(pcifilter_class(&f, "0401") == NULL);
	CHECK(!pcifilter_match(&f, &d));
	CHECK(pcifilter_class(&f, "4") != NULL);
	CHECK(pcifilter_class(&f, "04g3") != NULL);
	return UNIT_DONE();
}
