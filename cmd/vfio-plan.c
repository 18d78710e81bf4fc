/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-plan: the passthrough guide decided in C (common/plan), printed as
 * a plan, or (--apply) carried out with the kit's own tools: each edit by
 * cmdline-edit or modconf-edit, the refresh by boot-refresh, run directly
 * (no shell) with every field of the plan checked, under the root's lock
 * (common/state), the journal written before the first edit.
 */
#include "cmdline.h"
#include "editfile.h"
#include "err.h"
#include "grubvar.h"
#include "journal.h"
#include "opts.h"
#include "plan.h"
#include "rootpath.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	OPT_APPLY = OPT_TOOL, OPT_AS, OPT_FORCE, OPT_GROUP, OPT_METHOD, OPT_NO_REFRESH, OPT_UNDO
};

struct run {
	struct plan_opts o;
	int apply, dry, refresh, undo;
	char *bindir;
	struct state st;
	int changed;
};

static void usage(FILE *f)
{
	/* run as vfio-passthrough (--as): its synopsis, which --apply is */
	if (strcmp(progname, "vfio-plan"))
		fprintf(f, "usage: %s [--root DIR] [-n] [--no-refresh] [--force] [--group] "
			"[--method slot|ids|blacklist|alias|softdep] [--undo] DEVICE...\n", progname);
	else
		fprintf(f, "usage: %s [--root DIR] [--apply [-n] [--no-refresh]] [--force] [--group] "
			"[--method slot|ids|blacklist|alias|softdep] [--undo] DEVICE...\n", progname);
	if (f == stdout)
		fputs("Decides how DEVICEs (0000:01:00.0, 01:00.0, or ids 10de:1b80) go to vfio-pci\n"
		      "from the next boot on, and prints the plan; --apply carries it out.\n"
		      "options:\n"
		      "  --apply            carry the plan out: the edits, the journal, the refresh\n"
		      "  --as NAME          name messages as NAME (vfio-passthrough passes its own)\n"
		      "  --force            pass what the host needs to run: the disk / is on, the\n"
		      "                     management NIC, the only display (refused without it)\n"
		      "  --group            take along the other members of each device's IOMMU group\n"
		      "  --method METHOD    slot, ids, blacklist, alias or softdep (vfio-plan(1))\n"
		      "  -n, --dry-run      with --apply: print the diffs and commands, change nothing\n"
		      "  --no-refresh       with --apply: edit the files, run no refresh\n"
		      "  --undo             take back what runs recorded for the devices\n"
		      OPTS_HELP_ROOT
		      OPTS_HELP_COMMON, f);
}

/* ---- running the kit's tools ---------------------------------------- */

/* where the tools are: $VFIOKIT_BIN (the test build), else beside this one */
static char *tool_dir(void)
{
	const char *env = getenv("VFIOKIT_BIN");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	return xstrdup(self);
}

/*
 * Run tool with argv (argv[0] its name), stdout into out when out is not
 * NULL; stderr is ours.  The exit status, or -1 when it could not run or
 * was killed.
 */
static int run_tool(const struct run *r, char **argv, struct buf *out)
{
	struct buf path = BUF_INIT;
	int fds[2] = { -1, -1 }, status;
	pid_t pid;

	buf_printf(&path, "%s/%s", r->bindir, argv[0]);
	fflush(stdout);
	fflush(stderr);
	if (out && pipe2(fds, O_CLOEXEC) < 0) {
		errorf_errno(argv[0], errno, "cannot run");
		buf_free(&path);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		errorf_errno(argv[0], errno, "cannot run");
		buf_free(&path);
		return -1;
	}
	if (pid == 0) {
		if (out && dup2(fds[1], 1) < 0)
			_exit(127);
		execv(path.p, argv);
		fprintf(stderr, "%s: %s: %s\n", progname, path.p, strerror(errno));
		_exit(127);
	}
	buf_free(&path);
	if (out) {
		close(fds[1]);
		buf_reset(out);
		(void)buf_read_fd(out, fds[0], BUF_MAX_FILE);
		buf_adds(out, "");
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct argv {
	char **v;
	size_t n;
};

static void arg(struct argv *a, const char *s)
{
	a->v = xgrow1(a->v, a->n + 1, sizeof(*a->v));
	a->v[a->n++] = s ? xstrdup(s) : NULL;
	a->v[a->n] = NULL;
}

/* prefix and s as one word */
static void argcat(struct argv *a, const char *prefix, const char *s)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s%s", prefix, s);
	arg(a, b.p);
	buf_free(&b);
}

static void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

enum mode { CHECK, DIFF, WRITE };

/*
 * The tool's command for edits e[0..n) (one file, tool and flag): every
 * op as --op=ARG, the file after "--", so no field of the plan can be
 * read as an option.
 */
/* the tool, its --root and the file's format flag: the start of every call on e's file */
static void edit_argv_head(const struct run *r, const struct jitem *e, struct argv *a)
{
	arg(a, e->tool == JT_CMDLINE ? "cmdline-edit" : "modconf-edit");
	arg(a, "--root");
	arg(a, r->o.co.root);
	if (strcmp(e->flag, "-"))
		arg(a, e->flag);
	/* a line file not there yet starts from the running command line, as the loader would */
	if (e->tool == JT_CMDLINE && strcmp(e->flag, "-") == 0 && !r->undo) {
		char *p = root_path(r->o.co.root, "/proc/cmdline");

		argcat(a, "--init-from=", p);
		free(p);
	}
}

static void edit_argv(const struct run *r, const struct jitem *e, size_t n, enum mode m,
		      struct argv *a)
{
	char *file = root_path(r->o.co.root, e->file);

	edit_argv_head(r, e, a);
	if (m == WRITE)
		arg(a, "-i");
	arg(a, m == CHECK ? "--check" : "--diff");
	for (size_t i = 0; i < n; i++) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s=%s", e[i].op, e[i].arg);
		arg(a, b.p);
		buf_free(&b);
	}
	arg(a, "--");
	arg(a, file);
	free(file);
}

