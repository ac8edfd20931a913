#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian 12: builds a minimal bookworm system with
# Debian's mmdebstrap, copies this checkout (committed files only, as a clone would have them) and
# ../shared beside it, then runs README command (a), `bash sim/tools/study.sh`, and command (b),
# `bash sim/tools/test.sh`, inside it as root. Needs root (chroot and mounts) and the Debian
# mirror. Prints each command's result and the end of its log; exit 0 when both succeed.
# Not part of CI: it downloads and installs a whole system (about 10 minutes and 2 GB).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "fresh_check.sh: run as root (it uses chroot and mounts)" >&2; exit 2; }
command -v mmdebstrap > /dev/null || { apt-get update -q && apt-get install -y -q mmdebstrap; }
root="${FRESH_ROOT:-$(mktemp -d)}"   # a new empty directory under $TMPDIR
cleanup() {
  # Nothing may still run inside the root when it is removed (an interrupted build would).
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then kill -9 "${p#/proc/}" 2>/dev/null || true; fi
  done
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  [ -n "${KEEP_ROOT:-}" ] || rm -rf "$root"
}
trap cleanup EXIT
echo "== minimal Debian 12 in $root"
mmdebstrap --variant=minbase --include=ca-certificates bookworm "$root" > "$root.mmdebstrap.log" 2>&1 ||
  { tail -20 "$root.mmdebstrap.log"; exit 1; }
mkdir -p "$root/work"
git -C "$here" archive --format=tar --prefix=main/ HEAD | tar -x -C "$root/work"
[ -d "$here/../shared" ] && cp -a "$here/../shared" "$root/work/shared"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
cp /etc/resolv.conf "$root/etc/resolv.conf"
status=0
for cmd in "bash sim/tools/study.sh" "bash sim/tools/test.sh"; do
  log="$root.$(echo "$cmd" | tr ' /' '__').log"   # beside the root: kept when the root is removed
  echo "== $cmd"
  if chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
       bash -c "cd /work/main && $cmd" > "$log" 2>&1; then
    echo "   succeeded"
  else
    echo "   FAILED"
    status=1
  fi
  tail -15 "$log" | sed 's/^/   | /'
done
exit $status
