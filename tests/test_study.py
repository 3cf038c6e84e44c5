"""The time-series pipeline on a synthetic data store: events, statistics, records, determinism."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from eventstudy.api import parse_study, run_study
from eventstudy.cli import main
from eventstudy.data import DataStore
from eventstudy.exceptions import ConfigError, IncompleteHorizonWarning
from eventstudy.inference import ALL_TESTS

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.IncompleteHorizonWarning")

STUDY = """
[study]
name = "synthetic"
seed = 11

[data.series]
a = "test:A"
b = "test:B"

[signal]
variant = "up"
type = "move"
series = "a"
n = 5
mode = "above"
level = 0.04

[[variants]]
name = "down"
signal = { mode = "below", level = -0.04 }

[events]
min_gap = 10

[evaluation]
horizons = { "1m" = 21, "3m" = 63 }
targets = [{ series = "a" }, { name = "a_vs_b", series = "a", relative_to = "b" }]
path = { pre = 5, post = 63 }

[inference]
draws = 500
bootstrap_reps = 200

[[claims]]
target = "a"
horizon = "1m"
value = 0.5
tolerance = 0.01
"""


@pytest.fixture
def store(tmp_path: Path) -> DataStore:
    rng = np.random.default_rng(123)
    dates = pd.bdate_range("2000-01-03", periods=1500)
    folder = tmp_path / "data" / "series" / "test"
    folder.mkdir(parents=True)
    for name, vol in (("A", 0.015), ("B", 0.01)):
        prices = 100 * np.exp(np.cumsum(rng.normal(0.0003, vol, dates.size)))
        pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": prices}).to_csv(
            folder / f"{name}.csv", index=False
        )
    return DataStore(tmp_path / "data")


def test_pipeline_matches_direct_computation(store: DataStore) -> None:
    cfg = parse_study(STUDY, source="synthetic.toml")
    result = run_study(cfg, store=store)
    a = store.load("test:A").data
    # independent event rule: 5-day return > 4%, keep a trigger >= 10 days after the last kept
    r5 = (a / a.shift(5) - 1).to_numpy()
    kept: list[int] = []
    for i in np.flatnonzero(r5 > 0.04):
        if not kept or i - kept[-1] >= 10:
            kept.append(int(i))
    up = result.variants[0]
    assert up.name == "up"
    assert list(up.events.positions) == kept
    # mean 1m forward return over complete events, close t -> close t+21
    prices = a.to_numpy()
    fwd = [prices[i + 21] / prices[i] - 1 for i in kept if i + 21 < prices.size]
    hs = up.evaluations["a"].horizons["1m"]
    assert hs.n == len(fwd)
    assert hs.mean == pytest.approx(np.mean(fwd), rel=1e-12)
    all_fwd = prices[21:] / prices[:-21] - 1
    assert hs.baseline_mean == pytest.approx(all_fwd.mean(), rel=1e-12)
    assert hs.excess_mean == pytest.approx(np.mean(fwd) - all_fwd.mean(), rel=1e-10)
    # relative target: A minus B forward returns
    b = store.load("test:B").data.to_numpy()
    rel = [prices[i + 21] / prices[i] - b[i + 21] / b[i] for i in kept if i + 21 < prices.size]
    assert result.variants[0].evaluations["a_vs_b"].horizons["1m"].mean == pytest.approx(
        np.mean(rel)
    )
    # the 'down' variant overrides mode and level of the base signal
    assert result.variants[1].signal.description != up.signal.description


def test_holm_and_bh_across_the_study(store: DataStore) -> None:
    result = run_study(parse_study(STUDY), store=store)
    keys = [k for k in result.adjusted if k[3] == "hac"]
    assert len(keys) == 2 * 2 * 2  # variants x targets x horizons
    raw = np.array(
        [
            result.variants[[v.name for v in result.variants].index(k[0])]
            .evaluations[k[1]]
            .horizons[k[2]]
            .tests["hac"]
            .p_value
            for k in keys
        ]
    )
    holm = multipletests(raw, method="holm")[1]  # Holm (1979)
    bh = multipletests(raw, method="fdr_bh")[1]  # Benjamini & Hochberg (1995)
    np.testing.assert_allclose([result.adjusted[k]["holm"] for k in keys], holm, rtol=1e-12)
    np.testing.assert_allclose([result.adjusted[k]["fdr_bh"] for k in keys], bh, rtol=1e-12)
    # to_frame carries them in its rows, in the order of the keys
    frame = result.to_frame().set_index(["variant", "target", "horizon"])
    rows = [k[:3] for k in keys]
    np.testing.assert_allclose(frame.loc[rows, "hac_p"], raw, rtol=0)
    np.testing.assert_allclose(frame.loc[rows, "hac_p_holm"], holm, rtol=1e-12)
    np.testing.assert_allclose(frame.loc[rows, "hac_p_fdr_bh"], bh, rtol=1e-12)


def test_summary_and_notebook_view_say_what_the_report_says(store: DataStore) -> None:
    """The bottom line, the size on this data and the claims are in summary() and in the
    notebook view, not only in report.md."""
    result = run_study(parse_study(STUDY), store=store)
    size = result.size_sentence()
    assert size
    text, page = result.summary(), result._repr_html_()
    assert f"How often the test would be fooled on this data: {size}" in text
    assert "How often would the test be fooled on this data?" in page
    assert html.escape(size) in page
    assert html.escape(result.headline()) in page
    assert result.claims[0].sentence() in text
    counts = ", ".join(f"{v.name} {v.events.n_events}" for v in result.variants)
    assert repr(result).startswith(f"<StudyResult {result.config.name!r}: events {counts}; data")
    assert repr(result.variants[0]).startswith(f"<VariantResult {result.variants[0].name!r}: ")


def test_claim_check(store: DataStore) -> None:
    result = run_study(parse_study(STUDY), store=store)
    (claim,) = result.claims
    hs = result.variants[0].evaluations["a"].horizons["1m"]
    assert claim.estimate == hs.mean
    assert claim.reproduced is (abs(hs.mean - 0.5) <= 0.01)
    assert "NOT reproduced" in claim.sentence()
    p = hs.tests["shift_t"].p_value  # the default test's
    assert claim.p_value == p and claim.baseline == hs.baseline_mean
    differs = "does not differ" if p >= 0.05 else "differs significantly"
    assert differs in claim.sentence() and f"shift_t p={p:.3g}" in claim.sentence()


def test_unknown_series_in_signal(store: DataStore) -> None:
    cfg = parse_study(
        STUDY.replace('series = "a"\nn = 5', 'series = "zzz"\nn = 5'), source="s.toml"
    )
    with pytest.raises(ConfigError, match=r"s.toml: \[signal\] \(variant 'up'\): .*zzz"):
        run_study(cfg, store=store)


def test_cli_outputs_are_byte_identical(store: DataStore, tmp_path: Path) -> None:
    study = tmp_path / "s.toml"
    study.write_text(STUDY)
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        rc = main(
            [
                "run",
                str(study),
                "--out",
                str(out),
                "--data-dir",
                str(store.root),
                "--quiet",
                "--no-figures",
            ]
        )
        assert rc == 0
        outs.append(out)
    first, second = ((o / "result.json").read_bytes() for o in outs)
    assert first == second
    assert (outs[0] / "events.csv").read_bytes() == (outs[1] / "events.csv").read_bytes()
    record = json.loads(first)
    assert record["study"]["config_sha256"] == parse_study(STUDY).sha256
    assert set(record["data"]) == {"a", "b"}
    assert record["data"]["a"]["sha256"] == store.load("test:A").info.sha256
    for key in ("source", "first", "last", "rows", "sha256"):
        assert key in record["data"]["a"]
    ev = record["events"][0]
    assert set(ev) >= {"date", "value", "complete", "variant"}
    res = record["results"][0]
    for key in (
        "target",
        "horizon",
        "horizon_days",
        "n",
        "mean",
        "median",
        "std",
        "hit_rate",
        "baseline_mean",
        "baseline_hit_rate",
        "excess_mean",
    ):
        assert key in res
    assert set(res["tests"]) == set(ALL_TESTS)
    assert {"statistic", "p_value", "lags"} <= set(res["tests"]["hac"])
    assert {"p_value", "ci_low", "ci_high", "block_length"} <= set(res["tests"]["bootstrap"])
    assert {"p_value", "draws"} <= set(res["tests"]["placebo"])
    assert set(res["tests"]["hac"]["p_adjusted"]) == {"holm", "fdr_bh"}
    run = json.loads((outs[1] / "run.json").read_text())
    assert run["out_dir"] == str(outs[1])  # what differs between runs lives in run.json only
    assert str(outs[0]) not in first.decode()


@pytest.mark.filterwarnings("error::eventstudy.exceptions.IncompleteHorizonWarning")
def test_variants_in_two_processes_give_the_same_study(
    store: DataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked copy computing every second variant changes nothing: the same record bytes,
    the same warnings in the same order, read-only arrays in what the copy sent back."""
    import eventstudy._fork
    from eventstudy.report.record import to_json

    # a Dask client of an earlier test leaves an idle thread that would veto the fork
    monkeypatch.setattr(eventstudy._fork, "fork_is_safe", lambda: True)
    from eventstudy.report.timeseries import result_record

    text = STUDY + '\n[[variants]]\nname = "deep"\nsignal = { mode = "below", level = -0.06 }\n'
    cfg = parse_study(text)
    runs = {}
    for workers in (1, 2):
        with pytest.warns(IncompleteHorizonWarning) as caught:
            result = run_study(cfg, store=store, workers=workers)
        runs[workers] = (result, [(w.category, str(w.message)) for w in caught])
    (one, warned_one), (two, warned_two) = runs[1], runs[2]
    assert [v.name for v in two.variants] == ["up", "down", "deep"]
    assert to_json(result_record(two)) == to_json(result_record(one))
    assert two.warnings == one.warnings and warned_two == warned_one
    copied = two.variants[1]  # computed by the copy
    assert not copied.paths["a"].mean.flags.writeable
    assert not np.asarray(copied.events.positions).flags.writeable
    steps: list[tuple[str, int, int]] = []
    run_study(cfg, store=store, workers=2, progress=lambda *a: steps.append(a))
    done = [d for label, d, _ in steps if label == "evaluation"]
    # variant 1 (targets 3 and 4 of 6) ran in the copy, which reports nothing; the end is
    assert done == [1, 2, 5, 6, 6]


