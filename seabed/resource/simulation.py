"""Conditional simulation of grades and the spread of tonnage it implies.

Method (Gaussian, FFT + kriging-of-residuals conditioning)
----------------------------------------------------------
1. **Normal scores.** Each element × layer composite column is mapped to N(0, 1) by its
   own empirical normal-score transform (:class:`NormalScoreTransform`).
2. **Correlation model.** One standardised variogram ``γ`` (any
   :class:`~seabed.geostats.variogram.VariogramModel`, rescaled to sill 1) for every
   element and layer, an element correlation matrix ``R_e`` (normal scores, pooled over
   cores and layers) and a layer-to-layer correlation ``ρ^|Δl|`` (AR(1) in depth):
   ``Cov(Y_el(u), Y_e'l'(u')) = R_e[e, e'] ρ^|l−l'| C(u − u')`` — an intrinsic
   (separable) model.
3. **Unconditional fields.** Independent standard Gaussian fields with covariance
   ``C`` are drawn on the grid by circulant embedding (FFT; Dietrich & Newsam 1993; two
   fields per complex FFT), then correlated across elements and layers with the Cholesky
   factors of ``R_e`` and of the AR(1) matrix.
4. **Conditioning.** ``Y_cs = Y_uc + Σ_α w_α(u) [y_α − Y_uc(x_α)]`` with simple-kriging
   weights ``w`` (mean 0, the standardised model). Under the separable model with
   isotopic data, simple cokriging reduces to kriging each variable alone (autokrigeability,
   Wackernagel 2003 §25), so the weights depend only on the set of data locations: they are
   solved **once** (by :class:`seabed.geostats.kriging.Kriging` on an identity right-hand
   side) and reused for every element, layer and realisation.
5. **Back-transform** to ppm with each column's transform.

Each realisation is a pure function of ``(plan, seed, index)``
(:func:`simulate_realisation`), so realisations can run as independent (e.g. Dask) tasks.
:func:`realisation_tonnage` reduces one realisation to a small table (tonnage per
element, class and cut-off) and :func:`summarise_realisations` gives P10/P50/P90.

Limitations: one variogram for all elements and layers; the AR(1) vertical model and
the pooled element correlations are approximations; with heterotopic data (a core missing
some layers) each sample pattern gets its own weights, and the cokriging shortcut is
then approximate; data are moved to the centres of their grid cells (several cores in a
cell are averaged).

References
----------
Dietrich, C. R. & Newsam, G. N. (1993). A fast and exact method for multidimensional
Gaussian stochastic simulations. *Water Resources Research* 29(8), 2861–2869.
Journel, A. G. & Huijbregts, C. J. (1978). *Mining Geostatistics*, §V.C (conditioning by
kriging). Wackernagel, H. (2003). *Multivariate Geostatistics*, 3rd ed., Springer.
Deutsch, C. V. & Journel, A. G. (1998). *GSLIB*, 2nd ed., §V.1.6 (normal-score transform).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy import fft as sfft
from scipy.sparse import csr_matrix
from scipy.sparse import vstack as sparse_vstack
from scipy.special import ndtri

from seabed.elements import ELEMENTS
from seabed.errors import ConfigError, InputDataError
from seabed.geostats.kriging import Kriging
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.variogram import VariogramModel
from seabed.resource.classification import CLASS_NAMES
from seabed.resource.tonnage import DEFAULT_ITEMS, block_tonnes, item_members
from seabed.working_grid import WorkingGrid

__all__ = [
    "NormalScoreTransform",
    "SimulationPlan",
    "gaussian_field_spectrum",
    "gaussian_fields",
    "prepare_simulation",
    "realisation_tonnage",
    "run_simulation",
    "simulate_realisation",
    "simulate_scores",
    "summarise_realisations",
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


# ------------------------------------------------------------------ FFT fields
def gaussian_field_spectrum(
    model: VariogramModel, shape: tuple[int, int], cell_size: float, *, padding: float | None = None
) -> tuple[np.ndarray, float]:
    """Square root of the circulant-embedding eigenvalues for ``model`` on a grid.

    Parameters
    ----------
    model : VariogramModel
        Variogram; rescaled to unit sill.
    shape : (ny, nx)
        Size of the grid to simulate.
    cell_size : float
        Cell edge, m.
    padding : float, optional
        Padding of the embedding, in multiples of the longest practical range; default 1
        for spherical structures only (compact support: the embedding is then exact),
        1.5 otherwise.

    Returns
    -------
    (sqrt_eigenvalues, clipped) : ndarray (My, Mx) float32, float
        ``sqrt(max(λ, 0) / (My·Mx))`` and the fraction of the total variance lost by
        clipping negative eigenvalues (0 for an exact embedding).

    Notes
    -----
    The covariance on the (My × Mx) torus has first row c[i, j] = C(j' d, −i' d) with
    signed wrapped offsets i', j' (rows run north → south); λ = FFT₂(c) are the eigenvalues
    of the block-circulant matrix. ``Z = FFT₂(√(λ/M) ⊙ (ε₁ + iε₂))`` has independent real
    and imaginary parts, each with covariance C on the grid.
    """
    unit = model.scaled(1.0 / model.sill)
    if padding is None:
        padding = 1.0 if all(s.kind == "spherical" for s in unit.structures) else 1.5
    longest = max((max(s.range, s.range_minor or 0.0) for s in unit.structures), default=cell_size)
    pad = int(np.ceil(padding * longest / cell_size))
    my = sfft.next_fast_len(shape[0] + pad, real=False)
    mx = sfft.next_fast_len(shape[1] + pad, real=False)
    i = np.arange(my)
    j = np.arange(mx)
    di = np.where(i <= my // 2, i, i - my)
    dj = np.where(j <= mx // 2, j, j - mx)
    dy = -di[:, None] * cell_size
    dx = dj[None, :] * cell_size
    c = unit.covariance(np.broadcast_to(dx, (my, mx)), np.broadcast_to(dy, (my, mx)))
    lam = np.real(sfft.fft2(c))
    negative = -lam[lam < 0].sum()
    clipped = float(negative / lam[lam > 0].sum()) if negative > 0 else 0.0
    sqrt_lam = np.sqrt(np.clip(lam, 0.0, None) / (my * mx)).astype(np.float32)
    return sqrt_lam, clipped


def gaussian_fields(
    sqrt_lam: np.ndarray, n: int, shape: tuple[int, int], rng: np.random.Generator, workers: int
) -> np.ndarray:
    """``n`` independent unconditional fields, (n, ny, nx) float32.

    Parameters
    ----------
    sqrt_lam : ndarray
        From :func:`gaussian_field_spectrum`.
    n : int
        Number of fields.
    shape : (ny, nx)
        Grid size (at most the embedding size).
    rng : numpy.random.Generator
        Random stream.
    workers : int
        FFT threads.
    """
    my, mx = sqrt_lam.shape
    out = np.empty((n, *shape), dtype=np.float32)
    for k in range(0, n, 2):
        noise = rng.standard_normal((my, mx, 2), dtype=np.float32).view(np.complex64)[..., 0]
        noise *= sqrt_lam
        z = sfft.fft2(noise, workers=workers, overwrite_x=True)
        out[k] = z.real[: shape[0], : shape[1]]
        if k + 1 < n:
            out[k + 1] = z.imag[: shape[0], : shape[1]]
    return out


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
    sqrt_lam : ndarray
        FFT spectrum on the extended lattice (see :func:`gaussian_field_spectrum`).
    lattice_shape : (ny, nx)
        Extended lattice (the grid plus the cells holding data outside it).
    grid_rows, grid_cols : slice
        Where the grid sits in the lattice.
    data_index : ndarray of int
        Flat lattice index of each data cell.
    scores : ndarray, (element, layer, n_data)
        Normal scores of the data cells (NaN where missing).
    weights : dict
        Sample pattern (tuple of data indices) -> simple-kriging weights, a sparse
        (n_grid, n_pattern) float32 CSR matrix.
    chol_elements, chol_layers : ndarray
        Cholesky factors of the element and layer correlation matrices.
    vertical_correlation : float
        Layer-to-layer correlation ρ.
    clipped_variance : float
        Variance fraction lost in the embedding.
    """

    grid: WorkingGrid
    elements: list[str]
    transforms: list[list[NormalScoreTransform]]
    sqrt_lam: np.ndarray
    lattice_shape: tuple[int, int]
    grid_rows: slice
    grid_cols: slice
    data_index: np.ndarray
    scores: np.ndarray
    weights: dict[tuple[int, ...], csr_matrix]
    chol_elements: np.ndarray
    chol_layers: np.ndarray
    vertical_correlation: float
    clipped_variance: float
    element_correlation: np.ndarray = field(repr=False, default_factory=lambda: np.eye(1))
    workers: int = 1

    @property
    def n_layers(self) -> int:
        """Number of layers."""
        return self.grid.layers.n


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


