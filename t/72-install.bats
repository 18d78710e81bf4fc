#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make install / make uninstall into a DESTDIR: the tools, vfio-passthrough,
# the man pages and the bash completion, each with its mode; the installed
# vfio-passthrough finds the installed tools; uninstall leaves no file.
# The tools are the ones already built (VFIOKIT_BIN): make -o all installs
# them without rebuilding, so this test races no other build.

load helper

TOOLS="pci-list modalias-of iommu-check cmdline-edit modconf-edit boot-refresh vfio-plan"
COMMANDS="$TOOLS vfio-passthrough"

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	BIN=$(cd "$VFIOKIT_BIN" && pwd)
	for t in $TOOLS; do
		[ -x "$BIN/$t" ] || { echo "$BIN/$t is not built (make)" >&2; return 1; }
	done
	D="$BATS_TEST_TMPDIR/dest"
	P=/usr/local
}

install_it() {
	make -s -C "$TOP" -o all BIN="$BIN" PREFIX="$P" DESTDIR="$D" install
}

# mode_is MODE FILE
mode_is() {
	[ -f "$2" ] && [ ! -L "$2" ] || { echo "not a file: $2"; return 1; }
	[ "$(stat -c %a "$2")" = "$1" ] || { echo "$2: mode $(stat -c %a "$2"), not $1"; return 1; }
}

