# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# t/lanes.sh: the test files and unit runners as a queue of jobs, run in
# lanes at once (one per core), each result printed whole as it ends, and
# counted the same way however it ran.  Sourced by t/run (make check) and
# scripts/valgrind-check (make valgrind).
#
# An entry is one bats file or one unit runner ("unit PATH"); a job is one
# or more entries that run one after the other in a lane (files that must
# never run at once, say those that run make in the tree, share a job).
# The queue is ORDER's lines first (longest first, by measured times), then
# the files ORDER does not name, then the units: nothing is ever dropped.
#
#   lanes_plan WORK ORDER "FILE..." "UNIT..."   WORK/entries, WORK/jobs
#   lanes_run WORK LANES FUNC                   FUNC ENTRY LANE, for each
#                                               entry, LANES jobs at once
#   lanes_exec WORK ENTRY CMD...                CMD, its output kept in
#                                               WORK/ENTRY/out (and shown
#                                               as it comes when
#                                               LANES_STREAM=1), status in
#                                               /rc, seconds in /secs
#   lanes_print WORK TEXT                       TEXT and a newline, whole
#   lanes_tally WORK ENTRY                      adds the entry's results to
#                                               lanes_passed, lanes_failed,
#                                               lanes_skipped
#
# A lane claims a job with an atomic mkdir, so each runs once; jobs share
# no state but what their tests share (each bats test has its own tmpdir).

lanes_passed=0 lanes_failed=0 lanes_skipped=0

# lanes_plan WORK ORDER FILES UNITS
lanes_plan() {
	_lw=$1 _lfiles=" $3 " _lnamed=" " _ln=0
	: >"$_lw/entries" && : >"$_lw/jobs" || return 1
	for _lline in $(printf '%s\n' "$2" | tr ' ' ','); do
		_ljob=
		for _lf in $(printf '%s\n' "$_lline" | tr ',' ' '); do
			_lnamed="$_lnamed$_lf "
			case $_lfiles in *" $_lf "*)
				_ln=$((_ln + 1))
				echo "$_lf" >>"$_lw/entries"
				_ljob="$_ljob $_ln"
				;;
			esac
		done
		[ -z "$_ljob" ] || echo "${_ljob# }" >>"$_lw/jobs"
	done
	for _lf in $3; do
		case $_lnamed in *" $_lf "*) continue ;; esac
		_ln=$((_ln + 1))
		echo "$_lf" >>"$_lw/entries"
		echo "$_ln" >>"$_lw/jobs"
	done
	for _lf in $4; do
		_ln=$((_ln + 1))
		echo "unit $_lf" >>"$_lw/entries"
		echo "$_ln" >>"$_lw/jobs"
	done
	_li=1
	while [ "$_li" -le "$_ln" ]; do
		mkdir "$_lw/$_li" || return 1
		_li=$((_li + 1))
	done
}

# lanes_entry WORK ENTRY: the entry's line ("t/NN-x.bats" or "unit PATH")
lanes_entry() {
	sed -n "${2}p" "$1/entries"
}

# lanes_run WORK LANES FUNC
lanes_run() {
	_lnjobs=$(wc -l <"$1/jobs")
	_ll=1
	while [ "$_ll" -le "$2" ]; do
		(
			_lj=1
			while [ "$_lj" -le "$_lnjobs" ]; do
				if mkdir "$1/claim.$_lj" 2>/dev/null; then
					for _le in $(sed -n "${_lj}p" "$1/jobs"); do
						"$3" "$_le" "$_ll"
					done
				fi
				_lj=$((_lj + 1))
			done
		) &
		_ll=$((_ll + 1))
	done
	wait
}

# lanes_exec WORK ENTRY CMD...
lanes_exec() {
	_lw=$1 _le=$2
	shift 2
	_lt0=$(date +%s)
	if [ "${LANES_STREAM:-0}" = 1 ]; then
		echo 2 >"$_lw/$_le/rc"
		{ "$@" 2>&1; echo $? >"$_lw/$_le/rc"; } | tee "$_lw/$_le/out"
	else
		"$@" >"$_lw/$_le/out" 2>&1
		echo $? >"$_lw/$_le/rc"
	fi
	echo $(($(date +%s) - _lt0)) >"$_lw/$_le/secs"
}

# lanes_print WORK TEXT: lanes ending together do not mix their words
lanes_print() {
	until mkdir "$1/print.lock" 2>/dev/null; do sleep 0.1; done
	printf '%s\n' "$2"
	rmdir "$1/print.lock"
}

# lanes_tally WORK ENTRY.  A unit runner ends with "N passed, N failed";
# a bats file is TAP.  Bats itself failing (a syntax error, a file cut
# short) must not pass silently: no plan, fewer results than planned, or
# a failing status with no failed test each count as one failure; so does
# a unit runner that did not finish or failed with no failed test.
lanes_tally() {
	_lout=$1/$2/out
	_lrc=$(cat "$1/$2/rc" 2>/dev/null || echo none)
	_lname=$(lanes_entry "$1" "$2")
	case $_lname in
	unit\ *)
		_llast=$(tail -n 1 "$_lout")
		_lp=$(echo "$_llast" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
		_lf=$(echo "$_llast" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
		if [ -z "$_lp" ]; then
			echo "# ${_lname#unit } did not finish (status $_lrc)"
			lanes_failed=$((lanes_failed + 1))
			return
		fi
		lanes_passed=$((lanes_passed + _lp)) lanes_failed=$((lanes_failed + _lf))
		[ "$_lrc" = 0 ] || [ "$_lf" -gt 0 ] || lanes_failed=$((lanes_failed + 1))
		;;
	*)
		_lp=$(grep -c '^ok ' "$_lout")
		_ls=$(grep -c '^ok .* # skip' "$_lout")
		_lf=$(grep -c '^not ok ' "$_lout")
		_lplan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$_lout" | head -n 1)
		lanes_passed=$((lanes_passed + _lp - _ls))
		lanes_skipped=$((lanes_skipped + _ls)) lanes_failed=$((lanes_failed + _lf))
		if [ -z "$_lplan" ]; then
			echo "# $_lname: bats did not run it (status $_lrc)"
			lanes_failed=$((lanes_failed + 1))
		elif [ $((_lp + _lf)) -lt "$_lplan" ]; then
			echo "# $_lname: $((_lp + _lf)) results of the $_lplan planned (status $_lrc)"
			lanes_failed=$((lanes_failed + 1))
		elif [ "$_lrc" != 0 ] && [ "$_lf" -eq 0 ]; then
			echo "# $_lname: bats exited $_lrc, yet no test failed"
			lanes_failed=$((lanes_failed + 1))
		fi
		;;
	esac
}
