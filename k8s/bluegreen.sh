#!/usr/bin/env bash
# Blue/green releases: two API deployments (ktv-api-blue, ktv-api-green) and the live Service
# `ktv-api`, whose selector names the slot that serves.
#
#   k8s/bluegreen.sh status           which slot is live, each slot's image and ready pods
#   k8s/bluegreen.sh switch <slot>    wait for <slot>'s rollout, smoke-check it through its own
#                                     Service, then point the live Service at it
#
# Switching back is the same command with the other slot. NAMESPACE (default ktv) and KUBECTL
# (default kubectl) are read from the environment.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ns="${NAMESPACE:-ktv}"
kubectl="${KUBECTL:-kubectl}"
k() { "$kubectl" -n "$ns" "$@"; }

live_slot() { k get service ktv-api -o 'jsonpath={.spec.selector.slot}'; }

status() {
  echo "live: $(live_slot)"
  for slot in blue green; do
    echo "$slot: $(k get deployment "ktv-api-$slot" -o 'jsonpath={.spec.template.spec.containers[0].image} ready={.status.readyReplicas}/{.spec.replicas}')"
  done
}

switch() {
  local slot="$1" previous port
  [[ "$slot" == blue || "$slot" == green ]] || { echo "slot must be blue or green" >&2; exit 2; }
  previous="$(live_slot)"
  if [[ "$previous" == "$slot" ]]; then
    echo "$slot is already live"
    return 0
  fi
  k rollout status "deployment/ktv-api-$slot" --timeout=300s
  # The slot's own Service, reached from here through a port-forward for the length of the check.
  port="${SMOKE_PORT:-18080}"
  # kubectl itself in the background (not through k(), whose subshell would leave it running when
  # killed); global, not local: the EXIT trap runs after this function has returned.
  "$kubectl" -n "$ns" port-forward "service/ktv-api-$slot" "$port:80" >/dev/null &
  forward=$!
  trap 'kill "${forward:-}" 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do
    curl -fs --max-time 1 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! "$here/smoke.sh" "http://127.0.0.1:$port"; then
    echo "smoke check of $slot failed: traffic stays on $previous" >&2
    exit 1
  fi
  kill "$forward" 2>/dev/null || true
  k patch service ktv-api --type merge -p "{\"spec\":{\"selector\":{\"slot\":\"$slot\"}}}"
  echo "live: $slot (was $previous); to go back: k8s/bluegreen.sh switch $previous"
}

case "${1:-}" in
  status) status ;;
  switch) switch "${2:-}" ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
