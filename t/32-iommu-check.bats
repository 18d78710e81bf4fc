#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# iommu-check on roots shaped like real hosts: the verdicts and the hints.
load helper-sysfs

setup() {
	R=$BATS_TEST_TMPDIR/root
}

@test "Intel with intel_iommu=on and an active IOMMU passes" {
	make_root "$R" GenuineIntel
	iommu_on "$R" DMAR
	echo "BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro quiet intel_iommu=on iommu=pt" >"$R/proc/cmdline"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "$output" = "PASS	cpu	Intel
PASS	kvm	vmx
PASS	firmware	ACPI DMAR table present
PASS	cmdline	intel_iommu=on
PASS	iommu	2 IOMMU groups, 1 IOMMU units
PASS	vfio	6.1.0-18-amd64: vfio vfio_pci vfio_iommu_type1 vfio_virqfd" ]
}

@test "Intel without intel_iommu=on fails with the cmdline-edit command" {
	make_root "$R" GenuineIntel
	: >"$R/sys/firmware/acpi/tables/DMAR"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "FAIL	cmdline	no intel_iommu=on and the kernel does not turn VT-d on by default" ]
	[ "${lines[4]}" = "hint	cmdline	cmdline-edit --root $R -i -g --set intel_iommu=on --set iommu=pt $R/etc/default/grub && boot-refresh --root $R --bootloader-only # then reboot" ]
	[ "${lines[5]}" = "FAIL	iommu	no IOMMU groups in /sys/kernel/iommu_groups" ]
}

@test "Intel with a default-on kernel config needs no parameter" {
	make_root "$R" GenuineIntel
	iommu_on "$R" DMAR
	printf '#\nCONFIG_INTEL_IOMMU=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y\n' >"$R/boot/config-6.1.0-18-amd64"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "PASS	cmdline	VT-d on by default (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y)" ]
	printf '#\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n' >"$R/boot/config-6.1.0-18-amd64"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "PASS	cmdline	VT-d on by default (CONFIG_INTEL_IOMMU_DEFAULT_ON=y)" ]
	printf '#\n# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\n' >"$R/boot/config-6.1.0-18-amd64"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]%%	*}" = FAIL ]
}

@test "AMD is on by default and is never told amd_iommu=on" {
	make_root "$R" AuthenticAMD
	iommu_on "$R" IVRS
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "PASS	cmdline	AMD-Vi on by default (no amd_iommu=off)" ]
	[[ $output != *"amd_iommu=on"* ]]
	echo "ro quiet amd_iommu=on" >"$R/proc/cmdline"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[4]}" = "hint	cmdline	cmdline-edit --root $R -i -g --del amd_iommu=on $R/etc/default/grub && boot-refresh --root $R --bootloader-only # then reboot" ]
}

@test "AMD with amd_iommu=off fails and the hint removes it" {
	make_root "$R" AuthenticAMD
	: >"$R/sys/firmware/acpi/tables/IVRS"
	echo "ro quiet amd_iommu=off" >"$R/proc/cmdline"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "FAIL	cmdline	amd_iommu=off turns AMD-Vi off" ]
	[ "${lines[4]}" = "hint	cmdline	cmdline-edit --root $R -i -g --del amd_iommu $R/etc/default/grub && boot-refresh --root $R --bootloader-only # then reboot" ]
}

@test "no ACPI table: the firmware has VT-d off" {
	make_root "$R" GenuineIntel
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[2]}" = "FAIL	firmware	no ACPI DMAR table" ]
	[ "${lines[3]}" = "hint	firmware	enable VT-d in the firmware setup" ]
}

@test "vmx missing is a KVM warning, not an IOMMU failure" {
	make_root "$R" GenuineIntel
	iommu_on "$R" DMAR
	echo "ro intel_iommu=on" >"$R/proc/cmdline"
	sed -i 's/ vmx//' "$R/proc/cpuinfo"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[1]}" = "WARN	kvm	no vmx flag in /proc/cpuinfo" ]
}

@test "vfio_virqfd is only asked for before Linux 6.2" {
	make_root "$R" GenuineIntel
	iommu_on "$R" DMAR
	echo "ro intel_iommu=on" >"$R/proc/cmdline"
	sed -i '/^kernel\/drivers\/vfio\/vfio_virqfd.ko:/d' "$R/lib/modules/6.1.0-18-amd64/modules.dep"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[5]}" = "FAIL	vfio	6.1.0-18-amd64: missing vfio_virqfd" ]
	mv "$R/lib/modules/6.1.0-18-amd64" "$R/lib/modules/6.8.12-4-pve"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R" --kernel 6.8.12-4-pve
	[ "${lines[5]}" = "PASS	vfio	6.8.12-4-pve: vfio vfio_pci vfio_iommu_type1" ]
}

