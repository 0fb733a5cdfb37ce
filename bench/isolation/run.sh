#!/usr/bin/env bash
# What isolation costs per plugin: a pipeline of N trivial steps (the misbehave test plugin in its
# "publish" mode: one row of each field type, so the child's results travel back over the pipe) run
# on a small generated dump with isolation (a forked child per step) and with --no-isolation.
# Use a non-sanitized Release build:
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-rel --target dumppipe dpgen plugin_text testplugin_misbehave
# Usage: [DPGEN=path/to/dpgen] bench/isolation/run.sh BUILD_DIR [N_STEPS] [REPEATS]
set -eu
build=${1:?usage: run.sh BUILD_DIR [N_STEPS] [REPEATS]}
n=${2:-50}
reps=${3:-15}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"${DPGEN:-$build/tests/gen/dpgen}" --type small -o "$tmp/d.dmp" "$src/tests/scenarios/small-x64.yaml" >/dev/null
{
    echo "version: 1"
    echo "steps:"
    for i in $(seq 1 "$n"); do
        printf '  - plugin: misbehave\n    id: step%d\n    options: { mode: publish }\n' "$i"
    done
    echo "sinks:"
    echo "  - plugin: text"
} >"$tmp/n.yaml"
printf 'version: 1\nsteps: []\nsinks:\n  - plugin: text\n' >"$tmp/zero.yaml"

# median wall time in microseconds of REPS runs of dumppipe with the given arguments
median_us() {
    local times=()
    "$build/host/dumppipe" -L "$build/plugins" -L "$build/test-plugins" -O /dev/null "$@" "$tmp/d.dmp" # warm the caches
    for _ in $(seq 1 "$reps"); do
        local t0 t1
        t0=$(date +%s%N)
        "$build/host/dumppipe" -L "$build/plugins" -L "$build/test-plugins" -O /dev/null "$@" "$tmp/d.dmp"
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p"
}

base=$(median_us -p "$tmp/zero.yaml")
iso=$(median_us -p "$tmp/n.yaml")
noiso=$(median_us -p "$tmp/n.yaml" --no-isolation)
echo "steps: $n, runs per figure: $reps (median wall time)"
echo "no steps (start-up, dump open, sink): ${base} us"
echo "$n steps in-process:  ${noiso} us  ($(( (noiso - base) / n )) us per step)"
echo "$n steps isolated:    ${iso} us  ($(( (iso - base) / n )) us per step)"
echo "isolation costs $(( (iso - noiso) / n )) us per step"
