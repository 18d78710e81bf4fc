/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modconf-edit: edit /etc/modules, modules-load.d and modprobe.d files in
 * their own syntax, idempotently, keeping every byte the edits do not touch.
 * The model (what kmod and systemd-modules-load read) is common/modconf.
 */
#include "buf.h"
#include "editfile.h"
#include "err.h"
#include "initconf.h"
#include "modedit.h"
#include "opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_DEL = OPT_TOOL,
	OPT_FORMAT,
	OPT_MERGE,
	OPT_SET,
	OPT_UNMERGE
};

struct edits {
	enum modconf_format fmt;
	enum initconf_format ifmt;	/* --format dracut or mkinitcpio */
	struct modconf_op *ops;
	size_t nops;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--root DIR] [-i] [--check] [--diff] [-b[SUFFIX]] [--format FMT]\n"
		"       OP... [FILE...]\n",
		progname);
	/* -h: every option, one a line; a usage error: the usage alone */
	if (f == stdout)
		fputs("options (OP: the edits, in the order given; LINE in the file's syntax):\n"
		      "  --set LINE         the line is in the file, once\n"
		      "  --merge LINE       options M K=ITEM,...: the items join K's comma list\n"
		      "  --del LINE         the lines it names go\n"
		      "  --unmerge LINE     options M K=ITEM,...: the items leave K's list\n"
		      "  --format FMT       modules (default), modprobe (default in a modprobe.d directory),\n"
		      "                     dracut or mkinitcpio (default in dracut.conf.d, mkinitcpio.conf.d)\n"
		      EDIT_HELP
		      OPTS_HELP_ROOT
		      OPTS_HELP_COMMON, f);
}

static int edit(const char *name, const struct buf *in, struct buf *out, void *ctx)
{
	const struct edits *c = ctx;
	enum initconf_format ifmt = c->ifmt;

	if (ifmt == INITCONF_NONE && c->fmt == MODCONF_AUTO)
		ifmt = initconf_format_of(name);
	if (ifmt != INITCONF_NONE)
		return initconf_edit(name, ifmt, c->ops, c->nops, in, out) < 0 ? EXIT_TROUBLE : 0;
	return modconf_edit(name, c->fmt, c->ops, c->nops, in, out) < 0 ? EXIT_TROUBLE : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		BASE_LONGOPTS,
		EDIT_LONGOPTS,
		{ "del", required_argument, NULL, OPT_DEL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "set", required_argument, NULL, OPT_SET },
		{ "unmerge", required_argument, NULL, OPT_UNMERGE },
		{ NULL, 0, NULL, 0 }
	};
	struct common_opts common = COMMON_OPTS_INIT;
	struct edit_opts editing = { 0 };
	struct edits c = { MODCONF_AUTO, INITCONF_NONE, NULL, 0 };
	int ch, status;

	stdfds_init();
	err_init(argv[0]);
	c.ops = xcalloc((size_t)argc, sizeof(*c.ops));
	while ((ch = getopt_long(argc, argv, "h" EDIT_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = opts_common(ch, optarg, &common, usage);

		if (taken == OPTS_QUIT) {
			free(c.ops);
			return close_stdout(common.status);
		}
		if (taken == OPTS_TAKEN || edit_opts_parse(ch, optarg, &editing))
			continue;
		switch (ch) {
		case OPT_FORMAT:
			if (strcmp(optarg, "modules") == 0) {
				c.fmt = MODCONF_MODULES, c.ifmt = INITCONF_NONE;
			} else if (strcmp(optarg, "modprobe") == 0) {
				c.fmt = MODCONF_MODPROBE, c.ifmt = INITCONF_NONE;
			} else if (strcmp(optarg, "dracut") == 0) {
				c.ifmt = INITCONF_DRACUT;
			} else if (strcmp(optarg, "mkinitcpio") == 0) {
				c.ifmt = INITCONF_MKINITCPIO;
			} else {
				errorf("--format", "'%s': not modules, modprobe, dracut or mkinitcpio", optarg);
				free(c.ops);
				return EXIT_TROUBLE;
			}
			break;
		case OPT_DEL:
		case OPT_MERGE:
		case OPT_SET:
		case OPT_UNMERGE:
			c.ops[c.nops].kind = ch == OPT_SET ? MODCONF_SET :
					     ch == OPT_MERGE ? MODCONF_MERGE :
					     ch == OPT_DEL ? MODCONF_DEL : MODCONF_UNMERGE;
			c.ops[c.nops++].arg = optarg;
			break;
		default:
			usage(stderr);
			free(c.ops);
			return EXIT_TROUBLE;
		}
	}
	argc -= optind;
	argv += optind;
	editing.root = common.root;

	if (c.nops == 0) {
		errorf(NULL, "no edit given (--set, --merge, --del or --unmerge)");
		usage(stderr);
		free(c.ops);
		return EXIT_TROUBLE;
	}
	status = edit_run(&editing, argv, argc, edit, &c);
	free(c.ops);
	return edit_close_stdout(&editing, status);
}
