#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# t/boot/nested.sh SLOT: inside a check-boot install, a VM takes the NIC at SLOT
# (bound to vfio-pci by the boot) with QEMU's -device vfio-pci,host=SLOT; its
# kernel (this install's own) boots a busybox initramfs whose /init loads e1000e
# and reports the NIC it sees and the interface e1000e made of it.  Passes when
# the inner e1000e bound the passed NIC and made eth0.  Run by t/boot/guest.sh.
set -u
slot=$1
kver=$(uname -r)
w=/run/check-boot/nested
rm -rf "$w" && mkdir -p "$w/root/bin" "$w/root/proc" "$w/root/sys" "$w/root/dev" || exit 1
cp /bin/busybox "$w/root/bin/busybox" || exit 1
for a in sh mount insmod ls cat basename readlink poweroff sleep; do ln -s busybox "$w/root/bin/$a"; done
# e1000e and what it needs, in load order, as modprobe would insmod them
modprobe --show-depends e1000e | sed -n 's/^insmod \([^ ]*\).*/\1/p' >"$w/mods" || exit 1
: >"$w/root/mods"
for f in $(cat "$w/mods"); do
	cp "$f" "$w/root/" && echo "/${f##*/}" >>"$w/root/mods" || exit 1
done
cat >"$w/root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in $(cat /mods); do insmod "$m"; done
for d in /sys/bus/pci/devices/*; do
	echo "inner: pci ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") driver $(basename "$(readlink "$d/driver")" 2>/dev/null)"
done
for n in /sys/class/net/*; do
	echo "inner: net ${n##*/} driver $(basename "$(readlink "$n/device/driver")" 2>/dev/null)"
done
echo "inner: done"
poweroff -f
EOF
chmod 755 "$w/root/init"
(cd "$w/root" && find . | cpio -o -H newc --quiet | gzip -1 >"$w/initrd.gz") || exit 1
echo "L2 boots: $(date +%s)"
timeout 400 qemu-system-x86_64 -machine pc -accel tcg -m 256M -nodefaults -display none -serial stdio \
	-no-reboot -kernel "/boot/vmlinuz-$kver" -initrd "$w/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 mitigations=off" \
	-device vfio-pci,host="$slot" </dev/null >"$w/console" 2>&1
rc=$?
echo "L2 over: $(date +%s), QEMU exit $rc"
tr -d '\r' <"$w/console" | grep -E "^inner:|vfio|qemu|error|Error" | head -n 40
grep -q "^inner: pci .* 0x8086:0x10d3 driver e1000e" "$w/console" &&
	grep -q "^inner: net eth0 driver e1000e" "$w/console"
