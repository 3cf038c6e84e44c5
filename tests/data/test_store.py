"""Data directory: settings precedence, name resolution, splicing, alignment."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import DataStore, align, find_gaps, resolve_data_dir, splice_series
from eventstudy.data.records import LoadedSeries
from eventstudy.exceptions import (
    DataError,
    DataFileNotFoundError,
    DataRevisionWarning,
    SpliceAgreementWarning,
)


def make_store(tmp_path: Path) -> DataStore:
    (tmp_path / "series" / "yahoo").mkdir(parents=True)
    (tmp_path / "series" / "fred").mkdir(parents=True)
    (tmp_path / "fama_french").mkdir()
    (tmp_path / "series" / "yahoo" / "AAA.csv").write_text(
        "date,open,close\n2020-01-02,1,10\n2020-01-03,1,11\n2020-01-06,1,12.1\n2020-01-07,1,12\n"
    )
    (tmp_path / "series" / "fred" / "OLD.csv").write_text(
        "date,value\n2019-12-30,3.2\n2019-12-31,3.6\n2020-01-02,4\n2020-01-03,4.4\n2020-01-06,4.84\n2020-01-07,4.8\n"
    )
    (tmp_path / "fama_french" / "ff.csv").write_text("date,mkt_rf,rf\n2020-01-02,1.0,0.01\n")
    return DataStore(tmp_path)


def series(values: list[float], dates: list[str], name: str = "s") -> LoadedSeries:
    from eventstudy.data.records import SeriesInfo

    s = pd.Series(values, index=pd.DatetimeIndex(dates), dtype="float64", name=name)
    info = SeriesInfo(name, name, "close", dates[0], dates[-1], len(values), "0" * 64)
    return LoadedSeries(s, info)


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.setenv("EVENTSTUDY_DATA", str(b))
    assert resolve_data_dir(a) == a.resolve()  # --data-dir wins
    assert resolve_data_dir(None) == b.resolve()  # then the environment
    monkeypatch.delenv("EVENTSTUDY_DATA")
    assert resolve_data_dir(None).name == "data"  # then the project's data/


def test_missing_data_dir(tmp_path: Path) -> None:
    with pytest.raises(
        DataFileNotFoundError, match=r"data directory .*nope \(from --data-dir\) does not exist"
    ):
        resolve_data_dir(tmp_path / "nope")


def test_names_and_paths_resolve(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    assert store.available() == ["fama_french:ff", "fred:OLD", "yahoo:AAA"]
    by_name = store.load("yahoo:AAA")
    by_path = store.load(str(tmp_path / "series" / "yahoo" / "AAA.csv"))
    by_rel = store.load("series/yahoo/AAA.csv")
    pd.testing.assert_series_equal(by_name.data, by_path.data, check_names=False)
    pd.testing.assert_series_equal(by_name.data, by_rel.data, check_names=False)
    assert by_name.info.column == "close"  # preferred over 'open'
    assert by_name.info.rows == 4 and by_name.info.first == "2020-01-02"
    assert store.load("fama_french:ff[rf]").data.tolist() == [0.01]
    assert list(store.load_frame("fama_french:ff").data.columns) == ["mkt_rf", "rf"]


def test_sha256_fingerprint_changes_with_content(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    before = store.load("yahoo:AAA").info.sha256
    path = tmp_path / "series" / "yahoo" / "AAA.csv"
    path.write_text(path.read_text().replace("12.1", "12.2"))
    assert store.load("yahoo:AAA").info.sha256 != before


def test_splice_hand_computed(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    spliced, report = store.splice("fred:OLD", "yahoo:AAA")
    # join at 2020-01-02 where OLD = 4 and AAA = 10: scale 2.5; earlier levels 3.2, 3.6 -> 8, 9
    assert report.join_date == "2020-01-02"
    assert report.scale == pytest.approx(2.5)
    assert spliced.data.tolist() == pytest.approx([8.0, 9.0, 10.0, 11.0, 12.1, 12.0])
    assert report.overlap_days == 4
    # overlap returns: OLD 0.1, 0.1, -0.00826 ; AAA the same -> perfect agreement
    assert report.return_correlation == pytest.approx(1.0)
    assert report.max_abs_return_diff == pytest.approx(0.0, abs=1e-12)
    assert spliced.info.first == "2019-12-30"


def test_splice_warns_on_poor_agreement() -> None:
    dates = [f"2020-01-{d:02d}" for d in range(1, 8)]
    early = series([1, 2, 1, 2, 1, 2, 1], dates, "early")
    late = series([1, 1.01, 1.03, 1.02, 1.05, 1.04, 1.0], [*dates[1:], "2020-01-08"], "late")
    a = np.array([2, 1, 2, 1, 2, 1], dtype=float)  # early on the 6 common dates
    b = np.array([1, 1.01, 1.03, 1.02, 1.05, 1.04])
    expected = np.corrcoef(a[1:] / a[:-1] - 1, b[1:] / b[:-1] - 1)[0, 1]
    with pytest.warns(SpliceAgreementWarning, match=rf"correlate at {expected:.5f} \(< 0\.999"):
        _, report = splice_series(early, late)
    assert report.return_correlation == pytest.approx(expected)


def test_splice_warns_when_the_level_ratio_drifts() -> None:
    """Review 2026-12, finding 1.3: a total-return source joined to a price source passed
    the correlation check (daily returns correlate at 0.9997). Two sources with the same
    daily noise, one gaining 1.5% a year more (a dividend yield): the ratio of their levels
    drifts, measured against numpy's least-squares slope, and the splice is warned naming
    both; a copy with noise of its own but no drift is not."""
    import warnings

    dates = pd.bdate_range("2000-01-03", "2009-12-31")
    rng = np.random.default_rng(4)
    price = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, dates.size)))
    years = (dates - dates[0]).days.to_numpy() / 365.25
    total = price * np.exp(0.015 * years)
    iso = [f"{d:%Y-%m-%d}" for d in dates]
    tr = series(list(total), iso, "TR")
    pr = series(list(price[500:]), iso[500:], "PR")  # the later source, from 2001-12-03
    common = dates[500:]
    slope = np.polyfit(years[500:], np.log(total[500:] / price[500:]), 1)[0]  # independent
    assert slope == pytest.approx(0.015, rel=1e-9)
    with pytest.warns(
        SpliceAgreementWarning,
        match=r"TR -> PR: the ratio of their levels drifts "
        rf"\+1\.50% a year over the {common.size}-day overlap",
    ):
        _, report = splice_series(tr, pr)
    assert report.level_drift == pytest.approx(slope, rel=1e-9)
    assert report.return_correlation > 0.999  # the old check alone passed it
    assert "level-ratio drift +1.500% a year" in report.summary()
    same = price * np.exp(rng.normal(0, 1e-4, dates.size))  # another vendor's rounding
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpliceAgreementWarning)
        _, quiet = splice_series(series(list(same), iso, "OLD"), pr)
    assert abs(quiet.level_drift) < 0.001


def test_splice_needs_join_date_in_earlier() -> None:
    early = series([1, 2], ["2020-01-01", "2020-01-02"], "early")
    late = series([5, 6], ["2020-01-03", "2020-01-06"], "late")
    with pytest.raises(DataError, match=r"early has no value on 2020-01-03"):
        splice_series(early, late)


def test_align_inner_join_counts_dropped() -> None:
    a = series([1, 2, 3, 4], ["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06"], "a")
    b = series([5, 6, 7], ["2020-01-02", "2020-01-03", "2020-01-06"], "b")
    c = series([1, 1, 1, 1], ["2020-01-02", "2020-01-03", "2020-01-05", "2020-01-06"], "c")
    out = align({"a": a, "b": b, "c": c})
    assert list(out.frame.index.strftime("%Y-%m-%d")) == ["2020-01-02", "2020-01-03", "2020-01-06"]
    assert out.frame["a"].tolist() == [2, 3, 4]
    # a's 2020-01-01 lies before the common range; c's 2020-01-05 is inside it and dropped
    assert dict(out.dropped) == {"a": 0, "b": 0, "c": 1}
    assert out.frame.dtypes.eq(np.float64).all()


def test_align_rejects_uncovered_range() -> None:
    a = series([1, 2], ["2020-03-02", "2020-03-03"], "a")
    with pytest.raises(
        DataError, match=r"series 'x' \(a\) starts 2020-03-02, after the requested start 2020-01-01"
    ):
        align({"x": a}, start="2020-01-01")
    with pytest.raises(DataError, match=r"ends 2020-03-03, before the requested end 2021-01-01"):
        align({"x": a}, end="2021-01-01")


def test_find_gaps() -> None:
    idx = pd.DatetimeIndex(["2001-09-07", "2001-09-10", "2001-09-17", "2001-09-18"])
    gaps = find_gaps(idx, days=5)
    assert len(gaps) == 1
    assert gaps.loc[0, "days"] == 7
    assert gaps.loc[0, "from"] == pd.Timestamp("2001-09-10")


def test_panel_long_to_wide(tmp_path: Path) -> None:
    (tmp_path / "panel").mkdir()
    (tmp_path / "panel" / "p.csv").write_text(
        "date,ticker,open,close\n2020-01-02,A,1,10\n2020-01-02,B,1,20\n2020-01-03,A,1,11\n"
    )
    wide = DataStore(tmp_path).load_panel("panel:p").data
    assert list(wide.columns) == ["A", "B"]
    assert wide.loc["2020-01-03", "A"] == 11 and np.isnan(wide.loc["2020-01-03", "B"])


def test_panel_bad_price_names_ticker_and_date(tmp_path: Path) -> None:
    (tmp_path / "panel").mkdir()
    (tmp_path / "panel" / "p.csv").write_text(
        "date,ticker,close\n2020-01-02,A,1\n2020-01-03,B,-1\n"
    )
    with pytest.raises(
        DataError, match=r"non-positive price -1 for ticker B on 2020-01-03 \(line 3"
    ):
        DataStore(tmp_path).load_panel("panel:p")


def test_panel_duplicate_row(tmp_path: Path) -> None:
    (tmp_path / "panel").mkdir()
    (tmp_path / "panel" / "p.csv").write_text("date,ticker,close\n2020-01-02,A,1\n2020-01-02,A,1\n")
    with pytest.raises(DataError, match=r"duplicate row for ticker A on 2020-01-02"):
        DataStore(tmp_path).load_panel("panel:p")


def test_empty_data_directory_says_how_to_point_at_data(tmp_path: Path) -> None:
    with pytest.raises(
        DataFileNotFoundError, match=r"holds no data files. Point --data-dir or \$EVENTSTUDY_DATA"
    ):
        DataStore(tmp_path).load("yahoo:RUT")


def test_symlinked_or_str_root_keeps_manifest(tmp_path: Path) -> None:
    """A data directory reached through a symlink (as ``../shared`` may be) or given as a str
    finds its MANIFEST rows: a yield listed in percent is a level, not a price, so a
    negative value is accepted (a price series with one would be rejected)."""
    real = tmp_path / "real"
    (real / "series" / "fred").mkdir(parents=True)
    (real / "series" / "fred" / "Y.csv").write_text(
        "date,value\n2020-01-02,0.5\n2020-01-03,-0.1\n2020-01-06,0.2\n"
    )
    (real / "MANIFEST.csv").write_text("path,units\nseries/fred/Y.csv,percent\n")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for root in (link, str(link), str(real)):
        store = DataStore(root)  # type: ignore[arg-type]
        assert store.root == real.resolve()
        assert store.manifest_entry(link / "series" / "fred" / "Y.csv")["units"] == "percent"
        assert store.load("fred:Y").data.tolist() == [0.5, -0.1, 0.2]
    with pytest.raises(DataError, match="Y.csv"):
        DataStore(real).load("fred:Y", kind="price")
    with pytest.raises(TypeError, match="root must be a path, got int"):
        DataStore(3)  # type: ignore[arg-type]


# ---- review of the data layer (2026-12-08): a name, a manifest row or a panel could load
# wrong data without a word


def _csv(path: Path, first: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"date,close\n2020-01-02,{first}\n2020-01-03,{first + 0.5}\n")


def test_a_name_several_files_answer_is_an_error_naming_each(tmp_path: Path) -> None:
    """RUT.csv, RUT.parquet, rut.csv and yahoo/RUT.csv all answered ``yahoo:RUT``; the old
    store read the first in its search order (a stale CSV beside an updated parquet)."""
    _csv(tmp_path / "series" / "yahoo" / "RUT.csv", 1)
    pd.DataFrame({"date": pd.to_datetime(["2020-01-02"]), "close": [2.0]}).to_parquet(
        tmp_path / "series" / "yahoo" / "RUT.parquet", index=False
    )
    _csv(tmp_path / "series" / "yahoo" / "rut.csv", 3)
    _csv(tmp_path / "yahoo" / "RUT.csv", 4)
    store = DataStore(tmp_path)
    for name in ("yahoo:RUT", "yahoo:rut", "yahoo:^RUT"):
        with pytest.raises(
            DataError,
            match=rf"'{re.escape(name)}' names 4 files in .*: series/yahoo/RUT.csv, "
            r"series/yahoo/RUT.parquet, series/yahoo/rut.csv, yahoo/RUT.csv",
        ):
            store.load(name)
    checks = store.listing().set_index("path")["check"]
    assert all("one of 4 files named" in checks[p] for p in checks.index)
    (tmp_path / "series" / "yahoo" / "RUT.parquet").unlink()
    (tmp_path / "series" / "yahoo" / "rut.csv").unlink()
    (tmp_path / "yahoo" / "RUT.csv").unlink()
    assert DataStore(tmp_path).load("yahoo:^RUT").data.tolist() == [1.0, 1.5]


def _dgs10(root: Path, manifest: str | None) -> DataStore:
    (root / "series" / "fred").mkdir(parents=True)
    (root / "series" / "fred" / "DGS10.csv").write_text(
        "date,value\n2020-01-02,1.88\n2020-01-03,1.80\n2020-01-06,1.81\n"
    )
    if manifest is not None:
        (root / "MANIFEST.csv").write_text(manifest)
    return DataStore(root)


@pytest.mark.parametrize(
    ("path", "units", "shown"),
    [
        ("series/fred/DGS10.csv", "percent per annum", ("bp", 100.0)),
        ("./series/fred/DGS10.csv", "percent per annum", ("bp", 100.0)),
        ("series\\fred\\DGS10.csv", "percent per annum", ("bp", 100.0)),
        ("series/fred/DGS10.csv", "%", ("bp", 100.0)),
        ("series/fred/DGS10.csv", "pct", ("bp", 100.0)),
        ("series/fred/DGS10.csv", "bps", ("bp", 1.0)),
        ("series/fred/DGS10.csv", "bp", ("bp", 1.0)),
    ],
)
def test_manifest_paths_and_unit_spellings_keep_a_yield_a_level(
    tmp_path: Path, path: str, units: str, shown: tuple[str, float]
) -> None:
    """``./`` or backslashes in the row's path, and ``%`` or ``bps`` as units, made the
    10-year yield a price (its changes read as percent returns) and skipped its sha256."""
    store = _dgs10(tmp_path, f"path,units,sha256\n{path},{units},{'0' * 64}\n")
    assert store.kind_of("fred:DGS10") == "level"
    assert store.level_units("fred:DGS10") == shown
    with pytest.warns(DataRevisionWarning, match=r"sha256 .* differs from the manifest's 000000"):
        store.load("fred:DGS10")


def test_a_known_yield_without_a_manifest_row_needs_its_kind(tmp_path: Path) -> None:
    store = _dgs10(tmp_path, None)
    message = (
        r"fred:DGS10 \(series/fred/DGS10.csv\) has no units in a manifest row, and the provider "
        r"knows it as a level \(percent per annum\), not a price: add its row to .*MANIFEST.csv "
        r"\(path,units: series/fred/DGS10.csv,percent per annum\), or declare kind = \"level\""
    )
    with pytest.raises(DataError, match=message):
        store.load("fred:DGS10")
    with pytest.raises(DataError, match=message):
        store.kind_of("fred:DGS10")
    level = store.load("fred:DGS10", kind="level")
    assert level.data.tolist() == [1.88, 1.80, 1.81]
    assert store.level_units("fred:DGS10") == ("bp", 100.0)  # FRED's units for the symbol


def test_units_that_tell_neither_need_the_kind(tmp_path: Path) -> None:
    store = _dgs10(tmp_path, "path,units\nseries/fred/DGS10.csv,furlongs\n")
    with pytest.raises(DataError, match=r"units 'furlongs', which tell neither a price"):
        store.load("fred:DGS10")
    assert store.load("fred:DGS10", kind="level").data.size == 3


def test_duplicate_manifest_rows_are_an_error_naming_file_and_name(tmp_path: Path) -> None:
    """Two rows for one path: ``data show`` printed pandas Series as the units and ``data
    list`` failed with 'The truth value of a Series is ambiguous'."""
    rows = "path,units\nseries/fred/DGS10.csv,percent\n./series/fred/DGS10.csv,percent\n"
    with pytest.raises(
        DataError,
        match=r"MANIFEST.csv: 2 rows for series/fred/DGS10.csv \(name 'fred:DGS10'\)",
    ):
        _dgs10(tmp_path, rows)


def test_manifest_rows_with_a_thousands_separator_name_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "series" / "fred" / "DGS10.csv"
    store = _dgs10(tmp_path, None)
    import hashlib

    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "MANIFEST.csv").write_text(
        f'path,units,rows,sha256\nseries/fred/DGS10.csv,percent,"16,144",{sha}\n'
    )
    with pytest.raises(
        DataError,
        match=r"MANIFEST.csv: the row of series/fred/DGS10.csv gives rows '16,144', not a whole",
    ):
        DataStore(tmp_path).listing()
    del store


def test_listing_shows_the_file_when_it_changed_after_its_row(tmp_path: Path) -> None:
    """``data list`` printed the manifest's range and rows for a file cut short after the
    row was written."""
    store = _dgs10(tmp_path, None)
    path = tmp_path / "series" / "fred" / "DGS10.csv"
    (tmp_path / "MANIFEST.csv").write_text(
        "path,units,first_date,last_date,rows,sha256\n"
        f"series/fred/DGS10.csv,percent,2020-01-02,2020-01-06,3,{'0' * 64}\n"
    )
    row = DataStore(tmp_path).listing().iloc[0]
    plain = pd.read_csv(path)  # independent: the file as plain pandas reads it
    assert (row["first"], row["last"], row["rows"]) == (
        plain["date"].iloc[0],
        plain["date"].iloc[-1],
        len(plain),
    )
    assert row["check"].startswith("changed since its manifest row (sha256 differs")
    del store


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020-01-02,AAA,10\n2020-01-02,,20\n", r"a blank ticker \(''\) at line 3"),
        (
            "2020-01-02,AAA,10\n2020-01-02,NA,20\n",
            r"a missing-value marker as ticker \('NA'\) at line 3",
        ),
        (
            "2020-01-02,AAA,10\n2020-01-02,AAA ,11\n",
            r"a ticker padded with spaces \('AAA '\) at line 3",
        ),
        (
            "2020-01-02 09:30,AAA,10\n2020-01-02 16:00,AAA,11\n",
            r"more than one time stamp on 2020-01-02 \(09:30 at line 2, 16:00 at line 3",
        ),
        (
            "2020-01-02T00:00-05:00,AAA,10\n2020-01-03T00:00+09:00,AAA,11\n",
            r"dates in mixed time zones .* at line 2, .* at line 3",
        ),
        ("2020-01-02,AAA,10\n2020-01-03,AAA,\n", r"missing value .* on 2020-01-03 \(line 3"),
    ],
)
def test_panel_loader_applies_the_readers_checks(tmp_path: Path, text: str, message: str) -> None:
    """The panel loader read with its own parser: a blank and an ``NA`` ticker merged into
    ticker 'nan', a padded ticker became a second ticker, two stamps on one day two index
    entries, and offsets were converted to UTC (moving a row to another day)."""
    (tmp_path / "panel").mkdir()
    (tmp_path / "panel" / "p.csv").write_text("date,ticker,close\n" + text)
    with pytest.raises(DataError, match=r"panel/p.csv: column '(ticker|date|close)': " + message):
        DataStore(tmp_path).load_panel("panel:p")


def test_panel_month_stamps_are_month_ends_and_volume_may_be_zero(tmp_path: Path) -> None:
    (tmp_path / "panel").mkdir()
    (tmp_path / "panel" / "p.csv").write_text(
        "date,ticker,close,volume\n2020-01,AAA,10,0\n2020-02,AAA,11,5\n"
    )
    store = DataStore(tmp_path)
    wide = store.load_panel("panel:p").data
    # plain pandas: a month stamp's month end, as read_table maps it
    expected = pd.to_datetime(["2020-01", "2020-02"], format="%Y-%m") + pd.offsets.MonthEnd(0)
    assert list(wide.index) == list(expected)
    assert store.load_panel("panel:p", field="volume").data["AAA"].tolist() == [0.0, 5.0]
