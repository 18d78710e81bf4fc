# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154 # guest, kver, tmp, bin, helper, guide: set by guest-tests.sh
# t/vm/host-tests.sh: the intel-host guest's assertions, sourced by
# t/vm/guest-tests.sh (its helpers: t, tool, eq, same, slots_of, driver_of,
# group_of, restore_etc, fresh_kernel, coldplug, load_etc_modules, boot,
# boot_initramfs).  The shape of a host that today's guide binds wrongly, on
# Debian's kernel with the emulated VT-d:
#   two identical e1000e (8086:10d3): twin A behind a root port with ACS (alone
#   in its group), twin B behind one without (disable-acs: its group holds
#   that port, on pcieport);
#   a qemu-xhci (1b36:000d) on the root bus: driver xhci_hcd, module xhci_pci;
#   q35's own ICH9 functions, one IOMMU group: 1f.0 LPC (8086:2918, lpc_ich),
#   1f.2 AHCI (8086:2922, ahci), 1f.3 SMBus (8086:2930, i801_smbus).
# The oracles: the driver the kernel binds after a replayed boot, and the
# kernel's VFIO_GROUP_GET_STATUS (t/vm/vmhelper viable).

twins=$(slots_of 8086 10d3)
xhci=$(slots_of 1b36 000d)
lpc=$(slots_of 8086 2918)
ahci=$(slots_of 8086 2922)
smbus=$(slots_of 8086 2930)
twin_a='' twin_b=''
for s in $twins; do
	if [ "$(ls "/sys/kernel/iommu_groups/$(group_of "$s")/devices" | wc -l)" -eq 1 ]; then
		twin_a=$s
	else
		twin_b=$s
	fi
done
echo "# guest $guest on $kver: e1000e twins $(echo $twins), A (alone) $twin_a, B (beside its root port) $twin_b, xhci $xhci, ICH9 LPC $lpc AHCI $ahci SMBus $smbus"

t "the kernel runs the emulated VT-d (dmar0) and nothing else" '
	eq "$(ls /sys/class/iommu)" dmar0'
t "the machine: two e1000e, one qemu-xhci, one of each ICH9 function" '
	eq "$(echo $twins | wc -w) $(echo $xhci $lpc $ahci $smbus | wc -w)" "2 4" && [ -n "$twin_a" ] && [ -n "$twin_b" ]'
t "IOMMU groups: twin A alone, twin B with its root port, ICH9 LPC, AHCI and SMBus together" '
	port=$(basename "$(readlink -f "/sys/bus/pci/devices/$twin_b/..")")
	eq "$(ls "/sys/kernel/iommu_groups/$(group_of "$twin_b")/devices" | sort)" "$(printf "%s\n" "$port" "$twin_b" | sort)" &&
	eq "$(ls "/sys/kernel/iommu_groups/$(group_of "$lpc")/devices" | sort)" "$(printf "%s\n" "$lpc" "$ahci" "$smbus" | sort)" &&
	eq "$(ls "/sys/kernel/iommu_groups/$(group_of "$xhci")/devices")" "$xhci"'

# ---------------------------------------------------------------------------
# The host as it boots without vfio-kit

restore_etc
t "a boot binds both e1000e, xhci_hcd, lpc_ich, ahci and i801_smbus" '
	boot
	eq "$(for s in $twins $xhci $lpc $ahci $smbus; do driver_of "$s"; done | tr "\n" " ")" \
		"e1000e e1000e xhci_hcd lpc_ich ahci i801_smbus "'
# every device's driver as this boot left it: what each step below restores
for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(driver_of "${d##*/}")"; done >"$tmp/drivers.boot"
cat "$tmp/drivers.boot" | sed 's/^/# booted: /'

tool pci-list "pci-list -o module names the module of each bound driver as sysfs does (xhci_pci, i2c_i801)" '
	pci-list -o slot,driver,module >"$tmp/mod.got"; cat "$tmp/mod.got"
	grep -qx "$xhci	xhci_hcd	xhci_pci" "$tmp/mod.got" && grep -qx "$smbus	i801_smbus	i2c_i801" "$tmp/mod.got" || exit 1
	for d in /sys/bus/pci/devices/*; do
		s=${d##*/}
		if [ -L "$d/driver/module" ]; then
			grep -qx "$s	$(driver_of "$s")	$(link_name "$d/driver/module")" "$tmp/mod.got"
		elif [ ! -L "$d/driver" ]; then
			grep -qx "$s	-	-" "$tmp/mod.got"
		fi || { echo "wrong line for $s"; exit 1; }
	done'

