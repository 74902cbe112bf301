#!/usr/bin/env bash
# Signed replies per second accepted by the real inbox and stored as comments (parse, verify, dedupe,
# sanitize, spam signals, SQLite write), next to verifying the same requests alone, on the same threads in
# the same run. Target: a ratio of at least 0.5.
#   tests/bench/reply.sh [build-dir] [replies]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
replies=${2:-20000}
"$build/tests/bench/bench_reply" --replies "$replies" --threads 2
