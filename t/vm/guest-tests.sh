#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# t/vm/guest-tests.sh: the assertions scripts/check-vm runs inside a QEMU guest
# booted on Debian's own kernel.  The oracle is the kernel: sysfs, the IOMMU
# groups, the vfio driver binding (or refusing) the NIC, kmod reading the
# modprobe.d the guide wrote, lspci on the same sysfs.
#
# The guest's kind comes from the kernel command line, vfiokit_guest=:
#   intel, intel-on   emulated VT-d (without / with the guide's "intel_iommu=on
#                     iommu=pt"): IOMMU on
#   intel-off         VT-d present, intel_iommu=off: IOMMU off
#   amd               emulated AMD-Vi: IOMMU on
#   none              no IOMMU at all
#   intel-host        emulated VT-d, and a machine of its own: its assertions
#                     are t/vm/host-tests.sh's (twin NICs, a USB controller,
#                     every IOMMU group against the kernel's viable flag)
# QEMU gives the other guests: an e1000e (8086:10d3) behind a PCIe root port, a
# pcie-pci-bridge (1b36:000e) with pci-testdev (1b36:0005) and an i6300esb
# watchdog (8086:25ab) behind it (one IOMMU group of three), and edu (1234:11e8).
# Devices are found by vendor:device; slots differ between guests.
#
# Prints one TAP-like line per assertion ("ok N - ...", "not ok N - ..." with
# the evidence as "#" lines, "ok N - ... # skip WHY") and exits 0 only when
# nothing failed.  VFIOKIT_VM_TIMES=1 on the kernel command line (the kernel
# hands it to /init's environment) adds the guest's uptime to each line.
# Runs under dash (Debian's /bin/sh) with busybox's utilities
# and kmod's modprobe.
set -u
PATH=/opt/vfio-kit/bin:/sbin:/usr/sbin:/bin:/usr/bin
export PATH
bin=/opt/vfio-kit/bin
guide=/opt/vfio-kit/scripts/passthrough
# used inside the assertions' bodies, which shellcheck does not see
# shellcheck disable=SC2034
helper=/opt/vfio-kit/t/vm/vmhelper
tmp=/tmp/gt
mkdir -p "$tmp"
kver=$(uname -r)

guest=$(sed -n 's/.*vfiokit_guest=\([^ ]*\).*/\1/p' /proc/cmdline)
case $guest in
intel | intel-on | intel-host) iommu=intel ;;
amd) iommu=amd ;;
intel-off | none) iommu= ;;
*) echo "not ok 1 - vfiokit_guest= names no known guest: '$guest'"; exit 1 ;;
esac

n=0 pass=0 fail=0 skip=0
t_begin=$(cut -d" " -f1 /proc/uptime)

# t TITLE BODY: one assertion; BODY is shell code run in a subshell, it passes
# when it returns 0; what it printed is shown when it fails.
t() {
	n=$((n + 1))
	if (eval "$2") >"$tmp/out" 2>&1; then
		pass=$((pass + 1))
		echo "ok $n - $guest: $1${VFIOKIT_VM_TIMES:+ [$(cut -d" " -f1 /proc/uptime)]}"
	else
		fail=$((fail + 1))
		echo "not ok $n - $guest: $1"
		sed 's/^/#   /' "$tmp/out" | head -n 60
	fi
}

skip() {
	n=$((n + 1)) skip=$((skip + 1))
	echo "ok $n - $guest: $1 # skip $2"
}

# tool TOOL TITLE BODY: an assertion about TOOL, skipped while it is not built
tool() {
	if [ -x "$bin/$1" ] || { [ "$1" = passthrough ] && [ -f "$guide" ]; }; then
		t "$2" "$3"
	else
		skip "$2" "$1 is not built yet"
	fi
}

# eq GOT WANT: equal strings, or both shown
eq() {
	[ "$1" = "$2" ] && return 0
	printf 'want: %s\n got: %s\n' "$2" "$1"
	return 1
}

# same WANTFILE GOTFILE: equal files, or a diff
same() { diff -u "$1" "$2"; }

hex() { sed 's/^0x//' "$1"; }

