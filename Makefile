# SPDX-License-Identifier: GPL-2.0-or-later
# merd - rootless user-mode networking
#
# make            build ./merd (CC=clang works too)
# make check      build, then run every test (C unit tests and bats suites)
# make unit       C unit tests only
# make lint       clang-tidy and cppcheck
# make asan       ./merd built with AddressSanitizer + UBSan (merd-asan)
# make ubsan      ./merd built with UBSan alone (merd-ubsan)
# make unit-asan  C unit tests on ASan+UBSan objects, run
# make fuzz       libFuzzer targets (clang); make fuzz-run FUZZ_SECONDS=60
# make fuzz-ci    every fuzz target for FUZZ_CI_SECONDS (25), as CI does
# make fuzz-replay  seeds and regression inputs of the fuzz targets, for
#                 make check (test/fuzz_replay.bats)
# make merd-test  ./merd built with the seccomp test trigger (merd-test)
# make merd-valgrind  ./merd for valgrind: no seccomp filter (merd-valgrind)
# make seccomp-list  print the syscalls each mode allows, and the -T/-U
#                 auto helper

CC	?= cc
PKGS	:= libcap-ng libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcap-ng -lseccomp)

WARN	:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-missing-field-initializers
HARDEN	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
	   -fno-strict-aliasing
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(PKG_CFLAGS)
LDFLAGS	+= -pie -Wl,-z,relro,-z,now,-z,noexecstack

