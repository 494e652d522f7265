#!/bin/sh
# The default experiment (experiments/linear_track.yaml: 897 s biological,
# replay detection included) at 1 and 2 threads, alternating (1, 2, 1, 2
# ...) so a noisy machine hits both alike: median wall time of the whole
# command, of the simulation alone and of the replay analysis, and x real
# time. Target (issue 5): <= 60 s wall at 2 threads. Usage:
# bench/experiment.sh [REPEAT] [EXPERIMENT]
set -eu
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
EXP=${2:-experiments/linear_track.yaml}
BIN=bin/hebbsleep
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# one run -> "wall_s run_s bio_s replay_s"
once() {
    t0=$(date +%s.%N)
    "$BIN" run "$EXP" -o "$OUT/run.h5" --overwrite --quiet --threads "$1" > "$OUT/log"
    t1=$(date +%s.%N)
    bio=$(sed -n 's/^ *\([0-9.]*\) s biological.*/\1/p' "$OUT/log")
    run=$(sed -n 's/.*run_s=\([0-9.]*\).*/\1/p' "$OUT/log")
    rep=$(sed -n 's/.*candidate events (\([0-9.]*\) s wall).*/\1/p' "$OUT/log")
    echo "$t0 $t1 $run $bio ${rep:-0}" | awk '{print $2 - $1, $3, $4, $5}'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$OUT/1"; : > "$OUT/2"
i=0
while [ "$i" -lt "$REPEAT" ]; do
    once 1 >> "$OUT/1"
    once 2 >> "$OUT/2"
    i=$((i + 1))
done
echo "hebbsleep $("$BIN" --version | cut -d' ' -f2-), $EXP, median of $REPEAT alternating runs"
printf '%7s %8s %8s %9s %8s %10s\n' threads wall_s sim_s replay_s bio_s x_realtime
for t in 1 2; do
    w=$(cut -d' ' -f1 "$OUT/$t" | median)
    s=$(cut -d' ' -f2 "$OUT/$t" | median)
    b=$(cut -d' ' -f3 "$OUT/$t" | median)
    r=$(cut -d' ' -f4 "$OUT/$t" | median)
    printf '%7s %8.2f %8.2f %9.2f %8.1f %10.1f\n' "$t" "$w" "$s" "$r" "$b" \
        "$(echo "$b $w" | awk '{print $1 / $2}')"
done
