#!/usr/bin/env bash
# One entry point for developers and CI, each command doing all its own set-up on Debian 12:
#   ./dev.sh serve [settings]   install dependencies, build, sync ./content, serve http://localhost:8080
#   ./dev.sh test               install dependencies, build, run the whole test suite
#   ./dev.sh build              install dependencies and build only
#   ./dev.sh bench              build and run the benchmarks under tests/bench (not part of the test suite)
set -euo pipefail
cd "$(dirname "$0")"

build_dir=${FEDBLOG_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

build() {
  ./deploy/install-deps.sh
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDBLOG_WERROR=ON >/dev/null
  cmake --build "$build_dir" -j"$jobs"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  serve)
    build
    exec "$build_dir/fedblog" serve "$@"
    ;;
  test)
    build
    ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" "$@"
    ;;
  build)
    build
    ;;
  bench)
    build
    exec tests/bench/run.sh "$build_dir" "$@"
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
