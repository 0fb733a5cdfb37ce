#!/bin/bash
# Times poolwalk's whole-dump scan (scope: all) on a >= 2 GiB dump against reading the file once
# (cat to /dev/null on a warm cache) and prints the ratio. Not a test: run it on a Release build.
# Usage: pool_bench.sh BUILD_DIR [MiB=2048] [WORK_DIR=/tmp]
set -eu
build=$1; mib=${2:-2048}; work=${3:-${TMPDIR:-/tmp}}
dump="$work/dp-bench-pool-$mib.dmp"
pipe="$work/dp-bench-pool.yaml"
"$build/bench/dp_bench_gen" "$dump" "$mib" 16
cat >"$pipe" <<'Y'
steps:
  - plugin: poolwalk
    # the host's per-step limit is on address space, and the dump's mapping counts towards it
    memory: 64G
    options: { scope: all, top: 10, find_tag: "Toke" }
sinks:
  - plugin: text
Y
now() { date +%s.%N; }
cat "$dump" >/dev/null; cat "$dump" >/dev/null # warm the page cache
t0=$(now); cat "$dump" >/dev/null; t1=$(now)
"$build/host/dumppipe" -L "$build/plugins" -p "$pipe" "$dump" >"$work/dp-bench-pool.out"
t2=$(now)
"$build/host/dumppipe" -L "$build/plugins" -p "$pipe" "$dump" >/dev/null
t3=$(now)
grep -m1 'Pool scan' "$work/dp-bench-pool.out" || true
python3 - "$t0" "$t1" "$t2" "$t3" "$(stat -c %s "$dump")" <<'P'
import sys
t0, t1, t2, t3, size = map(float, sys.argv[1:])
cat, run1, run2 = t1 - t0, t2 - t1, t3 - t2
best = min(run1, run2)
print(f"dump size      : {size / 2**30:.2f} GiB")
print(f"cat (warm)     : {cat:.3f} s  ({size / 2**20 / cat:.0f} MiB/s)")
print(f"dumppipe scope all: {run1:.3f} s, {run2:.3f} s  ({size / 2**20 / best:.0f} MiB/s)")
print(f"ratio dumppipe/cat: {best / cat:.2f}")
P
rm -f "$dump"
