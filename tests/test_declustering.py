"""Cell declustering (GSLIB DECLUS): weights, the minimum-mean cell size, weighted means."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.errors import ConfigError
from seabed.geostats.declustering import cell_declustering, declustered_mean
from seabed.geostats.normal_score import NormalScoreTransform


def _clustered(seed: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """A regular 10 x 10 survey (mean ~1) plus 100 extra cores drilled in a high-grade corner."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(10) * 10_000.0 + 5000, np.arange(10) * 10_000.0 + 5000)
    regular = np.column_stack([gx.ravel(), gy.ravel()])
    extra = rng.uniform(0, 20_000, (100, 2))
    xy = np.vstack([regular, extra])
    z = 1.0 + 2.0 * (np.hypot(*xy.T) < 30_000) + rng.normal(0, 0.05, xy.shape[0])
    true_mean = float(np.mean(1.0 + 2.0 * (np.hypot(*regular.T) < 30_000)))
    return xy, z, true_mean


def test_declustering_recovers_the_regular_survey_mean():
    xy, z, true_mean = _clustered()
    d = cell_declustering(xy, z)
    assert d.naive_mean > true_mean + 0.5  # the clustered cores pull the naive mean up
    assert d.mean == pytest.approx(true_mean, abs=0.15)
    assert 5_000 <= d.cell_size <= 30_000  # about the regular spacing
    assert d.weights.mean() == pytest.approx(1.0)
    assert d.weights[:100].mean() > 2 * d.weights[100:].mean()
    assert declustered_mean(z, d.weights) == pytest.approx(d.mean)


def test_a_regular_survey_keeps_unit_weights():
    gx, gy = np.meshgrid(np.arange(8) * 1000.0, np.arange(8) * 1000.0)
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    z = np.random.default_rng(1).normal(size=64)
    d = cell_declustering(xy, z, cell_sizes=[1000.0], n_offsets=1)
    np.testing.assert_allclose(d.weights, 1.0)


def test_weighted_normal_scores_follow_the_declustered_distribution():
    xy, z, _ = _clustered()
    d = cell_declustering(xy, z)
    plain = NormalScoreTransform.fit(z)
    weighted = NormalScoreTransform.fit(z, weights=d.weights)
    # fewer high values once declustered: a high grade has a higher score
    assert weighted.transform(np.array([2.9]))[0] > plain.transform(np.array([2.9]))[0]


def test_bad_cell_sizes_are_refused():
    xy, z, _ = _clustered()
    with pytest.raises(ConfigError, match="cell_sizes"):
        cell_declustering(xy, z, cell_sizes=[0.0])


def test_without_a_lower_mean_the_weights_and_the_mean_stay_naive():
    """Clustering in LOW values: every declustered mean is above the naive one, so no declustering."""
    gx, gy = np.meshgrid(np.arange(8) * 1000.0, np.arange(8) * 1000.0)
    extra = np.random.default_rng(3).uniform(0, 900, (20, 2))
    xy = np.vstack([np.column_stack([gx.ravel(), gy.ravel()]), extra])
    z = np.concatenate([np.full(64, 2.0), np.full(20, 1.0)])
    d = cell_declustering(xy, z)
    assert d.cell_size == 0
    np.testing.assert_allclose(d.weights, 1.0)
    assert d.mean == d.naive_mean
    assert np.all(d.means >= d.naive_mean - 1e-12)
