"""The seed scenarios in flows/ are valid, publishable definitions (over the in-memory hub)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.flows.model import FlowDefinition
from domain.policies.model import PolicyDefinition
from tests.support.hub import make_hub

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def test_every_seed_flow_publishes_with_its_policies():
    hub = make_hub()
    ids = {
        p["name"]: hub.policy(**p)
        for p in json.loads((FLOWS / "policies.json").read_text())["policies"]
    }
    files = sorted(FLOWS.glob("[0-9]*.json"))
    for path in files:
        flow = json.loads(path.read_text())
        for step in flow["steps"]:
            for key in ("filterPolicies", "executionPolicies"):
                step[key] = [ids[name] for name in step.get(key, [])]
        hub.flow(flow["name"], flow["steps"])
    published = [f for f in hub.configuration.flows.list() if f.status == "Published"]
    assert len(files) == len(published) == 6


@pytest.mark.parametrize("path", sorted(FLOWS.glob("*.json")), ids=lambda p: p.name)
def test_each_file_parses(path: Path):
    data = json.loads(path.read_text())
    if path.name == "policies.json":
        assert [PolicyDefinition.model_validate(p) for p in data["policies"]]
    else:
        assert FlowDefinition.model_validate(data).steps
