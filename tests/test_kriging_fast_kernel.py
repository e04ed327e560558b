"""Pieces of the compiled kriging kernel: vectorised exp, tile binning, factor updates, outputs."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.geostats import kriging_fast
from seabed.geostats.kriging import Kriging, Neighbourhood, _empty_output
from seabed.geostats.neighbourhood import SampleSearch
from seabed.geostats.variogram import Structure, VariogramModel

pytest.importorskip("numba")


def test_vectorised_exp_is_accurate_to_a_few_ulp():
    from seabed.geostats.compiled import _exp_rows

    x = -np.concatenate([np.linspace(0.0, 40.0, 20_001), np.geomspace(1e-300, 700.0, 2_000), [0.0, 745.0, 1e6]])
    out = np.empty_like(x)
    work = np.empty(x.size)
    _exp_rows(x.copy(), x.size, out, work.view(np.int64), work)
    ref = np.exp(x)
    normal = ref > 1e-300
    np.testing.assert_allclose(out[normal], ref[normal], rtol=4e-16, atol=0)
    assert np.all(out[~normal] < 1e-300)
    assert np.all(out >= 0)


def test_compiled_tile_binning_matches_unique():
    from seabed.geostats.compiled import bin_tiles

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1000, (300, 2))
    search = SampleSearch(xy, Neighbourhood(max_samples=16, radius=np.inf))
    t = np.vstack([rng.uniform(-50, 1050, (2000, 2)), rng.uniform(200, 300, (500, 2))])
    tile, starts, flat = search.tile_candidates(t, 16, np.inf, edge_fraction=0.5)
    lo, edge = search.tile_grid(t, 16, edge_fraction=0.5)
    order, tile_ptr, keys, ny = bin_tiles(t, float(lo[0]), float(lo[1]), float(edge))
    np.testing.assert_array_equal(order, np.argsort(tile, kind="stable"))
    np.testing.assert_array_equal(np.diff(tile_ptr), np.bincount(tile))
    starts2, flat2 = search.tile_lists(lo, edge, keys, int(ny), 16, np.inf)
    np.testing.assert_array_equal(starts2, starts)
    np.testing.assert_array_equal(flat2, flat)


@pytest.mark.parametrize("nugget", [0.0, 0.1])
def test_factor_updates_agree_with_the_numpy_path(monkeypatch, nugget):
    # dense samples, fine grid: the neighbour set changes by one sample from cell to cell
    rng = np.random.default_rng(12)
    xy = rng.uniform(0, 1000, (1500, 2))
    z = np.sin(xy[:, 0] / 120) + np.cos(xy[:, 1] / 90) + 0.1 * rng.normal(size=1500)
    model = VariogramModel(nugget, (Structure("exponential", 1.0 - nugget, 250.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=24, min_samples=4, radius=np.inf)).fit(xy, z)
    g = np.linspace(0, 1000, 160)
    targets = np.column_stack([a.ravel() for a in np.meshgrid(g, g)])
    before = kriging_fast.STATS.copy()
    fast = est.predict(targets)
    done = kriging_fast.STATS - before
    assert done[3] > 0.2 * done[0], "few factorisations by update"
    monkeypatch.setattr(kriging_fast, "ENABLED", False)
    slow = est.predict(targets)
    for name in ("estimate", "variance"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=0, atol=1e-10)
    for name in ("slope_of_regression", "kriging_efficiency", "negative_weight_sum", "nearest_distance"):
        np.testing.assert_allclose(fast.group_diagnostics[name], slow.group_diagnostics[name], rtol=0, atol=1e-10)


def test_large_outputs_are_writable_owned_maps():
    a = _empty_output((1_000, 20_000), np.float32)  # 80 MB: mapped
    assert a.shape == (1_000, 20_000)
    assert a.dtype == np.float32
    assert a.flags.writeable
    assert a.flags.c_contiguous
    a[:] = 2.0
    col = a[:, 3]
    del a
    assert float(col.sum()) == 2_000.0
    assert isinstance(_empty_output((10, 3), np.float64), np.ndarray)
