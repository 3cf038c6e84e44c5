"""[events] start inside an episode, on the snapshot: the reviewer's case (the flagship's
trailing-σ divergence, triggers on 1982-11-10 and 1982-11-12, start 1982-11-11)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.api import run_study
from eventstudy.data import DataStore
from eventstudy.events import find_events
from eventstudy.signals import make_signal

STUDY = """
[study]
name = "window"
[data.series]
rut = {{ splice = ["fred:RU2000PR", "yahoo:^RUT"] }}
spx = "yahoo:^GSPC"
[signal]
type = "divergence"
a = "rut"
b = "spx"
n = 5
k = 3.0
direction = "above"
sigma = "expanding"
min_periods = 252
[events]
min_gap = 21
mode = "{mode}"
start = {start}
[evaluation]
horizons = {{ "1m" = 21 }}
targets = [{{ series = "rut" }}]
[inference]
tests = ["hac"]
default_test = "hac"
"""


@pytest.mark.parametrize("mode", ["first", "episode"])
def test_a_start_inside_an_episode_yields_no_event_in_its_run(
    snapshot_dir: Path, tmp_path: Path, mode: str
) -> None:
    store = DataStore(snapshot_dir)
    runs = {}
    for start in ("1980-01-01", "1982-11-11"):
        path = tmp_path / f"window_{start}.toml"
        path.write_text(STUDY.format(mode=mode, start=start))
        runs[start] = run_study(path, store=store).variants[0].events.dates
    late, early = runs["1982-11-11"], runs["1980-01-01"]
    # independently: the signal's triggers on the aligned data, declustered by hand
    frame = run_study(tmp_path / "window_1980-01-01.toml", store=store).data.aligned.frame
    sig = make_signal(
        {"type": "divergence", "a": "rut", "b": "spx", "n": 5, "k": 3.0,
         "direction": "above", "sigma": "expanding", "min_periods": 252}
    ).compute(frame)  # fmt: skip
    trig = sig.trigger[sig.trigger.index >= "1980-01-01"]
    assert trig["1982-11-10"] and trig["1982-11-12"] and not trig["1982-11-11"]
    assert pd.Timestamp("1982-11-10") in early
    assert pd.Timestamp("1982-11-12") not in late  # the windowed triggers gave it
    assert late.equals(early[early >= "1982-11-11"])
    assert early.equals(find_events(sig, min_gap=21, mode=mode, start="1980-01-01").dates)
