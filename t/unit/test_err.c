/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/err: one sink for diagnostics, warnings printed once */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "unit.h"

/* what the sink got since the last call */
static char *drain(FILE *f)
{
	static long at;
	long end;
	char *s;

	fflush(f);
	end = ftell(f);
	s = calloc(1, (size_t)(end - at) + 1);
	fseek(f, at, SEEK_SET);
	if (s && fread(s, 1, (size_t)(end - at), f) != (size_t)(end - at))
		s[0] = '\0';
	at = end;
	fseek(f, end, SEEK_SET);
	return s;
}

int main(void)
{
	FILE *f = tmpfile();
	char *s, big[700];

	err_init("/usr/bin/tool");
	err_set_stream(f);
	warnf("f.conf", 3, "'%s' set again", "x");
	warnf("f.conf", 3, "'%s' set again", "x");	/* the same: dropped */
	warnf("f.conf", 0, "no line");
	s = drain(f);
	CHECK_STR(s, "tool: f.conf:3: warning: 'x' set again\ntool: f.conf: warning: no line\n");
	free(s);
	warnf_forget();
	warnf("f.conf", 3, "'%s' set again", "x");
	errorf_line("f.conf", 4, "bad");
	errorf(NULL, "plain");
	s = drain(f);
	CHECK_STR(s, "tool: f.conf:3: warning: 'x' set again\ntool: f.conf:4: bad\ntool: plain\n");
	free(s);
	/* a long message: its start and end */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errorf("w", "%s", big);
	s = drain(f);
	CHECK(s && strstr(s, "[... 187 bytes ...]") != NULL);
	CHECK_INT(strlen(s), strlen("tool: w: ") + 512 + strlen("[... 187 bytes ...]") + 1);
	free(s);
	/* no sink: nothing printed, nothing breaks */
	err_set_stream(NULL);
	warnf("f", 1, "quiet");
	errorf("f", "quiet");
	warnf_forget();
	fclose(f);
	return UNIT_DONE();
}
