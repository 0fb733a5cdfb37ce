#!/usr/bin/env bash
# A dump that crashes its reader every time ends in the dead-letter stream after --max-deliveries
# deliveries, with the last error, and is acknowledged; a malformed job goes there at once.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
source "$DP_SOURCE_DIR/tests/e2e/queue_lib.sh"
start_redis

P=$(pipeline crash <<'YAML'
version: 1
isolation: false
steps:
  - plugin: misbehave
    options: {mode: segv}
YAML
)
copies "$(gen "$DP_SOURCE_DIR/tests/scenarios/small-x64.yaml")" 2 "$DP_TMP/dumps"
"$DUMPPIPE" submit -q --redis "$REDIS_URL" "$DP_TMP"/dumps/*.dmp; RC=$?
expect_rc 0
rcli XADD dumppipe:jobs '*' path relative.dmp sha256 0000 >/dev/null

worker W -j 2 -p "$P" --claim-idle 300ms --max-deliveries 3 -v
wait_for 60 '[ "$(rcli XLEN dumppipe:dead)" -ge 3 ]' || _fail "dead letters: $(rcli XLEN dumppipe:dead)"
kill -TERM "$WPID"; wait "$WPID"; RC=$?
expect_rc 0

expect_eq "dead letters" "$(rcli XLEN dumppipe:dead)" 3
expect_eq "results" "$(rcli XLEN dumppipe:results)" 0
expect_eq "pending" "$(pending)" 0
expect_eq "buckets" "$(rcli ZCARD dumppipe:buckets)" 0
expect_eq "errors kept for pending jobs" "$(rcli HLEN dumppipe:errors)" 0
DEAD=$(rcli XRANGE dumppipe:dead - +)
for d in "$DP_TMP"/dumps/*.dmp; do
    ENTRY=$(grep -A13 -x -- "$d" <<<"$DEAD")
    grep -qx 3 <<<"$(grep -A1 -x deliveries <<<"$ENTRY" | tail -1)" && _ok || _fail "$d: not delivered 3 times: $ENTRY"
    # the crash as the worker saw it (a signal, or the sanitizer's exit) or as the per-dump supervisor reports it
    grep -A1 -x error <<<"$ENTRY" | tail -1 | grep -Eq 'signal 11|SEGV|crashed|exited 1 without a record' && _ok ||
        _fail "$d: no crash in the error: $ENTRY"
done
grep -qx 'malformed job: no absolute path' <<<"$DEAD" && _ok || _fail "the malformed job is not a dead letter: $DEAD"
stop_redis
finish
