"""Shared type aliases."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np

Seed: TypeAlias = int | np.random.Generator | None
"""Anything :func:`numpy.random.default_rng` accepts as a seed."""

ReturnKind: TypeAlias = Literal["simple", "log"]
ChangeKind: TypeAlias = Literal["simple", "log", "change"]
"""How a target moves from t to t+h: simple or log return of a price, or the change of a level."""
Direction: TypeAlias = Literal["above", "below", "both"]
SigmaMethod: TypeAlias = Literal["full", "expanding", "rolling"]
