"""docs/architecture.md states the layers that the import-linter contract enforces."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_architecture_page_lists_the_enforced_layers() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    page = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"## Layers.*?```text\n(.*?)```", page, flags=re.DOTALL)
    assert block is not None
    assert block.group(1).strip().splitlines() == layers


def test_every_package_module_is_in_a_layer() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {name.strip() for line in layers for name in line.split("|")}
    top = {
        f"eventstudy.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "eventstudy").iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "conftest"))
        or (p.is_dir() and (p / "__init__.py").is_file())
    }
    assert top - named == set()
