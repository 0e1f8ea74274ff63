"""Operator use cases for policies and flows: create, edit, publish, unpublish, roll back."""

from __future__ import annotations

from dataclasses import dataclass

from domain.flows import lifecycle as flow_rules
from domain.flows.model import Flow, FlowDefinition
from domain.flows.validation import referenced_policies
from domain.policies import lifecycle as policy_rules
from domain.policies.model import Policy, PolicyDefinition, PublishStatus
from services.errors import NotAllowed, NotFound
from services.orders.ports import FlowRepository, PolicyRepository
from services.ports import Clock, IdGenerator


@dataclass
class Configuration:
    """Policies and flows, as operators manage them."""

    policies: PolicyRepository
    flows: FlowRepository
    clock: Clock
    ids: IdGenerator

    # Policies

    def create_policy(self, definition: PolicyDefinition) -> Policy:
        """Store a new, unpublished policy (version 1)."""
        policy = policy_rules.create_policy(definition, self.ids.new_id(), self.clock.now())
        self.policies.add(policy)
        return policy

    def policy(self, policy_id: str) -> Policy:
        """The policy's current version, or NotFound."""
        policy = self.policies.get(policy_id)
        if policy is None:
            raise NotFound(f"policy {policy_id} does not exist")
        return policy

    def policy_versions(self, policy_id: str) -> list[Policy]:
        """Every version of the policy, oldest first."""
        self.policy(policy_id)
        return self.policies.versions(policy_id)

    def edit_policy(self, policy_id: str, definition: PolicyDefinition) -> Policy:
        """Replace an unpublished policy's definition."""
        current = self.policy(policy_id)
        edited = policy_rules.edit_policy(current, definition, self.clock.now())
        self.policies.save(edited, current)
        return edited

    def publish_policy(self, policy_id: str) -> Policy:
        """Publish the current version so flows can use it."""
        current = self.policy(policy_id)
        published = policy_rules.publish_policy(current, self.clock.now())
        self.policies.save(published, current)
        return published

    def unpublish_policy(self, policy_id: str) -> Policy:
        """Unpublish: the published version is archived and a new editable version is current."""
        current = self.policy(policy_id)
        new, archived = policy_rules.unpublish_policy(current, self.clock.now())
        self.policies.add_version(new, archived)
        return new

    def rollback_policy(self, policy_id: str, version: int) -> Policy:
        """Make a new current version with the definition of an earlier one."""
        current = self.policy(policy_id)
        target = next((p for p in self.policies.versions(policy_id) if p.version == version), None)
        if target is None:
            raise NotFound(f"policy {policy_id} has no version {version}")
        new, archived = policy_rules.rollback_policy(current, target, self.clock.now())
        self.policies.add_version(new, archived)
        return new

    def delete_policy(self, policy_id: str) -> None:
        """Delete an unpublished policy that no flow uses."""
        current = self.policy(policy_id)
        if current.status == PublishStatus.PUBLISHED:
            raise NotAllowed(f"policy {policy_id} is published; unpublish it first", "status")
        users = [f.name for f in self.flows.list() if policy_id in referenced_policies(f)]
        if users:
            raise NotAllowed(f"policy {policy_id} is used by flows: {', '.join(users)}", "flows")
        self.policies.delete(policy_id)

    # Flows

    def create_flow(self, definition: FlowDefinition) -> Flow:
        """Store a new, unpublished flow."""
        self._unique_name(definition.name, None)
        flow = flow_rules.create_flow(definition, self.ids.new_id(), self.clock.now())
        self.flows.add(flow)
        return flow

    def flow(self, flow_id: str) -> Flow:
        """The flow's definition and status, or NotFound."""
        flow = self.flows.get(flow_id)
        if flow is None:
            raise NotFound(f"flow {flow_id} does not exist")
        return flow

    def edit_flow(self, flow_id: str, definition: FlowDefinition) -> Flow:
        """Replace an unpublished flow's definition."""
        current = self.flow(flow_id)
        self._unique_name(definition.name, flow_id)
        edited = flow_rules.edit_flow(current, definition, self.clock.now())
        self.flows.save(edited, current)
        return edited

    def publish_flow(self, flow_id: str) -> Flow:
        """Validate and publish the flow as a new version; new orders start running in it."""
        current = self.flow(flow_id)
        published_policies = {
            p.policy_id for p in self.policies.list() if p.status == PublishStatus.PUBLISHED
        }
        published = flow_rules.publish_flow(current, self.clock.now(), published_policies)
        self.flows.publish(published, current)
        return published

    def stop_flow(self, flow_id: str) -> Flow:
        """Stop a published flow (Unpublished): new orders no longer start in it."""
        current = self.flow(flow_id)
        stopped = flow_rules.stop_flow(current, self.clock.now())
        self.flows.save(stopped, current)
        return stopped

    def delete_flow(self, flow_id: str) -> None:
        """Delete an unpublished flow (orders already running keep its published snapshots)."""
        current = self.flow(flow_id)
        if current.status == PublishStatus.PUBLISHED:
            raise NotAllowed(f"flow {flow_id} is published; stop it first", "status")
        self.flows.delete(flow_id)

    def _unique_name(self, name: str, flow_id: str | None) -> None:
        for flow in self.flows.list():
            if flow.name.casefold() == name.casefold() and flow.flow_id != flow_id:
                raise NotAllowed(f"a flow named {name!r} already exists", "name")
