"""The command-line interface: exit codes, one-line errors, data commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eventstudy import __version__
from eventstudy.cli import main


def make_data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "series" / "yahoo").mkdir(parents=True)
    (root / "series" / "yahoo" / "AAA.csv").write_text(
        "date,close\n2020-01-02,10\n2020-01-03,11\n2020-01-13,12\n"
    )
    (root / "series" / "yahoo" / "BAD.csv").write_text("date,close\n2020-01-03,10\n2020-01-02,11\n")
    return root


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"eventstudy {__version__}"


def test_console_module_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "eventstudy.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert __version__ in out.stdout


def test_data_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_data(tmp_path)
    assert main(["data", "list", "--data-dir", str(root)]) == 2  # BAD.csv is unsorted
    assert "error:" in capsys.readouterr().err
    (root / "series" / "yahoo" / "BAD.csv").unlink()
    assert main(["data", "list", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "yahoo:AAA" in out and "2020-01-02" in out and "2020-01-13" in out


def test_data_show_reports_gaps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_data(tmp_path)
    assert main(["--data-dir", str(root), "data", "show", "yahoo:AAA"]) == 0
    out = capsys.readouterr().out
    assert "gaps over 5 calendar days: 1" in out
    assert "2020-01-03" in out and "2020-01-13" in out


def test_data_show_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """``eventstudy data show NAME | head -3``: the reader goes away, no error is printed."""
    import os

    root = make_data(tmp_path)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        out = subprocess.run(
            [
                *[sys.executable, "-m", "eventstudy.cli"],
                "data",
                "show",
                "yahoo:AAA",
                "--data-dir",
                str(root),
            ],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)
    assert out.stderr == "" and out.returncode == 1


def test_run_help_gives_the_default_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "(default: out/<study name>)" in " ".join(capsys.readouterr().out.split())


def test_data_show_reads_a_panel_as_a_study_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A long date,ticker,close panel: its tickers and members per date (three dates; BB
    lists on the second), not a 'duplicate date' error from reading it as one series."""
    root = make_data(tmp_path)
    (root / "panel").mkdir()
    (root / "panel" / "p.csv").write_text(
        "date,ticker,close\n2020-01-02,AA,10\n2020-01-03,AA,11\n2020-01-03,BB,5\n"
        "2020-01-06,AA,12\n2020-01-06,BB,6\n"
    )
    assert main(["data", "show", "panel:p", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        "2 tickers on 3 dates; tickers with a value per date: median 2, min 1 (2020-01-02), max 2"
        in out
    )


def test_error_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_data(tmp_path)
    assert main(["data", "show", "yahoo:BAD", "--data-dir", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: series/yahoo/BAD.csv: column 'date': dates not in ascending order"
    )
    assert "Traceback" not in err and err.count("\n") == 1


def test_debug_shows_traceback(tmp_path: Path) -> None:
    from eventstudy.exceptions import DataError

    root = make_data(tmp_path)
    with pytest.raises(DataError):
        main(["data", "show", "yahoo:BAD", "--data-dir", str(root), "--debug"])


def test_run_missing_study_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope.toml"), "--data-dir", str(tmp_path)]) == 2
    assert "cannot read study file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "x.toml", "--seed", "-5"], "argument --seed: must be >= 0, got -5"),
        (["run", "x.toml", "--workers", "0"], "argument --workers: must be >= 1, got 0"),
        (["run", "x.toml", "--seed", "1.5"], "argument --seed: must be an integer, got '1.5'"),
        (["data", "show", "yahoo:RUT", "--rows", "-3"], "argument --rows: must be >= 0, got -3"),
    ],
)
def test_out_of_range_arguments_name_the_argument(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
