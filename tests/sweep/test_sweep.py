"""Sweeps: grid expansion and validation, one specification = the plain study, the joint null
marginally = each specification's own circular-shift test, outputs, determinism."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.conftest import EXAMPLE_STUDY, write_example_data
from eventstudy.exceptions import ConfigError

SWEEP = """
[sweep]
tests = ["hac", "placebo"]
direction = "positive"
shifts = 400

[sweep.grid]
"signal.level" = [0.02, 0.03, 0.04]
"events.min_gap" = [1, 21]

[sweep.choices.kind]
simple = { "signal.return_kind" = "simple", "evaluation.return_kind" = "simple" }
log = { "signal.return_kind" = "log", "evaluation.return_kind" = "log" }
"""

CLAIM = """
[[claims]]
target = "a"
horizon = "1m"
value = 0.006
tolerance = 0.001
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def swept(data_dir: Path) -> es.timeseries.SweepResult:
    return es.run_study(es.parse_study(EXAMPLE_STUDY + CLAIM + SWEEP), data_dir=data_dir)


def test_per_specification_tests_default_to_the_default_test_and_hac() -> None:
    """Unset, a sweep runs the study's default test (its verdicts) and HAC (the intervals of
    the specification curve), once each."""
    unset = SWEEP.replace('tests = ["hac", "placebo"]\n', "")
    sw = es.parse_study(EXAMPLE_STUDY + unset).sweep
    assert sw is not None and sw.tests == ("shift_t", "hac")
    hac = es.parse_study(
        EXAMPLE_STUDY.replace("[inference]\n", '[inference]\ndefault_test = "hac"\n') + unset
    )
    assert hac.sweep is not None and hac.sweep.tests == ("hac",)


def test_grid_expands_in_order_with_names() -> None:
    sw = es.parse_study(EXAMPLE_STUDY + SWEEP).sweep
    assert sw is not None and sw.n_specifications == 12
    assert [d.name for d in sw.dimensions] == ["level", "min_gap", "kind"]
    names = [s.name for s in sw.specifications]
    assert names[:3] == [
        "level=0.02,min_gap=1,kind=simple",
        "level=0.02,min_gap=1,kind=log",
        "level=0.02,min_gap=21,kind=simple",
    ]
    spec = sw.specifications[1]
    assert dict(spec.choices) == {"level": "0.02", "min_gap": "1", "kind": "log"}
    assert spec.signal["return_kind"] == "log" and spec.return_kind == "log"
    assert spec.min_gap == 1 and spec.signal["level"] == 0.02
    explicit = es.parse_study(
        EXAMPLE_STUDY
        + '[[sweep.specifications]]\nname = "published"\nset = { "signal.level" = 0.04 }\n'
        + '[[sweep.specifications]]\nname = "late"\nset = { "events.start" = 2011-01-01 }\n'
    ).sweep
    assert explicit is not None
    assert [s.name for s in explicit.specifications] == ["published", "late"]
    assert explicit.specifications[1].start == pd.Timestamp("2011-01-01")