static int same_call(const struct jitem *a, const struct jitem *b)
{
	return a->tool == b->tool && strcmp(a->file, b->file) == 0 && strcmp(a->flag, b->flag) == 0;
}

/* the plan's edits in DIFF (nothing written) or WRITE mode; diffs to stdout when show */
static int edits(struct run *r, const struct plan *p, enum mode m, int show)
{
	struct buf out = BUF_INIT;
	int st = 0;

	for (size_t i = 0; i < p->nedits && st == 0;) {
		struct argv a = { 0 };
		size_t n = 1;

		while (i + n < p->nedits && same_call(&p->edits[i], &p->edits[i + n]))
			n++;
		edit_argv(r, &p->edits[i], n, m, &a);
		st = run_tool(r, a.v, &out);
		argv_free(&a);
		if (st == 0 && out.len) {
			r->changed = 1;
			if (show)
				fputs(out.p, stdout);
		}
		i += n;
	}
	buf_free(&out);
	return st == 0 ? 0 : -1;
}

static int refresh_after(struct run *r)
{
	struct argv a = { 0 };
	int st;

	if (!r->refresh)
		return 0;
	arg(&a, "boot-refresh");
	arg(&a, "--root");
	arg(&a, r->o.co.root);
	if (!r->changed)
		arg(&a, "--if-marked");
	if (r->dry)
		arg(&a, "-n");
	st = run_tool(r, a.v, NULL);
	argv_free(&a);
	return st == 0 ? 0 : -1;
}

