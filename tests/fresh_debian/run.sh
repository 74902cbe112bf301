#!/usr/bin/env bash
# Proves the README's first two commands on a minimal Debian 12 (debootstrap --variant=minbase bookworm):
# only sudo, git, curl and ca-certificates are added before them. Needs root and debootstrap; not part of
# the test suite (it downloads a whole system). Usage: tests/fresh_debian/run.sh [chroot-dir] [repo]
# It clones the repository's committed HEAD, so commit first.
set -euo pipefail
root=${1:-/var/tmp/fedblog-bookworm}
repo=${2:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
[ -x "$root/bin/bash" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
mountpoint -q $root/proc || mount -t proc proc $root/proc
mountpoint -q $root/sys || mount --bind /sys $root/sys
mountpoint -q $root/dev || mount --bind /dev $root/dev
mountpoint -q $root/dev/pts || mount --bind /dev/pts $root/dev/pts
cp /etc/resolv.conf $root/etc/resolv.conf
mkdir -p $root/src && (mountpoint -q $root/src || mount --bind "$repo" $root/src)
mkdir -p $root/host-ca && cp /usr/local/share/ca-certificates/*.crt $root/host-ca/ 2>/dev/null || true
chroot $root /bin/bash -c '
  set -e
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q sudo git curl ca-certificates >/dev/null
  # Only where this runs behind an intercepting egress proxy (as in our workplace): trust its CA, as the host
  # does; a real fresh machine reaches the registries with the public CAs alone.
  if ls /host-ca/*.crt >/dev/null 2>&1; then cp /host-ca/*.crt /usr/local/share/ca-certificates/ && update-ca-certificates >/dev/null; fi
  grep -q NODE_EXTRA_CA_CERTS /etc/environment || echo NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt >> /etc/environment
  id dev >/dev/null 2>&1 || { useradd -m -s /bin/bash dev; echo "dev ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/dev; }
  git config --system --add safe.directory "*"
'
chroot $root su - dev -c 'rm -rf fedblog && git clone -q /src fedblog && cd fedblog && git log --oneline | head -1'
echo "=== command 2: ./dev.sh test"
chroot $root su - dev -c 'cd fedblog && time ./dev.sh test' > $root/fresh-test.log 2>&1 && echo "test: OK" || echo "test: FAILED (see $root/fresh-test.log)"
tail -5 $root/fresh-test.log
echo "=== command 1: ./dev.sh serve"
chroot $root su - dev -c 'cd fedblog && (./dev.sh serve > /tmp/serve.log 2>&1 &) ; for i in $(seq 120); do curl -sf http://localhost:8080/healthz >/dev/null && break; sleep 1; done; curl -s -H "Accept: application/activity+json" http://localhost:8080/users/blog | head -c 300; echo; curl -s http://localhost:8080/ | grep -o "<title>[^<]*</title>"; pkill -TERM -u dev -x fedblog; sleep 1; tail -3 /tmp/serve.log'