@pytest.mark.parametrize(
    ("sweep", "pattern"),
    [
        (
            '[sweep.grid]\n"signal.n" = [5, 0]\n',
            r"\[sweep\]: specification 'n=0' is invalid: signal: .*n.*on_invalid",
        ),
        (
            '[sweep.grid]\n"events.min_gap" = [0, 21]\n',
            r"'min_gap=0' is invalid: events.min_gap must be",
        ),
        ('[sweep.grid]\n"data.start" = [1, 2]\n', r"cannot sweep 'data.start'; sweepable"),
        ('[sweep.grid]\n"signal.level" = []\n', r"'signal.level' must be a non-empty list"),
        ('[sweep.grid]\n"signal.level" = [0.03, 0.03]\n', r"lists a value more than once"),
        ('[sweep]\ntests = ["ar_t"]\n', r"key 'tests': unknown test 'ar_t'"),
        ("[sweep]\n", r"give a grid, named choices or specifications"),
        (
            '[sweep.grid]\n"signal.level" = [0.03]\n[sweep.choices.x]\na = { "signal.level" = 0.04 }\n',
            r"dimensions set 'signal.level' twice",
        ),
        (
            '[sweep.grid]\n"signal.level" = [0.03]\n[sweep.choices.level]\na = { "signal.n" = 4 }\n',
            r"two dimensions are named \['level'\]",
        ),
        ('[sweep]\ndirection = "up"\n[sweep.grid]\n"signal.n" = [4]\n', r"key 'direction'"),
    ],
)
def test_invalid_sweeps_name_the_specification_and_parameter(sweep: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        es.parse_study(EXAMPLE_STUDY + sweep, source="s.toml")


def test_invalid_combinations_can_be_skipped_and_are_counted() -> None:
    sw = es.parse_study(
        EXAMPLE_STUDY + '[sweep]\non_invalid = "skip"\n[sweep.grid]\n"signal.n" = [5, 0, -1]\n'
    ).sweep
    assert sw is not None and sw.n_specifications == 1
    assert [name for name, _ in sw.skipped] == ["n=0", "n=-1"]
    assert "n must be" in sw.skipped[0][1]
    with pytest.raises(ConfigError, match="every specification is invalid"):
        es.parse_study(
            EXAMPLE_STUDY + '[sweep]\non_invalid = "skip"\n[sweep.grid]\n"signal.n" = [0]\n'
        )


def test_sweep_does_not_mix_with_variants_or_variant_claims() -> None:
    variants = '[[variants]]\nname = "v2"\nsignal = { level = 0.03 }\n'
    with pytest.raises(ConfigError, match=r"\[sweep\] and \[\[variants\]\] do not mix"):
        es.parse_study(EXAMPLE_STUDY + variants + SWEEP)
    claim = CLAIM + 'variant = "base"\n'
    with pytest.raises(ConfigError, match=r"\[\[claims\]\] of a sweep name no variant"):
        es.parse_study(EXAMPLE_STUDY + claim + SWEEP)


def test_one_specification_equals_the_plain_study(data_dir: Path) -> None:
    study = es.parse_study(EXAMPLE_STUDY)
    plain = es.run_study(study, data_dir=data_dir)
    one = es.sweep(
        study,
        specifications=[{"name": "base", "set": {"signal.level": 0.04}}],
        tests=list(study.inference.tests),
        data_dir=data_dir,
    )
    base = plain.variants[0]
    got = one.evaluations["base"]["a"]
    assert got.horizons == base.evaluations["a"].horizons  # every statistic and test result
    np.testing.assert_array_equal(one.events["base"].positions, base.events.positions)
    pd.testing.assert_frame_equal(
        one.to_frame().drop(
            columns=[
                "specification",
                "n_events",
                "look_ahead",
                "family_shift_p",
                "romano_wolf_p",
                "holm_p",
                "fdr_bh_p",
            ]
        ),
        base.evaluations["a"].to_frame(),
    )


def test_joint_null_is_each_specifications_own_studentized_shift_test(swept, data_dir) -> None:
    """Each specification's column of the joint null, by hand: its events moved by the
    relative shifts of its sample, each shifted set measured by hac_test's own t-statistic
    (Chung & Romano 2013), the observed t = the specification's own hac test; the raw excess
    by hand; family_shift_p the add-one share of shifts whose t is at least the observed."""
    from eventstudy.inference.hac import hac_test
    from eventstudy.timeseries.sweep_search import relative_shifts

    fam = swept.search[("a", "1m")]
    store = es.DataStore(data_dir)
    level = store.load("test:A").data
    for spec in swept.specifications[:4]:
        fwd = es.forward_returns(level.rename("a"), {"1m": 21}, kind=spec.return_kind)["1m"]
        y = fwd.dropna()
        pos = np.asarray(swept.events[spec.name].positions)
        dates = fwd.index[pos]
        e = np.flatnonzero(y.index.isin(dates))
        vals = y.to_numpy()
        t = vals.size
        shifts = relative_shifts(t, 400)
        assert shifts.size == 400 and np.unique(shifts).size == 400 and shifts[0] == 1
        obs = vals[e].mean() - vals.mean()
        assert fam["shifts"] == 400
        assert fam["excess"][spec.name] == pytest.approx(obs, rel=1e-10)
        t_obs = hac_test(vals, e, 21).statistic
        null = np.array([hac_test(vals, np.sort((e + s) % t), 21).statistic for s in shifts])
        assert fam["t"][spec.name] == pytest.approx(t_obs, rel=1e-9)
        own = swept.evaluations[spec.name]["a"].horizons["1m"].tests["hac"]
        assert fam["t"][spec.name] == pytest.approx(own.statistic, rel=1e-9)
        # the sweep's direction is "positive": the shifts whose t is at least the observed
        assert fam["direction"] == "positive"
        count = np.sum(null >= t_obs)
        assert count == np.sum(null >= t_obs + 1e-9 * abs(t_obs))  # no near-ties
        assert fam["family_shift_p"][spec.name] == pytest.approx((count + 1) / 401, rel=1e-12)


def test_family_shift_p_takes_the_claimed_direction() -> None:
    """Add-one shift p-values counted by hand, per direction, on a null where the three
    directions give three different answers."""
    from eventstudy.timeseries.sweep_search import family_tests

    rng = np.random.default_rng(5)
    null = rng.normal(size=(199, 3))
    obs = np.array([1.5, -1.5, 0.2]) * null.std(axis=0, ddof=1)
    for direction, extreme in (
        ("positive", lambda z, o: z >= o),
        ("negative", lambda z, o: z <= o),
        ("two-sided", lambda z, o: abs(z) >= abs(o)),
    ):
        fam = family_tests(["a", "b", "c"], obs, null, direction)
        for j, name in enumerate("abc"):
            sd = null[:, j].std(ddof=1)
            count = sum(extreme(z / sd, obs[j] / sd) for z in null[:, j])
            assert fam["family_shift_p"][name] == pytest.approx((count + 1) / 200, rel=1e-12)
    pos = family_tests(["a", "b", "c"], obs, null, "positive")["family_shift_p"]
    neg = family_tests(["a", "b", "c"], obs, null, "negative")["family_shift_p"]
    assert pos["a"] < 0.2 < neg["a"] and neg["b"] < 0.2 < pos["b"]


def test_result_frame_claims_and_verdict(swept) -> None:
    f = swept.to_frame()
    assert len(f) == 12
    assert list(f.columns[:6]) == [
        "specification",
        "choice_level",
        "choice_min_gap",
        "choice_kind",
        "look_ahead",
        "n_events",
    ]
    for col in ("family_shift_p", "romano_wolf_p", "holm_p", "fdr_bh_p", "hac_p", "placebo_p"):
        assert f[col].between(0, 1).all(), col
    # Holm across the 12 specifications of the family, from the hac p-values
    from statsmodels.stats.multitest import multipletests

    # (the sweep claims a positive effect: a specification with a negative excess is no
    # discovery and enters with p = 1; here every excess is negative)
    for (_, _), g in f.groupby(["target", "horizon"], sort=False):
        gated = np.where(g["excess_mean"] > 0, g["hac_p"], 1.0)
        np.testing.assert_allclose(g["holm_p"], multipletests(gated, method="holm")[1], rtol=1e-12)
        np.testing.assert_allclose(
            g["fdr_bh_p"], multipletests(gated, method="fdr_bh")[1], rtol=1e-12
        )
    claims = swept.claims_frame()
    assert claims.loc[0, "specifications"] == 12
    within = ((f["mean"] - 0.006).abs() <= 0.001).sum()
    assert claims.loc[0, "within"] == within
    alpha = swept.config.inference.alpha
    lines = set(swept.verdict_lines())
    for (target, horizon), g in f.groupby(["target", "horizon"], sort=False):
        rw = g["romano_wolf_p"]
        head = f"{target} {horizon}: {(rw < alpha).sum()} of {rw.notna().sum()} specifications"
        assert (
            sum(line.startswith(head + " survive the family-wise control") for line in lines) == 1
        )
    assert (
        swept.summary().splitlines()[0]
        == "Sweep example: 12 specifications (level 3 x min_gap 2 x kind 2)"
    )
    assert "<table" in swept._repr_html_()


def test_holm_and_bh_take_the_claimed_direction(swept, data_dir: Path) -> None:
    """Claimed negative, the same specifications (every excess negative) enter Holm and BH
    with their two-sided HAC p-values; claimed positive (``swept``), none is a discovery."""
    from statsmodels.stats.multitest import multipletests

    neg = es.run_study(
        es.parse_study(EXAMPLE_STUDY + SWEEP.replace('"positive"', '"negative"')),
        data_dir=data_dir,
    ).to_frame()
    pos = swept.to_frame()
    assert (neg["excess_mean"] < 0).all() and (pos["holm_p"] == 1.0).all()
    for (_, _), g in neg.groupby(["target", "horizon"], sort=False):
        np.testing.assert_allclose(
            g["holm_p"], multipletests(g["hac_p"], method="holm")[1], rtol=1e-12
        )
        np.testing.assert_allclose(
            g["fdr_bh_p"], multipletests(g["hac_p"], method="fdr_bh")[1], rtol=1e-12
        )
        assert (g["fdr_bh_p"] < 1.0).all()  # not the positive claim's p = 1


def test_cli_writes_sweep_outputs_deterministically(tmp_path: Path, data_dir: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "study.toml").write_text(EXAMPLE_STUDY + CLAIM + SWEEP)
    outs = []
    for name in ("one", "two"):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "eventstudy.cli",
                "run",
                "study.toml",
                "--data-dir",
                str(data_dir),
                "--out",
                name,
                "--quiet",
            ]
            + (["--no-figures"] if name == "two" else []),
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        outs.append(tmp_path / name)
    assert (outs[0] / "result.json").read_bytes() == (outs[1] / "result.json").read_bytes()
    record = json.loads((outs[0] / "result.json").read_text())
    assert record["sweep"]["specifications"] == 12 and len(record["specifications"]) == 12
    assert record["search"][0]["shifts"] > 100 and "verdict" in record
    parquet = pd.read_parquet(outs[0] / "sweep.parquet")
    text = [
        c for c in parquet.columns if parquet[c].dtype == object or str(parquet[c].dtype) == "str"
    ]
    csv = pd.read_csv(outs[0] / "sweep.csv", dtype=dict.fromkeys(text, str), keep_default_na=False)
    assert len(csv) == 12 and (outs[0] / "sweep.parquet").exists()
    pd.testing.assert_frame_equal(parquet, csv, check_dtype=False, atol=1e-9)
    report = (outs[0] / "report.md").read_text()
    assert report.index("**Answer.**") < report.index("## Specification curves")
    assert (outs[0] / "figures" / "curve_a_1m.png").exists()
    assert not (outs[0] / "events.csv").exists()


