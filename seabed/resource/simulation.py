"""Conditional simulation of grades and the spread of tonnage it implies.

Method (Gaussian, kernel convolution + kriging-of-residuals conditioning, tile by tile)
-------------------------------------------------------------------------------------
1. **Normal scores.** Each element × layer composite column is mapped to N(0, 1) by its
   own empirical normal-score transform (:class:`NormalScoreTransform`).
2. **Correlation model.** One standardised variogram ``γ`` (any
   :class:`~seabed.geostats.variogram.VariogramModel`, rescaled to sill 1) for every
   element and layer, an element correlation matrix ``R_e`` (normal scores, pooled over
   cores and layers) and a layer-to-layer correlation ``ρ^|Δl|`` (AR(1) in depth):
   ``Cov(Y_el(u), Y_e'l'(u')) = R_e[e, e'] ρ^|l−l'| C(u − u')`` — an intrinsic
   (separable) model.
3. **Unconditional fields.** Independent standard Gaussian fields with covariance ``C``
   are moving averages of white noise, ``Z = k ⊛ W`` (Oliver 1995), with ``k`` the
   convolution square root of ``C`` truncated at a halo
   (:mod:`seabed.geostats.random_field`). The noise of field ``f`` of realisation ``r``
   is keyed cell by cell by ``(seed, r, f, lattice cell)``, so a field can be computed
   on any tile of grid rows (plus its halo) or at any data cell, and every tiling gives
   the same field. The fields are then correlated across elements and layers with the
   Cholesky factors of ``R_e`` and of the AR(1) matrix.
4. **Conditioning.** ``Y_cs = Y_uc + Σ_α w_α(u) [y_α − Y_uc(x_α)]`` with simple-kriging
   weights ``w`` (mean 0, the standardised model). Under the separable model with
   isotopic data, simple cokriging reduces to kriging each variable alone (autokrigeability,
   Wackernagel 2003 §25), so the weights depend only on the set of data locations: they are
   solved per tile, **once** for all elements, layers and the realisations of a task
   (:func:`tile_weights`, :class:`seabed.geostats.kriging.Kriging` on an identity
   right-hand side, stored sparse).
   **Uncertain mean** (``mean_uncertainty``, the default): the mean of the normal scores is
   not known but estimated from the data. Each realisation draws its mean ``m`` from
   ``N(0, σ_m²)`` with ``σ_m² = 1 / (1ᵀ C⁻¹ 1)``, the posterior variance of the mean under a
   flat prior (the generalised-least-squares variance, :func:`mean_score_variance`),
   correlated across elements and layers like the fields, and is conditioned with it:
   ``Y_cs = m + Y_uc + Σ_α w_α [y_α − m − Y_uc(x_α)]``, i.e. an extra
   ``m (1 − Σ_α w_α)``: nothing at the data, the whole shift far from them. The draw is
   centred on 0, the equal-weight mean of the data's scores (the posterior's centre is the
   GLS mean, which differs from it as far as the data are clustered). With a global
   neighbourhood the conditional variance is then the ordinary-kriging variance
   ``σ²_SK + (1 − Σ w)² σ_m²`` (Diggle & Ribeiro 2007, §7.2); with the moving
   neighbourhood used here it is close to it. The spread of tonnage thus includes the
   uncertainty of the global mean, not only the spatial variability around a known one.
5. **Back-transform** to ppm with each column's transform.

Scale: :func:`simulate_resource` runs one task per (tile of grid rows, batch of
realisations); a task holds its tile's fields, weights and grades and returns tonnage
sums, so memory is bounded by the tile size, not the grid. Each realisation is a pure
function of ``(plan, seed, index)``; the tables do not depend on the scheduler, tile size
or batching beyond rounding (tests: 1e-10). :func:`summarise_realisations` gives
P10/P50/P90.

Limitations: one variogram for all elements and layers; the AR(1) vertical model and
the pooled element correlations are approximations; with heterotopic data (a core missing
some layers) each sample pattern gets its own weights, and the cokriging shortcut is
then approximate; data are moved to the centres of their grid cells (several cores in a
cell are averaged); the kernel is truncated where it holds all but ``1e-5`` of the variance
(implied covariance within ~2e-3 of the model); a practical range of more than ~1,000
cells is refused (cap the fitted range, ``variogram.max_range``).

References
----------
Oliver, D. S. (1995). Moving averages for Gaussian simulation in two and three dimensions.
*Mathematical Geology* 27(5), 939–960.
Journel, A. G. & Huijbregts, C. J. (1978). *Mining Geostatistics*, §V.C (conditioning by
kriging). Wackernagel, H. (2003). *Multivariate Geostatistics*, 3rd ed., Springer.
Deutsch, C. V. & Journel, A. G. (1998). *GSLIB*, 2nd ed., §V.1.6 (normal-score transform).
Diggle, P. J. & Ribeiro, P. J. (2007). *Model-based Geostatistics*, Springer, §7.2 (a flat
prior on the mean: predictive variance = ordinary-kriging variance).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy.linalg import cho_factor, cho_solve
from scipy.sparse import csr_matrix
from scipy.sparse import vstack as sparse_vstack
from scipy.special import ndtri

from seabed.compute import map_locally, split_rows
from seabed.elements import ELEMENTS, element_columns
from seabed.errors import ConfigError, InputDataError
from seabed.geostats.kriging import Kriging
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.random_field import (
    NOISE_BLOCK,
    ConvolutionKernel,
    field_at,
    field_window,
    window_workspace_bytes,
)
from seabed.geostats.variogram import VariogramModel
from seabed.resource.classification import CLASS_NAMES
from seabed.resource.tonnage import DEFAULT_ITEMS, block_tonnes, item_members
from seabed.working_grid import WorkingGrid

__all__ = [
    "NormalScoreTransform",
    "SimulationPlan",
    "SimulationRun",
    "conditional_tile_scores",
    "mean_score_variance",
    "mean_shift",
    "prepare_simulation",
    "run_simulation",
    "simulate_realisation",
    "simulate_resource",
    "simulate_scores",
    "simulation_bytes_per_cell",
    "summarise_realisations",
    "tile_weights",
    "unconditional_at_data",
]


# --------------------------------------------------------------------- transform
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
        xs, ys = self._table()
        z = np.asarray(z, dtype=float)
        out = np.interp(z, xs, ys)
        return np.where(np.isfinite(z), out, np.nan)

    def back_transform(self, y: np.ndarray) -> np.ndarray:
        """Values of normal scores (clipped to ``[lower, upper]``)."""
        xs, ys = self._table()
        return np.interp(y, ys, xs).astype(np.result_type(y, np.float32))

    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        xs = np.concatenate([[self.lower], self.values, [self.upper]])
        ys = np.concatenate([[min(-5.0, self.scores[0] - 1e-6)], self.scores, [max(5.0, self.scores[-1] + 1e-6)]])
        return xs, ys


# ----------------------------------------------------------------------- plan
@dataclass
class SimulationPlan:
    """Everything shared by the realisations (built once by :func:`prepare_simulation`).

    Attributes
    ----------
    grid : WorkingGrid
        Output grid.
    elements : list of str
        Simulated elements.
    transforms : list of list of NormalScoreTransform
        ``[element][layer]``.
    kernel : ConvolutionKernel
        Convolution square root of the unit-sill variogram (:mod:`seabed.geostats.random_field`).
    data_rows, data_cols : ndarray of int
        Lattice cell of each data cell (row, column relative to the grid's first cell; may lie
        outside the grid).
    data_xy : ndarray, (n_data, 2)
        Centres of the data cells, m.
    scores : ndarray, (element, layer, n_data)
        Normal scores of the data cells (NaN where missing).
    patterns : dict
        Sample pattern (tuple of data indices) -> list of ``(element, layer)`` pairs sampled
        exactly there (each pattern has its own conditioning weights).
    model : VariogramModel
        The unit-sill variogram of the normal scores.
    neighbourhood : Neighbourhood
        Search of the conditioning kriging.
    chol_elements, chol_layers : ndarray
        Cholesky factors of the element and layer correlation matrices.
    vertical_correlation : float
        Layer-to-layer correlation ρ.
    element_correlation : ndarray
        Element correlation of normal scores.
    workers : int
        FFT threads inside one task.
    mean_sd : ndarray, (element, layer)
        Standard deviation of each normal-score column's mean, drawn per realisation
        (:func:`mean_score_variance`); zeros for a known mean (simple kriging).
    """

    grid: WorkingGrid
    elements: list[str]
    transforms: list[list[NormalScoreTransform]]
    kernel: ConvolutionKernel
    data_rows: np.ndarray
    data_cols: np.ndarray
    data_xy: np.ndarray
    scores: np.ndarray
    patterns: dict[tuple[int, ...], list[tuple[int, int]]]
    model: VariogramModel
    neighbourhood: Neighbourhood
    chol_elements: np.ndarray
    chol_layers: np.ndarray
    vertical_correlation: float
    element_correlation: np.ndarray = field(repr=False, default_factory=lambda: np.eye(1))
    workers: int = 1
    mean_sd: np.ndarray | None = field(repr=False, default=None)

    @property
    def n_layers(self) -> int:
        """Number of layers."""
        return self.grid.layers.n

    @property
    def n_fields(self) -> int:
        """Independent Gaussian fields per realisation (elements × layers)."""
        return len(self.elements) * self.grid.layers.n

    def bytes_per_cell(self) -> int:
        """Working memory per tile cell of a simulation task (:func:`simulation_bytes_per_cell`)."""
        k = self.neighbourhood.max_samples or self.data_xy.shape[0]
        return simulation_bytes_per_cell(self.n_fields, len(self.patterns), min(k, self.data_xy.shape[0]),
                                         n_layers=self.n_layers)

    def task_bytes(self) -> int:
        """Working memory of a simulation task whatever its tile size, bytes: the FFT buffers
        of its field windows (:func:`seabed.geostats.random_field.window_workspace_bytes`)."""
        return window_workspace_bytes(self.kernel, self.grid.shape[1])


def _nearest_psd_cholesky(r: np.ndarray) -> np.ndarray:
    r = 0.5 * (r + r.T)
    vals, vecs = np.linalg.eigh(r)
    vals = np.clip(vals, 1e-6, None)
    r = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(r))
    r = r / d[:, None] / d[None, :]
    return np.linalg.cholesky(r)


def _element_correlation(scores: np.ndarray) -> np.ndarray:
    """Correlation of normal scores between elements, pooled over (layer, core)."""
    n_el = scores.shape[0]
    flat = scores.reshape(n_el, -1)
    r = np.eye(n_el)
    for a in range(n_el):
        for b in range(a + 1, n_el):
            ok = np.isfinite(flat[a]) & np.isfinite(flat[b])
            if ok.sum() >= 3:
                r[a, b] = r[b, a] = np.corrcoef(flat[a, ok], flat[b, ok])[0, 1]
    return np.nan_to_num(r, nan=0.0)


def _vertical_correlation(scores: np.ndarray) -> float:
    """Lag-one correlation of normal scores between adjacent layers (pooled)."""
    if scores.shape[1] < 2:
        return 0.0
    a = scores[:, :-1].ravel()
    b = scores[:, 1:].ravel()
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return 0.0
    return float(np.clip(np.corrcoef(a[ok], b[ok])[0, 1], 0.0, 0.99))


#: Cells per block when solving the conditioning weights inside a tile (bounds the dense
#: kriging output, ``16 × n_data`` bytes per cell).
WEIGHT_BLOCK_CELLS = 16_384

#: Values of one field window over the data cells held at once (8 B each).
DATA_WINDOW_VALUES = 8_000_000

#: Default cells per simulation tile (whole grid rows).
DEFAULT_TILE_CELLS = 65_536

#: Data cells used for the variance of the mean (above: an evenly strided subset).
MEAN_VARIANCE_MAX_DATA = 2_500

#: Offset of the realisation index in the seed of its mean's draw (a stream of its own).
MEAN_STREAM = 2 * 10**9

#: Default fraction of the unit variance the truncated convolution kernel may miss (keeps the
#: implied covariance within ~2e-3 of the model; :class:`ConvolutionKernel`).
KERNEL_TOLERANCE = 1e-5


def simulation_bytes_per_cell(n_fields: int, n_patterns: int = 1, max_samples: int = 64, *,
                              n_layers: int = 1) -> int:
    """Working memory of one target cell in a simulation tile, bytes.

    ``48 × n_fields + 8 × max_samples × n_patterns + 40 × n_layers + 64``: the fields on the
    tile, their mixed and conditioned scores (float64) and the back-transformed grades; the
    sparse conditioning weights of each sample pattern (float32 value + int32 column per
    neighbour); the cell's tonnage inputs per layer (tonnes, inventory tonnes, class code,
    selections). The FFT buffers of the tile's field windows do not depend on the tile size
    (:meth:`SimulationPlan.task_bytes`).

    Examples
    --------
    16 elements × 10 layers, 64 neighbours, 10 sample patterns:

    >>> simulation_bytes_per_cell(160, 10, 64, n_layers=10)
    13264

    and the tile of docs/scaling.md's example (2 workers, ``"3 GiB"``, each task first
    holding the 288 MB FFT buffers of :meth:`SimulationPlan.task_bytes`):

    >>> from seabed.compute import chunk_cells_for_budget
    >>> chunk_cells_for_budget(3 * 2**30, 13264, n_workers=2, task_bytes=36 * 8_000_000)
    99714
    """
    return 48 * int(n_fields) + 8 * int(max_samples) * int(n_patterns) + 40 * int(n_layers) + 64


def mean_score_variance(model: VariogramModel, xy: np.ndarray) -> float:
    """Variance of the mean of a Gaussian field given data at ``xy``: ``1 / (1ᵀ C⁻¹ 1)``.

    The posterior variance of the (constant) mean under a flat prior, equal to the variance
    of its generalised-least-squares estimate from the data.

    Parameters
    ----------
    model : VariogramModel
        Variogram of the field (its covariance ``C``, nugget on the diagonal).
    xy : ndarray, (n, 2)
        Data locations, m.

    Returns
    -------
    float
        In the model's units squared; 0 without data (no mean to draw: the transform itself
        is undefined). With more than :data:`MEAN_VARIANCE_MAX_DATA` data an evenly strided
        subset is used, which gives a larger (conservative) variance: adding data never
        increases it.

    Examples
    --------
    Independent data (pure nugget): the variance of a mean of ``n`` values, ``1 / n``.

    >>> mean_score_variance(VariogramModel(1.0, ()), np.random.default_rng(0).uniform(0, 1e4, (8, 2)))
    0.125
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if xy.shape[0] == 0:
        return 0.0
    if xy.shape[0] > MEAN_VARIANCE_MAX_DATA:
        xy = xy[np.linspace(0, xy.shape[0] - 1, MEAN_VARIANCE_MAX_DATA).round().astype(int)]
    c = model.covariance(xy[:, 0][:, None] - xy[:, 0][None, :], xy[:, 1][:, None] - xy[:, 1][None, :])
    ones = np.ones(xy.shape[0])
    try:
        x = cho_solve(cho_factor(c, lower=True), ones)
    except np.linalg.LinAlgError:  # coincident data without a nugget: singular, use a pseudo-inverse
        x = np.linalg.pinv(c, hermitian=True) @ ones
    return float(1.0 / (ones @ x))


