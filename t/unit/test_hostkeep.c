/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/hostkeep: the mount of /, the default routes, the slot on a sysfs path */
#include <string.h>

#include "hostkeep.h"
#include "unit.h"

int main(void)
{
	unsigned ma = 0, mi = 0;
	char src[64], ifs[64], slot[16];

	/* proc(5)'s example line, and optional fields before the "-" */
	CHECK_INT(hostkeep_root_mount("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n"
				      "20 1 8:4 / / rw,noatime shared:1 - ext3 /dev/sda4 rw,errors=continue\n",
				      &ma, &mi, src, sizeof(src)), 0);
	CHECK_INT(ma, 8);
	CHECK_INT(mi, 4);
	CHECK_STR(src, "/dev/sda4");
	/* a mount over / is the one on top: the last */
	CHECK_INT(hostkeep_root_mount("20 1 8:4 / / rw - ext3 /dev/sda4 rw\n"
				      "99 20 0:31 /root / rw - btrfs /dev/nvme0n1p3 rw,subvol=/root\n",
				      &ma, &mi, src, sizeof(src)), 0);
	CHECK_INT(ma, 0);
	CHECK_INT(mi, 31);
	CHECK_STR(src, "/dev/nvme0n1p3");
	CHECK(hostkeep_root_mount("15 20 0:3 / /proc rw,relatime - proc /proc rw\n",
				  &ma, &mi, src, sizeof(src)) < 0);
	CHECK(hostkeep_root_mount("20 1 8:x / / rw - ext3 /dev/sda4 rw\n", &ma, &mi, src,
				  sizeof(src)) < 0);

	CHECK_INT(hostkeep_default_ifaces(
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT   \n"
		"vmbr0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0   \n"
		"vmbr0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0   \n"
		"wg0\t00000000\t00000000\t0001\t0\t0\t100\t00000000\t0\t0\t0   \n"
		"eno2\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0   \n",
		ifs, sizeof(ifs)), 2);
	CHECK_STR(ifs, "vmbr0 wg0");	/* eno2's is not up */
	CHECK_INT(hostkeep_default_ifaces("Iface\tDestination\n", ifs, sizeof(ifs)), 0);
	CHECK_STR(ifs, "");
	/* a name no kernel makes */
	CHECK(hostkeep_default_ifaces("Iface\n../x\t00000000\t0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
				      ifs, sizeof(ifs)) < 0);

	CHECK_INT(hostkeep_slot_of("/sys/devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/"
				   "nvme0n1/nvme0n1p2", slot, sizeof(slot)), 1);
	CHECK_STR(slot, "0000:02:00.0");
	/* a USB NIC keeps its USB controller */
	CHECK_INT(hostkeep_slot_of("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/net/enx0",
				   slot, sizeof(slot)), 1);
	CHECK_STR(slot, "0000:00:14.0");
	CHECK_INT(hostkeep_slot_of("/sys/devices/virtual/net/vmbr0", slot, sizeof(slot)), 0);
	CHECK_INT(hostkeep_slot_of("/tmp/0000:00:1f.6", slot, sizeof(slot)), 0);
	return UNIT_DONE();
}
