#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline-edit on systemd-boot loader entries (Boot Loader Specification type #1):
# the options line, read as systemd-boot reads it, every other byte kept.

load helper

setup() {
	E="$BATS_TEST_TMPDIR/boot/loader/entries/arch.conf"
	mkdir -p "${E%/*}"
	# an Arch entry written by hand, as the Arch wiki's systemd-boot page shows it
	printf '%s\n' 'title   Arch Linux' 'linux   /vmlinuz-linux' 'initrd  /amd-ucode.img' \
		'initrd  /initramfs-linux.img' 'options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw' >"$E"
	cp "$E" "$BATS_TEST_TMPDIR/orig"
}

@test "a loader entry is recognised by where it lives: the options line gets the parameters, nothing else moves" {
	run -0 "$CE" -i --merge intel_iommu=on --merge iommu=pt "$E"
	head -n 4 "$BATS_TEST_TMPDIR/orig" >"$BATS_TEST_TMPDIR/want"
	echo 'options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw intel_iommu=on iommu=pt' >>"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$E"
	run -0 "$CE" --check --merge intel_iommu=on --merge iommu=pt "$E"
	run -0 "$CE" --get iommu "$E"
	[ "$output" = "pt" ]
	# and back, byte for byte
	run -0 "$CE" -i --unmerge intel_iommu=on --unmerge iommu=pt "$E"
	cmp "$BATS_TEST_TMPDIR/orig" "$E"
}

@test "blanks around the value, a comment, CRLF and the key's spacing are kept" {
	printf '# written by hand\r\ntitle Arch\r\nlinux /vmlinuz-linux\r\n\toptions \t root=/dev/sda2  rw \t\r\n' >"$E"
	run -0 "$CE" -i --set iommu=pt "$E"
	[ "$(od -An -c "$E" | tr -s ' ' | tr -d '\n')" = "$(printf '# written by hand\r\ntitle Arch\r\nlinux /vmlinuz-linux\r\n\toptions \t root=/dev/sda2  rw iommu=pt \t\r\n' | od -An -c | tr -s ' ' | tr -d '\n')" ]
}

@test "--entry says it for any name; an entry booting Linux with no options line gets one, another OS's none" {
	printf 'title x\nlinux /vmlinuz' >"$BATS_TEST_TMPDIR/x"
	run -0 "$CE" --entry --set iommu=pt "$BATS_TEST_TMPDIR/x"
	[ "$output" = "title x
linux /vmlinuz
options iommu=pt" ]
	printf 'title Windows\nefi /EFI/Microsoft/Boot/bootmgfw.efi\n' >"$E"
	cp "$E" "$BATS_TEST_TMPDIR/before"
	run -0 "$CE" -i --set iommu=pt "$E"
	cmp "$BATS_TEST_TMPDIR/before" "$E"
}

@test "an options line the edits empty goes (systemd-boot skips it): the entry that had none is given back byte for byte" {
	printf 'title Debian\nlinux /vmlinuz-6.1.0-26-amd64\ninitrd /initrd.img-6.1.0-26-amd64\n' >"$E"
	cp "$E" "$BATS_TEST_TMPDIR/before"
	run -0 "$CE" -i --merge intel_iommu=on --merge iommu=pt "$E"
	[ "$(tail -n 1 "$E")" = "options intel_iommu=on iommu=pt" ]
	run -0 "$CE" -i --unmerge intel_iommu=on --unmerge iommu=pt "$E"
	cmp "$BATS_TEST_TMPDIR/before" "$E"
	# a line in the middle goes with its newline, the rest stays in place
	printf 'title x\noptions  quiet \nlinux /vmlinuz\n' >"$E"
	run -0 "$CE" -i --del quiet "$E"
	[ "$(cat "$E")" = "title x
linux /vmlinuz" ]
	# a value left with something in it keeps its line
	printf 'title x\nlinux /vmlinuz\noptions quiet iommu=pt\n' >"$E"
	run -0 "$CE" -i --del iommu "$E"
	[ "$(tail -n 1 "$E")" = "options quiet" ]
}

@test "what systemd-boot would read otherwise is refused, nothing written: two options lines, a quoted value, a CR inside a line" {
	for body in 'options a\noptions b\n' 'options "root=/dev/sda2 rw"\n' 'options a\rb\n'; do
		printf "title x\nlinux /vmlinuz\n$body" >"$E"
		cp "$E" "$BATS_TEST_TMPDIR/before"
		run -2 --separate-stderr "$CE" -i --set iommu=pt "$E"
		cmp "$BATS_TEST_TMPDIR/before" "$E"
	done
	printf 'title x\nlinux /vmlinuz\noptions a\noptions b\n' >"$E"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$E"
	[ "$stderr" = "cmdline-edit: $E:4: another options line (systemd-boot joins them, line 3 is the first): join them into one to edit them" ]
	printf 'linux /vmlinuz\noptions "root=/dev/sda2 rw"\n' >"$E"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$E"
	[ "$stderr" = "cmdline-edit: $E:2: a quoted options value: systemd-boot drops the quotes, cannot be edited safely" ]
}
