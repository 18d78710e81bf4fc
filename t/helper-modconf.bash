# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the modconf-edit tests: load helper-modconf
bats_require_minimum_version 1.5.0

# VFIOKIT_BIN, the tools under test: setup_suite.bash
MCDATA="$BATS_TEST_DIRNAME/data/modconf"
MC="$VFIOKIT_BIN/modconf-edit"

# fixture NAME [DEST]: copy t/data/modconf/NAME to DEST (relative to the
# test's tmpdir, default NAME), creating directories; prints the path
fixture() {
	local dest="$BATS_TEST_TMPDIR/${2:-$1}"
	mkdir -p "$(dirname "$dest")"
	cp "$MCDATA/$1" "$dest"
	printf '%s\n' "$dest"
}

# text PATH FORMAT: write printf '%b' FORMAT to PATH (\n, \r, \\ understood)
text() {
	mkdir -p "$(dirname "$1")"
	printf '%b' "$2" >"$1"
}

# mc_twice FILE WANT ARGS...: modconf-edit -i ARGS FILE must leave FILE
# byte for byte as printf '%b' WANT, print nothing on stdout, and a second
# run must find nothing to change (--check 0, -i leaves the bytes).  The
# first run's stderr is left in $MC_STDERR.
mc_twice() {
	local file=$1 want=$2
	shift 2
	printf '%b' "$want" >"$BATS_TEST_TMPDIR/want"
	run -0 --separate-stderr "$MC" -i "$@" "$file"
	MC_STDERR=$stderr
	[ -z "$output" ] || { echo "unexpected stdout: $output"; return 1; }
	diff -u "$BATS_TEST_TMPDIR/want" "$file" || return 1
	run -0 --separate-stderr "$MC" --check "$@" "$file"
	run -0 --separate-stderr "$MC" -i "$@" "$file"
	diff -u "$BATS_TEST_TMPDIR/want" "$file" || { echo "second run changed it"; return 1; }
}

# need_kmod: the oracle is kmod's own parser; skip without it
need_kmod() {
	MODPROBE=$(command -v modprobe || ls /usr/sbin/modprobe /sbin/modprobe 2>/dev/null | head -n 1)
	[ -n "$MODPROBE" ] || skip "kmod's modprobe is not installed (apt-get install kmod): no oracle"
}

# kmod_sees FILE MODULE...: what `modprobe -c -C FILE` makes of FILE for
# these modules (names as kmod prints them, with '_'): the lines whose
# module (alias: target) is one of them, less what this host's kernel
# command line adds (options from /proc/cmdline are printed too)
kmod_sees() {
	local f=$1
	shift
	: >"$BATS_TEST_TMPDIR/empty.conf"
	"$MODPROBE" -c -C "$BATS_TEST_TMPDIR/empty.conf" 2>/dev/null >"$BATS_TEST_TMPDIR/kmod-base"
	"$MODPROBE" -c -C "$f" 2>/dev/null | grep -vxF -f "$BATS_TEST_TMPDIR/kmod-base" |
		awk -v mods="$*" 'BEGIN { n = split(mods, m, " "); for (i = 1; i <= n; i++) want[m[i]] = 1 }
			($1 == "alias" && ($3 in want)) || ($1 != "alias" && ($2 in want))'
}

# mtime_of FILE: modification time with nanoseconds
mtime_of() {
	stat -c %y "$1"
}
