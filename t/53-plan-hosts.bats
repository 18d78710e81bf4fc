#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-plan and vfio-passthrough on host shapes a new user brings (issue
# 21): the disk / is on, the management NIC and the only display, which the
# host keeps; Intel with VT-d off by the kernel's default; containers and
# image trees; boot setups whose command line lives elsewhere.  Copies of
# t/data/hosts/* with real files from t/data/plan-hosts laid on them
# (t/data/plan-hosts/README says where each comes from).

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	PT="$TOP/scripts/passthrough"
	VP="$VFIOKIT_BIN/vfio-plan"
	IC="$VFIOKIT_BIN/iommu-check"
	PH="$TOP/t/data/plan-hosts"
	export STUB_LOG="$BATS_TEST_TMPDIR/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
	H="$BATS_TEST_TMPDIR/host"
}

host() { cp -a "$TOP/t/data/hosts/$1" "$H"; }

# nothing under the root's /etc changed, no state made, nothing run
untouched() {
	diff -r "$TOP/t/data/hosts/$1/etc" "$H/etc"
	[ ! -e "$H/var/lib/vfio-kit/journal" ]
	[ ! -s "$STUB_LOG" ]
}

# a link as the kernel makes it: ln -s TARGET (relative) LINK, directories made
link() { mkdir -p "$(dirname "$2")"; ln -s "$1" "$2"; }

# / on /dev/sda4 (8:4), the first SATA disk behind the AHCI controller 00:17.0
sata_root() {
	mkdir -p "$H/proc/self"
	cp "$PH/mountinfo.sata" "$H/proc/self/mountinfo"
	mkdir -p "$H/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda4"
	link ../../devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda4 \
		"$H/sys/dev/block/8:4"
}

# the default route leaves by Proxmox's bridge vmbr0, whose port is eno1, the I219-V at 00:1f.6
vmbr0_route() {
	mkdir -p "$H/proc/net" "$H/sys/devices/virtual/net/vmbr0" "$H/sys/devices/pci0000:00/0000:00:1f.6/net/eno1"
	sed 's/^eth0\t/vmbr0\t/' "$PH/route.captured" >"$H/proc/net/route"
	link ../../devices/virtual/net/vmbr0 "$H/sys/class/net/vmbr0"
	link ../../devices/pci0000:00/0000:00:1f.6/net/eno1 "$H/sys/class/net/eno1"
	link ../../../pci0000:00/0000:00:1f.6/net/eno1 "$H/sys/devices/virtual/net/vmbr0/lower_eno1"
}