static void say_notes(const struct plan *p)
{
	const char *s = p->notes.p;

	while (s && *s) {
		size_t n = strcspn(s, "\n");

		errorf(NULL, "%.*s", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

/* ---- the plan, printed ------------------------------------------------ */

/* a field of the plan: what cannot be data (a TAB, a control byte) is shown as '?' */
static void put_field(const char *s)
{
	putchar('\t');
	for (; s && *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	if (!s)
		putchar('-');
}

static void put_item(const char *kind, const char *slot, const struct jitem *it)
{
	fputs(kind, stdout);
	if (slot)
		put_field(slot);
	put_field(it->file);
	put_field(jtool_name(it->tool));
	put_field(it->flag);
	put_field(it->op);
	put_field(it->arg);
	putchar('\n');
}

static void print_plan(const struct plan *p, int undo)
{
	if (!undo)
		printf("method\t%s\n", pmethod_name(p->method));
	for (size_t i = 0; i < p->ndev; i++) {
		const struct pdev *d = &p->dev[i];
		char class[8], bv[4];

		snprintf(class, sizeof(class), "%04x", d->class24 >> 8);
		snprintf(bv, sizeof(bv), "%d", d->bootvga);
		fputs("device", stdout);
		put_field(d->slot);
		put_field(class);
		put_field(d->ids);
		put_field(d->driver);
		put_field(d->module);
		put_field(d->group);
		put_field(d->bootvga < 0 ? "-" : bv);
		putchar('\n');
	}
	for (size_t i = 0; i < p->nedits; i++)
		put_item("edit", NULL, &p->edits[i]);
	for (size_t i = 0; i < p->needs.n; i++)
		put_item("need", p->needs.v[i].slot, &p->needs.v[i].it);
	for (size_t i = 0; i < p->taken.n; i++)
		put_item("taken", NULL, &p->taken.v[i].it);
	for (const char *s = p->notes.p; s && *s;) {
		size_t n = strcspn(s, "\n");
		char *line = xstrndup(s, n);

		fputs("note", stdout);
		put_field(line);
		putchar('\n');
		free(line);
		s += n + (s[n] == '\n');
	}
}

/* ---- --apply ----------------------------------------------------------- */

/*
 * The IOMMU, as iommu-check sees it: a FAIL of the command line is what
 * the plan fixes, and so is the FAIL of the IOMMU groups that follows from
 * it (VT-d off by the kernel's default: no groups until the edited command
 * line is booted)
 */
static int check_iommu(struct run *r, struct buf *out)
{
	struct argv a = { 0 };
	int st, hard = 0, cmdline = 0, groups = 0;

	arg(&a, "iommu-check");
	arg(&a, "--root");
	arg(&a, r->o.co.root);
	st = run_tool(r, a.v, out);
	argv_free(&a);
	if (st == 1) {
		for (const char *s = out->p; s && *s;) {
			size_t n = strcspn(s, "\n");

			if (n > 5 && strncmp(s, "FAIL\t", 5) == 0) {
				if (strncmp(s + 5, "cmdline\t", 8) == 0)
					cmdline = 1;
				else if (strncmp(s + 5, "iommu\t", 6) == 0)
					groups = 1;
				else
					hard = 1;
			}
			s += n + (s[n] == '\n');
		}
		if (groups && !cmdline)
			hard = 1;
		if (hard) {
			fputs(out->p, stderr);
			errorf(NULL, "the IOMMU is not usable on this host (see iommu-check above)");
		}
	}
	return st == 0 || (st == 1 && !hard) ? EXIT_YES : st == 1 ? EXIT_NO : EXIT_TROUBLE;
}

/*
 * Does the plan take KEY=off out of a command line file?  Only the keys
 * of this CPU's IOMMU are (intel_iommu= means nothing to an AMD host).
 */
static int takes_off(const struct plan *p, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < p->nedits; i++) {
		const struct jitem *e = &p->edits[i];

		if (e->tool == JT_CMDLINE && strcmp(e->op, "--unmerge") == 0 &&
		    strncmp(e->arg, key, n) == 0 && strcmp(e->arg + n, "=off") == 0)
			return 1;
	}
	return 0;
}

/*
 * An IOMMU switched off by name on the running command line (iommu=off,
 * intel_iommu=off, amd_iommu=off) is the plan's to fix only when a file it
 * edits names that parameter: the plan takes the "off" out there (or the
 * user already changed it and has not rebooted).  Named in none of them,
 * the "off" comes from where this kit does not write (a boot entry edited
 * by hand, the firmware, a hypervisor's -append), and the next boot would
 * have it again: 1 then, with iommu-check's report, before any write.
 */
static int off_elsewhere(struct run *r, const struct plan *p, const struct buf *report)
{
	static const char *const keys[] = { "iommu", "intel_iommu", "amd_iommu" };
	struct buf text = BUF_INIT, files = BUF_INIT, got = BUF_INIT;
	struct cmdline *cl;
	int st = EXIT_YES;

	if (root_read(r->o.co.root, "/proc/cmdline", &text, BUF_MAX_FILE) < 0) {
		buf_free(&text);
		return EXIT_YES;	/* iommu-check has said it could not read it */
	}
	cl = cmdline_parse(text.p ? text.p : "", strcspn(text.p ? text.p : "", "\n"));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && st == EXIT_YES; k++) {
		const char *v = cmdline_onoff(cl, keys[k], NULL);
		int named = 0, any = 0;

		if (!v || strcmp(v, "off") || !takes_off(p, keys[k]))
			continue;
		files.len = 0;
		for (size_t i = 0; i < p->nedits && !named; i++) {
			const struct jitem *e = &p->edits[i];
			struct argv a = { 0 };
			char *file;
			int rc;

			if (e->tool != JT_CMDLINE || (i > 0 && same_call(e, &p->edits[i - 1])))
				continue;
			any = 1;
			edit_argv_head(r, e, &a);
			argcat(&a, "--get=", keys[k]);
			arg(&a, "--");
			file = root_path(r->o.co.root, e->file);
			arg(&a, file);
			free(file);
			rc = run_tool(r, a.v, &got);
			argv_free(&a);
			if (rc != 0 && rc != 1) {
				st = EXIT_TROUBLE;
				break;
			}
			named = rc == 0;
			buf_printf(&files, "%s%s", files.len ? ", " : "", e->file);
		}
		if (st != EXIT_YES || named || !any)
			continue;
		if (report->p)
			fputs(report->p, stderr);
		errorf(NULL, "%s=off is on the running kernel's command line (/proc/cmdline) but not in %s: "
		       "it comes from where this kit does not write, and the next boot would keep the "
		       "IOMMU off; take it out there, reboot, and run this again", keys[k], files.p);
		st = EXIT_NO;
	}
	cmdline_free(cl);
	buf_free(&text);
	buf_free(&files);
	buf_free(&got);
	return st;
}

/* FILE (inside the root) exists, or is a link: then it is not ours to remove later */
static int lexists(const char *root, const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir = xstrndup(file, (size_t)(slash - file) + (slash == file));
	int dfd = root_open(root, dir, O_PATH | O_DIRECTORY), r;
	struct stat st;

	free(dir);
	if (dfd < 0)
		return 0;
	r = fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(dfd);
	return r;
}

/*
 * The directories of the plan's files that are not there yet, each once,
 * into *dirs.  A standard drop-in directory (plan_standard_dir) whose
 * parent is there is made by the run; any other missing one stops the
 * run, a dry run too (it must not show a plan the run refuses).  0, or -1
 * after saying why.
 */
static int missing_dirs(const char *root, const struct plan *p, char ***dirs, size_t *ndirs)
{
	int r = 0;

	*dirs = NULL;
	*ndirs = 0;
	for (size_t i = 0; i < p->nedits && r == 0; i++) {
		const char *file = p->edits[i].file, *slash = strrchr(file, '/');
		char *dir = xstrndup(file, (size_t)(slash - file) + (slash == file));
		char *parent = xstrndup(dir, (size_t)(strrchr(dir, '/') - dir) + (strrchr(dir, '/') == dir));
		struct stat st;
		size_t k;

		for (k = 0; k < *ndirs && strcmp((*dirs)[k], dir); k++)
			;
		if (k < *ndirs || (root_stat(root, dir, &st) == 0 && S_ISDIR(st.st_mode))) {
			free(dir);
			free(parent);
			continue;
		}
		if (!plan_standard_dir(dir) || lexists(root, dir) ||
		    root_stat(root, parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
			char *shown = root_path(root, dir);

			errorf(shown, "no such directory: not created for %s", file);
			free(shown);
			free(dir);
			r = -1;
		} else {
			*dirs = xgrow1(*dirs, *ndirs, sizeof(**dirs));
			(*dirs)[(*ndirs)++] = dir;
		}
		free(parent);
	}
	return r;
}

/* make dir (0755) inside the root, its parent there; 0 or -1 after saying why */
static int make_dir(const char *root, const char *dir)
{
	const char *slash = strrchr(dir, '/');
	char *parent = xstrndup(dir, (size_t)(slash - dir) + (slash == dir));
	int dfd = root_open(root, parent, O_PATH | O_DIRECTORY), e = 0;

	free(parent);
	if (dfd < 0)
		e = -dfd;
	else if (mkdirat(dfd, slash + 1, 0755) < 0) {
		struct stat st;

		e = errno;
		if (e == EEXIST && root_stat(root, dir, &st) == 0 && S_ISDIR(st.st_mode))
			e = 0;	/* made meanwhile */
	} else if (fchmodat(dfd, slash + 1, 0755, 0) < 0) {	/* whatever the umask */
		e = errno;
	}
	if (dfd >= 0)
		close(dfd);
	if (e) {
		char *shown = root_path(root, dir);

		errorf_errno(shown, e, "cannot create");
		free(shown);
		return -1;
	}
	return 0;
}

static int has_own(const struct journal *j, const struct jitem *it)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].kind == J_OWN && jitem_eq(&j->v[i].it, it))
			return 1;
	return 0;
}