def _record(result) -> bytes:
    from eventstudy.report.record import to_json
    from eventstudy.report.sweep import sweep_record

    return to_json(sweep_record(result)).encode()


def test_results_are_byte_identical_for_any_worker_count_and_executor(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import eventstudy.timeseries.sweep as sweep_module

    study = es.parse_study(EXAMPLE_STUDY + CLAIM + SWEEP)
    one = es.run_study(study, data_dir=data_dir, workers=1)
    forked = es.run_study(study, data_dir=data_dir, workers=2)  # pytest runs one thread
    # spawned workers read the run's inputs from a file that is gone after the run
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sweep_module, "fork_is_safe", lambda: False)
    two = es.run_study(study, data_dir=data_dir, workers=2)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    dask = es.run_study(study, data_dir=data_dir, workers=2, executor="dask")
    assert _record(one) == _record(forked) == _record(two) == _record(dask)
    assert sweep_module._STATES == {}
    assert [s.name for s in two.specifications] == list(two.evaluations)
    with pytest.raises(ValueError, match="executor must be 'process' or 'dask'"):
        es.run_study(study, data_dir=data_dir, executor="threads")
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        es.run_study(study, data_dir=data_dir, workers=0)


@pytest.mark.slow
def test_a_running_dask_cluster_shares_work_within_a_run_and_drops_it_after(
    data_dir: Path,
) -> None:
    """On a cluster that outlives the run (--scheduler) each worker keeps its signals,
    events and memo for the chunks of one run and forgets them at its end: two runs give
    the bytes of the in-process run and leave no state in the workers."""
    from dask.distributed import Client

    import eventstudy.timeseries.sweep as sweep_module
    from eventstudy.timeseries.sweep import _local_cluster, _OneThread

    study = es.parse_study(EXAMPLE_STUDY + CLAIM + SWEEP)
    one = es.run_study(study, data_dir=data_dir, workers=1)
    with _OneThread():
        cluster = _local_cluster(2)
    try:
        runs = [
            es.run_study(
                study,
                data_dir=data_dir,
                workers=2,
                executor="dask",
                scheduler=cluster.scheduler_address,
            )
            for _ in range(2)
        ]
        with Client(cluster) as client:
            left = client.run(lambda: len(sweep_module._STATES))
    finally:
        cluster.close()
    assert _record(runs[0]) == _record(runs[1]) == _record(one)
    assert list(left.values()) == [0, 0]


