#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-plan and vfio-passthrough on the drivers a plan displaces: a driver
# built in though sysfs links it to a module, the host's other devices a
# blacklist takes along, a generator that loads the driver by name ahead of
# vfio-pci, and directories a run must make.  Roots are copies of
# t/data/hosts with the real files of t/data/initramfs (README there) and
# devices added by add_dev below (hand-made in the kernel's sysfs shape).

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	PT="$TOP/scripts/passthrough"
	VP="$VFIOKIT_BIN/vfio-plan"
	ID="$TOP/t/data/initramfs"
	export STUB_LOG="$BATS_TEST_TMPDIR/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
	H="$BATS_TEST_TMPDIR/root"
}

host() { cp -a "$TOP/t/data/hosts/$1" "$H"; }

# add_dev SLOT CLASS VENDOR DEVICE DRIVER MODULE GROUP: a device in $H's sysfs
# as the kernel shows it: its directory (attributes of 00:1f.3's as a base),
# the bus link, the driver's directory with its module link (drivers/base/
# module.c module_add_driver() makes one for a built-in driver too), the
# module's directory, the IOMMU group
add_dev() {
	local slot=$1 class=$2 ven=$3 dev=$4 drv=$5 mod=$6 grp=$7
	local s="$H/sys" d="$H/sys/devices/pci0000:00/$1"
	cp -a "$s/devices/pci0000:00/0000:00:1f.3" "$d"
	rm -f "$d/driver" "$d/iommu_group"
	printf '0x%s\n' "$class" >"$d/class"
	printf '0x%s\n' "$ven" >"$d/vendor"
	printf '0x%s\n' "$dev" >"$d/device"
	printf 'pci:v0000%sd0000%ssv00001458sd0000A0C1bc%ssc%si%s\n' "${ven^^}" "${dev^^}" \
		"${class:0:2}" "${class:2:2}" "${class:4:2}" >"$d/modalias"
	ln -s "../../../devices/pci0000:00/$slot" "$s/bus/pci/devices/$slot"
	mkdir -p "$s/bus/pci/drivers/$drv" "$s/module/$mod" "$s/kernel/iommu_groups/$grp/devices"
	ln -s "../../../../devices/pci0000:00/$slot" "$s/bus/pci/drivers/$drv/$slot"
	[ -e "$s/bus/pci/drivers/$drv/module" ] || ln -s "../../../../module/$mod" "$s/bus/pci/drivers/$drv/module"
	ln -s "../../../bus/pci/drivers/$drv" "$d/driver"
	ln -s "../../../kernel/iommu_groups/$grp" "$d/iommu_group"
	ln -s "../../../../devices/pci0000:00/$slot" "$s/kernel/iommu_groups/$grp/devices/$slot"
}

# debian-grub with Debian's real modules.builtin (linux-image-6.1.0-47-amd64,
# the same 6.1 series as the host's 6.1.0-26-amd64)
debian_builtin() {
	host debian-grub
	cp "$ID/debian-6.1.0-47-amd64.modules.builtin" "$H/lib/modules/6.1.0-26-amd64/modules.builtin"
}

# debian-grub turned to dracut: no initramfs-tools, a dracut, Debian's dracut.conf
dracut_host() {
	host debian-grub
	rm -rf "$H/etc/initramfs-tools"
	mv "$H/usr/sbin/update-initramfs" "$H/usr/sbin/dracut"
	mkdir -p "$H/etc/dracut.conf.d"
	cp "$ID/dracut.conf" "$H/etc/"
}

# the plan's lines of a kind (note, edit, ...), TAB-separated
plan_lines() { printf '%s\n' "$output" | awk -F'\t' -v k="$1" '$1 == k'; }