# complete_words CMD WORD...: what the installed completion offers for the
# last WORD, loaded as bash-completion loads it (by the command's name)
complete_words() {
	local cmd=$1
	bash --norc --noprofile -c '
		file=$1; shift
		source "$file" || exit 3
		spec=$(complete -p "$1") || exit 4
		fn=${spec#*-F }; fn=${fn%% *}
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$D$P/share/bash-completion/completions/$cmd" "$cmd" "${@:2}"
}

@test "make install puts every command, man page and completion in place, with its mode" {
	install_it
	for c in $COMMANDS; do
		mode_is 755 "$D$P/bin/$c"
		mode_is 644 "$D$P/share/man/man1/$c.1"
		mode_is 644 "$D$P/share/bash-completion/completions/$c"
	done
	for t in $TOOLS; do cmp "$BIN/$t" "$D$P/bin/$t"; done
	# scripts/passthrough with the version written in: the installed copy has no tree to read it from
	sed "s/'@VERSION@'/'$(cat "$TOP/VERSION")'/" "$TOP/scripts/passthrough" | cmp - "$D$P/bin/vfio-passthrough"
	run -0 --separate-stderr env -u VFIOKIT_BIN PATH=/usr/bin:/bin "$D$P/bin/vfio-passthrough" --version
	[ "$output" = "vfio-passthrough $(cat "$TOP/VERSION")" ]
	# nothing else: the tree holds exactly these files
	(cd "$D" && find . -type f -o -type l) | sort >"$BATS_TEST_TMPDIR/got"
	for c in $COMMANDS; do
		printf '%s\n' ".$P/bin/$c" ".$P/share/man/man1/$c.1" ".$P/share/bash-completion/completions/$c"
	done | sort >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "every installed man page is found by man under the PREFIX" {
	command -v man >/dev/null || skip "man is not installed (apt-get install man-db)"
	install_it
	for c in $COMMANDS; do
		run -0 env MANPATH="$D$P/share/man" MANWIDTH=80 man -w "$c"
		[ "$output" = "$D$P/share/man/man1/$c.1" ]
	done
}

@test "the completion loads in bash and completes cmdline-edit --gr to --grub" {
	install_it
	run -0 complete_words cmdline-edit cmdline-edit --gr
	[ "$output" = "--grub" ]
	run -0 complete_words modconf-edit modconf-edit --format m
	[ "$output" = "modules
modprobe
mkinitcpio" ]
	run -0 complete_words vfio-passthrough vfio-passthrough --method so
	[ "$output" = "softdep" ]
	run -0 complete_words pci-list pci-list -o slot,dri
	[ "$output" = "slot,driver" ]
	run -0 complete_words modalias-of modalias-of --root "$TOP/t/data/hosts/proxmox-igpu" 0000:00:02
	[ "$output" = "02.0" ]	# bash completes after the last ':' of the word
}

@test "the completion offers every long option each command's --help names" {
	install_it
	for c in $COMMANDS; do
		# the usage and the option lines (prose may name another tool's options)
		"$D$P/bin/$c" --help | grep -E '^(usage:| +-)' | grep -o -- '--[a-z][a-z-]*' |
			sort -u >"$BATS_TEST_TMPDIR/help"
		complete_words "$c" "$c" -- | sort -u >"$BATS_TEST_TMPDIR/offered"
		comm -23 "$BATS_TEST_TMPDIR/help" "$BATS_TEST_TMPDIR/offered" >"$BATS_TEST_TMPDIR/missing"
		[ ! -s "$BATS_TEST_TMPDIR/missing" ] || { echo "$c:"; cat "$BATS_TEST_TMPDIR/missing"; return 1; }
	done
}

@test "the installed vfio-passthrough -n runs the installed tools on a copy of the Proxmox host" {
	install_it
	cp -a "$TOP/t/data/hosts/proxmox-igpu" "$BATS_TEST_TMPDIR/host"
	H="$BATS_TEST_TMPDIR/host"
	# no VFIOKIT_BIN and a PATH without the tools: only BINDIR can provide them
	run -0 --separate-stderr env -u VFIOKIT_BIN PATH=/usr/bin:/bin \
		"$D$P/bin/vfio-passthrough" -n --root "$H" 0000:00:02.0
	printf '%s\n' "$output" | grep -qFx '+options vfio-pci ids=8086:3e92 disable_vga=1'
	printf '%s\n' "$output" | grep -qFx '+root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	printf '%s\n' "$output" | grep -qFx 'proxmox-boot-tool refresh'
	diff -r --no-dereference "$TOP/t/data/hosts/proxmox-igpu" "$H"
	# and from a PATH lookup, as a user runs it
	run -0 --separate-stderr env -u VFIOKIT_BIN PATH="$D$P/bin:/usr/bin:/bin" \
		vfio-passthrough -n --root "$H" 0000:00:02.0
	printf '%s\n' "$output" | grep -qFx 'proxmox-boot-tool refresh'
}

@test "make uninstall leaves no file behind" {
	install_it
	make -s -C "$TOP" PREFIX="$P" DESTDIR="$D" uninstall
	(cd "$D" && find . -type f -o -type l) >"$BATS_TEST_TMPDIR/left"
	[ ! -s "$BATS_TEST_TMPDIR/left" ] || { cat "$BATS_TEST_TMPDIR/left"; return 1; }
}

@test "one VERSION for all: make VERSION=9.8.7 install gives it to every installed command's --version and man page" {
	# a build of its own (BUILD, BIN under the test's directory): the
	# version is compiled into the tools
	B="$BATS_TEST_TMPDIR/build"
	make -s -C "$TOP" BUILD="$B" BIN="$B/bin" VERSION=9.8.7 PREFIX="$P" DESTDIR="$D" install
	for c in $COMMANDS; do
		run -0 --separate-stderr "$D$P/bin/$c" --version
		[ "$output" = "$c 9.8.7" ]
		[ "$stderr" = "" ]
		# the page's .TH line: its source field carries the version, the rest
		# of the page is the source's, byte for byte
		src=$TOP/cmd/$c.1
		[ -f "$src" ] || src=$TOP/scripts/$c.1
		th=$(grep '^\.TH ' "$D$P/share/man/man1/$c.1")
		[[ "$th" == '.TH '*' "vfio-kit 9.8.7" "vfio-kit manual"' ]] || { echo "$th"; return 1; }
		diff <(grep -v '^\.TH ' "$src") <(grep -v '^\.TH ' "$D$P/share/man/man1/$c.1")
	done
}
