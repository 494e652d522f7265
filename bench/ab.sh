#!/bin/sh
# Two builds side by side: bench/ab.sh BIN_A BIN_B [REPEAT] [DURATION_MS]
# [THREADS...]. For bench/coba.yaml, cuba.yaml, coba_stdp.yaml and
# sparse.yaml at each thread count (default 1 2), runs A and B in turn
# (A, B, A, B ...) so a noisy machine hits both alike, and prints the
# median real-time factor (wall s per biological s) of each, their ratio
# B / A, and whether the two wrote bitwise the same run file
# (tests/mpi/compare.py). For a change that should not cost time.
set -eu
cd "$(dirname "$0")/.."
A=$1
B=$2
REPEAT=${3:-5}
DURATION=${4:-10000}
shift 2
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
THREADS=${*:-1 2}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

rtf() {
    "$1" run "$2" -o "$3" --overwrite --quiet --threads "$4" \
        --set simulation.duration_ms="$DURATION" | sed -n 's/^stats: rtf=\([0-9.]*\).*/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "A: $A ($("$A" --version)), B: $B ($("$B" --version))"
echo "$DURATION ms biological, median of $REPEAT alternating runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %7s %9s %9s %7s %s\n' network threads rtf_A rtf_B B/A files
for t in $THREADS; do
    for c in coba cuba coba_stdp sparse; do
        : > "$OUT/a"; : > "$OUT/b"
        i=0
        while [ "$i" -lt "$REPEAT" ]; do
            rtf "$A" "bench/$c.yaml" "$OUT/a.h5" "$t" >> "$OUT/a"
            rtf "$B" "bench/$c.yaml" "$OUT/b.h5" "$t" >> "$OUT/b"
            i=$((i + 1))
        done
        same=$(/usr/bin/python3 tests/mpi/compare.py "$OUT/a.h5" "$OUT/b.h5" >/dev/null 2>&1 &&
               echo same || echo DIFFER)
        a=$(median < "$OUT/a"); b=$(median < "$OUT/b")
        printf '%-10s %7s %9.4f %9.4f %7.3f %s\n' "$c" "$t" "$a" "$b" \
            "$(echo "$a $b" | awk '{print $2 / $1}')" "$same"
    done
done
