# Créneau — build, run and test. Plain make; see README.md.
#   make            build build/debug/creneau
#   make run        install what is missing, build, migrate, start on SQLite with a demo
#   make test       install what is missing, run every suite (see tests/run.sh)
#   make bench      run the benchmarks in bench/ (they print figures, they do not fail)
#   make fmt        format the sources with clang-format
#   make soak       the long runs: thousands of race rounds, big property runs, every zone
#   make fuzz       libFuzzer on each tests/fuzz target (FUZZ_SECONDS each, default 10)
#   VARIANT=asan    build with AddressSanitizer and UndefinedBehaviorSanitizer

VARIANT ?= debug
B := build/$(VARIANT)
CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libpq libsodium libical icu-i18n icu-uc libcurl zlib liboath libzip libxml-2.0 xlsxwriter
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers -Werror
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g -pthread $(WARN) -Isrc -I$(B)/gen
ifeq ($(VARIANT),asan)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(VARIANT),fuzz)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
else ifeq ($(VARIANT),release)
  OPT := -O2 -DNDEBUG
else
  OPT := -O2
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(CFLAGS_BASE) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
# Test and bench programs record their header dependencies next to themselves.
DEPS = -MMD -MP -MF $@.d -MT $@
# libphonenumber (C++, no pkg-config file) sits behind a small C shim (src/**/*.cc).
LDLIBS_ALL = $(PKG_LIBS) -lhpdf -lcsv -lphonenumber -lstdc++ -lm -lpthread $(LDLIBS)
CXX ?= g++
ALL_CXXFLAGS = -std=c++17 -g -pthread -Wall -Wextra -Wshadow -Werror -Isrc $(OPT) $(CXXFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)

LIB_SRC := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_CXX_SRC := $(shell find src -name '*.cc' | sort)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(LIB_CXX_SRC:%.cc=$(B)/%.o) $(B)/gen/embedded.o
MIGRATIONS := $(sort $(wildcard src/db/migrations/*.sql))
TEMPLATES := $(sort $(shell find templates -type f 2>/dev/null))

UNIT_SRC := $(sort $(shell find tests/unit -name '*.c' 2>/dev/null))
UNIT_BIN := $(UNIT_SRC:%.c=$(B)/%)
API_SRC := $(sort $(wildcard tests/api/[0-9]*.c tests/api/pg-*.c))
API_BIN := $(API_SRC:%.c=$(B)/%)
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT := $(B)/libtestsupport.a
API_SUPPORT := $(B)/tests/api/harness.o
FUZZ_SRC := $(sort $(filter-out tests/fuzz/replay.c,$(wildcard tests/fuzz/*.c)))
FUZZ_REPLAY := $(FUZZ_SRC:%.c=$(B)/%-replay)
DELIVERY_SRC := $(sort $(wildcard tests/delivery/*.c))
DELIVERY_BIN := $(DELIVERY_SRC:%.c=$(B)/%)
# Several servers (tests/multi/) and fault injection over the API scenarios (tests/faults/).
MULTI_SRC := $(sort $(wildcard tests/multi/*.c tests/faults/*.c))
MULTI_BIN := $(MULTI_SRC:%.c=$(B)/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:%.c=$(B)/%)

.PHONY: all deps run test unit api bench soak fuzz fmt fmt-check lint clean tests-build
.DEFAULT_GOAL := all

all: $(B)/creneau

deps:
	@scripts/deps.sh test

$(B)/creneau: $(B)/src/main.o $(B)/libcreneau.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(B)/libcreneau.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -MMD -MP -c -o $@ $<

$(B)/gen/embedded.c: scripts/embed.sh $(MIGRATIONS) $(TEMPLATES)
	@mkdir -p $(dir $@)
	scripts/embed.sh $@ $(MIGRATIONS) -- $(TEMPLATES)

$(B)/gen/embedded.o: $(B)/gen/embedded.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libtestsupport.a: $(TEST_SUPPORT_SRC:%.c=$(B)/%.o)
	@rm -f $@
	ar rcs $@ $^

$(B)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -c -o $@ $<

$(B)/tests/unit/%: tests/unit/%.c $(TEST_SUPPORT) $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< $(TEST_SUPPORT) $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL) -lcmocka

$(B)/tests/api/harness.o: tests/api/harness.c tests/api/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -c -o $@ $<

$(B)/tests/api/%: tests/api/%.c $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL) -lcmocka

# Delivery tests (tests/delivery/): API-test programs that also start `creneau worker` processes.
$(B)/tests/delivery/%: tests/delivery/%.c tests/delivery/delivery.h $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL) -lcmocka

$(B)/tests/multi/%: tests/multi/%.c tests/delivery/delivery.h $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL) -lcmocka

$(B)/tests/faults/%: tests/faults/%.c $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< $(API_SUPPORT) $(TEST_SUPPORT) $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL) -lcmocka

# Fuzz targets are replayed over their corpus by a small driver in every build; `make fuzz`
# builds them with libFuzzer (clang) for real fuzzing.
$(B)/tests/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/replay.c $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< tests/fuzz/replay.c $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL)

# VARIANT=fuzz CC=clang: the libFuzzer binaries tests/fuzz/run.sh runs.
$(B)/tests/fuzz/%-fuzz: tests/fuzz/%.c $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -fsanitize=fuzzer -fsanitize-link-c++-runtime -o $@ $< $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL)

$(B)/bench/%: bench/%.c $(B)/libcreneau.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPS) -Itests -o $@ $< $(B)/libcreneau.a $(LDFLAGS_ALL) $(LDLIBS_ALL)

tests-build: $(B)/creneau $(UNIT_BIN) $(API_BIN) $(DELIVERY_BIN) $(MULTI_BIN) $(FUZZ_REPLAY) $(BENCH_BIN)

run: deps
	$(MAKE) all
	scripts/run.sh $(B)/creneau

test: deps
	tests/run.sh

unit: $(UNIT_BIN)
	tests/run.sh unit

api: $(API_BIN)
	tests/run.sh api

bench: deps
	$(MAKE) VARIANT=release tests-build
	bench/run.sh build/release

soak: deps
	tests/soak.sh

fuzz: deps
	tests/fuzz/run.sh

fmt:
	clang-format -i $$(find src tests bench -name '*.[ch]')

fmt-check:
	clang-format --dry-run -Werror $$(find src tests bench -name '*.[ch]')

lint:
	scripts/lint.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
