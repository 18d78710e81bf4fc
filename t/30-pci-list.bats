#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pci-list: the listing, its filters, --groups and --lspci, against lspci itself.
load helper-sysfs

setup() {
	T=$BATS_TEST_TMPDIR/t
	gen_tree "$T" 60
}

@test "lists this machine's devices exactly as lspci -Dnnk does" {
	need_lspci
	need_real_pci
	need_full_ids
	opts=
	# lspci asks udev's hwdb when pci.ids lacks a name; pci-list never does
	[ ! -e /etc/udev/hwdb.bin ] && [ ! -e /lib/udev/hwdb.bin ] || opts="-O hwdb.disable=1"
	# shellcheck disable=SC2086
	lspci $opts -Dnnk >"$BATS_TEST_TMPDIR/want" 2>/dev/null
	run -0 "$VFIOKIT_BIN/pci-list" --lspci
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "a generated tree prints as lspci prints it, with the full pci.ids" {
	need_lspci
	need_full_ids
	lspci_tree "$T" "$FULL_IDS" -Dnnk >"$BATS_TEST_TMPDIR/want"
	"$VFIOKIT_BIN/pci-list" --root "$T" -i "$FULL_IDS" --lspci >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "unknown vendors, devices, subsystems and classes fall back as lspci's do" {
	need_lspci
	lspci_tree "$T" "$SUBSET" -Dnnk >"$BATS_TEST_TMPDIR/want"
	"$VFIOKIT_BIN/pci-list" --root "$T" -i "$SUBSET" --lspci >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	grep -q '^0000:00:07.0 Class \[2000\]: Device \[1f1f:0001\] (rev 01)$' "$BATS_TEST_TMPDIR/got"
	grep -q '^0000:00:08.0 Display controller \[03ff\]: ' "$BATS_TEST_TMPDIR/got"
}

@test "the fields are what the generator wrote, sorted with domain 10000 last" {
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -n
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	diff -u "$T/gen.tsv" "$BATS_TEST_TMPDIR/got"
	[ "${lines[59]%%	*}" = 10000:e1:02.0 ]
}

@test "the default line carries the name after the fields" {
	mkdir -p "$T/usr/share/misc"
	cp "$SUBSET" "$T/usr/share/misc/pci.ids"
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -s 00:00.0
	[ "$output" = "0000:00:00.0	0300	8086:3e92	1458:d000	i915	1	VGA compatible controller: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630]" ]
}

@test "-o picks fields in the order given, - for what is absent" {
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -o slot,vendor,device,modalias,driver -s 00:06.0
	[ "$output" = "0000:00:06.0	8086	0d57	pci:v00008086d00000D57sv00000000sd00000000bc06sc00i00	-" ]
}

@test "slot filters select what lspci -s selects" {
	need_lspci
	for s in 00:01 01: .1 10000:e1:01.0 0: 1f 00:1a.1 '*:*.0'; do
		lspci_tree "$T" "$SUBSET" -Dnn -s "$s" >"$BATS_TEST_TMPDIR/want"
		"$VFIOKIT_BIN/pci-list" --root "$T" -i "$SUBSET" --lspci -s "$s" |
			grep -v '^	' >"$BATS_TEST_TMPDIR/got" || true
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
}

@test "id and class filters select what lspci -d selects" {
	need_lspci
	for d in 10de: :10f0 8086:1901 ::0403 '::03xx' 1f1f::2000 '*:*:0c03:30'; do
		lspci_tree "$T" "$SUBSET" -Dnn -d "$d" >"$BATS_TEST_TMPDIR/want"
		"$VFIOKIT_BIN/pci-list" --root "$T" -i "$SUBSET" --lspci -d "$d" |
			grep -v '^	' >"$BATS_TEST_TMPDIR/got" || true
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
}

@test "-c takes a base class or a class and subclass" {
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -o slot -c 04
	[ "$output" = "$(awk '$2 ~ /^04/ { print $1 }' "$T/gen.tsv")" ]
	[ "${#lines[@]}" -eq 10 ]
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -o slot -c 0108
	[ "$output" = "$(awk '$2 == "0108" { print $1 }' "$T/gen.tsv")" ]
	run -2 "$VFIOKIT_BIN/pci-list" --root "$T" -c 123
}

@test "-g lists one IOMMU group" {
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" -o slot,group -g 2
	[ "$output" = "0000:00:01.0	2
0000:00:01.1	2" ]
}

@test "a filter that matches nothing is exit 1 with no output" {
	run -1 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$T" -d dead:beef
	[ -z "$output" ] && [ -z "$stderr" ]
}

@test "bad filters and a missing sysfs are exit 2" {
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$T" -s 00:20.0
	[ "$stderr" != "" ]
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$T" -d 12345:1
	mkdir "$BATS_TEST_TMPDIR/none"	# a root without sys/ (one not there at all: t/63)
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$BATS_TEST_TMPDIR/none"
	[ -z "$output" ]
	[[ $stderr == "pci-list: $BATS_TEST_TMPDIR/none/sys/bus/pci/devices: "* ]]
}

@test "a malformed modalias is exit 2 naming the file" {
	echo 'pci:v00008086dXYZ' >"$T/sys/bus/pci/devices/0000:00:00.0/modalias"
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$T"
	[ -z "$output" ]
	[[ $stderr == *"/0000:00:00.0/modalias: "* ]]
}

@test "--groups prints what the Arch wiki loop prints" {
	need_lspci
	{
		for g in $(find "$T/sys/kernel/iommu_groups/"* -maxdepth 0 -type d | sort -V); do
			echo "IOMMU Group ${g##*/}:"
			for d in "$g"/devices/*; do
				printf '\t%s\n' "$(lspci_tree "$T" "$SUBSET" -Dnns "${d##*/}")"
			done
		done
	} >"$BATS_TEST_TMPDIR/want"
	"$VFIOKIT_BIN/pci-list" --root "$T" -i "$SUBSET" --groups >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "--groups on a machine without IOMMU groups is exit 1" {
	gen_tree "$BATS_TEST_TMPDIR/ng" 5 --no-groups
	run -1 "$VFIOKIT_BIN/pci-list" --root "$BATS_TEST_TMPDIR/ng" --groups
	[ -z "$output" ]
}

@test "-k adds the modules whose aliases match, builtin ones when nothing else does" {
	m=$T/lib/modules/6.1.0-18-amd64
	mkdir -p "$m"
	cp "$DATA/roots/modules.alias" "$DATA/roots/modules.builtin.alias" "$m/"
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" --kernel 6.1.0-18-amd64 -k -n -s 00:
	[ "${lines[0]}" = "0000:00:00.0	0300	8086:3e92	1458:d000	i915	1	i915" ]
	[ "${lines[2]}" = "0000:00:01.1	0403	10de:10f0	1462:3362	snd_hda_intel	2	snd_hda_intel,snd_sof_pci_intel_cnl" ]
	[ "${lines[3]}" = "0000:00:02.0	0604	8086:1901	1458:5000	pcieport	3	-" ]
	[ "${lines[4]}" = "0000:00:03.0	0c03	8086:a2af	1458:5007	xhci_hcd	4	xhci_pci" ]
}

@test "--lspci prints Kernel modules lines when the root has modules.alias" {
	m=$T/lib/modules/6.1.0-18-amd64
	mkdir -p "$m"
	cp "$DATA/roots/modules.alias" "$m/"
	run -0 "$VFIOKIT_BIN/pci-list" --root "$T" --kernel 6.1.0-18-amd64 -i "$SUBSET" --lspci -s 00:01.1
	[ "$output" = "0000:00:01.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
	Subsystem: Micro-Star International Co., Ltd. [MSI] Device [1462:3362]
	Kernel driver in use: snd_hda_intel
	Kernel modules: snd_hda_intel, snd_sof_pci_intel_cnl" ]
}

@test "a label prints as DeviceName, verbatim as lspci prints it" {
	need_lspci
	printf 'Onboard IGD\n' >"$T/sys/bus/pci/devices/0000:00:00.0/label"
	printf 'Onboard LAN' >"$T/sys/bus/pci/devices/0000:00:05.0/label"
	lspci_tree "$T" "$SUBSET" -Dnnk >"$BATS_TEST_TMPDIR/want"
	"$VFIOKIT_BIN/pci-list" --root "$T" -i "$SUBSET" --lspci >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "the virtio VM fixture lists as its lspci output did" {
	printf '%s\n' "0000:00:00.0	0600	8086:0d57	-	-	-" \
		"0000:00:01.0	ffff	1af4:1045	1af4:1045	virtio-pci	-" >"$BATS_TEST_TMPDIR/want"
	run -0 "$VFIOKIT_BIN/pci-list" --root "$DATA/sysfs/virtio-vm" -n
	[ "${lines[0]}" = "0000:00:00.0	0600	8086:0d57	-	-	-" ]
	[ "${lines[1]}" = "0000:00:01.0	ffff	1af4:1045	1af4:1045	virtio-pci	-" ]
	run -0 "$VFIOKIT_BIN/pci-list" --root "$DATA/sysfs/virtio-vm" -i "$SUBSET" --lspci
	diff -u "$DATA/sysfs/virtio-vm.lspci" <(printf '%s\n' "$output")
}
