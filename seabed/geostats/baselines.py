"""Baseline estimators: inverse-distance weighting and nearest neighbour.

Same interface as :class:`seabed.geostats.kriging.Kriging` (``fit`` then ``predict``
returning a :class:`~seabed.geostats.kriging.KrigingResult`); the kriging-specific
fields (variance, slope of regression, kriging efficiency) are NaN. The nearest-neighbour
model is the usual declustered reference for global-bias checks of a kriged model.

Examples
--------
>>> import numpy as np
>>> xy = np.array([[0.0, 0.0], [2.0, 0.0]])
>>> idw = InverseDistance(power=1.0, neighbourhood=Neighbourhood(min_samples=1)).fit(xy, [0.0, 3.0])
>>> float(idw.predict(np.array([[0.5, 0.0]])).estimate[0])
0.75
"""

from __future__ import annotations

import numpy as np

from seabed.defaults import ESTIMATION_RADIUS_M
from seabed.errors import ConfigError, InputDataError
from seabed.geostats.kriging import KrigingResult
from seabed.geostats.neighbourhood import Neighbourhood, SampleSearch, group_variables

__all__ = ["InverseDistance", "NearestNeighbour"]


class InverseDistance:
    """Inverse-distance-weighted estimate.

    Parameters
    ----------
    power : float, default 2.0
        Exponent of the inverse distance (dimensionless, > 0).
    neighbourhood : Neighbourhood, optional
        Search (max neighbours, radius, ...); default ``Neighbourhood()`` (16 nearest,
        at least 3, within 60 km: the ``[estimation.neighbourhood]`` defaults).

    Notes
    -----
    :math:`z^*(x_0) = \\sum_i d_i^{-p} z_i / \\sum_i d_i^{-p}` over the neighbours; a target
    at a sample location (:math:`d = 0`) takes that sample's value (the mean of the
    coincident samples). Distances are Euclidean in metres (the search ellipse only selects).

    References
    ----------
    Shepard, D. (1968). A two-dimensional interpolation function for irregularly-spaced data.
    *Proc. 23rd ACM National Conference*, 517-524.
    """

    def __init__(self, *, power: float = 2.0, neighbourhood: Neighbourhood | None = None) -> None:
        self.power = power
        self.neighbourhood = neighbourhood if neighbourhood is not None else Neighbourhood()

    def fit(self, coords: np.ndarray, values: np.ndarray) -> InverseDistance:
        """Store the samples: ``coords`` (n, 2) in m, ``values`` (n,) or (n, p), NaN allowed."""
        if not self.power > 0:
            raise ConfigError(f"idw power: got {self.power}; expected > 0")
        coords = np.array(coords, dtype=float)
        values = np.array(values, dtype=float)
        self.squeeze_ = values.ndim == 1
        values2 = values[:, None] if self.squeeze_ else values
        if coords.ndim != 2 or coords.shape != (values2.shape[0], 2) or values2.ndim != 2:
            raise InputDataError(
                f"{type(self).__name__} fit: got coords {coords.shape} and values {values.shape}; "
                "expected (n, 2) and (n,) or (n, p)"
            )
        group, patterns = group_variables(values2)
        self.coords_ = coords
        self.values_ = values2
        self.n_variables_ = values2.shape[1]
        self.groups_ = [
            (np.flatnonzero(group == gi), present, SampleSearch(coords[present], self.neighbourhood))
            for gi, present in enumerate(patterns)
        ]
        return self

    def _weights(self, d: np.ndarray, valid: np.ndarray) -> np.ndarray:
        exact = valid & (d == 0)
        with np.errstate(divide="ignore"):
            w = np.where(valid, np.where(d > 0, d, 1.0) ** -float(self.power), 0.0)
        has_exact = exact.any(axis=1)
        w[has_exact] = exact[has_exact].astype(float)
        return w / w.sum(axis=1, keepdims=True)

    def predict(self, targets: np.ndarray, *, chunk_size: int = 16384) -> KrigingResult:
        """Estimate at ``targets`` (m, 2), metres; see :class:`KrigingResult` for the fields."""
        if not hasattr(self, "groups_"):
            raise ConfigError(f"{type(self).__name__} predict: not fitted; call fit() first")
        targets = np.asarray(targets, dtype=float)
        if targets.ndim != 2 or targets.shape[1] != 2:
            raise InputDataError(f"predict: got targets {targets.shape}; expected (m, 2)")
        m, p, ng = targets.shape[0], self.n_variables_, len(self.groups_)
        estimate = np.full((m, p), np.nan)
        diag = {
            "slope_of_regression": np.full((m, ng), np.nan),
            "kriging_efficiency": np.full((m, ng), np.nan),
            "n_samples": np.zeros((m, ng), dtype=np.int32),
            "nearest_distance": np.full((m, ng), np.nan),
            "negative_weight_sum": np.full((m, ng), np.nan),
            "reason": np.ones((m, ng), dtype=np.int8),
        }
        group_of_variable = np.empty(p, dtype=np.intp)
        for gi, (cols, present, search) in enumerate(self.groups_):
            group_of_variable[cols] = gi
            xy = np.vstack([self.coords_[present], np.zeros((1, 2))])
            z = np.vstack([self.values_[np.ix_(present, cols)], np.zeros((1, cols.size))])
            for s in range(0, m, chunk_size):
                t = targets[s : s + chunk_size]
                idx = search.query(t)
                valid = idx < search.n
                n_used = valid.sum(axis=1)
                ok = n_used >= self.neighbourhood.min_samples
                d = np.hypot(*(xy[idx] - t[:, None, :]).transpose(2, 0, 1))
                rows = np.arange(s, s + t.shape[0])
                diag["n_samples"][rows, gi] = n_used
                diag["reason"][rows, gi] = np.where(ok, 0, 1)
                if not ok.any():
                    continue
                w = self._weights(d[ok], valid[ok])
                est = np.einsum("mk,mkp->mp", w, z[idx[ok]])
                estimate[np.ix_(rows[ok], cols)] = est
                diag["nearest_distance"][rows[ok], gi] = np.where(valid[ok], d[ok], np.inf).min(axis=1)
                diag["negative_weight_sum"][rows[ok], gi] = 0.0
        variance = np.full_like(estimate, np.nan)
        with np.errstate(invalid="ignore"):
            n_negative = (estimate < 0).sum(axis=0)
        if self.squeeze_:
            estimate, variance = estimate[:, 0], variance[:, 0]
        return KrigingResult(
            estimate=estimate,
            variance=variance,
            group_of_variable=group_of_variable,
            group_diagnostics=diag,
            block_variance=np.full(p, np.nan),
            n_negative=n_negative,
            n_clipped=np.zeros(p, dtype=np.int64),
            squeeze=self.squeeze_,
        )


class NearestNeighbour(InverseDistance):
    """Nearest-neighbour (polygonal) estimate: the value of the closest sample.

    Parameters
    ----------
    radius : float, default 60,000 m
        Largest distance to the nearest sample, m (the ``[estimation.neighbourhood]`` radius
        of :mod:`seabed.defaults`); farther targets are not estimated (reason code 1);
        ``numpy.inf`` for no limit.
    """

    def __init__(self, *, radius: float = ESTIMATION_RADIUS_M) -> None:
        super().__init__(power=1.0, neighbourhood=Neighbourhood(max_samples=1, min_samples=1, radius=radius))
        self.radius = radius