# "SLOT MODULE..." lines: modules sorted, "-" and "_" alike, "-" for none
norm_mods() {
	while read -r s m; do
		[ "$m" = - ] && m=
		m=$(for x in $m; do echo "$x"; done | tr - _ | sort | tr "\n" " ")
		echo "$s ${m:--}" | sed 's/ $//'
	done
}

# Every fork costs the emulated CPU dearly: the helpers below
# read sysfs with the shell's own read where they can.

# the slots of the devices with these ids, one a line
slots_of() {
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r p <"$d/device" &&
			[ "$v:$p" = "0x$1:0x$2" ] && echo "${d##*/}"
	done
	return 0
}

link_name() { [ -L "$1" ] && l=$(readlink "$1") && echo "${l##*/}"; }
driver_of() { link_name "/sys/bus/pci/devices/$1/driver" || echo -; }
group_of() { link_name "/sys/bus/pci/devices/$1/iommu_group" || echo -; }

# The guide's files are written on the guest's own root, then the next boot
# is replayed.  The root is the initramfs in RAM: /etc is ours to reset.
cp -a /etc /run/etc.pristine
# shellcheck disable=SC2114
restore_etc() { rm -rf /etc && cp -a /run/etc.pristine /etc; }

# A boot as the kernel and udev do it: nothing of ours loaded, no
# driver_override set; the modules named in /etc/modules loaded
# (systemd-modules-load, with modprobe.d applied); every device's modalias
# handed to modprobe with the blacklist applied (udev's coldplug), which runs
# modprobe.d's install commands for real.  Drivers bind as their module loads.
fresh_kernel() {
	for d in /sys/bus/pci/devices/*; do
		s=${d##*/}
		case $(driver_of "$s") in
		e1000e | vfio-pci | pci-stub | xhci_hcd) echo "$s" >"$d/driver/unbind" ;;
		esac
		# unset, the kernel shows "(null)"; a newline clears it
		# (drivers/base/driver.c driver_set_override())
		read -r o <"$d/driver_override"
		[ "$o" = "(null)" ] || echo >"$d/driver_override"
	done
	modprobe -r vfio_pci vfio_iommu_type1 pci_stub e1000e xhci_pci 2>/dev/null
	for m in vfio_pci vfio_pci_core vfio_iommu_type1 vfio e1000e xhci_pci xhci_hcd; do
		if grep -q "^$m " /proc/modules; then echo "# $m stays loaded"; return 1; fi
	done
	dmesg -c >/dev/null
}
load_etc_modules() {
	sed 's/#.*//' /etc/modules | while read -r m args; do
		[ -z "$m" ] && continue
		# shellcheck disable=SC2086 # the line's parameters, as modprobe takes them
		modprobe "$m" $args || echo "# modprobe $m failed"
	done
}
coldplug() {
	for d in /sys/bus/pci/devices/*; do modprobe -bq "$(cat "$d/modalias")"; done
	return 0
}
boot() { fresh_kernel && load_etc_modules && coldplug; }
# the order of a Debian boot with initramfs-tools (MODULES=most): udev's
# coldplug in the initramfs loads the drivers; /etc/modules is read later,
# from the real root
boot_initramfs() { fresh_kernel && coldplug && load_etc_modules; }

# what kmod's modprobe would insert for ARGS, in order: "MODULE OPTIONS" lines
loadlist() {
	modprobe --show-depends "$@" | sed -n 's|^insmod .*/\([^/]*\)\.ko[^ ]* *|\1 |p' | sed 's/ *$//'
}

finish() {
	echo "# guest-tests done: $guest: $pass passed, $fail failed, $skip skipped (uptime $(cut -d" " -f1 /proc/uptime)s, started at ${t_begin}s)"
	if [ "$fail" -gt 0 ]; then
		echo "# kernel messages:"
		dmesg | tail -n 40 | sed 's/^/#   /'
	fi
	[ "$fail" -eq 0 ]
}

# the intel-host guest is a machine of its own, with assertions of its own
if [ "$guest" = intel-host ]; then
	# shellcheck source=t/vm/host-tests.sh
	. /opt/vfio-kit/t/vm/host-tests.sh
	finish
	exit
fi