#: Grid cells per block when solving the conditioning weights (fixed, so that the weights,
#: and hence every realisation, do not depend on how the work is scheduled).
WEIGHT_BLOCK_CELLS = 16_384

#: Lattice cells mixed at once by the element and layer Cholesky factors (bounds temporaries).
MIX_BLOCK_CELLS = 65_536


def _map_locally(func: Callable, items: Sequence, **shared: object) -> list:
    return [func(item, **shared) for item in items]


def _weight_block(rows: slice, *, estimator: Kriging, targets: np.ndarray) -> csr_matrix:
    """Simple-kriging weights of the targets ``rows`` as a sparse (rows × data) matrix."""
    w = estimator.predict(targets[rows]).estimate
    w = np.nan_to_num(np.atleast_2d(w).reshape(rows.stop - rows.start, -1)).astype(np.float32)
    return csr_matrix(w)


def prepare_simulation(
    composites: xr.Dataset,
    grid: WorkingGrid,
    *,
    model: VariogramModel,
    elements: Sequence[str] | None = None,
    vertical_correlation: float | None = None,
    neighbourhood: Neighbourhood | None = None,
    padding: float | None = None,
    workers: int = 1,
    mapper: Callable | None = None,
) -> SimulationPlan:
    """Fit transforms, correlations, FFT spectrum and kriging weights once.

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
    padding : float, optional
        FFT embedding padding in multiples of the longest range (see
        :func:`gaussian_field_spectrum`).
    workers : int, default 1
        Threads for the FFTs.
    mapper : callable, optional
        ``map``-like ``mapper(func, items, **shared)`` (:class:`seabed.compute.Mapper`) that
        solves the conditioning weights of blocks of ``WEIGHT_BLOCK_CELLS`` cells as tasks.

    Returns
    -------
    SimulationPlan

    Notes
    -----
    The conditioning weights are stored sparse: each cell has at most
    ``neighbourhood.max_samples`` non-zero weights (64 by default), so the weights of a
    pattern take ``8 × 64 × cells`` bytes instead of ``4 × n_data × cells`` dense.
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

    # lattice: the grid extended to every data cell
    d = grid.cell_size
    cx = np.asarray(composites["x"].values, dtype=float)
    cy = np.asarray(composites["y"].values, dtype=float)
    col = np.round((cx - grid.x[0]) / d).astype(int)
    row = np.round((grid.y[0] - cy) / d).astype(int)
    r0, c0 = min(0, row.min()), min(0, col.min())
    r1, c1 = max(grid.shape[0], row.max() + 1), max(grid.shape[1], col.max() + 1)
    lattice = (r1 - r0, c1 - c0)
    flat = (row - r0) * lattice[1] + (col - c0)
    cells, inverse = np.unique(flat, return_inverse=True)
    with np.errstate(invalid="ignore"):
        scores = np.full((n_el, n_l, cells.size), np.nan)
        for k in range(cells.size):
            members = core_scores[..., inverse == k]
            counts = np.isfinite(members).sum(axis=-1)
            sums = np.nansum(members, axis=-1)
            scores[..., k] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    r_el = _element_correlation(core_scores)
    rho = _vertical_correlation(core_scores) if vertical_correlation is None else float(vertical_correlation)
    lag = np.abs(np.arange(n_l)[:, None] - np.arange(n_l)[None, :])
    chol_layers = _nearest_psd_cholesky(rho**lag)
    chol_el = _nearest_psd_cholesky(r_el)

    sqrt_lam, clipped = gaussian_field_spectrum(model, lattice, d, padding=padding)

    unit = model.scaled(1.0 / model.sill)
    lat_r, lat_c = np.divmod(cells, lattice[1])
    data_xy = np.column_stack([grid.x[0] + (lat_c + c0) * d, grid.y[0] - (lat_r + r0) * d])
    targets = grid.cell_centres()
    hood = neighbourhood or Neighbourhood(max_samples=64, min_samples=1)
    weights: dict[tuple[int, ...], csr_matrix] = {}
    blocks = [slice(s, min(s + WEIGHT_BLOCK_CELLS, targets.shape[0]))
              for s in range(0, targets.shape[0], WEIGHT_BLOCK_CELLS)]
    runner = mapper or _map_locally
    for pattern in sorted({tuple(np.flatnonzero(np.isfinite(scores[i, j]))) for i in range(n_el) for j in range(n_l)}):
        idx = np.array(pattern, dtype=int)
        if idx.size == 0:
            weights[pattern] = csr_matrix((targets.shape[0], 0), dtype=np.float32)
            continue
        sk = Kriging(unit, kind="simple", mean=0.0, neighbourhood=hood).fit(data_xy[idx], np.eye(idx.size))
        parts = runner(_weight_block, blocks, estimator=sk, targets=targets)
        weights[pattern] = sparse_vstack(parts, format="csr", dtype=np.float32)
    return SimulationPlan(
        grid=grid,
        elements=elements,
        transforms=transforms,
        sqrt_lam=sqrt_lam,
        lattice_shape=lattice,
        grid_rows=slice(-r0, -r0 + grid.shape[0]),
        grid_cols=slice(-c0, -c0 + grid.shape[1]),
        data_index=cells,
        scores=scores,
        weights=weights,
        chol_elements=chol_el,
        chol_layers=chol_layers,
        vertical_correlation=rho,
        clipped_variance=clipped,
        element_correlation=r_el,
        workers=workers,
    )


# ----------------------------------------------------------------- realisation
def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index)]))


def simulate_scores(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Conditional normal scores of realisation ``index``, (element, layer, ny*nx) float32."""
    rng = _rng(seed, index)
    n_el, n_l = len(plan.elements), plan.n_layers
    fields = gaussian_fields(plan.sqrt_lam, n_el * n_l, plan.lattice_shape, rng, plan.workers)
    lat = fields.reshape(n_el, n_l, -1)  # mixed in place, block by block (bounded temporaries)
    chol_el = plan.chol_elements.astype(np.float32)
    chol_l = plan.chol_layers.astype(np.float32)
    for start in range(0, lat.shape[-1], MIX_BLOCK_CELLS):
        block = lat[:, :, start : start + MIX_BLOCK_CELLS]
        mixed = np.einsum("ab,bln->aln", chol_el, block, optimize=True)
        block[...] = np.matmul(chol_l, mixed)
    ny, nx = plan.grid.shape
    grid_part = lat.reshape(n_el, n_l, *plan.lattice_shape)[:, :, plan.grid_rows, plan.grid_cols]
    out = np.ascontiguousarray(grid_part).reshape(n_el, n_l, ny * nx)
    at_data = lat[:, :, plan.data_index]  # (e, l, n_data)
    del fields, lat, grid_part
    residual = plan.scores - at_data
    for pattern, w in plan.weights.items():
        if w.shape[1] == 0:
            continue
        idx = np.array(pattern)
        mask = np.all(np.isfinite(plan.scores[:, :, idx]), axis=-1)
        present = np.isfinite(plan.scores).sum(axis=-1) == idx.size
        sel = np.argwhere(mask & present)
        if sel.size == 0:
            continue
        r = residual[sel[:, 0], sel[:, 1]][:, idx].astype(np.float32)  # (v, n_pattern)
        out[sel[:, 0], sel[:, 1]] += np.asarray(w @ r.T).T
    return out


