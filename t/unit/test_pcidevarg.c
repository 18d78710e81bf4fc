/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/pcidevarg: the DEVICE operand, one syntax for every tool */
#include <string.h>

#include "pcidevarg.h"
#include "unit.h"

int main(void)
{
	struct pcidevarg a;
	struct pcidev d;

	memset(&d, 0, sizeof(d));
	d.bus = 0x01;
	d.vendor = 0x10de;
	d.device = 0x1b80;

	CHECK_INT(pcidevarg_parse("0000:01:00.0", &a), 0);
	CHECK(!a.byids && pcidevarg_match(&a, &d));
	CHECK_INT(pcidevarg_parse("01:00.0", &a), 0);	/* domain 0000 */
	CHECK(!a.byids && pcidevarg_match(&a, &d));
	CHECK_INT(pcidevarg_parse("01:00.1", &a), 0);
	CHECK(!pcidevarg_match(&a, &d));
	CHECK_INT(pcidevarg_parse("10DE:1b80", &a), 0);	/* ids, either case */
	CHECK(a.byids && pcidevarg_match(&a, &d));
	CHECK_INT(pcidevarg_parse("10de:1b81", &a), 0);
	CHECK(!pcidevarg_match(&a, &d));
	CHECK(pcidevarg_parse("10de", &a) < 0);
	CHECK(pcidevarg_parse("10de:*", &a) < 0);
	CHECK(pcidevarg_parse("nonsense", &a) < 0);
	CHECK(pcidevarg_parse("", &a) < 0);
	return UNIT_DONE();
}
