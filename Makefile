# hebbsleep build. `make` builds bin/hebbsleep; `make check` installs missing
# Debian packages, builds and runs every test; `make demo` runs the default
# experiment. See README.md.

CC      ?= cc
PKGS    := gsl hdf5 yaml-0.1
VERSION := 0.1.0
GIT     := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# -ffp-contract=off: no fused multiply-add, so vectorised and scalar loops
# round the same way and results stay bitwise identical for any thread count.
# CFLAGS is the user's (optimisation, sanitizers); HS_CFLAGS always applies.
CFLAGS  ?= -O3 -g
HS_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
           -fopenmp -ffp-contract=off -fno-math-errno -fno-trapping-math \
           -DHS_VERSION='"$(VERSION)"' -DHS_GIT_COMMIT='"$(GIT)"'
# MPI when Open MPI's mpicc is installed (`make MPI=0` builds without):
# mpirun -np P runs one simulation over P processes (base/mpi.h).
MPICC   := $(if $(filter 0,$(MPI)),,$(shell command -v mpicc 2>/dev/null))
ifneq ($(MPICC),)
ifeq ($(origin CC),default)
CC      := mpicc
endif
HS_CFLAGS += -DHS_MPI
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS) -lm -fopenmp

BUILD   ?= build
LIBSRC  := $(sort $(wildcard base/*.c neurons/*.c plasticity/*.c replay/*.c task/*.c model/*.c sim/*.c io/*.c app/*.c))
LIBSRC  := $(filter-out app/main.c,$(LIBSRC))
LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
# Tests: tests/unit (one file per module) and tests/e2e (whole runs), each
# its own binary, both on the helpers of tests/lib.
TESTLIB := $(sort $(wildcard tests/lib/*.c))
UNITSRC := $(sort $(wildcard tests/unit/*.c))
E2ESRC  := $(sort $(wildcard tests/e2e/*.c))
TESTLIBOBJ := $(TESTLIB:%.c=$(BUILD)/%.o)
UNITOBJ := $(UNITSRC:%.c=$(BUILD)/%.o)
E2EOBJ  := $(E2ESRC:%.c=$(BUILD)/%.o)
TESTOBJ := $(TESTLIBOBJ) $(UNITOBJ) $(E2EOBJ)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

BIN     := bin/hebbsleep
UNITBIN := $(BUILD)/test_unit
E2EBIN  := $(BUILD)/test_e2e
TESTBIN := $(UNITBIN) $(E2EBIN)

.PHONY: all deps check layers unit e2e mpicheck pytests notebooks demo bench clean asan fuzz \
        fuzz-build fuzz-quick valgrind FORCE

all: $(BIN)

deps:
	@scripts/install-deps.sh

# `make V=1` shows the full commands.
Q = $(if $(V),,@)

$(BUILD)/%.o: %.c $(BUILD)/cc-flags
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libhebbsleep.a: $(LIBOBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

# The commit is compiled into main.o only; rebuild it when the commit changes.
$(BUILD)/git-commit: FORCE
	@mkdir -p $(BUILD)
	@echo '$(GIT)' | cmp -s - $@ || echo '$(GIT)' > $@
$(BUILD)/app/main.o: $(BUILD)/git-commit

# Objects are rebuilt when the compiler or MPI choice changes.
$(BUILD)/cc-flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(filter -DHS_MPI,$(HS_CFLAGS))' | cmp -s - $@ || \
	    echo '$(CC) $(filter -DHS_MPI,$(HS_CFLAGS))' > $@

$(BIN): $(BUILD)/app/main.o $(BUILD)/libhebbsleep.a
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(UNITBIN): $(UNITOBJ) $(TESTLIBOBJ) $(BUILD)/libhebbsleep.a
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) -o $@ $^ $(LDFLAGS) $(CHECK_LIBS) $(LDLIBS)

$(E2EBIN): $(E2EOBJ) $(TESTLIBOBJ) $(BUILD)/libhebbsleep.a
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) -o $@ $^ $(LDFLAGS) $(CHECK_LIBS) $(LDLIBS)

# The unit and end-to-end tests (Check), then the Python package's tests
# and every notebook, executed on short runs.
check: deps
	@$(MAKE) --no-print-directory layers
	@$(MAKE) --no-print-directory $(BIN) $(TESTBIN)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory mpicheck
	@$(MAKE) --no-print-directory pytests
	@$(MAKE) --no-print-directory notebooks
	@$(MAKE) --no-print-directory fuzz-quick

# Every #include goes down the folder graph (README.md, Layout); the
# check also refuses back-edges planted in a copy of the sources.
layers:
	@scripts/check-layers.sh
	@tests/layers/selftest.sh

# Every module's tests (HS_SUITE=name runs one suite), then the whole runs.
unit: $(BIN) $(UNITBIN)
	HS_BIN=$(abspath $(BIN)) $(UNITBIN)

e2e: $(BIN) $(E2EBIN)
	HS_BIN=$(abspath $(BIN)) $(E2EBIN)

# The same runs under mpirun -np 1, 2, 4 x --threads 1, 2: bitwise the
# files of one process (MPI builds only).
mpicheck: $(BIN)
	$(if $(MPICC),HS_BIN=$(abspath $(BIN)) tests/mpi/determinism.sh,@echo "mpicheck: no mpicc: skipped")

# Debian's Python (the python3 on PATH may not see its packages).
PYTHON := /usr/bin/python3
PYENV  := HEBBSLEEP_BIN=$(abspath $(BIN)) PYTHONPATH=$(abspath python) \
          PYDEVD_DISABLE_FILE_VALIDATION=1 MPLBACKEND=Agg

pytests: $(BIN)
	$(PYENV) $(PYTHON) -m unittest discover -s python/tests 2>&1

# Each notebook runs top to bottom in a fresh kernel (HEBBSLEEP_QUICK: short
# runs); the files in git stay stripped of outputs.
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
notebooks: $(BIN)
	@for nb in $(NOTEBOOKS); do \
	    echo "  NOTEBOOK $$nb"; \
	    log=$$(cd notebooks && $(PYENV) HEBBSLEEP_QUICK=1 /usr/bin/jupyter-execute \
	        --timeout=600 $$(basename $$nb) 2>&1) || { echo "$$log"; exit 1; }; \
	done

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p runs
	$(BIN) run experiments/linear_track.yaml -o runs/linear_track.h5 --overwrite --threads 2
	$(BIN) info runs/linear_track.h5
	$(PYENV) $(PYTHON) scripts/demo_figure.py runs/linear_track.h5 runs/linear_track.png

bench: deps
	@$(MAKE) --no-print-directory $(BIN)
	bench/run.sh

# AddressSanitizer + UBSan build of both test binaries in a separate tree.
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/hebbsleep \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/hebbsleep build-asan/test_unit \
	    build-asan/test_e2e
	HS_BIN=$(abspath build-asan/hebbsleep) CK_FORK=no build-asan/test_unit
	HS_BIN=$(abspath build-asan/hebbsleep) CK_FORK=no build-asan/test_e2e

# libFuzzer on the config loader (tests/fuzz/fuzz_config.c), built with
# clang, ASan and UBSan in build-fuzz/. Seeds: the good and bad configs;
# new inputs go to build-fuzz/corpus, crashes to build-fuzz/crash-*.
FUZZ_RUNS ?= 1500000
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all
# An input slower than 60 s is a hang; 4 GB: a schedule at the loader's
# limits (10^6 phases) takes ~1 GB and 15 s under ASan.
FUZZ_OPTS = -max_len=16384 -dict=tests/fuzz/config.dict -artifact_prefix=build-fuzz/ \
            -print_final_stats=1 -timeout=60 -rss_limit_mb=4096

$(BUILD)/fuzz_config: $(BUILD)/tests/fuzz/fuzz_config.o $(BUILD)/libhebbsleep.a
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz MPI=0 CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	    LDFLAGS="-fsanitize=fuzzer,address,undefined" build-fuzz/fuzz_config

fuzz: deps fuzz-build
	@mkdir -p build-fuzz/corpus
	build-fuzz/fuzz_config $(FUZZ_OPTS) -runs=$(FUZZ_RUNS) build-fuzz/corpus \
	    tests/configs/good tests/configs/bad

# A few seconds of it, from the seeds alone and with a fixed seed, in make check.
fuzz-quick: fuzz-build
	@rm -rf build-fuzz/corpus-quick && mkdir -p build-fuzz/corpus-quick
	build-fuzz/fuzz_config $(FUZZ_OPTS) -seed=1 -runs=50000 build-fuzz/corpus-quick \
	    tests/configs/good tests/configs/bad 2>build-fuzz/quick.log || \
	    { tail -n 40 build-fuzz/quick.log; exit 1; }
	@grep -h "stat::number_of_executed_units\|Done" build-fuzz/quick.log

# Valgrind memcheck on short end-to-end runs of bin/hebbsleep (every neuron
# model, spike input, traces; STDP, homeostasis and weight snapshots; the
# task, sleep phases and replay detection) at 2 threads, then info and
# check on them. OMP_WAIT_POLICY=passive: idle threads sleep instead of
# spinning, which under valgrind (one thread at a time) costs minutes.
VG_CONFIGS := full plastic replay
VALGRIND   := OMP_WAIT_POLICY=passive valgrind --quiet --leak-check=full --error-exitcode=1 \
              --suppressions=tests/valgrind.supp
valgrind: $(BIN)
	@mkdir -p $(BUILD)/valgrind
	@for c in $(VG_CONFIGS); do \
	    echo "  VALGRIND run/info/check $$c"; \
	    $(VALGRIND) $(BIN) run tests/configs/good/$$c.yaml -o $(BUILD)/valgrind/$$c.h5 \
	        --overwrite --quiet --threads 2 >$(BUILD)/valgrind/$$c.log || exit 1; \
	    $(VALGRIND) $(BIN) info $(BUILD)/valgrind/$$c.h5 >>$(BUILD)/valgrind/$$c.log || exit 1; \
	    $(VALGRIND) $(BIN) check tests/configs/good/$$c.yaml >>$(BUILD)/valgrind/$$c.log \
	        || exit 1; \
	done

clean:
	rm -rf $(BUILD) build-asan build-fuzz bin

-include $(LIBOBJ:.o=.d) $(TESTOBJ:.o=.d) $(BUILD)/app/main.d
