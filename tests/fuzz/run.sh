#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS (default 3600) in parallel, each from its seeds, and writes
# a summary of executions, time and crashes. Build first:
#   CC=clang cmake -S . -B build-fuzz -DDP_SANITIZE=ON -DDP_FUZZ=ON && cmake --build build-fuzz
#   python3 tests/fuzz/gen_seeds.py --dpgen build-fuzz/tests/gen/dpgen --source . --out build-fuzz/tests/fuzz/seeds
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# Crashes land in BUILD_DIR/fuzz-work/TARGET/crashes; copy each into tests/fuzz/regressions/TARGET/
# once it is fixed.
set -u
build=$(cd "${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}" && pwd)
secs=${2:-3600}
shift $(( $# >= 2 ? 2 : 1 ))
targets=${*:-dump kdump pe pipeline pooltag smbios hvsigs triage pdb symfile}
src=$(cd "$(dirname "$0")" && pwd)
work=$build/fuzz-work
max_len=65536

# corpus: committed seeds and regressions, and the generated seeds that fit in max_len
seed_dirs() {
    local t=$1 gen=$build/tests/fuzz/seeds/$t
    echo "$src/regressions/$t"
    [ -d "$src/seeds/$t" ] && echo "$src/seeds/$t"
    case $t in
        pipeline) echo "$src/../../pipelines" ;;
        hvsigs) echo "$src/../../plugins/hvdetect" ;;
    esac
    [ -d "$gen" ] && echo "$gen"
}

for t in $targets; do
    mkdir -p "$work/$t/corpus" "$work/$t/crashes"
    for d in $(seed_dirs "$t"); do
        [ -d "$d" ] || continue
        find "$d" -maxdepth 1 -type f -size -$((max_len + 1))c -exec cp -n {} "$work/$t/corpus/" \;
    done
    ( cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1 "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" \
        -max_len=$max_len -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=3 \
        -artifact_prefix="$work/$t/crashes/" corpus >"$work/$t/log" 2>&1 ) &
done
wait

printf '%-10s %12s %8s %8s %s\n' target execs seconds exec/s crashes
for t in $targets; do
    log=$work/$t/log
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    ran=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1)
    crashes=$(find "$work/$t/crashes" -type f | wc -l)
    printf '%-10s %12s %8s %8s %s\n' "$t" "${execs:-?}" "${ran:-?}" "${rate:-?}" "$crashes"
done
