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
