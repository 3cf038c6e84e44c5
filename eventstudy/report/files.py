"""Writing outputs so that a reader never sees half of one, nor a mix of two runs.

A run writes its whole output set into a staging folder beside the output folder, then
:func:`publish` moves it in: it first removes the completion marker (``run.json``), then the
previous run's outputs, then moves the new files in and the marker last.  Interrupted at any
point, the folder holds either the previous complete set with its marker, or no marker: a set
with ``run.json`` is always complete and from one run.  A folder that holds files no run
wrote is refused unless ``force`` (then those files are left alone).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from eventstudy._atomic import write_bytes_atomic, write_text_atomic
from eventstudy.exceptions import OutputFolderError

__all__ = [
    "MARKER",
    "OUTPUT_FILES",
    "check_output_folder",
    "publish",
    "staged_output",
    "write_bytes_atomic",
    "write_text_atomic",
]

MARKER = "run.json"
"""The completion marker, written last."""

OUTPUT_FILES = frozenset(
    {
        "result.json",
        "events.csv",
        "sweep.csv",
        "sweep.parquet",
        "backtest.csv",
        "report.md",
        "report.html",
        MARKER,
    }
)
"""Files a run writes (besides ``figures/`` of images)."""

_FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def _ours(path: Path) -> bool:
    if path.name in OUTPUT_FILES and path.is_file():
        return True
    if path.name == "figures" and path.is_dir():
        return all(p.is_file() and p.suffix in _FIGURE_SUFFIXES for p in path.iterdir())
    return False


def check_output_folder(out_dir: str | os.PathLike[str], *, force: bool = False) -> None:
    """Refuse an output folder that holds files no run wrote (unless ``force``).

    Raises
    ------
    OutputFolderError
        Naming the folder and (up to ten of) the unknown files.
    """
    out = Path(out_dir)
    if force or not out.exists():
        return
    if not out.is_dir():
        raise OutputFolderError(f"output folder {out} is a file")
    unknown = sorted(p.name for p in out.iterdir() if not _ours(p))
    if unknown:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise OutputFolderError(
            f"output folder {out} holds files a run did not write ({shown}); choose another "
            "--out, or pass --force to write beside them (they are left alone)"
        )


def publish(stage: Path, out_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Move a complete output set from ``stage`` into ``out_dir`` (see the module docstring).

    Returns the output folder.
    """
    out = Path(out_dir)
    check_output_folder(out, force=force)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).unlink(missing_ok=True)  # from here on the old set is not complete
    for old in out.iterdir():
        if _ours(old):
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
    for new in sorted(stage.iterdir()):
        if new.name != MARKER:
            _move(new, out / new.name)
    if (stage / MARKER).exists():
        os.replace(stage / MARKER, out / MARKER)
    shutil.rmtree(stage, ignore_errors=True)
    return out


def _move(src: Path, dst: Path) -> None:
    """``os.replace``, merging into a folder that is already there (a forced run beside a
    user's ``figures/`` of other files)."""
    if src.is_dir() and dst.is_dir():
        for child in sorted(src.iterdir()):
            _move(child, dst / child.name)
        src.rmdir()
    else:
        os.replace(src, dst)


@contextlib.contextmanager
def staged_output(out_dir: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """A staging folder beside ``out_dir``; published into it when the block ends without an
    error, removed otherwise.  The folder is checked (:func:`check_output_folder`) first, so a
    refused folder fails before any work."""
    out = Path(out_dir)
    check_output_folder(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    publish(stage, out, force=force)
