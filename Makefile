# ember: one non-recursive GNU Makefile.
#   make              libraries (build/lib/libember-*.a) and commands (bin/)
#   make check        dependencies, build, unit tests under ASan+UBSan, CLI tests
#   make demo         dependencies, build, the main job on an embedded sample
#   make install PREFIX=/usr/local
#   make fuzz FUZZ_SECONDS=N, make bench, make images, make corpus-check
.SUFFIXES:
.SECONDEXPANSION:
.DELETE_ON_ERROR:
.PRECIOUS: build/asan/runner-%.c build/obj/%.o
SHELL := /bin/sh

PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
CC ?= cc
AR ?= ar
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
NPROC := $(shell nproc 2>/dev/null || echo 2)
CFLAGS ?= -O2 -g
# V=1 shows the full commands
ifeq ($(V),1)
Q :=
msg = @:
else
Q := @
msg = @printf '  %-6s %s\n'
endif
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIBS := mime smtp dkim spf dmarc io
# link order: dependents first
LINK_ORDER := io dmarc spf dkim smtp mime
PKGS := openssl libidn2 libpcre2-8 libcares libpsl libmagic
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lidn2 -lpcre2-8 -lcares -lpsl -lmagic)

CPPFLAGS_ALL := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DEMBER_VERSION='"$(VERSION)"' \
	$(addprefix -Ilib/,$(LIBS)) -Itools/common -Icorpus $(PKG_CFLAGS)
CFLAGS_ALL := -std=c17 -Wall -Wextra -Werror -MMD -MP $(CFLAGS)

# ---- libraries -------------------------------------------------------------
lib_srcs = $(wildcard lib/$(1)/*.c)
LIB_SRCS := $(foreach l,$(LIBS),$(call lib_srcs,$(l)))
BUILT_LIBS := $(foreach l,$(LIBS),$(if $(call lib_srcs,$(l)),$(l)))
LIB_ARCHIVES := $(foreach l,$(filter $(BUILT_LIBS),$(LINK_ORDER)),build/lib/libember-$(l).a)

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(msg) CC $<
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS_ALL) -c $< -o $@

define lib_rule
build/lib/libember-$(1).a: $(patsubst %.c,build/obj/%.o,$(call lib_srcs,$(1)))
	@mkdir -p $$(@D)
	$$(msg) AR $$@
	$$(Q)rm -f $$@
	$$(Q)$$(AR) rcs $$@ $$^
endef
$(foreach l,$(BUILT_LIBS),$(eval $(call lib_rule,$(l))))

# ---- commands --------------------------------------------------------------
CLI_SRCS := $(wildcard tools/common/*.c)
CLI_OBJS := $(patsubst %.c,build/obj/%.o,$(CLI_SRCS))
CMD_SRCS := $(filter-out tools/ember.c,$(wildcard tools/*.c))
CMDS := bin/ember $(patsubst tools/%.c,bin/ember-%,$(CMD_SRCS))

bin/ember: build/obj/tools/ember.o build/obj/tools/common/cli.o
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^

bin/ember-%: build/obj/tools/%.o $(CLI_OBJS) $(LIB_ARCHIVES)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CLI_OBJS) $(LIB_ARCHIVES) $(PKG_LIBS) -lm

# the corpus generator and checker (corpus/*.c) go into ember-corpus
CORPUS_OBJS := $(patsubst %.c,build/obj/%.o,$(wildcard corpus/*.c))
bin/ember-corpus: build/obj/tools/corpus.o $(CORPUS_OBJS) $(CLI_OBJS) $(LIB_ARCHIVES)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CORPUS_OBJS) $(CLI_OBJS) $(LIB_ARCHIVES) $(PKG_LIBS) -lm

.PHONY: all
all: $(LIB_ARCHIVES) $(CMDS)
.DEFAULT_GOAL := all

# ---- unit tests (check), sanitized, in their own build directory -----------
UNIT_LIBS := $(foreach l,$(LIBS),$(if $(wildcard tests/unit/$(l)/*.c),$(l)))
SAN_CFLAGS := -std=c17 -Wall -Wextra -Werror -MMD -MP -O1 -g $(SAN_FLAGS)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(msg) CC-SAN $<
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) -Itests/unit $(SAN_CFLAGS) -c $< -o $@

# Each tests/unit/LIB/NAME.c defines Suite *suite_NAME(void); the runner that
# calls them all is generated, so adding a test file needs no other edit.
build/asan/runner-%.c: $$(wildcard tests/unit/%/*.c) tests/unit/runner.sh
	@mkdir -p $(@D)
	$(Q)sh tests/unit/runner.sh $* $(wildcard tests/unit/$*/*.c) > $@

