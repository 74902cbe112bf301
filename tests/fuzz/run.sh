#!/usr/bin/env bash
# Runs every libFuzzer target for <seconds> each (the signature parsers a minute at least) on a copy of its
# seed corpus; fails on any crash, leak, sanitizer report or input slower than 30 s. Prints each target's executions and the total.
#   CC=clang CXX=clang++ cmake -S . -B build-asan -DFEDBLOG_SANITIZE=address -DFEDBLOG_FUZZ=ON -DFEDBLOG_BUILD_TESTS=OFF
#   cmake --build build-asan --target fuzz
#   tests/fuzz/run.sh build-asan 60
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <build-dir> <seconds per target>" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The signature header parsers and the digest check face every inbox POST before anything is verified: they
# run at least a minute each, whatever <seconds> says.
at_least_a_minute=" cavage_fuzz digest_fuzz rfc9421_fuzz structured_fields_fuzz "

status=0
total=0
for seeds in "$source_dir"/fuzz/corpus/*/; do
  target=$(basename "$seeds")
  binary="$build_dir/fuzz/$target"
  if [ ! -x "$binary" ]; then
    echo "fuzz: $binary is not built: cmake --build $build_dir --target fuzz" >&2
    exit 1
  fi
  # The seeds stay untouched: the fuzzer grows a copy.
  corpus="$work/$target/corpus"
  mkdir -p "$corpus" "$work/$target/crashes"
  cp "$seeds"/* "$corpus"/
  dict=()
  [ -f "$source_dir/fuzz/$target.dict" ] && dict=(-dict="$source_dir/fuzz/$target.dict")
  target_seconds=$seconds
  if [[ $at_least_a_minute == *" $target "* ]] && [ "$target_seconds" -lt 60 ]; then target_seconds=60; fi
  echo "fuzz: $target for ${target_seconds}s"
  # -timeout bounds one input, so no target outlives its time by more than that.
  if ! "$binary" -max_total_time="$target_seconds" -timeout=30 -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="$work/$target/crashes/" "$corpus" > "$work/$target/log" 2>&1; then
    status=1
    kept="$build_dir/fuzz/$target-findings"
    mkdir -p "$kept"
    cp "$work/$target/crashes"/* "$work/$target/log" "$kept"/ 2>/dev/null || true
    echo "fuzz: $target FAILED; the crashing input and the log are in $kept" >&2
    tail -n 40 "$work/$target/log" >&2
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log" | tail -n 1)
  echo "fuzz: $target: ${runs:-0} executions"
  total=$((total + ${runs:-0}))
done
echo "fuzz: $total executions in all"
exit $status
