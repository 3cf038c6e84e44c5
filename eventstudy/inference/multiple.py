"""Multiple-testing adjustment of p-values across horizons / targets / tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from eventstudy._validation import check_choice
from eventstudy.inference._numerics import fdr_bh

__all__ = ["adjust_pvalues"]

AdjustMethod = Literal["holm", "fdr_bh"]


def _holm(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Holm's step-down adjustment, as statsmodels ``multipletests(method="holm")`` computes it.

    Written out because statsmodels' Holm branch calls ``gc.collect()`` on every call (about
    0.1 s each with pandas loaded); the tests check the two agree.
    """
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


@overload
def adjust_pvalues(
    pvalues: Mapping[str, float], *, method: AdjustMethod = ...
) -> dict[str, float]: ...
@overload
def adjust_pvalues(
    pvalues: Sequence[float] | npt.NDArray[np.float64], *, method: AdjustMethod = ...
) -> npt.NDArray[np.float64]: ...
def adjust_pvalues(
    pvalues: Mapping[str, float] | Sequence[float] | npt.NDArray[np.float64],
    *,
    method: AdjustMethod = "holm",
) -> dict[str, float] | npt.NDArray[np.float64]:
    """Adjust a family of p-values as statsmodels ``multipletests`` does, NaN-aware.

    Computed in numpy (statsmodels' import is kept off the CLI path; its Holm branch also
    calls ``gc.collect()``); the tests check both methods against ``multipletests``.

    Parameters
    ----------
    pvalues
        A mapping name -> p-value or a 1-D sequence/array.  NaN marks a test that was not
        applicable: it stays NaN and is excluded from the family (it does not count in m).
    method
        ``"holm"`` (Holm 1979, family-wise error rate) or ``"fdr_bh"`` (Benjamini &
        Hochberg 1995, false discovery rate).

    Returns
    -------
    dict or numpy.ndarray
        Adjusted p-values in the input's shape and order.

    Raises
    ------
    ValueError
        If a p-value lies outside [0, 1].

    References
    ----------
    Holm, S. (1979), Scandinavian Journal of Statistics 6(2), 65-70; Benjamini, Y. &
    Hochberg, Y. (1995), JRSS B 57(1), 289-300.

    Examples
    --------
    Holm multiplies the sorted p-values by 3, 2, 1 and keeps them non-decreasing
    (0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> 0.06); BH multiplies by m / rank and
    keeps them non-increasing from the top (0.04 x 3/3 = 0.04; 0.03 x 3/2 = 0.045 -> 0.04;
    0.01 x 3 = 0.03).  A NaN (test not applicable) stays NaN and does not count in m:

    >>> holm = adjust_pvalues({"a": 0.01, "b": 0.04, "c": 0.03})
    >>> {name: round(p, 12) for name, p in holm.items()}
    {'a': 0.03, 'b': 0.06, 'c': 0.06}
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="fdr_bh").round(12).tolist()
    [0.03, 0.04, 0.04]
    >>> adjust_pvalues([0.01, float("nan"), 0.04]).round(12).tolist()
    [0.02, nan, 0.04]
    """
    check_choice("method", method, ("holm", "fdr_bh"))
    keys: list[str] | None = None
    if isinstance(pvalues, Mapping):
        keys = list(pvalues)
        arr = np.array([float(pvalues[k]) for k in keys], dtype=float)
    else:
        arr = np.asarray(pvalues, dtype=float)
        if arr.ndim != 1:
            raise ValueError(f"pvalues must be one-dimensional, got shape {arr.shape}")
    ok = ~np.isnan(arr)  # NaN = not applicable; +-inf is out of range and raises
    if np.any((arr[ok] < 0) | (arr[ok] > 1)):
        raise ValueError("pvalues must lie in [0, 1] (NaN for not-applicable tests)")
    out = np.full(arr.shape, np.nan)
    if ok.any():
        out[ok] = _holm(arr[ok]) if method == "holm" else fdr_bh(arr[ok])
    if keys is not None:
        return {k: float(v) for k, v in zip(keys, out, strict=True)}
    return out
