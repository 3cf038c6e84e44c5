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
