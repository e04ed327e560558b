"""Realisations of the conditional simulation: fields, conditioning, back-transform.

Every function here is a pure function of a :class:`~seabed.geostats.simulation.SimulationPlan`,
a ``seed`` and a realisation ``index`` (and a tile of grid rows): the noise of field ``f`` of
realisation ``r`` is keyed cell by cell by ``(seed, r, f)`` (:func:`field_keys`), so a
realisation is the same whatever tiling, order or machine computes it. The method is in
:mod:`seabed.geostats.simulation`; :mod:`seabed.resource.uncertainty` reduces the realisations
to tonnage tile by tile.

- :func:`unconditional_at_data`: unconditional scores at the data cells;
- :func:`tile_weights`: simple-kriging conditioning weights of a tile's cells;
- :func:`conditional_tile_scores`: conditioned normal scores on a tile;
- :func:`simulate_scores`, :func:`simulate_realisation`: a whole-grid realisation (holds the
  whole grid: small grids and tests).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse import vstack as sparse_vstack

from seabed.compute import split_rows
from seabed.geostats.kriging import Kriging
from seabed.geostats.plan_variants import simulation_window
from seabed.geostats.random_field import NOISE_BLOCK, field_at, field_window
from seabed.geostats.simulation import SimulationPlan

__all__ = [
    "DATA_WINDOW_VALUES",
    "DEFAULT_TILE_CELLS",
    "MEAN_STREAM",
    "WEIGHT_BLOCK_CELLS",
    "back_transform_scores",
    "conditional_tile_scores",
    "dense_weights",
    "field_keys",
    "fields_with_data",
    "mean_shift",
    "mix_fields",
    "realisation_rng",
    "row_tiles",
    "simulate_realisation",
    "simulate_scores",
    "tile_weights",
    "unconditional_at_data",
    "unweighted_share",
    "window_fields",
]

#: Cells per block when solving the conditioning weights inside a tile (bounds the dense
#: kriging output, ``16 × n_data`` bytes per cell).
WEIGHT_BLOCK_CELLS = 16_384

#: Values of one field window over the data cells held at once (8 B each).
DATA_WINDOW_VALUES = 8_000_000

#: Default cells per simulation tile (whole grid rows).
DEFAULT_TILE_CELLS = 65_536

#: Offset of the realisation index in the seed of its mean's draw (a stream of its own).
MEAN_STREAM = 2 * 10**9


def realisation_rng(seed: int, index: int) -> np.random.Generator:
    """Random generator of stream ``index`` under ``seed``: ``SeedSequence([seed, index])``.

    Streams used: ``MEAN_STREAM + r`` for the mean of realisation ``r`` (:func:`mean_shift`);
    ``10**9 + r`` for its global density and thickness factors
    (:func:`seabed.resource.uncertainty.simulate_resource`).
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index)]))


def field_keys(plan: SimulationPlan, seed: int, index: int) -> list[tuple[int, int, int]]:
    """Noise key of each independent field of realisation ``index`` (element-major)."""
    return [(int(seed), int(index), f) for f in range(plan.n_fields)]


