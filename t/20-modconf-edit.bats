#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# modconf-edit on modprobe.d: the guide's steps, real files, kmod as the oracle.

load helper-modconf

@test "guide step 2: one call adds the vfio modules to Debian's stock /etc/modules" {
	f=$(fixture debian-modules etc/modules)
	mc_twice "$f" "$(cat "$MCDATA/debian-modules")\n\nvfio\nvfio_iommu_type1\nvfio_pci\n" \
		--set vfio --set vfio_iommu_type1 --set vfio_pci
	[ -z "$MC_STDERR" ]
}

@test "guide step 3a: blacklist the driver and give vfio-pci the ids in one call; kmod reads both" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	mkdir -p "${f%/*}"
	mc_twice "$f" "blacklist i915\noptions vfio-pci ids=8086:3e92 disable_vga=1\n" \
		--set 'blacklist i915' --set 'options vfio-pci ids=8086:3e92 disable_vga=1'
	[ "$(stat -c %a "$f")" = 644 ]
	run -0 kmod_sees "$f" i915 vfio_pci
	[ "$output" = "blacklist i915
options vfio_pci ids=8086:3e92 disable_vga=1" ]
}

@test "guide step 3b: the modalias alias plus the options line in one call; kmod reads both" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	mkdir -p "${f%/*}"
	a='alias pci:v00008086d00003E92sv00001458sd0000D000bc03sc80i00 vfio-pci'
	o='options vfio-pci ids=8086:3e92 disable_vga=1'
	mc_twice "$f" "$a\n$o\n" --set "$a" --set "$o"
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "alias pci:v00008086d00003E92sv00001458sd0000D000bc03sc80i00 vfio_pci
options vfio_pci ids=8086:3e92 disable_vga=1" ]
}

@test "the guide's vfio.conf with its alias and comment: the same edits change nothing" {
	f=$(fixture vfio-alias.conf etc/modprobe.d/vfio.conf)
	mc_twice "$f" "$(cat "$MCDATA/vfio-alias.conf")\n" \
		--set 'alias pci:v00008086d00003E92sv00001458sd0000D000bc03sc80i00 vfio_pci' \
		--set 'options vfio_pci disable_vga=1 ids=8086:3E92'
}

@test "Proxmox's pve-blacklist.conf: a new blacklist goes at the end, the header stays" {
	need_kmod
	f=$(fixture pve-blacklist.conf etc/modprobe.d/pve-blacklist.conf)
	mc_twice "$f" "$(cat "$MCDATA/pve-blacklist.conf")\nblacklist i915\n" \
		--set 'blacklist i915' --set 'blacklist nvidiafb'
	run -0 kmod_sees "$f" i915 nvidiafb
	[ "$output" = "blacklist nvidiafb
blacklist i915" ]
}

@test "Proxmox's pve-blacklist.conf: --del removes the blacklist line and nothing else" {
	f=$(fixture pve-blacklist.conf etc/modprobe.d/pve-blacklist.conf)
	mc_twice "$f" "# This file contains a list of modules which are not supported by Proxmox VE\n\n# nidiafb see bugreport https://bugzilla.proxmox.com/show_bug.cgi?id=701\n" \
		--del 'blacklist nvidiafb'
}

@test "--merge adds one id to the existing ids= list; kmod sees one list" {
	need_kmod
	f=$(fixture vfio.conf etc/modprobe.d/vfio.conf)
	mc_twice "$f" "options vfio-pci ids=8086:3e92,10de:1b80 disable_vga=1\n" \
		--merge 'options vfio-pci ids=10de:1b80'
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "options vfio_pci ids=8086:3e92,10de:1b80 disable_vga=1" ]
}

@test "ids compare case-insensitively: 8086:3E92 is already there" {
	f=$(fixture vfio.conf etc/modprobe.d/vfio.conf)
	mc_twice "$f" "options vfio-pci ids=8086:3e92 disable_vga=1\n" \
		--merge 'options vfio_pci ids=8086:3E92'
}

@test "--merge finds ids= on a continued line and keeps the continuation" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'options vfio-pci disable_vga=1 \\\n\tids=8086:3e92\n'
	mc_twice "$f" 'options vfio-pci disable_vga=1 \\\n\tids=8086:3e92,10de:1b80,10de:10f0\n' \
		--merge 'options vfio-pci ids=10de:1b80,10de:10f0'
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "options vfio_pci disable_vga=1  ids=8086:3e92,10de:1b80,10de:10f0" ]
}