@test "the SATA controller / is on (a real mountinfo) is refused, named with why, nothing written; --force passes it, saying so" {
	host proxmox-igpu
	sata_root
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:17.0
	[ "$stderr" = "passthrough: 0000:00:17.0: the controller of the root file system's disk (/ is on /dev/sda4 (8:4)): the host would not boot without it
passthrough: the host needs these to run; pass --force to pass them anyway" ] || { echo "$stderr"; false; }
	[ "$output" = "" ]
	untouched proxmox-igpu
	run -2 --separate-stderr "$VP" --root "$H" 0000:00:17.0
	[ "$output" = "" ]
	run -0 --separate-stderr "$PT" --force --no-refresh --root "$H" 0000:00:17.0
	[[ "$stderr" == *"passthrough: 0000:00:17.0: passed anyway (--force): the controller of the root file system's disk (/ is on /dev/sda4 (8:4))"* ]] || { echo "$stderr"; false; }
	grep -qxF 'options vfio-pci ids=8086:a352' "$H/etc/modprobe.d/vfio.conf"
}

@test "a root on LVM is followed through the dm device's slaves to the NVMe drive under it" {
	host proxmox-igpu
	mkdir -p "$H/proc/self" "$H/sys/devices/virtual/block/dm-1/slaves" "$H/sys/devices/virtual/block/dm-1/dm" \
		"$H/sys/devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p3"
	# the real file, its root line made an LVM volume (hand-made, in the real shape)
	sed 's|^20 1 8:4 / / rw,noatime - ext3 /dev/sda4 |20 1 253:1 / / rw,noatime - ext4 /dev/mapper/pve-root |' \
		"$PH/mountinfo.sata" >"$H/proc/self/mountinfo"
	grep -q '^20 1 253:1 / / ' "$H/proc/self/mountinfo"
	printf 'pve-root\n' >"$H/sys/devices/virtual/block/dm-1/dm/name"
	link ../../devices/virtual/block/dm-1 "$H/sys/dev/block/253:1"
	link ../../devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p3 "$H/sys/class/block/nvme0n1p3"
	link ../../../../pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p3 \
		"$H/sys/devices/virtual/block/dm-1/slaves/nvme0n1p3"
	run -2 --separate-stderr "$VP" --root "$H" 0000:02:00.0
	[[ "$stderr" == "vfio-plan: 0000:02:00.0: the controller of the root file system's disk (/ is on /dev/mapper/pve-root (253:1))"* ]] || { echo "$stderr"; false; }
	# the SATA controller holds no part of / here
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:17.0
}

@test "the management NIC (the default route's bridge vmbr0, port eno1) is refused, nothing written; --force passes it, saying so" {
	host proxmox-igpu
	vmbr0_route
	run -2 --separate-stderr "$PT" --group --root "$H" 0000:00:1f.6
	[[ "$stderr" == *"passthrough: 0000:00:1f.6: the management NIC (the default route leaves by vmbr0): the host would be cut off the network
passthrough: the host needs these to run; pass --force to pass them anyway" ]] || { echo "$stderr"; false; }
	untouched proxmox-igpu
	run -0 --separate-stderr "$VP" --force --group --root "$H" 0000:00:1f.6
	printf '%s\n' "$output" | grep -qxF "note	0000:00:1f.6: passed anyway (--force): the management NIC (the default route leaves by vmbr0): the host would be cut off the network"
}

@test "the only display, the boot display, is refused when no NIC with a default route stays; with one it is passed, saying the console goes dark" {
	host proxmox-igpu
	vmbr0_route
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	printf '%s\n' "$output" | grep -qxF "note	0000:00:02.0: the boot display: the host's console on it goes dark once vfio-pci has it"
	# the same host with no default route: nothing would be left to reach it by
	grep -v '^vmbr0	00000000	' "$H/proc/net/route" >"$H/proc/net/route.new"
	mv "$H/proc/net/route.new" "$H/proc/net/route"
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: 0000:00:02.0: the boot display and the host's only display, and no NIC with a default route stays with the host: nothing would be left to reach it by
passthrough: the host needs these to run; pass --force to pass them anyway" ] || { echo "$stderr"; false; }
	untouched proxmox-igpu
	# a default route by WireGuard (no PCI device of its own) is a way in too
	printf 'wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n' >>"$H/proc/net/route"
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	run -0 "$PT" --force --no-refresh --root "$H" 0000:00:02.0
}

@test "a default route on an interface name no kernel makes is refused, never followed" {
	host proxmox-igpu
	vmbr0_route
	sed -i 's/^vmbr0\t00000000/..\t00000000/' "$H/proc/net/route"
	run -2 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	[ "$stderr" = "vfio-plan: $H/proc/net/route: a default route on an interface name no kernel makes" ]
}

# Debian 12 on GRUB whose kernel leaves VT-d off (the x86_64 defconfig's
# "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set"): no groups, no DMAR units yet
vtd_off() {
	host debian-grub
	cp "$PH/config.x86_64_defconfig" "$H/boot/config-6.1.0-26-amd64"
	rm -r "$H/sys/kernel/iommu_groups"/* "$H/sys/class/iommu"/*
}

@test "Intel with VT-d off by the kernel's default: the run adds intel_iommu=on instead of stopping; the hints give the edit, the refresh and the reboot" {
	vtd_off
	run -1 --separate-stderr "$IC" --root "$H"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	printf '%s\n' "FAIL	cmdline	no intel_iommu=on and the kernel does not turn VT-d on by default" \
		"hint	cmdline	cmdline-edit --root $H -i -g --set intel_iommu=on --set iommu=pt $H/etc/default/grub && boot-refresh --root $H --bootloader-only # then reboot" \
		"FAIL	iommu	no IOMMU groups in /sys/kernel/iommu_groups" \
		"hint	iommu	the kernel command line above keeps it off: edit it, refresh, then reboot" >"$BATS_TEST_TMPDIR/want"
	sed -n '4,7p' "$BATS_TEST_TMPDIR/got" | diff -u "$BATS_TEST_TMPDIR/want" -
	run -0 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[[ "$stderr" != *"not usable"* ]] || { echo "$stderr"; false; }
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' "$H/etc/default/grub"
	grep -qx 'update-grub' "$STUB_LOG" || { cat "$STUB_LOG"; false; }
	# the firmware's VT-d off (no DMAR) still stops it: the edit cannot fix that
	rm -rf "$H" && vtd_off && : >"$STUB_LOG"
	rm "$H/sys/firmware/acpi/tables/DMAR"
	run -1 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[[ "$stderr" == *"passthrough: the IOMMU is not usable on this host (see iommu-check above)" ]]
	untouched debian-grub
}

# the IOMMU switched off by name on the running command line (the VM test's
# intel-off guest: QEMU's -append): the plan fixes it only in a file it edits
@test "intel_iommu=off on the running command line only: refused, exit 1, before any write; in /etc/default/grub: the off goes, on comes" {
	vtd_off
	sed -i 's/$/ intel_iommu=off/' "$H/proc/cmdline"
	run -1 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	printf '%s\n' "$stderr" | grep -q '^FAIL	cmdline	intel_iommu=off turns VT-d off$'
	[[ "$stderr" == *"passthrough: intel_iommu=off is on the running kernel's command line (/proc/cmdline) but not in /etc/default/grub: it comes from where this kit does not write, and the next boot would keep the IOMMU off; take it out there, reboot, and run this again" ]] ||
		{ echo "$stderr"; false; }
	untouched debian-grub
	run -1 "$PT" -n --root "$H" 0000:00:02.0
	untouched debian-grub
	# where the plan's file names it, the edit takes the "off" out
	sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=off iommu=off"/' \
		"$H/etc/default/grub"
	run -0 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' "$H/etc/default/grub" ||
		{ grep CMDLINE "$H/etc/default/grub"; false; }
	# a value the user already changed and has not booted yet: not refused
	rm -rf "$H" && vtd_off && : >"$STUB_LOG"
	sed -i 's/$/ intel_iommu=off/' "$H/proc/cmdline"
	sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"/' "$H/etc/default/grub"
	run -0 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	grep -qx 'update-grub' "$STUB_LOG"
}

@test "AMD: intel_iommu=off on the running command line means nothing there and is no refusal; amd_iommu=off from elsewhere is" {
	host debian-grub
	sed -i 's/GenuineIntel/AuthenticAMD/' "$H/proc/cpuinfo"
	sed -i 's/$/ intel_iommu=off/' "$H/proc/cmdline"
	cp -a "$H" "$BATS_TEST_TMPDIR/amd"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	rm -rf "$H" && cp -a "$BATS_TEST_TMPDIR/amd" "$H"
	sed -i 's/ intel_iommu=off$/ amd_iommu=off/' "$H/proc/cmdline"
	run -1 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	[[ "$stderr" == *"passthrough: amd_iommu=off is on the running kernel's command line (/proc/cmdline) but not in /etc/default/grub"* ]] ||
		{ echo "$stderr"; false; }
	diff -r "$BATS_TEST_TMPDIR/amd/etc" "$H/etc"
}

@test "a container (podman's /run/.containerenv) is told the IOMMU is its host's, not to enable VT-d; vfio-passthrough exits 0 there, writing nothing" {
	host proxmox-igpu
	# podman masks /sys/firmware in the container: no table to be seen
	rm -r "$H/sys/firmware/acpi"
	mkdir -p "$H/run" && : >"$H/run/.containerenv"
	run -0 --separate-stderr "$IC" --root "$H"
	printf '%s\n' "$output" | grep -qxF "WARN	firmware	a container (/run/.containerenv): no ACPI DMAR table to be seen from inside it"
	printf '%s\n' "$output" | grep -qxF "hint	firmware	run iommu-check on the container's host"
	[[ "$output" != *"enable VT-d"* ]]
	run -0 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H is a container: PCI passthrough is set up on its host" ]
	untouched proxmox-igpu
}

@test "an image tree (no sysfs, no /proc) is not told to enable VT-d: it is said to be an image, with nothing failed" {
	host proxmox-igpu
	rm -r "$H/sys" "$H/proc"
	mkdir "$H/sys" "$H/proc"
	run -0 --separate-stderr "$IC" --root "$H"
	printf '%s\n' "$output" | grep -qxF "WARN	firmware	an image, not a running system (nothing of sysfs in /sys)"
	printf '%s\n' "$output" | grep -qxF "hint	firmware	run iommu-check on the machine that boots it"
	[[ "$output" != *"enable VT-d"* && "$output" != *FAIL* ]]
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/sys: an image, not a running system (nothing of sysfs here): its PCI devices are read on the machine that boots it; run this there" ]
	untouched proxmox-igpu
}

# Pop!_OS: debian-grub's machine booted by systemd-boot with kernelstub's
# entry (kernelstub/installer.py make_loader_entry) and configuration
popos() {
	host debian-grub
	rm -r "$H/etc/default/grub" "$H/boot/grub"
	mkdir -p "$H/boot/efi/loader/entries" "$H/etc/kernelstub"
	printf 'default Pop_OS-current\n' >"$H/boot/efi/loader/loader.conf"
	printf '%s\n' 'title Pop!_OS' \
		'linux /EFI/Pop_OS-0b3e7957-8861-439f-a02d-4be9db8e07cf/vmlinuz.efi' \
		'initrd /EFI/Pop_OS-0b3e7957-8861-439f-a02d-4be9db8e07cf/initrd.img' \
		'options root=UUID=0b3e7957-8861-439f-a02d-4be9db8e07cf ro quiet loglevel=0 systemd.show_status=false splash' \
		>"$H/boot/efi/loader/entries/Pop_OS-current.conf"
	cp "$PH/kernelstub-configuration" "$H/etc/kernelstub/configuration"
	printf '#!/bin/sh\n' >"$H/usr/sbin/kernelstub" && chmod 755 "$H/usr/sbin/kernelstub"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	cp -a "$H/boot" "$BATS_TEST_TMPDIR/boot.before"
}

@test "Pop!_OS: the entry kernelstub rewrites is not edited; refused with the kernelstub -a command, nothing written; once kernelstub has them, the rest is done" {
	popos
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[[ "$stderr" == "passthrough: $H/etc/kernelstub/configuration: Pop!_OS's kernelstub writes the boot entry's options from this file at every kernel and initramfs update: an edit of the entry would be lost; nothing written
passthrough: run: chroot $H kernelstub -a \"intel_iommu=on iommu=pt\"
passthrough: then run this again" ]] || { echo "$stderr"; false; }
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	diff -r "$BATS_TEST_TMPDIR/boot.before" "$H/boot"
	[ ! -s "$STUB_LOG" ]
	# what kernelstub -a does to its configuration (config.py: "user" -> "kernel_options")
	sed -i 's/^      "splash"$/      "splash",\n      "intel_iommu=on",\n      "iommu=pt"/' "$H/etc/kernelstub/configuration"
	grep -qx '      "iommu=pt"' "$H/etc/kernelstub/configuration"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	[[ "$stderr" == *"kernelstub carries the kernel command line: the entries are left to it"* ]] || { echo "$stderr"; false; }
	diff -r "$BATS_TEST_TMPDIR/boot.before" "$H/boot"
	grep -qx 'options vfio-pci ids=8086:3e92 disable_vga=1' "$H/etc/modprobe.d/vfio.conf"
}

@test "NixOS: refused before anything is written, with the configuration.nix lines (boot.kernelParams) for this host and device" {
	host proxmox-igpu
	: >"$H/etc/NIXOS"
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/etc/NIXOS: NixOS: /etc, the initramfs and the boot entries are built from configuration.nix; nothing written
passthrough: put in /etc/nixos/configuration.nix, then nixos-rebuild boot and reboot:
passthrough:   boot.kernelParams = [ \"intel_iommu=on\" \"iommu=pt\" ];
passthrough:   boot.initrd.kernelModules = [ \"vfio_pci\" \"vfio\" \"vfio_iommu_type1\" ];
passthrough:   boot.extraModprobeConfig = \"options vfio-pci ids=8086:3e92\";" ] || { echo "$stderr"; false; }
	[ "$output" = "" ]
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc" -x NIXOS
	[ ! -e "$H/var/lib/vfio-kit" ]
	[ ! -s "$STUB_LOG" ]
}

@test "Silverblue/bootc (ostree): refused before anything is written, with the rpm-ostree kargs command" {
	host debian-grub
	mkdir -p "$H/run" && : >"$H/run/ostree-booted"
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[[ "$stderr" == "passthrough: $H/run/ostree-booted: an ostree system: its boot entries are ostree's, their options rpm-ostree's kargs; nothing written
passthrough: run on it: rpm-ostree kargs --delete-if-present=intel_iommu=igfx_off --delete-if-present=intel_iommu=off --append-if-missing=intel_iommu=on --delete-if-present=iommu=off --append-if-missing=iommu=pt --append-if-missing=vfio-pci.ids=8086:3e92 --append-if-missing=rd.driver.pre=vfio_pci
passthrough: and, for vfio-pci in its initramfs: rpm-ostree initramfs --enable"* ]] || { echo "$stderr"; false; }
	untouched debian-grub
}

@test "UKI (kernel-install layout=uki): /etc/kernel/cmdline is edited and the plan says it goes into each UKI when kernel-install re-adds the kernel" {
	host debian-grub
	rm -r "$H/etc/default/grub" "$H/boot/grub"
	mkdir -p "$H/efi/loader" "$H/etc/kernel"
	printf 'timeout 3\n' >"$H/efi/loader/loader.conf"
	printf 'layout=uki\n' >"$H/etc/kernel/install.conf"
	printf 'root=UUID=0b3e7957-8861-439f-a02d-4be9db8e07cf ro quiet\n' >"$H/etc/kernel/cmdline"
	printf '#!/bin/sh\n' >"$H/usr/sbin/kernel-install" && chmod 755 "$H/usr/sbin/kernel-install"
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	printf '%s\n' "$output" | grep -qxF "edit	/etc/kernel/cmdline	cmdline-edit	-	--merge	intel_iommu=on"
	printf '%s\n' "$output" | grep -qxF "note	/etc/kernel/cmdline goes into each unified kernel image (its .cmdline section) when kernel-install adds the kernel (layout=uki): the refresh re-adds them"
}

# Fedora 40 on the same machine: dracut, grub2-mkconfig that knows
# --update-bls-cmdline, anaconda's /etc/default/grub and BLS entries, to
# which grubby --update-kernel=ALL --args= added its parameters
fedora() {
	host debian-grub
	rm -r "$H/etc/initramfs-tools" "$H/usr/sbin/update-initramfs" "$H/usr/sbin/update-grub" \
		"$H/usr/sbin/grub-mkconfig" "$H/boot/grub"
	printf '#!/bin/sh\n' >"$H/usr/sbin/dracut"
	printf '#!/bin/sh\n# --update-bls-cmdline\n' >"$H/usr/sbin/grub2-mkconfig"
	chmod 755 "$H/usr/sbin/dracut" "$H/usr/sbin/grub2-mkconfig"
	mkdir -p "$H/boot/grub2" "$H/boot/loader/entries" "$H/etc/dracut.conf.d"
	printf '# generated\n' >"$H/boot/grub2/grub.cfg"
	cp "$PH/fedora/grub" "$H/etc/default/grub"
	local m=3f5ac1a2b6c94e0e9d6f4c2b8e7a1d00 k
	for k in 6.8.5-301.fc40.x86_64 6.8.7-300.fc40.x86_64; do
		sed "s/6.8.5-301.fc40.x86_64/$k/g" "$PH/fedora/entry.conf" >"$H/boot/loader/entries/$m-$k.conf"
	done
	# what grubby --update-kernel=ALL --args="nvidia-drm.modeset=1" did, and --args=mitigations=off on one
	sed -i 's/^options .*/& nvidia-drm.modeset=1/' "$H/boot/loader/entries/"*.conf
	sed -i 's/^options .*/& mitigations=off/' "$H/boot/loader/entries/$m-6.8.7-300.fc40.x86_64.conf"
	sed "s/6.8.5-301.fc40.x86_64/0-rescue-$m/g; s/ nvidia-drm.modeset=1//" "$PH/fedora/entry.conf" \
		>"$H/boot/loader/entries/$m-0-rescue.conf"
}

@test "Fedora with grubby-added arguments: what every entry has is carried into /etc/default/grub before the refresh rewrites the entries; what some have is said" {
	fedora
	# entries read as the boot loader reads them (common/bootentry): an EFI
	# shell's entry is no kernel's, and an indented options line counts
	cp "$TOP/t/data/cmdline-real/entries/windows-shell.conf" "$H/boot/loader/entries/"
	sed -i 's/^options /  options /' "$H/boot/loader/entries/3f5ac1a2b6c94e0e9d6f4c2b8e7a1d00-6.8.5-301.fc40.x86_64.conf"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	[[ "$stderr" == *"every entry has nvidia-drm.modeset=1, which /etc/default/grub lacks (grubby --args?): grub2-mkconfig --update-bls-cmdline would drop it; carried into /etc/default/grub"* ]] || { echo "$stderr"; false; }
	[[ "$stderr" == *"some entries have mitigations=off, which /etc/default/grub lacks: grub2-mkconfig --update-bls-cmdline drops it from them"* ]] || { echo "$stderr"; false; }
	# what 10_linux will put on each entry's options line: root=... ro $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT
	[ "$(sh -c '. "$1"; printf "%s %s" "$GRUB_CMDLINE_LINUX" "$GRUB_CMDLINE_LINUX_DEFAULT"' _ "$H/etc/default/grub")" = \
		"rhgb quiet intel_iommu=on iommu=pt nvidia-drm.modeset=1" ]
	# --undo takes back what the run needs, never the user's carried parameter
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$(sh -c '. "$1"; printf "%s %s" "$GRUB_CMDLINE_LINUX" "$GRUB_CMDLINE_LINUX_DEFAULT"' _ "$H/etc/default/grub")" = \
		"rhgb quiet nvidia-drm.modeset=1" ]
}
