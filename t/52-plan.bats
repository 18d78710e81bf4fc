#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-plan, and vfio-passthrough's seams an attacker would try: names in an
# image, a journal shipped in it, the state directory and its files, two
# runs at once, DEVICE operands, --root twice, --backup with a '/'.  Each
# case here went wrong when the plan was decided in sh (issue 20).

bats_require_minimum_version 1.5.0

# how long a run may take before it counts as hung on a FIFO (t/62's knob:
# make valgrind gives 300, where a run under load takes more than 10 s)
HANG=${VFIOKIT_HANG_SECONDS:-20}

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	PT="$TOP/scripts/passthrough"
	VP="$VFIOKIT_BIN/vfio-plan"
	export STUB_LOG="$BATS_TEST_TMPDIR/calls" VFIOKIT_NO_CHROOT=1
	: >"$STUB_LOG"
	# the image inside a directory of decoys: what a --root=.. would reach
	W="$BATS_TEST_TMPDIR/w"
	H="$W/img/root"
	mkdir -p "$W/img/etc/modprobe.d" "$W/img/etc/default" "$W/cwd"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$W/img/etc/default/grub"
	printf '# the host\n' >"$W/img/etc/modprobe.d/vfio.conf"
}

host() { mkdir -p "$(dirname "$H")"; cp -a "$TOP/t/data/hosts/$1" "$H"; }

# every file outside the image, with its content
outside() {
	(cd "$W" && find . \( -path ./img/root -o -path ./hostile -o -path ./clean \) -prune -o -print0 | sort -z |
		xargs -0 -r sh -c 'for f; do if [ -f "$f" ]; then printf "%s %s\n" "$f" "$(md5sum <"$f")"; else printf "%s\n" "$f"; fi; done' _)
}

@test "vfio-plan prints the plan in fields no newline, TAB or option can enter" {
	host proxmox-igpu
	run -0 --separate-stderr "$VP" --root "$H" 0000:00:02.0
	[ "${lines[0]}" = "method	ids" ]
	[ "${lines[1]}" = "device	0000:00:02.0	0300	8086:3e92	i915	i915	1	1" ]
	printf '%s\n' "$output" | grep -qxF "edit	/etc/modprobe.d/vfio.conf	modconf-edit	-	--merge	options vfio-pci ids=8086:3e92 disable_vga=1"
	printf '%s\n' "$output" | grep -qxF "need	0000:00:02.0	/etc/kernel/cmdline	cmdline-edit	-	--merge	intel_iommu=on"
	# a kind, then fields; only FLAG and OP may start with '-'
	printf '%s\n' "$output" | awk -F'\t' '
		{ for (i = 2; i <= NF; i++) if ($i ~ /^-/ && !($1 == "edit" && (i == 4 || i == 5)) && !($1 == "need" && (i == 5 || i == 6)) && $i != "-") { print "option-like field: " $0; bad = 1 } }
		$1 !~ /^(method|device|edit|need|note)$/ { print "kind: " $0; bad = 1 }
		END { exit bad }'
	# the plan is read only: nothing written, no state made
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	[ ! -e "$H/var/lib/vfio-kit" ]
}

@test "names in an image (a grub.d drop-in, a kernel directory) holding newlines and options forge nothing; nothing outside the root is written, not even with -n" {
	host debian-grub
	mkdir -p "$H/etc/default/grub.d"
	# the drop-in sets the value anew, so it would be the file to edit
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$H/etc/default/grub.d/50-x
cmdline-file grub
--root=..
.cfg"
	mkdir "$H/lib/modules/9.9.9
kernel 6.1.0-26-amd64
--root=.."
	outside >"$BATS_TEST_TMPDIR/before"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W/cwd" "$PT" -n --root "$H" 0000:00:02.0
	[ "$status" -eq 2 ]
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W/cwd" "$PT" --root "$H" 0000:00:02.0
	echo "status $status: $stderr"
	outside >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# refused, naming the file whose name it will not write
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"etc/default/grub.d/50-x"*"a file name with a character this kit does not write"* ]]
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
}

