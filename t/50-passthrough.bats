#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/passthrough (vfio-passthrough) and make demo on copies of the
# bundled example hosts.  The hosts' update-initramfs, update-grub and
# proxmox-boot-tool are stand-ins that append their call to $STUB_LOG;
# VFIOKIT_NO_CHROOT=1 lets boot-refresh run them without chroot.

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	PT="$TOP/scripts/passthrough"
	: "${VFIOKIT_BIN:=$TOP/build/std/seams/bin}"	# make t/lib: the test build
	for t in pci-list modalias-of iommu-check cmdline-edit modconf-edit boot-refresh; do
		[ -x "$VFIOKIT_BIN/$t" ] || { echo "$VFIOKIT_BIN/$t is not built (make)" >&2; return 1; }
	done
	export STUB_LOG="$BATS_TEST_TMPDIR/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
	H="$BATS_TEST_TMPDIR/host"
}

host() { cp -a "$TOP/t/data/hosts/$1" "$H"; }

want() { printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/want"; }
same() { diff -u "$BATS_TEST_TMPDIR/want" "$1"; }

@test "make demo prints the guide's edits and the refresh commands" {
	run -0 sh "$TOP/scripts/demo"
	for l in "+vfio_pci" "+vfio" "+vfio_iommu_type1" \
		"+options vfio-pci ids=8086:3e92 disable_vga=1" "+softdep i915 pre: vfio-pci" \
		"-root=ZFS=rpool/ROOT/pve-1 boot=zfs" \
		"+root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" \
		"update-initramfs -u -k all" "proxmox-boot-tool refresh"; do
		printf '%s\n' "$output" | grep -qFx -- "$l" || { echo "missing: $l"; false; }
	done
	printf '%s\n' "$output" | grep -q '^--- .*/etc/modules$'
	printf '%s\n' "$output" | grep -q '^--- .*/etc/modprobe.d/vfio.conf$'
	printf '%s\n' "$output" | grep -q '^--- .*/etc/kernel/cmdline$'
}

@test "-n on the example host prints the whole plan and changes nothing" {
	host proxmox-igpu
	run --separate-stderr -0 "$PT" -n --root "$H" 0000:00:02.0
	want "--- $H/etc/modules" "+++ $H/etc/modules" "@@ -4,3 +4,6 @@" \
		' # at boot time, one per line. Lines beginning with "#" are ignored.' \
		' # Parameters can be specified after the module name.' ' ' \
		'+vfio_pci' '+vfio' '+vfio_iommu_type1' \
		"--- $H/etc/modprobe.d/vfio.conf" "+++ $H/etc/modprobe.d/vfio.conf" '@@ -0,0 +1,2 @@' \
		'+options vfio-pci ids=8086:3e92 disable_vga=1' '+softdep i915 pre: vfio-pci' \
		"--- $H/etc/kernel/cmdline" "+++ $H/etc/kernel/cmdline" '@@ -1 +1 @@' \
		'-root=ZFS=rpool/ROOT/pve-1 boot=zfs' \
		'+root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt' \
		'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	same "$BATS_TEST_TMPDIR/got"
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	[ ! -s "$STUB_LOG" ]
}

@test "applied to the example host, then a second run with -n shows nothing" {
	host proxmox-igpu
	run -0 "$PT" --root "$H" 8086:3e92
	want "update-initramfs -u -k all" "proxmox-boot-tool refresh"
	same "$STUB_LOG"
	want 'options vfio-pci ids=8086:3e92 disable_vga=1' 'softdep i915 pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	same "$H/etc/kernel/cmdline"
	[ "$(tail -n 3 "$H/etc/modules")" = "vfio_pci
vfio
vfio_iommu_type1" ]
	: >"$STUB_LOG"
	run -0 "$PT" -n --root "$H" 8086:3e92
	[ "$output" = "" ]
	run -0 "$PT" --root "$H" 8086:3e92
	[ "$output" = "" ]
	[ ! -s "$STUB_LOG" ]
}

@test "--no-refresh edits the files and runs nothing" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	[ ! -s "$STUB_LOG" ]
	grep -qFx 'softdep i915 pre: vfio-pci' "$H/etc/modprobe.d/vfio.conf"
}

@test "--method blacklist: blacklist i915 and the options line (guide 3a)" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --method blacklist --root "$H" 0000:00:02.0
	want 'blacklist i915'
	same "$H/etc/modprobe.d/blacklist.conf"
	want 'options vfio-pci ids=8086:3e92 disable_vga=1'
	same "$H/etc/modprobe.d/vfio.conf"
}

@test "--method alias: the device's modalias aliased to vfio-pci plus the options line (guide 3b)" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --method alias --root "$H" 0000:00:02.0
	want 'options vfio-pci ids=8086:3e92 disable_vga=1' \
		'alias pci:v00008086d00003E92sv00001458sd0000D000bc03sc00i00 vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	[ ! -e "$H/etc/modprobe.d/blacklist.conf" ]
}

@test "--method softdep: softdep in modprobe.d, the ids on the kernel command line" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --method softdep --root "$H" 0000:00:02.0
	want 'softdep i915 pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt vfio-pci.ids=8086:3e92 vfio-pci.disable_vga=1'
	same "$H/etc/kernel/cmdline"
}

