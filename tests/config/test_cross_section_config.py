"""``[cross_section]`` is validated when the study is parsed, naming the file and key."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.api import parse_study
from eventstudy.crosssection.spec import CrossSectionSpec, CrossSectionStudyConfig
from eventstudy.exceptions import ConfigError

STUDY = """
[study]
name = "cs"
kind = "cross_section"
[data.series]
mkt = "test:MKT"
[cross_section]
panel = "panel:p"
market = "mkt"
event_date = 2016-11-09
model = "market_model"
estimation = [-250, -11]
event_window = [-5, 5]
car_windows = [[0, 0], [-1, 1]]
"""


def parse(text: str) -> CrossSectionSpec:
    config = parse_study(text, source="cs.toml")
    assert isinstance(config, CrossSectionStudyConfig)
    return config.cross_section


def test_typed_and_frozen() -> None:
    cs = parse(STUDY)
    assert cs.event_date == pd.Timestamp("2016-11-09")
    assert (cs.estimation, cs.event_window, cs.car_windows) == (
        (-250, -11),
        (-5, 5),
        ((0, 0), (-1, 1)),
    )
    assert (cs.tickers, cs.model, cs.convention, cs.return_kind, cs.level) == (
        "all",
        "market_model",
        "textbook",
        "simple",
        0.95,
    )
    with pytest.raises(AttributeError):
        cs.model = "ff3"  # type: ignore[misc]


def test_tests_are_checked_against_the_registry() -> None:
    cs = parse(STUDY + 'tests = ["car_t", "ar_patell"]\n')
    assert cs.tests == ("car_t", "ar_patell")
    assert parse(STUDY).tests is None  # every registered test
    with pytest.raises(
        ConfigError, match=r"key 'tests': unknown test 'hac' \(a time-series test\)"
    ):
        parse(STUDY + 'tests = ["car_t", "hac"]\n')
    with pytest.raises(ConfigError, match=r"key 'tests': unknown test 'car_t_test'; valid"):
        parse(STUDY + 'tests = ["car_t_test"]\n')
    with pytest.raises(ConfigError, match=r"key 'tests': must name at least one test"):
        parse(STUDY + "tests = []\n")


def test_ticker_list_is_accepted() -> None:
    """Regression: every tickers list was rejected once TOML lists were frozen to tuples."""
    cs = parse(
        STUDY.replace('model = "market_model"', 'model = "market_model"\ntickers = ["MSFT", "XOM"]')
    )
    assert cs.tickers == ("MSFT", "XOM")


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (
            ('model = "market_model"', 'model = "capm2"'),
            r"cs.toml: \[cross_section\]: key 'model': must be one of \['carhart4', 'ff3', 'ff5', "
            r"'market_adjusted', 'market_model', 'mean_adjusted'\], got 'capm2'",
        ),
        (
            ("estimation = [-250, -11]", "estimation = [-11, -250]"),
            r"key 'estimation': first day -11 is after last day -250",
        ),
        (
            ("event_window = [-5, 5]", "event_window = [5, -5]"),
            r"key 'event_window': first day 5 is after last day -5",
        ),
        (
            ("estimation = [-250, -11]", "estimation = [-250, -5]"),
            r"key 'estimation': window \[-250, -5\] must end before the event window \[-5, 5\] starts",
        ),
        (
            ("car_windows = [[0, 0], [-1, 1]]", "car_windows = [[0, 6]]"),
            r"key 'car_windows': window \[0, 6\] is not inside the event window \[-5, 5\]",
        ),
        (
            ("car_windows = [[0, 0], [-1, 1]]", "car_windows = [[1, 0]]"),
            r"key 'car_windows': first day 1 is after last day 0",
        ),
        (
            ("car_windows = [[0, 0], [-1, 1]]", "car_windows = [[0, 1.5]]"),
            r"key 'car_windows': must be two integers",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\ntickers = []'),
            r"key 'tickers': must be a non-empty list of ticker strings",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\ntickers = ["A", 3]'),
            r"key 'tickers': must be a non-empty list",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\ntickers = ["A", "B", "A"]'),
            r"key 'tickers': lists \['A'\] more than once",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\ntickers = "some"'),
            r"key 'tickers': must be \"all\" or a list",
        ),
        (
            ("event_date = 2016-11-09", 'events_file = "ev.csv"\ntickers = ["A"]'),
            r"key 'tickers': applies to event_date only",
        ),
        (
            ("event_date = 2016-11-09", ""),
            r"give exactly one of 'events_file', 'event_date' or 'event_signal'$",
        ),
        (
            ("event_date = 2016-11-09", 'event_date = 2016-11-09\nevents_file = "ev.csv"'),
            r"exactly one of .* \(got events_file, event_date\)",
        ),
        (
            ('market = "mkt"', 'market = "spx"'),
            r"key 'market': 'spx' is not a \[data.series\] alias \(\['mkt'\]\)",
        ),
        (
            ('model = "market_model"', 'model = "carhart4"'),
            r"key 'factors': model 'carhart4' needs factor tables",
        ),
        (
            ('model = "market_model"', 'model = "ff3"\nfactors = [1]'),
            r"key 'factors': must be a table name or a list",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\nlevel = 1.0'),
            r"key 'level': must lie strictly between 0 and 1",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\nconvention = "R"'),
            r"key 'convention': must be one of \['textbook', 'estudy2'\]",
        ),
        (
            ('model = "market_model"', 'model = "market_model"\nmin_estimation = 1'),
            r"key 'min_estimation': must be >= 2",
        ),
        (('model = "market_model"', 'model = "market_model"\nbogus = 1'), r"unknown key 'bogus'"),
    ],
)
def test_rejected_at_parse_time(edit: tuple[str, str], pattern: str) -> None:
    assert edit[0] in STUDY
    with pytest.raises(ConfigError, match=pattern):
        parse_study(STUDY.replace(*edit), source="cs.toml")


def test_factor_table_names() -> None:
    one = parse(
        STUDY.replace(
            'model = "market_model"', 'model = "ff3"\nfactors = "fama_french:ff3_factors_daily"'
        )
    )
    assert one.factors == ("fama_french:ff3_factors_daily",)
    two = parse(STUDY.replace('model = "market_model"', 'model = "carhart4"\nfactors = ["a", "b"]'))
    assert two.factors == ("a", "b")
