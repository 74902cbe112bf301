#!/usr/bin/env bash
# Installs every Debian 12 package fedblog's build, tests and benchmarks need. Idempotent:
# packages already present are left alone, and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config
  # libraries fixed by the design card
  libboost1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libssl-dev openssl nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-cpp-dev libgumbo-dev
  # tests: the independent HTTP-signature implementations run on Node; fuzzing uses clang's libFuzzer
  googletest libgtest-dev libgmock-dev nodejs clang libclang-rt-14-dev
  # tests/browser: the embed and the post page in headless Chromium
  chromium
  # tests/server/behind_nginx_test: deploy/nginx/*.conf run in a real nginx (started by the test, as the user)
  nginx
  # benchmarks (tests/bench)
  wrk bc curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# npm ships inside some Node.js builds (NodeSource's); Debian packages it apart.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
