#!/usr/bin/env bash
# 200 small dumps of one build, in one dumppipe run: without symbols, with the driver's PDB given
# directly, and through a symbol store holding the driver's image and PDB (the image gives the key,
# the key the PDB; warm: every answer is remembered for the run and the PDB parsed once). What
# symbolization costs per dump. The dumps are copies of one generated small dump (tests/symbols/
# mkscenario.py --store: a clang + lld-link driver crashed in CrashHere, named only by the module list).
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
python3 "$src/tests/symbols/mkscenario.py" --store "$tmp/drvx64.sys" "$tmp/s.yaml"
python3 "$src/tests/symbols/mkstore.py" "$tmp/store" "$tmp/drvx64.sys" "$tmp/drvx64.pdb" >/dev/null
"$build/tests/gen/dpgen" -o "$tmp/d.dmp" "$tmp/s.yaml" >/dev/null
mkdir "$tmp/dumps"
for i in $(seq -w 1 "$n"); do ln "$tmp/d.dmp" "$tmp/dumps/d$i.dmp"; done
printf 'extends: %s/pipelines/triage.yaml\nsinks: [{plugin: json}]\n' "$src" >"$tmp/plain.yaml"
printf 'extends: %s/pipelines/triage.yaml\nsinks: [{plugin: json}]\nsymbols: [%s/drvx64.pdb]\n' "$src" "$tmp" >"$tmp/syms.yaml"
best() { # best wall time of REPEATS runs of dumppipe with pipeline $1 and arguments $2...
    local b="" p=$1
    shift
    for _ in $(seq "$reps"); do
        local t0 t1; t0=$(date +%s%N)
        "$build/host/dumppipe" -L "$build/plugins" -p "$p" "$@" "$tmp"/dumps/*.dmp >"$tmp/out.json" 2>>"$tmp/stderr"
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
store=$(best "$tmp/plain.yaml" -s "$tmp/store")
grep -q 'drvx64!CrashHere+0x3f' "$tmp/out.json" || { echo "the store was not used" >&2; exit 1; }
echo "$n dumps (best of $reps): without symbols ${plain} ms, PDB given ${syms} ms, through the store ${store} ms"
python3 -c "import sys; p, s, t, n = map(int, sys.argv[1:]); print(f'per dump: {p/n:.2f} / {s/n:.2f} / {t/n:.2f} ms; ratios to no symbols: {s/p:.3f} (PDB given), {t/p:.3f} (store)')" "$plain" "$syms" "$store" "$n"
[ -s "$tmp/stderr" ] && { echo "stderr (distinct lines):"; sort -u "$tmp/stderr" | sed "s|$tmp|TMP|g"; }
exit 0
