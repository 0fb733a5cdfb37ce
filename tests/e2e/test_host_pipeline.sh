# Pipeline validation points at FILE:LINE:COL before anything runs; extends adds, drops, reorders
# and overrides steps.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
DUMP=$(basic_dump)
L=(-L "$DP_TEST_PLUGIN_DIR")

bad() { # bad NAME EXPECTED-STDERR <<YAML
    local p; p=$(pipeline "$1")
    run "${L[@]}" -p "$p" "$DUMP"
    expect_rc 2
    expect_err "$p:$2"
    [ -z "$OUT" ] && _ok || _fail "$1: something ran: $OUT"
}
bad unknown_plugin "3:5: unknown plugin 'nosuch'" <<'YAML'
version: 1
steps:
  - plugin: nosuch
sinks: [{plugin: text}]
YAML
bad unknown_option "4:15: plugin 'misbehave' has no option 'colour' (valid: mode, chunk)" <<'YAML'
steps:
  - plugin: misbehave
    options:
      colour: red
      mode: publish
YAML
bad wrong_type "3:25: option 'evidence' of plugin 'text': 'maybe' is not true or false" <<'YAML'
sinks:
  - plugin: text
    options: {evidence: maybe}
YAML
bad missing_required "2:5: plugin 'misbehave' needs option 'mode'" <<'YAML'
steps:
  - plugin: misbehave
YAML
bad unknown_key "2:1: unknown key 'stpes'" <<'YAML'
version: 1
stpes: []
YAML
bad bad_yaml "3:1: did not find expected" <<'YAML'
steps:
  - plugin: [unclosed
YAML
bad sink_as_step "2:5: plugin 'text' is a sink, not an analyzer" <<'YAML'
steps:
  - plugin: text
YAML
bad bad_timeout "3:14: 'timeout' must be a duration" <<'YAML'
steps:
  - plugin: misbehave
    timeout: soon
    options: {mode: publish}
YAML

# extends: a team's pipeline tailors a base one.
pipeline base >/dev/null <<'YAML'
version: 1
steps:
  - {plugin: misbehave, id: one, options: {mode: publish}}
  - {plugin: misbehave, id: two, options: {mode: error}}
  - {plugin: misbehave, id: three, options: {mode: consume}}
sinks: [{plugin: text}]
YAML
P=$(pipeline team <<'YAML'
extends: base.yaml
steps:
  - drop: two
  - {plugin: misbehave, id: zero, before: one, options: {mode: publish}}
  - {id: three, plugin: misbehave, options: {mode: publish}}
  - {plugin: misbehave, id: four, after: zero, options: {mode: consume}}
sinks: [{plugin: json}]
YAML
)
run "${L[@]}" -p "$P" "$DUMP"
expect_rc 0
expect_json '[s["plugin"] for s in d["steps"]] == ["zero","four","one","three"]'
expect_json '[f["code"] for f in d["findings"]] == ["test.published","test.consumed","test.published","test.published"]'
P=$(pipeline reorder <<'YAML'
extends: team.yaml
order: [one, three, four, zero]
YAML
)
run "${L[@]}" -p "$P" "$DUMP"
expect_rc 0
expect_json '[s["plugin"] for s in d["steps"]] == ["one","three","four","zero"]'
P=$(pipeline cycle <<'YAML'
extends: cycle.yaml
YAML
)
run "${L[@]}" -p "$P" "$DUMP"
expect_rc 2
expect_err "deeper than 8"
P=$(pipeline dropmissing <<'YAML'
extends: base.yaml
steps:
  - drop: nine
YAML
)
run "${L[@]}" -p "$P" "$DUMP"
expect_rc 2
expect_err "$P:3:5: cannot drop 'nine'"
finish