static void add_end(struct journal *j, const char *file, const char *what)
{
	struct jrec rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = J_END;
	rec.it.file = (char *)file;
	rec.it.flag = rec.it.op = "-";
	rec.base = (char *)what;
	journal_add(j, &rec);
}

/*
 * What this run's edits add at the end of a command line file that their
 * inverses (--unmerge, --del) do not take back, on record for --undo:
 * the newline cmdline-edit gives a last line that had none, and, in a
 * GRUB file that does not assign GRUB_CMDLINE_LINUX_DEFAULT (Fedora's),
 * the assignment it appends.  Only for files this run makes edits of its
 * own in (add's own records): an earlier run's are on record already.
 */
static void end_records(const struct run *r, struct journal *add)
{
	for (size_t i = 0; i < add->n; i++) {
		const struct jitem *it = &add->v[i].it;
		struct buf b = BUF_INIT;
		int seen = 0, grub = 0, unassigned = 0;

		if (add->v[i].kind != J_OWN || it->tool != JT_CMDLINE ||
		    (strcmp(it->flag, "-") && !(grub = strcmp(it->flag, "-g") == 0)))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = add->v[k].kind == J_OWN && strcmp(add->v[k].it.file, it->file) == 0;
		if (seen || root_read(r->o.co.root, it->file, &b, BUF_MAX_FILE) < 0) {
			buf_free(&b);
			continue;
		}
		if (grub) {
			struct grubvar gv;
			int g = grubvar_find(b.p ? b.p : "", b.len, "GRUB_CMDLINE_LINUX_DEFAULT",
					     it->file, &gv);

			if (g == 0)
				grubvar_free(&gv);
			unassigned = g == 1 && !gv.nested_line;
			if (unassigned)
				add_end(add, it->file, "GRUB_CMDLINE_LINUX_DEFAULT");
		}
		if (b.len && b.p[b.len - 1] != '\n' && (!grub || unassigned))
			add_end(add, it->file, "newline");
		buf_free(&b);
	}
}

