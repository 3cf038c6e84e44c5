"""One entry point for both kinds of study: ``es.run_study`` and ``es.write_outputs``."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import eventstudy as es
from eventstudy.conftest import EXAMPLE_STUDY, write_example_data
from eventstudy.exceptions import ConfigError

CS_STUDY = """
[study]
name = "cs_example"
kind = "cross_section"
title = "Stock A around its third jump"
[data.series]
mkt = "test:M"
[cross_section]
panel = "panel:p"
market = "mkt"
event_date = 2011-07-18
tickers = "all"
model = "market_model"
estimation = [-200, -11]
event_window = [-2, 2]
min_estimation = 100
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = write_example_data(tmp_path / "data")  # with panel:p (A, B) and the index test:M
    (tmp_path / "ts.toml").write_text(EXAMPLE_STUDY)
    (tmp_path / "cs.toml").write_text(CS_STUDY)
    return root


def test_run_study_runs_either_kind(data_dir: Path) -> None:
    ts = es.run_study(data_dir.parent / "ts.toml", data_dir=data_dir)
    cs = es.run_study(str(data_dir.parent / "cs.toml"), data_dir=data_dir)
    assert isinstance(ts, es.StudyResult)
    assert isinstance(cs, es.CrossSectionStudyResult)
    assert ts.variants[0].events.n_events == 3  # the three planted jumps
    assert cs.result.events["ticker"].tolist() == ["A", "B"]
    assert cs.config.kind == "cross_section"
    with pytest.raises(ConfigError, match="no seed"):
        es.run_study(data_dir.parent / "cs.toml", data_dir=data_dir, seed=3)


def test_write_outputs_writes_either_kind(data_dir: Path, tmp_path: Path) -> None:
    for name in ("ts", "cs"):
        result = es.run_study(data_dir.parent / f"{name}.toml", data_dir=data_dir)
        paths = es.write_outputs(result, tmp_path / "out" / name, figures=name == "cs")
        assert set(paths) == {"result", "events", "markdown", "html", "run"}
        record = json.loads(paths["result"].read_text())
        assert record["study"]["kind"] == ("cross_section" if name == "cs" else "time_series")
        assert paths["html"].read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "out" / "cs" / "figures" / "caar.png").stat().st_size > 1000
    with pytest.raises(TypeError, match="needs the result of eventstudy.run_study"):
        es.write_outputs(object(), tmp_path / "bad")


