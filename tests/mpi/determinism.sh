#!/bin/sh
# Bitwise determinism under MPI (issue 9): each network runs under
# mpirun -np 1, 2, 4 with --threads 1 and 2 and must write the data of a
# plain one-thread run (tests/mpi/compare.py: every dataset but /meta).
# tests/mpi: a COBA network, a plastic one; the checkpoint suite's
# experiment: maze task, place cells, sleep drives, a weight shuffle and
# replay detection.
# Then the weights in blocks (sim/weights_block.h): the plastic network
# (snapshots, a shuffle, downscale thresholds over negative weights) and
# the checkpoint suite's experiment under -np 1, 2, 3 with blocks of 5
# synapses, so rows span blocks and each gather takes hundreds of them.
# Then checkpoints across process counts: a one-process run stopped by
# SIGINT resumes under -np 2, a run under -np 2 killed after a checkpoint
# (saved in blocks of 97) resumes as one process and under -np 3, each
# ending in the whole run's data. Last, a checkpoint HDF5 crashes on is
# refused under mpirun: read in a child forked before MPI starts.
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

for yaml in tests/mpi/plastic.yaml tests/configs/good/checkpoint.yaml; do
    cfg=$(basename "$yaml" .yaml)
    for np in 1 2 3; do
        out="$OUT/$cfg-blocks-np$np.h5"
        HS_WEIGHTS_BLOCK=5 mpirun --oversubscribe --bind-to none -np "$np" "$BIN" run "$yaml" \
            -o "$out" --threads 2 --quiet >/dev/null
        "$PY" tests/mpi/compare.py "$OUT/$cfg.h5" "$out" | sed 's/$/ (blocks of 5)/'
    done
done

# Checkpoints written with one process count, resumed with another.
yaml=tests/configs/good/checkpoint.yaml
set -- --set populations.place.size=2000 --set populations.noise.size=2000 \
    --set populations.pc.size=2000 --set recording.weights.ee.interval_ms=1750
"$BIN" run "$yaml" "$@" -o "$OUT/whole.h5" --quiet >/dev/null
# starts a run, waits for its first checkpoint, then sends signal $1 to
# every process writing part.h5 (mpirun and each rank; ranks may sit in
# process groups of their own) and waits until none is left
stop_after_checkpoint() {
    sig=$1
    shift
    "$@" >"$OUT/stopped.log" 2>&1 &
    pid=$!
    i=0
    while [ ! -e "$OUT/part.ckpt.h5" ] && [ $i -lt 3000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    pkill -"$sig" -f -- "-o $OUT/part.h5" || true
    wait "$pid" || true
    while pgrep -f -- "-o $OUT/part.h5" >/dev/null; do
        sleep 0.1
    done
    [ -e "$OUT/part.ckpt.h5" ] || { echo "no checkpoint written"; cat "$OUT/stopped.log"; exit 1; }
}
resumed() {
    label=$1
    shift
    cp "$OUT/part.h5" "$OUT/resume.h5" && cp "$OUT/part.ckpt.h5" "$OUT/resume.ckpt.h5"
    # the checkpoint names the run file it goes with: resume in place
    "$@" resume "$OUT/part.ckpt.h5" --quiet >/dev/null
    "$PY" tests/mpi/compare.py "$OUT/whole.h5" "$OUT/part.h5" | sed "s|\$| ($label)|"
    mv "$OUT/resume.h5" "$OUT/part.h5" && mv "$OUT/resume.ckpt.h5" "$OUT/part.ckpt.h5"
}
ckpt="--checkpoint-every 0.5 --checkpoint $OUT/part.ckpt.h5"
stop_after_checkpoint INT "$BIN" run "$yaml" "$@" -o "$OUT/part.h5" --quiet $ckpt
resumed "one process, resumed under -np 2" mpirun --oversubscribe -np 2 "$BIN"
rm -f "$OUT/part.h5" "$OUT/part.ckpt.h5"
export HS_WEIGHTS_BLOCK=97
stop_after_checkpoint KILL mpirun --oversubscribe -np 2 "$BIN" run "$yaml" "$@" \
    -o "$OUT/part.h5" --quiet --threads 2 $ckpt
resumed "-np 2 killed, resumed as one process" "$BIN"
resumed "-np 2 killed, resumed under -np 3" mpirun --oversubscribe -np 3 "$BIN"

# The checkpoint's global heap (its variable-length strings) claims to be
# 2^28 times its size, as in tests/test_h5_hostile.c: HDF5 1.10 crashes
# reading it. Rank 0 reads it in a child before MPI_Init, so the run stops
# with exit 2 and a message, and no child of an MPI process (which would
# carry Open MPI's signal handlers) crashes.
"$PY" - "$OUT/part.ckpt.h5" "$OUT/heap.ckpt.h5" <<'PYTHON'
import struct
import sys

b = bytearray(open(sys.argv[1], "rb").read())
at = b.find(b"GCOL")
size = struct.unpack_from("<Q", b, at + 8)[0]
struct.pack_into("<Q", b, at + 24, size << 28)
open(sys.argv[2], "wb").write(b)
PYTHON
if mpirun --oversubscribe --bind-to none -np 2 "$BIN" resume "$OUT/heap.ckpt.h5" --quiet \
    >/dev/null 2>"$OUT/heap.log"; then
    echo "a corrupt checkpoint was resumed under mpirun"
    exit 1
fi
if ! grep -q "the file is corrupt" "$OUT/heap.log" ||
    grep -q "Process received signal" "$OUT/heap.log"; then
    cat "$OUT/heap.log"
    exit 1
fi
echo "refused: a checkpoint HDF5 crashes on, under mpirun -np 2"
