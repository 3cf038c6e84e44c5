"""The public API: every name in __all__ resolves; importing the package stays light."""

from __future__ import annotations

import subprocess
import sys

import eventstudy


def test_every_public_name_resolves() -> None:
    for name in eventstudy.__all__:
        assert getattr(eventstudy, name) is not None
    assert set(eventstudy.__all__) <= set(dir(eventstudy))
    assert set(eventstudy.__all__) == {*eventstudy._LAZY, "__version__"}


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, eventstudy; "
        "print(','.join(m for m in ('matplotlib', 'statsmodels', 'arch', 'eventstudy.crosssection') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_attribute() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        eventstudy.nope  # noqa: B018
