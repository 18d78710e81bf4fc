/*
 * modalias-of: the modalias of PCI devices named by slot or ids, as
 * modprobe.d alias lines, or with the modules whose aliases match.
 */
#include "buf.h"
#include "err.h"
#include "modalias.h"
#include "opts.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_ALIAS = OPT_TOOL };

struct mopts {
	struct common_opts co;
	const char *alias;	/* --alias MODULE */
	int modules;		/* -m */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--root DIR] [--alias MODULE | -m] DEVICE...\n", progname);
}

static void parse_options(int argc, char **argv, struct mopts *mo)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "alias", required_argument, NULL, OPT_ALIAS },
		{ "modules", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "hm", longopts, NULL)) != -1) {
		if (opts_common(c, optarg, &mo->co, usage))
			continue;
		switch (c) {
		case OPT_ALIAS:
			if (!*optarg || strpbrk(optarg, " \t\n")) {
				errorf("--alias", "'%s': not a module name", optarg);
				exit(EXIT_TROUBLE);
			}
			mo->alias = optarg;
			break;
		case 'm':
			mo->modules = 1;
			break;
		default:
			usage(stderr);
			exit(EXIT_TROUBLE);
		}
	}
	if (mo->alias && mo->modules) {
		errorf(NULL, "--alias and -m exclude each other");
		usage(stderr);
		exit(EXIT_TROUBLE);
	}
}

/* the devices arg names: a slot (domain optional) or VENDOR:DEVICE */
static int select_devices(const struct pcilist *l, const char *arg,
			  const struct pcidev **sel, size_t *nsel)
{
	struct pcidev want;
	struct pcifilter f;
	char slot[40];
	size_t i, before = *nsel;

	pcifilter_init(&f);
	memset(&want, 0, sizeof(want));
	snprintf(slot, sizeof(slot), "0000:%s", arg);
	if (pci_parse_slot(arg, &want) == 0 || pci_parse_slot(slot, &want) == 0) {
		for (i = 0; i < l->n; i++)
			if (l->dev[i].domain == want.domain && l->dev[i].bus == want.bus &&
			    l->dev[i].dev == want.dev && l->dev[i].fn == want.fn)
				sel[(*nsel)++] = &l->dev[i];
	} else if (strlen(arg) == 9 && arg[4] == ':' &&
		   strspn(arg, "0123456789abcdefABCDEF:") == 9 &&
		   !pcifilter_id(&f, arg)) {
		for (i = 0; i < l->n; i++)
			if (pcifilter_match(&f, &l->dev[i]))
				sel[(*nsel)++] = &l->dev[i];
	} else {
		errorf(arg, "not a slot (0000:00:02.0) or ids (8086:3e92)");
		return -1;
	}
	if (*nsel == before) {
		errorf(arg, "no such device");
		return -1;
	}
	return 0;
}

static struct modalias_db *open_mods(const struct mopts *mo)
{
	char *rel = root_kernel_release(&mo->co), *dir, *where = NULL;
	struct modalias_db *db = NULL;
	int r;

	if (!rel) {
		errorf(mo->co.root, "no kernel release found (--kernel REL)");
		return NULL;
	}
	dir = xmalloc(strlen(rel) + 16);
	sprintf(dir, "/lib/modules/%s", rel);
	r = modalias_open_root(mo->co.root, dir, &db, &where);
	if (r < 0)
		errorf_errno(where, -r, "cannot read");
	free(where);
	free(dir);
	free(rel);
	return r < 0 ? NULL : db;
}

int main(int argc, char **argv)
{
	struct mopts mo = { .co = COMMON_OPTS_INIT };
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
	parse_options(argc, argv, &mo);
	argc -= optind;
	argv += optind;

	r = sysfs_scan(mo.co.root, 0, NULL, &l, &where);
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
	if (!bad && mo.modules && !(db = open_mods(&mo)))
		bad = 1;
	for (i = 0; !bad && i < nsel; i++)
		if (!sel[i]->modalias) {
			errorf(sel[i]->slot, "no modalias");
			bad = 1;
		}
	if (!bad) {
		for (i = 0; i < nsel; i++) {
			const struct pcidev *d = sel[i];

			if (mo.alias) {
				printf("alias %s %s\n", d->modalias, mo.alias);
			} else if (mo.modules) {
				const char *m[64];
				size_t n = modalias_lookup(db, d->modalias, m, 64);
				char slot[32];

				pci_slot_name(d, slot, sizeof(slot));
				fputs(slot, stdout);
				for (j = 0; j < n; j++)
					printf(" %s", m[j]);
				putchar('\n');
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
