#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# -i under failure: every libc call an in-place edit makes is failed in turn
# (t/lib/faultinject.so), and full, read-only and unwritable file systems.
# Whatever fails, the file is either the new text (exit 0) or the old one
# byte for byte (exit 2 and a "PROG: ..." message), and no temporary is left.

load helper
load helper-reliability

# family:errno pairs, each failed at its 1st, 2nd, ... call until the edit
# makes no more such calls; read and write also get EINTR (to be retried)
FAULTS="open:EACCES open:EMFILE read:EIO read:EINTR write:ENOSPC write:EINTR
	close:EIO fsync:EIO fchmod:EPERM fchown:EPERM rename:EIO unlink:EIO
	flock:ENOLCK fstat:EIO stat:EIO readlink:EIO ftruncate:EIO mkstemp:EEXIST
	fopen:EIO fclose:EIO fflush:EIO fwrite:EIO opendir:EIO scandir:EIO"

setup() {
	D="$BATS_TEST_TMPDIR/d"
	mkdir -p "$D"
}

teardown() {
	if [ -n "${MNT:-}" ] && mountpoint -q "$MNT"; then
		umount "$MNT"
	fi
	if [ -n "${PERMDIR:-}" ]; then
		rm -rf "$PERMDIR"
	fi
}

# need_fault_lib TOOL: PRELOAD for TOOL, or skip saying why
need_fault_lib() {
	local fi asan
	fi=$(fault_lib)
	[ -n "$fi" ] || skip "no C compiler to build t/lib/faultinject.c"
	PRELOAD=$fi
	# gcc's ASan runtime is a library that must come first in LD_PRELOAD;
	# its interceptors then pass each call on to ours (clang links it in)
	if is_asan "$1"; then
		asan=$(ldd "$1" 2>/dev/null | awk '/libasan/ { print $3 }')
		[ -z "$asan" ] || PRELOAD="$asan:$fi"
	fi
	# the hooks must see the tool's calls: one edit without a fault
	printf 'x\n' >"$BATS_TEST_TMPDIR/probe"
	env LD_PRELOAD="$PRELOAD" FAULT_COUNT_FILE="$BATS_TEST_TMPDIR/probe.count" \
		"$CE" -i --set y "$BATS_TEST_TMPDIR/probe" 2>/dev/null || true
	grep -q '^rename 1$' "$BATS_TEST_TMPDIR/probe.count" 2>/dev/null ||
		skip "LD_PRELOAD=$PRELOAD does not see $(basename "$1")'s libc calls (a sanitizer's interceptors in front?)"
	rm -f "$BATS_TEST_TMPDIR/probe" "$BATS_TEST_TMPDIR/probe.count"
}

