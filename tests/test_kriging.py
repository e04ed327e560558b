"""Tests of seabed.geostats.kriging against known answers and the PyKrige / GSTools oracles."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.errors import ConfigError, InputDataError
from seabed.geostats.kriging import Kriging, Neighbourhood
from seabed.geostats.neighbourhood import SampleSearch
from seabed.geostats.variogram import Structure, VariogramModel

GLOBAL = Neighbourhood(max_samples=None, min_samples=1)


def _data(n=60, seed=0, extent=100.0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, extent, (n, 2))
    z = np.sin(xy[:, 0] / 15) + np.cos(xy[:, 1] / 20) + 0.1 * rng.normal(size=n) + 5.0
    targets = rng.uniform(-10, extent + 10, (300, 2))
    return xy, z, targets


def _rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("kind", ["spherical", "exponential", "gaussian"])
def test_zero_nugget_reproduces_samples_with_zero_variance(kind):
    xy, z, _ = _data(30)
    model = VariogramModel(0.0, (Structure(kind, 2.0, 40.0),))
    res = Kriging(model, neighbourhood=Neighbourhood(max_samples=12)).fit(xy, z).predict(xy)
    np.testing.assert_allclose(res.estimate, z, rtol=1e-9)
    np.testing.assert_allclose(res.variance, 0.0, atol=1e-8)
    np.testing.assert_allclose(res.kriging_efficiency, 1.0, atol=1e-8)


# PyKrige parameters (range in PyKrige's convention) -> our practical range
PYKRIGE_TO_PRACTICAL = {
    "spherical": 1.0,  # PyKrige's range is the spherical range
    "exponential": 1.0,  # PyKrige: 1 - exp(-h / (range / 3)), i.e. practical range
    "gaussian": np.sqrt(3.0) * 4.0 / 7.0,  # PyKrige: 1 - exp(-h² / (4/7 range)²)
}


@pytest.mark.parametrize("kind", ["spherical", "exponential", "gaussian"])
@pytest.mark.parametrize("k", [None, 8], ids=["global", "k8"])
def test_ordinary_kriging_matches_pykrige(kind, k):
    ok_mod = pytest.importorskip("pykrige.ok")
    xy, z, targets = _data()
    psill, prange, nugget = 1.3, 35.0, 0.1
    ok = ok_mod.OrdinaryKriging(
        xy[:, 0], xy[:, 1], z, variogram_model=kind,
        variogram_parameters={"psill": psill, "range": prange, "nugget": nugget},
    )
    if k is None:
        zp, sp = ok.execute("points", targets[:, 0], targets[:, 1], backend="loop")
        nb = GLOBAL
    else:
        zp, sp = ok.execute("points", targets[:, 0], targets[:, 1], backend="C", n_closest_points=k)
        nb = Neighbourhood(max_samples=k, min_samples=1)
    model = VariogramModel(nugget, (Structure(kind, psill, prange * PYKRIGE_TO_PRACTICAL[kind]),))
    res = Kriging(model, neighbourhood=nb).fit(xy, z).predict(targets)
    assert _rel(res.estimate, np.asarray(zp)) < 1e-6
    assert _rel(res.variance, np.asarray(sp)) < 1e-6


@pytest.mark.parametrize("k", [None, 10], ids=["global", "k10"])
def test_anisotropic_kriging_matches_pykrige(k):
    ok_mod = pytest.importorskip("pykrige.ok")
    xy, z, targets = _data(seed=4)
    azimuth, ratio = 30.0, 2.5  # major axis 30° east of north, minor range = range / 2.5
    ok = ok_mod.OrdinaryKriging(
        xy[:, 0], xy[:, 1], z, variogram_model="spherical",
        variogram_parameters={"psill": 1.0, "range": 50.0, "nugget": 0.05},
        anisotropy_scaling=ratio, anisotropy_angle=90.0 - azimuth,  # PyKrige: CCW from +x
    )
    kwargs = {} if k is None else {"n_closest_points": k}
    zp, sp = ok.execute("points", targets[:, 0], targets[:, 1], backend="loop", **kwargs)
    model = VariogramModel(0.05, (Structure("spherical", 1.0, 50.0, 50.0 / ratio, azimuth),))
    nb = GLOBAL if k is None else Neighbourhood(
        max_samples=k, min_samples=1, radius=1e6, radius_minor=1e6 / ratio, azimuth=azimuth
    )
    res = Kriging(model, neighbourhood=nb).fit(xy, z).predict(targets)
    assert _rel(res.estimate, np.asarray(zp)) < 1e-6
    assert _rel(res.variance, np.asarray(sp)) < 1e-6


# GSTools len_scale -> our practical range (GSTools' default rescale factors)
GSTOOLS_TO_PRACTICAL = {
    "Spherical": 1.0,  # 1 - 1.5 r + 0.5 r³, r = h / len_scale
    "Exponential": 3.0,  # exp(-h / len_scale)
    "Gaussian": np.sqrt(12.0 / np.pi),  # exp(-π/4 (h / len_scale)²)
}


@pytest.mark.parametrize("name", ["Spherical", "Exponential", "Gaussian"])
def test_ordinary_kriging_matches_gstools(name):
    gs = pytest.importorskip("gstools")
    xy, z, targets = _data(n=40, seed=2)
    var, len_scale = 1.7, 25.0
    cov = getattr(gs, name)(dim=2, var=var, len_scale=len_scale)
    krig = gs.krige.Ordinary(cov, cond_pos=[xy[:, 0], xy[:, 1]], cond_val=z, exact=True, pseudo_inv=False)
    field, kvar = krig((targets[:, 0], targets[:, 1]), mesh_type="unstructured", return_var=True)
    kind = name.lower()
    model = VariogramModel(0.0, (Structure(kind, var, len_scale * GSTOOLS_TO_PRACTICAL[name]),))
    res = Kriging(model, neighbourhood=GLOBAL).fit(xy, z).predict(targets)
    assert _rel(res.estimate, field) < 1e-6
    assert _rel(res.variance, kvar) < 1e-6


def test_simple_kriging_far_from_data_returns_the_mean():
    xy, z, _ = _data(20)
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 30.0),))
    res = Kriging(model, kind="simple", mean=4.2, neighbourhood=GLOBAL).fit(xy, z).predict(
        np.array([[1000.0, 1000.0], [50.0, 50.0]])
    )
    assert res.estimate[0] == pytest.approx(4.2)
    assert res.variance[0] == pytest.approx(model.sill)
    assert res.estimate[1] != pytest.approx(4.2)
    assert res.slope_of_regression[1] == pytest.approx(1.0)


def test_simple_kriging_needs_a_mean():
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 30.0),))
    with pytest.raises(ConfigError, match="mean"):
        Kriging(model, kind="simple").fit(np.zeros((3, 2)) + np.arange(3)[:, None], np.ones(3))


@pytest.mark.parametrize("kind", ["ordinary", "simple"])
def test_block_kriging_of_a_constant_field_returns_the_constant(kind):
    xy, _, targets = _data(40)
    model = VariogramModel(0.05, (Structure("exponential", 1.0, 30.0),))
    est = Kriging(model, kind=kind, mean=7.5, block_size=10.0, block_discretisation=4,
                  neighbourhood=Neighbourhood(max_samples=16, min_samples=1))
    res = est.fit(xy, np.full(len(xy), 7.5)).predict(targets)
    np.testing.assert_allclose(res.estimate, 7.5, rtol=1e-12)
    point = Kriging(model, kind=kind, mean=7.5, neighbourhood=Neighbourhood(max_samples=16, min_samples=1))
    pres = point.fit(xy, np.full(len(xy), 7.5)).predict(targets)
    assert np.all(res.variance < pres.variance)  # averaging over a block reduces the variance
    assert res.block_variance[0] < model.sill


def test_block_discretised_by_one_point_is_point_kriging_without_nugget():
    xy, z, targets = _data(40)
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 30.0),))
    nb = Neighbourhood(max_samples=12, min_samples=1)
    block = Kriging(model, block_size=5.0, block_discretisation=1, neighbourhood=nb).fit(xy, z).predict(targets)
    point = Kriging(model, neighbourhood=nb).fit(xy, z).predict(targets)
    np.testing.assert_allclose(block.estimate, point.estimate, rtol=1e-12)
    np.testing.assert_allclose(block.variance, point.variance, rtol=1e-10, atol=1e-14)


def test_slope_and_efficiency_match_direct_formulas():
    xy, z, _ = _data(8, seed=5)
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 60.0),))
    t = np.array([[40.0, 55.0]])
    res = Kriging(model, neighbourhood=GLOBAL).fit(xy, z).predict(t)
    d = xy[:, None, :] - xy[None, :, :]
    c = model.covariance(d[..., 0], d[..., 1])
    c0 = model.covariance(*(xy - t).T)
    a = np.block([[c, np.ones((8, 1))], [np.ones((1, 8)), np.zeros((1, 1))]])
    w = np.linalg.solve(a, np.append(c0, 1.0))[:8]
    var = model.sill - w @ c0 - np.linalg.solve(a, np.append(c0, 1.0))[8]
    assert res.variance[0] == pytest.approx(var)
    assert res.slope_of_regression[0] == pytest.approx((w @ c0) / (w @ c @ w))
    assert res.kriging_efficiency[0] == pytest.approx((model.sill - var) / model.sill)
    assert res.negative_weight_sum[0] == pytest.approx(np.minimum(w, 0).sum())
    assert res.nearest_distance[0] == pytest.approx(np.hypot(*(xy - t).T).min())
    assert res.n_samples[0] == 8


def _shared_vs_separate(kind, block_size):
    rng = np.random.default_rng(7)
    xy, z, targets = _data(80, seed=7)
    p = 6
    table = z[:, None] * (1 + np.arange(p)) + rng.normal(size=(80, p))
    missing = rng.random((80, p)) < 0.15  # different missing patterns per variable ...
    missing[:, 4] = missing[:, 3]  # ... except 3 and 4, which share one
    missing[:, 5] = False
    table[missing] = np.nan
    std_model = VariogramModel(0.2, (Structure("spherical", 0.8, 40.0),))
    sills = np.nanvar(table, axis=0)
    means = np.nanmean(table, axis=0)
    nb = Neighbourhood(max_samples=10, min_samples=2)
    common = {"kind": kind, "mean": means if kind == "simple" else None, "neighbourhood": nb,
              "block_size": block_size}
    shared = Kriging(std_model, variable_sills=sills, **common).fit(xy, table).predict(targets)
    separate = Kriging([std_model.scaled(s) for s in sills], **common).fit(xy, table).predict(targets)
    return shared, separate


@pytest.mark.parametrize("kind", ["ordinary", "simple"])
@pytest.mark.parametrize("block_size", [None, 8.0], ids=["point", "block"])
def test_shared_weights_equal_separate_solutions(kind, block_size):
    shared, separate = _shared_vs_separate(kind, block_size)
    assert len(np.unique(shared.group_of_variable)) < shared.estimate.shape[1]  # some sharing
    for name in ("estimate", "variance", "slope_of_regression", "kriging_efficiency",
                 "negative_weight_sum", "nearest_distance"):
        a, b = getattr(shared, name), getattr(separate, name)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10, err_msg=name)
    np.testing.assert_array_equal(shared.n_samples, separate.n_samples)


def test_too_few_samples_gives_nan_and_reason_one():
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [500.0, 500.0]])
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 30.0),))
    nb = Neighbourhood(max_samples=8, min_samples=3, radius=20.0)
    res = Kriging(model, neighbourhood=nb).fit(xy, [1.0, 2.0, 3.0, 4.0]).predict(
        np.array([[3.0, 3.0], [500.0, 505.0], [5000.0, 0.0]])
    )
    np.testing.assert_array_equal(res.reason, [0, 1, 1])
    assert np.isfinite(res.estimate[0])
    assert np.isnan(res.estimate[1:]).all()
    assert np.isnan(res.variance[1:]).all()
    np.testing.assert_array_equal(res.n_samples, [3, 1, 0])


def test_all_nan_variable_is_not_estimated():
    xy, z, targets = _data(20)
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 30.0),))
    table = np.column_stack([z, np.full_like(z, np.nan)])
    res = Kriging(model).fit(xy, table).predict(targets[:5])
    assert np.isfinite(res.estimate[:, 0]).all()
    assert np.isnan(res.estimate[:, 1]).all()
    np.testing.assert_array_equal(res.reason[:, 1], 1)


def test_negative_estimates_are_clipped_and_counted():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    z = np.array([0.0, 100.0, 0.0])
    model = VariogramModel(0.0, (Structure("gaussian", 1.0, 5.0),))  # smooth: screens strongly
    t = np.array([[2.5, 0.0], [0.5, 0.0]])  # beyond the last sample, the middle one weighs < 0
    keep = Kriging(model, neighbourhood=GLOBAL).fit(xy, z).predict(t)
    clip = Kriging(model, neighbourhood=GLOBAL, negative_estimates="clip").fit(xy, z).predict(t)
    assert keep.estimate[0] < 0
    assert keep.n_negative[0] == 1
    assert clip.estimate[0] == 0.0
    assert clip.n_clipped[0] == 1
    assert clip.estimate[1] == keep.estimate[1]


def test_threads_and_chunks_do_not_change_results():
    xy, z, _ = _data(200, seed=9, extent=1000.0)
    g = np.linspace(0, 1000, 60)
    targets = np.column_stack([a.ravel() for a in np.meshgrid(g, g)])
    model = VariogramModel(0.1, (Structure("exponential", 1.0, 300.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=16)).fit(xy, z)
    a = est.predict(targets)
    b = est.predict(targets, chunk_size=500, n_jobs=2)
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
    np.testing.assert_allclose(a.variance, b.variance, rtol=1e-12)


@pytest.mark.parametrize(
    "nb",
    [
        Neighbourhood(max_samples=12),
        Neighbourhood(max_samples=12, radius=60.0),
        Neighbourhood(max_samples=6, radius=150.0, radius_minor=50.0, azimuth=60.0),
    ],
    ids=["knn", "radius", "ellipse"],
)
def test_tiled_search_equals_kdtree_search(nb):
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1000, (300, 2))
    targets = rng.uniform(-50, 1050, (3000, 2))
    search = SampleSearch(xy, nb)
    tiled = search.query(targets)  # >= 512 targets: tiled candidate search
    small = np.vstack([search.query(targets[i : i + 100]) for i in range(0, 3000, 100)])
    np.testing.assert_array_equal(tiled, small)


@pytest.mark.parametrize("k", [4, 12, 13], ids=["k4", "k12", "k13"])
def test_search_breaks_distance_ties_by_lowest_index_in_both_paths(k):
    # samples and targets on the same 10 m lattice: equidistant samples everywhere
    g = np.arange(0.0, 400.0, 10.0)
    xx, yy = np.meshgrid(g, g)
    xy = np.column_stack([xx.ravel(), yy.ravel()])
    targets = xy[::2] + 0.0
    search = SampleSearch(xy, Neighbourhood(max_samples=k))
    tiled = search.query(targets)  # >= 512 targets: tiled candidate search
    small = np.vstack([search.query(targets[i : i + 37]) for i in range(0, len(targets), 37)])
    np.testing.assert_array_equal(tiled, small)
    # brute force: sort by (squared distance, index) and keep the first k
    for i in (0, 17, 400):
        d2 = ((xy - targets[i]) ** 2).sum(axis=1)
        expected = np.sort(np.lexsort((np.arange(len(xy)), d2))[:k])
        np.testing.assert_array_equal(tiled[i], expected)


def test_octant_search_keeps_at_most_n_per_octant():
    rng = np.random.default_rng(2)
    xy = np.vstack([rng.uniform(1, 10, (30, 2)), [[-5.0, 5.0], [-5.0, -5.0], [5.0, -5.0]]])
    nb = Neighbourhood(max_samples=8, min_samples=1, max_per_octant=1)
    idx = SampleSearch(xy, nb).query(np.zeros((1, 2)))[0]
    used = idx[idx < len(xy)]
    ang = np.floor((np.arctan2(xy[used, 1], xy[used, 0]) + np.pi) / (np.pi / 4)).astype(int)
    assert len(used) == len(set(ang)) <= 8
    assert {30, 31, 32} <= set(used.tolist())  # the lone samples in other quadrants are kept


def test_duplicate_samples_without_nugget_are_refused():
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 30.0),))
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
    with pytest.raises(InputDataError, match="duplicate"):
        Kriging(model).fit(xy, [1.0, 2.0, 3.0])


def test_bad_shapes_are_refused():
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 30.0),))
    with pytest.raises(InputDataError):
        Kriging(model).fit(np.zeros((3, 3)), np.ones(3))
    with pytest.raises(ConfigError, match="not fitted"):
        Kriging(model).predict(np.zeros((1, 2)))


def test_radius_limited_neighbourhoods_match_dense_solves():
    """Cells with fewer than k samples in the radius (padded slots) equal a dense solve on the same samples."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 100_000, (200, 2))
    v = rng.normal(size=200)
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 20_000.0),))
    targets = rng.uniform(0, 100_000, (400, 2))
    res = Kriging(model, neighbourhood=Neighbourhood(max_samples=32, min_samples=3, radius=8000.0)).fit(xy, v).predict(targets)
    tree = cKDTree(xy)
    checked = 0
    for i, t in enumerate(targets):
        idx = tree.query_ball_point(t, 8000.0)
        if len(idx) < 3:
            assert np.isnan(res.estimate[i])
            continue
        d, n = xy[idx], len(idx)
        a = np.ones((n + 1, n + 1))
        a[n, n] = 0.0
        a[:n, :n] = model.covariance(d[:, None, 0] - d[None, :, 0], d[:, None, 1] - d[None, :, 1])
        b = np.ones(n + 1)
        b[:n] = model.covariance(d[:, 0] - t[0], d[:, 1] - t[1])
        w = np.linalg.solve(a, b)
        assert res.estimate[i] == pytest.approx(w[:n] @ v[idx], rel=1e-8, abs=1e-10)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("kind", ["simple", "ordinary"])
