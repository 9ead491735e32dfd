#!/usr/bin/env bash
# Smoke check of one running API, before traffic is sent to it: alive, ready (event store and read
# models answer), its contract served, a read model readable. Exits non-zero naming the first failure.
# usage: k8s/smoke.sh BASE_URL        e.g. k8s/smoke.sh http://127.0.0.1:8080
set -euo pipefail
base="${1:?usage: k8s/smoke.sh BASE_URL}"

check() {
  local path="$1" expect="$2" body
  if ! body="$(curl -fsS --max-time 5 "$base$path")"; then
    echo "smoke: GET $path failed" >&2
    return 1
  fi
  if [[ "$body" != *"$expect"* ]]; then
    echo "smoke: GET $path answered without \"$expect\"" >&2
    return 1
  fi
  echo "smoke: GET $path ok"
}

check /healthz '"status":"ok"'
check /readyz '"status":"ready"'
check /openapi.json '"openapi":"3.1'
check /rooms '['
