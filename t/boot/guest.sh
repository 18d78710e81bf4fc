#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# t/boot/guest.sh: what scripts/check-boot runs inside each installed Debian 12,
# at every boot, from the oneshot unit check-boot.service; then it powers off.
# The boot it is in comes from /var/lib/check-boot/phase, on the install's disk:
#
#   install  the first boot (QEMU's -kernel, the tree's own kernel and initrd):
#            what the installer would have done for the boot loader (bios:
#            grub-install /dev/vda and update-grub; uefi: bootctl install and
#            kernel-install add, as systemd-boot's postinst does), then the guide
#            as a user runs it: vfio-passthrough for ONE of the twin e1000e NICs
#   check    the second boot, from the disk through the firmware and the boot
#            loader: the kernel says what the boot made of it; then
#            vfio-passthrough --undo for the same NIC
#   undo     the third boot, from the disk: the NIC is back on e1000e
#
# The initramfs is dracut's on bios, initramfs-tools' on uefi (t/boot/recipe.sh).
#
# Each assertion prints "ok N - KIND/PHASE: ..." or "not ok N - ..." and its
# evidence as "#" lines on the serial console; the counts run on across the
# boots (in /var/lib/check-boot/counts); the last boot prints
# "check-boot: KIND: N passed, N failed, N skipped".  Each boot ends with the
# line "check-boot-phase: KIND PHASE done", which the host waits for.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
lib=/usr/local/lib/check-boot
state=/var/lib/check-boot
tmp=/run/check-boot
mkdir -p "$tmp" "$state"
# used inside the assertions' bodies, which shellcheck does not see
# shellcheck disable=SC2034
helper=$lib/vmhelper
kind=$(cat "$lib/kind")
case $kind in bios) gen=dracut ;; *) gen=initramfs-tools ;; esac
phase=$(cat "$state/phase" 2>/dev/null || echo install)
kver=$(uname -r)
# kernel messages would split the assertion lines on the console
dmesg -n 1 2>/dev/null
# a line of its own first: the firmware's last words ("Booting from ROM...",
# under -kernel with a quiet kernel) end in no newline, and the first "ok"
# glued to them was lost to the count (seen in a CI run)
echo

n=0 pass=0 fail=0 skip=0
[ -f "$state/counts" ] && read -r n pass fail skip <"$state/counts"

t() {
	n=$((n + 1))
	if (eval "$2") >"$tmp/out" 2>&1; then
		pass=$((pass + 1))
		echo "ok $n - $kind/$phase: $1"
	else
		fail=$((fail + 1))
		echo "not ok $n - $kind/$phase: $1"
		sed 's/^/#   /' "$tmp/out" | head -n 60
	fi
	echo "$n $pass $fail $skip" >"$state/counts"
}

skip() {
	n=$((n + 1)) skip=$((skip + 1))
	echo "ok $n - $kind/$phase: $1 # skip $2"
	echo "$n $pass $fail $skip" >"$state/counts"
}

eq() {
	[ "$1" = "$2" ] && return 0
	printf 'want: %s\n got: %s\n' "$2" "$1"
	return 1
}

link_name() { [ -L "$1" ] && basename "$(readlink "$1")"; }
driver_of() { link_name "/sys/bus/pci/devices/$1/driver" || echo -; }
group_of() { link_name "/sys/bus/pci/devices/$1/iommu_group" || echo -; }

# the command line the boot loader will give the kernel, as its file holds it
cmdline_value() {
	case $kind in
	bios) (. /etc/default/grub && echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT") ;;
	uefi) head -n 1 /etc/kernel/cmdline ;;
	esac
}

# "PATH SHA256" for every file the guide may edit or create under /etc, and
# "PATH absent" for those that do not exist
etc_files() {
	for f in /etc/modules /etc/modprobe.d/vfio.conf /etc/modprobe.d/blacklist.conf \
		/etc/initramfs-tools/modules /etc/dracut.conf.d/vfio.conf /etc/dracut.conf.d/10-check-boot.conf \
		/etc/default/grub /etc/kernel/cmdline; do
		if [ -e "$f" ]; then echo "$f $(sha256sum <"$f" | cut -d" " -f1)"; else echo "$f absent"; fi
	done
}

