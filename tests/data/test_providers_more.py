"""Yahoo (yfinance), Stooq, ``data update`` and the fetch a study runs, all offline.

yfinance is answered by a stand-in for ``yfinance.download`` that returns a frame in the
library's exact format (columns with levels ``Price`` and ``Ticker``, a ``Date`` index) and,
on failure, logs to the ``yfinance`` logger and returns an empty frame, as ``download`` does
(yfinance 1.7, ``multi.py``: errors are collected, logged, and the ticker's frame is empty).
Stooq and FRED are answered by a requests session built here in their CSV formats.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import requests

import eventstudy.data.providers as providers
from eventstudy.cli import main
from eventstudy.data import DataStore
from eventstudy.data.providers import fetch_series, update_series
from eventstudy.exceptions import DataError, DataRevisionWarning
from tests._support import require_online
from tests.data.test_providers import FakeSession as FredSession

yfinance = pytest.importorskip("yfinance")

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def yf_frame(symbol: str, days: pd.DatetimeIndex, close: np.ndarray) -> pd.DataFrame:
    """A frame as ``yfinance.download(symbol, auto_adjust=False, multi_level_index=True)``
    returns it: fields sorted, ticker upper-case, index named Date."""
    fields = {
        "Adj Close": close,
        "Close": close,
        "High": close * 1.01,
        "Low": close * 0.99,
        "Open": close,
        "Volume": np.full(close.size, 1e6),
    }
    columns = pd.MultiIndex.from_tuples(
        [(f, symbol.upper()) for f in fields], names=["Price", "Ticker"]
    )
    frame = pd.DataFrame(np.column_stack(list(fields.values())), index=days, columns=columns)
    frame.index.name = "Date"
    return frame


def yf_failure(symbol: str, message: str) -> pd.DataFrame:
    """What ``download`` does when a ticker fails: log, and return its empty frame."""
    logger = logging.getLogger("yfinance")
    logger.error("\n1 Failed download:")
    logger.error(f"['{symbol.upper()}']: {message}")
    empty = yfinance.utils.empty_df()
    empty.columns = pd.MultiIndex.from_tuples(
        [(c, symbol.upper()) for c in empty.columns], names=["Price", "Ticker"]
    )
    return empty


class FakeYahoo:
    """Stands in for ``yfinance.download``: a frame per symbol, else a logged failure."""

    def __init__(self, frames: dict[str, pd.DataFrame], failure: str = "possibly delisted") -> None:
        self.frames = frames
        self.failure = failure
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, tickers: str, **kwargs: Any) -> pd.DataFrame:
        self.calls.append((tickers, kwargs))
        start = pd.Timestamp(kwargs.get("start") or "1900-01-01")
        frame = self.frames.get(tickers)
        if frame is None:
            return yf_failure(tickers, self.failure)
        idx = pd.DatetimeIndex(frame.index)
        return frame[(idx.tz_localize(None) if idx.tz is not None else idx) >= start]


class FakeSession(requests.Session):
    """Answers every GET with a canned body (by URL prefix) and records the URLs."""

    def __init__(self, answers: dict[str, tuple[str, int]]) -> None:
        super().__init__()
        self.answers = answers
        self.urls: list[str] = []

    def get(self, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        params = kwargs.get("params") or {}
        full = url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        self.urls.append(full)
        body, status = next(
            (a for prefix, a in self.answers.items() if full.startswith(prefix)), ("", 404)
        )
        r = requests.Response()
        r.status_code = status
        r._content = body.encode()
        r.encoding = "utf-8"
        r.url = full
        return r


def _prices(
    n: int, start: str = "2020-01-02", seed: int = 1
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.bdate_range(start, periods=n)
    rng = np.random.default_rng(seed)
    return days, np.round(1000 * np.exp(np.cumsum(rng.normal(0, 0.01, n))), 4)


# --- Yahoo -------------------------------------------------------------------------------


def test_yahoo_index_lands_in_the_cache_without_its_caret_and_loads_like_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days, close = _prices(30)
    frame = yf_frame("^RUT", days, close)
    frame.iloc[4, :] = np.nan  # a row without values (yfinance keeps it with keepna)
    fake = FakeYahoo({"^RUT": frame})
    monkeypatch.setattr(yfinance, "download", fake)
    rec = fetch_series("yahoo:^RUT", tmp_path, start="2019-01-01", now=NOW)
    symbol, kwargs = fake.calls[0]
    assert symbol == "^RUT" and kwargs["start"] == "2019-01-01"
    assert kwargs["auto_adjust"] is False and kwargs["progress"] is False
    assert rec.path == tmp_path / "cache" / "yahoo" / "RUT.parquet"
    assert (rec.row["name"], rec.row["rows"], rec.row["dropped"]) == ("yahoo:^RUT", 29, 1)
    assert rec.row["units"] == "index points"
    assert rec.row["library"] == f"yfinance {yfinance.__version__}"
    stored = pd.read_parquet(rec.path)
    assert list(stored.columns) == ["date", "open", "high", "low", "close", "adj_close", "volume"]
    store = DataStore(tmp_path)
    for name in ("yahoo:^RUT", "yahoo:RUT"):  # the snapshot's spelling finds it too
        loaded = store.load(name)
        expected = np.delete(close, 4)
        np.testing.assert_array_equal(loaded.data.to_numpy(), expected)
        assert loaded.info.column == "close"
    assert store.kind_of("yahoo:^RUT") == "price"
    # a stock is priced in its currency
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"AAPL": yf_frame("AAPL", days, close)}))
    rec = fetch_series("yahoo:AAPL", tmp_path, now=NOW)
    assert rec.row["units"].startswith("price in the listing currency")


@pytest.mark.parametrize(
    ("logged", "match"),
    [
        (
            "possibly delisted; no price data found  (1d 1900-01-01 -> 2026-11-22)",
            r"yahoo:\^XYZ: Yahoo returned no prices \(\['\^XYZ'\]: possibly delisted.*check the "
            r"symbol \(indexes start with \^",
        ),
        (
            "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')",
            "Yahoo is rate-limiting this machine; fetch later",
        ),
        (
            "CurlError('Failed to perform, curl: (6) Could not resolve host: "
            "query2.finance.yahoo.com')",
            "no connection to Yahoo; fetch when online",
        ),
    ],
)
def test_yahoo_failures_name_the_symbol_and_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logged: str, match: str
) -> None:
    monkeypatch.setattr(yfinance, "download", FakeYahoo({}, failure=logged))
    with pytest.raises(DataError, match=match):
        fetch_series("yahoo:^XYZ", tmp_path, now=NOW)
    assert not (tmp_path / "cache" / "yahoo").exists() or not list(
        (tmp_path / "cache" / "yahoo").iterdir()
    )


def test_yahoo_changed_columns_and_raised_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days, close = _prices(10)
    changed = yf_frame("^RUT", days, close).rename(columns={"Close": "Last"}, level=0)
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"^RUT": changed}))
    with pytest.raises(DataError, match=r"yahoo:\^RUT: yfinance's frame changed: columns"):
        fetch_series("yahoo:^RUT", tmp_path, now=NOW)
    other = yf_frame("^SPX", days, close)
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"^RUT": other}))
    with pytest.raises(DataError, match=r"holds tickers \['\^SPX'\], not \^RUT"):
        fetch_series("yahoo:^RUT", tmp_path, now=NOW)

    def boom(*args: Any, **kwargs: Any) -> pd.DataFrame:
        raise ConnectionError("Could not resolve host: query2.finance.yahoo.com")

    monkeypatch.setattr(yfinance, "download", boom)
    with pytest.raises(DataError, match="ConnectionError: Could not resolve host"):
        fetch_series("yahoo:^RUT", tmp_path, now=NOW)
    with pytest.raises(ValueError, match="does not name a file"):
        fetch_series("yahoo:../x", tmp_path, now=NOW)


# --- Stooq -------------------------------------------------------------------------------

STOOQ = "https://stooq.com/q/d/l/"


def _stooq_csv(days: pd.DatetimeIndex, close: np.ndarray, volume: bool = False) -> str:
    head = "Date,Open,High,Low,Close" + (",Volume" if volume else "")
    rows = [
        f"{d:%Y-%m-%d},{c:.2f},{c * 1.01:.2f},{c * 0.99:.2f},{c:.2f}" + (",123" if volume else "")
        for d, c in zip(days, close, strict=True)
    ]
    return "\r\n".join([head, *rows]) + "\r\n"


def test_stooq_csv_loads_and_its_failures_are_named(tmp_path: Path) -> None:
    days, close = _prices(12)
    session = FakeSession({STOOQ: (_stooq_csv(days, close, volume=True), 200)})
    rec = fetch_series("stooq:^SPX", tmp_path, start="2020-01-01", session=session, now=NOW)
    assert session.urls[0].startswith(STOOQ + "?s=^spx&i=d&d1=20200101&d2=")
    assert rec.path.name == "SPX.parquet" and rec.row["units"] == "index points"
    assert rec.row["library"].startswith("requests ")
    loaded = DataStore(tmp_path).load("stooq:^SPX")
    np.testing.assert_allclose(loaded.data.to_numpy(), np.round(close, 2))
    cases = [
        ("No data", 200, "Stooq has no data for this symbol"),
        ("Exceeded the daily hits limit", 200, "Stooq refused .*Exceeded the daily hits limit"),
        ("<html><body>Get your apikey</body></html>", 200, "the answer is not Stooq's CSV"),
        ("", 200, "Stooq returned no data"),
        ("oops", 503, r"Stooq did not answer \(HTTP 503\)"),
    ]
    for body, status, match in cases:
        with pytest.raises(DataError, match="stooq:\\^NOPE: " + match):
            fetch_series(
                "stooq:^NOPE", tmp_path, session=FakeSession({STOOQ: (body, status)}), now=NOW
            )


def test_a_yahoo_index_yahoo_fails_on_comes_from_stooq_and_the_manifest_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days, close = _prices(12)
    monkeypatch.setattr(yfinance, "download", FakeYahoo({}, failure="YFRateLimitError('Too Many')"))
    session = FakeSession({STOOQ: (_stooq_csv(days, close), 200)})
    rec = fetch_series("yahoo:^GSPC", tmp_path, session=session, now=NOW)
    assert session.urls[0].startswith(STOOQ + "?s=^spx&")
    assert rec.path == tmp_path / "cache" / "yahoo" / "GSPC.parquet"
    assert (rec.row["name"], rec.row["provider"], rec.row["symbol"]) == (
        "yahoo:^GSPC",
        "stooq",
        "^SPX",
    )
    assert "Yahoo failed" in rec.row["notes"] and "Stooq's ^SPX" in rec.row["notes"]
    assert "via stooq:^SPX" in rec.summary()
    store = DataStore(tmp_path)
    loaded = store.load("yahoo:^GSPC")
    assert any("fetched from stooq" in n for n in loaded.info.notes)
    # both failing names both reasons; an index Stooq lacks has no fallback
    with pytest.raises(DataError, match="Too Many.*the Stooq fallback failed too: .*no data"):
        fetch_series("yahoo:^GSPC", tmp_path, session=FakeSession({STOOQ: ("No data", 200)}))
    with pytest.raises(DataError, match=r"^yahoo:\^RUT: Yahoo returned no prices"):
        fetch_series("yahoo:^RUT", tmp_path, session=session)


# --- update ------------------------------------------------------------------------------

FRED = "https://fred.stlouisfed.org/graph/fredgraph.csv"


def _fred_csv(days: pd.DatetimeIndex, values: np.ndarray) -> str:
    return "observation_date,DGS10\n" + "".join(
        f"{d:%Y-%m-%d},{v:.2f}\n" for d, v in zip(days, values, strict=True)
    )


def test_update_checks_the_overlap_warns_on_revisions_and_appends(tmp_path: Path) -> None:
    days = pd.bdate_range("2026-06-01", periods=60)
    values = np.round(4 + np.arange(60) / 100, 2)
    fetch_series(
        "fred:DGS10",
        tmp_path,
        session=FakeSession({FRED: (_fred_csv(days[:50], values[:50]), 200)}),
        now=NOW,
    )
    # the new answer: from 30 days before the cached last date, one value revised, 10 new rows
    revised = values.copy()
    revised[45] += 0.07
    later = NOW + dt.timedelta(days=14)
    session = FakeSession({FRED: (_fred_csv(days, revised), 200)})
    with pytest.warns(DataRevisionWarning) as caught:
        up = update_series("fred:DGS10", tmp_path, session=session, now=later)
    message = str(caught[0].message)
    last = days[49]
    overlap = days[(days >= last - pd.Timedelta(days=30)) & (days <= last)]
    assert f"1 value(s) on the {overlap.size} overlapping dates" in message
    assert f"value on {days[45]:%Y-%m-%d} {values[45]:.6g} -> {revised[45]:.6g}" in message
    assert (up.added, up.overlap, up.revised) == (10, overlap.size, 1)
    loaded = DataStore(tmp_path).load("fred:DGS10")
    assert loaded.data.size == 60 and loaded.info.last == f"{days[-1]:%Y-%m-%d}"
    np.testing.assert_allclose(loaded.data.to_numpy(), revised)  # new values kept
    row = pd.read_csv(tmp_path / "cache" / "MANIFEST.csv", dtype=str).iloc[0]
    assert (row["first"], row["last"], row["rows"]) == ("2026-06-01", f"{days[-1]:%Y-%m-%d}", "60")
    assert row["fetched_at"] == later.isoformat(timespec="seconds")
    assert "1 revised (largest: value on" in up.summary()
    # nothing new and nothing revised: no warning
    same = update_series(
        "fred:DGS10", tmp_path, session=FakeSession({FRED: (_fred_csv(days, revised), 200)})
    )
    assert (same.added, same.revised) == (0, 0) and "no revision" in same.summary()


def test_update_keeps_what_the_new_answer_lacks_and_checks_its_dates(tmp_path: Path) -> None:
    """A provider lagging behind its own last answer (5 rows short) or skipping a day must not
    delete cached values: they are kept and warned about. A repeated or reversed date in an
    answer is refused before anything is cached; the manifest's dropped count does not grow
    with each re-fetched overlap."""
    days = pd.bdate_range("2026-06-01", periods=60)
    values = np.round(4 + np.arange(60) / 100, 2)
    csv = _fred_csv(days, values).replace(f"{days[10]:%Y-%m-%d},4.10", f"{days[10]:%Y-%m-%d},.")
    fetch_series("fred:DGS10", tmp_path, session=FakeSession({FRED: (csv, 200)}), now=NOW)
    lagging = days[:55].delete(52)  # five days short, and 2026-08-13 (day 52) missing
    with pytest.warns(DataRevisionWarning, match=r"lacks 6 cached date\(s\)") as caught:
        up = update_series(
            "fred:DGS10",
            tmp_path,
            session=FakeSession(
                {FRED: (_fred_csv(lagging, values[lagging.map(days.get_loc)]), 200)}
            ),
        )
    assert f"{days[52]:%Y-%m-%d}" in str(caught[0].message)
    loaded = DataStore(tmp_path).load("fred:DGS10")
    assert loaded.data.size == 59 and loaded.info.last == f"{days[-1]:%Y-%m-%d}"  # 60 less the "."
    assert up.added == 0
    row = pd.read_csv(tmp_path / "cache" / "MANIFEST.csv", dtype=str).iloc[0]
    assert row["dropped"] == "1"  # the "." row once, not once per fetch
    twice = _fred_csv(days[40:], values[40:]) + f"{days[-1]:%Y-%m-%d},9.99\n"
    with pytest.raises(
        DataError,
        match=f"fred:DGS10: the provider's answer lists {days[-1]:%Y-%m-%d} more than once",
    ):
        update_series("fred:DGS10", tmp_path, session=FakeSession({FRED: (twice, 200)}))
    head, *body = _fred_csv(days[40:], values[40:]).splitlines(keepends=True)
    with pytest.raises(DataError, match="fred:DGS10: the provider's answer is not in date order"):
        fetch_series(
            "fred:DGS10",
            tmp_path / "b",
            session=FakeSession({FRED: (head + "".join(body[::-1]), 200)}),
        )
    assert DataStore(tmp_path).load("fred:DGS10").data.size == 59  # nothing was cached
    # `eventstudy data list` shows a fetched series' dates (the cache's manifest says first/last)
    listed = DataStore(tmp_path).listing().set_index("name").loc["fred:DGS10"]
    assert (listed["first"], listed["last"]) == ("2026-06-01", f"{days[-1]:%Y-%m-%d}")


def test_update_names_the_largest_revision_relative_to_its_value(tmp_path: Path) -> None:
    """A +5% close revision outranks a +0.1% volume revision whose absolute change is larger."""
    from eventstudy.data.providers import _write
    from eventstudy.data.providers._table import Fetched

    days = pd.bdate_range("2026-06-01", periods=30)
    frame = pd.DataFrame({"close": np.linspace(100, 110, 30), "volume": 1e6}, index=days)
    frame.index.name = "date"
    _write(tmp_path, "yahoo:AAA", Fetched(frame, 0, "test", "points"), frame, dropped=0, now=NOW)
    new = frame.copy()
    new.loc[days[25], "close"] *= 1.05
    new.loc[days[26], "volume"] *= 1.001
    import eventstudy.data.providers as prov

    real = prov._fetch_any
    prov._fetch_any = lambda *a, **k: Fetched(new, 0, "test", "points")  # type: ignore[assignment]
    try:
        with pytest.warns(DataRevisionWarning, match=rf"largest: close on {days[25]:%Y-%m-%d}"):
            update_series("yahoo:AAA", tmp_path)
        lacking = Fetched(new[["close"]], 0, "test", "points", source="stooq:^aaa")
        prov._fetch_any = lambda *a, **k: lacking  # type: ignore[assignment]
        with pytest.raises(
            DataError, match=r"stooq:\^aaa\) lacks the cached column\(s\) \['volume'\]"
        ):
            update_series("yahoo:AAA", tmp_path)
    finally:
        prov._fetch_any = real  # type: ignore[assignment]


def test_update_refuses_what_it_cannot_check(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match="fred:DGS10 is not in the cache .*eventstudy data fetch fred:DGS10"
    ):
        update_series("fred:DGS10", tmp_path)
    days = pd.bdate_range("2026-01-01", periods=20)
    vals = np.linspace(4, 5, 20)
    fetch_series("fred:DGS10", tmp_path, session=FakeSession({FRED: (_fred_csv(days, vals), 200)}))
    gap = pd.bdate_range("2026-06-01", periods=5)
    with pytest.raises(DataError, match="shares no date with the cache's last 30 days"):
        update_series(
            "fred:DGS10", tmp_path, session=FakeSession({FRED: (_fred_csv(gap, vals[:5]), 200)})
        )
    with pytest.raises(ValueError, match="overlap_days must be at least 1"):
        update_series("fred:DGS10", tmp_path, overlap_days=0)


def test_data_update_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "update", "--data-dir", str(tmp_path)]) == 0
    assert "the cache of" in capsys.readouterr().out
    days, close = _prices(40)
    monkeypatch.setattr(
        yfinance, "download", FakeYahoo({"^RUT": yf_frame("^RUT", days[:30], close[:30])})
    )
    assert main(["data", "fetch", "yahoo:^RUT", "--data-dir", str(tmp_path)]) == 0
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"^RUT": yf_frame("^RUT", days, close)}))
    assert main(["data", "update", "--data-dir", str(tmp_path), "--overlap", "10"]) == 0
    out = capsys.readouterr().out
    assert "yahoo:^RUT: 10 new rows" in out and "no revision" in out
    with pytest.raises(SystemExit):
        main(["data", "update", "--overlap", "0", "--data-dir", str(tmp_path)])
    assert "argument --overlap: must be >= 1, got 0" in capsys.readouterr().err


# --- a study fetches what it lacks --------------------------------------------------------


def _fake_market(monkeypatch: pytest.MonkeyPatch, start: str, n: int) -> None:
    days, rut = _prices(n, start, seed=3)
    _, spx = _prices(n, start, seed=4)
    monkeypatch.setattr(
        yfinance,
        "download",
        FakeYahoo({"^RUT": yf_frame("^RUT", days, rut), "^GSPC": yf_frame("^GSPC", days, spx)}),
    )
    real = providers.fred.fetch
    gone = FakeSession({FRED: ("<html>Error: series does not exist</html>", 404)})
    monkeypatch.setitem(providers.PROVIDERS, "fred", lambda s, st, session: real(s, st, gone))


def test_run_fetch_runs_a_splice_without_an_earlier_source_it_cannot_have_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_market(monkeypatch, "2015-01-02", 700)
    data = tmp_path / "data"
    data.mkdir()
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "fetched"\nseed = 1\n'
        '[data.series]\nrut = { splice = ["fred:RU2000PR", "yahoo:^RUT"], label = "Russell 2000" }\n'
        'spx = "yahoo:^GSPC"\n'
        '[signal]\ntype = "divergence"\na = "rut"\nb = "spx"\nn = 5\nk = 2.0\n'
        'sigma = "expanding"\nmin_periods = 100\n[events]\nmin_gap = 21\n'
        '[evaluation]\nhorizons = { "1m" = 21 }\ntargets = [{ series = "rut" }]\n'
        '[inference]\ntests = ["hac"]\n'
    )
    out = tmp_path / "out"
    argv = ["run", str(study), "--data-dir", str(data), "--out", str(out), "--no-figures"]
    assert main([*argv, "--fetch"]) == 0
    printed = capsys.readouterr().out
    assert "yahoo:^RUT: 700 rows" in printed and "yahoo:^GSPC: 700 rows" in printed
    assert "fred:RU2000PR: could not be had (fred:RU2000PR: FRED did not answer" in printed
    record = json.loads((out / "result.json").read_text())
    note = record["data_notes"][0]
    assert note.startswith("Russell 2000: the earlier source of the splice, fred:RU2000PR")
    assert "the series is yahoo:^RUT alone and starts 2015-01-02" in note
    report = (out / "report.md").read_text()
    first_screen = report[: report.index("**Bottom line.**")]
    assert "**Data.** Russell 2000: the earlier source" in first_screen
    assert "fetched from yahoo" in json.dumps(record["data"])
    # a second run finds everything in the cache; without --fetch the missing FRED part errors
    assert main([*argv, "--force"]) == 2
    assert "no data named 'fred:RU2000PR'" in capsys.readouterr().err


def test_run_fetch_fails_when_a_required_series_cannot_be_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_market(monkeypatch, "2015-01-02", 50)
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "x"\n[data.series]\ny = "fred:DGS10"\n'
        '[signal]\ntype = "threshold"\nseries = "y"\nmode = "level"\nlevel = 2.2\n'
        'direction = "above"\n[evaluation]\nhorizons = { "1m" = 21 }\n'
        'targets = [{ series = "y" }]\n'
    )
    argv = ["run", str(study), "--data-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--fetch"]
    assert main(argv) == 2
    assert "fred:DGS10: FRED did not answer" in capsys.readouterr().err


@pytest.mark.network
def test_yahoo_and_stooq_live_smoke(tmp_path: Path) -> None:
    """One live fetch each; skipped offline."""
    require_online("https://query1.finance.yahoo.com")
    rec = fetch_series("yahoo:^GSPC", tmp_path, start="2024-01-01")
    assert rec.row["rows"] > 100
    try:
        rec = fetch_series("stooq:^SPX", tmp_path, start="2024-01-01")
    except DataError as exc:  # Stooq may ask for a key or cap daily hits
        pytest.skip(f"Stooq refused: {exc}")
    assert rec.row["rows"] > 100


def test_make_run_on_a_machine_without_data_fetches_the_flagship_and_says_what_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's main command (``make run``: the Makefile's run line) on an empty data
    directory: Yahoo's ^RUT and ^GSPC are fetched (fake yfinance, synthetic prices over
    Yahoo's real ranges), FRED's Russell series is gone (404), so the flagship runs from
    1987-09-10 on Yahoo alone and its report says so first."""
    import re
    import shlex

    root = Path(__file__).resolve().parents[2]
    line = next(
        ln.strip()
        for ln in (root / "Makefile").read_text().splitlines()
        if ln.strip().startswith("$(BIN)/eventstudy run ")
    )
    out = tmp_path / "out"
    command = (
        line.replace("$(BIN)/eventstudy ", "")
        .replace("$(STUDY)", str(root / "studies" / "russell_sp_divergence.toml"))
        .replace("$(OUT)", str(out))
    )
    assert "$(" not in command and "--fetch" in command
    days = pd.bdate_range("1987-09-10", "2026-08-21")
    rng = np.random.default_rng(11)
    common = rng.normal(0.0003, 0.01, days.size)
    rut = 120 * np.exp(np.cumsum(common + rng.normal(0, 0.006, days.size)))
    spx = 320 * np.exp(np.cumsum(common))
    monkeypatch.setattr(
        yfinance,
        "download",
        FakeYahoo({"^RUT": yf_frame("^RUT", days, rut), "^GSPC": yf_frame("^GSPC", days, spx)}),
    )
    real = providers.fred.fetch
    gone = FakeSession({FRED: ("<html>Error: series does not exist</html>", 404)})
    monkeypatch.setitem(providers.PROVIDERS, "fred", lambda s, st, session: real(s, st, gone))
    data = tmp_path / "data"
    data.mkdir()
    argv = [*shlex.split(command), "--data-dir", str(data), "--no-figures", "--quiet"]
    assert main(argv) == 0, capsys.readouterr().err
    report = (out / "report.md").read_text()
    first = report[: report.index("**Bottom line.**")]
    assert re.search(
        r"\*\*Data\.\*\* Russell 2000: the earlier source of the splice, fred:RU2000PR, could "
        r"not be had \(fred:RU2000PR: FRED did not answer.*\); the series is yahoo:\^RUT alone "
        r"and starts 1987-09-10",
        first,
    )
    record = json.loads((out / "result.json").read_text())
    assert record["alignment"]["first"].startswith("1987-09-10")
    assert "fetched from yahoo" in json.dumps(record["data"])
    manifest = pd.read_csv(data / "cache" / "MANIFEST.csv")
    assert sorted(manifest["name"]) == ["yahoo:^GSPC", "yahoo:^RUT"]
    # the backtest's cash (the snapshot's Fama-French file) has no provider: cash earns
    # zero, and the report and result.json say why
    assert "Cash earns zero: fama_french:ff3_factors_daily[rf] could not be had" in report
    assert record["backtest"]["results"][0]["cash"] == "zero"