nic=$(slots_of 8086 10d3)
bridge=$(slots_of 1b36 000e)
testdev=$(slots_of 1b36 0005)
esb=$(slots_of 8086 25ab)
edu=$(slots_of 1234 11e8)
echo "# guest $guest on $kver: e1000e $nic, pcie-pci-bridge $bridge, pci-testdev $testdev, i6300esb $esb, edu $edu"

# ---------------------------------------------------------------------------
# The machine itself: what QEMU and the kernel give every later assertion.

t "modprobe is kmod's, the shell is not busybox's" '
	modprobe -V | grep -q "^kmod version" && [ "$(readlink /bin/sh)" = dash ]'
t "each device is there exactly once, found by vendor:device" '
	for s in "$nic" "$bridge" "$testdev" "$esb" "$edu"; do
		[ -n "$s" ] && [ "$(echo "$s" | wc -l)" -eq 1 ] || { echo "slots: [$s]"; exit 1; }
	done'

case $iommu in
intel)
	t "the kernel runs the emulated VT-d (dmar0) and nothing else" '
		eq "$(ls /sys/class/iommu)" dmar0 && [ -e /sys/firmware/acpi/tables/DMAR ]' ;;
amd)
	t "the kernel runs the emulated AMD-Vi (ivhd0) and nothing else" '
		eq "$(ls /sys/class/iommu)" ivhd0 && [ -e /sys/firmware/acpi/tables/IVRS ]' ;;
*)
	t "the kernel runs no IOMMU: /sys/class/iommu and iommu_groups are empty" '
		eq "$(ls /sys/class/iommu /sys/kernel/iommu_groups)" "/sys/class/iommu:

/sys/kernel/iommu_groups:"' ;;
esac

if [ -n "$iommu" ]; then
	t "the bridge, pci-testdev and i6300esb share one IOMMU group" '
		g=$(group_of "$bridge")
		eq "$(ls "/sys/kernel/iommu_groups/$g/devices" | sort)" "$(printf "%s\n" "$bridge" "$testdev" "$esb" | sort)"'
	[ "$guest" = intel-on ] && t "iommu=pt: the kernel gives the e1000e's group an identity domain" '
		eq "$(cat "/sys/kernel/iommu_groups/$(group_of "$nic")/type")" identity'
	t "the e1000e is alone in its IOMMU group" '
		eq "$(ls "/sys/kernel/iommu_groups/$(group_of "$nic")/devices")" "$nic"'