def prepare_simulation(
    composites: xr.Dataset,
    grid: WorkingGrid,
    *,
    model: VariogramModel,
    elements: Sequence[str] | None = None,
    vertical_correlation: float | None = None,
    neighbourhood: Neighbourhood | None = None,
    kernel_tolerance: float = KERNEL_TOLERANCE,
    workers: int = 1,
    mean_uncertainty: bool = True,
) -> SimulationPlan:
    """Fit transforms, correlations and the convolution kernel once.

    Parameters
    ----------
    composites : xarray.Dataset
        Composites (dims ``core``, ``layer``; one variable per element in ppm; coords
        ``x``, ``y`` in m of the working CRS), with as many layers as ``grid``.
    grid : WorkingGrid
        Grid to simulate on.
    model : VariogramModel
        Variogram of the normal scores (rescaled to unit sill), m.
    elements : sequence of str, optional
        Elements to simulate; default every element variable present.
    vertical_correlation : float, optional
        Layer-to-layer correlation of normal scores; default fitted (lag-one, pooled).
    neighbourhood : Neighbourhood, optional
        Kriging neighbourhood for conditioning; default the 64 nearest data, at least 1.
    kernel_tolerance : float, default 1e-5
        Variance fraction the truncated kernel may miss (see :class:`ConvolutionKernel`).
    workers : int, default 1
        FFT threads inside one task.
    mean_uncertainty : bool, default True
        Draw each realisation's normal-score mean from its posterior (module docstring,
        step 4); False conditions with a known mean 0 (simple kriging), which leaves the
        uncertainty of the global mean out of the spread.

    Returns
    -------
    SimulationPlan

    Notes
    -----
    Nothing here grows with the grid: the conditioning weights are solved tile by tile in
    the realisation tasks (:func:`run_simulation`), once per tile for all the realisations
    of a task.
    """
    if composites.sizes.get("layer") != grid.layers.n:
        raise InputDataError(
            f"composites: got {composites.sizes.get('layer')} layers; expected {grid.layers.n} "
            "(the grid's layers); fix: composite on the grid's layers"
        )
    if elements is None:
        elements = [e for e in ELEMENTS if e in composites.data_vars]
    elements = list(elements)
    missing = [e for e in elements if e not in composites.data_vars]
    if missing or not elements:
        raise InputDataError(f"composites: elements {missing or '(none)'} not found; expected ppm variables")
    n_el, n_l = len(elements), grid.layers.n
    values = np.stack([composites[e].transpose("core", "layer").values.T for e in elements])  # (e, l, core)
    transforms = [[NormalScoreTransform.fit(values[i, j]) for j in range(n_l)] for i in range(n_el)]
    core_scores = np.stack([[transforms[i][j].transform(values[i, j]) for j in range(n_l)] for i in range(n_el)])

    # data cells of the (unbounded) lattice of grid cells; several cores in a cell are averaged
    d = grid.cell_size
    cx = np.asarray(composites["x"].values, dtype=float)
    cy = np.asarray(composites["y"].values, dtype=float)
    col = np.round((cx - grid.x[0]) / d).astype(np.int64)
    row = np.round((grid.y[0] - cy) / d).astype(np.int64)
    cells, inverse = np.unique(np.column_stack([row, col]), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    with np.errstate(invalid="ignore"):
        scores = np.full((n_el, n_l, cells.shape[0]), np.nan)
        for k in range(cells.shape[0]):
            members = core_scores[..., inverse == k]
            counts = np.isfinite(members).sum(axis=-1)
            sums = np.nansum(members, axis=-1)
            scores[..., k] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    r_el = _element_correlation(core_scores)
    rho = _vertical_correlation(core_scores) if vertical_correlation is None else float(vertical_correlation)
    lag = np.abs(np.arange(n_l)[:, None] - np.arange(n_l)[None, :])
    unit = model.scaled(1.0 / model.sill)
    patterns: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for i in range(n_el):
        for j in range(n_l):
            patterns.setdefault(tuple(int(k) for k in np.flatnonzero(np.isfinite(scores[i, j]))), []).append((i, j))
    data_xy = np.column_stack([grid.x[0] + cells[:, 1] * d, grid.y[0] - cells[:, 0] * d])
    mean_sd = np.zeros((n_el, n_l))
    if mean_uncertainty:
        for pattern, pairs in patterns.items():
            e, lyr = np.array(pairs).T
            mean_sd[e, lyr] = np.sqrt(mean_score_variance(unit, data_xy[list(pattern)]))
    return SimulationPlan(
        grid=grid,
        elements=elements,
        transforms=transforms,
        kernel=ConvolutionKernel.from_model(unit, d, tolerance=kernel_tolerance),
        data_rows=cells[:, 0].copy(),
        data_cols=cells[:, 1].copy(),
        data_xy=data_xy,
        scores=scores,
        patterns=dict(sorted(patterns.items())),
        model=unit,
        neighbourhood=neighbourhood or Neighbourhood(max_samples=64, min_samples=1),
        chol_elements=_nearest_psd_cholesky(r_el),
        chol_layers=_nearest_psd_cholesky(rho**lag),
        vertical_correlation=rho,
        element_correlation=r_el,
        workers=workers,
        mean_sd=mean_sd,
    )


# ------------------------------------------------------------- realisation parts
def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index)]))


