"""The shipped notes (studies/notes/*.toml) against values computed independently from the
snapshot's CSV files with plain pandas, and `eventstudy check` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.facts import check_note

pytestmark = pytest.mark.integration

NOTES = Path(__file__).resolve().parents[2] / "studies" / "notes"


def _csv(root: Path, rel: str, column: str) -> pd.Series:
    frame = pd.read_csv(root / rel, parse_dates=["date"], index_col="date")
    return frame[column].dropna()


def _rut(root: Path) -> pd.Series:
    """FRED's Russell 2000 chained into Yahoo ^RUT at their first common date (recent
    values are Yahoo's: every fact here is after 2019)."""
    return _csv(root, "series/yahoo/RUT.csv", "close")


def _by_id(path: Path, data: Path) -> dict[str, object]:
    return {f.id: f for f in check_note(path, data_dir=data).facts}


# Each note's verdicts, as the claims' numbers and the values the tests below compute with
# plain pandas imply ("not checkable": the unverifiable facts, and the breadth note's
# "long-run 57%", which the panel's 20 months cannot check).
VERDICTS = {
    "election_week_2024": {
        "three_sigma_event": "reproduced",
        "three_sigma_without_look_ahead": "reproduced",
        "rut_day": "reproduced",
    },
    "small_caps_august_2025": {
        "august_best_since_2000": "reproduced",
        "up_from_april_low": "reproduced",
        "etf_flows": "not checkable",
    },
    "small_caps_record_week_july_2024": {
        "five_day_record": "reproduced",
        "ten_year_week": "reproduced",
    },
    "small_caps_ytd_july_2025": {
        "rut_ytd": "reproduced",
        "spx_ytd": "reproduced",
        "valuation_spread": "not checkable",
        "earnings_revisions": "not checkable",
    },
    "sp500_breadth_2015": {
        "breadth_55": "not checkable",
        "spx_ytd": "reproduced",
        "russell_3000_breadth": "not checkable",
    },
}


def test_every_shipped_note_checks(snapshot_dir: Path) -> None:
    notes = sorted(NOTES.glob("*.toml"))
    assert [p.stem for p in notes] == sorted(VERDICTS)
    for path in notes:
        table = check_note(path, data_dir=snapshot_dir)
        assert {f.id: f.verdict for f in table.facts} == VERDICTS[path.stem], path
        for f in table.facts:
            if f.kind == "unverifiable":
                assert f.detail


def test_august_2025_against_pandas(snapshot_dir: Path) -> None:
    rut = _rut(snapshot_dir)
    month_end = rut.resample("ME").last()
    aug = month_end.pct_change()
    aug = aug[aug.index.month == 8]
    facts = _by_id(NOTES / "small_caps_august_2025.toml", snapshot_dir)
    best = facts["august_best_since_2000"]
    assert best.computed == pytest.approx(aug.loc["2025-08"].iloc[0], rel=1e-12)
    later = aug["2001":"2024"]
    assert (later < aug.loc["2025-08"].iloc[0]).all()  # best since 2000 ...
    assert best.values["last_better_year"] == 2000  # ... and August 2000 was better
    assert aug.loc["2000-08"].iloc[0] > aug.loc["2025-08"].iloc[0]
    assert best.verdict == "reproduced"
    low = facts["up_from_april_low"]
    since = rut["2025-01-01":"2025-08-29"]
    assert low.values["low_date"] == f"{since.idxmin():%Y-%m-%d}" == "2025-04-08"
    assert low.computed == pytest.approx(rut["2025-08-29"] / since.min() - 1, rel=1e-12)
    assert facts["etf_flows"].verdict == "not checkable"