@test "a displaced driver built in (Debian's modules.builtin) is built in though sysfs links it to a module: no blacklist or softdep for it" {
	debian_builtin
	# the Cannon Lake AMT serial-over-LAN port on 8250_pci's driver "serial";
	# built into Debian's kernel (kernel/drivers/tty/serial/8250/8250_pci.ko)
	grep -qx 'kernel/drivers/tty/serial/8250/8250_pci.ko' "$H/lib/modules/6.1.0-26-amd64/modules.builtin"
	add_dev 0000:00:16.3 070002 8086 a363 serial 8250_pci 9
	# pci-list's module field says the same: "-" for built in
	run -0 "$VFIOKIT_BIN/pci-list" --root "$H" -o slot,driver,module -s 00:16.3
	[ "$output" = "0000:00:16.3	serial	-" ]
	run -0 "$VFIOKIT_BIN/pci-list" --root "$H" -o slot,driver,module -s 00:02.0
	[ "$output" = "0000:00:02.0	i915	i915" ]
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:16.3
	[ "${lines[1]}" = "device	0000:00:16.3	0700	8086:a363	serial	-	9	-" ]
	plan_lines note | grep -qF "serial: built into the kernel (no module)"
	run plan_lines edit
	[[ "$output" == *"options vfio-pci ids=8086:a363"* && "$output" != *8250* ]]
	# a blacklist of a built-in driver does nothing: refused
	run -2 --separate-stderr "$VP" --root "$H" --method blacklist 0000:00:16.3
	[[ "$stderr" == *"--method blacklist: serial is built into 6.1.0-26-amd64, nothing in modprobe.d comes before it"* ]]
	[ -z "$output" ]
}

@test "a driver that is a module (i915, not in Debian's modules.builtin) is still a module, its module link kept" {
	debian_builtin
	run -0 --separate-stderr "$VP" --root "$H" --method blacklist 0000:00:02.0
	[ "${lines[1]}" = "device	0000:00:02.0	0300	8086:3e92	i915	i915	1	1" ]
	plan_lines edit | grep -qxF "edit	/etc/modprobe.d/blacklist.conf	modconf-edit	-	--set	blacklist i915"
}

@test "--method blacklist names the host's other devices on the blacklisted driver: the onboard sound goes with a GPU's audio function" {
	host debian-grub
	add_dev 0000:01:00.0 030000 10de 1b80 nouveau nouveau 9
	add_dev 0000:01:00.1 040300 10de 10f0 snd_hda_intel snd_hda_intel 9
	run -0 --separate-stderr "$VP" --root "$H" --group --method blacklist 0000:01:00.0
	plan_lines edit | grep -qxF "edit	/etc/modprobe.d/blacklist.conf	modconf-edit	-	--set	blacklist snd_hda_intel"
	run -0 plan_lines note
	printf '%s\n' "$output" | grep -qxF "note	blacklist snd_hda_intel: the host's other devices on it lose their driver too: 0000:00:1f.3 [0403 8086:a348] on snd_hda_intel; --method ids leaves them be"
	# nouveau drives nothing else: no note for it
	[[ "$output" != *"blacklist nouveau"* ]]
	# vfio-passthrough says it when it changes something
	run -0 --separate-stderr "$PT" -n --no-refresh --group --method blacklist --root "$H" 0000:01:00.0
	[[ "$stderr" == *"blacklist snd_hda_intel: the host's other devices on it lose their driver too: 0000:00:1f.3"* ]]
}

@test "dracut: --method blacklist is refused when an early-KMS drop-in sorting before ours forces i915 (loaded by name, no blacklist stops it)" {
	dracut_host
	cp "$ID/dracut.conf.d/10-early-kms.conf" "$H/etc/dracut.conf.d/"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run -2 --separate-stderr "$PT" --no-refresh --method blacklist --root "$H" 0000:00:02.0
	[[ "$stderr" == *"/etc/dracut.conf.d/10-early-kms.conf: the initramfs loads i915 by name ahead of vfio-pci, which a blacklist does not stop: use --method ids"* ]]
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	# --method ids: the softdep loads vfio-pci ahead of i915 however it is asked for
	run -0 --separate-stderr "$VP" --root "$H" --method ids 0000:00:02.0
	plan_lines edit | grep -qxF "edit	/etc/modprobe.d/vfio.conf	modconf-edit	-	--set	softdep i915 pre: vfio-pci"
	# a drop-in that sorts after ours forces i915 after vfio_pci: no harm
	mv "$H/etc/dracut.conf.d/10-early-kms.conf" "$H/etc/dracut.conf.d/zz-early-kms.conf"
	run -0 --separate-stderr "$VP" --root "$H" --method blacklist 0000:00:02.0
	# and dracut.conf itself is read first
	printf 'force_drivers+=" i915 "\n' >>"$H/etc/dracut.conf"
	run -2 --separate-stderr "$VP" --root "$H" --method blacklist 0000:00:02.0
	[[ "$stderr" == *"/etc/dracut.conf: the initramfs loads i915 by name ahead of vfio-pci"* ]]
}

