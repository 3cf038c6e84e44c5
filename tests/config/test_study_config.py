"""Study TOML validation: every error names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.api import load_study, parse_study
from eventstudy.exceptions import ConfigError

BASE = """
[study]
name = "demo"
seed = 7

[data]
start = 1980-01-01
[data.series]
rut = { splice = ["fred:RU2000PR", "yahoo:RUT"] }
spx = "yahoo:GSPC"

[signal]
type = "divergence"
variant = "full_sigma"
a = "rut"
b = "spx"

[[variants]]
name = "rolling"
signal = { sigma = "rolling" }

[events]
min_gap = 21

[evaluation]
horizons = { "12m" = 252, "6m" = 126 }
targets = [{ series = "rut" }, { series = "rut", relative_to = "spx", name = "spread" }]

[[claims]]
target = "rut"
horizon = "6m"
value = 0.07
tolerance = 0.01
"""


def test_valid_study_parses() -> None:
    cfg = parse_study(BASE, source="demo.toml")
    assert cfg.name == "demo" and cfg.seed == 7 and cfg.kind == "time_series"
    assert cfg.data.start == pd.Timestamp("1980-01-01")
    assert cfg.data.series[0].splice == ("fred:RU2000PR", "yahoo:RUT")
    assert [v.name for v in cfg.variants] == ["full_sigma", "rolling"]
    assert cfg.variants[1].signal["sigma"] == "rolling" and cfg.variants[1].signal["a"] == "rut"
    assert "variant" not in cfg.variants[0].signal
    assert cfg.evaluation is not None
    assert cfg.evaluation.horizons == (("6m", 126), ("12m", 252))  # sorted by length
    assert [t.name for t in cfg.evaluation.targets] == ["rut", "spread"]
    assert cfg.claims[0].value == 0.07
    assert len(cfg.sha256) == 64


@pytest.mark.parametrize(
    ("inference", "default"),
    [
        ("", "shift_t"),  # every test runs: the package default (docs/calibration.md)
        ('tests = ["naive_t", "hac", "placebo"]', "hac"),  # no shift: HAC when it runs
        ('tests = ["placebo", "sign"]', "placebo"),  # else the first test listed
        ('tests = ["hac", "shift"]\ndefault_test = "hac"', "hac"),  # as written
    ],
)
def test_default_test_when_unset(inference: str, default: str) -> None:
    cfg = parse_study(BASE.replace("[events]", f"[inference]\n{inference}\n[events]"))
    assert cfg.inference.default_test == default
    if not inference:
        assert cfg.inference.tests[:4] == ("naive_t", "hac", "shift", "shift_t")


def test_an_empty_test_list_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[inference\]: key 'tests': name at least one test"):
        parse_study(BASE.replace("[events]", "[inference]\ntests = []\n[events]"))


def test_config_is_frozen() -> None:
    cfg = parse_study(BASE)
    with pytest.raises(AttributeError):
        cfg.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.variants[0].signal["k"] = 4  # type: ignore[index]


def test_sha256_is_of_the_file(tmp_path: Path) -> None:
    import hashlib

    p = tmp_path / "s.toml"
    p.write_text(BASE)
    assert load_study(p).sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (
            ("[events]\nmin_gap = 21", "[events]\nmin_gapp = 21"),
            r"demo.toml: \[events\]: unknown key 'min_gapp'; valid keys are end, min_gap, mode, start",
        ),
        (("[study]", "[studyy]\n[study]"), r"top level: unknown key 'studyy'"),
        (("min_gap = 21", "min_gap = 0"), r"\[events\]: key 'min_gap': must be >= 1, got 0"),
        (("min_gap = 21", 'min_gap = "21"'), r"key 'min_gap': must be an integer"),
        (('name = "demo"\n', ""), r"\[study\]: missing required key 'name'"),
        (("start = 1980-01-01", 'start = "1980-13-01"'), r"\[data\]: key 'start': must be a date"),
        (
            ('{ series = "rut" }', '{ series = "russell" }'),
            r"targets #1: key 'series': 'russell' is not a series alias; aliases are \['rut', 'spx'\]",
        ),
        (
            ('horizon = "6m"', 'horizon = "7m"'),
            r"\[\[claims\]\] #1: key 'horizon': '7m' is not a horizon",
        ),
        (
            ('[[variants]]\nname = "rolling"', '[[variants]]\nname = "full_sigma"'),
            r"duplicate variant name 'full_sigma'",
        ),
        (
            ('spx = "yahoo:GSPC"', 'spx = { name = "yahoo:GSPC", splice = ["a", "b"] }'),
            r"\[data.series.spx\]: give exactly one of 'name', 'splice', 'breadth' or 'ratio'",
        ),
        (
            ("[events]", '[inference]\ndefault_test = "magic"\n[events]'),
            r"\[inference\]: key 'default_test': must be one of",
        ),
        (('"6m" = 126', '"6m" = -1'), r"'6m' must be a positive number of trading days"),
        (
            ("[events]", '[inference]\ntests = ["hac", "car_patell"]\n[events]'),
            r"\[inference\]: key 'tests': unknown test 'car_patell' \(a cross-section test: use "
            r"it in a cross-section study\); valid tests are \['naive_t', 'hac'",
        ),
        (
            ("[events]", '[inference]\ntests = ["hac", "magic"]\n[events]'),
            r"key 'tests': unknown test 'magic'; valid tests are",
        ),
    ],
)
def test_errors_name_file_and_key(edit: tuple[str, str], pattern: str) -> None:
    old, new = edit
    assert old in BASE
    with pytest.raises(ConfigError, match=pattern):
        parse_study(BASE.replace(old, new, 1), source="demo.toml")


def test_invalid_toml() -> None:
    with pytest.raises(ConfigError, match=r"demo.toml: not valid TOML"):
        parse_study("[study\nname=", source="demo.toml")


def test_cross_section_rejects_time_series_sections() -> None:
    text = BASE.replace('name = "demo"', 'name = "demo"\nkind = "cross_section"')
    with pytest.raises(ConfigError, match=r"\[signal\] does not apply to kind = 'cross_section'"):
        parse_study(text, source="demo.toml")


def test_missing_study_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read study file .*missing.toml"):
        load_study(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (
            ('b = "spx"\n', 'b = "spx"\nkk = 3.0\n'),
            r"demo.toml: \[signal\]: unknown parameter 'kk' for signal type 'divergence'",
        ),
        (
            ('type = "divergence"', 'type = "divergance"'),
            r"demo.toml: \[signal\]: unknown signal type 'divergance' \(key 'type'\)",
        ),
        (('b = "spx"\n', 'b = "spx"\nsigma = "ful"\n'), r"demo.toml: \[signal\]: sigma must be"),
        (('b = "spx"\n', 'b = "spx"\nn = -5\n'), r"demo.toml: \[signal\]: n must be >= 1"),
        (
            ('signal = { sigma = "rolling" }', 'signal = { sigma = "rollin" }'),
            r"demo.toml: \[\[variants\]\] #1 \(name = 'rolling'\) signal: sigma must be",
        ),
        (
            ('signal = { sigma = "rolling" }', 'signal = { type = "threshold", serie = "rut" }'),
            r"\[\[variants\]\] #1 \(name = 'rolling'\) signal: unknown parameter 'serie'",
        ),
    ],
)
def test_signal_errors_come_from_the_parse(edit: tuple[str, str], pattern: str) -> None:
    """Each variant's signal is built when the study is parsed, not after the data loads."""
    old, new = edit
    assert old in BASE
    with pytest.raises(ConfigError, match=pattern):
        parse_study(BASE.replace(old, new, 1), source="demo.toml")


