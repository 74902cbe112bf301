#!/usr/bin/env bash
# One post fanned out to 10,000 personal inboxes on 100 hosts (loopback sinks in another process), by the real
# server in-process, with plain HTTP sinks and with TLS sinks: deliveries per second next to `openssl speed
# rsa2048` sign/s measured in the same run (each delivery is one RSA signature; a new TLS connection costs a
# handshake on top, so connection reuse decides the TLS figure), peak RSS, and the latency of GETs answered by
# the same server meanwhile. Builds nothing.
#   tests/bench/fanout.sh [build-dir] [seconds for openssl speed]
# Environment: FANOUT_MODES ("plain tls"), FANOUT_FOLLOWERS (10000), FANOUT_HOSTS (100), FANOUT_ARGS (more
# bench_fanout flags, e.g. "--concurrency 64 --per-host 8 --threads 2"), FANOUT_GET_INTERVAL_MS (10),
# FANOUT_VERBOSE=1 (every figure, including the SQLite time per statement and the cost of one look at the queue).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
seconds=${2:-5}
modes=${FANOUT_MODES:-plain tls}
followers=${FANOUT_FOLLOWERS:-10000}
hosts=${FANOUT_HOSTS:-100}
bench="$build/tests/bench"
for binary in bench_fanout bench_fanout_sink; do
  [ -x "$bench/$binary" ] || { echo "$bench/$binary is missing: build it first" >&2; exit 1; }
done

work=$(mktemp -d)
cleanup() {
  [ -n "${sink_pid:-}" ] && kill "$sink_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

openssl_sign() {  # extra args for openssl speed; prints sign/s of the rsa 2048 line (summed over -multi processes)
  openssl speed -seconds "$seconds" "$@" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF-1)}'
}
# Other work on the machine skews everything: say how busy it was when the run began.
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
# -elapsed: plain `openssl speed` divides by user CPU time, which on a shared machine is not what the wall-clock
# deliveries/s it is compared with lived through (-multi measures elapsed time already). The CPU figure (plain)
# gives the cost of one signature, to set against fedblog's CPU per delivery.
ceiling_1=$(openssl_sign -elapsed)
ceiling_cpu=$(openssl_sign)
ceiling_2=$(openssl_sign -multi 2)
echo "openssl speed rsa2048 sign/s: ${ceiling_1} on 1 process, ${ceiling_2} on 2 (the ceiling, $(nproc) cores);\
 ${ceiling_cpu} per CPU second"
echo "bench_fanout: $followers followers on $hosts hosts, ${FANOUT_ARGS:-default settings}; the sink runs 1 thread on the same cores"

field() {  # file name
  awk -v name="$2" '$1 == name {print $2; exit}' "$1"
}