def test_write_outputs_marks_the_folder_as_the_command_does(data_dir: Path, tmp_path: Path) -> None:
    """A folder written from Python has its run.json (the files it wrote and their sha256),
    so ``eventstudy run --out`` into it later replaces it instead of refusing it."""
    import hashlib

    from eventstudy.cli import main
    from eventstudy.report.files import check_output_folder

    out = tmp_path / "out"
    result = es.run_study(data_dir.parent / "ts.toml", data_dir=data_dir)
    paths = es.write_outputs(result, out, figures=False)
    run = json.loads(paths["run"].read_text())
    assert run["out_dir"] == str(out) and run["command"]
    listed = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(run["outputs"]) == listed - {"run.json"}
    for rel, digest in run["outputs"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    check_output_folder(out, force=False)  # the command's own check: not refused
    argv = ["run", str(data_dir.parent / "ts.toml"), "--data-dir", str(data_dir)]
    assert main([*argv, "--out", str(out), "--no-figures", "--quiet"]) == 0


def test_cross_section_ticker_list_runs(data_dir: Path) -> None:
    """Regression: a ``tickers`` list used to be rejected for every list."""
    text = CS_STUDY.replace('tickers = "all"', 'tickers = ["B", "A"]')
    cs = es.run_study(
        es.parse_study(text, source=str(data_dir.parent / "cs2.toml")), data_dir=data_dir
    )
    assert sorted(cs.result.events["ticker"]) == ["A", "B"]


def test_time_series_run_does_not_import_the_cross_section_battery(
    data_dir: Path, tmp_path: Path
) -> None:
    """The one entry point keeps the time-series path light: parsing and writing a time-series
    study must not import scipy.stats (~0.5 s) through the cross-section package."""
    import subprocess
    import sys

    code = (
        "import sys, eventstudy as es\n"
        f"r = es.run_study({str(data_dir.parent / 'ts.toml')!r}, data_dir={str(data_dir)!r})\n"
        f"es.write_outputs(r, {str(tmp_path / 'o')!r}, figures=False)\n"
        "print(sorted(m for m in ('scipy.stats', 'eventstudy.crosssection.api') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_notebook_view_is_compact_and_formatted(data_dir: Path) -> None:
    ts = es.run_study(data_dir.parent / "ts.toml", data_dir=data_dir)
    page = ts._repr_html_()
    row = ts.to_frame().iloc[0]
    assert f"{row['mean']:+.2%}" in page and f"{row['excess_mean']:+.2%}" in page
    assert f"{row['shift_t_p']:.3g}" in page  # the default test's p-value
    assert page.count("<th>") <= 10  # not the 35-column statistics frame
    assert ts.config.title in page and "3 events (15 trigger days)" in page
    assert "<b>Caveats</b>" in page
    assert "<li>Forward returns over overlapping horizons" in page
    # the verdict lines lead, before the table
    verdicts = ts.verdicts()
    assert verdicts and all(f"<li>{html.escape(v)}</li>" in page for v in verdicts)
    assert (
        page.index("<b>Verdicts</b>") < page.index(html.escape(verdicts[-1])) < page.index("<table")
    )


def test_cross_section_notebook_view(data_dir: Path) -> None:
    cs = es.run_study(data_dir.parent / "cs.toml", data_dir=data_dir)
    page = cs._repr_html_()
    assert page.startswith("<h4>Stock A around its third jump</h4>")
    assert "Cross-sectional event study" in page
    r = cs.result
    # the CAAR path in percent: one row per event day, five columns
    caar_table = page.split("<b>CAAR path</b>")[1].split("</table>")[0]
    assert caar_table.count("<th>") == 5 and caar_table.count("<tr") == 1 + len(r.caar)
    assert f"<td>{r.caar['caar'].iloc[-1] * 100:+.2f}%</td>" in caar_table
    # the window tests: window, test, statistic, p (or why not applicable)
    tests = page.split("<b>CAR window tests</b>")[1]
    assert re.findall(r"<th>(.*?)</th>", tests) == ["window", "test", "statistic", "p"]
    for name, t in next(iter(r.window_tests.values())).items():
        shown = f"{t.p_value:.3g}" if t.applicable else f"n/a: {html.escape(t.reason)}"
        assert f"<td>{name}</td>" in tests and shown in tests


def test_study_results_are_read_only_and_frames_are_tidy(data_dir: Path) -> None:
    ts = es.run_study(data_dir.parent / "ts.toml", data_dir=data_dir)
    key = next(iter(ts.adjusted))
    with pytest.raises(TypeError):
        ts.adjusted[key] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        ts.adjusted[key]["holm"] = 0.0  # type: ignore[index]
    v = ts.variants[0]
    for mapping in (v.evaluations, v.paths, v.forward, v.placebo_paths):
        with pytest.raises(TypeError):
            mapping["x"] = None  # type: ignore[index]
    frame = ts.to_frame()  # one row per variant x target x horizon
    n_rows = sum(len(ev.horizons) for v in ts.variants for ev in v.evaluations.values())
    assert len(frame) == n_rows and {"applicable", "reason", "hac_applicable", "hac_reason"} <= set(
        frame
    )
    assert frame.loc[~frame["hac_applicable"], "hac_reason"].str.len().gt(0).all()
    cs = es.run_study(data_dir.parent / "cs.toml", data_dir=data_dir)
    with pytest.raises(TypeError):
        cs.data["x"] = None  # type: ignore[index]
    tests = cs.to_frame()  # the tests, as CrossSectionResult.to_frame
    pd.testing.assert_frame_equal(tests, cs.result.to_frame())
    assert {"scope", "period", "test", "applicable", "reason"} <= set(tests)
    assert len(cs.events_frame()) == cs.result.n_events  # the per-event table


def test_es_backtest_documents_the_function_whichever_the_name_holds() -> None:
    """es.backtest may be the package (once eventstudy.backtest is imported): its signature
    and help are the function's, so a notebook's ``es.backtest?`` says what a call does."""
    import inspect
    import pydoc

    import eventstudy as es
    import eventstudy.backtest
    from eventstudy.backtest.engine import backtest

    assert inspect.signature(es.backtest) == inspect.signature(backtest)
    assert inspect.signature(eventstudy.backtest) == inspect.signature(backtest)
    text = pydoc.render_doc(eventstudy.backtest)
    assert inspect.cleandoc(backtest.__doc__ or "").splitlines()[0] in text
    assert "placebo_draws" in text


def test_run_study_checks_its_seed(tmp_path: Path) -> None:
    """A Generator failed deep inside ('has no len()'), and "1" was kept as a string seed."""
    import numpy as np

    import eventstudy as es
    from eventstudy.conftest import EXAMPLE_STUDY, write_example_data

    data_dir = write_example_data(tmp_path / "data")
    study = es.parse_study(EXAMPLE_STUDY)
    for bad in (np.random.default_rng(0), "1", 1.5, True):
        with pytest.raises(TypeError, match="seed must be an integer"):
            es.run_study(study, data_dir=data_dir, seed=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be >= 0"):
        es.run_study(study, data_dir=data_dir, seed=-1)
    result = es.run_study(study, data_dir=data_dir, seed=np.int64(3))  # type: ignore[arg-type]
    assert result.seed == 3 and type(result.seed) is int
