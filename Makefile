# ember: one non-recursive GNU Makefile.
#   make              libraries (build/lib/libember-*.a) and commands (bin/)
#   make check        dependencies, build, unit tests under ASan+UBSan, CLI tests
#   make demo         dependencies, build, the journey of a message (scripts/demo)
#   make install PREFIX=/usr/local
#   make fuzz FUZZ_SECONDS=N, make bench, make corpus-check
#   make images, make images-check   bootable images of srv, relay, receiver
.SUFFIXES:
.SECONDEXPANSION:
.DELETE_ON_ERROR:
.PRECIOUS: build/asan/runner-%.c build/plain/runner-%.c build/obj/%.o build/static/ember-%
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

LIBS := mime dns smtp dkim spf dmarc io
# link order: dependents first
LINK_ORDER := io dmarc spf dkim smtp mime
PKGS := openssl libidn2 libpcre2-8 libcares libpsl libmagic
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs = $(shell pkg-config --libs $(1) 2>/dev/null || echo $(2))

# The layers stay honest: a library sees its own headers and those of the
# libraries it is built on, nothing of tools/; each program links only the
# libraries (ours and Debian's) it uses.
#   LIB_USES_x   the ember libraries x is built on
#   LIB_PKGS_x   the Debian packages x needs (pkg-config names)
LIB_USES_mime :=
LIB_PKGS_mime := libidn2
LIB_USES_dns :=
LIB_USES_dkim := mime dns
LIB_PKGS_dkim := libcrypto
LIB_USES_io := dns
LIB_USES_spf := dns
LIB_USES_dmarc := dns mime
LIB_PKGS_dmarc := libpsl
LIB_PKGS_io := libcares libssl libcrypto
# beyond pkg-config: lib/io's Maildir commits on a thread of its own
LIB_LDFLAGS_io := -pthread
lib_closure = $(sort $(1) $(foreach l,$(1),$(call lib_closure,$(LIB_USES_$(l)))))
lib_includes = $(addprefix -Ilib/,$(call lib_closure,$(1)))
lib_pkgs = $(sort $(foreach l,$(call lib_closure,$(1)),$(LIB_PKGS_$(l))))
lib_ldflags = $(sort $(foreach l,$(call lib_closure,$(1)),$(LIB_LDFLAGS_$(l))))
# commands: CMD_USES_x (default: mime) and CMD_PKGS_x (beyond the libraries')
CMD_PKGS_put := libmagic
CMD_USES_dkim := dkim io mime
CMD_USES_arc := dkim io mime
CMD_USES_mdir := io mime
CMD_USES_srv := smtp io mime
CMD_USES_submit := smtp io mime
CMD_USES_send := smtp io mime
CMD_USES_relay := smtp dkim io mime
CMD_PKGS_relay := libpcre2-8
# lib/io's TLS calls libcrypto too (pkg-config's libssl does not list it)
CMD_USES_spf := spf io mime
CMD_USES_dmarc := dmarc spf dkim io mime
CMD_USES_receiver := smtp spf dkim dmarc io mime
cmd_uses = $(or $(CMD_USES_$(1)),mime)

BASE_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DEMBER_VERSION='"$(VERSION)"'
# tools/, corpus/, bench/, fuzz/: every library's headers
CPPFLAGS_ALL := $(BASE_CPPFLAGS) $(addprefix -Ilib/,$(LIBS)) -Itools/common -Icorpus \
	$(call pkg_cflags,$(PKGS))
PKG_LIBS := $(call pkg_libs,$(PKGS),-lssl -lcrypto -lidn2 -lpcre2-8 -lcares -lpsl -lmagic) -pthread
CFLAGS_ALL := -std=c17 -Wall -Wextra -Werror -MMD -MP $(CFLAGS)

