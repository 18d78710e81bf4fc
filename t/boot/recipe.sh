# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2034 # sourced: its variables are check-boot's
# t/boot/recipe.sh: how scripts/check-boot builds each install's tree, sourced
# by it.  The tree is cached under ~/.cache/vfio-kit/boot/ keyed by a hash of
# this file and the kernel package linux-image-amd64 depends on: edit this
# file and the next run builds afresh; nothing else reaches the cache.
# Each install is a Debian 12 as its installer would leave it, but for what
# a serial-console test machine needs (console=ttyS0, no boot menu timeout).
#
# The test machines' own kernel parameters, beside what vfio-passthrough
# writes: the serial console; no_timer_check, because under TCG on a loaded
# host the kernel's IO-APIC timer check can miss its ticks and, with interrupt
# remapping on, panics ("timer doesn't work through Interrupt-remapped
# IO-APIC", seen on the UEFI install's second boot); panic=-1, so a panic
# ends QEMU (-no-reboot) instead of hanging until the timeout.
machine_params="console=ttyS0 no_timer_check panic=-1"

suite=bookworm
# what both installs have; minbase + what a booting, initramfs-using system needs
base_pkgs=systemd-sysv,udev,kmod,linux-image-amd64,e2fsprogs,zstd
# the VM inside the install (t/boot/nested.sh): QEMU, and busybox for its initramfs
base_pkgs=$base_pkgs,qemu-system-x86,busybox-static,cpio
# the boot loader and the initramfs generator of each install: Debian
# packages both; dracut Conflicts: initramfs-tools and Provides the
# linux-initramfs-tool the kernel package depends on
pkgs_bios=grub-pc,dracut
pkgs_uefi=systemd-boot,dosfstools,initramfs-tools

# fixed identities: the file systems and machine-id are made from these, and the
# guest checks root= against them
root_uuid_bios=6b1f3c2e-0c1d-4c8e-9a41-0b5f1e2d3c01
root_uuid_uefi=6b1f3c2e-0c1d-4c8e-9a41-0b5f1e2d3c02
esp_volid=CB0E5F15
machine_id_bios=5e0c7a1d2b3c4d5e6f708192a3b4c5d1
machine_id_uefi=5e0c7a1d2b3c4d5e6f708192a3b4c5d2

