# cnm - Docker's bridge networking in C.  Plain Makefile, quiet unless V=1.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libnftables jansson sqlite3
# sqlite3 and jansson are linked statically and libnftables is dlopen()ed on
# first use: every cnm command is a short process, and the dynamic loader's
# work for them was a third of a command's cost (docs/decisions.md).

# CFLAGS/LDFLAGS are the user's (make CFLAGS=...); the project's own flags
# live in CNM_CFLAGS so that overriding CFLAGS never loses include paths.
CFLAGS ?= -O2 -g
CNM_CFLAGS := -std=c11 -D_GNU_SOURCE -DCNM_VERSION=\"0.1.0\" -Wall -Wextra -Wshadow \
	-Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes -Wno-format-truncation \
	-MMD -MP -Iinclude -Ilib -Icni $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
ifeq ($(CI),true)
CNM_CFLAGS += -Werror
endif
LDLIBS += -Wl,-Bstatic -lsqlite3 -ljansson -Wl,-Bdynamic -ldl -lm
# The cnm binary is one static PIE, with no libm (cli/lazym.c loads it if
# SQL calls it): a command reaches main() ~170 µs sooner than with the
# loader (docs/decisions.md, "One static binary").  glibc warns that the
# dlopen() of libnftables needs the same glibc at run time: Debian's is.
# Sanitizer builds (make asan) link it dynamically.
CNM_BIN_LDLIBS := -static-pie -Wl,-z,pack-relative-relocs -lsqlite3 -ljansson

