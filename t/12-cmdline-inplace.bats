#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline-edit -i: atomic, locked, nothing written on error.

load helper

setup() {
	F="$BATS_TEST_TMPDIR/cmdline"
	printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\n' >"$F"
}

# no temporary file left beside the target
no_temp_left() {
	run ls -A "$(dirname "$1")"
	! printf '%s\n' "${lines[@]}" | grep -q '~$'
}

@test "-i writes the edit and prints nothing" {
	run -0 "$CE" -i --set iommu=pt "$F"
	[ "$output" = "" ]
	[ "$(cat "$F")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt" ]
	no_temp_left "$F"
}

@test "-i keeps the file's mode" {
	chmod 0600 "$F"
	"$CE" -i --set iommu=pt "$F"
	[ "$(stat -c %a "$F")" = 600 ]
	chmod 0755 "$F"
	"$CE" -i --set intel_iommu=on "$F"
	[ "$(stat -c %a "$F")" = 755 ]
}

@test "-i keeps the file's owner" {
	[ "$(id -u)" -eq 0 ] || skip "changing an owner needs root"
	chown 65534:65534 "$F"
	"$CE" -i --set iommu=pt "$F"
	[ "$(stat -c %u:%g "$F")" = 65534:65534 ]
}

@test "an unchanged file is not rewritten: same inode, same mtime" {
	"$CE" -i --set iommu=pt "$F"
	touch -d '2020-01-01 00:00:00' "$F"
	ino=$(stat -c %i "$F") mt=$(mtime_of "$F")
	run -0 "$CE" -i --set iommu=pt "$F"
	[ "$(stat -c %i "$F")" = "$ino" ]
	[ "$(mtime_of "$F")" = "$mt" ]
}

@test "a symlink is followed: its target replaced, the link kept" {
	mkdir "$BATS_TEST_TMPDIR/real"
	mv "$F" "$BATS_TEST_TMPDIR/real/cmdline"
	ln -s real/cmdline "$F"
	"$CE" -i --set iommu=pt "$F"
	[ -L "$F" ]
	[ "$(readlink "$F")" = real/cmdline ]
	[ "$(cat "$BATS_TEST_TMPDIR/real/cmdline")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt" ]
}

@test "a dangling symlink: its target is created" {
	ln -s missing-target "$BATS_TEST_TMPDIR/link"
	"$CE" -i --set iommu=pt "$BATS_TEST_TMPDIR/link"
	[ -L "$BATS_TEST_TMPDIR/link" ]
	[ "$(cat "$BATS_TEST_TMPDIR/missing-target")" = "iommu=pt" ]
}

@test "a missing FILE is created with mode 0644" {
	umask 077
	"$CE" -i --set intel_iommu=on --set iommu=pt "$BATS_TEST_TMPDIR/new"
	[ "$(cat "$BATS_TEST_TMPDIR/new")" = "intel_iommu=on iommu=pt" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/new")" = 644 ]
}

@test "a missing FILE that an edit leaves empty is not created" {
	run -0 "$CE" -i --del iommu "$BATS_TEST_TMPDIR/new"
	[ ! -e "$BATS_TEST_TMPDIR/new" ]
}

@test "-i --diff prints something exactly when it changed something" {
	run -0 "$CE" -i --diff --set iommu=pt "$F"
	[ "${lines[0]}" = "--- $F" ]
	[ "${lines[4]}" = "+root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt" ]
	run -0 "$CE" -i --diff --set iommu=pt "$F"
	[ "$output" = "" ]
}

@test "--check writes nothing and says by its status whether it would change" {
	cp "$F" "$F.orig"
	run -1 "$CE" -i --check --set iommu=pt "$F"
	cmp "$F" "$F.orig"
	run -0 "$CE" --check --set boot=zfs "$F"
	run -1 "$CE" --check --set iommu=pt "$BATS_TEST_TMPDIR/missing"
	[ ! -e "$BATS_TEST_TMPDIR/missing" ]
}

@test "-b keeps the old content as FILE.bak, -b.orig as FILE.orig" {
	"$CE" -i -b --set iommu=pt "$F"
	[ "$(cat "$F.bak")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs" ]
	"$CE" -i -b.orig --set intel_iommu=on "$F"
	[ "$(cat "$F.orig")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt" ]
	# unchanged: no new backup
	rm "$F.bak"
	"$CE" -i -b --set iommu=pt "$F"
	[ ! -e "$F.bak" ]
}

@test "bad input in any FILE writes nothing at all" {
	printf 'quiet "unbalanced\n' >"$BATS_TEST_TMPDIR/bad"
	cp "$F" "$F.orig"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$F" "$BATS_TEST_TMPDIR/bad"
	[ "$output" = "" ]
	[ "$stderr" = "cmdline-edit: $BATS_TEST_TMPDIR/bad:1: unterminated quote at column 7" ]
	cmp "$F" "$F.orig"
	no_temp_left "$F"
}

@test "a NUL byte with -i: exit 2, file byte-identical" {
	printf 'a\0b\n' >"$F"
	cp "$F" "$F.orig"
	run -2 "$CE" -i --set iommu=pt "$F"
	cmp "$F" "$F.orig"
}

@test "a directory where the file should be: exit 2 with the reason" {
	mkdir "$BATS_TEST_TMPDIR/dir"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$BATS_TEST_TMPDIR/dir"
	[ "$stderr" = "cmdline-edit: $BATS_TEST_TMPDIR/dir: cannot read: Is a directory" ]
}

@test "a directory without write permission: exit 2, file unchanged" {
	[ "$(id -u)" -ne 0 ] || command -v setpriv >/dev/null || skip "root ignores permissions and setpriv is missing"
	# a directory every user can reach (the bats temp dirs are private)
	d=$(mktemp -d /tmp/vfiokit-ro.XXXXXX)
	chmod 0755 "$d"
	mkdir "$d/ro"
	cp "$F" "$d/ro/cmdline"
	chmod 0666 "$d/ro/cmdline"
	chmod 0555 "$d/ro"
	if [ "$(id -u)" -eq 0 ]; then
		run -2 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$CE" -i --set iommu=pt "$d/ro/cmdline"
	else
		run -2 --separate-stderr "$CE" -i --set iommu=pt "$d/ro/cmdline"
	fi
	chmod 0755 "$d/ro"
	cmp "$F" "$d/ro/cmdline"
	rm -rf "$d"
	[ "$stderr" = "cmdline-edit: $d/ro/cmdline: cannot create temporary file: Permission denied" ]
}

@test "-i without FILE and --backup without -i are usage errors" {
	run -2 "$CE" -i --set x=1 </dev/null
	run -2 "$CE" -b --set x=1 "$F"
}

@test "concurrent editors merging distinct ids lose no edit (the lock)" {
	printf 'quiet\n' >"$F"
	for p in 1 2 3; do
		(for i in $(seq 1 40); do "$CE" -i --merge "vfio-pci.ids=$p:$i" "$F" || exit 1; done) &
	done
	wait
	run -0 "$CE" --get vfio-pci.ids "$F"
	n=$(printf '%s\n' "$output" | tr , '\n' | sort -u | wc -l)
	[ "$n" -eq 120 ]
	no_temp_left "$F"
}
