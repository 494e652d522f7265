#!/bin/sh
# How hebbsleep's cost grows (issue 7): real-time factor against network
# size (bench/coba.yaml at 1k to 64k neurons, 4:1 exc:inh, p = 80/N so the
# in-degree stays 80, as bench/run.sh's coba16k) and against firing rate
# (bench/rate.yaml: one network whose Poisson drive sets its rate), Brian2
# cpp_standalone beside it (bench/brian2/standalone.py; one compilation per
# point, outside the timing). Writes bench/plots/scaling_size.tsv and
# scaling_rate.tsv and plots them (bench/plots/plot_scaling.py).
# Usage: bench/scaling.sh [THREADS] [DURATION_MS] [BRIAN2=1|0]
set -eu
cd "$(dirname "$0")/.."
THREADS=${1:-1}
DURATION=${2:-2000}
WITH_B2=${3:-1}
PY=/usr/bin/python3
BIN=bin/hebbsleep
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
make -s >&2
"$PY" -c 'import brian2' 2>/dev/null || WITH_B2=0
SECS=$(echo "$DURATION" | awk '{print $1 / 1000}')

pick() { tr ' ' '\n' | awk -F= -v keys="$*" '{v[$1]=$2} END {n = split(keys, k, " ");
    for (i = 1; i <= n; i++) printf "%s%s", v[k[i]], (i < n ? " " : "\n")}'; }

# hebbsleep CONFIG SETS... -> "rtf events_per_s rate_exc rate_inh"
hebbsleep() {
    cfg=$1; shift
    sets=""
    for kv in "$@"; do sets="$sets --set $kv"; done
    # shellcheck disable=SC2086
    "$BIN" run "$cfg" -o "$OUT/run.h5" --overwrite --quiet --threads "$THREADS" \
        --set simulation.duration_ms="$DURATION" $sets > "$OUT/log"
    r=$(awk '$1 == "exc" || $1 == "inh" {printf " %s", $(NF - 1)}' "$OUT/log")
    echo "$(sed -n 's/^stats: //p' "$OUT/log" | pick rtf events_per_s)$r"
}

# brian2 NET ARGS... -> "rtf events_per_s rate_exc rate_inh", or "nan ..."
brian2() {
    if [ "$WITH_B2" != 1 ]; then echo "nan nan nan nan"; return; fi
    net=$1; shift
    rm -rf "$OUT/b2"
    "$PY" bench/brian2/standalone.py build "$net" "$OUT/b2" --threads "$THREADS" \
        --duration "$SECS" "$@" > /dev/null 2>&1
    "$PY" bench/brian2/standalone.py run "$OUT/b2" 1 |
        pick rtf events_per_s rate_exc_hz rate_inh_hz
}

echo "hebbsleep $("$BIN" --version | cut -d' ' -f2-), $THREADS thread(s), $DURATION ms biological"
S=bench/plots/scaling_size.tsv
printf 'neurons\trtf_hs\tevents_per_s_hs\texc_hz_hs\tinh_hz_hs\trtf_b2\tevents_per_s_b2\texc_hz_b2\tinh_hz_b2\n' > "$S"
for n in 1000 2000 4000 8000 16000 32000 64000; do
    ne=$((n * 4 / 5)); ni=$((n - ne))
    p=$(echo "$n" | awk '{print 80 / $1}')
    h=$(hebbsleep bench/coba.yaml populations.exc.size=$ne populations.inh.size=$ni \
        projections.ee.connect.p="$p" projections.ei.connect.p="$p" \
        projections.ie.connect.p="$p" projections.ii.connect.p="$p")
    b=$(brian2 coba --size "$n")
    printf '%s\t%s\t%s\n' "$n" "$h" "$b" | tr ' ' '\t' | tee -a "$S"
done

R=bench/plots/scaling_rate.tsv
printf 'drive_hz\trtf_hs\tevents_per_s_hs\texc_hz_hs\tinh_hz_hs\trtf_b2\tevents_per_s_b2\texc_hz_b2\tinh_hz_b2\n' > "$R"
for r in 0.5 1 2 5 10 20 40; do
    h=$(hebbsleep bench/rate.yaml populations.drive_exc.params.rate="$r" \
        populations.drive_inh.params.rate="$r")
    b=$(brian2 rate --rate "$r")
    printf '%s\t%s\t%s\n' "$r" "$h" "$b" | tr ' ' '\t' | tee -a "$R"
done
"$PY" bench/plots/plot_scaling.py bench/plots
