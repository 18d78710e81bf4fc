#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz harnesses (scripts/fuzz, make fuzz) build and run their seed
# corpus: a common/ source a harness needs and its list lacks is found
# here, by make check, not first by CI's fuzz stage (stop 24's CI: the
# modalias harness lacked modname.c once modalias.c called it).

load helper

@test "every fuzz harness builds with clang and libFuzzer and runs its corpus for a second, no crash" {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	command -v clang >/dev/null || skip "no clang here (.ci/run installs it): the harnesses need clang's libFuzzer"
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
		>"$BATS_TEST_TMPDIR/probe.c"
	clang -fsanitize=fuzzer -o "$BATS_TEST_TMPDIR/probe" "$BATS_TEST_TMPDIR/probe.c" 2>/dev/null ||
		skip "clang cannot link -fsanitize=fuzzer here (libclang-rt-14-dev, which .ci/run installs)"
	run -0 env FUZZ_SECONDS=1 FUZZ_JOBS=1 FUZZ_OUT="$BATS_TEST_TMPDIR/fuzz" sh "$TOP/scripts/fuzz"
	for h in cmdline grub modconf pciids modalias; do
		printf '%s\n' "$output" | grep -Eq "^$h +[0-9]+ executions +0 crashes$" || { echo "$output"; false; }
	done
	[[ "$output" == *"fuzz: 5 harnesses, 1 s each, "*" executions, 0 crash(es)" ]] || { echo "$output"; false; }
}
