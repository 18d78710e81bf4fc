/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmhelper: what the guest's busybox shell cannot do by itself in the VM test.
 *
 *   vmhelper exit CODE        write CODE to QEMU's isa-debug-exit port (0xf4);
 *                             QEMU then exits with status (CODE << 1) | 1
 *   vmhelper vfio GROUP SLOT  open /dev/vfio/GROUP, print its VFIO_GROUP_GET_STATUS
 *                             flags, and when viable attach it to a type1 container
 *                             and open SLOT's device fd, as a VMM would
 *   vmhelper viable GROUP     the kernel's word on GROUP, asked twice: the
 *                             VFIO_GROUP_GET_STATUS viable flag, and whether
 *                             VFIO_GROUP_SET_CONTAINER is accepted (the DMA
 *                             ownership claim that flag predicts); exit 0 viable,
 *                             1 not viable, 3 when the two answers disagree
 *
 * Built with gcc -static by scripts/check-vm; runs only inside the test guest.
 * Exit: 0 done / viable and usable, 1 not viable or the device could not be
 * opened, 2 trouble (bad usage, no such group), 3 the kernel's two answers on
 * viability disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *progname = "vmhelper";

static void usage(FILE *f)
{
	fprintf(f, "usage: %s exit CODE | vfio GROUP SLOT | viable GROUP\n", progname);
}

static int debug_exit(const char *arg)
{
	char *end;
	long code = strtol(arg, &end, 0);

	if (*arg == '\0' || *end != '\0' || code < 0 || code > 0x7fffffff) {
		fprintf(stderr, "%s: '%s': not an exit code\n", progname, arg);
		return 2;
	}
	if (ioperm(0xf4, 4, 1) != 0) {
		fprintf(stderr, "%s: ioperm 0xf4: %s\n", progname, strerror(errno));
		return 2;
	}
	outl((unsigned)code, 0xf4);
	/* only reached when there is no isa-debug-exit device */
	fprintf(stderr, "%s: port 0xf4: no isa-debug-exit device\n", progname);
	return 2;
}

/*
 * Since Linux 5.19 the viable flag is !iommu_group_dma_owner_claimed()
 * (vfio_group_ioctl_get_status(): drivers/vfio/vfio_main.c on 6.1, group.c since
 * 6.2), and SET_CONTAINER claims the group's DMA ownership
 * (iommu_group_claim_dma_owner(), refused with EPERM while a member's driver
 * uses the kernel's DMA API: drivers/iommu/iommu.c); before 5.19 both came
 * from vfio_group_viable().  A group that is viable must be attachable.
 */
static int vfio_viable(const char *group)
{
	char path[64];
	struct vfio_group_status st = { .argsz = sizeof st };
	int gfd, cfd, viable, attached, err = 0;

	snprintf(path, sizeof path, "/dev/vfio/%s", group);
	gfd = open(path, O_RDWR);
	if (gfd < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		return 2;
	}
	if (ioctl(gfd, VFIO_GROUP_GET_STATUS, &st) != 0) {
		fprintf(stderr, "%s: %s: VFIO_GROUP_GET_STATUS: %s\n", progname, path, strerror(errno));
		close(gfd);
		return 2;
	}
	viable = (st.flags & VFIO_GROUP_FLAGS_VIABLE) != 0;
	cfd = open("/dev/vfio/vfio", O_RDWR);
	if (cfd < 0) {
		fprintf(stderr, "%s: /dev/vfio/vfio: %s\n", progname, strerror(errno));
		close(gfd);
		return 2;
	}
	attached = ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd) == 0;
	if (!attached)
		err = errno;
	printf("group %s flags 0x%x %s, VFIO_GROUP_SET_CONTAINER %s%s\n", group, st.flags,
	       viable ? "viable" : "not-viable", attached ? "accepted" : "refused: ",
	       attached ? "" : strerror(err));
	/* closing the group fd gives the ownership back */
	close(gfd);
	close(cfd);
	if (viable != attached)
		return 3;
	return viable ? 0 : 1;
}

static int vfio_open(const char *group, const char *slot)
{
	char path[64];
	struct vfio_group_status st = { .argsz = sizeof st };
	struct vfio_device_info info = { .argsz = sizeof info };
	int gfd, cfd, dfd;

	snprintf(path, sizeof path, "/dev/vfio/%s", group);
	gfd = open(path, O_RDWR);
	if (gfd < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		return 2;
	}
	if (ioctl(gfd, VFIO_GROUP_GET_STATUS, &st) != 0) {
		fprintf(stderr, "%s: %s: VFIO_GROUP_GET_STATUS: %s\n", progname, path, strerror(errno));
		return 2;
	}
	printf("group %s flags 0x%x%s\n", group, st.flags,
	       (st.flags & VFIO_GROUP_FLAGS_VIABLE) ? " viable" : " not-viable");
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return 1;

	cfd = open("/dev/vfio/vfio", O_RDWR);
	if (cfd < 0) {
		fprintf(stderr, "%s: /dev/vfio/vfio: %s\n", progname, strerror(errno));
		return 1;
	}
	if (ioctl(cfd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd) != 0 ||
	    ioctl(cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0) {
		fprintf(stderr, "%s: %s: attaching to a type1 container: %s\n", progname, path,
			strerror(errno));
		return 1;
	}
	dfd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, slot);
	if (dfd < 0) {
		fprintf(stderr, "%s: %s: VFIO_GROUP_GET_DEVICE_FD: %s\n", progname, slot, strerror(errno));
		return 1;
	}
	if (ioctl(dfd, VFIO_DEVICE_GET_INFO, &info) != 0) {
		fprintf(stderr, "%s: %s: VFIO_DEVICE_GET_INFO: %s\n", progname, slot, strerror(errno));
		return 1;
	}
	printf("device %s%s regions %u irqs %u\n", slot,
	       (info.flags & VFIO_DEVICE_FLAGS_PCI) ? " pci" : "", info.num_regions, info.num_irqs);
	close(dfd);
	close(gfd);
	close(cfd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "exit") == 0)
		return debug_exit(argv[2]);
	if (argc == 3 && strcmp(argv[1], "viable") == 0)
		return vfio_viable(argv[2]);
	if (argc == 4 && strcmp(argv[1], "vfio") == 0)
		return vfio_open(argv[2], argv[3]);
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
