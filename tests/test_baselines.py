"""Tests of seabed.geostats.baselines (inverse distance, nearest neighbour)."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.errors import ConfigError
from seabed.geostats.baselines import InverseDistance, NearestNeighbour
from seabed.geostats.neighbourhood import Neighbourhood

XY = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
Z = np.array([0.0, 3.0, 9.0])


@pytest.mark.parametrize(
    ("power", "expected"),
    [
        (1.0, (0.0 / 0.5 + 3.0 / 1.5 + 9.0 / 9.5) / (1 / 0.5 + 1 / 1.5 + 1 / 9.5)),
        (2.0, (0.0 / 0.25 + 3.0 / 2.25 + 9.0 / 90.25) / (1 / 0.25 + 1 / 2.25 + 1 / 90.25)),
    ],
    ids=["power1", "power2"],
)
def test_idw_hand_value(power, expected):
    res = InverseDistance(power=power).fit(XY, Z).predict(np.array([[0.5, 0.0]]))
    assert res.estimate[0] == pytest.approx(expected)
    assert np.isnan(res.variance[0])
    assert res.n_samples[0] == 3
    assert res.nearest_distance[0] == pytest.approx(0.5)


def test_idw_is_exact_at_samples_and_respects_max_neighbours():
    idw = InverseDistance(neighbourhood=Neighbourhood(max_samples=2, min_samples=1)).fit(XY, Z)
    res = idw.predict(XY)
    np.testing.assert_allclose(res.estimate, Z)
    far = idw.predict(np.array([[-100.0, 0.0]]))
    assert far.n_samples[0] == 2
    assert far.estimate[0] < 3.0  # the 9 ppm sample is not among the 2 nearest


def test_nearest_neighbour_values_distances_and_radius():
    nn = NearestNeighbour(radius=3.0).fit(XY, Z)
    res = nn.predict(np.array([[0.9, 0.0], [1.1, 1.0], [6.5, 0.0]]))
    np.testing.assert_allclose(res.estimate[:2], [0.0, 3.0])
    np.testing.assert_allclose(res.nearest_distance[:2], [0.9, np.hypot(0.9, 1.0)])
    assert np.isnan(res.estimate[2])
    assert res.reason[2] == 1


def test_baselines_handle_several_variables_with_missing_values():
    table = np.column_stack([Z, [np.nan, 1.0, 2.0]])
    res = NearestNeighbour().fit(XY, table).predict(np.array([[0.1, 0.0]]))
    np.testing.assert_allclose(res.estimate[0], [0.0, 1.0])
    np.testing.assert_allclose(res.nearest_distance[0], [0.1, 1.9])


def test_idw_refuses_non_positive_power():
    with pytest.raises(ConfigError, match="power"):
        InverseDistance(power=0.0).fit(XY, Z)