SRCS	:= $(sort $(wildcard src/*.c))
OBJS	:= $(SRCS:src/%.c=build/%.o)
HDRS	:= $(wildcard src/*.h)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))

UNIT_SRCS := $(wildcard test/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=build/unit/%)
UNIT_ASAN_BINS := $(UNIT_SRCS:test/unit/%.c=build/asan/unit/%)

.PHONY: all clean clean-objs check unit unit-asan lint asan ubsan fuzz fuzz-run tools

all: merd contrib/qemu/merd-qemu

# The qemu wrapper (contrib/qemu): one VM with merd as its network
contrib/qemu/merd-qemu: contrib/qemu/merd-qemu.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

merd: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

build/%.o: src/%.c $(HDRS) | build
	$(CC) $(CFLAGS) -c -o $@ $<

build build/unit:
	mkdir -p $@

# The seccomp allow-lists, turned into a header that src/seccomp.c reads
SECCOMP_LISTS := seccomp/common.list seccomp/vm.list seccomp/ns.list \
		 seccomp/nsopen.list
SECCOMP_H := build/gen/seccomp_lists.h

$(SECCOMP_H): seccomp/gen.sh $(SECCOMP_LISTS)
	@mkdir -p $(@D)
	sh seccomp/gen.sh header $(SECCOMP_LISTS) >$@.tmp && mv $@.tmp $@

build/seccomp.o build/asan/seccomp.o build/ubsan/seccomp.o \
build/fuzz/obj/seccomp.o build/test/seccomp.o: $(SECCOMP_H)
lint: $(SECCOMP_H)

seccomp-list:
	@sh seccomp/gen.sh print vm ns
	@sh seccomp/gen.sh print-alone nsopen

# merd-test: merd with a trigger that makes a call the filter must refuse
# (MERD_TEST_SECCOMP_TRIGGER in the environment names it, see
# src/seccomp_trigger.c), for test/sandbox.bats and test/fwd_loop.bats
build/test/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DMERD_TEST_SECCOMP -c -o $@ $<

merd-test: $(SRCS:src/%.c=build/test/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

.PHONY: seccomp-list

# merd-valgrind: the objects of ./merd, but isolation.o built with
# -DMERD_VALGRIND, which loads no seccomp filter (valgrind cannot run under
# it; see isolation_valgrind_build()). For test/valgrind.bats only.
build/valgrind/isolation.o: src/isolation.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DMERD_VALGRIND -c -o $@ $<

merd-valgrind: $(filter-out build/isolation.o,$(OBJS)) build/valgrind/isolation.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests link the real code (every module but main.c), no stubs of it,
# and the harness that sets up a context with a guest link (test/unit/harness.c)
LIB_OBJS := $(LIB_SRCS:src/%.c=build/%.o)
UNIT_DEPS := test/unit/unit.h test/unit/harness.h $(HDRS)

build/unit/harness.o: test/unit/harness.c $(UNIT_DEPS) | build/unit
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

build/unit/%: test/unit/%.c build/unit/harness.o $(LIB_OBJS) $(UNIT_DEPS) | build/unit
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -Itest/unit -o $@ $< build/unit/harness.o \
		$(LIB_OBJS) $(PKG_LIBS)

unit: $(UNIT_BINS)

tools:
	$(MAKE) -C test/tools

# make check: the unit tests, plain and on ASan+UBSan objects, every bats
# suite, then the sanitizer pass: ASAN_SUITES once more against merd-asan
# (any sanitizer report fails the test; README, "Sanitizers and valgrind"),
# all counted in one summary line. ASAN_SUITES= skips the pass.
ASAN_SUITES ?= test/badinput.bats test/faults.bats test/flood.bats \
	       test/tcp_ns.bats test/ipv4_ns.bats test/ipv6_ns.bats \
	       test/fwd_ns.bats test/ctl_ns.bats test/ipv4_vm.bats \
	       test/vhost_vm.bats

check: merd contrib/qemu/merd-qemu merd-test merd-valgrind merd-asan unit \
       $(UNIT_ASAN_BINS) tools fuzz-replay
	MERD_ASAN_SUITES="$(ASAN_SUITES)" test/run-tests.sh $(UNIT_BINS) \
		$(UNIT_ASAN_BINS)

# Sanitizer builds, objects apart in build/asan and build/ubsan: they never
# mix with the normal build, and building them does not disturb it
SAN_BASE := -std=gnu11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong -fPIE \
	    -fno-strict-aliasing $(PKG_CFLAGS)
SAN_asan  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all
SAN_ubsan := -O1 -g -fsanitize=undefined -fno-sanitize-recover=all

build/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(SAN_asan) $(SAN_BASE) -c -o $@ $<

build/ubsan/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(SAN_ubsan) $(SAN_BASE) -c -o $@ $<

merd-asan: $(SRCS:src/%.c=build/asan/%.o)
	$(CC) $(SAN_asan) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

merd-ubsan: $(SRCS:src/%.c=build/ubsan/%.o)
	$(CC) $(SAN_ubsan) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

asan: merd-asan
ubsan: merd-ubsan

# The unit tests on the ASan+UBSan objects (UNIT_ASAN_BINS): make unit-asan
# runs them

build/asan/unit/harness.o: test/unit/harness.c $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(SAN_asan) $(SAN_BASE) -Isrc -c -o $@ $<

build/asan/unit/%: test/unit/%.c build/asan/unit/harness.o \
		   $(LIB_SRCS:src/%.c=build/asan/%.o) $(UNIT_DEPS)
	$(CC) $(SAN_asan) $(SAN_BASE) $(LDFLAGS) -Isrc -Itest/unit -o $@ $< \
		build/asan/unit/harness.o $(LIB_SRCS:src/%.c=build/asan/%.o) \
		$(PKG_LIBS)

unit-asan: $(UNIT_ASAN_BINS)
	MERD_SUITES=none test/run-tests.sh $(UNIT_ASAN_BINS)

# libFuzzer targets (clang): build/fuzz/fuzz_$(FUZZ_TARGETS). They make
# real sockets, so fuzz-run starts each in a new, empty network namespace
# (unshare -rn), and the targets refuse to run where other interfaces are
# in sight. make fuzz-run FUZZ_SECONDS=N runs each for N seconds and fails
# on the first crash (left in build/fuzz/crashes/).
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
# seconds one input may take before libFuzzer calls it a hang: generous,
# for a loaded 2-core CI machine
FUZZ_TIMEOUT	?= 30
FUZZ_TARGETS	:= eth link conf ctl tcp dhcp dhcpv6 ndp icmp virtq frag
FUZZ_SAN	:= -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		   -fno-sanitize-recover=undefined
FUZZ_BASE	:= -std=gnu11 -D_GNU_SOURCE $(WARN) $(PKG_CFLAGS) -Isrc \
		   -Itest/unit -Itest/fuzz
FUZZ_OBJS	:= $(LIB_SRCS:src/%.c=build/fuzz/obj/%.o) \
		   build/fuzz/obj/harness.o build/fuzz/obj/fuzz.o \
		   build/fuzz/obj/fuzz_frame.o
FUZZ_BINS	:= $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
FUZZ_MAX_LEN_eth  := 8192
FUZZ_MAX_LEN_link := 16384
FUZZ_MAX_LEN_conf := 1024
FUZZ_MAX_LEN_ctl  := 8192
FUZZ_MAX_LEN_tcp  := 4096
FUZZ_MAX_LEN_dhcp := 4096
FUZZ_MAX_LEN_dhcpv6 := 4096
FUZZ_MAX_LEN_ndp  := 4096
FUZZ_MAX_LEN_icmp := 4096
FUZZ_MAX_LEN_virtq := 8192
FUZZ_MAX_LEN_frag := 16384

build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_BASE) -c -o $@ $<

build/fuzz/obj/harness.o: test/unit/harness.c $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_BASE) -c -o $@ $<

build/fuzz/obj/fuzz.o: test/fuzz/fuzz.c test/fuzz/fuzz.h test/fuzz/fuzz_frame.h $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_BASE) -c -o $@ $<

build/fuzz/obj/fuzz_frame.o: test/fuzz/fuzz_frame.c test/fuzz/fuzz_frame.h \
			     test/fuzz/fuzz.h $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_BASE) -c -o $@ $<

build/fuzz/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(FUZZ_BASE) -o $@ $< \
		$(FUZZ_OBJS) $(PKG_LIBS)

# fuzz_tcp: the real tcp.c over a fake socket layer (test/fuzz/fuzz_sock.c),
# put between merd and the C library by the linker, in this binary only
FUZZ_WRAP	:= socket connect setsockopt getsockopt ioctl recv recvmsg send \
		   sendmsg \
		   shutdown close accept4
FUZZ_WRAP_LD	:= $(FUZZ_WRAP:%=-Wl,--wrap=%)

build/fuzz/obj/fuzz_sock.o: test/fuzz/fuzz_sock.c test/fuzz/fuzz_sock.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_BASE) -c -o $@ $<

build/fuzz/fuzz_tcp: test/fuzz/fuzz_tcp.c test/fuzz/fuzz.h test/fuzz/fuzz_sock.h \
		     $(FUZZ_OBJS) build/fuzz/obj/fuzz_sock.o
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(FUZZ_BASE) -o $@ $< \
		$(FUZZ_OBJS) build/fuzz/obj/fuzz_sock.o $(FUZZ_WRAP_LD) $(PKG_LIBS)

fuzz: $(FUZZ_BINS)

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: build/fuzz/fuzz_%
	@mkdir -p build/fuzz/corpus/$* build/fuzz/crashes
	@echo "fuzz-run: $*, $(FUZZ_SECONDS) s, in a new network namespace"
	unshare -rn $< -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN_$*) \
		-close_fd_mask=3 -print_final_stats=1 -timeout=$(FUZZ_TIMEOUT) \
		-rss_limit_mb=4096 -artifact_prefix=build/fuzz/crashes/$*- \
		build/fuzz/corpus/$* test/fuzz/corpus/$*

fuzz-run: $(FUZZ_TARGETS:%=fuzz-run-%)
.PHONY: $(FUZZ_TARGETS:%=fuzz-run-%) fuzz-ci fuzz-replay

# CI: every target for FUZZ_CI_SECONDS, two at a time (2 cores: about two
# minutes for nine targets, plus the build); fails on the first crash
FUZZ_CI_SECONDS	?= 25
fuzz-ci: fuzz
	$(MAKE) -j2 --output-sync=target FUZZ_SECONDS=$(FUZZ_CI_SECONDS) fuzz-run

# Regression tests (make check, test/fuzz_replay.bats): each target's seeds
# and the crashes found (test/fuzz/regress/TARGET) run once through the
# target without libFuzzer (test/fuzz/replay.c), on the ASan+UBSan objects
# of make unit-asan, with $(CC)
REPLAY_BINS	:= $(FUZZ_TARGETS:%=build/asan/replay/fuzz_%)
REPLAY_OBJS	:= $(LIB_SRCS:src/%.c=build/asan/%.o) build/asan/unit/harness.o \
		   build/asan/replay/fuzz.o build/asan/replay/fuzz_frame.o \
		   build/asan/replay/replay.o
REPLAY_DEPS	:= $(wildcard test/fuzz/*.h) $(UNIT_DEPS)

build/asan/replay/%.o: test/fuzz/%.c $(REPLAY_DEPS)
	@mkdir -p $(@D)
	$(CC) $(SAN_asan) $(SAN_BASE) -Isrc -Itest/unit -Itest/fuzz -c -o $@ $<

build/asan/replay/fuzz_%: build/asan/replay/fuzz_%.o $(REPLAY_OBJS)
	$(CC) $(SAN_asan) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/asan/replay/fuzz_tcp: build/asan/replay/fuzz_tcp.o \
			    build/asan/replay/fuzz_sock.o $(REPLAY_OBJS)
	$(CC) $(SAN_asan) $(LDFLAGS) -o $@ $^ $(FUZZ_WRAP_LD) $(PKG_LIBS)

fuzz-replay: $(REPLAY_BINS)

# clang-tidy runs file by file: clang-tidy 14 reports a false "uninitialized
# va_list" when given several files at once. The checks are in .clang-tidy.
LINT_SRCS := $(SRCS) $(wildcard test/unit/*.c test/fuzz/*.c contrib/qemu/*.c \
			       test/tools/*.c)
LINT_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(PKG_CFLAGS) -Isrc -Itest/unit \
	       -Itest/fuzz -Itest/tools

# Both tools always run; lint fails if either found anything.
lint:
	@rc=0; for f in $(LINT_SRCS); do \
		clang-tidy --quiet $$f -- $(LINT_CFLAGS) 2>/dev/null || rc=1; \
	done; \
	cppcheck --quiet --error-exitcode=1 \
		--enable=warning,portability,performance --inline-suppr \
		--std=c11 -D__linux__ -D__x86_64__ -Isrc -Itest/unit \
		-Itest/fuzz -Itest/tools $(LINT_SRCS) || rc=1; \
	exit $$rc

clean-objs:
	rm -rf build

clean: clean-objs
	rm -f merd merd-asan merd-ubsan merd-test merd-valgrind contrib/qemu/merd-qemu
	-$(MAKE) -C test/tools clean