def test_seed_changes_placebo_only(store: DataStore) -> None:
    cfg = parse_study(STUDY)
    r1 = run_study(cfg, store=store, seed=1)
    r2 = run_study(cfg, store=store, seed=2)
    h1 = r1.variants[0].evaluations["a"].horizons["3m"]
    h2 = r2.variants[0].evaluations["a"].horizons["3m"]
    assert h1.mean == h2.mean
    assert h1.tests["hac"].p_value == h2.tests["hac"].p_value
    assert h1.tests["placebo"].p_value != h2.tests["placebo"].p_value


@pytest.mark.filterwarnings("error::eventstudy.exceptions.IncompleteHorizonWarning")
def test_incomplete_horizons_warned_once_and_recorded(store: DataStore) -> None:
    with pytest.warns(IncompleteHorizonWarning) as record:
        result = run_study(parse_study(STUDY), store=store)
    messages = [str(w.message) for w in record]
    assert len(messages) == len(set(messages))  # each message once
    assert set(messages) <= set(result.warnings)
    hs = result.variants[0].evaluations["a"].horizons["3m"]
    assert hs.n_incomplete >= 1
    assert any("too recent for a complete horizon" in c for c in result.caveats)


def test_the_incomplete_horizon_caveat_counts_every_target_and_horizon(store: DataStore) -> None:
    """Review 2026-12, finding 2.3: the caveat named only the first target's first horizon
    ("a 1m: 1 event(s)") while 3m left out more. Now every target x horizon with incomplete
    events is counted, each against a count from the event dates and the calendar."""
    late = STUDY.replace("level = 0.04", "level = 0.0")  # fires often, up to the data's end
    result = run_study(parse_study(late), store=store)
    dates = result.data.aligned.frame.index
    for v in result.variants:
        (caveat,) = [c for c in result.caveats if c.startswith(f"Variant {v.name}: events too")]
        pos = dates.get_indexer(v.events.dates)  # independent: rows left after each event
        for h, days in (("1m", 21), ("3m", 63)):
            n_late = int((pos + days > len(dates) - 1).sum())
            assert n_late >= 1
            for target in ("a", "a_vs_b"):
                assert v.evaluations[target].horizons[h].n_incomplete == n_late
                assert f"{target} {h}: {n_late}" in caveat
        assert caveat.endswith(f"of {v.events.n_events} events).")


