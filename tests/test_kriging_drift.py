"""Universal kriging and kriging with an external drift: KT3D (GSLIB) answers, and identities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seabed.errors import ConfigError, InputDataError
from seabed.geostats.drift import ExternalDrift, trend_residuals
from seabed.geostats.kriging import Kriging, Neighbourhood
from seabed.geostats.variogram import Structure, VariogramModel

KT3D = Path(__file__).parent / "data" / "kt3d"
GLOBAL = Neighbourhood(max_samples=None, min_samples=1, radius=np.inf)


def _kt3d(answer: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = np.genfromtxt(KT3D / "test_data.txt")
    z = np.genfromtxt(KT3D / answer, skip_header=7, skip_footer=2)[::-1]  # north row first: flip
    gx, gy = np.meshgrid(np.linspace(1067275.0, 1072225.0, 100), np.linspace(241459.0, 243934.0, 100))
    return data, np.column_stack([gx.ravel(), gy.ravel()]), z.ravel()


KT3D_MODEL = VariogramModel(0.0, (Structure("exponential", 500.0, 3000.0),))


@pytest.mark.parametrize(("answer", "drift"), [("test1_answer.asc", "none"), ("test2_answer.asc", "linear")])
def test_kt3d_ordinary_and_linear_drift_answers(answer, drift):
    data, targets, expected = _kt3d(answer)
    uk = Kriging(KT3D_MODEL, neighbourhood=GLOBAL, drift=drift).fit(data[:, :2], data[:, 2])
    np.testing.assert_allclose(uk.predict(targets).estimate, expected, rtol=1e-5)


def _field(n: int = 60, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (n, 2))
    z = 3.0 + 0.002 * xy[:, 0] - 0.001 * xy[:, 1] + rng.normal(0, 1, n)
    return xy, z


@pytest.mark.parametrize("drift", ["linear", "quadratic"])
def test_drift_reproduces_its_own_functions_exactly(drift):
    """The weights filter any drift in the span: kriging a pure trend returns the trend."""
    xy, _ = _field()
    trend = 5.0 + 0.3 * xy[:, 0] / 1000 - 0.7 * xy[:, 1] / 1000
    if drift == "quadratic":
        trend = trend + 0.05 * (xy[:, 0] / 1000) * (xy[:, 1] / 1000)
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 3000.0),))
    t = np.array([[2500.0, 7500.0], [9000.0, 1000.0]])
    for block in (None, 500.0):
        est = Kriging(model, drift=drift, block_size=block, neighbourhood=Neighbourhood(radius=np.inf)).fit(xy, trend)
        expected = 5.0 + 0.3 * t[:, 0] / 1000 - 0.7 * t[:, 1] / 1000
        if drift == "quadratic":
            expected = expected + 0.05 * (t[:, 0] / 1000) * (t[:, 1] / 1000)  # xy averages exactly over a block
        np.testing.assert_allclose(est.predict(t).estimate, expected, rtol=1e-9)


def test_universal_kriging_matches_pykrige_with_variance():
    pykrige = pytest.importorskip("pykrige")
    xy, z = _field(30)
    t = np.array([[1000.0, 2000.0], [5000.0, 5000.0], [12_000.0, -500.0]])
    uk = Kriging(VariogramModel(0.0, (Structure("exponential", 2.0, 4000.0),)), neighbourhood=GLOBAL,
                 drift="linear").fit(xy, z)
    res = uk.predict(t)
    ref = pykrige.uk.UniversalKriging(xy[:, 0], xy[:, 1], z, variogram_model="exponential",
                                     variogram_parameters={"sill": 2.0, "range": 4000.0, "nugget": 0.0},
                                     drift_terms=["regional_linear"], exact_values=True)
    z_ref, ss_ref = ref.execute("points", t[:, 0], t[:, 1])
    np.testing.assert_allclose(res.estimate, np.asarray(z_ref), rtol=1e-8)
    np.testing.assert_allclose(res.variance, np.asarray(ss_ref), rtol=1e-6)


def test_external_drift_equals_a_linear_drift_in_x_when_the_grid_is_x():
    xy, z = _field(40)
    gx = np.linspace(-1000, 11_000, 25)
    gy = np.linspace(11_000, -1000, 25)  # north-up: descending
    ext = ExternalDrift(gx, gy, np.broadcast_to(gx * 0.01 + 7.0, (25, 25)), name="ramp")
    model = VariogramModel(0.2, (Structure("spherical", 1.0, 4000.0),))
    t = np.array([[3000.0, 3000.0], [8000.0, 2000.0]])
    ked = Kriging(model, drift=ext, neighbourhood=GLOBAL).fit(xy, z).predict(t)
    # the same system written with x as the single drift: solve it directly
    c = model.covariance(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    n = xy.shape[0]
    a = np.zeros((n + 2, n + 2))
    a[:n, :n] = c
    a[:n, n] = a[n, :n] = 1.0
    a[:n, n + 1] = a[n + 1, :n] = xy[:, 0]
    for i, p in enumerate(t):
        b = np.concatenate([model.covariance(*(xy - p).T), [1.0, p[0]]])
        sol = np.linalg.solve(a, b)
        assert ked.estimate[i] == pytest.approx(sol[:n] @ z, rel=1e-9)
        assert ked.variance[i] == pytest.approx(model.sill - sol @ b, rel=1e-9)


def test_shared_weights_hold_with_a_drift():
    xy, z = _field(50)
    values = np.column_stack([z, 2 * z + 1, z**2])
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 3000.0),))
    t = np.random.default_rng(2).uniform(0, 10_000, (30, 2))
    together = Kriging(model, drift="quadratic", neighbourhood=Neighbourhood(max_samples=12)).fit(xy, values).predict(t)
    for j in range(3):
        alone = Kriging(model, drift="quadratic", neighbourhood=Neighbourhood(max_samples=12)).fit(xy, values[:, j]).predict(t)
        np.testing.assert_allclose(together.estimate[:, j], alone.estimate, rtol=1e-12, atol=1e-12)


def test_drift_none_is_bit_identical_to_no_drift_argument():
    xy, z = _field(50)
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 3000.0),))
    t = np.random.default_rng(3).uniform(0, 10_000, (40, 2))
    a = Kriging(model, block_size=200.0).fit(xy, z).predict(t)
    b = Kriging(model, block_size=200.0, drift="none").fit(xy, z).predict(t)
    assert np.array_equal(a.estimate, b.estimate)
    assert np.array_equal(a.variance, b.variance)


def test_bad_drifts_are_refused():
    xy, z = _field(10)
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 3000.0),))
    with pytest.raises(ConfigError, match="drift"):
        Kriging(model, drift="cubic").fit(xy, z)
    with pytest.raises(ConfigError, match="ordinary kriging"):
        Kriging(model, kind="simple", mean=0.0, drift="linear").fit(xy, z)
    small = ExternalDrift(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.zeros((2, 2)), name="crustal_age")
    with pytest.raises(InputDataError, match="crustal_age: got no value"):
        Kriging(model, drift=small).fit(xy, z)


def test_ols_residuals_remove_a_linear_trend():
    xy, z = _field(80)
    r = trend_residuals(xy, z[:, None], "linear")[:, 0]
    f = np.column_stack([np.ones(80), xy])
    assert np.abs(f.T @ r).max() < 1e-6 * np.abs(f.T @ z).max()
    assert np.array_equal(trend_residuals(xy, z[:, None], "none")[:, 0], z)


def test_point_drift_with_a_moving_neighbourhood_on_many_targets_matches_dense_solves():
    """Many point targets (the size a compiled fast path would take): the drift must still be honoured."""
    xy, z = _field(80)
    model = VariogramModel(0.1, (Structure("spherical", 1.0, 3000.0),))
    t = np.random.default_rng(5).uniform(0, 10_000, (3000, 2))
    res = Kriging(model, drift="linear", neighbourhood=Neighbourhood(max_samples=12, radius=np.inf)).fit(xy, z).predict(t)
    for i in range(0, 3000, 500):
        near = np.argsort(np.hypot(*(xy - t[i]).T), kind="stable")[:12]
        p = xy[near]
        c = model.covariance(*(p[:, None, :] - p[None, :, :]).transpose(2, 0, 1))
        a = np.zeros((15, 15))
        a[:12, :12] = c
        a[:12, 12] = a[12, :12] = 1.0
        a[:12, 13:] = p
        a[13:, :12] = p.T
        b = np.concatenate([model.covariance(*(p - t[i]).T), [1.0], t[i]])
        sol = np.linalg.solve(a, b)
        assert res.estimate[i] == pytest.approx(sol[:12] @ z[near], rel=1e-8, abs=1e-10)
        assert res.variance[i] == pytest.approx(model.sill - sol @ b, rel=1e-8, abs=1e-10)


def test_collinear_neighbours_cannot_identify_a_linear_drift():
    """A transect: every sample on one line; a linear drift is singular there, so no estimate (reason 1)."""
    x = np.linspace(0, 10_000, 30)
    xy = np.column_stack([x, 2 * x + 5.0])
    z = np.sin(x / 2000)
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 4000.0),))
    res = Kriging(model, drift="linear").fit(xy, z).predict(np.array([[5000.0, 10_005.0], [3000.0, 0.0]]))
    assert np.isnan(res.estimate).all()
    assert (res.reason == 1).all()
    ok = Kriging(model).fit(xy, z).predict(np.array([[5000.0, 10_005.0]]))
    assert np.isfinite(ok.estimate).all()


def test_block_universal_kriging_equals_a_direct_solve_with_block_averages():
    xy, z = _field(25)
    model = VariogramModel(0.2, (Structure("exponential", 1.0, 4000.0),))
    centre = np.array([[4000.0, 6000.0]])
    size, nd = 800.0, 4
    res = Kriging(model, drift="quadratic", block_size=size, block_discretisation=nd,
                  neighbourhood=GLOBAL).fit(xy, z).predict(centre)
    f = ((np.arange(nd) + 0.5) / nd - 0.5) * size
    pts = centre + np.array([[a, b] for b in f for a in f])  # discretisation points
    n = xy.shape[0]

    def poly(p):
        u, v = p[..., 0], p[..., 1]
        return np.stack([np.ones_like(u), u, v, u * u, v * v, u * v], axis=-1)

    c = model.covariance(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    cbar = np.mean([model.structured_covariance(*(xy - p).T) for p in pts], axis=0)
    d = pts[:, None, :] - pts[None, :, :]
    bv = float(np.mean(model.structured_covariance(d[..., 0], d[..., 1])))
    big = poly(xy)
    a = np.zeros((n + 6, n + 6))
    a[:n, :n] = c
    a[:n, n:] = big
    a[n:, :n] = big.T
    b = np.concatenate([cbar, poly(pts).mean(axis=0)])
    sol = np.linalg.solve(a, b)
    assert res.estimate[0] == pytest.approx(sol[:n] @ z, rel=1e-8)
    assert res.variance[0] == pytest.approx(bv - sol @ b, rel=1e-8)
