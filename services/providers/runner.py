"""The provider action protocol: find the active provider, call it, classify the outcome.

Implements the orchestration engine's ProviderActions port. A provider that is not activated
cannot be invoked; an action the provider does not offer fails plainly. Transient failures
come back with the provider's requested delay and the action's attempt budget, so the engine
can retry the step later (honouring Retry-After) and give up after the last attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.flows.model import Step
from domain.orders.model import SalesOrder
from domain.providers.model import CATALOG, ProviderInstance
from services.orders.ports import ActionResult
from services.providers.catalog import Providers
from services.providers.gateway import (
    PermanentProviderFailure,
    ProviderGateway,
    TransientProviderFailure,
)


@dataclass
class ProviderActionRunner:
    """Runs a flow step's provider action through the active instance's gateway."""

    providers: Providers
    gateways: Callable[[ProviderInstance], ProviderGateway | None]

    def execute(self, step: Step, order: SalesOrder, idempotency_key: str) -> ActionResult:
        """Call the step's provider action once and say how it went."""
        action = step.provider_action or (str(step.action) if step.action else "")
        if step.provider is None:
            return ActionResult(False, f"the step names no provider for {action!r}; set one")
        definition = CATALOG.get(step.provider)
        if definition is None:
            return ActionResult(False, f"no provider {step.provider!r} in the catalog")
        spec = definition.action(action)
        if spec is None:
            return ActionResult(False, f"{definition.display_name} does not offer {action!r}")
        definition_id = definition.definition_id
        instance = self.providers.active(definition_id)
        gateway = self.gateways(instance) if instance is not None else None
        if instance is None or gateway is None:
            why = "is not activated" if instance is None else "lacks a parameter or secret setting"
            return ActionResult(
                False, f"{definition.display_name} {why}; activate it, then reprocess"
            )
        try:
            result = gateway.perform(spec.name, order, idempotency_key, instance.parameters)
        except TransientProviderFailure as err:
            return ActionResult(
                False, f"{definition.display_name}: {err}", transient=True,
                retry_after=err.retry_after, max_attempts=spec.max_attempts,
            )  # fmt: skip
        except PermanentProviderFailure as err:
            return ActionResult(False, f"{definition.display_name}: {err}")
        ids = ", ".join(f"{k} {v}" for k, v in result.external_ids.items())
        return ActionResult(True, result.details + (f" ({ids})" if ids else ""))
