#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --root is a jail: a root full of symlinks that escape it (absolute and
# relative, to files and to directories, dangling ones) makes no tool read
# or write outside it.  OUT plays the host: every link points into it, and
# after each run OUT must be byte for byte what it was, mtimes included.
# Links are resolved as a process chrooted into ROOT would: "/X" and a ".."
# at the top both land inside ROOT (ROOT/OUT/... here).

load helper

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	PT="$TOP/scripts/passthrough"
	MC="$VFIOKIT_BIN/modconf-edit"
	R="$BATS_TEST_TMPDIR/root"
	OUT="$BATS_TEST_TMPDIR/out"
	export STUB_LOG="$BATS_TEST_TMPDIR/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
	cp -a "$DATA/hosts/proxmox-igpu" "$R"
	# the "host": files an escaping link would hit, and a host-looking sysfs
	mkdir -p "$OUT/etc/modprobe.d" "$OUT/etc/kernel" "$OUT/proc/sys/kernel" "$OUT/lib/modules"
	printf 'options vfio-pci ids=dead:beef\n' >"$OUT/etc/modprobe.d/vfio.conf"
	printf '# host modules\nloop\n' >"$OUT/etc/modules"
	printf 'root=/dev/host intel_iommu=on\n' >"$OUT/etc/kernel/cmdline"
	printf 'BOOT_IMAGE=/vmlinuz-host root=/dev/host intel_iommu=off\n' >"$OUT/proc/cmdline"
	printf '9.9.9-host\n' >"$OUT/proc/sys/kernel/osrelease"
	cp -a "$R/sys" "$OUT/sys"
	cp -a "$R/lib/modules/6.8.12-4-pve" "$OUT/lib/modules/"
	printf 'alias pci:v00008086d00003E92* hostonly\n' >"$OUT/lib/modules/6.8.12-4-pve/modules.alias"
	# the host's GPU is an NVMe-looking device: reading it would show
	sed -i 's/d00003E92/d0000ABCD/' "$OUT/sys/devices/pci0000:00/0000:00:02.0/modalias"
	touch -d '2001-01-01 00:00:00' "$OUT"/etc/* "$OUT"/etc/*/* "$OUT/proc/cmdline"
	snap "$OUT" >"$BATS_TEST_TMPDIR/out.before"
}

