/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcidevarg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int pcidevarg_parse(const char *s, struct pcidevarg *a)
{
	char slot[40];

	memset(a, 0, sizeof(*a));
	pcifilter_init(&a->ids);
	snprintf(slot, sizeof(slot), "0000:%s", s);
	/* a PCI segment is 16 bits (ACPI _SEG, the MCFG table): a wider domain is no device's */
	if (pci_parse_slot(s, &a->slot) == 0 || pci_parse_slot(slot, &a->slot) == 0)
		return a->slot.domain > 0xffff ? -EINVAL : 0;
	if (strlen(s) != 9 || s[4] != ':' || strspn(s, "0123456789abcdefABCDEF:") != 9 ||
	    pcifilter_id(&a->ids, s))
		return -EINVAL;
	a->byids = 1;
	return 0;
}

int pcidevarg_match(const struct pcidevarg *a, const struct pcidev *d)
{
	if (a->byids)
		return pcifilter_match(&a->ids, d);
	return d->domain == a->slot.domain && d->bus == a->slot.bus &&
	       d->dev == a->slot.dev && d->fn == a->slot.fn;
}
