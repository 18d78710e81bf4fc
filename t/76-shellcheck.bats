#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell the kit runs or ships passes shellcheck at warning level: the
# guide's script (vfio-passthrough), its completion, and every script that
# builds, tests or checks it (scripts/, t/run, t/vm, t/boot, .ci/run).  The
# bats files and their helpers are left out: bats defines what they use.
# A finding shellcheck cannot see past is disabled where it is, with why.

load helper

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	command -v shellcheck >/dev/null || skip "shellcheck is not installed (apt-get install shellcheck; .ci/run does)"
}

# every file under scripts/ (but the man page and data) that starts as a
# shell script (its first line past the SPDX licence line), and the test
# and CI drivers
sh_scripts() {
	local f
	for f in "$TOP"/scripts/* "$TOP"/t/run "$TOP"/t/*.sh "$TOP"/t/vm/*.sh "$TOP"/t/boot/*.sh "$TOP"/.ci/run; do
		[ -f "$f" ] || continue
		case $(grep -v -m 1 '^# SPDX-License-Identifier:' "$f") in
		'#!/bin/sh'* | '# shellcheck shell=sh'*) echo "$f" ;;
		esac
	done
}

@test "shellcheck -S warning: every sh script of the kit, its tests and CI" {
	mapfile -t files < <(sh_scripts)
	# the ones that must be there: a glob gone wrong must not pass by checking nothing
	for f in scripts/passthrough scripts/check-boot scripts/check-vm scripts/qemu-harness.sh scripts/mkdeb \
		t/run t/lanes.sh t/boot/guest.sh t/boot/recipe.sh .ci/run; do
		printf '%s\n' "${files[@]}" | grep -qFx "$TOP/$f" || { echo "not checked: $f"; return 1; }
	done
	run shellcheck -S warning -s sh "${files[@]}"
	[ "$status" -eq 0 ] || { printf '%s\n' "$output"; return 1; }
}

@test "shellcheck -S warning: the bash completion" {
	run shellcheck -S warning -s bash "$TOP/scripts/completion/vfio-kit.bash"
	[ "$status" -eq 0 ] || { printf '%s\n' "$output"; return 1; }
}
