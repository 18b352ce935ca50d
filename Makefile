# mailroom: one non-recursive Makefile.  `make` builds ./mailroom,
# `make test` (or `make check`; what CI runs) builds ./mailroom and runs
# the whole suite under ASan+UBSan, `make suite` runs it on ./mailroom,
# `make valgrind` runs the unit tests under valgrind,
# `make demo` scans the bundled sample letters through SANE (the virtual
# feeder in scanner/backend/) into a fresh archive, `make fuzz` runs the
# libFuzzer harnesses of tests/fuzz/ for FUZZ_SECONDS each (clang, in
# build-fuzz/) and fails when one finds a crash.

PKGS := sane-backends tesseract lept libtiff-4 libpng sqlite3 jansson libcrypto \
	libutf8proc zbar inih pangocairo fontconfig libqpdf

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
	-Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
	-Wpointer-arith -Wvla -Wwrite-strings -Wformat=2 -Wshadow

BUILD := build
ifneq ($(SANITIZE),)
BUILD := build-asan
CFLAGS := -g -O1 -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# Recursively expanded on purpose: pkg-config runs after install-deps.sh.
MR_CPPFLAGS = -I. $(shell pkg-config --cflags $(PKGS)) \
	-DMR_LOCALEDIR='"$(CURDIR)/build/locale"' \
	-DMR_CATALOG='"$(CURDIR)/classifier/catalog.ini"'
MR_LDLIBS = $(shell pkg-config --libs $(PKGS) ncursesw) -lm
# Only review draws on the terminal: ncursesw's cflags (-D_DEFAULT_SOURCE
# -D_XOPEN_SOURCE=600) are given to its object alone (see below).
CURSES_CPPFLAGS = $(shell pkg-config --cflags ncursesw)

