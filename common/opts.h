/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opts: what every tool's command line shares (--root, -h/--help,
 * --version; --kernel for the tools that read a kernel release's files) and
 * the kernel release a --root implies (paths under a root: rootpath.h).
 */
#ifndef VFIOKIT_OPTS_H
#define VFIOKIT_OPTS_H

#include <getopt.h>
#include <stdio.h>

enum {
	OPT_ROOT = 0x100,
	OPT_KERNEL,
	OPT_VERSION,
	OPT_CHECK,
	OPT_DIFF,
	OPT_TOOL = 0x200	/* a tool's own long-only options start here */
};

/* the lines of -h for the options every tool takes, and for --kernel */
#define OPTS_HELP_ROOT    "  --root DIR         read and write every system path under DIR\n"
#define OPTS_HELP_COMMON  "  -h, --help         print this and exit\n" \
			  "  --version          print the version and exit\n"

/*
 * Put these at the head of a tool's struct option table: COMMON_LONGOPTS
 * for a tool that reads a kernel release's files (--kernel), BASE_LONGOPTS
 * for the editing tools, which take no --kernel: nothing they edit
 * depends on a kernel release.
 */
#define BASE_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "root", required_argument, NULL, OPT_ROOT }, \
	{ "version", no_argument, NULL, OPT_VERSION }
#define COMMON_LONGOPTS \
	BASE_LONGOPTS, \
	{ "kernel", required_argument, NULL, OPT_KERNEL }

struct common_opts {
	const char *root;	/* "/" unless --root */
	const char *kernel;	/* NULL unless --kernel */
	int status;		/* after OPTS_QUIT: the exit status */
	int root_given;		/* --root seen: a second one is refused */
};

#define COMMON_OPTS_INIT { "/", NULL, 0, 0 }

/* what opts_common() made of an option */
enum { OPTS_OWN, OPTS_TAKEN, OPTS_QUIT };

/*
 * Handle one getopt_long result that every tool shares.  Returns
 * OPTS_TAKEN when c was handled, OPTS_OWN when it is the tool's own, and
 * OPTS_QUIT when the tool is done and main exits with o->status: 'h'
 * printed usage to stdout (0), OPT_VERSION "NAME VERSION" (0), '?' usage
 * to stderr (2), an empty --root an error (2).  Nothing here exits.
 */
int opts_common(int c, const char *arg, struct common_opts *o,
		void (*usage)(FILE *));

/*
 * The kernel release under a root: --kernel, else uname -r for "/", else
 * ROOT/proc/sys/kernel/osrelease, else the newest ROOT/lib/modules/<REL>.
 * NULL when none is found; the caller frees.
 */
char *root_kernel_release(const struct common_opts *o);

/* compare a release such as "6.1.0-18-amd64" with MAJOR.MINOR: <0, 0, >0 */
int kver_cmp(const char *rel, int major, int minor);

#endif
