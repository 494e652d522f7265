#!/bin/sh
# make layers checks itself: on a copy of the sources, an include planted
# against the folder graph (neurons/ -> sim/, a kernel module seeing io/,
# base/ -> model/) must fail naming the file, the line and the include;
# an include down the graph must pass.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r base neurons plasticity replay task model sim io app scripts "$tmp"/

expect_fail() {   # FILE INCLUDE
    cp "$tmp/$1" "$tmp/$1.orig"
    printf '#include "%s"\n' "$2" >> "$tmp/$1"
    line=$(wc -l < "$tmp/$1" | tr -d ' ')
    if out=$("$tmp/scripts/check-layers.sh" 2>&1); then
        echo "layers selftest: $1 including $2 passed" >&2
        exit 1
    fi
    echo "$out" | grep -q "^$1:$line: includes $2 " || {
        echo "layers selftest: $1 including $2: unexpected message: $out" >&2
        exit 1
    }
    mv "$tmp/$1.orig" "$tmp/$1"
}
expect_fail neurons/lif_cuba.c ../sim/engine.h
expect_fail sim/engine.c ../io/config.h
expect_fail base/rng.c ../model/experiment.h
expect_fail io/h5out.c ../app/run_ctx.h
printf '#include "../model/experiment.h"\n' >> "$tmp/io/h5out.c"
"$tmp/scripts/check-layers.sh" > /dev/null
echo "layers selftest: 4 planted back-edges refused, an edge down the graph accepted"
