#!/usr/bin/env bash
# A soak run: `fedblog serve` in its own process for minutes under mixed traffic from bench_soak — reader GETs
# (actor, Article, outbox page, post page, WebFinger), signed inbox POSTs (replies, Likes, Follows from many actors
# on a few plain-HTTP instances on loopback) and, a third of the way in, a new post fanned out to a few thousand
# followers whose inboxes are bench_fanout_sink's ports. Prints throughput, p50/p99 latency and errors per traffic
# class (errors must be 0: the traffic is well-formed), the fan-out's rate, and fedblog's VmRSS over time with a
# verdict (the last third's average against the middle third's). Builds nothing.
#   tests/bench/soak.sh [build-dir] [seconds (180)]
# Environment: SOAK_SERVE_ARGS (more `fedblog serve` flags, e.g. raised inbox rate limits), SOAK_ARGS (more
# bench_soak flags: --followers 3000 --actors 400 --hosts 4 --readers 4 --reader-rate 100 --posters 2
# --poster-rate 25 --sample-seconds 5 --publish-at <seconds/3>), SOAK_SINK_HOSTS (20), SOAK_PORT (18490),
# SOAK_LOG_LEVEL (warn).
# Exit status: 1 when traffic got errors or the fan-out did not finish, 3 when memory grew.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
seconds=${2:-180}
port=${SOAK_PORT:-18490}
bench="$build/tests/bench"
for binary in "$build/fedblog" "$bench/bench_soak" "$bench/bench_fanout_sink"; do
  [ -x "$binary" ] || { echo "$binary is missing: build it first" >&2; exit 1; }
done

work=$(mktemp -d)
cleanup() {
  [ -n "${fedblog_pid:-}" ] && kill "$fedblog_pid" 2>/dev/null || true
  [ -n "${sink_pid:-}" ] && kill "$sink_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The site's posts, copied: the run adds one.
cp -r content "$work/content"
# One settings file for serve and publish alike, so the actor document does not change between them. Private
# addresses and plain http: every remote (instances, sinks) is on loopback.
cat >"$work/fedblog.conf" <<CONF
data_dir = $work/data
content_dir = $work/content
listen = 127.0.0.1:$port
public_url = http://localhost:$port
allow_private_addresses = true
allow_plain_http = true
# The posters' instances all share the host 127.0.0.1 and send ~50 activities/s for minutes: far over the
# per-host limit (600/min), which tests/server/backpressure_test.cpp covers. This run measures sustained load.
inbox_rate_per_host = 60000
inbox_burst_per_host = 60000
log_level = ${SOAK_LOG_LEVEL:-warn}
CONF

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
"$bench/bench_fanout_sink" --hosts "${SOAK_SINK_HOSTS:-20}" --ports-out "$work/sink-ports" >"$work/sink.out" &
sink_pid=$!
for _ in $(seq 100); do [ -f "$work/sink-ports" ] && break; sleep 0.1; done

"$build/fedblog" publish --config "$work/fedblog.conf" >>"$work/fedblog.log" 2>&1
# shellcheck disable=SC2086
"$build/fedblog" serve --config "$work/fedblog.conf" ${SOAK_SERVE_ARGS:-} 2>>"$work/fedblog.log" &
fedblog_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "fedblog serve did not start:" >&2; tail -20 "$work/fedblog.log" >&2; exit 1; }

status=0
# shellcheck disable=SC2086
"$bench/bench_soak" --port "$port" --pid "$fedblog_pid" --data-dir "$work/data" --content-dir "$work/content" \
  --sink-ports "$work/sink-ports" --seconds "$seconds" \
  --publish-command "'$build/fedblog' publish --config '$work/fedblog.conf' >>'$work/fedblog.log' 2>&1" \
  ${SOAK_ARGS:-} || status=$?
kill -TERM "$sink_pid"; wait "$sink_pid" || true; sink_pid=
echo "sink: $(awk '$1 == "sink_posts" || $1 == "sink_distinct_inboxes" || $1 == "sink_connections" {printf "%s %s  ", $1, $2}' "$work/sink.out")"
kill -TERM "$fedblog_pid"; wait "$fedblog_pid" || true; fedblog_pid=
echo "fedblog log: $(grep -c ' error ' "$work/fedblog.log" || true) error lines, $(grep -c ' warn ' "$work/fedblog.log" || true) warnings"
grep ' error ' "$work/fedblog.log" | head -5 || true
[ "$status" -eq 0 ] || echo "soak: FAILED (status $status)"
exit "$status"
