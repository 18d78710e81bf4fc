#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input: NUL bytes, a 1 MiB line, 100,000 parameters, binary
# garbage, thousands of continued lines, a 70,000-byte module name.  Every
# tool that reads a file must answer 0, 1 or 2 (never a crash: status >= 128),
# within 20 s, within 512 MiB of address space, and with -i either the edit
# or the original byte for byte.

load helper
load helper-reliability
load helper-sysfs

LIMIT_KB=524288	# ulimit -v for every run: 512 MiB
# seconds before a run counts as hung (scripts/valgrind-check allows more)
HANG=${VFIOKIT_HANG_SECONDS:-20}

# the inputs, generated once (deterministic: perl's rand with a fixed seed)
setup_file() {
	local h="$BATS_FILE_TMPDIR/in"
	mkdir -p "$h"
	printf 'quiet\0splash vfio-pci.ids=8086:3e92\n' >"$h/nul"
	head -c 1048576 /dev/zero | tr '\0' a >"$h/word"			# 1 MiB, no newline yet
	{ printf 'x='; cat "$h/word"; printf '\n'; } >"$h/mib-line"
	seq -f 'p%g=1' 100000 | tr '\n' ' ' >"$h/params"; echo >>"$h/params"
	# garbage: any byte; nonul: no NUL, so the parsers get past the NUL
	# check; shell: the bytes that mean something to the parsers
	if command -v perl >/dev/null; then
		perl -e 'srand(42); print pack("C*", map { int(rand(256)) } 1 .. 65536)' >"$h/garbage"
		perl -e 'srand(43); print pack("C*", map { 1 + int(rand(255)) } 1 .. 65536)' >"$h/nonul"
		perl -e 'srand(44); my @c = split //, " \t\n\r\"\x27\\\\=,:#;\$`{}()-_.aZ09"; print map { $c[int(rand(@c))] } 1 .. 65536' >"$h/shell"
	else
		LC_ALL=C awk 'BEGIN { srand(42); for (i = 0; i < 65536; i++) printf "%c", 1 + int(rand() * 255) }' >"$h/nonul"
		cp "$h/nonul" "$h/garbage"
		LC_ALL=C awk 'BEGIN { srand(44); c = " \t\n\r\"\x27\\=,:#;$`{}()-_.aZ09"; for (i = 0; i < 65536; i++) printf "%s", substr(c, 1 + int(rand() * length(c)), 1) }' >"$h/shell"
	fi
	{ for ((i = 0; i < 5000; i++)); do printf 'options snd_hda_intel p%d=1 \\\n' "$i"; done; printf 'last=1\n'; } >"$h/continued"
	head -c 70000 /dev/zero | tr '\0' m >"$h/modname"			# no newline
	{ cat "$h/modname"; echo; } >"$h/long-module"
	{ printf 'blacklist '; cat "$h/modname"; printf '\noptions '; cat "$h/modname"; printf ' a=1\n'; } >"$h/long-modprobe"
	{ printf 'GRUB_CMDLINE_LINUX_DEFAULT="'; cat "$h/word"; printf '"\n'; } >"$h/grub-mib"
	{ printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet'; for ((i = 0; i < 3000; i++)); do printf ' \\\n p%d' "$i"; done; printf '"\n'; } >"$h/grub-continued"
	{ printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet\0"\n'; } >"$h/grub-nul"
}

setup() {
	IN="$BATS_FILE_TMPDIR/in"
	ASAN=
	is_asan "$CE" && ASAN=1
	return 0
}

# guarded CMD...: CMD under timeout $HANG and ulimit -v (not for ASan
# builds, whose shadow memory is terabytes of address space, nor under
# valgrind, which maps its own), through run
guarded() {
	local lim=$LIMIT_KB
	[ -z "$ASAN" ] && [ -z "${VFIOKIT_VALGRIND:-}" ] || lim=unlimited
	run --separate-stderr timeout "$HANG" bash -c 'ulimit -v "$1" || exit 99; shift; exec "$@"' _ "$lim" "$@"
}

# sane PROG: the last run exited 0, 1 or 2 (2 with a "PROG: " message)
sane() {
	if [ "$status" -eq 124 ]; then
		echo "$1 hung: killed after $HANG s" >&2
		return 1
	fi
	if [ "$status" -gt 2 ]; then
		echo "$1 exit $status (crash or out of memory): ${stderr:0:400}" >&2
		return 1
	fi
	if [ "$status" -eq 2 ] && [[ "$stderr" != "$1: "* ]]; then
		echo "$1 exit 2 without a '$1: ' message: ${stderr:0:400}" >&2
		return 1
	fi
	# a diagnostic names the place; it does not echo a megabyte back
	if [ "${#stderr}" -gt 4096 ]; then
		echo "$1 wrote ${#stderr} bytes to stderr: ${stderr:0:400}..." >&2
		return 1
	fi
}

# edit_in_place INPUT NAME CMD...: copy INPUT to a file NAME in a fresh
# directory, run CMD... -i on it; exit 0 must be stable (a second run
# changes nothing), exit 2 must leave the bytes as they were; no temporary
edit_in_place() {
	local input=$1 dir="$BATS_TEST_TMPDIR/e$RANDOM$RANDOM" f
	shift
	f="$dir/$1"
	shift
	mkdir -p "$(dirname "$f")"
	cp "$input" "$f"
	guarded "$@" -i "$f"
	sane "$(basename "$1")" || return 1
	if [ "$status" -eq 2 ]; then
		cmp "$input" "$f" || { echo "exit 2 but $f changed" >&2; return 1; }
	else
		[ "$status" -eq 0 ] || { echo "-i exit $status" >&2; return 1; }
		cp "$f" "$dir/after"
		guarded "$@" -i "$f"
		[ "$status" -eq 0 ] || { echo "second run: exit $status: ${stderr:0:300}" >&2; return 1; }
		cmp "$dir/after" "$f" || { echo "second run changed $f again" >&2; return 1; }
	fi
	[ -z "$(temps_in "$(dirname "$f")")" ] || { echo "temporary left" >&2; return 1; }
	EDIT_STATUS=$status EDIT_FILE=$f
}

# filter INPUT CMD...: CMD reading INPUT on stdin
filter() {
	local input=$1
	shift
	guarded "$@" <"$input"
	sane "$(basename "$1")"
}

@test "cmdline-edit: NUL bytes are an error naming the line, the file untouched" {
	edit_in_place "$IN/nul" cmdline "$CE" --set iommu=pt
	[ "$EDIT_STATUS" -eq 2 ]
	[[ "$stderr" == *"cmdline"*":1:"* ]]
	filter "$IN/nul" "$CE" --set iommu=pt
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "cmdline-edit: a 1 MiB parameter is kept whole or refused" {
	edit_in_place "$IN/mib-line" cmdline "$CE" --set iommu=pt
	if [ "$EDIT_STATUS" -eq 0 ]; then
		# x=aaa... iommu=pt
		[ "$(head -c 1048578 "$EDIT_FILE")" = "$(head -c 1048578 "$IN/mib-line")" ]
		[ "$(tail -c 10 "$EDIT_FILE")" = " iommu=pt" ]
	fi
	filter "$IN/mib-line" "$CE" --get x
}

@test "cmdline-edit: 100,000 parameters, edited in time" {
	edit_in_place "$IN/params" cmdline "$CE" --set iommu=pt --merge vfio-pci.ids=8086:3e92 --del p50000
	filter "$IN/params" "$CE" --get p99999
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	filter "$IN/params" "$CE" --del p1 --del p2 --set p3=2 --unmerge p4=1
}

@test "cmdline-edit: 64 KiB of binary garbage, as a command line and as a GRUB file" {
	for g in garbage nonul shell; do
		edit_in_place "$IN/$g" cmdline "$CE" --set iommu=pt --merge vfio-pci.ids=8086:3e92
		edit_in_place "$IN/$g" grub "$CE" -g --set iommu=pt --unmerge x=1
		filter "$IN/$g" "$CE" --get iommu
		filter "$IN/$g" "$CE" --del quiet --add console=ttyS0
	done
}

@test "cmdline-edit -g: a 1 MiB value, 3,000 continued lines, a NUL inside the quotes" {
	edit_in_place "$IN/grub-mib" grub "$CE" --set iommu=pt
	edit_in_place "$IN/grub-continued" grub "$CE" --set iommu=pt
	[ "$EDIT_STATUS" -eq 2 ]	# the spec: a continued line is not edited
	edit_in_place "$IN/grub-nul" grub "$CE" --set iommu=pt
	[ "$EDIT_STATUS" -eq 2 ]
}

# found by the garbage above: a lone "{" word left the new assignment
# inside a block, where the next run did not see it and appended another
@test "cmdline-edit -g appends no assignment inside a block left open or closed twice" {
	printf 'GRUB_TIMEOUT=5\nif [ -f x ]; then\n\tGRUB_TIMEOUT=1\n' >"$BATS_TEST_TMPDIR/open"
	edit_in_place "$BATS_TEST_TMPDIR/open" grub "$CE" --set iommu=pt
	[ "$EDIT_STATUS" -eq 2 ]
	[ "$stderr" = "cmdline-edit: $EDIT_FILE:2: GRUB_CMDLINE_LINUX_DEFAULT: an if, case, loop or brace here is not closed by the end of the file; cannot add GRUB_CMDLINE_LINUX_DEFAULT safely" ]
	printf 'GRUB_TIMEOUT=5\n}\n' >"$BATS_TEST_TMPDIR/closed"
	edit_in_place "$BATS_TEST_TMPDIR/closed" grub "$CE" --set iommu=pt
	[ "$EDIT_STATUS" -eq 2 ]
	[[ "$stderr" == *":2: GRUB_CMDLINE_LINUX_DEFAULT: a fi, esac, done or } here closes a block never opened; "* ]]
	# a closed block is fine: the assignment goes after it, at top level
	printf 'if [ -f x ]; then\n\tGRUB_TIMEOUT=1\nfi\n' >"$BATS_TEST_TMPDIR/fine"
	edit_in_place "$BATS_TEST_TMPDIR/fine" grub "$CE" --set iommu=pt
	[ "$EDIT_STATUS" -eq 0 ]
	[ "$(grub_value "$EDIT_FILE")" = iommu=pt ]
}

@test "cmdline-edit: a 70,000-byte key as an argument" {
	key=$(cat "$IN/modname")
	printf 'quiet\n' >"$BATS_TEST_TMPDIR/q"
	edit_in_place "$BATS_TEST_TMPDIR/q" cmdline "$CE" --set "$key=1" --merge "$key.ids=1,2"
	filter "$IN/mib-line" "$CE" --del "$key"
}

@test "modconf-edit: NUL bytes are an error in both formats, the file untouched" {
	edit_in_place "$IN/nul" modules "$MC" --set vfio_pci
	[ "$EDIT_STATUS" -eq 2 ]
	edit_in_place "$IN/nul" modprobe.d/vfio.conf "$MC" --set 'blacklist i915'
	[ "$EDIT_STATUS" -eq 2 ]
}

@test "modconf-edit: a 1 MiB line, 100,000 words and garbage in both formats" {
	for input in mib-line params garbage nonul shell; do
		edit_in_place "$IN/$input" modules "$MC" --set vfio_pci --del vfio_virqfd
		edit_in_place "$IN/$input" modprobe.d/vfio.conf "$MC" \
			--merge 'options vfio-pci ids=8086:3e92' --set 'blacklist i915'
		filter "$IN/$input" "$MC" --format modprobe --del 'options x'
	done
}

@test "modconf-edit: 5,000 backslash-continued lines in modprobe.d" {
	edit_in_place "$IN/continued" modprobe.d/snd.conf "$MC" --set 'options snd_hda_intel last=2'
	edit_in_place "$IN/continued" modprobe.d/snd.conf "$MC" --merge 'options vfio-pci ids=8086:3e92'
	[ "$EDIT_STATUS" -eq 0 ]
	# the continued line is kept byte for byte, the new line after it
	head -c "$(wc -c <"$IN/continued")" "$EDIT_FILE" | cmp - "$IN/continued"
}

@test "modconf-edit: a 70,000-byte module name in the file and as an argument" {
	edit_in_place "$IN/long-module" modules "$MC" --set vfio_pci
	edit_in_place "$IN/long-modprobe" modprobe.d/x.conf "$MC" --set 'blacklist i915'
	name=$(cat "$IN/modname")
	printf 'vfio\n' >"$BATS_TEST_TMPDIR/m"
	edit_in_place "$BATS_TEST_TMPDIR/m" modules "$MC" --set "$name"
	edit_in_place "$BATS_TEST_TMPDIR/m" modprobe.d/vfio.conf "$MC" --set "options $name a=1" --set "blacklist $name"
}

# a generated sysfs root with a hostile pci.ids / modules.alias
hostile_root() {
	T="$BATS_TEST_TMPDIR/root"
	gen_tree "$T" 8
	M="$T/lib/modules/6.1.0-18-amd64"
	mkdir -p "$M" "$T/proc/sys/kernel"
	echo 6.1.0-18-amd64 >"$T/proc/sys/kernel/osrelease"
}

@test "pci-list -i: a pci.ids with a 1 MiB line, NUL bytes, garbage" {
	hostile_root
	{ cat "$IN/mib-line"; printf '8086  Intel Corporation\n\t1901  PCIe\0 Port\n'; cat "$IN/garbage"; } >"$BATS_TEST_TMPDIR/pci.ids"
	for ids in "$IN/mib-line" "$IN/garbage" "$IN/nonul" "$IN/shell" "$IN/params" "$BATS_TEST_TMPDIR/pci.ids"; do
		guarded "$VFIOKIT_BIN/pci-list" --root "$T" -i "$ids"
		sane pci-list
		guarded "$VFIOKIT_BIN/pci-list" --root "$T" -i "$ids" --lspci
		sane pci-list
		guarded "$VFIOKIT_BIN/pci-list" --root "$T" -i "$ids" --groups
		sane pci-list
	done
}

@test "pci-list: names from a hostile pci.ids drive no terminal and forge no field: control bytes shown as '?'" {
	hostile_root
	printf '8086  Intel\033[31m Evil\tCorp\177\n\t3e92  Port\001x\n' >"$BATS_TEST_TMPDIR/pci.ids"
	run -0 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$T" -i "$BATS_TEST_TMPDIR/pci.ids" -s 00:00.0 -o slot,ids,name
	[ "$output" = "$(printf '0000:00:00.0\t8086:3e92\tClass 0300: Intel?[31m Evil?Corp? Port?x')" ]
	run -0 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$T" -i "$BATS_TEST_TMPDIR/pci.ids" -s 00:00.0 --lspci
	[ "${lines[0]}" = "0000:00:00.0 Class [0300]: Intel?[31m Evil?Corp? Port?x [8086:3e92] (rev 02)" ]
}

@test "pci-list -k and modalias-of -m: a modules.alias with a 1 MiB line and garbage" {
	hostile_root
	for a in mib-line garbage nonul shell params nul; do
		{ cat "$IN/$a"; cat "$DATA/roots/modules.alias"; } >"$M/modules.alias"
		guarded "$VFIOKIT_BIN/pci-list" --root "$T" -k -n
		sane pci-list
		guarded "$VFIOKIT_BIN/modalias-of" --root "$T" -m 00:02.0
		sane modalias-of
		guarded "$VFIOKIT_BIN/modalias-of" --root "$T" --alias vfio-pci 00:02.0
		sane modalias-of
	done
}

@test "pci-list and modalias-of: sysfs attributes of 1 MiB and garbage" {
	hostile_root
	d=$(readlink -f "$T/sys/bus/pci/devices/0000:00:02.0")
	cp "$IN/mib-line" "$d/modalias"
	cp "$IN/garbage" "$d/vendor"
	cp "$IN/nul" "$d/class"
	guarded "$VFIOKIT_BIN/pci-list" --root "$T"
	sane pci-list
	guarded "$VFIOKIT_BIN/modalias-of" --root "$T" 00:02.0
	sane modalias-of
	guarded "$VFIOKIT_BIN/modalias-of" --root "$T" -m 00:02.0
	sane modalias-of
	# stdin: a 1 MiB line and garbage for device names
	filter "$IN/mib-line" "$VFIOKIT_BIN/modalias-of" --root "$T"
	filter "$IN/nonul" "$VFIOKIT_BIN/modalias-of" --root "$T"
	filter "$IN/shell" "$VFIOKIT_BIN/modalias-of" --root "$T"
}

@test "the guard holds: every run above is under ulimit -v 512 MiB" {
	[ -z "$ASAN" ] || skip "ASan builds run without ulimit -v (shadow memory)"
	[ -z "${VFIOKIT_VALGRIND:-}" ] || skip "under valgrind the tools run without ulimit -v"
	guarded bash -c 'ulimit -v'
	[ "$output" = "$LIMIT_KB" ]
}

# --- hostile files and sysfs text ------------------------------------------

@test "-i on a FIFO: exit 2 at once, not a read that blocks for ever" {
	mkfifo "$BATS_TEST_TMPDIR/cmdline"
	guarded "$CE" -i --set iommu=pt "$BATS_TEST_TMPDIR/cmdline"
	[ "$status" -eq 2 ]
	[ "$stderr" = "cmdline-edit: $BATS_TEST_TMPDIR/cmdline: not a regular file" ]
	guarded "$MC" -i --set vfio_pci "$BATS_TEST_TMPDIR/cmdline"
	[ "$status" -eq 2 ]
	[ "$stderr" = "modconf-edit: $BATS_TEST_TMPDIR/cmdline: not a regular file" ]
	[ -p "$BATS_TEST_TMPDIR/cmdline" ]
}

@test "pci-list and modalias-of: a FIFO as a sysfs modalias is refused at once" {
	R="$BATS_TEST_TMPDIR/r"
	cp -a "$DATA/hosts/proxmox-igpu" "$R"
	m="$R/sys/devices/pci0000:00/0000:00:02.0/modalias"
	rm "$m"
	mkfifo "$m"
	guarded "$VFIOKIT_BIN/pci-list" --root "$R" -n
	[ "$status" -eq 2 ]
	[ "$stderr" = "pci-list: $R/sys/bus/pci/devices/0000:00:02.0/modalias: not a PCI device attribute" ]
	[ "$output" = "" ]
	guarded "$VFIOKIT_BIN/modalias-of" --root "$R" 0000:00:02.0
	[ "$status" -eq 2 ]
	[ "$output" = "" ]
}

@test "-i with - (standard input) is refused: no file named '-' is made, the input not lost" {
	cd "$BATS_TEST_TMPDIR"
	run -2 --separate-stderr "$CE" -i --set x=1 - <<<"quiet"
	[ "$stderr" = "cmdline-edit: -: -i edits files in place, not standard input" ]
	run -2 --separate-stderr "$MC" -i --set vfio_pci - <<<"vfio"
	[ "$stderr" = "modconf-edit: -: -i edits files in place, not standard input" ]
	[ ! -e - ]
}

# hostile_host DRIVER: the example host, with 0000:00:02.0's driver link named DRIVER
hostile_host() {
	H="$BATS_TEST_TMPDIR/host"
	cp -a "$DATA/hosts/proxmox-igpu" "$H"
	ln -sfn "../../../bus/pci/drivers/$1" "$H/sys/devices/pci0000:00/0000:00:02.0/driver"
	export STUB_LOG="$BATS_TEST_TMPDIR/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
}

@test "pci-list: a driver name with a TAB and a newline forges no record: exit 2 naming the link" {
	hostile_host "$(printf 'i915\t1\tx\n0000:02:00.0\t0108\t144d:a808')"
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$H" -n -o slot,ids,driver
	[ "$stderr" = "pci-list: $H/sys/bus/pci/devices/0000:00:02.0/driver: control character 0x09 in what sysfs gave: refused" ]
	[ "$output" = "" ]
	# and vfio-passthrough stops there: nothing written
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run -2 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/passthrough" --root "$H" 0000:00:02.0
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	[ ! -s "$STUB_LOG" ]
}

@test "vfio-passthrough: a driver named like options or a glob is refused, no file of the caller's touched" {
	W="$BATS_TEST_TMPDIR/cwd"
	mkdir -p "$W"
	printf 'keep\n' >"$W/victim.conf"
	printf 'keep\n' >"$W/other"
	for drv in 'i915|--format|modprobe|victim.conf' '*' 'i915 nvme'; do
		rm -rf "$BATS_TEST_TMPDIR/host"
		hostile_host "$drv"
		cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
		run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W" \
			"$BATS_TEST_DIRNAME/../scripts/passthrough" --method blacklist --root "$H" 0000:00:02.0
		[ "$status" -eq 2 ] || { echo "driver '$drv': exit $status: $stderr"; false; }
		[[ "$stderr" == "passthrough: 0000:00:02.0: '$drv' '"*"': not a driver or module name a kernel makes" ]] ||
			{ echo "driver '$drv': [$stderr]"; false; }
		diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
		rm -rf "$BATS_TEST_TMPDIR/etc.before"
		[ "$(cat "$W/victim.conf")" = keep ]
		[ "$(ls "$W")" = "other
victim.conf" ]
		[ ! -s "$STUB_LOG" ]
	done
}

@test "modconf-edit: 20,000 --set ops in one run, in time (each op no longer re-reads the whole list)" {
	local ops=() i
	seq -f 'mod%g' 1000 >"$BATS_TEST_TMPDIR/modules"
	for ((i = 1; i <= 20000; i++)); do ops+=(--set "m$i"); done
	guarded "$MC" -i "${ops[@]}" "$BATS_TEST_TMPDIR/modules"
	sane modconf-edit
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/modules")" -eq 21000 ]
	[ "$(sed -n '1001p;21000p' "$BATS_TEST_TMPDIR/modules")" = "m1
m20000" ]
	# and again: nothing to add, the file untouched
	cp -p "$BATS_TEST_TMPDIR/modules" "$BATS_TEST_TMPDIR/before"
	guarded "$MC" -i "${ops[@]}" --del mod500 --set mod500 "$BATS_TEST_TMPDIR/modules"
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/modules")" = mod500 ]
	[ "$(grep -c '^mod500$' "$BATS_TEST_TMPDIR/modules")" -eq 1 ]
}
