# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by t/3*.bats: fixture roots for the sysfs-reading tools.
bats_require_minimum_version 1.5.0

DATA=$BATS_TEST_DIRNAME/data
SUBSET=$DATA/pci.ids.subset
FULL_IDS=/usr/share/misc/pci.ids

# gen_tree DIR N [--no-groups]: a synthetic tree (scripts/gen-sysfs)
gen_tree() {
	sh "$BATS_TEST_DIRNAME/../scripts/gen-sysfs" -n "$2" ${3:+"$3"} "$1" >/dev/null
}

# lspci_tree DIR IDS ARGS...: lspci reading DIR's sysfs as a fixture
lspci_tree() {
	local dir=$1 ids=$2
	shift 2
	lspci -A linux-sysfs -O "sysfs.path=$dir/sys/bus/pci" -O hwdb.disable=1 -i "$ids" "$@" 2>/dev/null
}

need_lspci() {
	command -v lspci >/dev/null || skip "lspci is not installed (apt-get install pciutils)"
}

need_full_ids() {
	[ -r "$FULL_IDS" ] || skip "$FULL_IDS is absent (apt-get install pci.ids)"
}

need_real_pci() {
	[ -d /sys/bus/pci/devices ] && [ -n "$(ls /sys/bus/pci/devices)" ] ||
		skip "this machine shows no PCI devices"
}

# make_root DIR VENDOR: a root with proc/cpuinfo for GenuineIntel or AuthenticAMD
make_root() {
	local r=$1 flag=vmx
	[ "$2" = AuthenticAMD ] && flag=svm
	mkdir -p "$r/proc/sys/kernel" "$r/sys/firmware/acpi/tables" "$r/sys/kernel/iommu_groups" \
		"$r/sys/class/iommu" "$r/lib/modules/6.1.0-18-amd64" "$r/boot"
	printf 'processor\t: 0\nvendor_id\t: %s\nflags\t\t: fpu vme de pse %s sse2\n' "$2" "$flag" >"$r/proc/cpuinfo"
	echo 6.1.0-18-amd64 >"$r/proc/sys/kernel/osrelease"
	echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/sda1 ro quiet" >"$r/proc/cmdline"
	cp "$DATA/roots/modules.dep" "$DATA/roots/modules.builtin" "$r/lib/modules/6.1.0-18-amd64/"
	# booted as Debian does: GRUB read from /etc/default/grub, update-grub
	mkdir -p "$r/etc/default" "$r/usr/sbin"
	cp "$DATA/hosts/debian-grub/etc/default/grub" "$r/etc/default/grub"
	printf '#!/bin/sh\n' >"$r/usr/sbin/update-grub" && chmod 755 "$r/usr/sbin/update-grub"
}

# iommu_on ROOT TABLE: the firmware table and the groups an active IOMMU shows
iommu_on() {
	: >"$1/sys/firmware/acpi/tables/$2"
	mkdir -p "$1/sys/kernel/iommu_groups/0/devices" "$1/sys/kernel/iommu_groups/1/devices" \
		"$1/sys/class/iommu/dmar0"
}

# bind_driver ROOT SLOT DRIVER: SLOT's driver link, as the kernel makes it
bind_driver() {
	local dev
	dev=$(readlink -f "$1/sys/bus/pci/devices/$2")
	mkdir -p "$1/sys/bus/pci/drivers/$3"
	ln -sfn "$(realpath --relative-to="$dev" "$1/sys/bus/pci/drivers/$3")" "$dev/driver"
}
