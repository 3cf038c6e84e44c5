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