def test_log_returns_are_said_in_the_report_the_record_and_the_claim(
    store: DataStore, tmp_path: Path
) -> None:
    """Review 2026-12, finding 2.1: with return_kind = "log" report.md, result.json and the
    claim line never said "log", and a published (simple) figure was judged against a mean
    log return as if it were one. The estimate is the mean log return (numpy below)."""
    from eventstudy import write_outputs

    text = STUDY.replace("[inference]", 'return_kind = "log"\n[inference]')
    result = run_study(parse_study(text), store=store)
    a = store.load("test:A").data.to_numpy()
    pos = np.asarray(result.variants[0].events.positions)
    pos = pos[pos + 21 < a.size]
    mean_log = float(np.mean(np.log(a[pos + 21] / a[pos])))  # independent
    (claim,) = result.claims
    assert claim.estimate == pytest.approx(mean_log, rel=1e-12)
    assert claim.return_kind == "log" and "a mean log return" in claim.sentence()
    assert any(c.startswith("Forward returns are log returns") for c in result.caveats)
    paths = write_outputs(result, tmp_path / "out", store=store)
    assert "Forward returns are log returns, log(P[t+h] / P[t])" in paths["markdown"].read_text()
    record = json.loads(paths["result"].read_text())
    assert record["targets"]["a"]["return_kind"] == "log"
    simple = run_study(parse_study(STUDY), store=store)
    assert "log" not in simple.claims[0].sentence()


