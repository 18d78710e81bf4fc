#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command-line contract every tool shares (spec "Conventions"):
# -h/--help prints the usage on stdout and exits 0, --version prints
# "NAME VERSION", an unknown option prints the usage on stderr and exits 2
# with nothing on stdout.  scripts/passthrough (vfio-passthrough) too.

load helper

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	# the one version (the Makefile passes it to the C tools; scripts/passthrough reads it)
	VERSION=$(cat "$TOP/VERSION")
	[ -n "$VERSION" ]
}

# prog NAME: the command under test
prog() {
	if [ "$1" = passthrough ]; then
		echo "$TOP/scripts/passthrough"
	else
		[ -x "$VFIOKIT_BIN/$1" ] || { echo "$VFIOKIT_BIN/$1 is not built (make)" >&2; return 1; }
		echo "$VFIOKIT_BIN/$1"
	fi
}

# help_ok NAME: --help and -h print the same usage on stdout, status 0
help_ok() {
	local p
	p=$(prog "$1")
	run -0 --separate-stderr "$p" --help
	[ "$stderr" = "" ]
	case $output in "usage: $1 "*) ;; *) echo "not a usage: $output"; return 1 ;; esac
	local long=$output
	run -0 --separate-stderr "$p" -h
	[ "$stderr" = "" ]
	[ "$output" = "$long" ]
}

# version_ok NAME: --version prints "NAME VERSION" and nothing else
version_ok() {
	run -0 --separate-stderr "$(prog "$1")" --version
	[ "$output" = "$1 $VERSION" ]
	[ "$stderr" = "" ]
}

# bad_ok NAME ARGS...: usage on stderr, nothing on stdout, status 2
bad_ok() {
	local name=$1 p usage
	p=$(prog "$name")
	shift
	usage=$("$p" --help | head -n 1)
	run -2 --separate-stderr "$p" "$@"
	[ "$output" = "" ]
	printf '%s\n' "$stderr" | grep -qxF -- "$usage" || { echo "no usage in: $stderr"; return 1; }
}

unknown_ok() {
	bad_ok "$1" --no-such-option
	bad_ok "$1" -Z
	bad_ok "$1" --root
}

@test "pci-list: --help, --version, unknown option" {
	help_ok pci-list
	version_ok pci-list
	unknown_ok pci-list
}

@test "modalias-of: --help, --version, unknown option" {
	help_ok modalias-of
	version_ok modalias-of
	unknown_ok modalias-of
}

@test "iommu-check: --help, --version, unknown option" {
	help_ok iommu-check
	version_ok iommu-check
	unknown_ok iommu-check
}

@test "cmdline-edit: --help, --version, unknown option" {
	help_ok cmdline-edit
	version_ok cmdline-edit
	unknown_ok cmdline-edit
}

@test "modconf-edit: --help, --version, unknown option" {
	help_ok modconf-edit
	version_ok modconf-edit
	unknown_ok modconf-edit
}

@test "the editing tools take no --kernel: nothing they edit depends on a kernel release" {
	bad_ok cmdline-edit --kernel 6.1.0-18-amd64 --set iommu=pt
	bad_ok modconf-edit --kernel 6.1.0-18-amd64 --set vfio_pci
}

@test "boot-refresh: --help, --version, unknown option" {
	help_ok boot-refresh
	version_ok boot-refresh
	unknown_ok boot-refresh
}

@test "scripts/passthrough: --help, --version, unknown option" {
	help_ok passthrough
	version_ok passthrough
	unknown_ok passthrough
}

@test "scripts/passthrough: a missing DEVICE or a bad --method is a usage error" {
	bad_ok passthrough
	bad_ok passthrough -n
	run -2 --separate-stderr "$TOP/scripts/passthrough" --method magic 00:02.0
	[ "$output" = "" ]
	[ -n "$stderr" ]
}

@test "--help goes to stdout even when stdout is a pipe, and a closed stdout is trouble" {
	for t in pci-list modalias-of iommu-check cmdline-edit modconf-edit boot-refresh vfio-plan; do
		run -0 bash -c '"$1" --help | head -c 7' sh "$VFIOKIT_BIN/$t"
		[ "$output" = "usage: " ]
		run -2 bash -c '"$1" --help >&-' sh "$VFIOKIT_BIN/$t"
	done
}
