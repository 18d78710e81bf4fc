# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package in a fresh root, for t/73-ansible.bats and t/74-deb.bats:
# dpkg --root works on a root of its own, never on the host's dpkg database.

# deb_tools_missing: why make deb cannot run here, or nothing
deb_tools_missing() {
	local c
	for c in dpkg dpkg-deb dpkg-shlibdeps dpkg-gencontrol dpkg-buildflags; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c is not installed (apt-get install dpkg-dev)"; return; }
	done
}

# build_deb DIR: make deb with DIR as DEBDIR; prints the .deb's path
build_deb() {
	make -s -C "$TOP" DEBDIR="$1" deb >"$1/make-deb.log" 2>&1 || { cat "$1/make-deb.log" >&2; return 1; }
	tail -n 1 "$1/make-deb.log"
}

# fresh_root ROOT: an empty root with an empty dpkg database, in which the
# host's libc6 and what it depends on are recorded as installed (their
# stanzas from the host's status file, no files): the package's Depends,
# as dpkg-shlibdeps wrote them, must be satisfied by the host's real libc6
fresh_root() {
	local r=$1 todo=libc6 seen=' ' p deps
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
	: >"$r/var/lib/dpkg/status"
	while [ -n "$todo" ]; do
		# shellcheck disable=SC2086 # package names, one word each
		set -- $todo
		p=$1
		shift
		todo="$*"
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		dpkg-query -s "$p" >>"$r/var/lib/dpkg/status" 2>/dev/null || continue
		echo >>"$r/var/lib/dpkg/status"
		# an empty file list (dpkg names it pkg:arch.list for Multi-Arch: same)
		dpkg-query -W -f='${binary:Package}\n' "$p" | while read -r b; do
			: >"$r/var/lib/dpkg/info/$b.list"
		done
		# every name in Depends and Pre-Depends, alternatives and versions aside
		deps=$(dpkg-query -W -f='${Depends},${Pre-Depends}\n' "$p" | tr ',|' '\n\n' |
			sed -e 's/(.*//' -e 's/:any//' -e 's/[[:space:]]//g' | grep . || :)
		todo="$todo $deps"
	done
}

# root_files ROOT: every path under ROOT but dpkg's own database, sorted
root_files() {
	(cd "$1" && find . -path ./var/lib/dpkg -prune -o -print) | LC_ALL=C sort
}
