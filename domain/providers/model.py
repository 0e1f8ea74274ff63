"""Provider definitions (the catalog) and instances (installed, then activated).

As in IOM: a definition describes a system and the actions it offers (each with a maximum number
of attempts and a timeout); activating creates the instance that flows may call; only one
instance per definition is active at a time. Credentials never live here: an instance names the
app settings that hold them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.errors import NotPermitted


class ProviderModel(BaseModel):
    """Base for provider models: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ServiceType(StrEnum):
    """The catalog's categories (IOM's library tabs)."""

    ORDER_INTAKE = "Order Intake"
    FULFILLMENT = "Fulfillment"
    ACCOUNTING = "Accounting"
    CUSTOMER_ENGAGEMENT = "Customer Engagement"
    UNSPECIFIED = "Unspecified"


class ActionSpec(ProviderModel):
    """An action a provider offers, with its retry budget and time limit."""

    name: str
    max_attempts: int = Field(default=3, ge=1, le=20)
    timeout_seconds: int = Field(default=120, ge=1, le=600)


class ProviderDefinition(ProviderModel):
    """A catalog entry."""

    definition_id: str
    display_name: str
    service_type: ServiceType
    actions: list[ActionSpec]
    connections: list[str]  # names of the credentials an instance must point at settings for
    optional_connections: list[str] = Field(default_factory=list)
    parameters: list[str] = Field(default_factory=list)

    def action(self, name: str) -> ActionSpec | None:
        """The action of that name, if offered."""
        return next((a for a in self.actions if a.name.casefold() == name.casefold()), None)


class ProviderStatus(StrEnum):
    """Installed (grey) while incomplete; Activated (green) when flows may call it."""

    INSTALLED = "Installed"
    ACTIVATED = "Activated"


class ProviderInstance(ProviderModel):
    """An installed provider: its parameters and the settings that hold its credentials."""

    instance_id: str
    definition_id: str
    name: str = Field(min_length=1, max_length=100)
    status: ProviderStatus = ProviderStatus.INSTALLED
    parameters: dict[str, str] = Field(default_factory=dict)
    connections: dict[str, str] = Field(default_factory=dict)  # connection -> app setting name
    created_at: datetime
    updated_at: datetime
    activated_at: datetime | None = None


def activate(
    instance: ProviderInstance, definition: ProviderDefinition, now: datetime
) -> ProviderInstance:
    """The activated instance; every connection must name a setting first."""
    missing = [c for c in definition.connections if not instance.connections.get(c)]
    if missing:
        raise NotPermitted(f"connections not set: {', '.join(missing)}", "connections")
    return instance.model_copy(
        update={"status": ProviderStatus.ACTIVATED, "activated_at": now, "updated_at": now}
    )


def deactivate(instance: ProviderInstance, now: datetime) -> ProviderInstance:
    """The instance back to Installed: flows can no longer call it."""
    return instance.model_copy(update={"status": ProviderStatus.INSTALLED, "updated_at": now})


def _spec(name: str, attempts: int = 3) -> ActionSpec:
    return ActionSpec(name=name, max_attempts=attempts)


CATALOG: dict[str, ProviderDefinition] = {
    d.definition_id: d
    for d in (
        ProviderDefinition(
            definition_id="bigcommerce", display_name="BigCommerce",
            service_type=ServiceType.ORDER_INTAKE,
            actions=[_spec("Update Storefront Status", 5), _spec("Create Shipment", 5)],
            connections=["apiToken", "webhookSecret"], optional_connections=["signingSecret"],
            parameters=["storeHash", "baseUrl"],
        ),
        ProviderDefinition(
            definition_id="fno", display_name="Microsoft Finance and Operations apps",
            service_type=ServiceType.FULFILLMENT,
            actions=[_spec("Send to Fulfillment", 5), _spec("Send Order Lines to Billing", 5)],
            connections=["clientSecret"], optional_connections=["webhookSecret"],
            parameters=["baseUrl", "tokenUrl", "tenant", "clientId", "dataAreaId"],
        ),
        ProviderDefinition(
            definition_id="flexe", display_name="Flexe", service_type=ServiceType.FULFILLMENT,
            actions=[_spec("Send to Fulfillment", 5), _spec("Cancel Fulfillment")],
            connections=["apiKey", "webhookSecret"], parameters=["baseUrl", "warehouseId"],
        ),
        ProviderDefinition(
            definition_id="sap", display_name="SAP S/4HANA", service_type=ServiceType.ACCOUNTING,
            actions=[_spec("Send to Invoice", 5)], connections=["password"],
            # The sales-area fields keep SAP's own names: they go into A_SalesOrder as they are.
            parameters=["baseUrl", "user", "SalesOrganization", "DistributionChannel",
                        "OrganizationDivision", "SalesOrderType"],
        ),
        ProviderDefinition(
            # Prospect-to-cash: orders reach Sales (and come back) through the sync maps only.
            definition_id="sales", display_name="Dynamics 365 Sales",
            service_type=ServiceType.CUSTOMER_ENGAGEMENT, actions=[],
            connections=["clientSecret"], optional_connections=["webhookSecret"],
            parameters=["baseUrl", "tokenUrl", "tenant", "clientId"],
        ),
    )
}  # fmt: skip
