"""Registry: names, replacement, interface checks, plugins from entry points."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from eventstudy import registry as registry_module
from eventstudy.exceptions import EventStudyWarning, PluginError
from eventstudy.registry import Registry


def only_ints(obj: object) -> None:
    if not isinstance(obj, int):
        raise TypeError(f"not an int: {obj!r}")


def test_register_get_and_names() -> None:
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers", check=only_ints)
    assert reg.register("one", 1) == 1
    reg.register("two", 2)
    assert reg["two"] == 2 == reg.get("two")
    assert reg.get("absent") is None
    assert reg.names() == ["one", "two"] == list(reg)
    assert "one" in reg and "three" not in reg and len(reg) == 2
    assert "names=['one', 'two']" in repr(reg)
    with pytest.raises(KeyError, match=r"unknown number 'three'; valid names: \['one', 'two'\]"):
        reg["three"]
    with pytest.raises(
        ValueError, match="number 'one' is already registered .1.; pass replace=True"
    ):
        reg.register("one", 11)
    reg.register("one", 1)  # the same object again is fine
    assert reg.register("one", 11, replace=True) == 11 and reg["one"] == 11
    with pytest.raises(TypeError, match="not an int"):
        reg.register("pi", 3.14)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="number name must be a non-empty string"):
        reg.register(" ", 5)
    reg.unregister("one")
    reg.unregister("one")
    assert reg.names() == ["two"]


@pytest.mark.usefixtures("entry_points_read")
def test_plugins_come_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        calls.append(group)
        return [
            metadata.EntryPoint(name="answer", value="tests.test_registry:ANSWER", group=group),
            metadata.EntryPoint(name="two", value="tests.test_registry:ANSWER", group=group),
        ]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers", check=only_ints)
    reg.register("two", 2)
    assert calls == []  # nothing is read at construction or registration
    assert reg["two"] == 2  # a registered name never reads plugins
    assert calls == []
    with pytest.warns(EventStudyWarning, match=r"plugin 'two' .* is left out"):
        assert reg["answer"] == ANSWER
    assert reg["two"] == 2  # an explicit registration wins over a plugin of the same name
    assert reg.names() == ["answer", "two"]
    assert calls == ["eventstudy.test-numbers"]  # read once


@pytest.mark.usefixtures("entry_points_read")
def test_a_broken_plugin_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [metadata.EntryPoint(name="bad", value="no_such_module_xyz:thing", group=group)]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers")
    with (
        pytest.warns(EventStudyWarning, match=r"cannot load number plugin 'bad' .*; left out"),
        pytest.raises(
            ImportError, match=r"cannot load number plugin 'bad' \(no_such_module_xyz:thing\)"
        ),
    ):
        reg["bad"]


@pytest.mark.usefixtures("entry_points_read")
def test_a_broken_plugin_breaks_only_what_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """One broken entry point is left out with a warning: the working plugins and the
    registered names still load, and an unknown name's error mentions the failure."""

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [
            metadata.EntryPoint(name="bad", value="no_such_module_xyz:thing", group=group),
            metadata.EntryPoint(name="answer", value=f"{__name__}:ANSWER", group=group),
        ]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers")
    reg.register("two", 2)
    with pytest.warns(EventStudyWarning, match="plugin 'bad'"):
        assert reg["answer"] == ANSWER  # loaded after the broken one
    assert reg.names() == ["answer", "two"] and "answer" in reg
    with pytest.raises(
        KeyError, match=r"unknown number 'x'.*plugins that failed to load: \['bad'\]"
    ):
        reg["x"]


def test_a_users_registration_meets_the_builtins_first() -> None:
    """Registering a test of one's own under a built-in name fails at once, naming the
    built-in, even before anything loaded the built-ins (it used to break their import
    later, with a traceback from inside the package)."""
    code = """
from dataclasses import dataclass
from eventstudy.registry import register_test

@dataclass(frozen=True)
class Mine:
    name: str = "hac"
    design: str = "timeseries"
    scope: str = "horizon"
    needs: frozenset = frozenset({"forward_returns"})
    null_hypothesis: str = "x"
    reference: str = "x"
    summary: str = "x"
    def run(self, x): ...

try:
    register_test(Mine())
except ValueError as exc:
    print(str(exc).split(" (")[0])
from eventstudy.registry import tests_markdown
print("hac" in tests_markdown())
"""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["test 'hac' is already registered", "True"]


ANSWER = 42


