#!/usr/bin/env bash
# Batches: what supervising each dump costs (a forked child per dump, results over a pipe, reports
# written in input order) against --no-isolation, and -j 1 against -j 2 throughput, on many small
# dumps: generated ones, plus symlinks to the real dumps in ../shared/testdata/real when present.
# Use a non-sanitized Release build:
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel -j2
# Usage: [DPGEN=path/to/dpgen] bench/batch/run.sh BUILD_DIR [N_DUMPS] [REPEATS]
set -eu
build=${1:?usage: run.sh BUILD_DIR [N_DUMPS] [REPEATS]}
n=${2:-240}
reps=${3:-3}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpgen=${DPGEN:-$build/tests/gen/dpgen}
dp=("$build/host/dumppipe" -L "$build/plugins" --no-progress -O /dev/null)

# the inputs: generated small and kernel dumps, and the real ones, round robin up to N
"$dpgen" --type small -o "$tmp/small.dmp" "$src/tests/scenarios/small-x64.yaml" >/dev/null
"$dpgen" -o "$tmp/x64.dmp" "$src/tests/scenarios/x64-basic.yaml" >/dev/null
"$dpgen" -o "$tmp/seed.dmp" "$src/tests/scenarios/seed-xen-0x19.yaml" >/dev/null
pool=("$tmp/small.dmp" "$tmp/x64.dmp" "$tmp/seed.dmp")
for f in "$src"/../shared/testdata/real/*.dmp; do [ -f "$f" ] && pool+=("$f"); done
mkdir "$tmp/in"
for i in $(seq 1 "$n"); do ln -s "${pool[$((i % ${#pool[@]}))]}" "$tmp/in/$(printf '%05d' "$i").dmp"; done
# two pipelines: sinks only (what the supervision itself costs), and the shipped quick triage
printf 'version: 1\nsteps: []\nsinks:\n  - plugin: json\n' >"$tmp/sink.yaml"
quick=$src/pipelines/quick.yaml

# median wall time in milliseconds of REPS runs
median_ms() {
    local times=()
    for _ in $(seq 1 "$reps"); do
        local t0 t1
        t0=$(date +%s%N)
        "${dp[@]}" "$@" "$tmp/in" 2>/dev/null || true
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p"
}

echo "dumps: $n (${#pool[@]} distinct), runs per figure: $reps (median wall time), CPUs: $(nproc)"
for p in "$tmp/sink.yaml" "$quick"; do
    name=$(basename "$p" .yaml)
    noiso=$(median_ms -p "$p" --no-isolation)
    iso=$(median_ms -p "$p" -j 1)
    echo "$name: in one process ${noiso} ms, supervised -j 1 ${iso} ms:" \
         "$(( (iso - noiso) * 1000 / n )) us per dump for supervision," \
         "ratio $(awk "BEGIN{printf \"%.2f\", $iso/$noiso}")"
done
j1=$(median_ms -p "$quick" -j 1)
j2=$(median_ms -p "$quick" -j 2)
echo "quick -j 1: ${j1} ms ($(awk "BEGIN{printf \"%.1f\", $n*1000/$j1}") dumps/s)," \
     "-j 2: ${j2} ms ($(awk "BEGIN{printf \"%.1f\", $n*1000/$j2}") dumps/s), -j 2 / -j 1 throughput" \
     "$(awk "BEGIN{printf \"%.2f\", $j1/$j2}")"
