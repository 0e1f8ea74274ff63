"""Size limits of one order, so that any save fits one entity group transaction.

An order is stored as its JSON document in one partition and every save rewrites it in a single
transaction (at most 100 entities and 4 MiB) together with its timeline events and outbox rows.
1,500,000 characters of JSON are at most 3 MB on the wire even if every character needed
escaping, which leaves over 1 MiB of the transaction for events and messages. A realistic
1,000-line order (100-character descriptions, full addresses) is about 660,000 characters, so
the line limit binds first and the rest is headroom for step results, findings and fulfillment
orders accumulated later. Text dominated by non-ASCII characters is escaped on the wire (up to
12 bytes a character), so the repository also refuses such a document when it would not fit.
"""

from __future__ import annotations

from services.errors import InvalidInput

MAX_ORDER_LINES = 1000
"""Most lines one order may have (intake refuses more)."""

MAX_ORDER_DOCUMENT_CHARS = 1_500_000
"""Most characters of an order's JSON document (`model_dump_json(by_alias=True)`)."""


class OrderTooLarge(InvalidInput, ValueError):
    """The order would not fit one storage transaction; nothing was written (HTTP 400)."""

    def __init__(self, message: str, field: str | None = "lines") -> None:
        super().__init__(message, field)
