/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot-refresh: rebuild the initramfs and refresh the boot loader the way
 * the system under --root does it (see common/bootdetect.h for how that is
 * decided).  Commands are run directly, never through a shell, chrooted
 * into ROOT when ROOT is not "/", each echoed as "+ CMD" on stderr first;
 * the first that fails stops the run with status 2.
 */
#include "bootdetect.h"
#include "buf.h"
#include "err.h"
#include "hostfacts.h"
#include "opts.h"
#include "rootpath.h"
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	OPT_DETECT = OPT_TOOL, OPT_INITRAMFS_ONLY, OPT_BOOTLOADER_ONLY, OPT_ALL, OPT_MARK,
	OPT_IF_MARKED
};

/*
 * A refresh owed: made by --mark before a caller changes what the initramfs
 * or loader must pick up, removed by a refresh that ran every command, so
 * a refresh that failed (or never ran) is done by the next run
 * (--if-marked) even when that run finds nothing left to edit.
 */

struct cmd {
	char **argv;		/* NULL-terminated, as many words as given */
};

struct cmdlist {
	struct cmd *v;
	size_t n;
};

struct refresh {
	struct common_opts o;
	int dry_run, detect, initramfs, loader, all;
	int mark, if_marked;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--root DIR] [-n] [--detect | --mark | --if-marked] "
		"[--initramfs-only | --bootloader-only] [-k REL | --all]\n",
		progname);
	/* -h: every option, one a line; a usage error: the usage alone */
	if (f == stdout)
		fputs("options:\n"
		      "  --all              every installed kernel's initramfs\n"
		      "  --bootloader-only  refresh the boot loader only\n"
		      "  --detect           print what this host uses, run nothing\n"
		      "  --mark             record that a refresh is owed, run nothing\n"
		      "  --if-marked        refresh only when a refresh is owed\n"
		      "  --initramfs-only   rebuild the initramfs only\n"
		      "  -k, --kernel REL   the initramfs of this kernel release (default: the running one)\n"
		      "  -n, --dry-run      print the commands, run nothing\n"
		      OPTS_HELP_ROOT
		      OPTS_HELP_COMMON, f);
}

static void add_cmd(struct cmdlist *l, ...)
{
	struct cmd *c;
	va_list ap;
	const char *s;
	size_t i = 0;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	c = &l->v[l->n++];
	memset(c, 0, sizeof *c);
	va_start(ap, l);
	while ((s = va_arg(ap, const char *))) {
		c->argv = xgrow1(c->argv, i, sizeof(*c->argv));
		c->argv[i++] = xstrdup(s);
	}
	va_end(ap);
	c->argv = xgrow1(c->argv, i, sizeof(*c->argv));
	c->argv[i] = NULL;
}

static void free_cmds(struct cmdlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; l->v[i].argv[j]; j++)
			free(l->v[i].argv[j]);
		free(l->v[i].argv);
	}
	free(l->v);
}

/* a word as sh would need it written to read it back */
static void put_word(FILE *f, const char *w)
{
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_./:=+,-@%") == strlen(w)) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", f);
		else
			fputc(*w, f);
	fputc('\'', f);
}

static void put_cmd(FILE *f, const char *prefix, char *const argv[])
{
	fputs(prefix, f);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			fputc(' ', f);
		put_word(f, argv[i]);
	}
	fputc('\n', f);
}

/* /lib/modules, or /usr/lib/modules on a root without /lib (paths inside ROOT) */
static char *modules_dir(const char *root)
{
	return xstrdup(root_modules(root));
}

static int kernel_known(const char *root, const char *rel)
{
	char *dir = modules_dir(root);
	struct buf b = BUF_INIT;
	struct stat st;
	int r;

	buf_printf(&b, "%s/%s", dir, rel);
	r = strchr(rel, '/') == NULL && rel[0] != '.' &&
	    root_stat(root, b.p, &st) == 0 && S_ISDIR(st.st_mode);
	buf_free(&b);
	free(dir);
	return r;
}

