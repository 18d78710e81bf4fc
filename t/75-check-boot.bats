#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/check-boot's own contract, the part that runs without QEMU: bad
# usage is exit 2 before anything is built; a machine where it cannot build
# says why and skips (exit 0), unless VFIOKIT_BOOT_REQUIRE=1 (CI) makes that
# a failure.  The boots themselves are `make check-boot`.

load helper

bats_require_minimum_version 1.5.0

# Hermetic: nothing of the machine's or the caller's state may change what
# check-boot does here.  Its knobs (CHECK_BOOT_*, VFIOKIT_BOOT_*) and where
# it would keep trees, disks and logs (XDG_CACHE_HOME, HOME, TMPDIR) are
# the test's own; the real cache and build/boot are never looked at.
setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	local v
	for v in $(compgen -v); do
		case $v in CHECK_BOOT_* | VFIOKIT_BOOT_*) unset "$v" ;; esac
	done
	unset XDG_CACHE_HOME
	export HOME="$BATS_TEST_TMPDIR/home" TMPDIR="$BATS_TEST_TMPDIR"
	mkdir -p "$HOME"
}

teardown() {
	[ -z "${NOBODY_TOP:-}" ] || rm -rf "$NOBODY_TOP"
}

@test "check-boot: an unknown install is bad usage, exit 2, naming it and the known ones" {
	run -2 --separate-stderr sh "$TOP/scripts/check-boot" bios floppy
	[ "$output" = "" ]
	[ "$stderr" = "check-boot: unknown install 'floppy' (one of: bios uefi)" ]
}

@test "check-boot: an unknown CHECK_BOOT_FROM phase is bad usage, exit 2" {
	CHECK_BOOT_FROM=later run -2 --separate-stderr sh "$TOP/scripts/check-boot"
	[ "$output" = "" ]
	[ "$stderr" = "check-boot: CHECK_BOOT_FROM: unknown phase 'later' (one of: install check undo)" ]
}

@test "check-boot: an unknown install in CHECK_BOOT_NESTED is bad usage, exit 2" {
	CHECK_BOOT_NESTED="bios floppy" run -2 --separate-stderr sh "$TOP/scripts/check-boot"
	[ "$output" = "" ]
	[ "$stderr" = "check-boot: CHECK_BOOT_NESTED: unknown install 'floppy' (one of: bios uefi)" ]
}

# as a user who is not root: what a machine where nothing can be built looks
# like.  nobody runs a copy of check-boot (and the harness and recipe it
# sources) in a
# directory of the test's own that nobody can read: whether nobody can reach
# this tree depends on where it was cloned (a 0700 parent, a umask of 077),
# and is no business of the test.  Skips are taken here, before `run`: a
# skip inside `run` would only end run's subshell, with status 0.
nobody_ready() {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null ||
		skip "needs root and setpriv to run as nobody"
	NOBODY_TOP=$(mktemp -d /tmp/vfio-kit-t75.XXXXXX)
	mkdir "$NOBODY_TOP/scripts" "$NOBODY_TOP/t"
	cp "$TOP/scripts/check-boot" "$TOP/scripts/qemu-harness.sh" "$NOBODY_TOP/scripts/"
	cp -R "$TOP/t/boot" "$NOBODY_TOP/t/"
	chmod -R go=u-w "$NOBODY_TOP"
	as_nobody sh -c 'test -r "$0"' "$NOBODY_TOP/scripts/check-boot" ||
		skip "nobody cannot read $NOBODY_TOP"
}

# as_nobody CMD...: CMD as nobody, in / with an environment of its own
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent sh -c 'cd / && exec "$@"' sh "$@"
}

@test "check-boot: where it cannot build, it says why and skips every install, exit 0" {
	nobody_ready
	run -0 --separate-stderr as_nobody sh "$NOBODY_TOP/scripts/check-boot"
	[ "$output" = "check-boot: SKIPPED, nothing booted: needs root (mmdebstrap --mode=root, mkfs.ext4 -d of a root-owned tree)
bios: 0 passed, 0 failed, 1 skipped (nothing to boot)
uefi: 0 passed, 0 failed, 1 skipped (nothing to boot)
check-boot: 0 passed, 0 failed, 2 skipped" ]
}

@test "check-boot: VFIOKIT_BOOT_REQUIRE=1 (CI) makes that skip a failure, exit 1" {
	nobody_ready
	run -1 --separate-stderr as_nobody env VFIOKIT_BOOT_REQUIRE=1 CHECK_BOOT_ONLY=uefi sh "$NOBODY_TOP/scripts/check-boot"
	[ "${lines[1]}" = "uefi: 0 passed, 0 failed, 1 skipped (nothing to boot)" ]
	[ "${lines[2]}" = "check-boot: VFIOKIT_BOOT_REQUIRE=1: nothing booted is a failure" ]
	[ "${lines[3]}" = "check-boot: 0 passed, 1 failed, 1 skipped" ]
}

@test "check-boot: without network and with nothing cached, every install is skipped, saying why; REQUIRE makes it exit 1" {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || skip "needs root and unshare for a network namespace of its own"
	unshare -n true 2>/dev/null || skip "cannot make a network namespace here"
	# its own cache and work directory: a real run's disks and logs stay
	run -1 --separate-stderr unshare -n env VFIOKIT_BOOT_REQUIRE=1 VFIOKIT_BOOT_CACHE="$BATS_TEST_TMPDIR/cache" \
		VFIOKIT_BOOT_WORK="$BATS_TEST_TMPDIR/work" sh "$TOP/scripts/check-boot"
	[ "${lines[-1]}" = "check-boot: 0 passed, 1 failed, 2 skipped" ]
	[ "${lines[-2]}" = "check-boot: VFIOKIT_BOOT_REQUIRE=1: nothing booted is a failure" ]
	printf '%s\n' "${lines[@]}" | grep -qx "bios: 0 passed, 0 failed, 1 skipped.*"
	printf '%s\n' "${lines[@]}" | grep -qx "uefi: 0 passed, 0 failed, 1 skipped.*"
	# why: the download that failed (a tree cannot be built), or the
	# packages that could not be installed
	[[ "$output$stderr" == *"no network?"* ]]
	# nothing booted, and no tree left half-built in the cache
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/cache")" ]
}
