"""Empirical normal-score transform: data values to N(0, 1) scores and back.

The Gaussian conditional simulation (:mod:`seabed.geostats.simulation`) works on normal scores:
each element × layer column of composites gets its own transform, fitted once.

References
----------
Deutsch, C. V. & Journel, A. G. (1998). *GSLIB*, 2nd ed., §V.1.6 (normal-score transform).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from seabed.errors import InputDataError

__all__ = ["NormalScoreTransform"]


@dataclass(frozen=True)
class NormalScoreTransform:
    """Empirical normal-score transform of one variable.

    Attributes
    ----------
    values : ndarray
        Distinct data values, ascending (units of the variable, e.g. ppm).
    scores : ndarray
        Their normal scores Φ⁻¹(p), p the mid-point cumulative probability.
    lower, upper : float
        Values assigned to the scores −5 and +5 (tails interpolated linearly between).

    Notes
    -----
    With weights w_i of the sorted data, p_k = (Σ_{i<k} w_i + w_k/2) / Σ w. Tails: the
    back-transform is linear from the extreme data to ``lower`` = max(0, z₁ − (z₂ − z₁))
    and ``upper`` = z_n + (z_n − z_{n−1}) at scores ∓5.
    """

    values: np.ndarray
    scores: np.ndarray
    lower: float
    upper: float

    @classmethod
    def fit(cls, data: np.ndarray, weights: np.ndarray | None = None) -> NormalScoreTransform:
        """Fit on the finite values of ``data`` (optionally declustering ``weights``)."""
        data = np.asarray(data, dtype=float)
        ok = np.isfinite(data)
        z = data[ok]
        if z.size < 2:
            raise InputDataError(
                f"normal-score transform: got {z.size} finite value(s); expected at least 2 "
                "composites per element and layer to simulate"
            )
        w = np.ones_like(z) if weights is None else np.asarray(weights, dtype=float)[ok]
        uniq, inverse = np.unique(z, return_inverse=True)
        wu = np.bincount(inverse, weights=w)
        cum = np.cumsum(wu)
        p = (cum - wu / 2) / cum[-1]
        scores = ndtri(p)
        low = max(0.0, uniq[0] - (uniq[1] - uniq[0])) if uniq.size > 1 else uniq[0]
        high = uniq[-1] + (uniq[-1] - uniq[-2]) if uniq.size > 1 else uniq[-1]
        return cls(uniq, scores, float(min(low, uniq[0])), float(high))

    def transform(self, z: np.ndarray) -> np.ndarray:
        """Normal scores of values (NaN stays NaN)."""
        xs, ys = self.table()
        z = np.asarray(z, dtype=float)
        out = np.interp(z, xs, ys)
        return np.where(np.isfinite(z), out, np.nan)

    def back_transform(self, y: np.ndarray) -> np.ndarray:
        """Values of normal scores (clipped to ``[lower, upper]``)."""
        xs, ys = self.table()
        return np.interp(y, ys, xs).astype(np.result_type(y, np.float32))

    def table(self) -> tuple[np.ndarray, np.ndarray]:
        """The piecewise-linear table of the transform: values (with ``lower`` and ``upper``) and
        their scores (with ∓5, or beyond the extreme data's scores), both ascending."""
        xs = np.concatenate([[self.lower], self.values, [self.upper]])
        ys = np.concatenate([[min(-5.0, self.scores[0] - 1e-6)], self.scores, [max(5.0, self.scores[-1] + 1e-6)]])
        return xs, ys