static int by_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* the kernel releases installed under root, oldest first; NULL-terminated */
static char **kernels(const char *root)
{
	char *dir = modules_dir(root);
	DIR *d = root_opendir(root, dir);
	struct dirent *e;
	char **v = xmalloc(sizeof *v);
	size_t n = 0;

	free(dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !kernel_known(root, e->d_name))
			continue;
		v = xrealloc(v, (n + 2) * sizeof *v);
		v[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(v, n, sizeof *v, by_version);
	v[n] = NULL;
	return v;
}

/* the kernel image of rel as seen inside ROOT, or NULL */
static char *kernel_image(const char *root, const char *rel)
{
	/* merged-/usr distributions keep it beside the modules */
	const char *const where[][2] = {
		{ "/usr/lib/modules/", "/vmlinuz" }, { "/lib/modules/", "/vmlinuz" },
		{ "/boot/vmlinuz-", "" }, { NULL, NULL }
	};

	for (size_t i = 0; where[i][0]; i++) {
		struct buf b = BUF_INIT;
		struct stat st;

		buf_printf(&b, "%s%s%s", where[i][0], rel, where[i][1]);
		if (root_stat(root, b.p, &st) == 0 && S_ISREG(st.st_mode))
			return buf_detach(&b);
		buf_free(&b);
	}
	return NULL;
}

/* mkinitcpio presets are named by package: Arch writes it to modules/REL/pkgbase */
static char *mkinitcpio_preset(const char *root, const char *rel)
{
	char *dir = modules_dir(root);
	struct buf path = BUF_INIT, b = BUF_INIT;
	char *r = NULL;

	buf_printf(&path, "%s/%s/pkgbase", dir, rel);
	if (root_read(root, path.p, &b, 4096) == 0) {
		size_t n = strcspn(b.p, "\r\n");

		if (n > 0)
			r = xstrndup(b.p, n);
	}
	if (!r) {
		char *shown = root_path(root, path.p);

		errorf(shown, "cannot tell the mkinitcpio preset of kernel '%s'", rel);
		free(shown);
	}
	buf_free(&path);
	buf_free(&b);
	free(dir);
	return r;
}

static int plan_initramfs(const struct refresh *want, const struct bootsetup *bs,
			  struct cmdlist *l)
{
	const char *rel = want->all ? NULL : want->o.kernel;
	char *preset;

	switch (bs->initramfs) {
	case INITRAMFS_TOOLS:
		add_cmd(l, "update-initramfs", "-u", "-k", rel ? rel : "all", (char *)NULL);
		return 0;
	case INITRAMFS_DRACUT:
		if (rel)
			add_cmd(l, "dracut", "-f", "--kver", rel, (char *)NULL);
		else
			add_cmd(l, "dracut", "-f", "--regenerate-all", (char *)NULL);
		return 0;
	case INITRAMFS_MKINITCPIO:
		if (!rel) {
			add_cmd(l, "mkinitcpio", "-P", (char *)NULL);
			return 0;
		}
		preset = mkinitcpio_preset(want->o.root, rel);
		if (!preset)
			return -1;
		add_cmd(l, "mkinitcpio", "-p", preset, (char *)NULL);
		free(preset);
		return 0;
	case INITRAMFS_NONE:
		break;
	}
	errorf(want->o.root, "no initramfs generator found (looked for %s)",
	       bootdetect_initramfs_sought);
	return -1;
}

static int plan_sdboot(const struct refresh *want, const struct bootsetup *bs,
		       struct cmdlist *l)
{
	char **rels;
	int r = 0;

	if (bs->kernel_install) {
		if (want->o.kernel && !want->all) {
			rels = xcalloc(2, sizeof *rels);
			rels[0] = xstrdup(want->o.kernel);
		} else {
			rels = kernels(want->o.root);
		}
		/* the entries' options are written when a kernel is installed */
		for (size_t i = 0; rels[i]; i++) {
			char *img = kernel_image(want->o.root, rels[i]);

			if (img)
				add_cmd(l, "kernel-install", "add", rels[i], img, (char *)NULL);
			else if (want->o.kernel && !want->all)
				errorf(rels[i], "no kernel image under %s", want->o.root), r = -1;
			free(img);
			free(rels[i]);
		}
		free(rels);
	}
	add_cmd(l, "bootctl", "update", "--graceful", (char *)NULL);
	return r;
}

static int plan_loader(const struct refresh *want, const struct bootsetup *bs,
		       struct cmdlist *l)
{
	const char *a[6] = { NULL };

	/* the command for GRUB and the Proxmox tools is bootdetect's, as iommu-check's hint says it */
	if (bootdetect_loader_cmd(bs, a) == 0) {
		add_cmd(l, a[0], a[1], a[2], a[3], a[4], (char *)NULL);
		return 0;
	}
	switch (bs->loader) {
	case LOADER_PROXMOX:
	case LOADER_PVE_EFIBOOT:
	case LOADER_GRUB:
		break;
	case LOADER_SDBOOT:
		return plan_sdboot(want, bs, l);
	case LOADER_NONE:
		break;
	}
	errorf(want->o.root, "no boot loader setup found (looked for %s)",
	       bootdetect_loader_sought);
	return -1;
}

/*
 * The test seam: run ROOT's commands by their path under ROOT, unchrooted.
 * Only in the test build (make check's, -DVFIOKIT_TEST_SEAMS): left in an
 * environment, it would run an image's update-grub against the host.
 */
static int no_chroot(void)
{
#ifdef VFIOKIT_TEST_SEAMS
	const char *v = getenv("VFIOKIT_NO_CHROOT");

	return v && strcmp(v, "1") == 0;
#else
	return 0;
#endif
}

/*
 * Run one command: found under ROOT in the system directories, executed
 * chrooted into ROOT (or, for tests, by its path under ROOT when
 * VFIOKIT_NO_CHROOT=1).  A pipe carries a failed chroot/execv's errno back.
 */
static int run(const char *root, char *const argv[])
{
	int chrooted = !root_is_slash(root) && !no_chroot();
	char *path = bootdetect_which(root, argv[0]);
	char *full;
	int pfd[2], status, child_errno = 0;
	pid_t pid;
	ssize_t got;

	if (!path) {
		errorf(argv[0], "command not found under %s", root);
		return -1;
	}
	full = chrooted ? xstrdup(path) : root_path(root, path);
	put_cmd(stderr, "+ ", argv);
	fflush(NULL);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		errorf_errno("pipe", errno, "cannot run '%s'", argv[0]);
		free(path), free(full);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (chrooted) {
			if (chroot(root) < 0 || chdir("/") < 0)
				goto fail;
			setenv("PATH", "/usr/local/sbin:/usr/local/bin:"
			       "/usr/sbin:/usr/bin:/sbin:/bin", 1);
		}
		execv(full, argv);
fail:
		child_errno = errno;
		(void)!write(pfd[1], &child_errno, sizeof child_errno);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		errorf_errno("fork", errno, "cannot run '%s'", argv[0]);
		close(pfd[0]);
		free(path), free(full);
		return -1;
	}
	do
		got = read(pfd[0], &child_errno, sizeof child_errno);
	while (got < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof child_errno) {
		errorf_errno(full, child_errno, chrooted ?
			     "cannot run chrooted into %s" : "cannot run%s",
			     chrooted ? root : "");
		status = -1;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		status = 0;
	} else {
		if (WIFSIGNALED(status))
			errorf(argv[0], "killed by signal %d", WTERMSIG(status));
		else
			errorf(argv[0], "failed with exit status %d",
			       WEXITSTATUS(status));
		status = -1;
	}
	free(path);
	free(full);
	return status;
}


