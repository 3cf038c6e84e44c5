"""Report blocks of one traded strategy, shared by the study and the sweep reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.report.document import Block

if TYPE_CHECKING:
    from eventstudy.backtest.results import BacktestResult

__all__ = ["backtest_blocks"]


def backtest_blocks(
    b: BacktestResult, heading: str, figure: tuple[Path, str] | None, *, caveat: str = ""
) -> list[Block]:
    """The verdict under ``heading`` (then ``caveat``), the metrics table beside buy-and-hold,
    the equity figure and the notes."""
    blocks = [
        Block("p", f"**{heading}.** {b.verdict()}" + (f" {caveat}" if caveat else "")),
        Block("table", b.table().rename_axis("Metric").reset_index()),
    ]
    if figure is not None:
        blocks.append(Block("figure", *figure))
    if b.notes:
        blocks.append(Block("list", list(b.notes)))
    return blocks
