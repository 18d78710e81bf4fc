/*
 * vmhelper: what the guest's busybox shell cannot do by itself in the VM test.
 *
 *   vmhelper exit CODE        write CODE to QEMU's isa-debug-exit port (0xf4);
 *                             QEMU then exits with status (CODE << 1) | 1
 *   vmhelper vfio GROUP SLOT  open /dev/vfio/GROUP, print its VFIO_GROUP_GET_STATUS
 *                             flags, and when viable attach it to a type1 container
 *                             and open SLOT's device fd, as a VMM would
 *
 * Built with gcc -static by scripts/check-vm; runs only inside the test guest.
 * Exit: 0 done / viable and usable, 1 not viable or the device could not be
 * opened, 2 trouble (bad usage, no such group).
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
	fprintf(f, "usage: %s exit CODE | vfio GROUP SLOT\n", progname);
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
	if (argc == 4 && strcmp(argv[1], "vfio") == 0)
		return vfio_open(argv[2], argv[3]);
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
