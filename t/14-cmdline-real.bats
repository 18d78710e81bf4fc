#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline-edit on real files, read as their real readers read them:
# systemd-boot's loader entries (src/boot/efi/boot.c boot_entry_add_type1(),
# line_get_key_value()), kernel-install's /etc/kernel/cmdline
# (90-loaderentry.install.in), and vfio-passthrough --undo on them.
# The fixtures are in t/data/cmdline-real (PROVENANCE says where each is from).

load helper

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	R="$DATA/cmdline-real"
	T="$BATS_TEST_TMPDIR"
	ENT="$T/boot/loader/entries"
	mkdir -p "$ENT"
}

# ki_cmdline FILE: the command line kernel-install's 90-loaderentry.install
# plugin (systemd v254 and later) writes into the entries it makes, by its
# own two lines of shell
ki_cmdline() {
	local BOOT_OPTIONS
	BOOT_OPTIONS="$(grep -Gv '^\s*#' "$1" | tr -s "$IFS" ' ')"
	printf '%s\n' "${BOOT_OPTIONS% }"
}

# count WORD: how often WORD is a whole parameter of stdin's line
count() {
	tr ' ' '\n' | grep -cxF -- "$1" || true
}

# host NAME: a copy of an example host, its refresh commands stand-ins
host() {
	H="$T/host"
	cp -a "$TOP/t/data/hosts/$1" "$H"
	export STUB_LOG="$T/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
	PT="$TOP/scripts/passthrough"
}

@test "an EFI shell entry booting Windows and a memtest86+ entry keep their options: only linux and uki entries have a kernel command line" {
	cp "$R/entries/windows-shell.conf" "$R/entries/memtest86+.conf" "$ENT/"
	printf '%s\n' 'title   Arch Linux' 'linux   /vmlinuz-linux' 'options root=/dev/sda2 rw' >"$ENT/arch.conf"
	run -0 --separate-stderr "$CE" -i --merge intel_iommu=on --merge iommu=pt \
		"$ENT/windows-shell.conf" "$ENT/memtest86+.conf" "$ENT/arch.conf"
	cmp "$R/entries/windows-shell.conf" "$ENT/windows-shell.conf"
	cmp "$R/entries/memtest86+.conf" "$ENT/memtest86+.conf"
	grep -qx 'options root=/dev/sda2 rw intel_iommu=on iommu=pt' "$ENT/arch.conf"
	# by name or by --entry, nothing to change and nothing to find there
	run -0 "$CE" --check --entry --set iommu=pt "$R/entries/windows-shell.conf"
	run -1 "$CE" --get iommu --get nointerrupt "$ENT/windows-shell.conf"
	[ "$output" = "" ]
}

@test "a uki entry without options is refused: an options line would replace the command line built into the UKI" {
	cp "$R/entries/uki.conf" "$ENT/"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$ENT/uki.conf"
	[ "$stderr" = "cmdline-edit: $ENT/uki.conf: a UKI entry without an options line boots the UKI's own command line; an options line would replace all of it: edit the command line the UKI is built with (/etc/kernel/cmdline) instead" ]
	cmp "$R/entries/uki.conf" "$ENT/uki.conf"
	# one with an options line passes them already: edited as a linux entry's
	printf 'options root=/dev/sda2 rw\n' >>"$ENT/uki.conf"
	run -0 "$CE" -i --set iommu=pt "$ENT/uki.conf"
	grep -qx 'options root=/dev/sda2 rw iommu=pt' "$ENT/uki.conf"
}

@test "--get on an entry with two options lines answers from the line systemd-boot joins; an edit is still refused" {
	cp "$R/entries/two-options.conf" "$ENT/"
	run -0 "$CE" --get iommu --get root --get intel_iommu "$ENT/two-options.conf"
	[ "$output" = "$(printf 'pt\nUUID=0a3407de-014b-458b-b5c1-848e92a327a3\non')" ]
	run -1 "$CE" --get nomodeset "$ENT/two-options.conf"
	run -2 --separate-stderr "$CE" -i --merge iommu=pt "$ENT/two-options.conf"
	[ "$stderr" = "cmdline-edit: $ENT/two-options.conf:10: another options line (systemd-boot joins them, line 7 is the first): join them into one to edit them" ]
	cmp "$R/entries/two-options.conf" "$ENT/two-options.conf"
}

