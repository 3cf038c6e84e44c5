"""The output folder is managed: reruns never mix two runs' files, unknown files are refused
unless --force, run.json is the completion marker written last, and a study name cannot
write outside the output root."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import eventstudy.report.files as files
from eventstudy.cli import main
from eventstudy.exceptions import ConfigError, OutputFolderError
from eventstudy.report.files import MARKER, check_output_folder, publish, staged_output

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "studies" / "russell_sp_divergence.toml"


def complete_or_unmarked(out: Path) -> str:
    """The invariant: no marker, or a marker whose every listed output is there, unchanged,
    and nothing else of a run's beside it. Returns which of the two it is."""
    marker = out / MARKER
    if not marker.exists():
        return "unmarked"
    listed = json.loads(marker.read_text())["outputs"]
    for rel, digest in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    ours = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MARKER}
    assert ours == set(listed)
    return "complete"


def _stage(tmp_path: Path, names: dict[str, str], marker: bool = True) -> Path:
    stage = tmp_path / "stage"
    (stage / "figures").mkdir(parents=True)
    for rel, text in names.items():
        (stage / rel).write_text(text)
    if marker:
        outputs = {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in names.items()}
        (stage / MARKER).write_text(json.dumps({"outputs": outputs}))
    return stage


def test_publish_replaces_the_previous_set_and_leaves_no_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(_stage(tmp_path, {"result.json": "1", "events.csv": "e", "figures/a.png": "p"}), out)
    assert complete_or_unmarked(out) == "complete"
    publish(_stage(tmp_path, {"result.json": "2", "sweep.csv": "s"}), out)
    assert complete_or_unmarked(out) == "complete"
    assert not (out / "events.csv").exists() and not (out / "figures" / "a.png").exists()
    assert (out / "result.json").read_text() == "2"


@pytest.mark.parametrize("fail_at", range(1, 5))
def test_an_interrupted_publish_leaves_the_old_set_or_no_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """Interrupt the publication at each of its four file moves (figures/f.png, report.md,
    result.json, then run.json; a KeyboardInterrupt from the n-th os.replace): the marker
    went first, so the folder never holds a marked, incomplete or mixed set."""
    out = tmp_path / "out"
    publish(_stage(tmp_path, {"result.json": "old", "events.csv": "old"}), out)
    calls = {"n": 0}
    real = os.replace

    def flaky(a: object, b: object) -> None:
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise KeyboardInterrupt
        real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "replace", flaky)
    new = _stage(tmp_path, {"result.json": "new", "report.md": "r", "figures/f.png": "p"})
    with pytest.raises(KeyboardInterrupt):
        publish(new, out)
    assert complete_or_unmarked(out) == "unmarked"  # the marker went first


def test_unknown_files_are_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "figures").mkdir()
    with pytest.raises(OutputFolderError, match=r"holds files a run did not write \(notes.txt\)"):
        check_output_folder(out)
    (out / "figures" / "sketch.txt").write_text("mine too")
    with (
        pytest.raises(OutputFolderError, match=r"figures/sketch.txt, notes.txt"),
        staged_output(out),
    ):
        pytest.fail("the block must not run")
    assert not list(tmp_path.glob(".out.*.partial"))
    publish(_stage(tmp_path, {"result.json": "1"}), out, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "figures" / "sketch.txt").exists()


