"""Writing outputs so that a reader never sees half of one, nor a mix of two runs.

A run writes its whole output set into a staging folder beside the output folder, then
:func:`publish` moves it in: it first removes the completion marker (``run.json``), then the
previous run's outputs, then moves the new files in and the marker last.  Interrupted at any
point, the folder holds either the previous complete set with its marker, or no marker: a set
with ``run.json`` is always complete and from one run.  The run's own files are those its
``run.json`` lists: a folder that holds any other file (a user's, one added after the run, any
file beside no marker) is refused unless ``force``, and then those files are left alone; one the
new set would overwrite is refused even then.
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
    "remove_stages_on_sigterm",
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


def _files(root: Path) -> set[str]:
    """Every file under ``root``, as paths relative to it (``figures/x.png``)."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _previous(out: Path) -> set[str]:
    """The files the last complete run wrote into ``out``: those its ``run.json`` lists, and
    the marker itself (none without a readable marker)."""
    import json

    try:
        outputs = json.loads((out / MARKER).read_text(encoding="utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {str(k) for k in outputs} | {MARKER}


def _unknown(out: Path) -> list[str]:
    """Files in ``out`` that no run is known to have written: not listed by its ``run.json``
    (a user's file, one added after the run, or any file of a folder without a marker)."""
    return sorted(_files(out) - _previous(out))


def check_output_folder(out_dir: str | os.PathLike[str], *, force: bool = False) -> None:
    """Refuse an output folder that holds files no run wrote (unless ``force``).

    A run's own files are those the folder's ``run.json`` lists; any other file is the user's,
    including every file of a folder without a ``run.json``.

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
    unknown = _unknown(out)
    if unknown:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise OutputFolderError(
            f"output folder {out} holds files a run did not write ({shown}); choose another "
            "--out, or pass --force to write beside them (they are left alone)"
        )


def publish(stage: Path, out_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Move a complete output set from ``stage`` into ``out_dir`` (see the module docstring).

    Only the files the previous ``run.json`` lists are replaced or removed; a file of the
    user's that the new set would overwrite is refused even with ``force``.

    Returns the output folder.
    """
    out = Path(out_dir)
    check_output_folder(out, force=force)
    out.mkdir(parents=True, exist_ok=True)
    clash = sorted(set(_unknown(out)) & _files(stage))
    if clash:
        raise OutputFolderError(
            f"output folder {out} holds {', '.join(clash[:10])}, which no run wrote and this "
            "run would overwrite; move them or choose another --out"
        )
    previous = _previous(out)
    (out / MARKER).unlink(missing_ok=True)  # from here on the old set is not complete
    for rel in sorted(previous - {MARKER}):
        (out / rel).unlink(missing_ok=True)
    for folder in sorted({(out / rel).parent for rel in previous}, reverse=True):
        if folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # a figures/ folder the old set emptied
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


_STAGES: set[Path] = set()
"""Staging folders of this process not yet published or removed."""


def remove_stages_on_sigterm() -> None:
    """Make SIGTERM remove this process's staging folders before it ends the process.

    The handler raises nothing into the interrupted code (an exception there could leave a
    lock of the drawing copy held): it removes the folders, restores the default action and
    sends the signal again, so the process still ends as killed by SIGTERM (status 143 in a
    shell).  A forked copy that inherited the handler removes nothing: the folders are its
    parent's, which may be stopping only the copy.  Call it from the main thread (the command
    line does).
    """
    import signal

    owner = os.getpid()

    def handler(signum: int, frame: object) -> None:
        if os.getpid() == owner:
            for stage in sorted(_STAGES):  # loop over this run's staging folders (one)
                shutil.rmtree(stage, ignore_errors=True)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def staged_output(out_dir: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """A staging folder beside ``out_dir``; published into it when the block ends without an
    error, removed otherwise.  The folder is checked (:func:`check_output_folder`) first, so a
    refused folder fails before any work."""
    out = Path(out_dir)
    check_output_folder(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    _STAGES.add(stage)
    try:
        yield stage
        publish(stage, out, force=force)
    except BaseException:  # the work or its publication failed: no staging folder is left
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        _STAGES.discard(stage)
