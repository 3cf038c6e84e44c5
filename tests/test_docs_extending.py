"""The examples of docs/extending.md run as written, under the registries' checks: each
module block (``# my_signals.py``) is written as a module, the other Python blocks run in
order, and every entry point the page declares names its object by the object's own name."""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "extending.md"
MODULE = re.compile(r"^# (\w+)\.py\n")


def blocks(language: str) -> list[str]:
    text = DOC.read_text()
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_the_examples_run_and_their_entry_points_name_their_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventstudy.crosssection import MODELS
    from eventstudy.registry import TESTS
    from eventstudy.signals import SIGNALS

    monkeypatch.syspath_prepend(str(tmp_path))
    scripts = []
    for block in blocks("python"):
        module = MODULE.match(block)
        if module:
            (tmp_path / f"{module.group(1)}.py").write_text(block)
        else:
            scripts.append(block)
    assert {p.stem for p in tmp_path.glob("*.py")} == {"my_signals", "my_models"}
    # the test's block is the module its entry point names (my_tests:SIGN_FLIP)
    (tests_block,) = [b for b in scripts if "SIGN_FLIP = register_test" in b]
    scripts.remove(tests_block)
    (tmp_path / "my_tests.py").write_text(tests_block)
    registries = {"eventstudy.signals": SIGNALS, "eventstudy.models": MODELS}
    try:
        namespace: dict[str, object] = {}
        for i, block in enumerate(scripts):
            exec(compile(block, f"docs/extending.md python block {i + 1}", "exec"), namespace)
        importlib.import_module("my_tests")  # registers SIGN_FLIP
        assert SIGNALS["spike"].kind == "spike"
        assert MODELS["raw_return"].name == "raw_return"
        assert TESTS["sign_flip"].name == "sign_flip"
        declared = 0
        for block in blocks("toml"):
            table = tomllib.loads(block).get("project", {}).get("entry-points", {})
            for group, entry_points in table.items():
                for name, value in entry_points.items():
                    module, _, attr = value.partition(":")
                    obj = getattr(importlib.import_module(module), attr)
                    own = obj.kind if group == "eventstudy.signals" else obj.name
                    assert own == name, (group, name, value)
                    if group in registries:
                        assert registries[group][name] is obj
                    declared += 1
        assert declared == 3
    finally:
        SIGNALS.unregister("spike")
        MODELS.unregister("raw_return")
        TESTS.unregister("sign_flip")
        for module in ("my_signals", "my_models", "my_tests"):
            sys.modules.pop(module, None)
