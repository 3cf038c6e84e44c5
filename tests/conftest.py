"""Shared fixtures: the real data snapshot is found through $EVENTSTUDY_DATA only.

Locally a test that needs the snapshot or the reference files skips when they are missing; under
``CI=true`` it fails instead, so CI cannot go green with the integration tier silently skipped.

The session runs with ``EVENTSTUDY_PLUGINS=none``: a plugin installed in the same environment
(an entry point in ``eventstudy.signals``, ``eventstudy.models`` or ``eventstudy.tests``) is not
read, so the lists of registered names, the table of tests and the command-line runs see the
built-ins only.  The tests of plugin loading opt back in: :func:`entry_points_read` in process,
``EVENTSTUDY_PLUGINS=<their distribution>`` in the runs they start (``tests/test_plugins.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventstudy.conftest import builtins_only
from eventstudy.registry import PLUGINS_ENV_VAR
from tests._support import missing


def pytest_configure(config: pytest.Config) -> None:
    """Read no installed plugin during the session (``EVENTSTUDY_PLUGINS=none``)."""
    builtins_only(config)


@pytest.fixture
def entry_points_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset ``EVENTSTUDY_PLUGINS`` for one test: a registry it builds reads every entry point
    (for tests that fake ``importlib.metadata.entry_points``)."""
    monkeypatch.delenv(PLUGINS_ENV_VAR, raising=False)


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    """The real data snapshot ($EVENTSTUDY_DATA); integration tests skip without it."""
    value = os.environ.get("EVENTSTUDY_DATA")
    if not value or not (Path(value) / "MANIFEST.csv").is_file():
        missing("EVENTSTUDY_DATA does not point at the data snapshot")
    return Path(value)


@pytest.fixture(scope="session")
def reference_dir(snapshot_dir: Path) -> Path:
    """Reference numbers from established implementations (../shared/reference)."""
    value = os.environ.get("EVENTSTUDY_REFERENCE")
    path = Path(value) if value else snapshot_dir.parent / "reference"
    if not path.is_dir():
        missing("reference directory not found (set EVENTSTUDY_REFERENCE)")
    return path
