#!/usr/bin/env bash
# Load benchmark of a middleware crate on loopback, both endpoints in one run:
#   POST 1 KiB to /plain (no middleware) and to /verified (the QStash middleware,
#   path-and-query policy), served by the crate's `bench_server` example.
# Prints requests/s of each and the ratio verified / plain. Server and load generator are
# pinned to different cores so they do not compete.
# Usage: bench/load.sh axum|actix [seconds per endpoint, default 15] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMEWORK=${1:-axum}
case "$FRAMEWORK" in
    axum | actix) ;;
    *) echo "usage: bench/load.sh axum|actix [seconds] [connections]" >&2; exit 2 ;;
esac
SECONDS_PER=${2:-15}
CONNECTIONS=${3:-64}
PORT=${PORT:-3900}
command -v wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }

cargo build -q --release -p "qstash-$FRAMEWORK" --example bench_server
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
taskset -c 0 target/release/examples/bench_server "$PORT" "$work/req" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q ready "$work/server.log" 2>/dev/null && break; sleep 0.1; done

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY_FILE"), "rb"); wrk.body = f:read("*a"); f:close()
local t = os.getenv("TOKEN_FILE")
if t and t ~= "" then local g = io.open(t, "rb"); wrk.headers["Upstash-Signature"] = g:read("*a"); g:close() end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d\n", summary.requests, summary.errors.status, summary.duration))
end
LUA

run() {
    local path=$1 token=$2
    local out
    out=$(BODY_FILE="$work/req.body" TOKEN_FILE=$token taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER}s" -s "$work/post.lua" "http://127.0.0.1:$PORT$path")
    local requests errors micros
    read -r _ requests errors micros < <(grep '^RESULT' <<<"$out")
    if [ "$errors" != "0" ]; then echo "$path: $errors non-2xx responses" >&2; exit 1; fi
    echo $((requests * 1000000 / micros))
}

# Warm both paths, then measure plain, verified, plain again (the mean of the two plain runs
# cancels slow drift of the machine).
BODY_FILE="$work/req.body" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "http://127.0.0.1:$PORT/plain" >/dev/null
plain1=$(run /plain "")
verified=$(run /verified "$work/req.token")
plain2=$(run /plain "")
plain=$(((plain1 + plain2) / 2))
echo
echo "qstash-$FRAMEWORK load benchmark: POST 1 KiB, $CONNECTIONS connections, ${SECONDS_PER}s per run, loopback"
printf "%-34s %12s\n" "endpoint" "requests/s"
printf "%-34s %12d\n" "/plain (no middleware, run 1)" "$plain1"
printf "%-34s %12d\n" "/verified (QStash middleware)" "$verified"
printf "%-34s %12d\n" "/plain (no middleware, run 2)" "$plain2"
awk -v v="$verified" -v p="$plain" 'BEGIN { printf "ratio verified / plain: %.3f\n", v / p }'