/*
 * What this run adds to the journal, decided before the first write: which
 * items are not there yet (the tool's --check on the file as it is), which
 * files do not exist yet, and what each device needs.
 */
static int journal_plan(struct run *r, const struct plan *p, struct journal *j)
{
	struct journal add = { 0 };
	char **files = NULL;
	size_t nf = 0;
	int st = 0;

	for (size_t i = 0; i < p->needs.n && st == 0; i++) {
		const struct jitem *it = &p->needs.v[i].it;
		struct jrec rec;
		int own = 0;

		if (has_own(j, it) || has_own(&add, it))
			continue;
		if (it->tool == JT_SLOT) {
			own = 1;
			for (size_t k = 0; k < p->noldslots; k++)
				if (strcmp(p->oldslots[k], it->arg) == 0)
					own = 0;
		} else {
			struct argv a = { 0 };
			int rc;

			edit_argv(r, it, 1, CHECK, &a);
			rc = run_tool(r, a.v, NULL);
			argv_free(&a);
			if (rc != 0 && rc != 1)
				st = -1;
			own = rc == 1;
		}
		if (own) {
			memset(&rec, 0, sizeof(rec));
			rec.kind = J_OWN;
			rec.it = *it;
			journal_add(&add, &rec);
		}
	}
	if (st == 0)
		end_records(r, &add);
	for (size_t i = 0; i < p->needs.n && st == 0; i++) {
		const struct jitem *it = &p->needs.v[i].it;
		size_t k;

		for (k = 0; k < nf && strcmp(files[k], it->file); k++)
			;
		if (k < nf)
			continue;
		files = xgrow1(files, nf, sizeof(*files));
		files[nf++] = it->file;
	}
	/* in name order, as the record has always been */
	for (size_t a = 1; a < nf; a++)
		for (size_t b = a; b > 0 && strcmp(files[b - 1], files[b]) > 0; b--) {
			char *t = files[b];

			files[b] = files[b - 1];
			files[b - 1] = t;
		}
	for (size_t i = 0; i < nf && st == 0; i++) {
		struct jrec rec;
		struct buf base = BUF_INIT;
		const char *why;

		if (lexists(r->o.co.root, files[i]))
			continue;
		buf_adds(&base, "-");
		if (p->cmdfile && strcmp(files[i], p->cmdfile) == 0) {
			/* a line file starts from the running command line, less BOOT_IMAGE= */
			struct argv a = { 0 };
			char *from = root_path(r->o.co.root, "/proc/cmdline");
			char *file = root_path(r->o.co.root, files[i]);

			arg(&a, "cmdline-edit");
			arg(&a, "--root");
			arg(&a, r->o.co.root);
			argcat(&a, "--init-from=", from);
			arg(&a, "--del=BOOT_IMAGE");
			arg(&a, "--");
			arg(&a, file);
			if (run_tool(r, a.v, &base) != 0)
				st = -1;
			while (base.len && base.p[base.len - 1] == '\n')
				base.p[--base.len] = '\0';
			argv_free(&a);
			free(from);
			free(file);
		}
		if (st == 0 && (why = journal_check_base(base.p))) {
			errorf(files[i], "%s: '%s': not recording it", why, base.p);
			st = -1;
		}
		if (st == 0) {
			memset(&rec, 0, sizeof(rec));
			rec.kind = J_NEW;
			rec.it.file = files[i];
			rec.it.flag = rec.it.op = "-";
			rec.base = base.p;
			journal_add(&add, &rec);
		}
		buf_free(&base);
	}
	free(files);
	for (size_t i = 0; i < p->needs.n; i++)
		journal_add(&add, &p->needs.v[i]);
	for (size_t i = 0; i < add.n; i++)
		journal_add(j, &add.v[i]);
	journal_free(&add);
	return st;
}

static int write_journal(struct run *r, const struct journal *j)
{
	struct buf b = BUF_INIT;
	int st;

	for (size_t i = 0; i < j->n; i++) {
		journal_format(&j->v[i], &b);
		buf_addc(&b, '\n');
	}
	st = state_journal_write(&r->st, b.p ? b.p : "", b.len);
	buf_free(&b);
	return st;
}

