"""Operator use cases for providers: install, activate (one per definition), deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.errors import NotPermitted
from domain.providers import model as rules
from domain.providers.model import CATALOG, ProviderDefinition, ProviderInstance, ProviderStatus
from services.errors import InvalidInput, NotAllowed, NotFound
from services.ports import Clock, IdGenerator


class ProviderRepository(Protocol):
    """Installed provider instances."""

    def get(self, instance_id: str) -> ProviderInstance | None:
        """The instance, or None."""
        ...

    def list(self) -> list[ProviderInstance]:
        """Every instance."""
        ...

    def save(self, instance: ProviderInstance) -> None:
        """Insert or replace the instance."""
        ...

    def delete(self, instance_id: str) -> None:
        """Remove the instance."""
        ...


class InstallProvider(BaseModel):
    """Install a catalog provider: parameters, and the app settings holding its credentials."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    definition_id: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    parameters: dict[str, str] = Field(default_factory=dict, max_length=50)
    connections: dict[str, str] = Field(default_factory=dict, max_length=20)


@dataclass
class Providers:
    """The provider catalog and its instances."""

    repository: ProviderRepository
    clock: Clock
    ids: IdGenerator

    def catalog(self) -> list[ProviderDefinition]:
        """Every provider definition."""
        return list(CATALOG.values())

    def install(self, command: InstallProvider) -> ProviderInstance:
        """Install a provider (status Installed); unknown parameters or connections are refused."""
        definition = _definition(command.definition_id)
        for name, allowed, field in (
            (set(command.parameters), set(definition.parameters), "parameters"),
            (
                set(command.connections),
                {*definition.connections, *definition.optional_connections},
                "connections",
            ),
        ):
            unknown = sorted(name - allowed)
            if unknown:
                message = f"unknown {field}: {', '.join(unknown)} (allowed: {sorted(allowed)})"
                raise InvalidInput(message, field)
        now = self.clock.now()
        instance = ProviderInstance(
            instance_id=self.ids.new_id(), definition_id=definition.definition_id,
            name=command.name, parameters=command.parameters, connections=command.connections,
            created_at=now, updated_at=now,
        )  # fmt: skip
        self.repository.save(instance)
        return instance

    def get(self, instance_id: str) -> ProviderInstance:
        """The instance, or NotFound."""
        instance = self.repository.get(instance_id)
        if instance is None:
            raise NotFound(f"provider {instance_id} is not installed")
        return instance

    def list(self) -> list[ProviderInstance]:
        """Every installed provider."""
        return self.repository.list()

    def activate(self, instance_id: str) -> ProviderInstance:
        """Activate the instance; another active instance of its definition is deactivated."""
        instance = self.get(instance_id)
        now = self.clock.now()
        try:
            activated = rules.activate(instance, _definition(instance.definition_id), now)
        except NotPermitted as err:
            raise NotAllowed(str(err), err.field) from None
        for other in self.repository.list():
            same = other.definition_id == instance.definition_id
            if (
                same
                and other.instance_id != instance_id
                and other.status == ProviderStatus.ACTIVATED
            ):
                self.repository.save(rules.deactivate(other, now))
        self.repository.save(activated)
        return activated

    def deactivate(self, instance_id: str) -> ProviderInstance:
        """Deactivate the instance: flows can no longer call it."""
        instance = rules.deactivate(self.get(instance_id), self.clock.now())
        self.repository.save(instance)
        return instance

    def uninstall(self, instance_id: str) -> None:
        """Remove an instance that is not active."""
        if self.get(instance_id).status == ProviderStatus.ACTIVATED:
            raise NotAllowed(f"provider {instance_id} is active; deactivate it first", "status")
        self.repository.delete(instance_id)

    def active(self, definition_id: str) -> ProviderInstance | None:
        """The activated instance of a definition, if any."""
        return next(
            (
                i
                for i in self.repository.list()
                if i.definition_id == definition_id and i.status == ProviderStatus.ACTIVATED
            ),
            None,
        )


def _definition(definition_id: str) -> ProviderDefinition:
    definition = CATALOG.get(definition_id)
    if definition is None:
        raise InvalidInput(
            f"no provider {definition_id!r} in the catalog ({', '.join(CATALOG)})", "definitionId"
        )
    return definition
