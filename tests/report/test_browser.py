"""The HTML report in a real headless browser (Debian chromium): loads cleanly, images decode.

Marked slow; CI installs chromium (.ci/run). Without chromium the test skips locally and fails
under CI (CI=true), so a missing install step cannot pass silently.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.api import parse_study, run_study, write_outputs
from eventstudy.data import DataStore
from tests._support import on_ci

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::eventstudy.exceptions.IncompleteHorizonWarning"),
]

# Test harness injected at the top of <head>: records JS errors, resource load errors and
# console.error calls, then after load reports every image's decode state into the DOM.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'unknown'));
}, true);
var __ce = console.error;
console.error = function () { window.__errors.push('console: ' + Array.from(arguments).join(' ')); __ce.apply(console, arguments); };
window.addEventListener('load', function () {
  // after 'load' every image has loaded or failed: naturalWidth > 0 means it decoded
  var imgs = Array.from(document.images);
  var decoded = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = 'PROBE images=' + imgs.length + ' decoded=' + decoded + ' errors=' + JSON.stringify(window.__errors);
  document.body.appendChild(out);
});
</script>"""

STUDY = """
[study]
name = "browser"
title = "Browser check"
seed = 1
[data.series]
a = "test:A"
[signal]
type = "move"
series = "a"
n = 5
mode = "above"
level = 0.04
[evaluation]
horizons = { "1m" = 21 }
targets = [{ series = "a" }]
[inference]
draws = 200
bootstrap_reps = 100
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if on_ci():
        pytest.fail("chromium is not installed on CI: .ci/run must install Debian's chromium")
    pytest.skip("chromium not installed")


def test_html_report_loads_without_errors_and_images_decode(tmp_path: Path) -> None:
    browser = _chromium()
    folder = tmp_path / "data" / "series" / "test"
    folder.mkdir(parents=True)
    dates = pd.bdate_range("2001-01-02", periods=800)
    prices = 50 * np.exp(np.cumsum(np.random.default_rng(2).normal(0, 0.015, dates.size)))
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": prices}).to_csv(
        folder / "A.csv", index=False
    )
    store = DataStore(tmp_path / "data")
    result = run_study(parse_study(STUDY), store=store)
    paths = write_outputs(result, tmp_path / "out", store=store)
    html = paths["html"].read_text()
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("<head>", "<head>" + PROBE, 1))
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probed.as_uri(),
    ]
    match = None
    for _attempt in range(2):  # one retry: a browser start can stall on a loaded machine
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        match = re.search(r"PROBE images=(\d+) decoded=(\d+) errors=(\[.*?\])", proc.stdout)
        if match:
            break
    assert match, (
        f"probe did not report; stdout: {proc.stdout[-500:]} stderr: {proc.stderr[-1500:]}"
    )
    images, decoded, errors = int(match[1]), int(match[2]), match[3]
    assert images == 5 and decoded == images  # series, signal, path, recent, distribution
    assert errors == "[]"
