#!/usr/bin/env bash
# The GitHub Action's validation step (action.yml), kept in a file so that it is tested.
#
# Reads WODA_PATHS (files or folders, separated by spaces; default "."), WODA_CHARTER
# (optional) and WODA_SARIF (optional: also write a SARIF log there). Prints one GitHub
# annotation per finding and exits with the validator's own code: 0 valid, 1 findings
# with errors, 2 unreadable input or a usage error. A missing woda-sharing is exit 127,
# never a pass.
set -euo pipefail

if ! command -v woda-sharing > /dev/null; then
  echo "::error title=woda-sharing::woda-sharing is not installed"
  exit 127
fi

read -r -a paths <<< "${WODA_PATHS:-.}"
if [ "${#paths[@]}" -eq 0 ]; then
  paths=(.)
fi
args=()
if [ -n "${WODA_CHARTER:-}" ]; then
  args+=(--charter "$WODA_CHARTER")
fi

status=0
woda-sharing validate --format github "${args[@]}" -- "${paths[@]}" || status=$?

if [ -n "${WODA_SARIF:-}" ]; then
  sarif_status=0
  woda-sharing validate --format sarif --output "$WODA_SARIF" "${args[@]}" -- "${paths[@]}" \
    || sarif_status=$?
  if [ "$sarif_status" -ne "$status" ]; then
    echo "::error title=woda-sharing::could not write the SARIF log to $WODA_SARIF"
    exit 2
  fi
fi
exit "$status"
