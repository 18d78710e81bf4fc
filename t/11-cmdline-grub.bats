#!/usr/bin/env bats
# cmdline-edit on /etc/default/grub: the value of a shell variable, checked
# against what sh (and so grub-mkconfig) reads from the edited file.

load helper

setup() {
	G="$BATS_TEST_TMPDIR/grub"
}

@test "Debian's stock file with -i -g --set intel_iommu=on --set iommu=pt differs in exactly one line" {
	cp "$DATA/grub/debian-12.grub" "$G"
	run -0 "$CE" -i -g --set intel_iommu=on --set iommu=pt "$G"
	[ "$output" = "" ]
	run -1 diff "$DATA/grub/debian-12.grub" "$G"
	[ "$output" = '9c9
< GRUB_CMDLINE_LINUX_DEFAULT="quiet"
---
> GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' ]
	[ "$(grub_value "$G")" = "quiet intel_iommu=on iommu=pt" ]
	# GRUB_DISTRIBUTOR's backquotes are elsewhere and untouched
	grep -qx 'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`' "$G"
}

@test "a second run over the edited file changes nothing (mtime kept)" {
	cp "$DATA/grub/debian-12.grub" "$G"
	"$CE" -i -g --set intel_iommu=on --set iommu=pt "$G"
	cp -p "$G" "$G.first"
	touch -d '2020-01-01' "$G"
	before=$(mtime_of "$G")
	run -0 "$CE" -i --diff -g --set intel_iommu=on --set iommu=pt "$G"
	[ "$output" = "" ]
	[ "$(mtime_of "$G")" = "$before" ]
	cmp "$G" "$G.first"
}

@test "a FILE named grub is read as a GRUB file without -g" {
	cp "$DATA/grub/debian-12.grub" "$G"
	"$CE" -i --set iommu=pt "$G"
	[ "$(grub_value "$G")" = "quiet iommu=pt" ]
}

@test "Ubuntu's stock file keeps its quoting; sh sees the new value" {
	cp "$DATA/grub/ubuntu-24.04.grub" "$G"
	"$CE" -i --set intel_iommu=on --set iommu=pt --set "acpi_osi=Windows 2020" "$G"
	[ "$(grub_value "$G")" = 'quiet splash intel_iommu=on iommu=pt acpi_osi="Windows 2020"' ]
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt acpi_osi=\\"Windows 2020\\""' "$G"
	[ "$(diff "$DATA/grub/ubuntu-24.04.grub" "$G" | grep -c '^[<>]')" -eq 2 ]
}

@test "--var GRUB_CMDLINE_LINUX edits Proxmox's ZFS root line, not the default one" {
	mkdir -p "$BATS_TEST_TMPDIR/pve" && cp "$DATA/grub/proxmox/grub" "$BATS_TEST_TMPDIR/pve/grub"
	"$CE" -i --var GRUB_CMDLINE_LINUX --merge intel_iommu=on,igfx_off "$BATS_TEST_TMPDIR/pve/grub"
	[ "$(grub_value "$BATS_TEST_TMPDIR/pve/grub" GRUB_CMDLINE_LINUX)" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on,igfx_off" ]
	[ "$(grub_value "$BATS_TEST_TMPDIR/pve/grub")" = "quiet" ]
}

@test "single quotes stay single quotes; a ' in a new value is written '\\''" {
	printf "GRUB_CMDLINE_LINUX_DEFAULT='quiet'\n" >"$G"
	"$CE" -i --set "x=it's" --set iommu=pt "$G"
	[ "$(cat "$G")" = "GRUB_CMDLINE_LINUX_DEFAULT='quiet x=it'\\''s iommu=pt'" ]
	[ "$(grub_value "$G")" = "quiet x=it's iommu=pt" ]
}

@test "a bare word stays bare while it can, and becomes \"...\" when it needs quoting" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT=quiet\n' >"$G"
	"$CE" -i --set iommu=pt "$G"
	[ "$(cat "$G")" = 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"' ]
	printf 'GRUB_CMDLINE_LINUX_DEFAULT=\n' >"$G"
	"$CE" -i --set iommu=pt "$G"
	[ "$(cat "$G")" = 'GRUB_CMDLINE_LINUX_DEFAULT=iommu=pt' ]
	[ "$(grub_value "$G")" = "iommu=pt" ]
}

@test "\$VAR and \${VAR} references stay opaque words, escapes are kept" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT \\$x ${EXTRA} a=\\"b c\\""\n' >"$G"
	cp "$G" "$G.orig"
	"$CE" -i --set iommu=pt "$G"
	[ "$(cat "$G")" = 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT \$x ${EXTRA} a=\"b c\" iommu=pt"' ]
	run -0 "$CE" -i --set iommu=pt "$G"
	run -0 "$CE" -i --del iommu "$G"
	cmp "$G" "$G.orig"
}

@test "export VAR= and a trailing comment are kept" {
	printf 'export GRUB_CMDLINE_LINUX_DEFAULT="quiet"   # edited by hand\n' >"$G"
	"$CE" -i --set iommu=pt "$G"
	[ "$(cat "$G")" = 'export GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"   # edited by hand' ]
}

@test "the last top-level assignment is edited; one inside if...fi is not" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="a"\nGRUB_CMDLINE_LINUX_DEFAULT="b"\nif [ -e /x ]; then\n  GRUB_CMDLINE_LINUX_DEFAULT="c"\nfi\n' >"$G"
	"$CE" -i --set iommu=pt "$G"
	[ "$(sed -n 2p "$G")" = 'GRUB_CMDLINE_LINUX_DEFAULT="b iommu=pt"' ]
	[ "$(sed -n 1p "$G")" = 'GRUB_CMDLINE_LINUX_DEFAULT="a"' ]
	[ "$(sed -n 4p "$G")" = '  GRUB_CMDLINE_LINUX_DEFAULT="c"' ]
}

@test "a variable that is not assigned is appended as VAR=\"...\"" {
	printf 'GRUB_TIMEOUT=5' >"$G"
	"$CE" -i --set iommu=pt --set "a=b c" "$G"
	[ "$(cat "$G")" = "$(printf 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="iommu=pt a=\\"b c\\""')" ]
	[ "$(grub_value "$G")" = 'iommu=pt a="b c"' ]
}

@test "a value spread over lines inside quotes is edited, its line breaks kept" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet\n  splash"\nX=1\n' >"$G"
	"$CE" -i --set iommu=pt "$G"
	[ "$(cat "$G")" = "$(printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet\n  splash iommu=pt"\nX=1')" ]
	"$CE" -i --del quiet "$G"
	[ "$(cat "$G")" = "$(printf 'GRUB_CMDLINE_LINUX_DEFAULT="splash iommu=pt"\nX=1')" ]
}

@test "command substitution in the edited value: exit 2, file byte-identical" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet $(cat /x)"\n' >"$G"
	cp "$G" "$G.orig"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: command substitution cannot be edited safely" ]
	cmp "$G" "$G.orig"
}

