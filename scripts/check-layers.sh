#!/bin/sh
# Checks that every quoted #include of the C sources goes down the folder
# graph (README.md, Layout):
#   base <- {neurons, plasticity, replay, task} <- model <- {sim, io} <- app
# Prints each include that goes against it as "file:line: includes X
# (folder may use: ...)" and exits 1; exits 0 when there is none.
# Tests may include anything.
set -eu
cd "$(dirname "$0")/.."

allowed() {
    case $1 in
    base) echo "base" ;;
    neurons | plasticity | replay | task) echo "$1 base" ;;
    model) echo "model base neurons plasticity replay task" ;;
    sim | io) echo "$1 model base neurons plasticity replay task" ;;
    app) echo "app sim io model base neurons plasticity replay task" ;;
    *) echo "" ;;
    esac
}

bad=0
for dir in base neurons plasticity replay task model sim io app; do
    ok=$(allowed "$dir")
    for f in "$dir"/*.c "$dir"/*.h; do
        [ -e "$f" ] || continue
        # "line:path" for each quoted include
        grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
            sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$" || true
        while read -r line inc; do
            case $inc in
            ../*/*) target=$(echo "$inc" | cut -d/ -f2) ;;
            */*) target=UNKNOWN ;;
            *) target=$dir ;;
            esac
            case " $ok " in
            *" $target "*) ;;
            *)
                echo "$f:$line: includes $inc ($dir/ may use: $ok)"
                bad=1
                ;;
            esac
        done <"${TMPDIR:-/tmp}/layers.$$"
    done
done
rm -f "${TMPDIR:-/tmp}/layers.$$"
if [ "$bad" = 0 ]; then
    echo "layers: every include follows the folder graph"
fi
exit "$bad"
