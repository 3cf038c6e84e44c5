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