@pytest.mark.slow
def test_local_dask_workers_keep_the_adaptive_malloc_threshold() -> None:
    """The LocalCluster's workers run with one BLAS thread and with our allocator settings
    instead of Dask's default MALLOC_TRIM_THRESHOLD_ (65536), which made numpy-heavy sweeps
    1.4-2.3x slower in a worker."""
    import os

    from dask.distributed import Client

    from eventstudy.timeseries.sweep import _local_cluster, _OneThread

    with _OneThread():
        cluster = _local_cluster(1)
    try:
        with Client(cluster) as client:
            env = client.run(
                lambda: {
                    k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OPENBLAS_NUM_THREADS")
                }
            )
    finally:
        cluster.close()
    assert list(env.values()) == [
        {"MALLOC_TRIM_THRESHOLD_": str(256 * 2**20), "OPENBLAS_NUM_THREADS": "1"}
    ]


@pytest.mark.filterwarnings("ignore:.*events too recent")
def test_a_divergence_value_is_computed_once_for_every_threshold(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Specifications that differ only in k and direction share the divergence value (one
    call of Divergence.values per n), and each one's events are those of find_events on
    its own signal, windowed to the sample."""
    from eventstudy.config import thaw
    from eventstudy.data.study_data import load_study_data
    from eventstudy.events import find_events
    from eventstudy.signals import Divergence, SignalResult, make_signal

    calls: list[int] = []
    values = Divergence.values

    def counted(self: Divergence, data: pd.DataFrame) -> pd.Series:
        calls.append(self.n)
        return values(self, data)

    monkeypatch.setattr(Divergence, "values", counted)
    study = es.parse_study(
        EXAMPLE_STUDY.replace(
            'type = "move"\nseries = "a"\nn = 5\nmode = "above"\nlevel = 0.04',
            'type = "divergence"\na = "a"\nb = "b"\nn = 5\nk = 1.0\nsigma = "expanding"\n'
            "min_periods = 60",
        ).replace("min_gap = 21", "min_gap = 21\nstart = 2010-06-01")
        + '[sweep.grid]\n"signal.k" = [1.0, 1.5, 2.0]\n"signal.n" = [3, 5]\n'
        '"signal.direction" = ["above", "below"]\n'
    )
    swept = es.run_study(study, data_dir=data_dir)
    assert sorted(calls) == [3, 5]
    prices = load_study_data(study.data, es.DataStore(data_dir)).aligned.frame
    assert len(study.sweep.specifications) == 12
    found: list[int] = []
    for spec in study.sweep.specifications:
        one = make_signal(thaw(spec.signal)).compute(prices)
        window = one.trigger & (one.trigger.index >= pd.Timestamp("2010-06-01"))
        want = find_events(
            SignalResult(one.value, window, one.threshold, one.look_ahead, one.description),
            min_gap=21,
        )
        got = swept.events[spec.name]
        found.append(want.n_events)
        np.testing.assert_array_equal(got.positions, want.positions)
        np.testing.assert_array_equal(got.values, want.values)
        assert (got.n_triggers, got.description) == (want.n_triggers, want.description)
    assert sum(n > 0 for n in found) >= 8


def test_an_error_in_the_calling_process_stops_the_workers_quietly(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """When the calling process's own chunk fails, the error is raised, no worker is handed
    another chunk, and nothing is printed about callbacks (helper review, 2026-12-07)."""
    import multiprocessing
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor

    import eventstudy.timeseries.sweep as sweep_module

    parent = os.getpid()

    def fake(*args: object) -> tuple[str, ...]:
        names = args[-1]
        assert isinstance(names, tuple)
        if os.getpid() == parent and names != ("c0",):
            raise RuntimeError("chunk failed here")
        time.sleep(0.2)
        return names

    monkeypatch.setattr(sweep_module, "_run_chunk", fake)
    monkeypatch.setattr(sweep_module, "_WORK", (None,))
    chunks = [(f"c{i}",) for i in range(8)]
    results: list[object] = [None] * len(chunks)
    with (
        pytest.raises(RuntimeError, match="chunk failed here"),
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool,
    ):
        sweep_module._share(pool, (None,), chunks, results, None)  # type: ignore[arg-type]
    time.sleep(0.5)  # the worker's chunk ends after the failure
    assert "exception calling callback" not in capfd.readouterr().err


def test_chunks_group_the_specifications_that_share_work() -> None:
    from eventstudy.timeseries.sweep import _by_shared_work, _chunks

    study = es.parse_study(EXAMPLE_STUDY + SWEEP)
    specs = study.sweep.specifications
    order = _by_shared_work(specs)
    assert sorted(order) == sorted(sp.name for sp in specs)
    rank = {sp.name: i for i, sp in enumerate(specs)}
    by_name = {sp.name: sp for sp in specs}
    groups = [(by_name[n].return_kind, by_name[n].min_gap) for n in order]
    # each (return kind, gap) together, in grid order within
    assert groups == sorted(groups, key=lambda g: (g[0], g[1] or 0))
    for g in set(groups):
        members = [rank[n] for n in order if (by_name[n].return_kind, by_name[n].min_gap) == g]
        assert members == sorted(members) and len(members) == 3
    chunks = _chunks(order, 2)
    assert [n for c in chunks for n in c] == order and min(map(len, chunks)) >= 4


def test_merge_puts_chunks_back_in_grid_order() -> None:
    from eventstudy.timeseries.sweep import _merge

    names = ["a", "b", "c", "d", "e"]
    chunks = [("d", "b"), ("e", "a", "c")]  # a chunk's columns come in grid order: b, d
    key = ("t", "1m")

    def part(cols: list[str], message: str, category: type[Warning]):
        obs = np.array([names.index(n) for n in cols], dtype=float)
        shifted = np.vstack([obs, obs + 10.0])
        return (
            {n: n for n in cols},
            {n: {"t": n} for n in cols},
            1,
            ((message, category),),
            {key: (obs, shifted, -obs, -shifted)},
        )

    dropped, coverage = es.exceptions.DroppedEventsWarning, es.exceptions.DataCoverageWarning
    parts = [part(["b", "d"], "z warning", dropped), part(["a", "c", "e"], "a warning", coverage)]
    with pytest.warns(es.exceptions.EventStudyWarning) as record:
        events, evals, incomplete, nulls = _merge(parts, names, chunks)
    assert list(events) == names and list(evals) == names and incomplete == 2
    obs, shifted, raw, raw_shifted = nulls[key]
    np.testing.assert_array_equal(obs, np.arange(5.0))
    np.testing.assert_array_equal(shifted, [np.arange(5.0), np.arange(5.0) + 10.0])
    np.testing.assert_array_equal(raw, -obs)
    np.testing.assert_array_equal(raw_shifted, -shifted)
    # which process warned first depends on what it ran before: sorted; each keeps its
    # category and points at the caller's line
    said = [(str(w.message), w.category) for w in record]
    assert said == [("a warning", coverage), ("z warning", dropped)]
    assert {w.filename for w in record} == {__file__}


def test_spa_threshold_uses_the_sample_length() -> None:
    """Hansen (2005, eq. 11 ff.): a specification is left out of the null maximum (recentred
    by its own value) when its studentized statistic is below -sqrt(2 log log n), n the
    sample length. With 199 shifts that is -1.83, with 11,000 dates -2.11: a specification at
    -2.0 is recentred under the first only. Computed here by hand, draw by draw.  Given each
    specification's sample length, the shortest among the specifications tested is n (one
    without a statistic, in a short sample, does not count)."""
    from eventstudy.timeseries.sweep_search import family_tests

    rng = np.random.default_rng(11)
    z = rng.normal(size=(199, 3))
    zo = np.array([1.0, -2.0, 0.5])

    def hansen(n: int) -> float:
        floor = -np.sqrt(2 * np.log(np.log(n)))
        shift = np.where(zo < floor, zo, 0.0)
        hits = sum(max(z[d, j] + shift[j] for j in range(3)) >= zo.max() for d in range(199))
        return (hits + 1) / 200

    long = family_tests(["a", "b", "c"], zo, z, "positive", n_obs=11_000)["spa_p"]
    short = family_tests(["a", "b", "c"], zo, z, "positive")["spa_p"]
    assert long == pytest.approx(hansen(11_000), rel=1e-12)
    assert short == pytest.approx(hansen(199), rel=1e-12)
    assert long != short
    names, lengths = ["a", "b", "c", "none"], np.array([11_000, 12_000, 11_500, 150])
    obs4, null4 = np.append(zo, np.nan), np.hstack([z, np.zeros((199, 1))])
    per = family_tests(names, obs4, null4, "positive", n_obs=lengths)["spa_p"]
    assert per == long


def test_search_table_counts_in_the_claimed_direction(swept) -> None:
    """The sweep claims a positive effect and every excess is negative: no specification is a
    rejection in the claimed direction (whatever its two-sided p), as Holm and BH count; the
    baseline column is the median of the specifications' own baselines."""
    from eventstudy.report.sweep import search_table

    table = search_table(swept)
    f = swept.to_frame()
    assert "hac p<0.05 (positive)" in table.columns and "median baseline" in table.columns
    for row in table.itertuples(index=False):
        g = f[(f["target"] == row.target) & (f["horizon"] == row.horizon)]
        signed = ((g["hac_p"] < 0.05) & (g["excess_mean"] > 0)).sum()
        assert (
            table.loc[
                (table.target == row.target) & (table.horizon == row.horizon),
                "hac p<0.05 (positive)",
            ].item()
            == signed
            == 0
        )
        assert row[table.columns.get_loc("median baseline")] == g["baseline_mean"].median()


