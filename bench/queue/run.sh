#!/usr/bin/env bash
# The queue's cost: the same N small dumps triaged by one dumppipe -j 1, by -j 2 (when this build has
# -j), and by two workers (-j 1 each) through a real redis-server, in one run on this machine. Prints
# dumps per second, the ratios -j 2 / -j 1 and workers / -j 2, and each worker's RSS early and at the end.
# Inputs, made here and deleted at the end: copies of the generated small-x64, x64-basic and
# seed-xen-0x19 dumps and of the real dumps in ../shared/testdata/real (when present), and N hard links
# to them round robin. Hard links share a SHA-256, so most results are duplicates: each job is still
# triaged; only the counting is once per dump.
# Use a non-sanitized build:
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2
# Usage: [DPGEN=path/to/dpgen] bench/queue/run.sh BUILD_DIR [N_DUMPS] [PIPELINE]
set -eu
build=$(cd "${1:?usage: run.sh BUILD_DIR [N_DUMPS] [PIPELINE]}" && pwd)
n=${2:-2000}
src=$(cd "$(dirname "$0")/../.." && pwd)
pipeline=${3:-$src/pipelines/triage.yaml}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-bench-queue.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
dp=("$build/host/dumppipe")
dpgen=${DPGEN:-$build/tests/gen/dpgen}

mkdir "$tmp/src" "$tmp/in"
"$dpgen" --type small -o "$tmp/src/small.dmp" "$src/tests/scenarios/small-x64.yaml" >/dev/null
"$dpgen" -o "$tmp/src/x64.dmp" "$src/tests/scenarios/x64-basic.yaml" >/dev/null
"$dpgen" -o "$tmp/src/seed.dmp" "$src/tests/scenarios/seed-xen-0x19.yaml" >/dev/null
for f in "$src"/../shared/testdata/real/*.dmp; do [ -f "$f" ] && cp "$f" "$tmp/src/"; done
pool=("$tmp"/src/*.dmp)
for i in $(seq 1 "$n"); do ln "${pool[$((i % ${#pool[@]}))]}" "$tmp/in/$(printf '%05d' "$i").dmp"; done
inputs=("$tmp"/in/*.dmp)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# timed FILE COMMAND...: runs COMMAND, CPU seconds (user + sys, children included) into FILE
timed() { local f=$1; shift; /usr/bin/time -o "$f" -f '%U %S' "$@"; }
cpu_of() { awk '{s += $1 + $2} END {printf "%.2f", s}' "$@"; }
rate() { awk "BEGIN{printf \"%.1f\", $n*1000/$1}"; }

# a redis-server of our own on a free loopback port
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" &
pids+=($!)
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
url=redis://127.0.0.1:$port
rcli() { redis-cli --raw -p "$port" "$@"; }

echo "dumps: $n (${#pool[@]} distinct, hard links), pipeline: $(basename "$pipeline"), CPUs: $(nproc)"
# -j 1 explicitly: without -j a batch runs one dump per CPU, which would make this a second -j 2
j1opt=(); "${dp[@]}" -j 1 -o json -O /dev/null "${pool[0]}" >/dev/null 2>&1 && j1opt=(-j 1)
t0=$(now_ms); timed "$tmp/j1.cpu" "${dp[@]}" "${j1opt[@]}" -p "$pipeline" -o json -O /dev/null "${inputs[@]}" 2>/dev/null || true; t1=$(now_ms)
j1=$((t1 - t0))
echo "-j 1: ${j1} ms, $(rate $j1) dumps/s, CPU $(cpu_of "$tmp/j1.cpu") s"
if "${dp[@]}" -j 1 -o json -O /dev/null "${pool[0]}" 2>/dev/null; then
    t0=$(now_ms); timed "$tmp/j2.cpu" "${dp[@]}" -j 2 -p "$pipeline" -o json -O /dev/null "${inputs[@]}" 2>/dev/null || true; t1=$(now_ms)
    j2=$((t1 - t0)); j2name="-j 2"
else
    # no -j in this build: two processes on the halves stand in for it
    half=$((n / 2))
    t0=$(now_ms)
    timed "$tmp/j2a.cpu" "${dp[@]}" -p "$pipeline" -o json -O /dev/null "${inputs[@]:0:$half}" 2>/dev/null &
    timed "$tmp/j2.cpu" "${dp[@]}" -p "$pipeline" -o json -O /dev/null "${inputs[@]:$half}" 2>/dev/null || true
    wait $! 2>/dev/null || true
    t1=$(now_ms)
    j2=$((t1 - t0)); j2name="two processes on halves (this build has no -j)"
fi
echo "$j2name: ${j2} ms, $(rate $j2) dumps/s, CPU $(cpu_of "$tmp"/j2*.cpu) s; ratio to -j 1: $(awk "BEGIN{printf \"%.2f\", $j1/$j2}")"

t0=$(now_ms); "${dp[@]}" submit -q --redis "$url" "${inputs[@]}"; t1=$(now_ms)
echo "submit: $((t1 - t0)) ms for $n jobs (SHA-256 of each dump included)"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
redis_cpu() { rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {print s}'; }
rc0=$(redis_cpu)
t0=$(now_ms)
for w in 1 2; do /usr/bin/time -o "$tmp/w$w.cpu" -f '%U %S' "${dp[@]}" worker --redis "$url" -j 1 -p "$pipeline" --consumer "w$w" 2>"$tmp/w$w.log" & pids+=($!); done
sleep 0.2
w1=$(pgrep -P "${pids[1]}") w2=$(pgrep -P "${pids[2]}")
read_count() { rcli XINFO GROUPS dumppipe:jobs 2>/dev/null | awk 'prev == "entries-read" {print $1} {prev = $1}'; }
until [ "$(read_count)" -ge 50 ] 2>/dev/null; do sleep 0.05; done
rss1_start=$(rss "$w1") rss2_start=$(rss "$w2")
until [ "$(read_count)" = "$n" ] && [ "$(rcli XPENDING dumppipe:jobs triage | head -1)" = 0 ]; do sleep 0.02; done
t1=$(now_ms)
rss1_end=$(rss "$w1") rss2_end=$(rss "$w2")
rc1=$(redis_cpu)
kill -TERM "$w1" "$w2"; wait "${pids[1]}" "${pids[2]}" || true
wk=$((t1 - t0))
echo "two workers (-j 1 each) through Redis: ${wk} ms, $(rate $wk) dumps/s, CPU $(cpu_of "$tmp"/w?.cpu) s" \
     "+ Redis $(awk "BEGIN{printf \"%.2f\", $rc1 - $rc0}") s; ratio to ${j2name%% (*}: $(awk "BEGIN{printf \"%.2f\", $j2/$wk}")"
echo "results: $(rcli XLEN dumppipe:results) distinct dumps recorded, $(rcli XLEN dumppipe:dead) dead letters; worker logs:"
cat "$tmp/w1.log" "$tmp/w2.log"
echo "worker RSS (KiB) after 50 jobs -> at the end: w1 $rss1_start -> $rss1_end, w2 $rss2_start -> $rss2_end"
rcli shutdown nosave >/dev/null 2>&1 || true
