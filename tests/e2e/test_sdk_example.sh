# A third party builds the example plugin outside the tree against the installed SDK only (CMake
# package and pkg-config), and dumppipe runs it.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
: "${DP_BUILD_DIR:?}"
PREFIX="$DP_TMP/prefix"
cmake --install "$DP_BUILD_DIR" --prefix "$PREFIX" >/dev/null || { _fail "cmake --install failed"; finish; exit 1; }
[ -f "$PREFIX/include/dumppipe/dumppipe.h" ] && _ok || _fail "header not installed"
cp -r "$DP_SOURCE_DIR/sdk/examples/hello" "$DP_TMP/hello-src"   # outside the dumppipe tree
if cmake -S "$DP_TMP/hello-src" -B "$DP_TMP/hello-build" -DCMAKE_PREFIX_PATH="$PREFIX" >"$DP_TMP/cfg.log" 2>&1 &&
   cmake --build "$DP_TMP/hello-build" >>"$DP_TMP/cfg.log" 2>&1; then _ok; else _fail "CMake build of the example: $(tail -5 "$DP_TMP/cfg.log")"; fi
mkdir -p "$DP_TMP/pc"
if gcc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig:$PREFIX/lib/x86_64-linux-gnu/pkgconfig" pkg-config --cflags dumppipe-sdk) \
      -o "$DP_TMP/pc/hello.so" "$DP_TMP/hello-src/hello.c"; then _ok; else _fail "pkg-config build of the example"; fi
DUMP=$(basic_dump)
P=$(pipeline hello <<'YAML'
steps:
  - plugin: hello
    options: {greeting: bonjour}
sinks: [{plugin: json}]
YAML
)
for dir in "$DP_TMP/hello-build" "$DP_TMP/pc"; do
    chmod -R go-w "$dir"
    run -L "$dir" -p "$P" "$DUMP"
    expect_rc 0
    expect_json 'd["findings"][0]["code"] == "hello.summary" and d["findings"][0]["title"].startswith("bonjour: ")'
    expect_json 'd["artifacts"]["hello.seen"][0]["publisher"] == "hello"'
done
# the installed dumppipe finds its installed plugins and pipelines by itself
OUT=$("$PREFIX/bin/dumppipe" -o json "$DUMP" 2>"$DP_TMP/err"); RC=$?
[ "$RC" -eq 0 ] || [ "$RC" -eq 4 ] && _ok || _fail "installed dumppipe: exit $RC: $(cat "$DP_TMP/err")"
expect_json '[s["plugin"] for s in d["steps"]] == ["hvdetect","bugcheck","stack","poolwalk","tagattrib","codeptr","bitflip"]'
finish