/*
 * The rest of --detect: the facts a passthrough plan is made of
 * (common/hostfacts.h), one "KEY VALUE..." line each.
 */
static void host_profile(const struct refresh *want, const struct bootsetup *bs)
{
	struct hostprofile hp;
	size_t i;

	hostprofile_read(&want->o, bs, &hp);
	printf("kernel %s\n", hp.rel ? hp.rel : "none");
	printf("cpu %s\n", cpu_vendor_name(hp.cpu));
	fputs("iommu-params", stdout);
	for (i = 0; i < hp.n_iommu; i++)
		printf(" %s", hp.iommu_params[i]);
	puts(hp.n_iommu ? "" : " none");
	printf("vfio-pci %s\n", hp.vfio_pci == MOD_BUILTIN ? "builtin" :
	       hp.vfio_pci == MOD_MODULE ? "module" : "missing");
	printf("modules-file %s\n", hp.modules_file);
	fputs("modules-load", stdout);
	for (i = 0; i < hp.nload; i++)
		printf(" %s", hp.load[i]);
	puts(hp.nload ? "" : " none");
	printf("modules-drop %s\n", hp.ndrop ? hp.drop[0] : "none");
	printf("fb-release %s\n", hp.fb_release ? hp.fb_release : "none");
	/* what the initramfs needs to load vfio-pci first (hostfacts_initramfs) */
	printf("initramfs-modules-file %s\n", hp.im.file ? hp.im.file : "none");
	printf("initramfs-modules-format %s%s%s\n", hp.im.format ? hp.im.format : "none",
	       hp.im.var ? " " : "", hp.im.var ? hp.im.var : "");
	printf("initramfs-modules-needed %s\n", !hp.im.file ? "none" :
	       hp.im.unless_softdep ? "without-softdep" : "always");
	printf("initramfs-files-var %s\n", hp.im.files_var ? hp.im.files_var : "none");
	printf("initramfs-modprobe-d %s%s%s\n", hp.im.modprobe_d ? "yes" : "no",
	       hp.im.modprobe_d_where && !hp.im.modprobe_d ? " " : "",
	       hp.im.modprobe_d_where && !hp.im.modprobe_d ? hp.im.modprobe_d_where : "");
	hostprofile_free(&hp);
}