static int read_journal(struct run *r, struct journal *j, struct buf *text)
{
	char *where = state_path(r->o.co.root, STATE_JOURNAL);
	int st = state_journal_read(&r->st, text);

	if (st == 0)
		st = journal_parse(where, text->p, text->len, j);
	free(where);
	return st;
}

static int apply(struct run *r, char **devs, int ndevs)
{
	struct plan p;
	struct journal j = { 0 };
	struct buf was = BUF_INIT;
	char **mk = NULL;
	size_t nmk = 0;
	struct bootsetup bs;
	struct buf report = BUF_INIT;
	int st;

	/* a container's IOMMU is its host's: plan_make says so, and there is nothing to do */
	bootdetect(r->o.co.root, &bs);
	if (!bs.container && (st = check_iommu(r, &report)) != EXIT_YES) {
		buf_free(&report);
		return st;
	}
	if (plan_make(&r->o, devs, ndevs, &p) != EXIT_YES) {
		buf_free(&report);
		return EXIT_TROUBLE;
	}
	st = EXIT_TROUBLE;
	if (p.container) {
		st = EXIT_YES;
		goto out;
	}
	if ((st = off_elsewhere(r, &p, &report)) != EXIT_YES)
		goto out;
	st = EXIT_TROUBLE;
	/* a missing directory: a standard one is made (said first in a dry run), another stops us */
	if (missing_dirs(r->o.co.root, &p, &mk, &nmk) < 0)
		goto out;
	for (size_t i = 0; r->dry && i < nmk; i++) {
		char *shown = root_path(r->o.co.root, mk[i]);

		printf("mkdir -m 0755 %s\n", shown);
		free(shown);
		r->changed = 1;
	}
	/* every file is read and edited in memory first: a bad one stops us before any write */
	if (edits(r, &p, DIFF, r->dry) < 0)
		goto out;
	if (r->changed)
		say_notes(&p);
	if (r->dry) {
		st = refresh_after(r) < 0 ? EXIT_TROUBLE : EXIT_YES;
		goto out;
	}
	if (read_journal(r, &j, &was) < 0)
		goto out;
	{
		size_t before = j.n;
		struct buf now = BUF_INIT;

		if (journal_plan(r, &p, &j) < 0)
			goto out;
		/*
		 * the record --undo reads, written before the first edit: a run
		 * stopped halfway leaves on record all it may have done; --undo of
		 * an edit a run never made changes nothing
		 */
		for (size_t i = 0; i < j.n; i++) {
			journal_format(&j.v[i], &now);
			buf_addc(&now, '\n');
		}
		if (j.n != before || strcmp(now.p ? now.p : "", was.p) != 0) {
			if (write_journal(r, &j) < 0) {
				buf_free(&now);
				goto out;
			}
		}
		buf_free(&now);
	}
	if (r->changed && state_mark(&r->st) < 0)
		goto out;
	r->changed = 0;
	for (size_t i = 0; i < nmk; i++)
		if (make_dir(r->o.co.root, mk[i]) < 0)
			goto out;
	if (edits(r, &p, WRITE, 1) < 0)
		goto out;
	st = refresh_after(r) < 0 ? EXIT_TROUBLE : EXIT_YES;
out:
	free_strings(mk, nmk);
	journal_free(&j);
	buf_free(&was);
	buf_free(&report);
	plan_free(&p);
	return st;
}

/* the ends --undo puts back on one file: "newline" and variable names */
struct ends {
	const char **what;
	size_t n;
};

static int has_end(const struct ends *e, const char *what)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->what[i], what) == 0)
			return 1;
	return 0;
}

/* is line (n bytes) NAME="" or, in a grub.d drop-in, NAME="$NAME" / NAME="${NAME}"? */
static int empty_assignment(const char *line, size_t n, const char *name)
{
	char want[3][160];

	snprintf(want[0], sizeof(want[0]), "%s=\"\"", name);
	snprintf(want[1], sizeof(want[1]), "%s=\"$%s\"", name, name);
	snprintf(want[2], sizeof(want[2]), "%s=\"${%s}\"", name, name);
	for (size_t i = 0; i < 3; i++)
		if (strlen(want[i]) == n && memcmp(line, want[i], n) == 0)
			return 1;
	return 0;
}

/*
 * The end of a file as it was before a run: an assignment the run
 * appended goes when --undo's edits emptied it and it is still the last
 * line; a newline the run gave the last line goes.
 */
