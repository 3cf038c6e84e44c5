"""A signal's result must sit on the data's own dates: events are placed by position on the
forward returns, so a result on other dates (``pct_change().dropna()``) would pair each event
with another date's returns -- silently, before this check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.conftest import EXAMPLE_STUDY, write_example_data
from eventstudy.exceptions import ConfigError
from eventstudy.signals import SIGNALS, Signal, SignalResult, compute_checked, register


@dataclass(frozen=True, slots=True)
class Shifty(Signal):
    """Five-day change with the warm-up dropped (or other mistakes, by ``how``)."""

    kind: ClassVar[str] = "shifty_test_signal"

    series: str
    how: str = "dropna"

    def compute(self, data: pd.DataFrame) -> Any:
        value = data[self.series].pct_change(5)
        if self.how == "dropna":
            value = value.dropna()
        elif self.how == "tuple":
            return (value, value > 0)
        elif self.how == "crash":
            return value.no_such_method()
        elif self.how == "late":
            value.index = value.index + pd.Timedelta(days=1)
        return SignalResult(
            value=value,
            trigger=(value > 0.04).fillna(False),
            threshold=0.04,
            look_ahead=False,
            description="five-day change above 4%",
        )


def _data() -> pd.DataFrame:
    idx = pd.bdate_range("2020-01-01", periods=60)
    return pd.DataFrame({"x": 100 * np.exp(np.cumsum(np.full(60, 0.01)))}, index=idx)


def test_compute_checked_refuses_other_dates_and_other_objects() -> None:
    data = _data()
    ok = compute_checked(Shifty(series="x", how="none"), data)
    assert ok.value.index.equals(data.index)
    with pytest.raises(
        ValueError,
        match=r"^signal 'shifty_test_signal' \(.*Shifty\) returned "
        r"values on 55 dates, not on the data's 60 \(e\.g\. 2020-01-01 is "
        r"missing\): return one value per date",
    ):
        compute_checked(Shifty(series="x"), data)
    with pytest.raises(ValueError, match=r"e\.g\. 2020-01-04 is not a date of the data"):
        compute_checked(Shifty(series="x", how="late"), data)
    with pytest.raises(TypeError, match=r"^signal 'shifty_test_signal' .* returned tuple, not a"):
        compute_checked(Shifty(series="x", how="tuple"), data)
    with pytest.raises(TypeError, match=r"failed: AttributeError: 'Series' object has no"):
        compute_checked(Shifty(series="x", how="crash"), data)
    with pytest.raises(KeyError):  # the signal's own errors of these kinds pass unchanged
        compute_checked(Shifty(series="nope"), data)


@pytest.fixture
def registered():
    register(Shifty)
    yield
    SIGNALS.unregister(Shifty.kind)


@pytest.mark.parametrize("how", ["dropna", "crash"])
def test_a_study_names_the_variant_and_the_signal(registered, how: str, tmp_path: Path) -> None:
    data = write_example_data(tmp_path / "data")
    text = EXAMPLE_STUDY
    start = text.index("[signal]")
    end = text.index("\n[", start + 1)
    text = (
        text[:start]
        + (f'[signal]\ntype = "shifty_test_signal"\nseries = "a"\nhow = "{how}"\n')
        + text[end + 1 :]
    )
    with pytest.raises(
        ConfigError, match=r"\[signal\] \(variant .*\): signal 'shifty_test_signal'"
    ):
        es.run_study(es.parse_study(text), data_dir=data)


def test_the_whole_messages_and_dates_in_another_order() -> None:
    """Exact texts, the signal's module included, and a result on the data's dates in
    another order (mutation survivors)."""
    data = _data()
    where = f"signal 'shifty_test_signal' ({__name__}.Shifty)"
    with pytest.raises(ValueError) as info:
        compute_checked(Shifty(series="x"), data)
    assert str(info.value) == (
        f"{where} returned values on 55 dates, not on the data's 60 (e.g. 2020-01-01 is "
        "missing): return one value per date of the data (NaN where undefined), e.g. with "
        ".reindex(data.index)"
    )
    ok = Shifty(series="x", how="none").compute(data)
    flipped = SignalResult(
        value=ok.value.iloc[::-1],
        trigger=ok.trigger.iloc[::-1],
        threshold=ok.threshold,
        look_ahead=False,
        description=ok.description,
    )
    with pytest.raises(ValueError, match=r"not on the data's 60 \(in another order\): return"):
        compute_checked(Shifty(series="x", how="none"), data, flipped)
    with pytest.raises(TypeError) as info2:
        compute_checked(Shifty(series="x", how="tuple"), data)
    assert str(info2.value) == f"{where} returned tuple, not a SignalResult"


def test_a_signal_without_a_kind_is_named_by_its_class() -> None:
    @dataclass(frozen=True)
    class Bare(Signal):
        def compute(self, data: pd.DataFrame) -> Any:
            return None

    with pytest.raises(TypeError, match=r"^signal 'Bare' \(.*Bare\) returned NoneType, not a"):
        compute_checked(Bare(), _data())
