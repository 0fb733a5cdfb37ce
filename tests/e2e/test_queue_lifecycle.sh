#!/usr/bin/env bash
# A worker started before Redis waits and then works; after Redis restarts (its data gone) it reconnects
# and recreates its group; SIGTERM finishes the jobs in hand, records them and reads no more.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
source "$DP_SOURCE_DIR/tests/e2e/queue_lib.sh"

P=$(pipeline slow <<'YAML'
version: 1
isolation: false
steps:
  - plugin: bugcheck
  - plugin: slow
    options: {ms: 400}
YAML
)
copies "$(gen "$DP_SOURCE_DIR/tests/scenarios/small-x64.yaml")" 16 "$DP_TMP/dumps"
D=("$DP_TMP"/dumps/*.dmp)

# 1. no Redis yet
PORT=$(free_port)
REDIS_URL="redis://127.0.0.1:$PORT"
worker W -j 2 -p "$P" --claim-idle 2s
sleep 1
kill -0 "$WPID" 2>/dev/null && _ok || _fail "the worker gave up without Redis: $(cat "$DP_TMP/W.log")"
grep -q "cannot connect to 127.0.0.1:$PORT" "$DP_TMP/W.log" && _ok || _fail "no word of waiting: $(cat "$DP_TMP/W.log")"
start_redis "$PORT"
qrun submit -q --redis "$REDIS_URL" "${D[@]:0:4}"
expect_rc 0
wait_for 30 '[ "$(rcli XLEN dumppipe:results)" = 4 ]' && _ok || _fail "results after Redis came up: $(rcli XLEN dumppipe:results)"

# 2. Redis restarts empty: the worker reconnects, creates the group again and takes new jobs
stop_redis
start_redis "$PORT"
qrun submit -q --redis "$REDIS_URL" "${D[@]:4:2}"
expect_rc 0
wait_for 30 '[ "$(rcli XLEN dumppipe:results)" = 2 ]' && _ok || _fail "results after the restart: $(rcli XLEN dumppipe:results)"
grep -q "connected again" "$DP_TMP/W.log" && _ok || _fail "no reconnection logged: $(cat "$DP_TMP/W.log")"

# 3. SIGTERM with two jobs in hand and eight waiting: the two are finished and recorded, no more are read
qrun submit -q --redis "$REDIS_URL" "${D[@]:6:10}"
expect_rc 0
wait_for 10 '[ "$(pending W)" = 2 ]' || _fail "the worker never held two jobs"
kill -TERM "$WPID"; wait "$WPID"; RC=$?
expect_rc 0
expect_eq "results after the drain" "$(rcli XLEN dumppipe:results)" 4
expect_eq "pending after the drain" "$(pending)" 0
rcli XINFO GROUPS dumppipe:jobs | grep -A1 -x lag | tail -1 | grep -qx 8 && _ok || _fail "jobs read that were not finished"
grep -q "W: 8 recorded" "$DP_TMP/W.log" && _ok || _fail "closing line: $(tail -1 "$DP_TMP/W.log")"
# the eight left are the next worker's
worker V -j 2 -p "$P"
wait_for 30 '[ "$(rcli XLEN dumppipe:results)" = 12 ]' && _ok || _fail "the rest: $(rcli XLEN dumppipe:results)"
kill -TERM "$WPID"; wait "$WPID"
stop_redis
finish
