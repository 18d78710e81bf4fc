#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# boot-refresh: detection from files under --root, and the commands it runs,
# on roots shaped like the hosts it serves.  The commands are stubs inside
# the root that append "NAME ARGS" to $STUB_LOG; VFIOKIT_NO_CHROOT=1 (the
# documented test seam) runs them by their path under ROOT instead of
# chrooting, which needs root.

bats_require_minimum_version 1.5.0

setup() {
	BR="$VFIOKIT_BIN/boot-refresh"
	R="$BATS_TEST_TMPDIR/root"
	export STUB_LOG="$BATS_TEST_TMPDIR/calls"
	export VFIOKIT_NO_CHROOT=1
	mkdir -p "$R"
	: >"$STUB_LOG"
}

# stub DIR NAME: an executable that records its call; exits $STUB_FAIL_<NAME> (- as _)
stub() {
	mkdir -p "$R$1"
	cat >"$R$1/$2" <<'STUB'
#!/bin/sh
n=${0##*/}
printf '%s\n' "$n${*:+ $*}" >>"$STUB_LOG"
v=$(printf '%s' "STUB_FAIL_$n" | tr -c 'A-Za-z0-9_\n' _)
eval "exit \${$v:-0}"
STUB
	chmod 755 "$R$1/$2"
}

file() { mkdir -p "$(dirname "$R$1")"; printf '%s' "${2-}" >"$R$1"; }

kernel() { mkdir -p "$R/lib/modules/$1"; file "/boot/vmlinuz-$1" "kernel"; }

debian_grub() {
	stub /usr/sbin update-initramfs
	stub /usr/sbin update-grub
	stub /usr/sbin grub-mkconfig
	mkdir -p "$R/etc/initramfs-tools/conf.d" "$R/sys/firmware/efi"
	file /etc/initramfs-tools/initramfs.conf 'MODULES=most
'
	file /etc/default/grub 'GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""
'
	file /boot/grub/grub.cfg '# generated'
	kernel 6.1.0-18-amd64
}

proxmox_base() {
	stub /usr/sbin update-initramfs
	stub /usr/sbin update-grub
	stub /usr/sbin grub-mkconfig
	stub /usr/sbin proxmox-boot-tool
	mkdir -p "$R/etc/initramfs-tools" "$R/etc/pve"
	file /etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"
'
	kernel 6.8.12-4-pve
}

proxmox_zfs_sdboot() {
	proxmox_base
	mkdir -p "$R/sys/firmware/efi/efivars"
	file /etc/kernel/proxmox-boot-uuids '4A3B-1C2D
'
	file /etc/kernel/cmdline 'root=ZFS=rpool/ROOT/pve-1 boot=zfs
'
}

fedora() {
	stub /usr/bin dracut
	stub /usr/sbin grub2-mkconfig
	# the real grub2-mkconfig is a script that knows the option
	printf '\n# --update-bls-cmdline\n' >>"$R/usr/sbin/grub2-mkconfig"
	stub /usr/bin kernel-install
	stub /usr/bin bootctl
	mkdir -p "$R/sys/firmware/efi" "$R/boot/loader/entries"
	file /etc/default/grub 'GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR="$(sed '"'"'s, release .*$,,g'"'"' /etc/system-release)"
GRUB_DEFAULT=saved
GRUB_CMDLINE_LINUX="rhgb quiet"
GRUB_ENABLE_BLSCFG=true
'
	file /boot/grub2/grub.cfg '# generated'
	file /boot/efi/EFI/fedora/grub.cfg 'configfile $prefix/grub.cfg'
	mkdir -p "$R/usr/lib/modules/6.10.6-200.fc40.x86_64"
	file /usr/lib/modules/6.10.6-200.fc40.x86_64/vmlinuz kernel
	ln -s usr/lib "$R/lib"
}

arch_common() {
	stub /usr/bin mkinitcpio
	stub /usr/bin kernel-install
	stub /usr/bin bootctl
	file /etc/mkinitcpio.conf 'HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)
'
	file /etc/mkinitcpio.d/linux.preset "PRESETS=('default' 'fallback')
"
	mkdir -p "$R/usr/lib/modules/6.10.10-arch1-1" "$R/sys/firmware/efi"
	file /usr/lib/modules/6.10.10-arch1-1/vmlinuz kernel
	file /usr/lib/modules/6.10.10-arch1-1/pkgbase 'linux
'
	ln -s usr/lib "$R/lib"
}

arch_grub() {
	arch_common
	stub /usr/bin grub-mkconfig
	file /etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet"
'
	file /boot/grub/grub.cfg '# generated'
}

arch_sdboot_bls() {
	arch_common
	file /etc/machine-id '8d9c1f2e3a4b5c6d7e8f90a1b2c3d4e5
'
	mkdir -p "$R/boot/8d9c1f2e3a4b5c6d7e8f90a1b2c3d4e5" "$R/boot/loader/entries"
	file /boot/loader/loader.conf 'timeout 3
'
}

# the boot setup: --detect's lines before the host profile ("kernel ...")
detect_is() {
	run -0 "$BR" --root "$R" --detect
	[ "$(printf '%s\n' "$output" | sed '/^kernel /,$d')" = "$1" ]
	printf '%s\n' "$output" | grep -q '^kernel '
}

calls_are() {
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$STUB_LOG"
}

@test "Debian with GRUB: initramfs-tools and update-grub, cmdline in /etc/default/grub" {
	debian_grub
	detect_is 'initramfs initramfs-tools
bootloader grub
cmdline-file /etc/default/grub
cmdline-format grub'
	run --separate-stderr -0 "$BR" --root "$R"
	[ "$output" = "" ]
	[ "$stderr" = "+ update-initramfs -u -k all
+ update-grub" ]
	calls_are "update-initramfs -u -k all" "update-grub"
}

@test "Ubuntu with GRUB: the same commands, grub.cfg stub on the ESP is left alone" {
	debian_grub
	rm -rf "$R/lib/modules/6.1.0-18-amd64"
	kernel 6.8.0-45-generic
	file /boot/efi/EFI/ubuntu/grub.cfg "configfile \$prefix/grub.cfg"
	file /etc/default/grub.d/init-select.cfg 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT"
'
	run -0 "$BR" --root "$R" -n
	[ "$output" = "update-initramfs -u -k all
update-grub" ]
	run -0 "$BR" --root "$R" -k 6.8.0-45-generic
	calls_are "update-initramfs -u -k 6.8.0-45-generic" "update-grub"
}

@test "Proxmox on ZFS with systemd-boot: proxmox-boot-tool, cmdline in /etc/kernel/cmdline" {
	proxmox_zfs_sdboot
	detect_is 'initramfs initramfs-tools
bootloader proxmox-boot-tool
cmdline-file /etc/kernel/cmdline
cmdline-format line'
	run -0 "$BR" --root "$R"
	calls_are "update-initramfs -u -k all" "proxmox-boot-tool refresh"
}

@test "Proxmox on ZFS booted by legacy BIOS: proxmox-boot-tool runs update-grub, cmdline in /etc/default/grub" {
	proxmox_zfs_sdboot
	rm -rf "$R/sys/firmware/efi"
	detect_is 'initramfs initramfs-tools
bootloader proxmox-boot-tool
cmdline-file /etc/default/grub
cmdline-format grub'
}

@test "Proxmox with GRUB on ext4/LVM (no ESP list): update-grub" {
	proxmox_base
	file /boot/grub/grub.cfg '# generated'
	file /etc/kernel/proxmox-boot-uuids ''
	detect_is 'initramfs initramfs-tools
bootloader grub
cmdline-file /etc/default/grub
cmdline-format grub'
	run -0 "$BR" --root "$R" --bootloader-only
	calls_are "update-grub"
}

@test "old Proxmox (6.x): pve-efiboot-tool refresh from /etc/kernel/pve-efiboot-uuids" {
	proxmox_base
	rm "$R/usr/sbin/proxmox-boot-tool"
	stub /usr/sbin pve-efiboot-tool
	mkdir -p "$R/sys/firmware/efi"
	file /etc/kernel/pve-efiboot-uuids 'DC2B-1B0A
'
	file /etc/kernel/cmdline 'root=ZFS=rpool/ROOT/pve-1 boot=zfs'
	detect_is 'initramfs initramfs-tools
bootloader pve-efiboot-tool
cmdline-file /etc/kernel/cmdline
cmdline-format line'
	run -0 "$BR" --root "$R"
	calls_are "update-initramfs -u -k all" "pve-efiboot-tool refresh"
}

@test "Fedora: dracut and grub2-mkconfig of /boot/grub2/grub.cfg, updating the BLS entries" {
	fedora
	detect_is 'initramfs dracut
bootloader grub
cmdline-file /etc/default/grub
cmdline-format grub'
	run -0 "$BR" --root "$R"
	calls_are "dracut -f --regenerate-all" \
		"grub2-mkconfig -o /boot/grub2/grub.cfg --update-bls-cmdline"
}

@test "Fedora before --update-bls-cmdline existed: plain grub2-mkconfig" {
	fedora
	stub /usr/sbin grub2-mkconfig
	run -0 "$BR" --root "$R" -k 6.10.6-200.fc40.x86_64
	calls_are "dracut -f --kver 6.10.6-200.fc40.x86_64" \
		"grub2-mkconfig -o /boot/grub2/grub.cfg"
}

@test "Arch with GRUB: mkinitcpio -P and grub-mkconfig" {
	arch_grub
	detect_is 'initramfs mkinitcpio
bootloader grub
cmdline-file /etc/default/grub
cmdline-format grub'
	run -0 "$BR" --root "$R"
	calls_are "mkinitcpio -P" "grub-mkconfig -o /boot/grub/grub.cfg"
}

@test "Arch: -k REL rebuilds the preset named in modules/REL/pkgbase" {
	arch_grub
	run -0 "$BR" --root "$R" -k 6.10.10-arch1-1 --initramfs-only
	calls_are "mkinitcpio -p linux"
}

@test "Arch with systemd-boot in kernel-install's layout: kernel-install add, then bootctl" {
	arch_sdboot_bls
	detect_is 'initramfs mkinitcpio
bootloader systemd-boot
cmdline-file /etc/kernel/cmdline
cmdline-format line'
	run -0 "$BR" --root "$R" --bootloader-only
	calls_are "kernel-install add 6.10.10-arch1-1 /usr/lib/modules/6.10.10-arch1-1/vmlinuz" \
		"bootctl update --graceful"
}

@test "Arch with hand-written systemd-boot entries: the entries' options lines are the command line" {
	arch_common
	file /boot/loader/loader.conf 'default arch.conf
'
	file /boot/loader/entries/arch.conf 'options root=/dev/sda2 rw
'
	detect_is 'initramfs mkinitcpio
bootloader systemd-boot
cmdline-file /boot/loader/entries/*.conf
cmdline-format entry'
	# on the ESP that holds loader.conf (bootctl's order: /efi, /boot, /boot/efi)
	mkdir -p "$R/efi/loader/entries"
	file /efi/loader/loader.conf 'default arch.conf
'
	run -0 "$BR" --root "$R" --detect
	[ "${lines[2]}" = "cmdline-file /efi/loader/entries/*.conf" ]
	rm -r "$R/efi" "$R/boot/loader/entries"
	detect_is 'initramfs mkinitcpio
bootloader systemd-boot
cmdline-file none
cmdline-format none'
	run -0 "$BR" --root "$R" -n
	[ "$output" = "mkinitcpio -P
bootctl update --graceful" ]
}

@test "a host booted by systemd-boot (LoaderInfo EFI variable) is systemd-boot even with GRUB installed" {
	debian_grub
	stub /usr/bin bootctl
	mkdir -p "$R/sys/firmware/efi/efivars"
	printf '\7\0\0\0s\0y\0s\0t\0e\0m\0d\0-\0b\0o\0o\0t\0 \0\62\0\65\0\62\0\0\0' \
		>"$R/sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
	run -0 "$BR" --root "$R" --detect
	[ "${lines[1]}" = "bootloader systemd-boot" ]
}

@test "GRUB 2.12 setting LoaderInfo itself is still GRUB" {
	debian_grub
	mkdir -p "$R/sys/firmware/efi/efivars"
	printf '\7\0\0\0G\0R\0U\0B\0 \0\62\0.\0\61\0\62\0\0\0' \
		>"$R/sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
	run -0 "$BR" --root "$R" --detect
	[ "${lines[1]}" = "bootloader grub" ]
}

@test "-n prints the commands on stdout and runs nothing" {
	proxmox_zfs_sdboot
	run --separate-stderr -0 "$BR" --root "$R" -n
	[ "$output" = "update-initramfs -u -k all
proxmox-boot-tool refresh" ]
	[ "$stderr" = "" ]
	[ ! -s "$STUB_LOG" ]
}

@test "stops at the first command that fails, exit 2" {
	debian_grub
	export STUB_FAIL_update_initramfs=1
	run --separate-stderr -2 "$BR" --root "$R"
	[ "$output" = "" ]
	[ "$stderr" = "+ update-initramfs -u -k all
boot-refresh: update-initramfs: failed with exit status 1" ]
	calls_are "update-initramfs -u -k all"
}

@test "a command that died of a signal is a failure" {
	debian_grub
	printf '#!/bin/sh\nkill -TERM $$\n' >"$R/usr/sbin/update-grub"
	run -2 "$BR" --root "$R" --bootloader-only
	[ "${lines[1]}" = "boot-refresh: update-grub: killed by signal 15" ]
}

@test "a container has nothing to refresh: says so, runs nothing, exit 0" {
	debian_grub
	file /run/systemd/container 'lxc
'
	run --separate-stderr -0 "$BR" --root "$R"
	[ "$output" = "" ]
	[ "$stderr" = "boot-refresh: $R: a container (/run/systemd/container): no initramfs or boot loader to refresh, nothing to do" ]
	[ ! -s "$STUB_LOG" ]
	run -0 "$BR" --root "$R" --detect
	[ "${lines[4]}" = "container /run/systemd/container" ]
}

@test "docker (/.dockerenv) is a container; under --root, PID 1's container= is the build's, not the image's" {
	debian_grub
	file /.dockerenv ''
	run -0 "$BR" --root "$R" --detect
	[ "${lines[4]}" = "container /.dockerenv" ]
	rm "$R/.dockerenv"
	# podman mounting its /proc into an image under construction
	mkdir -p "$R/proc/1"
	printf 'PATH=/bin\0container=podman\0' >"$R/proc/1/environ"
	run -0 "$BR" --root "$R" --detect
	[[ "$output" != *container* ]]
	[ "${lines[1]}" = "bootloader grub" ]
}

@test "an unrecognised host is exit 2 naming what was looked for" {
	mkdir -p "$R/etc"
	run --separate-stderr -2 "$BR" --root "$R" --detect
	[ "$output" = "" ]
	[[ "$stderr" == "boot-refresh: $R: not a system this tool knows: looked for update-initramfs with /etc/initramfs-tools, dracut, mkinitcpio; and for /etc/kernel/proxmox-boot-uuids, "* ]]
	run --separate-stderr -2 "$BR" --root "$R"
	[ "$stderr" = "boot-refresh: $R: no initramfs generator found (looked for update-initramfs with /etc/initramfs-tools, dracut, mkinitcpio)" ]
}

@test "a host with GRUB but no initramfs generator: the loader alone works, the full run refuses" {
	debian_grub
	rm "$R/usr/sbin/update-initramfs"
	run -0 "$BR" --root "$R" --bootloader-only
	calls_are "update-grub"
	run -2 "$BR" --root "$R"
	calls_are "update-grub"
}

@test "-k names a kernel that is not installed: exit 2, nothing run" {
	debian_grub
	run --separate-stderr -2 "$BR" --root "$R" -k 9.9.9
	[ "$stderr" = "boot-refresh: 9.9.9: no such kernel under $R/lib/modules" ]
	[ ! -s "$STUB_LOG" ]
}

@test "bad usage is exit 2 with the usage line" {
	run --separate-stderr -2 "$BR" --initramfs-only --bootloader-only
	[ "${stderr_lines[0]}" = "boot-refresh: --initramfs-only and --bootloader-only exclude each other" ]
	run --separate-stderr -2 "$BR" -k 6.1 --all
	[ "$stderr" = "boot-refresh: -k and --all exclude each other
usage: boot-refresh [--root DIR] [-n] [--detect | --mark | --if-marked] [--initramfs-only | --bootloader-only] [-k REL | --all]" ]
	run -2 "$BR" extra
	run -0 "$BR" --help
	[ "$output" = "usage: boot-refresh [--root DIR] [-n] [--detect | --mark | --if-marked] [--initramfs-only | --bootloader-only] [-k REL | --all]
options:
  --all              every installed kernel's initramfs
  --bootloader-only  refresh the boot loader only
  --detect           print what this host uses, run nothing
  --mark             record that a refresh is owed, run nothing
  --if-marked        refresh only when a refresh is owed
  --initramfs-only   rebuild the initramfs only
  -k, --kernel REL   the initramfs of this kernel release (default: the running one)
  -n, --dry-run      print the commands, run nothing
  --root DIR         read and write every system path under DIR
  -h, --help         print this and exit
  --version          print the version and exit" ]
}

@test "without the test seam, a --root other than / is chrooted into (refused when not root)" {
	[ "$(id -u)" -ne 0 ] || skip "running as root: chroot would succeed"
	debian_grub
	unset VFIOKIT_NO_CHROOT
	run --separate-stderr -2 "$BR" --root "$R" --bootloader-only
	[ "$stderr" = "+ update-grub
boot-refresh: /usr/sbin/update-grub: cannot run chrooted into $R: Operation not permitted" ]
	[ ! -s "$STUB_LOG" ]
}

@test "as root, commands run chrooted into ROOT with the system PATH" {
	[ "$(id -u)" -eq 0 ] || skip "chroot needs root"
	bb=$(command -v busybox) || skip "no busybox to serve as the root's /bin/sh"
	file -b "$bb" 2>/dev/null | grep -q static || ldd "$bb" 2>&1 | grep -q 'not a dynamic' ||
		skip "busybox is not static: it cannot run inside a bare root"
	debian_grub
	unset VFIOKIT_NO_CHROOT
	mkdir -p "$R/bin"
	cp "$bb" "$R/bin/sh"
	printf '#!/bin/sh\necho "$0 $* cwd=$PWD PATH=$PATH" >/calls\n' >"$R/usr/sbin/update-grub"
	run -0 "$BR" --root "$R" --bootloader-only
	[ "$(cat "$R/calls")" = "/usr/sbin/update-grub  cwd=/ PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
}

@test "a command missing from the root is exit 2 naming it" {
	proxmox_zfs_sdboot
	rm "$R/usr/sbin/proxmox-boot-tool"
	run --separate-stderr -2 "$BR" --root "$R"
	[ "$stderr" = "+ update-initramfs -u -k all
boot-refresh: proxmox-boot-tool: command not found under $R" ]
}

@test "--detect output feeds cmdline-edit's -g the way the spec's awk line does" {
	debian_grub
	run -0 sh -c "'$BR' --root '$R' --detect | awk '\$1==\"cmdline-format\"&&\$2==\"grub\"{print \"-g\"}'"
	[ "$output" = "-g" ]
}

@test "--detect's host profile: release, CPU, vfio-pci, modules to load and drop, IOMMU and framebuffer parameters" {
	run -0 "$BR" --root "$BATS_TEST_DIRNAME/data/hosts/proxmox-igpu" --detect
	[ "$(printf '%s\n' "$output" | sed -n '/^kernel /,$p')" = "kernel 6.8.12-4-pve
cpu intel
iommu-params intel_iommu=on iommu=pt
vfio-pci module
modules-file /etc/modules
modules-load vfio_pci vfio vfio_iommu_type1
modules-drop vfio_virqfd
fb-release none
initramfs-modules-file /etc/initramfs-tools/modules
initramfs-modules-format modules
initramfs-modules-needed without-softdep
initramfs-files-var none
initramfs-modprobe-d yes" ]
	run -0 "$BR" --root "$BATS_TEST_DIRNAME/data/hosts/debian-grub" --detect
	[ "$(printf '%s\n' "$output" | sed -n '/^kernel /,$p')" = "kernel 6.1.0-26-amd64
cpu intel
iommu-params intel_iommu=on iommu=pt
vfio-pci module
modules-file /etc/modules
modules-load vfio_pci vfio vfio_iommu_type1 vfio_virqfd
modules-drop none
fb-release none
initramfs-modules-file /etc/initramfs-tools/modules
initramfs-modules-format modules
initramfs-modules-needed without-softdep
initramfs-files-var none
initramfs-modprobe-d yes" ]
}

@test "--detect: the framebuffer parameter by release and config (vfio-pci lets go itself since 6.0)" {
	H=$BATS_TEST_TMPDIR/host
	cp -a "$BATS_TEST_DIRNAME/data/hosts/debian-grub" "$H"
	mv "$H/lib/modules/6.1.0-26-amd64" "$H/lib/modules/5.10.0-30-amd64"
	printf 'CONFIG_FB_EFI=y\n' >"$H/boot/config-5.10.0-30-amd64"
	run -0 "$BR" --root "$H" --kernel 5.10.0-30-amd64 --detect
	[[ $output == *"
fb-release video=efifb:off
"* ]]
	printf 'CONFIG_FB_EFI=y\nCONFIG_SYSFB_SIMPLEFB=y\n' >"$H/boot/config-5.10.0-30-amd64"
	run -0 "$BR" --root "$H" --kernel 5.10.0-30-amd64 --detect
	[[ $output == *"
fb-release initcall_blacklist=sysfb_init
"* ]]
}

@test "--detect: an AMD CPU gets iommu=pt only; vfio built in is not to be loaded; no /etc/modules: modules-load.d" {
	H=$BATS_TEST_TMPDIR/host
	cp -a "$BATS_TEST_DIRNAME/data/hosts/debian-grub" "$H"
	sed -i 's/GenuineIntel/AuthenticAMD/' "$H/proc/cpuinfo"
	m="$H/lib/modules/6.1.0-26-amd64"
	printf '%s\n' kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
		kernel/drivers/vfio/pci/vfio-pci.ko kernel/drivers/vfio/vfio_virqfd.ko >>"$m/modules.builtin"
	rm "$H/etc/modules"
	rm -f "$H/etc/debian_version"
	run -0 "$BR" --root "$H" --detect
	[ "$(printf '%s\n' "$output" | sed -n '/^cpu /,$p')" = "cpu amd
iommu-params iommu=pt
vfio-pci builtin
modules-file /etc/modules-load.d/vfio.conf
modules-load none
modules-drop none
fb-release none
initramfs-modules-file /etc/initramfs-tools/modules
initramfs-modules-format modules
initramfs-modules-needed without-softdep
initramfs-files-var none
initramfs-modprobe-d yes" ]
}

# the initramfs part of the host profile
initramfs_profile() {
	run -0 "$BR" --root "$R" --detect
	[ "$(printf '%s\n' "$output" | sed -n '/^initramfs-modules-file /,$p')" = "$1" ]
}

@test "--detect: Fedora's dracut gets a dracut.conf.d drop-in with force_drivers, the modprobe.d files named in install_items" {
	fedora
	initramfs_profile 'initramfs-modules-file /etc/dracut.conf.d/vfio.conf
initramfs-modules-format dracut force_drivers
initramfs-modules-needed always
initramfs-files-var install_items
initramfs-modprobe-d yes'
}

@test "--detect: Arch's mkinitcpio gets a mkinitcpio.conf.d drop-in for MODULES; without the modconf hook, no modprobe.d in the image" {
	arch_grub
	initramfs_profile 'initramfs-modules-file /etc/mkinitcpio.conf.d/vfio.conf
initramfs-modules-format mkinitcpio MODULES
initramfs-modules-needed always
initramfs-files-var none
initramfs-modprobe-d yes'
	file /etc/mkinitcpio.conf 'MODULES=()
HOOKS=(base udev autodetect microcode kms keyboard keymap consolefont block filesystems fsck)
'
	initramfs_profile 'initramfs-modules-file /etc/mkinitcpio.conf.d/vfio.conf
initramfs-modules-format mkinitcpio MODULES
initramfs-modules-needed always
initramfs-files-var none
initramfs-modprobe-d no /etc/mkinitcpio.conf'
	# a drop-in sourced after it (mkinitcpio: sort -V of the names) decides
	file /etc/mkinitcpio.conf.d/10-hooks.conf 'HOOKS+=(modconf)
'
	run -0 "$BR" --root "$R" --detect
	[ "${lines[-1]}" = "initramfs-modprobe-d yes" ]
	file /etc/mkinitcpio.conf.d/9-hooks.conf 'HOOKS=(base udev modconf)
'
	file /etc/mkinitcpio.conf.d/10-hooks.conf 'HOOKS=(base systemd)
'
	run -0 "$BR" --root "$R" --detect
	[ "${lines[-1]}" = "initramfs-modprobe-d no /etc/mkinitcpio.conf.d/10-hooks.conf" ]
}
