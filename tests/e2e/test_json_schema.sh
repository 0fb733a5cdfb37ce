# Every JSON report validates against the written schema (docs/json-schema.json): every shipped pipeline
# on every generated scenario and on every real dump in ../shared (skipped when absent), reports with
# failing plugins, a dump without a bug check, and a dump with an invalid UTF-8 name.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
# collect LABEL < JSON-LINES: keeps the report for one validation run at the end (jsonschema is slow
# to import; one python process checks them all)
mkdir -p "$DP_TMP/reports"
N_REPORTS=0
collect() { N_REPORTS=$((N_REPORTS + 1)); { printf '%s\n' "$1"; cat; } >"$DP_TMP/reports/$N_REPORTS"; }
validate_all() {
    if python3 - "$DP_SOURCE_DIR/docs/json-schema.json" "$DP_TMP/reports" <<'PY'
import json, os, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
files = sorted(os.listdir(sys.argv[2]), key=int)
for name in files:
    raw = open(os.path.join(sys.argv[2], name), "rb").read()
    label, _, body = raw.partition(b"\n")
    try:
        lines = body.decode("utf-8").splitlines()   # strict: invalid UTF-8 fails here
        assert lines, "no JSON at all"
        for line in lines:
            v.validate(json.loads(line))
    except Exception as e:
        bad += 1
        print("FAIL: schema validation: %s: %s" % (label.decode(errors="replace"), str(e).splitlines()[0]), file=sys.stderr)
print("%d reports validated, %d invalid" % (len(files), bad))
sys.exit(1 if bad or not files else 0)
PY
    then _ok; else _fail "schema validation"; fi
}
# json_of PIPELINE: the pipeline with its sinks replaced by the JSON sink (its steps unchanged)
json_of() { local p="$DP_TMP/$(basename "$1" .yaml)-json.yaml"; printf 'extends: %s\nsinks: [{plugin: json}]\n' "$1" >"$p"; echo "$p"; }

DUMPS=()
for scen in "$DP_SOURCE_DIR"/tests/scenarios/*.yaml; do DUMPS+=("$(gen "$scen")"); done
REAL=()
if [ -d "${DP_REAL_DIR:-}" ]; then
    for d in "$DP_REAL_DIR"/*.dmp; do [ -f "$d" ] && REAL+=("$d"); done
fi
[ ${#REAL[@]} -gt 0 ] || echo "SKIP: no real dumps in ${DP_REAL_DIR:-(unset)}: only generated dumps validated"
for pl in "$DP_SOURCE_DIR"/pipelines/*.yaml; do
    P=$(json_of "$pl")
    for d in "${DUMPS[@]}" "${REAL[@]}"; do
        run -p "$P" "$d"
        # 3: the reader refuses the dump (the record must still be there and valid)
        case $RC in 0|3|4) _ok ;; *) _fail "$(basename "$pl") on $d: exit $RC: $ERR" ;; esac
        collect "$(basename "$pl") on $(basename "$d")" <<<"$OUT"
    done
done

# the JSON agrees with the text on the culprit's figures
for d in "${DUMPS[@]}" "${REAL[@]}"; do
    run -o json "$d"; J=$OUT
    run -o text "$d"
    if python3 - "$J" "$OUT" <<'PY'
import json, re, sys
d, text = json.loads(sys.argv[1]), sys.argv[2]
c = d["summary"]["culprit"]
m = re.search(r"^CULPRIT_CONFIDENCE: (\d+)%", text, re.M)
if c is None:
    sys.exit(1 if m else 0)
assert m and int(m.group(1)) == c["confidence"], (m and m.group(1), c["confidence"])
assert re.search(r"^FAILURE_BUCKET_ID:  " + re.escape(d["summary"]["bucket"]) + "$", text, re.M)
PY
    then _ok; else _fail "text and JSON disagree on $(basename "$d")"; fi
done

DUMP=${DUMPS[0]}
P=$(pipeline fails <<'YAML'
steps:
  - {plugin: misbehave, id: pub, options: {mode: publish}}
  - {plugin: misbehave, id: segv, options: {mode: segv}}
  - {plugin: misbehave, id: consume, options: {mode: consume}}
sinks: [{plugin: json, options: {pretty: false}}]
YAML
)
run -L "$DP_TEST_PLUGIN_DIR" -p "$P" "$DUMP"
collect failing-plugins <<<"$OUT"
# u64 evidence above 2^53 is a hex string, text bytes pass as UTF-8
expect_json 'd["findings"][0]["evidence"]["u"] == "0xffffffffffffffff" and d["findings"][0]["evidence"]["i"] == -42'
expect_json '[s["status"] for s in d["steps"]] == ["ok", "crashed", "ok"] and d["steps"][0]["version"] == "0"'
expect_json 'd["tool"]["name"] == "dumppipe" and d["input"]["status"] == "ok" and d["dump"]["system_time"].startswith("0x")'

# an export name with a byte that is not UTF-8 ("E\xa4FreePool") still gives valid UTF-8 JSON
P=$(pipeline badname <<'YAML'
steps: [{plugin: misbehave, options: {mode: badutf8}}]
sinks: [{plugin: json}]
YAML
)
run -L "$DP_TEST_PLUGIN_DIR" -p "$P" "$DUMP"
collect invalid-utf8 <<<"$OUT"
expect_json 'd["findings"][0]["title"] == "E\ufffdFreePool, \u00e9t\u00e9, \ufffd\ufffd"'
# --explain has no dump file at all
run -o json --explain 19 20 a34583b8 a34584f0 0a270001
collect explain <<<"$OUT"
expect_json 'd["input"]["path"] is None and d["dump"]["bugcheck"]["code"] == "0x19" and d["modules"] == []'
validate_all
finish
