#!/usr/bin/env bash
# Builds the Debian packages from this tree (dpkg-buildpackage -us -uc -b, in a copy so the tree stays
# clean), installs them with apt, and checks what a user and a plugin author do with them:
#   - `man dumppipe` opens, and so do dumppipe-pipeline(5) and dumppipe-plugin(3);
#   - the installed /usr/bin/dumppipe triages a generated dump from another directory with -p quick.yaml;
#   - the SDK examples build out of tree with `pkg-config dumppipe-sdk` and CMake against dumppipe-dev,
#     and the installed dumppipe runs them.
# Then runs lintian. Needs root (or sudo) for apt. Called by .ci/run; usage: scripts/package.sh [BUILD_DIR]
# where BUILD_DIR holds a build of this tree (for the dump generator; default: build-release).
# KEEP_INSTALLED=1 leaves the packages installed (default: removed again when this script installed them);
# OUT_DIR=DIR keeps the .deb files and the lintian report there.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-release}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumppipe-pkg.XXXXXX")
was_installed=$(dpkg-query -W -f='${Status}' dumppipe 2>/dev/null | grep -c "ok installed" || true)
cleanup() {
    if [ -n "${OUT_DIR:-}" ]; then mkdir -p "$OUT_DIR" && cp "$WORK"/*.deb "$WORK"/*.log "$OUT_DIR"/ 2>/dev/null || true; fi
    if [ "${KEEP_INSTALLED:-0}" != 1 ] && [ "$was_installed" = 0 ]; then
        $SUDO apt-get remove -y -qq dumppipe dumppipe-dev >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "package: FAIL: $*" >&2; exit 1; }

VERSION=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
TREE="$WORK/dumppipe-$VERSION"
mkdir -p "$TREE"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$TREE")
echo "package: building dumppipe $VERSION in $TREE" >&2
(cd "$TREE" && dpkg-buildpackage -us -uc -b -j2) >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "dpkg-buildpackage"; }
ls "$WORK"/dumppipe_*.deb "$WORK"/dumppipe-dev_*.deb >/dev/null || fail "no packages built"

echo "package: lintian" >&2
lintian --fail-on error --display-info "$WORK"/*.changes | tee "$WORK/lintian.log" >&2 ||
    fail "lintian reports errors"

echo "package: installing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$WORK"/dumppipe_*.deb "$WORK"/dumppipe-dev_*.deb >/dev/null ||
    fail "apt-get install"
[ -x /usr/bin/dumppipe ] || fail "/usr/bin/dumppipe missing"
for page in dumppipe dumppipe-pipeline dumppipe-plugin; do
    MANPAGER=cat man "$page" 2>/dev/null | grep -q "NAME" || fail "man $page does not open"
done
[ -f /usr/share/doc/dumppipe/json-schema.json ] || fail "JSON schema not installed"
[ -f /usr/share/doc/dumppipe-dev/ARTIFACTS.md ] || fail "ARTIFACTS.md not installed"

echo "package: triaging a generated dump with the installed program" >&2
mkdir -p "$WORK/elsewhere"
"$BUILD/tests/gen/dpgen" -o "$WORK/crash.dmp" "$SRC/tests/scenarios/seed-xen-0x19.yaml"
(cd "$WORK/elsewhere" && /usr/bin/dumppipe -p quick.yaml ../crash.dmp) >"$WORK/quick.txt" || fail "dumppipe -p quick.yaml: exit $?"
grep -q "BAD_POOL_HEADER (0x19)" "$WORK/quick.txt" || fail "quick.yaml did not name the bug check: $(cat "$WORK/quick.txt")"
(cd "$WORK/elsewhere" && /usr/bin/dumppipe -o json ../crash.dmp) >"$WORK/full.json" || fail "dumppipe -o json: exit $?"
grep -q '"bucket":"0x19_20_POOL_CORRUPTION_driver.sys' "$WORK/full.json" || fail "full triage bucket: $(cut -c1-300 "$WORK/full.json")"

echo "package: building the SDK examples against dumppipe-dev" >&2
for ex in hello blockowner; do
    cp -r "/usr/share/doc/dumppipe-dev/examples/$ex" "$WORK/$ex"
    cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(pkg-config --cflags dumppipe-sdk) -o "$WORK/$ex/$ex.so" "$WORK/$ex/$ex.c" ||
        fail "pkg-config build of $ex"
    cmake -S "$WORK/$ex" -B "$WORK/$ex/build" >/dev/null && cmake --build "$WORK/$ex/build" >/dev/null || fail "CMake build of $ex"
done
chmod -R go-w "$WORK"
printf 'extends: triage.yaml\nsteps: [{plugin: blockowner}, {plugin: hello}]\nsinks: [{plugin: json}]\n' >"$WORK/elsewhere/mine.yaml"
(cd "$WORK/elsewhere" && /usr/bin/dumppipe -L ../hello -L ../blockowner -p mine.yaml ../crash.dmp) >"$WORK/mine.json" ||
    fail "installed dumppipe with the example plugins: exit $?"
grep -q '"code":"blockowner.block"' "$WORK/mine.json" && grep -q '"code":"hello.summary"' "$WORK/mine.json" ||
    fail "example plugins reported nothing"
echo "package: OK ($(ls "$WORK"/*.deb | xargs -n1 basename | tr '\n' ' '))" >&2
