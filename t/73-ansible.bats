#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/ansible/vfio-passthrough.yml on three fake hosts at once, run by
# ansible-playbook with connection: local and vfiokit_root pointing at a copy
# of an example host: Proxmox with systemd-boot, Debian with GRUB, a
# Debian GRUB host with a GTX 1080 and its HDMI audio added to its sysfs, and
# a Proxmox host with a second, identical e1000e NIC (twins).
# The first run edits what it should, the second reports changed=0 for
# every host, --check on fresh copies reports changes and writes nothing.
# With vfiokit_deb, the play first installs the package (make deb) with
# ansible's apt module into a fresh root of its own (dpkg --root, apt's view
# of the installed packages pointed at that root: the host's own dpkg
# database is never touched), then makes the edits with the tools it
# installed.

load helper
load helper-deb

setup_file() {
	command -v ansible-playbook >/dev/null || return 0
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	BIN=$(cd "$VFIOKIT_BIN" && pwd)
	W="$BATS_FILE_TMPDIR"
	export TOP BIN W
	for h in applied checked; do
		mkroots "$W/$h"
		inventory "$W/$h" >"$W/$h/inventory.yml"
		cp -a "$W/$h" "$W/$h.orig"
	done
	play "$W/applied" >"$W/run1.log" 2>&1 || :
	cp -a "$W/applied" "$W/applied.run1"
	play "$W/applied" >"$W/run2.log" 2>&1 || :
	play "$W/checked" --check >"$W/check.log" 2>&1 || :
	[ -z "$(deb_missing)" ] || return 0
	mkdir "$W/deb"
	build_deb "$W/deb" >"$W/deb/path" || return 0
	for h in pkg pkgcheck; do
		mkdir -p "$W/$h/tmp"
		fresh_root "$W/$h/pkgroot"
		cp -a "$TOP/t/data/hosts/proxmox-igpu" "$W/$h/proxmox"
		deb_inventory "$W/$h" "$(cat "$W/deb/path")" >"$W/$h/inventory.yml"
		cp -a "$W/$h" "$W/$h.orig"
	done
	play "$W/pkg" >"$W/pkg1.log" 2>&1 || :
	cp -a "$W/pkg" "$W/pkg.run1"
	play "$W/pkg" >"$W/pkg2.log" 2>&1 || :
	play "$W/pkgcheck" --check >"$W/pkgcheck.log" 2>&1 || :
}

# deb_missing: why the vfiokit_deb runs cannot run here, or nothing
deb_missing() {
	local why
	why=$(deb_tools_missing)
	[ -z "$why" ] || { echo "$why"; return; }
	# ansible's apt module, without python3-apt, would apt-get install it on this host
	"$(sed -n '1s/^#! *//p' "$(command -v ansible-playbook)")" -c 'import apt' 2>/dev/null ||
		echo "python3-apt is not installed (apt-get install python3-apt): ansible's apt module needs it"
}

# deb_inventory DIR DEB: one Proxmox host on DIR/proxmox that installs DEB
# into DIR/pkgroot (dpkg --root there, apt's status file there) and then runs
# the vfio-passthrough installed from it (which runs the tools beside it)
deb_inventory() {
	cat >"$1/apt.conf" <<-EOF
	Dir::State::status "$1/pkgroot/var/lib/dpkg/status";
	Dir::State::extended_states "$1/apt/extended_states";
	Dir::Cache "$1/apt/";
	Dir::Cache::pkgcache "";
	Dir::Cache::srcpkgcache "";
	EOF
	cat <<-EOF
	all:
	  children:
	    vfio_hosts:
	      hosts:
	        proxmox:
	          ansible_connection: local
	          ansible_python_interpreter: "{{ ansible_playbook_python }}"
	          vfiokit_become: false
	          vfiokit_deb: $2
	          vfiokit_dpkg_options: force-confdef,force-confold,force-not-root,root=$1/pkgroot
	          vfiokit_bin: $1/pkgroot/usr/bin
	          vfiokit_root: $1/proxmox
	          vfio_devices: ["8086:3e92"]
	          vfiokit_environment:
	            APT_CONFIG: $1/apt.conf
	            TMPDIR: $1/tmp
	            VFIOKIT_NO_CHROOT: "1"
	            STUB_LOG: $1/proxmox.calls
	EOF
}