else
	t "no device has an IOMMU group" '
		! ls -d /sys/bus/pci/devices/*/iommu_group 2>/dev/null'
fi

# ---------------------------------------------------------------------------
# iommu-check against the real kernel

[ -x "$bin/iommu-check" ] && iommu-check 2>&1 | sed 's/^/# iommu-check: /'

case $guest in
intel | intel-on | amd)
	tool iommu-check "iommu-check passes: no FAIL line, exit 0" '
		iommu-check >"$tmp/ic"; rc=$?; cat "$tmp/ic"
		[ "$rc" -eq 0 ] && ! grep -q "^FAIL" "$tmp/ic" && grep -q "^PASS" "$tmp/ic"'
	;;
intel-off | none)
	tool iommu-check "iommu-check fails: a FAIL line with a hint, exit 1" '
		iommu-check >"$tmp/ic"; rc=$?; cat "$tmp/ic"
		[ "$rc" -eq 1 ] && grep -q "^FAIL" "$tmp/ic" && grep -q "^hint" "$tmp/ic"'
	;;
esac
[ "$guest" = intel ] &&
	tool iommu-check "iommu-check takes VT-d as on by default from /boot/config (no intel_iommu= given)" '
		! grep -q intel_iommu= /proc/cmdline || exit 1
		grep -q "^CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y" "/boot/config-$kver" || exit 1
		iommu-check >"$tmp/ic"; cat "$tmp/ic"
		grep -q "^PASS	cmdline	.*CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y" "$tmp/ic" &&
		! grep -E "^(FAIL|WARN)" "$tmp/ic" | grep -iq "cmdline\|intel_iommu"'
[ "$guest" = intel-off ] &&
	tool iommu-check "iommu-check blames intel_iommu=off and hints how to change it" '
		iommu-check >"$tmp/ic"; cat "$tmp/ic"
		grep "^FAIL" "$tmp/ic" | grep -q "intel_iommu=off" && grep "^hint" "$tmp/ic" | grep -q "intel_iommu=on"'
tool iommu-check "iommu-check -q prints nothing and exits as without it" '
	iommu-check >/dev/null 2>&1; want=$?
	out=$(iommu-check -q 2>&1); rc=$?
	eq "$rc:$out" "$want:"'

if [ -n "$iommu" ]; then
	tool iommu-check "iommu-check --device names the other member of the bridge's group" '
		iommu-check --device "$testdev" >"$tmp/ic"; cat "$tmp/ic"
		grep -q "$esb" "$tmp/ic"'
	tool iommu-check "iommu-check --device finds the e1000e alone in its group" '
		iommu-check --device "$nic" >"$tmp/ic"; rc=$?; cat "$tmp/ic"
		for s in $(ls /sys/bus/pci/devices); do
			[ "$s" = "$nic" ] && continue
			! grep -q "$s" "$tmp/ic" || { echo "names $s"; exit 1; }
		done
		[ "$rc" -eq 0 ]'
else
	tool iommu-check "iommu-check --device fails: the e1000e has no IOMMU group" '
		iommu-check --device "$nic" >"$tmp/ic"; rc=$?; cat "$tmp/ic"
		[ "$rc" -eq 1 ] && grep "^FAIL" "$tmp/ic" | grep -q "$nic"'
fi

# ---------------------------------------------------------------------------
# pci-list and modalias-of, device by device against sysfs

# slot class ids subsys driver group, from sysfs (lspci's rule: a zero
# subsystem vendor means none)
for d in /sys/bus/pci/devices/*; do
	s=${d##*/}
	sv=$(hex "$d/subsystem_vendor") sd=$(hex "$d/subsystem_device")
	case $sv in 0000 | ffff) sub=- ;; *) sub=$sv:$sd ;; esac
	printf '%s\t%s\t%s:%s\t%s\t%s\t%s\n' "$s" "$(hex "$d/class" | cut -c1-4)" \
		"$(hex "$d/vendor")" "$(hex "$d/device")" "$sub" "$(driver_of "$s")" "$(group_of "$s")"
done >"$tmp/fields.want"
for d in /sys/bus/pci/devices/*; do printf '%s\t%s\n' "${d##*/}" "$(cat "$d/modalias")"; done >"$tmp/modalias.want"
cut -f2 "$tmp/modalias.want" >"$tmp/modalias-only.want"
for g in $(ls /sys/kernel/iommu_groups | sort -n); do
	for s in "/sys/kernel/iommu_groups/$g/devices"/*; do echo "$g ${s##*/}"; done
done >"$tmp/groups.want"

tool pci-list "pci-list fields equal sysfs for every device" '
	pci-list -o slot,class,ids,subsys,driver,group >"$tmp/fields.got" && same "$tmp/fields.want" "$tmp/fields.got"'
tool pci-list "pci-list default lines start with the same fields, names from pci.ids" '
	pci-list >"$tmp/default.got" && cut -f1-6 "$tmp/default.got" >"$tmp/default6" &&
	same "$tmp/fields.want" "$tmp/default6" &&
	grep -q "^$nic	.*	Ethernet controller: Intel Corporation 82574L Gigabit Network Connection$" "$tmp/default.got"'
tool pci-list "pci-list modalias equals sysfs modalias" '
	pci-list -o slot,modalias >"$tmp/modalias.got" && same "$tmp/modalias.want" "$tmp/modalias.got"'
tool pci-list "pci-list --lspci prints what lspci -Dnnk prints" '
	lspci -Dnnk >"$tmp/lspci.want" && pci-list --lspci >"$tmp/lspci.got" && same "$tmp/lspci.want" "$tmp/lspci.got"'
tool pci-list "pci-list -k lists the modules kmod resolves for each modalias" '
	for d in /sys/bus/pci/devices/*; do
		# kmod prints a module once per alias line that matched
		echo "${d##*/} $(modprobe -R "$(cat "$d/modalias")" 2>/dev/null | sort -u | tr "\n" " ")"
	done | norm_mods >"$tmp/mods.want"
	pci-list -k -o slot,modules | tr "\t," "  " | norm_mods >"$tmp/mods.got"
	grep -qx "$nic e1000e" "$tmp/mods.got" && same "$tmp/mods.want" "$tmp/mods.got"'