def test_ratio_series_from_two_aliases(store: DataStore) -> None:
    text = STUDY.replace('b = "test:B"', 'b = "test:B"\nab = { ratio = ["a", "b"] }')
    text = text.replace(
        'type = "move"\nseries = "a"\nn = 5\nmode = "above"\nlevel = 0.04',
        'type = "threshold"\nseries = "ab"\nmode = "level"\nlevel = 1.0\ndirection = "above"',
    )
    text = text.split("[[variants]]")[0] + "[events]" + text.split("[events]")[1]
    result = run_study(parse_study(text), store=store)
    frame = result.data.aligned.frame
    a, b = store.load("test:A").data, store.load("test:B").data
    np.testing.assert_allclose(frame["ab"].to_numpy(), (a / b).to_numpy())
    assert result.data.aligned.infos["ab"].name == "ratio(a,b)"
    # independent: days the ratio crosses above 1.0, kept >= 10 days after the last kept
    r = (a / b).to_numpy()
    kept: list[int] = []
    for i in np.flatnonzero((r[1:] > 1.0) & (r[:-1] <= 1.0)) + 1:
        if not kept or i - kept[-1] >= 10:
            kept.append(int(i))
    assert kept and list(result.variants[0].events.positions) == kept


def test_a_ratio_of_a_level_or_a_target_relative_to_itself_is_refused(store: DataStore) -> None:
    """Review 2026-12, severity 3: { ratio = ["d10", "d3m"] } of two yields was treated as a
    price, and DGS3MO at 0.0 on 21 dates gave inf; a target relative to itself ran to a
    study of zeros ("forward returns have zero variance"). Both are refused, naming them."""
    text = STUDY.replace(
        'b = "test:B"', 'b = { name = "test:B", kind = "level" }\nab = { ratio = ["a", "b"] }'
    ).replace(', { name = "a_vs_b", series = "a", relative_to = "b" }', "")
    with pytest.raises(ConfigError, match=r"\[data.series.ab\] key 'ratio': 'b' \(test:B\) is a"):
        run_study(parse_study(text), store=store)
    own = STUDY.replace('relative_to = "b"', 'relative_to = "a"')
    with pytest.raises(ConfigError, match=r"key 'relative_to': 'a' is the target's own series"):
        parse_study(own, source="s.toml")


