"""Shared type aliases."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np

Seed: TypeAlias = int | np.random.Generator | None
"""Anything :func:`numpy.random.default_rng` accepts as a seed."""

ReturnKind: TypeAlias = Literal["simple", "log"]
Direction: TypeAlias = Literal["above", "below", "both"]
SigmaMethod: TypeAlias = Literal["full", "expanding", "rolling"]