def test_a_run_owns_only_the_files_its_run_json_lists(tmp_path: Path) -> None:
    """A user's report.md in a folder without run.json, a user's figures/mine.png, or a figure
    added after a run: none is a run's own, so each is refused without --force; with it, they
    are left alone, and a user's file the new set would overwrite is refused even then."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("my notes")
    with pytest.raises(OutputFolderError, match=r"holds files a run did not write \(report.md\)"):
        check_output_folder(out)
    with pytest.raises(
        OutputFolderError, match="holds report.md, which no run wrote and this run would overwrite"
    ):
        publish(_stage(tmp_path, {"result.json": "1", "report.md": "r"}), out, force=True)
    assert (out / "report.md").read_text() == "my notes"
    shutil.rmtree(tmp_path / "stage")  # (staged_output removes a stage its publication refused)
    (out / "report.md").unlink()
    (out / "figures").mkdir()
    (out / "figures" / "mine.png").write_text("user's")
    with pytest.raises(OutputFolderError, match=r"\(figures/mine.png\)"):
        check_output_folder(out)
    publish(_stage(tmp_path, {"result.json": "1", "figures/a.png": "p"}), out, force=True)
    assert (out / "figures" / "mine.png").read_text() == "user's"
    assert (out / "figures" / "a.png").exists()
    assert set(json.loads((out / MARKER).read_text())["outputs"]) == {
        "result.json",
        "figures/a.png",
    }
    # added after the run: not listed by its run.json
    (out / "figures" / "extra.png").write_text("added")
    with pytest.raises(OutputFolderError, match=r"figures/extra.png, figures/mine.png"):
        check_output_folder(out)
    publish(_stage(tmp_path, {"result.json": "2"}), out, force=True)
    assert (out / "figures" / "extra.png").exists() and (out / "figures" / "mine.png").exists()
    assert not (out / "figures" / "a.png").exists()  # the previous run's own figure went


def test_a_failing_run_removes_its_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_output(out) as stage:
        (stage / "result.json").write_text("half")
        raise RuntimeError("boom")
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".hidden", "a\\\\b"])
def test_study_names_cannot_leave_the_output_root(name: str) -> None:
    from eventstudy import parse_study

    with pytest.raises(ConfigError, match="key 'name': must be letters, digits"):
        parse_study(f'[study]\nname = "{name}"\n[data.series]\na = "yahoo:RUT"\n')


@pytest.mark.integration
def test_cli_rerun_cleans_and_refuses(snapshot_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    args = ["run", str(FLAGSHIP), "--out", str(out), "--data-dir", str(snapshot_dir), "--quiet"]
    assert main([*args, "--no-figures"]) == 0
    assert complete_or_unmarked(out) == "complete"
    (out / "mine.txt").write_text("x")
    assert main([*args, "--no-figures"]) == 2
    assert "holds files a run did not write (mine.txt)" in capsys.readouterr().err
    assert main([*args, "--no-figures", "--force"]) == 0
    assert (out / "mine.txt").exists()


@pytest.mark.integration
@pytest.mark.slow
def test_killed_runs_leave_the_old_set_or_no_marker(snapshot_dir: Path, tmp_path: Path) -> None:
    """SIGKILL `eventstudy run` (with figures) at several moments; after each, the folder
    holds the previous complete set or no marker."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "eventstudy.cli", "run", str(FLAGSHIP), "--out", str(out)]
    env = {**os.environ, "EVENTSTUDY_DATA": str(snapshot_dir), "PYTHONWARNINGS": "ignore"}
    subprocess.run([*cmd, "--quiet"], check=True, env=env)
    assert complete_or_unmarked(out) == "complete"
    seen = set()
    for delay in (0.5, 1.5, 2.5, 3.5, 4.5, 6.0):
        proc = subprocess.Popen([*cmd, "--quiet"], env=env)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.add(complete_or_unmarked(out))
    assert "complete" in seen


def _processes_running(argument: str) -> list[int]:
    """Processes whose command line holds ``argument`` (a run's forked copies share its)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):  # loop over processes
        try:
            if argument.encode() in (proc / "cmdline").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:  # it ended meanwhile
            continue
    return found


_TERM_SCRIPT = """
import multiprocessing, sys, time
from pathlib import Path
from eventstudy.report.files import remove_stages_on_sigterm, staged_output

remove_stages_on_sigterm()
with staged_output(Path(sys.argv[1])) as stage:
    (stage / "result.json").write_text("half")
    copy = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    copy.start()  # a forked copy inherits the handler
    print(stage, copy.pid, flush=True)
    time.sleep(60)
"""


def test_sigterm_removes_the_staging_folder_but_not_from_a_forked_copy(tmp_path: Path) -> None:
    """SIGTERM to a forked copy (as the drawing copy is stopped) leaves its parent's staging
    folder; SIGTERM to the run removes it, and the run still ends as killed by SIGTERM."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _TERM_SCRIPT, str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    stage_text, copy_pid = proc.stdout.readline().split()
    stage = Path(stage_text)
    assert (stage / "result.json").exists()
    os.kill(int(copy_pid), signal.SIGTERM)
    time.sleep(0.5)
    assert stage.exists()  # the copy's handler removed nothing
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM
    assert not stage.exists()
    assert not (tmp_path / "out").exists()


def test_the_cli_restores_the_callers_sigterm_handler(tmp_path: Path) -> None:
    def mine(signum: int, frame: object) -> None:  # pragma: no cover - never called
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        assert main(["run", str(tmp_path / "missing.toml"), "--quiet"]) == 2
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, before)


@pytest.mark.integration
@pytest.mark.slow
def test_terminated_runs_leave_no_staging_folder(snapshot_dir: Path, tmp_path: Path) -> None:
    """SIGTERM `eventstudy run` (with figures, so with its drawing copy) at several moments:
    it ends promptly as killed by SIGTERM (or has finished), no staging folder is left, and the
    folder holds the previous complete set or no marker."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "eventstudy.cli", "run", str(FLAGSHIP), "--out", str(out)]
    env = {**os.environ, "EVENTSTUDY_DATA": str(snapshot_dir), "PYTHONWARNINGS": "ignore"}
    codes = set()
    log = tmp_path / "stderr.txt"
    for delay in (0.8, 1.6, 2.4, 3.2):
        with log.open("a") as err:
            proc = subprocess.Popen([*cmd, "--quiet", "--force"], env=env, stderr=err)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        codes.add(proc.wait(timeout=60))
        assert not list(tmp_path.glob(".run.*")), delay
        complete_or_unmarked(out)
        time.sleep(0.5)  # the copies die with the run (PR_SET_PDEATHSIG): none draws on
        assert not _processes_running(str(out)), delay
    assert codes <= {0, -signal.SIGTERM}
    assert -signal.SIGTERM in codes
    time.sleep(1.0)
    assert "Traceback" not in log.read_text()  # no copy failed drawing into a removed folder
