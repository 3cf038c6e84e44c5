"""The fetched cache: French missing codes per column, the manifest under concurrent
fetches, whole-history updates for providers that revise the whole history, a cache series
the snapshot shadows, and corrupt files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import DataStore
from eventstudy.data.providers import fetch_series
from eventstudy.data.reader import read_table
from eventstudy.exceptions import DataError
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
