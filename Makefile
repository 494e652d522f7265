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
# mpirun -np P runs one simulation over P processes (sim/mpi.h).
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
LIBSRC  := $(sort $(wildcard sim/*.c neurons/*.c plasticity/*.c replay/*.c io/*.c))
LIBSRC  := $(filter-out sim/main.c,$(LIBSRC))
LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
TESTSRC := $(sort $(wildcard tests/*.c))
TESTOBJ := $(TESTSRC:%.c=$(BUILD)/%.o)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

BIN     := bin/hebbsleep
TESTBIN := $(BUILD)/test_hebbsleep

.PHONY: all deps check unit mpicheck pytests notebooks demo bench clean asan FORCE

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
$(BUILD)/sim/main.o: $(BUILD)/git-commit

# Objects are rebuilt when the compiler or MPI choice changes.
$(BUILD)/cc-flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(filter -DHS_MPI,$(HS_CFLAGS))' | cmp -s - $@ || \
	    echo '$(CC) $(filter -DHS_MPI,$(HS_CFLAGS))' > $@

$(BIN): $(BUILD)/sim/main.o $(BUILD)/libhebbsleep.a
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(TESTBIN): $(TESTOBJ) $(BUILD)/libhebbsleep.a
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(HS_CFLAGS) -o $@ $^ $(LDFLAGS) $(CHECK_LIBS) $(LDLIBS)

# The unit and end-to-end tests (Check), then the Python package's tests
# and every notebook, executed on short runs.
check: deps
	@$(MAKE) --no-print-directory $(BIN) $(TESTBIN)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory mpicheck
	@$(MAKE) --no-print-directory pytests
	@$(MAKE) --no-print-directory notebooks

unit: $(BIN) $(TESTBIN)
	HS_BIN=$(abspath $(BIN)) $(TESTBIN)

# The same runs under mpirun -np 1, 2, 4 x --threads 1, 2: bitwise the
# files of one process (MPI builds only).
mpicheck: $(BIN)
	$(if $(MPICC),HS_BIN=$(abspath $(BIN)) tests/mpi/determinism.sh,@echo "mpicheck: no mpicc: skipped")

# Debian's Python (the python3 on PATH may not see its packages).
PYTHON := /usr/bin/python3
PYENV  := HEBBSLEEP_BIN=$(abspath $(BIN)) PYTHONPATH=$(abspath python) \
          PYDEVD_DISABLE_FILE_VALIDATION=1 MPLBACKEND=Agg

pytests: $(BIN)
	$(PYENV) $(PYTHON) -m unittest discover -s tests/python 2>&1

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

# AddressSanitizer + UBSan build of the tests in a separate tree.
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/hebbsleep \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/hebbsleep build-asan/test_hebbsleep
	HS_BIN=$(abspath build-asan/hebbsleep) CK_FORK=no build-asan/test_hebbsleep

clean:
	rm -rf $(BUILD) build-asan bin

-include $(LIBOBJ:.o=.d) $(TESTOBJ:.o=.d) $(BUILD)/sim/main.d
