# hotline — build, test, demo, benchmark, install.
#
#   make            build build/hotlined and build/hotlinectl
#   make demo       build, generate a demo data set, start hotlined on 127.0.0.1
#   make check      unit + integration tests, plain and under ASan+UBSan
#   make bench      benchmarks (see docs/BENCHMARKS.md)
#   make prompts-audio  the IVR's recordings as 8 kHz WAV (docs/ASTERISK.md)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each (docs/FUZZING.md);
#                   FUZZ_TARGETS="kana csv" runs some only
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

PKGS      = libevent libevent_openssl sqlite3 libconfig jansson libcrypto \
            libssl libutf8proc
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

# libsystemd is optional: with it hotlined speaks sd_notify (Type=notify
# in the unit), without it the unit is Type=exec.
build/config.mk: scripts/deps.sh
	@if [ "$(NODEPS)" != 1 ]; then sh scripts/deps.sh; fi
	@mkdir -p build
	@{ if pkg-config --exists libsystemd; then \
	     echo "DEP_CFLAGS = -DHAVE_LIBSYSTEMD $$(pkg-config --cflags $(PKGS) libsystemd)"; \
	     echo "DEP_LIBS = $$(pkg-config --libs $(PKGS) libsystemd)"; \
	     echo "SERVICE_TYPE = notify"; \
	   else \
	     echo "DEP_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	     echo "DEP_LIBS = $$(pkg-config --libs $(PKGS))"; \
	     echo "SERVICE_TYPE = exec"; \
	   fi; \
	   echo "TEST_CFLAGS = $$(pkg-config --cflags $(TEST_PKGS))"; \
	   echo "TEST_LIBS = $$(pkg-config --libs $(TEST_PKGS))"; } > $@

PATH_DEFS = -DHOTLINE_VERSION='"$(VERSION)"' \
            -DHOTLINE_CONF_PATH='"$(SYSCONFDIR)/hotline/hotline.conf"' \
            -DHOTLINE_PROMPTS_DIR='"$(DATADIR)/hotline/prompts"' \
            -DHOTLINE_WEB_DIR='"$(DATADIR)/hotline/web"' \
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

# Fuzzing (docs/FUZZING.md): every fuzz/fuzz_*.c is a libFuzzer target,
# built with clang against the library compiled with coverage, ASan and
# UBSan in build/fuzz, then run FUZZ_SECONDS each.
FUZZ_CC      ?= clang
FUZZ_CFLAGS  ?= -O1 -g
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_BUILD    = build/fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_SRCS     = $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS     = $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/%)

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

# Whether it speaks sd_notify is decided by config.mk.
$(BUILD)/obj/notify.o: build/config.mk

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

$(BUILD)/fuzz_%.o: fuzz/fuzz_%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz_%: $(BUILD)/fuzz_%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(DEP_LIBS)

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

# The library and the targets get coverage (fuzzer-no-link) and the
# sanitizers; only the targets link libFuzzer's main().
fuzz-build:
	@FUZZ_CC=$(FUZZ_CC) sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	  CFLAGS="$(FUZZ_CFLAGS)" \
	  SAN_FLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-build
	@python3 fuzz/seeds.py tests/data $(FUZZ_BUILD)/seeds
	@sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: all
	@sh scripts/demo.sh build

# The IVR's recordings (placeholders spoken by espeak-ng) in Asterisk's
# sounds layout: SOUNDS/hotline/<lang>/<prompt>.wav. Without CONF, the
# prompts of prompts/ with the example conf's values; with CONF (a real
# conf, after an import), that conf's prompts and every organisation's
# texts of its affected.db too. A second run renders only what changed.
SOUNDS ?= $(BUILD)/sounds
prompts-audio: $(BUILD)/hotlinectl
	@$(BUILD)/hotlinectl prompts-audio --out $(SOUNDS) \
	  $(if $(CONF),-c $(CONF),-c conf/hotline.conf --prompts prompts --no-orgs)

# Every path below honours DESTDIR and the directories above. The example
# conf goes to $(SYSCONFDIR)/hotline/hotline.conf only if there is none
# (an existing conf is never overwritten), and always beside the docs.
DIST_SED = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	       -e 's|@SERVICE_TYPE@|$(SERVICE_TYPE)|g' \
	       -e 's|@HOTLINE_DATA@|$(LOCALSTATEDIR)/lib/hotline|g' \
	       -e 's|/usr/local/share/hotline|$(DATADIR)/hotline|g' \
	       -e 's|/var/lib/hotline|$(LOCALSTATEDIR)/lib/hotline|g'
MAN5 = docs/hotline.conf.5 docs/hotline-lists.5
MAN8 = docs/hotlined.8 docs/hotlinectl.8
DOCS = README.md docs/PROTOCOL.md docs/DESIGN.md docs/STORAGE.md \
       docs/NORMALIZATION.md docs/OPERATIONS.md docs/BENCHMARKS.md \
       docs/ASTERISK.md docs/WEB.md

$(BUILD)/dist/%: dist/%.in $(BUILD)/paths.stamp build/config.mk
	@mkdir -p $(@D)
	$(DIST_SED) $< > $@

DIST_FILES = $(BUILD)/dist/hotlined.service $(BUILD)/dist/hotline.sysusers \
	     $(BUILD)/dist/hotline.tmpfiles

dist: $(DIST_FILES)

install: all $(DIST_FILES)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/hotline \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -d -m 750 $(DESTDIR)$(SYSCONFDIR)/hotline
	install -m 755 $(BUILD)/hotlined $(DESTDIR)$(SBINDIR)/hotlined
	install -m 755 $(BUILD)/hotlinectl $(DESTDIR)$(SBINDIR)/hotlinectl
	rm -rf $(DESTDIR)$(DATADIR)/hotline/prompts
	cp -R prompts $(DESTDIR)$(DATADIR)/hotline/prompts
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/hotline/prompts
	install -d $(DESTDIR)$(DATADIR)/hotline/web
	install -m 644 web/*.html web/*.js web/*.css web/*.svg \
	  $(DESTDIR)$(DATADIR)/hotline/web/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(DIST_SED) conf/hotline.conf > $(BUILD)/dist/hotline.conf
	install -m 644 $(BUILD)/dist/hotline.conf \
	  $(DESTDIR)$(DOCDIR)/examples/hotline.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/hotline/hotline.conf ]; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/hotline/hotline.conf (the" \
	    "example is $(DOCDIR)/examples/hotline.conf)"; \
	else \
	  install -m 640 $(BUILD)/dist/hotline.conf \
	    $(DESTDIR)$(SYSCONFDIR)/hotline/hotline.conf; \
	fi
	install -m 644 $(BUILD)/dist/hotlined.service $(DESTDIR)$(UNITDIR)/
	install -m 644 $(BUILD)/dist/hotline.sysusers \
	  $(DESTDIR)$(SYSUSERSDIR)/hotline.conf
	install -m 644 $(BUILD)/dist/hotline.tmpfiles \
	  $(DESTDIR)$(TMPFILESDIR)/hotline.conf

clean:
	rm -rf build

distclean: clean
	rm -rf demo

# Keep the objects make builds on the way (and keep its "rm" lines from
# following the test summary).
.SECONDARY:

.PHONY: FORCE all dist tests check check-fast bench bench-import fuzz \
	fuzz-build fuzz-bins demo prompts-audio install clean distclean

-include $(LIB_OBJS:.o=.d) $(UNIT_BINS:=.d) $(BUILD)/obj/hotlined.d $(BUILD)/obj/hotlinectl.d \
	$(FUZZ_BINS:=.d)