# Kernel modules for hardware these machines do not have are left out of the
# tree (path-exclude; only intel's Ethernet drivers kept); e1000e is put in
# the initramfs by each generator's own configuration (recipe_customize).
# Not /usr/share/doc: dpkg fails on a binNMU's changelog.Debian.amd64.gz there.
recipe_excludes="sound drivers/gpu drivers/media drivers/net/wireless drivers/infiniband
drivers/staging drivers/bluetooth net/bluetooth drivers/iio drivers/hid drivers/net/ethernet
drivers/net/usb drivers/net/phy drivers/net/ppp drivers/net/ieee802154 drivers/net/wwan
drivers/net/can drivers/i2c/busses drivers/usb/storage drivers/mmc drivers/input/keyboard
drivers/message drivers/nvme/target drivers/scsi/*"
recipe_includes="drivers/net/ethernet/intel"

# recipe_tree KIND DIR: mmdebstrap the tree of install KIND (bios, uefi) into DIR
recipe_tree() {
	kind=$1 dir=$2 pkgs=''
	eval "pkgs=\$pkgs_$kind"
	set -f	# the patterns are dpkg's
	set --
	for p in $recipe_excludes; do set -- "$@" --dpkgopt="path-exclude=/lib/modules/*/kernel/$p/*"; done
	for p in $recipe_includes; do set -- "$@" --dpkgopt="path-include=/lib/modules/*/kernel/$p/*"; done
	# grub-pc asks where to install itself; the first boot runs grub-install
	mmdebstrap --variant=minbase --mode=root --include="$base_pkgs,$pkgs" "$@" \
		--essential-hook='echo "grub-pc grub-pc/install_devices_empty boolean true" | chroot "$1" debconf-set-selections' \
		"$suite" "$dir" || return 1
	recipe_customize "$kind" "$dir"
}

# recipe_customize KIND DIR: what the installer writes: fstab, machine-id,
# hostname, the boot loader's and the initramfs generator's configuration
recipe_customize() {
	kind=$1 dir=$2 uuid='' mid=''
	eval "uuid=\$root_uuid_$kind mid=\$machine_id_$kind"
	echo "$mid" >"$dir/etc/machine-id"
	echo "check-boot-$kind" >"$dir/etc/hostname"
	echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$dir/etc/fstab"
	case $kind in
	bios)
		# the serial console is GRUB_CMDLINE_LINUX's, the line vfio-passthrough
		# leaves alone; GRUB_CMDLINE_LINUX_DEFAULT stays Debian's "quiet"
		sed -i "s/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/; s/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX=\"$machine_params\"/" \
			"$dir/etc/default/grub"
		# dracut as Debian configures it, not hostonly: the image carries
		# no /etc/modprobe.d file that no drop-in names in install_items
		# (modules.d/90kernel-modules).  vfio-passthrough's drop-in must
		# name vfio.conf; check-boot.conf stays out, which shows it.
		[ -d "$dir/etc/dracut.conf.d" ] && [ ! -e "$dir/etc/initramfs-tools" ] || return 1
		echo "# check-boot: a file of the machine's own, left out of the initramfs" \
			>"$dir/etc/modprobe.d/check-boot.conf"
		# Under TCG, dracut's cost is its process starts, as mkinitramfs's
		# (see uefi): Debian's defaults ran 61 s of CPU in a chroot of this
		# tree, 177 modules; "drivers" (the modules alone, as MODULES=dep)
		# and no dracut modules for storage these machines lack, 21 s and
		# 26 modules, ~900 execve.  e1000e goes in (add_drivers) for the
		# same early-boot race as on uefi; vfio-passthrough must leave the
		# file be.  The tree's own image is made again with it: the first
		# boot's.
		cat >"$dir/etc/dracut.conf.d/10-check-boot.conf" <<-'EOF' || return 1
		# check-boot: this machine's root, and its NIC driver
		drivers+=" virtio_blk virtio_pci ext4 "
		add_drivers+=" e1000e "
		omit_dracutmodules+=" crypt dm nvdimm qemu virtiofs overlay-root lunmask resume terminfo kernel-modules-extra usrmount "
		EOF
		chroot "$dir" dracut -q -f --regenerate-all || return 1 ;;
	uefi)
		v=$(echo "$esp_volid" | sed 's/\(....\)\(....\)/\1-\2/')
		echo "UUID=$v /boot/efi vfat umask=0077 0 1" >>"$dir/etc/fstab"
		mkdir -p "$dir/boot/efi" "$dir/etc/kernel"
		# kernel-install's 90-loaderentry takes the entries' options from here
		echo "root=UUID=$uuid ro $machine_params quiet" >"$dir/etc/kernel/cmdline"
		# initramfs-tools: MODULES=dep (initramfs.conf(5): the modules the
		# running system's root needs, plus /etc/initramfs-tools/modules), as
		# many hosts have it, instead of Debian's default MODULES=most.  Under
		# TCG, mkinitramfs's cost is its process starts: "most" ran 5,544
		# execve in a chroot of this tree (strace -f), a short list 1,017:
		# the most of update-initramfs's time, saved twice an install
		# (vfio-passthrough, --undo).  e1000e is listed, so it is
		# in the initramfs and udev loads it there: the early-boot race between
		# e1000e and vfio-pci, the one vfio-passthrough must win, is as real as
		# with "most"; and vfio-passthrough's edit of this file must keep the
		# line, byte for byte (guest.sh checks it after --undo).
		sed -i 's/^MODULES=.*/MODULES=dep/' "$dir/etc/initramfs-tools/initramfs.conf"
		grep -qx 'MODULES=dep' "$dir/etc/initramfs-tools/initramfs.conf" || return 1
		printf '%s\n' '# the NIC driver, in the initramfs (check-boot)' e1000e >>"$dir/etc/initramfs-tools/modules" ;;
	esac
	# no login prompt on the console the results are read from
	ln -sf /dev/null "$dir/etc/systemd/system/serial-getty@ttyS0.service"
}
