#!/usr/bin/env bash
# Debian's Chromium and a Chinese font for the web console's browser tests (tests/web/browser_kit.py).
# With CI=true whatever is missing is installed from Debian's packages, as scripts/throwaway_pg.py does
# for PostgreSQL; elsewhere nothing is installed and the browser tests skip, saying why.
set -euo pipefail

[ "${CI:-}" = "true" ] || exit 0

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
installed fonts-wqy-microhei || missing+=(fonts-wqy-microhei)  # CJK glyphs in screenshots
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
echo "[browser-deps] installing Debian's ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
