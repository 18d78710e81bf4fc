# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vfio-kit: pci-list, modalias-of, iommu-check,
# cmdline-edit, modconf-edit, boot-refresh, vfio-plan, vfio-passthrough.
# make install puts this one file under each command's name in
# PREFIX/share/bash-completion/completions, where bash-completion loads it
# on first use; it needs nothing from bash-completion itself.
# shellcheck shell=bash

# the options of each command, as its --help and man page give them
_vfiokit_opts() {
	local common="--help --root --version"
	local edit="$common --backup --check --diff --in-place -b -i -h"
	case $1 in
	pci-list) echo "$common --kernel --groups --lspci -c -d -g -h -i -k -n -o -s" ;;
	modalias-of) echo "$common --kernel --alias --modules -m -h" ;;
	iommu-check) echo "$common --kernel --device --quiet -q -h" ;;
	cmdline-edit) echo "$edit --add --del --entry --get --grub --init-from --merge --set --unmerge --var -g" ;;
	modconf-edit) echo "$edit --del --format --merge --set --unmerge" ;;
	boot-refresh) echo "$common --all --bootloader-only --detect --dry-run --if-marked --initramfs-only --kernel --mark -h -k -n" ;;
	vfio-plan) echo "$common --apply --as --dry-run --force --group --method --no-refresh --undo -h -n" ;;
	vfio-passthrough) echo "--help --version --root --dry-run --no-refresh --force --group --method --undo -h -n" ;;
	esac
}

# the PCI slots under the --root given on the line (default /)
_vfiokit_slots() {
	local root=/ i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--root) root=${COMP_WORDS[i + 1]} ;;
		--root=*) root=${COMP_WORDS[i]#--root=} ;;
		esac
	done
	local d
	for d in "${root%/}"/sys/bus/pci/devices/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# COMPREPLY = the slots starting with the word being typed.  Bash splits
# words at ':' (COMP_WORDBREAKS), so the whole word is read from COMP_LINE
# and what bash already has before its last ':' is taken off each reply.
_vfiokit_complete_slots() {
	local word=$1 lead i
	if [ -n "${COMP_LINE:-}" ]; then
		word=${COMP_LINE:0:COMP_POINT}
		word=${word##*[[:space:]]}
	fi
	mapfile -t COMPREPLY < <(compgen -W "$(_vfiokit_slots)" -- "$word")
	if [[ $word == *:* && $COMP_WORDBREAKS == *:* ]]; then
		lead=${word%"${word##*:}"}
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$lead"}
		done
	fi
}

_vfiokit() {
	local cmd=${1##*/} cur=${COMP_WORDS[COMP_CWORD]} prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# an option's argument
	case $cmd:$prev in
	*:--root)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	*:--kernel | boot-refresh:-k)
		mapfile -t COMPREPLY < <(compgen -W "$(ls /lib/modules 2>/dev/null)" -- "$cur")
		return ;;
	modconf-edit:--format)
		mapfile -t COMPREPLY < <(compgen -W "modules modprobe dracut mkinitcpio" -- "$cur")
		return ;;
	cmdline-edit:--init-from)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	cmdline-edit:--var)
		mapfile -t COMPREPLY < <(compgen -W "GRUB_CMDLINE_LINUX_DEFAULT GRUB_CMDLINE_LINUX" -- "$cur")
		return ;;
	vfio-passthrough:--method | vfio-plan:--method)
		mapfile -t COMPREPLY < <(compgen -W "slot ids blacklist alias softdep" -- "$cur")
		return ;;
	pci-list:-o)
		# a comma list: complete its last item
		local done=${cur%"${cur##*,}"}
		mapfile -t COMPREPLY < <(compgen -P "$done" -W "slot class ids vendor device subsys driver group modalias modules name module vfio bootvga" -- "${cur##*,}")
		compopt -o nospace 2>/dev/null
		return ;;
	pci-list:-s)
		_vfiokit_complete_slots "$cur"
		return ;;
	pci-list:-i)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	*:--set | *:--add | *:--del | *:--get | *:--merge | *:--unmerge | *:--alias | *:--as | \
	pci-list:-[cdg])
		return ;;	# free text
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vfiokit_opts "$cmd")" -- "$cur")
		return
	fi
	# operands
	case $cmd in
	cmdline-edit | modconf-edit)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	modalias-of | iommu-check | vfio-plan | vfio-passthrough)
		_vfiokit_complete_slots "$cur" ;;
	esac
}

complete -F _vfiokit pci-list modalias-of iommu-check cmdline-edit modconf-edit \
	boot-refresh vfio-plan vfio-passthrough