# ---- libraries -------------------------------------------------------------
lib_srcs = $(wildcard lib/$(1)/*.c)
LIB_SRCS := $(foreach l,$(LIBS),$(call lib_srcs,$(l)))
BUILT_LIBS := $(foreach l,$(LIBS),$(if $(call lib_srcs,$(l)),$(l)))
LIB_ARCHIVES := $(foreach l,$(filter $(BUILT_LIBS),$(LINK_ORDER)),build/lib/libember-$(l).a)

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(msg) CC $<
	$(Q)$(CC) $(OBJ_CPPFLAGS) $(CPPFLAGS) $(CFLAGS_ALL) -c $< -o $@
build/obj/%.o: OBJ_CPPFLAGS = $(CPPFLAGS_ALL)
# a library's objects: its own include path only
$(foreach l,$(LIBS),$(eval build/obj/lib/$(l)/%.o: OBJ_CPPFLAGS = $(BASE_CPPFLAGS) \
	$(call lib_includes,$(l)) $(call pkg_cflags,$(call lib_pkgs,$(l)))))

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
# an archive, so that a command takes only the helpers it calls (the SMTP
# server core needs lib/smtp and lib/io, which most commands do not link)
CLI_LIB := build/lib/libember-tools.a
$(CLI_LIB): $(CLI_OBJS)
	@mkdir -p $(@D)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
CMD_SRCS := $(filter-out tools/ember.c,$(wildcard tools/*.c))
CMDS := bin/ember $(patsubst tools/%.c,bin/ember-%,$(CMD_SRCS))

bin/ember: build/obj/tools/ember.o build/obj/tools/common/cli.o
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^

# the archives of a command's libraries, dependents first, and its link flags
lib_archives = $(foreach l,$(filter $(call lib_closure,$(1)),$(LINK_ORDER)),build/lib/libember-$(l).a)
cmd_archives = $(call lib_archives,$(call cmd_uses,$(1)))
cmd_ldlibs = $(call pkg_libs,$(call lib_pkgs,$(call cmd_uses,$(1))) $(CMD_PKGS_$(1)),-lidn2 -lmagic) \
	$(call lib_ldflags,$(call cmd_uses,$(1))) -lm

bin/ember-%: build/obj/tools/%.o $(CLI_LIB) $$(call cmd_archives,$$*)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CLI_LIB) $(call cmd_archives,$*) $(call cmd_ldlibs,$*)

# the corpus generator and checker (corpus/*.c) go into ember-corpus
CORPUS_OBJS := $(patsubst %.c,build/obj/%.o,$(wildcard corpus/*.c))
bin/ember-corpus: build/obj/tools/corpus.o $(CORPUS_OBJS) $(CLI_LIB) $(call cmd_archives,corpus)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CORPUS_OBJS) $(CLI_LIB) $(call cmd_archives,corpus) \
		$(call cmd_ldlibs,corpus)

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

# Suites that the sanitizers would blind run once more without them: ASan
# replaces strcasecmp with an ASCII one, so only a plain build shows a
# library that folds through the C locale (tests/unit/mime/locale.c).
PLAIN_SUITES_mime := tests/unit/mime/locale.c
PLAIN_LIBS := $(foreach l,$(UNIT_LIBS),$(if $(PLAIN_SUITES_$(l)),$(l)))
build/plain/runner-%.c: $$(PLAIN_SUITES_$$*) tests/unit/runner.sh
	@mkdir -p $(@D)
	$(Q)sh tests/unit/runner.sh $*-plain $(PLAIN_SUITES_$*) > $@
build/plain/runner-%.o: build/plain/runner-%.c
	$(Q)$(CC) $(CFLAGS_ALL) $(shell pkg-config --cflags check 2>/dev/null) -c $< -o $@
build/plain/%.o: %.c
	@mkdir -p $(@D)
	$(msg) CC $<
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) -Itests/unit $(CFLAGS_ALL) $(shell pkg-config --cflags check 2>/dev/null) -c $< -o $@
define plain_rule
build/plain/test-$(1): build/plain/runner-$(1).o $(patsubst %.c,build/plain/%.o,$(PLAIN_SUITES_$(1))) $(call lib_archives,$(1))
	$$(msg) LD $$@
	$$(Q)$$(CC) -o $$@ $$^ $$(call pkg_libs,$$(call lib_pkgs,$(1)),-lidn2) $$(call lib_ldflags,$(1)) $$(CHECK_LIBS) -lm
endef
$(foreach l,$(PLAIN_LIBS),$(eval $(call plain_rule,$(l))))
UNIT_TESTS += $(patsubst %,build/plain/test-%,$(PLAIN_LIBS))

.PHONY: deps unit-tests check demo
deps:
	@sh scripts/deps

unit-tests: $(UNIT_TESTS)

# the images too (tests/images: about 30 s of boots); without a kernel
# (scripts/kernel could not fetch it) their tests report themselves skipped
check: deps
	@$(MAKE) --no-print-directory $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS))),,-j$(NPROC)) all unit-tests $(PEERS)
	@sh scripts/kernel && $(MAKE) --no-print-directory image-files || \
		echo "make check: no kernel for the images: tests/images will be skipped"
	TEST_DIRS="tests/cli tests/interop tests/images" sh tests/run $(UNIT_TESTS)

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

.PHONY: fuzzers fuzz bench corpus-check
fuzzers: $(FUZZERS)
fuzz: deps
	$(MAKE) fuzzers
	sh fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

# bench programs that link ember's libraries (bench/*/ember-*.c)
BENCH_SRCS := $(wildcard bench/*/ember-*.c)
BENCH_BINS := $(patsubst %.c,build/bench/%,$(notdir $(BENCH_SRCS)))
$(BENCH_BINS): build/bench/ember-%: $$(wildcard bench/*/ember-$$*.c) $(LIB_ARCHIVES)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -O2 -o $@ $< $(LIB_ARCHIVES) $(PKG_LIBS) -lm
# libopendkim's side of bench/dkim and of the DKIM interop tests (make check
# builds it: tests/interop/dkim-peers.sh runs it)
PEERS := build/bench/opendkim build/bench/libspf2 build/bench/opendmarc
build/bench/opendkim: bench/dkim/opendkim.c
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(BASE_CPPFLAGS) $(call pkg_cflags,opendkim) -std=c17 -Wall -Wextra -Werror $(CFLAGS) \
		-O2 -o $@ $< $(call pkg_libs,opendkim,-lopendkim) -lcrypto