def test_neighbour_weights_reproduce_predict_on_an_identity(kind):
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 1000, (40, 2))
    targets = rng.uniform(0, 1000, (300, 2))
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 400.0),))
    nb = Neighbourhood(max_samples=8, min_samples=2, radius=300.0)
    est = Kriging(model, kind=kind, mean=0.0 if kind == "simple" else None, neighbourhood=nb).fit(xy, np.eye(40))
    dense = np.nan_to_num(est.predict(targets).estimate)
    idx, w = est.neighbour_weights(targets)
    rebuilt = np.zeros((300, 41))
    np.put_along_axis(rebuilt, idx, w, axis=1)
    np.testing.assert_allclose(rebuilt[:, :40], dense, atol=1e-12)
    assert (idx < 40).sum(axis=1).max() <= 8


def test_close_samples_without_nugget_are_refused_with_the_distance():
    model = VariogramModel(0.0, (Structure("exponential", 1.0, 3000.0),))
    xy = np.array([[0.0, 0.0], [1e-9, 0.0], [500.0, 500.0]])
    with pytest.raises(InputDataError, match=r"closest 1e-09 m apart, tolerance 0.003 m"):
        Kriging(model).fit(xy, [1.0, 2.0, 3.0])
    ok = Kriging(model, neighbourhood=Neighbourhood(min_samples=1)).fit(
        np.array([[0.0, 0.0], [0.01, 0.0], [500.0, 500.0]]), [1.0, 2.0, 3.0])
    assert np.isfinite(ok.predict(np.array([[100.0, 0.0]])).estimate).all()