def test_without_the_library_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yfinance", None)  # import yfinance -> ImportError
    monkeypatch.setitem(sys.modules, "pandas_datareader", None)
    for name in ("yahoo:^RUT", "fred:DGS10", "french:F-F_Research_Data_Factors_daily"):
        with pytest.raises(ImportError, match=r"pip install 'eventstudy\[providers\]'"):
            fetch_series(name, tmp_path)
    assert main(["data", "fetch", "yahoo:^RUT", "--data-dir", str(tmp_path)]) == 2
    assert "needs yfinance: pip install 'eventstudy[providers]'" in capsys.readouterr().err


@pytest.mark.network
def test_french_live_smoke(tmp_path: Path) -> None:
    """One live fetch; skipped offline."""
    require_online("https://mba.tuck.dartmouth.edu")
    rec = fetch_series("french:F-F_Research_Data_Factors_daily", tmp_path, start="2024-01-01")
    assert rec.row["rows"] > 100


def test_two_rows_on_one_date_or_a_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A time-zone-aware answer lands on its exchange dates; two rows on one date are an
    error naming the date."""
    days, close = _prices(5)
    frame = yf_frame("^RUT", days, close)
    aware = frame.copy()
    aware.index = (days + pd.Timedelta(hours=16)).tz_localize("America/New_York")
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"^RUT": aware}))
    rec = fetch_series("yahoo:^RUT", tmp_path, now=NOW)
    assert pd.read_parquet(rec.path)["date"].tolist() == list(days)
    doubled = pd.concat([frame, frame.iloc[[2]]])
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"^RUT": doubled}))
    with pytest.raises(
        DataError, match=f"yahoo:\\^RUT: the answer has two rows on {days[2]:%Y-%m-%d}"
    ):
        fetch_series("yahoo:^RUT", tmp_path, now=NOW)


# ---- review of the data layer (2026-12-08): what a provider answered could be cached or
# loaded wrong without a word


def test_a_yahoo_answer_in_utc_keeps_the_exchanges_local_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokyo-midnight bars stamped in UTC (15:00 the day before) were cached a day early,
    2024-07-28 (a Sunday) .. 07-30, without a note."""
    local = pd.DatetimeIndex(["2024-07-29", "2024-07-30", "2024-07-31"]).tz_localize("Asia/Tokyo")
    utc = local.tz_convert("UTC")
    assert [f"{d:%Y-%m-%d}" for d in utc] == ["2024-07-28", "2024-07-29", "2024-07-30"]
    frame = yf_frame("7203.T", utc, np.array([1.0, 1.01, 1.02]))
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"7203.T": frame}))
    rec = fetch_series("yahoo:7203.T", tmp_path, now=NOW)
    assert (rec.row["first"], rec.row["last"]) == (
        "2024-07-29",
        "2024-07-31",
    )  # plain pandas: local
    assert "converted to the exchange's zone Asia/Tokyo" in rec.summary()
    loaded = DataStore(tmp_path).load("yahoo:7203.T")
    assert list(loaded.data.index) == list(local.tz_localize(None))


