# Batches (issue 12 item 1) and per-dump supervision (issue 13 item 1): each dump is triaged in a
# supervised child; a crash, a hang or a memory blow-up in it becomes that dump's error record
# (exit 3) and the next dump goes on; -j N keeps one record per input in input order; directories
# and `-` (a list on standard input) as inputs; --summary's bucket table; the progress line only on
# a terminal.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
S=$DP_SOURCE_DIR/tests/scenarios
run_t() {
    OUT=$(timeout 60 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -L "$DP_TEST_PLUGIN_DIR" "$@" 2>"$DP_TMP/stderr"); RC=$?
    ERR=$(cat "$DP_TMP/stderr")
}
D1=$(gen "$S/x64-basic.yaml"); D2=$(gen "$S/x86-basic.yaml"); D3=$(gen "$S/seed-xen-0x19.yaml")
D4=$(gen "$S/hv-kvm.yaml"); D5=$(gen "$S/codeptr-x64.yaml")
printf 'MZ not a dump' >"$DP_TMP/junk.dmp"

# a crash in the dump's child (a plugin run in-process there) is that dump's error; the next goes on
P=$(pipeline crash <<'YAML'
version: 1
isolation: false
steps: [{plugin: misbehave, id: segv, options: {mode: segv}}]
sinks: [{plugin: json}]
YAML
)
run_t -p "$P" "$D1" "$D2"
expect_rc 3
expect_err "dumppipe: $D1: the in-process plugin segv crashed (SIGSEGV)"
expect_err "dumppipe: $D2: the in-process plugin segv crashed (SIGSEGV)"
expect_json_lines '[r["input"]["status"] for r in d] == ["crashed", "crashed"]'
expect_json_lines 'd[0]["input"]["error"] == "'"$D1"': the in-process plugin segv crashed (SIGSEGV)" and d[0]["dump"] is None'
expect_json_lines 'all(r["input"]["sha256"] and r["findings"] == [] and r["steps"] == [] for r in d)'
run_t -p "$P" -o text "$D1"
expect_rc 3
expect_line "ERROR:        $D1: the in-process plugin segv crashed (SIGSEGV) (crashed)"
# the same wall-clock and memory limits per dump, from the pipeline or the command line
P=$(pipeline hang <<'YAML'
version: 1
isolation: false
dump_timeout: 1s
steps: [{plugin: misbehave, id: hang, options: {mode: hang}}]
sinks: [{plugin: json}]
YAML
)
run_t -p "$P" "$D1"
expect_rc 3
expect_err "dumppipe: $D1: timed out after 1 s (dump_timeout) in the in-process plugin hang"
expect_json_lines 'd[0]["input"]["status"] == "timeout"'
run_t -p "$P" --dump-timeout 500ms "$D1"
expect_err "timed out after 0.5 s (dump_timeout)"
P=$(pipeline hog <<'YAML'
version: 1
isolation: false
dump_memory: 64M
steps: [{plugin: misbehave, id: hog, options: {mode: hog}}]
sinks: [{plugin: json}]
YAML
)
run_t -p "$P" "$D1"
expect_rc 3
expect_err "dumppipe: $D1: exceeded the memory limit of 64 MiB (dump_memory) in the in-process plugin hog"
expect_json_lines 'd[0]["input"]["status"] == "memory"'
run_t --dump-memory 0 "$D1"
expect_rc 2

