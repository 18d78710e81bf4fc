#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The licence: GPL-2.0-or-later, said once in full (COPYING), once for
# Debian (scripts/deb/copyright) and in the head of every source file, as
# an SPDX line: the first line, or the second after a #! line.

load helper

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
}

# every file of the tree that is source: code, scripts, tests, build files,
# man pages, the example hosts' stand-in commands; not data (t/data, the
# fuzz corpus), prose (README*, *.md), the licence itself, VERSION, what
# the build makes, or a file whose format has no comment (the changelog)
source_files() {
	(cd "$TOP" && find . \( -path ./.git -o -path ./build -o -path ./bin -o -path ./t/data \
		-o -path ./t/fuzz/corpus \) -prune -o -type f -print) | sed 's|^\./||' | while read -r f; do
		case $f in
		COPYING | VERSION | .gitignore | *.md | README | */README | *.deb) ;;
		scripts/deb/changelog | scripts/deb/copyright) ;;
		*) echo "$f" ;;
		esac
	done
	(cd "$TOP" && ls -d t/data/hosts/*/usr/sbin/*)
}

@test "every source file carries SPDX-License-Identifier: GPL-2.0-or-later in its head" {
	local f n=0 missing=
	while read -r f; do
		n=$((n + 1))
		head -n 2 "$TOP/$f" | grep -q 'SPDX-License-Identifier: GPL-2\.0-or-later' || missing="$missing $f"
	done < <(source_files)
	# a list gone wrong must not pass by checking nothing
	[ "$n" -gt 100 ] || { echo "only $n files checked"; return 1; }
	[ -z "$missing" ] || { echo "no SPDX line:$missing"; return 1; }
}

@test "COPYING is the GPL version 2, and Debian's copyright file says GPL-2.0-or-later" {
	run -0 sed -n '1,2s/^ *//p' "$TOP/COPYING"
	[ "${lines[0]}" = "GNU GENERAL PUBLIC LICENSE" ]
	[ "${lines[1]}" = "Version 2, June 1991" ]
	if [ -f /usr/share/common-licenses/GPL-2 ]; then
		cmp "$TOP/COPYING" /usr/share/common-licenses/GPL-2
	fi
	grep -qx 'License: GPL-2.0-or-later' "$TOP/scripts/deb/copyright"
	grep -q "/usr/share/common-licenses/GPL-2'" "$TOP/scripts/deb/copyright"
	! grep -q 'none-yet' "$TOP/scripts/deb/copyright" || { echo "none-yet is still there"; return 1; }
}
