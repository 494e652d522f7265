#!/bin/sh
# Scaling under MPI (issue 9) on this machine: bench/coba.yaml (4:1
# exc:inh, in-degree 80) run as P processes x T threads, P, T in {1, 2}.
# Strong scaling: one network of STRONG_N neurons on every layout. Weak
# scaling: WEAK_N neurons per core (P x T). Layouts alternate round by
# round (REPEAT rounds) so a noisy machine hits them alike; the table gives
# medians: real-time factor, speed-up over 1 x 1 (weak: efficiency), and
# per window (one exchange per min-delay window, here one 0.1 ms step) the
# spikes, the bytes every rank receives and the exchange's wall time (rank
# 0's). Threads wait passively only when P x T exceeds the cores
# (oversubscribed, spinning barriers crawl).
# Usage: bench/mpi.sh [REPEAT] [DURATION_MS] [STRONG_N] [WEAK_N]
set -eu
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
DURATION=${2:-4000}
STRONG_N=${3:-16000}
WEAK_N=${4:-8000}
BIN=bin/hebbsleep
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
command -v mpirun >/dev/null || { echo "bench/mpi.sh: needs mpirun (make deps)"; exit 1; }
make -s >&2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
CORES=$(nproc)

# run N P T -> "rtf spikes exchanges sent_mb xchg_s"
run() {
    ne=$(($1 * 4 / 5)); ni=$(($1 - ne))
    p=$(echo "$1" | awk '{print 80 / $1}')
    # spinning barriers only while every thread has a core of its own
    wait=active
    [ $(($2 * $3)) -le "$CORES" ] || wait=passive
    # Open MPI binds each rank to one core by default: its threads would share it
    OMP_WAIT_POLICY=$wait mpirun --oversubscribe --bind-to none -np "$2" "$BIN" run bench/coba.yaml -o "$OUT/run.h5" --overwrite \
        --quiet --threads "$3" --set simulation.duration_ms="$DURATION" \
        --set populations.exc.size=$ne --set populations.inh.size=$ni \
        --set projections.ee.connect.p="$p" --set projections.ei.connect.p="$p" \
        --set projections.ie.connect.p="$p" --set projections.ii.connect.p="$p" > "$OUT/log"
    awk '$1 == "exc" || $1 == "inh" {s += $4}
         /^stats:/ {for (i = 2; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
         /^mpi:/ {for (i = 2; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
         END {print v["rtf"], s, v["exchanges"] + 0, v["sent_mb"] + 0, v["xchg_s"] + 0}' "$OUT/log"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# table KIND: the layouts in $LAYOUTS ("N:P:T ..."), REPEAT rounds
table() {
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        for l in $LAYOUTS; do
            IFS=: read -r n np th <<EOF
$l
EOF
            run "$n" "$np" "$th" >> "$OUT/$1-$n-$np-$th"
        done
        i=$((i + 1))
    done
    # weak: rtf(1 x 1) / rtf is the efficiency (1: perfect)
    gain=speedup
    [ "$1" = strong ] || gain=efficiency
    printf '%-7s %8s %5s %7s %8s %10s %11s %14s %13s\n' "$1" neurons P T rtf "$gain" \
        spikes/win recv_kB/win us/exchange
    base=""
    for l in $LAYOUTS; do
        IFS=: read -r n np th <<EOF
$l
EOF
        f="$OUT/$1-$n-$np-$th"
        rtf=$(cut -d' ' -f1 "$f" | median)
        [ -n "$base" ] || base=$rtf
        # the last round's counts (the run is the same every round)
        tail -n 1 "$f" | awk -v kind="$1" -v n="$n" -v np="$np" -v th="$th" -v rtf="$rtf" \
            -v base="$base" -v xs="$(cut -d' ' -f5 "$f" | median)" \
            -v steps="$(echo "$DURATION" | awk '{print $1 * 10}')" \
            '{win = ($3 > 0) ? $3 : steps
              kb = ($3 > 0) ? $4 * 1e3 / win * (np - 1) / np : 0
              us = ($3 > 0) ? sprintf("%.2f", xs * 1e6 / win) : "-"
              printf "%-7s %8d %5d %7d %8.3f %10.2f %11.1f %14.2f %13s\n", kind, n, np, th, rtf,
                     base / rtf, $2 / win, kb, us}'
    done
}

echo "hebbsleep $("$BIN" --version | cut -d' ' -f2-), bench/coba.yaml, $DURATION ms, $REPEAT rounds, $(nproc) cores"
LAYOUTS="$STRONG_N:1:1 $STRONG_N:1:2 $STRONG_N:2:1 $STRONG_N:2:2"
table strong
LAYOUTS="$WEAK_N:1:1 $((2 * WEAK_N)):1:2 $((2 * WEAK_N)):2:1 $((4 * WEAK_N)):2:2"
table weak
