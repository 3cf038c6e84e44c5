"""Frozen results of fact checks: one :class:`FactResult` per fact, a :class:`FactTable`."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._frozen import readonly_mapping

__all__ = ["VERDICTS", "FactResult", "FactTable"]

VERDICTS = ("reproduced", "not reproduced", "not checkable")


def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if unit == "%":
        return f"{value:+.2%}"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "rank":
        return f"{value:.0f}"
    if unit == "":
        return f"{value:.2f}"
    return f"{value:+.1f} {unit}"


def _tolerance(tol: float, unit: str) -> str:
    """A tolerance in its number's unit: percentage points for ``"%"`` and ``"share"``."""
    if unit == "%":
        return f"{tol * 100:.2f} pp"
    if unit == "share":
        return f"{tol * 100:.1f} pp"
    if unit == "":
        return f"{tol:.2f}"
    return f"{tol:.1f} {unit}"


def _claimed(value: float | None, unit: str, claim: str, tol: float) -> str:
    """The claimed number as the table shows it, with its tolerance (``+7.00% ± 0.50 pp``,
    ``at least +11.50%``): the reader sees how wide a check was even when it passed."""
    shown = _fmt(value, unit)
    if not shown:
        return ""
    if claim == "about":
        return f"{shown} ± {_tolerance(tol, unit)}"
    word = "least" if claim.endswith("at_least") else "most"
    if claim.startswith("fall_"):  # a loss: the size of the fall, "a fall of at least 10.00%"
        bound = f"a fall of at {word} {shown.lstrip('-+')}"
    else:
        bound = f"at {word} {shown}"
    return bound + (f" (tolerance {_tolerance(tol, unit)})" if tol else "")


@dataclass(frozen=True, slots=True)
class FactResult:
    """The check of one fact.

    Attributes
    ----------
    id, kind, text, source
        From the fact.
    as_of
        The date it speaks of.
    series
        What it was computed from (alias and source name).
    claimed, computed
        The claimed and computed numbers (``None`` when there is none); ``unit`` says how to
        read them: ``"%"`` decimal returns, ``"bp"`` basis points, ``"share"`` decimal
        shares, ``""`` a signal's own scale.
    tolerance
        Largest accepted difference, in ``unit`` (0.005 of a ``"%"`` number is 0.5
        percentage points).
    verdict
        ``"reproduced"``, ``"not reproduced"`` or ``"not checkable"``.
    checks
        Each part of the claim and whether it held (e.g. the size, and "nothing larger since
        2020-04-30").
    detail
        What was computed, in words (dates, closes, the last larger move...).
    claim
        ``"about"``, ``"at_least"`` or ``"at_most"``: how ``claimed`` is read;
        ``"fall_at_least"`` / ``"fall_at_most"`` for a loss, whose bound is on the size of
        the fall (``claimed`` -0.10 with ``"fall_at_least"``: down 10% or more).
    look_ahead
        The number uses data after ``as_of`` (a full-sample statistic).
    values
        Extra numbers and dates for ``result.json``.
    """

    id: str
    kind: str
    text: str
    source: str
    as_of: pd.Timestamp | None
    series: str
    claimed: float | None
    computed: float | None
    unit: str
    tolerance: float
    verdict: str
    checks: tuple[tuple[str, bool], ...] = ()
    claim: str = "about"
    detail: str = ""
    look_ahead: bool = False
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        object.__setattr__(self, "values", readonly_mapping(dict(self.values)))

    @property
    def difference(self) -> float | None:
        """``computed - claimed`` (``None`` without both)."""
        if self.claimed is None or self.computed is None:
            return None
        return self.computed - self.claimed

    def row(self) -> dict[str, Any]:
        """Formatted row of the verdict table."""
        failed = [label for label, ok in self.checks if not ok]
        verdict = self.verdict + (f" (fails: {'; '.join(failed)})" if failed else "")
        return {
            "fact": self.text or self.id,
            "claimed": _claimed(self.claimed, self.unit, self.claim, self.tolerance),
            "computed": _fmt(self.computed, self.unit)
            + (" (look-ahead)" if self.look_ahead else ""),
            "verdict": verdict,
            "detail": self.detail,
            "as of": "" if self.as_of is None else f"{self.as_of:%Y-%m-%d}",
            "series": self.series,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "source": self.source,
            "as_of": None if self.as_of is None else f"{self.as_of:%Y-%m-%d}",
            "series": self.series,
            "claimed": self.claimed,
            "computed": self.computed,
            "unit": self.unit,
            "tolerance": self.tolerance,
            "claim": self.claim,
            "verdict": self.verdict,
            "checks": [{"check": label, "holds": ok} for label, ok in self.checks],
            "detail": self.detail,
            "look_ahead": self.look_ahead,
            "values": _plain(self.values),
        }


