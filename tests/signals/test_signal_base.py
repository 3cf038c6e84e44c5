"""SignalResult invariants, data validation and the registry."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, DataError
from eventstudy.signals import (
    Divergence,
    SignalResult,
    Threshold,
    make_signal,
    signal_types,
)
from tests.signals.sig_helpers import make_frame


def test_registry_names():
    assert set(signal_types()) == {
        "divergence",
        "move",
        "threshold",
        "calendar",
        "rebound",
        "all_of",
        "any_of",
        "not",
    }


def test_unknown_type_lists_valid_names():
    with pytest.raises(ConfigError, match=r"unknown signal type 'foo'.*divergence.*rebound"):
        make_signal({"type": "foo"})


def test_missing_type():
    with pytest.raises(ConfigError, match=r"missing key 'type'.*valid types"):
        make_signal({"series": "x"})


def test_unknown_param_names_key_and_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown parameter 'kk'.*valid parameters.*'k'"):
        make_signal({"type": "divergence", "a": "x", "b": "y", "kk": 3})


def test_missing_required_param():
    with pytest.raises(ConfigError, match=r"missing required parameter 'b'"):
        make_signal({"type": "divergence", "a": "x"})


def test_bad_value_from_config_raises_from_validation():
    with pytest.raises(ValueError, match=r"direction must be one of \['above', 'below', 'both'\]"):
        make_signal({"type": "divergence", "a": "x", "b": "y", "direction": "up"})


def test_config_round_trip():
    cfg = {"type": "divergence", "a": "rut", "b": "spx", "k": 3.0, "sigma_start": "1980-01-01"}
    sig = make_signal(cfg)
    assert isinstance(sig, Divergence)
    assert sig.to_config()["sigma_start"] == "1980-01-01"
    assert make_signal(sig.to_config()) == sig


def test_signals_are_frozen_and_slotted():
    sig = Threshold(series="x", level=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sig.level = 2.0  # type: ignore[misc]
    assert not hasattr(sig, "__dict__")


def test_missing_column_names_column_and_available():
    data = make_frame(x=[1.0, 2.0], y=[1.0, 2.0])
    with pytest.raises(DataError, match=r"column 'z' not in data; available columns: \['x', 'y'\]"):
        Threshold(series="z", level=1.0).compute(data)


def test_data_must_have_ascending_datetime_index():
    data = make_frame(x=[1.0, 2.0, 3.0]).iloc[::-1]
    with pytest.raises(DataError, match="ascending"):
        Threshold(series="x", level=1.0).compute(data)
    with pytest.raises(DataError, match="DatetimeIndex"):
        Threshold(series="x", level=1.0).compute(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(TypeError, match="DataFrame"):
        Threshold(series="x", level=1.0).compute([1.0])  # type: ignore[arg-type]


def test_series_name_type_checked():
    with pytest.raises(TypeError, match="series must be a column name"):
        Threshold(series=3, level=1.0)  # type: ignore[arg-type]


def test_signal_result_rejects_trigger_on_nan_value():
    idx = pd.bdate_range("2000-01-03", periods=2)
    with pytest.raises(DataError, match="trigger is True where value is NaN"):
        SignalResult(
            value=pd.Series([np.nan, 1.0], index=idx),
            trigger=pd.Series([True, False], index=idx),
            threshold=None,
            look_ahead=False,
            description="x",
        )


def test_signal_result_summary_and_frame():
    data = make_frame(x=[1.0, 3.0, 1.0, 3.0])
    res = Threshold(series="x", level=2.0).compute(data)
    frame = res.to_frame()
    assert list(frame.columns) == ["value", "trigger"]
    assert frame["trigger"].tolist() == [False, True, False, True]
    text = res.summary()
    assert "x crosses above 2" in text
    assert "trigger days: 2" in text
    assert res.n_triggers == 2
    assert "<pre>" in res._repr_html_()


# ----------------------------------------------------------------------------- SignalResult


def _idx(n: int) -> pd.DatetimeIndex:
    return pd.bdate_range("2000-01-03", periods=n)


def test_signal_result_type_and_index_errors():
    idx = _idx(3)
    good = pd.Series([1.0, 2.0, 3.0], index=idx)
    with pytest.raises(TypeError, match="^value and trigger must be pandas Series$"):
        SignalResult(good.to_numpy(), good > 1, None, False, "d")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^value and trigger must be pandas Series$"):
        SignalResult(good, (good > 1).to_numpy(), None, False, "d")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="^value and trigger must share the same index$"):
        SignalResult(good, pd.Series([True, False, True], index=_idx(4)[1:]), None, False, "d")
    with pytest.raises(DataError, match="trigger must be boolean, got dtype int64"):
        SignalResult(good, pd.Series([1, 0, 1], index=idx), None, False, "d")


def test_signal_result_nan_trigger_error_names_first_date():
    idx = _idx(4)
    value = pd.Series([1.0, np.nan, 2.0, np.nan], index=idx)
    with pytest.raises(DataError, match=r"value is NaN \(first on 2000-01-04 00:00:00\)"):
        SignalResult(value, pd.Series([True, True, False, True], index=idx), None, False, "d")
    # a trigger on a defined value next to NaN values is fine
    ok = SignalResult(value, pd.Series([True, False, True, False], index=idx), None, False, "d")
    assert ok.n_triggers == 2


def test_summary_lines_span_threshold_and_look_ahead():
    idx = _idx(6)
    value = pd.Series([np.nan, 0.5, 1.5, np.nan, 2.5, 0.1], index=idx)
    trigger = pd.Series([False, False, True, False, True, False], index=idx)
    res = SignalResult(value, trigger, 1.25, True, "my rule")
    lines = res.summary().split("\n")
    # dates of the triggers: positions 2 and 4 of the business days from Mon 2000-01-03
    assert lines == [
        "my rule",
        "  trigger days: 2, first 2000-01-05, last 2000-01-07",
        "  valid values: 4 of 6; threshold: 1.25",
        "  look-ahead: uses a full-sample statistic (not tradable in real time)",
    ]
    html = res._repr_html_()
    assert html == "<div><pre>" + "<br>".join(lines) + "</pre></div>"
    frame = res.to_frame()
    pd.testing.assert_series_equal(frame["value"], value, check_names=False)
    assert frame["trigger"].dtype == bool and frame.index.equals(idx)


def test_summary_without_triggers_threshold_or_look_ahead():
    idx = _idx(3)
    res = SignalResult(
        pd.Series([1.0, np.nan, 3.0], index=idx),
        pd.Series([False] * 3, index=idx),
        None,
        False,
        "r",
    )
    text = res.summary()
    assert text.split("\n") == ["r", "  trigger days: 0", "  valid values: 2 of 3; threshold: none"]
    assert "look-ahead" not in text and "first" not in text
    assert res.n_triggers == 0
    # a single trigger: first == last
    one = SignalResult(
        pd.Series([1.0, 2.0, 3.0], index=idx),
        pd.Series([False, False, True], index=idx),
        -0.5,
        False,
        "r",
    )
    assert "  trigger days: 1, first 2000-01-05, last 2000-01-05" in one.summary()
    assert "threshold: -0.5" in one.summary()


# ----------------------------------------------------------------------------- helpers


def test_check_data_messages():
    from eventstudy.signals._base import check_data

    with pytest.raises(TypeError, match="data must be a pandas DataFrame, got list"):
        check_data([1.0])
    with pytest.raises(DataError, match="data must have a DatetimeIndex, got RangeIndex"):
        check_data(pd.DataFrame({"x": [1.0]}))
    dup = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.DatetimeIndex(["2000-01-03", "2000-01-03"]))
    with pytest.raises(
        DataError,
        match=r"^data index must be strictly ascending trading days \(sorted, no duplicates\)$",
    ):
        check_data(dup)
    frame = make_frame(x=[1.0])
    assert check_data(frame) is frame


def test_get_column_dtype_checks():
    from eventstudy.signals._base import get_column

    idx = _idx(2)
    data = pd.DataFrame({"s": ["a", "b"], "f": [True, False], "i": [1, 2]}, index=idx)
    with pytest.raises(DataError, match="column 's' must be numeric, got dtype "):
        get_column(data, "s")
    with pytest.raises(DataError, match="column 'f' must be numeric, got dtype bool"):
        get_column(data, "f")
    col = get_column(data, "i")
    assert col.dtype == np.float64 and col.tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="DataFrame"):
        get_column(data["i"], "i")  # type: ignore[arg-type]


def _brute_nday(p: list[float], n: int, kind: str) -> list[float]:
    out = []
    for t in range(len(p)):
        if t < n or np.isnan(p[t]) or np.isnan(p[t - n]) or p[t - n] == 0:
            out.append(np.nan)
            continue
        ratio = p[t] / p[t - n]
        if not (np.isfinite(ratio) and ratio > 0):
            out.append(np.nan)
        else:
            out.append(float(np.log(ratio)) if kind == "log" else ratio - 1.0)
    return out


@pytest.mark.parametrize("kind", ["simple", "log"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_nday_return_brute_force(kind, n):
    from eventstudy.signals._base import nday_return

    p = [100.0, 101.0, np.nan, 99.0, 0.0, 98.0, -5.0, 97.0, 103.0, 104.5]
    s = pd.Series(p, index=_idx(len(p)), name="px")
    out = nday_return(s, n, kind)
    np.testing.assert_allclose(out.to_numpy(), _brute_nday(p, n, kind), rtol=1e-12)
    assert out.name == "px" and out.index.equals(s.index)


def test_nday_return_length_boundaries():
    from eventstudy.signals._base import nday_return

    s = pd.Series([100.0, 110.0], index=_idx(2))
    assert nday_return(s, 2, "simple").isna().all()  # len == n: nothing defined
    one = nday_return(s, 1, "simple")
    assert np.isnan(one.iloc[0]) and one.iloc[1] == pytest.approx(0.1, rel=1e-12)
    assert len(nday_return(s.iloc[:0], 1, "log")) == 0


def test_compare_and_crossing_boundaries():
    from eventstudy.signals._base import compare, crossing

    v = pd.Series([1.0, 2.0, -2.0, np.nan, 3.0, -3.0, 2.0], index=_idx(7))
    assert compare(v, 2.0, "above").tolist() == [False, False, False, False, True, False, False]
    assert compare(v, -2.0, "below").tolist() == [False, False, False, False, False, True, False]
    assert compare(v, 2.0, "both").tolist() == [False, False, False, False, True, True, False]
    # crossing above 2: previous day defined and <= 2 (a NaN previous day never crosses)
    up = crossing(v, 2.0, "above", cross=True).tolist()
    assert up == [False] * 7  # position 4 follows a NaN
    w = pd.Series([3.0, 2.0, 3.0, 1.0, 1.5], index=_idx(5))
    assert crossing(w, 2.0, "above", cross=True).tolist() == [False, False, True, False, False]
    assert crossing(w, 1.5, "below", cross=True).tolist() == [False, False, False, True, False]
    # the last value never wraps round to the first position
    x = pd.Series([5.0, 1.0], index=_idx(2))
    assert crossing(x, 2.0, "above", cross=True).tolist() == [False, False]
    assert len(crossing(x.iloc[:0], 2.0, "above", cross=True)) == 0


def test_make_result_masks_trigger_and_names_series():
    from eventstudy.signals._base import make_result

    v = pd.Series([np.nan, 1.0, 2.0], index=_idx(3), name="other")
    res = make_result(v, [True, True, False], threshold=0.5, look_ahead=True, description="d")
    assert res.trigger.tolist() == [False, True, False]
    assert res.value.name == "value" and res.trigger.name == "trigger"
    assert res.threshold == 0.5 and res.look_ahead is True and res.description == "d"


def test_check_name_and_check_date():
    import datetime as dt

    from eventstudy.signals._base import check_date, check_name

    with pytest.raises(TypeError, match=r"a must be a column name \(string\), got int 3"):
        check_name("a", 3)
    with pytest.raises(ValueError, match="a must be a non-empty column name"):
        check_name("a", "")
    assert check_name("a", "rut") == "rut"
    assert check_date("d", None) is None
    assert check_date("d", "1980-01-02") == pd.Timestamp("1980-01-02")
    assert check_date("d", dt.date(1990, 5, 6)) == pd.Timestamp("1990-05-06")
    with pytest.raises(TypeError, match="d must be a date string like '1980-01-01', got 1980"):
        check_date("d", 1980)
    with pytest.raises(ValueError, match="d must be a date like '1980-01-01', got 'soon'"):
        check_date("d", "soon")
    with pytest.raises(ValueError, match="d must be a date like '1980-01-01', got 'NaT'"):
        check_date("d", "NaT")


def test_divergence_rejects_empty_and_non_string_names():
    with pytest.raises(ValueError, match="b must be a non-empty column name"):
        Divergence(a="x", b="")
    with pytest.raises(TypeError, match="a must be a column name"):
        Divergence(a=1, b="y")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- registry


def test_register_rejects_a_second_class_under_a_used_name():
    from eventstudy.signals import register

    class Fake(Threshold):
        __slots__ = ()
        kind = "threshold"

    with pytest.raises(ValueError, match="signal type 'threshold' is already registered"):
        register(Fake)
    assert register(Threshold) is Threshold  # re-registering the same class is fine
    assert signal_types()["threshold"] is Threshold


def test_signal_types_is_a_sorted_copy():
    types = signal_types()
    assert list(types) == sorted(types)
    types.pop("move")
    assert "move" in signal_types()


def test_make_signal_input_errors():
    sig = Threshold(series="x", level=1.0)
    assert make_signal(sig) is sig
    with pytest.raises(TypeError, match="signal config must be a mapping, got list"):
        make_signal([("type", "move")])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"unknown signal type 3 \(key 'type'\); valid types: \["):
        make_signal({"type": 3})
    with pytest.raises(
        ConfigError,
        match=r"'divergence' is missing required parameter 'a'; required: \['a', 'b'\]",
    ):
        make_signal({"type": "divergence"})
    with pytest.raises(ConfigError, match=r"valid parameters: \['series', 'level', 'mode'"):
        make_signal({"type": "threshold", "series": "x", "level": 1.0, "bogus": 1})


def test_to_config_nested_and_dates():
    cfg = make_signal(
        {
            "type": "any_of",
            "signals": [
                {"type": "threshold", "series": "x", "level": 1.0},
                {"type": "not", "signal": {"type": "move", "series": "y", "level": 0.1}},
            ],
        }
    ).to_config()
    assert cfg["type"] == "any_of"
    assert cfg["signals"][0] == Threshold(series="x", level=1.0).to_config()
    assert cfg["signals"][1]["type"] == "not"
    assert cfg["signals"][1]["signal"]["type"] == "move"
    assert cfg["signals"][1]["signal"]["level"] == 0.1
    div = Divergence(a="x", b="y", sigma_start="1999-02-03", sigma_end=pd.Timestamp("2001-04-05"))
    d = div.to_config()
    assert d["sigma_start"] == "1999-02-03" and d["sigma_end"] == "2001-04-05"
    assert d["type"] == "divergence" and d["a"] == "x" and d["k"] == 2.0


def test_crossing_integer_input_index_and_equal_previous():
    from eventstudy.signals._base import crossing

    idx = _idx(5)
    ints = pd.Series([1, 3, 1, 2, 3], index=idx)
    up = crossing(ints, 2.0, "above", cross=True)
    assert up.tolist() == [False, True, False, False, True]  # from 2 (== level) to 3 crosses
    assert up.index.equals(idx) and up.dtype == bool
    # below: the previous day exactly on the level counts as "not yet below"
    down = crossing(pd.Series([2.5, 2.0, 2.5, 2.5, 1.0], index=idx), 2.5, "below", cross=True)
    assert down.tolist() == [False, True, False, False, True]
    state = crossing(pd.Series([2.5, 2.0, 2.5], index=idx[:3]), 2.5, "below", cross=False)
    assert state.tolist() == [False, True, False] and state.index.equals(idx[:3])


def test_nday_return_zero_over_zero_is_nan_without_warning():
    """0/0 and x/0 ratios are NaN and raise no RuntimeWarning (warnings are errors here)."""
    from eventstudy.signals._base import nday_return

    s = pd.Series([0.0, 0.0, 2.0, 4.0], index=_idx(4))
    for kind in ("simple", "log"):
        out = nday_return(s, 1, kind).to_numpy()
        assert np.isnan(out[:3]).all()
        assert out[3] == pytest.approx(1.0 if kind == "simple" else math.log(2.0), rel=1e-12)


def test_make_result_casts_an_integer_value_to_float():
    from eventstudy.signals._base import make_result

    res = make_result(
        pd.Series([1, 2, 3], index=_idx(3)),
        np.array([True, False, True]),
        threshold=None,
        look_ahead=False,
        description="d",
    )
    assert res.value.dtype == np.float64 and res.value.tolist() == [1.0, 2.0, 3.0]
    assert res.trigger.dtype == bool and res.trigger.index.equals(_idx(3))


def test_signal_result_threshold_must_be_a_number_or_none() -> None:
    from eventstudy.signals import SignalResult

    idx = pd.bdate_range("2020-01-01", periods=3)
    value = pd.Series([0.1, 0.2, 0.3], index=idx)
    trigger = pd.Series([False, True, False], index=idx)
    for good in (None, 1, 0.5):
        assert SignalResult(value, trigger, good, False, "").threshold == good
    for bad, name in ((True, "bool"), (value, "Series"), ("0.1", "str")):
        with pytest.raises(TypeError, match=f"^threshold must be a number or None, got {name}$"):
            SignalResult(value, trigger, bad, False, "")  # type: ignore[arg-type]


def test_register_checks_the_signal_interface() -> None:
    import dataclasses
    from typing import ClassVar

    from eventstudy.signals import SIGNALS, Signal, register

    message = "^a signal type must be a dataclass subclass of eventstudy.signals.Signal"

    class NotADataclass(Signal):
        kind: ClassVar[str] = "not_a_dataclass"

        def compute(self, data):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    @dataclasses.dataclass(frozen=True)
    class NoKind(Signal):
        kind: ClassVar[int] = 3  # type: ignore[assignment]

        def compute(self, data):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    @dataclasses.dataclass(frozen=True)
    class NotASignal:
        kind: ClassVar[str] = "not_a_signal"

    for bad in (NotADataclass, NoKind, NotASignal, int, "move"):
        with pytest.raises(TypeError, match=message):
            register(bad)  # type: ignore[arg-type]
    assert "not_a_dataclass" not in SIGNALS and "not_a_signal" not in SIGNALS


def test_register_refuses_a_signal_that_is_not_a_frozen_dataclass() -> None:
    """A signal's fields are its settings: a class whose instances can change after they are
    built (a plain dataclass) is refused when it is registered, naming it and the fix."""
    from typing import ClassVar

    from eventstudy.signals import SIGNALS, Signal, register

    @dataclasses.dataclass
    class Mutable(Signal):
        kind: ClassVar[str] = "mutable"
        series: str = "a"

        def compute(self, data):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    with pytest.raises(TypeError) as info:
        register(Mutable)
    assert str(info.value) == (
        f"signal type 'mutable' ({__name__}.{Mutable.__qualname__}) must be a frozen "
        "dataclass, and is a dataclass that is not frozen: declare it with "
        "@dataclass(frozen=True) (slots=True welcome). Its fields are its settings, which must "
        "not change once registered, so that a result can be reproduced from them"
    )
    assert "mutable" not in SIGNALS


@pytest.mark.parametrize("name", ["Spike", "spike-up", "2day", "spike__up", "spike_", "_spike", ""])
def test_register_refuses_a_kind_off_the_naming_scheme(name: str) -> None:
    from typing import ClassVar

    from eventstudy.signals import SIGNALS, Signal, register

    @dataclasses.dataclass(frozen=True)
    class Named(Signal):
        kind: ClassVar[str] = name

        def compute(self, data):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    pattern = (
        "must be a non-empty string"
        if not name
        else rf"^signal type name '{name}' is not of the naming scheme: lower-case words of "
        "letters and digits joined by single underscores, starting with a letter"
    )
    with pytest.raises(ValueError, match=pattern):
        register(Named)
    assert name not in SIGNALS


def test_every_built_in_signal_is_a_frozen_dataclass_of_the_naming_scheme() -> None:
    from eventstudy.registry import NAME_PATTERN

    for kind, cls in signal_types().items():
        assert NAME_PATTERN.fullmatch(kind) and cls.kind == kind
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
