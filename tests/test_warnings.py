"""Every warning of the library points at the caller's line (``eventstudy._warnings``).

Each test calls a public function from this file and checks that the recorded warning's
``filename`` is this file and its ``lineno`` the line of the call: whatever the depth of the
library below it, whether the warning was collected and issued again by a study, and whether
a forked copy of the process raised it.
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path
from typing import Any

import pytest

import eventstudy as es
from eventstudy._warnings import find_stack_level
from eventstudy.exceptions import EventStudyWarning

PACKAGE = Path(es.__file__).parent

# --------------------------------------------------------------------------- the helper

# Functions compiled as if their file were in the package: frames of the library, as the
# helper sees them, without a module of test code inside eventstudy/.
LIBRARY_SOURCE = """
def inner(probe):
    return probe()

def outer(probe):
    return inner(probe)

def warn_deep():
    warnings.warn("deep", EventStudyWarning, stacklevel=find_stack_level())

def warn_nested():
    return outer(warn_deep)
"""


@pytest.fixture(scope="module")
def library() -> dict[str, Any]:
    namespace: dict[str, Any] = {
        "warnings": warnings,
        "EventStudyWarning": EventStudyWarning,
        "find_stack_level": find_stack_level,
    }
    exec(compile(LIBRARY_SOURCE, str(PACKAGE / "_nested_frames.py"), "exec"), namespace)
    return namespace


def _line() -> int:
    """The line two below the caller's: the call in the ``with pytest.warns(...)`` block that
    follows ``line = _line()``, where the warnings raised by that call must point."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 2


def _at_this_file(record: Any, line: int | None = None) -> None:
    """Every recorded warning points at this file (and at ``line`` when given)."""
    assert len(record) >= 1
    for w in record:
        assert w.filename == __file__, f"{w.category.__name__} at {w.filename}: {w.message}"
        if line is not None:
            assert w.lineno == line, str(w.message)


def test_called_from_outside_the_package_the_level_is_the_callers() -> None:
    assert find_stack_level() == 1


def test_nested_library_frames_resolve_to_the_first_frame_outside(
    library: dict[str, Any],
) -> None:
    # find_stack_level is called from `inner` (level 1), below `outer` (2), below this test (3)
    assert library["outer"](find_stack_level) == 3
    line = _line()
    with pytest.warns(EventStudyWarning, match="deep") as record:
        library["warn_nested"]()
    _at_this_file(record, line)


def test_a_user_callback_between_library_frames_is_the_users_line(
    library: dict[str, Any],
) -> None:
    """A signal or callback of the user's that calls into the library again: the warning
    points at the user's code that made the call, the first frame outside."""

    def callback() -> None:
        library["warn_deep"]()  # the line the warning must point at

    line = inspect.getsourcelines(callback)[1] + 1
    with pytest.warns(EventStudyWarning, match="deep") as record:
        library["outer"](callback)
    _at_this_file(record, line)
