# Every JSON report validates against the written schema (docs/json-schema.json): a full triage, one
# with failing plugins, and a dump without a bug check.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
validate() {
    if python3 - "$DP_SOURCE_DIR/docs/json-schema.json" <<<"$OUT" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for line in sys.stdin.read().splitlines():
    jsonschema.validate(json.loads(line), schema, cls=jsonschema.Draft202012Validator)
PY
    then _ok; else _fail "schema validation: $1"; fi
}
for scen in "$DP_SOURCE_DIR"/tests/scenarios/*.yaml; do
    DUMP=$(gen "$scen")
    run -o json "$DUMP"
    [ "$RC" -eq 0 ] || [ "$RC" -eq 4 ] && _ok || _fail "$scen: exit $RC"
    validate "$scen"
done
P=$(pipeline fails <<'YAML'
steps:
  - {plugin: misbehave, id: pub, options: {mode: publish}}
  - {plugin: misbehave, id: segv, options: {mode: segv}}
sinks: [{plugin: json, options: {pretty: false}}]
YAML
)
run -L "$DP_TEST_PLUGIN_DIR" -p "$P" "$DUMP"
validate failing-plugins
finish
