#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# modconf-edit on module lists: /etc/modules, modules-load.d, initramfs-tools/modules.

load helper-modconf

guide_modules() {
	fixture guide-modules etc/modules
}

@test "the guide's /etc/modules already has step 2: nothing to change, no warning" {
	f=$(guide_modules)
	cp "$f" "$BATS_TEST_TMPDIR/before"
	mc_twice "$f" "$(cat "$BATS_TEST_TMPDIR/before")\n" --set vfio --set vfio_iommu_type1 --set vfio-pci
	[ -z "$MC_STDERR" ]
}

@test "the guide's 'vfio_virqfd #not needed...' line: systemd never loads it, and says why" {
	f=$(guide_modules)
	cp "$f" "$BATS_TEST_TMPDIR/before"
	mc_twice "$f" "$(cat "$BATS_TEST_TMPDIR/before")\n" --set vfio_virqfd
	[ "$MC_STDERR" = "modconf-edit: $f:10: warning: '#' after a module name is not a comment: systemd-modules-load reads the whole line as the name and never loads 'vfio_virqfd'" ]
}

@test "--del vfio_virqfd removes the guide's line with its inline comment, nothing else" {
	f=$(guide_modules)
	mc_twice "$f" "$(cat "$MCDATA/debian-modules")\n\nvfio\nvfio_iommu_type1\nvfio_pci\n" --del vfio_virqfd
}

@test "commented-out modules are not revived and not counted" {
	f="$BATS_TEST_TMPDIR/etc/modules-load.d/vfio.conf"
	text "$f" '#vfio_pci\n; vfio\n'
	mc_twice "$f" '#vfio_pci\n; vfio\nvfio_pci\nvfio\n' --set vfio_pci --set vfio
	mc_twice "$f" '#vfio_pci\n; vfio\nvfio\n' --del vfio_pci
}

@test "module names match with - and _ the same; indented names and trailing blanks are the module" {
	f="$BATS_TEST_TMPDIR/etc/modules"
	text "$f" '  vfio_pci  \n'
	mc_twice "$f" '  vfio_pci  \n' --set vfio-pci
}

@test "parameters in /etc/modules: kept, with a warning that systemd ignores them" {
	f="$BATS_TEST_TMPDIR/etc/modules"
	text "$f" 'vfio_pci ids=8086:3e92\n'
	mc_twice "$f" 'vfio_pci ids=8086:3e92\n' --set vfio_pci
	[ "$MC_STDERR" = "modconf-edit: $f:1: warning: module parameters after 'vfio_pci' are ignored by systemd-modules-load, which reads the whole line as a name; use modprobe.d: options vfio_pci ..." ]
}

@test "initramfs-tools/modules takes parameters: --set writes them, silently" {
	f="$BATS_TEST_TMPDIR/etc/initramfs-tools/modules"
	text "$f" '# List of modules that you want to include in your initramfs.\nvfio_pci\n'
	mc_twice "$f" '# List of modules that you want to include in your initramfs.\nvfio_pci ids=8086:3e92\n' \
		--set 'vfio_pci ids=8086:3e92'
	[ -z "$MC_STDERR" ]
	mc_twice "$f" '# List of modules that you want to include in your initramfs.\nvfio_pci ids=10de:1b80\n' \
		--set 'vfio_pci ids=10de:1b80'
}

@test "a modules-load.d file not named *.conf is ignored by systemd: a warning" {
	f="$BATS_TEST_TMPDIR/etc/modules-load.d/vfio"
	mkdir -p "${f%/*}"
	mc_twice "$f" 'vfio_pci\n' --set vfio_pci
	[ "$MC_STDERR" = "modconf-edit: $f: warning: systemd-modules-load reads only *.conf files in modules-load.d: it ignores this one" ]
}

@test "a modprobe.d line given for a module list is refused, naming the file" {
	f=$(guide_modules)
	run -2 --separate-stderr "$MC" --set 'blacklist i915' "$f"
	[ "$output" = "" ]
	[ "$stderr" = "modconf-edit: --set 'blacklist i915': a modprobe.d line, but $f is in modules format (use --format modprobe)" ]
}

@test "--merge is for modprobe.d options lines, not for a module list" {
	run -2 --separate-stderr "$MC" --merge 'vfio_pci ids=1:2' </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "modconf-edit: --merge 'vfio_pci ids=1:2': --merge is for modprobe.d 'options' lines, not for a module list" ]
}

@test "stdin is a module list by default, edited to stdout" {
	run -0 --separate-stderr "$MC" --set vfio_pci --del vfio_virqfd <"$MCDATA/guide-modules"
	[ "$output" = "$(cat "$MCDATA/debian-modules")

vfio
vfio_iommu_type1
vfio_pci" ]
}