def mean_shift(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Normal-score mean of realisation ``index``, (element, layer): ``plan.mean_sd`` times
    standard normals correlated like the fields; zeros for a known mean."""
    if plan.mean_sd is None or not np.any(plan.mean_sd):
        return np.zeros((len(plan.elements), plan.n_layers))
    z = realisation_rng(seed, MEAN_STREAM + index).standard_normal((plan.n_fields, 1))
    return plan.mean_sd * mix_fields(plan, z)[..., 0]


def mix_fields(plan: SimulationPlan, fields: np.ndarray) -> np.ndarray:
    """Correlate independent unit fields (n_fields, n) across elements and layers → (e, l, n).

    ``(L_e ⊗ L_l) z``, applied as its two factors: the layers' Cholesky factor within each
    element, then the elements' across them (26 instead of 160 multiply-adds per value).
    """
    n_el, n_l = len(plan.elements), plan.n_layers
    z = fields.reshape(n_el, n_l, -1)
    by_layer = np.matmul(plan.chol_layers.astype(fields.dtype), z)  # (e, l, n)
    return (plan.chol_elements.astype(fields.dtype) @ by_layer.reshape(n_el, -1)).reshape(n_el, n_l, -1)


def unconditional_at_data(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Unconditional scores of realisation ``index`` at the data cells, (element, layer, n_data).

    Data spread over a compact area are read from one field window over their bounding box;
    scattered data are computed point by point (:func:`seabed.geostats.random_field.field_at`).
    Both give the same values (to rounding).
    """
    keys = field_keys(plan, seed, index)
    r, c = plan.data_rows, plan.data_cols
    if r.size == 0:
        return np.zeros((len(plan.elements), plan.n_layers, 0))
    if plan.spectrum is not None:  # the data lie in the spectral window
        (r0, _), (c0, _) = simulation_window(plan)
        return mix_fields(plan, window_fields(plan, seed=seed, index=index)[:, r - r0, c - c0])
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
                win = field_window(plan.kernel, keys[k : k + step], rows, cols, workers=plan.workers,
                                   dtype=plan.dtype)
                fields[k : k + step, here] = win[:, r[here] - rows[0], c[here] - cols[0]]
    else:
        fields = field_at(plan.kernel, keys, r, c)
    return mix_fields(plan, fields)


def tile_weights(plan: SimulationPlan, rows: slice,
                 cells: np.ndarray | None = None) -> dict[tuple[int, ...], csr_matrix]:
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
    (:func:`unweighted_share`) if already summed for these weights.
    """
    nx = plan.grid.shape[1]
    if fields is None and plan.spectrum is not None:  # the tile's rows of the whole window
        (r0, _), (c0, _) = simulation_window(plan)
        fields = window_fields(plan, seed=seed, index=index)[:, rows.start - r0 : rows.stop - r0, -c0 : nx - c0]
        fields = fields.reshape(plan.n_fields, -1)
        if cells is not None:
            fields = fields[:, cells]
    elif fields is None:
        fields = field_window(plan.kernel, field_keys(plan, seed, index), (rows.start, rows.stop), (0, nx),
                              workers=plan.workers, dtype=plan.dtype).reshape(plan.n_fields, -1)
        if cells is not None:
            fields = fields[:, cells]
    out = mix_fields(plan, fields)
    residual = plan.scores - at_data
    shift = mean_shift(plan, seed=seed, index=index)
    if unweighted is None and np.any(shift):
        unweighted = unweighted_share(weights)
    for pattern, pairs in plan.patterns.items():
        w = weights[pattern]
        e, lyr = np.array(pairs).T
        delta = None
        if w.shape[1]:
            r = residual[e, lyr][:, list(pattern)].astype(out.dtype)  # (pairs, pattern)
            delta = r @ w.T if isinstance(w, np.ndarray) else np.asarray(w @ r.T).T  # (pairs, cells)
        if np.any(shift[e, lyr]):  # the realisation's mean, where the data do not fix it
            mean = shift[e, lyr].astype(out.dtype)[:, None] * unweighted[pattern].astype(out.dtype)[None, :]
            delta = mean if delta is None else np.add(delta, mean, out=delta)
        if delta is None:
            continue
        block = _layer_block(pairs, len(plan.elements))
        if block is not None:  # every element over layers l0..l1-1: added in place, no gather
            out[:, block] += delta.reshape(len(plan.elements), block.stop - block.start, -1)
        else:
            out[e, lyr] += delta
    return out


def _layer_block(pairs: list[tuple[int, int]], n_elements: int) -> slice | None:
    """``slice(l0, l1)`` when ``pairs`` are every element over layers ``l0 … l1 − 1`` in
    element-major order (a pattern of cores missing whole layers), else None."""
    layers = sorted({lyr for _, lyr in pairs})
    block = slice(layers[0], layers[-1] + 1)
    expected = [(e, lyr) for e in range(n_elements) for lyr in range(block.start, block.stop)]
    return block if list(pairs) == expected else None


def dense_weights(weights: dict[tuple[int, ...], csr_matrix],
                  min_fill: float = 0.5) -> dict[tuple[int, ...], csr_matrix | np.ndarray]:
    """The conditioning weights (:func:`tile_weights`) as dense float32 arrays where at least
    ``min_fill`` of their entries are non-zero (few data: every cell weighs most of them), in
    which case a dense product is several times faster than the sparse one; the others unchanged.
    """
    out: dict[tuple[int, ...], csr_matrix | np.ndarray] = {}
    for pattern, w in weights.items():
        size = w.shape[0] * w.shape[1]
        out[pattern] = w.toarray() if size and w.nnz >= min_fill * size else w
    return out


def unweighted_share(weights: dict[tuple[int, ...], csr_matrix]) -> dict[tuple[int, ...], np.ndarray]:
    """``1 − Σ_α w_α`` per cell of each pattern: the share of an uncertain mean the data leave."""
    return {p: 1.0 - np.asarray(w.sum(axis=1)).ravel() for p, w in weights.items()}


def back_transform_scores(plan: SimulationPlan, y: np.ndarray) -> np.ndarray:
    """Grades of normal scores ``y`` (element, layer, cells), ppm float32: each column's transform
    (:meth:`~seabed.geostats.normal_score.NormalScoreTransform.back_transform`, all columns in one
    compiled pass, :func:`seabed.geostats.back_transform.back_transform_columns`)."""
    from seabed.geostats.back_transform import back_transform_columns

    n = len(plan.elements) * plan.n_layers
    out = back_transform_columns(y.reshape(n, -1), plan.score_tables)
    return out.reshape(y.shape)


def row_tiles(n_rows: int, n_cols: int, tile_cells: int) -> list[slice]:
    """Tiles of whole grid rows holding about ``tile_cells`` cells each (at least one row)."""
    return split_rows(n_rows, [n_cols] * n_rows, max(1, int(tile_cells)))


def simulate_scores(plan: SimulationPlan, *, seed: int, index: int,
                    tile_cells: int = DEFAULT_TILE_CELLS) -> np.ndarray:
    """Conditional normal scores of realisation ``index`` on the whole grid, (element, layer, ny*nx).

    Tile by tile (``tile_cells`` cells of whole rows); the result does not depend on the
    tiling beyond rounding. A plan with spectral fields is done in one tile.
    """
    ny, nx = plan.grid.shape
    out = np.empty((len(plan.elements), plan.n_layers, ny * nx))
    if plan.spectrum is not None:  # one window: the grid's fields and the data's scores from it
        rows = slice(0, ny)
        cells = np.arange(ny * nx)
        fields, at_data = fields_with_data(plan, cells, seed=seed, index=index)
        w = tile_weights(plan, rows)
        out[:] = conditional_tile_scores(plan, rows, seed=seed, index=index, weights=w, at_data=at_data, fields=fields)
        return out
    at_data = unconditional_at_data(plan, seed=seed, index=index)
    for rows in row_tiles(ny, nx, tile_cells):
        w = tile_weights(plan, rows)
        out[:, :, rows.start * nx : rows.stop * nx] = conditional_tile_scores(
            plan, rows, seed=seed, index=index, weights=w, at_data=at_data)
    return out


def simulate_realisation(plan: SimulationPlan, *, seed: int, index: int,
                         tile_cells: int = DEFAULT_TILE_CELLS) -> np.ndarray:
    """Grades of realisation ``index`` on the whole grid, ppm, (element, layer, y, x) float32.

    A pure function of ``(plan, seed, index)``: the noise of field ``f`` is keyed by
    ``(seed, index, f)`` cell by cell, so realisations are reproducible and independent
    whatever order, machine or tiling they are computed with. Holds the whole grid: for
    tonnage over large grids use :func:`seabed.resource.uncertainty.simulate_resource`,
    which never does.
    """
    y = simulate_scores(plan, seed=seed, index=index, tile_cells=tile_cells)
    return back_transform_scores(plan, y).reshape(len(plan.elements), plan.n_layers, *plan.grid.shape)


def window_fields(plan: SimulationPlan, *, seed: int, index: int) -> np.ndarray:
    """Realisation ``index``'s independent unit fields on the window of the grid and the data,
    (n_fields, rows, cols) of :func:`~seabed.geostats.plan_variants.simulation_window`: spectral fields when the plan has them
    (:func:`seabed.geostats.plan_variants.with_spectral_fields`), else convolution fields."""
    keys = field_keys(plan, seed, index)
    if plan.spectrum is not None:
        return plan.spectrum.fields(keys, dtype=plan.dtype)
    (r0, r1), (c0, c1) = simulation_window(plan)
    return field_window(plan.kernel, keys, (r0, r1), (c0, c1), workers=plan.workers, dtype=plan.dtype)


def fields_with_data(plan: SimulationPlan, cells: np.ndarray, *, seed: int,
                      index: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit fields on the grid's ``cells`` and mixed scores at the data cells, from one window.

    For a tile that holds the whole grid: one window over the grid and the data cells
    replaces two (the same values as :func:`unconditional_at_data` to rounding).
    """
    ny, nx = plan.grid.shape
    (r0, _), (c0, c1) = simulation_window(plan)
    if plan.spectrum is not None:  # gathered from the transforms: the grid's cells, then the data's
        width = c1 - c0
        grid_at = (cells // nx - r0) * width + cells % nx - c0
        data_at = (plan.data_rows - r0) * width + plan.data_cols - c0
        both = plan.spectrum.fields(field_keys(plan, seed, index), dtype=plan.dtype, at=np.r_[grid_at, data_at])
        return both[:, : cells.size], mix_fields(plan, both[:, cells.size :])
    win = window_fields(plan, seed=seed, index=index)
    at_data = mix_fields(plan, win[:, plan.data_rows - r0, plan.data_cols - c0])
    grid = win[:, -r0 : ny - r0, -c0 : nx - c0].reshape(plan.n_fields, -1)
    return grid[:, cells], at_data