# snap DIR: every entry's path, type, size, mtime, mode and link target,
# then every file's checksum
snap() {
	(cd "$1" && find . -printf '%p %y %s %T@ %m %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
}

# outside_untouched: OUT as it was before the test, byte for byte
outside_untouched() {
	snap "$OUT" >"$BATS_TEST_TMPDIR/out.after"
	diff -u "$BATS_TEST_TMPDIR/out.before" "$BATS_TEST_TMPDIR/out.after"
}

# up: enough ../ to climb from anywhere in ROOT to / and past it
up=../../../../../../../../../../../../../../../../../../../../../../../..

@test "modconf-edit -i: an absolute link to a file is followed inside the root" {
	ln -sf "$OUT/etc/modules" "$R/etc/modules"
	mkdir -p "$R$OUT/etc"
	run -0 --separate-stderr "$MC" --root "$R" -i --diff --set vfio_pci "$R/etc/modules"
	outside_untouched
	[ "$(cat "$R$OUT/etc/modules")" = vfio_pci ]
	[ -L "$R/etc/modules" ]
	# the diff names the file really written
	[ "${lines[0]}" = "--- $R$OUT/etc/modules" ]
	[ "${lines[1]}" = "+++ $R$OUT/etc/modules" ]
}

@test "modconf-edit -i -b: a link climbing out with ../.. stays in the root, and so does the backup" {
	rm "$R/etc/modules"
	ln -s "$up$OUT/etc/modules" "$R/etc/modules"
	mkdir -p "$R$OUT/etc"
	printf 'old\n' >"$R$OUT/etc/modules"
	run -0 "$MC" --root "$R" -i -b --set vfio_pci "$R/etc/modules"
	outside_untouched
	[ "$(cat "$R$OUT/etc/modules")" = "old
vfio_pci" ]
	[ "$(cat "$R$OUT/etc/modules.bak")" = old ]
}

@test "modconf-edit -i: a linked modprobe.d directory, absolute and relative, is taken inside the root" {
	rm -r "$R/etc/modprobe.d"
	ln -s "$OUT/etc/modprobe.d" "$R/etc/modprobe.d"
	run -2 --separate-stderr "$MC" --root "$R" -i --set 'blacklist i915' "$R/etc/modprobe.d/vfio.conf"
	[ "$stderr" = "modconf-edit: $R/etc/modprobe.d/vfio.conf: cannot open for editing: No such file or directory" ]
	outside_untouched
	rm "$R/etc/modprobe.d"
	ln -s "../../$up$OUT/etc/modprobe.d" "$R/etc/modprobe.d"
	run -2 "$MC" --root "$R" -i --set 'blacklist i915' "$R/etc/modprobe.d/vfio.conf"
	outside_untouched
	# the same tree inside the root is where it goes
	mkdir -p "$R$OUT/etc/modprobe.d"
	run -0 "$MC" --root "$R" -i --set 'blacklist i915' "$R/etc/modprobe.d/vfio.conf"
	outside_untouched
	[ "$(cat "$R$OUT/etc/modprobe.d/vfio.conf")" = "blacklist i915" ]
}

@test "cmdline-edit -i: a dangling link creates its target inside the root, never outside" {
	rm "$R/etc/kernel/cmdline"
	ln -s "$OUT/etc/kernel/new-cmdline" "$R/etc/kernel/cmdline"
	run -2 --separate-stderr "$CE" --root "$R" -i --set iommu=pt "$R/etc/kernel/cmdline"
	outside_untouched
	[ ! -e "$OUT/etc/kernel/new-cmdline" ]
	mkdir -p "$R$OUT/etc/kernel"
	run -0 "$CE" --root "$R" -i --set iommu=pt "$R/etc/kernel/cmdline"
	outside_untouched
	[ "$(cat "$R$OUT/etc/kernel/new-cmdline")" = iommu=pt ]
}

@test "cmdline-edit and modconf-edit without -i: a link out of the root is not read" {
	rm "$R/etc/kernel/cmdline"
	ln -s "$up$OUT/etc/kernel/cmdline" "$R/etc/kernel/cmdline"
	# inside the root the link names a file that is not there
	run -2 --separate-stderr "$CE" --root "$R" --get root "$R/etc/kernel/cmdline"
	[ "$stderr" = "cmdline-edit: $R/etc/kernel/cmdline: cannot read: No such file or directory" ]
	[ "$output" = "" ]
	run -0 --separate-stderr "$CE" --root "$R" --set iommu=pt "$R/etc/kernel/cmdline"
	[ "$output" = iommu=pt ]
	outside_untouched
}

@test "pci-list: a sysfs device linked out of the root is not the host's device" {
	rm "$R/sys/bus/pci/devices/0000:00:02.0"
	ln -s "$up$OUT/sys/devices/pci0000:00/0000:00:02.0" "$R/sys/bus/pci/devices/0000:00:02.0"
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$R" -n
	[[ "$stderr" == "pci-list: $R/sys/bus/pci/devices/0000:00:02.0: "*"No such file or directory" ]]
	[ "$output" = "" ]
	# a linked sys directory: the root's own tree or nothing
	rm -r "$R/sys"
	ln -s "$OUT/sys" "$R/sys"
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$R" -n
	[ "$output" = "" ]
	run -2 --separate-stderr "$VFIOKIT_BIN/modalias-of" --root "$R" 0000:00:02.0
	[ "$output" = "" ]
	outside_untouched
}

@test "pci-list -k and modalias-of -m: a linked lib/modules is not the host's" {
	rm -r "$R/lib/modules/6.8.12-4-pve"
	ln -s "/$OUT/lib/modules/6.8.12-4-pve" "$R/lib/modules/6.8.12-4-pve"
	run --separate-stderr "$VFIOKIT_BIN/modalias-of" --root "$R" -m 0000:00:02.0
	[ "$status" -eq 2 ]
	[[ "$output" != *hostonly* ]]
	run --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$R" -k -n -o slot,modules -s 00:02.0
	[[ "$output" != *hostonly* ]]
	outside_untouched
}

@test "iommu-check: proc and osrelease linked out of the root are not read" {
	rm "$R/proc/cmdline" "$R/proc/sys/kernel/osrelease"
	ln -s "$OUT/proc/cmdline" "$R/proc/cmdline"
	ln -s "../../$up$OUT/proc/sys/kernel/osrelease" "$R/proc/sys/kernel/osrelease"
	run --separate-stderr "$VFIOKIT_BIN/iommu-check" --root "$R"
	[[ "$output" != *intel_iommu=off* ]]
	[[ "$output" != *9.9.9-host* ]]
	[[ "$output" == *"WARN	cmdline	cannot read /proc/cmdline"* ]]
	outside_untouched
}

@test "boot-refresh --detect: a linked etc/kernel is not the host's" {
	# the host boots by proxmox-boot-tool; the root's own etc/kernel is gone
	printf '1234-ABCD\n' >"$OUT/etc/kernel/proxmox-boot-uuids"
	snap "$OUT" >"$BATS_TEST_TMPDIR/out.before"
	rm -r "$R/etc/kernel"
	ln -s "$OUT/etc/kernel" "$R/etc/kernel"
	run -0 "$VFIOKIT_BIN/boot-refresh" --root "$R" --detect
	[[ "$output" != *proxmox-boot-tool* ]]
	outside_untouched
}

@test "boot-refresh --mark and the refresh: ROOT/var linked to the host's leaves the host's /var alone" {
	mkdir -p "$OUT/var/lib"
	snap "$OUT" >"$BATS_TEST_TMPDIR/out.before"
	rm -rf "$R/var"
	ln -s "$OUT/var" "$R/var"
	run -2 --separate-stderr "$VFIOKIT_BIN/boot-refresh" --root "$R" --mark
	[ "$stderr" = "boot-refresh: $R/var: cannot create: No such file or directory" ]
	outside_untouched
	rm "$R/var"
	ln -s "../../$up$OUT/var" "$R/var"
	mkdir -p "$R$OUT/var"
	run -0 "$VFIOKIT_BIN/boot-refresh" --root "$R" --mark
	[ -f "$R$OUT/var/lib/vfio-kit/refresh-needed" ]
	run -0 "$VFIOKIT_BIN/boot-refresh" --root "$R" --if-marked
	[ ! -e "$R$OUT/var/lib/vfio-kit" ]
	[ -s "$STUB_LOG" ]
	outside_untouched
}

@test "vfio-passthrough --root: every edit lands inside the root, nothing outside changes" {
	# absolute file link, relative climbing link, linked directory, dangling link
	ln -sf "$OUT/etc/modules" "$R/etc/modules"
	mkdir -p "$R$OUT/etc/modprobe.d" "$R$OUT/etc/kernel"
	printf '# root modules\n' >"$R$OUT/etc/modules"
	rm "$R/etc/kernel/cmdline"
	ln -s "$up$OUT/etc/kernel/cmdline" "$R/etc/kernel/cmdline"
	printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\n' >"$R$OUT/etc/kernel/cmdline"
	mv "$R/etc/modprobe.d" "$R/etc/modprobe.d.real"
	ln -s "$OUT/etc/modprobe.d" "$R/etc/modprobe.d"
	run -0 --separate-stderr "$PT" --root "$R" 0000:00:02.0
	outside_untouched
	[ "$(cat "$R$OUT/etc/modprobe.d/vfio.conf")" = "options vfio-pci ids=8086:3e92 disable_vga=1
softdep i915 pre: vfio-pci" ]
	[ "$(cat "$R$OUT/etc/kernel/cmdline")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" ]
	[ "$(tail -n 1 "$R$OUT/etc/modules")" = vfio_iommu_type1 ]
	# the diffs name the files written
	printf '%s\n' "$output" | grep -qFx -- "--- $R$OUT/etc/modprobe.d/vfio.conf"
	printf '%s\n' "$output" | grep -qFx -- "--- $R$OUT/etc/kernel/cmdline"
}

@test "vfio-passthrough --root: what the planner reads (the slots vfio.conf holds) is the root's, its links followed inside the root" {
	printf 'install vfio-pci for d in 0000:02:00.0; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n' \
		>"$OUT/etc/modprobe.d/vfio.conf"
	snap "$OUT" >"$BATS_TEST_TMPDIR/out.before"
	# the link climbs out; inside the root it leads to the root's own file
	mkdir -p "$R$OUT/etc/modprobe.d"
	printf 'install vfio-pci for d in 0000:05:00.0; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n' \
		>"$R$OUT/etc/modprobe.d/vfio.conf"
	ln -s "$up$OUT/etc/modprobe.d/vfio.conf" "$R/etc/modprobe.d/vfio.conf"
	run -0 --separate-stderr "$PT" --method slot --no-refresh --root "$R" 0000:00:02.0
	outside_untouched
	grep -qF 'install vfio-pci for d in 0000:05:00.0 0000:00:02.0; do' "$R$OUT/etc/modprobe.d/vfio.conf"
	! grep -q 0000:02:00.0 "$R$OUT/etc/modprobe.d/vfio.conf"
	[ -L "$R/etc/modprobe.d/vfio.conf" ]
}

# --- bad roots ------------------------------------------------------------

@test "a --root that does not exist, or is a file, is exit 2 for every tool, not a failed check" {
	for t in iommu-check pci-list modalias-of boot-refresh cmdline-edit modconf-edit; do
		run -2 --separate-stderr "$VFIOKIT_BIN/$t" --root /nonexistent --version
		[ "$stderr" = "$t: --root: '/nonexistent': No such file or directory" ]
		[ "$output" = "" ]
	done
	run -2 --separate-stderr "$VFIOKIT_BIN/iommu-check" --root "$R/etc/modules"
	[ "$stderr" = "iommu-check: --root: '$R/etc/modules': Not a directory" ]
}

@test "iommu-check --root: the hint edits the root's file, inside the root, and then the check passes" {
	printf 'BOOT_IMAGE=/boot/vmlinuz root=ZFS=rpool/ROOT/pve-1 boot=zfs\n' >"$R/proc/cmdline"
	rm -f "$R/boot/config-"*
	rm -rf "$R/sys/kernel/iommu_groups"
	run -1 --separate-stderr "$VFIOKIT_BIN/iommu-check" --root "$R"
	hint=$(printf '%s\n' "$output" | awk -F'\t' '$1 == "hint" && $2 == "cmdline" { print $3 }')
	[ "$hint" = "cmdline-edit --root $R -i --set intel_iommu=on --set iommu=pt $R/etc/kernel/cmdline && boot-refresh --root $R --bootloader-only # then reboot" ]
	# the edit, run as printed (the refresh would run the image's loader)
	hint=${hint%% && *}
	# the hint, run as given, edits the root's file
	run -0 env PATH="$VFIOKIT_BIN:$PATH" sh -c "$hint"
	[ "$(cat "$R/etc/kernel/cmdline")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" ]
	outside_untouched
}

@test "iommu-check --root: the hint, run as printed, follows the root's links inside the root, never out" {
	printf 'BOOT_IMAGE=/boot/vmlinuz root=ZFS=rpool/ROOT/pve-1 boot=zfs\n' >"$R/proc/cmdline"
	rm -f "$R/boot/config-"*
	rm -rf "$R/sys/kernel/iommu_groups"
	# the image's /etc/kernel/cmdline is an absolute link: /etc/kernel/cmdline
	# of the machine that runs the hint, were it followed from outside
	mv "$R/etc/kernel/cmdline" "$R/etc/kernel/cmdline.real"
	ln -s /etc/kernel/cmdline.real "$R/etc/kernel/cmdline"
	run -1 --separate-stderr "$VFIOKIT_BIN/iommu-check" --root "$R"
	hint=$(printf '%s\n' "$output" | awk -F'\t' '$1 == "hint" && $2 == "cmdline" { print $3 }')
	[ "$hint" = "cmdline-edit --root $R -i --set intel_iommu=on --set iommu=pt $R/etc/kernel/cmdline && boot-refresh --root $R --bootloader-only # then reboot" ]
	# the edit, run as printed (the refresh would run the image's loader)
	hint=${hint%% && *}
	run -0 env PATH="$VFIOKIT_BIN:$PATH" sh -c "$hint"
	[ "$(cat "$R/etc/kernel/cmdline.real")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" ]
	[ -L "$R/etc/kernel/cmdline" ]
	outside_untouched
}

# --- test seams ------------------------------------------------------------

@test "a release build has no test seams: VFIOKIT_NO_CHROOT left set runs nothing unchrooted" {
	rel=${VFIOKIT_RELEASE_BIN:-$BATS_TEST_DIRNAME/../bin}
	[ -x "$rel/boot-refresh" ] || skip "no release build in $rel (make)"
	# the root's update-initramfs is a #!/bin/sh script: chrooted into a
	# root without /bin/sh it cannot start (nor can a chroot without root)
	[ ! -e "$R/bin/sh" ]
	run -2 --separate-stderr env VFIOKIT_NO_CHROOT=1 "$rel/boot-refresh" --root "$R"
	[[ "$stderr" == *"cannot run chrooted into $R"* ]]
	[ ! -s "$STUB_LOG" ]
	# the test build has the seam: the stand-in runs by its path under ROOT
	run -0 env VFIOKIT_NO_CHROOT=1 "$VFIOKIT_BIN/boot-refresh" --root "$R"
	[ -s "$STUB_LOG" ]
}

@test "cmdline-edit -g --root: a grub.d linked out of the root is not read for its warning" {
	mkdir -p "$OUT/etc/default/grub.d"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="host"\n' >"$OUT/etc/default/grub.d/host.cfg"
	snap "$OUT" >"$BATS_TEST_TMPDIR/out.before"
	ln -s "$OUT/etc/default/grub.d" "$R/etc/default/grub.d"
	run -0 --separate-stderr "$CE" --root "$R" -g --set iommu=pt "$R/etc/default/grub"
	[ "$stderr" = "" ]
	# the root's own grub.d is read
	rm "$R/etc/default/grub.d"
	mkdir "$R/etc/default/grub.d"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="root"\n' >"$R/etc/default/grub.d/root.cfg"
	# (it sets the value anew, so the edit of grub is refused, naming it: issue 12)
	run -2 --separate-stderr "$CE" --root "$R" -g --set iommu=pt "$R/etc/default/grub"
	[[ "$stderr" == *"$R/etc/default/grub.d/root.cfg:1 sets GRUB_CMDLINE_LINUX_DEFAULT anew and is read later"* ]]
	outside_untouched
}
