"""Shared fixtures: the real data snapshot is found through $EVENTSTUDY_DATA only.

Locally a test that needs the snapshot or the reference files skips when they are missing; under
``CI=true`` it fails instead, so CI cannot go green with the integration tier silently skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests._support import missing


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
