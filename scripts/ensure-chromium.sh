#!/usr/bin/env bash
# The approval-page test drives a real headless Chromium (Debian's package; npm browser downloads
# cannot work offline). Install it when missing; PROCURE_CHROMIUM points at another binary.
set -euo pipefail
bin="${PROCURE_CHROMIUM:-/usr/bin/chromium}"
[ -x "$bin" ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "chromium missing at $bin and not root: install Debian's chromium" >&2; exit 1; fi
echo "installing Debian chromium for the browser tests..."
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x "$bin" ]