@test "ids= set on two options lines: kmod keeps only the last; --merge says so and merges into one" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'options vfio-pci ids=8086:3e92\n# the NVIDIA card\noptions vfio-pci ids=10de:1b80 disable_vga=1\n'
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "options vfio_pci ids=8086:3e92
options vfio_pci ids=10de:1b80 disable_vga=1" ]
	mc_twice "$f" 'options vfio-pci ids=8086:3e92,10de:1b80,10de:10f0\n# the NVIDIA card\noptions vfio-pci disable_vga=1\n' \
		--merge 'options vfio-pci ids=10de:10f0'
	[ "$MC_STDERR" = "modconf-edit: $f:3: warning: 'ids' set again (first at line 1): kmod joins the options lines and the last one wins; merged into the first" ]
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "options vfio_pci ids=8086:3e92,10de:1b80,10de:10f0
options vfio_pci disable_vga=1" ]
}

@test "--set rewrites a parameter where it stands and appends a new one to the module's line" {
	f=$(fixture vfio.conf etc/modprobe.d/vfio.conf)
	mc_twice "$f" "options vfio-pci ids=10de:1b80 disable_vga=1 disable_idle_d3=1\n" \
		--set 'options vfio-pci ids=10de:1b80 disable_idle_d3=1'
}

@test "--set removes a later duplicate, and a line left with no parameter goes" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'options vfio-pci ids=8086:3e92\noptions vfio-pci ids=10de:1b80\n'
	mc_twice "$f" 'options vfio-pci ids=8086:3e92\n' --set 'options vfio-pci ids=8086:3e92'
	[ "$MC_STDERR" = "modconf-edit: $f:2: warning: 'ids' set again (first at line 1): kmod joins the options lines and the last one wins; this one removed" ]
}

@test "--unmerge removes an id; the key goes when its list empties, the line when it has nothing left" {
	need_kmod
	f=$(fixture vfio.conf etc/modprobe.d/vfio.conf)
	mc_twice "$f" "options vfio-pci ids=8086:3e92 disable_vga=1\n" --unmerge 'options vfio-pci ids=10de:1b80'
	text "$f" 'options vfio-pci ids=8086:3e92,10de:1b80 disable_vga=1\n'
	mc_twice "$f" "options vfio-pci ids=8086:3e92 disable_vga=1\n" --unmerge 'options vfio-pci ids=10DE:1B80'
	mc_twice "$f" "options vfio-pci disable_vga=1\n" --unmerge 'options vfio-pci ids=8086:3e92'
	mc_twice "$f" "" --del 'options vfio-pci disable_vga'
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "" ]
}

@test "--unmerge takes a dep out of a softdep line: an emptied section loses its marker, an emptied line goes" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" '# mine\nsoftdep i915 pre: drm vfio-pci post: snd_hda_intel\nsoftdep e1000e pre: vfio_pci\n'
	mc_twice "$f" '# mine\nsoftdep i915 pre: drm post: snd_hda_intel\n' \
		--unmerge 'softdep i915 pre: vfio-pci' --unmerge 'softdep e1000e pre: vfio-pci'
	mc_twice "$f" '# mine\nsoftdep i915 post: snd_hda_intel\n' --unmerge 'softdep i915 pre: drm'
	# a dep in the other section stays
	mc_twice "$f" '# mine\nsoftdep i915 post: snd_hda_intel\n' --unmerge 'softdep i915 pre: snd_hda_intel'
	run -0 kmod_sees "$f" i915
	[ "$output" = "softdep i915 post: snd_hda_intel" ]
	text "$f" 'weakdep a b c\n'
	mc_twice "$f" 'weakdep a b\n' --unmerge 'weakdep a c'
}

@test "--del of a module's options removes all its options lines, and only those" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'options vfio-pci ids=8086:3e92\nblacklist i915\noptions vfio_pci disable_vga=1\n'
	mc_twice "$f" 'blacklist i915\n' --del 'options vfio-pci'
}

@test "--del options M K=V removes K only where it has that value" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/kvm.conf"
	text "$f" 'options kvm ignore_msrs=1 report_ignored_msrs=0\n'
	mc_twice "$f" 'options kvm ignore_msrs=1 report_ignored_msrs=0\n' --del 'options kvm ignore_msrs=0'
	mc_twice "$f" 'options kvm report_ignored_msrs=0\n' --del 'options kvm ignore_msrs=1'
}

@test "module names match with - and _ the same, and keep the file's spelling" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/b.conf"
	text "$f" 'blacklist snd_hda_intel\n'
	mc_twice "$f" 'blacklist snd_hda_intel\n' --set 'blacklist snd-hda-intel'
	mc_twice "$f" '' --del 'blacklist snd-hda_intel'
}

