#!/bin/sh
# Bitwise determinism under MPI (issue 9): each network runs under
# mpirun -np 1, 2, 4 with --threads 1 and 2 and must write the data of a
# plain one-thread run (tests/mpi/compare.py: every dataset but /meta).
# tests/mpi: a COBA network, a plastic one; the checkpoint suite's
# experiment: maze task, place cells, sleep drives, a weight shuffle and
# replay detection.
# Needs the MPI build (make finds mpicc) and mpirun. Usage: determinism.sh;
# HS_BIN=build-asan/hebbsleep (after make asan) runs it under the sanitizers.
set -eu
cd "$(dirname "$0")/../.."
BIN=${HS_BIN:-bin/hebbsleep}
PY=/usr/bin/python3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# Containers run as root; passive waits, since up to 8 threads share the
# machine's cores (oversubscribed, spinning barriers crawl).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
# full stacks, so the suppressions of Open MPI's own leaks match
export LSAN_OPTIONS="suppressions=$PWD/tests/mpi/lsan.supp"
export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
for yaml in tests/mpi/coba.yaml tests/mpi/plastic.yaml tests/configs/good/checkpoint.yaml; do
    cfg=$(basename "$yaml" .yaml)
    "$BIN" run "$yaml" -o "$OUT/$cfg.h5" --quiet >/dev/null
    for np in 1 2 4; do
        for th in 1 2; do
            out="$OUT/$cfg-np$np-t$th.h5"
            mpirun --oversubscribe -np "$np" "$BIN" run "$yaml" -o "$out" \
                --threads "$th" --quiet >/dev/null
            "$PY" tests/mpi/compare.py "$OUT/$cfg.h5" "$out"
        done
    done
done