B := build
LIB_SRC := $(wildcard lib/*.c)
CLI_SRC := $(wildcard cli/*.c cni/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
# the CNI front door's pure parts (no main, no syscalls) are unit-tested too
CNI_PURE_OBJ := $(B)/cni/conf.o $(B)/cni/result.o
# cnm-dns, the resolver of user-defined networks: its own binary, so that
# ldns is loaded by the one long-lived process and by no short command.
DNS_SRC := $(filter-out dns/nocrypto.c dns/nonss.c,$(wildcard dns/*.c))
DNS_OBJ := $(DNS_SRC:%.c=$(B)/%.o)
DNS_LIB_OBJ := $(filter-out $(B)/dns/main.o,$(DNS_OBJ))
DNS_LDLIBS := $(shell $(PKG_CONFIG) --libs ldns 2>/dev/null || echo -lldns) -pthread
# The resolver is one static PIE: ldns and the C library, no SQLite
# (`cnm _dns-dump` reads the store for it), no dynamic loader (a dynamic libc
# kept ~1.5 MB resident) and no OpenSSL (dns/nocrypto.c stands in for the
# functions ldns's objects name and cnm-dns never calls; dns/nonss.c for the
# services and protocols look-ups, which need NSS modules when static):
# 1.3 MB resident,
# not 4.4 (docs/decisions.md).  RELR keeps its relocations a few KB.
# Sanitizer builds (make asan) link it dynamically, with the real OpenSSL.
DNS_BIN_LDLIBS := -static-pie -Wl,--gc-sections -Wl,-z,pack-relative-relocs \
	$(B)/dns/nocrypto.o $(B)/dns/nonss.o -lldns -pthread
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

ifeq ($(V),1)
Q :=
qecho = @true
else
Q := @
qecho = @printf '  %-6s %s\n'
endif

all: $(B)/cnm $(B)/cnm-dns

$(B)/%.o: %.c
	$(qecho) CC $<
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libcnm.a: $(LIB_OBJ)
	$(qecho) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/cnm: $(CLI_OBJ) $(B)/libcnm.a
	$(qecho) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libcnm.a $(CNM_BIN_LDLIBS)

# of libcnm only the address helpers
$(B)/cnm-dns: $(DNS_OBJ) $(B)/lib/ipam.o $(B)/dns/nocrypto.o $(B)/dns/nonss.o
	$(qecho) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $(DNS_OBJ) $(B)/lib/ipam.o $(DNS_BIN_LDLIBS)

$(B)/tests/test_dns $(B)/tests/test_dns_dump: $(B)/tests/%: tests/unit/%.c $(DNS_LIB_OBJ) \
		$(B)/libcnm.a
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Idns $(CFLAGS) $(LDFLAGS) -o $@ $< $(DNS_LIB_OBJ) $(B)/libcnm.a \
		$(LDLIBS) $(DNS_LDLIBS) -lcmocka

# The resolver's libFuzzer targets (see their headers for how to build and run them).
$(B)/fuzz/fuzz_dns $(B)/fuzz/fuzz_dns_dump: $(B)/fuzz/%: tests/fuzz/%.c $(DNS_LIB_OBJ) $(B)/libcnm.a
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Idns $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(DNS_LIB_OBJ) \
		$(B)/libcnm.a $(LDLIBS) $(DNS_LDLIBS)

# linked like the cnm binary: without libm, with cli/lazym.c
$(B)/tests/test_lazym: tests/unit/test_lazym.c $(B)/cli/lazym.o
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(filter-out -lm,$(LDLIBS)) -lcmocka

# the --format templates live with the CLI
GOTMPL_OBJ := $(B)/cli/gotmpl_parse.o $(B)/cli/gotmpl_exec.o $(B)/cli/gotmpl_funcs.o
$(B)/tests/test_gotmpl: tests/unit/test_gotmpl.c $(GOTMPL_OBJ) $(B)/libcnm.a
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Icli $(CFLAGS) $(LDFLAGS) -o $@ $< $(GOTMPL_OBJ) $(B)/libcnm.a \
		$(LDLIBS) -lcmocka

# Docker's phrases (cli/table.c), with the template engine's quoting
$(B)/tests/test_table: tests/unit/test_table.c $(B)/cli/table.o $(GOTMPL_OBJ) $(B)/libcnm.a
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Icli $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/cli/table.o $(GOTMPL_OBJ) \
		$(B)/libcnm.a $(LDLIBS) -lcmocka

# run --env-file's reading of a file (cli/envfile.c)
$(B)/tests/test_envfile: tests/unit/test_envfile.c $(B)/cli/envfile.o
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Icli $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/cli/envfile.o -lcmocka

$(B)/tests/%: tests/unit/%.c $(B)/libcnm.a $(CNI_PURE_OBJ)
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CNI_PURE_OBJ) $(B)/libcnm.a $(LDLIBS) \
		-lcmocka

$(B)/bench/floor: bench/floor.c
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# small programs the e2e tests use (tests/tools/), on their PATH
TOOLS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))

$(B)/tools/%: tests/tools/%.c
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

unit: $(UNIT_BIN) $(TOOLS)

# The set-up commands install what a fresh Debian 12 machine lacks first.
deps:
	$(Q)scripts/deps.sh

# Beyond the plain build: units and walkthrough/networks e2e under ASan+UBSan,
# each fuzzer (30 s in CI, 5 s locally) and, in CI, make lint (docs/hardening.md).
check: deps
	$(Q)$(MAKE) --no-print-directory all unit CI=$(CI)
	$(Q)$(MAKE) --no-print-directory asan fuzz-build
	$(Q)CNM_ASAN=1 CNM_FUZZ="$(if $(filter true,$(CI)),30,5) $(FUZZ_TARGETS)" CNM_LINT=$(CI) tests/run

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/bench/floor
	$(Q)bench/run $(if $(QUICK),--quick)

asan:
	$(Q)$(MAKE) --no-print-directory B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" DNS_BIN_LDLIBS="-lldns -pthread" CNM_BIN_LDLIBS="$(filter-out -lm,$(LDLIBS))" all unit

# libFuzzer targets: tests/fuzz/fuzz_NAME.c with seeds in tests/fuzz/corpus/NAME/,
# built with clang into build-fuzz/.  Adding a target is adding its NAME here.
FUZZ_TARGETS := cidr ports netopts names cni_conf dns dns_dump gotmpl envfile
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Wno-unknown-warning-option

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libcnm.a $(CNI_PURE_OBJ)
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(CNI_PURE_OBJ) \
		$(B)/libcnm.a $(LDLIBS)

$(B)/fuzz/fuzz_gotmpl: tests/fuzz/fuzz_gotmpl.c tests/fuzz/fuzz.h $(GOTMPL_OBJ) $(B)/libcnm.a
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Icli $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(GOTMPL_OBJ) \
		$(B)/libcnm.a $(LDLIBS)

$(B)/fuzz/fuzz_envfile: tests/fuzz/fuzz_envfile.c tests/fuzz/fuzz.h $(B)/cli/envfile.o
	$(qecho) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CNM_CFLAGS) -Icli $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/cli/envfile.o

fuzz-build:
	$(Q)$(MAKE) --no-print-directory B=build-fuzz CC=clang CI= \
		CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" $(FUZZ_TARGETS:%=build-fuzz/fuzz/fuzz_%)

# Each target for FUZZ_SECONDS; new inputs go to build-fuzz/corpus, not the repo.
fuzz: fuzz-build
	$(Q)tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# cppcheck and clang-tidy on lib/ and cli/; fails on any finding (docs/hardening.md).
lint:
	$(Q)tests/lint/run

# the same binary is the CNI plugin: runtimes look for it as $CNIDIR/cnm
CNIDIR ?= /opt/cni/bin
install: $(B)/cnm $(B)/cnm-dns
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(CNIDIR)
	install -m 0755 $(B)/cnm $(DESTDIR)$(BINDIR)/cnm
	install -m 0755 $(B)/cnm-dns $(DESTDIR)$(BINDIR)/cnm-dns
	ln -sf $(BINDIR)/cnm $(DESTDIR)$(CNIDIR)/cnm

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all unit deps check demo bench asan install clean fuzz fuzz-build lint
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(DNS_OBJ:.o=.d)