def test_july_2024_record_week_against_pandas(snapshot_dir: Path) -> None:
    rut = _rut(snapshot_dir)
    five = rut / rut.shift(5) - 1
    facts = _by_id(NOTES / "small_caps_record_week_july_2024.toml", snapshot_dir)
    rec = facts["five_day_record"]
    assert rec.computed == pytest.approx(five["2024-07-16"], rel=1e-12)
    between = five["2020-05-01":"2024-07-15"]
    assert between.max() < five["2024-07-16"]  # nothing larger after April 2020
    earlier = five[:"2024-07-15"]
    last = earlier[earlier >= five["2024-07-16"]].index[-1]
    assert rec.values["last_larger_date"] == f"{last:%Y-%m-%d}"
    assert last.strftime("%Y-%m") == "2020-04"
    assert rec.verdict == "reproduced"
    dgs10 = _csv(snapshot_dir, "series/fred/DGS10.csv", "value")
    week = facts["ten_year_week"]
    expected = (dgs10["2024-07-26"] - dgs10[:"2024-07-21"].iloc[-1]) * 100
    assert week.computed == pytest.approx(expected, abs=1e-9)


def test_ytd_july_2025_and_election_against_pandas(snapshot_dir: Path) -> None:
    rut = _rut(snapshot_dir)
    spx = _csv(snapshot_dir, "series/yahoo/GSPC.csv", "close")
    ytd = _by_id(NOTES / "small_caps_ytd_july_2025.toml", snapshot_dir)
    assert ytd["rut_ytd"].computed == pytest.approx(rut["2025-07-28"] / rut["2024-12-31"] - 1)
    assert ytd["spx_ytd"].computed == pytest.approx(spx["2025-07-28"] / spx["2024-12-31"] - 1)
    election = _by_id(NOTES / "election_week_2024.toml", snapshot_dir)
    # FRED's index rescaled to Yahoo's on Yahoo's first date and used before it; the
    # five-day simple-return spread z-scored by its mean and sd (ddof 1) since 1980
    fred = _csv(snapshot_dir, "series/fred/RU2000PR.csv", "value")
    join = rut.index[0]
    chained = pd.concat([fred[:join].iloc[:-1] * rut[join] / fred[join], rut])
    both = pd.concat({"rut": chained, "spx": spx}, axis=1, sort=True).dropna()
    spread = both["rut"].pct_change(5) - both["spx"].pct_change(5)
    sample = spread["1980-01-01":"2024-11-08"]  # nothing after the note's as-of date
    expected = (spread["2024-11-06"] - sample.mean()) / sample.std(ddof=1)
    z = election["three_sigma_event"]
    assert z.computed == pytest.approx(expected, rel=1e-9)
    assert z.look_ahead and "look-ahead" in z.row()["computed"]
    assert z.computed > 3.0 and z.values["event"] is True
    assert not election["three_sigma_without_look_ahead"].look_ahead
    day = election["rut_day"]
    assert day.computed == pytest.approx(rut["2024-11-06"] / rut["2024-11-05"] - 1, rel=1e-12)


def _share_above_200(px: np.ndarray, t: int) -> float:
    """The definition, row by row: of the stocks with a close on row ``t`` and closes on all of
    the 200 rows ending there, the share whose close is above the mean of those 200."""
    window = px[t - 199 : t + 1]
    full = ~np.isnan(window).any(axis=0)
    return float(np.mean(px[t, full] > window[:, full].mean(axis=0)))