@pytest.mark.usefixtures("entry_points_read")
def test_a_plugin_under_a_taken_name_is_left_out_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry point whose name a built-in or an explicit registration holds is skipped, and
    says so (it was skipped silently: a study then ran the built-in)."""

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [metadata.EntryPoint(name="two", value="someone_else.plugins:TWO", group=group)]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers")
    reg.register("two", 2)
    with pytest.warns(
        EventStudyWarning,
        match=r"^number plugin 'two' \(someone_else\.plugins:TWO\) from entry-point group "
        r"'eventstudy\.test-numbers' is left out: the name is taken \(by builtins\.int\)$",
    ):
        assert reg.names() == ["two"]


def install_numbers(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    """An installed distribution ``dist`` (a ``.dist-info`` folder, as pip writes it) on
    ``site``, declaring ``entry_points`` in the group ``eventstudy.test-numbers``."""
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[eventstudy.test-numbers]\n{lines}")


@pytest.mark.parametrize(
    ("setting", "loaded"),
    [
        (None, ["answer", "other"]),
        ("none", []),
        ("NONE", []),
        ("", []),
        ("beta-numbers", ["other"]),
        (" Alpha_Numbers , beta.numbers ", ["answer", "other"]),  # spelled as pip compares
        ("gamma-numbers", []),
    ],
)
def test_eventstudy_plugins_chooses_the_distributions(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    loaded: list[str],
) -> None:
    """``EVENTSTUDY_PLUGINS`` limits the entry points read to those of the distributions it
    names (none for ``none`` or empty, all when unset); what is registered in Python stays."""
    install_numbers(tmp_path, "alpha-numbers", {"answer": f"{__name__}:ANSWER"})
    install_numbers(tmp_path, "beta-numbers", {"other": f"{__name__}:OTHER"})
    monkeypatch.syspath_prepend(str(tmp_path))
    if setting is None:
        monkeypatch.delenv("EVENTSTUDY_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("EVENTSTUDY_PLUGINS", setting)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers", check=only_ints)
    reg.register("two", 2)
    assert reg.names() == sorted([*loaded, "two"])
    if "answer" not in loaded:
        with pytest.raises(
            KeyError,
            match=r"unknown number 'answer'; valid names: .*\(an installed plugin of "
            r"distribution 'alpha-numbers' declares it, but EVENTSTUDY_PLUGINS='.*' leaves that "
            r"distribution out\)",
        ):
            reg["answer"]


def test_the_suite_reads_no_installed_plugin() -> None:
    """The test session runs with the built-ins only (``tests/conftest.py``), whatever is
    installed beside the package."""
    import os

    from eventstudy.crosssection import MODELS
    from eventstudy.signals import SIGNALS

    assert os.environ["EVENTSTUDY_PLUGINS"] == "none"
    for reg in (SIGNALS, MODELS, registry_module.TESTS):
        reg.names()
        assert reg._plugins_loaded and not reg._failed


OTHER = 7


@dataclass(frozen=True)
class Named:
    """A registrable object that names itself, as tests and models do."""

    name: str


MOMENTUM = Named("momentum")
SPIKE = Named("spike")


def named(obj: object) -> None:
    if not isinstance(getattr(obj, "name", None), str):
        raise TypeError(f"no name: {obj!r}")


@pytest.mark.usefixtures("entry_points_read")
def test_an_entry_point_named_otherwise_than_its_object_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``momo = pkg:MOMENTUM`` where the object names itself ``momentum``: a study would name
    it ``momo`` while its results print ``momentum``.  It is left out with a warning that says
    how to fix it (it was registered as ``momo``, silently); the other plugins load."""

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [
            metadata.EntryPoint(name="momo", value="tests.test_registry:MOMENTUM", group=group),
            metadata.EntryPoint(name="spike", value="tests.test_registry:SPIKE", group=group),
        ]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[Named] = Registry("part", "eventstudy.parts", check=named, name_attr="name")
    why = (
        r"part plugin 'momo' \(tests\.test_registry:MOMENTUM\) from entry-point group "
        r"'eventstudy\.parts' is refused: the entry point is named 'momo' but the part names "
        r"itself 'momentum' \(its 'name'\): a study would name it 'momo' while its results print "
        r"'momentum'\. Name the entry point 'momentum' in the plugin's pyproject\.toml "
        r'\(\[project\.entry-points\."eventstudy\.parts"\] momentum = '
        r'"tests\.test_registry:MOMENTUM"\) and reinstall the plugin'
    )
    with pytest.warns(EventStudyWarning, match=f"^{why}; left out$"):
        assert reg.names() == ["spike"]
    assert reg["spike"].name == "spike"
    with pytest.raises(PluginError, match=f"^{why}$"):
        reg["momo"]
    assert "momentum" not in reg and "momo" not in reg
    with pytest.raises(KeyError, match=r"plugins that failed to load: \['momo'\]"):
        reg["momentum"]


