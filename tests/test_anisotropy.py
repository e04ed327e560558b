"""Fitted geometric anisotropy: directional variograms, variogram map, azimuth and ratio."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.errors import ConfigError
from seabed.geostats.anisotropy import (
    Anisotropy,
    directional_variograms,
    fit_anisotropy,
    isotropic_coordinates,
    variogram_map,
    with_anisotropy,
)
from seabed.geostats.variogram import Structure, VariogramModel


def _gstools_field(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """A GSTools field with ratio 3 at azimuth 30° (GSTools angles: counter-clockwise from x)."""
    gs = pytest.importorskip("gstools")
    model = gs.Exponential(dim=2, var=1.0, len_scale=[20.0, 20.0 / 3.0], angles=np.deg2rad(90.0 - 30.0))
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 200.0, (n, 2))
    srf = gs.SRF(model, seed=seed)
    return xy, np.asarray(srf((xy[:, 0], xy[:, 1])))


def _axial_difference(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def test_fitted_azimuth_and_ratio_of_a_gstools_field():
    """Done-when of issue 17 item 3: median over 20 draws within 10° and 30 %."""
    edges = np.arange(0.0, 105.0, 7.5)
    fits = []
    for seed in range(20):
        xy, z = _gstools_field(seed)
        fits.append(fit_anisotropy(xy, z[:, None], lag_edges=edges, kind="exponential"))
    azimuth_errors = [_axial_difference(f.azimuth, 30.0) for f in fits]
    ratios = np.array([f.ratio for f in fits])
    assert np.median(azimuth_errors) < 10.0
    assert abs(np.median(ratios) / 3.0 - 1.0) < 0.30
    assert all(f.fitted for f in fits)


def test_isotropic_coordinates_turn_the_ellipse_into_a_circle():
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 3000.0, 1000.0, 30.0),))
    rng = np.random.default_rng(0)
    xy = rng.uniform(-2000, 2000, (50, 2))
    iso = isotropic_coordinates(xy, azimuth=30.0, ratio=3.0)
    d_iso = np.hypot(*(iso[:, None, :] - iso[None, :, :]).transpose(2, 0, 1))
    d = xy[:, None, :] - xy[None, :, :]
    expected = model.structures[0].reduced_distance(d[..., 0], d[..., 1]) * 3000.0
    np.testing.assert_allclose(d_iso, expected, atol=1e-9)
    aniso = with_anisotropy(VariogramModel(0.1, (Structure("spherical", 0.9, 3000.0),)), Anisotropy(30.0, 3.0))
    assert aniso.structures[0].range_minor == pytest.approx(1000.0)
    assert aniso.structures[0].azimuth == 30.0


def test_directional_variograms_split_the_pairs_and_the_map_is_symmetric():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 100, (60, 2))
    z = rng.normal(size=(60, 2))
    edges = np.linspace(0, 200, 21)
    parts = directional_variograms(xy, z, lag_edges=edges)
    omni_pairs = sum(int(p.n_pairs.sum()) for p in parts)
    assert omni_pairs == 60 * 59 // 2 * 2  # 4 sectors of ±22.5°: every (pair, variable) exactly once
    vmap = variogram_map(xy, z, lag=10.0, n_lags=12)
    np.testing.assert_array_equal(vmap.n_pairs, vmap.n_pairs[::-1, ::-1])
    np.testing.assert_allclose(vmap.gamma, vmap.gamma[::-1, ::-1], equal_nan=True)


def test_bad_anisotropy_is_refused():
    with pytest.raises(ConfigError, match="ratio"):
        Anisotropy(30.0, 0.5)


def test_search_ellipse_follows_the_anisotropy_unless_set():
    from seabed.geostats.anisotropy import align_search
    from seabed.geostats.neighbourhood import Neighbourhood

    model = VariogramModel(0.1, (Structure("spherical", 0.9, 30_000.0, 10_000.0, 30.0),))
    nb = align_search(Neighbourhood(radius=60_000.0), model)
    assert nb.radius_minor == pytest.approx(20_000.0)
    assert nb.azimuth == 30.0
    declared = Neighbourhood(radius=60_000.0, radius_minor=50_000.0, azimuth=0.0)
    assert align_search(declared, model) is declared
    iso = VariogramModel(0.1, (Structure("spherical", 0.9, 30_000.0),))
    assert align_search(Neighbourhood(), iso) == Neighbourhood()
