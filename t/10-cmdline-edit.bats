#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline-edit on plain command lines: the kernel's own splitting rules.

load helper

@test "the guide's Proxmox line: three --set appended, second pass changes nothing" {
	ce_twice "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=igfx_off iommu=pt video=efifb:off" \
		"root=ZFS=rpool/ROOT/pve-1 boot=zfs" \
		--set intel_iommu=igfx_off --set iommu=pt --set video=efifb:off
}

@test "--set rewrites the first occurrence where it stands and removes later ones" {
	ce_twice "a iommu=pt b c" "a iommu=soft b iommu=nopt c" --set iommu=pt
}

@test "--set of a bare flag, KEY= and KEY=VALUE are three different values" {
	ce_twice "quiet splash" "quiet=1 splash" --set quiet
	ce_twice "quiet= splash" "quiet splash" --set quiet=
	ce_twice "quiet=0 splash" "quiet= splash" --set quiet=0
}

@test "keys match with - and _ the same, and keep their spelling" {
	ce_twice "vfio_pci.ids=10de:1b80 x" "vfio_pci.ids=8086:3e92 x" --set vfio-pci.ids=10de:1b80
}

@test "case matters in keys" {
	ce_twice "Quiet quiet" "Quiet" --set quiet
}

@test "a value may hold '=': KEY is what stands before the first '='" {
	ce_twice "root=ZFS=rpool/ROOT/pve-1 boot=zfs" "root=ZFS=rpool/ROOT/pve-1 boot=zfs" --set root=ZFS=rpool/ROOT/pve-1
	ce_twice "root=UUID=1234 ro" "root=ZFS=rpool/ROOT/pve-1 ro" --set root=UUID=1234
}

@test "a quoted value with spaces is one parameter, in either quoting" {
	ce_twice 'acpi_osi="Windows 2020" x' 'acpi_osi="Windows 2020" x' --add "acpi_osi=Windows 2020"
	ce_twice '"acpi_osi=Windows 2020" x' '"acpi_osi=Windows 2020" x' --add "acpi_osi=Windows 2020"
	ce_twice 'x' '"acpi_osi=Windows 2020" x' --del acpi_osi
}

@test "a new value holding a space is written KEY=\"VALUE\"" {
	ce_twice 'quiet acpi_osi="Windows 2020"' 'quiet' --set "acpi_osi=Windows 2020"
}

@test "--add appends repeatable keys in order, unless that exact one is present" {
	ce_twice "console=tty0 console=ttyS0,115200" "console=tty0" --add console=ttyS0,115200
	ce_twice "console=ttyS0,115200 console=tty0" "console=ttyS0,115200" --add console=tty0
}

@test "--del KEY removes every occurrence, --del KEY=VALUE only that one" {
	ce_twice "a b" "a console=tty0 b console=ttyS0" --del console
	ce_twice "a console=tty0 b" "a console=tty0 b console=ttyS0" --del console=ttyS0
}

@test "--merge appends missing comma items to an existing list" {
	ce_twice "vfio-pci.ids=8086:3e92,10de:1b80 q" "vfio-pci.ids=8086:3e92 q" --merge vfio-pci.ids=10de:1b80,8086:3e92
	ce_twice "intel_iommu=on,igfx_off" "intel_iommu=on" --merge intel_iommu=on,igfx_off
}

@test "vfio-pci ids are one id whatever their case (the driver reads them with %x), other lists keep case" {
	ce_twice "vfio-pci.ids=10de:1b80" "vfio-pci.ids=10de:1b80" --merge vfio-pci.ids=10DE:1B80
	ce_twice "vfio_pci.ids=8086:3E92,10de:1b80 q" "vfio_pci.ids=8086:3E92 q" --merge vfio-pci.ids=10de:1b80,8086:3e92
	ce_twice "q" "vfio-pci.ids=10de:1b80 q" --unmerge vfio-pci.ids=10DE:1B80
	ce_twice "intel_iommu=on,ON" "intel_iommu=on" --merge intel_iommu=ON
}

@test "--merge creates KEY=ITEMS when absent, without duplicate items" {
	ce_twice "quiet vfio_pci.ids=a:b,c:d" "quiet" --merge vfio_pci.ids=a:b,c:d,a:b
}

@test "--merge goes into the last occurrence, the one a module parameter keeps" {
	ce_twice "x=a x=b,c" "x=a x=b" --merge x=c
}

@test "--unmerge removes items, and the key when its list empties" {
	ce_twice "vfio-pci.ids=10de:1b80 q" "vfio-pci.ids=8086:3e92,10de:1b80 q" --unmerge vfio-pci.ids=8086:3e92
	ce_twice "q" "vfio-pci.ids=8086:3e92 q" --unmerge vfio-pci.ids=8086:3e92
}

@test "everything after a lone -- is init's: no op looks there, new parameters go before it" {
	ce_twice "a iommu=pt -- iommu=off single" "a -- iommu=off single" --set iommu=pt
	ce_twice "a -- quiet" "a quiet -- quiet" --del quiet
	ce_twice "x=1 -- -- y" "-- -- y" --set x=1
}

@test "separators and untouched bytes are kept, tabs and double spaces included" {
	ce_twice "a	b  c=2   d" "a	b  c=1   d" --set c=2
	ce_twice "  a	d  " "  a	b  d  " --del b
}

@test "a CR line end stays at the end of the line" {
	run -0 "$CE" --set iommu=pt < <(printf 'quiet splash\r\n')
	[ "$output" = "$(printf 'quiet splash iommu=pt\r')" ]
}

