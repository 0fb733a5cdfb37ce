#!/usr/bin/env bash
# The PDB reader at scale: generated C with N functions (default 100,000) built by clang + lld-link
# into a driver and its PDB (publics only, and full with -g), then dpsym opens and indexes each
# and names 1,000,000 addresses spread over it. For scale, llvm-pdbutil dumping the same publics.
# Use a non-sanitized Release build:
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel --target dpsym
# Usage: bench/pdb/run.sh BUILD_DIR [N_FUNCTIONS] [LOOKUPS]
set -eu
build=$(cd "${1:?usage: run.sh BUILD_DIR [N_FUNCTIONS] [LOOKUPS]}" && pwd)
n=${2:-100000}
lookups=${3:-1000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-bench-pdb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
clang=$(command -v clang-14 || command -v clang)
lld=$(command -v lld-link-14 || command -v lld-link)
pdbutil=$(command -v llvm-pdbutil-14 || command -v llvm-pdbutil || true)

python3 - "$n" >"$tmp/big.c" <<'PY'
import sys
n = int(sys.argv[1])
print("int g;")
for i in range(n):
    print(f"__attribute__((noinline)) int Func{i:06d}(int x) {{ return x * {i % 97 + 1} + g; }}")
print("long DriverEntry(void *d, void *r) { int s = 0;")
for i in range(0, n, 1000):
    print(f"  s += Func{i:06d}(s);")
print("  return s; }")
PY
secs() { python3 -c 'import sys,time; print(f"{time.time() - float(sys.argv[1]):.2f}")' "$1"; }
for kind in publics full; do
    g=""; [ $kind = full ] && g="-g -gcodeview"
    t0=$(date +%s.%N)
    "$clang" --target=x86_64-pc-windows-msvc -O1 $g -ffreestanding -fno-builtin -c "$tmp/big.c" -o "$tmp/$kind.obj"
    "$lld" /nologo /driver /subsystem:native /machine:x64 /entry:DriverEntry /nodefaultlib /debug:full \
        /pdb:"$tmp/$kind.pdb" /out:"$tmp/$kind.sys" "$tmp/$kind.obj"
    echo "$kind: built $n functions in $(secs "$t0") s, PDB $(stat -c %s "$tmp/$kind.pdb") bytes"
    "$build/tests/symbols/dpsym" bench "$tmp/$kind.pdb" "$lookups"
    if [ -n "$pdbutil" ]; then
        t0=$(date +%s.%N)
        "$pdbutil" dump --publics "$tmp/$kind.pdb" >/dev/null
        echo "$kind: llvm-pdbutil dump --publics: $(secs "$t0") s"
    fi
done
