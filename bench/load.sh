#!/usr/bin/env bash
# Load benchmark of a middleware crate on loopback, three endpoints in one run, all served by
# the crate's `bench_server_<framework>` example with the same 1 KiB POST handler:
#   /plain        no check at all;
#   /handwritten  what a user without the middleware writes: the handler takes the headers
#                 and the body bytes and calls qstash_core directly (exact URL);
#   /verified     the QStash middleware (path-and-query policy).
# Every endpoint gets the same request, a QStash delivery with its `Upstash-Signature`.
# Rounds alternate the three (in rotating order) so drift of the machine hits all alike; the
# script prints each endpoint's median requests/s and the medians of the per-round ratios
# verified/handwritten (the middleware's plumbing on top of the verification itself) and
# verified/plain. Server and load generator are pinned to different cores.
# Usage: bench/load.sh axum|actix [seconds per run, default 5] [connections, default 64] [rounds, default 7]
#
# REPLAY=1 bench/load.sh axum [...] measures the Redis replay guard instead: a redis-server of
# its own on loopback (pinned with the server, on core 0), /verified against /replay (the same
# middleware plus RedisReplayGuard: one SET NX round trip per delivery), each request of a
# /replay run a new delivery (a token of its own, from the server's list; Redis is emptied
# before each run so the list can be sent again), and the median of the per-round ratios
# replay / verified with its spread.
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMEWORK=${1:-axum}
case "$FRAMEWORK" in
    axum | actix) ;;
    *) echo "usage: bench/load.sh axum|actix [seconds] [connections] [rounds]" >&2; exit 2 ;;
esac
SECONDS_PER=${2:-5}
CONNECTIONS=${3:-64}
ROUNDS=${4:-7}
PORT=${PORT:-3900}
command -v wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }

cargo build -q --release -p "qstash-$FRAMEWORK" --example "bench_server_$FRAMEWORK"
work=$(mktemp -d)
redis=
trap 'kill $server $redis 2>/dev/null || true; rm -rf "$work"' EXIT
if [ "${REPLAY:-}" = 1 ]; then
    [ "$FRAMEWORK" = axum ] || { echo "REPLAY=1: axum only" >&2; exit 2; }
    command -v redis-server >/dev/null || { apt-get update >/dev/null && apt-get install -y redis-server >/dev/null; }
    REDIS_PORT=$((PORT + 1))
    taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
    redis=$!
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
fi
taskset -c 0 target/release/examples/"bench_server_$FRAMEWORK" "$PORT" "$work/req" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 300); do grep -q ready "$work/server.log" 2>/dev/null && break; sleep 0.1; done

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

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }

if [ "${REPLAY:-}" = 1 ]; then
    # One token per request, in order: wrk's one Lua state (-t1) serves every connection.
    cat >"$work/fresh.lua" <<'LUA'
local f = io.open(os.getenv("BODY_FILE"), "rb"); local body = f:read("*a"); f:close()
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #tokens then i = 1 end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Upstash-Signature"] = tokens[i] }, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d\n", summary.requests, summary.errors.status, summary.duration))
end
LUA
    fresh() {
        redis-cli -p "$REDIS_PORT" flushall >/dev/null
        local out requests errors micros
        out=$(BODY_FILE="$work/req.body" TOKENS_FILE="$work/req.tokens" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER}s" -s "$work/fresh.lua" "http://127.0.0.1:$PORT/replay")
        read -r _ requests errors micros < <(grep '^RESULT' <<<"$out")
        if [ "$errors" != "0" ]; then echo "/replay: $errors non-2xx responses (more requests than tokens? raise REPLAY_TOKENS)" >&2; exit 1; fi
        echo $((requests * 1000000 / micros))
    }
    run /verified "$work/req.token" >/dev/null
    fresh >/dev/null
    verified_runs=() replay_runs=() ratio_replay=()
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) = 1 ]; then v=$(run /verified "$work/req.token"); r=$(fresh); else r=$(fresh); v=$(run /verified "$work/req.token"); fi
        verified_runs+=("$v") replay_runs+=("$r")
        ratio_replay+=("$(awk -v r="$r" -v v="$v" 'BEGIN { printf "%.4f", r / v }')")
    done
    echo
    echo "qstash-axum replay guard: POST 1 KiB, $CONNECTIONS connections, $ROUNDS alternating rounds of ${SECONDS_PER}s, server and redis-server on core 0, wrk on core 1"
    printf "%-40s %12s   %s\n" "endpoint" "median req/s" "every round"
    printf "%-40s %12.0f   %s\n" "/verified (no replay guard)" "$(median "${verified_runs[@]}")" "${verified_runs[*]}"
    printf "%-40s %12.0f   %s\n" "/replay (RedisReplayGuard, new jti each)" "$(median "${replay_runs[@]}")" "${replay_runs[*]}"
    echo "ratio replay / verified: median $(median "${ratio_replay[@]}") (rounds $(spread "${ratio_replay[@]}"))"
    exit 0
fi

# Warm every path, then alternate short runs.
for path in /plain /handwritten /verified; do
    BODY_FILE="$work/req.body" TOKEN_FILE="$work/req.token" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "http://127.0.0.1:$PORT$path" >/dev/null
done
plain_runs=() hand_runs=() verified_runs=() ratio_hand=() ratio_plain=()
for round in $(seq "$ROUNDS"); do
    declare -A rps=()
    order=(/plain /handwritten /verified)
    shift_by=$(( (round - 1) % 3 ))
    order=("${order[@]:shift_by}" "${order[@]:0:shift_by}")
    for path in "${order[@]}"; do
        rps[$path]=$(run "$path" "$work/req.token")
    done
    plain_runs+=("${rps[/plain]}") hand_runs+=("${rps[/handwritten]}") verified_runs+=("${rps[/verified]}")
    ratio_hand+=("$(awk -v v="${rps[/verified]}" -v h="${rps[/handwritten]}" 'BEGIN { printf "%.4f", v / h }')")
    ratio_plain+=("$(awk -v v="${rps[/verified]}" -v p="${rps[/plain]}" 'BEGIN { printf "%.4f", v / p }')")
    unset rps
done
echo
echo "qstash-$FRAMEWORK load benchmark: POST 1 KiB, $CONNECTIONS connections, $ROUNDS alternating rounds of ${SECONDS_PER}s per endpoint, loopback"
printf "%-34s %12s   %s\n" "endpoint" "median req/s" "every round"
printf "%-34s %12.0f   %s\n" "/plain (no check)" "$(median "${plain_runs[@]}")" "${plain_runs[*]}"
printf "%-34s %12.0f   %s\n" "/handwritten (qstash_core by hand)" "$(median "${hand_runs[@]}")" "${hand_runs[*]}"
printf "%-34s %12.0f   %s\n" "/verified (QStash middleware)" "$(median "${verified_runs[@]}")" "${verified_runs[*]}"
echo "ratio verified / handwritten: median $(median "${ratio_hand[@]}") (rounds $(spread "${ratio_hand[@]}"))"
echo "ratio verified / plain:       median $(median "${ratio_plain[@]}") (rounds $(spread "${ratio_plain[@]}"))"