def test_sensitivity_table_has_one_header_row(swept) -> None:
    """The choice column and one column per target x horizon, with no leftover columns label
    (the HTML report drew it as an extra header row with an empty cell in every row)."""
    from eventstudy.report.document import Block, render_html
    from eventstudy.report.sweep import sensitivity_table

    table = sensitivity_table(swept)
    assert table.columns.name is None and table.columns[0] == "choice"
    html = render_html([Block("table", table)], title="t")
    assert "<th>column</th>" not in html and "<th></th>" not in html


def test_grid_dates_may_be_iso_strings() -> None:
    """As everywhere in a study, a date is a TOML date or an ISO string (es.sweep's grid= is
    Python, where a string is the natural way to write one)."""
    sw = es.parse_study(
        EXAMPLE_STUDY + '[sweep.grid]\n"events.start" = ["2010-01-01", 2011-01-01]\n'
    ).sweep
    assert sw is not None
    assert [s.start for s in sw.specifications] == [
        pd.Timestamp("2010-01-01"),
        pd.Timestamp("2011-01-01"),
    ]
    with pytest.raises(ConfigError, match=r"events.start must be a date .*'2010-13-01'"):
        es.parse_study(EXAMPLE_STUDY + '[sweep.grid]\n"events.start" = ["2010-13-01"]\n')


