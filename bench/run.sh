#!/bin/sh
# Kernel benchmarks: for bench/coba.yaml and bench/cuba.yaml at 1 and 2
# threads, the real-time factor (wall s per biological s), synaptic events
# per wall second, peak RSS and bytes per synapse; then bench/sparse.yaml
# with event-driven skipping on and off. Runs alternate (1, 2, 1, 2 ...) so
# a noisy machine hits both sides alike; the table gives the median of
# REPEAT runs. Usage: bench/run.sh [REPEAT] [DURATION_MS]
set -eu
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
DURATION=${2:-10000}
BIN=bin/hebbsleep
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# stats line -> "rtf events_per_s peak_rss_mb bytes_per_synapse skipped bytes_per_plastic"
# (the third argument: extra overrides, space-separated)
run() {
    sets=""
    for kv in $3; do sets="$sets --set $kv"; done
    # shellcheck disable=SC2086
    "$BIN" run "$1" -o "$OUT/run.h5" --overwrite --quiet --threads "$2" \
        --set simulation.duration_ms="$DURATION" $sets |
        sed -n 's/^stats: //p' | tr ' ' '\n' |
        awk -F= '{v[$1]=$2} END {print v["rtf"], v["events_per_s"], v["peak_rss_mb"], v["bytes_per_synapse"], v["skipped"], v["bytes_per_plastic_synapse"]}'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench NAME CONFIG OVERRIDE_A LABEL_A THREADS_A OVERRIDE_B LABEL_B THREADS_B
bench() {
    : > "$OUT/a"; : > "$OUT/b"
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        run "$2" "$5" "$3" >> "$OUT/a"
        run "$2" "$8" "$6" >> "$OUT/b"
        i=$((i + 1))
    done
    for side in a b; do
        if [ "$side" = a ]; then label=$4; threads=$5; else label=$7; threads=$8; fi
        f="$OUT/$side"
        printf '%-9s %-14s %7s %8.4f %12.4g %9.1f %8.2f %7.3f %10.2f\n' "$1" "$label" \
            "$threads" "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" \
            "$(cut -d' ' -f3 "$f" | median)" "$(cut -d' ' -f4 "$f" | median)" \
            "$(cut -d' ' -f5 "$f" | median)" "$(cut -d' ' -f6 "$f" | median)"
    done
    a=$(cut -d' ' -f1 "$OUT/a" | median); b=$(cut -d' ' -f1 "$OUT/b" | median)
    printf '%-9s ratio of medians (first / second row): %.2f\n' "$1" "$(echo "$a $b" | awk '{print $1 / $2}')"
}

echo "hebbsleep $("$BIN" --version | cut -d' ' -f2-), $DURATION ms biological, median of $REPEAT alternating runs"
printf '%-9s %-14s %7s %8s %12s %9s %8s %7s %10s\n' network variant threads rtf events/s rss_mb \
    B/syn skipped B/plastic
bench coba bench/coba.yaml "" default 1 "" default 2
bench cuba bench/cuba.yaml "" default 1 "" default 2
bench coba_stdp bench/coba_stdp.yaml "" "E->E plastic" 1 "" "E->E plastic" 2
# COBA four times larger at the same in-degree: more work per thread per step
X4="populations.exc.size=12800 populations.inh.size=3200 projections.ee.connect.p=0.005
projections.ei.connect.p=0.005 projections.ie.connect.p=0.005 projections.ii.connect.p=0.005"
bench coba16k bench/coba.yaml "$X4" "16000 neurons" 1 "$X4" "16000 neurons" 2
bench sparse bench/sparse.yaml simulation.skip_quiet=false "no skipping" 1 simulation.skip_quiet=true skipping 1