setup() {
	command -v ansible-playbook >/dev/null ||
		skip "ansible-playbook is not installed (apt-get install ansible-core)"
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	W="$BATS_FILE_TMPDIR"
}

# gpu ROOT SLOT CLASS DEVICE DRIVER MODALIAS: a function of an NVIDIA card
# behind 00:01.0, in IOMMU group 9, as the kernel shows it in sysfs
gpu() {
	local r=$1 f="$1/sys/devices/pci0000:00/0000:00:01.0/$2"
	mkdir -p "$f" "$r/sys/kernel/iommu_groups/9/devices" "$r/sys/bus/pci/drivers/$5"
	printf '0x10de\n' >"$f/vendor"
	printf '0x%s\n' "$4" >"$f/device"
	printf '0x%s\n' "$3" >"$f/class"
	printf '0x1458\n' >"$f/subsystem_vendor"
	printf '0x3702\n' >"$f/subsystem_device"
	printf '0xa1\n' >"$f/revision"
	printf '%s\n' "$6" >"$f/modalias"
	ln -s "../../../../bus/pci/drivers/$5" "$f/driver"
	ln -s ../../../../kernel/iommu_groups/9 "$f/iommu_group"
	ln -s "../../../devices/pci0000:00/0000:00:01.0/$2" "$r/sys/bus/pci/devices/$2"
	ln -s "../../../../devices/pci0000:00/0000:00:01.0/$2" "$r/sys/kernel/iommu_groups/9/devices/$2"
	ln -s "../../../../devices/pci0000:00/0000:00:01.0/$2" "$r/sys/bus/pci/drivers/$5/$2"
	# the driver's module, as the kernel links it (drivers/base/module.c)
	mkdir -p "$r/sys/module/$5" && echo live >"$r/sys/module/$5/initstate"
	[ -e "$r/sys/bus/pci/drivers/$5/module" ] || ln -s "../../../../module/$5" "$r/sys/bus/pci/drivers/$5/module"
}

