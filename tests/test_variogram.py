"""Tests of seabed.geostats.variogram: models, experimental variograms, fitting."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.errors import ConfigError, InputDataError
from seabed.geostats.variogram import (
    Structure,
    VariogramModel,
    experimental_variogram,
    fit_variogram,
    pooled_experimental_variogram,
)


@pytest.mark.parametrize(
    ("kind", "at_range"),
    [("spherical", 1.0), ("exponential", 1 - np.exp(-3)), ("gaussian", 1 - np.exp(-3))],
    ids=["spherical", "exponential", "gaussian"],
)
def test_structure_reaches_practical_sill_at_range(kind, at_range):
    model = VariogramModel(0.2, (Structure(kind, 0.8, 1000.0),))
    assert model.sill == pytest.approx(1.0)
    assert model.gamma(1000.0, 0.0) == pytest.approx(0.2 + 0.8 * at_range)
    assert model.gamma(0.0, 0.0) == 0.0
    assert model.covariance(0.0, 0.0) == pytest.approx(1.0)
    assert model.covariance(0.0, 1e-9) == pytest.approx(0.8, abs=1e-6)  # nugget drops off at h > 0


def test_spherical_hand_value():
    model = VariogramModel(0.0, (Structure("spherical", 2.0, 100.0),))
    # h/a = 0.5: 1.5*0.5 - 0.5*0.125 = 0.6875
    assert model.gamma(30.0, 40.0) == pytest.approx(2.0 * 0.6875)


def test_anisotropy_minor_axis_reaches_sill_at_minor_range():
    s = Structure("spherical", 1.0, 1000.0, range_minor=250.0, azimuth=30.0)
    az = np.deg2rad(30.0)
    major = np.array([np.sin(az), np.cos(az)])
    minor = np.array([np.cos(az), -np.sin(az)])
    assert s.gamma(*(1000.0 * major)) == pytest.approx(1.0)
    assert s.gamma(*(250.0 * minor)) == pytest.approx(1.0)
    assert s.gamma(*(125.0 * minor)) == pytest.approx(s.gamma(*(500.0 * major)))


def test_scaled_multiplies_nugget_and_sills():
    model = VariogramModel(0.1, (Structure("exponential", 0.9, 500.0),)).scaled(4.0)
    assert model.nugget == pytest.approx(0.4)
    assert model.sill == pytest.approx(4.0)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Structure("cubic", 1.0, 10.0),
        lambda: Structure("spherical", -1.0, 10.0),
        lambda: Structure("spherical", 1.0, 0.0),
        lambda: VariogramModel(0.0, ()),
    ],
    ids=["kind", "negative-sill", "zero-range", "zero-total-sill"],
)
def test_invalid_models_raise(bad):
    with pytest.raises(ConfigError):
        bad()


def test_experimental_variogram_hand_values():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    values = np.array([0.0, 1.0, 3.0])
    ev = experimental_variogram(coords, values, lag_edges=[0.5, 1.5, 2.5])
    # pairs at h=1: (0,1) diff 1, (1,2) diff 2 -> 0.5 * (1 + 4) / 2; h=2: (0,2) diff 3 -> 4.5
    np.testing.assert_allclose(ev.gamma, [1.25, 4.5])
    np.testing.assert_array_equal(ev.n_pairs, [2, 1])
    np.testing.assert_allclose(ev.lag, [1.0, 2.0])


def test_experimental_variogram_direction_and_nan():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    values = np.array([0.0, 2.0, 10.0, np.nan])
    east = experimental_variogram(coords, values, lag_edges=[0.5, 1.5], azimuth=90.0, tolerance=10.0)
    north = experimental_variogram(coords, values, lag_edges=[0.5, 1.5], azimuth=0.0, tolerance=10.0)
    np.testing.assert_allclose(east.gamma, [2.0])  # pair (0,1): 0.5 * 4
    np.testing.assert_allclose(north.gamma, [50.0])  # pair (0,2): 0.5 * 100
    assert east.n_pairs[0] == north.n_pairs[0] == 1


def test_pooled_variogram_standardises_each_column():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [4.0, 0.0]])
    z = np.array([0.0, 1.0, 3.0, 2.0])
    zs = (z - z.mean()) / z.std()
    table = np.column_stack([z, 100 + 7 * z, np.where([True, True, False, True], -z, np.nan)])
    pooled = pooled_experimental_variogram(coords, table[:, :2], lag_edges=[0.5, 1.5, 2.5, 4.5])
    single = experimental_variogram(coords, zs, lag_edges=[0.5, 1.5, 2.5, 4.5])
    np.testing.assert_allclose(pooled.gamma, single.gamma)
    np.testing.assert_array_equal(pooled.n_pairs, 2 * single.n_pairs)
    with_nan = pooled_experimental_variogram(coords, table, lag_edges=[0.5, 1.5, 2.5, 4.5])
    assert with_nan.n_pairs.sum() == 2 * single.n_pairs.sum() + 3  # 3 pairs among 3 values


@pytest.mark.parametrize(
    ("kind", "nugget", "sill", "rng"),
    [("spherical", 0.2, 1.0, 15_000.0), ("exponential", 0.0, 2.0, 20_000.0)],
    ids=["spherical-nugget", "exponential"],
)
def test_fit_recovers_known_parameters(kind, nugget, sill, rng):
    # an exact Gaussian simulation (Cholesky) of the model on 1,800 random points
    truth = VariogramModel(nugget, (Structure(kind, sill - nugget, rng),))
    pts = np.random.default_rng(3).uniform(0, 150_000.0, (1800, 2))
    d = pts[:, None, :] - pts[None, :, :]
    cov = truth.covariance(d[..., 0], d[..., 1]) + 1e-9 * np.eye(len(pts))
    values = np.linalg.cholesky(cov) @ np.random.default_rng(11).normal(size=len(pts))
    ev = experimental_variogram(pts, values, lag_edges=np.arange(0, 40_001, 2_500.0))
    model = fit_variogram(ev, kinds=(kind,))
    assert model.nugget == pytest.approx(nugget, abs=0.1 * sill)
    assert model.sill == pytest.approx(sill, rel=0.2)
    assert model.structures[0].range == pytest.approx(rng, rel=0.25)


def test_fit_with_fixed_sill_and_exact_model_values():
    truth = VariogramModel(0.25, (Structure("spherical", 0.75, 10_000.0),))
    edges = np.arange(0, 20_001, 1000.0)
    lag = 0.5 * (edges[:-1] + edges[1:])
    from seabed.geostats.variogram import ExperimentalVariogram

    ev = ExperimentalVariogram(lag, truth.gamma_isotropic(lag), np.full(lag.size, 100), edges)
    model = fit_variogram(ev, sill=1.0)
    assert model.sill == pytest.approx(1.0)
    assert model.nugget == pytest.approx(0.25, abs=1e-4)
    assert model.structures[0].range == pytest.approx(10_000.0, rel=1e-3)


def test_fit_refuses_too_few_lags():
    from seabed.geostats.variogram import ExperimentalVariogram

    ev = ExperimentalVariogram(np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([3, 3]), np.array([0.5, 1.5, 2.5]))
    with pytest.raises(InputDataError, match="lag classes"):
        fit_variogram(ev)


def test_plot_variogram_labels_axes_with_units():
    from seabed.geostats.plot import plot_variogram

    coords = np.array([[0.0, 0.0], [1000.0, 0.0], [2000.0, 0.0], [0.0, 1500.0]])
    ev = experimental_variogram(coords, np.array([0.0, 1.0, 3.0, 2.0]), lag_edges=[0, 1200, 2500])
    model = VariogramModel(0.1, (Structure("spherical", 2.0, 2000.0),))
    ax = plot_variogram(ev, model)
    assert ax.get_xlabel() == "lag distance (km)"
    assert "semivariance" in ax.get_ylabel()
    assert len(ax.lines) == 2  # model and sill


def test_fit_of_a_constant_variable_names_it():
    from seabed.errors import InputDataError
    from seabed.geostats.variogram import experimental_variogram, fit_variogram

    xy = np.random.default_rng(0).uniform(0, 1000, (50, 2))
    exp = experimental_variogram(xy, np.full(50, 7.0), lag_edges=np.linspace(0, 500, 6))
    with pytest.raises(InputDataError, match=r"variogram fit of Nd: .*constant"):
        fit_variogram(exp, name="Nd")
