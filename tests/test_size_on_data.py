"""Size and power on the study's own data in the study: configuration, result.json, the
report's first screen and its table; the tests' own numbers do not move."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.data import DataStore
from eventstudy.exceptions import ConfigError
from eventstudy.inference.size import size_on_data

STUDY = """
[study]
name = "sized"
seed = 7
[data.series]
px = "test:PX"
[signal]
type = "move"
series = "px"
n = 5
mode = "below"
level = -0.03
[events]
min_gap = 5
[evaluation]
horizons = {{ "1m" = 21, "3m" = 63 }}
targets = [{{ series = "px" }}]
[inference]
tests = ["naive_t", "hac"]
{inference}
"""


@pytest.fixture()
def store(tmp_path: Path) -> DataStore:
    folder = tmp_path / "series" / "test"
    folder.mkdir(parents=True)
    days = pd.bdate_range("2012-01-02", periods=1500)
    rng = np.random.default_rng(3)
    px = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, days.size)))
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": px}).to_csv(
        folder / "PX.csv", index=False
    )
    return DataStore(tmp_path)


def _run(store: DataStore, inference: str = "") -> es.StudyResult:
    return es.run_study(es.parse_study(STUDY.format(inference=inference)), store=store)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_size_is_measured_by_default_and_leaves_the_tests_alone(
    store: DataStore, tmp_path: Path
) -> None:
    res = _run(store, 'power_effect = { "1m" = 0.03 }')
    off = _run(store, "size_draws = 0")
    for h in ("1m", "3m"):
        a = res.variants[0].evaluations["px"].horizons[h]
        b = off.variants[0].evaluations["px"].horizons[h]
        assert a.tests == b.tests and b.size == {}
        assert set(a.size) == {"hac", "naive_t"} and a.size["hac"].draws == 1000
    # the same numbers as size_on_data on the study's forward returns and events
    ev = res.variants[0]
    h1 = ev.evaluations["px"].horizons["1m"]
    direct = size_on_data(
        ev.forward["px"]["1m"].to_numpy(), ev.events.positions, 21, draws=1000, effect=0.03, seed=1
    )
    # same events, other shifts: as many sets keep the episodes whole, up to the draw
    assert abs(direct["hac"].applicable - h1.size["hac"].applicable) < 60
    assert h1.size["hac"].effect == 0.03 and np.isnan(
        ev.evaluations["px"].horizons["3m"].size["hac"].power
    )
    table = res.size_table()
    assert len(table) == 4 and set(table["test"]) == {"hac", "naive_t"}
    sentence = res.size_sentence()
    assert sentence.startswith("On 1000 circular shifts of these events")
    assert "the hac test rejected" in sentence and "naive t-test, for contrast" in sentence
    frame = res.to_frame()
    assert {"hac_size", "hac_size_flagged", "naive_t_size", "hac_power"} <= set(frame.columns)
    paths = es.write_outputs(res, tmp_path / "out", figures=False)
    report = paths["markdown"].read_text()
    assert report.index("**How often would the test be fooled") < report.index("## Verdicts")
    assert "## Size and power on this data" in report and "against +3.00%" in report
    record = json.loads(paths["result"].read_text())
    entry = record["results"][0]["size_on_this_data"]["hac"]
    assert entry["draws"] == 1000 and entry["rate"] == h1.size["hac"].rate
    assert record["inference"]["size_draws"] == 1000
    assert record["inference"]["power_effect"] == {"1m": 0.03}
    assert "circular shifts" in record["inference"]["size_method"]
    # a default test without a vectorized size is measured on the first LOOP_DRAWS shifts,
    # its own code run on each (the loop itself: tests/inference/test_size.py)
    from eventstudy.inference.size import LOOP_DRAWS

    placebo = es.run_study(
        es.parse_study(
            STUDY.format(inference='default_test = "placebo"\ndraws = 200').replace(
                'tests = ["naive_t", "hac"]', 'tests = ["naive_t", "hac", "placebo"]'
            )
        ),
        store=store,
    )
    table = placebo.size_table()
    mine = table[table["test"] == "placebo"]
    assert len(mine) == 2 and (mine["draws"] == LOOP_DRAWS).all()
    assert (table[table["test"] == "hac"]["draws"] == 1000).all()
    lo, hi = mine["rate"].min(), mine["rate"].max()
    assert placebo.size_sentence().startswith(
        f"On {LOOP_DRAWS} circular shifts of these events (same bursts, no information) the "
        f"placebo test rejected {lo:.1%} to {hi:.1%} of the time at 5%"
    )
    # a result whose verdict test was not measured (set after the run) says so
    other = dataclasses.replace(
        placebo,
        config=dataclasses.replace(
            placebo.config,
            inference=dataclasses.replace(
                placebo.config.inference,
                tests=(*placebo.config.inference.tests, "sign"),
                default_test="sign",
            ),
        ),
    )
    assert (
        other.size_sentence()
        == "(size on this data is measured for hac, naive_t, placebo, not sign)"
    )


def test_size_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="size_draws.*must be 0 \\(off\\) or at least 100"):
        es.parse_study(STUDY.format(inference="size_draws = 50"))
    with pytest.raises(ConfigError, match="power_effect.*'6m' is not a horizon"):
        es.parse_study(STUDY.format(inference='power_effect = { "6m" = 0.02 }'))
    with pytest.raises(ConfigError, match="power_effect.*must be a number"):
        es.parse_study(STUDY.format(inference='power_effect = { "1m" = "big" }'))
    both = es.parse_study(STUDY.format(inference="power_effect = 0.01"))
    assert both.inference.power_effect == (("1m", 0.01), ("3m", 0.01))
    assert es.parse_study(STUDY.format(inference="")).inference.size_draws == 1000


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_sweep_measures_size_only_when_asked_and_puts_it_in_sweep_csv(store: DataStore) -> None:
    grid = (
        '\n[sweep]\ntests = ["hac"]\nshifts = 200\n[sweep.grid]\n"signal.level" = [-0.03, -0.04]\n'
    )
    off = es.parse_study(STUDY.format(inference="") + grid)
    assert off.inference.size_draws == 0  # a sweep's default
    on = es.run_study(
        es.parse_study(STUDY.format(inference="size_draws = 100") + grid), store=store
    )
    frame = on.to_frame()
    assert frame["hac_size"].between(0, 1).all() and "hac_size_flagged" in frame.columns
    plain = _run(store, "size_draws = 100")
    first = frame[(frame["specification"] == frame["specification"].iloc[0])]
    h1 = plain.variants[0].evaluations["px"].horizons["1m"].size["hac"]
    assert first[first["horizon"] == "1m"]["hac_size"].iloc[0] == h1.rate
    assert first[first["horizon"] == "1m"]["hac_size_low"].iloc[0] == h1.ci_low
    assert first[first["horizon"] == "1m"]["hac_size_applicable"].iloc[0] == h1.applicable


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_sweep_reports_size_across_its_specifications(store: DataStore, tmp_path: Path) -> None:
    """The sweep's size_table (the report's "Size on this data") summarizes each specification's size
    (lowest / median / highest rate, flagged count, median power), recomputed here from
    sweep.csv by pandas; result.json records the draws, the effect and the method; without
    size_draws the section is absent."""
    grid = (
        '\n[sweep]\ntests = ["hac"]\nshifts = 200\n[sweep.grid]\n'
        '"signal.level" = [-0.03, -0.04, -0.05]\n'
    )
    text = STUDY.format(inference='size_draws = 100\npower_effect = {"1m" = 0.02}') + grid
    res = es.run_study(es.parse_study(text), store=store)
    table = res.size_table().set_index(["horizon", "test"])
    frame = res.to_frame()
    for (horizon, test), row in table.iterrows():
        g = frame[frame["horizon"] == horizon]
        rate = g[f"{test}_size"]
        assert row["specifications"] == 3
        assert (row["lowest"], row["median"], row["highest"]) == (
            rate.min(),
            rate.median(),
            rate.max(),
        )
        assert row["flagged"] == int(((rate < 0.03) | (rate > 0.07)).sum())
        if horizon == "1m":
            assert row["median power"] == g[f"{test}_power"].median()
        else:
            assert np.isnan(row["median power"])  # no effect stated for 3m
    assert set(table.index.get_level_values("test")) == {"hac", "naive_t"}
    es.write_outputs(res, tmp_path / "on", store=store, figures=False)
    report = (tmp_path / "on" / "report.md").read_text()
    assert "## Size on this data" in report and "random circular shifts" in report
    assert (table["shifts"] == 100).all()  # hac and naive_t: all the shifts at once
    record = json.loads((tmp_path / "on" / "result.json").read_text())["sweep"]
    assert record["size_draws"] == 100 and record["power_effect"] == {"1m": 0.02}
    assert record["size_method"].startswith("rejection rate at alpha over circular shifts")
    off = es.run_study(es.parse_study(STUDY.format(inference="") + grid), store=store)
    assert off.size_table().empty
    es.write_outputs(off, tmp_path / "off", store=store, figures=False)
    assert "Size on this data" not in (tmp_path / "off" / "report.md").read_text()
    assert (
        json.loads((tmp_path / "off" / "result.json").read_text())["sweep"]["size_method"] is None
    )
    # a verdict test without a vectorized size runs on the first LOOP_DRAWS shifts only
    looped = es.run_study(
        es.parse_study(
            STUDY.format(inference="size_draws = 300").replace(
                'tests = ["naive_t", "hac"]', 'tests = ["naive_t", "hac", "im"]'
            )
            + grid.replace('tests = ["hac"]', 'tests = ["im", "hac"]')
        ),
        store=store,
    )
    shifts = looped.size_table().groupby("test")["shifts"].unique()
    assert {t: list(v) for t, v in shifts.items()} == {"hac": [300], "im": [200], "naive_t": [300]}


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_without_path_bands_only_the_band_is_missing(store: DataStore, tmp_path: Path) -> None:
    """path_bands=False (the CLI's --no-figures) skips the placebo band of the average path,
    which only the path figure draws: the band is empty and result.json has the same bytes."""
    config = es.parse_study(STUDY.format(inference=""))
    full = es.run_study(config, store=store)
    lean = es.run_study(config, store=store, path_bands=False)
    v_full, v_lean = full.variants[0], lean.variants[0]
    assert v_full.placebo_paths["px"].draws > 0 and dict(v_lean.placebo_paths) == {}
    a = es.write_outputs(full, tmp_path / "a", figures=False)
    b = es.write_outputs(lean, tmp_path / "b", figures=False)
    assert a["result"].read_bytes() == b["result"].read_bytes()


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_the_shift_default_is_said_to_pass_by_construction_and_hac_is_shown(
    store: DataStore,
) -> None:
    """With ``shift`` as the verdict test, the sentence says why its size over shifts is near
    alpha (the shifts are its own null) and gives the HAC test's rates for contrast."""
    study = STUDY.format(inference="").replace(
        'tests = ["naive_t", "hac"]', 'tests = ["naive_t", "hac", "shift"]'
    )
    study = study.replace(
        'tests = ["naive_t", "hac", "shift"]',
        'tests = ["naive_t", "hac", "shift"]\ndefault_test = "shift"',
    )
    res = es.run_study(es.parse_study(study), store=store)
    assert res.config.inference.default_test == "shift"
    table = res.size_table()
    assert set(table["test"]) == {"hac", "naive_t", "shift"}
    shift = table[table["test"] == "shift"]
    hac = table[table["test"] == "hac"]
    text = res.size_sentence()
    lo, hi = shift["rate"].min(), shift["rate"].max()
    span = f"{lo:.1%}" if lo == hi else f"{lo:.1%} to {hi:.1%}"
    assert f"the shift test rejected {span} of the time at 5%" in text
    assert "That is no check of it" in text and "docs/calibration.md" in text
    hac_part = (
        f"The HAC test, whose interval the report shows, rejected {hac['rate'].min():.1%} "
        f"to {hac['rate'].max():.1%} here"
    )
    assert hac_part in text
    flagged = int(hac["flagged"].sum())
    assert text.count("outside [3%, 7%]") == (1 if flagged else 0)
    assert ("Read those p-values with care" in text) is False  # not said of the shift test


def test_an_inference_config_refuses_a_verdict_test_it_does_not_run() -> None:
    """Built in code, [inference] must name a verdict test among its tests (a study file picks
    one itself); a clear error at construction, not deep inside the evaluation."""
    from eventstudy.timeseries.spec import InferenceConfig

    assert InferenceConfig(tests=("hac",), default_test="hac").default_test == "hac"
    with pytest.raises(
        ValueError, match=r"default_test 'shift_t' is not among the tests run \['hac'\]"
    ):
        InferenceConfig(tests=("hac",))
