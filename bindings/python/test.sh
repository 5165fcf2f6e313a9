#!/usr/bin/env bash
# Build and install the Python package the way a user does (`pip install bindings/python`,
# maturin as the build backend) into a fresh virtualenv, then run its tests.
#
#   bindings/python/test.sh            # venv in target/python-venv (NEURALIZE_VENV to move it)
#
# The bit-for-bit comparison with the command line uses target/release/neuralize when it
# exists (built by the README's `cargo test --release --all-targets`), else it is skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${NEURALIZE_VENV:-$repo/target/python-venv}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements-test.txt"
"$venv/bin/python" -m pip install --quiet "$here"
cd "$here"
"$venv/bin/python" -m pytest -q tests
