# SPDX-License-Identifier: GPL-2.0-or-later
# merd - rootless user-mode networking
#
# make            build ./merd (CC=clang works too)
# make check      build, then run every test (C unit tests and bats suites)
# make unit       C unit tests only
# make lint       clang-tidy and cppcheck
# make asan       ./merd built with AddressSanitizer + UBSan (merd-asan)
# make ubsan      ./merd built with UBSan alone (merd-ubsan)
# make fuzz       libFuzzer targets (clang)

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

.PHONY: all clean clean-objs check unit lint asan ubsan fuzz tools

all: merd

merd: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

build/%.o: src/%.c $(HDRS) | build
	$(CC) $(CFLAGS) -c -o $@ $<

build build/unit:
	mkdir -p $@

# Unit tests link the modules they test with the real code, no stubs of it
build/unit/%: test/unit/%.c $(LIB_SRCS) $(HDRS) test/unit/unit.h | build/unit
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(filter-out test/unit/%,$(LIB_SRCS)) $(PKG_LIBS)

unit: $(UNIT_BINS)

tools:
	$(MAKE) -C test/tools

check: merd unit tools
	test/run-tests.sh $(UNIT_BINS)

asan:
	$(MAKE) clean-objs
	$(MAKE) merd CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		HARDEN="-fstack-protector-strong -fPIE"
	mv merd merd-asan
	$(MAKE) clean-objs

ubsan:
	$(MAKE) clean-objs
	$(MAKE) merd CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover=all"
	mv merd merd-ubsan
	$(MAKE) clean-objs

lint:
	clang-tidy --quiet $(SRCS) -- -std=gnu11 -D_GNU_SOURCE $(PKG_CFLAGS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --std=c11 -D__linux__ $(SRCS)

clean-objs:
	rm -rf build

clean: clean-objs
	rm -f merd merd-asan merd-ubsan
	-$(MAKE) -C test/tools clean