def test_no_skip_hint_when_every_specification_is_invalid() -> None:
    """Skipping cannot help when nothing would be left: the message says to fix it instead."""
    with pytest.raises(ConfigError, match="every specification is invalid") as info:
        es.parse_study(EXAMPLE_STUDY + '[sweep.grid]\n"signal.n" = [0, -1]\n')
    assert "skip" not in str(info.value)
    with pytest.raises(ConfigError, match=r"'n=0' is invalid: .*\(1 of 2 are; set on_invalid"):
        es.parse_study(EXAMPLE_STUDY + '[sweep.grid]\n"signal.n" = [0, 5]\n')


def test_executor_and_scheduler_are_checked_for_every_study(data_dir: Path) -> None:
    """executor='dask' and a scheduler were ignored by a study without [sweep] (the user
    believed it ran on the cluster); an unknown executor passed there too."""
    plain = es.parse_study(EXAMPLE_STUDY)
    with pytest.raises(ValueError, match="executor must be 'process' or 'dask', got 'bogus'"):
        es.run_study(plain, data_dir=data_dir, executor="bogus")
    with pytest.raises(ConfigError, match=r"executor='dask' runs .* this study has no \[sweep\]"):
        es.run_study(plain, data_dir=data_dir, executor="dask")
    with pytest.raises(ValueError, match="scheduler='tcp://x:1' needs executor='dask'"):
        es.run_study(plain, data_dir=data_dir, scheduler="tcp://x:1")
    swept = es.parse_study(EXAMPLE_STUDY + SWEEP)
    with pytest.raises(ValueError, match="needs executor='dask'"):
        es.run_study(swept, data_dir=data_dir, scheduler="tcp://x:1")


