"""Helpers shared by tests: what to do when an external input (snapshot, reference) is missing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def on_ci() -> bool:
    """True when running under CI (``CI`` set to anything but empty/0/false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> NoReturn:
    """Skip a test whose external input is missing; fail instead under CI."""
    if on_ci():
        pytest.fail(f"{reason} (CI=true: a missing snapshot or reference file is a failure)")
    pytest.skip(reason)


def require_online(url: str) -> None:
    """Skip a live (``network``) test when ``url`` does not answer: the machines are offline."""
    import requests

    try:
        requests.head(url, timeout=5)
    except requests.RequestException:
        pytest.skip(f"offline ({url} does not answer)")


def ends_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` ends (or is a zombie) within ``seconds``; one that does not is
    killed, so that a failing test leaves nothing behind."""
    import signal
    import time
    from pathlib import Path

    def alive() -> bool:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False
        return "State:\tZ" not in state  # a zombie has ended

    deadline = time.monotonic() + seconds
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive():
        os.kill(pid, signal.SIGKILL)
        return False
    return True
