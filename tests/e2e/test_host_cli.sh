# The command line: documented exit codes, one clear error line per bad dump, --explain, --version,
# -O, and several dumps in one run.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
DUMP=$(basic_dump)
run --version
expect_rc 0
expect_line "dumppipe 0.2.0 (plugin ABI 2.1)"
run
expect_rc 2
expect_err "no dump given"
run --bogus
expect_rc 2
P=$(pipeline sinkonly <<'YAML'
sinks: [{plugin: json}]
YAML
)
run -p "$P" "$DP_TMP/missing.dmp"
expect_rc 3
expect_err "$DP_TMP/missing.dmp:"
[ "$(wc -l <<<"$ERR")" -eq 1 ] && _ok || _fail "more than one error line: $ERR"
printf 'MZ not a dump at all' > "$DP_TMP/junk.dmp"
run -p "$P" "$DP_TMP/junk.dmp"
expect_rc 3
expect_err "$DP_TMP/junk.dmp:"
# one bad dump among good ones: the good ones are reported, the exit code says a dump was bad
run -p "$P" "$DUMP" "$DP_TMP/junk.dmp" "$DUMP"
expect_rc 3
[ "$(grep -c '"schema":"dumppipe-triage"' <<<"$OUT")" -eq 3 ] && _ok || _fail "expected three JSON objects"
expect_json_lines '[r["input"]["status"] for r in d] == ["ok", "malformed", "ok"]' 
# -O writes to a file, started afresh each run
run -p "$P" -O "$DP_TMP/out.json" "$DUMP"
run -p "$P" -O "$DP_TMP/out.json" "$DUMP" "$DUMP"
expect_rc 0
[ "$(wc -l < "$DP_TMP/out.json")" -eq 2 ] && _ok || _fail "-O file should hold two lines"
[ -z "$OUT" ] && _ok || _fail "-O should leave stdout empty"
# the dump is never written to
sum1=$(sha256sum "$DUMP")
run -p "$DP_SOURCE_DIR/pipelines/triage.yaml" "$DUMP"
[ "$sum1" = "$(sha256sum "$DUMP")" ] && _ok || _fail "dump changed"
# every shipped pipeline validates and runs on the seed's dump
SEED=$(gen "$DP_SOURCE_DIR/tests/scenarios/seed-xen-0x19.yaml")
for p in "$DP_SOURCE_DIR"/pipelines/*.yaml; do
    run -p "$p" "$SEED"
    expect_rc 0
done
run -p "$DP_SOURCE_DIR/pipelines/triage-json.yaml" "$SEED"
expect_json 'd["summary"]["bucket"] == "0x19_20_POOL_CORRUPTION_driver.sys"'
# --explain, like !analyze -show 19 20 ...
run --explain 19 20 a34583b8 a34584f0 0a270001
expect_rc 0
expect_line "BAD_POOL_HEADER (19)"
expect_line "Arg1: 00000020, a pool block header size is corrupt."
run --explain zz
expect_rc 2
finish
