#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# modconf-edit on the initramfs generators' real files (t/data/initramfs,
# sources in its README): each generator's own way of reading them is the
# oracle, done in bash as the generator does it:
#   mkinitcpio  cat mkinitcpio.conf + mkinitcpio.conf.d/*.conf (sort -V) into
#               one file and source it (mkinitcpio, "cat -- ... >> $tmpfile")
#   dracut      source dracut.conf, then each dracut.conf.d/*.conf in sort -V
#               order (dracut.sh dropindirs_sort); force_drivers is modprobed
#               word by word in that order (80base/parse-kernel.sh)
#   initramfs-tools  add_modules_from_file (hook-functions): grep '^[^#]',
#               first word of each line, loaded in file order

load helper-modconf

V='vfio_pci vfio vfio_iommu_type1'
ID="$BATS_TEST_DIRNAME/data/initramfs"

# mkinitcpio_reads ETC: MODULES as mkinitcpio reads ETC/mkinitcpio.conf and its drop-ins
mkinitcpio_reads() {
	bash -c 'set -e
		t=$(mktemp)
		cat -- "$1/mkinitcpio.conf" >"$t"
		for f in $(cd "$1/mkinitcpio.conf.d" && ls | LC_ALL=C sort -V); do
			case $f in *.conf) cat -- "$1/mkinitcpio.conf.d/$f" >>"$t" ;; esac
		done
		. "$t"
		rm -f "$t"
		echo "${MODULES[*]}"' _ "$1"
}

# dracut_reads ETC: force_drivers in the order dracut modprobes them
dracut_reads() {
	bash -c 'set -e
		. "$1/dracut.conf"
		for f in $(cd "$1/dracut.conf.d" && ls | LC_ALL=C sort -V); do
			case $f in *.conf) . "$1/dracut.conf.d/$f" ;; esac
		done
		force_drivers=${force_drivers//-/_}
		echo $force_drivers' _ "$1"
}

@test "mkinitcpio: a drop-in after one without a final newline still builds: ours starts with a newline (real mkinitcpio.conf)" {
	e="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$e/mkinitcpio.conf.d"
	cp "$ID/mkinitcpio.conf" "$e/"
	# hand-written in the real shape: printf'd by an installer, no final newline
	cp "$ID/mkinitcpio.conf.d/intel.conf" "$e/mkinitcpio.conf.d/"
	[ "$(tail -c 1 "$e/mkinitcpio.conf.d/intel.conf")" = ")" ]
	mc_twice "$e/mkinitcpio.conf.d/vfio.conf" '\nMODULES=(vfio_pci vfio vfio_iommu_type1 ${MODULES[@]})\n' \
		--set "MODULES $V"
	run -0 mkinitcpio_reads "$e"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 i915 vmd" ]
	# the HOOKS of the real file survive the concatenation
	run -0 bash -c 'cat "$1/mkinitcpio.conf" "$1/mkinitcpio.conf.d/intel.conf" "$1/mkinitcpio.conf.d/vfio.conf" >"$1/all"; . "$1/all"; echo "${HOOKS[*]}"' _ "$e"
	[ "$output" = "base systemd autodetect microcode modconf kms keyboard sd-vconsole block filesystems fsck" ]
}

@test "mkinitcpio: an existing drop-in of ours gains the leading newline when edited, and loses it with its last line" {
	f="$BATS_TEST_TMPDIR/etc/mkinitcpio.conf.d/vfio.conf"
	text "$f" 'MODULES=(vfio_pci vfio ${MODULES[@]})\n'
	mc_twice "$f" '\nMODULES=(vfio_iommu_type1 vfio_pci vfio ${MODULES[@]})\n' --set "MODULES $V"
	mc_twice "$f" '' --del "MODULES $V"
	# the main file is first in the concatenation: no newline is put ahead of it
	cp "$ID/mkinitcpio.conf" "$BATS_TEST_TMPDIR/etc/mkinitcpio.conf"
	run -0 "$MC" --format mkinitcpio --set "MODULES $V" "$BATS_TEST_TMPDIR/etc/mkinitcpio.conf"
	[ "${output:0:16}" = "# vim:set ft=sh:" ]
}

@test "mkinitcpio: --set on a MODULES line that lists i915 puts vfio ahead of it (real mkinitcpio.conf, early KMS as the Arch wiki sets it)" {
	e="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$e/mkinitcpio.conf.d"
	sed 's/^MODULES=()$/MODULES=(i915)/' "$ID/mkinitcpio.conf" >"$e/mkinitcpio.conf"
	grep -qx 'MODULES=(i915)' "$e/mkinitcpio.conf"
	run -0 "$MC" -i --format mkinitcpio --set "MODULES $V" "$e/mkinitcpio.conf"
	run -0 mkinitcpio_reads "$e"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 i915" ]
	# the rest of the real file is kept byte for byte
	diff <(sed 's/^MODULES=()$/MODULES=(vfio_pci vfio vfio_iommu_type1 i915)/' "$ID/mkinitcpio.conf") "$e/mkinitcpio.conf"
}

@test "mkinitcpio: words added to a MODULES+=(...) drop-in come with a warning that they load after the earlier files" {
	e="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$e/mkinitcpio.conf.d"
	cp "$ID/mkinitcpio.conf" "$e/"
	cp "$ID/mkinitcpio.conf.d/nvidia.conf" "$e/mkinitcpio.conf.d/"
	printf 'MODULES=(amdgpu)\n' >"$e/mkinitcpio.conf.d/10-amd.conf"
	run -0 --separate-stderr "$MC" -i --set "MODULES $V" "$e/mkinitcpio.conf.d/nvidia.conf"
	[[ "$stderr" == *"nvidia.conf:1: warning: MODULES+=(...) adds after what mkinitcpio.conf and the drop-ins before this one list"* ]]
	run -0 mkinitcpio_reads "$e"
	[ "$output" = "amdgpu vfio_pci vfio vfio_iommu_type1 nvidia nvidia_modeset nvidia_uvm nvidia_drm" ]
}

@test "dracut: --set on an early-KMS drop-in that forces i915 puts vfio ahead of i915 in the order dracut loads them (Debian's dracut.conf)" {
	e="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$e/dracut.conf.d"
	cp "$ID/dracut.conf" "$e/"
	cp "$ID/dracut.conf.d/10-early-kms.conf" "$e/dracut.conf.d/"
	mc_twice "$e/dracut.conf.d/10-early-kms.conf" \
		'force_drivers+=" vfio_pci vfio vfio_iommu_type1 i915 mmc_block sdhci sdhci-acpi "\nhostonly="yes"\n' \
		--set "force_drivers $V"
	run -0 dracut_reads "$e"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 i915 mmc_block sdhci sdhci_acpi" ]
}

@test "initramfs-tools: the vfio modules join Debian's stock /etc/initramfs-tools/modules, comments kept, loaded in the order listed" {
	f="$BATS_TEST_TMPDIR/etc/initramfs-tools/modules"
	mkdir -p "${f%/*}"
	cp "$ID/initramfs-tools.modules" "$f"
	want=$(cat "$ID/initramfs-tools.modules"; printf '%s\n' vfio_pci vfio vfio_iommu_type1)
	mc_twice "$f" "$want\n" --set vfio_pci --set vfio --set vfio_iommu_type1
	# add_modules_from_file (hook-functions): grep '^[^#]', read -r module args
	run -0 bash -c 'grep "^[^#]" "$1" | while read -r module args; do [ -n "$module" ] && echo "$module"; done | paste -sd" "' _ "$f"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1" ]
}