tool pci-list "pci-list -o bootvga is sysfs's boot_vga: 1 for the VGA, - where the kernel has none" '
	for d in /sys/bus/pci/devices/*; do
		if [ -r "$d/boot_vga" ]; then read -r b <"$d/boot_vga"; else b=-; fi
		echo "${d##*/}	$b"
	done >"$tmp/bv.want"
	pci-list -o slot,bootvga >"$tmp/bv.got"; cat "$tmp/bv.got"
	grep -q "	1\$" "$tmp/bv.want" && same "$tmp/bv.want" "$tmp/bv.got"'

# ---------------------------------------------------------------------------
# Every IOMMU group: iommu-check --device's verdict against the kernel's.
#   PASS   the device alone on vfio-pci: viable
#   WARN   the device alone on vfio-pci: not viable (what it names blocks);
#          the named members on vfio-pci too: viable
#   FAIL   every member it does not name on vfio-pci: not viable; the named
#          ones unbound as well: viable (they, and only they, block)
# vfio-pci takes only header type 0 devices (drivers/vfio/pci/vfio_pci_core.c
# vfio_pci_core_register_device()): each such member is checked as the one
# chosen; a group without one has no /dev/vfio node to ask.

slot_re='[0-9a-f]\{4\}:[0-9a-f]\{2\}:[0-9a-f]\{2\}\.[0-7]'
header_type() { echo $((0x$(od -An -tx1 -j14 -N1 "/sys/bus/pci/devices/$1/config" | tr -d " \n") & 0x7f)); }
to_vfio() {
	for s in "$@"; do
		echo vfio-pci >"/sys/bus/pci/devices/$s/driver_override"
		[ "$(driver_of "$s")" = - ] || echo "$s" >"/sys/bus/pci/devices/$s/driver/unbind"
		echo "$s" >/sys/bus/pci/drivers_probe
		[ "$(driver_of "$s")" = vfio-pci ] || { echo "vfio-pci did not take $s"; return 1; }
	done
}
unbind() { for s in "$@"; do echo "$s" >"/sys/bus/pci/devices/$s/driver/unbind"; done; }
# GROUP EXPECTED(viable|not-viable): the kernel's word, shown
viable() {
	"$helper" viable "$1"; rc=$?
	case $rc:$2 in
	0:viable | 1:not-viable) return 0 ;;
	*) echo "want: $2 (vmhelper exit $rc)"; return 1 ;;
	esac
}
# the members of GROUP back on the drivers the boot gave them
give_back_group() {
	for d in "/sys/kernel/iommu_groups/$1/devices"/*; do
		s=${d##*/}
		echo >"/sys/bus/pci/devices/$s/driver_override"
		[ "$(driver_of "$s")" != vfio-pci ] || echo "$s" >"/sys/bus/pci/devices/$s/driver/unbind"
		[ "$(driver_of "$s")" != - ] || echo "$s" >/sys/bus/pci/drivers_probe 2>/dev/null
	done
	return 0
}
# GROUP SLOT: iommu-check --device SLOT's output is in $tmp/ic
group_case() {
	g=$1 m=$2
	members=$(ls "/sys/kernel/iommu_groups/$g/devices")
	cat "$tmp/ic"
	line=$(grep "^[A-Z]*	group	" "$tmp/ic")
	[ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] || { echo "want one group line"; return 1; }
	case $line in *"$m"*) ;; *) echo "the group line does not name $m"; return 1 ;; esac
	named=$(printf '%s\n' "$line" | grep -o "$slot_re" | grep -vx "$m" | sort -u)
	for s in $named; do
		printf '%s\n' "$members" | grep -qx "$s" || { echo "names $s, not in group $g"; return 1; }
	done
	rest=
	for s in $members; do
		case " $m $(echo $named) " in *" $s "*) ;; *) rest="$rest $s" ;; esac
	done
	modprobe vfio-pci || return 1
	case ${line%%	*} in
	PASS)
		to_vfio "$m" && viable "$g" viable ;;
	WARN)
		[ -n "$named" ] || { echo "WARN names no member"; return 1; }
		# shellcheck disable=SC2086 # slots are words
		to_vfio "$m" && viable "$g" not-viable && to_vfio $named && viable "$g" viable ;;
	FAIL)
		[ -n "$named" ] || { echo "FAIL names no member"; return 1; }
		# shellcheck disable=SC2086 # slots are words
		to_vfio "$m" $rest && viable "$g" not-viable && unbind $named && viable "$g" viable ;;
	*) echo "no PASS, WARN or FAIL"; return 1 ;;
	esac
}

