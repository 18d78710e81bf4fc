# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by t/60-faults, t/61-concurrency, t/62-hostile: load helper-reliability
# (after load helper).

MC="$VFIOKIT_BIN/modconf-edit"

# is_asan BIN: the binary is built with AddressSanitizer (make SAN=1): its
# runtime wants to come first in LD_PRELOAD and maps terabytes of shadow
# memory, so a ulimit -v would kill it
is_asan() {
	nm -D "$1" 2>/dev/null | grep -q '__asan_init' ||
		nm "$1" 2>/dev/null | grep -q '__asan_init'
}

# fault_lib: path of faultinject.so for the tools under test, built by
# `make check` into $(BUILD)/t/lib; run alone (bats t/60-faults.bats) it is
# compiled into the file's tmpdir.  Empty output when there is no compiler.
fault_lib() {
	local u c
	if [ -n "${VFIOKIT_FAULTLIB:-}" ]; then
		printf '%s\n' "$VFIOKIT_FAULTLIB"
		return
	fi
	for u in ${VFIOKIT_UNITS:-}; do
		c="${u%/t/unit/*}/t/lib/faultinject.so"
		if [ -f "$c" ]; then
			printf '%s\n' "$c"
			return
		fi
		break
	done
	for c in "$VFIOKIT_BIN/../t/lib/faultinject.so" \
		"$BATS_TEST_DIRNAME/../build/std/t/lib/faultinject.so"; do
		if [ -f "$c" ] && [ "$c" -nt "$BATS_TEST_DIRNAME/lib/faultinject.c" ]; then
			printf '%s\n' "$c"
			return
		fi
	done
	c="$BATS_FILE_TMPDIR/faultinject.so"
	[ -f "$c" ] || "${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared \
		-o "$c" "$BATS_TEST_DIRNAME/lib/faultinject.c" -ldl >&2 || return 0
	printf '%s\n' "$c"
}

# temps_in DIR: the editing tools' temporary files (.NAME.XXXXXX~) left in DIR
temps_in() {
	find "$1" -maxdepth 1 -name '.*~' -printf '%f\n'
}