@test "Spaceport's /etc/kernel/cmdline, 36 comment lines and one command line: the parameters go there once, every comment stays" {
	cp "$R/spaceport.cmdline" "$T/cmdline"
	run -0 --separate-stderr "$CE" -i --merge intel_iommu=on --merge iommu=pt "$T/cmdline"
	[ "$stderr" = "" ]
	{ head -n 36 "$R/spaceport.cmdline"; sed -n '37s/$/ iommu=pt/p' "$R/spaceport.cmdline"; } >"$T/want"
	diff -u "$T/want" "$T/cmdline"
	# what kernel-install makes of it: each parameter once
	[ "$(ki_cmdline "$T/cmdline" | count iommu=pt)" -eq 1 ]
	[ "$(ki_cmdline "$T/cmdline" | count intel_iommu=on)" -eq 1 ]
	[ "$(ki_cmdline "$T/cmdline")" = "$(ki_cmdline "$R/spaceport.cmdline") iommu=pt" ]
	run -0 "$CE" --check --merge intel_iommu=on --merge iommu=pt "$T/cmdline"
	# and back, byte for byte
	run -0 "$CE" -i --unmerge iommu=pt "$T/cmdline"
	cmp "$R/spaceport.cmdline" "$T/cmdline"
}

@test "a command line over several lines with comments is one line: a parameter is rewritten on its own line, new ones go after the last, a commented-out one is not there" {
	cp "$R/split.cmdline" "$T/cmdline"
	run -0 --separate-stderr "$CE" -i --set loglevel=3 --del quiet --merge iommu=pt --set intel_iommu=on "$T/cmdline"
	[ "$stderr" = "cmdline-edit: $T/cmdline: warning: the command line spans 5 lines: proxmox-boot-tool reads line 1 only, kernel-install joins them all" ]
	sed -e 's/ quiet$//' -e 's/loglevel=1/loglevel=3/' -e 's/^intel_pstate=support_acpi_ppc$/& iommu=pt/' \
		"$R/split.cmdline" >"$T/want"
	diff -u "$T/want" "$T/cmdline"
	[ "$(ki_cmdline "$T/cmdline" | count iommu=pt)" -eq 1 ]
	[ "$(ki_cmdline "$T/cmdline" | count loglevel=3)" -eq 1 ]
	[ "$(ki_cmdline "$T/cmdline" | count intel_iommu=on)" -eq 1 ]
	# the commented-out nvidia-drm.modeset=1 and iommu=pt are not parameters
	run -1 "$CE" --get nvidia-drm.modeset "$R/split.cmdline"
	run -1 "$CE" --get iommu "$R/split.cmdline"
	run -0 "$CE" --get loglevel --get intel_iommu "$R/split.cmdline"
	[ "$output" = "$(printf '1\non')" ]
	run -0 --separate-stderr "$CE" --check --set loglevel=3 --del quiet --merge iommu=pt --set intel_iommu=on "$T/cmdline"
}

@test "--merge sees every occurrence of a kernel parameter: iommu=pt iommu=1 has pt, intel_iommu=on intel_iommu=igfx_off has on" {
	ce_twice "iommu=pt quiet iommu=1" "iommu=pt quiet iommu=1" --merge iommu=pt
	ce_twice "intel_iommu=on intel_iommu=igfx_off" "intel_iommu=on intel_iommu=igfx_off" --merge intel_iommu=on
	ce_twice "iommu=pt iommu=1,soft" "iommu=pt iommu=1" --merge iommu=soft,pt
	# a module's parameter is set by each occurrence in turn: the last one counts
	ce_twice "vfio-pci.ids=8086:3e92 vfio-pci.ids=10de:1b80,8086:3e92" "vfio-pci.ids=8086:3e92 vfio-pci.ids=10de:1b80" \
		--merge vfio-pci.ids=8086:3e92
}

@test "--undo keeps what the user had: with iommu=pt iommu=1 and intel_iommu=on on moeOS's line, the run changes nothing there and undo takes nothing" {
	host proxmox-igpu
	{ cat "$R/moeos.cmdline"; printf ' iommu=pt iommu=1\n'; } >"$H/etc/kernel/cmdline"
	cp "$H/etc/kernel/cmdline" "$T/before"
	cp -a "$H/etc" "$T/etc.orig"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	cmp "$T/before" "$H/etc/kernel/cmdline"
	run -0 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	diff -r "$T/etc.orig" "$H/etc"
}

