"""Providers, offline: FRED answered by a session built in the test in FRED's exact CSV
format, including its failure modes; the fetched series then loads like a snapshot file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import requests

from eventstudy.cli import main
from eventstudy.data import DataStore
from eventstudy.data.providers import fetch_series
from eventstudy.exceptions import DataError
from tests._support import require_online

FRED_CSV = (
    "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,.\n2020-01-06,1.81\n2020-01-07,1.83\n"
)


class FakeSession(requests.Session):
    """A requests session that answers every GET with one canned response (and counts)."""

    def __init__(self, body: str | bytes, status: int = 200) -> None:
        super().__init__()
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.urls: list[str] = []

    def get(self, url: str, **kwargs: object) -> requests.Response:  # type: ignore[override]
        self.urls.append(url)
        r = requests.Response()
        r.status_code = self.status
        r._content = self.body
        r.encoding = "utf-8"
        r.url = url
        return r


NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def test_fred_fetch_writes_parquet_and_manifest_and_loads_as_a_level(tmp_path: Path) -> None:
    session = FakeSession(FRED_CSV)
    rec = fetch_series("fred:DGS10", tmp_path, session=session, now=NOW)
    assert session.urls == ["https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"]
    assert rec.path == tmp_path / "cache" / "fred" / "DGS10.parquet"
    row = rec.row
    assert (row["first"], row["last"], row["rows"], row["dropped"]) == (
        "2020-01-02",
        "2020-01-07",
        3,
        1,
    )
    assert row["units"] == "percent per annum" and row["library"].startswith("pandas-datareader ")
    assert row["fetched_at"] == "2026-11-22T09:00:00+00:00"
    manifest = pd.read_csv(tmp_path / "cache" / "MANIFEST.csv", dtype=str)
    assert manifest["path"].tolist() == ["cache/fred/DGS10.parquet"]
    import hashlib

    assert manifest["sha256"][0] == hashlib.sha256(rec.path.read_bytes()).hexdigest()
    store = DataStore(tmp_path)
    loaded = store.load("fred:DGS10")
    assert loaded.data.tolist() == [1.88, 1.81, 1.83]
    assert store.kind_of("fred:DGS10") == "level"  # percent units from the cache manifest
    assert "fred:DGS10" in store.available()
    # a second fetch replaces the row, never duplicates it
    fetch_series("fred:DGS10", tmp_path, session=FakeSession(FRED_CSV), now=NOW)
    assert len(pd.read_csv(tmp_path / "cache" / "MANIFEST.csv")) == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("", 200, "fred:NOPE: FRED returned no data"),
        ("Too Many Requests", 429, "fred:NOPE: FRED did not answer"),
        (
            "<html><body>Error: series does not exist</body></html>",
            404,
            "fred:NOPE: FRED did not answer",
        ),
        ("observation_date,NOPE\n2020-01-02,.\n", 200, "fred:NOPE: FRED returned no observations"),
        ("date,a,b\n2020-01-02,1,2\n", 200, "fred:NOPE: the answer is not FRED's CSV"),
    ],
)
def test_fred_failures_name_the_symbol(
    tmp_path: Path, body: str, status: int, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        fetch_series("fred:NOPE", tmp_path, session=FakeSession(body, status), now=NOW)
    assert not (tmp_path / "cache" / "fred" / "NOPE.parquet").exists()


def test_unknown_provider_and_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="providers: \\['fred', 'french', 'stooq', 'yahoo'\\]"):
        fetch_series("bloomberg:SPX", tmp_path)
    import eventstudy.data.providers as providers

    real = providers.fred.fetch
    monkeypatch.setitem(
        providers.PROVIDERS, "fred", lambda s, start, session: real(s, start, FakeSession(FRED_CSV))
    )
    assert main(["data", "fetch", "fred:DGS10", "--data-dir", str(tmp_path)]) == 0
    assert (
        "fred:DGS10: 3 rows 2020-01-02..2020-01-07 (1 without a value dropped)"
        in capsys.readouterr().out
    )
    assert main(["data", "fetch", "nope:X", "--data-dir", str(tmp_path)]) == 2
    assert "cannot fetch 'nope:X'" in capsys.readouterr().err


@pytest.mark.network
def test_fred_live_smoke(tmp_path: Path) -> None:
    """One live fetch; skipped offline."""
    require_online("https://fred.stlouisfed.org")
    rec = fetch_series("fred:DGS10", tmp_path, start="2024-01-01")
    assert rec.row["rows"] > 100


def french_zip(rows: list[str], *, name: str = "F-F_Research_Data_Factors_daily.CSV") -> bytes:
    """A zip in the data library's format: header text, a blank line, the table (a line
    starting with a comma holds the column names; dates YYYYMMDD), a blank line, the
    copyright footer; CRLF line ends."""
    import io
    import zipfile

    lines = [
        "This file was created by CMPT_ME_BEME_RETS_DAILY using the 202604 CRSP database.",
        "The 1-month TBill return is from Ibbotson and Associates, Inc.",
        "",
        ",Mkt-RF,SMB,HML,RF",
        *rows,
        "",
        "Copyright 2026 Eugene F. Fama and Kenneth R. French",
        "",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(name, "\r\n".join(lines))
    return buffer.getvalue()


def _rows(n: int) -> list[str]:
    days = pd.bdate_range("2020-01-02", periods=n)
    return [
        f"{d:%Y%m%d},   0.{i % 9}1,  -0.1{i % 7},   0.0{i % 5},   0.01" for i, d in enumerate(days)
    ]


def test_french_fetch_keeps_percent_as_published_and_loads_a_column(tmp_path: Path) -> None:
    """A missing code (-99.99) in RF empties that cell only: Mkt-RF keeps all 40 rows, RF
    loads 39 and counts the one without a value."""
    rows = _rows(40)  # the reader takes chunks of 800+ characters as tables
    rows[5] = rows[5].replace("   0.01", " -99.99")  # the library's missing code
    session = FakeSession(french_zip(rows))
    rec = fetch_series("french:F-F_Research_Data_Factors_daily", tmp_path, session=session, now=NOW)
    assert session.urls[0].endswith("ftp/F-F_Research_Data_Factors_daily_CSV.zip")
    assert (rec.row["rows"], rec.row["dropped"]) == (40, 0)
    assert rec.row["units"] == "percent per day, as published"
    assert "per column: RF 1" in rec.row["notes"]
    store = DataStore(tmp_path)
    mkt = store.load("french:F-F_Research_Data_Factors_daily[Mkt-RF]")
    assert mkt.data.iloc[0] == 0.01 and mkt.data.index[0] == pd.Timestamp("2020-01-02")
    assert mkt.data.size == 40 and dict(mkt.info.dropped) == {}
    rf = store.load("french:F-F_Research_Data_Factors_daily[RF]")
    assert rf.data.size == 39 and dict(rf.info.dropped) == {"missing_value": 1}
    assert pd.bdate_range("2020-01-02", periods=6)[5] not in rf.data.index
    frame = store.load_frame("french:F-F_Research_Data_Factors_daily")
    assert len(frame.data) == 39 and dict(frame.info.dropped) == {"missing_value": 1}
    assert store.kind_of("french:F-F_Research_Data_Factors_daily") == "level"  # percent units
    with pytest.raises(DataError, match="not a French data-library zip"):
        fetch_series("french:Broken", tmp_path, session=FakeSession(b"PK not a zip"), now=NOW)
    # a zip whose table the parser cannot read is not called "not a zip" (the review's footer
    # without a blank line before it, which pandas-datareader reads as a row of the table)
    footed = french_zip([*_rows(40), "Copyright 2026 Eugene F. Fama and Kenneth R. French"])
    with pytest.raises(
        DataError,
        match=r"french:Footed: the zip's table could not be read \(.*\); the library's "
        "tables have ascending dates and a blank line before the footer",
    ):
        fetch_series("french:Footed", tmp_path, session=FakeSession(footed), now=NOW)
    with pytest.raises(DataError, match="french:Gone: the data library did not answer"):
        fetch_series("french:Gone", tmp_path, session=FakeSession("Not Found", 404), now=NOW)


def test_run_fetch_gets_what_the_study_lacks_and_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`eventstudy run --fetch` fetches the missing fred:DGS10 into the cache, runs, and the
    series' provenance (provider, time, library) is in result.json; a missing series no
    provider serves is named before any download."""
    import json

    import numpy as np

    import eventstudy.data.providers as providers

    data = tmp_path / "data"
    (data / "series" / "test").mkdir(parents=True)
    days = pd.bdate_range("2019-01-01", periods=400)
    px = 100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, days.size)))
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": px}).to_csv(
        data / "series" / "test" / "PX.csv", index=False
    )
    rates = np.round(2 + np.cumsum(np.random.default_rng(2).normal(0, 0.03, days.size)), 2)
    body = "observation_date,DGS10\n" + "".join(
        f"{d:%Y-%m-%d},{r:.2f}\n" for d, r in zip(days, rates, strict=True)
    )
    real = providers.fred.fetch
    monkeypatch.setitem(
        providers.PROVIDERS, "fred", lambda s, start, session: real(s, start, FakeSession(body))
    )
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "fetched"\n[data.series]\npx = "test:PX"\ndgs10 = "fred:DGS10"\n'
        '[signal]\ntype = "threshold"\nseries = "dgs10"\nmode = "level"\nlevel = 2.2\n'
        'direction = "above"\n[evaluation]\nhorizons = { "1m" = 21 }\n'
        'targets = [{ series = "px" }]\n[inference]\ntests = ["hac"]\n'
    )
    out = tmp_path / "out"
    argv = ["run", str(study), "--data-dir", str(data), "--out", str(out), "--no-figures"]
    assert main(argv) == 2  # without --fetch: the missing series is an error
    assert "no data named 'fred:DGS10'" in capsys.readouterr().err
    assert main([*argv, "--fetch", "--force"]) == 0
    assert "fred:DGS10: 400 rows" in capsys.readouterr().out
    record = json.loads((out / "result.json").read_text())
    notes = json.dumps(record["data"])
    assert "fetched from fred on" in notes and "pandas-datareader" in notes
    (study).write_text(study.read_text().replace('"test:PX"', '"bloomberg:NOPE"'))
    assert main([*argv, "--fetch", "--force"]) == 2
    assert "lacks ['bloomberg:NOPE'] and no provider fetches them" in capsys.readouterr().err
