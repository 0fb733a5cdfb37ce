# Everything a pipeline says is checked before anything runs: option values against the plugins'
# declared choices, ranges and units; sinks and analyzers in their lists; the order of producers and
# consumers. Shipped pipelines are found by bare name; relative paths are relative to the file.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
DUMP=$(basic_dump)
# refused PIPELINE-BODY ERROR-TEXT: the pipeline is refused with exit 2 and FILE:LINE:COL: ERROR-TEXT
refused() {
    local p; p=$(pipeline refused <<<"$1")
    run -L "$DP_TEST_PLUGIN_DIR" -p "$p" "$DUMP"
    expect_rc 2
    expect_err "$p:$2"
    [ -z "$OUT" ] && _ok || _fail "output although the pipeline was refused: $OUT"
}
refused 'steps: [{plugin: poolwalk, options: {scope: everything}}]' \
    "1:45: option 'scope' of plugin 'poolwalk': 'everything' is not one of: interest, all"
refused 'steps: [{plugin: poolwalk, options: {layout: arm}}]' "1:46: option 'layout' of plugin 'poolwalk': 'arm' is not one of: auto, x86, x64"
refused 'steps: [{plugin: stack, options: {max_frames: 100000}}]' "1:47: option 'max_frames' of plugin 'stack': 100000 is outside 1..256"
refused 'steps: [{plugin: stack, options: {max_frames: 0}}]' "1:47: option 'max_frames' of plugin 'stack': 0 is outside 1..256"
refused 'steps: [{plugin: stack, options: {max_frames: [1, 2]}}]' "1:47: option 'max_frames' of plugin 'stack' must be an integer, not a list"
refused 'steps: [{plugin: poolwalk, options: {addresses: [0x10, zz]}}]' "1:49: option 'addresses' of plugin 'poolwalk': 'zz' is not a list of integers"
refused $'timeout: 5\nsteps: [{plugin: stack}]' "1:10: 'timeout: 5' needs a unit: 5s, 5ms or 5m"
refused 'steps: [{plugin: stack, timeout: 5}]' "1:34: 'timeout: 5' needs a unit: 5s, 5ms or 5m"
refused 'steps: [{plugin: stack, memory: 512}]' "1:33: 'memory' must be a size"
refused 'steps: [{plugin: misbehave, options: {mode: hog, chunk: 4096}}]' "1:57: option 'chunk' of plugin 'misbehave': '4096' is not a size with its unit"
refused 'steps: [{plugin: misbehave, options: {mode: hog, chunk: 2G}}]' "1:57: option 'chunk' of plugin 'misbehave': 2G is outside 4096..1073741824"
refused 'steps: [{plugin: misbehave, options: {mode: fly}}]' "1:45: option 'mode' of plugin 'misbehave': 'fly' is not one of: publish, consume"
# the hint names the list the plugin belongs in
refused 'steps: [{plugin: text}]' "1:9: plugin 'text' is a sink, not an analyzer: list it under 'sinks'"
refused $'steps: [{plugin: bugcheck}]\nsinks: [{plugin: stack}]' "2:9: plugin 'stack' is an analyzer, not a sink: list it under 'steps'"
refused 'steps: [{plugin: stack, optoins: {max_frames: 3}}]' "1:25: unknown step key 'optoins'"
refused 'steps: [{plugin: {name: stack}}]' "1:18: 'plugin' must be a plain value"
# a consumer before its only producer
refused 'steps: [{plugin: tagattrib}, {plugin: poolwalk}]' \
    "1:9: step 'tagattrib' consumes 'pool.corrupt_block', which only the later step 'poolwalk' provides"
# ... which extends can repair with after:
P=$(pipeline ordered <<YAML
extends: $DP_TMP/refused.yaml
steps: [{plugin: tagattrib, after: poolwalk}]
YAML
)
run -p "$P" "$DUMP"
expect_rc 0

# an artifact published without being in provides is refused (the step fails, the run goes on)
P=$(pipeline unlisted <<'YAML'
steps: [{plugin: misbehave, options: {mode: unlisted}}, {plugin: bugcheck}]
sinks: [{plugin: json}]
YAML
)
run -L "$DP_TEST_PLUGIN_DIR" -p "$P" "$DUMP"
expect_rc 4
expect_json 'd["steps"][0]["status"] == "failed" and "not in the plugin'"'"'s provides" in d["steps"][0]["message"]'
expect_json 'd["steps"][1]["status"] == "ok"'

# no sinks: the default text sink
P=$(pipeline nosinks <<<'steps: [{plugin: bugcheck}]')
run -p "$P" "$DUMP"
expect_rc 0
expect_line "FAILURE_BUCKET_ID"

# shipped pipelines by bare name, from any directory, with -p and extends
mkdir -p "$DP_TMP/elsewhere"
(cd "$DP_TMP/elsewhere" && "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p quick.yaml -o json "$DUMP") >"$DP_TMP/q.json" 2>"$DP_TMP/q.err"
OUT=$(cat "$DP_TMP/q.json")
expect_json '[s["plugin"] for s in d["steps"]] == ["hvdetect", "bugcheck"]'
P=$(pipeline ext <<<$'extends: quick.yaml\nsteps: [{drop: hvdetect}]')
run -p "$P" -o json "$DUMP"
expect_json '[s["plugin"] for s in d["steps"]] == ["bugcheck"]'
# a file next to the extending pipeline wins over the shipped one; then $DUMPPIPE_PIPELINE_PATH
mkdir -p "$DP_TMP/mine" "$DP_TMP/path"
printf 'steps: [{plugin: bugcheck}]\n' >"$DP_TMP/mine/quick.yaml"
printf 'extends: quick.yaml\n' >"$DP_TMP/mine/top.yaml"
run -p "$DP_TMP/mine/top.yaml" -o json "$DUMP"
expect_json '[s["plugin"] for s in d["steps"]] == ["bugcheck"]'
printf 'steps: [{plugin: hvdetect}]\n' >"$DP_TMP/path/only-here.yaml"
OUT=$(cd "$DP_TMP" && DUMPPIPE_PIPELINE_PATH="$DP_TMP/nowhere:$DP_TMP/path" "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p only-here.yaml -o json "$DUMP" 2>&1)
expect_json '[s["plugin"] for s in d["steps"]] == ["hvdetect"]'
run -p no-such-pipeline.yaml "$DUMP"
expect_rc 2
expect_err "no-such-pipeline.yaml: cannot open the pipeline"

# relative paths in a pipeline are relative to the file that names them: an option path and output
mkdir -p "$DP_TMP/pl/tags"
printf 'DRIV - driver.sys - test driver\n' >"$DP_TMP/pl/tags/pooltag.txt"
cat >"$DP_TMP/pl/p.yaml" <<'YAML'
steps:
  - plugin: tagattrib
    options: {pooltag_files: [tags/pooltag.txt], tags_of_interest: [DRIV]}
sinks: [{plugin: json, output: report.json}]
YAML
(cd / && "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$DP_TMP/pl/p.yaml" "$DUMP" 2>"$DP_TMP/pl.err")
RC=$?; ERR=$(cat "$DP_TMP/pl.err")
expect_rc 0
OUT=$(cat "$DP_TMP/pl/report.json" 2>/dev/null)
expect_json 'any(s["plugin"] == "tagattrib" and s["status"] == "ok" for s in d["steps"])'
finish