@test "an edited last line gains its newline; an untouched one does not" {
	run -0 "$CE" --set x=1 < <(printf 'a b')
	diff -u <(printf 'a b x=1\n') <("$CE" --set x=1 < <(printf 'a b'))
	diff -u <(printf 'a b x=1') <("$CE" --set x=1 < <(printf 'a b x=1'))
}

@test "an empty input gets the parameters on one line" {
	diff -u <(printf 'intel_iommu=on iommu=pt\n') <("$CE" --set intel_iommu=on --set iommu=pt </dev/null)
}

@test "several command lines are one, as kernel-install joins them: edited once, with a warning about the readers" {
	run -0 --separate-stderr "$CE" --set iommu=pt < <(printf 'a\nb\n')
	[ "$output" = "$(printf 'a\nb iommu=pt')" ]
	[ "$stderr" = "cmdline-edit: -: warning: the command line spans 2 lines: proxmox-boot-tool reads line 1 only, kernel-install joins them all" ]
}

@test "--get prints each value, an empty line for a bare flag, exit 1 when absent" {
	run -0 "$CE" --get console <<<"console=tty0 quiet console=ttyS0,115200"
	[ "$output" = "$(printf 'tty0\nttyS0,115200')" ]
	run -0 "$CE" --get quiet <<<"console=tty0 quiet"
	[ "$output" = "" ] && [ "${#lines[@]}" -eq 0 ]
	diff -u <(printf '\n') <("$CE" --get quiet <<<"quiet")
	run -1 "$CE" --get splash <<<"console=tty0 quiet"
	[ "$output" = "" ]
	run -0 "$CE" --get acpi_osi <<<'"acpi_osi=Windows 2020"'
	[ "$output" = "Windows 2020" ]
	run -1 "$CE" --get x <<<"-- x=1"
}

@test "--get after --set returns the value set" {
	run -0 "$CE" --get vfio-pci.ids < <("$CE" --merge vfio_pci.ids=1:2,3:4 <<<"quiet")
	[ "$output" = "1:2,3:4" ]
}

@test "an unterminated quote is an error naming the line, nothing printed" {
	run -2 --separate-stderr "$CE" --set x=1 < <(printf 'quiet "acpi_osi=Windows\n')
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: -:1: unterminated quote at column 7" ]
}

@test "--merge into a value holding a quote the kernel keeps is refused, nothing written" {
	run -2 --separate-stderr "$CE" --merge x=d < <(printf 'quiet x=a"b c"\n')
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: -:1: --merge 'x=d': the value holds '\"', which the kernel keeps as data and cannot escape; cannot be edited safely" ]
}

@test "an unterminated quote inside a value is named at the quote itself" {
	run -2 --separate-stderr "$CE" --set x=1 < <(printf 'quiet acpi_osi="Windows 2020\n')
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: -:1: unterminated quote at column 16" ]
}

@test "a value holding a double quote cannot be written" {
	run -2 --separate-stderr "$CE" --set 'x=a"b' <<<"quiet"
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: --set 'x=a\"b': a value holding '\"' cannot be written (the kernel has no escape for it)" ]
}

@test "bad op arguments are refused with the op named" {
	run -2 --separate-stderr "$CE" --set '=1' <<<"q"
	[ "$stderr" = "cmdline-edit: --set '=1': empty key" ]
	run -2 --separate-stderr "$CE" --merge 'ids' <<<"q"
	[ "$stderr" = "cmdline-edit: --merge 'ids': needs KEY=ITEM[,ITEM...]" ]
	run -2 --separate-stderr "$CE" --set '--' <<<"q"
	[ "$stderr" = "cmdline-edit: --set '--': \"--\" is not a parameter (it ends the kernel's)" ]
}

@test "a NUL byte is an error naming the line" {
	run -2 --separate-stderr "$CE" --set x=1 < <(printf 'a\nb\0c\n')
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: -:2: NUL byte in a text file" ]
}

@test "no op is a usage error; -h prints usage on stdout; --version" {
	run -2 --separate-stderr "$CE" </dev/null
	[ "$output" = "" ]
	run -0 "$CE" -h
	[[ "$output" == "usage: cmdline-edit "* ]]
	run -0 "$CE" --version
	[ "$output" = "cmdline-edit 0.1.0" ]
	run -2 --separate-stderr "$CE" --bogus
	[[ "$stderr" == *"usage: cmdline-edit"* ]]
}

@test "--check: exit 1 when it would change, 0 when not, nothing printed" {
	run -1 "$CE" --check --set iommu=pt <<<"quiet"
	[ "$output" = "" ]
	run -0 "$CE" --check --set iommu=pt <<<"quiet iommu=pt"
	[ "$output" = "" ]
}

@test "--diff prints a unified diff of the change, nothing when unchanged" {
	printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\n' >"$BATS_TEST_TMPDIR/cmdline"
	run -0 "$CE" --diff --set iommu=pt "$BATS_TEST_TMPDIR/cmdline"
	[ "$output" = "--- $BATS_TEST_TMPDIR/cmdline
+++ $BATS_TEST_TMPDIR/cmdline
@@ -1 +1 @@
-root=ZFS=rpool/ROOT/pve-1 boot=zfs
+root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt" ]
	run -0 "$CE" --diff --set boot=zfs "$BATS_TEST_TMPDIR/cmdline"
	[ "$output" = "" ]
}

@test "the real /proc/cmdline of this machine round-trips byte for byte" {
	[ -r /proc/cmdline ] || skip "no /proc/cmdline"
	diff -u /proc/cmdline <("$CE" --del vfio-kit-absent-key </proc/cmdline)
	# a parameter added to the real line lands before init's "--" when there is one
	if grep -q -- ' -- ' /proc/cmdline; then
		"$CE" --set vfiokit.test=1 </proc/cmdline | grep -q 'vfiokit.test=1 -- '
	fi
}