# a journal an image ships, with one bad line
bad_journal() {
	rm -rf "$H" "$BATS_TEST_TMPDIR/etc.before"
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	printf '%s\n' "$1" >>"$H/var/lib/vfio-kit/journal"
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	outside >"$BATS_TEST_TMPDIR/before"
	cp "$H/var/lib/vfio-kit/journal" "$BATS_TEST_TMPDIR/journal.before"
	run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W/cwd" "$PT" --undo --root "$H" 0000:00:02.0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "passthrough: $H/var/lib/vfio-kit/journal:"*": not trusting the journal" ]] || { echo "$stderr"; false; }
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	cmp "$BATS_TEST_TMPDIR/journal.before" "$H/var/lib/vfio-kit/journal"
	outside >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ ! -s "$STUB_LOG" ]
}

@test "a journal whose flag field is an option is refused whole: --undo does nothing" {
	bad_journal "own	/etc/modprobe.d/vfio.conf	modconf-edit	--root=..	--set	install i915 /bin/true"
}

@test "a journal whose edit text is an option, or splits into options, is refused whole" {
	bad_journal "own	/etc/modprobe.d/vfio.conf	modconf-edit	-	--set	--root=.."
	rm -rf "$H"
	bad_journal "dev	0000:00:02.0	/etc/../../etc/modprobe.d/vfio.conf	modconf-edit	-	--set	blacklist i915"
	rm -rf "$H"
	bad_journal "new	/etc/modprobe.d/x.conf"
}

@test "a journal's edit text holding '|' and options stays one argument: taken back, it matches nothing and changes nothing else" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	printf '%s\n' "dev	0000:00:02.0	/etc/kernel/cmdline	cmdline-edit	-	--merge	apparmor=0|--root=..|--set|apparmor=0" \
		"own	/etc/kernel/cmdline	cmdline-edit	-	--merge	apparmor=0|--root=..|--set|apparmor=0" >>"$H/var/lib/vfio-kit/journal"
	outside >"$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W/cwd" "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	outside >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
	[ "$(ls -A "$W/cwd")" = "" ]
}

@test "a journal or state directory another user can write is refused; made under umask 000 they are 0755 and 0644" {
	host proxmox-igpu
	(umask 000 && "$PT" --no-refresh --root "$H" 0000:00:02.0)
	[ "$(stat -c %a "$H/var/lib/vfio-kit")" = 755 ]
	[ "$(stat -c %a "$H/var/lib/vfio-kit/journal")" = 644 ]
	[ "$(stat -c %a "$H/var/lib/vfio-kit/lock")" = 600 ]
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	chmod 666 "$H/var/lib/vfio-kit/journal"
	run -2 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit/journal: writable by others: not trusting it" ]
	chmod 644 "$H/var/lib/vfio-kit/journal"
	chmod 777 "$H/var/lib/vfio-kit"
	run -2 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit: writable by others: not trusting it" ]
	chmod 755 "$H/var/lib/vfio-kit"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$H/var/lib/vfio-kit/journal"
		run -2 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
		[ "$stderr" = "passthrough: $H/var/lib/vfio-kit/journal: owned by another user: not trusting it" ]
		chown 0 "$H/var/lib/vfio-kit/journal"
	fi
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "a journal that is a directory, a FIFO or a symlink is refused at once, nothing done" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	cp -a "$H/etc" "$BATS_TEST_TMPDIR/etc.before"
	mv "$H/var/lib/vfio-kit/journal" "$BATS_TEST_TMPDIR/journal"
	mkdir "$H/var/lib/vfio-kit/journal"
	run -2 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit/journal: not a regular file: not reading it" ]
	run -2 --separate-stderr "$PT" --no-refresh --root "$H" 0000:00:14.0
	rmdir "$H/var/lib/vfio-kit/journal"
	mkfifo "$H/var/lib/vfio-kit/journal"
	run -2 --separate-stderr timeout "$HANG" "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit/journal: not a regular file: not reading it" ]
	rm "$H/var/lib/vfio-kit/journal"
	ln -s "$BATS_TEST_TMPDIR/journal" "$H/var/lib/vfio-kit/journal"
	run -2 --separate-stderr "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	[ "$stderr" = "passthrough: $H/var/lib/vfio-kit/journal: a symbolic link: not following it" ]
	diff -r "$BATS_TEST_TMPDIR/etc.before" "$H/etc"
}