tool pci-list "pci-list --groups lists every IOMMU group and its members as sysfs does" '
	pci-list --groups >"$tmp/groups.raw"; cat "$tmp/groups.raw"
	awk "/^IOMMU [Gg]roup/ { g = \$3; sub(/:\$/, \"\", g); next } /^\t/ { print g, \$1; next } { print \"stray: \" \$0 }" \
		"$tmp/groups.raw" >"$tmp/groups.got"
	same "$tmp/groups.want" "$tmp/groups.got"'
tool pci-list "pci-list filters: -d 8086:10d3, -c 0200, -g, -s as lspci" '
	eq "$(pci-list -d 8086:10d3 -o slot)" "$nic" &&
	eq "$(pci-list -c 0200 -o slot)" "$nic" &&
	eq "$(pci-list -s "${nic#0000:}" -o ids)" 8086:10d3 &&
	if [ -n "$iommu" ]; then
		eq "$(pci-list -g "$(group_of "$esb")" -o slot)" "$(ls "/sys/kernel/iommu_groups/$(group_of "$esb")/devices")"
	else
		pci-list -g 0 -o slot; [ $? -eq 1 ]
	fi'

tool modalias-of "modalias-of SLOT equals sysfs modalias, every device" '
	modalias-of $(cut -f1 "$tmp/modalias.want") >"$tmp/ma.got" && same "$tmp/modalias-only.want" "$tmp/ma.got"'
tool modalias-of "modalias-of reads slots from pci-list -o slot on stdin" '
	ls /sys/bus/pci/devices | modalias-of >"$tmp/ma.got" && same "$tmp/modalias-only.want" "$tmp/ma.got"'
tool modalias-of "modalias-of 8086:10d3 and short slots find the e1000e" '
	want=$(cat "/sys/bus/pci/devices/$nic/modalias")
	eq "$(modalias-of 8086:10d3)" "$want" && eq "$(modalias-of "${nic#0000:}")" "$want"'
tool modalias-of "modalias-of -m names e1000e, as kmod resolves the modalias" '
	eq "$(modalias-of -m "$nic")" "$nic $(modprobe -R "$(cat "/sys/bus/pci/devices/$nic/modalias")")"'
tool modalias-of "modalias-of --alias line makes kmod resolve the NIC to vfio-pci" '
	mkdir -p /run/ma.d && modalias-of --alias vfio-pci "$nic" >/run/ma.d/a.conf && cat /run/ma.d/a.conf &&
	eq "$(modprobe -C /run/ma.d -R "$(cat "/sys/bus/pci/devices/$nic/modalias")" | tr - _)" vfio_pci'

# ---------------------------------------------------------------------------
# cmdline-edit on the real /proc/cmdline, boot-refresh on a Debian-like root

tool cmdline-edit "cmdline-edit --get reads the running kernel's command line" '
	eq "$(cmdline-edit --get vfiokit_guest /proc/cmdline)" "$guest" &&
	eq "$(cmdline-edit --get console /proc/cmdline)" ttyS0'
tool boot-refresh "boot-refresh --detect places the guest: initramfs-tools and GRUB" '
	boot-refresh --detect >"$tmp/det" && cat "$tmp/det" &&
	grep -qx "initramfs initramfs-tools" "$tmp/det" && grep -qx "bootloader grub" "$tmp/det" &&
	grep -qx "cmdline-file /etc/default/grub" "$tmp/det" && grep -qx "cmdline-format grub" "$tmp/det"'

# ---------------------------------------------------------------------------
# The guide on the guest's own root, then what the next boot would do.

# The next boot's command line, as update-grub would write it from
# /etc/default/grub (sh sources that file: the oracle), put over /proc/cmdline
# for the boot below: kmod takes "vfio_pci.ids=" module options from there.
next_cmdline_on() {
	(
		# shellcheck disable=SC1091
		. /etc/default/grub 2>/dev/null
		echo "BOOT_IMAGE=/boot/vmlinuz-$kver root=/dev/vda1 ro $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"
	) >/run/next-cmdline && mount --bind /run/next-cmdline /proc/cmdline
}
next_cmdline_off() { umount /proc/cmdline 2>/dev/null; }

# back to the NIC's own driver, as an admin would: release it from vfio-pci,
# make sure e1000e is loaded, ask the kernel to probe the device again
give_back() {
	[ "$(driver_of "$nic")" = - ] || echo "$nic" >"/sys/bus/pci/devices/$nic/driver/unbind"
	modprobe -r vfio_pci && modprobe e1000e && echo "$nic" >/sys/bus/pci/drivers_probe
}

t "before the guide, a boot binds the e1000e to e1000e" '
	eq "$(loadlist -b "$(cat "/sys/bus/pci/devices/$nic/modalias")")" e1000e &&
	boot && eq "$(driver_of "$nic")" e1000e && ls "/sys/bus/pci/devices/$nic/net"'

# every method where the IOMMU is on; the default one elsewhere
case $guest in
intel | amd) methods="ids blacklist alias softdep" ;;
*) methods=ids ;;
esac
for method in $methods; do
	restore_etc && : >/run/stub-calls
	m="[--method $method]"
	if [ -n "$iommu" ]; then
		t "$m scripts/passthrough --no-refresh $nic writes the root, exit 0, runs no boot tool" '
			sh "$guide" --no-refresh --method "$method" "$nic"; rc=$?
			[ "$rc" -eq 0 ] && [ ! -s /run/stub-calls ]'
	else
		# nothing a command line can fix: no IOMMU unit at all, or one switched off
		t "$m scripts/passthrough refuses, exit 1, saying why, and writes nothing" '
			sh "$guide" --no-refresh --method "$method" "$nic" 2>"$tmp/err"; rc=$?; cat "$tmp/err"
			[ "$rc" -eq 1 ] && grep -q "^FAIL" "$tmp/err" && diff -r /run/etc.pristine /etc'
		continue
	fi
	t "$m /etc/modules loads the vfio modules (vfio_virqfd on $kver)" '
		cat /etc/modules
		for x in vfio vfio_iommu_type1 vfio_pci vfio_virqfd; do
			grep -Eq "^$x([[:space:]]|\$)" /etc/modules || { echo "missing $x"; exit 1; }
		done'
	case $iommu in
	intel) want="and intel_iommu=on (Intel CPU)" ;;
	*) want="and no intel_iommu= (AMD CPU)" ;;
	esac
	tool cmdline-edit "$m /etc/default/grub gets iommu=pt $want" '
		grep CMDLINE /etc/default/grub
		eq "$(cmdline-edit -g --get iommu /etc/default/grub)" pt &&
		case $iommu in
		intel) eq "$(cmdline-edit -g --get intel_iommu /etc/default/grub)" on ;;
		*) ! cmdline-edit -g --get intel_iommu /etc/default/grub ;;
		esac'
	next_cmdline_on
	t "$m kmod applies ids=8086:10d3 when /etc/modules loads vfio_pci" '
		cat /proc/cmdline; grep -H . /etc/modprobe.d/*
		loadlist vfio_pci | grep -x "vfio-pci ids=8086:10d3"'
	case $method in
	ids | softdep) want="vfio-pci ids=8086:10d3
e1000e" ;;
	blacklist) want= ;;
	alias) want="vfio-pci ids=8086:10d3" ;;
	esac
	# one line of TAP: the wanted modules joined by ","
	t "$m kmod, given the NIC's modalias by udev, loads: $(printf %s "${want:-nothing}" | tr "\n" ,)" '
		loadlist -b "$(cat "/sys/bus/pci/devices/$nic/modalias")" >"$tmp/ll"; cat "$tmp/ll"
		eq "$(grep -E "^(vfio-pci|e1000e)( |\$)" "$tmp/ll")" "$want"'
	t "$m a second run changes nothing" '
		tar -cf /run/a.tar /etc 2>/dev/null; sh "$guide" --no-refresh --method "$method" "$nic" &&
		tar -cf /run/b.tar /etc 2>/dev/null && cmp /run/a.tar /run/b.tar'
	t "$m after the boot, the e1000e is on vfio-pci" '
		boot; eq "$(driver_of "$nic")" vfio-pci'
	t "$m /dev/vfio/GROUP exists, the group is viable and the device opens" '
		g=$(group_of "$nic"); [ -c "/dev/vfio/$g" ] && "$helper" vfio "$g" "$nic" &&
		eq "$(driver_of "$nic")" vfio-pci # read again: still vfio-pci'
	t "$m and back: released from vfio-pci, the NIC is e1000e's again" '
		give_back; eq "$(driver_of "$nic")" e1000e && ls "/sys/bus/pci/devices/$nic/net"'
	next_cmdline_off
done

if [ -z "$iommu" ]; then
	# the guide's files written anyway (with the kit's editors): the kernel
	# itself refuses, vfio-pci cannot take a device that has no IOMMU group
	restore_etc
	tool modconf-edit "without an IOMMU, vfio-pci ids= and blacklist e1000e leave the NIC unbound" '
		modconf-edit -i --set vfio_pci --set vfio_iommu_type1 /etc/modules &&
		modconf-edit -i --set "options vfio-pci ids=8086:10d3" /etc/modprobe.d/vfio.conf &&
		modconf-edit -i --set "blacklist e1000e" /etc/modprobe.d/blacklist.conf &&
		boot; d=$(driver_of "$nic"); lsmod | grep -E "vfio|e1000e"; dmesg | grep -i vfio
		eq "$d" - && grep -q vfio_pci /proc/modules && eq "$(ls /dev/vfio)" vfio &&
		dmesg | grep -q "probe of $nic failed"'
	tool iommu-check "without an IOMMU, iommu-check --device says why" '
		iommu-check --device "$nic" >"$tmp/ic"; rc=$?; cat "$tmp/ic"
		[ "$rc" -eq 1 ] && grep "^FAIL" "$tmp/ic" | grep -q "$nic"'
	give_back
fi
restore_etc

# The kernel's word on the bridge's group: while the watchdog is on its own
# driver, vfio finds the group not viable, and iommu-check --device names it.
# That driver's name holds a space ("i6300ESB timer"): pci-list against sysfs
# and lspci again.
if [ -n "$iommu" ]; then
	t "i6300esb binds the watchdog as \"i6300ESB timer\": pci-list and lspci -k agree" '
		fresh_kernel && modprobe i6300esb && eq "$(driver_of "$esb")" "i6300ESB timer" || exit 1
		eq "$(pci-list -s "$esb" -o slot,driver)" "$esb	i6300ESB timer" &&
		lspci -Dnnk >"$tmp/lspci.want" && pci-list --lspci >"$tmp/lspci.got" && same "$tmp/lspci.want" "$tmp/lspci.got"'
	t "with the watchdog bound, pci-testdev on vfio-pci: the group is not viable, iommu-check --device names $esb" '
		modprobe vfio-pci && echo vfio-pci >"/sys/bus/pci/devices/$testdev/driver_override" &&
		echo "$testdev" >/sys/bus/pci/drivers_probe && eq "$(driver_of "$testdev")" vfio-pci || exit 1
		"$helper" vfio "$(group_of "$testdev")" "$testdev" >"$tmp/vh"; rc=$?; cat "$tmp/vh"
		iommu-check --device "$testdev" >"$tmp/ic"; cat "$tmp/ic"
		[ "$rc" -eq 1 ] && grep -q " not-viable\$" "$tmp/vh" && grep "^WARN	group" "$tmp/ic" | grep -q "$esb"'
	t "with the watchdog unbound, as iommu-check --device hints, the group is viable" '
		echo "$esb" >"/sys/bus/pci/devices/$esb/driver/unbind"
		"$helper" vfio "$(group_of "$testdev")" "$testdev"'
	echo "$testdev" >"/sys/bus/pci/devices/$testdev/driver/unbind" 2>/dev/null
	echo >"/sys/bus/pci/devices/$testdev/driver_override"
	modprobe -r i6300esb
fi

# the harness itself: the vfio path works on this kernel without the guide
if [ -n "$iommu" ]; then
	t "vfio-pci binds the NIC through new_id, and the group opens (harness check)" '
		fresh_kernel && modprobe vfio-pci && echo 8086 10d3 >/sys/bus/pci/drivers/vfio-pci/new_id &&
		eq "$(driver_of "$nic")" vfio-pci && "$helper" vfio "$(group_of "$nic")" "$nic" || { lsmod; dmesg | tail -n 30; exit 1; }'
fi

finish
