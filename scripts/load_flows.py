"""Load the seed scenarios' policies and flows (flows/*.json) into a running hub over its API.

Idempotent: policies and flows that already exist (by name) are left as they are; new ones are
created and published. Flow files name their policies; this resolves names to ids.
Usage: python scripts/load_flows.py [http://127.0.0.1:7071] [function key]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

FLOWS = Path(__file__).resolve().parent.parent / "flows"


def wait_for(api: httpx.Client, seconds: float = 120) -> None:
    """Wait until the hub answers its health check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if api.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise SystemExit("the hub did not become healthy")


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()


def load_policies(api: httpx.Client) -> dict[str, str]:
    """Create and publish every policy of flows/policies.json; return name -> id."""
    existing = {p["name"]: p for p in _ok(api.get("/policies"))["policies"]}
    ids: dict[str, str] = {}
    for definition in json.loads((FLOWS / "policies.json").read_text())["policies"]:
        policy = existing.get(definition["name"]) or _ok(api.post("/policies", json=definition))
        if policy["status"] != "Published":
            _ok(api.post(f"/policies/{policy['policyId']}/publish"))
        ids[definition["name"]] = policy["policyId"]
    return ids


def load_flows(api: httpx.Client, policies: dict[str, str]) -> list[str]:
    """Create and publish every flow file; return the names of the flows created."""
    existing = {f["name"] for f in _ok(api.get("/flows"))["flows"]}
    created = []
    for path in sorted(FLOWS.glob("[0-9]*.json")):
        flow = json.loads(path.read_text())
        if flow["name"] in existing:
            continue
        for step in flow["steps"]:
            for key in ("filterPolicies", "executionPolicies"):
                step[key] = [policies[name] for name in step.get(key, [])]
        stored = _ok(api.post("/flows", json=flow))
        _ok(api.post(f"/flows/{stored['flowId']}/publish"))
        created.append(flow["name"])
    return created


def main(argv: list[str]) -> None:
    """Load everything into the hub at argv[1] (default http://127.0.0.1:7071)."""
    base = argv[1] if len(argv) > 1 else "http://127.0.0.1:7071"
    headers = {"x-functions-key": argv[2]} if len(argv) > 2 else {}
    with httpx.Client(base_url=f"{base}/api", headers=headers, timeout=30) as api:
        wait_for(api)
        created = load_flows(api, load_policies(api))
    sys.stdout.write(
        f"flows loaded: {len(created)} new ({', '.join(created) or 'all present already'})\n"
    )


if __name__ == "__main__":
    main(sys.argv)
