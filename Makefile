# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-kit: plain make.  `make` builds every tool into bin/, `make check`
# runs every test, `make SAN=1 check` the same under ASan+UBSan.

CC ?= cc
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
COMPDIR = $(PREFIX)/share/bash-completion/completions

# warnings live apart from CFLAGS so a user's CFLAGS cannot drop them
WARN = -std=c11 -Wall -Wextra -Werror -Wpedantic -Wformat=2 -Wshadow \
       -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla \
       -fno-common
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
# the one version: every tool's --version, vfio-passthrough's and the package's
VERSION := $(shell cat VERSION)
DEFS = -D_GNU_SOURCE -DVFIOKIT_VERSION='"$(VERSION)"' -Icommon

ifeq ($(SAN),1)
BUILD = build/san
BIN = build/san/bin
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
HARDEN =
else
BUILD = build/std
BIN = bin
SANFLAGS =
endif

ALL_CFLAGS = $(WARN) $(HARDEN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:%.c=$(BUILD)/%.o)
COMMON_HDR = $(wildcard common/*.h)
LIB = $(BUILD)/libvfiokit.a

TOOLS = $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
TOOL_BINS = $(TOOLS:%=$(BIN)/%)
# what make install puts in BINDIR: the tools and scripts/passthrough
COMMANDS = $(TOOLS) vfio-passthrough

# the tools again with the test seams compiled in (-DVFIOKIT_TEST_SEAMS:
# VFIOKIT_NO_CHROOT); make check and make valgrind run these, never bin/,
# which is what make install installs: a seam left in an environment does
# nothing to a release build
SEAM_BIN = $(BUILD)/seams/bin
SEAM_BINS = $(TOOLS:%=$(SEAM_BIN)/%)

UNIT_SRC = $(wildcard t/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:%.c=$(BUILD)/%)

all: $(TOOL_BINS)

$(BUILD)/%.o: %.c $(COMMON_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/common/opts.o: VERSION

$(LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ)

$(BIN)/%: $(BUILD)/cmd/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB)

$(BUILD)/seams/cmd/%.o: cmd/%.c $(COMMON_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DVFIOKIT_TEST_SEAMS -c -o $@ $<

$(SEAM_BIN)/%: $(BUILD)/seams/cmd/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB)

seams: $(SEAM_BINS)

$(BUILD)/t/unit/%: t/unit/%.c t/unit/unit.h $(LIB) $(COMMON_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -It/unit $(ALL_LDFLAGS) -o $@ $< $(LIB)

units: $(UNIT_BINS)

# under SAN=1, ASan also looks for stack use after return (a pointer to a
# returned function's buffer: off by default); a test's own ASAN_OPTIONS win
# under SAN=1 the files that run no tool of this build are left out (the
# package's release build, shellcheck, the licence heads, clang's harnesses),
# and the two that run only what t/50 runs, by another road (make install,
# an Ansible play): the longest job of the SAN run, for no new code path
SAN_LEAVE_OUT = t/72-install.bats t/73-ansible.bats t/74-deb.bats t/76-shellcheck.bats \
	t/77-licence.bats t/78-fuzz-build.bats
SAN_LEAVE_WHY = no tool of the SAN=1 build, or only t/50's runs by make install or Ansible

check: all units t/lib
	$(if $(SANFLAGS),ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_stack_use_after_return=1} \
	VFIOKIT_LEAVE_OUT="$(SAN_LEAVE_OUT) : $(SAN_LEAVE_WHY)") \
	VFIOKIT_BIN=$(CURDIR)/$(SEAM_BIN) VFIOKIT_RELEASE_BIN=$(CURDIR)/$(BIN) \
		VFIOKIT_UNITS="$(UNIT_BINS)" sh t/run

# test-only helpers built under t/ (fault injection and the like), and the
# tools with their test seams ($(SEAM_BIN): what the tests run)
t/lib: seams
	@[ ! -f t/Makefile.inc ] || $(MAKE) -f t/Makefile.inc BUILD=$(BUILD) CC="$(CC)"

demo: all
	sh scripts/demo

bench: all
	sh scripts/bench

fuzz:
	sh scripts/fuzz

check-vm:
	sh scripts/check-vm

# a real Debian 12 install per boot loader, booted in QEMU (scripts/check-boot)
check-boot:
	sh scripts/check-boot

# the tests with every tool under valgrind memcheck (scripts/valgrind-check):
# make valgrind the subset that runs each tool and option, valgrind-all all
valgrind: all units seams
	VFIOKIT_BIN=$(CURDIR)/$(SEAM_BIN) VFIOKIT_UNITS="$(UNIT_BINS)" sh scripts/valgrind-check

valgrind-all: all units seams
	VFIOKIT_BIN=$(CURDIR)/$(SEAM_BIN) VFIOKIT_UNITS="$(UNIT_BINS)" VALGRIND_ALL=1 sh scripts/valgrind-check

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR)
	for t in $(TOOLS); do cp $(BIN)/$$t $(DESTDIR)$(BINDIR)/$$t; chmod 755 $(DESTDIR)$(BINDIR)/$$t; done
	sed "s/'@VERSION@'/'$(VERSION)'/" scripts/passthrough >$(DESTDIR)$(BINDIR)/vfio-passthrough
	chmod 755 $(DESTDIR)$(BINDIR)/vfio-passthrough
	# each page beside its source: cmd/NAME.1, scripts/vfio-passthrough.1; the
	# .TH line's source field gets the version (man-pages(7): "vfio-kit 0.1.0")
	for m in cmd/*.1 scripts/vfio-passthrough.1; do \
		sed '/^\.TH /s/ vfio-kit "vfio-kit manual"$$/ "vfio-kit $(VERSION)" "vfio-kit manual"/' "$$m" >$(DESTDIR)$(MANDIR)/$${m##*/}; \
		chmod 644 $(DESTDIR)$(MANDIR)/$${m##*/}; done
	# one completion file serves every command: bash-completion loads it by the command's name
	for c in $(COMMANDS); do cp scripts/completion/vfio-kit.bash $(DESTDIR)$(COMPDIR)/$$c; chmod 644 $(DESTDIR)$(COMPDIR)/$$c; done

# vfio-kit_VERSION_ARCH.deb in DEBDIR: make install PREFIX=/usr into a
# staging root, packed by dpkg-deb (scripts/mkdeb; needs dpkg-dev)
DEBDIR = .
deb:
	CC="$(CC)" VERSION="$(VERSION)" sh scripts/mkdeb "$(DEBDIR)"

uninstall:
	for c in $(COMMANDS); do rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANDIR)/$$c.1 $(DESTDIR)$(COMPDIR)/$$c; done

clean:
	rm -rf build bin
	rm -f vfio-kit_*.deb

.PHONY: all units seams check t/lib demo bench fuzz check-vm check-boot valgrind valgrind-all install deb uninstall clean
.SECONDARY:
