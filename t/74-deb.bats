#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make deb: vfio-kit_VERSION_ARCH.deb with the control file, files and modes
# Debian policy wants; lintian finds nothing to say; installed with
# dpkg --root into a fresh root (never the host's dpkg database), every
# command runs --version with VERSION and every man page renders; a purge
# leaves nothing behind.  .ci/run installs dpkg-dev and lintian, so CI runs
# all of it.

load helper
load helper-deb

TOOLS="boot-refresh cmdline-edit iommu-check modalias-of modconf-edit pci-list vfio-plan"
COMMANDS="$TOOLS vfio-passthrough"

setup_file() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export TOP
	[ -z "$(deb_tools_missing)" ] || return 0
	build_deb "$BATS_FILE_TMPDIR" >"$BATS_FILE_TMPDIR/deb-path" || :
}

setup() {
	local why
	why=$(deb_tools_missing)
	[ -z "$why" ] || skip "$why"
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	VERSION=$(cat "$TOP/VERSION")
	ARCH=$(dpkg --print-architecture)
	DEB=$(cat "$BATS_FILE_TMPDIR/deb-path")
	[ -f "$DEB" ] || { cat "$BATS_FILE_TMPDIR/make-deb.log"; return 1; }
	R="$BATS_TEST_TMPDIR/root"
}

# install_deb: the package in a fresh root R (--force-not-root: R is ours,
# dpkg needs no root for it)
install_deb() {
	fresh_root "$R"
	dpkg --force-not-root --root="$R" -i "$DEB" >"$BATS_TEST_TMPDIR/dpkg-i.log" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/dpkg-i.log"; return 1; }
}

@test "make deb: vfio-kit_VERSION_ARCH.deb, Section admin, libc6 from dpkg-shlibdeps, no kmod or pciutils" {
	[ "$(basename "$DEB")" = "vfio-kit_${VERSION}_$ARCH.deb" ]
	dpkg-deb -f "$DEB" Package Version Architecture Section Priority Recommends >"$BATS_TEST_TMPDIR/got"
	printf '%s\n' "Package: vfio-kit" "Version: $VERSION" "Architecture: $ARCH" \
		"Section: admin" "Priority: optional" "Recommends: pci.ids" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the tools need libc alone; the version is the one dpkg-shlibdeps read off the symbols
	run -0 dpkg-deb -f "$DEB" Depends
	[[ "$output" =~ ^libc6\ \(\>=\ 2\.[0-9]+\)$ ]]
	run -0 dpkg-deb -f "$DEB" Maintainer Installed-Size Description
	[[ "$output" == *"Maintainer: "*@* ]]
	[[ "$output" == *"Installed-Size: "[0-9]* ]]
}

@test "make deb: the eight commands in /usr/bin, gzipped man pages, completions, copyright and changelog.gz, with their modes" {
	dpkg-deb -c "$DEB" | awk '{ print $1, $2, $6 }' | LC_ALL=C sort -k3 >"$BATS_TEST_TMPDIR/got"
	{
		for d in / /usr/ /usr/bin/ /usr/share/ /usr/share/bash-completion/ \
			/usr/share/bash-completion/completions/ /usr/share/doc/ /usr/share/doc/vfio-kit/ \
			/usr/share/man/ /usr/share/man/man1/; do
			echo "drwxr-xr-x root/root .$d"
		done
		for c in $COMMANDS; do
			echo "-rwxr-xr-x root/root ./usr/bin/$c"
			echo "-rw-r--r-- root/root ./usr/share/bash-completion/completions/$c"
			echo "-rw-r--r-- root/root ./usr/share/man/man1/$c.1.gz"
		done
		echo "-rw-r--r-- root/root ./usr/share/doc/vfio-kit/changelog.gz"
		echo "-rw-r--r-- root/root ./usr/share/doc/vfio-kit/copyright"
	} | LC_ALL=C sort -k3 >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the binaries are stripped, the copyright is machine-readable
	dpkg-deb -x "$DEB" "$BATS_TEST_TMPDIR/x"
	for t in $TOOLS; do
		readelf -S "$BATS_TEST_TMPDIR/x/usr/bin/$t" >"$BATS_TEST_TMPDIR/sections"
		! grep -qE '\.(symtab|debug_info|comment)( |$)' "$BATS_TEST_TMPDIR/sections" ||
			{ echo "$t is not stripped"; return 1; }
	done
	run -0 head -n 1 "$BATS_TEST_TMPDIR/x/usr/share/doc/vfio-kit/copyright"
	[ "$output" = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ]
	run -0 sh -c 'gzip -dc "$1" | head -n 1' sh "$BATS_TEST_TMPDIR/x/usr/share/doc/vfio-kit/changelog.gz"
	[[ "$output" == "vfio-kit ($VERSION) "* ]]
}