build/asan/runner-%.o: build/asan/runner-%.c
	$(Q)$(CC) $(SAN_CFLAGS) $(shell pkg-config --cflags check 2>/dev/null) -c $< -o $@

define unit_rule
build/asan/test-$(1): build/asan/runner-$(1).o $(patsubst %.c,build/asan/%.o,$(wildcard tests/unit/$(1)/*.c) $(LIB_SRCS))
	$$(msg) LD-SAN $$@
	$$(Q)$$(CC) $$(SAN_FLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(CHECK_LIBS) -lm
endef
$(foreach l,$(UNIT_LIBS),$(eval $(call unit_rule,$(l))))

UNIT_TESTS := $(patsubst %,build/asan/test-%,$(UNIT_LIBS))

.PHONY: deps unit-tests check demo
deps:
	@sh scripts/deps

unit-tests: $(UNIT_TESTS)

check: deps
	@$(MAKE) --no-print-directory $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS))),,-j$(NPROC)) all unit-tests
	sh tests/run $(UNIT_TESTS)

demo: deps
	$(MAKE) all
	sh scripts/demo

# ---- install ---------------------------------------------------------------
PUBLIC_HEADERS := $(foreach l,$(BUILT_LIBS),$(wildcard lib/$(l)/$(l).h lib/$(l)/$(l)-*.h))
.PHONY: install
install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/ember $(DESTDIR)$(PREFIX)/share/man/man1
	cp $(CMDS) $(DESTDIR)$(PREFIX)/bin/
	cp $(LIB_ARCHIVES) $(DESTDIR)$(PREFIX)/lib/
	$(if $(PUBLIC_HEADERS),cp $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/ember/)
	for l in $(BUILT_LIBS); do sh scripts/pcfile $$l "$(PREFIX)" "$(VERSION)" "$(PKGS)" \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/ember-$$l.pc; done
	$(if $(wildcard man/*.1),cp $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/)

# ---- fuzzing, benchmarks, images, corpus -----------------------------------
FUZZ_SRCS := $(wildcard fuzz/*.c)
FUZZERS := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
build/fuzz/%: fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(@D)
	$(msg) FUZZ $@
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) -std=c17 -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(LIB_SRCS) $(PKG_LIBS) -lm

.PHONY: fuzzers fuzz bench images corpus-check
fuzzers: $(FUZZERS)
fuzz: deps
	$(MAKE) fuzzers
	sh fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

# bench programs that link ember's libraries (bench/*/ember-*.c)
BENCH_SRCS := $(wildcard bench/*/ember-*.c)
BENCH_BINS := $(patsubst %.c,build/bench/%,$(notdir $(BENCH_SRCS)))
build/bench/ember-%: $$(wildcard bench/*/ember-$$*.c) $(LIB_ARCHIVES)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -O2 -o $@ $< $(LIB_ARCHIVES) $(PKG_LIBS) -lm

bench: deps
	$(MAKE) all $(BENCH_BINS)
	sh bench/run

images:
	@echo "make images: no image is defined yet (images/ is empty)"; exit 1

# one million generated messages, streamed through a pipe: nothing on disk
CORPUS_N ?= 1000000
CORPUS_SEED ?= 1
corpus-check: deps
	@$(MAKE) --no-print-directory bin/ember-corpus
	bin/ember-corpus gen --seed $(CORPUS_SEED) -n $(CORPUS_N) - | bin/ember-corpus check -

.PHONY: clean
clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
