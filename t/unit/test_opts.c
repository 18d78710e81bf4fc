/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/opts: the options every tool shares; library code never exits */
#include <stdio.h>

#include "err.h"
#include "opts.h"
#include "unit.h"

static int usages;

static void usage(FILE *f)
{
	(void)f;
	usages++;
}

int main(void)
{
	struct common_opts o = COMMON_OPTS_INIT;

	CHECK_INT(opts_common(OPT_ROOT, "/mnt", &o, usage), OPTS_TAKEN);
	CHECK_STR(o.root, "/mnt");
	CHECK_INT(opts_common(OPT_KERNEL, "6.1.0-18-amd64", &o, usage), OPTS_TAKEN);
	CHECK_STR(o.kernel, "6.1.0-18-amd64");
	CHECK_INT(opts_common('x', NULL, &o, usage), OPTS_OWN);
	/* what ends the tool is returned to main, which exits with o.status */
	CHECK_INT(opts_common('?', NULL, &o, usage), OPTS_QUIT);
	CHECK_INT(o.status, EXIT_TROUBLE);
	CHECK_INT(usages, 1);
	err_set_stream(NULL);
	CHECK_INT(opts_common(OPT_ROOT, "", &o, usage), OPTS_QUIT);
	CHECK_INT(o.status, EXIT_TROUBLE);
	CHECK_STR(o.root, "/mnt");
	return UNIT_DONE();
}