@test "alias: one line per pattern, its module rewritten in place" {
	need_kmod
	f=$(fixture vfio-alias.conf etc/modprobe.d/vfio.conf)
	p=pci:v00008086d00003E92sv00001458sd0000D000bc03sc80i00
	mc_twice "$f" "# Intel UHD 630 (8086:3e92, subsystem 1458:d000) to vfio-pci by its modalias\nalias $p pci-stub\noptions vfio-pci ids=8086:3e92 disable_vga=1\n" \
		--set "alias $p pci-stub"
	run -0 kmod_sees "$f" pci_stub
	[ "$output" = "alias $p pci_stub" ]
	mc_twice "$f" "# Intel UHD 630 (8086:3e92, subsystem 1458:d000) to vfio-pci by its modalias\noptions vfio-pci ids=8086:3e92 disable_vga=1\n" \
		--del "alias $p"
}

@test "softdep: deps merged into the module's line, never duplicated" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'softdep i915 pre: vfio-pci\n'
	mc_twice "$f" 'softdep i915 pre: vfio-pci snd_hda_intel post: foo\n' \
		--set 'softdep i915 pre: vfio_pci snd_hda_intel post: foo'
	mc_twice "$f" 'softdep i915 pre: vfio-pci snd_hda_intel post: foo\n' --set 'softdep i915 post: foo'
	run -0 kmod_sees "$f" i915
	[ "${output%%post*}" = "softdep i915 pre: vfio-pci snd_hda_intel" ]
	mc_twice "$f" '' --del 'softdep i915'
	text "$f" 'softdep nouveau post: x\n'
	mc_twice "$f" 'softdep nouveau pre: vfio-pci post: x\n' --set 'softdep nouveau pre: vfio-pci'
}

@test "softdep with 'pre:' glued to the module: a warning saying what kmod reads, and --set fixes it" {
	need_kmod
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'softdep drm pre:vfio-pci\n'
	run -0 kmod_sees "$f" drm
	[ "$output" = "softdep drm " ]	# kmod: no dependency at all
	mc_twice "$f" 'softdep drm pre: vfio-pci\n' --set 'softdep drm pre: vfio-pci'
	[ "$MC_STDERR" = "modconf-edit: $f:1: warning: 'pre:vfio-pci': kmod switches to pre-dependencies only on 'pre:' followed by a blank, so it ignores this word; write 'pre: vfio-pci'" ]
	run -0 kmod_sees "$f" drm
	[ "$output" = "softdep drm pre: vfio-pci" ]
	# after a real 'pre:', the glued word is a module named 'pre:vfio-pci' to kmod
	text "$f" 'softdep drm pre: i915 pre:vfio-pci\n'
	mc_twice "$f" 'softdep drm pre: i915 vfio-pci\n' --set 'softdep drm pre: vfio-pci'
	[ "$MC_STDERR" = "modconf-edit: $f:1: warning: 'pre:vfio-pci': kmod switches to pre-dependencies only on 'pre:' followed by a blank, so it reads it as a module of that name; write 'pre: vfio-pci'" ]
	run -0 kmod_sees "$f" drm
	[ "$output" = "softdep drm pre: i915 vfio-pci" ]
	# a glued word not asked for stays (the warning says it)
	text "$f" 'softdep drm pre: i915 post:foo\n'
	mc_twice "$f" 'softdep drm pre: i915 post:foo vfio-pci\n' --set 'softdep drm pre: vfio-pci'
}

@test "a glued 'pre:' in the op itself is refused naming the missing space, nothing written" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	text "$f" 'softdep drm pre: i915\n'
	run -2 --separate-stderr "$MC" -i --set 'softdep drm pre:vfio-pci' "$f"
	[ "$stderr" = "modconf-edit: --set 'softdep drm pre:vfio-pci': 'pre:vfio-pci': a space is missing after 'pre:' (kmod switches sections only on the word alone)" ]
	[ "$(cat "$f")" = "softdep drm pre: i915" ]
}

@test "install and remove: one line per module, the command replaced" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/x.conf"
	text "$f" 'install nouveau /bin/false\n'
	mc_twice "$f" 'install nouveau /bin/true\n' --set 'install nouveau /bin/true'
	mc_twice "$f" 'install nouveau /bin/true\nremove nouveau /bin/true\n' --set 'remove nouveau /bin/true'
	mc_twice "$f" 'remove nouveau /bin/true\n' --del 'install nouveau'
}

@test "edits apply in the order given" {
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/vfio.conf"
	mkdir -p "${f%/*}"
	mc_twice "$f" 'options vfio-pci ids=8086:3e92,10de:1b80\n' \
		--set 'options vfio-pci ids=8086:3e92' --merge 'options vfio-pci ids=10de:1b80'
}

@test "--format modprobe for a file outside modprobe.d, modules for one inside" {
	f="$BATS_TEST_TMPDIR/vfio.txt"
	mc_twice "$f" 'blacklist i915\n' --format modprobe --set 'blacklist i915'
	f="$BATS_TEST_TMPDIR/etc/modprobe.d/list.conf"
	mkdir -p "${f%/*}"
	mc_twice "$f" 'vfio_pci\n' --format modules --set vfio_pci
}
