# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# scripts/qemu-harness.sh: what scripts/check-vm and scripts/check-boot share,
# written once and sourced by both from the top of the tree, with prog set:
# the host's packages (QEMU and the compiler, installed from Debian's when
# missing), the kernel package Debian's linux-image-amd64 depends on, a cache
# of what was built from it, QEMU under software emulation with its serial
# console kept as a log, the console's TAP lines counted and shown, lanes
# that run the units (guests, installs) one per CPU, and the skip, failure
# and closing lines of the output contract:
#
#   PROG: SKIPPED, NONE: WHY         nothing could run (skip_all)
#   UNIT: N passed, N failed, N skipped (...)   one per unit (h_add)
#   PROG: N passed, N failed, N skipped         the closing line (h_close)
#
# A run where nothing ran is a failure when the script's REQUIRE variable
# is 1 (CI, which must not pass unseen).  say, now, die and skip_all keep
# the names both scripts gave them; the harness's other names start with h_.
prog=${prog:?the sourcing script sets prog}
PATH=$PATH:/sbin:/usr/sbin
export PATH
h_t0=$(date +%s) h_units='' h_none='' h_unit_none='' h_require_var='' h_require=0
h_passed=0 h_failed=0 h_skipped=0 h_missing=''

now() { date +%s; }
say() { printf '%s: %s\n' "$prog" "$*"; }
# seconds since the script started
h_elapsed() { echo $(($(now) - h_t0)); }

# h_init UNITS NONE UNIT-NONE REQUIRE-VAR: the units this run takes, what a
# skip says of the run and of each unit, the variable that makes it a failure
h_init() {
	h_units=$1 h_none=$2 h_unit_none=$3 h_require_var=$4
	eval "h_require=\${$4:-0}"
}

# h_known WHERE WHAT ALL NAME...: each NAME is one of ALL, or bad usage (exit 2)
h_known() {
	h_where=$1 h_what=$2 h_all=$3
	shift 3
	for h_n in "$@"; do
		case " $h_all " in *" $h_n "*) ;;
		*) say "${h_where:+$h_where: }unknown $h_what '$h_n' (one of: $h_all)" >&2; exit 2 ;;
		esac
	done
}

# nothing can run: every unit is skipped, saying why; exit 0, or 1 with REQUIRE
skip_all() {
	say "SKIPPED, $h_none: $*"
	for h_u in $h_units; do h_add "$h_u" 0 0 1 " ($h_unit_none)"; done
	h_close
}

die() { say "$*" >&2; echo "$prog: 0 passed, 1 failed, 0 skipped"; exit 1; }

# --- host packages: h_need CMD PKG / h_want PKG, then h_install ------------

h_want() { h_missing="$h_missing $1"; }
h_need() { command -v "$1" >/dev/null 2>&1 || h_want "$2"; }
# QEMU and gcc (the guests' static helper) always, and what was wanted
h_install() {
	h_need qemu-system-x86_64 qemu-system-x86
	h_need gcc gcc
	[ -n "$h_missing" ] || return 0
	[ "$(id -u)" -eq 0 ] || skip_all "missing packages:$h_missing (not root, cannot install)"
	say "installing$h_missing"
	h_log=${TMPDIR:-/tmp}/$prog-apt.log
	# shellcheck disable=SC2086 # a list of package names
	if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $h_missing; } \
		>"$h_log" 2>&1; then
		tail -n 5 "$h_log" >&2
		skip_all "cannot install$h_missing (apt-get failed: no network?)"
	fi
	h_missing=
}

# --- the kernel package and a cache of what is built from it ---------------

# the package linux-image-amd64 depends on (linux-image-REL), or nothing:
# without package lists, they are fetched once (as root)
h_kernel_pkg() {
	h_kp=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$h_kp" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -q >/dev/null 2>&1
		h_kp=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	fi
	echo "$h_kp"
}