@test "backquotes in the edited value are refused; in another variable they are fine" {
	printf 'GRUB_DISTRIBUTOR=`echo x`\nGRUB_CMDLINE_LINUX_DEFAULT="quiet `id -u`"\n' >"$G"
	run -2 --separate-stderr "$CE" --set iommu=pt "$G"
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: $G:2: GRUB_CMDLINE_LINUX_DEFAULT: backquotes cannot be edited safely" ]
	run -0 "$CE" --var GRUB_CMDLINE_LINUX --set iommu=pt "$G"
}

@test "an unterminated quote: exit 2 naming the line, file byte-identical" {
	printf 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet\n' >"$G"
	cp "$G" "$G.orig"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$G"
	[ "$stderr" = "cmdline-edit: $G:2: GRUB_CMDLINE_LINUX_DEFAULT: unterminated quote" ]
	cmp "$G" "$G.orig"
}

@test "another variable's quote left open to the end: appending is refused, file byte-identical" {
	printf 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="console=tty1\n' >"$G"
	cp "$G" "$G.orig"
	run -2 --separate-stderr "$CE" -i --var GRUB_CMDLINE_LINUX --set iommu=pt "$G"
	[ "$stderr" = "cmdline-edit: $G:2: GRUB_CMDLINE_LINUX: an unterminated quote or substitution here runs to the end of the file; cannot add GRUB_CMDLINE_LINUX safely" ]
	cmp "$G" "$G.orig"
}

@test "a backslash-continued line in the edited value is refused" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT=quiet\\\n splash\n' >"$G"
	run -2 --separate-stderr "$CE" --set iommu=pt "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: a backslash-continued line cannot be edited safely" ]
}

@test "an assignment that prefixes a command is refused" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT=quiet true\n' >"$G"
	run -2 --separate-stderr "$CE" --set iommu=pt "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: the assignment is followed by a command; cannot be edited safely" ]
}

