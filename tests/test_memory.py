"""The allocator settings of our own processes (eventstudy._memory)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from eventstudy._memory import keep_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_keep_freed_memory_sets_glibc_thresholds_in_a_fresh_process() -> None:
    """mallopt accepts both settings (it returns 0 for a value glibc refuses, such as an mmap
    threshold above 32 MiB); run in a child so that the test process keeps its allocator."""
    code = "from eventstudy._memory import keep_freed_memory as k; print(k())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_elsewhere_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_freed_memory() is False


def _huge_pages_asked() -> bool:
    """numpy's current setting (setting it returns the one before)."""
    from eventstudy._memory import hugepage_setter

    setter = hugepage_setter()
    if setter is None:
        pytest.skip("this numpy has no switch for its huge-page requests")
    now = setter(True)
    setter(now)
    return bool(now)


def test_small_pages_turns_numpys_huge_page_requests_off_and_back() -> None:
    from eventstudy._memory import small_pages

    before = _huge_pages_asked()
    with small_pages():
        assert not _huge_pages_asked()
    assert _huge_pages_asked() == before
    with pytest.raises(KeyError), small_pages():  # put back on an error too
        raise KeyError("x")
    assert _huge_pages_asked() == before


@pytest.mark.parametrize("numpy_before", [True, False])
def test_overlapping_small_pages_put_numpys_setting_back_when_the_last_ends(numpy_before) -> None:
    """Two threads' cross-sections side by side: A opens, B opens, A closes, B closes."""
    from eventstudy._memory import hugepage_setter, small_pages

    _huge_pages_asked()  # skips without the switch
    setter = hugepage_setter()
    assert setter is not None
    original = setter(numpy_before)
    try:
        a, b = small_pages(), small_pages()
        a.__enter__()
        b.__enter__()
        a.__exit__(None, None, None)
        assert not _huge_pages_asked()  # B still runs
        b.__exit__(None, None, None)
        assert _huge_pages_asked() == numpy_before
    finally:
        setter(original)


def test_a_cross_section_runs_on_small_pages(monkeypatch) -> None:
    import numpy as np
    import pandas as pd

    from eventstudy.crosssection import api, run_cross_section

    seen: list[bool] = []
    real = api.estimate_panel

    def spy(*args, **kwargs):
        seen.append(_huge_pages_asked())
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "estimate_panel", spy)
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2020-01-01", periods=200)
    m = pd.Series(rng.normal(0, 0.01, 200), index=dates)
    r = pd.DataFrame({"A": m + rng.normal(0, 0.01, 200)}, index=dates)
    before = _huge_pages_asked()
    run_cross_section(r, m, pd.DataFrame({"ticker": ["A"], "date": [dates[150]]}))
    assert seen == [False]
    assert _huge_pages_asked() == before