static int detect(const struct refresh *want, const struct bootsetup *bs)
{
	if (!bs->container && bs->initramfs == INITRAMFS_NONE &&
	    bs->loader == LOADER_NONE) {
		errorf(want->o.root, "not a system this tool knows: looked for %s; "
		       "and for %s", bootdetect_initramfs_sought,
		       bootdetect_loader_sought);
		return EXIT_TROUBLE;
	}
	printf("initramfs %s\n", initramfs_name(bs->initramfs));
	printf("bootloader %s\n", loader_name(bs->loader));
	printf("cmdline-file %s\n", bs->cmdline_file ? bs->cmdline_file : "none");
	printf("cmdline-format %s\n", !bs->cmdline_file ? "none" :
	       bs->cmdline_grub ? "grub" : bs->cmdline_entry ? "entry" : "line");
	if (bs->container)
		printf("container %s\n", bs->container);
	host_profile(want, bs);
	return EXIT_YES;
}

/* ROOT/var/lib/vfio-kit/refresh-needed made, with its directories (common/state); 0 or -1 */
static int make_marker(const char *root)
{
	struct state st;
	int r;

	if (state_open(root, 1, &st) < 0)
		return -1;
	r = state_mark(&st);
	state_close(&st);
	return r;
}

static int refresh(const struct refresh *want)
{
	struct bootsetup bs;
	struct cmdlist l = { NULL, 0 };
	int r = 0;

	if (want->mark)
		return make_marker(want->o.root) < 0 ? EXIT_TROUBLE : EXIT_YES;
	if (want->if_marked && (r = state_marked(want->o.root)) <= 0)
		return r < 0 ? EXIT_TROUBLE : EXIT_YES;
	r = 0;
	bootdetect(want->o.root, &bs);
	if (want->detect)
		return detect(want, &bs);
	if (bs.container) {
		errorf(want->o.root, "a container (%s): no initramfs or boot loader "
		       "to refresh, nothing to do", bs.container);
		return EXIT_YES;
	}
	if (want->o.kernel && !want->all && !kernel_known(want->o.root, want->o.kernel)) {
		errorf(want->o.kernel, "no such kernel under %s/lib/modules",
		       root_is_slash(want->o.root) ? "" : want->o.root);
		return EXIT_TROUBLE;
	}
	if (want->initramfs)
		r = plan_initramfs(want, &bs, &l);
	if (r == 0 && want->loader)
		r = plan_loader(want, &bs, &l);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		if (want->dry_run)
			put_cmd(stdout, "", l.v[i].argv);
		else
			r = run(want->o.root, l.v[i].argv);
	}
	free_cmds(&l);
	if (!want->dry_run && r == 0 && want->initramfs && want->loader && !want->o.kernel) {
		if (state_unmark(want->o.root) < 0)
			r = -1;
	} else if (!want->dry_run && r != 0 && state_marked(want->o.root) > 0) {
		errorf(NULL, "the refresh is still owed (%s%s): boot-refresh --if-marked, or "
		       "vfio-passthrough again, does it once the failure is fixed",
		       root_is_slash(want->o.root) ? "" : want->o.root, STATE_MARKER);
	}
	return r ? EXIT_TROUBLE : EXIT_YES;
}

