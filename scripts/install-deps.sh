#!/bin/sh
# Installs the Debian 12 packages hebbsleep needs, if any are missing
# (clang, its libFuzzer runtime and OpenMP: the fuzz build of make check;
# valgrind: make valgrind in .ci/run; pip, venv, setuptools and wheel: installing
# the Python package, README.md).
# Uses apt-get as root, else sudo; says what to run if neither works.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev libomp-dev valgrind libgsl-dev libhdf5-dev hdf5-tools check libsubunit-dev libyaml-dev python3-h5py python3-numpy python3-matplotlib python3-scipy python3-yaml python3-neo python3-nbclient python3-nbformat python3-ipykernel python3-pip python3-venv python3-setuptools python3-wheel libopenmpi-dev openmpi-bin"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install-deps: missing Debian packages:$missing" >&2
    echo "install-deps: run as root: apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