@test "a refresh-needed marker that is a symlink keeps its target; one that is a FIFO does not hang the run" {
	host proxmox-igpu
	run -0 "$PT" --no-refresh --root "$H" 0000:00:02.0
	printf 'precious\n' >"$W/precious"
	rm "$H/var/lib/vfio-kit/refresh-needed"
	ln -s "$W/precious" "$H/var/lib/vfio-kit/refresh-needed"
	run -2 --separate-stderr "$PT" --root "$H" 0000:00:02.0
	[ "$(cat "$W/precious")" = precious ]
	run -2 --separate-stderr "$VFIOKIT_BIN/boot-refresh" --root "$H" --if-marked
	[ "$(cat "$W/precious")" = precious ]
	[ -L "$H/var/lib/vfio-kit/refresh-needed" ]
	rm "$H/var/lib/vfio-kit/refresh-needed"
	mkfifo "$H/var/lib/vfio-kit/refresh-needed"
	run -2 --separate-stderr timeout "$HANG" "$PT" --root "$H" 0000:00:02.0
	[ "$stderr" = "boot-refresh: $H/var/lib/vfio-kit/refresh-needed: not a regular file: not reading it" ]
	# a run that changes something marks first: refused there too
	run -2 --separate-stderr timeout "$HANG" "$PT" --root "$H" 0000:00:14.0
	[ "${stderr_lines[-1]}" = "passthrough: $H/var/lib/vfio-kit/refresh-needed: not a regular file: not reading it" ]
	run -2 --separate-stderr timeout "$HANG" "$VFIOKIT_BIN/boot-refresh" --root "$H" --if-marked
	[ ! -s "$STUB_LOG" ]
}

@test "two runs at once never lose a record: ten times (valgrind: 3), both devices are on record and undo keeps what the other needs" {
	for ((i = 1; i <= ${VFIOKIT_RACE_TRIES:-10}; i++)); do
		rm -rf "$H"
		host proxmox-igpu
		"$PT" --no-refresh --root "$H" 0000:00:02.0 >/dev/null 2>&1 &
		a=$!
		"$PT" --no-refresh --root "$H" 0000:00:14.0 >/dev/null 2>&1 &
		b=$!
		wait $a
		wait $b
		grep -q '^dev	0000:00:02.0	' "$H/var/lib/vfio-kit/journal" || { echo "try $i: 02.0 lost"; false; }
		grep -q '^dev	0000:00:14.0	' "$H/var/lib/vfio-kit/journal" || { echo "try $i: 14.0 lost"; false; }
	done
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:02.0
	grep -qx 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt' "$H/etc/kernel/cmdline"
	run -0 "$PT" --undo --no-refresh --root "$H" 0000:00:14.0
	diff -r "$TOP/t/data/hosts/proxmox-igpu/etc" "$H/etc"
}

@test "DEVICE is a full or short slot or ids, nothing else: '.', '::', a wide domain or bus is refused" {
	host proxmox-igpu
	for d in . :: 02.0 00:02 8086: :3e92 100000000:00:02.0 10000:00:02.0 0000:100:02.0 0000:00:02.0x; do
		run -2 --separate-stderr "$PT" -n --root "$H" "$d"
		[ "$stderr" = "passthrough: '$d': not a slot (0000:00:02.0) or ids (8086:3e92)" ] || { echo "$d: $stderr"; false; }
		run -2 --separate-stderr "$VP" --root "$H" "$d"
	done
	run -0 "$VP" --root "$H" 00:02.0
	run -0 "$VP" --root "$H" 0000:00:02.0
	# pci-list -s: a domain that no longer wraps to 0
	run -2 --separate-stderr "$VFIOKIT_BIN/pci-list" --root "$H" -s 100000000:00:02.0
	[ "${stderr_lines[0]}" = "pci-list: -s: '100000000:00:02.0': invalid domain number" ]
}

@test "--root given twice is refused by every tool and by vfio-passthrough" {
	host proxmox-igpu
	for t in pci-list modalias-of iommu-check boot-refresh cmdline-edit modconf-edit vfio-plan; do
		run -2 --separate-stderr "$VFIOKIT_BIN/$t" --root "$H" --root=/ --version
		[ "$stderr" = "$t: --root: '/': given twice" ] || { echo "$t: $stderr"; false; }
	done
	run -2 --separate-stderr "$PT" --root "$H" --root=.. 0000:00:02.0
	[ "$stderr" = "passthrough: --root: '..': given twice" ]
}

