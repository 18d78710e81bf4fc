# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by every t/*.bats: load helper
bats_require_minimum_version 1.5.0

# VFIOKIT_BIN, the tools under test: setup_suite.bash
DATA="$BATS_TEST_DIRNAME/data"
CE="$VFIOKIT_BIN/cmdline-edit"

# ce_twice EXPECTED ARGS...: stdin line through cmdline-edit must give EXPECTED,
# and a second pass over that output must give it again (idempotence).
ce_twice() {
	local want=$1 input=$2
	shift 2
	run -0 --separate-stderr "$CE" "$@" <<<"$input"
	if [ "$output" != "$want" ]; then
		printf 'first pass:\n  got:  [%s]\n  want: [%s]\n' "$output" "$want" >&2
		return 1
	fi
	run -0 --separate-stderr "$CE" "$@" <<<"$want"
	if [ "$output" != "$want" ]; then
		printf 'second pass changed it:\n  got:  [%s]\n  want: [%s]\n' "$output" "$want" >&2
		return 1
	fi
}

# grub_value FILE [VAR]: what grub-mkconfig sees: the file sourced by sh
grub_value() {
	sh -c '. "$1" >/dev/null 2>&1; eval "printf %s \"\${$2}\""' sh "$1" "${2:-GRUB_CMDLINE_LINUX_DEFAULT}"
}

# mtime_of FILE: modification time with nanoseconds
mtime_of() {
	stat -c %y "$1"
}
