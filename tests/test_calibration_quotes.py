"""The calibration numbers quoted outside docs/calibration.md are the page's own: the default
test is the winner of the page's rule, the calibration order of the overlap-robust tests is the
page's, and the size ranges the README, the test descriptions (report text) and the default's
docstring quote are the ones in its "Choice of the default test" table.  Regenerating the page
(benchmarks/calibration.py) without updating them fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eventstudy.inference import run
from eventstudy.registry import TESTS

ROOT = Path(__file__).resolve().parents[1]


def _choice_table() -> list[tuple[str, str, str]]:
    """(test, low, high) per row of the "Choice of the default test" table, in order."""
    text = (ROOT / "docs" / "calibration.md").read_text()
    section = text.split("## Choice of the default test", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\w+) \| [\d.]+% \| ([\d.]+)%-([\d.]+)% \| [\d.]+% \|$", section, re.M)
    assert rows, "no rows in the page's 'Choice of the default test' table"
    return rows


def test_the_default_and_the_order_are_the_pages() -> None:
    rows = _choice_table()
    assert rows[0][0] == run.DEFAULT_TEST
    assert tuple(t for t, _, _ in rows if t != "placebo_year") == run._BY_CALIBRATION


@pytest.mark.parametrize("test", ["shift_t", "shift", "hodrick", "hac"])
def test_quoted_size_ranges_are_the_pages(test: str) -> None:
    ranges = {t: (lo, hi) for t, lo, hi in _choice_table()}
    lo, hi = ranges[test]
    readme = (ROOT / "README.md").read_text().replace("\n", " ")
    assert f"{lo}–{hi}%" in readme, f"README does not quote {test}'s {lo}–{hi}%"
    if test in ("shift_t", "shift", "hodrick"):  # their descriptions quote the whole range
        assert f"{lo}–{hi}%" in TESTS[test].summary
    # the DEFAULT_TEST docstring (an attribute docstring: in the source only)
    assert f"{lo}-{hi}%" in Path(run.__file__).read_text()


def test_the_hac_docstring_quotes_no_sizes() -> None:
    """hac_test's docstring quoted 4.5-6.5% from a 5,000-replication run the page no longer
    holds (an independent review found it beside the page's 3,000-replication numbers)."""
    from eventstudy.inference.hac import hac_test

    assert hac_test.__doc__ is not None
    assert not re.search(r"\d%", hac_test.__doc__.split("Parameters")[0])
