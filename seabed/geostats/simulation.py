"""Conditional simulation of grades: the plan shared by every realisation.

This module fits what the realisations share (:func:`prepare_simulation` → :class:`SimulationPlan`);
:mod:`seabed.geostats.conditioning` draws and conditions the realisations, and
:mod:`seabed.resource.uncertainty` turns them into the spread of tonnage.

Method (Gaussian, kernel convolution + kriging-of-residuals conditioning, tile by tile)
-------------------------------------------------------------------------------------
1. **Normal scores.** Each element × layer composite column is mapped to N(0, 1) by its
   own empirical normal-score transform
   (:class:`~seabed.geostats.normal_score.NormalScoreTransform`).
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
   the same field. When the whole grid fits one task (the pipeline checks the memory
   budget), the plan uses **spectral fields** instead (:func:`~seabed.geostats.plan_variants.with_spectral_fields`,
   :mod:`seabed.geostats.circulant`): circulant embedding on a torus around the window of
   the grid and the data, with the model's covariance exactly (the convolution kernel's is
   within ~1e-3), and two fields per complex FFT of the window plus one range — 3–5× fewer
   FFT operations than the convolution's window plus two halos. They are defined for that
   window only, so large grids keep the tileable convolution fields. The fields (float32 by
   default, :attr:`SimulationPlan.dtype`) are then correlated across elements and layers with
   the Cholesky factors of ``R_e`` and of the AR(1) matrix.
4. **Conditioning.** ``Y_cs = Y_uc + Σ_α w_α(u) [y_α − Y_uc(x_α)]`` with simple-kriging
   weights ``w`` (mean 0, the standardised model). Under the separable model with
   isotopic data, simple cokriging reduces to kriging each variable alone (autokrigeability,
   Wackernagel 2003 §25), so the weights depend only on the set of data locations: they are
   solved per tile, **once** for all elements, layers and the realisations of a task
   (:func:`~seabed.geostats.conditioning.tile_weights`, :class:`seabed.geostats.kriging.Kriging` on an identity
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

Scale: :func:`seabed.resource.uncertainty.simulate_resource` runs one task per (tile of grid
rows, batch of realisations); a task holds its tile's fields, weights and grades and returns
tonnage sums, so memory is bounded by the tile size, not the grid. Each realisation is a pure
function of ``(plan, seed, index)``; the tables do not depend on the scheduler, tile size
or batching beyond rounding (tests: 1e-10).
:func:`seabed.resource.uncertainty.summarise_realisations` gives P10/P50/P90.

Limitations: one variogram for all elements and layers; the AR(1) vertical model and
the pooled element correlations are approximations; with heterotopic data (a core missing
some layers) each sample pattern gets its own weights, and the cokriging shortcut is
then approximate; data are moved to the centres of their grid cells (several cores in a
cell are averaged); the convolution kernel is truncated where it holds all but ``1e-5`` of the
variance (implied covariance within ~2e-3 of the model; spectral fields are exact for spherical
structures and within ~1e-4 for the others); a practical range of more than ~1,000
cells is refused (cap the fitted range, ``variogram.max_range``).

References
----------
Oliver, D. S. (1995). Moving averages for Gaussian simulation in two and three dimensions.
*Mathematical Geology* 27(5), 939–960.
Dietrich, C. R. & Newsam, G. N. (1997). Fast and exact simulation of stationary Gaussian processes
through circulant embedding of the covariance matrix. *SIAM J. Sci. Comput.* 18(4), 1088–1107.
Journel, A. G. & Huijbregts, C. J. (1978). *Mining Geostatistics*, §V.C (conditioning by
kriging). Wackernagel, H. (2003). *Multivariate Geostatistics*, 3rd ed., Springer.
Deutsch, C. V. & Journel, A. G. (1998). *GSLIB*, 2nd ed., §V.1.6 (normal-score transform).
Diggle, P. J. & Ribeiro, P. J. (2007). *Model-based Geostatistics*, Springer, §7.2 (a flat
prior on the mean: predictive variance = ordinary-kriging variance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr
from scipy.linalg import cho_factor, cho_solve

from seabed.defaults import SIMULATION_MAX_SAMPLES, SIMULATION_MIN_SAMPLES
from seabed.elements import ELEMENTS
from seabed.errors import InputDataError
from seabed.geostats.circulant import CirculantEmbedding
from seabed.geostats.kernel import ConvolutionKernel
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.normal_score import NormalScoreTransform
from seabed.geostats.random_field import window_workspace_bytes
from seabed.geostats.variogram import VariogramModel
from seabed.working_grid import WorkingGrid

if TYPE_CHECKING:  # numba is imported only when a realisation is back-transformed
    from seabed.geostats.back_transform import ScoreTables

__all__ = [
    "KERNEL_TOLERANCE",
    "MEAN_VARIANCE_MAX_DATA",
    "SIMULATION_NEIGHBOURHOOD",
    "VARIOGRAM_STREAM",
    "SimulationPlan",
    "mean_score_variance",
    "prepare_simulation",
    "simulation_bytes_per_cell",
]

#: Default conditioning neighbourhood: the ``SIMULATION_MAX_SAMPLES`` nearest data, at least
#: ``SIMULATION_MIN_SAMPLES`` (:mod:`seabed.defaults`), at any distance (no search radius).
SIMULATION_NEIGHBOURHOOD = Neighbourhood(max_samples=SIMULATION_MAX_SAMPLES, min_samples=SIMULATION_MIN_SAMPLES,
                                         radius=np.inf)

#: Data cells used for the variance of the mean (above: an evenly strided subset).
MEAN_VARIANCE_MAX_DATA = 2_500

#: Default fraction of the unit variance the truncated convolution kernel may miss (keeps the
#: implied covariance within ~2e-3 of the model; :class:`ConvolutionKernel`).
KERNEL_TOLERANCE = 1e-5

#: Offset of the model index in the seed of the variogram drawn for it (:func:`seabed.geostats.plan_variants.perturbed_plans`).
VARIOGRAM_STREAM = 2 * 10**9


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
    dtype : numpy dtype, default float32
        Precision of the fields, their mixing and conditioning (``numpy.float32`` or
        ``numpy.float64``; the weights' solves, the data's residuals and the tonnage sums are
        float64 either way). Scores hold ~7 significant digits in float32, far finer than
        any grade is known; realisations of different tilings then agree to ~1e-6 instead of
        1e-12.
    spectrum : CirculantEmbedding or None
        Spectral fields on the window of the grid and the data (:func:`~seabed.geostats.plan_variants.with_spectral_fields`):
        the realisations are then drawn on that window whole, in one task; None: convolution
        fields, tileable (:mod:`seabed.geostats.random_field`).
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
    dtype: type = np.float32
    spectrum: CirculantEmbedding | None = field(repr=False, default=None)

    @property
    def n_layers(self) -> int:
        """Number of layers."""
        return self.grid.layers.n

    @property
    def n_fields(self) -> int:
        """Independent Gaussian fields per realisation (elements × layers)."""
        return len(self.elements) * self.grid.layers.n

    @cached_property
    def score_tables(self) -> ScoreTables:
        """The back-transform tables of every (element, layer) column, element-major, stacked for
        :func:`seabed.geostats.back_transform.back_transform_columns` (computed once per plan)."""
        from seabed.geostats.back_transform import stack_tables

        return stack_tables([t.table() for row in self.transforms for t in row])

    def bytes_per_cell(self) -> int:
        """Working memory per tile cell of a simulation task (:func:`simulation_bytes_per_cell`)."""
        k = self.neighbourhood.max_samples or self.data_xy.shape[0]
        return simulation_bytes_per_cell(self.n_fields, len(self.patterns), min(k, self.data_xy.shape[0]),
                                         n_layers=self.n_layers, value_bytes=np.dtype(self.dtype).itemsize)

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


def simulation_bytes_per_cell(n_fields: int, n_patterns: int = 1, max_samples: int = SIMULATION_MAX_SAMPLES, *,
                              n_layers: int = 1, value_bytes: int = 8) -> int:
    """Working memory of one target cell in a simulation tile, bytes.

    ``6 × value_bytes × n_fields + 8 × max_samples × n_patterns + 40 × n_layers + 64``: the
    fields on the tile, their mixed and conditioned scores and the back-transformed grades
    (``value_bytes`` 8 for float64 fields, 4 for float32, :attr:`SimulationPlan.dtype`); the
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
    holding the 224 MB FFT buffers of :meth:`SimulationPlan.task_bytes`):

    >>> from seabed.compute import chunk_cells_for_budget
    >>> chunk_cells_for_budget(3 * 2**30, 13264, n_workers=2, task_bytes=28 * 8_000_000)
    104539
    """
    return 6 * int(value_bytes) * int(n_fields) + 8 * int(max_samples) * int(n_patterns) + 40 * int(n_layers) + 64


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
    neighbourhood: Neighbourhood = SIMULATION_NEIGHBOURHOOD,
    kernel_tolerance: float = KERNEL_TOLERANCE,
    workers: int = 1,
    mean_uncertainty: bool = True,
    core_weights: np.ndarray | None = None,
    dtype: type = np.float32,
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
    neighbourhood : Neighbourhood, default SIMULATION_NEIGHBOURHOOD
        Search of the conditioning kriging; default the ``SIMULATION_MAX_SAMPLES`` (64) nearest
        data at any distance, at least ``SIMULATION_MIN_SAMPLES`` (1) (:mod:`seabed.defaults`).
        More samples than grade estimation: the conditioning must reproduce the data's covariance.
    kernel_tolerance : float, default 1e-5
        Variance fraction the truncated kernel may miss (see :class:`ConvolutionKernel`).
    workers : int, default 1
        FFT threads inside one task.
    mean_uncertainty : bool, default True
        Draw each realisation's normal-score mean from its posterior (module docstring,
        step 4); False conditions with a known mean 0 (simple kriging), which leaves the
        uncertainty of the global mean out of the spread.
    core_weights : ndarray, shape (n_cores,), optional
        Declustering weight of each core of ``composites`` (e.g. cell declustering,
        :func:`seabed.geostats.declustering.cell_declustering`): the normal-score transforms
        follow the declustered distribution of each element and layer. Default: equal weights.
    dtype : {numpy.float32, numpy.float64}, default float32
        Precision of the simulated fields (:attr:`SimulationPlan.dtype`).

    Returns
    -------
    SimulationPlan

    Notes
    -----
    Nothing here grows with the grid: the conditioning weights are solved tile by tile in
    the realisation tasks (:func:`seabed.resource.uncertainty.simulate_resource`), once per tile
    for all the realisations of a task.
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
    if core_weights is not None and np.shape(core_weights) != (values.shape[2],):
        raise InputDataError(f"core_weights: got shape {np.shape(core_weights)}; expected ({values.shape[2]},), "
                             "one weight per core of the composites")
    transforms = [[NormalScoreTransform.fit(values[i, j], weights=core_weights) for j in range(n_l)]
                  for i in range(n_el)]
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
        neighbourhood=neighbourhood,
        chol_elements=_nearest_psd_cholesky(r_el),
        chol_layers=_nearest_psd_cholesky(rho**lag),
        vertical_correlation=rho,
        element_correlation=r_el,
        workers=workers,
        mean_sd=mean_sd,
        dtype=_field_dtype(dtype),
    )


def _field_dtype(dtype: type) -> type:
    kind = np.dtype(dtype)
    if kind not in (np.float32, np.float64):
        raise ValueError(f"prepare_simulation: got dtype {kind}; expected float32 or float64")
    return kind.type