static int put_back_end(const char *name, const struct buf *in, struct buf *out, void *arg)
{
	const struct ends *e = arg;
	const char *p = in->p ? in->p : "";
	size_t len = in->len;

	(void)name;
	for (size_t i = 0; i < e->n; i++) {
		size_t ls;

		if (strcmp(e->what[i], "newline") == 0 || len == 0 || p[len - 1] != '\n')
			continue;
		for (ls = len - 1; ls > 0 && p[ls - 1] != '\n'; ls--)
			;
		if (empty_assignment(p + ls, len - 1 - ls, e->what[i]))
			len = ls;
	}
	if (has_end(e, "newline") && len && p[len - 1] == '\n')
		len--;
	buf_add(out, p, len);
	return 0;
}

static int restore_ends(struct run *r, const char *file, const struct ends *e)
{
	struct edit_opts eo = { 0 };
	char *path = root_path(r->o.co.root, file);
	int st;

	eo.root = r->o.co.root;
	eo.in_place = 1;
	eo.diff = 1;
	fflush(stdout);
	st = edit_run(&eo, &path, 1, put_back_end, (void *)e);
	fflush(stdout);
	free(path);
	return st == EXIT_TROUBLE ? -1 : 0;
}

/* FILE, made by a run, goes when it holds nothing else: only what it started from */
static int remove_made(struct run *r, const struct jrec *n)
{
	const char *slash = strrchr(n->it.file, '/');
	char *dir = xstrndup(n->it.file, (size_t)(slash - n->it.file) + (slash == n->it.file));
	int dfd = root_open(r->o.co.root, dir, O_RDONLY | O_DIRECTORY), fd, st = 0;
	struct buf b = BUF_INIT;

	free(dir);
	if (dfd < 0)
		return 0;
	fd = openat(dfd, slash + 1, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && read_regular_fd(fd, &b, BUF_MAX_FILE) == 0) {
		int empty = strcmp(n->base, "-") == 0 && b.len == 0;
		int base = strcmp(n->base, "-") && b.len == strlen(n->base) + 1 &&
			   memcmp(b.p, n->base, b.len - 1) == 0 && b.p[b.len - 1] == '\n';

		if (empty || base) {
			if (unlinkat(dfd, slash + 1, 0) < 0) {
				char *shown = root_path(r->o.co.root, n->it.file);

				errorf_errno(shown, errno, "cannot remove");
				free(shown);
				st = -1;
			} else {
				r->changed = 1;
			}
		}	/* else it holds the user's lines now: nothing of ours is left in it */
	}
	if (fd >= 0)
		close(fd);
	close(dfd);
	buf_free(&b);
	return st;
}

static int undo(struct run *r, char **devs, int ndevs)
{
	struct plan p;
	struct journal j = { 0 }, keep = { 0 };
	struct buf text = BUF_INIT;
	char *where = state_path(r->o.co.root, STATE_JOURNAL);
	int st = EXIT_TROUBLE;

	memset(&p, 0, sizeof(p));
	if (read_journal(r, &j, &text) < 0)
		goto out;
	if (j.n == 0) {
		errorf(where, "nothing recorded: vfio-passthrough made no change here to take back");
		goto out;
	}
	if (plan_undo(&r->o, &j, where, devs, ndevs, &p) != EXIT_YES)
		goto out;
	if (edits(r, &p, DIFF, r->dry) < 0)
		goto out;
	if (r->dry) {
		st = refresh_after(r) < 0 ? EXIT_TROUBLE : EXIT_YES;
		goto out;
	}
	if (r->changed && state_mark(&r->st) < 0)
		goto out;
	r->changed = 0;
	if (edits(r, &p, WRITE, 1) < 0)
		goto out;
	for (size_t i = 0; i < p.rest.n; i++) {
		const struct jrec *n = &p.rest.v[i];
		int owned = 0, seen = 0;
		struct ends e = { NULL, 0 };

		if (n->kind != J_NEW && n->kind != J_END) {
			journal_add(&keep, n);
			continue;
		}
		for (size_t k = 0; k < p.rest.n && !owned; k++)
			owned = p.rest.v[k].kind == J_OWN && strcmp(p.rest.v[k].it.file, n->it.file) == 0;
		if (owned) {
			journal_add(&keep, n);
			continue;
		}
		if (n->kind == J_NEW) {
			if (remove_made(r, n) < 0)
				goto out;
			continue;
		}
		/* a file's ends, all at once, at its first end record */
		for (size_t k = 0; k < i && !seen; k++)
			seen = p.rest.v[k].kind == J_END && strcmp(p.rest.v[k].it.file, n->it.file) == 0;
		if (seen)
			continue;
		for (size_t k = i; k < p.rest.n; k++)
			if (p.rest.v[k].kind == J_END && strcmp(p.rest.v[k].it.file, n->it.file) == 0) {
				e.what = xgrow1(e.what, e.n, sizeof(*e.what));
				e.what[e.n++] = p.rest.v[k].base;
			}
		st = restore_ends(r, n->it.file, &e);
		free(e.what);
		if (st < 0) {
			st = EXIT_TROUBLE;
			goto out;
		}
		st = EXIT_TROUBLE;
	}
	if (write_journal(r, &keep) < 0)
		goto out;
	st = refresh_after(r) < 0 ? EXIT_TROUBLE : EXIT_YES;
out:
	free(where);
	buf_free(&text);
	journal_free(&j);
	journal_free(&keep);
	plan_free(&p);
	return st;
}