@pytest.mark.usefixtures("entry_points_read")
def test_a_plugin_that_fails_the_interface_check_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plugin whose object is not of the registry's kind is left out with a warning naming
    it; the plugins after it still load.  Its ``TypeError`` used to escape from the first
    lookup of any missing name, and the entry points after it were never read."""

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [
            metadata.EntryPoint(name="pi", value="tests.test_registry:PI", group=group),
            metadata.EntryPoint(name="answer", value="tests.test_registry:ANSWER", group=group),
        ]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers", check=only_ints)
    why = (
        r"number plugin 'pi' \(tests\.test_registry:PI\) from entry-point group "
        r"'eventstudy\.test-numbers' is refused: not an int: 3\.14"
    )
    with pytest.warns(EventStudyWarning, match=f"^{why}; left out$"):
        assert reg.names() == ["answer"]
    with pytest.raises(PluginError, match=f"^{why}$"):
        reg["pi"]


PI = 3.14


@pytest.mark.parametrize("name", ["one", "car_t", "ff3", "brown_warner_1985", "a1_b2"])
def test_a_name_of_the_naming_scheme_is_accepted(name: str) -> None:
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers", check=only_ints)
    assert reg.register(name, 1) == 1 and reg.names() == [name]


@pytest.mark.parametrize(
    ("name", "near"),
    [
        ("One", "one"),
        ("car-t", "car_t"),
        ("car t", "car_t"),
        ("car__t", "car_t"),
        ("car_", "car"),
        ("_car", "car"),
        ("3d", None),
        ("-", None),
    ],
)
def test_a_name_off_the_naming_scheme_is_refused(name: str, near: str | None) -> None:
    """Names are lower-case words of letters and digits joined by single underscores,
    starting with a letter (docs/extending.md): config files, reports and result.json columns
    print them, and a study must be able to spell them."""
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers", check=only_ints)
    with pytest.raises(ValueError) as info:
        reg.register(name, 1)
    assert str(info.value) == (
        f"number name {name!r} is not of the naming scheme: lower-case words of letters and "
        "digits joined by single underscores, starting with a letter, like 'car_t' "
        "(docs/extending.md)" + ("" if near is None else f"; {near!r} would do")
    )
    assert reg.names() == []


class Strange:
    """An object whose attributes break when read."""

    @property
    def name(self) -> str:
        raise RuntimeError("no name today")


STRANGE = Strange()


@pytest.mark.usefixtures("entry_points_read")
def test_a_plugin_whose_check_breaks_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a plugin's object makes the checks raise, it is left out with a warning
    naming it, and the plugins after it load."""

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [
            metadata.EntryPoint(name="strange", value="tests.test_registry:STRANGE", group=group),
            metadata.EntryPoint(name="spike", value="tests.test_registry:SPIKE", group=group),
        ]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[Named] = Registry("part", "eventstudy.parts", check=named, name_attr="name")
    why = (
        r"part plugin 'strange' \(tests\.test_registry:STRANGE\) from entry-point group "
        r"'eventstudy\.parts' is refused: RuntimeError: no name today"
    )
    with pytest.warns(EventStudyWarning, match=f"^{why}; left out$"):
        assert reg.names() == ["spike"]
    with pytest.raises(PluginError, match=f"^{why}$"):
        reg["strange"]


@pytest.mark.usefixtures("entry_points_read")
def test_why_a_plugin_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown name that an installed plugin declares says why it is missing: the study's
    error used to say only "unknown signal type 'momo'", the reason being in a warning before."""

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [metadata.EntryPoint(name="bad", value="no_such_module_xyz:thing", group=group)]

    monkeypatch.setattr(registry_module.metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("number", "eventstudy.test-numbers")
    reg.register("two", 2)
    assert reg.why_missing("two") == "" == reg.why_missing(5)
    with pytest.warns(EventStudyWarning, match="plugin 'bad'"):
        why = reg.why_missing("bad")
    assert why.startswith(" (an installed plugin declares it but was left out: cannot load ")
    assert reg.why_missing("absent") == ""


def test_a_study_names_why_its_plugin_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventstudy.crosssection.models import MODELS, get_model
    from eventstudy.exceptions import ConfigError
    from eventstudy.signals import SIGNALS, make_signal

    reason = "cannot load signal plugin 'momo' (momo_pkg:Momo): ImportError: no momo_pkg"
    SIGNALS.names()  # the plugins are read before the reason is planted
    monkeypatch.setitem(SIGNALS._failed, "momo", (ImportError, reason))
    with pytest.raises(
        ConfigError,
        match=r"unknown signal type 'momo' \(key 'type'\) \(an installed plugin declares it but was left out: cannot load signal plugin 'momo'",
    ):
        make_signal({"type": "momo"})
    MODELS.names()
    monkeypatch.setitem(MODELS._failed, "mine", (ImportError, "cannot load model plugin 'mine'"))
    with pytest.raises(ValueError, match=r"got 'mine' \(an installed plugin declares it"):
        get_model("mine")
