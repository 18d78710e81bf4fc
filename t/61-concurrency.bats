#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrent -i editors of one file: the lock serialises them, so no edit is
# lost, and the rename makes every state a reader can see a whole file.

load helper
load helper-reliability

# processes editing at once, edits each (scripts/valgrind-check runs fewer)
WRITERS=${VFIOKIT_CONC_WRITERS:-3}
EDITS=${VFIOKIT_CONC_EDITS:-60}

# reader FILE REGEX STOP OUT: read FILE whole, over and over, until STOP
# exists; every read must be one line matching REGEX, with never fewer ids
# (commas) than the read before (fewer would be an edit lost and seen).
# Writes "READS BAD" to OUT, and each bad read to OUT.bad.
reader() {
	local file=$1 re=$2 stop=$3 out=$4 content line reads=0 bad=0 n last=0
	while [ ! -e "$stop" ]; do
		content=
		IFS= read -r -d '' content <"$file" || true
		reads=$((reads + 1))
		line=${content%$'\n'}
		n=${line//[^,]/}
		if [[ "$content" != *$'\n' || "$line" == *$'\n'* || ! "$line" =~ $re ]]; then
			bad=$((bad + 1))
			printf 'not whole: [%s]\n' "$content" >>"$out.bad"
		elif [ "${#n}" -lt "$last" ]; then
			bad=$((bad + 1))
			printf 'ids went from %d to %d: [%s]\n' "$((last + 1))" "$((${#n} + 1))" "$line" >>"$out.bad"
		fi
		last=${#n}
	done
	echo "$reads $bad" >"$out"
}

# hammer FILE REGEX CMD...: $WRITERS processes each run CMD ID FILE for
# $EDITS distinct ids (w:i as hex), a reader meanwhile; then every id must
# be in FILE and the reader must have seen only whole files
hammer() {
	local file=$1 re=$2 w i stop="$BATS_TEST_TMPDIR/stop" out="$BATS_TEST_TMPDIR/reads"
	local start end lost pids=()
	shift 2
	reader "$file" "$re" "$stop" "$out" &
	local rpid=$!
	start=$(date +%s)
	for ((w = 1; w <= WRITERS; w++)); do
		(
			for ((i = 1; i <= EDITS; i++)); do
				id=$(printf '%04x:%04x' "$((0x1000 * w))" "$i")
				echo "$id" >>"$BATS_TEST_TMPDIR/ids.$w"
				"$@" "$id" "$file" 2>>"$BATS_TEST_TMPDIR/errors" ||
					echo "writer $w edit $i ($id): status $?" >>"$BATS_TEST_TMPDIR/errors"
			done
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
	end=$(date +%s)
	touch "$stop"
	wait "$rpid"

	cat "$BATS_TEST_TMPDIR"/ids.* | sort >"$BATS_TEST_TMPDIR/want"
	grep -o '[0-9a-f]\{4\}:[0-9a-f]\{4\}' "$file" | sort -u >"$BATS_TEST_TMPDIR/have"
	lost=$(comm -23 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/have" | wc -l)
	read -r reads bad <"$out"
	echo "# $(basename "$1"): $((WRITERS * EDITS)) edits by $WRITERS processes in $((end - start)) s, $lost lost; $reads reads, $bad not whole" >&3
	echo "$((WRITERS * EDITS)) $lost" >>"$BATS_FILE_TMPDIR/totals"
	[ ! -s "$BATS_TEST_TMPDIR/errors" ] || { cat "$BATS_TEST_TMPDIR/errors" >&2; return 1; }
	[ ! -s "$out.bad" ] || { head -n 5 "$out.bad" >&2; return 1; }
	[ "$lost" -eq 0 ] || { comm -23 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/have" | head >&2; return 1; }
	[ "$reads" -gt 0 ]
	[ "$bad" -eq 0 ]
	[ -z "$(temps_in "$(dirname "$file")")" ]
}

mc_merge() {
	"$MC" -i --merge "options vfio-pci ids=$1" "$2"
}

ce_merge() {
	"$CE" -i --merge "vfio-pci.ids=$1" "$2"
}

@test "modconf-edit -i --merge from $WRITERS processes at once into one modprobe.d file: no id lost, never a partial file" {
	mkdir "$BATS_TEST_TMPDIR/modprobe.d"
	F="$BATS_TEST_TMPDIR/modprobe.d/vfio.conf"
	printf 'options vfio-pci ids=8086:3e92\n' >"$F"
	hammer "$F" '^options vfio-pci ids=[0-9a-f]{4}:[0-9a-f]{4}(,[0-9a-f]{4}:[0-9a-f]{4})*$' mc_merge
	# and the file is still one line kmod reads, the first id first
	[ "$(wc -l <"$F")" -eq 1 ]
	[[ "$(cat "$F")" == "options vfio-pci ids=8086:3e92,"* ]]
}

@test "cmdline-edit -i --merge from $WRITERS processes at once into one command line: no id lost, never a partial file" {
	F="$BATS_TEST_TMPDIR/cmdline"
	printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio-pci.ids=8086:3e92\n' >"$F"
	hammer "$F" '^root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio-pci.ids=[0-9a-f]{4}:[0-9a-f]{4}(,[0-9a-f]{4}:[0-9a-f]{4})*$' ce_merge
	[ "$(wc -l <"$F")" -eq 1 ]
}

@test "concurrent editors of a file that does not exist yet: one creates it, none is lost" {
	mkdir "$BATS_TEST_TMPDIR/modprobe.d"
	F="$BATS_TEST_TMPDIR/modprobe.d/vfio.conf"
	EDITS=15	# the figures count these
	pids=()
	for ((w = 1; w <= WRITERS; w++)); do
		(
			for ((i = 1; i <= EDITS; i++)); do
				mc_merge "$(printf '%04x:%04x' "$((0x1000 * w))" "$i")" "$F" ||
					echo "writer $w edit $i: status $?" >>"$BATS_TEST_TMPDIR/errors"
			done
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ ! -s "$BATS_TEST_TMPDIR/errors" ]
	have=$(grep -o '[0-9a-f]\{4\}:[0-9a-f]\{4\}' "$F" | sort -u | wc -l)
	echo "$((WRITERS * EDITS)) $((WRITERS * EDITS - have))" >>"$BATS_FILE_TMPDIR/totals"
	[ "$have" -eq $((WRITERS * EDITS)) ]
	[ "$(wc -l <"$F")" -eq 1 ]
	[ "$(stat -c %a "$F")" = 644 ]
}

@test "the concurrency runs in figures: edits done, none lost" {
	[ -f "$BATS_FILE_TMPDIR/totals" ] || skip "no concurrent run"
	read -r edits lost < <(awk '{ e += $1; l += $2 } END { print e, l }' "$BATS_FILE_TMPDIR/totals")
	echo "# concurrency: $edits edits, $lost lost" >&3
	[ "$lost" -eq 0 ]
	[ "$edits" -eq $((2 * WRITERS * EDITS + WRITERS * 15)) ]
}
