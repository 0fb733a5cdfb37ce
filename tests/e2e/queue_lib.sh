# Helpers for the queue's end-to-end tests (source after lib.sh): a real redis-server of the test's own
# on a free loopback port, workers started and stopped by the test, counts read back with redis-cli.
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    { echo "FAIL: redis-server and redis-cli are needed (scripts/deps.sh installs them)" >&2; exit 1; }
REDIS_PORT="" REDIS_PID="" QUEUE_PIDS=()
trap 'queue_cleanup; rm -rf "$DP_TMP"' EXIT

queue_cleanup() {
    local p
    for p in "${QUEUE_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    [ -n "$REDIS_PID" ] && kill -9 "$REDIS_PID" 2>/dev/null
    wait 2>/dev/null
}

# free_port: a loopback port nothing listens on right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_redis [PORT]: starts redis-server (no persistence, files in the test's temp dir), waits for it.
start_redis() {
    local want=${1:-} try port
    for try in 1 2 3 4 5; do
        port=${want:-$(free_port)}
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$DP_TMP" \
            --logfile "$DP_TMP/redis-$port.log" &
        REDIS_PID=$!
        for _ in $(seq 100); do
            # ours, not someone else's that took the port first
            if redis-cli -p "$port" info server 2>/dev/null | grep -q "^process_id:$REDIS_PID"; then
                REDIS_PORT=$port
                REDIS_URL="redis://127.0.0.1:$port"
                return 0
            fi
            kill -0 "$REDIS_PID" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null
        [ -n "$want" ] && break
    done
    echo "FAIL: cannot start redis-server" >&2
    exit 1
}

stop_redis() {
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
    wait "$REDIS_PID" 2>/dev/null
    REDIS_PID=""
}

rcli() { redis-cli --raw -p "$REDIS_PORT" "$@"; }

# qrun COMMAND ARGS...: runs a queue subcommand; sets OUT, ERR and RC like lib.sh's run.
qrun() {
    OUT=$("$DUMPPIPE" "$@" 2>"$DP_TMP/stderr"); RC=$?
    ERR=$(cat "$DP_TMP/stderr")
}

# worker NAME ARGS...: starts a worker in the background, its log in $DP_TMP/NAME.log; sets WPID.
worker() {
    local name=$1; shift
    "$DUMPPIPE" worker --redis "$REDIS_URL" --consumer "$name" -L "$DP_TEST_PLUGIN_DIR" -L "$DP_PLUGIN_DIR" "$@" \
        >"$DP_TMP/$name.log" 2>&1 &
    WPID=$!
    QUEUE_PIDS+=("$WPID")
}

# wait_for SECONDS 'CONDITION': polls until the shell CONDITION holds (evaluated afresh each time); 1 on timeout.
wait_for() {
    local end=$((SECONDS + $1))
    until eval "$2"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.1
    done
}

# copies SRC N DIR: N distinct dumps (SRC with a different trailer each, so each has its own SHA-256).
copies() {
    local src=$1 n=$2 dir=$3 i
    mkdir -p "$dir"
    for i in $(seq "$n"); do { cat "$src"; printf '%08d' "$i"; } >"$dir/$(basename "$src" .dmp)-$i.dmp"; done
}

# expect_eq WHAT GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then _ok; else _fail "$1: got '$2', expected '$3'"; fi; }

# pending [CONSUMER]: jobs delivered and not yet acknowledged (of one consumer, or all).
pending() {
    if [ $# -eq 0 ]; then rcli XPENDING dumppipe:jobs triage | head -1
    else rcli XPENDING dumppipe:jobs triage - + 1000 "$1" | awk 'NR % 4 == 1' | grep -c .; fi
}