def simulate_realisation(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Grades of realisation ``index``, ppm, (element, layer, y, x) float32.

    A pure function of ``(plan, seed, index)``: the random stream is
    ``SeedSequence([seed, index])``, so realisations are reproducible and independent
    whatever order (or machine) they run on.
    """
    y = simulate_scores(plan, seed=seed, index=index)
    out = np.empty_like(y)
    for i in range(len(plan.elements)):
        for j in range(plan.n_layers):
            out[i, j] = plan.transforms[i][j].back_transform(y[i, j])
    return out.reshape(len(plan.elements), plan.n_layers, *plan.grid.shape)


def realisation_tonnage(
    plan: SimulationPlan,
    bm: xr.Dataset,
    index: int,
    *,
    seed: int,
    items: Iterable[str] = DEFAULT_ITEMS,
    cutoff_item: str = "REY",
    cutoffs: Sequence[float] = (400.0, 1000.0, 2000.0),
    resource_class: xr.DataArray | None = None,
    density_relative_sd: float = 0.0,
    thickness_relative_sd: float = 0.0,
    grades: np.ndarray | None = None,
) -> pd.DataFrame:
    """Tonnage of one realisation: totals, per class and above each cut-off.

    Parameters
    ----------
    plan : SimulationPlan
        From :func:`prepare_simulation` (elements must be in the block model).
    bm : xarray.Dataset
        Block model (cell area, thickness, density, ``mineable``).
    index : int
        Realisation number.
    seed : int
        Base seed.
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
    grades : ndarray, optional
        The realisation's grades if already simulated (:func:`simulate_realisation` of the
        same ``plan``, ``seed``, ``index``), ppm.

    Returns
    -------
    pandas.DataFrame
        Columns ``realisation``, ``scope`` ("total", a class name, or
        ``"<item> >= <c> ppm"``), ``item`` (``"mud"``, elements, groups), ``tonnes`` (t;
        dry mud for ``"mud"``, oxide tonnes for oxide groups, metal tonnes otherwise) and
        ``oxide_tonnes`` (t, as oxides; NaN for mud).
    """
    if grades is None:
        grades = simulate_realisation(plan, seed=seed, index=index)
    rng = _rng(seed, 10**9 + index)
    factor = 1.0
    for sd in (density_relative_sd, thickness_relative_sd):
        if sd > 0:
            factor *= 1.0 + sd * float(np.clip(rng.standard_normal(), -3, 3))
    t = block_tonnes(bm).values * factor  # (l, y, x)
    n_l = plan.n_layers
    t2 = t.reshape(n_l, -1)
    g = grades.reshape(len(plan.elements), n_l, -1)
    scopes: list[tuple[str, np.ndarray]] = [("total", t2)]
    rc = resource_class if resource_class is not None else bm.get("resource_class")
    if rc is not None:
        codes = rc.transpose("layer", "y", "x").values.reshape(n_l, -1)
        scopes += [(CLASS_NAMES[c], t2 * (codes == c)) for c in (3, 2, 1, 0)]
    members, is_oxide = item_members(cutoff_item, plan.elements)
    idx = [plan.elements.index(m) for m in members]
    factors = np.array([ELEMENTS[m].oxide_factor if is_oxide else 1.0 for m in members], dtype=np.float32)
    g_item = np.tensordot(factors, g[idx], axes=1)
    scopes += [(f"{cutoff_item} >= {c:g} ppm", t2 * (g_item >= c)) for c in cutoffs]
    rows = []
    ox = np.array([ELEMENTS[e].oxide_factor for e in plan.elements])
    items = list(items)
    for scope, tw in scopes:
        metal = np.einsum("eln,ln->e", g, tw, dtype=np.float64) * 1e-6
        rows.append((scope, "mud", float(tw.sum()), np.nan))
        for k, e in enumerate(plan.elements):
            rows.append((scope, e, float(metal[k]), float(metal[k] * ox[k])))
        for item in items:
            mem, oxide = item_members(item, plan.elements)
            ii = [plan.elements.index(m) for m in mem]
            as_oxide = float((metal[ii] * ox[ii]).sum())
            rows.append((scope, item, as_oxide if oxide else float(metal[ii].sum()), as_oxide))
    out = pd.DataFrame(rows, columns=["scope", "item", "tonnes", "oxide_tonnes"])
    out.insert(0, "realisation", index)
    return out


def _tonnage_task(index: int, *, plan: SimulationPlan, bm: xr.Dataset, seed: int, options: dict) -> pd.DataFrame:
    return realisation_tonnage(plan, bm, index, seed=seed, **options)


def run_simulation(
    plan: SimulationPlan,
    bm: xr.Dataset,
    *,
    n_realisations: int,
    seed: int,
    map_function: Callable | None = None,
    mapper: Callable | None = None,
    **options: object,
) -> pd.DataFrame:
    """Tonnage of ``n_realisations`` realisations (long table, see :func:`realisation_tonnage`).

    Parameters
    ----------
    map_function : callable, optional
        ``map``-like function used to run the realisations (e.g. a Dask client's
        ``map`` + gather, or a process pool's ``map``); default the built-in ``map``.
    mapper : callable, optional
        ``mapper(func, items, **shared)`` (:class:`seabed.compute.Mapper`): realisations run
        as independent tasks, with ``plan`` and ``bm`` sent to the workers once. Takes
        precedence over ``map_function``. Each realisation is a pure function of
        ``(plan, seed, index)``, so the table does not depend on the scheduler.
    **options
        Passed to :func:`realisation_tonnage`.
    """
    if n_realisations < 1:
        raise ConfigError(f"simulation.n_realisations: got {n_realisations}; expected >= 1")

    if mapper is not None:
        tables = mapper(_tonnage_task, range(n_realisations), plan=plan, bm=bm, seed=seed, options=options)
        return pd.concat(tables, ignore_index=True)

    def one(i: int) -> pd.DataFrame:
        return realisation_tonnage(plan, bm, i, seed=seed, **options)

    runner = map_function or map
    return pd.concat(list(runner(one, range(n_realisations))), ignore_index=True)


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