def test_ratio_needs_loaded_aliases() -> None:
    text = STUDY.replace('b = "test:B"', 'b = "test:B"\nab = { ratio = ["a", "zz"] }')
    with pytest.raises(ConfigError, match=r"key 'ratio': 'zz' is not a loaded series alias"):
        parse_study(text, source="s.toml")


def test_relative_target_paths_follow_its_returns_in_the_sample(store: DataStore) -> None:
    """The average path, its drift, the recent events and the sub-periods of a relative target
    (difference mode, simple returns) inside ``[events] start``, computed by hand: the path
    of an event is ``a[t+k]/a[t] - b[t+k]/b[t]`` (not the ratio a/b's return), the drift is
    the mean of that over the sample's dates, so at a horizon the path is the event mean and
    the drift the baseline mean; no sub-period starts before the sample."""
    text = STUDY.replace("[events]\nmin_gap = 10\n", "[events]\nmin_gap = 10\nstart = 2001-06-01\n")
    text = text.replace(
        "path = { pre = 5, post = 63 }", 'path = { pre = 5, post = 63 }\nsplit = "decade"'
    )
    result = run_study(parse_study(text), store=store)
    a = store.load("test:A").data.to_numpy()
    b = store.load("test:B").data.to_numpy()
    dates = store.load("test:A").data.index
    lo = int(dates.searchsorted(pd.Timestamp("2001-06-01")))

    def rel(t: int, k: int) -> float:
        return (a[t + k] / a[t] - 1) - (b[t + k] / b[t] - 1)

    for v in result.variants:
        path = v.paths["a_vs_b"]
        pos = np.asarray(v.events.positions)
        assert pos.size > 3 and pos.min() >= lo
        for j, k in enumerate(path.offsets.tolist()):
            inside = [int(t) for t in pos if 0 <= t + k < a.size]
            assert path.mean[j] == pytest.approx(np.mean([rel(t, k) for t in inside]), rel=1e-12)
            ts = range(max(lo, -k), min(a.size, a.size - k))
            assert path.drift[j] == pytest.approx(np.mean([rel(t, k) for t in ts]), rel=1e-9)
        h = v.evaluations["a_vs_b"].horizons["3m"]
        assert path.mean[-1] == pytest.approx(h.mean, rel=1e-12)
        assert path.drift[-1] == pytest.approx(h.baseline_mean, rel=1e-9)
        recent = result.recent_events()
        for row in recent[(recent.variant == v.name) & (recent.target == "a_vs_b")].itertuples():
            t = int(dates.get_loc(row.date))
            assert row.realized == pytest.approx(rel(t, a.size - 1 - t), rel=1e-12)
            assert row.realized_at == pytest.approx(rel(t, row.at), rel=1e-12)
    periods = result.subperiods
    assert periods is not None and set(periods["period"]) == {"2000s"}
    assert (periods["first"] == f"{dates[lo]:%Y-%m-%d}").all()


