"""An in-process hub for service tests: real repositories over MemoryTables, fakes of our ports."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from adapters.storage.capacity import CAPACITY_TABLE, TableCapacityLedger
from adapters.storage.errors import ERRORS_TABLE, TableErrorLog
from adapters.storage.flows import FLOWS_TABLE, TableFlowRepository
from adapters.storage.memory_table import MemoryTableService
from adapters.storage.orders import ORDERS_TABLE, TableOrderRepository
from adapters.storage.outbox import INDEX_TABLE, TableOutbox
from adapters.storage.policies import POLICIES_TABLE, TablePolicyRepository
from adapters.storage.providers import PROVIDERS_TABLE, TableProviderRepository
from domain.flows.model import FlowDefinition
from domain.policies.model import PolicyDefinition
from services.backorders import BackorderRelease
from services.configuration import Configuration
from services.fulfillment import Fulfillment
from services.orders.engine import STEP_QUEUE, Engine, StepMessage
from services.orders.steps import StepRun, run_step
from services.providers.catalog import Providers
from services.providers.runner import ProviderActionRunner
from tests.fakes import (
    FakePublisher,
    FakeStock,
    FixedClock,
    MemoryBackorderIndex,
    MemoryJobLog,
    MemoryPreferences,
    MemorySupplyFeed,
    NearestFirstPlanner,
)


@dataclass
class SequentialIds:
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self) -> str:
        return f"id-{next(self.counter):04d}"


@dataclass
class Hub:
    engine: Engine
    configuration: Configuration
    publisher: FakePublisher
    clock: FixedClock
    stock: FakeStock
    planner: NearestFirstPlanner
    preferences: MemoryPreferences
    held: MemoryBackorderIndex
    supply: MemorySupplyFeed
    job_log: MemoryJobLog
    delivered: int = 0
    job_ids: SequentialIds = field(default_factory=SequentialIds)

    def release_job(self) -> BackorderRelease:
        """The backorder release job over this hub's fakes."""
        return BackorderRelease(
            engine=self.engine, index=self.held, planner=self.planner, stock=self.stock,
            supply=self.supply, log=self.job_log, clock=self.clock, ids=self.job_ids,
        )  # fmt: skip

    def policy(self, **definition: Any) -> str:
        """Create and publish a policy; return its id."""
        policy = self.configuration.create_policy(PolicyDefinition.model_validate(definition))
        self.configuration.publish_policy(policy.policy_id)
        return policy.policy_id

    def flow(self, name: str, steps: list[dict[str, Any]]) -> str:
        """Create and publish a flow; return its id."""
        definition = FlowDefinition.model_validate({"name": name, "steps": steps})
        flow = self.configuration.create_flow(definition)
        self.configuration.publish_flow(flow.flow_id)
        return flow.flow_id

    def pending_steps(self) -> list[StepMessage]:
        """Step messages published and not yet delivered."""
        bodies = [body for queue, body in self.publisher.sent if queue == STEP_QUEUE]
        return [StepMessage.model_validate(json.loads(b)["data"]) for b in bodies[self.delivered :]]

    def drain(self, limit: int = 100) -> list[StepRun]:
        """Deliver step messages until none are left (as the queue trigger would)."""
        runs: list[StepRun] = []
        while (pending := self.pending_steps()) and len(runs) < limit:
            self.delivered += 1
            self.clock.advance(1)
            runs.append(run_step(pending[0], self.engine))
        return runs


def make_hub(sources: tuple[str, ...] = ("SEA", "PDX")) -> Hub:
    stock = FakeStock()
    planner = NearestFirstPlanner(stock, list(sources))
    preferences, held = MemoryPreferences(), MemoryBackorderIndex()
    tables = MemoryTableService()
    tables.create_tables([CAPACITY_TABLE, PROVIDERS_TABLE])
    providers = Providers(
        TableProviderRepository(tables.table(PROVIDERS_TABLE)), FixedClock(), SequentialIds()
    )
    capacity = TableCapacityLedger(tables.table(CAPACITY_TABLE))
    tables.create_tables([INDEX_TABLE, ORDERS_TABLE, POLICIES_TABLE, FLOWS_TABLE, ERRORS_TABLE])
    clock = FixedClock()
    publisher = FakePublisher()
    outbox = TableOutbox(tables.table, clock)
    policies = TablePolicyRepository(tables.table(POLICIES_TABLE))
    flows = TableFlowRepository(tables.table(FLOWS_TABLE))
    engine = Engine(
        orders=TableOrderRepository(tables.table(ORDERS_TABLE), outbox),
        flows=flows,
        policies=policies,
        errors=TableErrorLog(tables.table(ERRORS_TABLE)),
        providers=ProviderActionRunner(providers, gateways=lambda instance: None),
        fulfillment=Fulfillment(planner, stock, preferences, held, capacity),
        outbox=outbox,
        publisher=publisher,
        clock=clock,
    )
    configuration = Configuration(policies, flows, clock, SequentialIds())
    return Hub(
        engine, configuration, publisher, clock, stock, planner, preferences, held,
        MemorySupplyFeed(), MemoryJobLog(),
    )  # fmt: skip
