# hotline — build, test, demo, benchmark, install.
#
#   make            build build/hotlined and build/hotlinectl
#   make demo       build, generate a demo data set, start hotlined on 127.0.0.1
#   make check      unit + integration tests, plain and under ASan+UBSan
#   make bench      benchmarks (see docs/BENCHMARKS.md)
#   make install    PREFIX=/usr/local DESTDIR= (SYSCONFDIR, ... below)
#
# Missing Debian -dev packages are installed on first use (scripts/deps.sh),
# unless NODEPS=1: packagers bring the build dependencies themselves.
# WERROR=0 builds without -Werror (a newer compiler's new warning must not
# stop a package build).

.DEFAULT_GOAL := all

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
BUILD     ?= build
CFLAGS    ?= -O2 -g
LDFLAGS   ?=
SANITIZE  ?=
NODEPS    ?=
WERROR    ?= 1
VERSION   = 0.1

# Where make install puts things. The compiled-in defaults (the conf's
# path, prompts_dir, data_dir) are derived from these, so an installed
# hotlined finds its files without a conf key for each.
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
BINDIR        ?= $(PREFIX)/bin
SBINDIR       ?= $(PREFIX)/sbin
DATADIR       ?= $(PREFIX)/share
MANDIR        ?= $(DATADIR)/man
DOCDIR        ?= $(DATADIR)/doc/hotline
UNITDIR       ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR   ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR   ?= $(PREFIX)/lib/tmpfiles.d

PKGS      = libevent sqlite3 libconfig jansson libcrypto libutf8proc
TEST_PKGS = cmocka

WARN = -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wformat=2 -Wshadow -Wmissing-prototypes \
       -Wstrict-prototypes -Wpointer-arith -Wwrite-strings -Wno-format-nonliteral

ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
endif

# build/config.mk holds the pkg-config flags; make (re)creates it, after
# installing missing packages, and restarts itself to read it.
NODEPS_GOALS = clean distclean
ifeq ($(filter $(NODEPS_GOALS),$(MAKECMDGOALS)),)
include build/config.mk
endif

build/config.mk: scripts/deps.sh
	@if [ "$(NODEPS)" != 1 ]; then sh scripts/deps.sh; fi
	@mkdir -p build
	@{ echo "DEP_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	   echo "DEP_LIBS = $$(pkg-config --libs $(PKGS))"; \
	   echo "TEST_CFLAGS = $$(pkg-config --cflags $(TEST_PKGS))"; \
	   echo "TEST_LIBS = $$(pkg-config --libs $(TEST_PKGS))"; } > $@

PATH_DEFS = -DHOTLINE_VERSION='"$(VERSION)"' \
            -DHOTLINE_CONF_PATH='"$(SYSCONFDIR)/hotline/hotline.conf"' \
            -DHOTLINE_PROMPTS_DIR='"$(DATADIR)/hotline/prompts"' \
            -DHOTLINE_DATA_DIR='"$(LOCALSTATEDIR)/lib/hotline"'

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -pthread -Iinclude $(WARN) $(CFLAGS) \
              $(SAN_FLAGS) $(DEP_CFLAGS) $(PATH_DEFS) -MMD -MP
ALL_LDFLAGS = -pthread $(LDFLAGS) $(SAN_FLAGS)

MAINS     = src/hotlined.c src/hotlinectl.c
LIB_SRCS  = $(filter-out $(MAINS),$(wildcard src/*.c))
LIB_OBJS  = $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB       = $(BUILD)/libhotline.a

UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

BENCH_SRCS = $(wildcard bench/*.c)
BENCH_BINS = $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

all: $(BUILD)/hotlined $(BUILD)/hotlinectl

# The compiled-in paths: a change of PREFIX (or any directory) rebuilds
# what uses them, and nothing is rebuilt when they stay the same.
$(BUILD)/paths.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PATH_DEFS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/obj/%.o: src/%.c $(BUILD)/paths.stamp
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/hotlined $(BUILD)/hotlinectl: $(BUILD)/%: $(BUILD)/obj/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS) $(TEST_LIBS)

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

tests: all $(UNIT_BINS)

# The tests run twice: on the plain build and on the sanitizer build
# (build/asan), and the runner prints one "N passed, N failed" line.
check: tests
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 tests
	@python3 tests/run_tests.py build build/asan

check-fast: tests
	@python3 tests/run_tests.py build

bench: all $(BENCH_BINS)
	@sh bench/run.sh build

bench-import: all
	@sh bench/import.sh build

demo: all
	@sh scripts/demo.sh build

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/share/hotline $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(BUILD)/hotlined $(DESTDIR)$(PREFIX)/sbin/hotlined
	install -m 755 $(BUILD)/hotlinectl $(DESTDIR)$(PREFIX)/bin/hotlinectl
	install -m 644 conf/hotline.conf $(DESTDIR)$(PREFIX)/share/hotline/hotline.conf.example
	cp -R prompts $(DESTDIR)$(PREFIX)/share/hotline/
	install -m 644 docs/hotlined.8 docs/hotlinectl.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build

distclean: clean
	rm -rf demo

# Keep the objects make builds on the way (and keep its "rm" lines from
# following the test summary).
.SECONDARY:

.PHONY: FORCE all tests check check-fast bench bench-import demo install clean distclean

-include $(LIB_OBJS:.o=.d) $(UNIT_BINS:=.d) $(BUILD)/obj/hotlined.d $(BUILD)/obj/hotlinectl.d
