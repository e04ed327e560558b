"""Variogram models, experimental variograms and their fitting.

Conventions (``docs/conventions.md``): the range of every structure is the
*practical* range ``a`` in metres (the distance at which the structure reaches
95 % of its sill for the exponential and Gaussian models, the sill itself for
the spherical model); anisotropy is geometric, with the major axis at
``azimuth`` degrees clockwise from north and the minor axis perpendicular to it.

Examples
--------
>>> model = VariogramModel(0.1, (Structure("spherical", 0.9, 20_000.0),))
>>> float(model.gamma(20_000.0, 0.0))
1.0
>>> float(model.covariance(0.0, 0.0))
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from seabed.errors import ConfigError, InputDataError

__all__ = [
    "KINDS",
    "ExperimentalVariogram",
    "Structure",
    "VariogramModel",
    "experimental_variogram",
    "fit_variogram",
    "pooled_experimental_variogram",
]

#: Supported structure kinds.
KINDS = ("spherical", "exponential", "gaussian")


def _unit_gamma(kind: str, r: np.ndarray) -> np.ndarray:
    """Unit-sill variogram of ``kind`` at reduced distance ``r = h / a`` (practical range 1)."""
    if kind == "spherical":
        rc = np.minimum(r, 1.0)
        return 1.5 * rc - 0.5 * rc**3
    if kind == "exponential":
        return -np.expm1(-3.0 * r)
    return -np.expm1(-3.0 * r * r)  # gaussian


@dataclass(frozen=True)
class Structure:
    """One nested variogram structure.

    Parameters
    ----------
    kind : {"spherical", "exponential", "gaussian"}
        Model shape.
    sill : float
        Partial sill (contribution to the total sill), in the squared units of the variable.
    range : float
        Practical range along the major axis, m.
    range_minor : float, optional
        Practical range along the minor axis, m; ``None`` (default) for isotropy.
    azimuth : float, default 0.0
        Direction of the major axis, degrees clockwise from north.

    Notes
    -----
    With reduced distance :math:`r = \\sqrt{(h_1/a)^2 + (h_2/a_2)^2}` (:math:`h_1` along the
    major axis, :math:`h_2` along the minor axis), the unit-sill variograms are

    * spherical: :math:`1.5 r - 0.5 r^3` for :math:`r < 1`, else 1;
    * exponential: :math:`1 - e^{-3r}`;
    * gaussian: :math:`1 - e^{-3r^2}`.

    References
    ----------
    Chilès, J.-P. & Delfiner, P. (2012). *Geostatistics: Modeling Spatial Uncertainty*,
    2nd ed., Wiley, §2.5.
    """

    kind: str
    sill: float
    range: float
    range_minor: float | None = None
    azimuth: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(
                f"variogram structure kind: got {self.kind!r}; expected one of {', '.join(KINDS)}"
            )
        if not (np.isfinite(self.sill) and self.sill >= 0):
            raise ConfigError(f"variogram structure sill: got {self.sill!r}; expected a number >= 0")
        if not (np.isfinite(self.range) and self.range > 0):
            raise ConfigError(f"variogram structure range: got {self.range!r} m; expected > 0 m")
        if self.range_minor is not None and not (
            np.isfinite(self.range_minor) and self.range_minor > 0
        ):
            raise ConfigError(
                f"variogram structure range_minor: got {self.range_minor!r} m; expected > 0 m or None"
            )

    def reduced_distance(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Anisotropic distance in units of the practical range (dimensionless)."""
        dx = np.asarray(dx, dtype=float)
        dy = np.asarray(dy, dtype=float)
        if self.range_minor is None or self.range_minor == self.range:
            return np.hypot(dx, dy) / self.range
        theta = np.deg2rad(self.azimuth)
        s, c = np.sin(theta), np.cos(theta)
        major = dx * s + dy * c
        minor = dx * c - dy * s
        return np.hypot(major / self.range, minor / self.range_minor)

    def gamma(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Variogram of this structure at lag ``(dx, dy)`` (m)."""
        return self.sill * _unit_gamma(self.kind, self.reduced_distance(dx, dy))

    def scaled(self, factor: float) -> Structure:
        """The same structure with its sill multiplied by ``factor``."""
        return Structure(self.kind, self.sill * factor, self.range, self.range_minor, self.azimuth)


@dataclass(frozen=True)
class VariogramModel:
    """A nugget plus nested structures.

    Parameters
    ----------
    nugget : float
        Nugget effect (discontinuity at the origin), squared units of the variable.
    structures : sequence of Structure
        Nested structures, summed.

    Notes
    -----
    :math:`\\gamma(\\mathbf h) = c_0 [\\mathbf h \\neq 0] + \\sum_i \\gamma_i(\\mathbf h)` and
    :math:`C(\\mathbf h) = S - \\gamma(\\mathbf h)` with total sill :math:`S = c_0 + \\sum_i c_i`,
    so :math:`C(\\mathbf 0) = S`.
    """

    nugget: float
    structures: tuple[Structure, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "structures", tuple(self.structures))
        if not (np.isfinite(self.nugget) and self.nugget >= 0):
            raise ConfigError(f"variogram nugget: got {self.nugget!r}; expected a number >= 0")
        if self.sill <= 0:
            raise ConfigError(
                f"variogram: got a total sill of {self.sill!r}; expected > 0; "
                "fix: give a positive nugget or at least one structure with a positive sill"
            )

    @property
    def sill(self) -> float:
        """Total sill :math:`c_0 + \\sum c_i`, squared units of the variable."""
        return float(self.nugget + sum(s.sill for s in self.structures))

    def structured_gamma(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Variogram without the nugget (continuous part), at lag ``(dx, dy)`` (m)."""
        dx = np.asarray(dx, dtype=float)
        dy = np.asarray(dy, dtype=float)
        out = np.zeros(np.broadcast_shapes(dx.shape, dy.shape))
        for s in self.structures:
            out = out + s.gamma(dx, dy)
        return out

    def gamma(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Variogram at lag ``(dx, dy)`` (m); zero at the origin."""
        dx = np.asarray(dx, dtype=float)
        dy = np.asarray(dy, dtype=float)
        nonzero = (dx != 0) | (dy != 0)
        return self.structured_gamma(dx, dy) + self.nugget * nonzero

    def covariance(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Covariance :math:`S - \\gamma` at lag ``(dx, dy)`` (m); equals the sill at the origin."""
        return self.sill - self.gamma(dx, dy)

    def structured_covariance(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Covariance of the continuous part (nugget excluded everywhere)."""
        return (self.sill - self.nugget) - self.structured_gamma(dx, dy)

    def scaled(self, factor: float) -> VariogramModel:
        """The same model with nugget and sills multiplied by ``factor`` (> 0)."""
        if not factor > 0:
            raise ConfigError(f"variogram scale factor: got {factor!r}; expected > 0")
        return VariogramModel(self.nugget * factor, tuple(s.scaled(factor) for s in self.structures))

    @property
    def isotropic(self) -> bool:
        """True when no structure is anisotropic."""
        return all(s.range_minor is None or s.range_minor == s.range for s in self.structures)

    def covariance_at_distance(self, h: np.ndarray) -> np.ndarray:
        """Covariance at distance ``h`` (m) of an isotropic model (sill at ``h = 0``)."""
        h = np.asarray(h, dtype=float)
        out = np.where(h > 0, self.sill - self.nugget, self.sill)
        for s in self.structures:
            out = out - s.sill * _unit_gamma(s.kind, h / s.range)
        return out

    def gamma_isotropic(self, h: np.ndarray) -> np.ndarray:
        """Variogram at distance ``h`` (m) along the major axis of the first structure."""
        h = np.asarray(h, dtype=float)
        az = np.deg2rad(self.structures[0].azimuth) if self.structures else 0.0
        return self.gamma(h * np.sin(az), h * np.cos(az))


@dataclass(frozen=True)
class ExperimentalVariogram:
    """An experimental (semi)variogram.

    Attributes
    ----------
    lag : ndarray
        Mean separation of the pairs in each lag class, m (the bin midpoint when empty).
    gamma : ndarray
        Semivariance per lag class (squared units of the variable; NaN when empty).
    n_pairs : ndarray
        Number of pairs per lag class.
    lag_edges : ndarray
        Lag class edges, m.
    azimuth : float or None
        Direction, degrees clockwise from north; ``None`` for omnidirectional.
    """

    lag: np.ndarray
    gamma: np.ndarray
    n_pairs: np.ndarray
    lag_edges: np.ndarray
    azimuth: float | None = None


def _pair_geometry(
    coords: np.ndarray,
    lag_edges: np.ndarray,
    azimuth: float | None,
    tolerance: float,
    bandwidth: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``i < j`` kept by the direction filter: (i, j, distance, lag class)."""
    n = coords.shape[0]
    i, j = np.triu_indices(n, k=1)
    d = coords[j] - coords[i]
    h = np.hypot(d[:, 0], d[:, 1])
    keep = h > 0
    if azimuth is not None:
        theta = np.deg2rad(azimuth)
        u = np.array([np.sin(theta), np.cos(theta)])
        along = d @ u
        across = np.abs(d @ np.array([u[1], -u[0]]))
        cos_angle = np.abs(along) / np.where(h > 0, h, 1.0)
        keep &= cos_angle >= np.cos(np.deg2rad(tolerance)) - 1e-12
        if bandwidth is not None:
            keep &= across <= bandwidth
    cls = np.searchsorted(lag_edges, h, side="right") - 1
    keep &= (cls >= 0) & (cls < lag_edges.size - 1)
    return i[keep], j[keep], h[keep], cls[keep]


def _check_edges(lag_edges: Sequence[float]) -> np.ndarray:
    edges = np.asarray(lag_edges, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0) or edges[0] < 0:
        raise ConfigError(
            f"variogram lag_edges: got {edges.tolist()}; expected >= 2 increasing distances >= 0 m"
        )
    return edges


def experimental_variogram(
    coords: np.ndarray,
    values: np.ndarray,
    *,
    lag_edges: Sequence[float],
    azimuth: float | None = None,
    tolerance: float = 22.5,
    bandwidth: float | None = None,
) -> ExperimentalVariogram:
    """Classical (Matheron) experimental semivariogram.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates ``(x, y)``, m.
    values : ndarray, shape (n,)
        Sample values (any units); NaN samples are ignored.
    lag_edges : sequence of float
        Lag class edges, m; a pair of separation ``h`` falls in class ``k`` when
        ``edges[k] <= h < edges[k+1]``.
    azimuth : float, optional
        Direction, degrees clockwise from north; ``None`` (default) for omnidirectional.
    tolerance : float, default 22.5
        Angular half-tolerance around ``azimuth``, degrees.
    bandwidth : float, optional
        Maximum perpendicular offset of a pair from the direction line, m.

    Returns
    -------
    ExperimentalVariogram

    Notes
    -----
    :math:`\\hat\\gamma(h_k) = \\frac{1}{2 N_k} \\sum_{(i,j) \\in k} (z_i - z_j)^2`, each
    unordered pair counted once; coincident samples (``h = 0``) are left out.

    References
    ----------
    Matheron, G. (1963). Principles of geostatistics. *Economic Geology* 58, 1246-1266.
    """
    coords = np.asarray(coords, dtype=float)
    values = np.asarray(values, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2 or values.shape != (coords.shape[0],):
        raise InputDataError(
            f"experimental_variogram: got coords {coords.shape} and values {values.shape}; "
            "expected (n, 2) and (n,)"
        )
    return pooled_experimental_variogram(
        coords, values[:, None], lag_edges=lag_edges, azimuth=azimuth, tolerance=tolerance,
        bandwidth=bandwidth, standardise=False,
    )


def pooled_experimental_variogram(
    coords: np.ndarray,
    values2d: np.ndarray,
    *,
    lag_edges: Sequence[float],
    azimuth: float | None = None,
    tolerance: float = 22.5,
    bandwidth: float | None = None,
    standardise: bool = True,
) -> ExperimentalVariogram:
    """Experimental variogram pooled over several variables (e.g. layers or elements).

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates ``(x, y)``, m.
    values2d : ndarray, shape (n, n_variables)
        Values; NaN where a variable is missing at a sample.
    lag_edges, azimuth, tolerance, bandwidth
        As in :func:`experimental_variogram`.
    standardise : bool, default True
        Standardise each column to zero mean and unit variance (population variance over
        its non-NaN samples) before pooling; the pooled variogram then has a sill near 1.
        Columns with fewer than two samples or zero variance are skipped.

    Returns
    -------
    ExperimentalVariogram
        ``n_pairs`` counts every (pair, variable) combination used.

    Notes
    -----
    With standardised values :math:`y_{iv} = (z_{iv} - m_v)/s_v`,
    :math:`\\hat\\gamma(h_k) = \\frac{1}{2 N_k}\\sum_v \\sum_{(i,j)\\in k} (y_{iv}-y_{jv})^2`,
    summing over the pairs where both values are present. Pooling assumes the variables
    share one standardised spatial structure (intrinsic correlation); it is needed when
    a few tens of cores give too few pairs per variable.
    """
    coords = np.asarray(coords, dtype=float)
    z = np.array(values2d, dtype=float, copy=True)
    if z.ndim != 2 or coords.ndim != 2 or coords.shape != (z.shape[0], 2):
        raise InputDataError(
            f"pooled_experimental_variogram: got coords {coords.shape} and values {z.shape}; "
            "expected (n, 2) and (n, n_variables)"
        )
    edges = _check_edges(lag_edges)
    if standardise:
        count = np.sum(np.isfinite(z), axis=0)
        usable = count >= 2
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nanmean(np.where(usable, z, 0.0), axis=0)
            std = np.sqrt(np.nanmean((np.where(usable, z, 0.0) - mean) ** 2, axis=0))
        usable &= std > 0
        z = np.where(usable, (z - mean) / np.where(usable, std, 1.0), np.nan)
    i, j, h, cls = _pair_geometry(coords, edges, azimuth, tolerance, bandwidth)
    nb = edges.size - 1
    n_pairs = np.zeros(nb)
    sum_h = np.zeros(nb)
    sum_sq = np.zeros(nb)
    step = max(1, 2_000_000 // max(1, z.shape[1]))
    for s in range(0, i.size, step):
        sl = slice(s, s + step)
        diff = z[i[sl]] - z[j[sl]]
        ok = np.isfinite(diff)
        w = ok.sum(axis=1).astype(float)
        sq = np.where(ok, diff * diff, 0.0).sum(axis=1)
        n_pairs += np.bincount(cls[sl], weights=w, minlength=nb)
        sum_h += np.bincount(cls[sl], weights=h[sl] * w, minlength=nb)
        sum_sq += np.bincount(cls[sl], weights=sq, minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(n_pairs > 0, 0.5 * sum_sq / n_pairs, np.nan)
        lag = np.where(n_pairs > 0, sum_h / n_pairs, 0.5 * (edges[:-1] + edges[1:]))
    return ExperimentalVariogram(lag, gamma, n_pairs.astype(int), edges, azimuth)


def fit_variogram(
    experimental: ExperimentalVariogram,
    *,
    kinds: Sequence[str] = ("spherical",),
    fit_nugget: bool = True,
    sill: float | None = None,
    max_range: float | None = None,
    min_range: float | None = None,
    name: str = "the variable",
) -> VariogramModel:
    """Fit an isotropic nested model to an experimental variogram by weighted least squares.

    Parameters
    ----------
    experimental : ExperimentalVariogram
        Lag classes with at least one pair are used.
    kinds : sequence of str, default ("spherical",)
        One nested structure per entry, e.g. ``("spherical", "spherical")`` for a
        double-spherical model.
    fit_nugget : bool, default True
        Fit a nugget; otherwise the nugget is 0.
    sill : float, optional
        Fix the total sill (e.g. 1 for standardised data); the structures share
        ``sill - nugget`` through fitted fractions. ``None`` (default) fits it.
    max_range, min_range : float, optional
        Bounds on the practical ranges, m; defaults ``2 × largest lag`` and ``0.1 × smallest
        lag``.
    name : str, default "the variable"
        Name of the variable (e.g. ``"Nd"``), quoted in errors.

    Returns
    -------
    VariogramModel

    Notes
    -----
    Minimises :math:`\\sum_k w_k (\\gamma(h_k; \\theta) - \\hat\\gamma_k)^2` with
    :math:`w_k = N_k / h_k` (more weight to well-populated, short lags; cf. Cressie 1985)
    using a bounded trust-region method. Parameters are the nugget, the partial sills
    (or sill fractions when ``sill`` is fixed) and the ranges; bounds: nugget and sills
    in :math:`[0, 2\\max\\hat\\gamma]`, ranges in ``[min_range, max_range]``.

    References
    ----------
    Cressie, N. (1985). Fitting variogram models by weighted least squares.
    *Mathematical Geology* 17, 563-586.
    """
    for k in kinds:
        if k not in KINDS:
            raise ConfigError(f"variogram kinds: got {k!r}; expected one of {', '.join(KINDS)}")
    if len(kinds) == 0:
        raise ConfigError("variogram kinds: got an empty list; expected at least one kind")
    ok = (experimental.n_pairs > 0) & np.isfinite(experimental.gamma) & (experimental.lag > 0)
    if ok.sum() < 2 + len(kinds):
        raise InputDataError(
            f"variogram fit: got {int(ok.sum())} non-empty lag classes; expected at least "
            f"{2 + len(kinds)}; fix: use more or wider lag classes, or give a manual model"
        )
    h = experimental.lag[ok]
    g = experimental.gamma[ok]
    w = np.sqrt(experimental.n_pairs[ok] / h)
    gmax = float(np.max(g))
    if not gmax > 0:
        raise InputDataError(
            f"variogram fit of {name}: got a semivariance of 0 at every lag (the variable is constant); "
            "expected a variable that varies between samples; fix: leave it out of the estimation or "
            "give a manual variogram"
        )
    hi_range = float(max_range if max_range is not None else 2.0 * h.max())
    lo_range = float(min_range if min_range is not None else 0.1 * h.min())
    ns = len(kinds)
    total = sill

    def unpack(p: np.ndarray) -> tuple[float, list[float], list[float]]:
        nug = p[0] if fit_nugget else 0.0
        rest = p[1:] if fit_nugget else p
        if total is None:
            sills = list(rest[:ns])
        else:
            frac = np.asarray(rest[:ns])
            budget = max(total - nug, 0.0)
            sills = list(budget * frac / max(frac.sum(), 1e-12))
        return nug, sills, list(rest[ns:])

    def model_gamma(p: np.ndarray) -> np.ndarray:
        nug, sills, ranges = unpack(p)
        out = np.full_like(h, nug)
        for kind, s, a in zip(kinds, sills, ranges, strict=True):
            out += s * _unit_gamma(kind, h / a)
        return out

    def residuals(p: np.ndarray) -> np.ndarray:
        return w * (model_gamma(p) - g)

    g_first = float(g[0])
    x0: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    cap = 2.0 * max(gmax, total or 0.0)
    if fit_nugget:
        x0.append(min(0.5 * g_first, 0.5 * (total or gmax)))
        lo.append(0.0)
        hi.append(total if total is not None else cap)
    for _ in kinds:
        if total is None:
            x0.append(max(gmax - (x0[0] if fit_nugget else 0.0), 1e-6 * cap) / ns)
            lo.append(0.0)
            hi.append(cap)
        else:
            x0.append(1.0 / ns)
            lo.append(1e-6)
            hi.append(1.0)
    span = np.geomspace(0.3, 1.0, ns) if ns > 1 else np.array([0.5])
    for f in span:
        x0.append(float(np.clip(f * h.max(), lo_range * 1.01, hi_range * 0.99)))
        lo.append(lo_range)
        hi.append(hi_range)
    x0_arr = np.clip(np.asarray(x0), np.asarray(lo) + 1e-12, np.asarray(hi) - 1e-12)
    sol = least_squares(residuals, x0_arr, bounds=(lo, hi), method="trf", x_scale="jac")
    nug, sills, ranges = unpack(sol.x)
    structures = tuple(
        Structure(kind, float(s), float(a)) for kind, s, a in zip(kinds, sills, ranges, strict=True)
    )
    return VariogramModel(float(nug), structures)
