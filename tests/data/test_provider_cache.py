"""The fetched cache: French missing codes per column, the manifest under concurrent
fetches, whole-history updates for providers that revise the whole history, a cache series
the snapshot shadows, and corrupt files."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import DataStore
from eventstudy.data.providers import fetch_series, update_series
from eventstudy.data.reader import read_table
from eventstudy.exceptions import DataError, DataRevisionWarning
from tests.data.test_providers import NOW, FakeSession


def _industries_zip() -> bytes:
    """49 industries' layout: a value-weighted monthly table with -99.99 where an industry
    has no firms (Soda before 1928, Beer now and then), then the equal-weighted table."""
    inds = ["Agric", "Food", "Soda", "Beer"]
    months = pd.period_range("1926-07", "1928-12", freq="M")
    lines = [
        "This file was created by CMPT_IND_RETS using the 202401 CRSP database.",
        "Missing data are indicated by -99.99 or -999.",
        "",
        "  Average Value Weighted Returns -- Monthly",
        "," + ",".join(f"{c:>6}" for c in inds),
    ]
    for i, p in enumerate(months):
        soda = -99.99 if p < pd.Period("1928-01", "M") else 1.5
        beer = -999.0 if i % 7 == 0 else 0.8
        vals = [2.37, 0.12, soda, beer]
        lines.append(f"{p.year}{p.month:02d}," + ",".join(f"{v:6.2f}" for v in vals))
    lines += ["", "  Average Equal Weighted Returns -- Monthly", "," + ",".join(inds)]
    lines += [f"{p.year}{p.month:02d}," + ",".join("9.99" for _ in inds) for p in months]
    lines += ["", ""]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("49_Industry_Portfolios.CSV", "\r\n".join(lines))
    return buffer.getvalue()


def test_french_missing_codes_empty_their_own_column_only(tmp_path: Path) -> None:
    rec = fetch_series(
        "french:49_Industry_Portfolios",
        tmp_path,
        session=FakeSession(_industries_zip()),
        now=NOW,
    )
    assert (rec.row["rows"], rec.row["dropped"]) == (30, 0)
    assert rec.row["units"] == "percent per month, as published"
    assert "per column: Soda 18, Beer 5" in rec.row["notes"]
    store = DataStore(tmp_path)
    agric = store.load("french:49_Industry_Portfolios[Agric]")
    assert agric.data.size == 30 and dict(agric.info.dropped) == {}  # every month kept
    soda = store.load("french:49_Industry_Portfolios[Soda]")
    assert soda.data.size == 12 and dict(soda.info.dropped) == {"missing_value": 18}
    assert soda.data.index[0] == pd.Timestamp("1928-01-31")
    assert "column 'Soda' 18" in " ".join(soda.info.notes)
    beer = store.load("french:49_Industry_Portfolios[Beer]")
    assert beer.data.size == 25 and dict(beer.info.dropped) == {"missing_value": 5}


def test_a_snapshot_file_keeps_refusing_an_empty_cell(tmp_path: Path) -> None:
    """The drop-and-count applies to the cache only; a snapshot file with NaN still raises."""
    (tmp_path / "series" / "test").mkdir(parents=True)
    days = pd.bdate_range("2020-01-02", periods=3)
    frame = pd.DataFrame({"date": days, "close": [1.0, np.nan, 2.0]})
    frame.to_parquet(tmp_path / "series" / "test" / "A.parquet", index=False)
    with pytest.raises(DataError, match=r"missing value .* on 2020-01-03"):
        DataStore(tmp_path).load("test:A")
    parsed = read_table(tmp_path / "series" / "test" / "A.parquet", drop_missing=True)
    assert parsed.frame["close"].tolist() == [1.0, 2.0]
    assert parsed.dropped == {"missing_value": 1}


def _write_one(args: tuple[str, int]) -> None:
    """One fetch's write into the cache (run in a worker process)."""
    from eventstudy.data.providers import _write
    from eventstudy.data.providers._table import Fetched

    root, i = args
    days = pd.bdate_range("2000-01-03", periods=2000)
    frame = pd.DataFrame({"value": np.full(days.size, 1.0 + i / 100)}, index=days)
    _write(Path(root), f"fred:DGS{i}", Fetched(frame, 0, "test", "percent per annum"), frame,
           dropped=0, now=NOW)  # fmt: skip


