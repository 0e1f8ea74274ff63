"""The provider port's implementation while no provider is activated."""

from __future__ import annotations

from domain.flows.model import Step
from domain.orders.model import SalesOrder
from services.orders.ports import ActionResult


class NoActivatedProviders:
    """Every external action fails with a reason an operator can act on (then reprocess)."""

    def execute(
        self,
        step: Step,
        order: SalesOrder,  # noqa: ARG002 - the refusal is the same for every order
        idempotency_key: str,  # noqa: ARG002
    ) -> ActionResult:
        """Refuse: nothing is activated to perform the action."""
        named = f" (the step names {step.provider!r})" if step.provider else ""
        action = step.provider_action or step.action
        return ActionResult(
            succeeded=False,
            details=f"no activated provider offers {action!r}{named}; activate one, then reprocess",
        )
