#!/usr/bin/env bash
# Start Azurite (data under .azurite/), the simulators and the local Functions host; Ctrl-C stops all.
set -euo pipefail
port="${1:-7071}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p .azurite

azurite_pid=""
if (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; then
  echo "Azurite (or something) already listens on 127.0.0.1:10002; using it."
else
  node_modules/.bin/azurite --silent --location .azurite \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --skipApiVersionCheck &
  azurite_pid=$!
fi
# Azurite ignores SIGTERM once it has served requests, so follow up with SIGKILL.
cleanup() {
  [ -n "$azurite_pid" ] || return 0
  kill "$azurite_pid" 2>/dev/null || true
  sleep 1
  kill -9 "$azurite_pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break
  sleep 0.2
done

# Local wiring: the simulators' credentials as app settings the providers' connections name,
# and the simulators' callbacks pointed at this host (see demo/world.py; nothing here is real).
eval "$(.venv/bin/python -m demo --env --hub "http://127.0.0.1:${port}")"

# The simulators of BigCommerce, Flexe, Finance + Operations, SAP and Dynamics 365 Sales
# (python -m simulators).
.venv/bin/python -m simulators &
simulators_pid=$!
trap 'kill "$simulators_pid" 2>/dev/null || true; cleanup' EXIT

# The seed scenarios' policies and flows (flows/), loaded over the API once the host answers.
.venv/bin/python scripts/load_flows.py "http://127.0.0.1:${port}" &

cat <<MSG
Azurite:    blob http://127.0.0.1:10000  queue http://127.0.0.1:10001  table http://127.0.0.1:10002
Local host: http://127.0.0.1:${port}/api/
Simulators: BigCommerce :7081  Flexe :7083  Finance + Operations :7084  SAP :7085  Sales :7086
Try:        curl -s http://127.0.0.1:${port}/api/health
Stop with Ctrl-C.
MSG
.venv/bin/python -m devhost --app-dir . --host 127.0.0.1 --port "$port"