@test "initramfs-tools: --method blacklist is refused when /etc/initramfs-tools/modules loads i915 ahead of vfio_pci" {
	host debian-grub
	cp "$ID/initramfs-tools.modules" "$H/etc/initramfs-tools/modules"
	printf 'i915\n' >>"$H/etc/initramfs-tools/modules"
	run -2 --separate-stderr "$VP" --root "$H" --method blacklist 0000:00:02.0
	[[ "$stderr" == *"/etc/initramfs-tools/modules: the initramfs loads i915 by name ahead of vfio-pci"* ]]
	# vfio_pci listed first claims the device first
	printf 'vfio_pci\ni915\n' >"$H/etc/initramfs-tools/modules"
	run -0 --separate-stderr "$VP" --root "$H" --method blacklist 0000:00:02.0
}

@test "initramfs-tools: --method alias is refused too when the initramfs loads i915 by name first (the alias is never asked); ids goes on" {
	host debian-grub
	cp "$ID/initramfs-tools.modules" "$H/etc/initramfs-tools/modules"
	printf 'i915\n' >>"$H/etc/initramfs-tools/modules"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run -2 --separate-stderr "$PT" --no-refresh --method alias --root "$H" 0000:00:02.0
	[[ "$stderr" == *"/etc/initramfs-tools/modules: the initramfs loads i915 by name ahead of vfio-pci, which an alias does not stop: use --method ids"* ]] ||
		{ echo "$stderr"; false; }
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	run -0 --separate-stderr "$VP" --root "$H" --method ids 0000:00:02.0
	printf 'vfio_pci\ni915\n' >"$H/etc/initramfs-tools/modules"
	run -0 --separate-stderr "$VP" --root "$H" --method alias 0000:00:02.0
}

