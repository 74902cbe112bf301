#!/usr/bin/env bash
# GET throughput of fedblog's hot documents next to a bare Beast server that returns a fixed body, both
# measured with wrk in the same run on this machine, plus fedblog's idle memory. Ratios, not absolute
# figures, are what compare across runs on a noisy 2-core machine.
#   tests/bench/run.sh [build-dir] [seconds per endpoint]
# Then runs tests/bench/verify.sh (signature verification against the OpenSSL ceiling) and tests/bench/fanout.sh
# (one post delivered to 10,000 inboxes against the OpenSSL signing ceiling), then tests/bench/reply.sh (signed
# replies stored as comments against verification alone), and last tests/bench/soak.sh (mixed traffic and a
# fan-out against a `fedblog serve` process for SOAK_SECONDS, 180 by default: latency, errors, memory over time).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
seconds=${2:-10}
connections=${BENCH_CONNECTIONS:-32}
command -v wrk >/dev/null || { echo "wrk is missing: ./deploy/install-deps.sh installs it" >&2; exit 1; }

work=$(mktemp -d)
fedblog_port=18480
bare_port=18481
cleanup() {
  kill "${fedblog_pid:-}" "${bare_pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_fedblog() {
  "$build/fedblog" serve --data-dir "$work/data" --content-dir content --listen "127.0.0.1:$fedblog_port" \
    --public-url "http://localhost:$fedblog_port" --log-level "${BENCH_LOG_LEVEL:-info}" 2>>"$work/fedblog.log" &
  fedblog_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$fedblog_port/healthz" >/dev/null && break; sleep 0.1; done
  sleep 1
}
# The first start also generates the key and publishes the posts; a restart is the steady state.
start_fedblog
first_start_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$fedblog_pid/status")
kill "$fedblog_pid"; wait "$fedblog_pid" || true
start_fedblog
idle_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$fedblog_pid/status")

accept='Accept: application/activity+json'
post=$(curl -s -H "$accept" "http://127.0.0.1:$fedblog_port/users/blog/outbox?page=1" |
  sed -n 's/.*"object":{[^}]*"id":"http:\/\/localhost:[0-9]*\/posts\/\([^"]*\)".*/\1/p' | head -1)
[ -n "$post" ] || post=reparer-une-crevaison
declare -A paths=(
  [actor]="/users/blog"
  [article]="/posts/$post"
  [outbox_page]="/users/blog/outbox?page=1"
  [webfinger]="/.well-known/webfinger?resource=acct:blog@localhost:$fedblog_port"
)

rps() {  # url [header]
  wrk -t2 -c"$connections" -d"${seconds}s" ${2:+-H "$2"} "$1" | awk '/Requests\/sec/ {print $2}'
}

printf "%-12s %8s %12s %12s %7s\n" endpoint bytes fedblog_rps bare_rps ratio
for name in actor article outbox_page webfinger; do
  url="http://127.0.0.1:$fedblog_port${paths[$name]}"
  size=$(curl -s -H "$accept" "$url" | wc -c)
  "$build/tests/bench/bench_bare_server" "$bare_port" "$size" &
  bare_pid=$!
  sleep 0.3
  ours=$(rps "$url" "$accept")
  bare=$(rps "http://127.0.0.1:$bare_port/" "$accept")
  kill "$bare_pid"; wait "$bare_pid" 2>/dev/null || true
  printf "%-12s %8s %12s %12s %7.2f\n" "$name" "$size" "$ours" "$bare" "$(echo "$ours / $bare" | bc -l)"
done
loaded_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$fedblog_pid/status")
echo "fedblog RSS: idle ${idle_rss_kb} kB (first start, with key generation: ${first_start_rss_kb} kB), after the load ${loaded_rss_kb} kB"
errors=$(grep -c ' error ' "$work/fedblog.log" || true)
echo "fedblog log errors during the run: $errors"
echo
tests/bench/verify.sh "$build" "$seconds"
echo
tests/bench/fanout.sh "$build" "$seconds"
echo
tests/bench/reply.sh "$build"
echo
tests/bench/soak.sh "$build" "${SOAK_SECONDS:-180}"
