#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages: each renders with no warning from man-db and groff, has the
# sections a page needs, a SYNOPSIS that is the tool's usage line, and
# EXAMPLES that are true.
#
# How examples are run.  In EXAMPLES, each .EX/.EE block is one example: its
# lines starting with "$ " are commands (a line ending in a backslash goes on
# to the next), every other line is what they print on stdout, in order.
# The commands of a block run in one bash, in order, on a fresh copy of an
# example host (t/data/hosts/proxmox-igpu, or the one a roff comment
# '.\" example host: NAME' before the block names), so that:
#   - a word starting with /etc/ /proc/ /sys/ /boot/ /lib/ /usr/ is taken
#     under the copy, and /mnt (an image mounted for --root) is the copy;
#   - pci-list, modalias-of, iommu-check, boot-refresh and vfio-passthrough
#     are given --root COPY (as if the copy were /), cmdline-edit and
#     modconf-edit are run as they are (their operands are files) but refuse
#     an absolute operand outside the copy, and a redirection to a system
#     path fails the test, so no example can write to this machine's /etc;
#   - the copy's path is taken out of what they print;
#   - every command must exit 0 or 1 (1 is an answer: --check, a filter).
# Boot-loader commands are the hosts' stand-ins (VFIOKIT_NO_CHROOT=1).
# An example that cannot run there is listed in SKIPS below with the reason.

load helper

PAGES="pci-list modalias-of iommu-check cmdline-edit modconf-edit boot-refresh vfio-plan vfio-passthrough"
SECTIONS="NAME|SYNOPSIS|DESCRIPTION|OPTIONS|EXIT STATUS|FILES|EXAMPLES|SEE ALSO"

# PAGE|first command of the block (as rendered)|why it cannot run here
SKIPS="modconf-edit|modprobe -c -C /etc/modprobe.d/vfio.conf | grep vfio_pci|modprobe is kmod's: it adds the running kernel's modules.alias, not the example host's
boot-refresh|f=\$(boot-refresh --detect | awk '\$1==\"cmdline-file\"{print \$2}')|the file name comes from boot-refresh's output at run time, where the example host's path cannot be put in
vfio-passthrough|vfio-passthrough --group 10de:1b80|the example hosts have no discrete GPU with an HDMI audio function"

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	command -v man >/dev/null && command -v groff >/dev/null ||
		skip "man and groff are not installed (apt-get install man-db groff-base)"
	BIN=$(cd "$VFIOKIT_BIN" && pwd)
	for t in pci-list modalias-of iommu-check cmdline-edit modconf-edit boot-refresh vfio-plan; do
		[ -x "$BIN/$t" ] || { echo "$BIN/$t is not built (make)" >&2; return 1; }
	done
}

# page NAME: the page, beside its source (scripts/passthrough's in scripts/)
page() {
	if [ "$1" = vfio-passthrough ]; then echo "$TOP/scripts/$1.1"; else echo "$TOP/cmd/$1.1"; fi
}

# usage_of NAME: the usage line of the command, without "usage: NAME "
usage_of() {
	local p="$BIN/$1" n=$1
	[ "$1" != vfio-passthrough ] || { p="$TOP/scripts/passthrough"; n=passthrough; }
	"$p" --help | awk 'NR == 1 || /^[ \t]/ { print } NR > 1 && !/^[ \t]/ { exit }' |
		tr -s ' \t\n' '   ' | sed "s/^usage: $n //; s/ *\$//"
}

# synopsis_of NAME: the page's SYNOPSIS rendered on one line, without NAME
synopsis_of() {
	LC_ALL=C MANWIDTH=1000 man -l "$(page "$1")" 2>/dev/null |
		awk '/^SYNOPSIS/ { on = 1; next } on && /^[A-Z]/ { exit } on' |
		tr -s ' \t\n' '   ' | sed "s/^ *$1 //; s/ *\$//"
}