@test "no /etc/modules-load.d: the dry run shows the directory it makes, and the real run makes it (0755) and succeeds" {
	dracut_host
	rm -f "$H/etc/modules"
	[ ! -e "$H/etc/modules-load.d" ]
	run -0 --separate-stderr "$PT" -n --no-refresh --root "$H" 0000:00:02.0
	[ "${lines[0]}" = "mkdir -m 0755 $H/etc/modules-load.d" ]
	[[ "$output" == *"+++ $H/etc/modules-load.d/vfio.conf"* ]]
	[ ! -e "$H/etc/modules-load.d" ]
	(umask 077 && run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0)
	[ "$(stat -c %a "$H/etc/modules-load.d")" = 755 ]
	# Linux 6.1: vfio_virqfd is a module of its own still
	[ "$(cat "$H/etc/modules-load.d/vfio.conf")" = "vfio_pci
vfio
vfio_iommu_type1
vfio_virqfd" ]
	# dracut loads force_drivers in their order: vfio_pci first
	[ "$(head -n 1 "$H/etc/dracut.conf.d/vfio.conf")" = 'force_drivers+=" vfio_pci vfio vfio_iommu_type1 vfio_virqfd "' ]
	# the second run changes nothing
	run -0 --separate-stderr "$PT" -n --no-refresh --root "$H" 0000:00:02.0
	[ -z "$output" ]
}

@test "a directory the run will not make (a dangling symlink at its name) stops the dry run as it stops the real run, nothing written" {
	dracut_host
	rm -f "$H/etc/modules"
	ln -s ../nowhere "$H/etc/modules-load.d"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run -2 --separate-stderr "$PT" -n --no-refresh --root "$H" 0000:00:02.0
	[[ "$stderr" == *"$H/etc/modules-load.d: no such directory: not created for /etc/modules-load.d/vfio.conf"* ]]
	[ -z "$output" ]
	run -2 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	[[ "$stderr" == *"$H/etc/modules-load.d: no such directory: not created for /etc/modules-load.d/vfio.conf"* ]]
	diff -r --no-dereference "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	[ ! -e "$H/nowhere" ]
}

# debian-grub turned to Arch's mkinitcpio: the real mkinitcpio.conf
mkinitcpio_host() {
	host debian-grub
	rm -rf "$H/etc/initramfs-tools" "$H/etc/modules"
	mv "$H/usr/sbin/update-initramfs" "$H/usr/sbin/mkinitcpio"
	mkdir -p "$H/etc/mkinitcpio.conf.d"
	cp "$ID/mkinitcpio.conf" "$H/etc/"
}

@test "mkinitcpio: an old drop-in of ours after one without a final newline is refused, naming that file; a new one starts with a newline and builds" {
	mkinitcpio_host
	cp "$ID/mkinitcpio.conf.d/intel.conf" "$H/etc/mkinitcpio.conf.d/"
	# what an earlier vfio-passthrough wrote: no leading newline; the rerun changes nothing in it
	printf 'MODULES=(vfio_pci vfio vfio_iommu_type1 vfio_virqfd ${MODULES[@]})\n' >"$H/etc/mkinitcpio.conf.d/vfio.conf"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run -2 --separate-stderr "$PT" -n --no-refresh --root "$H" 0000:00:02.0
	[[ "$stderr" == *"/etc/mkinitcpio.conf.d/intel.conf: no newline at its end: mkinitcpio joins its last line to the first line of /etc/mkinitcpio.conf.d/vfio.conf"* ]]
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	# without the old drop-in: ours starts with a newline, and mkinitcpio's concatenation parses
	rm "$H/etc/mkinitcpio.conf.d/vfio.conf"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	[ "$(head -c 1 "$H/etc/mkinitcpio.conf.d/vfio.conf" | od -An -c | tr -d ' ')" = '\n' ]
	run -0 bash -c 'cat "$1/mkinitcpio.conf" "$1/mkinitcpio.conf.d/intel.conf" "$1/mkinitcpio.conf.d/vfio.conf" >"$1/all"; . "$1/all"; echo "${MODULES[*]}"' _ "$H/etc"
	[ "$output" = "vfio_pci vfio vfio_iommu_type1 vfio_virqfd i915 vmd" ]
}

@test "mkinitcpio: a drop-in sourced after ours that sets MODULES afresh is refused, naming it; one that adds (+= or \${MODULES[@]}) is not" {
	mkinitcpio_host
	# the real nvidia.conf, written as guides often give it: MODULES=(...), and named to sort after ours
	sed 's/^MODULES+=/MODULES=/' "$ID/mkinitcpio.conf.d/nvidia.conf" >"$H/etc/mkinitcpio.conf.d/zz-nvidia.conf"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run -2 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: /etc/mkinitcpio.conf.d/zz-nvidia.conf: sets MODULES afresh after /etc/mkinitcpio.conf.d/vfio.conf (mkinitcpio sources the drop-ins in order): the vfio modules would be gone from the initramfs; make it MODULES=(... \${MODULES[@]}) or MODULES+=(...)" ] ||
		{ echo "$stderr"; false; }
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	# what mkinitcpio would have sourced: no vfio left
	printf '\nMODULES=(vfio_pci vfio ${MODULES[@]})\n' >"$BATS_TEST_TMPDIR/vfio.conf"
	run -0 bash -c '. "$1/mkinitcpio.conf"; . "$2"; . "$1/mkinitcpio.conf.d/zz-nvidia.conf"; echo "${MODULES[*]}"' _ "$H/etc" "$BATS_TEST_TMPDIR/vfio.conf"
	[[ "$output" != *vfio* ]]
	# the same file adding to MODULES, either way: the run goes on
	cp "$ID/mkinitcpio.conf.d/nvidia.conf" "$H/etc/mkinitcpio.conf.d/zz-nvidia.conf"
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	printf 'MODULES=(nvidia ${MODULES[@]})\n' >"$H/etc/mkinitcpio.conf.d/zz-nvidia.conf"
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	# a name with an escape sequence in it is named without it
	rm "$H/etc/mkinitcpio.conf.d/zz-nvidia.conf"
	printf 'MODULES=(nvidia)\n' >"$H/etc/mkinitcpio.conf.d/zz$(printf '\033')[31m.conf"
	run -2 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	[[ "$stderr" == "vfio-plan: /etc/mkinitcpio.conf.d/zz?[31m.conf: sets MODULES afresh"* ]] || { echo "$stderr" | cat -v; false; }
	rm "$H/etc/mkinitcpio.conf.d/zz"*
	# and one sorting before ours is overridden by ours, not the other way
	sed 's/^MODULES+=/MODULES=/' "$ID/mkinitcpio.conf.d/nvidia.conf" >"$H/etc/mkinitcpio.conf.d/nvidia.conf"
	run -0 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:02.0
}