def test_breadth_note_reports_the_panel_average(snapshot_dir: Path) -> None:
    facts = _by_id(NOTES / "sp500_breadth_2015.toml", snapshot_dir)
    b = facts["breadth_55"]
    long = pd.read_csv(snapshot_dir / "panel/sp500_pit_daily_2013_2018.csv", parse_dates=["date"])
    wide = long.pivot(index="date", columns="ticker", values="close").sort_index()
    px = wide.to_numpy(dtype=float)
    day = int(wide.index.get_loc(pd.Timestamp("2015-08-07")))
    assert b.computed == pytest.approx(_share_above_200(px, day), rel=1e-12)
    history = [_share_above_200(px, t) for t in range(199, day + 1)]
    assert b.values["long_run_average"] == pytest.approx(np.mean(history), rel=1e-12)
    # the panel's own history (2013-12-11..2015-08-07) averages far above the note's "long-run
    # 57%", but 1.7 years is no long run: the average is not checkable (it was "not reproduced")
    assert b.values["long_run_average"] > 0.6
    assert b.verdict == "not checkable"
    assert "the history is 2013-12-11..2015-08-07 (1.7 years), shorter than the 10" in b.detail
    # the stocks counted and left out, row by row as above (256 of 468; 30 of 498 left out)
    t = day
    window = px[t - 199 : t + 1]
    has = ~np.isnan(px[t])
    full = ~np.isnan(window).any(axis=0)
    above = int(np.sum(px[t, full] > window[:, full].mean(axis=0)))
    left = int(np.sum(has & ~full))
    assert (above, int(full.sum()), left, int(has.sum())) == (256, 468, 30, 498)
    assert f"({above} of {int(full.sum())} above; {left} of {int(has.sum())} stocks left out" in (
        b.detail
    )
    # each stock over its own last 200 closes: 261 of 474 (55.1%)
    own = [wide[c].loc[:"2015-08-07"].dropna() for c in wide if has[list(wide).index(c)]]
    own = [s for s in own if len(s) >= 200]
    own_above = sum(s.iloc[-1] > s.iloc[-200:].mean() for s in own)
    assert b.values["own_closes"]["share"] == pytest.approx(own_above / len(own), rel=1e-12)
    assert (own_above, len(own)) == (261, 474)
    assert facts["russell_3000_breadth"].verdict == "not checkable"


def test_cli_check_prints_and_writes_the_table(snapshot_dir: Path, tmp_path: Path, capsys) -> None:
    note = NOTES / "small_caps_august_2025.toml"
    code = main(["check", str(note), "--data-dir", str(snapshot_dir), "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].startswith("2 of 2 checkable facts reproduced")
    record = json.loads((tmp_path / "facts.json").read_text())
    assert record["counts"] == {"reproduced": 2, "not reproduced": 0, "not checkable": 1}
    assert record["note_sha256"]
    md = (tmp_path / "facts.md").read_text()
    assert md.startswith("# Small caps: the best August since 2000")
    assert "| fact | series | claimed | computed | verdict | detail |" in md
    assert "<table>" in (tmp_path / "facts.html").read_text()
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_check_errors_in_one_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[note]\nas_of = 2020-01-01\n[data.series]\na = "yahoo:RUT"\n[[facts]]\nkind = "nope"\n'
    )
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "key 'kind' must be one of" in err


def _note(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "n.toml"
    path.write_text(text)
    return path


def test_facts_past_the_snapshot_are_not_checkable(snapshot_dir: Path, tmp_path: Path) -> None:
    """The snapshot's S&P 500 ends on Friday 2026-08-21 and DGS10 on Thursday 2026-08-20
    (read with pandas below). Year to date as of Tuesday 2026-08-25 was +12.11% to the Friday
    close, and the 10-year's week to date as of Monday 2026-08-24 last week's +1.0 bp: both
    now not checkable, naming the series and its last date."""
    spx = _csv(snapshot_dir, "series/yahoo/GSPC.csv", "close")
    dgs10 = _csv(snapshot_dir, "series/fred/DGS10.csv", "value")
    assert (f"{spx.index[-1]:%Y-%m-%d}", f"{dgs10.index[-1]:%Y-%m-%d}") == (
        "2026-08-21",
        "2026-08-20",
    )
    path = _note(
        tmp_path,
        '[note]\nas_of = 2026-08-25\n[data.series]\nspx = "yahoo:^GSPC"\n'
        'dgs10 = { name = "fred:DGS10", kind = "level" }\n'
        '[[facts]]\nid = "ytd"\nkind = "return"\nseries = "spx"\nfrom = "year_start"\n'
        "claimed = 0.12\n"
        '[[facts]]\nid = "week"\nkind = "change"\nseries = "dgs10"\nfrom = "week_start"\n'
        "as_of = 2026-08-24\nclaimed = 1.0\n",
    )
    ytd, week = check_note(path, data_dir=snapshot_dir).facts
    assert ytd.verdict == week.verdict == "not checkable"
    assert ytd.detail.startswith("spx (yahoo:^GSPC) ends on 2026-08-21, before 2026-08-25")
    assert week.detail.startswith("dgs10 (fred:DGS10) ends on 2026-08-20, before 2026-08-24")
