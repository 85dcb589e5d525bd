#!/usr/bin/env bash
# Install what the rendering tests need from Debian when it is missing: Chromium
# (driven by Playwright through /usr/bin/chromium; no browser is ever downloaded)
# and poppler-utils (pdftotext, pdftoppm). Quick when both are present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
fonts=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
[ -e "$fonts" ] || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "tools/ensure_browser.sh: missing ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
