"""The terminal progress bar: drawn on a TTY, silent otherwise."""

from __future__ import annotations

import io

from eventstudy.report.progress import TerminalProgress


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()  # isatty() is False
    bar = TerminalProgress(stream)
    bar("placebo", 5, 10)
    bar("placebo", 10, 10)
    assert stream.getvalue() == ""


def test_draws_and_finishes_the_line_when_enabled() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream, enabled=True)
    bar("placebo rut", 0, 4)
    bar("placebo rut", 4, 4)
    text = stream.getvalue()
    assert "\rplacebo rut" in text and "[" + "#" * 30 + "] 4/4" in text
    assert "\n" not in text  # one line, redrawn in place
    bar.close()
    assert stream.getvalue().endswith("\n")
    bar.close()  # closing twice adds nothing
    assert stream.getvalue().count("\n") == 1