@test "Debian with GRUB: GRUB_CMDLINE_LINUX_DEFAULT, vfio_virqfd before Linux 6.2, update-grub" {
	host debian-grub
	run -0 "$PT" --root "$H" 0000:00:02.0
	grep -qFx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' "$H/etc/default/grub"
	[ "$(tail -n 4 "$H/etc/modules")" = "vfio_pci
vfio
vfio_iommu_type1
vfio_virqfd" ]
	want "update-initramfs -u -k all" "update-grub"
	same "$STUB_LOG"
	diff <(grep -v GRUB_CMDLINE_LINUX_DEFAULT "$TOP/t/data/hosts/debian-grub/etc/default/grub") \
		<(grep -v GRUB_CMDLINE_LINUX_DEFAULT "$H/etc/default/grub")
}

@test "an AMD CPU gets only iommu=pt" {
	host proxmox-igpu
	sed -i 's/GenuineIntel/AuthenticAMD/' "$H/proc/cpuinfo"
	rm "$H/sys/firmware/acpi/tables/DMAR"
	: >"$H/sys/firmware/acpi/tables/IVRS"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt'
	same "$H/etc/kernel/cmdline"
}

@test "vfio_pci built into the kernel (Ubuntu): vfio-pci.ids on the kernel command line, no modprobe.d" {
	host proxmox-igpu
	m="$H/lib/modules/6.8.12-4-pve"
	printf '%s\n' kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
		kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/pci/vfio-pci.ko >>"$m/modules.builtin"
	grep -v vfio "$m/modules.dep" >"$m/dep" && mv "$m/dep" "$m/modules.dep"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt vfio-pci.ids=8086:3e92 vfio-pci.disable_vga=1'
	same "$H/etc/kernel/cmdline"
	[ ! -e "$H/etc/modprobe.d/vfio.conf" ]
	diff "$TOP/t/data/hosts/proxmox-igpu/etc/modules" "$H/etc/modules"
}

@test "a device sharing its IOMMU group is reported and refused without --group" {
	host proxmox-igpu
	run --separate-stderr -2 "$PT" -n --root "$H" 0000:00:1f.6
	[ "$output" = "" ]
	# 1f.0 (LPC) and 1f.5 (SPI) are on no driver: they do not block vfio
	[ "$stderr" = "passthrough: 0000:00:1f.3: shares IOMMU group 7 on snd_hda_intel and must go to the VM too
passthrough: 0000:00:1f.4: shares IOMMU group 7 on i801_smbus and must go to the VM too
passthrough: IOMMU group 7 has other devices: pass --group to take them along" ]
}

@test "--group takes along the group's members on drivers; softdep names the module (i2c_i801), not the driver (i801_smbus)" {
	host proxmox-igpu
	run -0 "$PT" --group --no-refresh --root "$H" 0000:00:1f.6
	want 'options vfio-pci ids=8086:15bc,8086:a348,8086:a323' \
		'softdep e1000e pre: vfio-pci' 'softdep i2c_i801 pre: vfio-pci' \
		'softdep snd_hda_intel pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
}

@test "an unknown device is exit 2 and nothing is written" {
	host proxmox-igpu
	run --separate-stderr -2 "$PT" --root "$H" 10de:1b80
	[ "$stderr" = "passthrough: 10de:1b80: no such PCI device under $H" ]
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "a container: said so, nothing done" {
	host proxmox-igpu
	mkdir -p "$H/run/systemd" && echo lxc >"$H/run/systemd/container"
	run --separate-stderr -0 "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H is a container: PCI passthrough is set up on its host" ]
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "bad usage is exit 2" {
	run -2 "$PT" --method vfio 0000:00:02.0
	run -2 "$PT"
	run -0 "$PT" --help
	[ "${lines[0]}" = "usage: passthrough [--root DIR] [-n] [--no-refresh] [--force] [--group] [--method slot|ids|blacklist|alias|softdep] [--undo] DEVICE..." ]
	# each method in one line
	for m in slot ids blacklist alias softdep; do
		printf '%s\n' "$output" | grep -q "^     $m  *[a-z]"
	done
}

@test "an IOMMU check that fails for more than the command line stops it, exit 1, nothing written" {
	host proxmox-igpu
	rm "$H/sys/firmware/acpi/tables/DMAR"
	run --separate-stderr -1 "$PT" --root "$H" 0000:00:02.0
	[ "$output" = "" ]
	[ "${stderr_lines[-1]}" = "passthrough: the IOMMU is not usable on this host (see iommu-check above)" ]
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

# add_dev SLOT LIKE GROUP [DRIVER]: a device at SLOT (behind root port 00:1d.0)
# with the attributes of LIKE, alone in IOMMU group GROUP, on DRIVER (LIKE's)
add_dev() {
	local s=$H/sys dev like drv=${4:-}
	like=$(readlink -f "$s/bus/pci/devices/$2")
	dev=$s/devices/pci0000:00/0000:00:1d.0/$1
	mkdir -p "$dev" "$s/kernel/iommu_groups/$3/devices"
	for f in "$like"/*; do [ -L "$f" ] || [ -d "$f" ] || cp "$f" "$dev/"; done
	ln -s "../../../devices/pci0000:00/0000:00:1d.0/$1" "$s/bus/pci/devices/$1"
	ln -s "$(realpath --relative-to="$dev" "$s/kernel/iommu_groups/$3")" "$dev/iommu_group"
	ln -s "$(realpath --relative-to="$s/kernel/iommu_groups/$3/devices" "$dev")" \
		"$s/kernel/iommu_groups/$3/devices/$1"
	[ -n "$drv" ] || drv=$(basename "$(readlink "$like/driver")")
	[ "$drv" = - ] || ln -s "$(realpath --relative-to="$dev" "$s/bus/pci/drivers/$drv")" "$dev/driver"
}

@test "twins: one of two identical NICs binds by slot (install hook + softdep), the twin keeps e1000e" {
	host proxmox-igpu
	add_dev 0000:03:00.0 0000:00:1f.6 9
	run --separate-stderr -0 "$PT" --no-refresh --root "$H" 0000:03:00.0
	[ "$stderr" = "passthrough: ids 8086:15bc also match 0000:00:1f.6: binding by slot (--method slot)" ]
	want 'install vfio-pci for d in 0000:03:00.0; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; modprobe --ignore-install vfio-pci $CMDLINE_OPTS' \
		'softdep e1000e pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	# kmod's own reading of it (modprobe -c -C): the install command as written
	if command -v modprobe >/dev/null; then
		modprobe -c -C "$H/etc/modprobe.d" >"$BATS_TEST_TMPDIR/c" 2>/dev/null || true
		grep -qFx 'install vfio_pci for d in 0000:03:00.0; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; modprobe --ignore-install vfio-pci $CMDLINE_OPTS' "$BATS_TEST_TMPDIR/c"
		grep -qFx 'softdep e1000e pre: vfio-pci' "$BATS_TEST_TMPDIR/c"
	fi
	# the softdep does not carry vfio-pci.ko into initramfs-tools' image when
	# an install hook stands for it: the module list does (make check-boot)
	[ "$(tail -n 3 "$H/etc/initramfs-tools/modules")" = "vfio_pci
vfio
vfio_iommu_type1" ]
	# idempotent; a second device joins the slot list
	run -0 "$PT" -n --no-refresh --root "$H" 0000:03:00.0
	[ "$output" = "" ]
	add_dev 0000:04:00.0 0000:00:1f.6 10
	run -0 "$PT" --no-refresh --root "$H" 0000:04:00.0
	grep -qF 'install vfio-pci for d in 0000:03:00.0 0000:04:00.0; do' "$H/etc/modprobe.d/vfio.conf"
}

@test "twins: --method ids refuses, naming the device it would take too; nothing written" {
	host proxmox-igpu
	add_dev 0000:03:00.0 0000:00:1f.6 9
	run --separate-stderr -2 "$PT" --method ids --root "$H" 0000:03:00.0
	[ "$stderr" = "passthrough: --method ids binds by ids (8086:15bc), which also match 0000:00:1f.6: use --method slot" ]
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	[ ! -s "$STUB_LOG" ]
}

@test "a twin whose driver is built into the kernel: --method slot refuses, nothing in modprobe.d comes first" {
	host proxmox-igpu
	add_dev 0000:03:00.0 0000:00:1f.6 9
	rm "$H/sys/bus/pci/drivers/e1000e/module"
	sed -i '/e1000e/d' "$H/lib/modules/6.8.12-4-pve/modules.alias"
	run --separate-stderr -2 "$PT" --root "$H" 0000:03:00.0
	[ "${stderr_lines[-1]}" = "passthrough: --method slot: e1000e is built into 6.8.12-4-pve, nothing in modprobe.d comes before it" ]
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "a USB controller: softdep names the module xhci_pci, not the driver xhci_hcd" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:14.0
	want 'options vfio-pci ids=8086:a36d' 'softdep xhci_pci pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	run -0 "$PT" --no-refresh --method blacklist --root "$H" 0000:00:14.0
	want 'blacklist xhci_pci'
	same "$H/etc/modprobe.d/blacklist.conf"
}

@test "an LPC bridge on lpc_ich in the NIC's group: refused with or without --group, nothing written" {
	host proxmox-igpu
	ln -s ../../../bus/pci/drivers/e1000e "$H/sys/devices/pci0000:00/0000:00:1f.0/driver"
	mkdir "$H/sys/bus/pci/drivers/lpc_ich" && ln -sfn ../../../bus/pci/drivers/lpc_ich "$H/sys/devices/pci0000:00/0000:00:1f.0/driver"
	for g in "" --group; do
		run --separate-stderr -2 "$PT" $g --root "$H" 0000:00:1f.6
		[ "${stderr_lines[-1]}" = "passthrough: 0000:00:1f.0: a bridge on lpc_ich shares IOMMU group 7: vfio cannot claim the group while it keeps its driver, and the host cannot give it away (iommu-check --device)" ]
	done
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "a GPU behind a root port on pcieport in its group: the port stays, the GPU goes" {
	host proxmox-igpu
	add_dev 0000:03:00.0 0000:00:02.0 6 -
	ln -s ../../../../bus/pci/drivers/i915 "$H/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0/driver"
	printf '0x1b80\n' >"$H/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0/device"
	printf 'pci:v000010DEd00001B80sv00001458sd0000D000bc03sc00i00\n' >"$H/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0/modalias"
	printf '0\n' >"$H/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0/boot_vga"
	run --separate-stderr -0 "$PT" --no-refresh --root "$H" 0000:03:00.0
	[ "$stderr" = "" ]
	want 'options vfio-pci ids=10de:1b80 disable_vga=1' 'softdep i915 pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
}

@test "guide leftovers: igfx_off gives way to on for the iGPU; vfio_virqfd goes on Linux 6.2 and later" {
	host proxmox-igpu
	echo 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=igfx_off' >"$H/etc/kernel/cmdline"
	printf 'vfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd #not needed if on kernel 6.2 or later\n' >>"$H/etc/modules"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	same "$H/etc/kernel/cmdline"
	! grep -q virqfd "$H/etc/modules"
	[ "$(grep -c '^vfio' "$H/etc/modules")" -eq 3 ]
}

@test "AMD: amd_iommu=on, a value the kernel does not know, is taken out" {
	host debian-grub
	sed -i 's/GenuineIntel/AuthenticAMD/' "$H/proc/cpuinfo"
	sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"/GRUB_CMDLINE_LINUX_DEFAULT="quiet amd_iommu=on"/' "$H/etc/default/grub"
	grep -q 'amd_iommu=on' "$H/etc/default/grub"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"' "$H/etc/default/grub"
}

@test "the boot display: said so; before 6.0 the framebuffer parameter the kernel's config needs" {
	host debian-grub
	run --separate-stderr -0 "$PT" -n --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: 0000:00:02.0: the boot display: the host's console on it goes dark once vfio-pci has it" ]
	mv "$H/lib/modules/6.1.0-26-amd64" "$H/lib/modules/5.15.0-1-amd64"
	echo 5.15.0-1-amd64 >"$H/proc/sys/kernel/osrelease"
	printf 'CONFIG_SYSFB_SIMPLEFB=y\n' >"$H/boot/config-5.15.0-1-amd64"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt initcall_blacklist=sysfb_init"' "$H/etc/default/grub"
}

@test "Proxmox EFI without /etc/kernel/cmdline: the new file starts from /proc/cmdline (no BOOT_IMAGE=, initrd=), never without root=" {
	host proxmox-igpu
	rm "$H/etc/kernel/cmdline"
	echo 'BOOT_IMAGE=/vmlinuz-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs initrd=\EFI\proxmox\initrd.img' >"$H/proc/cmdline"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	same "$H/etc/kernel/cmdline"
}

@test "no /etc/kernel/cmdline and no root= in /proc/cmdline: refused, nothing written" {
	host proxmox-igpu
	rm "$H/etc/kernel/cmdline"
	cp -a "$H/etc" "$H/etc.orig"
	echo 'BOOT_IMAGE=/vmlinuz-6.8.12-4-pve quiet' >"$H/proc/cmdline"
	run --separate-stderr -2 "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "cmdline-edit: $H/proc/cmdline: no root= to start $H/etc/kernel/cmdline from: write it first" ]
	diff -r "$H/etc.orig" "$H/etc"
	[ ! -s "$STUB_LOG" ]
}

@test "a refresh that failed is not forgotten: the next run, with nothing left to edit, refreshes" {
	host proxmox-igpu
	printf '#!/bin/sh\necho "update-initramfs $*" >>"$STUB_LOG"\nexit 1\n' >"$H/usr/sbin/update-initramfs"
	run --separate-stderr -2 "$PT" --root "$H" 0000:00:02.0
	[ "${stderr_lines[-1]}" = "boot-refresh: the refresh is still owed ($H/var/lib/vfio-kit/refresh-needed): boot-refresh --if-marked, or vfio-passthrough again, does it once the failure is fixed" ]
	[ -e "$H/var/lib/vfio-kit/refresh-needed" ]
	want 'update-initramfs -u -k all'
	same "$STUB_LOG"
	cp "$TOP/t/data/hosts/proxmox-igpu/usr/sbin/update-initramfs" "$H/usr/sbin/update-initramfs"
	: >"$STUB_LOG"
	run -0 "$PT" -n --root "$H" 0000:00:02.0
	[ "$output" = "update-initramfs -u -k all
proxmox-boot-tool refresh" ]
	run -0 "$PT" --root "$H" 0000:00:02.0
	want 'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	same "$STUB_LOG"
	[ ! -e "$H/var/lib/vfio-kit/refresh-needed" ]
	# owed no more
	: >"$STUB_LOG"
	run -0 "$PT" --root "$H" 0000:00:02.0
	[ ! -s "$STUB_LOG" ]
}

@test "--no-refresh leaves the refresh owed; the next run does it" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	[ ! -s "$STUB_LOG" ]
	[ -e "$H/var/lib/vfio-kit/refresh-needed" ]
	run -0 "$PT" --root "$H" 0000:00:02.0
	want 'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	same "$STUB_LOG"
}

# --undo: run, then undo, and every file under etc/ is what it was
undo_host() {	# undo_host HOST DEVICE...: run, undo, compare
	local h=$1
	shift
	host "$h"
	run -0 "$PT" --root "$H" "$@"
	[ -s "$H/var/lib/vfio-kit/journal" ]
	! diff -r "$TOP/t/data/hosts/$h/etc" "$H/etc" >/dev/null
	: >"$STUB_LOG"
	run -0 --separate-stderr "$PT" --undo --root "$H" "$@"
	diff -r "$TOP/t/data/hosts/$h/etc" "$H/etc"
	[ ! -e "$H/var/lib/vfio-kit" ]
}

@test "--undo on the Proxmox example host: every file under etc/ byte-identical, vfio.conf gone, refreshed" {
	undo_host proxmox-igpu 0000:00:02.0
	want 'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	same "$STUB_LOG"
	# nothing left to take back
	run --separate-stderr -2 "$PT" --undo --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit/journal: nothing recorded: vfio-passthrough made no change here to take back" ]
}

@test "a run stopped by its last write is on record: --undo then takes back the files it had written" {
	host debian-grub
	# the last file written, /etc/default/grub, has a second hard link: its
	# check passes, its -i write refuses (exit 2) after the others are written
	ln "$H/etc/default/grub" "$H/grub.link"
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[[ "$stderr" == *"/etc/default/grub: has more than one hard link"* ]]
	! diff -r "$TOP/t/data/hosts/debian-grub/etc" "$H/etc" >/dev/null
	# what it had written is on record: the user removes the link, --undo
	rm "$H/grub.link"
	run -0 --separate-stderr "$PT" --undo --root "$H" 0000:00:02.0
	diff -r "$TOP/t/data/hosts/debian-grub/etc" "$H/etc"
	[ ! -e "$H/var/lib/vfio-kit" ]
}

@test "--undo on the Debian GRUB example host: /etc/default/grub and /etc/modules byte-identical, update-grub run" {
	undo_host debian-grub 0000:00:02.0
	want 'update-initramfs -u -k all' 'update-grub'
	same "$STUB_LOG"
}

@test "--undo of --method blacklist and alias: blacklist.conf and vfio.conf made by the run are removed" {
	undo_host proxmox-igpu --method blacklist 0000:00:02.0
	[ ! -e "$H/etc/modprobe.d/blacklist.conf" ]
	rm -rf "$H"
	undo_host proxmox-igpu --method alias 0000:00:02.0
}

@test "--undo keeps what the user had before: their iommu=pt, vfio line, softdep deps and ids stay" {
	host proxmox-igpu
	echo 'root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt' >"$H/etc/kernel/cmdline"
	printf 'vfio\n' >>"$H/etc/modules"
	printf '# mine\nsoftdep i915 pre: drm\noptions vfio-pci ids=10de:1b80\n' >"$H/etc/modprobe.d/vfio.conf"
	cp -a "$H/etc" "$H/etc.orig"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	want '# mine' 'softdep i915 pre: drm vfio-pci' 'options vfio-pci ids=10de:1b80,8086:3e92 disable_vga=1'
	same "$H/etc/modprobe.d/vfio.conf"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	diff -r "$H/etc.orig" "$H/etc"
	# the refresh both runs skipped is still owed
	[ -e "$H/var/lib/vfio-kit/refresh-needed" ]
	[ ! -e "$H/var/lib/vfio-kit/journal" ]
}

@test "--undo of one of two devices passed in two runs keeps what the other needs" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	cp -a "$H/etc" "$H/etc.one"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:14.0
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	want 'options vfio-pci ids=8086:a36d' 'softdep xhci_pci pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	same "$H/etc/kernel/cmdline"
	diff "$H/etc.one/modules" "$H/etc/modules"
	# a second undo of it: nothing recorded for it any more
	run --separate-stderr -2 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: 0000:00:02.0: nothing recorded for it in $H/var/lib/vfio-kit/journal" ]
	run -0 "$PT" --undo --no-refresh --root "$H" 8086:a36d
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "--undo on a twins host: the slot leaves the install line, the line goes with the last slot" {
	host proxmox-igpu
	add_dev 0000:03:00.0 0000:00:1f.6 9
	add_dev 0000:04:00.0 0000:00:1f.6 10
	run -0 "$PT" --no-refresh --root "$H" 0000:03:00.0
	run -0 "$PT" --no-refresh --root "$H" 0000:04:00.0
	run -0 "$PT" --undo --no-refresh --root "$H" 03:00.0
	want 'install vfio-pci for d in 0000:04:00.0; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; modprobe --ignore-install vfio-pci $CMDLINE_OPTS' \
		'softdep e1000e pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	run -0 "$PT" --undo --root "$H" 0000:04:00.0
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	want 'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	same "$STUB_LOG"
}

@test "--undo removes a /etc/kernel/cmdline the run started from /proc/cmdline; -n first shows it and changes nothing" {
	host proxmox-igpu
	rm "$H/etc/kernel/cmdline"
	cp -a "$H/etc" "$H/etc.orig"
	echo 'BOOT_IMAGE=/vmlinuz-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs initrd=\EFI\proxmox\initrd.img' >"$H/proc/cmdline"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	# after the reboot, the running command line has the parameters
	echo 'BOOT_IMAGE=/vmlinuz-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt' >"$H/proc/cmdline"
	cp -a "$H/etc" "$H/etc.run"
	run -0 "$PT" --undo -n --no-refresh --root "$H" 0000:00:02.0
	printf '%s\n' "$output" | grep -qFx -- '+root=ZFS=rpool/ROOT/pve-1 boot=zfs'
	diff -r "$H/etc.run" "$H/etc"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	diff -r "$H/etc.orig" "$H/etc"
}

@test "--undo never follows a symbolic link out of the root to the journal" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	mv "$H/var/lib/vfio-kit" "$BATS_TEST_TMPDIR/elsewhere/"
	ln -s "$BATS_TEST_TMPDIR/elsewhere/vfio-kit" "$H/var/lib/vfio-kit"
	cp -a "$H/etc" "$H/etc.run"
	run --separate-stderr -2 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit: a symbolic link: not following it" ]
	diff -r "$H/etc.run" "$H/etc"
}

@test "--undo --group takes back the members a --group run took along; without it they stay" {
	host proxmox-igpu
	run -0 "$PT" --group --no-refresh --root "$H" 0000:00:1f.6
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:1f.6
	want 'options vfio-pci ids=8086:a348,8086:a323' \
		'softdep i2c_i801 pre: vfio-pci' 'softdep snd_hda_intel pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	# a member named takes along the others recorded in its group
	run -0 "$PT" --undo --group --no-refresh --root "$H" 0000:00:1f.3
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	rm -rf "$H"
	host proxmox-igpu
	run -0 "$PT" --group --no-refresh --root "$H" 0000:00:1f.6
	run -0 "$PT" --undo --group --no-refresh --root "$H" 0000:00:1f.6
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "--undo where the ids went on the command line (vfio_pci built in, --method softdep)" {
	host proxmox-igpu
	run -0 "$PT" --method softdep --no-refresh --root "$H" 0000:00:02.0
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	m="$H/lib/modules/6.8.12-4-pve"
	printf '%s\n' kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
		kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/pci/vfio-pci.ko >>"$m/modules.builtin"
	grep -v vfio "$m/modules.dep" >"$m/dep" && mv "$m/dep" "$m/modules.dep"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0 0000:00:14.0
	grep -q 'vfio-pci.ids=8086:3e92,8086:a36d vfio-pci.disable_vga=1' "$H/etc/kernel/cmdline"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt vfio-pci.ids=8086:a36d'
	same "$H/etc/kernel/cmdline"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:14.0
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

# stub NAME DIR: a stand-in command in the host recording its call, as the hosts' own
stub() {
	mkdir -p "$H$2"
	printf '#!/bin/sh\nprintf "%%s\\n" "%s${*:+ $*}" >>"${STUB_LOG:-/dev/null}"\n' "$1" >"$H$2/$1"
	chmod 755 "$H$2/$1"
}

# not_debian REL: the Debian host with Debian's own files gone, kernel REL
not_debian() {
	host debian-grub
	rm -r "$H/etc/modules" "$H/etc/initramfs-tools" "$H/usr/sbin/update-initramfs" \
		"$H/usr/sbin/update-grub" "$H/var/lib/dpkg" "$H/boot/vmlinuz-6.1.0-26-amd64" \
		"$H/boot/initrd.img-6.1.0-26-amd64"
	mv "$H/lib/modules/6.1.0-26-amd64" "$H/lib/modules/$1"
	echo "$1" >"$H/proc/sys/kernel/osrelease"
	echo "BOOT_IMAGE=/boot/vmlinuz-$1 root=UUID=6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b rw quiet" >"$H/proc/cmdline"
	mkdir -p "$H/etc/modules-load.d"
}

# Arch with mkinitcpio and GRUB, a Radeon RX 6800 (1002:73bf) on amdgpu at
# 03:00.0; mkinitcpio.conf and /etc/default/grub as Arch ships them
arch_amdgpu() {
	not_debian 6.10.10-arch1-1
	stub mkinitcpio /usr/bin
	mv "$H/usr/sbin/grub-mkconfig" "$H/usr/bin/grub-mkconfig"
	mkdir -p "$H/etc/mkinitcpio.conf.d"
	printf '%s\n' '# vim:set ft=sh' 'MODULES=()' 'BINARIES=()' 'FILES=()' \
		'HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)' \
		>"$H/etc/mkinitcpio.conf"
	printf '%s\n' 'GRUB_DEFAULT=0' 'GRUB_TIMEOUT=5' 'GRUB_DISTRIBUTOR="Arch"' \
		'GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet"' 'GRUB_CMDLINE_LINUX=""' >"$H/etc/default/grub"
	printf 'NAME="Arch Linux"\nID=arch\n' >"$H/etc/os-release"
	mkdir -p "$H/sys/bus/pci/drivers/amdgpu" "$H/sys/module/amdgpu"
	echo live >"$H/sys/module/amdgpu/initstate"
	ln -s ../../../../module/amdgpu "$H/sys/bus/pci/drivers/amdgpu/module"
	add_dev 0000:03:00.0 0000:00:02.0 9 amdgpu
	d="$H/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0"
	echo 0x1002 >"$d/vendor"; echo 0x73bf >"$d/device"; echo 0 >"$d/boot_vga"
	echo pci:v00001002d000073BFsv00001458sd0000D000bc03sc00i00 >"$d/modalias"
	echo 'alias pci:v00001002d000073BFsv*sd*bc*sc*i* amdgpu' >>"$H/lib/modules/6.10.10-arch1-1/modules.alias"
}

# Fedora 40: dracut, GRUB with BLS entries (grub2-mkconfig --update-bls-cmdline)
fedora_igpu() {
	not_debian 6.10.6-200.fc40.x86_64
	stub dracut /usr/bin
	rm "$H/usr/sbin/grub-mkconfig"
	stub grub2-mkconfig /usr/sbin
	printf '# --update-bls-cmdline\n' >>"$H/usr/sbin/grub2-mkconfig"
	mkdir -p "$H/etc/dracut.conf.d" "$H/boot/grub2" "$H/boot/loader/entries"
	mv "$H/boot/grub/grub.cfg" "$H/boot/grub2/grub.cfg"
	printf '%s\n' 'GRUB_TIMEOUT=5' 'GRUB_DISTRIBUTOR="$(sed '"'"'s, release .*$,,g'"'"' /etc/system-release)"' \
		'GRUB_DEFAULT=saved' 'GRUB_DISABLE_SUBMENU=true' 'GRUB_TERMINAL_OUTPUT="console"' \
		'GRUB_CMDLINE_LINUX="rhgb quiet"' 'GRUB_DISABLE_RECOVERY="true"' 'GRUB_ENABLE_BLSCFG=true' \
		>"$H/etc/default/grub"
	printf 'NAME="Fedora Linux"\nID=fedora\n' >"$H/etc/os-release"
}

@test "Arch, mkinitcpio and GRUB, a GPU on amdgpu: a mkinitcpio.conf.d drop-in loads vfio-pci ahead of every module; modules-load.d, not /etc/modules" {
	arch_amdgpu
	run -0 --separate-stderr "$PT" --root "$H" 0000:03:00.0
	# a newline first: mkinitcpio concatenates the drop-ins (t/24)
	want '' 'MODULES=(vfio_pci vfio vfio_iommu_type1 ${MODULES[@]})'
	same "$H/etc/mkinitcpio.conf.d/vfio.conf"
	# mkinitcpio appends the drop-ins to mkinitcpio.conf and sources the whole
	printf 'MODULES=(nvme)\n' >"$BATS_TEST_TMPDIR/main.conf"
	run -0 bash -c '. "$1"; . "$2"; echo "${MODULES[*]}"' _ "$BATS_TEST_TMPDIR/main.conf" "$H/etc/mkinitcpio.conf.d/vfio.conf"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 nvme" ]
	want 'options vfio-pci ids=1002:73bf disable_vga=1' 'softdep amdgpu pre: vfio-pci'
	same "$H/etc/modprobe.d/vfio.conf"
	want vfio_pci vfio vfio_iommu_type1
	same "$H/etc/modules-load.d/vfio.conf"
	[ ! -e "$H/etc/modules" ]
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet intel_iommu=on iommu=pt"' "$H/etc/default/grub"
	# mkinitcpio(8): -P builds every preset; grub-mkconfig(8): -o the file to write
	want 'mkinitcpio -P' 'grub-mkconfig -o /boot/grub/grub.cfg'
	same "$STUB_LOG"
	: >"$STUB_LOG"
	run -0 "$PT" --undo --root "$H" 0000:03:00.0
	[ ! -e "$H/etc/mkinitcpio.conf.d/vfio.conf" ]
	[ ! -e "$H/etc/modules-load.d/vfio.conf" ]
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet"' "$H/etc/default/grub"
}

@test "Arch without the modconf hook: said, since the image then has no modprobe.d" {
	arch_amdgpu
	sed -i 's/ modconf / /' "$H/etc/mkinitcpio.conf"
	run -0 --separate-stderr "$PT" -n --root "$H" 0000:03:00.0
	[ "$stderr" = "passthrough: /etc/mkinitcpio.conf: HOOKS has no modconf: the initramfs gets no /etc/modprobe.d, so vfio-pci has neither its options nor its softdep there; add modconf to HOOKS" ]
}

@test "Fedora, dracut and GRUB with BLS: a dracut.conf.d drop-in forces the vfio modules early and carries vfio.conf in" {
	fedora_igpu
	run -0 "$PT" --root "$H" 0000:00:02.0
	want 'force_drivers+=" vfio_pci vfio vfio_iommu_type1 "' 'install_items+=" /etc/modprobe.d/vfio.conf "'
	same "$H/etc/dracut.conf.d/vfio.conf"
	# dracut sources /etc/dracut.conf, then each drop-in
	run -0 bash -c 'force_drivers=" nvme "; . "$1"; echo $force_drivers; echo $install_items' _ "$H/etc/dracut.conf.d/vfio.conf"
	[ "$output" = "nvme vfio_pci vfio vfio_iommu_type1
/etc/modprobe.d/vfio.conf" ]
	want vfio_pci vfio vfio_iommu_type1
	same "$H/etc/modules-load.d/vfio.conf"
	# dracut(8): -f overwrite, --regenerate-all every installed kernel;
	# grub2-mkconfig --update-bls-cmdline rewrites the BLS entries' options
	want 'dracut -f --regenerate-all' 'grub2-mkconfig -o /boot/grub2/grub.cfg --update-bls-cmdline'
	same "$STUB_LOG"
}

@test "initramfs-tools: /etc/initramfs-tools/modules gets the vfio modules where no softdep line carries vfio-pci in (--method blacklist)" {
	host debian-grub
	run -0 "$PT" --no-refresh --method blacklist --root "$H" 0000:00:02.0
	[ "$(tail -n 4 "$H/etc/initramfs-tools/modules")" = "vfio_pci
vfio
vfio_iommu_type1
vfio_virqfd" ]
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	diff -r "$TOP/t/data/hosts/debian-grub/etc" "$H/etc"
	# with a softdep (the default method) initramfs-tools follows it: no list
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	diff "$TOP/t/data/hosts/debian-grub/etc/initramfs-tools/modules" "$H/etc/initramfs-tools/modules"
}

# Arch booted by systemd-boot with entries written by hand (the Arch wiki's)
arch_sdboot() {
	arch_amdgpu
	rm "$H/etc/default/grub" "$H/usr/bin/grub-mkconfig"
	stub bootctl /usr/bin
	mkdir -p "$H/boot/loader/entries"
	printf 'default arch.conf\ntimeout 4\n' >"$H/boot/loader/loader.conf"
	printf '%s\n' 'title   Arch Linux' 'linux   /vmlinuz-linux' 'initrd  /initramfs-linux.img' \
		'options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw' >"$H/boot/loader/entries/arch.conf"
	printf '%s\n' 'title   Arch Linux (fallback initramfs)' 'linux   /vmlinuz-linux' \
		'initrd  /initramfs-linux-fallback.img' 'options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw' \
		>"$H/boot/loader/entries/arch-fallback.conf"
	printf '%s\n' 'title Windows' 'efi /EFI/Microsoft/Boot/bootmgfw.efi' >"$H/boot/loader/entries/windows.conf"
}

@test "Arch, systemd-boot with hand-written entries: every Linux entry's options line gets the parameters, then bootctl; undo gives back every byte" {
	arch_sdboot
	cp -a "$H/boot" "$H/boot.orig"
	run -0 --separate-stderr "$PT" --root "$H" 0000:03:00.0
	for e in arch arch-fallback; do
		grep -qx 'options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw intel_iommu=on iommu=pt' "$H/boot/loader/entries/$e.conf"
	done
	diff "$H/boot.orig/loader/entries/windows.conf" "$H/boot/loader/entries/windows.conf"
	# bootctl(1): update --graceful copies the loader, the entries are read as they are
	want 'mkinitcpio -P' 'bootctl update --graceful'
	same "$STUB_LOG"
	run -0 "$PT" --undo --root "$H" 0000:03:00.0
	diff -r "$H/boot.orig" "$H/boot"
}

@test "systemd-boot entries: a loader/entries linked out of the root is followed inside the root, as a chroot would; nothing outside is touched" {
	arch_sdboot
	# the "host's" entries outside the root, and the root's own behind the link
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT" "$H$OUT/entries"
	cp "$H/boot/loader/entries/arch.conf" "$H$OUT/entries/"
	mv "$H/boot/loader/entries" "$OUT/entries"
	printf '%s\n' 'title Host' 'linux /vmlinuz-host' 'options root=/dev/host' >"$OUT/entries/host.conf"
	ln -s "$OUT/entries" "$H/boot/loader/entries"
	cp -a "$OUT" "$BATS_TEST_TMPDIR/out.orig"
	run -0 --separate-stderr "$PT" --root "$H" 0000:03:00.0
	diff -r "$BATS_TEST_TMPDIR/out.orig" "$OUT"
	# the root's own entry, where its link leads inside the root
	grep -qx 'options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw intel_iommu=on iommu=pt' "$H$OUT/entries/arch.conf"
	[ ! -e "$H$OUT/entries/host.conf" ]
}

@test "no command line file it can edit (systemd-boot without entries to edit): the parameters said, where they go, nothing written, exit 2" {
	arch_sdboot
	rm -r "$H/boot/loader/entries"
	cp -a "$H/etc" "$H/etc.orig"
	cp -a "$H/boot" "$H/boot.orig"
	run --separate-stderr -2 "$PT" --root "$H" 0000:03:00.0
	[ "$output" = "" ]
	[ "$stderr" = "passthrough: $H: no kernel command line file this kit can edit for boot loader 'systemd-boot'; nothing written
passthrough: add to the options line of each entry in loader/entries/*.conf on the ESP: intel_iommu=on iommu=pt
passthrough: and take out, where there: intel_iommu=off iommu=off
passthrough: then run this again" ]
	diff -r "$H/etc.orig" "$H/etc"
	diff -r "$H/boot.orig" "$H/boot"
	[ ! -e "$H/var/lib/vfio-kit" ]
	[ ! -s "$STUB_LOG" ]
}

@test "a second run leaves the journal alone; a file the user added to after the run stays, with their line, after --undo" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	touch -d '2020-01-01' "$H/var/lib/vfio-kit/journal"
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	[ "$(stat -c %Y "$H/var/lib/vfio-kit/journal")" = "$(date -d 2020-01-01 +%s)" ]
	echo 'options snd_hda_intel power_save=0' >>"$H/etc/modprobe.d/vfio.conf"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	want 'options snd_hda_intel power_save=0'
	same "$H/etc/modprobe.d/vfio.conf"
	[ ! -e "$H/var/lib/vfio-kit/journal" ]
}

@test "Ubuntu cloud image: a grub.d drop-in sets the command line anew, so the drop-in is what gets edited" {
	host debian-grub
	mkdir -p "$H/etc/default/grub.d"
	cp "$TOP/t/data/grub/ubuntu-cloud/grub.d/50-cloudimg-settings.cfg" "$H/etc/default/grub.d/"
	run -0 "$VFIOKIT_BIN/boot-refresh" --root "$H" --detect
	[ "${lines[2]}" = "cmdline-file /etc/default/grub.d/50-cloudimg-settings.cfg" ]
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	cmp "$TOP/t/data/hosts/debian-grub/etc/default/grub" "$H/etc/default/grub"
	# what grub-mkconfig ends with, as sh sources the two files
	[ "$(sh -c ". '$H/etc/default/grub'; . '$H/etc/default/grub.d/50-cloudimg-settings.cfg'; echo \"\$GRUB_CMDLINE_LINUX_DEFAULT\"")" = "console=tty1 console=ttyS0 intel_iommu=on iommu=pt" ]
}
