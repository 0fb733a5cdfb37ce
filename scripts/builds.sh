#!/usr/bin/env bash
# Builds with gcc and clang in Release, warnings as errors, and runs the whole suite on the clang build
# from a copy of the tree in a directory without ../shared (so the tests that read the real dumps must
# skip cleanly). With ALL_TYPES=1 it builds every CMake build type with both compilers instead.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumppipe-builds.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TYPES=(Release)
[ "${ALL_TYPES:-0}" = 1 ] && TYPES=(Release MinSizeRel RelWithDebInfo Debug)
# a copy without ../shared: $WORK has no shared/ next to the tree
mkdir -p "$WORK/dumppipe"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$WORK/dumppipe")
for cc in gcc clang; do
    for type in "${TYPES[@]}"; do
        dir="$WORK/build-$cc-$type"
        echo "builds: $cc $type" >&2
        CC=$cc cmake -S "$WORK/dumppipe" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DDP_WERROR=ON >/dev/null
        cmake --build "$dir" -j"$(nproc)" >"$dir.log" 2>&1 || { grep -E "error|warning" "$dir.log" | head -20; exit 1; }
    done
done
echo "builds: the suite on clang Release, without ../shared" >&2
ctest --test-dir "$WORK/build-clang-Release" --output-on-failure -j"$(nproc)" --timeout 600
