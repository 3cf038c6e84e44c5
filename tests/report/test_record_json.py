"""result.json text: Rows tables written column by column give json.dumps' exact text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from eventstudy.report.record import Rows, _clean, to_json


def _reference(record: dict) -> str:
    """What to_json wrote before Rows: json.dumps of the cleaned records, indent 2."""

    def expand(x: object) -> object:
        if isinstance(x, Rows):
            return _clean(x.frame.to_dict("records"))
        if isinstance(x, dict):
            return {k: expand(v) for k, v in x.items()}
        if isinstance(x, list):
            return [expand(v) for v in x]
        return x

    return json.dumps(expand(record), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 7
    return pd.DataFrame(
        {
            "name": [f'spec "{i}" \u00e9\n\\' for i in range(n)],
            "x": rng.normal(size=n) * 10.0 ** rng.integers(-20, 20, n),
            "gaps": [1.0, np.nan, np.inf, -np.inf, -0.0, 1e-5, 123456789.123],
            "n": np.arange(n, dtype=np.int64) * 10**12,
            "ok": [True, False] * 3 + [True],
            "mixed": [
                None,
                "a",
                np.float64(2.5),
                np.int64(3),
                pd.Timestamp("2020-01-02"),
                1,
                np.nan,
            ],
            "day": pd.date_range("2001-02-03", periods=n),
        }
    )


def test_rows_write_the_text_json_dumps_writes() -> None:
    frame = _frame()
    record = {
        "study": {"name": "x", "seed": 1},
        "specifications": Rows(frame),
        "nested": [{"inner": Rows(frame[["x", "n"]])}, Rows(frame.iloc[:0])],
        "empty": Rows(pd.DataFrame(index=range(2))),
        "after": [1.5, None],
    }
    text = to_json(record)
    assert text == _reference(record)
    assert json.loads(text)["specifications"][1]["gaps"] is None


def test_rows_fall_back_when_a_cell_is_not_a_scalar() -> None:
    """A list in a cell, duplicate column names, or the placeholder's own text in the data:
    the table goes through json.dumps and the text is still the same."""
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [[1, 2], "x"]})
    record = {"rows": Rows(frame), "z": 1}
    assert Rows(frame).render(2) is None
    assert to_json(record) == _reference(record)
    twice = pd.DataFrame([[1.0, 2.0]], columns=["a", "a"])
    assert Rows(twice).render(0) is None
    for clash in (
        {"note": "@@eventstudy-rows-0@@", "rows": Rows(pd.DataFrame({"a": [1.0]}))},
        {"rows": Rows(pd.DataFrame({"a": [1.0]})), "note": "@@eventstudy-rows-0@@"},
    ):
        assert to_json(clash) == _reference(clash)
        loaded = json.loads(to_json(clash))
        assert loaded["note"] == "@@eventstudy-rows-0@@" and loaded["rows"] == [{"a": 1.0}]


def test_rows_are_a_sequence_of_clean_records() -> None:
    frame = _frame()
    rows = Rows(frame)
    assert len(rows) == 7
    assert rows[1]["gaps"] is None and rows[0]["day"] == "2001-02-03"
    assert rows == _clean(frame.to_dict("records"))
    assert rows == Rows(frame)
    assert list(rows)[-1]["n"] == 6 * 10**12
