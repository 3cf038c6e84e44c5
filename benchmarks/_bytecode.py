"""Compile eventstudy's modules to bytecode before a benchmark times fresh processes.

A pip-installed package is compiled at install time, and an editable install writes its
``__pycache__`` on the first import -- unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is on
some build machines (this one included).  Then every fresh process compiles eventstudy's
sources again: 0.3 s of a 2.1-2.4 s flagship run on a busy machine (paired runs,
2026-12-06), a cost no user pays twice.  The benchmarks compile once up front so that they time
what a user runs.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "eventstudy"


def compile_package() -> None:
    """Write ``__pycache__`` for every module of the package (quietly; a no-op when fresh)."""
    compileall.compile_dir(str(PACKAGE), quiet=1)