run_mode() {  # plain | tls
  local mode=$1 out="$work/fanout-$mode.out" sink_out="$work/sink-$mode.out" status=0
  local tls_sink=() tls_bench=()
  if [ "$mode" = tls ]; then
    tls_sink=(--tls --ca-out "$work/ca-$mode.pem")
    tls_bench=(--tls --ca "$work/ca-$mode.pem")
  fi
  "$bench/bench_fanout_sink" --hosts "$hosts" --ports-out "$work/ports-$mode" "${tls_sink[@]}" >"$sink_out" &
  sink_pid=$!
  for _ in $(seq 100); do [ -f "$work/ports-$mode" ] && break; sleep 0.1; done
  # shellcheck disable=SC2086
  "$bench/bench_fanout" --ports "$work/ports-$mode" "${tls_bench[@]}" --followers "$followers" --hosts "$hosts" \
    --get-interval-ms "${FANOUT_GET_INTERVAL_MS:-10}" ${FANOUT_ARGS:-} >"$out" 2>"$work/fanout-$mode.err" || status=$?
  kill -TERM "$sink_pid"
  wait "$sink_pid" || true
  sink_pid=
  if [ "${FANOUT_VERBOSE:-0}" = 1 ]; then
    echo "--- $mode"; cat "$out" "$sink_out"
  fi
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "bench_fanout ($mode) failed with status $status:" >&2
    tail -20 "$work/fanout-$mode.err" >&2
    return 1
  fi
  local rate
  rate=$(field "$out" deliveries_per_second)
  printf "%-6s %8s %8.2f %8.2f %7s %8s %7s %8s %16s %16s %10s %10s %6s %7s\n" "$mode" "$rate" \
    "$(echo "$rate / $ceiling_2" | bc -l)" "$(echo "$rate / $ceiling_1" | bc -l)" \
    "$(field "$out" queue_seconds)" "$(field "$out" fanout_seconds)" "$(field "$out" peak_rss_mb)" \
    "$(field "$out" get_fanout_requests)" \
    "$(field "$out" get_fanout_p50_ms)/$(field "$out" get_fanout_p99_ms)/$(field "$out" get_fanout_max_ms)" \
    "$(field "$out" get_db_fanout_p50_ms)/$(field "$out" get_db_fanout_p99_ms)/$(field "$out" get_db_fanout_max_ms)" \
    "$(field "$sink_out" sink_posts)" "$(field "$sink_out" sink_connections)" "$(field "$out" done)" \
    "$(field "$out" timed_out)"
  local top
  top=$(grep -m1 '^sql_fanout_top1 ' "$out" | sed 's/^sql_fanout_top1 seconds=\([^ ]*\) calls=\([^ ]*\) avg_us=\([^ ]*\) rows=\([^ ]*\)  \(.\{60\}\).*/\2 calls, \1 s in all, \3 us each, \4 rows: \5.../')
  local sign_ms cpu_share sink_ms fedblog_ms seconds idle full_rate bare_rate
  sign_ms=$(echo "1000 / $ceiling_cpu" | bc -l)
  fedblog_ms=$(field "$out" cpu_ms_per_delivery)
  cpu_share=$(echo "$sign_ms / $fedblog_ms" | bc -l)
  sink_ms=$(echo "1000 * $(field "$sink_out" sink_cpu_seconds) / $(field "$sink_out" sink_posts)" | bc -l)
  seconds=$(field "$out" fanout_seconds)
  # The two cores' time over the fan-out: fedblog, the sink, and what neither used.
  idle=$(echo "1 - ($(field "$out" cpu_seconds) + $(field "$sink_out" sink_cpu_seconds)) / (2 * $seconds)" | bc -l)
  # What the ratio would be with both cores always busy at these costs, and with fedblog costing only its signature:
  # from CPU costs alone, so against two cores' worth of openssl's signatures per CPU second (load-independent).
  full_rate=$(echo "2000 / ($fedblog_ms + $sink_ms)" | bc -l)
  bare_rate=$(echo "2000 / ($sign_ms + $sink_ms)" | bc -l)
  details+=("$mode: fedblog $(field "$out" cpu_ms_per_delivery) ms CPU per delivery ($(field "$out" cpu_cores_busy) cores busy),\
 of which one RSA signature is $(printf %.3f "$sign_ms") ms: signing is $(printf %.2f "$cpu_share") of fedblog's CPU\
 (load-independent; the sink's CPU comes on top),\
 $(field "$out" average_in_flight) deliveries in flight on average (of $(field "$out" delivery_concurrency), \
$(field "$out" delivery_per_host) per host); sink $(field "$sink_out" sink_cpu_seconds) s CPU
  signing in-process: $(field "$out" sign_1_thread_per_second)/s on 1 thread; the sink saw\
 $(field "$sink_out" sink_distinct_inboxes) distinct inboxes, $(field "$sink_out" sink_signed_posts) signed POSTs,\
 $(field "$sink_out" sink_connections) connections, $(field "$sink_out" sink_tls_handshakes) TLS handshakes\
 ($(field "$sink_out" sink_tls_resumed) resumed),\
 $(field "$sink_out" sink_peak_open_connections) open at most
  SQLite: $(field "$out" sql_fanout_total_seconds) s in $(field "$out" sql_fanout_total_statements) statements, of which\
 $(field "$out" sql_fanout_queue_look_seconds) s in the looks at the queue (ready, due_probes); outside them fedblog spent\
 $(field "$out" cpu_ms_per_delivery_outside_queue_looks) ms CPU per delivery; most: $top
  the two cores over the fan-out: $(printf %.2f "$idle") went to neither fedblog nor the sink (waits, ramp, tail, other processes); the sink costs $(printf %.3f "$sink_ms") ms per delivery;\
 with both cores always busy at these costs the ratio would be $(printf %.2f "$(echo "$full_rate / (2 * $ceiling_cpu)" | bc -l)"),\
 and $(printf %.2f "$(echo "$bare_rate / (2 * $ceiling_cpu)" | bc -l)") if fedblog spent nothing but the signature
  system calls read $(field "$out" io_read_mb) MB and wrote $(field "$out" io_written_mb) MB (files and sockets)
  Deliveries::ready() read $(field "$out" due_rows_offered_per_job_launched) ids per job launched (the rest were\
 queued in the engine already)
  WAL $(field "$out" wal_mb_after_fanout) MB after the fan-out; one look at the queue with\
 $(field "$out" due_analysis_pending_jobs) jobs pending: Deliveries::ready() $(field "$out" due_analysis_ready_ms) ms,\
 Deliveries::due() $(field "$out" due_analysis_library_due_ms) ms,\
 due_probes() $(field "$out" due_analysis_due_probes_ms) ms
  GET p50/p99 before the fan-out: actor $(field "$out" get_idle_p50_ms)/$(field "$out" get_idle_p99_ms) ms,\
 followers $(field "$out" get_db_idle_p50_ms)/$(field "$out" get_db_idle_p99_ms) ms")
}

details=()
printf "%-6s %8s %8s %8s %7s %8s %7s %8s %16s %16s %10s %10s %6s %7s\n" mode deliv/s ratio_2c ratio_1c queue_s fanout_s \
  peak_MB get_reqs "actor_ms50/99/max" "db_get_ms50/99/max" sink_POSTs sink_conns done timeout
for mode in $modes; do run_mode "$mode"; done
echo "ratio_2c = deliveries/s ÷ openssl sign/s on 2 processes (target ≥ 0.7); ratio_1c the same ÷ 1 process."
echo "GETs every ${FANOUT_GET_INTERVAL_MS:-10} ms on two keep-alive connections during the fan-out: the actor document"
echo "(no database) and the followers collection (its tally, read on the connection for GETs, apart from the engine's writes)."
for line in "${details[@]}"; do echo "$line"; done