def test_a_signal_reads_its_series_only_when_computed() -> None:
    """Building the signal checks its parameters only: the series it reads are looked up in
    the data when it is computed, so a study naming them parses."""
    text = BASE.replace('signal = { sigma = "rolling" }', 'signal = { a = "not_loaded_yet" }')
    cfg = parse_study(text, source="demo.toml")
    assert cfg.variants[1].signal["a"] == "not_loaded_yet"


def test_top_level_unknown_key_lists_each_section_once() -> None:
    with pytest.raises(ConfigError, match="unknown key 'factz'") as info:
        parse_study(BASE + "[factz]\n", source="demo.toml")
    assert str(info.value).count("facts") == 1


def test_a_study_fact_without_as_of_is_told_to_give_one() -> None:
    """A study has no [note] table: the hint names only what a study can do."""
    fact = '[[facts]]\nkind = "return"\nid = "ytd"\nseries = "rut"\nfrom = "year_start"\n'
    with pytest.raises(ConfigError, match=r"'ytd': no as_of date \(give the fact an as_of\)$"):
        parse_study(BASE + fact + "claimed = 0.1\n", source="demo.toml")


@pytest.mark.parametrize("cash", ["none", "None", "0", ""])
def test_backtest_cash_says_no_cash_is_zero(cash: str) -> None:
    table = f'[backtest]\nlong = "rut"\nhold = 126\ncash = "{cash}"\n'
    with pytest.raises(
        ConfigError, match=r"\[backtest\]: key 'cash': .*cash that earns nothing is "
    ):
        parse_study(BASE + table, source="demo.toml")
    ok = parse_study(BASE + table.replace(f'"{cash}"', '"zero"'), source="demo.toml")
    assert ok.backtest is not None and ok.backtest.cash == "zero"


def test_an_unknown_series_name_is_named_with_close_matches(tmp_path: Path) -> None:
    """Before any work: the study file, the alias (or [backtest] cash) and the names closest
    to the misspelled one, not the list of everything the data directory holds."""
    import eventstudy as es
    from eventstudy.conftest import write_example_data

    root = write_example_data(tmp_path / "data")
    study = tmp_path / "s.toml"
    text = BASE.replace('spx = "yahoo:GSPC"', 'spx = "test:MM"').replace(
        '["fred:RU2000PR", "yahoo:RUT"]', '["test:A", "test:M"]'
    )
    study.write_text(text)
    with pytest.raises(
        ConfigError,
        match=rf"{study}: \[data.series\] key 'spx': no data named 'test:MM' in .*did you mean "
        r"'test:M'",
    ):
        es.run_study(study, data_dir=root)
    study.write_text(text.replace('"test:A"', '"test:AA"'))
    with pytest.raises(ConfigError, match=r"\[data.series.rut\] key 'splice': no data named"):
        es.run_study(study, data_dir=root)
    cash = '[backtest]\nlong = "rut"\nhold = 21\ncash = "test:Mx"\n'
    study.write_text(text.replace('spx = "test:MM"', 'spx = "test:M"') + cash)
    with pytest.raises(ConfigError, match=r"\[backtest\] key 'cash': no data named 'test:Mx'"):
        es.run_study(study, data_dir=root)