@test "an unbalanced kernel quote inside the shell value is refused" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet \\"acpi_osi=x"\n' >"$G"
	run -2 --separate-stderr "$CE" --set iommu=pt "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: unterminated double quote in the command line" ]
}

@test "a grub.d/*.cfg that sets the variable after the file is named in a warning" {
	mkdir -p "$BATS_TEST_TMPDIR/default"
	cp -r "$DATA/grub/ubuntu-cloud/." "$BATS_TEST_TMPDIR/default/"
	run -0 --separate-stderr "$CE" -i --set iommu=pt "$BATS_TEST_TMPDIR/default/grub"
	[ "$stderr" = "cmdline-edit: $BATS_TEST_TMPDIR/default/grub: warning: $BATS_TEST_TMPDIR/default/grub.d/50-cloudimg-settings.cfg:11 also sets GRUB_CMDLINE_LINUX_DEFAULT and is read later: it overrides this edit" ]
}

@test "a grub.d snippet that extends the variable is named as changing it" {
	mkdir -p "$BATS_TEST_TMPDIR/default"
	cp -r "$DATA/grub/proxmox/." "$BATS_TEST_TMPDIR/default/"
	run -1 --separate-stderr "$CE" --check --set iommu=pt "$BATS_TEST_TMPDIR/default/grub"
	[[ "$stderr" == *"grub.d/init-select.cfg:1 also sets GRUB_CMDLINE_LINUX_DEFAULT and is read later: it changes the value edited here" ]]
}

@test "a grub.d/*.cfg file is itself edited as a GRUB file" {
	mkdir -p "$BATS_TEST_TMPDIR/grub.d"
	cp "$DATA/grub/ubuntu-cloud/grub.d/50-cloudimg-settings.cfg" "$BATS_TEST_TMPDIR/grub.d/"
	"$CE" -i --set iommu=pt "$BATS_TEST_TMPDIR/grub.d/50-cloudimg-settings.cfg"
	[ "$(grub_value "$BATS_TEST_TMPDIR/grub.d/50-cloudimg-settings.cfg")" = "console=tty1 console=ttyS0 iommu=pt" ]
}

@test "--get reads the value in a GRUB file" {
	run -0 "$CE" --var GRUB_CMDLINE_LINUX --get root "$DATA/grub/proxmox/grub"
	[ "$output" = "ZFS=rpool/ROOT/pve-1" ]
	run -1 "$CE" --get iommu "$DATA/grub/debian-12.grub"
}

@test "every real GRUB file: each op twice gives what sh sees, and the second changes nothing" {
	for f in "$DATA/grub/debian-12.grub" "$DATA/grub/ubuntu-24.04.grub" "$DATA/grub/proxmox/grub"; do
		for op in "--set intel_iommu=on" "--merge vfio-pci.ids=8086:3e92,10de:1b80" "--del quiet" \
			  "--add console=ttyS0" "--unmerge vfio-pci.ids=8086:3e92" "--set video=efifb:off"; do
			# shellcheck disable=SC2086
			"$CE" -g $op "$f" >"$G.1"
			# shellcheck disable=SC2086
			"$CE" -g $op "$G.1" >"$G.2"
			cmp "$G.1" "$G.2"
			# sh reads the same parameters cmdline-edit's own parser reads
			# shellcheck disable=SC2086
			[ "$(grub_value "$G.1")" = "$(grub_value "$f" | "$CE" $op)" ] || {
				echo "$f $op: sh sees [$(grub_value "$G.1")]" >&2
				return 1
			}
		done
	done
}

@test "a parameter holding \$IDS is not rewritten into the literal text \\\$IDS; deleting it or editing others is fine" {
	printf '%s\n' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet vfio-pci.ids=$IDS"' >"$G"
	cp "$G" "$G.orig"
	run -2 --separate-stderr "$CE" -i -g --merge vfio-pci.ids=8086:3e92 "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: 'vfio-pci.ids=\$IDS' holds a shell expansion that this edit would turn into text; edit it by hand" ]
	cmp "$G" "$G.orig"
	run -2 "$CE" -g --set vfio_pci.ids=8086:3e92 "$G"
	run -0 "$CE" -g --set iommu=pt "$G"
	[ "$output" = 'GRUB_CMDLINE_LINUX_DEFAULT="quiet vfio-pci.ids=$IDS iommu=pt"' ]
	run -0 "$CE" -g --del vfio-pci.ids "$G"
	[ "$output" = 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' ]
}
