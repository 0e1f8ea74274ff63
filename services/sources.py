"""Operator use cases for fulfillment sources and source lists."""

from __future__ import annotations

from dataclasses import dataclass

from domain.inventory.sources import FulfillmentSource, SourceList
from services.errors import EntityAlreadyExists, InvalidInput, NotAllowed, NotFound
from services.inventory_ports import SourceRepository


@dataclass
class Sources:
    """Fulfillment sources (warehouses, stores, 3PL sites) and the named lists that group them."""

    repository: SourceRepository

    # Sources

    def create_source(self, source: FulfillmentSource) -> FulfillmentSource:
        """Store a new source; NotAllowed (409) when the id is taken."""
        try:
            self.repository.add(source)
        except EntityAlreadyExists as err:
            raise NotAllowed(f"source {source.source_id} already exists", "sourceId") from err
        return source

    def source(self, source_id: str) -> FulfillmentSource:
        """The source, or NotFound."""
        source = self.repository.get(source_id)
        if source is None:
            raise NotFound(f"source {source_id} does not exist")
        return source

    def list_sources(self) -> list[FulfillmentSource]:
        """Every source, by id."""
        return self.repository.list()

    def replace_source(self, source: FulfillmentSource) -> FulfillmentSource:
        """Replace a source's settings (NotFound if it does not exist)."""
        self.source(source.source_id)
        self.repository.save(source)
        return source

    def delete_source(self, source_id: str) -> None:
        """Delete a source that no source list names (NotAllowed otherwise); its stock stays."""
        self.source(source_id)
        users = [s.name for s in self.repository.lists() if source_id in s.source_ids]
        if users:
            message = f"source {source_id} is in source lists: {', '.join(users)}"
            raise NotAllowed(message, "sourceLists")
        self.repository.delete(source_id)

    # Source lists

    def create_list(self, source_list: SourceList) -> SourceList:
        """Store a new source list of known sources; NotAllowed (409) when the name is taken."""
        self._known_sources(source_list)
        try:
            self.repository.add_list(source_list)
        except EntityAlreadyExists as err:
            raise NotAllowed(f"source list {source_list.name} already exists", "name") from err
        return source_list

    def source_list(self, name: str) -> SourceList:
        """The source list, or NotFound."""
        source_list = self.repository.get_list(name)
        if source_list is None:
            raise NotFound(f"source list {name} does not exist")
        return source_list

    def list_source_lists(self) -> list[SourceList]:
        """Every source list, by name."""
        return self.repository.lists()

    def replace_list(self, source_list: SourceList) -> SourceList:
        """Replace a source list (NotFound if it does not exist)."""
        self.source_list(source_list.name)
        self._known_sources(source_list)
        self.repository.save_list(source_list)
        return source_list

    def delete_list(self, name: str) -> None:
        """Delete a source list (NotFound if it does not exist)."""
        self.source_list(name)
        self.repository.delete_list(name)

    def sources_in(self, name: str) -> list[FulfillmentSource]:
        """The sources of a list, in the list's order; ids deleted since are skipped."""
        found = {s.source_id: s for s in self.repository.list()}
        return [found[i] for i in self.source_list(name).source_ids if i in found]

    def _known_sources(self, source_list: SourceList) -> None:
        known = {s.source_id for s in self.repository.list()}
        seen: set[str] = set()
        for index, source_id in enumerate(source_list.source_ids):
            if source_id not in known:
                message = f"source {source_id} does not exist"
                raise InvalidInput(message, f"sourceIds.{index}")
            if source_id in seen:
                raise InvalidInput(f"source {source_id} is listed twice", f"sourceIds.{index}")
            seen.add(source_id)
