/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/rootpath: paths resolved inside a root, by openat2 and by the walk */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "rootpath.h"
#include "unit.h"

static char top[] = "/tmp/rootpath.XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void link_at(const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (symlink(target, p) != 0)
		perror(p);
}

/* what open(path) under the root reads, by both ways; "" when it fails */
static char *read_both(int rootfd, const char *path, int *same)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int fa = root_openat(rootfd, path, O_RDONLY);
	int fb = root_walk_openat(rootfd, path, O_RDONLY);
	char *s;

	if (fa >= 0) {
		buf_read_fd(&a, fa, 4096);
		close(fa);
	}
	if (fb >= 0) {
		buf_read_fd(&b, fb, 4096);
		close(fb);
	}
	*same = (fa < 0) == (fb < 0) && a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
	s = xstrdup(b.p ? b.p : "");
	buf_free(&a);
	buf_free(&b);
	return s;
}

/* by both ways, path under the root reads want */
#define CHECK_READS(fd, path, want) do { \
	int same_; \
	char *s_ = read_both(fd, path, &same_); \
	CHECK_STR(s_, want); \
	CHECK(same_); \
	free(s_); \
} while (0)

int main(void)
{
	char root[512], p[600];
	struct rootpath rp;
	int rootfd;

	if (!mkdtemp(top))
		return 2;
	snprintf(root, sizeof(root), "%s/root", top);
	mkdir(root, 0755);
	put("outside", "OUTSIDE\n");
	mkdir(strcat(strcpy(p, root), "/etc"), 0755);
	mkdir(strcat(strcpy(p, root), "/real"), 0755);
	put("root/etc/inside", "INSIDE\n");
	put("root/outside", "ROOT OUTSIDE\n");
	put("root/real/f", "REAL\n");
	/* absolute and climbing links: all land inside the root */
	link_at(top, "root/etc/abs-dir");			/* -> TOP: ROOT/TOP inside */
	link_at("/outside", "root/etc/abs");			/* -> ROOT/outside */
	link_at("../../../../../../outside", "root/etc/climb");	/* -> ROOT/outside */
	link_at("/real", "root/etc/dirlink");			/* a directory */
	link_at("loop", "root/etc/loop");

	rootfd = rootfd_open(root);
	CHECK(rootfd >= 0);
	CHECK_READS(rootfd, "/etc/inside", "INSIDE\n");
	CHECK_READS(rootfd, "/etc/abs", "ROOT OUTSIDE\n");
	CHECK_READS(rootfd, "etc/climb", "ROOT OUTSIDE\n");
	CHECK_READS(rootfd, "/../../../outside", "ROOT OUTSIDE\n");
	CHECK_READS(rootfd, "/etc/dirlink/f", "REAL\n");
	/* TOP/outside does not exist inside the root: not found, not the host's */
	snprintf(p, sizeof(p), "/etc/abs-dir/outside");
	CHECK_INT(root_walk_openat(rootfd, p, O_RDONLY), -ENOENT);
	CHECK_INT(root_openat(rootfd, p, O_RDONLY), -ENOENT);
	CHECK_INT(root_walk_openat(rootfd, "/etc/loop", O_RDONLY), -ELOOP);
	CHECK_INT(root_openat(rootfd, "/etc/loop", O_RDONLY), -ELOOP);
	close(rootfd);

	/* for writing: the directory and name the links lead to, and the path shown */
	snprintf(p, sizeof(p), "%s/etc/climb", root);
	CHECK_INT(rootpath_resolve(root, p, &rp), 0);
	CHECK_STR(rp.name, "outside");
	snprintf(p, sizeof(p), "%s/outside", root);
	CHECK_STR(rp.shown, p);
	CHECK_INT(rp.followed, 1);
	rootpath_free(&rp);
	snprintf(p, sizeof(p), "%s/etc/dirlink/new", root);
	CHECK_INT(rootpath_resolve(root, p, &rp), 0);
	CHECK_STR(rp.name, "new");
	snprintf(p, sizeof(p), "%s/real/new", root);
	CHECK_STR(rp.shown, p);
	rootpath_free(&rp);
	/* not under the root: resolved as the system does, shown as given */
	snprintf(p, sizeof(p), "%s/outside", top);
	CHECK_INT(rootpath_resolve(root, p, &rp), 0);
	CHECK_STR(rp.shown, p);
	CHECK_INT(rp.followed, 0);
	rootpath_free(&rp);
	CHECK(root_relative(root, p) == NULL);
	snprintf(p, sizeof(p), "%s/etc/x", root);
	CHECK_STR(root_relative(root, p), "/etc/x");
	snprintf(p, sizeof(p), "%sx/etc/x", root);
	CHECK(root_relative(root, p) == NULL);
	CHECK(root_relative("/", "/etc/x") == NULL);

	snprintf(p, sizeof(p), "rm -rf %s", top);
	CHECK_INT(system(p), 0);
	return UNIT_DONE();
}
