"""The result of :meth:`seabed.geostats.kriging.Kriging.predict` (also returned by the baselines)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["DIAGNOSTICS", "KrigingResult", "OutputSink", "empty_chunk_outputs", "write_to_sink"]

#: Per-target diagnostics of a chunk, besides the estimate and the variance.
DIAGNOSTICS = (
    "slope_of_regression",
    "kriging_efficiency",
    "n_samples",
    "nearest_distance",
    "negative_weight_sum",
    "reason",
)


@dataclass(frozen=True)
class KrigingResult:
    """Estimates and diagnostics at ``m`` targets for ``p`` variables.

    Arrays are ``(m, p)``, or ``(m,)`` when the fitted values were one-dimensional.

    Attributes
    ----------
    estimate : ndarray
        Estimate, units of the variable; NaN where not estimated.
    variance : ndarray
        Kriging (estimation) variance, squared units of the variable.
    group_of_variable : ndarray of int, shape (p,)
        Sample-set group of each variable (variables with the same missing-value
        pattern, and the same variogram, form one group and share weights).
    group_diagnostics : dict of str to ndarray, shape (m, n_groups)
        Per-group diagnostics (see the properties).
    block_variance : ndarray, shape (p,)
        Variance of the target support: the block variance :math:`\\bar C(V, V)` for block
        kriging, the total sill for point kriging, squared units of the variable.
    n_negative : ndarray of int, shape (p,)
        Number of negative estimates, counted before any clipping.
    n_clipped : ndarray of int, shape (p,)
        Number of estimates set to 0 by ``negative_estimates="clip"``.
    """

    estimate: np.ndarray
    variance: np.ndarray
    group_of_variable: np.ndarray
    group_diagnostics: dict[str, np.ndarray]
    block_variance: np.ndarray
    n_negative: np.ndarray
    n_clipped: np.ndarray
    squeeze: bool = field(default=False, repr=False)

    def _expand(self, name: str) -> np.ndarray:
        g = self.group_diagnostics[name]
        p = self.group_of_variable.size
        if self.squeeze:
            return g[:, self.group_of_variable[0]]
        if g.shape[1] == 1:
            return np.broadcast_to(g, (g.shape[0], p))  # read-only view, no copy
        return g[:, self.group_of_variable]

    def diagnostic(self, name: str, variable: int = 0) -> np.ndarray:
        """One diagnostic for one variable, shape ``(m,)``, without expanding the others."""
        return self.group_diagnostics[name][:, self.group_of_variable[variable]]

    @property
    def slope_of_regression(self) -> np.ndarray:
        """Slope of the regression of the true value on the estimate (dimensionless)."""
        return self._expand("slope_of_regression")

    @property
    def kriging_efficiency(self) -> np.ndarray:
        """Kriging efficiency :math:`(BV - KV)/BV` (dimensionless)."""
        return self._expand("kriging_efficiency")

    @property
    def n_samples(self) -> np.ndarray:
        """Number of samples used (int)."""
        return self._expand("n_samples")

    @property
    def nearest_distance(self) -> np.ndarray:
        """Distance from the target (block centre) to the nearest sample used, m."""
        return self._expand("nearest_distance")

    @property
    def negative_weight_sum(self) -> np.ndarray:
        """Sum of the negative kriging weights (<= 0, dimensionless)."""
        return self._expand("negative_weight_sum")

    @property
    def reason(self) -> np.ndarray:
        """0 estimated, 1 too few samples in the neighbourhood (estimate NaN)."""
        return self._expand("reason")


def empty_chunk_outputs(m: int, p: int) -> dict[str, np.ndarray]:
    """The arrays a kriging chunk fills for ``m`` targets and ``p`` variables, before any solve.

    Estimates (ppm or the data's unit), variance and diagnostics NaN, ``n_samples`` 0 and ``reason``
    1 (not estimated) until a target is solved; the numpy and the compiled paths start from these.
    """
    return {
        "estimate": np.full((m, p), np.nan),
        "variance": np.full(m, np.nan),
        "slope_of_regression": np.full(m, np.nan),
        "kriging_efficiency": np.full(m, np.nan),
        "n_samples": np.zeros(m, dtype=np.int32),
        "nearest_distance": np.full(m, np.nan),
        "negative_weight_sum": np.full(m, np.nan),
        "reason": np.ones(m, dtype=np.int8),
    }


@dataclass
class OutputSink:
    """Where :func:`krige_chunk` writes a chunk's results: the whole prediction's arrays.

    Attributes
    ----------
    rows : ndarray of int, shape (m,)
        Output row of each target of the chunk.
    estimate, variance : ndarray, shape (M, p)
        Outputs of all ``M`` targets and ``p`` variables (float32 or float64); the chunk writes
        rows ``rows``, columns ``columns``: estimates in the variables' units, variances as the
        unit-sill variance × ``scale`` (squared units).
    columns : ndarray of int, shape (p_g,)
        Columns of the group's variables, increasing.
    scale : ndarray, shape (p_g,)
        Sill of each of the group's variables, squared units.
    clip : bool
        Set negative estimates to 0 (they are counted either way).
    diagnostics : dict of str to ndarray, shape (M, n_groups)
        :data:`DIAGNOSTICS` arrays; the chunk writes column ``group``.
    group : int
        Index of the sample group.
    """

    rows: np.ndarray
    estimate: np.ndarray
    variance: np.ndarray
    columns: np.ndarray
    scale: np.ndarray
    clip: bool
    diagnostics: dict[str, np.ndarray]
    group: int


def write_to_sink(sink: OutputSink, which: np.ndarray, out: dict[str, np.ndarray]) -> np.ndarray:
    """Write chunk outputs (of :func:`empty_chunk_outputs` form) for the chunk's targets ``which``.

    Parameters
    ----------
    sink : OutputSink
        Destination.
    which : ndarray of int
        Positions in the chunk (``sink.rows[which]`` are the output rows) of the rows of ``out``.
    out : dict of str to ndarray
        ``estimate`` (len(which), p_g), unit-sill ``variance`` and the diagnostics (len(which),).

    Returns
    -------
    ndarray of int, shape (p_g,)
        Number of negative estimates per variable (counted before clipping).
    """
    rows = sink.rows[which]
    est = out["estimate"]
    with np.errstate(invalid="ignore"):
        negative = est < 0
    if sink.clip:
        est[negative] = 0.0
    var = out["variance"][:, None] * sink.scale[None, :]
    cols = sink.columns
    if cols.size and cols[-1] - cols[0] == cols.size - 1:
        sink.estimate[rows, cols[0] : cols[0] + cols.size] = est
        sink.variance[rows, cols[0] : cols[0] + cols.size] = var
    else:
        sink.estimate[np.ix_(rows, cols)] = est
        sink.variance[np.ix_(rows, cols)] = var
    for name in DIAGNOSTICS:
        sink.diagnostics[name][rows, sink.group] = out[name]
    return negative.sum(axis=0)