@test "--device names what shares the group and blocks vfio" {
	make_root "$R" GenuineIntel
	echo "ro intel_iommu=on" >"$R/proc/cmdline"
	gen_tree "$R" 20
	: >"$R/sys/firmware/acpi/tables/DMAR"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R" --device 0000:00:01.0 00:00.0
	[ "${lines[6]}" = "WARN	group	0000:00:01.0: group 2 also holds 0000:00:01.1" ]
	[ "${lines[7]}" = "hint	group	pass 0000:00:01.1 to the VM as well (vfio-passthrough --group), or move the card to another slot" ]
	[ "${lines[8]}" = "PASS	group	0000:00:00.0: group 1, alone" ]
	run -2 "$VFIOKIT_BIN/iommu-check" --root "$R" --device 00:1f.7
}

@test "-q prints nothing and keeps the status" {
	make_root "$R" GenuineIntel
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R" -q
	[ -z "$output" ]
}

@test "this machine has no IOMMU: exit 1" {
	[ -d /sys/kernel/iommu_groups ] || skip "no /sys/kernel/iommu_groups"
	[ -z "$(ls /sys/kernel/iommu_groups)" ] || skip "this machine has an IOMMU"
	run -1 "$VFIOKIT_BIN/iommu-check"
	[[ $output == *"FAIL	iommu	no IOMMU groups in /sys/kernel/iommu_groups"* ]]
}

@test "no kernel config to read, but IOMMU groups: the kernel's default turned VT-d on (Proxmox 6.8)" {
	cp -a "$DATA/hosts/proxmox-igpu" "$R.pve"
	[ ! -e "$R.pve/boot/config-6.8.12-4-pve" ]
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R.pve"
	[ "${lines[3]}" = "PASS	cmdline	VT-d on by the kernel's default (no intel_iommu=on, IOMMU groups present)" ]
}

