# Bounded inputs and untouchable inputs (issue 13): FIFOs, devices and directories are refused as
# dumps, pipelines, `extends:`, symbol and pool tag files without blocking; deeply nested and
# out-of-range pipelines are refused at once; no output may be an input; every write is checked;
# strings from a dump reach JSON as valid UTF-8. Each run is guarded by `timeout`, so a regression
# (a hang) fails here instead of hanging the suite.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
DUMP=$(basic_dump)
SEED=$(gen "$DP_SOURCE_DIR/tests/scenarios/seed-xen-0x19.yaml")
# run_t ARGS...: run, but a hang shows as exit 124
run_t() {
    OUT=$(timeout 30 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" "$@" 2>"$DP_TMP/stderr"); RC=$?
    ERR=$(cat "$DP_TMP/stderr")
}
one_line() { [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && _ok || _fail "expected one error line: $ERR"; }
JSONP=$(pipeline json <<'YAML'
sinks: [{plugin: json}]
YAML
)
mkfifo "$DP_TMP/fifo"

# a FIFO as the dump, as -p, as extends: refused at once, naming the file and its role
run_t -p "$JSONP" "$DP_TMP/fifo"
expect_rc 3
expect_err "$DP_TMP/fifo: a FIFO, not a regular file (given as the dump)"
one_line
expect_json 'd["input"]["status"] == "unreadable" and d["input"]["sha256"] is None'
run_t -p "$DP_TMP/fifo" "$DUMP"
expect_rc 2
expect_err "$DP_TMP/fifo: a FIFO, not a regular file (given as the pipeline)"
P=$(pipeline ext <<YAML
version: 1
extends: $DP_TMP/fifo
YAML
)
run_t -p "$P" "$DUMP"
expect_rc 2
expect_err "$DP_TMP/fifo: a FIFO, not a regular file (given as the pipeline named by extends)"
run_t -p "$DP_TMP" "$DUMP"
expect_rc 2
expect_err "$DP_TMP: a directory, not a regular file (given as the pipeline)"

# /dev/zero as a symbol file (grew to 8 GB) and as a pool tag file (ran until the step timeout)
P=$(pipeline zsym <<'YAML'
version: 1
symbols: [/dev/zero]
sinks: [{plugin: text}]
YAML
)
run_t -p "$P" "$DUMP"
expect_rc 2
expect_err "'/dev/zero': neither a file nor a directory"
P=$(pipeline ztag <<'YAML'
version: 1
isolation: false
steps:
  - {plugin: tagattrib, options: {pooltag_files: [/dev/zero]}}
sinks: [{plugin: text}]
YAML
)
run_t -p "$P" "$SEED"
expect_rc 0
expect_line "/dev/zero: cannot read pool tag file (a device or special file, not a regular file)"

# 200 KB of nesting took 20 s in libyaml's document loader; the event parser stops at depth 32
python3 -c 'print("version: 1\nsteps: " + "[" * 100000 + "]" * 100000)' >"$DP_TMP/deep.yaml"
t0=$(date +%s)
run_t -p "$DP_TMP/deep.yaml" "$DUMP"
expect_rc 2
expect_err "deep.yaml:2:39: nested deeper than 32 levels"
[ $(( $(date +%s) - t0 )) -lt 10 ] && _ok || _fail "deep pipeline took $(( $(date +%s) - t0 )) s"
P=$(pipeline alias <<'YAML'
version: 1
steps: &s []
sinks: *s
YAML
)
run_t -p "$P" "$DUMP"
expect_rc 2
expect_err "aliases (*name) are not allowed in a pipeline"

# durations and sizes are range-checked when the pipeline is read
for bad in "timeout: 18446744073709551s" "timeout: 25h" "memory: 0" "dump_memory: 2T" "dump_timeout: 0s"; do
    P=$(pipeline range <<YAML
version: 1
$bad
sinks: [{plugin: text}]
YAML
)
    run_t -p "$P" "$DUMP"
    expect_rc 2
    expect_err "range.yaml:2:"
done
expect_err "'dump_timeout' must be a duration from 1ms to 24h"
P=$(pipeline unit <<'YAML'
version: 1
steps: [{plugin: bugcheck, timeout: 5}]
sinks: [{plugin: text}]
YAML
)
run_t -p "$P" "$DUMP"
expect_rc 2
expect_err "unit.yaml:2:37: 'timeout: 5' needs a unit: 5s, 5ms or 5m"

# nothing is written to an input: -O, a sink's output:, or standard output naming the dump
cp "$DUMP" "$DP_TMP/v.dmp"
sum=$(sha256sum <"$DP_TMP/v.dmp")
run_t -O "$DP_TMP/v.dmp" "$DP_TMP/v.dmp"
expect_rc 2
expect_err "$DP_TMP/v.dmp: refusing to write the output: it is the dump $DP_TMP/v.dmp"
ln "$DP_TMP/v.dmp" "$DP_TMP/hardlink.dmp"
run_t -O "$DP_TMP/hardlink.dmp" "$DP_TMP/v.dmp"
expect_rc 2
P=$(pipeline outdump <<YAML
version: 1
sinks: [{plugin: text, output: $DP_TMP/v.dmp}]
YAML
)
run_t -p "$P" "$DUMP" "$DP_TMP/v.dmp"
expect_rc 2
run_t -p "$JSONP" -O "$JSONP" "$DUMP"
expect_rc 2
expect_err "refusing to write the output: it is the pipeline $JSONP"
timeout 30 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" "$DP_TMP/v.dmp" >>"$DP_TMP/v.dmp" 2>"$DP_TMP/stderr"; RC=$?; ERR=$(cat "$DP_TMP/stderr")
expect_rc 2
expect_err "standard output: refusing to write the output: it is the dump"
[ "$sum" = "$(sha256sum <"$DP_TMP/v.dmp")" ] && _ok || _fail "the dump changed"

# outputs that cannot be written: exit 1 and a line naming the output and the error
timeout 30 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" "$DUMP" >/dev/full 2>"$DP_TMP/stderr"; RC=$?; ERR=$(cat "$DP_TMP/stderr")
expect_rc 1
expect_err "dumppipe: standard output: cannot write output: No space left on device"
timeout 30 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" "$DUMP" >&- 2>"$DP_TMP/stderr"; RC=$?; ERR=$(cat "$DP_TMP/stderr")
expect_rc 1
expect_err "dumppipe: standard output: cannot write output: Bad file descriptor"
timeout 30 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" --explain 19 >/dev/full 2>"$DP_TMP/stderr"; RC=$?; ERR=$(cat "$DP_TMP/stderr")
expect_rc 1
run_t -O /proc/nosuch/x "$DUMP"
expect_rc 1
expect_err "dumppipe: /proc/nosuch/x: cannot write output: No such file or directory"
run_t -O /dev/full "$DUMP"
expect_rc 1
expect_err "dumppipe: /dev/full: cannot write output: No space left on device"
# a path with a newline stays on one line, quoted
run_t -O "$DP_TMP/no such"$'\n'"dir/x" "$DUMP"
expect_rc 1
expect_err "'$DP_TMP/no such\\ndir/x': cannot write output"
one_line
printf 'MZ junk' >"$DP_TMP/a"$'\n'"b.dmp"
run_t -p "$JSONP" "$DP_TMP/a"$'\n'"b.dmp"
expect_rc 3
expect_err "'$DP_TMP/a\\nb.dmp': not a crash dump"
one_line

# a flipped byte in an export name ("K\xa4BugCheckEx"): the JSON stays valid UTF-8
python3 - "$SEED" "$DP_TMP/flipped.dmp" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
assert d.count(b'KeBugCheckEx') == 1
open(sys.argv[2], 'wb').write(d.replace(b'KeBugCheckEx', b'K\xa4BugCheckEx'))
PY
run_t -o json "$DP_TMP/flipped.dmp"
expect_rc 0
expect_json_lines 'len(d) == 1 and "K\ufffdBugCheckEx" in json.dumps(d, ensure_ascii=False)'
finish
