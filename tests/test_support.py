"""The test harness itself: a missing snapshot skips locally and fails under CI."""

from __future__ import annotations

import pytest

from tests._support import missing, on_ci


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", False), ("0", False), ("false", False), ("No", False), ("true", True), ("1", True)],
)
def test_on_ci_reads_the_ci_variable(monkeypatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert on_ci() is expected


def test_missing_input_skips_locally(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no snapshot"):
        missing("no snapshot")


def test_missing_input_fails_under_ci(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no snapshot .CI=true"):
        missing("no snapshot")
