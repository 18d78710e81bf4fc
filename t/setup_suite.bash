# SPDX-License-Identifier: GPL-2.0-or-later
# What every bats file in t/ runs with, however it is run: bats reads this
# file by itself (setup_suite.bash beside the first file named), so
# `bats t/30-pci-list.bats` alone sees what `make check` (t/run) gives the
# whole suite.  A value already in the environment wins: make check and
# make SAN=1 check pass their own.
#
#   VFIOKIT_BIN          the tools the tests run: the test build with its
#                        seams, build/std/seams/bin (make t/lib)
#   VFIOKIT_RELEASE_BIN  the release build, bin/ (make all): what make
#                        install installs, no seams

setup_suite() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
	: "${VFIOKIT_BIN:=$top/build/std/seams/bin}"
	: "${VFIOKIT_RELEASE_BIN:=$top/bin}"
	export VFIOKIT_BIN VFIOKIT_RELEASE_BIN
	if [ ! -x "$VFIOKIT_BIN/cmdline-edit" ]; then
		echo "$VFIOKIT_BIN/cmdline-edit is not built: make all units t/lib" >&2
		return 1
	fi
}
