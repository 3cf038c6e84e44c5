"""Report blocks of a checked fact table (any kind of study)."""

from __future__ import annotations

from eventstudy.facts.results import FactTable
from eventstudy.report.document import Block

__all__ = ["facts_blocks"]


def facts_blocks(table: FactTable) -> list[Block]:
    """A "Facts" section: the one-line count and the verdict table."""
    frame = table.table()[["fact", "claimed", "computed", "verdict", "detail"]]
    return [Block("h2", "Facts"), Block("p", f"**{table.headline()}**"), Block("table", frame)]
