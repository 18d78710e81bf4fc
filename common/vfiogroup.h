/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfiogroup: whether vfio can claim a device's IOMMU group, by the
 * kernel's rule for each other member of the group.
 *
 * Linux 5.19 and later (drivers/iommu/iommu.c): a PCI driver that does not
 * set driver_managed_dma takes a share of its group's DMA ownership when it
 * binds (drivers/pci/pci-driver.c pci_dma_configure() ->
 * iommu_device_use_default_domain(), group->owner_cnt++); vfio's
 * iommu_group_claim_dma_owner() fails while owner_cnt is not 0, and
 * VFIO_GROUP_GET_STATUS reports the group viable only when
 * !iommu_group_dma_owner_claimed() (drivers/vfio/group.c).  The PCI drivers
 * that set driver_managed_dma: vfio-pci and its variant drivers
 * (drivers/vfio/pci/), pci-stub (drivers/pci/pci-stub.c) and pcieport
 * (drivers/pci/pcie/portdrv.c, commit c7d469849747 "PCI: portdrv: Set
 * driver_managed_dma").
 *
 * Before 5.19 (drivers/vfio/vfio.c vfio_dev_driver_allowed()): a member is
 * allowed when its PCI header type is not 0 (bridges) or its driver is on
 * the whitelist, pci-stub; members bound to vfio-pci are vfio's own.
 */
#ifndef VFIOKIT_VFIOGROUP_H
#define VFIOKIT_VFIOGROUP_H

#include "sysfs.h"

/* d as bound now lets vfio claim its group (1), or blocks it (0) */
int vfio_member_ok(const struct pcidev *d, const char *rel);

/* the driver is vfio-pci or one of its variants (mlx5_vfio_pci, ...) */
int vfio_driver_is_vfio(const char *driver);

/* a bridge (class 06): the host's own plumbing, never given to a VM */
int pci_is_bridge(const struct pcidev *d);

#endif
