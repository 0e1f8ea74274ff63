"""Behaviour of the policy, flow and error-log repositories, on memory tables and on Azurite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.storage.errors import TableErrorLog
from adapters.storage.flows import TableFlowRepository
from adapters.storage.policies import TablePolicyRepository
from adapters.storage.table import InvalidContinuation
from domain.flows.model import ActionType, Flow, Step
from domain.policies.model import (
    AssociatedEntity,
    Policy,
    PolicyType,
    PublishStatus,
    Rule,
    SetValue,
    VersionState,
)
from services.errors import ConcurrencyConflict, EntityAlreadyExists
from services.orders.ports import ErrorKind, OperationError
from tests.contracts.order_repository_contract import forged_tokens
from tests.support.ids import random_id

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def make_policy(policy_id: str | None = None, version: int = 1, name: str = "Big orders") -> Policy:
    return Policy(
        policy_id=policy_id or random_id("p"), version=version, name=name,
        type=PolicyType.EXECUTION, entity=AssociatedEntity.ORDER_LINE,
        rules=[Rule(name="big", condition="quantity ge 100",
                    actions=[SetValue(field="shippingSite", value="SITE-02"),
                             SetValue(field="priority", value=3)])],
        created_at=T0, updated_at=T0,
    )  # fmt: skip


def make_flow(flow_id: str | None = None, name: str = "Prospect to cash") -> Flow:
    step = Step(step_id="validate", name="Validate", action=ActionType.VALIDATE_HEADER,
                input_events=["New Order"])  # fmt: skip
    return Flow(flow_id=flow_id or random_id("f"), name=name, steps=[step], created_at=T0,
                updated_at=T0)  # fmt: skip


def published(flow: Flow, at: datetime = T0) -> Flow:
    return flow.model_copy(
        update={"version": flow.version + 1, "status": PublishStatus.PUBLISHED, "published_at": at}
    )


class Crash(Exception):
    """The process dying at a chosen write."""


class CrashOnDefinitionWrite:
    """A Table that dies instead of updating the `current` partition (the definitions)."""

    def __init__(self, table):
        self._table = table

    def __getattr__(self, name):
        return getattr(self._table, name)

    def update(self, entity, mode=None):
        if entity.partition_key == "current":
            raise Crash
        return self._table.update(entity, mode)


class ConfigRepositoryContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def policies(self, make_table) -> TablePolicyRepository:
        return TablePolicyRepository(make_table())

    @pytest.fixture
    def flows_table(self, make_table):
        return make_table()

    @pytest.fixture
    def flows(self, flows_table) -> TableFlowRepository:
        return TableFlowRepository(flows_table)

    @pytest.fixture
    def errors(self, make_table) -> TableErrorLog:
        return TableErrorLog(make_table())

    # --- policies ---------------------------------------------------------------------------

    def test_a_policy_round_trips_and_its_id_is_taken_once(self, policies):
        policy = make_policy(policy_id="pricing/eu#1?")
        policies.add(policy)
        assert policies.get(policy.policy_id) == policy
        with pytest.raises(EntityAlreadyExists):
            policies.add(make_policy(policy_id=policy.policy_id, name="other"))
        assert policies.get(policy.policy_id) == policy
        assert policies.get("missing") is None

    def test_save_replaces_the_expected_version_and_refuses_a_stale_one(self, policies):
        policy = make_policy()
        policies.add(policy)
        first = policy.model_copy(update={"name": "first"})
        policies.save(first, policy)
        with pytest.raises(ConcurrencyConflict):
            policies.save(policy.model_copy(update={"name": "second"}), policy)
        assert policies.get(policy.policy_id) == first
        assert policies.versions(policy.policy_id) == [first]

    def test_add_version_archives_the_previous_one(self, policies):
        v1 = make_policy()
        policies.add(v1)
        archived = v1.model_copy(update={"version_state": VersionState.ARCHIVED})
        v2 = v1.model_copy(update={"version": 2, "name": "second"})
        policies.add_version(v2, archived)

        assert policies.get(v1.policy_id) == v2
        assert policies.versions(v1.policy_id) == [archived, v2]
        v3 = v1.model_copy(update={"version": 3})
        with pytest.raises(ConcurrencyConflict):
            policies.add_version(v3, archived)  # v1 is no longer current
        assert policies.get(v1.policy_id) == v2

    def test_list_returns_current_versions_and_delete_removes_every_version(self, policies):
        a, b = make_policy("a-policy"), make_policy("b-policy")
        policies.add(b)
        policies.add(a)
        archived = a.model_copy(update={"version_state": VersionState.ARCHIVED})
        a2 = a.model_copy(update={"version": 2})
        policies.add_version(a2, archived)
        assert policies.list() == [a2, b]

        policies.delete(a.policy_id)
        policies.delete(a.policy_id)
        assert policies.get(a.policy_id) is None
        assert policies.versions(a.policy_id) == []
        assert policies.list() == [b]

    def test_a_policy_larger_than_one_string_property_is_stored(self, policies):
        rules = [Rule(name=f"r{i}", condition=f"quantity ge {i} and " + "x eq 1 or " * 300 +
                      "y eq 2") for i in range(20)]  # fmt: skip
        policy = make_policy().model_copy(update={"rules": rules})
        policies.add(policy)
        assert policies.get(policy.policy_id) == policy

    # --- flows ------------------------------------------------------------------------------

    def test_flows_round_trip_list_and_save_conditionally(self, flows):
        a, b = make_flow("a-flow"), make_flow("b-flow")
        flows.add(a)
        flows.add(b)
        with pytest.raises(EntityAlreadyExists):
            flows.add(a)
        edited = a.model_copy(update={"name": "edited"})
        flows.save(edited, a)
        with pytest.raises(ConcurrencyConflict):
            flows.save(a.model_copy(update={"name": "stale"}), a)
        assert flows.list() == [edited, b]

    def test_publish_snapshots_the_version_and_updates_the_definition(self, flows):
        flow = make_flow()
        flows.add(flow)
        v1 = published(flow)
        flows.publish(v1, flow)

        assert flows.get(flow.flow_id) == v1
        assert flows.get_version(flow.flow_id, 1) == v1
        assert flows.get_version(flow.flow_id, 2) is None

        edited = v1.model_copy(update={"name": "v2 draft", "status": PublishStatus.UNPUBLISHED})
        flows.save(edited, v1)
        flows.publish(published(edited), edited)
        assert flows.get_version(flow.flow_id, 1) == v1
        assert flows.get_version(flow.flow_id, 2).name == "v2 draft"

    def test_a_stale_publish_writes_no_snapshot(self, flows):
        flow = make_flow()
        flows.add(flow)
        flows.save(flow.model_copy(update={"name": "moved on"}), flow)
        with pytest.raises(ConcurrencyConflict):
            flows.publish(published(flow), flow)
        assert flows.get_version(flow.flow_id, 1) is None

    def test_publishing_a_version_again_is_refused(self, flows):
        flow = make_flow()
        flows.add(flow)
        v1 = published(flow)
        flows.publish(v1, flow)
        with pytest.raises(ConcurrencyConflict):
            flows.publish(v1.model_copy(update={"name": "again"}), v1)
        assert flows.get_version(flow.flow_id, 1) == v1

    def test_a_publish_retried_after_a_crash_finishes(self, flows_table, flows):
        flow = make_flow()
        flows.add(flow)
        v1 = published(flow)
        with pytest.raises(Crash):
            TableFlowRepository(CrashOnDefinitionWrite(flows_table)).publish(v1, flow)
        assert flows.get(flow.flow_id) == flow  # the snapshot is there, the definition is not

        flows.publish(v1, flow)
        assert flows.get(flow.flow_id) == flows.get_version(flow.flow_id, 1) == v1

    def test_a_snapshot_left_by_a_failed_publish_is_replaced_by_the_next(self, flows_table, flows):
        flow = make_flow()
        flows.add(flow)
        with pytest.raises(Crash):
            TableFlowRepository(CrashOnDefinitionWrite(flows_table)).publish(published(flow), flow)
        edited = flow.model_copy(update={"name": "edited after the failed publish"})
        flows.save(edited, flow)

        v1 = published(edited, T0 + timedelta(minutes=5))
        flows.publish(v1, edited)
        assert flows.get(flow.flow_id) == flows.get_version(flow.flow_id, 1) == v1

    def test_delete_keeps_published_snapshots(self, flows):
        flow = make_flow()
        flows.add(flow)
        v1 = published(flow)
        flows.publish(v1, flow)
        flows.delete(flow.flow_id)
        assert flows.get(flow.flow_id) is None
        assert flows.get_version(flow.flow_id, 1) == v1
        assert flows.list() == []

    # --- error log --------------------------------------------------------------------------

    def error(self, n: int, kind: ErrorKind = ErrorKind.INBOUND, order_id: str | None = None,
              **changes) -> OperationError:  # fmt: skip
        fields = {"error_id": f"e-{n}", "kind": kind, "at": T0 + timedelta(minutes=n),
                  "message": f"error {n}", "order_id": order_id, **changes}  # fmt: skip
        return OperationError(**fields)

    def listed(self, errors, kind=None, order_id=None, limit=2) -> list[list[str]]:
        pages, token = [], None
        while True:
            page = errors.list(kind, order_id, token, limit)
            pages.append([e.error_id for e in page.errors])
            if (token := page.continuation) is None:
                return pages

    @pytest.fixture
    def five_errors(self, errors) -> list[OperationError]:
        recorded = [
            self.error(1, order_id="o-1", step_id="s", flow_id="f", attempt=3,
                       details={"status": "503"}),
            self.error(2, ErrorKind.PROVIDER_ACTION, order_id="o-1"),
            self.error(3, ErrorKind.POLICY, policy_id="p-1"),
            self.error(4, ErrorKind.PROVIDER_ACTION, order_id="o-2"),
            self.error(5),
        ]  # fmt: skip
        for error in recorded:
            errors.record(error)
        return recorded

    def test_errors_list_newest_first_a_page_at_a_time(self, errors, five_errors):
        assert self.listed(errors) == [["e-5", "e-4"], ["e-3", "e-2"], ["e-1"]]
        oldest = errors.list(None, None, None, 10).errors[-1]
        assert oldest == five_errors[0]

    @pytest.mark.parametrize(
        ("kind", "order_id", "expected"),
        [
            (ErrorKind.PROVIDER_ACTION, None, ["e-4", "e-2"]),
            (None, "o-1", ["e-2", "e-1"]),
            (ErrorKind.INBOUND, "o-1", ["e-1"]),
            (ErrorKind.ORCHESTRATION_STEP, None, []),
        ],
    )
    def test_errors_filter_by_kind_and_order(self, errors, five_errors, kind, order_id, expected):
        assert sum(self.listed(errors, kind, order_id, limit=1), []) == expected

    def test_recording_an_error_again_replaces_it(self, errors):
        errors.record(self.error(1))
        errors.record(self.error(2, order_id="o-1"))
        errors.record(self.error(1, message="retried"))
        moved = self.error(2, ErrorKind.POLICY, at=T0 + timedelta(hours=1), message="later")
        errors.record(moved)

        assert errors.list(None, None, None, 10).errors == [moved, self.error(1, message="retried")]
        assert errors.list(ErrorKind.INBOUND, None, None, 10).errors == [
            self.error(1, message="retried")
        ]
        assert errors.list(None, "o-1", None, 10).errors == []

    def test_a_huge_message_and_details_are_cut_to_fit(self, errors):
        errors.record(self.error(1, message="m" * 100_000, details={"body": "b" * 100_000}))
        stored = errors.list(None, None, None, 1).errors[0]
        assert stored.message.startswith("mmm")
        assert stored.message.endswith("[cut]")
        assert len(stored.message) < 32_000
        assert stored.details["body"].endswith("[cut]")

    @pytest.mark.parametrize("token", forged_tokens())
    def test_errors_refuse_a_forged_continuation(self, errors, token):
        with pytest.raises(InvalidContinuation):
            errors.list(None, None, token, 2)