def _plain(value: Any) -> Any:
    """``values`` for JSON: nested read-only mappings as dicts, tuples as lists."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


_TIDY = [
    "id",
    "kind",
    "fact",
    "series",
    "as_of",
    "claimed",
    "computed",
    "unit",
    "tolerance",
    "verdict",
    "holds",
    "failed",
    "look_ahead",
    "detail",
]


_SHOWN = ("fact", "series", "claimed", "computed", "verdict", "detail")
"""The verdict table's columns in the text, markdown and HTML: the series says what each
number was computed from (a price or total-return index, a splice)."""


@dataclass(frozen=True, slots=True)
class FactTable:
    """The checked facts of a note (or a study), in the note's order.

    Attributes
    ----------
    title, source
        The note's title and where it was published.
    as_of
        The note's date.
    facts
        One :class:`FactResult` per fact.
    data_last
        Alias -> last date of each loaded series (``None`` for a series the data lacks).
    data_about
        Alias -> what the series is, from the data manifest (``"Russell 2000 Index, price
        return (FRED RU2000PR), then Russell 2000 price index (Yahoo ^RUT), spliced"``):
        price or total return, and the sources of a splice.
    """

    title: str
    source: str
    as_of: pd.Timestamp | None
    facts: tuple[FactResult, ...]
    data_last: Mapping[str, str | None] = field(default_factory=dict)
    data_about: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line: the note and how many facts."""
        return f"<FactTable {self.title!r}: {len(self.facts)} facts>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_last", readonly_mapping(dict(self.data_last)))
        object.__setattr__(self, "data_about", readonly_mapping(dict(self.data_about)))

    def counts(self) -> dict[str, int]:
        """How many facts got each verdict."""
        return {v: sum(f.verdict == v for f in self.facts) for v in VERDICTS}

    def headline(self) -> str:
        """The bottom line in one sentence."""
        c = self.counts()
        checkable = c["reproduced"] + c["not reproduced"]
        parts = [f"{c['reproduced']} of {checkable} checkable facts reproduced"]
        ahead = [f.id for f in self.facts if f.look_ahead and f.verdict == "reproduced"]
        if ahead:  # a full-sample statistic: not what was known on the date
            parts[0] += f", {len(ahead)} of them only with look-ahead ({', '.join(ahead)})"
        if c["not reproduced"]:
            missed = ", ".join(f.id for f in self.facts if f.verdict == "not reproduced")
            parts.append(f"not reproduced: {missed}")
        if c["not checkable"]:
            parts.append(f"{c['not checkable']} not checkable with this data")
        return "; ".join(parts) + "."

    def to_frame(self) -> pd.DataFrame:
        """Tidy facts, one row per fact: ``id``, ``kind``, ``fact`` (its text, else its id),
        ``series``, ``as_of`` (a date, NaT without one), ``claimed`` and ``computed`` (float64
        in the fact's ``unit``: ``"%"`` and ``"share"`` as decimals, ``"bp"``, ...; NaN when
        absent), ``unit``, ``tolerance``, ``verdict`` (the word), ``holds`` (every check
        holds), ``failed`` (the checks that do not, ``"; "``-joined), ``look_ahead`` and
        ``detail``.  :meth:`table` is the formatted verdict table."""
        rows = []
        for f in self.facts:  # loop over a note's facts
            failed = [label for label, ok in f.checks if not ok]
            rows.append(
                {
                    "id": f.id,
                    "kind": f.kind,
                    "fact": f.text or f.id,
                    "series": f.series,
                    "as_of": pd.NaT if f.as_of is None else pd.Timestamp(f.as_of),
                    "claimed": np.nan if f.claimed is None else float(f.claimed),
                    "computed": np.nan if f.computed is None else float(f.computed),
                    "unit": f.unit,
                    "tolerance": float(f.tolerance),
                    "verdict": f.verdict,
                    "holds": not failed,
                    "failed": "; ".join(failed),
                    "look_ahead": bool(f.look_ahead),
                    "detail": f.detail,
                }
            )
        frame = pd.DataFrame(rows, columns=_TIDY)
        frame["as_of"] = pd.to_datetime(frame["as_of"])
        return frame.astype({"claimed": float, "computed": float, "tolerance": float})

    def table(self) -> pd.DataFrame:
        """The verdict table, formatted for reading (one row per fact): ``fact``,
        ``claimed``, ``computed``, ``verdict`` (with the failed checks), ``detail``, ``as of``
        and ``series``."""
        return pd.DataFrame([f.row() for f in self.facts])

    def summary(self) -> str:
        """Terminal text: title, headline, then the table."""
        head = [self.title]
        if self.source or self.as_of is not None:
            when = "" if self.as_of is None else f"as of {self.as_of:%Y-%m-%d}"
            head.append(", ".join(x for x in (self.source, when) if x))
        head.append(self.headline())
        frame = self.table()[list(_SHOWN)]
        with pd.option_context("display.max_colwidth", 80, "display.width", 250):
            table = frame.to_string(index=False)
        return "\n".join([*head, "", table, *self._about()])

    def _about(self) -> list[str]:
        """``Series: rut = ...; spx = ...`` (what each series is), or nothing."""
        if not self.data_about:
            return []
        return ["", "Series: " + "; ".join(f"{a} = {d}" for a, d in self.data_about.items())]

    def to_markdown(self) -> str:
        """Markdown: title, headline, the verdict table and the data's last dates."""
        lines = [f"# {self.title}", ""]
        if self.source or self.as_of is not None:
            when = "" if self.as_of is None else f"as of {self.as_of:%Y-%m-%d}"
            lines += [", ".join(x for x in (self.source, when) if x), ""]
        lines += [f"**{self.headline()}**", ""]
        cols = list(_SHOWN)
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for f in self.facts:
            row = f.row()
            lines.append("| " + " | ".join(str(row[c]).replace("|", "\\|") for c in cols) + " |")
        if self.data_last:
            lines += [
                "",
                "Data: "
                + "; ".join(
                    f"{a} to {d}" if d else f"{a} missing" for a, d in self.data_last.items()
                )
                + ".",
            ]
        lines += self._about()
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """A standalone HTML page of :meth:`to_markdown`'s content."""
        cols = list(_SHOWN)
        head = "".join(f"<th>{c}</th>" for c in cols)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(f.row()[c]))}</td>" for c in cols) + "</tr>"
            for f in self.facts
        )
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title></head><body>"
            f"<h1>{html.escape(self.title)}</h1><p><strong>{html.escape(self.headline())}"
            f"</strong></p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            "</body></html>\n"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "title": self.title,
            "source": self.source,
            "as_of": None if self.as_of is None else f"{self.as_of:%Y-%m-%d}",
            "headline": self.headline(),
            "counts": self.counts(),
            "data_last": dict(self.data_last),
            "data_about": dict(self.data_about),
            "facts": [f.to_dict() for f in self.facts],
        }

    def _repr_html_(self) -> str:
        return f"<p><strong>{html.escape(self.headline())}</strong></p>" + self.table().to_html(
            index=False
        )
