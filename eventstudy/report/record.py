"""Machine-readable outputs: ``result.json`` (byte-identical on rerun) and ``run.json``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._version import __version__
from eventstudy.config import StudyConfig
from eventstudy.study import StudyResult, events_table

if TYPE_CHECKING:
    from eventstudy.report.document import Block

__all__ = [
    "environment",
    "result_record",
    "run_record",
    "study_header",
    "to_json",
    "write_report_files",
]

_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "arch", "matplotlib", "pyarrow")


def environment() -> dict[str, str]:
    """Package, Python and key library versions (the reproducibility record)."""
    return dict(_environment())


@functools.cache
def _environment() -> tuple[tuple[str, str], ...]:
    # installed versions cannot change within a process; metadata lookups cost ~15 ms each call
    env = {"eventstudy": __version__, "python": platform.python_version()}
    for lib in _LIBRARIES:
        try:
            env[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            env[lib] = "not installed"
    return tuple(env.items())


def _clean(x: Any) -> Any:
    """JSON-ready: NaN/inf -> None, numpy scalars -> Python, timestamps -> ISO dates."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, pd.Timestamp):
        return f"{x:%Y-%m-%d}"
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def study_header(cfg: StudyConfig, seed: int) -> dict[str, Any]:
    """The ``study`` block of ``result.json``."""
    return {
        "name": cfg.name,
        "title": cfg.title,
        "question": cfg.question,
        "kind": cfg.kind,
        "config_sha256": cfg.sha256,
        "seed": seed,
    }


def write_report_files(
    record: dict[str, Any],
    events: pd.DataFrame,
    blocks: list[Block],
    out_dir: Path,
    *,
    title: str,
) -> dict[str, Path]:
    """Write ``result.json``, ``events.csv``, ``report.md`` and ``report.html`` into ``out_dir``."""
    from eventstudy.report.document import render_html, render_markdown

    paths = {
        "result": out_dir / "result.json",
        "events": out_dir / "events.csv",
        "markdown": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["result"].write_text(to_json(record), encoding="utf-8")
    events.to_csv(paths["events"], index=False, date_format="%Y-%m-%d", float_format="%.10g")
    paths["markdown"].write_text(render_markdown(blocks, relative_to=out_dir), encoding="utf-8")
    paths["html"].write_text(render_html(blocks, title=title), encoding="utf-8")
    return paths


def result_record(result: StudyResult) -> dict[str, Any]:
    """The content of ``result.json``: nothing that differs between identical runs."""
    cfg = result.config
    data = result.data
    frame = data.aligned.frame
    record: dict[str, Any] = {
        "study": study_header(cfg, result.seed),
        "environment": environment(),
        "data": {alias: info.to_dict() for alias, info in data.aligned.infos.items()},
        "alignment": {
            "first": frame.index[0],
            "last": frame.index[-1],
            "rows": len(frame),
            "dropped": dict(data.aligned.dropped),
        },
        "splices": {
            alias: {
                "join_date": rep.join_date,
                "scale": rep.scale,
                "overlap_days": rep.overlap_days,
                "return_correlation": rep.return_correlation,
                "max_abs_return_diff": rep.max_abs_return_diff,
            }
            for alias, rep in data.splices.items()
        },
        "inference": {
            "default_test": cfg.inference.default_test,
            "tests": list(cfg.inference.tests),
            "placebo_draws": cfg.inference.draws,
            "bootstrap_reps": cfg.inference.bootstrap_reps,
            "placebo_stratify": cfg.inference.placebo_stratify,
            "multiple_testing": list(cfg.inference.multiple_testing),
            "multiple_testing_family": "per test, across all variants x targets x horizons",
        },
        "variants": [],
        "events": [],
        "results": [],
        "claims": [],
        "caveats": list(result.caveats),
        "warnings": list(result.warnings),
    }
    for v in result.variants:
        record["variants"].append(
            {
                "name": v.name,
                "description": v.description,
                "signal": v.signal.description,
                "threshold": v.signal.threshold,
                "look_ahead": v.signal.look_ahead,
                "trigger_days": v.events.n_triggers,
                "events": v.events.n_events,
                "min_gap": v.events.min_gap,
                "mode": v.events.mode,
            }
        )
        table = events_table(v)
        horizons = [c.removeprefix("complete_") for c in table.columns if c.startswith("complete_")]
        targets = list(v.forward)
        for _, row in table.iterrows():
            record["events"].append(
                {
                    "variant": v.name,
                    "date": row["date"],
                    "value": row["value"],
                    "complete": {h: bool(row[f"complete_{h}"]) for h in horizons},
                    "forward_returns": {t: {h: row[f"{t}_{h}"] for h in horizons} for t in targets},
                }
            )
        for target, ev in v.evaluations.items():
            for h, hs in ev.horizons.items():
                stats = hs.stats_dict()
                entry: dict[str, Any] = {"variant": v.name, "target": target}
                entry.update(stats)
                tests = {}
                for tname, tr in hs.tests.items():
                    d = tr.to_dict()
                    d["p_adjusted"] = dict(result.adjusted.get((v.name, target, h, tname), {}))
                    d["method"] = tr.method
                    tests[tname] = d
                entry["tests"] = tests
                entry["verdict"] = ev.verdict(h)
                record["results"].append(entry)
    for c in result.claims:
        record["claims"].append(
            {
                "target": c.target,
                "horizon": c.horizon,
                "variant": c.variant,
                "claimed": c.claimed,
                "tolerance": c.tolerance,
                "estimate": c.estimate,
                "n": c.n,
                "reproduced": c.reproduced,
                "source": c.source,
            }
        )
    return _clean(record)


def to_json(record: dict[str, Any]) -> str:
    """Stable JSON text (fixed key order as built, 2-space indent, trailing newline)."""
    return json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def run_record(
    *, argv: list[str], out_dir: str, started: dt.datetime, seconds: float
) -> dict[str, Any]:
    """The content of ``run.json``: what differs between runs (command, paths, times)."""
    return {
        "command": argv,
        "out_dir": out_dir,
        "started_utc": started.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "duration_seconds": round(seconds, 3),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "environment": environment(),
    }
