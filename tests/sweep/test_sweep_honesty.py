"""A sweep's answer says what was and was not tested: specifications without events are counted,
a target x horizon with nothing to test is "not testable" (never "nothing survives"), survivors
and claim matches that use full-sample statistics are marked as look-ahead, the summary's count
of significant specifications says on which side of the claim they fall."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import eventstudy as es
from eventstudy.conftest import EXAMPLE_STUDY, write_example_data

SWEEP = """
[sweep]
tests = ["hac"]
direction = "positive"
shifts = 200

[sweep.grid]
"signal.level" = [{levels}]
"""

DIVERGENCE = EXAMPLE_STUDY.replace(
    'type = "move"\nseries = "a"\nn = 5\nmode = "above"\nlevel = 0.04',
    'type = "divergence"\na = "a"\nb = "b"\nn = 5\nk = 2.5\ndirection = "above"\n'
    'sigma = "expanding"',
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example_data(tmp_path_factory.mktemp("data"))


def run(data_dir: Path, text: str) -> es.timeseries.SweepResult:
    return es.run_study(es.parse_study(text), data_dir=data_dir)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_specifications_without_events_are_counted(data_dir: Path, tmp_path: Path) -> None:
    res = run(data_dir, EXAMPLE_STUDY + SWEEP.format(levels="0.04, 0.5, 0.6"))
    assert res.without_events() == ("level=0.5", "level=0.6")
    head = res.headline()
    assert "(2 of the 3 specifications have no events and take no part)" in head
    paths = es.write_outputs(res, tmp_path / "out", figures=False)
    record = json.loads(paths["result"].read_text())
    assert record["sweep"]["without_events"] == ["level=0.5", "level=0.6"]
    assert record["verdict"] == head


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_nothing_to_test_is_not_nothing_survives(data_dir: Path) -> None:
    res = run(data_dir, EXAMPLE_STUDY + SWEEP.format(levels="0.5, 0.6"))
    head = res.headline()
    assert head.startswith("Nothing could be tested in the search: no specification has events")
    assert "survives" not in head
    assert res.verdict_lines() == [
        "a 1m: not testable (no specification has events with complete forward returns)."
    ]


def test_look_ahead_is_marked_next_to_survivors_and_claims(data_dir: Path) -> None:
    text = (
        DIVERGENCE
        + '[[claims]]\ntarget = "a"\nhorizon = "1m"\nvalue = 0.0\ntolerance = 1.0\n'
        + SWEEP.format(levels="0").replace(
            '"signal.level" = [0]', '"signal.sigma" = ["full", "expanding"]'
        )
    )
    res = run(data_dir, text)
    assert res.look_ahead_names() == frozenset({"sigma=full"})
    frame = res.to_frame()
    assert frame.set_index("specification")["look_ahead"].to_dict() == {
        "sigma=full": True,
        "sigma=expanding": False,
    }
    assert "1 of them use full-sample statistics (look-ahead)" in res.claim_sentences()[0]
    # a search whose only survivor is the look-ahead specification says so
    ((key, fam),) = res.search.items()
    fake = {**fam, "romano_wolf_p": {"sigma=full": 0.01, "sigma=expanding": 0.5}}
    forged = dataclasses.replace(res, search={key: fake})
    head = forged.headline()
    assert "a 1m (1, look-ahead)" in head and "full-sample statistics" in head
    both = {**fam, "romano_wolf_p": {"sigma=full": 0.01, "sigma=expanding": 0.01}}
    assert "a 1m (2, 1 with look-ahead)" in dataclasses.replace(res, search={key: both}).headline()
    clean = {**fam, "romano_wolf_p": {"sigma=full": 0.5, "sigma=expanding": 0.01}}
    assert "look-ahead" not in dataclasses.replace(res, search={key: clean}).headline()


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_the_summary_says_which_side_of_the_claim(data_dir: Path) -> None:
    res = run(data_dir, EXAMPLE_STUDY + SWEEP.format(levels="0.02, 0.03, 0.04"))
    f = res.to_frame()
    sig = f["hac_p"] < 0.05
    up, down = int((sig & (f["excess_mean"] > 0)).sum()), int((sig & (f["excess_mean"] <= 0)).sum())
    assert f"({up} in the claimed direction, {down} against it)" in res.summary()
    two = run(
        data_dir,
        EXAMPLE_STUDY + SWEEP.format(levels="0.02, 0.03, 0.04").replace("positive", "two-sided"),
    )
    assert f"({up} positive, {down} negative)" in two.summary()


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.IncompleteHorizonWarning")
def test_a_joint_null_too_large_is_announced(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid of 5,760 specifications with 2,000 shifts peaked at 1.8 GB unannounced: above
    1 GiB (here a bound of 1 kB) the sweep says how large its joint null will be, before it
    starts: 16 bytes x shifts x specifications per target x horizon."""
    from eventstudy.exceptions import EventStudyWarning, IncompleteHorizonWarning
    from eventstudy.timeseries import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "_NULL_BYTES", 1000)
    with pytest.warns(
        EventStudyWarning,
        match=r"the sweep's joint null will hold about 0.0 GiB \(3 specifications x 1 targets "
        r"x horizons x up to 200 shifts, two numbers each\): lower \[sweep\] shifts",
    ):
        run(data_dir, EXAMPLE_STUDY + SWEEP.format(levels="0.02, 0.03, 0.04"))
    monkeypatch.setattr(sweep_module, "_NULL_BYTES", 16 * 200 * 3)  # exactly at the bound: quiet
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", EventStudyWarning)
        warnings.simplefilter("ignore", IncompleteHorizonWarning)
        run(data_dir, EXAMPLE_STUDY + SWEEP.format(levels="0.02, 0.03, 0.04"))


def test_look_ahead_of_one_specification_reads_the_set(data_dir: Path) -> None:
    res = run(data_dir, EXAMPLE_STUDY + SWEEP.format(levels="0.02, 0.03"))
    assert res.look_ahead("level=0.02") is False
    with pytest.raises(KeyError, match="no specification 'nope' in the sweep"):
        res.look_ahead("nope")