def test_concurrent_fetches_keep_every_manifest_row(tmp_path: Path) -> None:
    """48 fetches from 12 processes at once: every parquet has its manifest row (without
    the lock, rows written by one fetch were overwritten by another's stale manifest)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pytest.importorskip("fcntl")
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(12, mp_context=context) as pool:
        list(pool.map(_write_one, [(str(tmp_path), i) for i in range(48)]))
    manifest = pd.read_csv(tmp_path / "cache" / "MANIFEST.csv", dtype=str)
    assert len(list((tmp_path / "cache" / "fred").glob("*.parquet"))) == 48
    assert sorted(manifest["name"]) == sorted(f"fred:DGS{i}" for i in range(48))
    store = DataStore(tmp_path)
    assert all(store.kind_of(f"fred:DGS{i}") == "level" for i in range(48))


def test_a_corrupt_manifest_leaves_the_old_parquet_in_place(tmp_path: Path) -> None:
    first = "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,1.80\n"
    fetch_series("fred:DGS10", tmp_path, session=FakeSession(first), now=NOW)
    manifest = tmp_path / "cache" / "MANIFEST.csv"
    manifest.write_text('path,name\n"cache/fred/DGS10.parquet,fred:DGS10\n')  # unterminated
    parquet = tmp_path / "cache" / "fred" / "DGS10.parquet"
    before = parquet.read_bytes()
    second = first + "2020-01-06,1.81\n"
    with pytest.raises(DataError, match=r"MANIFEST.csv: cannot be read as the cache's manifest"):
        fetch_series("fred:DGS10", tmp_path, session=FakeSession(second), now=NOW)
    assert parquet.read_bytes() == before


def _yahoo(days: pd.DatetimeIndex, close: np.ndarray, adj: np.ndarray) -> pd.DataFrame:
    fields = {
        "Adj Close": adj,
        "Close": close,
        "High": close,
        "Low": close,
        "Open": close,
        "Volume": np.full(close.size, 1e6),
    }
    columns = pd.MultiIndex.from_tuples([(f, "ACME") for f in fields], names=["Price", "Ticker"])
    frame = pd.DataFrame(np.column_stack(list(fields.values())), index=days, columns=columns)
    frame.index.name = "Date"
    return frame


def test_yahoo_update_after_a_dividend_replaces_the_readjusted_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A $2 dividend (ex 2024-07-15) makes Yahoo scale every earlier adj_close by 0.98: the
    update re-fetches the whole history, so the adjusted series has no return at all (the
    windowed update kept the old 100s before the window and made a -2% return there)."""
    from tests.data.test_providers_more import FakeYahoo, yfinance

    d1 = pd.bdate_range("2024-01-02", "2024-06-28")
    monkeypatch.setattr(
        yfinance,
        "download",
        FakeYahoo({"ACME": _yahoo(d1, np.full(d1.size, 100.0), np.full(d1.size, 100.0))}),
    )
    fetch_series("yahoo:ACME", tmp_path, now=NOW)
    d2 = pd.bdate_range("2024-01-02", "2024-07-31")
    close = np.where(d2 < "2024-07-15", 100.0, 98.0)
    fake = FakeYahoo({"ACME": _yahoo(d2, close, np.full(d2.size, 98.0))})
    monkeypatch.setattr(yfinance, "download", fake)
    with pytest.warns(DataRevisionWarning, match=rf"{d1.size} value\(s\) on the {d1.size} dates"):
        up = update_series("yahoo:ACME", tmp_path)
    assert fake.calls[0][1]["start"] == "2024-01-02"  # from the cache's first date
    assert up.full and up.overlap == d1.size and up.revised == d1.size
    assert "full history re-fetched" in up.summary()
    assert "largest: adj_close on 2024-01-02 100 -> 98 (-2.000%)" in up.largest
    adj = DataStore(tmp_path).load("yahoo:ACME[adj_close]").data
    assert adj.size == d2.size and bool((adj.pct_change().dropna() == 0).all())


