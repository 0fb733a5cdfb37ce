# The loader refuses what it must not run, naming the file and the reason: a plugin built for another
# ABI, a shared object that is not a plugin, a file that is not a shared object, and plugins that
# others can write to. --list-plugins and --describe show what is there.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
DUMP=$(basic_dump)
D="$DP_TMP/plugins"
mkdir -m 0755 "$D"
cp "$DP_TEST_PLUGIN_DIR/badabi.so" "$DP_TEST_PLUGIN_DIR/noplugin.so" "$D/"
printf 'this is not an ELF file\n' > "$D/garbage.so"
chmod 0644 "$D"/*.so

refused() { # refused PLUGIN EXPECTED-STDERR
    local p; p=$(pipeline "use_$1" <<YAML
steps: [{plugin: $1}]
YAML
)
    run -L "$D" -p "$p" "$DUMP"
    expect_rc 2
    expect_err "$2"
}
refused badabi "$D/badabi.so: built for plugin ABI 3.0, this dumppipe provides ABI 2.1"
refused noplugin "$D/noplugin.so: not a dumppipe plugin: no symbol dp_plugin_descriptor"
refused garbage "$D/garbage.so: cannot load:"

cp "$DP_TEST_PLUGIN_DIR/misbehave.so" "$D/"
chmod 0666 "$D/misbehave.so"
refused misbehave "$D/misbehave.so: refusing plugin: the file is writable by everyone (mode 0666)"
chmod 0644 "$D/misbehave.so"
chmod 0775 "$D"
refused misbehave "$D: refusing plugin: the folder holding it is writable by its group (mode 0775)"
chmod 0755 "$D"

run -L "$D" --list-plugins
expect_rc 0
expect_line "misbehave    0        analyzer  test plugin"
expect_line "refused: $D/badabi.so: built for plugin ABI 3.0"
expect_line "text         1.0      sink"
run --describe text
expect_rc 0
expect_line "text 1.0 (sink, plugin ABI 2.1"
expect_line "  evidence           bool        default: false"
run --describe nosuch
expect_rc 2
expect_err "unknown plugin 'nosuch'"
# $DUMPPIPE_PLUGIN_PATH is searched after -L
OUT=$(DUMPPIPE_PLUGIN_PATH="$D" "$DUMPPIPE" --describe misbehave 2>&1); RC=$?
expect_rc 0
expect_line "file: $D/misbehave.so"
finish
