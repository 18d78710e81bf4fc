#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# modconf-edit keeps every byte it does not touch and reads them as kmod does:
# CRLF, missing final newline, continued lines, comments, bad input; -i.

load helper-modconf

conf() {
	printf '%s\n' "$BATS_TEST_TMPDIR/etc/modprobe.d/${1:-vfio.conf}"
}

@test "CRLF lines stay CRLF; the new line ends in LF, which kmod reads right" {
	need_kmod
	f=$(conf)
	text "$f" '# iGPU\r\nblacklist nvidiafb\r\n'
	mc_twice "$f" '# iGPU\r\nblacklist nvidiafb\r\nblacklist i915\n' --set 'blacklist i915'
	run -0 kmod_sees "$f" i915
	[ "$output" = "blacklist i915" ]
}

@test "a CR on a line an edit matches is data to kmod: removed, with a warning" {
	need_kmod
	f=$(conf)
	text "$f" '# iGPU\r\nblacklist i915\r\n'
	run -0 kmod_sees "$f" i915
	[ "$output" = "" ]
	mc_twice "$f" '# iGPU\r\nblacklist i915\n' --set 'blacklist i915'
	[ "$MC_STDERR" = "modconf-edit: $f:2: warning: CR line end removed: kmod read it as part of the line" ]
	run -0 kmod_sees "$f" i915
	[ "$output" = "blacklist i915" ]
}

@test "a CR line that gains words: the words go before the line end, the CR goes" {
	need_kmod
	f=$(conf)
	text "$f" 'options vfio-pci ids=8086:3e92\r\nsoftdep i915 pre: vfio-pci\r\n# end\r\n'
	mc_twice "$f" 'options vfio-pci ids=8086:3e92 disable_vga=1\nsoftdep i915 pre: vfio-pci snd\n# end\r\n' \
		--set 'options vfio-pci disable_vga=1' --set 'softdep i915 pre: snd'
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "options vfio_pci ids=8086:3e92 disable_vga=1" ]
}

@test "a CR in /etc/modules on a matched line is removed too" {
	f="$BATS_TEST_TMPDIR/etc/modules"
	text "$f" 'vfio\r\nvfio_pci\r\n'
	mc_twice "$f" 'vfio\r\nvfio_pci\n' --set vfio_pci
	[ "$MC_STDERR" = "modconf-edit: $f:2: warning: CR line end removed: initramfs-tools and sysvinit read it as part of the line" ]
}

@test "no final newline: the last line gets one before the new line" {
	f=$(conf)
	text "$f" 'blacklist nvidiafb'
	mc_twice "$f" 'blacklist nvidiafb\nblacklist i915\n' --set 'blacklist i915'
	f="$BATS_TEST_TMPDIR/etc/modules"
	text "$f" 'vfio'
	mc_twice "$f" 'vfio\nvfio_pci\n' --set vfio_pci
}

@test "no final newline on an edited line: the line is edited, the rest kept" {
	f=$(conf)
	text "$f" 'options vfio-pci ids=8086:3e92'
	mc_twice "$f" 'options vfio-pci ids=8086:3e92,10de:1b80' --merge 'options vfio-pci ids=10de:1b80'
}

