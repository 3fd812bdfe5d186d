#!/usr/bin/env bash
# Load benchmark of a middleware crate on loopback, both endpoints in one run:
#   POST 1 KiB to /plain (no middleware) and to /verified (the QStash middleware,
#   path-and-query policy), served by the crate's `bench_server` example. Both get the same
#   request, a QStash delivery with its `Upstash-Signature` header: what differs is only
#   whether the middleware checks it (reading the ~450-byte header is the cost of the
#   request, not of the check).
# Prints requests/s of each and the ratio verified / plain. Server and load generator are
# pinned to different cores so they do not compete.
# Usage: bench/load.sh axum|actix [seconds per run, default 5] [connections, default 64] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMEWORK=${1:-axum}
case "$FRAMEWORK" in
    axum | actix) ;;
    *) echo "usage: bench/load.sh axum|actix [seconds] [connections] [rounds]" >&2; exit 2 ;;
esac
SECONDS_PER=${2:-5}
CONNECTIONS=${3:-64}
ROUNDS=${4:-5}
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

# Warm both paths, then alternate short runs of plain and verified so slow drift of the
# machine (other tenants, frequency changes) hits both alike; report the median of each.
BODY_FILE="$work/req.body" TOKEN_FILE="$work/req.token" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "http://127.0.0.1:$PORT/plain" >/dev/null
plain_runs=() verified_runs=()
for _ in $(seq "$ROUNDS"); do
    plain_runs+=("$(run /plain "$work/req.token")")
    verified_runs+=("$(run /verified "$work/req.token")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
plain=$(median "${plain_runs[@]}")
verified=$(median "${verified_runs[@]}")
echo
echo "qstash-$FRAMEWORK load benchmark: POST 1 KiB, $CONNECTIONS connections, $ROUNDS alternating rounds of ${SECONDS_PER}s per endpoint, loopback"
printf "%-32s %12s   %s\n" "endpoint" "median req/s" "every round"
printf "%-32s %12d   %s\n" "/plain (no middleware)" "$plain" "${plain_runs[*]}"
printf "%-32s %12d   %s\n" "/verified (QStash middleware)" "$verified" "${verified_runs[*]}"
awk -v v="$verified" -v p="$plain" 'BEGIN { printf "ratio verified / plain: %.3f\n", v / p }'