def test_weekend_rows_are_dropped_counted_and_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = pd.DatetimeIndex(["2024-07-26", "2024-07-27", "2024-07-29"])
    assert list(days.day_name()) == ["Friday", "Saturday", "Monday"]  # plain pandas
    frame = yf_frame("ACME", days, np.array([1.0, 1.0, 2.0]))
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"ACME": frame}))
    rec = fetch_series("yahoo:ACME", tmp_path, now=NOW)
    assert rec.row["rows"] == 2 and "1 weekend-dated row(s) dropped (2024-07-27)" in rec.summary()
    fred = FredSession(
        "observation_date,DGS10\n2020-01-03,1.88\n2020-01-04,1.88\n2020-01-06,1.81\n"
    )
    rec = fetch_series("fred:DGS10", tmp_path, session=fred, now=NOW)
    assert (rec.row["rows"], rec.row["notes"]) == (2, "1 weekend-dated row(s) dropped (2020-01-04)")
    monthly = FredSession("observation_date,CPIAUCSL\n2020-01-01,258.0\n2020-02-01,258.6\n")
    assert fetch_series("fred:CPIAUCSL", tmp_path, session=monthly, now=NOW).row["rows"] == 2


def test_a_yahoo_stock_loads_its_adjusted_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A $2 dividend: close 100, 100, 98 and adj_close 98, 98, 98.  The old loader read close,
    a -2 % "return" on the ex-date; an index (adj_close = close) still reads close."""
    days = pd.bdate_range("2024-07-29", periods=3)
    frame = yf_frame("ACME", days, np.array([100.0, 100.0, 98.0]))
    frame[("Adj Close", "ACME")] = [98.0, 98.0, 98.0]
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"ACME": frame}))
    fetch_series("yahoo:ACME", tmp_path, now=NOW)
    loaded = DataStore(tmp_path).load("yahoo:ACME")
    plain = pd.read_parquet(tmp_path / "cache" / "yahoo" / "ACME.parquet")  # independent read
    assert loaded.data.tolist() == plain["adj_close"].tolist() == [98.0, 98.0, 98.0]
    assert loaded.info.column == "adj_close" and "adj_close loaded" in loaded.info.notes[0]
    assert DataStore(tmp_path).load("yahoo:ACME[close]").data.tolist() == [100.0, 100.0, 98.0]


@pytest.mark.parametrize("bad", [0.0, np.inf])
def test_a_fetch_that_cannot_be_loaded_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: float
) -> None:
    """A close of 0 or inf was cached and reported as a success; every load then failed."""
    days = pd.bdate_range("2024-07-29", periods=3)
    frame = yf_frame("ACME", days, np.array([1.0, bad, 3.0]))
    monkeypatch.setattr(yfinance, "download", FakeYahoo({"ACME": frame}))
    with pytest.raises(DataError, match=r"column 'close': non-.* on 2024-07-30 .*; not cached"):
        fetch_series("yahoo:ACME", tmp_path, now=NOW)
    assert not (tmp_path / "cache" / "yahoo" / "ACME.parquet").exists()


@pytest.mark.parametrize("cell", ['"3,257.85"', "ND"])
def test_fred_text_other_than_its_dot_is_an_error_naming_the_date(
    tmp_path: Path, cell: str
) -> None:
    """'3,257.85' was dropped and counted as if it were FRED's '.' holiday marker."""
    body = f"observation_date,SP500\n2020-01-02,{cell}\n2020-01-03,3234.85\n"
    with pytest.raises(DataError, match=r"fred:SP500: non-numeric value .* on 2020-01-02 "):
        fetch_series("fred:SP500", tmp_path, session=FredSession(body), now=NOW)


def test_a_fred_fetch_keeps_its_count_of_dots_in_the_load_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The '.' count was in cache/MANIFEST.csv only: the load's record said nothing was
    dropped, and ``data show`` printed no note at all."""
    body = "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,.\n2020-01-06,1.81\n"
    fetch_series("fred:DGS10", tmp_path, session=FredSession(body), now=NOW)
    info = DataStore(tmp_path).load("fred:DGS10").info
    assert info.dropped == {"provider_without_value": 1}
    assert "1 row(s) without a value dropped by the fetch" in info.notes[-1]
    assert main(["--data-dir", str(tmp_path), "data", "show", "fred:DGS10"]) == 0
    assert "note: fetched from fred on 2026-11-22" in capsys.readouterr().out
