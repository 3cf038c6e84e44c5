"""Claims and facts in one verdict table, intervals of the event means, and a report whose
first screen holds the answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import eventstudy as es
from eventstudy.evaluation import evaluate
from eventstudy.exceptions import ConfigError
from eventstudy.report.timeseries import build_report, result_record
from eventstudy.timeseries.results import mean_interval


def test_mean_interval_against_statsmodels_and_scipy() -> None:
    """mean +- t_{0.975}(G - 1) x se(mean), se(mean) from statsmodels' OLS HAC (uniform kernel,
    h - 1 lags, small-sample correction) of the event mean, the first coefficient of the design
    [d, 1 - d], and the quantile from scipy.stats.t (not the excess's se, which the event and
    comparison means' shared dates make smaller)."""
    rng = np.random.default_rng(2)
    h, t = 21, 3000
    y = np.convolve(rng.normal(0.0, 0.01, t + h - 1), np.ones(h), "valid")
    ev = np.arange(40, 2900, 180)
    fwd = pd.DataFrame({"1m": y}, index=pd.bdate_range("2001-01-01", periods=t))
    hs = evaluate(fwd, ev, horizons={"1m": h}, tests=["hac"]).horizons["1m"]
    d = np.zeros(t)
    d[ev] = 1.0
    fit = sm.OLS(y, np.column_stack([d, 1 - d])).fit(
        cov_type="HAC", cov_kwds={"maxlags": h - 1, "kernel": "uniform", "use_correction": True}
    )
    assert fit.params[0] == pytest.approx(hs.mean, rel=1e-12)
    half = stats.t.ppf(0.975, hs.n_episodes - 1) * fit.bse[0]
    lo, hi = mean_interval(hs)
    assert (lo, hi) == pytest.approx((hs.mean - half, hs.mean + half), rel=1e-9)
    no_hac = evaluate(fwd, ev, horizons={"1m": h}, tests=["naive_t"]).horizons["1m"]
    assert all(np.isnan(mean_interval(no_hac)))


STUDY = """
[study]
name = "facts_and_claims"
seed = 3
[data.series]
rut = {{ splice = ["fred:RU2000PR", "yahoo:RUT"] }}
spx = "yahoo:GSPC"
[signal]
type = "divergence"
a = "rut"
b = "spx"
n = 5
return_kind = "simple"
k = 3.0
direction = "above"
sigma = "full"
sigma_start = 1980-01-01
[events]
min_gap = 21
start = 1980-01-01
[evaluation]
horizons = {{ "6m" = 126 }}
targets = [{{ name = "rut", series = "rut" }}]
[inference]
tests = ["hac"]
[[claims]]
target = "rut"
horizon = "6m"
value = 0.07
source = "a note"
[[facts]]
id = "aug"
kind = "calendar_rank"
text = "best August since 2000"
series = "rut"
month = "2025-08"
since = 2000
as_of = 2025-08-29
claimed = 0.07
[[facts]]
kind = "return"
series = "{missing}"
from = "year_start"
as_of = 2025-08-29
claimed = 0.1
"""


@pytest.mark.integration
def test_claims_and_facts_in_one_table_and_the_first_screen(snapshot_dir: Path) -> None:
    text = STUDY.format(missing="gone").replace(
        'spx = "yahoo:GSPC"', 'spx = "yahoo:GSPC"\ngone = "fred:NOT_THERE"'
    )
    with pytest.raises(Exception, match="NOT_THERE"):  # a study still needs all its series
        es.run_study(es.parse_study(text), data_dir=snapshot_dir)
    result = es.run_study(es.parse_study(STUDY.format(missing="spx")), data_dir=snapshot_dir)
    table = result.verdict_table()
    assert list(table.columns) == [
        "claim",
        "claimed",
        "computed",
        "verdict",
        "differs from baseline",
    ]
    claim, aug, ytd = table.to_dict("records")
    assert ytd["claimed"] == "+10.00% ± 0.50 pp"  # spx year to date, with its tolerance
    c = result.claims[0]
    assert c.look_ahead  # full-sample sigma
    assert claim["computed"].endswith("(look-ahead)")
    assert f"[{c.ci_low:+.1%}, {c.ci_high:+.1%}]" in claim["computed"]
    assert claim["differs from baseline"].startswith(("yes (hac p=", "no (hac p="))
    assert aug["claim"] == "best August since 2000" and aug["verdict"] == "reproduced"
    assert aug["differs from baseline"] == ""
    assert result.facts is not None and len(result.facts.facts) == 2
    assert "checkable facts reproduced" in result.headline()
    assert "look-ahead" in result.headline()
    record = result_record(result)
    assert record["claims"][0]["look_ahead"] is True
    assert record["facts"][0]["id"] == "aug"
    assert record["data_end"] == f"{result.data_end():%Y-%m-%d}"
    blocks = build_report(result, figures={"path_x": (Path("figures/p.png"), "the path")})
    kinds = [b.kind for b in blocks]
    # first screen: title, data line, bottom line, verdict table, the default test's size on
    # this data, the figure; then the rest
    assert kinds[:6] == ["h1", "p", "p", "table", "p", "figure"]
    assert "Data to **" in blocks[1].content
    assert blocks[2].content.startswith("**Bottom line.**")
    assert blocks[4].content.startswith("**How often would the test be fooled on this data?**")


@pytest.mark.integration
def test_labels_subperiods_and_recent_events(snapshot_dir: Path) -> None:
    """Readable names from [data.series] label; sub-periods by decade and by dates, each
    equal to evaluate() on that sample; the last events' realized paths from the prices."""
    text = (
        STUDY.format(missing="spx")
        .replace(
            'rut = { splice = ["fred:RU2000PR", "yahoo:RUT"] }',
            'rut = { splice = ["fred:RU2000PR", "yahoo:RUT"], label = "Russell 2000" }',
        )
        .replace('spx = "yahoo:GSPC"', 'spx = { name = "yahoo:GSPC", label = "S&P 500" }')
        .replace(
            'targets = [{ name = "rut", series = "rut" }]',
            'targets = [{ name = "rut", series = "rut" }, '
            '{ name = "gap", series = "rut", relative_to = "spx" }]\nsplit = "decade"',
        )
    )
    result = es.run_study(es.parse_study(text), data_dir=snapshot_dir)
    assert result.label("rut") == "Russell 2000"
    assert result.label("gap") == "Russell 2000 minus S&P 500"
    assert result.verdict_table()["claim"][0].startswith("Russell 2000 mean over 6m")
    sub = result.subperiods
    assert sub is not None
    # the decades of the study's sample ([events] start = 1980-01-01), none before it
    assert list(sub["period"].unique()) == ["1980s", "1990s", "2000s", "2010s", "2020s"]
    v = result.variants[0]
    fwd = v.forward["rut"]
    dates = pd.DatetimeIndex(fwd.index)
    pos = np.asarray(v.events.positions)
    in_90s = pos[(dates[pos] >= "1990-01-01") & (dates[pos] <= "1999-12-31")]
    direct = evaluate(
        fwd, in_90s, horizons={"6m": 126}, sample=("1990-01-01", "1999-12-31"), tests=["hac"]
    ).horizons["6m"]
    row = sub[(sub.target == "rut") & (sub.period == "1990s")].iloc[0]
    assert row["n"] == direct.n == in_90s.size
    assert row["mean"] == pytest.approx(direct.mean, rel=1e-12)
    assert row["baseline_mean"] == pytest.approx(direct.baseline_mean, rel=1e-12)
    # the decades partition the sample: their events add up to the study's
    rut_6m = sub[(sub.target == "rut") & (sub.horizon == "6m") & (sub.variant == v.name)]
    assert rut_6m["n"].sum() == v.evaluations["rut"].horizons["6m"].n
    recent = result.recent_events(2)
    assert len(recent) == 2 * 2  # two events x two targets
    prices = result.data.aligned.frame
    last_pos = int(pos[-1])
    r = recent[(recent.target == "rut")].iloc[-1]
    assert r["date"] == prices.index[last_pos]
    assert r["days"] == len(prices) - 1 - last_pos
    assert r["realized"] == pytest.approx(prices["rut"].iloc[-1] / prices["rut"].iloc[last_pos] - 1)
    g = recent[(recent.target == "gap")].iloc[-1]
    ret = prices.iloc[-1] / prices.iloc[last_pos] - 1  # the gap: the difference of the returns
    assert g["realized"] == pytest.approx(ret["rut"] - ret["spx"], rel=1e-12)
    at = min(int(r["days"]), 126)
    path = v.paths["rut"]
    assert r["average"] == pytest.approx(path.mean[list(path.offsets).index(at)])


def test_split_by_dates_and_bad_split() -> None:
    from eventstudy.timeseries.study import _periods

    dates = pd.bdate_range("1999-06-01", "2004-03-31")
    got = _periods((pd.Timestamp("2001-01-01"), pd.Timestamp("2010-01-01")), dates)
    assert [(a, f"{b:%Y-%m-%d}", f"{c:%Y-%m-%d}") for a, b, c in got] == [
        ("1999-06-01 to 2000-12-31", "1999-06-01", "2000-12-31"),
        ("2001-01-01 to 2004-03-31", "2001-01-01", "2004-03-31"),
    ]
    decades = _periods("decade", dates)
    assert [a for a, _, _ in decades] == ["1990s", "2000s"]
    with pytest.raises(ConfigError, match="key 'split': must be \"decade\""):
        es.parse_study(
            '[study]\nname = "x"\n[data.series]\na = "yahoo:RUT"\n[signal]\ntype = "threshold"\n'
            'series = "a"\nlevel = 1.0\n[evaluation]\ntargets = [{ series = "a" }]\nsplit = "year"\n'
        )


FACT = """
[[facts]]
id = "spx_2016"
kind = "return"
text = "The S&P 500 rose 9.5% in 2016"
series = "spx"
from = 2015-12-31
to = 2016-12-30
as_of = 2016-12-30
claimed = 0.095
"""


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.DroppedEventsWarning")
@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_facts_in_a_cross_section_study_and_a_sweep(snapshot_dir: Path) -> None:
    """[[facts]] work in any study: a cross-section study and a sweep check them too, and
    their reports and result.json carry the table."""
    from eventstudy.report.cross_section import build_cross_section_report, cross_section_record
    from eventstudy.report.sweep import build_sweep_report, sweep_record

    root = Path(__file__).resolve().parents[1] / "studies"
    cs_text = (root / "election_2016_cross_section.toml").read_text() + FACT
    cs = es.run_study(es.parse_study(cs_text), data_dir=snapshot_dir)
    spx = pd.read_csv(snapshot_dir / "series/yahoo/GSPC.csv", index_col="date")["close"]
    expected = spx["2016-12-30"] / spx["2015-12-31"] - 1
    assert cs.facts is not None
    (fact,) = cs.facts.facts
    assert fact.computed == pytest.approx(expected, rel=1e-12)
    assert fact.verdict == "reproduced"
    assert cross_section_record(cs)["facts"][0]["id"] == "spx_2016"
    assert any(b.kind == "h2" and b.content == "Facts" for b in build_cross_section_report(cs))
    sweep_text = (
        STUDY.format(missing="spx")
        + ('[sweep]\ngrid = { "signal.k" = [2.5, 3.0] }\n')
        + FACT.replace('id = "spx_2016"', 'id = "spx_2016_again"')
    )
    sw = es.run_study(es.parse_study(sweep_text), data_dir=snapshot_dir)
    assert sw.facts is not None and len(sw.facts.facts) == 3
    assert sweep_record(sw)["facts"][-1]["computed"] == pytest.approx(expected, rel=1e-12)
    assert any(b.kind == "h2" and b.content == "Facts" for b in build_sweep_report(sw))


@pytest.mark.integration
def test_the_headline_says_how_many_rejections_survive_the_correction(snapshot_dir: Path) -> None:
    """The treasury study tests 24 cells (2 variants x 2 targets x 6 horizons): the headline
    counts the default test's rejections and then those that survive Holm (1979) across the
    24, as statsmodels' multipletests computes it from the same p-values."""
    from statsmodels.stats.multitest import multipletests

    root = Path(__file__).resolve().parents[1]
    result = es.run_study(root / "studies" / "treasury_10y_50bp.toml", data_dir=snapshot_dir)
    test, alpha = result.config.inference.default_test, result.config.inference.alpha
    cells = [
        (v.name, ev.target, h, hs.tests[test].p_value)
        for v in result.variants
        for ev in v.evaluations.values()
        for h, hs in ev.horizons.items()
    ]
    p = np.array([c[3] for c in cells])
    holm = multipletests(p, method="holm")[1]
    raw, kept = int((p < alpha).sum()), int((holm < alpha).sum())
    assert 0 < kept < raw  # the case the headline must not blur
    headline = result.headline()
    assert f"{raw} of {len(cells)} event means differ from the baseline at 5% ({test})" in headline
    verb = "survives" if kept == 1 else "survive"
    assert f"; {kept} {verb} Holm's correction for the {len(cells)} tests: " in headline