def test_french_update_takes_the_revised_release_whole(tmp_path: Path) -> None:
    """Each release revises the whole history: the update keeps none of the old values."""
    from tests.data.test_providers import french_zip

    def release(months: pd.PeriodIndex, shift: float) -> bytes:
        rows = [f"{p.year}{p.month:02d},  {1 + shift:5.2f},   0.50,  -0.25,   0.40" for p in months]
        return french_zip(rows, name="F-F_Research_Data_Factors.CSV")

    name = "french:F-F_Research_Data_Factors"
    months = pd.period_range("2020-01", "2023-12", freq="M")
    fetch_series(name, tmp_path, session=FakeSession(release(months, 0.0)), now=NOW)
    later = pd.period_range("2020-01", "2024-01", freq="M")
    with pytest.warns(DataRevisionWarning, match=r"48 value\(s\) on the 48 dates"):
        up = update_series(name, tmp_path, session=FakeSession(release(later, 0.10)))
    assert (up.added, up.full) == (1, True)
    mkt = DataStore(tmp_path).load(f"{name}[Mkt-RF]").data
    assert mkt.size == 49 and bool((mkt == 1.10).all())


def test_whole_history_update_that_revises_and_lacks_dates_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.data.test_providers_more import FakeYahoo, yfinance

    days = pd.bdate_range("2024-01-02", periods=40)
    px = np.full(days.size, 100.0)
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"ACME": _yahoo(days, px, px)}))
    fetch_series("yahoo:ACME", tmp_path, now=NOW)
    before = (tmp_path / "cache" / "yahoo" / "ACME.parquet").read_bytes()
    short = days.delete(10)
    adj = np.full(short.size, 99.0)
    monkeypatch.setattr(
        yfinance, "download", FakeYahoo({"ACME": _yahoo(short, np.full(short.size, 100.0), adj)})
    )
    with pytest.raises(
        DataError, match=r"revises the history .* lacks 1 cached date\(s\) \(2024-01-16\)"
    ):
        update_series("yahoo:ACME", tmp_path)
    assert (tmp_path / "cache" / "yahoo" / "ACME.parquet").read_bytes() == before
    # without a revision the lacking date is kept, and said (as for FRED)
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"ACME": _yahoo(short, px[1:], px[1:])}))
    with pytest.warns(DataRevisionWarning, match=r"lacks 1 cached date\(s\) from 2024-01-02 on"):
        update_series("yahoo:ACME", tmp_path)
    assert DataStore(tmp_path).load("yahoo:ACME").data.size == 40


def test_update_of_a_corrupt_cache_file_says_to_fetch_it_again(tmp_path: Path) -> None:
    body = "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,1.80\n"
    fetch_series("fred:DGS10", tmp_path, session=FakeSession(body), now=NOW)
    parquet = tmp_path / "cache" / "fred" / "DGS10.parquet"
    parquet.write_bytes(parquet.read_bytes()[:50])
    with pytest.raises(
        DataError,
        match=r"DGS10.parquet: the cached file of fred:DGS10 cannot be read .*"
        r"eventstudy data fetch fred:DGS10",
    ):
        update_series("fred:DGS10", tmp_path, session=FakeSession(body))