def test_a_signal_that_never_fires_is_said_and_one_never_defined_is_an_error(
    store: DataStore,
) -> None:
    """A level no 5-day move reaches: the headline says the variant never fired, the claim
    has no estimate ("no events", not a blank). A signal undefined on every date (a trailing
    window longer than the data) is a configuration error naming the variant."""
    never = STUDY.replace("level = 0.04", "level = 0.9")
    result = run_study(parse_study(never), store=store)
    up = next(v for v in result.variants if v.name == "up")
    assert up.events.n_events == 0
    assert "the signal of up never fired in the sample (0 events)" in result.headline()
    (claim,) = result.claims
    assert claim.n == 0 and "no event with a complete 1m to estimate it from" in claim.sentence()
    assert result.verdict_table().loc[0, "computed"] == "no events"
    undefined = STUDY.replace(
        'signal = { mode = "below", level = -0.04 }',
        'signal = { type = "divergence", a = "a", b = "b", n = 5, k = 3.0, sigma = "expanding", '
        "min_periods = 5000 }",
    )
    with pytest.raises(ConfigError, match=r"variant 'down'\): the signal has no value on any of"):
        run_study(parse_study(undefined), store=store)


def test_dates_outside_the_data_are_named_or_warned(store: DataStore) -> None:
    """The synthetic data cover 2000-01-03..2005-09-30. An [events] window after them is an
    error naming the key; one that begins before them, or a signal's sigma_start before
    them, is warned (the sample, or the statistic, starts at the data); end < start is
    refused when the study is read."""
    from eventstudy.exceptions import DataCoverageWarning, DataError

    late = STUDY.replace("[events]\n", "[events]\nstart = 2030-01-01\n")
    with pytest.raises(
        DataError,
        match=r"\[events\] start = 2030-01-01 is after the data: the "
        r"aligned data cover 2000-01-03\.\.2005-09-30",
    ):
        run_study(parse_study(late), store=store)
    early = STUDY.replace("[events]\n", "[events]\nstart = 1990-01-01\n").replace(
        'signal = { mode = "below", level = -0.04 }',
        'signal = { type = "divergence", a = "a", b = "b", n = 5, k = 2.0, sigma = "full", '
        "sigma_start = 1995-01-01 }",
    )
    with pytest.warns(DataCoverageWarning) as caught:
        run_study(parse_study(early), store=store)
    said = [str(w.message) for w in caught if issubclass(w.category, DataCoverageWarning)]
    assert any(
        "[events] start = 1990-01-01 is before the data's first date 2000-01-03" in s for s in said
    )
    assert any("sigma_start = 1995-01-01 (variant 'down') is before" in s for s in said)
    backwards = STUDY.replace("[events]\n", "[events]\nstart = 2003-01-01\nend = 2002-01-01\n")
    with pytest.raises(
        ConfigError, match=r"s.toml: \[events\]: key 'end': 2002-01-01 is before start 2003-01-01"
    ):
        parse_study(backwards, source="s.toml")


def test_a_record_since_before_the_data_is_an_error_naming_the_key(store: DataStore) -> None:
    """The synthetic data start 2000-01-03 (the fixture's first business day). "The largest
    5-day move since 1990" would be judged on the data from 2000 only: refused with the key,
    the variant and both dates, also inside a combinator (it ran silently before)."""
    from eventstudy.exceptions import DataError

    first = pd.bdate_range("2000-01-03", periods=1)[0]  # independent: the fixture's calendar
    early = STUDY.replace(
        'signal = { mode = "below", level = -0.04 }',
        'signal = { type = "move", series = "a", mode = "record_high", since = 1990-01-01 }',
    )
    with pytest.raises(
        DataError,
        match=rf"\[signal\] the signal's since = 1990-01-01 \(variant 'down'\) is before the "
        rf"data's first date {first:%Y-%m-%d}",
    ):
        run_study(parse_study(early), store=store)
    nested = STUDY.replace(
        'signal = { mode = "below", level = -0.04 }',
        'signal = { type = "any_of", signals = [{ type = "move", series = "a", mode = "above", '
        'level = 0.04 }, { type = "move", series = "b", mode = "record_low", since = '
        "1995-03-01 }] }",
    )
    with pytest.raises(DataError, match=r"the signal's signals\.1\.since = 1995-03-01"):
        run_study(parse_study(nested), store=store)