def test_worker_counts_follow_the_affinity_and_take_any_integer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import eventstudy._threads as threads
    from eventstudy.timeseries.sweep import _workers

    monkeypatch.setattr(threads, "cores", lambda: 1)  # taskset -c 0: one core allowed
    assert _workers(None, 768) == 1 and _workers(None, 10) == 1
    monkeypatch.setattr(threads, "cores", lambda: 3)
    assert _workers(None, 768) == 3
    assert _workers(np.int64(2), 768) == 2 and type(_workers(np.int64(2), 768)) is int
    for bad in (0, True, 2.0, "2"):
        with pytest.raises(ValueError, match="workers must be a positive integer"):
            _workers(bad, 768)  # type: ignore[arg-type]


def test_an_error_of_a_specification_names_it_whatever_its_type(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ValueError becomes a ConfigError naming the specification; any other error keeps its
    type and gains a note naming it (it was a bare traceback)."""
    import eventstudy.timeseries.sweep as sweep_module

    real = sweep_module.make_signal

    def failing(params: dict) -> object:  # type: ignore[type-arg]
        if params.get("level") == 0.03:
            raise RuntimeError("boom")
        return real(params)

    monkeypatch.setattr(sweep_module, "make_signal", failing)
    with pytest.raises(RuntimeError, match="boom") as info:
        es.run_study(es.parse_study(EXAMPLE_STUDY + SWEEP), data_dir=data_dir, workers=1)
    notes = getattr(info.value, "__notes__", [])
    assert any("[sweep] specification 'level=0.03" in n for n in notes), notes


@pytest.mark.slow
def test_dask_raises_the_first_failing_specification_quietly(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Dask raises the error the process pool raises with as many workers (the first failing
    chunk's: the chunks depend on the worker count only); it raised whichever chunk failed
    first, after a page of worker logs."""
    import eventstudy.timeseries.sweep as sweep_module

    study = es.parse_study(EXAMPLE_STUDY + SWEEP)
    names = [sp.name for sp in study.sweep.specifications]  # type: ignore[union-attr]
    real = sweep_module._run_chunk

    def failing(*args: object) -> object:
        chunk = args[5]
        assert isinstance(chunk, tuple)
        bad = [n for n in chunk if "level=0.03" in n]
        if bad:
            raise ValueError(f"failed: {bad[0]}")
        return real(*args)

    monkeypatch.setattr(sweep_module, "_run_chunk", failing)
    with pytest.raises(ValueError, match="failed: level=0.03") as serial:
        es.run_study(study, data_dir=data_dir, workers=3, executor="process")
    assert any(str(serial.value) == f"failed: {n}" for n in names)
    for _ in range(2):  # the chunks of 3 workers run on 3 Dask workers: the same error
        with pytest.raises(ValueError, match=f"^{re.escape(str(serial.value))}$"):
            es.run_study(study, data_dir=data_dir, workers=3, executor="dask")
    err = capfd.readouterr().err
    assert "distributed.worker - ERROR" not in err and "Compute Failed" not in err


_POOL_SCRIPT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from eventstudy.timeseries.sweep import _forked

with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                         initializer=_forked, initargs=(os.getpid(),)) as pool:
    print(pool.submit(os.getpid).result(), flush=True)
    pool.submit(time.sleep, 60)
    time.sleep(60)
"""


@pytest.mark.slow
def test_a_terminated_run_leaves_no_pool_worker_behind() -> None:
    """A sweep's pool worker starts with the run's pid (``_forked``) and dies with the run: a
    SIGTERM to a process-pool sweep left its worker adopted by init, asleep forever."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", _POOL_SCRIPT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    os.kill(worker, 0)  # alive
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"pool worker {worker} outlived the run")