/* without --apply: the plan alone, nothing run but the reads */
static int show(struct run *r, char **devs, int ndevs)
{
	struct plan p;
	int st;

	if (r->undo) {
		struct journal j = { 0 };
		struct buf text = BUF_INIT;
		char *where = state_path(r->o.co.root, STATE_JOURNAL);

		memset(&p, 0, sizeof(p));
		st = state_open(r->o.co.root, 0, &r->st) < 0 || read_journal(r, &j, &text) < 0 ?
		     EXIT_TROUBLE : plan_undo(&r->o, &j, where, devs, ndevs, &p);
		state_close(&r->st);
		free(where);
		buf_free(&text);
		journal_free(&j);
	} else {
		st = plan_make(&r->o, devs, ndevs, &p);
	}
	if (st == EXIT_YES && !p.container)
		print_plan(&p, r->undo);
	plan_free(&p);
	return st;
}

static void parse_options(int argc, char **argv, struct run *r)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "as", required_argument, NULL, OPT_AS },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "group", no_argument, NULL, OPT_GROUP },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "no-refresh", no_argument, NULL, OPT_NO_REFRESH },
		{ "undo", no_argument, NULL, OPT_UNDO },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	/* getopt's own messages would name this program, not the one run (--as) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn", longopts, NULL)) != -1) {
		int taken;

		if (c == '?' || c == ':') {
			if (optopt)
				errorf(NULL, "-%c: %s", optopt, c == ':' ? "needs an argument" :
				       "unknown option");
			else
				errorf(NULL, "%s: %s", argv[optind - 1], c == ':' ?
				       "needs an argument" : "unknown option");
			usage(stderr);
			exit(EXIT_TROUBLE);
		}
		taken = opts_common(c, optarg, &r->o.co, usage);

		if (taken == OPTS_QUIT)
			exit(close_stdout(r->o.co.status));
		if (taken == OPTS_TAKEN)
			continue;
		switch (c) {
		case 'n':
			r->dry = 1;
			break;
		case OPT_APPLY:
			r->apply = 1;
			break;
		case OPT_AS:
			/* a command's name: what the script is called, nothing else */
			if (!*optarg || strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					       "0123456789._-") != strlen(optarg) || optarg[0] == '-') {
				errorf("--as", "'%s': not a command name", optarg);
				exit(EXIT_TROUBLE);
			}
			progname = optarg;
			break;
		case OPT_FORCE:
			r->o.force = 1;
			break;
		case OPT_GROUP:
			r->o.group = 1;
			break;
		case OPT_METHOD:
			if (pmethod_parse(optarg, &r->o.method) < 0) {
				errorf("--method", "'%s': not slot, ids, blacklist, alias or softdep", optarg);
				exit(EXIT_TROUBLE);
			}
			break;
		case OPT_NO_REFRESH:
			r->refresh = 0;
			break;
		case OPT_UNDO:
			r->undo = 1;
			break;
		default:
			usage(stderr);
			exit(EXIT_TROUBLE);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		exit(EXIT_TROUBLE);
	}
	if ((r->dry || !r->refresh) && !r->apply) {
		errorf(NULL, "-n and --no-refresh go with --apply");
		exit(EXIT_TROUBLE);
	}
}

int main(int argc, char **argv)
{
	struct run r;
	int st;

	memset(&r, 0, sizeof(r));
	r.o.co = (struct common_opts)COMMON_OPTS_INIT;
	r.refresh = 1;
	stdfds_init();
	err_init(argv[0]);
	parse_options(argc, argv, &r);
	argc -= optind;
	argv += optind;
	r.st.dirfd = r.st.lockfd = -1;
	if (!r.apply)
		return close_stdout(show(&r, argv, argc));
	if (!(r.bindir = tool_dir())) {
		errorf(NULL, "cannot tell where the kit's tools are (set VFIOKIT_BIN)");
		return EXIT_TROUBLE;
	}
	/* one run or undo at a time on a root, from its first read to its last write */
	if (state_open(r.o.co.root, !r.dry, &r.st) < 0) {
		free(r.bindir);
		return EXIT_TROUBLE;
	}
	st = r.undo ? undo(&r, argv, argc) : apply(&r, argv, argc);
	state_close(&r.st);
	free(r.bindir);
	return close_stdout(st);
}
