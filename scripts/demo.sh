#!/usr/bin/env bash
# Installs the dependencies, builds dumppipe, generates the seed's crash dump (an x86 PAE kernel dump of
# a Xen HVM guest that bugchecked with BAD_POOL_HEADER) and triages it with the shipped pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
build/tests/gen/dpgen -o build/seed-xen-0x19.dmp tests/scenarios/seed-xen-0x19.yaml
exec build/host/dumppipe -p pipelines/triage.yaml build/seed-xen-0x19.dmp