# walk FILE WANT CMD...: run CMD (an edit of FILE with -i) once per
# (family, k) in $FAULTS, FILE restored each time; WANT is the file holding
# the expected new text, or "absent".  Every outcome must be the whole new
# text (exit 0, mode and owner kept) or the whole old one (exit 2, a
# message); none may leave a temporary.  The number of pairs tried goes to
# the TAP output, every violation to $BATS_TEST_TMPDIR/bad.
walk() {
	local file=$1 want=$2 dir spec func err k fired orig=absent
	local cnt="$BATS_TEST_TMPDIR/count" bad="$BATS_TEST_TMPDIR/bad"
	local pairs=0 torn=0 prog meta=
	shift 2
	prog=$(basename "$1")
	dir=$(dirname "$file")
	if [ -e "$file" ]; then
		orig="$BATS_TEST_TMPDIR/orig"
		cp -p "$file" "$orig"
		meta=$(stat -c '%a %u:%g' "$file")
	fi
	: >"$bad"
	for spec in $FAULTS; do
		func=${spec%%:*} err=${spec#*:}
		for ((k = 1; ; k++)); do
			rm -f "$file" "$cnt" "$file.bak"
			[ "$orig" = absent ] || cp -p "$orig" "$file"
			run --separate-stderr env LD_PRELOAD="$PRELOAD" FAULT_FUNC="$func" \
				FAULT_NTH="$k" FAULT_ERRNO="$err" FAULT_COUNT_FILE="$cnt" "$@"
			fired=no
			grep -q '^fired ' "$cnt" 2>/dev/null && fired=yes
			local what="$func#$k ($err): status $status"
			if [ "$status" -eq 0 ]; then
				if [ "$want" = absent ]; then
					[ ! -e "$file" ] || { echo "$what: created a file" >>"$bad"; torn=$((torn + 1)); }
				elif ! cmp -s "$file" "$want"; then
					echo "$what: not the new text" >>"$bad"
					torn=$((torn + 1))
				elif [ "$orig" != absent ] && [ "$(stat -c '%a %u:%g' "$file")" != "$meta" ]; then
					echo "$what: mode or owner not kept: $(stat -c '%a %u:%g' "$file")" >>"$bad"
				elif [ "$orig" = absent ] && [ "$(stat -c %a "$file")" != 644 ]; then
					echo "$what: created with mode $(stat -c %a "$file")" >>"$bad"
				fi
			elif [ "$status" -eq 2 ]; then
				if [ "$orig" = absent ]; then
					[ ! -e "$file" ] || { echo "$what: a file left where there was none" >>"$bad"; torn=$((torn + 1)); }
				elif ! cmp -s "$file" "$orig"; then
					echo "$what: exit 2 but the file changed" >>"$bad"
					torn=$((torn + 1))
				fi
				[[ "$stderr" == "$prog: "* ]] || echo "$what: no '$prog: ' message: [$stderr]" >>"$bad"
				[ "$fired" = yes ] || echo "$what: exit 2 with no fault: [$stderr]" >>"$bad"
			else
				echo "$what: neither 0 nor 2: [$stderr]" >>"$bad"
				torn=$((torn + 1))
			fi
			[ -z "$output" ] || echo "$what: printed [$output]" >>"$bad"
			if [ -n "$(temps_in "$dir")" ]; then
				echo "$what: temporary left: $(temps_in "$dir")" >>"$bad"
				find "$dir" -maxdepth 1 -name '.*~' -delete
			fi
			[ "$fired" = yes ] || break
			pairs=$((pairs + 1))
		done
	done
	echo "# $prog: $pairs (function,k) pairs tried, $torn torn files" >&3
	echo "$pairs $torn" >>"$BATS_FILE_TMPDIR/totals"
	if [ -s "$bad" ]; then
		cat "$bad" >&2
		return 1
	fi
	# the walk reached the calls that matter
	[ "$pairs" -ge "${MIN_PAIRS:-10}" ]
}

@test "cmdline-edit -i on a command-line file: every failed call leaves old or new, never torn" {
	need_fault_lib "$CE"
	F="$D/cmdline"
	printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n' >"$F"
	chmod 0640 "$F"
	[ "$(id -u)" -ne 0 ] || chown 65534:65534 "$F"	# so fchown is called
	printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet vfio-pci.ids=8086:3e92\n' >"$BATS_TEST_TMPDIR/want"
	walk "$F" "$BATS_TEST_TMPDIR/want" "$CE" -i --merge vfio-pci.ids=8086:3e92 "$F"
}

@test "cmdline-edit -i -g on Debian's /etc/default/grub with a grub.d: old or new, never torn" {
	need_fault_lib "$CE"
	F="$D/grub"
	cp "$DATA/grub/debian-12.grub" "$F"
	mkdir "$D/grub.d"
	printf 'GRUB_TIMEOUT=1\n' >"$D/grub.d/10-timeout.cfg"
	sed 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"$/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"/' \
		"$F" >"$BATS_TEST_TMPDIR/want"
	! cmp -s "$F" "$BATS_TEST_TMPDIR/want"
	walk "$F" "$BATS_TEST_TMPDIR/want" "$CE" -i -g --set intel_iommu=on --set iommu=pt "$F"
}

@test "cmdline-edit -i -b: the backup written first does not change the rule for the file" {
	need_fault_lib "$CE"
	F="$D/cmdline"
	printf 'quiet\n' >"$F"
	printf 'quiet iommu=pt\n' >"$BATS_TEST_TMPDIR/want"
	walk "$F" "$BATS_TEST_TMPDIR/want" "$CE" -i -b --set iommu=pt "$F"
}

@test "modconf-edit -i on a modprobe.d file: old or new, never torn" {
	need_fault_lib "$MC"
	mkdir "$D/modprobe.d"
	F="$D/modprobe.d/vfio.conf"
	printf '# vfio\noptions vfio-pci ids=10de:1b80 disable_vga=1\n' >"$F"
	printf '# vfio\noptions vfio-pci ids=10de:1b80,8086:3e92 disable_vga=1\n' >"$BATS_TEST_TMPDIR/want"
	walk "$F" "$BATS_TEST_TMPDIR/want" "$MC" -i --merge 'options vfio-pci ids=8086:3e92' "$F"
}

@test "modconf-edit -i on /etc/modules: old or new, never torn" {
	need_fault_lib "$MC"
	F="$D/modules"
	cp "$DATA/modconf/debian-modules" "$F"
	{ cat "$F"; printf 'vfio\nvfio_pci\n'; } >"$BATS_TEST_TMPDIR/want"
	walk "$F" "$BATS_TEST_TMPDIR/want" "$MC" -i --set vfio --set vfio_pci "$F"
}

@test "modconf-edit -i creating a missing modprobe.d file: the file or nothing" {
	need_fault_lib "$MC"
	mkdir "$D/modprobe.d"
	F="$D/modprobe.d/vfio.conf"
	printf 'options vfio-pci ids=8086:3e92\n' >"$BATS_TEST_TMPDIR/want"
	walk "$F" "$BATS_TEST_TMPDIR/want" "$MC" -i --merge 'options vfio-pci ids=8086:3e92' "$F"
}

@test "cmdline-edit -i on a missing file that the edit leaves empty: nothing created, whatever fails" {
	need_fault_lib "$CE"
	F="$D/cmdline"
	# nothing to change, so nothing is locked or created: only reads fail
	MIN_PAIRS=1 walk "$F" absent "$CE" -i --del quiet "$F"
}

@test "the fault walk in figures: pairs tried, no torn file" {
	[ -f "$BATS_FILE_TMPDIR/totals" ] || skip "no fault walk ran"
	read -r pairs torn < <(awk '{ p += $1; t += $2 } END { print p, t }' "$BATS_FILE_TMPDIR/totals")
	echo "# fault injection: $pairs (function,k) pairs tried, $torn torn files" >&3
	[ "$torn" -eq 0 ]
	[ "$pairs" -gt 0 ]
}

# --- real file systems -------------------------------------------------

# mount_tmpfs SIZE: a small tmpfs at $MNT, or skip saying why
mount_tmpfs() {
	[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
	MNT="$BATS_TEST_TMPDIR/mnt"
	mkdir -p "$MNT"
	mount -t tmpfs -o "size=$1,mode=0755" vfiokit-test "$MNT" 2>"$BATS_TEST_TMPDIR/mount.err" ||
		skip "mount -t tmpfs failed (no CAP_SYS_ADMIN here?): $(cat "$BATS_TEST_TMPDIR/mount.err")"
}

@test "a full file system: exit 2 naming ENOSPC, the original intact, no temporary left" {
	mount_tmpfs 64k
	F="$MNT/cmdline"
	printf 'root=/dev/sda1 quiet\n' >"$F"
	cp "$F" "$BATS_TEST_TMPDIR/orig"
	# fill every block that is left
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null || true
	run -2 --separate-stderr "$CE" -i --set iommu=pt --set vfio-pci.ids=8086:3e92 "$F"
	[[ "$stderr" == "cmdline-edit: $F: "*"No space left on device" ]]
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	[ -z "$(temps_in "$MNT")" ]
	# and once there is room again, the same command works
	rm "$MNT/fill"
	run -0 "$CE" -i --set iommu=pt --set vfio-pci.ids=8086:3e92 "$F"
	[ "$(cat "$F")" = "root=/dev/sda1 quiet iommu=pt vfio-pci.ids=8086:3e92" ]
}

@test "a full file system: modconf-edit -b keeps the original when the backup does not fit" {
	mount_tmpfs 64k
	F="$MNT/modules"
	cp "$DATA/modconf/debian-modules" "$F"
	cp "$F" "$BATS_TEST_TMPDIR/orig"
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null || true
	run -2 --separate-stderr "$MC" -i -b --set vfio_pci "$F"
	[[ "$stderr" == "modconf-edit: "*"No space left on device" ]]
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	[ ! -e "$F.bak" ]
	[ -z "$(temps_in "$MNT")" ]
}

@test "a read-only file system: exit 2 saying read-only, nothing changed" {
	mount_tmpfs 1m
	F="$MNT/cmdline"
	printf 'quiet\n' >"$F"
	mount -o remount,ro "$MNT" || skip "cannot remount the tmpfs read-only"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$F"
	[ "$stderr" = "cmdline-edit: $F: cannot open for editing: Read-only file system" ]
	[ "$(cat "$F")" = quiet ]
	run -2 --separate-stderr "$MC" -i --set vfio_pci "$MNT/modules"
	[[ "$stderr" == "modconf-edit: $MNT/modules: "*"Read-only file system" ]]
	[ ! -e "$MNT/modules" ]
	# an edit that changes nothing does not need to write: exit 0
	run -0 "$CE" -i --set quiet "$F"
}

@test "a directory without write permission: exit 2 naming the temporary file, the original intact" {
	PERMDIR=$(mktemp -d /tmp/vfiokit-perm.XXXXXX)
	chmod 0755 "$PERMDIR"
	as=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "root ignores permissions and setpriv is missing"
		id nobody >/dev/null 2>&1 || skip "root ignores permissions and there is no user nobody"
		as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
		"${as[@]}" test -x "$CE" || skip "nobody cannot run $CE (a parent directory is not searchable)"
	fi
	F="$PERMDIR/cmdline"
	printf 'quiet\n' >"$F"
	chmod 0666 "$F"	# the file is writable, its directory is not
	chmod 0555 "$PERMDIR"
	run -2 --separate-stderr "${as[@]}" "$CE" -i --set iommu=pt "$F"
	[ "$stderr" = "cmdline-edit: $F: cannot create temporary file: Permission denied" ]
	[ "$(cat "$F")" = quiet ]
	[ -z "$(temps_in "$PERMDIR")" ]
	chmod 0755 "$PERMDIR"
}

@test "a FILE that is a directory: exit 2, the directory untouched" {
	mkdir "$D/cmdline"
	touch "$D/cmdline/keep"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$D/cmdline"
	[[ "$stderr" == "cmdline-edit: $D/cmdline: "*"Is a directory" ]]
	run -2 --separate-stderr "$MC" -i --set vfio_pci "$D/cmdline"
	[[ "$stderr" == "modconf-edit: $D/cmdline: "*"Is a directory" ]]
	[ "$(ls -A "$D/cmdline")" = keep ]
	[ -z "$(temps_in "$D")" ]
}

# A dangling link is how a sysadmin points /etc/kernel/cmdline at a file
# not written yet: create the target beside where the link says, keep the
# link.  A link into a directory that does not exist, or a loop, is a
# mistake to report, not a place to guess.
@test "a dangling symlink: the target is created where the link points, the link kept" {
	mkdir "$D/etc" "$D/boot"
	ln -s ../boot/cmdline "$D/etc/cmdline"
	run -0 "$CE" -i --set iommu=pt "$D/etc/cmdline"
	[ -L "$D/etc/cmdline" ]
	[ "$(readlink "$D/etc/cmdline")" = ../boot/cmdline ]
	[ "$(cat "$D/boot/cmdline")" = iommu=pt ]
	[ "$(stat -c %a "$D/boot/cmdline")" = 644 ]
	[ -z "$(temps_in "$D/etc")$(temps_in "$D/boot")" ]
}

@test "a dangling symlink into a missing directory: exit 2, nothing created, the link kept" {
	ln -s nodir/vfio.conf "$D/vfio.conf"
	run -2 --separate-stderr "$MC" --format modprobe -i --set 'blacklist i915' "$D/vfio.conf"
	[[ "$stderr" == "modconf-edit: $D/vfio.conf: "*"No such file or directory" ]]
	[ "$(readlink "$D/vfio.conf")" = nodir/vfio.conf ]
	[ ! -e "$D/nodir" ]
}

@test "a symlink loop: exit 2, too many levels of symbolic links" {
	ln -s b "$D/a"
	ln -s a "$D/b"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$D/a"
	[[ "$stderr" == "cmdline-edit: $D/a: "*"Too many levels of symbolic links" ]]
	[ "$(readlink "$D/a")" = b ]
}

# --- killed, closed, linked, labelled ------------------------------------

# A kill between the temporary's creation and the rename (power loss, the
# OOM killer) leaves the old file or the new one, never an empty one where
# there was none; a temporary that outlives it is removed by the next run.
@test "SIGKILL at each step of an edit: old, new or nothing at the target; the next run leaves no temporary" {
	need_fault_lib "$CE"
	F="$D/cmdline"
	for start in absent present; do
		for spec in open:1 open:2 open:3 write:1 fchmod:1 fsync:1 rename:1 fsync:2; do
			rm -f "$F" "$D"/.cmdline.*
			[ "$start" = absent ] || printf 'quiet\n' >"$F"
			run env LD_PRELOAD="$PRELOAD" FAULT_FUNC="${spec%:*}" FAULT_NTH="${spec#*:}" \
				FAULT_KILL=1 "$CE" -i --set iommu=pt "$F"
			what="$start, killed at $spec (status $status)"
			if [ "$start" = absent ]; then
				[ ! -e "$F" ] || [ "$(cat "$F")" = iommu=pt ] ||
					{ echo "$what: the target holds [$(cat "$F")]"; false; }
			else
				[ "$(cat "$F")" = quiet ] || [ "$(cat "$F")" = "quiet iommu=pt" ] ||
					{ echo "$what: the target holds [$(cat "$F")]"; false; }
			fi
			run -0 "$CE" -i --set iommu=pt "$F"
			[ -z "$(temps_in "$D")" ] || { echo "$what: left $(temps_in "$D")"; false; }
		done
	done
}

@test "a closed stderr: an error message never lands in the file being edited" {
	F="$D/cmdline"
	printf 'quiet\n' >"$F"
	cp "$F" "$BATS_TEST_TMPDIR/orig"
	mkdir "$F.bak"	# the backup cannot be written: an error after the file is open
	run -2 bash -c 'exec 2>&-; exec "$0" "$@"' "$CE" -i -b --set iommu=pt "$F"
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	run -2 bash -c 'exec 2>&-; exec "$0" "$@"' "$MC" -i -b --set vfio_pci "$F"
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	[ -z "$(temps_in "$D")" ]
}

@test "-i --diff to a full or closed stdout: exit 2 and the file not written" {
	F="$D/cmdline"
	printf 'quiet\n' >"$F"
	cp -p "$F" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr bash -c 'exec "$0" "$@" >/dev/full' "$CE" -i --diff --set iommu=pt "$F"
	[ "$stderr" = "cmdline-edit: $F: not written: its diff cannot go to standard output: No space left on device" ]
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr bash -c 'exec >&-; exec "$0" "$@"' "$MC" -i --diff --set vfio_pci "$F"
	[[ "$stderr" == "modconf-edit: $F: not written: its diff cannot go to standard output: "* ]]
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	[ "$(stat -c %Y "$F")" = "$(stat -c %Y "$BATS_TEST_TMPDIR/orig")" ]
	# a stdout that takes it: the diff, then the file
	run -0 "$CE" -i --diff --set iommu=pt "$F"
	[ "${lines[4]}" = "+quiet iommu=pt" ]
	[ "$(cat "$F")" = "quiet iommu=pt" ]
}

@test "-i keeps extended attributes, POSIX ACLs, and setuid/setgid bits with the owner" {
	command -v setfattr >/dev/null && command -v setfacl >/dev/null ||
		skip "setfattr/setfacl missing (apt-get install attr acl)"
	F="$D/modules"
	printf 'loop\n' >"$F"
	setfattr -n user.vfiokit -v kept "$F" 2>/dev/null || skip "no user xattrs on $(df --output=fstype "$D" | tail -1)"
	setfacl -m u:nobody:rw,g:nogroup:r "$F" 2>/dev/null || skip "no POSIX ACLs here"
	[ "$(id -u)" -ne 0 ] || chown 65534:65534 "$F"
	chmod 6664 "$F"
	setfacl -m u:nobody:rw "$F"
	meta() { stat -c '%a %u:%g' "$F"; getfacl -cp "$F" 2>/dev/null; getfattr -d -m '^user\.' --absolute-names "$F" | tail -n +2; }
	meta >"$BATS_TEST_TMPDIR/before"
	run -0 "$MC" -i --set vfio_pci "$F"
	[ "$(cat "$F")" = "loop
vfio_pci" ]
	meta >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	grep -qx 'user:nobody:rw-' "$BATS_TEST_TMPDIR/after"
	grep -qx 'user.vfiokit="kept"' "$BATS_TEST_TMPDIR/after"
}

@test "-i on a file with two hard links: exit 2, both names keep the one file" {
	F="$D/cmdline"
	printf 'quiet\n' >"$F"
	ln "$F" "$D/other-name"
	run -2 --separate-stderr "$CE" -i --set iommu=pt "$F"
	[ "$stderr" = "cmdline-edit: $F: has more than one hard link: replacing it would split them (edit the file the links share some other way)" ]
	[ "$(cat "$D/other-name")" = quiet ]
	[ "$(stat -c %h "$F")" = 2 ]
	# nothing to change: nothing refused
	run -0 "$CE" -i --set quiet "$F"
}
