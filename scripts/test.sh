#!/usr/bin/env bash
# Installs the dependencies, builds everything with AddressSanitizer and UndefinedBehaviorSanitizer,
# and runs every test: cmocka unit tests, end-to-end runs on generated dumps, fuzz-corpus replays.
# Warnings are errors here (DP_WERROR), as they are not for users' and distributions' builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# The optimizer sees warnings (maybe-uninitialized) that a Debug build does not: both must be clean.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDP_WERROR=ON >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
cmake -S . -B build-asan -DDP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DDP_WERROR=ON >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
exec ctest --test-dir build-asan --output-on-failure -j"$(nproc)" --timeout 600
