#!/usr/bin/env bash
# One entry point for developers and CI, each command doing all its own set-up on Debian 12:
#   ./dev.sh serve [settings]   install dependencies, build, sync ./content, serve http://localhost:8080
#   ./dev.sh test               install dependencies, build, run the whole test suite (with the fuzzers,
#                               FEDBLOG_FUZZ_SECONDS each, default 30; 0 skips them)
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
    # The independent implementations the signature tests are checked against, and playwright-core for the
    # browser tests (pinned by package-lock.json; it drives Debian's chromium and never downloads a browser).
    for interop in tests/interop tests/interop-9421 tests/browser; do
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$interop" --no-audit --no-fund --loglevel=error
    done
    ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" "$@"
    fuzz_seconds=${FEDBLOG_FUZZ_SECONDS:-30}
    if [ "$fuzz_seconds" -gt 0 ]; then
      CC=clang CXX=clang++ cmake -S . -B "$build_dir-fuzz" -DFEDBLOG_FUZZ=ON -DFEDBLOG_BUILD_TESTS=OFF \
        -DFEDBLOG_BUILD_BENCH=OFF >/dev/null
      cmake --build "$build_dir-fuzz" --target fuzz -j"$jobs"
      tests/fuzz/run.sh "$build_dir-fuzz" "$fuzz_seconds"
    fi
    ;;
  build)
    build
    ;;
  bench)
    build
    exec tests/bench/run.sh "$build_dir" "$@"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
