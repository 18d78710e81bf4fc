/*
 * modconf-edit: edit /etc/modules, modules-load.d and modprobe.d files in
 * their own syntax, idempotently, keeping every byte the edits do not touch.
 * The model (what kmod and systemd-modules-load read) is common/modconf.
 */
#include "buf.h"
#include "editfile.h"
#include "err.h"
#include "modconf.h"
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

struct ctx {
	enum modconf_format fmt;
	struct modconf_op *ops;
	size_t nops;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--root DIR] [-i] [--check] [--diff] [-b[SUFFIX]] [--format FMT]\n"
		"       OP... [FILE...]\n"
		"ops:   --set LINE   --merge LINE   --del LINE   --unmerge LINE\n"
		"FMT:   modules (default) or modprobe (default for FILE in a modprobe.d directory)\n",
		progname);
}

static int edit(const char *name, const struct buf *in, struct buf *out, void *ctx)
{
	const struct ctx *c = ctx;

	return modconf_edit(name, c->fmt, c->ops, c->nops, in, out) < 0 ? EXIT_TROUBLE : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		EDIT_LONGOPTS,
		{ "del", required_argument, NULL, OPT_DEL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "set", required_argument, NULL, OPT_SET },
		{ "unmerge", required_argument, NULL, OPT_UNMERGE },
		{ NULL, 0, NULL, 0 }
	};
	struct common_opts co = COMMON_OPTS_INIT;
	struct edit_opts eo = { 0 };
	struct ctx c = { MODCONF_AUTO, NULL, 0 };
	int ch, status;

	stdfds_init();
	err_init(argv[0]);
	c.ops = xcalloc((size_t)argc, sizeof(*c.ops));
	while ((ch = getopt_long(argc, argv, "h" EDIT_SHORTOPTS, longopts, NULL)) != -1) {
		if (opts_common(ch, optarg, &co, usage) || edit_opts_parse(ch, optarg, &eo))
			continue;
		switch (ch) {
		case OPT_FORMAT:
			if (strcmp(optarg, "modules") == 0) {
				c.fmt = MODCONF_MODULES;
			} else if (strcmp(optarg, "modprobe") == 0) {
				c.fmt = MODCONF_MODPROBE;
			} else {
				errorf("--format", "'%s': not modules or modprobe", optarg);
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
	eo.root = co.root;

	if (c.nops == 0) {
		errorf(NULL, "no edit given (--set, --merge, --del or --unmerge)");
		usage(stderr);
		free(c.ops);
		return EXIT_TROUBLE;
	}
	status = edit_run(&eo, argv, argc, edit, &c);
	free(c.ops);
	return edit_close_stdout(&eo, status);
}