static void parse_options(int argc, char **argv, struct refresh *want)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "all", no_argument, NULL, OPT_ALL },
		{ "bootloader-only", no_argument, NULL, OPT_BOOTLOADER_ONLY },
		{ "detect", no_argument, NULL, OPT_DETECT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "if-marked", no_argument, NULL, OPT_IF_MARKED },
		{ "initramfs-only", no_argument, NULL, OPT_INITRAMFS_ONLY },
		{ "mark", no_argument, NULL, OPT_MARK },
		{ NULL, 0, NULL, 0 }
	};
	int c, only = 0;

	while ((c = getopt_long(argc, argv, "hk:n", longopts, NULL)) != -1) {
		int taken = opts_common(c, optarg, &want->o, usage);

		if (taken == OPTS_QUIT)
			exit(close_stdout(want->o.status));
		if (taken == OPTS_TAKEN)
			continue;
		switch (c) {
		case 'k':
			want->o.kernel = optarg;
			break;
		case 'n':
			want->dry_run = 1;
			break;
		case OPT_ALL:
			want->all = 1;
			break;
		case OPT_DETECT:
			want->detect = 1;
			break;
		case OPT_MARK:
			want->mark = 1;
			break;
		case OPT_IF_MARKED:
			want->if_marked = 1;
			break;
		case OPT_INITRAMFS_ONLY:
			want->loader = 0, only++;
			break;
		case OPT_BOOTLOADER_ONLY:
			want->initramfs = 0, only++;
			break;
		default:
			usage(stderr);
			exit(EXIT_TROUBLE);
		}
	}
	if (optind < argc) {
		errorf(argv[optind], "unexpected operand");
		usage(stderr);
		exit(EXIT_TROUBLE);
	}
	if (only > 1 || (want->all && want->o.kernel)) {
		errorf(NULL, only > 1 ?
		       "--initramfs-only and --bootloader-only exclude each other" :
		       "-k and --all exclude each other");
		usage(stderr);
		exit(EXIT_TROUBLE);
	}
}

int main(int argc, char **argv)
{
	struct refresh want = { COMMON_OPTS_INIT, 0, 0, 1, 1, 0, 0, 0 };

	stdfds_init();
	err_init(argv[0]);
	parse_options(argc, argv, &want);
	return close_stdout(refresh(&want));
}
