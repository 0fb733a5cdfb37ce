# Shared helpers for end-to-end tests: build dumps from scenarios, run dumppipe, assert on output.
# Every e2e script: `source "$DP_SOURCE_DIR/tests/e2e/lib.sh"`, then calls the functions below.
set -u
: "${DUMPPIPE:?}" "${DPGEN:?}" "${DP_SOURCE_DIR:?}" "${DP_PLUGIN_DIR:?}"
DP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dp-e2e.XXXXXX")
trap 'rm -rf "$DP_TMP"' EXIT
# gen runs inside $(...), where `exit` would only leave the subshell: it signals the script instead.
trap 'echo "FAIL: aborted" >&2; exit 1' TERM
DP_FAILS=0
DP_PASSES=0

# gen SCENARIO [extra dpgen args]: builds the scenario's dump, prints its path.
gen() {
    local scen=$1; shift
    local name; name=$(basename "$scen" .yaml)
    local out="$DP_TMP/$name.dmp"
    "$DPGEN" "$@" -o "$out" "$scen" >&2 || { echo "dpgen failed on $scen" >&2; kill -TERM $$; exit 1; }
    echo "$out"
}

# run ARGS...: runs dumppipe with the build's plugins; sets OUT, ERR and RC.
run() {
    OUT=$("$DUMPPIPE" -L "$DP_PLUGIN_DIR" "$@" 2>"$DP_TMP/stderr"); RC=$?
    ERR=$(cat "$DP_TMP/stderr")
}

_ok() { DP_PASSES=$((DP_PASSES + 1)); }
_fail() { DP_FAILS=$((DP_FAILS + 1)); echo "FAIL: $*" >&2; }

# expect_line TEXT: some line of OUT contains TEXT exactly (fixed string).
expect_line() { if grep -qF -- "$1" <<<"$OUT"; then _ok; else _fail "no line with: $1"; fi; }
# expect_no_line TEXT
expect_no_line() { if grep -qF -- "$1" <<<"$OUT"; then _fail "unexpected line with: $1"; else _ok; fi; }
# expect_err TEXT: stderr contains TEXT
expect_err() { if grep -qF -- "$1" <<<"$ERR"; then _ok; else _fail "stderr lacks: $1 (stderr: $ERR)"; fi; }
# expect_rc N
expect_rc() { if [ "$RC" -eq "$1" ]; then _ok; else _fail "exit code $RC, expected $1 (stderr: $ERR)"; fi; }
# expect_json JQ-LIKE-PYTHON-EXPR: a python expression over `d` (the parsed JSON of OUT) that must be true
expect_json() {
    if python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" <<<"$OUT"; then _ok
    else _fail "JSON check false: $1"; fi
}

# expect_json_lines EXPR: like expect_json, over `d`, the list of JSON Lines records of OUT; the bytes
# must be strict UTF-8
expect_json_lines() {
    if python3 -c 'import json,sys; d=[json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8", "strict").splitlines() if l.strip()]; sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" <<<"$OUT"; then _ok
    else _fail "JSON Lines check false: $1"; fi
}

# finish: prints the closing line and exits non-zero on any failure.
finish() {
    echo "$DP_PASSES passed, $DP_FAILS failed"
    [ "$DP_FAILS" -eq 0 ]
}

# basic_dump: a small valid generated dump for tests that need any dump at all.
basic_dump() { gen "$DP_SOURCE_DIR/tests/scenarios/x64-basic.yaml"; }

# pipeline NAME <<YAML: writes a pipeline file into the temp dir, prints its path.
pipeline() { local p="$DP_TMP/$1.yaml"; cat >"$p"; echo "$p"; }