LIB_SRC := $(filter-out pipeline/main.c,$(wildcard pipeline/*.c)) \
	$(wildcard scanner/*.c ocr/*.c classifier/*.c archive/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/t_*.c)
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)
TOOL_SRC := tests/mkpage.c tests/cer.c
TOOL_BIN := $(TOOL_SRC:%.c=$(BUILD)/%)
PROGRAM := $(BUILD)/mailroom
# The virtual document feeder, a SANE backend for the tests and the demo.
FEEDER := $(BUILD)/sane/libsane-feeder.so.1
LOCALE_MO := build/locale/zh_CN/LC_MESSAGES/mailroom.mo
DEPS_STAMP := build/.deps-installed

.PHONY: all suite test check asan valgrind demo clean format format-check pot \
	fuzz fuzz-build fuzz-image fuzz-text
# Keep the test objects make would otherwise delete as intermediates.
.SECONDARY:
all: mailroom $(FEEDER) $(LOCALE_MO)

mailroom: $(PROGRAM)
	@if [ "$(BUILD)" = build ]; then ln -sf $(PROGRAM) mailroom; fi

$(DEPS_STAMP): install-deps.sh
	@mkdir -p $(@D)
	./install-deps.sh
	@touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(MR_CPPFLAGS) $(WARNINGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/pipeline/mr_review.o: MR_CPPFLAGS += $(CURSES_CPPFLAGS)

$(BUILD)/libmr.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(PROGRAM): $(BUILD)/pipeline/main.o $(BUILD)/libmr.a
	$(CC) $(LDFLAGS) -o $@ $^ $(MR_LDLIBS)

$(FEEDER): scanner/backend/feeder.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(MR_CPPFLAGS) $(WARNINGS) $(CFLAGS) -fPIC -shared $(LDFLAGS) \
		-o $@ $< $(shell pkg-config --libs lept)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libmr.a
	$(CC) $(LDFLAGS) -o $@ $^ $(MR_LDLIBS)

# Benchmark programs (bench/RESULTS.md says how each is run).
$(BUILD)/bench/repeat-index: $(BUILD)/bench/repeat_index.o $(BUILD)/libmr.a
	$(CC) $(LDFLAGS) -o $@ $^ $(MR_LDLIBS)

$(LOCALE_MO): pipeline/po/zh_CN.po | $(DEPS_STAMP)
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The whole suite on the build in $(BUILD), as it is (LeakSanitizer's
# suppressions for a sanitizer build).
suite: all $(PROGRAM) $(FEEDER) $(UNIT_BIN) $(TOOL_BIN)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		MAILROOM=$(CURDIR)/$(PROGRAM) BUILD=$(CURDIR)/$(BUILD) tests/run.sh

# The README's test command and CI's: the optimised build first (its
# -Werror warnings differ from -O1's), then the suite under ASan+UBSan.
test check asan: all
	$(MAKE) SANITIZE=address,undefined suite

# The unit tests under valgrind (slow: Tesseract runs interpreted).
valgrind: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do \
		echo "valgrind $$t"; \
		valgrind -q --leak-check=full --error-exitcode=1 \
			--suppressions=tests/valgrind.supp $$t >/dev/null || exit 1; \
	done

demo: all $(TOOL_BIN)
	BUILD=$(CURDIR)/$(BUILD) tests/demo.sh

# Fuzzing: the library built by clang with the fuzzer's coverage and
# ASan+UBSan, each harness linked with libFuzzer's main and run for
# FUZZ_SECONDS on a corpus seeded from the test data.  Corpora, crash
# inputs and sanitizer reports (libraries' stderr is captured while a page
# is decoded, so reports go to files) stay in build-fuzz/.  `make -j2 fuzz`
# runs both harnesses at once.
FUZZ := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_BIN := $(patsubst %.c,$(FUZZ)/%,$(wildcard tests/fuzz/fuzz_*.c))
REALDATA ?= ../shared/realdata
FUZZ_SEEDS_image = $(wildcard tests/data/fuzz/image-* \
	$(REALDATA)/formats/*/*.tif* $(REALDATA)/ocr/*/*.tif \
	$(REALDATA)/hostile/*/*.tif* $(REALDATA)/hostile/*/*.png \
	$(REALDATA)/hostile/*/*/*.png $(REALDATA)/hostile/*/*.jp*g)
FUZZ_SEEDS_text = $(sort $(wildcard tests/data/fuzz/text-* \
	tests/data/*/*.txt $(REALDATA)/ocr/*/*.txt))
# A page within the pixel limit (100 million) may take tens of seconds
# under ASan, and 400 MB in one allocation; more than 1000 MB in one is a
# fault, such as libpng trusting a chunk length.
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -timeout=60 \
	-rss_limit_mb=4096 -malloc_limit_mb=1000 -print_final_stats=1

$(BUILD)/tests/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/libmr.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(MR_LDLIBS)

fuzz: fuzz-image fuzz-text

fuzz-build: | $(DEPS_STAMP)
	$(MAKE) BUILD=$(FUZZ) CC=clang \
		SANITIZE=fuzzer-no-link,address,undefined $(FUZZ_BIN)

fuzz-image fuzz-text: fuzz-%: fuzz-build
	@rm -rf $(FUZZ)/seed/$* $(FUZZ)/crashes/$*-report.*
	@mkdir -p $(FUZZ)/seed/$* $(FUZZ)/corpus/$* $(FUZZ)/crashes
	cp $(FUZZ_SEEDS_$*) $(FUZZ)/seed/$*/
	ASAN_OPTIONS=log_path=$(FUZZ)/crashes/$*-report \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1 \
		$(FUZZ)/tests/fuzz/fuzz_$* $(FUZZ_FLAGS) \
		-artifact_prefix=$(FUZZ)/crashes/$*- \
		$(FUZZ)/corpus/$* $(FUZZ)/seed/$* || \
		{ cat $(FUZZ)/crashes/$*-report.* 2>/dev/null; exit 1; }

# Refresh the message template and merge it into the Chinese catalogue.
pot: | $(DEPS_STAMP)
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments \
		--package-name=mailroom -o build/mailroom.pot \
		$(sort $(wildcard */*.c */*/*.c))
	msgmerge --quiet --update --backup=none --no-fuzzy-matching \
		pipeline/po/zh_CN.po build/mailroom.pot
	msgattrib --no-obsolete -o pipeline/po/zh_CN.po pipeline/po/zh_CN.po

format:
	clang-format -i $(wildcard */*.c */*.h */*/*.c)

format-check:
	clang-format --dry-run --Werror $(wildcard */*.c */*.h */*/*.c)

clean:
	rm -rf build build-asan $(FUZZ) mailroom

-include $(shell find build build-asan $(FUZZ) -type f -name '*.d' 2>/dev/null)