def test_a_name_in_both_the_snapshot_and_the_cache_is_an_error_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fetched series the snapshot also holds was silently ignored (the snapshot won)."""
    from eventstudy.cli import main

    (tmp_path / "series" / "fred").mkdir(parents=True)
    days = pd.bdate_range("2020-01-02", periods=5)
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "value": 1.5}).to_csv(
        tmp_path / "series" / "fred" / "DGS10.csv", index=False
    )
    # no manifest row, and FRED's DGS10 is a yield: the kind must be declared
    assert DataStore(tmp_path).load("fred:DGS10", kind="level").data.size == 5
    body = "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,1.80\n"
    # a fetch into it is refused before any download (the session would answer)
    with pytest.raises(
        DataError,
        match=r"fred:DGS10: the data directory .* already holds it in "
        r"its snapshot \(series/fred/DGS10.csv\)",
    ):
        fetch_series("fred:DGS10", tmp_path, session=FakeSession(body), now=NOW)
    assert not (tmp_path / "cache").exists()
    # a cache copied in (or fetched before this check) still makes the name ambiguous
    import shutil

    fetch_series("fred:DGS10", tmp_path / "other", session=FakeSession(body), now=NOW)
    shutil.copytree(tmp_path / "other" / "cache", tmp_path / "cache")
    shutil.rmtree(tmp_path / "other")
    store = DataStore(tmp_path)
    with pytest.raises(
        DataError,
        match=r"'fred:DGS10' names two files .* the snapshot's series/fred/DGS10.csv and the "
        r"fetched cache/fred/DGS10.parquet",
    ):
        store.load("fred:DGS10")
    assert store.load("cache/fred/DGS10.parquet").data.tolist() == [1.88, 1.80]  # by its path
    listing = store.listing()
    assert listing[["path", "source"]].values.tolist() == [
        ["cache/fred/DGS10.parquet", "cache"],
        ["series/fred/DGS10.csv", "snapshot"],
    ]
    assert main(["data", "list", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"fred:DGS10 +cache +2020-01-02 2020-01-03", out)
    assert re.search(r"fred:DGS10 +snapshot +2020-01-02 2020-01-08", out)
    assert (
        "fred:DGS10 (series/fred/DGS10.csv): no manifest row; one of 2 files named "
        "'fred:DGS10' (cache/fred/DGS10.parquet, series/fred/DGS10.csv): loading it by name "
        "is an error" in out
    )


def test_data_update_and_fetch_go_on_after_a_failure_and_exit_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """AAA is delisted a month later: BBB and CCC are still updated, the failure is named in
    a closing summary, and the status is 2 (the loop stopped at AAA before)."""
    from eventstudy.cli import main
    from tests.data.test_providers_more import FakeYahoo, yf_frame, yfinance

    days = pd.bdate_range("2024-01-02", periods=120)
    px = np.linspace(100, 110, days.size)
    frames = {s: yf_frame(s, days[:100], px[:100]) for s in ("AAA", "BBB", "CCC")}
    monkeypatch.setattr(yfinance, "download", FakeYahoo(frames))
    for s in frames:
        fetch_series(f"yahoo:{s}", tmp_path, now=NOW)
    later = {s: yf_frame(s, days, px) for s in ("BBB", "CCC")}
    monkeypatch.setattr(yfinance, "download", FakeYahoo(later))
    assert main(["data", "update", "--data-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "yahoo:BBB: 20 new rows" in captured.out and "yahoo:CCC: 20 new rows" in captured.out
    assert "1 of 3 series failed:\n  yahoo:AAA: yahoo:AAA: Yahoo returned no prices" in captured.err
    manifest = pd.read_csv(tmp_path / "cache" / "MANIFEST.csv", dtype=str).set_index("name")
    assert manifest.loc["yahoo:CCC", "last"] == f"{days[-1]:%Y-%m-%d}"
    argv = ["data", "fetch", "yahoo:AAA", "nope:X", "yahoo:BBB", "--data-dir", str(tmp_path)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "yahoo:BBB: 120 rows" in captured.out
    assert (
        "2 of 3 series failed:" in captured.err
        and "  nope:X: cannot fetch 'nope:X'" in captured.err
    )


def test_a_file_changed_after_its_manifest_row_is_warned_about(tmp_path: Path) -> None:
    body = "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,1.80\n"
    fetch_series("fred:DGS10", tmp_path, session=FakeSession(body), now=NOW)
    DataStore(tmp_path).load("fred:DGS10")  # unchanged: no warning (warnings are errors)
    parquet = tmp_path / "cache" / "fred" / "DGS10.parquet"
    frame = pd.read_parquet(parquet)
    frame["value"] = frame["value"] + 1.0
    frame.to_parquet(parquet, index=False)
    with pytest.warns(
        DataRevisionWarning,
        match=r"cache/fred/DGS10.parquet: sha256 .* differs from the manifest's",
    ):
        loaded = DataStore(tmp_path).load("fred:DGS10")
    assert loaded.data.tolist() == [2.88, 2.80]
