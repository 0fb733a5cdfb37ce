#!/usr/bin/env bash
# 200 small dumps of one build, in one dumppipe run, with the driver's PDB given and without
# symbols: what symbolization costs per dump once the process-wide cache is warm (the PDB is parsed
# for the first dump only). The dumps are copies of one generated small dump (tests/symbols/
# mkscenario.py: a clang + lld-link driver crashed in CrashHere).
# Use a non-sanitized Release build with dumppipe, dpgen and the plugins built.
# Usage: bench/pdb/batch.sh BUILD_DIR [N_DUMPS] [REPEATS]
set -eu
build=$(cd "${1:?usage: batch.sh BUILD_DIR [N_DUMPS] [REPEATS]}" && pwd)
n=${2:-200}
reps=${3:-3}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-bench-batch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
clang=$(command -v clang-14 || command -v clang)
lld=$(command -v lld-link-14 || command -v lld-link)
( cd "$tmp" && "$clang" --target=x86_64-pc-windows-msvc -O1 -g -gcodeview -ffreestanding -funwind-tables \
    -fno-stack-protector -fno-builtin -fno-omit-frame-pointer -c "$src/tests/symbols/drv.c" -o drv.obj &&
  "$lld" /nologo /driver /subsystem:native /machine:x64 /entry:DriverEntry /nodefaultlib /debug:full \
    /timestamp:0x5F000000 /pdbaltpath:%_PDB% /pdb:drvx64.pdb /out:drvx64.sys drv.obj )
python3 "$src/tests/symbols/mkscenario.py" "$tmp/drvx64.sys" "$tmp/s.yaml"
"$build/tests/gen/dpgen" -o "$tmp/d.dmp" "$tmp/s.yaml" >/dev/null
mkdir "$tmp/dumps"
for i in $(seq -w 1 "$n"); do ln "$tmp/d.dmp" "$tmp/dumps/d$i.dmp"; done
printf 'extends: %s/pipelines/triage.yaml\nsinks: [{plugin: json}]\n' "$src" >"$tmp/plain.yaml"
printf 'extends: %s/pipelines/triage.yaml\nsinks: [{plugin: json}]\nsymbols: [%s/drvx64.pdb]\n' "$src" "$tmp" >"$tmp/syms.yaml"
best() { # best wall time of REPEATS runs of dumppipe with pipeline $1
    local b=""
    for _ in $(seq "$reps"); do
        local t0 t1; t0=$(date +%s%N)
        "$build/host/dumppipe" -L "$build/plugins" -p "$1" "$tmp"/dumps/*.dmp >"$tmp/out.json"
        t1=$(date +%s%N)
        local ms=$(( (t1 - t0) / 1000000 ))
        [ -z "$b" ] || [ "$ms" -lt "$b" ] && b=$ms
    done
    echo "$b"
}
plain=$(best "$tmp/plain.yaml")
grep -q 'CrashHere' "$tmp/out.json" && { echo "unexpected names without symbols" >&2; exit 1; }
syms=$(best "$tmp/syms.yaml")
grep -q 'drvx64!CrashHere+0x3f' "$tmp/out.json" || { echo "symbols were not used" >&2; exit 1; }
echo "$n dumps: without symbols ${plain} ms, with the PDB ${syms} ms (best of $reps)"
python3 -c "import sys; p, s, n = map(int, sys.argv[1:]); print(f'per dump: {p/n:.2f} ms vs {s/n:.2f} ms; with/without = {s/p:.3f}')" "$plain" "$syms" "$n"
