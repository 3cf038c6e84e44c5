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


def test_tqdm_bar_per_label() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream, enabled=True)
    bar("specifications", 0, 4)
    bar("specifications", 4, 4)
    bar("placebo rut", 1, 2)  # a new label closes the previous bar
    bar.close()
    text = stream.getvalue()
    assert "specifications: 100%" in text and "4/4" in text
    assert "placebo rut" in text and text.count("\n") == 2
    bar.close()
    assert stream.getvalue().count("\n") == 2


def test_draws_and_finishes_the_line_when_enabled() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream, enabled=True, use_tqdm=False)
    bar("placebo rut", 0, 4)
    bar("placebo rut", 4, 4)
    text = stream.getvalue()
    assert "\rplacebo rut" in text and "[" + "#" * 30 + "] 4/4" in text
    assert "\n" not in text  # one line, redrawn in place
    bar.close()
    assert stream.getvalue().endswith("\n")
    bar.close()  # closing twice adds nothing
    assert stream.getvalue().count("\n") == 1
