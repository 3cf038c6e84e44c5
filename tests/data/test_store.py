"""Data directory: settings precedence, name resolution, splicing, alignment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import DataStore, align, find_gaps, resolve_data_dir, splice_series
from eventstudy.data.records import LoadedSeries
from eventstudy.exceptions import DataError, DataFileNotFoundError, SpliceAgreementWarning


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
    with pytest.raises(DataError, match=r"invalid price .* for ticker B on 2020-01-03"):
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