def test_the_api_names_the_argument_it_wants(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY)
    with pytest.raises(
        TypeError, match=r"TOML text or bytes, got PosixPath \(a file: use load_study"
    ):
        parse_study(tmp_path / "s.toml")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match="run_study takes the path of a study TOML file or a parsed config"
    ):
        run_study({"study": {"name": "x"}})  # type: ignore[arg-type]


def test_a_hole_in_one_series_is_warned(store: DataStore) -> None:
    """B without 2002: the common dates (weekdays) jump from 2001-12-31 to 2003-01-01, 366 calendar
    days, and the 5-day moves would run across the gap; warned with A's dropped dates."""
    from eventstudy.exceptions import DataCoverageWarning

    path = store.root / "series" / "test" / "B.csv"
    b = pd.read_csv(path)
    b[~b["date"].str.startswith("2002")].to_csv(path, index=False)
    dropped = int(
        pd.read_csv(store.root / "series" / "test" / "A.csv")["date"].str.startswith("2002").sum()
    )
    with pytest.warns(DataCoverageWarning) as caught:
        run_study(parse_study(STUDY), store=DataStore(store.root))
    (msg,) = [str(w.message) for w in caught if "jump" in str(w.message)]
    assert "the aligned dates jump from 2001-12-31 to 2003-01-01 (366 calendar days)" in msg
    assert f"{{'a': {dropped}}}" in msg


def test_the_size_band_follows_alpha(store: DataStore) -> None:
    """At alpha = 10% the flags use [6%, 14%] (the 5% band [3%, 7%] scaled), and the report's
    sentence and table say so, not [3%, 7%]."""
    from eventstudy.report.timeseries import size_display

    text = STUDY.replace(
        "[inference]\n", '[inference]\nalpha = 0.10\nsize_draws = 200\ndefault_test = "hac"\n'
    )
    result = run_study(parse_study(text), store=store)
    sentence = result.size_sentence()
    assert "[3%, 7%]" not in sentence
    table = result.size_table()
    if table["flagged"].any():
        assert "outside [6%, 14%]" in sentence
    else:
        assert "inside [6%, 14%]" in sentence
    assert "in [6%, 14%]" in size_display(result).columns


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_verdict_test_that_ignores_overlap_is_not_credited_with_it(tmp_path: Path) -> None:
    """The headline says "once overlap is accounted for" only when the verdict's test does
    (the registry's overlap_robust); with the naive t-test it says the test ignores it."""
    import eventstudy as es
    from eventstudy.conftest import EXAMPLE_STUDY, write_example_data
    from eventstudy.registry import overlap_robust

    data = write_example_data(tmp_path / "data")
    text = EXAMPLE_STUDY.replace(
        "[inference]\n", '[inference]\ntests = ["naive_t", "hac"]\ndefault_test = "naive_t"\n'
    )
    naive = es.run_study(es.parse_study(text), data_dir=data).headline()
    assert "by a test that ignores overlapping horizons (naive_t," in naive
    assert "once overlap is accounted for" not in naive
    robust = es.run_study(es.parse_study(EXAMPLE_STUDY), data_dir=data).headline()
    assert "once overlap is accounted for (shift_t," in robust
    assert overlap_robust("hac") and not overlap_robust("naive_t")
