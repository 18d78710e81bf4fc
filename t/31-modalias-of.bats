#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# modalias-of: modaliases as the kernel wrote them, alias lines, matching modules.
load helper-sysfs

setup() {
	T=$BATS_TEST_TMPDIR/t
	gen_tree "$T" 30
	M=$T/lib/modules/6.1.0-18-amd64
	mkdir -p "$M"
	cp "$DATA/roots/modules.alias" "$DATA/roots/modules.builtin.alias" "$M/"
}

@test "prints this machine's modalias files as they are" {
	need_real_pci
	for d in /sys/bus/pci/devices/*; do
		run -0 "$VFIOKIT_BIN/modalias-of" "${d##*/}"
		[ "$output" = "$(cat "$d/modalias")" ]
	done
}

@test "a slot without its domain is in domain 0000" {
	run -0 "$VFIOKIT_BIN/modalias-of" --root "$T" 00:02.0
	[ "$output" = "pci:v00008086d00001901sv00001458sd00005000bc06sc04i00" ]
}

@test "ids name every device that has them" {
	run -0 "$VFIOKIT_BIN/modalias-of" --root "$T" 10de:10f0
	[ "$output" = "pci:v000010DEd000010F0sv00001462sd00003362bc04sc03i00
pci:v000010DEd000010F0sv00001F1Fsd00001234bc04sc03i00
pci:v000010DEd000010F0sv00001462sd00003362bc04sc03i00" ]
}

@test "--alias writes the modprobe.d line of the guide's step 3b" {
	run -0 "$VFIOKIT_BIN/modalias-of" --root "$T" --alias vfio-pci 0000:00:00.0
	[ "$output" = "alias pci:v00008086d00003E92sv00001458sd0000D000bc03sc00i00 vfio-pci" ]
}

@test "reads devices from stdin, first field, as pci-list -o slot writes them" {
	"$VFIOKIT_BIN/pci-list" --root "$T" -o slot,class -c 0300 >"$BATS_TEST_TMPDIR/in"
	run -0 "$VFIOKIT_BIN/modalias-of" --root "$T" <"$BATS_TEST_TMPDIR/in"
	[ "${#lines[@]}" -eq "$(wc -l <"$BATS_TEST_TMPDIR/in")" ]
	[ "${lines[0]}" = "pci:v00008086d00003E92sv00001458sd0000D000bc03sc00i00" ]
}

@test "-m lists the modules whose aliases match, in modules.alias order" {
	run -0 "$VFIOKIT_BIN/modalias-of" --root "$T" --kernel 6.1.0-18-amd64 -m 00:00.0 00:01.1 00:03.0 00:06.0
	[ "$output" = "0000:00:00.0 i915
0000:00:01.1 snd_hda_intel snd_sof_pci_intel_cnl
0000:00:03.0 xhci_pci
0000:00:06.0" ]
}

@test "-m on a root whose modules live in /usr/lib/modules only (no /lib link)" {
	mkdir -p "$T/usr/lib"
	mv "$T/lib/modules" "$T/usr/lib/modules"
	run -0 "$VFIOKIT_BIN/modalias-of" --root "$T" --kernel 6.1.0-18-amd64 -m 00:01.1
	[ "$output" = "0000:00:01.1 snd_hda_intel snd_sof_pci_intel_cnl" ]
	# and the newest kernel there is the one read when none is named
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -o slot,modules -s 00:01.1
	[ "$output" = "0000:00:01.1	snd_hda_intel,snd_sof_pci_intel_cnl" ]
}

@test "an unknown device is exit 2 and prints nothing" {
	run -2 --separate-stderr "$VFIOKIT_BIN/modalias-of" --root "$T" 00:00.0 00:1f.7
	[ -z "$output" ]
	[ "$stderr" = "modalias-of: 00:1f.7: no such device" ]
	run -2 --separate-stderr "$VFIOKIT_BIN/modalias-of" --root "$T" nonsense
	[ -z "$output" ]
}

@test "-m without modules.alias is exit 2" {
	rm "$M/modules.alias"
	run -2 --separate-stderr "$VFIOKIT_BIN/modalias-of" --root "$T" --kernel 6.1.0-18-amd64 -m 00:00.0
	[ -z "$output" ]
	[[ $stderr == *"/modules.alias: cannot read: No such file or directory" ]]
}
