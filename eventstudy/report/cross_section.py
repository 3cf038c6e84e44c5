"""Record and report of a cross-sectional study."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.report.document import Block, _p
from eventstudy.report.facts import facts_blocks
from eventstudy.report.record import _clean, environment, study_header

if TYPE_CHECKING:
    from eventstudy.crosssection.results import CrossSectionStudyResult
    from eventstudy.data import DataStore

__all__ = ["build_cross_section_report", "cross_section_record"]


def _window_key(w: tuple[int, int]) -> str:
    return f"{w[0]}..{w[1]}"


def cross_section_record(res: CrossSectionStudyResult) -> dict[str, Any]:
    """The content of ``result.json`` for a cross-sectional study (no run-specific values)."""
    r = res.result
    cfg = res.config
    caar = r.caar.reset_index()
    events = res.events_frame()
    record: dict[str, Any] = {
        "study": study_header(cfg, cfg.seed),
        "environment": environment(),
        "data": {k: v.to_dict() for k, v in res.data.items()},
        "settings": {
            "model": r.model,
            "convention": r.convention,
            "estimation": list(r.estimation),
            "event_window": list(r.event_window),
            "car_windows": [list(w) for w in res.car_windows],
            "level": r.level,
        },
        "counts": {
            "events_given": r.n_events_input,
            "events_used": r.n_events_input - r.n_dropped,
            "events_dropped": r.n_dropped,
            "events_moved_to_next_trading_day": r.n_moved,
            "dropped_reasons": dict(r.dropped_reasons),
        },
        "caar": caar.to_dict(orient="records"),
        "daily_tests": {
            str(day): {name: tr.to_dict() for name, tr in tests.items()}
            for day, tests in r.daily_tests.items()
        },
        "window_tests": {
            _window_key(w): {name: tr.to_dict() for name, tr in tests.items()}
            for w, tests in r.window_tests.items()
        },
        "events": events.to_dict(orient="records"),
        "warnings": list(res.warnings),
    }
    if res.facts is not None:
        record["facts"] = res.facts.to_dict()["facts"]
    return _clean(record)


def _tests_table(tests: Mapping[Any, Mapping[str, Any]], label: str) -> pd.DataFrame:
    rows = []
    for key, by_name in tests.items():
        for name, tr in by_name.items():
            rows.append(
                {
                    label: _window_key(key) if isinstance(key, tuple) else key,
                    "test": name,
                    "statistic": "n/a" if not tr.applicable else f"{tr.statistic:.4g}",
                    "p-value": _p(tr.p_value),
                    "distribution": tr.distribution,
                }
            )
    return pd.DataFrame(rows)


def _window_cars(r: Any) -> list[tuple[tuple[int, int], float, Any]]:
    """Per CAR window: the mean CAR and the verdict test (adjusted BMP, else the first)."""
    out = []
    for w, tests in r.window_tests.items():
        days = [c for c in r.ar.columns if w[0] <= int(c) <= w[1]]
        car = float(r.ar[days].sum(axis=1, min_count=1).mean())
        out.append((w, car, tests.get("car_adjusted_boehmer") or next(iter(tests.values()))))
    return out


def bottom_line(r: Any) -> str:
    """The answer in one sentence: which CAR windows' means differ from zero under the
    verdict test at ``1 - level``."""
    alpha = 1.0 - r.level
    rows = _window_cars(r)
    tested = [(w, car, t) for w, car, t in rows if t.applicable]
    if not tested:
        return "The verdict test could not run on any CAR window."
    name = tested[0][2].name
    sig = [(w, car, t) for w, car, t in tested if t.p_value < alpha]
    extra = f" (not corrected for the {len(tested)} windows)" if len(tested) > 1 else ""
    if not sig:
        w, car, t = max(tested, key=lambda x: abs(x[1]))
        robust = (
            " once event-induced variance and cross-correlation are accounted for"
            if name == "car_adjusted_boehmer"
            else ""
        )
        return (
            f"No CAR window's mean differs from zero at {alpha:.0%}{robust} ({name}, "
            f"{len(tested)} windows); the largest mean CAR is {car:+.2%} over {_window_key(w)} "
            f"(p={_p(t.p_value)})."
        )
    where = ", ".join(f"{_window_key(w)} ({car:+.2%}, p={_p(t.p_value)})" for w, car, t in sig)
    return (
        f"{len(sig)} of {len(tested)} CAR windows' means differ from zero at {alpha:.0%} "
        f"({name}){extra}: {where}."
    )


def build_cross_section_report(
    res: CrossSectionStudyResult,
    *,
    figures: Mapping[str, tuple[Path, str]] | None = None,
    store: DataStore | None = None,
) -> list[Block]:
    """Blocks of the cross-sectional report."""
    r = res.result
    cfg = res.config
    blocks = [Block("h1", cfg.title)]
    if cfg.question:
        blocks.append(Block("p", f"**Question.** {cfg.question}"))
    blocks.append(Block("p", f"**Bottom line.** {bottom_line(r)}"))
    used = r.n_events_input - r.n_dropped
    blocks.append(
        Block(
            "p",
            f"**Design.** {r.model.replace('_', ' ')} fitted on trading days "
            f"{r.estimation[0]}..{r.estimation[1]} relative to each event; event window "
            f"{r.event_window[0]}..{r.event_window[1]}; {r.n_events_input} events given, {used} used "
            f"({r.n_moved} of them moved to the next trading day), "
            f"{r.n_dropped} dropped {dict(r.dropped_reasons) or ''}. Test conventions: "
            f"{r.convention}.",
        )
    )
    if res.facts is not None:
        blocks += facts_blocks(res.facts)
    blocks.append(Block("h2", "Verdicts"))
    lines = []
    for w, car, t in _window_cars(r):
        head = f"CAR {_window_key(w)}: mean {car:+.2%}"
        lines.append(
            f"{head}; {t.name} statistic {t.statistic:.3g}, p={_p(t.p_value)}"
            if t.applicable
            else f"{head}; {t.name} not applicable ({t.reason})"
        )
    blocks.append(Block("list", lines))
    blocks.append(
        Block(
            "p",
            "The verdict uses the Kolari–Pynnönen adjusted BMP test: robust to event-induced "
            "variance (BMP) and to cross-correlation of abnormal returns when events share a date.",
        )
    )
    for _key, (path, caption) in (figures or {}).items():
        blocks.append(Block("figure", path, caption))
    caar = r.caar.reset_index()
    show = caar.copy()
    for col in show.columns:
        if col not in ("relative_day", "n"):
            show[col] = show[col].map(lambda x: "" if not np.isfinite(x) else f"{x:+.3%}")
    blocks.append(Block("h2", "Average abnormal returns"))
    blocks.append(Block("table", show))
    blocks.append(Block("h2", "CAR tests"))
    blocks.append(Block("table", _tests_table(r.window_tests, "window")))
    blocks.append(Block("h2", "Daily tests"))
    blocks.append(Block("table", _tests_table(r.daily_tests, "day")))
    blocks.append(Block("h2", "Caveats"))
    caveats = [
        "When events share a calendar date their abnormal returns are cross-correlated; "
        "unadjusted Patell/BMP/t tests then over-reject (Kolari & Pynnönen 2010).",
        "Per-event CARs and BHARs are in events.csv.",
    ]
    if store is not None:
        for alias, info in res.data.items():
            entry = store.manifest_entry(store.root / info.source)
            if entry.get("notes"):
                caveats.append(f"{alias} ({info.source}): {entry['notes']}")
    caveats += list(res.warnings)
    blocks.append(Block("list", caveats))
    blocks.append(Block("h2", "Run record"))
    blocks.append(
        Block(
            "list",
            [
                f"config: {cfg.path} (sha256 {cfg.sha256})",
                "data: "
                + "; ".join(f"{k} {v.source} sha256 {v.sha256[:16]}" for k, v in res.data.items()),
                "versions: " + ", ".join(f"{k} {v}" for k, v in environment().items()),
            ],
        )
    )
    return blocks
