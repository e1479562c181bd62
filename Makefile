# hotline — build, test, demo, benchmark, install.
#
#   make            build build/hotlined and build/hotlinectl
#   make demo       build, generate a demo data set, start hotlined on 127.0.0.1
#   make check      unit + integration tests, plain and under ASan+UBSan
#   make bench      benchmarks (see docs/BENCHMARKS.md)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each (docs/FUZZING.md);
#                   FUZZ_TARGETS="kana csv" runs some only
#   make install    PREFIX=/usr/local DESTDIR=
#
# Missing Debian -dev packages are installed on first use (scripts/deps.sh).

.DEFAULT_GOAL := all

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
BUILD     ?= build
CFLAGS    ?= -O2 -g
LDFLAGS   ?=
SANITIZE  ?=

PKGS      = libevent sqlite3 libconfig jansson libcrypto libutf8proc
TEST_PKGS = cmocka

WARN = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes \
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
	@sh scripts/deps.sh
	@mkdir -p build
	@{ echo "DEP_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	   echo "DEP_LIBS = $$(pkg-config --libs $(PKGS))"; \
	   echo "TEST_CFLAGS = $$(pkg-config --cflags $(TEST_PKGS))"; \
	   echo "TEST_LIBS = $$(pkg-config --libs $(TEST_PKGS))"; } > $@

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -pthread -Iinclude $(WARN) $(CFLAGS) \
              $(SAN_FLAGS) $(DEP_CFLAGS) -MMD -MP
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

$(BUILD)/obj/%.o: src/%.c
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

.PHONY: all tests check check-fast bench bench-import fuzz fuzz-build fuzz-bins \
	demo install clean distclean

-include $(LIB_OBJS:.o=.d) $(UNIT_BINS:=.d) $(BUILD)/obj/hotlined.d $(BUILD)/obj/hotlinectl.d \
	$(FUZZ_BINS:=.d)