def _keys(plan: SimulationPlan, seed: int, index: int) -> list[tuple[int, int, int]]:
    """Noise key of each independent field of realisation ``index`` (element-major)."""
    return [(int(seed), int(index), f) for f in range(plan.n_fields)]


def mean_shift(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Normal-score mean of realisation ``index``, (element, layer): ``plan.mean_sd`` times
    standard normals correlated like the fields; zeros for a known mean."""
    if plan.mean_sd is None or not np.any(plan.mean_sd):
        return np.zeros((len(plan.elements), plan.n_layers))
    z = _rng(seed, MEAN_STREAM + index).standard_normal((plan.n_fields, 1))
    return plan.mean_sd * _mix(plan, z)[..., 0]


def _mix(plan: SimulationPlan, fields: np.ndarray) -> np.ndarray:
    """Correlate independent unit fields (n_fields, n) across elements and layers → (e, l, n)."""
    z = fields.reshape(len(plan.elements), plan.n_layers, -1)
    z = np.einsum("ab,bln->aln", plan.chol_elements, z, optimize=True)
    return np.matmul(plan.chol_layers, z)


def unconditional_at_data(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Unconditional scores of realisation ``index`` at the data cells, (element, layer, n_data).

    Data spread over a compact area are read from one field window over their bounding box;
    scattered data are computed point by point (:func:`seabed.geostats.random_field.field_at`).
    Both give the same values (to rounding).
    """
    keys = _keys(plan, seed, index)
    r, c = plan.data_rows, plan.data_cols
    if r.size == 0:
        return np.zeros((len(plan.elements), plan.n_layers, 0))
    box = (int(r.max() - r.min()) + 1) * (int(c.max() - c.min()) + 1)
    if box <= 4 * r.size * (2 * plan.kernel.halo + NOISE_BLOCK) ** 2:
        # strips of rows over the data's bounding box, a few fields at a time: bounded memory
        cols = (int(c.min()), int(c.max()) + 1)
        width = cols[1] - cols[0] + 2 * plan.kernel.halo
        height = max(1, DATA_WINDOW_VALUES // (8 * width) - 2 * plan.kernel.halo)
        step = max(1, DATA_WINDOW_VALUES // ((height + 2 * plan.kernel.halo) * width))
        fields = np.empty((len(keys), r.size))
        for top in range(int(r.min()), int(r.max()) + 1, height):
            here = np.flatnonzero((r >= top) & (r < top + height))
            if here.size == 0:
                continue
            rows = (top, int(r[here].max()) + 1)
            for k in range(0, len(keys), step):
                win = field_window(plan.kernel, keys[k : k + step], rows, cols, workers=plan.workers)
                fields[k : k + step, here] = win[:, r[here] - rows[0], c[here] - cols[0]]
    else:
        fields = field_at(plan.kernel, keys, r, c)
    return _mix(plan, fields)


def tile_weights(plan: SimulationPlan, rows: slice, cells: np.ndarray | None = None) -> dict[tuple[int, ...], csr_matrix]:
    """Simple-kriging conditioning weights of the cells of grid rows ``rows``.

    Parameters
    ----------
    plan : SimulationPlan
    rows : slice
        Grid rows of the tile.
    cells : ndarray of int, optional
        Flat indices (within the tile, row-major) of the cells to condition; default all.

    Returns
    -------
    dict
        Sample pattern -> sparse (cells × pattern size) float32 weights: each cell has at most
        ``neighbourhood.max_samples`` non-zero weights. The weights depend on the data
        locations only (normal scores, unit sill, mean 0), so one set serves every element,
        layer and realisation sampled with that pattern.
    """
    xx, yy = np.meshgrid(plan.grid.x, plan.grid.y[rows])
    targets = np.column_stack([xx.ravel(), yy.ravel()])
    if cells is not None:
        targets = targets[cells]
    n = targets.shape[0]
    out: dict[tuple[int, ...], csr_matrix] = {}
    for pattern in plan.patterns:
        idx = np.array(pattern, dtype=int)
        if idx.size == 0:
            out[pattern] = csr_matrix((n, 0))
            continue
        sk = Kriging(plan.model, kind="simple", mean=0.0, neighbourhood=plan.neighbourhood).fit(
            plan.data_xy[idx], np.zeros(idx.size))
        parts = []
        for start in range(0, n, WEIGHT_BLOCK_CELLS):
            nb, w = sk.neighbour_weights(targets[start : start + WEIGHT_BLOCK_CELLS])
            keep = nb < idx.size
            m = nb.shape[0]
            indptr = np.r_[0, np.cumsum(keep.sum(axis=1))]
            parts.append(csr_matrix((w[keep].astype(np.float32), nb[keep], indptr), shape=(m, idx.size)))
        out[pattern] = sparse_vstack(parts, format="csr", dtype=np.float32) if parts else csr_matrix((0, idx.size))
    return out


def conditional_tile_scores(
    plan: SimulationPlan,
    rows: slice,
    *,
    seed: int,
    index: int,
    weights: dict[tuple[int, ...], csr_matrix],
    at_data: np.ndarray,
    cells: np.ndarray | None = None,
    fields: np.ndarray | None = None,
    unweighted: dict[tuple[int, ...], np.ndarray] | None = None,
) -> np.ndarray:
    """Conditional normal scores of realisation ``index`` on a tile, (element, layer, cells).

    ``Y_cs = Y_uc + Σ_α w_α [y_α − Y_uc(x_α)] + m (1 − Σ_α w_α)`` with the tile's ``weights``
    (:func:`tile_weights`, same ``cells``) and ``at_data`` the realisation's unconditional
    scores at the data cells (:func:`unconditional_at_data`). ``fields`` are the
    realisation's independent unit fields on the tile's cells (n_fields, cells) if already
    drawn; ``unweighted`` is ``1 − Σ_α w_α`` per cell of each pattern
    (:func:`_unweighted`) if already summed for these weights.
    """
    nx = plan.grid.shape[1]
    if fields is None:
        fields = field_window(plan.kernel, _keys(plan, seed, index), (rows.start, rows.stop), (0, nx),
                              workers=plan.workers).reshape(plan.n_fields, -1)
        if cells is not None:
            fields = fields[:, cells]
    out = _mix(plan, fields)
    residual = plan.scores - at_data
    shift = mean_shift(plan, seed=seed, index=index)
    if unweighted is None and np.any(shift):
        unweighted = _unweighted(weights)
    for pattern, pairs in plan.patterns.items():
        w = weights[pattern]
        e, lyr = np.array(pairs).T
        if w.shape[1]:
            r = residual[e, lyr][:, list(pattern)]  # (pairs, pattern)
            out[e, lyr] += np.asarray(w @ r.T).T
        if np.any(shift[e, lyr]):  # the realisation's mean, where the data do not fix it
            out[e, lyr] += shift[e, lyr][:, None] * unweighted[pattern][None, :]
    return out


def _unweighted(weights: dict[tuple[int, ...], csr_matrix]) -> dict[tuple[int, ...], np.ndarray]:
    """``1 − Σ_α w_α`` per cell of each pattern: the share of an uncertain mean the data leave."""
    return {p: 1.0 - np.asarray(w.sum(axis=1)).ravel() for p, w in weights.items()}


def _back_transform(plan: SimulationPlan, y: np.ndarray) -> np.ndarray:
    out = np.empty(y.shape, dtype=np.float32)
    for i in range(len(plan.elements)):
        for j in range(plan.n_layers):
            out[i, j] = plan.transforms[i][j].back_transform(y[i, j])
    return out


def _tiles(n_rows: int, n_cols: int, tile_cells: int) -> list[slice]:
    return split_rows(n_rows, [n_cols] * n_rows, max(1, int(tile_cells)))


def simulate_scores(plan: SimulationPlan, *, seed: int, index: int, tile_cells: int = DEFAULT_TILE_CELLS) -> np.ndarray:
    """Conditional normal scores of realisation ``index`` on the whole grid, (element, layer, ny*nx).

    Tile by tile (``tile_cells`` cells of whole rows); the result does not depend on the
    tiling beyond rounding.
    """
    ny, nx = plan.grid.shape
    at_data = unconditional_at_data(plan, seed=seed, index=index)
    out = np.empty((len(plan.elements), plan.n_layers, ny * nx))
    for rows in _tiles(ny, nx, tile_cells):
        w = tile_weights(plan, rows)
        out[:, :, rows.start * nx : rows.stop * nx] = conditional_tile_scores(
            plan, rows, seed=seed, index=index, weights=w, at_data=at_data)
    return out


def simulate_realisation(plan: SimulationPlan, *, seed: int, index: int, tile_cells: int = DEFAULT_TILE_CELLS) -> np.ndarray:
    """Grades of realisation ``index`` on the whole grid, ppm, (element, layer, y, x) float32.

    A pure function of ``(plan, seed, index)``: the noise of field ``f`` is keyed by
    ``(seed, index, f)`` cell by cell, so realisations are reproducible and independent
    whatever order, machine or tiling they are computed with. Holds the whole grid: for
    tonnage over large grids use :func:`run_simulation`, which never does.
    """
    y = simulate_scores(plan, seed=seed, index=index, tile_cells=tile_cells)
    return _back_transform(plan, y).reshape(len(plan.elements), plan.n_layers, *plan.grid.shape)


# ------------------------------------------------------------------ tonnage
@dataclass
class TileWork:
    """One simulation task: a tile of grid rows and a batch of realisations.

    Attributes
    ----------
    rows : slice
        Grid rows.
    cells : ndarray of int
        Flat indices (within the tile) of the cells that carry tonnes (the rest is skipped).
    tonnes : ndarray, (layer, cells)
        Dry tonnes counted in the resource, t.
    codes : ndarray of int8, (layer, cells) or None
        Resource class codes.
    inventory_tonnes : ndarray, (layer, cells) or None
        Dry tonnes of the mined interval of the inventory blocks (0 elsewhere), t.
    inventory_cells, inventory_rows : ndarray of int
        Positions in ``cells`` of the inventory blocks in this tile, and their rows in the
        inventory table.
    indices : tuple of int
        Realisations.
    """

    rows: slice
    cells: np.ndarray
    tonnes: np.ndarray
    codes: np.ndarray | None
    inventory_tonnes: np.ndarray | None
    inventory_cells: np.ndarray
    inventory_rows: np.ndarray
    indices: tuple[int, ...]


def _members(item: str, elements: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """:func:`item_members`, and a simulated variable that is not an element (e.g. a
    composite's TREO oxide sum simulated as one variable) as an item of its own."""
    if item in elements and item not in ELEMENTS:
        return (item,), False
    return item_members(item, elements)


def _oxide_factor(name: str) -> float:
    """Oxide factor of an element; 1 for a variable that is already an oxide grade."""
    return ELEMENTS[name].oxide_factor if name in ELEMENTS else 1.0


def _scopes(cutoff_item: str, cutoffs: Sequence[float], with_classes: bool) -> list[str]:
    classes = [CLASS_NAMES[c] for c in (3, 2, 1, 0)] if with_classes else []
    return ["total", *classes, *[f"{cutoff_item} >= {c:g} ppm" for c in cutoffs]]


def _grid_and_data_window(plan: SimulationPlan) -> tuple[tuple[int, int], tuple[int, int]]:
    """Lattice rows and columns of the smallest window holding the grid and every data cell."""
    ny, nx = plan.grid.shape
    r, c = plan.data_rows, plan.data_cols
    return ((min(0, int(r.min(initial=0))), max(ny, int(r.max(initial=0)) + 1)),
            (min(0, int(c.min(initial=0))), max(nx, int(c.max(initial=0)) + 1)))


def _fields_with_data(plan: SimulationPlan, cells: np.ndarray, *, seed: int,
                      index: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit fields on the grid's ``cells`` and mixed scores at the data cells, from one window.

    For a tile that holds the whole grid: one window over the grid and the data cells
    replaces two (the same values as :func:`unconditional_at_data` to rounding).
    """
    ny, nx = plan.grid.shape
    (r0, r1), (c0, c1) = _grid_and_data_window(plan)
    win = field_window(plan.kernel, _keys(plan, seed, index), (r0, r1), (c0, c1), workers=plan.workers)
    at_data = _mix(plan, win[:, plan.data_rows - r0, plan.data_cols - c0])
    grid = win[:, -r0 : ny - r0, -c0 : nx - c0].reshape(plan.n_fields, -1)
    return grid[:, cells], at_data


def _tile_task(work: TileWork, *, plan: SimulationPlan, seed: int, at_data: np.ndarray | None, cutoff_item: str,
               cutoffs: Sequence[float], n_inventories: int) -> dict[str, object]:
    """Sums of one tile for a batch of realisations (see :func:`run_simulation`).

    ``at_data`` None: the tile is the whole grid, and each realisation's data scores come
    from the same field window as the tile's cells.
    """
    n_scopes = 1 + (4 if work.codes is not None else 0) + len(cutoffs)
    out = {"indices": work.indices, "mud": np.zeros((len(work.indices), n_scopes)),
           "metal": np.zeros((len(work.indices), n_scopes, len(plan.elements))), "inventories": {},
           "inventory_rows": work.inventory_rows}
    if work.cells.size == 0:
        return out
    weights = tile_weights(plan, work.rows, work.cells)
    unweighted = _unweighted(weights) if plan.mean_sd is not None and np.any(plan.mean_sd) else None
    members, is_oxide = _members(cutoff_item, plan.elements)
    idx = [plan.elements.index(m) for m in members]
    factors = np.array([_oxide_factor(m) if is_oxide else 1.0 for m in members])
    t = work.tonnes
    masks: list[np.ndarray] = [np.ones_like(t, dtype=bool)]
    if work.codes is not None:
        masks += [work.codes == c for c in (3, 2, 1, 0)]
    mud, metal, inventories = out["mud"], out["metal"], out["inventories"]
    for k, r in enumerate(work.indices):
        if at_data is None:
            fields, data_r = _fields_with_data(plan, work.cells, seed=seed, index=r)
        else:
            fields, data_r = None, at_data[r]
        y = conditional_tile_scores(plan, work.rows, seed=seed, index=r, weights=weights,
                                    at_data=data_r, cells=work.cells, fields=fields, unweighted=unweighted)
        g = _back_transform(plan, y)
        g_item = np.tensordot(factors, g[idx], axes=1)
        sels = masks + [g_item >= c for c in cutoffs]
        for s, sel in enumerate(sels):
            tw = np.where(sel, t, 0.0)
            mud[k, s] = tw.sum()
            metal[k, s] = np.einsum("eln,ln->e", g, tw, dtype=np.float64) * 1e-6
        if r < n_inventories and work.inventory_tonnes is not None and work.inventory_cells.size:
            pick = work.inventory_cells
            inventories[r] = np.einsum("eln,ln->en", g[:, :, pick], work.inventory_tonnes[:, pick], dtype=np.float64)
    return out


def _data_task(batch: tuple[int, ...], *, plan: SimulationPlan, seed: int) -> np.ndarray:
    return np.stack([unconditional_at_data(plan, seed=seed, index=r) for r in batch])


@dataclass
class SimulationRun:
    """Result of :func:`simulate_resource`.

    Attributes
    ----------
    tonnage : pandas.DataFrame
        Long table (see :func:`run_simulation`).
    inventory_grades : ndarray (realisation, block, element) or None
        The mining inventory's grades re-graded with each of the first ``n_inventories``
        realisations, ppm; elements in the order of the inventory's element columns
        (:attr:`inventory_elements`), blocks in its row order. Elements not simulated keep
        the inventory's grades. One array, not a table per realisation.
    inventory_elements : list of str
        Element of each column of ``inventory_grades``.
    inventory : pandas.DataFrame or None
        The mining inventory that was re-graded.
    """

    tonnage: pd.DataFrame
    inventory_grades: np.ndarray | None = None
    inventory_elements: list[str] = field(default_factory=list)
    inventory: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def inventories(self) -> list[pd.DataFrame]:
        """The re-graded inventories as tables (one copy of the inventory per realisation)."""
        if self.inventory_grades is None:
            return []
        out = []
        for grades in self.inventory_grades:
            inv = self.inventory.copy()
            inv[self.inventory_elements] = grades
            out.append(inv)
        return out


def simulate_resource(
    plan: SimulationPlan,
    bm: xr.Dataset,
    *,
    n_realisations: int,
    seed: int,
    mapper: Callable | None = None,
    items: Iterable[str] = DEFAULT_ITEMS,
    cutoff_item: str = "REY",
    cutoffs: Sequence[float] = (400.0, 1000.0, 2000.0),
    resource_class: xr.DataArray | None = None,
    density_relative_sd: float = 0.0,
    thickness_relative_sd: float = 0.0,
    inventory: pd.DataFrame | None = None,
    inventory_tonnes: xr.DataArray | None = None,
    n_inventories: int = 0,
    tile_cells: int = DEFAULT_TILE_CELLS,
) -> SimulationRun:
    """Tonnage (and re-graded mining inventories) of ``n_realisations`` realisations, tile by tile.

    Parameters
    ----------
    plan : SimulationPlan
        From :func:`prepare_simulation` (elements must be in the block model).
    bm : xarray.Dataset
        Block model (cell area, thickness, density, ``mineable``); may be read lazily.
    n_realisations : int
        Number of realisations (≥ 1).
    seed : int
        Base seed.
    mapper : callable, optional
        ``mapper(func, items, **shared)`` (:class:`seabed.compute.Mapper`): every (tile,
        batch of realisations) is one task; default: in this process.
    items : iterable of str
        Groups/oxide groups reported besides each element.
    cutoff_item : str, default "REY"
        Item the cut-offs apply to (per cell-layer).
    cutoffs : sequence of float
        Cut-off grades, ppm.
    resource_class : xarray.DataArray, optional
        ``(layer, y, x)`` class codes; default ``bm.resource_class`` if present.
    density_relative_sd, thickness_relative_sd : float
        Relative standard deviation of a global density / thickness factor drawn per
        realisation (normal, truncated at ±3 sd); 0 switches it off.
    inventory : pandas.DataFrame, optional
        The mining inventory (:func:`seabed.resource.selectivity.mining_inventory`) to re-grade.
    inventory_tonnes : xarray.DataArray, optional
        Its ``(layer, y, x)`` tonnes of the mined interval
        (:func:`seabed.resource.selectivity.inventory_tonnes`), t.
    n_inventories : int, default 0
        Re-grade the inventory with the first ``n_inventories`` realisations.
    tile_cells : int
        Cells per tile (whole rows): bounds a task's memory at about
        ``plan.bytes_per_cell() × tile_cells + plan.task_bytes()`` bytes; with a memory
        budget, ``ComputeOptions.cells_per_chunk(plan.bytes_per_cell(),
        task_bytes=plan.task_bytes())``.

    Returns
    -------
    SimulationRun

    Notes
    -----
    Memory does not grow with the grid beyond (layer, y, x) maps of tonnes and classes:
    each task simulates one tile (fields on the tile plus its halo, conditioning weights
    of the tile's cells, solved once for the task's realisations) and returns sums. The
    unconditional scores at the data cells are computed first, once per realisation
    (``n_realisations × elements × layers × n_data`` values). Only cells with tonnes are
    conditioned. The table is the same whatever the scheduler, tile size or batching (to
    rounding): every random number is keyed by (seed, realisation, field, lattice cell).
    """
    if n_realisations < 1:
        raise ConfigError(f"simulation.n_realisations: got {n_realisations}; expected >= 1")
    runner = mapper or map_locally
    workers = int(getattr(mapper, "n_workers", 1))
    ny, nx = plan.grid.shape
    tiles = _tiles(ny, nx, tile_cells)
    if len(tiles) < 2 * workers and ny * nx > DEFAULT_TILE_CELLS:
        # a large grid: parallel tiles (weights solved once each) rather than realisation batches
        tiles = _tiles(ny, nx, -(-ny * nx // (2 * workers)))
    n_batches = max(1, min(n_realisations, -(-2 * workers // len(tiles)))) if workers > 1 else 1
    batches = [tuple(int(i) for i in b) for b in np.array_split(np.arange(n_realisations), n_batches)]
    (r0, r1), (c0, c1) = _grid_and_data_window(plan)
    if len(tiles) == 1 and (r1 - r0) * (c1 - c0) <= 2 * ny * nx:  # one window per realisation: grid and data
        at_data = None
    else:
        at_data = np.concatenate(list(runner(_data_task, batches, plan=plan, seed=seed)))

    tonnes = block_tonnes(bm).transpose("layer", "y", "x")
    rc = resource_class if resource_class is not None else bm.get("resource_class")
    codes = None if rc is None else rc.transpose("layer", "y", "x")
    inv_t = None
    inv_flat = np.empty(0, dtype=np.int64)
    if inventory is not None and n_inventories > 0:
        if inventory_tonnes is None:
            raise ConfigError("simulation: an inventory to re-grade needs its inventory_tonnes (layer, y, x)")
        inv_t = inventory_tonnes.transpose("layer", "y", "x")
        col = np.round((inventory["x"].to_numpy() - plan.grid.x[0]) / plan.grid.cell_size).astype(np.int64)
        row = np.round((plan.grid.y[0] - inventory["y"].to_numpy()) / plan.grid.cell_size).astype(np.int64)
        inv_flat = row * nx + col

    def block(da: xr.DataArray | None, rows: slice, dtype: type = float) -> np.ndarray | None:
        return None if da is None else np.asarray(da.isel(y=rows).values, dtype=dtype).reshape(plan.n_layers, -1)

    def tasks() -> Iterator[TileWork]:  # built one wave at a time: (layer, y, x) maps never whole
        for rows in tiles:
            span = slice(rows.start * nx, rows.stop * nx)
            t, c, it = block(tonnes, rows), block(codes, rows, np.int8), block(inv_t, rows)
            active = t.any(axis=0) if it is None else t.any(axis=0) | it.any(axis=0)
            cells = np.flatnonzero(active)
            in_tile = np.flatnonzero((inv_flat >= span.start) & (inv_flat < span.stop))
            pos = np.searchsorted(cells, inv_flat[in_tile] - span.start)
            for batch in batches:
                yield TileWork(rows=rows, cells=cells, tonnes=t[:, cells], codes=None if c is None else c[:, cells],
                               inventory_tonnes=None if it is None else it[:, cells], inventory_cells=pos,
                               inventory_rows=in_tile, indices=batch)

    with_classes = codes is not None
    scopes = _scopes(cutoff_item, cutoffs, with_classes)
    mud = np.zeros((n_realisations, len(scopes)))
    metal = np.zeros((n_realisations, len(scopes), len(plan.elements)))
    n_inv = min(n_inventories, n_realisations) if inv_t is not None else 0
    if n_inv:  # the inventory's grades, re-graded in place realisation by realisation
        inv_elements = element_columns(inventory.columns)
        inv_grades = np.repeat(inventory[inv_elements].to_numpy(dtype=float)[None], n_inv, axis=0)
        col_t = inventory["dry_tonnes"].to_numpy(dtype=float)
        simulated = [(k, inv_elements.index(e)) for k, e in enumerate(plan.elements) if e in inv_elements]
    parts = getattr(runner, "imap", runner)(_tile_task, tasks(), plan=plan, seed=seed, at_data=at_data,
                                            cutoff_item=cutoff_item, cutoffs=list(cutoffs), n_inventories=n_inv)
    for part in parts:
        idx = list(part["indices"])
        mud[idx] += part["mud"]
        metal[idx] += part["metal"]
        for r, m in part["inventories"].items():  # each block lies in one tile: written once
            rows = part["inventory_rows"]
            for k, j in simulated:
                inv_grades[r, rows, j] = m[k] / col_t[rows]
    tables = [_tonnage_frame(plan, r, mud[r], metal[r], scopes, list(items), seed=seed,
                             density_relative_sd=density_relative_sd, thickness_relative_sd=thickness_relative_sd)
              for r in range(n_realisations)]
    if not n_inv:
        return SimulationRun(pd.concat(tables, ignore_index=True))
    return SimulationRun(pd.concat(tables, ignore_index=True), inv_grades, inv_elements, inventory)


def _tonnage_frame(plan: SimulationPlan, index: int, mud: np.ndarray, metal: np.ndarray, scopes: list[str],
                   items: list[str], *, seed: int, density_relative_sd: float,
                   thickness_relative_sd: float) -> pd.DataFrame:
    """The long table of one realisation from its sums per scope (t)."""
    rng = _rng(seed, 10**9 + index)
    factor = 1.0
    for sd in (density_relative_sd, thickness_relative_sd):
        if sd > 0:
            factor *= 1.0 + sd * float(np.clip(rng.standard_normal(), -3, 3))
    ox = np.array([_oxide_factor(e) for e in plan.elements])
    rows = []
    for s, scope in enumerate(scopes):
        m = metal[s] * factor
        rows.append((scope, "mud", float(mud[s] * factor), np.nan))
        for k, e in enumerate(plan.elements):
            rows.append((scope, e, float(m[k]), float(m[k] * ox[k])))
        for item in items:
            mem, oxide = _members(item, plan.elements)
            ii = [plan.elements.index(x) for x in mem]
            as_oxide = float((m[ii] * ox[ii]).sum())
            rows.append((scope, item, as_oxide if oxide else float(m[ii].sum()), as_oxide))
    out = pd.DataFrame(rows, columns=["scope", "item", "tonnes", "oxide_tonnes"])
    out.insert(0, "realisation", index)
    return out


def run_simulation(plan: SimulationPlan, bm: xr.Dataset, *, n_realisations: int, seed: int,
                   mapper: Callable | None = None, **options: object) -> pd.DataFrame:
    """Tonnage of ``n_realisations`` realisations: totals, per class and above each cut-off.

    See :func:`simulate_resource` for the parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``realisation``, ``scope`` ("total", a class name, or
        ``"<item> >= <c> ppm"``), ``item`` (``"mud"``, elements, groups), ``tonnes`` (t;
        dry mud for ``"mud"``, oxide tonnes for oxide groups, metal tonnes otherwise) and
        ``oxide_tonnes`` (t, as oxides; NaN for mud).
    """
    return simulate_resource(plan, bm, n_realisations=n_realisations, seed=seed, mapper=mapper,
                             **options).tonnage


def summarise_realisations(
    results: pd.DataFrame, *, quantiles: Sequence[float] = (0.1, 0.5, 0.9), units: str = "t"
) -> pd.DataFrame:
    """P10/P50/P90 (and mean) of tonnage per scope and item.

    Returns
    -------
    pandas.DataFrame
        Index ``(scope, item)``; columns ``P10 [t]``, ``P50 [t]``, ``P90 [t]``,
        ``mean [t]`` of ``tonnes`` and ``oxide P10 [t]``... of ``oxide_tonnes`` (P10 is the
        10 % quantile: 90 % of realisations exceed it).
    """
    from seabed.units import Quantity

    f = Quantity(1, "t").to(units).magnitude
    grouped = results.groupby(["scope", "item"], sort=False)
    out = pd.DataFrame({f"P{round(q * 100)} [{units}]": grouped["tonnes"].quantile(q) * f for q in quantiles})
    out[f"mean [{units}]"] = grouped["tonnes"].mean() * f
    if "oxide_tonnes" in results:
        for q in quantiles:
            out[f"oxide P{round(q * 100)} [{units}]"] = grouped["oxide_tonnes"].quantile(q) * f
    out.attrs["n_realisations"] = int(results["realisation"].nunique())
    return out