@test "--backup takes a suffix, not a path: one with '/' is refused, nothing written" {
	printf 'quiet\n' >"$W/cmdline"
	printf 'vfio\n' >"$W/modules"
	run -2 --separate-stderr "$VFIOKIT_BIN/cmdline-edit" -i --backup=/../../x --set iommu=pt "$W/cmdline"
	[ "$stderr" = "cmdline-edit: --backup: '/../../x': a suffix, not a path: it holds '/'" ]
	run -2 --separate-stderr "$VFIOKIT_BIN/modconf-edit" -i -b/x --set vfio_pci "$W/modules"
	[ "$(cat "$W/cmdline")" = quiet ]
	[ "$(cat "$W/modules")" = vfio ]
	[ "$(ls "$W")" = "cmdline
cwd
img
modules" ]
}

@test "the man pages say --root confines the kit, not the image's programs, and advise --no-refresh" {
	for p in "$TOP/scripts/vfio-passthrough.1" "$TOP/cmd/boot-refresh.1" "$TOP/cmd/vfio-plan.1"; do
		LC_ALL=C MANWIDTH=200 man -l "$p" 2>/dev/null | tr -s ' \n' '  ' >"$BATS_TEST_TMPDIR/page"
		grep -q "not the image's programs" "$BATS_TEST_TMPDIR/page" || grep -q "image's own programs" "$BATS_TEST_TMPDIR/page"
		grep -q -- "--no-refresh" "$BATS_TEST_TMPDIR/page"
	done
}

# Property: image trees whose names hold newlines, TABs, '|', '=' and
# leading dashes.  No run writes outside the root, and the plan is the
# plan of the same tree with those names made harmless, or is refused.
sanitize() { printf '%s' "$1" | tr '\n\t|=' '____' | sed 's/^-/_/'; }

@test "property: hostile names in 40 random image trees (valgrind: 10): no write outside the root; the plan is the sanitized tree's plan, or refused" {
	local bad=('a
b' 'x	y' 'p|--root=..' 'k=v' '--root=..' '-n' '
--set=iommu=off
' 'ok')
	local places=(etc/default/grub.d etc/modprobe.d boot/loader/entries lib/modules etc/mkinitcpio.conf.d etc/dracut.conf.d)
	local n i k name place refused=0 same=0
	RANDOM=20
	for ((n = 0; n < ${VFIOKIT_PROPERTY_TREES:-40}; n++)); do
		for t in hostile clean; do rm -rf "$W/$t"; mkdir -p "$W/$t"; cp -a "$TOP/t/data/hosts/debian-grub" "$W/$t/root"; done
		for ((i = 0; i < 3; i++)); do
			name=${bad[RANDOM % ${#bad[@]}]}${bad[RANDOM % ${#bad[@]}]}
			place=${places[RANDOM % ${#places[@]}]}
			case $place in
			lib/modules) k="" ;;
			*) k=$([ $((RANDOM % 2)) -eq 0 ] && echo .cfg || echo .conf) ;;
			esac
			for t in hostile clean; do
				local nm=$name
				[ $t = hostile ] || nm=$(sanitize "$name")
				mkdir -p "$W/$t/root/$place"
				if [ "$place" = lib/modules ]; then
					mkdir -p "$W/$t/root/$place/$nm"
				else
					printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$W/$t/root/$place/$nm$k"
				fi
			done
		done
		outside >"$BATS_TEST_TMPDIR/before"
		# the plan of each
		run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W/cwd" "$VP" --root "$W/hostile/root" 0000:00:02.0
		local hs=$status hout=$output
		run --separate-stderr "$VP" --root "$W/clean/root" 0000:00:02.0
		local cs=$status cout=$output
		if [ "$hs" -eq 2 ]; then
			refused=$((refused + 1))
		else
			[ "$hs" -eq "$cs" ] && [ "$hout" = "$cout" ] || { echo "tree $n: hostile $hs, clean $cs"; diff <(echo "$cout") <(echo "$hout"); false; }
			same=$((same + 1))
		fi
		# and carried out: nothing outside the root changes
		run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$W/cwd" "$PT" --root "$W/hostile/root" 0000:00:02.0
		[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || { echo "tree $n: run exit $status"; false; }
		outside >"$BATS_TEST_TMPDIR/after"
		diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
		[ "$(ls -A "$W/cwd")" = "" ]
	done
	echo "# property: $same plans equal to the sanitized tree's, $refused refused" >&3
	[ "$same" -gt 0 ]
	[ "$refused" -gt 0 ]
}
