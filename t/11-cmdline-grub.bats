#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
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

# grub_sourced FILE... VAR: sh sources the files in order (as grub-mkconfig
# reads /etc/default/grub, then grub.d/*.cfg) and prints VAR
grub_sourced() {
	local var=${*: -1} script='' f
	for f in "${@:1:$#-1}"; do script="$script . '$f' >/dev/null 2>&1;"; done
	sh -c "$script"' eval "printf %s \"\${$1}\""' sh "$var"
}

@test "a grub.d drop-in that does not set the variable gets VAR=\"\$VAR ...\": what /etc/default/grub sets stays" {
	mkdir -p "$BATS_TEST_TMPDIR/default"
	cp -r "$DATA/grub/proxmox/." "$BATS_TEST_TMPDIR/default/"
	d="$BATS_TEST_TMPDIR/default"
	run -0 --separate-stderr "$CE" -i --var GRUB_CMDLINE_LINUX --set iommu=pt "$d/grub.d/proxmox-ve.cfg"
	[ "$(cat "$d/grub.d/proxmox-ve.cfg")" = 'GRUB_DISTRIBUTOR="Proxmox VE"
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX iommu=pt"' ]
	[ "$(grub_sourced "$d/grub" "$d/grub.d/init-select.cfg" "$d/grub.d/proxmox-ve.cfg" GRUB_CMDLINE_LINUX)" = \
	  "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt" ]
	# idempotent: the second run finds iommu=pt in the drop-in's own value
	run -0 "$CE" --check --var GRUB_CMDLINE_LINUX --set iommu=pt "$d/grub.d/proxmox-ve.cfg"
	# the file's own quoting: single quotes and ${VAR}
	printf "GRUB_DISTRIBUTOR='Debian'\nGRUB_X=\"\${GRUB_X} y\"\n" >"$d/grub.d/single.cfg"
	run -0 "$CE" --set iommu=pt --set "a=it's" "$d/grub.d/single.cfg"
	[ "$output" = "GRUB_DISTRIBUTOR='Debian'
GRUB_X=\"\${GRUB_X} y\"
GRUB_CMDLINE_LINUX_DEFAULT=\"\${GRUB_CMDLINE_LINUX_DEFAULT}\"' iommu=pt a=it'\\''s'" ]
	printf '%s\n' "$output" >"$G"
	[ "$(grub_sourced "$d/grub" "$G" GRUB_CMDLINE_LINUX_DEFAULT)" = "quiet iommu=pt a=it's" ]
	# /etc/default/grub itself still gets a plain assignment
	printf 'GRUB_TIMEOUT=5\n' >"$G"
	run -0 "$CE" --set iommu=pt "$G"
	[ "$output" = 'GRUB_TIMEOUT=5
GRUB_CMDLINE_LINUX_DEFAULT="iommu=pt"' ]
}

@test "a variable assigned only inside if, a loop or a function: an edit that would append is refused, nothing written" {
	for body in 'if [ -e /x ]; then\n  V="c"\nfi\n' 'for x in 1; do\n  V="c"\ndone\n' 'f() {\n  V="c"\n}\nf\n'; do
		printf "GRUB_TIMEOUT=5\n${body//V=/GRUB_CMDLINE_LINUX_DEFAULT=}" >"$G"
		cp "$G" "$G.orig"
		run -2 --separate-stderr "$CE" -i -g --set iommu=pt "$G"
		[ "$stderr" = "cmdline-edit: $G:3: GRUB_CMDLINE_LINUX_DEFAULT: assigned only inside an if, case, loop or function; a top-level assignment appended would throw that value away: edit it by hand" ]
		[ -z "$output" ]
		cmp "$G" "$G.orig"
		# an edit that appends nothing has nothing to refuse
		run -0 "$CE" -i -g --del iommu "$G"
		cmp "$G" "$G.orig"
	done
}

@test "earlier VAR=\"\$VAR ...\" assignments: --get answers from the value sh ends with" {
	printf '%s\n' 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"' 'GRUB_TIMEOUT=5' \
		'GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} iommu=force"' >"$G"
	[ "$(grub_value "$G")" = " intel_iommu=on iommu=force" ]
	run -0 --separate-stderr "$CE" -g --get intel_iommu "$G"
	[ "$output" = on ]
	run -0 --separate-stderr "$CE" -g --get iommu "$G"
	[ "$output" = force ]
	printf '%s\n' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=soft"' 'GRUB_CMDLINE_LINUX_DEFAULT="splash"' \
		'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt"' >"$G"
	run -0 "$CE" -g --get iommu "$G"
	[ "$output" = pt ]	# the first line is replaced by the second: sh forgets it
	run -0 "$CE" -g --get splash "$G"
	run -1 "$CE" -g --get quiet "$G"
}

@test "earlier VAR=\"\$VAR ...\" assignments: an edit of what they give exits 2 naming the line; one it does not need is skipped" {
	printf '%s\n' 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"' 'GRUB_TIMEOUT=5' \
		'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT iommu=force"' >"$G"
	cp "$G" "$G.orig"
	run -2 --separate-stderr "$CE" -i -g --del intel_iommu "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: --del 'intel_iommu': this earlier assignment gives the parameter, and line 3 extends it through \$GRUB_CMDLINE_LINUX_DEFAULT; the edit cannot reach it here: edit it by hand" ]
	cmp "$G" "$G.orig"
	run -2 "$CE" -i -g --set intel_iommu=off "$G"
	cmp "$G" "$G.orig"
	# already so in the value sh ends with: nothing to do, nothing written twice
	run -0 "$CE" -i -g --set intel_iommu=on --add intel_iommu=on "$G"
	cmp "$G" "$G.orig"
	# a merge goes into the last occurrence: here line 1's
	run -2 "$CE" -i -g --merge intel_iommu=igfx_off "$G"
	cmp "$G" "$G.orig"
	# what the last line gives is edited there; sh agrees
	run -0 "$CE" -i -g --set iommu=pt --add video=efifb:off "$G"
	[ "$(sed -n 3p "$G")" = 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt video=efifb:off"' ]
	[ "$(grub_value "$G")" = " intel_iommu=on iommu=pt video=efifb:off" ]
	cmp <(sed -n 1,2p "$G") <(sed -n 1,2p "$G.orig")
}

@test "--get reads a backslash-continued value as sh does, though an edit refuses it" {
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet \\\n  splash iommu=pt"\n' >"$G"
	[ "$(grub_value "$G")" = "quiet   splash iommu=pt" ]
	run -0 --separate-stderr "$CE" -g --get iommu "$G"
	[ "$output" = pt ]
	run -0 --separate-stderr "$CE" -g --get splash "$G"
	[ "$output" = "" ]
	run -1 "$CE" -g --get intel_iommu "$G"
	run -2 --separate-stderr "$CE" -g --set iommu=on "$G"
	[ "$stderr" = "cmdline-edit: $G:1: GRUB_CMDLINE_LINUX_DEFAULT: a backslash-continued line cannot be edited safely" ]
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

@test "a grub.d/*.cfg that sets the variable anew after the file: the edit would never reach grub.cfg, exit 2 naming it, nothing written" {
	mkdir -p "$BATS_TEST_TMPDIR/default"
	cp -r "$DATA/grub/ubuntu-cloud/." "$BATS_TEST_TMPDIR/default/"
	cp "$BATS_TEST_TMPDIR/default/grub" "$BATS_TEST_TMPDIR/grub.orig"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$BATS_TEST_TMPDIR/default/grub"
	[ "$stderr" = "cmdline-edit: $BATS_TEST_TMPDIR/default/grub: $BATS_TEST_TMPDIR/default/grub.d/50-cloudimg-settings.cfg:11 sets GRUB_CMDLINE_LINUX_DEFAULT anew and is read later: it overrides this edit; edit $BATS_TEST_TMPDIR/default/grub.d/50-cloudimg-settings.cfg instead" ]
	cmp "$BATS_TEST_TMPDIR/grub.orig" "$BATS_TEST_TMPDIR/default/grub"
	# sh, sourcing both as grub-mkconfig does, agrees: the drop-in's value wins
	[ "$(sh -c ". '$BATS_TEST_TMPDIR/default/grub'; . '$BATS_TEST_TMPDIR/default/grub.d/50-cloudimg-settings.cfg'; echo \"\$GRUB_CMDLINE_LINUX_DEFAULT\"")" = "console=tty1 console=ttyS0" ]
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
