"""The frozen result object shared by every statistical test in eventstudy."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from eventstudy._frozen import hashable, pvalue, readonly_mapping

__all__ = ["TestResult"]


@dataclass(frozen=True, slots=True)
class TestResult:
    """Outcome of one hypothesis test.

    A test that cannot run (too few events, too few episodes, ...) is returned
    by :meth:`not_applicable`: ``applicable`` is ``False``, ``statistic`` and
    ``p_value`` are NaN and ``reason`` says why.  Never a silent NaN.

    Parameters
    ----------
    name
        Short machine name, e.g. ``"hac"``, ``"patell"``.
    statistic
        Value of the test statistic.
    p_value
        Two-sided p-value unless ``method`` says otherwise.
    null_hypothesis
        The null hypothesis in words.
    method
        How the statistic and its p-value were obtained.
    reference
        Literature reference, e.g. ``"Newey, W. K. & West, K. D. (1987), Econometrica 55(3)"``.
    distribution
        Reference distribution of the statistic under the null, e.g. ``"t(233.1)"``.
    applicable
        ``False`` when the test could not be run.
    reason
        Why the test is not applicable (empty when it is).
    details
        Extra numbers the test produces (lags, confidence bounds, draws, ...), stored as a
        read-only mapping (:class:`types.MappingProxyType`).

    A result is immutable and hashable: equality is field equality, and the hash covers
    name, statistic, p-value, applicability, reason, distribution and the details (every NaN
    hashes alike), so results can be set members and dictionary keys.
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: float
    p_value: float
    null_hypothesis: str
    method: str
    reference: str
    distribution: str = ""
    applicable: bool = True
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", readonly_mapping(self.details))

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                hashable(self.statistic),
                hashable(self.p_value),
                self.applicable,
                self.reason,
                self.distribution,
                hashable(self.details),
            )
        )

    @classmethod
    def not_applicable(
        cls,
        name: str,
        reason: str,
        *,
        null_hypothesis: str,
        method: str,
        reference: str,
        distribution: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> TestResult:
        """Build the labelled result of a test that could not be run."""
        return cls(
            name=name,
            statistic=math.nan,
            p_value=math.nan,
            null_hypothesis=null_hypothesis,
            method=method,
            reference=reference,
            distribution=distribution,
            applicable=False,
            reason=reason,
            details=details or {},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN becomes ``None``)."""

        def clean(x: Any) -> Any:
            if isinstance(x, float) and not math.isfinite(x):
                return None
            return x

        out: dict[str, Any] = {
            "statistic": clean(float(self.statistic)),
            "p_value": clean(float(self.p_value)),
            "distribution": self.distribution,  # the reference: t(G - 1), N(0,1), t(nu), ...
        }
        out.update({k: clean(v) for k, v in self.details.items()})
        out["applicable"] = self.applicable
        if not self.applicable:
            out["reason"] = self.reason
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy one-row DataFrame: one row = this test (``name``, ``statistic``, ``p_value``,
        ``applicable``, ``reason`` (non-empty when not applicable), ``method``,
        ``distribution``, ``null_hypothesis``, ``reference``, then one column per detail)."""
        row = {
            "name": self.name,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "applicable": self.applicable,
            "reason": self.reason,
            "method": self.method,
            "distribution": self.distribution,
            "null_hypothesis": self.null_hypothesis,
            "reference": self.reference,
        }
        row.update(dict(self.details))
        return pd.DataFrame([row])

    def summary(self) -> str:
        """Human-readable text summary."""
        if not self.applicable:
            return f"{self.name}: not applicable ({self.reason})"
        dist = f" ~ {self.distribution}" if self.distribution else ""
        return (
            f"{self.name}: statistic = {self.statistic:.4f}{dist}, p = {self.p_value:.4g}\n"
            f"  H0: {self.null_hypothesis}\n  method: {self.method}\n  ref: {self.reference}"
        )

    def _repr_html_(self) -> str:
        """Notebook view: the verdict line (statistic, p-value or why not applicable) and H0."""
        import html

        if not self.applicable:
            head = f"<b>{html.escape(self.name)}</b>: not applicable ({html.escape(self.reason)})"
        else:
            dist = f" ~ {html.escape(self.distribution)}" if self.distribution else ""
            head = (
                f"<b>{html.escape(self.name)}</b>: statistic {self.statistic:.4g}{dist}, "
                f"p = {pvalue(self.p_value)}"
            )
        return (
            f"<p>{head}</p><p>H0: {html.escape(self.null_hypothesis)}<br>"
            f"method: {html.escape(self.method)}<br>ref: {html.escape(self.reference)}</p>"
        )