# libopendmarc's side of tests/interop/dmarc-opendmarc.sh (no pkg-config file
# in Debian: -lopendmarc)
build/bench/opendmarc: bench/dmarc/opendmarc.c
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(BASE_CPPFLAGS) -std=c17 -Wall -Wextra -Werror $(CFLAGS) \
		-O2 -o $@ $< $(call pkg_libs,opendmarc,-lopendmarc)

# libspf2's side of bench/spf and of the SPF interop tests (its own DNS
# layer under libspf2's cache: libspf2's resolver cannot use a port other
# than 53)
build/bench/libspf2: bench/spf/libspf2.c
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(BASE_CPPFLAGS) $(call pkg_cflags,libspf2) -std=c17 -Wall -Wextra -Werror $(CFLAGS) \
		-O2 -o $@ $< $(call pkg_libs,libspf2,-lspf2) -lresolv

bench: deps
	$(MAKE) all $(BENCH_BINS) $(PEERS)
	sh scripts/kernel && $(MAKE) --no-print-directory image-files
	sh bench/run

# ---- images (images/README.md) ---------------------------------------------
# Each of srv, relay and receiver that has a tools/X.c: build/static/ember-X
# (the same objects linked -static, stripped), images/out/X/initrd.cpio.gz
# (it as /init, the kernel's modules, /etc/ember/args from images/X.args and
# X_ARGS, the files given), images/out/X/disk.img (ext4, made once: a
# rebuild keeps the state), images/out/run-X; and the kernel,
# images/out/$(IMAGE_KERNEL). Variables:
#   SRV_ARGS, RELAY_ARGS, RECEIVER_ARGS   more options for /etc/ember/args
#                 ("--opt value --flag": a word after an option is its value)
#   SRV_FILES, RELAY_FILES, RECEIVER_FILES   SRC:DEST[:OPTION] files to add
#   RELAY_MAP     file put at /etc/ember/map of the relay image (--map)
#   DKIM_KEY      file put at /etc/ember/dkim.key of the relay image (--dkim-key)
#   IMAGE_KERNEL  vmlinux (PVH, the default: boots faster) or vmlinuz
#   IMAGE_MEM     RAM given to qemu (128M); IMAGE_DISK_SIZE (64M)
IMAGE_CMDS := $(foreach c,srv relay receiver,$(if $(wildcard tools/$(c).c),$(c)))
IMAGE_KERNEL ?= vmlinux
IMAGE_MEM ?= 128M
IMAGE_DISK_SIZE ?= 64M
KERNEL_DIR := build/images/kernel
RELAY_FILES += $(if $(RELAY_MAP),$(RELAY_MAP):/etc/ember/map:--map) \
	$(if $(DKIM_KEY),$(DKIM_KEY):/etc/ember/dkim.key:--dkim-key)