@test "--undo is byte for byte: moeOS's /etc/kernel/cmdline, which ends without a newline, gets it back without one" {
	host proxmox-igpu
	cp "$R/moeos.cmdline" "$H/etc/kernel/cmdline"
	cp -a "$H/etc" "$T/etc.orig"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	{ cat "$R/moeos.cmdline"; printf ' iommu=pt\n'; } >"$T/want"
	cmp "$T/want" "$H/etc/kernel/cmdline"
	run -0 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	cmp "$R/moeos.cmdline" "$H/etc/kernel/cmdline"
	diff -r "$T/etc.orig" "$H/etc"
	[ ! -e "$H/var/lib/vfio-kit/journal" ]
}

# stub NAME DIR: a stand-in command that logs its call
stub() {
	mkdir -p "$H$2"
	printf '#!/bin/sh\nprintf "%%s\\n" "%s${*:+ $*}" >>"${STUB_LOG:-/dev/null}"\n' "$1" >"$H$2/$1"
	chmod 755 "$H$2/$1"
}

# Fedora 40: the Debian example host with Debian's own files gone, dracut,
# GRUB with BLS entries, and Fedora's /etc/default/grub (t/50 fedora_igpu)
fedora_host() {
	local rel=6.10.6-200.fc40.x86_64
	host debian-grub
	rm -r "$H/etc/modules" "$H/etc/initramfs-tools" "$H/usr/sbin/update-initramfs" \
		"$H/usr/sbin/update-grub" "$H/var/lib/dpkg" "$H/boot/vmlinuz-6.1.0-26-amd64" \
		"$H/boot/initrd.img-6.1.0-26-amd64" "$H/usr/sbin/grub-mkconfig"
	mv "$H/lib/modules/6.1.0-26-amd64" "$H/lib/modules/$rel"
	echo "$rel" >"$H/proc/sys/kernel/osrelease"
	echo "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-$rel root=UUID=6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b ro rhgb quiet" >"$H/proc/cmdline"
	mkdir -p "$H/etc/modules-load.d" "$H/etc/dracut.conf.d" "$H/boot/grub2" "$H/boot/loader/entries"
	stub dracut /usr/bin
	stub grub2-mkconfig /usr/sbin
	printf '# --update-bls-cmdline\n' >>"$H/usr/sbin/grub2-mkconfig"
	mv "$H/boot/grub/grub.cfg" "$H/boot/grub2/grub.cfg"
	cp "$R/fedora.grub" "$H/etc/default/grub"
	printf 'NAME="Fedora Linux"\nID=fedora\n' >"$H/etc/os-release"
}

@test "--undo is byte for byte: Fedora's /etc/default/grub, which had no GRUB_CMDLINE_LINUX_DEFAULT, loses the one the run appended, with or without its last newline" {
	for end in newline none; do
		rm -rf "$H" "$T/etc.orig"
		fedora_host
		[ "$end" = newline ] || printf %s "$(cat "$R/fedora.grub")" >"$H/etc/default/grub"
		cp "$H/etc/default/grub" "$T/grub.orig"
		cp -a "$H/etc" "$T/etc.orig"
		run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
		[ "$(tail -n 1 "$H/etc/default/grub")" = 'GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on iommu=pt"' ]
		[ "$(grub_value "$H/etc/default/grub")" = "intel_iommu=on iommu=pt" ]
		run -0 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
		cmp "$T/grub.orig" "$H/etc/default/grub"
		diff -r "$T/etc.orig" "$H/etc"
	done
}

@test "--undo leaves an end the run gave while another device still needs the parameters, and a line the user changed since" {
	host proxmox-igpu
	cp "$R/moeos.cmdline" "$H/etc/kernel/cmdline"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:14.0
	run -0 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	{ cat "$R/moeos.cmdline"; printf ' iommu=pt\n'; } >"$T/want"
	cmp "$T/want" "$H/etc/kernel/cmdline"
	grep -qx "end	/etc/kernel/cmdline	newline" "$H/var/lib/vfio-kit/journal"
	run -0 --separate-stderr "$PT" --undo --no-refresh --root "$H" 8086:a36d
	cmp "$R/moeos.cmdline" "$H/etc/kernel/cmdline"
	# Fedora: an assignment the user has given a value since stays
	rm -rf "$H"
	fedora_host
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="/&nomodeset /' "$H/etc/default/grub"
	run -0 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	{ cat "$R/fedora.grub"; echo 'GRUB_CMDLINE_LINUX_DEFAULT="nomodeset"'; } >"$T/want"
	cmp "$T/want" "$H/etc/default/grub"
}
