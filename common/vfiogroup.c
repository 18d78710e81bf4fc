/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfiogroup: the kernel's rule for sharing an IOMMU group with vfio; see
 * vfiogroup.h for the sources.
 */
#include "vfiogroup.h"
#include "opts.h"

#include <string.h>

/* module and driver names: '-' and '_' alike, as kmod and the driver core */
static int name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

int vfio_driver_is_vfio(const char *driver)
{
	size_t n;

	if (!driver)
		return 0;
	if (name_eq(driver, "vfio-pci"))
		return 1;
	/* the variant drivers: mlx5_vfio_pci, hisi_acc_vfio_pci, xe-vfio-pci, ... */
	n = strlen(driver);
	return n > 9 && name_eq(driver + n - 9, "_vfio_pci");
}

int pci_is_bridge(const struct pcidev *d)
{
	return (d->class24 >> 16) == 0x06;
}

/* PCI_HEADER_TYPE from config space, else what the class implies */
static int header_type(const struct pcidev *d)
{
	unsigned c = d->class24 >> 8;

	if (d->hdr_type >= 0)
		return d->hdr_type;
	if (c == 0x0604 || c == 0x0609)
		return 1;	/* PCI_HEADER_TYPE_BRIDGE */
	if (c == 0x0607)
		return 2;	/* PCI_HEADER_TYPE_CARDBUS */
	return 0;
}

int vfio_member_ok(const struct pcidev *d, const char *rel)
{
	if (!d->driver || vfio_driver_is_vfio(d->driver) || name_eq(d->driver, "pci-stub"))
		return 1;
	/* a release we cannot read is judged by today's rule */
	if (rel && kver_cmp(rel, 5, 19) < 0)
		return header_type(d) != 0;
	return name_eq(d->driver, "pcieport");
}
