# tcpscope — live TCP connection monitor.
#   make run      install missing build deps, build, start the monitor
#   make check    install missing deps, build, run every test (also under ASan/UBSan)
#   make bench    performance figures against ss/netstat
#   make install  PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKG_CONFIG ?= pkg-config
BUILD   ?= build
VERSION := 0.1.0

PKGS := libmnl ncursesw libmicrohttpd
WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
        -Wpointer-arith -Wvla -Wno-missing-field-initializers
ifneq ($(CI),)
WARN += -Werror
endif
OPT     ?= -O2 -g
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread -DTCPSCOPE_VERSION='"$(VERSION)"' $(WARN) $(OPT) \
             -Iinclude -Itests/lib $(PKG_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm -pthread

# Every .c under src/ is part of the program; src/main.c holds main().
LIB_SRCS  := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TLIB_SRCS := $(shell find tests/lib -name '*.c' | sort)
TLIB_OBJS := $(TLIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)
BIN := $(BUILD)/tcpscope
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all run check check-build test bench install uninstall clean deps deps-test \
        check-san screenshots fuzz fuzz-build fuzz-bins
all: deps-build-quiet $(BIN)

$(BUILD)/libtcpscope.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(BUILD)/libtcpscope.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TLIB_OBJS) $(BUILD)/libtcpscope.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(TLIB_OBJS) $(BUILD)/libtcpscope.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# libFuzzer targets (only built with BUILD=build-fuzz CC=clang, see `fuzz`).
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/libtcpscope.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# Keep objects of tests and tools between runs.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- dependencies
# Debian package names; `make deps` installs whatever is missing (sudo when
# not root) and does nothing when everything is present.
BUILD_DEBS := gcc make pkg-config libmnl-dev libncurses-dev libmicrohttpd-dev netbase
TEST_DEBS  := iproute2 tmux jq procps util-linux netbase clang libclang-rt-14-dev valgrind \
              prometheus prometheus-node-exporter curl
DEPS_SH := tests/deps.sh

deps-build-quiet:
	@sh $(DEPS_SH) build $(BUILD_DEBS)
deps:
	@sh $(DEPS_SH) build $(BUILD_DEBS)
	@sh $(DEPS_SH) test $(TEST_DEBS)
deps-test:
	@sh $(DEPS_SH) test $(TEST_DEBS)

# ---------------------------------------------------------------- run / test
run: all
	./$(BIN) $(ARGS)

check-build: $(BIN) $(UNIT_BINS) $(TOOL_BINS)

# The whole suite, then (with SAN=1 in a separate build dir) again under
# AddressSanitizer + UndefinedBehaviorSanitizer. One summary line at the end.
check: deps
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory BUILD=build-san SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" OPT="-O1 -g" check-build
	@if [ -n "$(CI)$(FUZZ_SECONDS)" ]; then $(MAKE) --no-print-directory fuzz-build; fi
	@sh tests/run.sh $(BUILD) build-san

test: check

# Fuzzing: every tests/fuzz/fuzz_*.c, built with clang + libFuzzer + ASan/UBSan
# against the library sources (compiled afresh into build-fuzz/), each run
# FUZZ_SECONDS (default 60) from its seed corpus tests/fuzz/corpus/NAME/.
# In CI (or with FUZZ_SECONDS set) `make check` runs them briefly too.
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) SAN_FLAGS="$(FUZZ_SAN)" \
		OPT="-O1 -g" fuzz-bins
fuzz-bins: $(FUZZ_BINS)
fuzz: deps fuzz-build
	@sh tests/fuzz/run.sh build-fuzz

# Not part of `make check`: minutes long, needs root (private netns).
bench: all
	@$(MAKE) --no-print-directory check-build
	@sh tests/bench/run.sh $(BUILD)
	@sh tests/bench/exporter.sh $(BUILD)

# PNGs of the live view for the README (needs root, tmux, aha, chromium:
# installed here on demand, not part of `make check`).
SHOT_DEBS := tmux aha chromium fonts-dejavu-core
screenshots: all $(BUILD)/tools/ui_stage
	@sh $(DEPS_SH) test $(SHOT_DEBS)
	sh tests/screenshots.sh $(BUILD) screenshots

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tcpscope

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tcpscope

clean:
	rm -rf build build-san build-fuzz
