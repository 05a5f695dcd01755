# verbinding: plain Makefile with pkg-config.
#   make                 build ./verbinding
#   make demo            set up, build, create a demo store and print a tour
#   make check           set up, build, run every test suite (last line: N passed, N failed)
#   make SANITIZE=1 check   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz            build the libFuzzer harnesses (clang)
#   make format          apply .clang-format

CC      ?= gcc
PKGS    := sqlite3 libcjson zlib libsodium libcrypto libpcre2-8 libxxhash libmicrohttpd libcurl
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD   := build/san
else
BUILD   := build/rel
endif

SRC      := $(sort $(wildcard src/*/*.c))
OBJ      := $(SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
BIN      := verbinding
ifeq ($(SANITIZE),1)
BIN      := build/san/verbinding
endif

.PHONY: all deps demo check test unit e2e fuzz fuzz-replay format bench clean
all: $(BIN)

$(BIN): $(MAIN_OBJ) $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit_tests: $(UNIT_OBJ) $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@sh scripts/setup.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/unit_tests
	@BIN=$(BIN) UNIT=$(BUILD)/unit_tests SANITIZE=$(SANITIZE) sh scripts/check.sh

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

FUZZ_SRC  := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_OBJ  := $(SRC:%.c=build/fuzz/%.o)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined
fuzz: $(FUZZ_BIN)
build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
# An archive, so each harness links only the objects it reaches.
build/fuzz/libvb.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^
build/fuzz/fuzz_%: fuzz/fuzz_%.c build/fuzz/libvb.a
	clang $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $^ $(LDLIBS)
fuzz-replay: $(FUZZ_BIN)
	@sh scripts/fuzz-replay.sh $(FUZZ_BIN)

format:
	clang-format -i $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC) tests/unit/*.h $(FUZZ_SRC) $(wildcard fuzz/*.h)

bench: all
	@sh bench/run.sh

clean:
	rm -rf build $(BIN)

-include $(OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
