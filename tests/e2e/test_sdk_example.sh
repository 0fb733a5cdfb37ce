# A third party builds the example plugins outside the tree against the installed SDK only (CMake
# package and pkg-config), and dumppipe runs them: hello (options, findings, publishing) and
# blockowner (reads other plugins' artifacts, says "not applicable" when there is nothing to read).
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
: "${DP_BUILD_DIR:?}"
PREFIX="$DP_TMP/prefix"
cmake --install "$DP_BUILD_DIR" --prefix "$PREFIX" >/dev/null || { _fail "cmake --install failed"; finish; exit 1; }
[ -f "$PREFIX/include/dumppipe/dumppipe.h" ] && _ok || _fail "header not installed"
for f in share/doc/dumppipe/ARTIFACTS.md share/doc/dumppipe/json-schema.json share/doc/dumppipe/findings.md \
         share/man/man1/dumppipe.1 share/man/man5/dumppipe-pipeline.5 share/man/man3/dumppipe-plugin.3 \
         share/dumppipe/pipelines/quick.yaml; do
    [ -f "$PREFIX/$f" ] && _ok || _fail "not installed: $f"
done
PCDIR="$PREFIX/lib/pkgconfig:$PREFIX/lib/x86_64-linux-gnu/pkgconfig"
for ex in hello blockowner; do
    cp -r "$DP_SOURCE_DIR/sdk/examples/$ex" "$DP_TMP/$ex-src"   # outside the dumppipe tree
    if cmake -S "$DP_TMP/$ex-src" -B "$DP_TMP/cm-$ex" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_C_FLAGS=-Werror >"$DP_TMP/cfg.log" 2>&1 &&
       cmake --build "$DP_TMP/cm-$ex" >>"$DP_TMP/cfg.log" 2>&1; then _ok; else _fail "CMake build of $ex: $(tail -5 "$DP_TMP/cfg.log")"; fi
    mkdir -p "$DP_TMP/pc"
    if gcc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags dumppipe-sdk) \
          -o "$DP_TMP/pc/$ex.so" "$DP_TMP/$ex-src/$ex.c"; then _ok; else _fail "pkg-config build of $ex"; fi
done
[ -f "$DP_TMP/cm-hello/hello.so" ] && [ -f "$DP_TMP/cm-blockowner/blockowner.so" ] && _ok || _fail "CMake builds left no plugins"
chmod -R go-w "$DP_TMP"/cm-* "$DP_TMP/pc"
DUMP=$(basic_dump)
P=$(pipeline hello <<'YAML'
steps:
  - plugin: hello
    options: {greeting: bonjour}
sinks: [{plugin: json}]
YAML
)
for dir in "$DP_TMP/cm-hello" "$DP_TMP/pc"; do
    run -L "$dir" -p "$P" "$DUMP"
    expect_rc 0
    expect_json 'd["findings"][0]["code"] == "hello.summary" and d["findings"][0]["title"].startswith("bonjour: ")'
    expect_json 'd["artifacts"]["hello.seen"][0]["publisher"] == "hello"'
done
# blockowner: skipped on a dump without pool corruption, a finding per corrupt block on the seed
P=$(pipeline owner <<'YAML'
steps: [{plugin: bugcheck}, {plugin: poolwalk}, {plugin: tagattrib}, {plugin: blockowner}]
sinks: [{plugin: json}]
YAML
)
run -L "$DP_TMP/pc" -p "$P" "$DUMP"
expect_rc 0
expect_json '[s["status"] for s in d["steps"]] == ["ok", "ok", "ok", "skipped"] and "no corrupt pool block" in d["steps"][3]["message"]'
expect_json 'any(f["code"] == "step.not_applicable" and f["plugin"] == "blockowner" for f in d["findings"])'
run -L "$DP_TMP/pc" -p "$P" "$(gen "$DP_SOURCE_DIR/tests/scenarios/seed-xen-0x19.yaml")"
expect_rc 0
expect_json 'any(f["code"] == "blockowner.block" and f["title"] == "corrupt block 0xa34583b8, tag DRIV: owned by driver.sys" for f in d["findings"])'
# before its producer: refused before anything runs
P=$(pipeline owner-first <<<'steps: [{plugin: blockowner}, {plugin: poolwalk}]')
run -L "$DP_TMP/pc" -p "$P" "$DUMP"
expect_rc 2
expect_err "step 'blockowner' consumes 'pool.corrupt_block', which only the later step 'poolwalk' provides"
# the installed dumppipe finds its installed plugins and pipelines by itself, from any directory
OUT=$(cd "$DP_TMP" && "$PREFIX/bin/dumppipe" -p quick.yaml -o json "$DUMP" 2>"$DP_TMP/err"); RC=$?
expect_rc 0
expect_json '[s["plugin"] for s in d["steps"]] == ["hvdetect", "bugcheck"]'
OUT=$("$PREFIX/bin/dumppipe" -o json "$DUMP" 2>"$DP_TMP/err"); RC=$?
[ "$RC" -eq 0 ] || [ "$RC" -eq 4 ] && _ok || _fail "installed dumppipe: exit $RC: $(cat "$DP_TMP/err")"
expect_json '[s["plugin"] for s in d["steps"]] == ["hvdetect","bugcheck","stack","poolwalk","tagattrib","codeptr","bitflip"]'
finish