# A cache entry is a directory made whole under a temporary name, then given
# its own with a .done file inside (h_keep); a half-made one has none.
# h_newest CACHE PREFIX [DONE]: the newest entry CACHE/PREFIX* (its .done
# holding DONE, when given), or nothing
h_newest() {
	for h_d in "$1/$2"*/.done; do
		[ -f "$h_d" ] || continue
		[ $# -lt 3 ] || [ "$(cat "$h_d")" = "$3" ] || continue
		basename "${h_d%/.done}"
	done | sort -V | tail -n 1
}
# h_keep TMP CACHE PREFIX KEY DONE: TMP becomes the entry CACHE/PREFIXKEY,
# and the entries CACHE/PREFIX* it replaces (older recipes, kernels) go
h_keep() {
	echo "$5" >"$1/.done" && rm -rf "${2:?}/$3$4" && mv "$1" "$2/$3$4" || return 1
	for h_d in "$2/$3"*/.done; do
		[ -f "$h_d" ] && [ "${h_d%/.done}" != "$2/$3$4" ] && rm -rf "${h_d%/.done}"
	done
	return 0
}

# the guests' own helper (t/vm/vmhelper.c), static: it runs in any guest
h_vmhelper() {
	gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -static -o "$1" t/vm/vmhelper.c
}

# --- QEMU ------------------------------------------------------------------

# h_qemu [-n] DIR NAME TIMEOUT QEMU-ARGS...: one boot of a q35 machine under
# software emulation (-accel tcg: KVM is not usable on the nested CI
# machines), no NIC but those asked for, at most TIMEOUT seconds (-n: nice).
# The serial console is DIR/NAME.log, carriage returns and the firmware's and
# kernel's terminal codes taken out (CSI sequences and the two-byte ones: an
# ESC c glued itself to the first "ok"); QEMU's exit status is DIR/NAME.rc
# (124: timed out), the seconds taken DIR/NAME.secs.
h_qemu() {
	h_nice=
	[ "$1" = -n ] && { h_nice="nice"; shift; }
	h_dir=$1 h_name=$2 h_timeout=$3
	shift 3
	h_q0=$(now)
	timeout "$h_timeout" $h_nice qemu-system-x86_64 -machine q35,kernel-irqchip=split -accel tcg \
		-nographic -no-reboot -nic none "$@" </dev/null >"$h_dir/$h_name.raw" 2>&1
	echo $? >"$h_dir/$h_name.rc"
	echo $(($(now) - h_q0)) >"$h_dir/$h_name.secs"
	tr -d '\r' <"$h_dir/$h_name.raw" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[a-zA-Z]//g' \
		>"$h_dir/$h_name.log" && rm -f "$h_dir/$h_name.raw"
}

# h_jobs N: the units to run at once: N (default: the CPUs), at most one a unit
h_jobs() {
	h_j=${1:-$(nproc 2>/dev/null || echo 1)}
	# shellcheck disable=SC2086 # the list of units
	h_n=$(set -- $h_units; echo $#)
	[ "$h_j" -le "$h_n" ] || h_j=$h_n
	echo "$h_j"
}

# h_lanes JOBS CLAIMS FUNC: FUNC UNIT for every unit, in JOBS lanes side by
# side.  TCG runs a guest's CPU on one host thread: one lane per CPU, each
# lane taking the next unit nobody has taken yet (mkdir CLAIMS/UNIT is the
# atomic claim), so a lane slowed by other work on the machine takes fewer
h_lanes() {
	rm -rf "$2" && mkdir "$2" || die "cannot create $2"
	h_k=0
	for h_u in $h_units; do
		[ "$h_k" -lt "$1" ] || break
		h_lane "$2" "$3" &
		h_k=$((h_k + 1))
	done
	wait
}
h_lane() {
	for h_lu in $h_units; do
		mkdir "$1/$h_lu" 2>/dev/null && "$2" "$h_lu"
	done
}

# --- the console's verdict -------------------------------------------------

# h_count LOG: "PASSED FAILED SKIPPED", LOG's TAP lines counted
h_count() {
	h_p=$(grep -c '^ok ' "$1") h_s=$(grep -c '^ok .* # skip' "$1") h_f=$(grep -c '^not ok ' "$1")
	echo "$((h_p - h_s)) $h_f $h_s"
}

# h_show LOG: each failed assertion and the evidence lines after it (with
# verbose set: every assertion)
h_show() {
	if [ -n "${verbose:-}" ]; then
		grep -E '^(not )?ok |^#' "$1"
	else
		awk '/^not ok / { on = 1; print; next } /^ok / { on = 0; next } on && /^#/' "$1"
	fi
}

# h_tail LOG: the console's last lines that are not the assertions', to show
# where a boot stopped
h_tail() {
	grep -vE '^(not )?ok |^#' "$1" | tail -n 25 | sed 's/^/#   /'
}

# h_add UNIT PASSED FAILED SKIPPED [SUFFIX]: the unit's line, counted in
h_add() {
	echo "$1: $2 passed, $3 failed, $4 skipped${5:-}"
	h_passed=$((h_passed + $2)) h_failed=$((h_failed + $3)) h_skipped=$((h_skipped + $4))
}

# one failure that is no unit's (a build)
h_fail() { h_failed=$((h_failed + 1)); }

# the closing line and the exit status: 1 when anything failed, or when
# nothing passed or failed and REQUIRE is set
h_close() {
	if [ "$h_passed" -eq 0 ] && [ "$h_failed" -eq 0 ] && [ "$h_require" = 1 ]; then
		say "$h_require_var=1: nothing booted is a failure"
		h_failed=1
	fi
	echo "$prog: $h_passed passed, $h_failed failed, $h_skipped skipped"
	[ "$h_failed" -eq 0 ] && exit 0
	exit 1
}
