#!/usr/bin/env bash
# Runs every libFuzzer target for <seconds> each on a copy of its seed corpus; fails on any crash.
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DFEDBLOG_FUZZ=ON -DFEDBLOG_BUILD_TESTS=OFF -DFEDBLOG_BUILD_BENCH=OFF
#   cmake --build build-fuzz --target fuzz
#   tests/fuzz/run.sh build-fuzz 60
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

status=0
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
  echo "fuzz: $target for ${seconds}s"
  if ! "$binary" -max_total_time="$seconds" -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="$work/$target/crashes/" "$corpus" > "$work/$target/log" 2>&1; then
    status=1
    kept="$build_dir/fuzz/$target-findings"
    mkdir -p "$kept"
    cp "$work/$target/crashes"/* "$work/$target/log" "$kept"/ 2>/dev/null || true
    echo "fuzz: $target FAILED; the crashing input and the log are in $kept" >&2
    tail -n 40 "$work/$target/log" >&2
  fi
  grep -E '^stat::number_of_executed_units|^#[0-9]+[[:space:]]+DONE' "$work/$target/log" || true
done
exit $status
