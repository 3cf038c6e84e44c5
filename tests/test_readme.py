"""The README's Python snippets run, in order, on the real snapshot (from the repository root)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.integration


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_readme_has_python_snippets() -> None:
    blocks = python_blocks((ROOT / "README.md").read_text())
    assert len(blocks) >= 3
    assert any("run_study" in b for b in blocks)
    assert any("run_cross_section" in b for b in blocks)


# a reader sees the warnings (e.g. stocks dropped for a short estimation window); not errors here
@pytest.mark.filterwarnings("default::eventstudy.exceptions.EventStudyWarning")
def test_readme_snippets_run(snapshot_dir: Path, monkeypatch, capsys) -> None:
    import eventstudy as es

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("EVENTSTUDY_DATA", str(snapshot_dir))
    namespace: dict[str, object] = {}
    for i, block in enumerate(python_blocks((ROOT / "README.md").read_text())):
        exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
    assert isinstance(namespace["result"], es.StudyResult)
    assert isinstance(namespace["cs"], es.CrossSectionResult)
    assert "Verdicts" in capsys.readouterr().out
    import matplotlib.pyplot as plt

    plt.close("all")