img_var = $($(shell echo $(1) | tr a-z A-Z)_$(2))
# "--a x --b" -> --arg "--a x" --arg "--b"
img_args = $(shell printf '%s\n' $(1) | awk '/^-/ { if (l != "") printf "--arg \"%s\" ", l; l = $$0; next } \
	{ l = l " " $$0 } END { if (l != "") printf "--arg \"%s\"", l }')

# (Debian's libpsl.pc lists none of the libidn2 and libunistring its
# archive calls: added after it)
cmd_static_ldlibs = $(shell pkg-config --static --libs $(call lib_pkgs,$(call cmd_uses,$(1))) $(CMD_PKGS_$(1))) \
	$(if $(filter libpsl,$(call lib_pkgs,$(call cmd_uses,$(1)))),-lidn2 -lunistring) \
	$(call lib_ldflags,$(call cmd_uses,$(1))) -lm
# libcrypto.a's dlopen/getaddrinfo/gethostbyname paths warn at link time
# (unused: ember does its own sockets and DNS); those warnings are filtered
build/static/ember-%: build/obj/tools/%.o $(CLI_LIB) $$(call cmd_archives,$$*)
	@mkdir -p $(@D)
	$(msg) LD-STATIC $@
	$(Q)$(CC) $(CFLAGS) -static -o $@ $< $(CLI_LIB) $(call cmd_archives,$*) $(call cmd_static_ldlibs,$*) \
		2> $@.ld; rc=$$?; grep -v -e 'statically linked applications requires' -e ': in function' $@.ld >&2; \
		rm -f $@.ld; exit $$rc
	$(Q)strip $@

images/out/$(IMAGE_KERNEL): $(KERNEL_DIR)/$(IMAGE_KERNEL)
	@mkdir -p $(@D)
	$(Q)cp $< $@
# always packed again (a second): the ARGS and FILES variables are inputs too
images/out/%/initrd.cpio.gz: build/static/ember-% images/build FORCE
	$(msg) IMAGE $@
	$(Q)sh images/build $* build/static/ember-$* $(KERNEL_DIR) $@ \
		$(if $(wildcard images/$*.args),--args images/$*.args) $(call img_args,$(call img_var,$*,ARGS)) \
		$(foreach f,$(strip $(call img_var,$*,FILES)),--file $(f))
# made once: a restart and a rebuild keep the state
images/out/%/disk.img:
	@mkdir -p $(@D)
	$(msg) MKFS $@
	$(Q)truncate -s $(IMAGE_DISK_SIZE) $@.tmp && PATH=$$PATH:/sbin:/usr/sbin mkfs.ext4 -F -q $@.tmp && mv $@.tmp $@
images/out/run-%: images/run.in
	@mkdir -p $(@D)
	$(Q)sed -e 's|@CMD@|$*|g' -e 's|@KERNEL@|$(IMAGE_KERNEL)|g' -e 's|@MEM@|$(IMAGE_MEM)|g' \
		-e 's|@DISK_SIZE@|$(IMAGE_DISK_SIZE)|g' $< > $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

IMAGE_OUTS := images/out/$(IMAGE_KERNEL) $(foreach c,$(IMAGE_CMDS),images/out/$(c)/initrd.cpio.gz \
	images/out/$(c)/disk.img images/out/run-$(c))
.PHONY: images images-check image-files FORCE
FORCE:
image-files: $(IMAGE_OUTS)
images: deps
	@sh scripts/kernel
	@$(MAKE) --no-print-directory image-files
# tests/images/*.sh, each in a network namespace of its own
images-check: images
	TEST_DIRS=tests/images sh tests/run

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
