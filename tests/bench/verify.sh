#!/usr/bin/env bash
# Signed inbox POST verifications per second (parse, Digest, policy, RSA-2048 verify) on one and two
# threads, next to `openssl speed rsa2048` verify/s on one and two processes, measured in the same run.
# Wall-clock rows compare like with like (`-elapsed`: plain `openssl speed` divides by user CPU time, which
# overstates the 1-process ceiling whenever other work shares the cores); the "cpu" rows divide both sides
# by user CPU seconds, so they hold on a busy machine too.
#   tests/bench/verify.sh [build-dir] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
seconds=${2:-5}

openssl_verify() {  # extra args for openssl speed; prints verify/s of the rsa 2048 line
  openssl speed -seconds "$seconds" "$@" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $NF}'
}
ours=$("$build/tests/bench/bench_verify" "$seconds")
ours_1=$(echo "$ours" | awk '/verify_1_thread/ {print $2}')
ours_2=$(echo "$ours" | awk '/verify_2_threads/ {print $2}')
ours_cpu_1=$(echo "$ours" | awk '/verify_per_cpu_second_1_thread/ {print $2}')
ours_cpu_2=$(echo "$ours" | awk '/verify_per_cpu_second_2_threads/ {print $2}')
ceiling_1=$(openssl_verify -elapsed)
ceiling_2=$(openssl_verify -multi 2)
ceiling_cpu=$(openssl_verify)
printf "%-10s %14s %18s %7s\n" threads fedblog_verify/s openssl_verify/s ratio
printf "%-10s %14s %18s %7.2f\n" 1 "$ours_1" "$ceiling_1" "$(echo "$ours_1 / $ceiling_1" | bc -l)"
printf "%-10s %14s %18s %7.2f\n" 2 "$ours_2" "$ceiling_2" "$(echo "$ours_2 / $ceiling_2" | bc -l)"
printf "%-10s %14s %18s %7.2f\n" "1 cpu" "$ours_cpu_1" "$ceiling_cpu" "$(echo "$ours_cpu_1 / $ceiling_cpu" | bc -l)"
printf "%-10s %14s %18s %7.2f\n" "2 cpu" "$ours_cpu_2" "$ceiling_cpu" "$(echo "$ours_cpu_2 / $ceiling_cpu" | bc -l)"
