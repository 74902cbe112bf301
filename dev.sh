#!/usr/bin/env bash
# One entry point for developers and CI, each command doing all its own set-up on Debian 12:
#   ./dev.sh serve [settings]   install dependencies, build, sync ./content, serve http://localhost:8080
#   ./dev.sh test               install dependencies, build, run the whole test suite, then every fuzz target
#                               for FEDBLOG_FUZZ_SECONDS (default 30; 0 skips them); FEDBLOG_ASAN_SUITE=1 also
#                               runs the whole suite under ASan+UBSan (as ./dev.sh sanitize address)
#   ./dev.sh build              install dependencies and build only
#   ./dev.sh sanitize [address|thread]
#                               build with clang and AddressSanitizer+UBSan (default; the fuzz targets too) or
#                               ThreadSanitizer in <build>-asan or <build>-tsan, and run the whole test suite there
#   ./dev.sh bench              build and run the benchmarks under tests/bench (not part of the test suite)
set -euo pipefail
cd "$(dirname "$0")"

build_dir=${FEDBLOG_BUILD_DIR:-build}
fuzz_seconds=${FEDBLOG_FUZZ_SECONDS:-30}
asan_suite=${FEDBLOG_ASAN_SUITE:-0}
# fedblog takes every FEDBLOG_ variable for a setting and refuses unknown ones: these three are dev.sh's own,
# and the binaries the tests start must not see them.
unset FEDBLOG_BUILD_DIR FEDBLOG_FUZZ_SECONDS FEDBLOG_ASAN_SUITE
jobs=$(nproc 2>/dev/null || echo 2)

build() {
  ./deploy/install-deps.sh
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDBLOG_WERROR=ON >/dev/null
  cmake --build "$build_dir" -j"$jobs"
}

npm_ci() {
  # The independent implementations the signature tests are checked against, and playwright-core for the
  # browser tests (pinned by package-lock.json; it drives Debian's chromium and never downloads a browser).
  for interop in tests/interop tests/interop-9421 tests/browser; do
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$interop" --no-audit --no-fund --loglevel=error
  done
}

# An instrumented build of everything in its own folder, then the whole suite in it. Every sanitizer report, from
# a test or from a fedblog process a test started (whose stderr a test may swallow), also lands in
# <dir>/sanitizer-reports/, and any file there fails the run.
sanitize() {
  local kind=$1 dir options
  case "$kind" in
    address) dir="$build_dir-asan"; options=(-DFEDBLOG_SANITIZE=address -DFEDBLOG_FUZZ=ON -DFEDBLOG_BUILD_TESTS=ON) ;;
    thread) dir="$build_dir-tsan"; options=(-DFEDBLOG_SANITIZE=thread) ;;
    *) echo "dev.sh sanitize: address or thread, not '$kind'" >&2; exit 2 ;;
  esac
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDBLOG_WERROR=ON \
    -DFEDBLOG_BUILD_BENCH=OFF "${options[@]}" >/dev/null
  cmake --build "$dir" -j"$jobs"
  local reports="$PWD/$dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  local status=0
  ASAN_OPTIONS="detect_leaks=1:strict_init_order=1:log_path=$reports/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp:log_path=$reports/tsan" \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --label-exclude "no-$kind-sanitizer" "${@:2}" || status=$?
  if [ -n "$(ls -A "$reports")" ]; then
    echo "dev.sh sanitize: sanitizer reports in $reports:" >&2
    head -n 60 "$reports"/* >&2
    status=1
  fi
  return $status
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
    npm_ci
    ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" "$@"
    # The fuzz targets live in the ASan+UBSan build (<build>-asan, clang). With FEDBLOG_ASAN_SUITE=1 the whole
    # suite runs there too (./dev.sh sanitize address); by default only the fuzz targets are built there.
    if [ "$asan_suite" = 1 ]; then
      sanitize address
    elif [ "$fuzz_seconds" -gt 0 ]; then
      CC=clang CXX=clang++ cmake -S . -B "$build_dir-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDBLOG_WERROR=ON \
        -DFEDBLOG_BUILD_BENCH=OFF -DFEDBLOG_BUILD_TESTS=OFF -DFEDBLOG_SANITIZE=address -DFEDBLOG_FUZZ=ON >/dev/null
      cmake --build "$build_dir-asan" --target fuzz -j"$jobs"
    fi
    if [ "$fuzz_seconds" -gt 0 ]; then
      tests/fuzz/run.sh "$build_dir-asan" "$fuzz_seconds"
    fi
    ;;
  build)
    build
    ;;
  sanitize)
    ./deploy/install-deps.sh
    npm_ci
    sanitize "${1:-address}" "${@:2}"
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
