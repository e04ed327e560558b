"""Cell declustering: weights that undo the preferential (clustered) siting of cores.

Each sample gets weight :math:`w_i \\propto 1 / n_{c(i)}`, :math:`n_c` the number of samples in
its cell of a square grid, averaged over several origins of the grid; the cell size is the
one minimising (or maximising) the declustered mean among a range of sizes — the procedure of
GSLIB's DECLUS (Deutsch & Journel 1998, §VI.2.2; Journel 1983). Cores drilled densely where
grades are high make the naive mean too high; the minimum declustered mean undoes that.

Examples
--------
>>> import numpy as np
>>> xy = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [100.0, 100.0]])
>>> d = cell_declustering(xy, np.array([10.0, 10.0, 10.0, 1.0]), cell_sizes=[50.0], n_offsets=1)
>>> d.weights.round(3).tolist()
[0.667, 0.667, 0.667, 2.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seabed.errors import ConfigError, InputDataError

__all__ = ["Declustering", "cell_declustering", "declustered_mean"]


@dataclass(frozen=True)
class Declustering:
    """Result of :func:`cell_declustering`.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        Declustering weight of each sample, mean 1 (sum ``n``).
    cell_size : float
        Chosen cell size, m (0 when no declustering: every weight 1).
    cell_sizes : ndarray
        Cell sizes tried, m.
    means : ndarray
        Declustered mean of the search variable at each size (its units).
    naive_mean : float
        Unweighted mean of the search variable.
    """

    weights: np.ndarray
    cell_size: float
    cell_sizes: np.ndarray
    means: np.ndarray
    naive_mean: float

    @property
    def mean(self) -> float:
        """Declustered mean of the search variable at the chosen size (the naive mean without declustering)."""
        if self.cell_size == 0 or not self.cell_sizes.size:
            return self.naive_mean
        return float(self.means[np.argmin(np.abs(self.cell_sizes - self.cell_size))])


def _cell_weights(coords: np.ndarray, size: float, n_offsets: int) -> np.ndarray:
    lo = coords.min(axis=0)
    w = np.zeros(coords.shape[0])
    for k in range(n_offsets):
        shift = lo - size * k / n_offsets
        cell = np.floor((coords - shift) / size).astype(np.int64)
        _, inverse, counts = np.unique(cell, axis=0, return_inverse=True, return_counts=True)
        inverse = np.asarray(inverse).ravel()
        w += 1.0 / counts[inverse]
    return w / w.sum() * coords.shape[0]


def cell_declustering(
    coords: np.ndarray,
    values: np.ndarray,
    *,
    cell_sizes: Sequence[float] | None = None,
    n_offsets: int = 5,
    minimise: bool = True,
) -> Declustering:
    """Cell-declustering weights, the cell size chosen by the minimum (or maximum) declustered mean.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values : ndarray, shape (n,)
        The variable whose declustered mean is searched (e.g. each core's total REY, ppm);
        NaN samples get weight but do not enter the means.
    cell_sizes : sequence of float, optional
        Sizes to try, m; default 24 sizes from the median nearest-sample distance to half the
        larger extent of the samples, geometric.
    n_offsets : int, default 5
        Grid origins averaged per size (shifted diagonally by ``size / n_offsets``).
    minimise : bool, default True
        Choose the size of the minimum declustered mean (clustering in high values, the usual
        case for surveys that drill where grades are high); ``False``: the maximum.

    Returns
    -------
    Declustering
        With every weight 1 and ``cell_size`` 0 when the naive mean is already the extreme
        (no size changes the mean in the searched direction) or there are fewer than 3 samples.

    References
    ----------
    Deutsch, C. V. & Journel, A. G. (1998). *GSLIB*, 2nd ed., Oxford University Press, §VI.2.2
    (DECLUS). Journel, A. G. (1983). Nonparametric estimation of spatial distributions.
    *Mathematical Geology* 15, 445-468.
    """
    coords = np.asarray(coords, dtype=float)
    values = np.asarray(values, dtype=float)
    n = coords.shape[0]
    if coords.ndim != 2 or coords.shape[1] != 2 or values.shape != (n,):
        raise InputDataError(f"declustering: got coords {coords.shape} and values {values.shape}; expected (n, 2) "
                             "and (n,)")
    if n_offsets < 1:
        raise ConfigError(f"declustering n_offsets: got {n_offsets}; expected >= 1")
    ok = np.isfinite(values)
    naive = float(values[ok].mean()) if ok.any() else float("nan")
    if n < 3 or ok.sum() < 3:
        return Declustering(np.ones(n), 0.0, np.zeros(0), np.zeros(0), naive)
    if cell_sizes is None:
        from scipy.spatial import cKDTree

        d, _ = cKDTree(coords).query(coords, k=2)
        small = float(np.median(d[:, 1]))
        large = 0.5 * float(np.max(coords.max(axis=0) - coords.min(axis=0)))
        small = small if small > 0 else large / 100
        cell_sizes = np.geomspace(small, max(large, small * 1.01), 24) if large > 0 else [1.0]
    sizes = np.asarray(cell_sizes, dtype=float)
    if sizes.ndim != 1 or sizes.size == 0 or np.any(~(sizes > 0)):
        raise ConfigError(f"declustering cell_sizes: got {sizes.tolist()}; expected sizes > 0 m")
    weights = [_cell_weights(coords, s, n_offsets) for s in sizes]
    means = np.array([float(np.sum(w[ok] * values[ok]) / np.sum(w[ok])) for w in weights])
    best = int(np.argmin(means) if minimise else np.argmax(means))
    better = means[best] < naive if minimise else means[best] > naive
    if not better:
        return Declustering(np.ones(n), 0.0, sizes, means, naive)
    return Declustering(weights[best], float(sizes[best]), sizes, means, naive)


def declustered_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of each column over its finite values, shape ``(p,)`` (NaN for an empty column).

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, p)
        Values; NaN where missing.
    weights : ndarray, shape (n,)
        Declustering weights.
    """
    v = np.asarray(values, dtype=float)
    v2 = v[:, None] if v.ndim == 1 else v
    w = np.asarray(weights, dtype=float)[:, None] * np.isfinite(v2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.nansum(np.where(np.isfinite(v2), v2, 0.0) * w, axis=0) / w.sum(axis=0)
    out = np.where(w.sum(axis=0) > 0, out, np.nan)
    return out[0] if v.ndim == 1 else out
