# Plugins that segfault, abort, hang, spin, allocate without bound, call exit() or fail each become one
# failure finding, while the other plugins' findings (and artifacts, which cross process boundaries)
# still appear, in text and in JSON; --no-isolation runs the well-behaved ones in-process alike.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
DUMP=$(basic_dump)
P=$(pipeline iso <<'YAML'
version: 1
steps:
  - {plugin: misbehave, id: pub, options: {mode: publish}}
  - {plugin: misbehave, id: segv, options: {mode: segv}}
  - {plugin: misbehave, id: abort, options: {mode: abort}}
  - {plugin: misbehave, id: hang, timeout: 1s, options: {mode: hang}}
  - {plugin: misbehave, id: spin, timeout: 500ms, options: {mode: spin}}
  - {plugin: misbehave, id: hog, memory: 64M, options: {mode: hog}}
  - {plugin: misbehave, id: exit, options: {mode: exit}}
  - {plugin: misbehave, id: err, options: {mode: error}}
  - {plugin: misbehave, id: con, options: {mode: consume}}
sinks:
  - plugin: text
YAML
)
run -L "$DP_TEST_PLUGIN_DIR" -p "$P" "$DUMP"
expect_rc 4
expect_line "[pub] warning: published every field type (confidence 77%)"
expect_line "[host] ERROR: segv failed: SIGSEGV (Segmentation fault)"
expect_line "[host] ERROR: abort failed: SIGABRT (Aborted)"
expect_line "[host] ERROR: hang timed out after 1 s"
expect_line "[host] ERROR: spin timed out after 0.5 s"
expect_line "[host] ERROR: hog exceeded its memory limit of 64 MiB"
expect_line "[host] ERROR: exit failed: exited with status 3 without finishing (did it call exit()?)"
expect_line "[host] ERROR: err failed: the widget is broken"
expect_line '[con] info: saw u=18446744073709551615 i=-42 a=a34583b8 s=tab	here "quoted" ünïcode b=1 raw=5 bytes from pub'
expect_line "STEP_FAILED: hog: hog exceeded its memory limit of 64 MiB"

run -L "$DP_TEST_PLUGIN_DIR" -p "$P" -o json "$DUMP"
expect_rc 4
expect_json 'd["steps"][1] == dict(d["steps"][1], plugin="segv", status="crashed")'
expect_json '[s["status"] for s in d["steps"]] == ["ok","crashed","crashed","timeout","timeout","memory","failed","failed","ok"]'
expect_json 'd["artifacts"]["test.kinds"][0]["fields"] == {"u": "0xffffffffffffffff", "i": -42, "a": "0xa34583b8", "s": "tab\there \"quoted\" ünïcode", "b": True, "raw": "dead00beef"}'
expect_json 'any(f["code"] == "test.consumed" for f in d["findings"])'
expect_json 'sum(f["code"] == "host.plugin.failed" for f in d["findings"]) == 7'

# In-process (debugging) the well-behaved steps give the same results.
P2=$(pipeline inproc <<'YAML'
steps:
  - {plugin: misbehave, id: pub, options: {mode: publish}}
  - {plugin: misbehave, id: err, options: {mode: error}}
  - {plugin: misbehave, id: con, options: {mode: consume}}
sinks: [{plugin: text}]
YAML
)
run -L "$DP_TEST_PLUGIN_DIR" --no-isolation -p "$P2" "$DUMP"
expect_rc 4
expect_line "[host] ERROR: err failed: the widget is broken"
expect_line "bytes from pub (confidence 100%)"
finish
