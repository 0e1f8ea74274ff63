"""Health check use case: does every table and queue the app needs answer?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ProbeResult:
    """One dependency's answer."""

    kind: str
    name: str
    ok: bool
    detail: str = ""


class StorageProbe(Protocol):
    """Asks storage whether a table or queue answers."""

    def probe_table(self, name: str) -> ProbeResult:
        """Probe one table."""
        ...

    def probe_queue(self, name: str) -> ProbeResult:
        """Probe one queue."""
        ...


@dataclass(frozen=True)
class HealthReport:
    """The overall verdict and each probe's answer."""

    healthy: bool
    checks: list[ProbeResult]

    @property
    def reason(self) -> str:
        """Why the app is unhealthy ('' when healthy)."""
        return "; ".join(f"{c.kind} {c.name}: {c.detail}" for c in self.checks if not c.ok)


def check_health(probe: StorageProbe, tables: list[str], queues: list[str]) -> HealthReport:
    """Probe every table and queue; healthy only if all answer."""
    checks = [probe.probe_table(t) for t in tables] + [probe.probe_queue(q) for q in queues]
    return HealthReport(healthy=all(c.ok for c in checks), checks=checks)
