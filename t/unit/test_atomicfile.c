/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/atomicfile: locked atomic replacement */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "buf.h"
#include "unit.h"

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;

	if (buf_read_file(&b, path, 1 << 20) != 0) {
		buf_free(&b);
		return NULL;
	}
	buf_grow(&b, 0);
	return buf_detach(&b);
}

int main(void)
{
	char dir[] = "/tmp/atomic.XXXXXX";
	char path[256], link[256], sub[256];
	struct lockedfile lf;
	const char *what;
	struct stat st;
	char *s;
	int r;

	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);

	/* a missing file: locked (its directory), nothing created */
	CHECK_INT(lockedfile_open(&lf, NULL, path), 0);
	CHECK_INT(lf.fd, -1);
	CHECK(access(path, F_OK) != 0);
	lockedfile_close(&lf);
	CHECK(access(path, F_OK) != 0);

	/* create, replace, mode kept */
	CHECK_INT(lockedfile_open(&lf, NULL, path), 0);
	CHECK_INT(lockedfile_replace(&lf, "one\n", 4, &what), 0);
	lockedfile_close(&lf);
	s = slurp(path);
	CHECK_STR(s, "one\n");
	free(s);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0644);
	chmod(path, 0600);
	CHECK_INT(lockedfile_open(&lf, NULL, path), 0);
	CHECK(lf.fd >= 0);
	CHECK_INT(lockedfile_replace(&lf, "two\n", 4, &what), 0);
	lockedfile_close(&lf);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);

	/* symlinks: resolved, relative ones against the link's directory */
	CHECK_INT(symlink("file", link), 0);
	{
		struct rootpath rp;

		CHECK_INT(rootpath_resolve(NULL, link, &rp), 0);
		CHECK_STR(rp.shown, path);
		CHECK_STR(rp.name, "file");
		rootpath_free(&rp);
	}
	CHECK_INT(lockedfile_open(&lf, NULL, link), 0);
	CHECK_INT(lockedfile_replace(&lf, "three\n", 6, &what), 0);
	lockedfile_close(&lf);
	CHECK_INT(lstat(link, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	s = slurp(path);
	CHECK_STR(s, "three\n");
	free(s);

	/* a loop of links is an error, not a hang */
	snprintf(sub, sizeof(sub), "%s/loop", dir);
	CHECK_INT(symlink("loop", sub), 0);
	CHECK_INT(lockedfile_open(&lf, NULL, sub), -ELOOP);

	/* a directory is refused */
	CHECK_INT(lockedfile_open(&lf, NULL, dir), -EISDIR);

	/* the lock: a child blocks until we close, then sees our content */
	CHECK_INT(lockedfile_open(&lf, NULL, path), 0);
	{
		pid_t pid = fork();

		if (pid == 0) {
			struct lockedfile c;
			struct buf b = BUF_INIT;

			/* flock belongs to the open file: drop the parent's copy */
			close(lf.rp.dirfd);
			if (lockedfile_open(&c, NULL, path) != 0)
				_exit(3);
			buf_read_fd(&b, c.fd, 100);
			_exit(b.len == 5 && memcmp(b.p, "four\n", 5) == 0 ? 0 : 4);
		}
		usleep(100000);
		CHECK_INT(lockedfile_replace(&lf, "four\n", 5, &what), 0);
		lockedfile_close(&lf);
		waitpid(pid, &r, 0);
		CHECK(WIFEXITED(r) && WEXITSTATUS(r) == 0);
	}

	/* atomic_write leaves no temporary behind when rename fails */
	snprintf(sub, sizeof(sub), "%s/adir", dir);
	CHECK_INT(mkdir(sub, 0755), 0);
	snprintf(link, sizeof(link), "%s/adir/x", dir);
	CHECK_INT(mkdir(link, 0755), 0);
	{
		int dfd = open(sub, O_RDONLY | O_DIRECTORY);

		r = atomic_write_at(dfd, "x", 1, "x", 1, NULL, -1, &what);
		close(dfd);
	}
	CHECK(r < 0);
	CHECK_STR(what, "cannot rename temporary file");
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "test \"$(ls -A %s)\" = x", sub);
		CHECK_INT(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK_INT(system(cmd), 0);
	}
	return UNIT_DONE();
}
