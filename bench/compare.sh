#!/bin/sh
# hebbsleep against Brian2 cpp_standalone on the same networks
# (bench/coba.yaml, bench/cuba.yaml, bench/coba_stdp.yaml and their twins
# in bench/brian2/standalone.py) at 1 and 2 threads. Runs alternate
# (hebbsleep, Brian2, hebbsleep, Brian2 ...) so a noisy machine hits both
# alike; pair k uses seed k on both sides. Brian2 compiles once per network
# and thread count, outside the timing, and every pair re-runs that binary.
# Not part of make check: it takes a few minutes.
# Usage: bench/compare.sh [REPEAT] [DURATION_MS]
set -eu
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
DURATION=${2:-10000}
PY=/usr/bin/python3          # Debian's python3-brian lives there
BIN=bin/hebbsleep
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Brian2 from Debian, as scripts/install-deps.sh installs ours
if ! "$PY" -c 'import brian2' 2>/dev/null; then
    echo "compare: installing python3-brian" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-brian g++ >&2
fi
make -s >&2
SECS=$(echo "$DURATION" | awk '{print $1 / 1000}')

# key=value words on stdin -> the values of the keys named, in order
pick() { tr ' ' '\n' | awk -F= -v keys="$*" '{v[$1]=$2} END {n = split(keys, k, " ");
    for (i = 1; i <= n; i++) printf "%s%s", v[k[i]], (i < n ? " " : "\n")}'; }

# one hebbsleep run -> "rtf events_per_s rss_mb rate_exc rate_inh cv_exc"
hebbsleep() {
    s=$("$BIN" run "bench/$1.yaml" -o "$OUT/run.h5" --overwrite --quiet --threads "$2" \
        --seed "$3" --set simulation.duration_ms="$DURATION" | sed -n 's/^stats: //p')
    a=$(echo "$s" | pick rtf events_per_s peak_rss_mb)
    b=$("$PY" bench/brian2/spike_stats.py "$OUT/run.h5" 3200 800 "$SECS" |
        pick rate_exc_hz rate_inh_hz cv_exc)
    echo "$a $b"
}

# one Brian2 run of the compiled project -> the same six numbers
brian2() {
    "$PY" bench/brian2/standalone.py run "$OUT/$1.$2" "$3" |
        pick rtf events_per_s peak_rss_mb rate_exc_hz rate_inh_hz cv_exc
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# mean of column $1 over the runs in file $2 whose activity lasted (exc
# rate >= 1 Hz: the Vogels & Abbott network dies out for some seeds), and
# how many those were
sustained() { awk -v c="$1" '$4 >= 1 {s += $c; n++} END {printf "%s %d\n", (n ? s / n : "nan"), n}' "$2"; }

# relative difference of a (hebbsleep) from b (Brian2) and whether it is
# within tol
agree() { echo "$1 $2 $3" | awk '{d = ($2 != 0 && $1 == $1 && $2 == $2) ? ($1 - $2) / $2 : 1e9;
    printf "%+6.1f%% %-3s", 100 * d, (d <= $3 && d >= -$3) ? "ok" : "NO"}'; }

echo "hebbsleep $("$BIN" --version | cut -d' ' -f2-) against Brian2 $("$PY" -c \
    'import brian2; print(brian2.__version__)' 2>/dev/null) cpp_standalone," \
    "$DURATION ms biological, $REPEAT alternating pairs"
# Brian2's OpenMP threads spin at barriers: a busy machine slows its 2-thread
# runs many times over, so say how busy it was.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for net in coba cuba coba_stdp; do
    for t in 1 2; do
        "$PY" bench/brian2/standalone.py build "$net" "$OUT/$net.$t" --threads "$t" \
            --duration "$SECS" 2>/dev/null | sed 's/^/brian2 /' >&2
        : > "$OUT/$net.$t.h"; : > "$OUT/$net.$t.b"
        i=1
        while [ "$i" -le "$REPEAT" ]; do
            hebbsleep "$net" "$t" "$i" >> "$OUT/$net.$t.h"
            brian2 "$net" "$t" "$i" >> "$OUT/$net.$t.b"
            i=$((i + 1))
        done
    done
done

printf '\n%-9s %3s %7s %7s %-17s %6s %8s %8s %6s %6s' net thr rtf_hs rtf_b2 \
    "b2/hs per pair" median Mev/s_hs Mev/s_b2 MB_hs MB_b2
printf ' | %6s %6s %11s | %6s %6s %11s | %5s %5s %11s | %s\n' exc_hs exc_b2 diff \
    inh_hs inh_b2 diff cv_hs cv_b2 diff "runs kept hs b2"
for net in coba cuba coba_stdp; do
    for t in 1 2; do
        h="$OUT/$net.$t.h"; b="$OUT/$net.$t.b"
        ratios=$(paste -d' ' "$b" "$h" | awk '{printf "%s%.2f", (NR > 1 ? "," : ""), $1 / $7}')
        med=$(paste -d' ' "$b" "$h" | awk '{print $1 / $7}' | median)
        printf '%-9s %3s %7.4f %7.4f %-17s %6.2f %8.1f %8.1f %6.1f %6.1f' "$net" "$t" \
            "$(cut -d' ' -f1 "$h" | median)" "$(cut -d' ' -f1 "$b" | median)" \
            "$ratios" "$med" \
            "$(cut -d' ' -f2 "$h" | median | awk '{print $1 / 1e6}')" \
            "$(cut -d' ' -f2 "$b" | median | awk '{print $1 / 1e6}')" \
            "$(cut -d' ' -f3 "$h" | median)" "$(cut -d' ' -f3 "$b" | median)"
        for c in 4 5 6; do
            set -- $(sustained "$c" "$h") $(sustained "$c" "$b")
            tol=0.05; [ "$c" = 6 ] && tol=0.10
            fmt='%6.2f %6.2f %s'; [ "$c" = 6 ] && fmt='%5.3f %5.3f %s'
            # shellcheck disable=SC2059
            printf " | $fmt" "$1" "$3" "$(agree "$1" "$3" "$tol")"
            nh=$2; nb=$4
        done
        printf ' | %d/%d %d/%d\n' "$nh" "$REPEAT" "$nb" "$REPEAT"
    done
done
cat <<EOF

rtf: wall s of the network run alone (no build, no compilation) per
biological s, median over pairs; b2/hs: Brian2's rtf over hebbsleep's in each
pair (how many times faster hebbsleep is) and its median. Mev/s: synaptic
events (spikes x out-degree) per wall s, median. MB: peak RSS of the process.
Rates (Hz) and ISI CV (mean over exc cells with >= 3 spikes): means over the
pairs' runs, seeds 1..$REPEAT on both sides. The two simulators draw different
networks from a seed, and rates differ between seeds, so only these means are
compared: diff = (hebbsleep - Brian2) / Brian2, ok within 5 % (rates) and
10 % (CV). Means count only runs whose activity lasted (exc >= 1 Hz; the
Vogels & Abbott network dies out for some seeds): runs kept, out of $REPEAT.
hebbsleep's spikes are the same at any thread count; Brian2's are not.
EOF