@test "lintian: not one tag, at any level" {
	command -v lintian >/dev/null || skip "lintian is not installed (apt-get install lintian)"
	# -I info, +pedantic and -E experimental too; root's lintian adds a notice on stderr
	run -0 --separate-stderr lintian -I -E -L +pedantic "$DEB"
	[ "$output" = "" ]
}

@test "installed with dpkg --root into a fresh root: every command prints VERSION, vfio-passthrough -n runs" {
	install_deb
	run -0 dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status} ${Version}' vfio-kit
	[ "$output" = "install ok installed $VERSION" ]
	(cd "$R/usr/bin" && ls) >"$BATS_TEST_TMPDIR/got"
	printf '%s\n' $COMMANDS | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	for c in $COMMANDS; do
		run -0 --separate-stderr env -u VFIOKIT_BIN PATH=/usr/bin:/bin "$R/usr/bin/$c" --version
		[ "$output" = "$c $VERSION" ] || { echo "$c: $output"; return 1; }
		[ "$stderr" = "" ]
	done
	# the packaged script runs the packaged tools (none on PATH, no VFIOKIT_BIN)
	cp -a "$TOP/t/data/hosts/proxmox-igpu" "$BATS_TEST_TMPDIR/host"
	run -0 --separate-stderr env -u VFIOKIT_BIN PATH=/usr/bin:/bin \
		"$R/usr/bin/vfio-passthrough" -n --root "$BATS_TEST_TMPDIR/host" 0000:00:02.0
	printf '%s\n' "$output" | grep -qFx '+options vfio-pci ids=8086:3e92 disable_vga=1'
	printf '%s\n' "$output" | grep -qFx 'proxmox-boot-tool refresh'
}

@test "installed: every man page renders with man -l, without a groff warning" {
	command -v man >/dev/null || skip "man is not installed (apt-get install man-db)"
	install_deb
	for c in $COMMANDS; do
		run -0 --separate-stderr env MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$R/usr/share/man/man1/$c.1.gz"
		[ "$stderr" = "" ] || { echo "$c.1: $stderr"; return 1; }
		# the line after NAME starts with the command's name
		printf '%s\n' "$output" | awk 'p { print; exit } $0 == "NAME" { p = 1 }' | grep -q "^ *$c " ||
			{ echo "$c.1: $output" | head; return 1; }
	done
}

# dbstate: every package R's dpkg database knows, with its state
dbstate() {
	dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${binary:Package} ${Status} ${Version}\n' | LC_ALL=C sort
}

@test "dpkg --purge leaves nothing behind, and the host's dpkg never heard of the package" {
	fresh_root "$R"
	root_files "$R" >"$BATS_TEST_TMPDIR/before"
	dbstate >"$BATS_TEST_TMPDIR/db-before"
	install_deb
	[ -x "$R/usr/bin/pci-list" ]
	dpkg --force-not-root --root="$R" --purge vfio-kit >"$BATS_TEST_TMPDIR/purge.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/purge.log"; return 1; }
	root_files "$R" >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# dpkg's own record of it is gone too
	dbstate >"$BATS_TEST_TMPDIR/db-after"
	diff -u "$BATS_TEST_TMPDIR/db-before" "$BATS_TEST_TMPDIR/db-after"
	run -0 find "$R/var/lib/dpkg/info" -name 'vfio-kit*'
	[ "$output" = "" ]
	run -1 dpkg-query -W vfio-kit
}

@test "make deb refuses a VERSION the changelog has no entry for, and builds nothing" {
	mkdir "$BATS_TEST_TMPDIR/out"
	run -2 --separate-stderr make -s -C "$TOP" DEBDIR="$BATS_TEST_TMPDIR/out" VERSION=9.8.7 deb
	[[ "$stderr" == *"mkdeb: scripts/deb/changelog: the newest entry is $VERSION, VERSION is 9.8.7: add an entry for 9.8.7"* ]]
	run -0 ls -A "$BATS_TEST_TMPDIR/out"
	[ "$output" = "" ]
}

@test "make deb twice, each from scratch, gives the same bytes (times from the changelog, gzip -n, no build path)" {
	mkdir "$BATS_TEST_TMPDIR/again"
	build_deb "$BATS_TEST_TMPDIR/again" >/dev/null
	cmp "$DEB" "$BATS_TEST_TMPDIR/again/$(basename "$DEB")"
}
