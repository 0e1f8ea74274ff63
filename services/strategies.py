"""Operator use cases for fulfillment strategies (IOM F7): exactly one default at a time."""

from __future__ import annotations

from dataclasses import dataclass

from domain.sourcing.model import Strategy
from services.errors import InvalidInput, NotAllowed, NotFound
from services.sourcing import StrategyRepository


@dataclass
class Strategies:
    """Create, read, replace and delete strategies."""

    repository: StrategyRepository

    def create(self, strategy: Strategy) -> Strategy:
        """Store a new strategy; marking it default unmarks the previous default."""
        if self.repository.get(strategy.name) is not None:
            raise NotAllowed(f"a strategy named {strategy.name!r} already exists", "name")
        self._check_alternate(strategy)
        self._store(strategy)
        return strategy

    def get(self, name: str) -> Strategy:
        """The strategy, or NotFound."""
        strategy = self.repository.get(name)
        if strategy is None:
            raise NotFound(f"strategy {name!r} does not exist")
        return strategy

    def list(self) -> list[Strategy]:
        """Every strategy."""
        return self.repository.list()

    def replace(self, name: str, strategy: Strategy) -> Strategy:
        """Replace a strategy's settings (its name stays)."""
        self.get(name)
        if strategy.name != name:
            raise InvalidInput(f"the body names {strategy.name!r}, the URL {name!r}", "name")
        self._check_alternate(strategy)
        self._store(strategy)
        return strategy

    def delete(self, name: str) -> None:
        """Delete a strategy no other strategy falls back to."""
        self.get(name)
        users = [s.name for s in self.repository.list() if s.alternate == name]
        if users:
            raise NotAllowed(f"strategy {name!r} is the alternate of {', '.join(users)}", "name")
        self.repository.delete(name)

    def _check_alternate(self, strategy: Strategy) -> None:
        if strategy.alternate is None:
            return
        if strategy.alternate == strategy.name:
            raise InvalidInput("a strategy cannot be its own alternate", "alternate")
        if self.repository.get(strategy.alternate) is None:
            raise InvalidInput(
                f"alternate strategy {strategy.alternate!r} does not exist", "alternate"
            )

    def _store(self, strategy: Strategy) -> None:
        if strategy.is_default:
            for other in self.repository.list():
                if other.is_default and other.name != strategy.name:
                    self.repository.save(other.model_copy(update={"is_default": False}))
        self.repository.save(strategy)
