#!/usr/bin/env bash
# 500 jobs, two workers on a real redis-server; one worker is killed with SIGKILL in the middle of a job.
# Its job is taken over by the other after the visibility timeout, and every job ends with exactly one
# result: bucket counts equal the dumps.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
source "$DP_SOURCE_DIR/tests/e2e/queue_lib.sh"
start_redis

P=$(pipeline slow <<'YAML'
version: 1
isolation: false
steps:
  - plugin: bugcheck
  - plugin: stack
  - plugin: slow
    options: {ms: 20}
YAML
)
declare -A want
for spec in small-x64:490 x64-basic:5 stack-x64-trap:5; do
    scen=${spec%%:*} n=${spec##*:}
    src=$(gen "$DP_SOURCE_DIR/tests/scenarios/$scen.yaml")
    copies "$src" "$n" "$DP_TMP/dumps"
    bucket=$("$DUMPPIPE" -L "$DP_TEST_PLUGIN_DIR" -L "$DP_PLUGIN_DIR" -p "$P" -o json "$src" |
             python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["bucket"])')
    want[$bucket]=$n
done
expect_eq "distinct buckets among the dumps" "${#want[@]}" 3

"$DUMPPIPE" submit -q --redis "$REDIS_URL" "$DP_TMP"/dumps/*.dmp; RC=$?
expect_rc 0
expect_eq "jobs submitted" "$(rcli XLEN dumppipe:jobs)" 500

worker A -j 1 -p "$P" --claim-idle 1s; A=$WPID
worker B -j 1 -p "$P" --claim-idle 1s; B=$WPID
wait_for 120 '[ "$(rcli XLEN dumppipe:results)" -ge 150 ]' || _fail "150 results never came"
# kill A while it has a triage child: that child is the job in hand
wait_for 10 'pgrep -P "$A" >/dev/null' || _fail "worker A never ran a job"
CHILD=$(pgrep -P "$A" | head -1)
kill -9 "$A"; wait "$A" 2>/dev/null
IN_HAND=$(rcli XPENDING dumppipe:jobs triage - + 10 A | head -1)
# one running, and perhaps one finished a moment ago and not yet recorded
[ "$(pending A)" -ge 1 ] && _ok || _fail "A held no job when it died"
wait_for 5 "! kill -0 $CHILD 2>/dev/null" && _ok || _fail "A's triage child outlived it"

wait_for 120 '[ "$(rcli XLEN dumppipe:results)" -ge 500 ]' || _fail "results stopped at $(rcli XLEN dumppipe:results)"
wait_for 10 '[ "$(pending)" = 0 ]' || _fail "jobs still pending: $(pending)"
kill -TERM "$B"; wait "$B"; RC=$?
expect_rc 0

expect_eq "results" "$(rcli XLEN dumppipe:results)" 500
# one result per job and per dump, none twice
COUNTS=$(rcli EVAL "local j, s, n = {}, {}, 0
  for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
    local f = {}
    for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
    n = n + 1; j[f.job] = f.worker; s[f.sha256] = true
  end
  local nj, ns = 0, 0
  for _ in pairs(j) do nj = nj + 1 end
  for _ in pairs(s) do ns = ns + 1 end
  return {n, nj, ns, j[ARGV[1]] or 'none'}" 1 dumppipe:results "$IN_HAND" | tr '\n' ' ')
expect_eq "results, distinct jobs, distinct dumps, who finished A's job" "$COUNTS" "500 500 500 B "
expect_eq "dumps counted once each" "$(rcli HLEN dumppipe:done)" 500
expect_eq "dead letters" "$(rcli XLEN dumppipe:dead)" 0
expect_eq "buckets" "$(rcli ZCARD dumppipe:buckets)" 3
for b in "${!want[@]}"; do expect_eq "count of $b" "$(rcli ZSCORE dumppipe:buckets "$b")" "${want[$b]}"; done

qrun buckets --redis "$REDIS_URL"
expect_rc 0
expect_line "$(printf '%8s  %-60s  ' 490 "$(for b in "${!want[@]}"; do [ "${want[$b]}" = 490 ] && echo "$b"; done)")$DP_TMP/dumps/small-x64-"
expect_line "500 results in 3 buckets, 0 jobs pending, 0 dead letters"
grep -q "recorded" "$DP_TMP/B.log" && _ok || _fail "B's closing line: $(cat "$DP_TMP/B.log")"
stop_redis
finish
