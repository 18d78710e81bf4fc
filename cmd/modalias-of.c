/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modalias-of: the modalias of PCI devices named by slot or ids, as
 * modprobe.d alias lines, or with the modules whose aliases match.
 */
#include "buf.h"
#include "err.h"
#include "modalias.h"
#include "opts.h"
#include "pcidevarg.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_ALIAS = OPT_TOOL };

struct modalias_opts {
	struct common_opts co;
	const char *alias;	/* --alias MODULE */
	int modules;		/* -m */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--root DIR] [--kernel REL] [--alias MODULE | -m] DEVICE...\n",
		progname);
	/* -h: every option, one a line; a usage error: the usage alone */
	if (f == stdout)
		fputs("options:\n"
		      "  --alias MODULE     print alias MODALIAS MODULE lines for modprobe.d\n"
		      "  -m, --modules      print SLOT MODULE...: the modules whose aliases match\n"
		      OPTS_HELP_ROOT
		      "  --kernel REL       the kernel release whose modules -m reads\n"
		      OPTS_HELP_COMMON, f);
}

static void parse_options(int argc, char **argv, struct modalias_opts *opts)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "alias", required_argument, NULL, OPT_ALIAS },
		{ "modules", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "hm", longopts, NULL)) != -1) {
		int taken = opts_common(c, optarg, &opts->co, usage);

		if (taken == OPTS_QUIT)
			exit(close_stdout(opts->co.status));
		if (taken == OPTS_TAKEN)
			continue;
		switch (c) {
		case OPT_ALIAS:
			if (!*optarg || strpbrk(optarg, " \t\n")) {
				errorf("--alias", "'%s': not a module name", optarg);
				exit(EXIT_TROUBLE);
			}
			opts->alias = optarg;
			break;
		case 'm':
			opts->modules = 1;
			break;
		default:
			usage(stderr);
			exit(EXIT_TROUBLE);
		}
	}
	if (opts->alias && opts->modules) {
		errorf(NULL, "--alias and -m exclude each other");
		usage(stderr);
		exit(EXIT_TROUBLE);
	}
}

/* the devices arg names: a slot (domain optional) or VENDOR:DEVICE */
static int select_devices(const struct pcilist *l, const char *arg,
			  const struct pcidev **sel, size_t *nsel)
{
	struct pcidevarg want;
	size_t i, before = *nsel;

	if (pcidevarg_parse(arg, &want) < 0) {
		errorf(arg, "not a slot (0000:00:02.0) or ids (8086:3e92)");
		return -1;
	}
	for (i = 0; i < l->n; i++)
		if (pcidevarg_match(&want, &l->dev[i]))
			sel[(*nsel)++] = &l->dev[i];
	if (*nsel == before) {
		errorf(arg, "no such device");
		return -1;
	}
	return 0;
}

static struct modalias_db *open_mods(const struct modalias_opts *opts)
{
	char *rel = root_kernel_release(&opts->co), *where = NULL;
	struct modalias_db *db = NULL;
	int r;

	if (!rel) {
		errorf(opts->co.root, "no kernel release found (--kernel REL)");
		return NULL;
	}
	r = modalias_open_release(opts->co.root, rel, &db, &where);
	if (r < 0)
		errorf_errno(where, -r, "cannot read");
	free(where);
	free(rel);
	return r < 0 ? NULL : db;
}

int main(int argc, char **argv)
{
	struct modalias_opts opts = { .co = COMMON_OPTS_INIT };
	struct pcilist l;
	struct modalias_db *db = NULL;
	const struct pcidev **sel;
	size_t nsel = 0, cap, i, j;
	char *where = NULL;
	struct buf in = BUF_INIT;
	char **args;
	size_t nargs = 0;
	int r, bad = 0;

	stdfds_init();
	err_init(argv[0]);
	parse_options(argc, argv, &opts);
	argc -= optind;
	argv += optind;

	r = sysfs_scan(opts.co.root, 0, NULL, &l, &where);
	if (r < 0) {
		errorf_errno(where, -r, "cannot read");
		free(where);
		return EXIT_TROUBLE;
	}
	if (argc > 0) {
		args = argv;
		nargs = (size_t)argc;
	} else {
		/* one device a line, its first field: pci-list -o slot | modalias-of */
		char *p, *save = NULL;

		if ((r = buf_read_fd(&in, 0, BUF_MAX_FILE)) < 0) {
			errorf_errno("stdin", -r, "cannot read");
			return EXIT_TROUBLE;
		}
		args = xcalloc(in.len / 2 + 2, sizeof(*args));
		for (p = strtok_r(in.p ? in.p : (char *)"", "\n", &save); p;
		     p = strtok_r(NULL, "\n", &save)) {
			p[strcspn(p, " \t")] = '\0';
			if (*p)
				args[nargs++] = p;
		}
	}
	cap = (nargs + 1) * (l.n + 1);
	sel = xcalloc(cap, sizeof(*sel));
	for (i = 0; i < nargs; i++)
		if (select_devices(&l, args[i], sel, &nsel) < 0)
			bad = 1;
	if (nargs == 0) {
		errorf(NULL, "no device given");
		bad = 1;
	}
	if (!bad && opts.modules && !(db = open_mods(&opts)))
		bad = 1;
	for (i = 0; !bad && i < nsel; i++)
		if (!sel[i]->modalias) {
			errorf(sel[i]->slot, "no modalias");
			bad = 1;
		}
	if (!bad) {
		for (i = 0; i < nsel; i++) {
			const struct pcidev *d = sel[i];

			if (opts.alias) {
				printf("alias %s %s\n", d->modalias, opts.alias);
			} else if (opts.modules) {
				const char **m;
				size_t n = modalias_lookup(db, d->modalias, &m);
				char slot[32];

				pci_slot_name(d, slot, sizeof(slot));
				fputs(slot, stdout);
				for (j = 0; j < n; j++)
					printf(" %s", m[j]);
				putchar('\n');
				free(m);
			} else {
				puts(d->modalias);
			}
		}
	}
	modalias_close(db);
	free(sel);
	if (args != argv)
		free(args);
	buf_free(&in);
	pcilist_free(&l);
	return bad ? EXIT_TROUBLE : close_stdout(EXIT_YES);
}