@test "every page is installed by make install and has a SYNOPSIS to compare" {
	for p in $PAGES; do [ -f "$(page "$p")" ] || { echo "no $(page "$p")"; return 1; }; done
	for t in "$TOP"/cmd/*.c; do
		t=${t##*/}
		[[ " $PAGES " == *" ${t%.c} "* ]] || { echo "no page listed for ${t%.c}"; return 1; }
	done
}

@test "no page carries a control character but a newline or a TAB (a form feed where \\fR was meant rendered as ^L)" {
	for p in $PAGES; do
		if LC_ALL=C grep -nP '[\x00-\x08\x0b-\x1f\x7f]' "$(page "$p")"; then
			echo "control character in $(page "$p")"
			return 1
		fi
	done
}

# render_ok NAME: man-db and groff say nothing
render_ok() {
	run -0 --separate-stderr env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$(page "$1")"
	[ "$stderr" = "" ] || { echo "$stderr"; return 1; }
	[ -n "$output" ]
}

# sections_ok NAME: each needed section, in this order
sections_ok() {
	sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$(page "$1")" |
		grep -xE "$SECTIONS" >"$BATS_TEST_TMPDIR/got"
	tr '|' '\n' <<<"$SECTIONS" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

synopsis_ok() {
	local u s
	u=$(usage_of "$1")
	s=$(synopsis_of "$1")
	[ -n "$u" ] && [ "$u" = "$s" ] || { printf 'usage:    %s\nsynopsis: %s\n' "$u" "$s"; return 1; }
}

# extract NAME DIR: the page's examples as DIR/N.host, DIR/N.cmd.K, DIR/N.want
extract() {
	mkdir -p "$2"
	awk -v dir="$2" '
	function unroff(s,   out, c, i) {
		gsub(/\\e/, "\001", s); gsub(/\\-/, "-", s); gsub(/\\\(aq/, "\047", s)
		gsub(/\\\(dq/, "\"", s); gsub(/\\\(ti/, "~", s); gsub(/\\\(ha/, "^", s)
		gsub(/\\\(ga/, "`", s); gsub(/\\&/, "", s); gsub(/\\f[BIRP]/, "", s)
		if (index(s, "\\")) { print FILENAME ":" FNR ": unknown escape in an example" > "/dev/stderr"; bad = 1 }
		gsub(/\001/, "\\", s)
		return s
	}
	/^\.SH/ { ex = ($0 ~ /^\.SH EXAMPLES/); next }
	!ex { next }
	/^\.\\" example host: / { host = $4; next }
	/^\.nf/ { print FILENAME ":" FNR ": .nf in EXAMPLES: examples go in .EX/.EE" > "/dev/stderr"; bad = 1 }
	/^\.EX/ { n++; k = 0; inb = 1; cont = 0
		print (host == "" ? "proxmox-igpu" : host) > (dir "/" n ".host")
		printf "" > (dir "/" n ".want"); host = ""; next }
	/^\.EE/ { if (!k) { print FILENAME ":" FNR ": an example block with no \"$ \" command" > "/dev/stderr"; bad = 1 }
		inb = 0; next }
	!inb { next }
	/^\./ && !/^\.\\"/ { print FILENAME ":" FNR ": a request inside an example" > "/dev/stderr"; bad = 1; next }
	{
		line = unroff($0)
		if (cont) { print line >> (dir "/" n ".cmd." k) }
		else if (substr(line, 1, 2) == "$ ") { k++; print substr(line, 3) > (dir "/" n ".cmd." k) }
		else { print line >> (dir "/" n ".want") }
		cont = (line ~ /\\$/)
	}
	END { exit bad }' "$(page "$1")"
}

# skip_reason NAME FIRSTCMD: the reason listed in SKIPS, if any
skip_reason() {
	local l rest
	while IFS= read -r l; do
		rest=${l#*|}
		[ "${l%%|*}" = "$1" ] && [ "${rest%|*}" = "$2" ] && { echo "${rest##*|}"; return 0; }
	done <<<"$SKIPS"
	return 1
}

# the wrappers an example runs with
prelude() {
	cat <<-'EOF'
	__guard() {	# an editing tool's operands must lie in the copy
		local a
		for a; do
			case $a in
			/dev/null | /dev/stdin | "$R" | "$R"/*) ;;
			/*) echo "example: $a is outside the example host" >&2; return 99 ;;
			esac
		done
	}
	__rooted() {	# the copy as the root, unless the example names one (a second --root is refused)
		local a
		for a in "${@:2}"; do
			case $a in --root|--root=*) "$@"; return ;; esac
		done
		"$1" --root "$R" "${@:2}"
	}
	pci-list() { __rooted "$BIN/pci-list" "$@"; }
	modalias-of() { __rooted "$BIN/modalias-of" "$@"; }
	iommu-check() { __rooted "$BIN/iommu-check" "$@"; }
	boot-refresh() { __rooted "$BIN/boot-refresh" "$@"; }
	vfio-plan() { __rooted "$BIN/vfio-plan" "$@"; }
	vfio-passthrough() { VFIOKIT_BIN=$BIN __rooted "$VP" "$@"; }
	cmdline-edit() { __guard "$@" && "$BIN/cmdline-edit" "$@"; }
	modconf-edit() { __guard "$@" && "$BIN/modconf-edit" "$@"; }
	EOF
}

# examples_ok NAME: run every example of the page, compare what it prints
examples_ok() {
	local d="$BATS_TEST_TMPDIR/ex" n k c first reason ran=0 failed=0
	extract "$1" "$d"
	# scripts/passthrough under its installed name, as the page shows it
	VP="$BATS_TEST_TMPDIR/vfio-passthrough"
	ln -sf "$TOP/scripts/passthrough" "$VP"
	for n in $(cd "$d" && ls -- *.host 2>/dev/null | sed 's/\.host$//' | sort -n); do
		first=$(head -n 1 "$d/$n.cmd.1")
		if reason=$(skip_reason "$1" "$first"); then
			echo "# $1(1): example skipped: $first ($reason)" >&3
			continue
		fi
		R="$BATS_TEST_TMPDIR/host$n"
		[[ $R != *[[:space:]\#]* ]]
		cp -a "$TOP/t/data/hosts/$(cat "$d/$n.host")" "$R"
		{
			prelude
			k=1
			while [ -f "$d/$n.cmd.$k" ]; do
				sed -E "s#(^|[[:space:]\"'=<>(])/(etc|proc|sys|boot|lib|usr)/#\\1$R/\\2/#g; s#(^|[[:space:]\"'=<>(])/mnt([[:space:]\"')]|\$)#\\1$R\\2#g" "$d/$n.cmd.$k"
				echo "__s=\$?; [ \"\$__s\" -le 1 ] || echo \"command $k exited \$__s\" >&3"
				k=$((k + 1))
			done
		} >"$d/$n.sh"
		# a redirection that still names a system path would write the real one
		if grep -En ">[[:space:]]*/" "$d/$n.sh" | grep -vE ">[[:space:]]*($R|/dev/null)"; then
			echo "example $n writes outside the example host"; failed=1; continue
		fi
		(cd "$R" && R=$R BIN=$BIN VP=$VP STUB_LOG="$R.calls" VFIOKIT_NO_CHROOT=1 \
			bash "$d/$n.sh" 3>"$d/$n.status" 2>"$d/$n.err") | sed "s#$R##g" >"$d/$n.got"
		ran=$((ran + 1))
		diff -u "$d/$n.want" "$d/$n.got" >"$d/$n.diff" || :
		if [ -s "$d/$n.status" ] || [ -s "$d/$n.diff" ]; then
			echo "example $n of $1(1), starting: $first"
			cat "$d/$n.status" "$d/$n.diff"
			sed 's/^/stderr: /' "$d/$n.err"
			failed=1
		fi
	done
	echo "# $1(1): $ran examples run"
	[ "$failed" -eq 0 ] && [ "$ran" -gt 0 ]
}

@test "every example listed as skipped is still on its page" {
	local p c r d
	while IFS= read -r l; do
		p=${l%%|*}
		c=${l#*|}
		c=${c%|*}
		d="$BATS_TEST_TMPDIR/$p"
		extract "$p" "$d"
		grep -qxF -- "$c" "$d"/*.cmd.1 || { echo "not on $p(1): $c"; return 1; }
	done <<<"$SKIPS"
}

@test "pci-list(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok pci-list; sections_ok pci-list; synopsis_ok pci-list
}
@test "pci-list(1) examples print what the page shows" { examples_ok pci-list; }

@test "modalias-of(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok modalias-of; sections_ok modalias-of; synopsis_ok modalias-of
}
@test "modalias-of(1) examples print what the page shows" { examples_ok modalias-of; }

@test "iommu-check(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok iommu-check; sections_ok iommu-check; synopsis_ok iommu-check
}
@test "iommu-check(1) examples print what the page shows" { examples_ok iommu-check; }

@test "cmdline-edit(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok cmdline-edit; sections_ok cmdline-edit; synopsis_ok cmdline-edit
}
@test "cmdline-edit(1) examples print what the page shows" { examples_ok cmdline-edit; }

@test "modconf-edit(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok modconf-edit; sections_ok modconf-edit; synopsis_ok modconf-edit
}
@test "modconf-edit(1) examples print what the page shows" { examples_ok modconf-edit; }

@test "boot-refresh(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok boot-refresh; sections_ok boot-refresh; synopsis_ok boot-refresh
}
@test "boot-refresh(1) examples print what the page shows" { examples_ok boot-refresh; }

@test "vfio-passthrough(1) renders cleanly, has every section, SYNOPSIS is the usage" {
	render_ok vfio-passthrough; sections_ok vfio-passthrough; synopsis_ok vfio-passthrough
}
@test "vfio-passthrough(1) examples print what the page shows" { examples_ok vfio-passthrough; }

@test "the project stands alone: README, man pages and sources point at nothing outside it (../shared, /work)" {
	cd "$BATS_TEST_DIRNAME/.."
	run -1 grep -rlE '\.\./shared/|/work/shared' README.md cmd common scripts Makefile
	[ -z "$output" ]
}

# options_of_page NAME: the option names the page's OPTIONS tags give, sorted
options_of_page() {
	awk '/^\.SH OPTIONS/ { on = 1; next } on && /^\.SH/ { exit }
	     on && prev == ".TP" { print } { prev = $0 }' "$(page "$1")" |
		sed 's/\\f[BIRP]//g; s/\\-/-/g; s/"//g; s/^\.[A-Z]* *//' |
		grep -oE '(^|[ ,[])--?[A-Za-z0-9][-A-Za-z0-9]*' | sed 's/^[ ,[]//' | sort -u
}

# options_of_help NAME: the option names -h lists, one option line each, sorted
options_of_help() {
	local p="$BIN/$1"
	[ "$1" != vfio-passthrough ] || p="$TOP/scripts/passthrough"
	"$p" -h | grep -E '^ +-' | sed 's/^ *//; s/   */\t/' | cut -f1 |
		grep -oE '(^|[ ,[])--?[A-Za-z0-9][-A-Za-z0-9]*' | sed 's/^[ ,[]//' | sort -u
}

@test "every -h lists the options of its man page's OPTIONS, one line each" {
	for p in $PAGES; do
		options_of_page "$p" >"$BATS_TEST_TMPDIR/page"
		options_of_help "$p" >"$BATS_TEST_TMPDIR/help"
		[ -s "$BATS_TEST_TMPDIR/page" ] || { echo "$p: no options in the page"; return 1; }
		diff -u --label "$p(1) OPTIONS" --label "$p -h" "$BATS_TEST_TMPDIR/page" "$BATS_TEST_TMPDIR/help" || return 1
	done
}

@test "the tools that take --kernel say so in their usage (and SYNOPSIS)" {
	for p in pci-list modalias-of iommu-check; do
		[[ "$(usage_of "$p")" == *"[--kernel REL]"* ]] || { echo "$p: $(usage_of "$p")"; return 1; }
	done
	[[ "$(usage_of boot-refresh)" == *"[-k REL | --all]"* ]]
}