@test "a continuation at the end of the file does not swallow the new line" {
	need_kmod
	f=$(conf)
	text "$f" 'options vfio-pci ids=8086:3e92 \\\n'
	mc_twice "$f" 'options vfio-pci ids=8086:3e92 \\\n\nblacklist i915\n' --set 'blacklist i915'
	run -0 kmod_sees "$f" vfio_pci i915
	[ "$output" = "blacklist i915
options vfio_pci ids=8086:3e92 " ]
	text "$f" 'options vfio-pci ids=8086:3e92 \\'
	mc_twice "$f" 'options vfio-pci ids=8086:3e92 \\\n\nblacklist i915\n' --set 'blacklist i915'
	run -0 kmod_sees "$f" vfio_pci i915
	[ "$output" = "blacklist i915
options vfio_pci ids=8086:3e92 " ]
}

@test "'\\\\' at a line end is a backslash, not a continuation" {
	need_kmod
	f=$(conf)
	text "$f" 'options snd a=\\\\\nblacklist i915\n'
	mc_twice "$f" 'options snd a=\\\\\nblacklist i915\n' --set 'blacklist i915'
	run -0 kmod_sees "$f" snd i915
	[ "$output" = 'blacklist i915
options snd a=\' ]
}

@test "a comment continued by a backslash hides the next line from kmod, and from us" {
	need_kmod
	f=$(conf)
	text "$f" '# iGPU \\\nblacklist i915\n'
	run -0 kmod_sees "$f" i915
	[ "$output" = "" ]
	mc_twice "$f" '# iGPU \\\nblacklist i915\nblacklist i915\n' --set 'blacklist i915'
	run -0 kmod_sees "$f" i915
	[ "$output" = "blacklist i915" ]
}

@test "a '#' after a directive is data to kmod: kept, with a warning" {
	need_kmod
	f=$(conf)
	text "$f" 'options vfio-pci ids=8086:3e92 # iGPU\n'
	mc_twice "$f" 'options vfio-pci ids=8086:3e92,10de:1b80 # iGPU\n' --merge 'options vfio-pci ids=10de:1b80'
	[ "$MC_STDERR" = "modconf-edit: $f:1: warning: '#' after a directive is not a comment: kmod reads it and what follows as part of 'vfio-pci'" ]
	run -0 kmod_sees "$f" vfio_pci
	[ "$output" = "options vfio_pci ids=8086:3e92,10de:1b80 # iGPU" ]
}

@test "an indented comment is a bad line to kmod: kept, with a warning" {
	f=$(conf)
	text "$f" '  # blacklist i915\n'
	mc_twice "$f" '  # blacklist i915\nblacklist i915\n' --set 'blacklist i915'
	[ "$MC_STDERR" = "modconf-edit: $f:1: warning: an indented '#' is not a comment to kmod, which ignores the line with an error" ]
}

@test "a modprobe.d file not named *.conf is ignored by kmod: a warning" {
	f=$(conf vfio)
	mkdir -p "${f%/*}"
	mc_twice "$f" 'blacklist i915\n' --set 'blacklist i915'
	[ "$MC_STDERR" = "modconf-edit: $f: warning: kmod reads only *.conf files in modprobe.d: it ignores this one" ]
}

@test "a file with an unknown directive or an options line without parameters: exit 2, nothing written" {
	f=$(conf)
	text "$f" 'blacklist nvidiafb\nblacklst i915\n'
	cp "$f" "$BATS_TEST_TMPDIR/before"
	run -2 --separate-stderr "$MC" -i --set 'blacklist nouveau' "$f"
	[ "$output" = "" ]
	[ "$stderr" = "modconf-edit: $f:2: unknown directive 'blacklst'" ]
	cmp "$BATS_TEST_TMPDIR/before" "$f"
	text "$f" 'options vfio-pci\n'
	run -2 --separate-stderr "$MC" --set 'blacklist nouveau' "$f"
	[ "$output" = "" ]
	[ "$stderr" = "modconf-edit: $f:1: 'options': missing arguments" ]
}

@test "a NUL byte is an error naming its line" {
	f=$(conf)
	text "$f" 'blacklist i915\nblacklist \0nouveau\n'
	run -2 --separate-stderr "$MC" --set 'blacklist i915' "$f"
	[ "$output" = "" ]
	[ "$stderr" = "modconf-edit: $f:2: NUL byte" ]
}

@test "a bad id in the file's ids= list is an error when merging into it" {
	f=$(conf)
	text "$f" 'options vfio-pci ids=8086:3g92\n'
	run -2 --separate-stderr "$MC" --merge 'options vfio-pci ids=10de:1b80' "$f"
	[ "$output" = "" ]
	[ "$stderr" = "modconf-edit: $f:1: bad id '8086:3g92' in ids=" ]
}

@test "edits that make no sense: exit 2 naming the edit, nothing on stdout" {
	f=$(fixture vfio.conf etc/modprobe.d/vfio.conf)
	for c in \
		"--set|options|'options' needs a module name" \
		"--set|options vfio-pci|'options' needs more after the module name" \
		"--set|frob vfio-pci|unknown directive 'frob'" \
		"--merge|options vfio-pci ids=8086:3e9z|bad id '8086:3e9z' (VENDOR:DEVICE in hex, e.g. 8086:3e92)" \
		"--merge|options vfio-pci ids=8086|bad id '8086' (VENDOR:DEVICE in hex, e.g. 8086:3e92)" \
		"--merge|options vfio-pci disable_vga|'disable_vga': --merge needs KEY=ITEM[,ITEM...]" \
		"--set|options vfio-pci ids=8086:3e92 # iGPU|'#' here is not a comment: kmod would read it" \
		"--set|blacklist i915 nouveau|'blacklist' takes one module name" \
		"--set|softdep i915 vfio-pci|a module before 'pre:' or 'post:'" \
		"--unmerge|blacklist i915|only --set and --del take 'blacklist'" \
		"--set|blacklist [a-b|unmatched bracket in '[a-b'" \
		"--set|options vfio-pci x=\"a b|unbalanced quote"; do
		IFS='|' read -r op arg msg <<<"$c"
		run -2 --separate-stderr "$MC" "$op" "$arg" "$f"
		[ "$output" = "" ] || { echo "$c: stdout $output"; return 1; }
		[ "$stderr" = "modconf-edit: $op '$arg': $msg" ] || { echo "$c: got $stderr"; return 1; }
	done
	cmp "$MCDATA/vfio.conf" "$f"
}

@test "bad usage: no edit, an unknown --format, -i without FILE" {
	run -2 --separate-stderr "$MC" "$BATS_TEST_TMPDIR/x"
	[ "${stderr%%$'\n'*}" = "modconf-edit: no edit given (--set, --merge, --del or --unmerge)" ]
	run -2 --separate-stderr "$MC" --format conf --set x
	[ "$stderr" = "modconf-edit: --format: 'conf': not modules, modprobe, dracut or mkinitcpio" ]
	run -2 --separate-stderr "$MC" -i --set x
	[ "$stderr" = "modconf-edit: -i needs a FILE" ]
}

@test "--help prints the usage on stdout, --version the version" {
	run -0 --separate-stderr "$MC" --help
	[ "${output%%$'\n'*}" = "usage: modconf-edit [--root DIR] [-i] [--check] [--diff] [-b[SUFFIX]] [--format FMT]" ]
	run -0 --separate-stderr "$MC" --version
	[ "${output%% *}" = "modconf-edit" ]
}

@test "-i keeps the file's mode, and does not rewrite a file the edits leave alone" {
	f=$(fixture vfio.conf etc/modprobe.d/vfio.conf)
	chmod 600 "$f"
	touch -d '2020-01-01 00:00:00' "$f"
	before=$(mtime_of "$f")
	run -0 --separate-stderr "$MC" -i --set 'options vfio-pci disable_vga=1' "$f"
	[ "$(mtime_of "$f")" = "$before" ]
	run -0 --separate-stderr "$MC" -i --set 'blacklist i915' "$f"
	[ "$(stat -c %a "$f")" = 600 ]
	[ "$(mtime_of "$f")" != "$before" ]
}

@test "-i creates a missing file 0644; --check says 1 when it would change, 0 when not" {
	f=$(conf)
	mkdir -p "${f%/*}"
	run -1 --separate-stderr "$MC" --check --set 'blacklist i915' "$f"
	[ ! -e "$f" ]
	run -0 --separate-stderr "$MC" -i --set 'blacklist i915' "$f"
	[ "$(stat -c %a "$f")" = 644 ]
	run -0 --separate-stderr "$MC" --check --set 'blacklist i915' "$f"
}

@test "-i --diff prints the change once; -b keeps the old file" {
	f=$(fixture pve-blacklist.conf etc/modprobe.d/pve-blacklist.conf)
	run -0 --separate-stderr "$MC" -i -b --diff --set 'blacklist i915' "$f"
	[ "$output" = "--- $f
+++ $f
@@ -2,3 +2,4 @@
 
 # nidiafb see bugreport https://bugzilla.proxmox.com/show_bug.cgi?id=701
 blacklist nvidiafb
+blacklist i915" ]
	cmp "$MCDATA/pve-blacklist.conf" "$f.bak"
	run -0 --separate-stderr "$MC" -i --diff --set 'blacklist i915' "$f"
	[ "$output" = "" ]
}

@test "several FILEs get the same edits, each in its own format" {
	a=$(fixture debian-modules etc/modules)
	b=$(conf)
	mkdir -p "${b%/*}"
	run -0 --separate-stderr "$MC" -i --set vfio_pci "$a"
	run -0 --separate-stderr "$MC" -i --set 'blacklist i915' "$b" "$b"
	[ "$(cat "$b")" = "blacklist i915" ]
	[ "$(tail -n 1 "$a")" = "vfio_pci" ]
}