def test_a_dask_run_leaves_this_process_able_to_fork(data_dir: Path) -> None:
    """dask.distributed's offload thread outlived the run, and fork_is_safe() then refused
    every fork of the session (sweeps spawned their workers, studies stopped forking)."""
    import threading

    from eventstudy._fork import fork_is_safe

    assert fork_is_safe()
    es.run_study(
        es.parse_study(EXAMPLE_STUDY + SWEEP), data_dir=data_dir, workers=2, executor="dask"
    )
    assert [t.name for t in threading.enumerate()] == ["MainThread"]
    assert fork_is_safe()


def test_relative_shifts_spread_over_each_samples_whole_circle() -> None:
    """Shift d of a sample of T complete dates is 1 + floor(u_d (T - 1)), u_d = d / D, in
    exact rational arithmetic."""
    from fractions import Fraction

    from eventstudy.timeseries.sweep_search import relative_shifts

    for t, d in ((11, 5), (578, 400), (11_000, 2000), (401, 400), (4, 5), (2, 3)):
        want = [1 + math.floor(Fraction(k, d) * (t - 1)) for k in range(d)]
        got = relative_shifts(t, d)
        assert got.tolist() == want and got.dtype == np.int64
        assert got.min() >= 1 and got.max() <= t - 1
        assert np.unique(got).size == min(d, t - 1)
    assert relative_shifts(401, 400).tolist() == list(range(1, 401))  # the whole circle
    assert relative_shifts(1, 10).size == relative_shifts(10, 0).size == 0


SHORT = """
[sweep]
tests = ["hac"]
direction = "positive"
shifts = 400

[sweep.grid]
"signal.level" = [0.02, 0.03]
"events.start" = __STARTS__
"""


def test_a_short_sample_neither_cuts_nor_changes_the_others(data_dir: Path) -> None:
    """A specification whose sample holds 60 complete dates (and no event) leaves every
    other specification's shifts, statistics and p-values exactly as without it (before,
    the shifts were drawn from the shortest sample and every specification got 59), and is
    named in a warning with its count of distinct shifts."""
    from eventstudy.exceptions import FewShiftsWarning

    def run(starts: str) -> es.timeseries.SweepResult:
        study = es.parse_study(EXAMPLE_STUDY + SHORT.replace("__STARTS__", starts))
        return es.run_study(study, data_dir=data_dir)

    alone = run("[2010-01-04]")
    with pytest.warns(FewShiftsWarning) as record:
        # 600 business days from 2010-01-04 end on 2012-04-20
        mixed = run("[2010-01-04, 2012-02-01]")
    message = str(record[0].message)
    assert "simple returns from 2012-02-01" in message and "a 1m: " in message
    distinct = int(re.search(r"a 1m: (\d+) of 400", message).group(1))
    assert 0 < distinct < 400
    assert any("FewShiftsWarning" in w or "too few complete dates" in w for w in mixed.warnings)
    fa, fm = alone.search[("a", "1m")], mixed.search[("a", "1m")]
    assert fa["shifts"] == fm["shifts"] == 400
    long_names = [sp.name for sp in mixed.specifications if "2010-01-04" in sp.name]
    assert len(long_names) == 2
    for name in long_names:
        for key in ("family_shift_p", "t", "excess"):
            assert fm[key][name] == fa[key][name], (key, name)
    short_names = [sp.name for sp in mixed.specifications if sp.name not in long_names]
    assert all(np.isnan(fm["family_shift_p"][n]) for n in short_names)  # no events
    # no events anywhere else: the family tests of the long specifications are unchanged
    for key in ("reality_check_p", "spa_p", "curve_p_median", "curve_p_share"):
        assert fm[key] == fa[key], key


def test_shifted_sets_without_variance_never_count_as_extreme() -> None:
    """A NaN in the studentized null (a shifted set whose HAC variance is not positive)
    counts as no draw at least as extreme, in every direction and every test, as
    shift_t_test counts it -- and does not drop the specification."""
    from eventstudy.timeseries.sweep_search import family_tests

    rng = np.random.default_rng(3)
    null = rng.normal(size=(99, 2))
    null[[4, 9, 50], 0] = np.nan
    obs = np.array([-0.3, 0.4])
    for direction, signed in (
        ("positive", lambda x: x),
        ("negative", lambda x: -x),
        ("two-sided", np.abs),
    ):
        fam = family_tests(["a", "b"], obs, null, direction)
        so, sn = signed(obs), signed(null)
        for j, name in enumerate("ab"):
            count = np.sum(np.nan_to_num(sn[:, j], nan=-np.inf) >= so[j])
            assert fam["family_shift_p"][name] == (count + 1) / 100
        best = np.nanmax(np.where(np.isnan(sn), -np.inf, sn), axis=1)
        assert fam["reality_check_p"] == (np.sum(best >= so.max()) + 1) / 100
        assert np.isfinite(fam["romano_wolf_p"]["a"])