# -j 2 over several dumps and one bad one: one record per input, in input order, exit 3
run_t -j 2 -o json "$D1" "$D2" "$DP_TMP/junk.dmp" "$D3" "$D4" "$D5"
expect_rc 3
expect_json_lines '[r["input"]["path"] for r in d] == ["'"$D1"'", "'"$D2"'", "'"$DP_TMP/junk.dmp"'", "'"$D3"'", "'"$D4"'", "'"$D5"'"]'
expect_json_lines '[r["input"]["status"] for r in d] == ["ok", "ok", "malformed", "ok", "ok", "ok"]'
expect_json_lines 'all(r["tool"] == {"name": "dumppipe", "version": "0.2.0"} for r in d)'
sha3=$(sha256sum <"$D3" | cut -d" " -f1)
expect_json_lines 'd[3]["input"]["sha256"] == "'"$sha3"'" and d[3]["input"]["size"] == '"$(stat -c %s "$D3")"
expect_json_lines 'd[3]["summary"]["bucket"] == "0x19_20_POOL_CORRUPTION_driver.sys"'
[ "$(grep -c . <<<"$ERR")" -eq 1 ] && _ok || _fail "one error line expected: $ERR"
# the same with -j 1 and in one process
run_t -j 1 -o json "$D1" "$D2" "$DP_TMP/junk.dmp" "$D3" "$D4" "$D5"
[ "$(grep -c . <<<"$OUT")" -eq 6 ] && _ok || _fail "-j 1: six records expected"
run_t --no-isolation -o json "$D1" "$D2" "$DP_TMP/junk.dmp" "$D3" "$D4" "$D5"
expect_rc 3
expect_json_lines '[r["input"]["status"] for r in d] == ["ok", "ok", "malformed", "ok", "ok", "ok"]'
# text: one report per dump, the bad one as its error line
run_t -j 2 -o text "$D1" "$DP_TMP/junk.dmp" "$D3"
[ "$(grep -c '^Dump: ' <<<"$OUT")" -eq 3 ] && _ok || _fail "three text reports expected"
expect_line "ERROR:        $DP_TMP/junk.dmp: not a crash dump"

# `-`: the paths come from standard input
OUT=$(printf '%s\n' "$D3" "" "$D1" | timeout 60 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -o json - 2>"$DP_TMP/stderr"); RC=$?
expect_rc 0
expect_json_lines '[r["input"]["path"] for r in d] == ["'"$D3"'", "'"$D1"'"]'

# a directory: every regular file below it, recursively, in name order, dot files skipped
mkdir -p "$DP_TMP/dir/b" "$DP_TMP/dir/a"
cp "$D1" "$DP_TMP/dir/b/x.dmp"; cp "$D3" "$DP_TMP/dir/a/z.dmp"; cp "$D2" "$DP_TMP/dir/c.dmp"; cp "$D2" "$DP_TMP/dir/.hidden"
mkfifo "$DP_TMP/dir/fifo"
run_t -o json "$DP_TMP/dir"
expect_rc 0
expect_json_lines '[r["input"]["path"] for r in d] == ["'"$DP_TMP/dir/a/z.dmp"'", "'"$DP_TMP/dir/b/x.dmp"'", "'"$DP_TMP/dir/c.dmp"'"]'
mkdir "$DP_TMP/empty"
run_t "$DP_TMP/empty"
expect_rc 2

# --summary: buckets by count, with culprit, first and last dump
mkdir "$DP_TMP/sum" && cd "$DP_TMP/sum" || exit 1
cp "$D3" a.dmp; cp "$D1" b.dmp; cp "$D3" c.dmp; printf 'MZ' >d.dmp
run_t -j 2 -O /dev/null --summary a.dmp b.dmp c.dmp d.dmp
expect_rc 3
[ "$OUT" = "BUCKETS: 4 dumps in 3 buckets
COUNT  BUCKET                                               CULPRIT       FIRST DUMP  LAST DUMP
    2  0x19_20_POOL_CORRUPTION_driver.sys                   driver.sys    a.dmp       c.dmp
    1  0xD1_EXCEPTION_sample64.sys!unknown_function+0x130b  sample64.sys  b.dmp       b.dmp
    1  (malformed)                                          -             d.dmp       d.dmp" ] && _ok || _fail "summary table: $OUT"
cd - >/dev/null || exit 1

# progress: none when standard error is not a terminal; on a terminal, done/total and the
# whole-dump pool scan's own progress (dp_progress from the plugin's child)
run_t -O /dev/null "$D1" "$D3"
[[ "$ERR" != *$'\r'* ]] && _ok || _fail "progress output without a terminal"
if command -v script >/dev/null; then
    cmd=$(printf '%q ' "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$DP_SOURCE_DIR/pipelines/pool-scan.yaml" -O /dev/null "$D3" "$D3")
    OUT=$(timeout 60 script -qec "$cmd" /dev/null | tr '\r' '\n')
    expect_line "[2/2] "
    expect_line "poolwalk: pages scanned"
fi
finish
