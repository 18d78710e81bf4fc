/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "opts.h"
#include "buf.h"
#include "err.h"
#include "rootpath.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* the file VERSION, passed by the Makefile as -DVFIOKIT_VERSION="..." */
#ifndef VFIOKIT_VERSION
#error "VFIOKIT_VERSION is not defined: build with make, which reads it from the file VERSION"
#endif

int opts_common(int c, const char *arg, struct common_opts *o,
		void (*usage)(FILE *))
{
	struct stat st;
	int e;

	switch (c) {
	case 'h':
		usage(stdout);
		o->status = EXIT_YES;
		return OPTS_QUIT;
	case OPT_VERSION:
		printf("%s %s\n", progname, VFIOKIT_VERSION);
		o->status = EXIT_YES;
		return OPTS_QUIT;
	case OPT_ROOT:
		/* a later --root would silently override the first (a jail undone) */
		if (o->root_given++) {
			errorf("--root", "'%s': given twice", arg);
			o->status = EXIT_TROUBLE;
			return OPTS_QUIT;
		}
		if (!*arg) {
			errorf("--root", "empty directory name");
			o->status = EXIT_TROUBLE;
			return OPTS_QUIT;
		}
		/* a root that is not there is trouble, not a system without an IOMMU */
		e = stat(arg, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e) {
			errorf_errno("--root", e, "'%s'", arg);
			o->status = EXIT_TROUBLE;
			return OPTS_QUIT;
		}
		o->root = arg;
		return OPTS_TAKEN;
	case OPT_KERNEL:
		o->kernel = arg;
		return OPTS_TAKEN;
	case '?':
	case ':':
		usage(stderr);
		o->status = EXIT_TROUBLE;
		return OPTS_QUIT;
	}
	return OPTS_OWN;
}

static char *newest_module_dir(const char *root)
{
	DIR *d = root_opendir(root, root_modules(root));
	struct dirent *e;
	char *best = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!best || strverscmp(e->d_name, best) > 0) {
			free(best);
			best = xstrdup(e->d_name);
		}
	}
	closedir(d);
	return best;
}

char *root_kernel_release(const struct common_opts *o)
{
	struct buf b = BUF_INIT;
	int r;

	if (o->kernel)
		return xstrdup(o->kernel);
	if (root_is_slash(o->root)) {
		struct utsname u;

		if (uname(&u) == 0)
			return xstrdup(u.release);
	}
	r = root_read(o->root, "/proc/sys/kernel/osrelease", &b, 4096);
	if (r == 0) {
		size_t n = strcspn(b.p, "\n");

		if (n > 0) {
			char *rel = xstrndup(b.p, n);

			buf_free(&b);
			return rel;
		}
	}
	buf_free(&b);
	return newest_module_dir(o->root);
}

int kver_cmp(const char *rel, int major, int minor)
{
	char *end;
	long ma = strtol(rel, &end, 10), mi = 0;

	if (*end == '.')
		mi = strtol(end + 1, NULL, 10);
	if (ma != major)
		return ma < major ? -1 : 1;
	if (mi != minor)
		return mi < minor ? -1 : 1;
	return 0;
}
