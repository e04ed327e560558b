"""Drift (trend) terms of universal kriging and kriging with an external drift.

A drift is a mean that varies in space as a linear combination of known functions
:math:`f_l(\\mathbf x)` with unknown coefficients (Matheron 1969; Journel & Huijbregts 1978,
ch. V): ``"linear"`` (:math:`x, y`), ``"quadratic"`` (:math:`x, y, x^2, y^2, xy`), or one
external variable known everywhere (:class:`ExternalDrift`: water depth, crustal age, …),
always with the constant of ordinary kriging.

:func:`drift_basis` fixes the terms on a sample set: coordinates are centred on the samples'
centroid and divided by their spread (and the external variable standardised), which
leaves every estimate and variance unchanged (the drift spans the same functions) but keeps
the kriging matrices well conditioned when coordinates are ~10⁶ m.

Examples
--------
>>> import numpy as np
>>> xy = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
>>> basis = drift_basis("linear", xy)
>>> basis.n_terms, basis.at(xy).shape
(2, (3, 2))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seabed.errors import ConfigError, InputDataError

__all__ = ["DRIFTS", "DriftBasis", "ExternalDrift", "drift_basis", "drift_name", "trend_residuals"]

#: Polynomial drifts accepted by name (besides an :class:`ExternalDrift` and ``"none"``).
DRIFTS = ("none", "linear", "quadratic")


@dataclass(frozen=True, eq=False)
class ExternalDrift:
    """An external drift variable on a regular grid, read by bilinear interpolation between cell
    centres (in the outer half cells and next to unknown cells: the value of the cell holding the
    point; outside the grid: unknown).

    Parameters
    ----------
    x : ndarray, shape (nx,)
        Cell-centre x coordinates, m, strictly monotonic.
    y : ndarray, shape (ny,)
        Cell-centre y coordinates, m, strictly monotonic (north-up grids descend).
    values : ndarray, shape (ny, nx)
        The variable (any units, e.g. m of water depth or Myr of crustal age); NaN where
        unknown (targets there are not estimated; samples there are refused).
    name : str, default "external drift"
        Name quoted in errors and reports (e.g. ``"crustal_age"``).

    Notes
    -----
    The drift at a block is its value at the block centre: on the working grid that is the
    cell's own value, the grid's support.
    """

    x: np.ndarray
    y: np.ndarray
    values: np.ndarray
    name: str = "external drift"

    def __post_init__(self) -> None:
        x, y = np.asarray(self.x, float), np.asarray(self.y, float)
        v = np.asarray(self.values, float)
        if v.shape != (y.size, x.size) or x.size < 2 or y.size < 2:
            raise InputDataError(
                f"external drift {self.name}: got values {v.shape} on x {x.shape} and y {y.shape}; "
                "expected (ny, nx) with at least 2 cells each way"
            )
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "values", v)

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        """The variable at points ``xy`` (m), shape ``(m,)``; NaN outside the grid."""
        from scipy.interpolate import RegularGridInterpolator

        x, y, v = self.x, self.y, self.values
        if x[0] > x[-1]:
            x, v = x[::-1], v[:, ::-1]
        if y[0] > y[-1]:
            y, v = y[::-1], v[::-1]
        xy = np.asarray(xy, dtype=float)
        hx, hy = 0.5 * abs(x[1] - x[0]), 0.5 * abs(y[1] - y[0])
        inside = ((xy[:, 0] >= x[0] - hx) & (xy[:, 0] <= x[-1] + hx) & (xy[:, 1] >= y[0] - hy)
                  & (xy[:, 1] <= y[-1] + hy))
        pts = np.column_stack([np.clip(xy[:, 1], y[0], y[-1]), np.clip(xy[:, 0], x[0], x[-1])])
        out = RegularGridInterpolator((y, x), v, bounds_error=False, fill_value=np.nan)(pts)
        gap = inside & ~np.isfinite(out)  # next to an unknown cell: the value of the cell holding the point
        if gap.any():
            out[gap] = RegularGridInterpolator((y, x), v, method="nearest")(pts[gap])
        return np.where(inside, out, np.nan)


def drift_name(drift: str | ExternalDrift | None) -> str:
    """A short description: ``"none"``, ``"linear"``, ``"quadratic"`` or ``"external (NAME)"``."""
    if isinstance(drift, ExternalDrift):
        return f"external ({drift.name})"
    return "none" if drift is None else str(drift)


@dataclass(frozen=True, eq=False)
class DriftBasis:
    """Drift functions fixed on one sample set (see :func:`drift_basis`).

    Attributes
    ----------
    kind : str
        ``"linear"``, ``"quadratic"`` or ``"external"``.
    centre : ndarray, shape (2,)
        Centroid of the samples, m.
    scale : float
        Spread of the sample coordinates, m (coordinates enter as ``(x - centre) / scale``).
    external : ExternalDrift or None
        The external variable, with ``ext_mean``/``ext_scale`` standardising it.
    """

    kind: str
    centre: np.ndarray
    scale: float
    external: ExternalDrift | None = None
    ext_mean: float = 0.0
    ext_scale: float = 1.0

    @property
    def n_terms(self) -> int:
        """Number of drift functions besides the constant."""
        return {"linear": 2, "quadratic": 5, "external": 1}[self.kind]

    def at(self, xy: np.ndarray) -> np.ndarray:
        """Drift functions at points ``xy`` (m), shape ``(m, n_terms)`` (dimensionless)."""
        xy = np.asarray(xy, dtype=float)
        if self.kind == "external":
            return ((self.external(xy) - self.ext_mean) / self.ext_scale)[:, None]
        u = (xy[:, 0] - self.centre[0]) / self.scale
        v = (xy[:, 1] - self.centre[1]) / self.scale
        if self.kind == "linear":
            return np.column_stack([u, v])
        return np.column_stack([u, v, u * u, v * v, u * v])

    def at_targets(self, t: np.ndarray, offsets: np.ndarray | None) -> np.ndarray:
        """Drift at targets: point values, or block averages over the discretisation ``offsets``.

        Polynomial drifts are averaged over the ``n × n`` points of the block; an external drift
        is taken at the block centre (the cell value on the working grid).
        """
        if offsets is None or self.kind == "external":
            return self.at(t)
        out = np.zeros((t.shape[0], self.n_terms))
        for ox, oy in offsets:
            out += self.at(t + np.array([ox, oy]))
        return out / offsets.shape[0]


def drift_basis(drift: str | ExternalDrift | None, xy: np.ndarray) -> DriftBasis | None:
    """The drift functions of ``drift`` fixed on the samples ``xy`` (m); ``None`` for no drift.

    Raises
    ------
    ConfigError
        An unknown drift name.
    InputDataError
        Samples where the external drift is unknown (NaN, outside its grid) or constant.
    """
    if drift is None or (isinstance(drift, str) and drift == "none"):
        return None
    xy = np.asarray(xy, dtype=float)
    centre = xy.mean(axis=0) if xy.shape[0] else np.zeros(2)
    scale = float(np.max(np.std(xy, axis=0))) if xy.shape[0] > 1 else 1.0
    scale = scale if scale > 0 else 1.0
    if isinstance(drift, ExternalDrift):
        e = drift(xy)
        bad = ~np.isfinite(e)
        if bad.any():
            raise InputDataError(
                f"external drift {drift.name}: got no value at {int(bad.sum())} of {e.size} samples "
                f"(first at x={xy[bad][0, 0]:.0f} m, y={xy[bad][0, 1]:.0f} m); expected the grid to cover "
                "every sample; fix: use a grid that covers the cores, or drift = \"none\""
            )
        sd = float(np.std(e)) if e.size else 0.0
        if not sd > 0:
            raise InputDataError(
                f"external drift {drift.name}: got the same value at every sample; expected it to vary "
                "between samples (else it is the constant of ordinary kriging); fix: drift = \"none\""
            )
        return DriftBasis("external", centre, scale, drift, float(np.mean(e)), sd)
    if drift not in DRIFTS:
        raise ConfigError(
            f"kriging drift: got {drift!r}; expected 'none', 'linear', 'quadratic' or an ExternalDrift"
        )
    return DriftBasis(str(drift), centre, scale)


def trend_residuals(
    coords: np.ndarray, values: np.ndarray, drift: str | ExternalDrift | None
) -> np.ndarray:
    """Residuals from an ordinary-least-squares trend fitted to each column separately.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values : ndarray, shape (n, p)
        Values; NaN where missing (fitted on each column's own samples, left NaN).
    drift : str or ExternalDrift or None
        The drift of the kriging (``None``/``"none"`` returns the values unchanged).

    Returns
    -------
    ndarray, shape (n, p)
        :math:`z - F\\hat\\beta` with :math:`\\hat\\beta` the OLS coefficients of the constant
        and the drift functions; columns with too few samples for the trend keep their values
        minus their mean.

    Notes
    -----
    The variogram of OLS residuals is biased low, mostly at long lags: the residuals are
    :math:`(I - P)Z` with :math:`P` the projection on the drift functions, so
    :math:`E[\\hat\\gamma_R(h)] \\le \\gamma(h)` (Matheron 1971; Cressie 1993, §3.4.3;
    Chilès & Delfiner 2012, §2.7 and §6.1). The bias is small at lags short compared with
    the domain, which carry the fit's weight; it is the usual compromise of universal kriging
    in practice (iterating with a GLS trend changes little for a few tens of cores).
    """
    coords = np.asarray(coords, dtype=float)
    z = np.array(values, dtype=float, copy=True)
    basis = drift_basis(drift, coords)
    if basis is None:
        return z
    f = np.column_stack([np.ones(coords.shape[0]), basis.at(coords)])
    for j in range(z.shape[1]):
        ok = np.isfinite(z[:, j])
        if ok.sum() <= f.shape[1]:
            if ok.any():
                z[ok, j] -= z[ok, j].mean()
            continue
        beta, *_ = np.linalg.lstsq(f[ok], z[ok, j], rcond=None)
        z[ok, j] -= f[ok] @ beta
    return z
