"""Integration tests on the real data snapshot (skipped without $EVENTSTUDY_DATA)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.data import DataStore, align, find_gaps

pytestmark = pytest.mark.integration


def test_spliced_russell_2000_since_1978(snapshot_dir: Path) -> None:
    store = DataStore(snapshot_dir)
    ru2000 = store.load("fred:RU2000PR")
    assert ru2000.data.loc["1978-12-29"] == 100.0  # FRED rebases the index to 100 on 1978-12-29
    rut, report = store.splice("fred:RU2000PR", "yahoo:RUT")
    gspc = store.load("yahoo:GSPC")
    aligned = align({"rut": rut, "spx": gspc})
    idx = aligned.frame.index
    assert idx[0] == pd.Timestamp("1978-12-29")
    assert idx[-1] == pd.Timestamp(gspc.info.last)  # the snapshot's last date
    assert report.join_date == "1987-09-10"
    assert report.return_correlation > 0.999  # README: 0.99972 on 7898 common dates
    gaps = find_gaps(idx[idx >= "1980-01-01"], days=5)
    assert [
        (f"{a:%Y-%m-%d}", f"{b:%Y-%m-%d}") for a, b in zip(gaps["from"], gaps["to"], strict=True)
    ] == [("2001-09-10", "2001-09-17")]
    # the later source's levels are kept from the join on
    assert aligned.frame.loc["2024-11-06", "rut"] == pytest.approx(
        store.load("yahoo:RUT").data.loc["2024-11-06"]
    )


def test_a_total_return_source_spliced_into_a_price_index_is_warned(snapshot_dir: Path) -> None:
    """fred:RU2000TR into yahoo:^RUT: the level ratio TR / PR drifts (dividends, +1.46% a year
    from the two series' mean daily-return difference); the shipped splice of fred:RU2000PR
    passes unwarned."""
    import warnings

    import numpy as np

    from eventstudy.exceptions import SpliceAgreementWarning

    store = DataStore(snapshot_dir)
    tr, pr = store.load("fred:RU2000TR").data, store.load("yahoo:^RUT").data
    common = tr.index.intersection(pr.index)
    years = (common - common[0]).days.to_numpy() / 365.25
    slope = np.polyfit(years, np.log(tr.loc[common] / pr.loc[common]).to_numpy(), 1)[0]
    assert 0.012 < slope < 0.016  # independent: numpy's least-squares slope, per year
    with pytest.warns(SpliceAgreementWarning, match=r"fred:RU2000TR -> yahoo:\^RUT: the ratio"):
        _, report = store.splice("fred:RU2000TR", "yahoo:^RUT")
    assert report.level_drift == pytest.approx(slope, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpliceAgreementWarning)
        _, shipped = store.splice("fred:RU2000PR", "yahoo:^RUT")
    assert abs(shipped.level_drift) < 0.0005


def test_every_snapshot_file_loads(snapshot_dir: Path) -> None:
    store = DataStore(snapshot_dir)
    listing = store.listing()
    assert len(listing) == len(store.files())
    for name in store.available():
        if name.startswith("panel:"):
            continue
        if name.startswith("fama_french:"):
            frame = store.load_frame(name)
            assert frame.data.notna().all().all()
        else:
            loaded = store.load(name)
            assert loaded.info.rows == int(listing.set_index("name").loc[name, "rows"])
