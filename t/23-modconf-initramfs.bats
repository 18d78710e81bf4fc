#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# modconf-edit on initramfs generators' drop-ins: dracut.conf.d (force_drivers+=" ... ")
# and mkinitcpio.conf.d (MODULES=(... ${MODULES[@]})).  bash, which sources
# them in the generators, is the oracle of what the lists hold.

load helper-modconf

V='vfio_pci vfio vfio_iommu_type1'

# dracut_sees FILE: force_drivers after dracut.sh sources /etc/dracut.conf then FILE
dracut_sees() { bash -c 'force_drivers=" nvme "; . "$1"; printf "%s\n" $force_drivers | paste -sd" "' _ "$1"; }
# mkinitcpio_sees FILE: MODULES after mkinitcpio.conf (MODULES=(amdgpu)) then FILE
mkinitcpio_sees() { bash -c 'MODULES=(amdgpu); . "$1"; echo "${MODULES[*]}"' _ "$1"; }

@test "dracut: a new drop-in forces the vfio modules early, as dracut.conf(5) spells it; bash reads them after the others" {
	f="$BATS_TEST_TMPDIR/etc/dracut.conf.d/vfio.conf"
	mkdir -p "${f%/*}"
	mc_twice "$f" 'force_drivers+=" vfio_pci vfio vfio_iommu_type1 "\n' --set "force_drivers $V"
	run -0 dracut_sees "$f"
	[ "$output" = "nvme vfio_pci vfio vfio_iommu_type1" ]
}

@test "dracut: words join the file's force_drivers line ahead of its words, spacing kept; other lines untouched; a word there already is not added" {
	f="$BATS_TEST_TMPDIR/etc/dracut.conf.d/50-mine.conf"
	text "$f" '# mine\nadd_drivers+=" vfio "\nforce_drivers+="nvme  vfio-pci" # early\nhostonly="yes"\n'
	mc_twice "$f" '# mine\nadd_drivers+=" vfio "\nforce_drivers+="vfio vfio_iommu_type1 nvme  vfio-pci" # early\nhostonly="yes"\n' \
		--set "force_drivers $V"
}

@test "dracut: --del takes the words out, a line left empty goes, --del VAR takes every line of it" {
	f="$BATS_TEST_TMPDIR/etc/dracut.conf.d/vfio.conf"
	text "$f" '# x\nforce_drivers+=" nvme vfio_pci vfio vfio_iommu_type1 "\nforce_drivers+=" vfio "\n'
	mc_twice "$f" '# x\nforce_drivers+=" nvme "\n' --del "force_drivers $V"
	mc_twice "$f" '# x\n' --del force_drivers
}

@test "mkinitcpio: a new drop-in puts the vfio modules ahead of every module mkinitcpio.conf has, after a newline" {
	f="$BATS_TEST_TMPDIR/etc/mkinitcpio.conf.d/vfio.conf"
	mkdir -p "${f%/*}"
	mc_twice "$f" '\nMODULES=(vfio_pci vfio vfio_iommu_type1 ${MODULES[@]})\n' --set "MODULES $V"
	run -0 mkinitcpio_sees "$f"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 amdgpu" ]
	# an old mkinitcpio.conf with a string: its words, one each
	run -0 bash -c 'MODULES="amdgpu nvme"; . "$1"; printf "%s\n" "${MODULES[@]}" | paste -sd" "' _ "$f"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 amdgpu nvme" ]
}

@test "mkinitcpio: words go ahead of the words and \${MODULES[@]} in the file's line; --del takes them out, the line goes when only the reference is left" {
	f="$BATS_TEST_TMPDIR/etc/mkinitcpio.conf.d/10-gpu.conf"
	text "$f" 'MODULES=(nvme vfio "${MODULES[@]}") # mine\nHOOKS+=(x)\n'
	mc_twice "$f" '\nMODULES=(vfio_pci vfio_iommu_type1 nvme vfio "${MODULES[@]}") # mine\nHOOKS+=(x)\n' --set "MODULES $V"
	mc_twice "$f" '\nMODULES=(nvme "${MODULES[@]}") # mine\nHOOKS+=(x)\n' --del "MODULES $V"
	text "$f" 'MODULES=(vfio_pci vfio vfio_iommu_type1 ${MODULES[@]})\n'
	mc_twice "$f" '' --del "MODULES $V"
}

@test "an assignment that cannot be edited safely is exit 2, nothing written; other ops and formats are refused" {
	d="$BATS_TEST_TMPDIR/etc"
	text "$d/dracut.conf.d/a.conf" 'force_drivers+=" $(ls) "\n'
	text "$d/mkinitcpio.conf.d/a.conf" 'MODULES=(a\n b)\n'
	cp -a "$d" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr "$MC" -i --set "force_drivers $V" "$d/dracut.conf.d/a.conf"
	[ "$stderr" = "modconf-edit: $d/dracut.conf.d/a.conf:1: cannot edit this assignment of force_drivers: only VAR+=\" WORD... \" on one line" ]
	run -2 --separate-stderr "$MC" -i --set "MODULES $V" "$d/mkinitcpio.conf.d/a.conf"
	[ "$stderr" = "modconf-edit: $d/mkinitcpio.conf.d/a.conf:1: cannot edit this assignment of MODULES: only VAR=(WORD... \${VAR[@]}) on one line" ]
	run -2 --separate-stderr "$MC" -i --merge "MODULES $V" "$d/mkinitcpio.conf.d/b.conf"
	[ "$stderr" = "modconf-edit: --merge: 'MODULES $V': only --set and --del edit a module list" ]
	run -2 --separate-stderr "$MC" -i --set 'MODULES $(x)' "$d/mkinitcpio.conf.d/b.conf"
	[ "$stderr" = "modconf-edit: --set: 'MODULES \$(x)': '\$(x)' is not a module name" ]
	diff -r "$BATS_TEST_TMPDIR/orig" "$d"
	# --format says it where the directory does not
	run -0 "$MC" --format dracut --set 'force_drivers vfio' </dev/null
	[ "$output" = 'force_drivers+=" vfio "' ]
}
