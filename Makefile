# tcpscope — live TCP connection monitor.
#   make run      install missing build deps, build, start the monitor
#   make check    install missing deps, build, run every test (also under ASan/UBSan)
#   make bench    performance figures against ss/netstat
#   make install  PREFIX=/usr/local DESTDIR=  (binary, man pages, completion, units)
#   make deb      a Debian package from the same install, in build-deb/

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKG_CONFIG ?= pkg-config
BUILD   ?= build
VERSION := 0.1.0

PKGS := libmnl ncursesw libzstd libmicrohttpd
# libmicrohttpd is loaded at run time by --serve (src/serve/http.c): its
# headers only, not linked (with its TLS stack it cost every start ~2 ms).
LINK_PKGS := libmnl ncursesw libzstd
WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
        -Wpointer-arith -Wvla -Wno-missing-field-initializers
ifneq ($(CI),)
WARN += -Werror
endif
OPT     ?= -O2 -g
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread -DTCPSCOPE_VERSION='"$(VERSION)"' $(WARN) $(OPT) \
             -Iinclude -Itests/lib $(PKG_CFLAGS) $(SAN_FLAGS) $(CPPFLAGS) $(CFLAGS)
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
        check-san screenshots fuzz fuzz-build fuzz-bins deb
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

# --version names the library versions it was built against.
modversion = $(or $(shell $(PKG_CONFIG) --modversion $(1) 2>/dev/null),unknown)
$(BUILD)/src/version.o: ALL_CFLAGS += -DTCPSCOPE_LIBMNL_VERSION='"$(call modversion,libmnl)"' \
                                      -DTCPSCOPE_NCURSES_VERSION='"$(call modversion,ncursesw)"'

# Keep objects of tests and tools between runs.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- dependencies
# Debian package names; `make deps` installs whatever is missing (sudo when
# not root) and does nothing when everything is present.
BUILD_DEBS := gcc make pkg-config libmnl-dev libncurses-dev libzstd-dev libmicrohttpd-dev netbase
TEST_DEBS  := iproute2 tmux jq procps util-linux netbase clang libclang-rt-14-dev valgrind \
              mandoc man-db bash-completion zsh lintian dpkg-dev binutils \
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
# BENCH_BIG=0 skips the big tables (100k/500k/1M sockets: ~10 more minutes
# and 3 GiB of kernel memory at the peak; tests/bench/bigbox.sh).
bench: all
	@$(MAKE) --no-print-directory check-build
	@sh tests/bench/run.sh $(BUILD)
	@sh tests/bench/exporter.sh $(BUILD)
	@if [ "$${BENCH_BIG:-1}" != 0 ]; then sh tests/bench/bigbox.sh --report $(BUILD); fi

# PNGs of the live view for the README (needs root, tmux, aha, chromium:
# installed here on demand, not part of `make check`).
SHOT_DEBS := tmux aha chromium fonts-dejavu-core
screenshots: all $(BUILD)/tools/ui_stage
	@sh $(DEPS_SH) test $(SHOT_DEBS)
	sh tests/screenshots.sh $(BUILD) screenshots

# ---------------------------------------------------------------- install
# Every file `make install` writes, and nothing else, is what `make uninstall`
# removes. Systemd units are whatever src/dist/systemd/*.service holds.
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/tcpscope
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
MAN1  := $(sort $(wildcard docs/man/*.1))
MAN7  := $(sort $(wildcard docs/man/*.7))
DOCS  := README.md docs/FILTER.md
UNITS := $(sort $(wildcard src/dist/systemd/*.service))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/tcpscope
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 src/dist/bash-completion/tcpscope $(DESTDIR)$(BASHCOMPDIR)/tcpscope
	install -m 0644 src/dist/zsh/_tcpscope $(DESTDIR)$(ZSHCOMPDIR)/_tcpscope
	$(if $(UNITS),install -d $(DESTDIR)$(UNITDIR))
	@# Units name the binary where this install puts it.
	$(if $(UNITS),for u in $(UNITS); do \
		sed 's|/usr/local/bin/tcpscope|$(BINDIR)/tcpscope|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tcpscope
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	rm -f $(DESTDIR)$(BASHCOMPDIR)/tcpscope $(DESTDIR)$(ZSHCOMPDIR)/_tcpscope
	$(if $(UNITS),rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS))))

# ---------------------------------------------------------------- Debian package
# `make deb`: build with Debian's hardening flags into $(DEB_BUILD), `make
# install` there with PREFIX=/usr, then src/dist/debian/mkdeb.sh adds the
# copyright and changelog, computes Depends with dpkg-shlibdeps and packs
# $(DEB_BUILD)/tcpscope_VERSION_ARCH.deb with dpkg-deb.
DEB_BUILD ?= build-deb
DEB_DEBS  := dpkg-dev binutils
# Every hardening feature Debian offers, bindnow included.
BUILDFLAGS := DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags
deb:
	@sh $(DEPS_SH) build $(BUILD_DEBS) $(DEB_DEBS)
	rm -rf $(DEB_BUILD)
	@$(MAKE) --no-print-directory BUILD=$(DEB_BUILD) \
		CPPFLAGS="$$($(BUILDFLAGS) --get CPPFLAGS)" CFLAGS="$$($(BUILDFLAGS) --get CFLAGS)" \
		LDFLAGS="$$($(BUILDFLAGS) --get LDFLAGS)" \
		PREFIX=/usr DESTDIR=$(abspath $(DEB_BUILD))/root UNITDIR=/lib/systemd/system \
		ZSHCOMPDIR=/usr/share/zsh/vendor-completions install
	sh src/dist/debian/mkdeb.sh $(VERSION) $(DEB_BUILD)

clean:
	rm -rf build build-san build-fuzz build-deb
