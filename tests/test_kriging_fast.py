"""The compiled kriging path (seabed.geostats.kriging_fast) agrees with the numpy path."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from seabed.geostats import kriging_fast
from seabed.geostats.kriging import Kriging, Neighbourhood
from seabed.geostats.kriging_result import DIAGNOSTICS
from seabed.geostats.variogram import Structure, VariogramModel

pytest.importorskip("numba")

FIELDS = DIAGNOSTICS


def _grid(n: int, lo: float, hi: float) -> np.ndarray:
    g = np.linspace(lo, hi, n)
    xx, yy = np.meshgrid(g, g[::-1])
    return np.column_stack([xx.ravel(), yy.ravel()])


def _both(estimator: Kriging, targets: np.ndarray, monkeypatch: pytest.MonkeyPatch, **kw):
    """(compiled, numpy) results of one fitted estimator; asserts the compiled path ran."""
    before = kriging_fast.STATS[2]
    fast = estimator.predict(targets, **kw)
    assert kriging_fast.STATS[2] > before, "the compiled path did not run"
    monkeypatch.setattr(kriging_fast, "ENABLED", False)
    slow = estimator.predict(targets, **kw)
    monkeypatch.setattr(kriging_fast, "ENABLED", True)
    return fast, slow


def _assert_same(fast, slow) -> None:
    for name in ("estimate", "variance"):
        a, b = getattr(fast, name), getattr(slow, name)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        scale = max(1.0, float(np.nanmax(np.abs(b)))) if np.isfinite(b).any() else 1.0
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10 * scale, equal_nan=True)
    for name in FIELDS:
        a, b = fast.group_diagnostics[name], slow.group_diagnostics[name]
        if a.dtype.kind in "iu":
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-10, equal_nan=True, err_msg=name)


CASES = {
    "ok-knn-exponential": {"kind": "ordinary", "nb": Neighbourhood(max_samples=16, min_samples=3, radius=np.inf),
                               "model": VariogramModel(0.05, (Structure("exponential", 0.95, 400.0),))},
    "ok-radius-minsamples": {"kind": "ordinary", "nb": Neighbourhood(max_samples=24, min_samples=8, radius=90.0),
                                 "model": VariogramModel(0.1, (Structure("spherical", 0.9, 300.0),))},
    "sk-radius": {"kind": "simple", "nb": Neighbourhood(max_samples=12, min_samples=2, radius=120.0),
                      "model": VariogramModel(0.2, (Structure("spherical", 0.8, 250.0),))},
    "ok-ellipse": {"kind": "ordinary",
                       "nb": Neighbourhood(max_samples=10, min_samples=3, radius=200.0, radius_minor=70.0, azimuth=30.0),
                       "model": VariogramModel(0.05, (Structure("exponential", 0.95, 500.0, 200.0, 30.0),))},
    "sk-nested-gaussian": {"kind": "simple", "nb": Neighbourhood(max_samples=8, min_samples=1, radius=np.inf),
                               "model": VariogramModel(0.1, (Structure("gaussian", 0.4, 150.0),
                                                          Structure("spherical", 0.5, 600.0, 300.0, 120.0)))},
    "ok-zero-nugget": {"kind": "ordinary", "nb": Neighbourhood(max_samples=32, min_samples=4, radius=np.inf),
                           "model": VariogramModel(0.0, (Structure("exponential", 1.0, 300.0),))},
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_path_equals_numpy_path(case, seed, monkeypatch):
    c = CASES[case]
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1000, (300, 2))
    z = np.sin(xy[:, 0] / 150) + np.cos(xy[:, 1] / 200) + 0.1 * rng.normal(size=300)
    values = np.column_stack([z, 2 * z + 1, z**2])
    mean = values.mean(axis=0) if c["kind"] == "simple" else None
    est = Kriging(c["model"], kind=c["kind"], mean=mean, neighbourhood=c["nb"]).fit(xy, values)
    targets = np.vstack([_grid(60, -50, 1050), rng.uniform(-100, 1100, (700, 2))])
    fast, slow = _both(est, targets, monkeypatch)
    assert (fast.group_diagnostics["reason"] == 0).mean() > 0.3
    _assert_same(fast, slow)


def test_missing_values_groups_and_many_variables(monkeypatch):
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1000, (250, 2))
    values = rng.normal(size=(250, 40)) + xy[:, :1] / 300
    values[rng.random(250) < 0.2, 10:20] = np.nan  # a second sample set
    values[rng.random(250) < 0.4, 30:] = np.nan  # a third
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 400.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=16, min_samples=5, radius=250.0),
                  variable_sills=np.linspace(0.5, 3.0, 40), negative_estimates="clip").fit(xy, values)
    assert len(est.groups_) == 3
    fast, slow = _both(est, _grid(50, 0, 1000), monkeypatch)
    _assert_same(fast, slow)
    np.testing.assert_array_equal(fast.n_negative, slow.n_negative)


def test_distance_ties_are_broken_like_the_numpy_search(monkeypatch):
    # samples and targets on one lattice: many samples at exactly the k-th distance
    g = np.arange(0.0, 300.0, 10.0)
    xx, yy = np.meshgrid(g, g)
    xy = np.column_stack([xx.ravel(), yy.ravel()])
    z = np.sin(xy[:, 0] / 50.0) * np.cos(xy[:, 1] / 70.0)
    targets = np.vstack([xy[::2], xy[1::3] + 5.0])
    model = VariogramModel(0.1, (Structure("exponential", 0.9, 100.0),))
    for k in (4, 12, 13):
        est = Kriging(model, neighbourhood=Neighbourhood(max_samples=k, min_samples=1, radius=25.0)).fit(xy, z)
        fast, slow = _both(est, targets, monkeypatch)
        _assert_same(fast, slow)


def test_many_samples_without_the_cached_covariance_matrix(monkeypatch):
    # more than 3000 samples: sample covariances are computed in the kernel (per-tile cache)
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 10_000, (3500, 2))
    z = np.sin(xy[:, 0] / 1500) + 0.1 * rng.normal(size=3500)
    model = VariogramModel(0.05, (Structure("exponential", 0.95, 3000.0, 1500.0, 45.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=32, min_samples=4, radius=np.inf)).fit(xy, z)
    assert est.groups_[0].sample_covariance is None
    fast, slow = _both(est, _grid(40, 0, 10_000), monkeypatch)
    _assert_same(fast, slow)


def test_threads_give_the_same_result(monkeypatch):
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 1000, (400, 2))
    z = rng.normal(size=400)
    model = VariogramModel(0.1, (Structure("exponential", 0.9, 300.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=20)).fit(xy, z)
    targets = _grid(80, 0, 1000)
    fast, slow = _both(est, targets, monkeypatch, chunk_size=1000, n_jobs=2)
    _assert_same(fast, slow)
    np.testing.assert_array_equal(fast.estimate, est.predict(targets, chunk_size=1000).estimate)


def test_small_chunks_and_block_support_use_the_numpy_path():
    rng = np.random.default_rng(9)
    xy = rng.uniform(0, 1000, (100, 2))
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 300.0),))
    before = kriging_fast.STATS[2]
    Kriging(model).fit(xy, rng.normal(size=100)).predict(rng.uniform(0, 1000, (kriging_fast.MIN_TARGETS - 1, 2)))
    Kriging(model, block_size=50.0).fit(xy, rng.normal(size=100)).predict(_grid(30, 0, 1000))
    assert kriging_fast.STATS[2] == before


def test_import_seabed_does_not_import_numba():
    code = (
        "import sys, seabed, seabed.geostats.kriging, seabed.geostats.kriging_fast; "
        "assert 'numba' not in sys.modules, 'numba imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_float32_outputs_round_the_float64_ones():
    rng = np.random.default_rng(10)
    xy = rng.uniform(0, 1000, (200, 2))
    values = rng.normal(size=(200, 6)) * 100 + 500
    model = VariogramModel(0.1, (Structure("exponential", 0.9, 300.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=16),
                  variable_sills=values.var(axis=0)).fit(xy, values)
    targets = _grid(40, 0, 1000)
    full = est.predict(targets)
    single = est.predict(targets, dtype=np.float32)
    assert single.estimate.dtype == np.float32
    assert single.variance.dtype == np.float32
    np.testing.assert_array_equal(single.estimate, full.estimate.astype(np.float32))
    np.testing.assert_array_equal(single.variance, full.variance.astype(np.float32))


def test_a_drift_takes_the_numpy_path():
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 1000, (200, 2))
    z = xy[:, 0] / 100 + rng.normal(size=200)
    model = VariogramModel(0.1, (Structure("exponential", 0.9, 300.0),))
    before = kriging_fast.STATS[2]
    est = Kriging(model, drift="linear", neighbourhood=Neighbourhood(max_samples=16)).fit(xy, z)
    est.predict(_grid(30, 0, 1000))
    assert kriging_fast.STATS[2] == before