# "PATH MTIME" for every file a vfio-passthrough run may write or have a
# command rewrite: the guide's files, the initramfs, the boot loader's files
boot_files() {
	for f in /etc/modules /etc/modprobe.d/* /etc/dracut.conf.d/* /etc/default/grub /etc/kernel/cmdline \
		/boot/initrd.img-* /boot/grub/grub.cfg /boot/efi/loader/entries/* \
		/boot/efi/*/"$kver"/*; do
		[ -f "$f" ] && echo "$f $(stat -c %Y "$f")"
	done
}

finish() {
	echo "check-boot-phase: $kind $phase done"
	sync
	systemctl poweroff --no-block
	exit 0
}

# systemd-udevd has bound what it will bind: the drivers are the boot's
udevadm settle --timeout=60

# the first boot installs the package as a user does: the tools are /usr/bin's
[ "$phase" != install ] ||
	t "vfio-kit's package installs (dpkg -i) and its tools run" '
		dpkg -i "$lib/vfio-kit.deb" && dpkg -s vfio-kit | grep -qx "Status: install ok installed" &&
		eq "$(command -v vfio-passthrough)" /usr/bin/vfio-passthrough && pci-list --version'

# the twin NICs: the same e1000e (8086:10d3), the lower slot is the one passed
# (the same choice at every boot: sorted by slot)
nics=$(pci-list -n -d 8086:10d3 -o slot 2>/dev/null)
slot=$(echo "$nics" | sed -n 1p)
twin=$(echo "$nics" | sed -n 2p)
printf "# %s/%s on %s: NIC to pass %s, its twin %s; cmdline: %s\n" "$kind" "$phase" "$kver" "$slot" "$twin" "$(cat /proc/cmdline)"

case $phase in
install)
	t "two e1000e NICs, both driven by e1000e before anything is changed" '
		[ -n "$slot" ] && [ -n "$twin" ] || { echo "NICs: [$nics]"; exit 1; }
		eq "$(driver_of "$slot") $(driver_of "$twin")" "e1000e e1000e"'
	t "boot-refresh --detect finds the install's initramfs generator, $gen" '
		boot-refresh --detect >"$tmp/detect"; cat "$tmp/detect"
		grep -qx "initramfs $gen" "$tmp/detect"'
	case $kind in
	bios)
		t "grub-install /dev/vda puts GRUB on the disk (i386-pc)" '
			grub-install --target=i386-pc /dev/vda'
		t "update-grub writes /boot/grub/grub.cfg" '
			update-grub && grep -q "vmlinuz-$kver" /boot/grub/grub.cfg' ;;
	uefi)
		# what systemd-boot.postinst does on a system with an ESP
		t "bootctl install puts systemd-boot on the ESP and in the firmware's boot order" '
			bootctl install && bootctl is-installed'
		t "kernel-install add writes the loader entry, options from /etc/kernel/cmdline" '
			kernel-install add "$kver" "/boot/vmlinuz-$kver" "/boot/initrd.img-$kver" &&
			grep -l "^options.*$(head -n 1 /etc/kernel/cmdline)" /boot/efi/loader/entries/*.conf' ;;
	esac
	cmdline_value >"$state/cmdline-before"
	# the files the guide edits, as the install left them: --undo must give
	# them back byte for byte (the boot loader's and initramfs-tools' own)
	etc_files >"$state/etc-before"
	echo "$slot" >"$state/slot"
	# what the run prints goes to the console as it comes (update-initramfs
	# under TCG takes minutes: a hang shows where it hangs)
	# $lib/trace (VFIOKIT_BOOT_TRACE=1 on the host): every line the script runs
	x=; [ -f "$lib/trace" ] && x=-x
	t0=$(date +%s)
	{ sh $x "$(command -v vfio-passthrough)" "$slot" 2>&1; echo "$?" >"$tmp/pt.rc"; } | tee "$tmp/pt.out" | sed 's/^/# passthrough: /'
	echo "# vfio-passthrough took $(($(date +%s) - t0))s"
	t "vfio-passthrough $slot exits 0 (the guide, refresh included)" '
		cat "$tmp/pt.out"; eq "exit $(cat "$tmp/pt.rc")" "exit 0"'
	cmdline_value >"$state/cmdline-after"
	t "vfio-passthrough put the IOMMU on the kernel command line file" '
		grep -q "intel_iommu=on" "$state/cmdline-after" && grep -q "iommu=pt" "$state/cmdline-after" ||
			{ cat "$state/cmdline-after"; exit 1; }'
	echo check >"$state/phase"
	finish ;;
check)
	slot=$(cat "$state/slot")
	t "the chosen NIC $slot is on vfio-pci" 'eq "$(driver_of "$slot")" vfio-pci'
	t "its twin $twin is still on e1000e, with its network interface" '
		eq "$(driver_of "$twin")" e1000e && ls "/sys/bus/pci/devices/$twin/net/"'
	t "e1000e never probed $slot in this boot (kernel log)" '
		dmesg >"$tmp/dmesg"
		! grep "e1000e $slot" "$tmp/dmesg"'
	# shellcheck disable=SC2034 # used inside the assertions' bodies
	img=/boot/initrd.img-$kver
	case $gen in
	initramfs-tools)
		t "vfio-pci and its configuration are in the initramfs, beside e1000e: bound from early boot" '
			lsinitramfs "$img" >"$tmp/initrd"
			grep -q "/vfio-pci.ko" "$tmp/initrd" && grep -q "etc/modprobe.d/vfio.conf" "$tmp/initrd" &&
				grep -q "/e1000e.ko" "$tmp/initrd" ||
				{ grep -E "vfio|modprobe.d" "$tmp/initrd"; exit 1; }' ;;
	dracut)
		# dracut not hostonly (Debian's default) copies no /etc/modprobe.d
		# file of itself (modules.d/90kernel-modules): vfio.conf is in the
		# image because the drop-in names it in install_items, and the
		# machine's own check-boot.conf (t/boot/recipe.sh) is not
		t "vfio-passthrough's dracut drop-in forces vfio_pci and names /etc/modprobe.d/vfio.conf" '
			cat /etc/dracut.conf.d/vfio.conf &&
			grep -Eq "^force_drivers\+=\" (.* )?vfio_pci( .*)? \"$" /etc/dracut.conf.d/vfio.conf &&
			grep -Eq "^install_items\+=\" (.* )?/etc/modprobe.d/vfio.conf( .*)? \"$" /etc/dracut.conf.d/vfio.conf'
		t "lsinitrd: vfio-pci, e1000e and vfio.conf, byte for byte and alone of /etc/modprobe.d, are in the initramfs" '
			lsinitrd "$img" >"$tmp/initrd" || exit 1
			grep -q "/vfio-pci.ko" "$tmp/initrd" && grep -q "/e1000e.ko" "$tmp/initrd" &&
				eq "$(grep -o " etc/modprobe.d/.*" "$tmp/initrd")" " etc/modprobe.d/vfio.conf" ||
				{ grep -E "vfio|e1000e|modprobe.d" "$tmp/initrd"; ls -l /etc/modprobe.d; exit 1; }
			lsinitrd -f etc/modprobe.d/vfio.conf "$img" >"$tmp/vfio.conf" &&
				diff -u /etc/modprobe.d/vfio.conf "$tmp/vfio.conf"'
		t "lsinitrd: the image loads vfio_pci before udev (rd.driver.pre, from force_drivers)" '
			lsinitrd -f etc/cmdline.d/20-force_drivers.conf "$img" >"$tmp/pre"; cat "$tmp/pre"
			grep -qx "rd.driver.pre=vfio_pci" "$tmp/pre"' ;;
	esac
	t "/dev/vfio/GROUP exists, the group is viable, a device fd opens" '
		g=$(group_of "$slot")
		[ -c "/dev/vfio/$g" ] || { ls -l /dev/vfio; exit 1; }
		"$helper" vfio "$g" "$slot"'
	t "the running /proc/cmdline carries what vfio-passthrough wrote" '
		for p in $(cat "$state/cmdline-after"); do
			grep -qw -- "$p" /proc/cmdline || { echo "missing $p in: $(cat /proc/cmdline)"; exit 1; }
		done
		for p in intel_iommu=on iommu=pt; do grep -qw -- "$p" /proc/cmdline || { echo "no $p"; exit 1; }; done'
	t "root= is intact: the install's root file system" '
		eq "$(tr " " "\n" </proc/cmdline | grep "^root=")" "root=UUID=$(cat "$lib/root-uuid")"'
	t "iommu-check --device $slot passes" '
		iommu-check --device "$slot"; rc=$?; echo "exit $rc"; [ "$rc" -eq 0 ]'
	t "a second vfio-passthrough $slot prints nothing, changes nothing, runs nothing" '
		boot_files >"$tmp/before"
		sleep 1
		vfio-passthrough "$slot" >"$tmp/p.out" 2>"$tmp/p.err"; rc=$?
		boot_files >"$tmp/after"
		cat "$tmp/p.out" "$tmp/p.err"
		eq "$rc" 0 && [ ! -s "$tmp/p.out" ] && [ ! -s "$tmp/p.err" ] && diff -u "$tmp/before" "$tmp/after"'
	if [ -f "$lib/nested.sh" ]; then
		t0=$(date +%s)
		t "a VM in this install, -device vfio-pci,host=$slot: its e1000e binds and makes eth0" '
			sh "$lib/nested.sh" "$slot"'
		echo "# the nested VM took $(($(date +%s) - t0))s"
	else
		skip "a VM in this install drives the NIC through vfio-pci" "not asked for this install (CHECK_BOOT_NESTED)"
	fi
	t0=$(date +%s)
	{ vfio-passthrough --undo "$slot" 2>&1; echo "$?" >"$tmp/pt.rc"; } | tee "$tmp/pt.out" | sed 's/^/# undo: /'
	echo "# vfio-passthrough --undo took $(($(date +%s) - t0))s"
	t "vfio-passthrough --undo $slot exits 0" '
		cat "$tmp/pt.out"; eq "exit $(cat "$tmp/pt.rc")" "exit 0"'
	echo undo >"$state/phase"
	finish ;;
undo)
	slot=$(cat "$state/slot")
	t "after --undo, the files the guide edits are as the install had them, byte for byte" '
		etc_files >"$tmp/etc-now"
		diff -u "$state/etc-before" "$tmp/etc-now"'
	t "after --undo and a reboot, $slot is back on e1000e" 'eq "$(driver_of "$slot")" e1000e'
	t "its twin $twin is on e1000e" 'eq "$(driver_of "$twin")" e1000e'
	echo "check-boot: $kind: $pass passed, $fail failed, $skip skipped"
	echo "done" >"$state/phase"
	finish ;;
*)
	echo "check-boot-phase: $kind $phase: nothing to do"
	systemctl poweroff --no-block ;;
esac