# twin ROOT: a second I219-V (8086:15bc) at 0000:03:00.0 behind 00:1d.0, alone in group 9
twin() {
	local r=$1 f="$1/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0" like
	like=$(readlink -f "$r/sys/bus/pci/devices/0000:00:1f.6")
	mkdir -p "$f" "$r/sys/kernel/iommu_groups/9/devices"
	for a in "$like"/*; do [ -L "$a" ] || cp "$a" "$f/"; done
	ln -s ../../../../bus/pci/drivers/e1000e "$f/driver"
	ln -s ../../../../kernel/iommu_groups/9 "$f/iommu_group"
	ln -s ../../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0 "$r/sys/bus/pci/devices/0000:03:00.0"
	ln -s ../../../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0 "$r/sys/kernel/iommu_groups/9/devices/0000:03:00.0"
}

# mkroots DIR: DIR/proxmox, DIR/debian, DIR/twogpu, DIR/twins
mkroots() {
	mkdir -p "$1"
	cp -a "$TOP/t/data/hosts/proxmox-igpu" "$1/proxmox"
	cp -a "$TOP/t/data/hosts/debian-grub" "$1/debian"
	cp -a "$TOP/t/data/hosts/debian-grub" "$1/twogpu"
	gpu "$1/twogpu" 0000:01:00.0 030000 1b80 nouveau pci:v000010DEd00001B80sv00001458sd00003702bc03sc00i00
	gpu "$1/twogpu" 0000:01:00.1 040300 10f0 snd_hda_intel pci:v000010DEd000010F0sv00001458sd00003702bc04sc03i00
	cp -a "$TOP/t/data/hosts/proxmox-igpu" "$1/twins"
	twin "$1/twins"
}

# inventory DIR: the three hosts, each on its root under DIR
inventory() {
	local h
	cat <<-EOF
	all:
	  children:
	    vfio_hosts:
	      vars:
	        ansible_connection: local
	        ansible_python_interpreter: "{{ ansible_playbook_python }}"
	        vfiokit_become: false
	        vfiokit_bin: $BIN
	        vfiokit_passthrough: $TOP/scripts/passthrough
	      hosts:
	        proxmox:
	          vfio_devices: ["8086:3e92"]
	        debian:
	          vfio_devices: ["8086:3e92"]
	        twogpu:
	          vfio_devices: ["10de:1b80", "10de:10f0"]
	        twins:
	          vfio_devices: ["0000:03:00.0"]
	EOF
	# each host's root and stand-in log, in host_vars beside the inventory
	mkdir -p "$1/host_vars"
	for h in proxmox debian twogpu twins; do
		cat >"$1/host_vars/$h.yml" <<-EOF
		vfiokit_root: $1/$h
		vfiokit_environment:
		  VFIOKIT_BIN: $BIN
		  VFIOKIT_NO_CHROOT: "1"
		  STUB_LOG: $1/$h.calls
		EOF
	done
}

# play DIR [ARGS...]: run the playbook on DIR's hosts
play() {
	local d=$1
	shift
	[ -f "$W/ansible.cfg" ] || printf '[defaults]\n' >"$W/ansible.cfg"
	ANSIBLE_CONFIG="$W/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_LOCAL_TEMP="$W/.ansible/tmp" ANSIBLE_REMOTE_TMP="$W/.ansible/tmp" \
	ANSIBLE_HOME="$W/.ansible" ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_FORKS=3 \
		ansible-playbook -i "$d/inventory.yml" "$TOP/scripts/ansible/vfio-passthrough.yml" "$@"
}

# recap LOG HOST: that host's line of the PLAY RECAP
recap() {
	sed -n '/^PLAY RECAP/,$p' "$1" | grep -E "^$2 +:" | tr -s ' '
}

want() { printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/want"; }
same() { diff -u "$BATS_TEST_TMPDIR/want" "$1"; }

# changed_files BEFORE AFTER: the files that differ, relative to the roots
# (var/lib/vfio-kit: the journal vfio-passthrough --undo reads)
changed_files() {
	diff -rq --no-dereference "$1" "$2" | sed -e "s#^Files $1/\\([^ ]*\\) and .*#\\1#" \
		-e "s#^Only in $2/*\\([^:]*\\): \\(.*\\)#\\1/\\2#" -e 's#^/##' | sort
}

@test "first run: every host ok, nothing failed, each one changed" {
	cat "$W/run1.log"
	for h in proxmox debian twogpu twins; do
		recap "$W/run1.log" "$h" | grep -q " failed=0 "
		recap "$W/run1.log" "$h" | grep -qv " changed=0 "
	done
}

@test "first run on Proxmox: /etc/modules, vfio.conf, /etc/kernel/cmdline, proxmox-boot-tool refresh" {
	R="$W/applied.run1/proxmox"
	want vfio_pci vfio vfio_iommu_type1
	tail -n 3 "$R/etc/modules" >"$BATS_TEST_TMPDIR/got"
	same "$BATS_TEST_TMPDIR/got"
	want 'options vfio-pci ids=8086:3e92 disable_vga=1' 'softdep i915 pre: vfio-pci'
	same "$R/etc/modprobe.d/vfio.conf"
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	same "$R/etc/kernel/cmdline"
	want 'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	same "$W/applied.run1/proxmox.calls"
	want etc/kernel/cmdline etc/modprobe.d/vfio.conf etc/modules var/lib/vfio-kit
	changed_files "$W/applied.orig/proxmox" "$R" >"$BATS_TEST_TMPDIR/got"
	same "$BATS_TEST_TMPDIR/got"
}

@test "first run on Debian GRUB: GRUB_CMDLINE_LINUX_DEFAULT, vfio_virqfd, update-grub" {
	R="$W/applied.run1/debian"
	grep -qFx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' "$R/etc/default/grub"
	want vfio_pci vfio vfio_iommu_type1 vfio_virqfd
	tail -n 4 "$R/etc/modules" >"$BATS_TEST_TMPDIR/got"
	same "$BATS_TEST_TMPDIR/got"
	want 'options vfio-pci ids=8086:3e92 disable_vga=1' 'softdep i915 pre: vfio-pci'
	same "$R/etc/modprobe.d/vfio.conf"
	want 'update-initramfs -u -k all' 'update-grub'
	same "$W/applied.run1/debian.calls"
	want etc/default/grub etc/modprobe.d/vfio.conf etc/modules var/lib/vfio-kit
	changed_files "$W/applied.orig/debian" "$R" >"$BATS_TEST_TMPDIR/got"
	same "$BATS_TEST_TMPDIR/got"
}

@test "first run on the two-GPU host: both ids, both drivers after vfio-pci" {
	R="$W/applied.run1/twogpu"
	want 'options vfio-pci ids=10de:1b80,10de:10f0 disable_vga=1' 'softdep nouveau pre: vfio-pci' \
		'softdep snd_hda_intel pre: vfio-pci'
	same "$R/etc/modprobe.d/vfio.conf"
	grep -qFx 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' "$R/etc/default/grub"
	want etc/default/grub etc/modprobe.d/vfio.conf etc/modules var/lib/vfio-kit
	changed_files "$W/applied.orig/twogpu" "$R" >"$BATS_TEST_TMPDIR/got"
	same "$BATS_TEST_TMPDIR/got"
}

@test "first run on the twins host: the one NIC by slot, as vfio-passthrough decides it, no ids line" {
	R="$W/applied.run1/twins"
	want 'install vfio-pci for d in 0000:03:00.0; do echo vfio-pci >/sys/bus/pci/devices/$d/driver_override; done; modprobe --ignore-install vfio-pci $CMDLINE_OPTS' \
		'softdep e1000e pre: vfio-pci'
	same "$R/etc/modprobe.d/vfio.conf"
	# the same plan as vfio-passthrough run by hand on the same host
	cp -a "$W/applied.orig/twins" "$BATS_TEST_TMPDIR/byhand"
	VFIOKIT_BIN=$BIN "$TOP/scripts/passthrough" --no-refresh --root "$BATS_TEST_TMPDIR/byhand" 0000:03:00.0 >/dev/null 2>&1
	diff -r "$BATS_TEST_TMPDIR/byhand/etc" "$R/etc"
}

@test "second run: changed=0 for every host, no file touched, no refresh" {
	cat "$W/run2.log"
	for h in proxmox debian twogpu twins; do
		recap "$W/run2.log" "$h" | grep -q " changed=0 .* failed=0 "
		diff -r --no-dereference "$W/applied.run1/$h" "$W/applied/$h"
		cmp "$W/applied.run1/$h.calls" "$W/applied/$h.calls"
	done
}

@test "--check on fresh copies reports what would change and writes nothing" {
	cat "$W/check.log"
	for h in proxmox debian twogpu twins; do
		recap "$W/check.log" "$h" | grep -q " failed=0 "
		recap "$W/check.log" "$h" | grep -qv " changed=0 "
		[ ! -e "$W/checked/$h.calls" ]
	done
	grep -qF '+options vfio-pci ids=10de:1b80,10de:10f0 disable_vga=1' "$W/check.log"
	diff -r --no-dereference "$W/checked.orig" "$W/checked"
}

@test "a device the host does not have stops that host before any edit" {
	mkdir -p "$BATS_TEST_TMPDIR/x"
	cp -a "$TOP/t/data/hosts/debian-grub" "$BATS_TEST_TMPDIR/x/debian"
	cp -a "$BATS_TEST_TMPDIR/x/debian" "$BATS_TEST_TMPDIR/orig"
	W=$BATS_TEST_TMPDIR
	inventory "$BATS_TEST_TMPDIR/x" | sed 's/\["8086:3e92"\]/["8086:3e92", "10de:1b80"]/' \
		>"$BATS_TEST_TMPDIR/x/inventory.yml"
	run -2 play "$BATS_TEST_TMPDIR/x" --limit debian
	recap <(printf '%s\n' "$output") debian | grep -q " failed=1 "
	diff -r --no-dereference "$BATS_TEST_TMPDIR/orig" "$BATS_TEST_TMPDIR/x/debian"
}

@test "without vfiokit_deb no package is installed: the install tasks are skipped on every host" {
	for log in run1 run2 check; do
		sed -n '/^TASK \[Install it with apt\]/,/^$/p' "$W/$log.log" >"$BATS_TEST_TMPDIR/got"
		printf '%s\n' "TASK [Install it with apt] *****************************************************" \
			"skipping: [proxmox]" "skipping: [debian]" "skipping: [twogpu]" "skipping: [twins]" "" |
			LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
		LC_ALL=C sort "$BATS_TEST_TMPDIR/got" | diff -u "$BATS_TEST_TMPDIR/want" -
	done
}

# pkg_ready: skip the vfiokit_deb tests with the reason; the package must have been built
pkg_ready() {
	local why
	why=$(deb_missing)
	[ -z "$why" ] || skip "$why"
	[ -s "$W/deb/path" ] || { cat "$W/deb/make-deb.log"; return 1; }
	VERSION=$(cat "$TOP/VERSION")
}

@test "vfiokit_deb: apt installs the package, and its vfio-passthrough makes the edits" {
	pkg_ready
	cat "$W/pkg1.log"
	recap "$W/pkg1.log" proxmox | grep -q " failed=0 "
	grep -A1 -Fx 'TASK [Install it with apt] *****************************************************' "$W/pkg1.log" |
		grep -qFx 'changed: [proxmox]'
	run -0 dpkg-query --admindir="$W/pkg.run1/pkgroot/var/lib/dpkg" -W -f='${Status} ${Version}' vfio-kit
	[ "$output" = "install ok installed $VERSION" ]
	run -0 "$W/pkg.run1/pkgroot/usr/bin/cmdline-edit" --version
	[ "$output" = "cmdline-edit $VERSION" ]
	# the same edits as with the tools from the tree
	want 'options vfio-pci ids=8086:3e92 disable_vga=1' 'softdep i915 pre: vfio-pci'
	same "$W/pkg.run1/proxmox/etc/modprobe.d/vfio.conf"
	want 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt'
	same "$W/pkg.run1/proxmox/etc/kernel/cmdline"
	want 'update-initramfs -u -k all' 'proxmox-boot-tool refresh'
	same "$W/pkg.run1/proxmox.calls"
	# no copy of the package left on the host, and this machine's dpkg never saw it
	run -0 ls -A "$W/pkg/tmp"
	[ "$output" = "" ]
	run -1 dpkg-query -W vfio-kit
}

@test "vfiokit_deb: a second run finds the package installed, changed=0" {
	pkg_ready
	cat "$W/pkg2.log"
	recap "$W/pkg2.log" proxmox | grep -q " changed=0 .* failed=0 "
	grep -A1 -Fx 'TASK [Install it with apt] *****************************************************' "$W/pkg2.log" |
		grep -qFx 'ok: [proxmox]'
	diff -r --no-dereference "$W/pkg.run1/proxmox" "$W/pkg/proxmox"
	diff -r --no-dereference "$W/pkg.run1/pkgroot" "$W/pkg/pkgroot"
}

@test "vfiokit_deb with --check: the package would be installed, nothing is, the host stops there" {
	pkg_ready
	cat "$W/pkgcheck.log"
	recap "$W/pkgcheck.log" proxmox | grep -q " changed=1 .* failed=0 "
	grep -qF '"msg": "'"$(basename "$(cat "$W/deb/path")")"' would be installed; run without --check' "$W/pkgcheck.log"
	# no edit was tried: the tools are not there yet
	run -1 grep -F 'TASK [Hand the devices to vfio-pci' "$W/pkgcheck.log"
	diff -r --no-dereference "$W/pkgcheck.orig" "$W/pkgcheck"
}