restore_etc
for g in $(ls /sys/kernel/iommu_groups | sort -n); do
	members=$(ls "/sys/kernel/iommu_groups/$g/devices")
	chosen=
	for m in $members; do
		[ "$(header_type "$m")" -eq 0 ] || continue
		chosen=$m
		verdict=
		if [ -x "$bin/iommu-check" ]; then
			iommu-check --device "$m" >"$tmp/ic"
			verdict=$(sed -n "s/^\([A-Z]*\)	group	.*/\1/p" "$tmp/ic" | tr "\n" " ")
			grep "	group	" "$tmp/ic" | sed "s/^/# /"
		fi
		tool iommu-check "group $g ($(echo $members)): iommu-check --device $m says ${verdict:-nothing }and the kernel agrees" '
			group_case "$g" "$m"; rc=$?; give_back_group "$g"; exit $rc'
	done
	[ -n "$chosen" ] || skip "group $g ($(echo $members)): iommu-check --device's verdict and the kernel's" \
		"no member vfio-pci can take (only bridges)"
done
t "the drivers are back as the boot bound them" '
	for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(driver_of "${d##*/}")"; done >"$tmp/drivers.now"
	same "$tmp/drivers.boot" "$tmp/drivers.now"'

# ---------------------------------------------------------------------------
# Twins: one of two identical NICs.  The next boot replayed with kmod's real
# modprobe: modprobe.d's install command runs as the boot would run it.

restore_etc && : >/run/stub-calls
t "[twins] vfio-passthrough --no-refresh $twin_a: exit 0, runs no boot tool" '
	sh "$guide" --no-refresh "$twin_a"; rc=$?
	grep -H . /etc/modprobe.d/*
	[ "$rc" -eq 0 ] && [ ! -s /run/stub-calls ]'
grep -H . /etc/modprobe.d/* | sed "s/^/# twins: /"
t "[twins] modprobe.d binds by slot: one install vfio-pci line, naming $twin_a and not $twin_b; no vfio-pci ids=" '
	grep -H . /etc/modprobe.d/*; grep "^GRUB_CMDLINE" /etc/default/grub
	hook=$(grep -h "^install[[:space:]]\{1,\}vfio[-_]pci[[:space:]]" /etc/modprobe.d/*.conf)
	[ "$(printf "%s\n" "$hook" | grep -c .)" -eq 1 ] || exit 1
	case $hook in *"$twin_a"*) ;; *) exit 1 ;; esac
	case $hook in *"$twin_b"*) exit 1 ;; esac
	! grep -q "^options[[:space:]]\{1,\}vfio[-_]pci[[:space:]].*ids=" /etc/modprobe.d/*.conf &&
	! grep "^GRUB_CMDLINE" /etc/default/grub | grep -q "vfio[-_]pci\.ids="'
t "[twins] after a boot as check-vm replays it (/etc/modules, then coldplug): A on vfio-pci, B on e1000e" '
	boot; eq "$(driver_of "$twin_a") $(driver_of "$twin_b")" "vfio-pci e1000e"'
t "[twins] after udev's coldplug alone, as in the initramfs: A on vfio-pci, B on e1000e" '
	fresh_kernel && coldplug; eq "$(driver_of "$twin_a") $(driver_of "$twin_b")" "vfio-pci e1000e"'
t "[twins] and after /etc/modules then: still A on vfio-pci, B on e1000e; B's interface is there" '
	load_etc_modules; eq "$(driver_of "$twin_a") $(driver_of "$twin_b")" "vfio-pci e1000e" &&
	ls "/sys/bus/pci/devices/$twin_b/net"'
t "[twins] A's group is viable and the device opens" '
	"$helper" vfio "$(group_of "$twin_a")" "$twin_a"'

# ---------------------------------------------------------------------------
# The USB controller: its driver is xhci_hcd, its module xhci_pci

restore_etc && : >/run/stub-calls
t "[usb] vfio-passthrough --no-refresh $xhci: exit 0, runs no boot tool" '
	sh "$guide" --no-refresh "$xhci"; rc=$?
	grep -H . /etc/modprobe.d/*
	[ "$rc" -eq 0 ] && [ ! -s /run/stub-calls ]'
grep -H . /etc/modprobe.d/* | sed "s/^/# usb: /"
t "[usb] the softdep names the module: softdep xhci_pci pre: vfio-pci" '
	grep -H . /etc/modprobe.d/*
	grep -qx "softdep xhci_pci pre: vfio-pci" /etc/modprobe.d/vfio.conf'
# The replay proves the softdep fires, not that it names the module: kmod
# also applies the softdeps of a module's dependencies (libkmod-module.c
# __kmod_module_get_probe_list() fills them for each one), and xhci_pci
# depends on xhci_hcd, so the driver-named "softdep xhci_hcd pre: vfio-pci"
# fires as well.  The line above is what tells the two apart.
t "[usb] after udev's coldplug alone (before /etc/modules): the softdep put vfio-pci first, $xhci on vfio-pci" '
	fresh_kernel && coldplug; eq "$(driver_of "$xhci")" vfio-pci'
t "[usb] and after /etc/modules then: still on vfio-pci, its group viable, the device opens" '
	load_etc_modules; eq "$(driver_of "$xhci")" vfio-pci && "$helper" vfio "$(group_of "$xhci")" "$xhci"'