@test "the hint edits the file this host boots from: /etc/kernel/cmdline, line format, on Proxmox systemd-boot" {
	cp -a "$DATA/hosts/proxmox-igpu" "$R.pve"
	rm -r "$R.pve/sys/kernel/iommu_groups"/*
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R.pve"
	[ "${lines[3]}" = "FAIL	cmdline	no intel_iommu=on and the kernel does not turn VT-d on by default" ]
	[ "${lines[4]}" = "hint	cmdline	cmdline-edit --root $R.pve -i --set intel_iommu=on --set iommu=pt $R.pve/etc/kernel/cmdline && boot-refresh --root $R.pve --bootloader-only # then reboot" ]
}

@test "intel_iommu given twice: every occurrence counts, in order, with - and _ alike (kernel/params.c)" {
	make_root "$R" GenuineIntel
	iommu_on "$R" DMAR
	echo "BOOT_IMAGE=/vmlinuz intel_iommu=on,igfx_off intel-iommu=off" >"$R/proc/cmdline"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "FAIL	cmdline	intel_iommu=on,igfx_off intel_iommu=off turns VT-d off" ]
	echo "BOOT_IMAGE=/vmlinuz intel_iommu=off \"intel_iommu=igfx_off,on\"" >"$R/proc/cmdline"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]}" = "PASS	cmdline	intel_iommu=off intel_iommu=igfx_off,on" ]
	printf '#\n# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\n' >"$R/boot/config-6.1.0-18-amd64"
	echo "BOOT_IMAGE=/vmlinuz -- intel_iommu=on" >"$R/proc/cmdline"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R"
	[ "${lines[3]%%	*}" = FAIL ]
}

@test "--device on the PCH NIC names the functions on drivers, not the unbound LPC bridge and SPI controller" {
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$DATA/hosts/proxmox-igpu" --device 00:1f.6
	[ "${lines[6]}" = "WARN	group	0000:00:1f.6: group 7 also holds 0000:00:1f.3 0000:00:1f.4" ]
	[ "${lines[7]}" = "hint	group	pass 0000:00:1f.3 0000:00:1f.4 to the VM as well (vfio-passthrough --group), or move the card to another slot" ]
	# the members named too: nothing blocks any more
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$DATA/hosts/proxmox-igpu" --device 00:1f.6 00:1f.3 00:1f.4
	[ "${lines[6]}" = "PASS	group	0000:00:1f.6: group 7 is usable (0000:00:1f.0 on no driver, 0000:00:1f.3 on vfio-pci too, 0000:00:1f.4 on vfio-pci too, 0000:00:1f.5 on no driver)" ]
}

@test "an LPC bridge on lpc_ich in the NIC's group: FAIL, the group cannot be claimed (iommu.c owner_cnt)" {
	cp -a "$DATA/hosts/proxmox-igpu" "$R.pve"
	bind_driver "$R.pve" 0000:00:1f.0 lpc_ich
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R.pve" --device 00:1f.6 00:1f.3 00:1f.4
	[ "${lines[6]}" = "FAIL	group	0000:00:1f.6: group 7 holds 0000:00:1f.0 (class 0601 on lpc_ich): a bridge on a driver that uses the kernel's DMA API, which the host cannot give away; vfio cannot claim the group while it is bound" ]
	[ "${lines[7]%%	*}" = hint ]
}

@test "a GPU behind its root port on pcieport: the port does not block (driver_managed_dma since 5.19)" {
	cp -a "$DATA/hosts/proxmox-igpu" "$R.pve"
	# the NVMe joins the root port's group 6, as on boards without ACS
	ln -sfn ../../../../kernel/iommu_groups/6 "$R.pve/sys/devices/pci0000:00/0000:00:1d.0/0000:02:00.0/iommu_group"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R.pve" --device 02:00.0
	[ "${lines[6]}" = "PASS	group	0000:02:00.0: group 6 is usable (0000:00:1d.0 on pcieport)" ]
	# before 5.19 (vfio_dev_driver_allowed): the port passes by its header type 1
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R.pve" --kernel 5.15.0-1-amd64 --device 02:00.0
	[ "${lines[-1]}" = "PASS	group	0000:02:00.0: group 6 is usable (0000:00:1d.0 on pcieport)" ]
	# an endpoint on a DMA-API driver blocks under both rules
	bind_driver "$R.pve" 0000:00:1d.0 shpchp
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R.pve" --device 02:00.0
	[ "${lines[6]%%:*}" = "FAIL	group	0000" ]
}

@test "intel_iommu=igfx_off on the command line and the iGPU checked: WARN, the hint puts on in its place" {
	cp -a "$DATA/hosts/proxmox-igpu" "$R.pve"
	echo "BOOT_IMAGE=/boot/vmlinuz root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on,igfx_off iommu=pt" >"$R.pve/proc/cmdline"
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R.pve" --device 00:02.0
	[ "${lines[6]}" = "WARN	igfx	0000:00:02.0: intel_iommu=igfx_off leaves the integrated GPU outside VT-d" ]
	[ "${lines[7]}" = "hint	igfx	cmdline-edit --root $R.pve -i --unmerge intel_iommu=igfx_off --merge intel_iommu=on $R.pve/etc/kernel/cmdline && boot-refresh --root $R.pve --bootloader-only # then reboot" ]
	run -0 "$VFIOKIT_BIN/iommu-check" --root "$R.pve" --device 00:1f.6
	[[ $output != *"WARN	igfx"* ]]
}

@test "the hint names the file this host boots from: hand-written systemd-boot entries, none without them, the host for a container" {
	cp -a "$DATA/hosts/proxmox-igpu" "$R.pve"
	rm -r "$R.pve/sys/kernel/iommu_groups"/* "$R.pve/etc/kernel/proxmox-boot-uuids"
	mkdir -p "$R.pve/boot/efi/loader"
	printf 'default arch.conf\n' >"$R.pve/boot/efi/loader/loader.conf"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R.pve"
	[[ $output == *"hint	cmdline	no kernel command line file found for boot loader "*"make the edit (--set intel_iommu=on --set iommu=pt) where it reads the command line"* ]]
	[[ $output != *"/etc/default/grub"* ]]
	mkdir "$R.pve/boot/efi/loader/entries"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R.pve"
	[[ $output == *"hint	cmdline	cmdline-edit --root $R.pve -i --set intel_iommu=on --set iommu=pt $R.pve/boot/efi/loader/entries/*.conf"* ]]
	mkdir -p "$R.pve/run/systemd" && echo lxc >"$R.pve/run/systemd/container"
	run -1 "$VFIOKIT_BIN/iommu-check" --root "$R.pve"
	[ "${lines[4]}" = "hint	cmdline	a container ($R.pve/run/systemd/container): set the IOMMU on its host" ] ||
		[[ ${lines[4]} == "hint	cmdline	a container ("*"): set the IOMMU on its host" ]]
}
