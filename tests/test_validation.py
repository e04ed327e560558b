"""Tests of seabed.geostats.validation (cross-validation)."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.errors import ConfigError
from seabed.geostats.baselines import NearestNeighbour
from seabed.geostats.kriging import Kriging, Neighbourhood
from seabed.geostats.validation import assign_folds, cross_validate
from seabed.geostats.variogram import Structure, VariogramModel

XY = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
Z = np.array([1.0, 2.0, 4.0])


def test_leave_one_out_nearest_neighbour_hand_case():
    cv = cross_validate(XY, Z, estimator=NearestNeighbour())
    # held-out predictions: 2 (from x=1), 1 (from x=0), 2 (from x=1) -> errors 1, -1, -2
    np.testing.assert_allclose(cv.predictions["estimate"], [2.0, 1.0, 2.0])
    np.testing.assert_allclose(cv.predictions["error"], [1.0, -1.0, -2.0])
    row = cv.metrics.iloc[0]
    assert row["n"] == 3
    assert row["mean_error"] == pytest.approx(-2 / 3)
    assert row["rmse"] == pytest.approx(np.sqrt(2.0))
    assert row["correlation"] == pytest.approx(np.corrcoef(Z, [2.0, 1.0, 2.0])[0, 1])
    assert np.isnan(row["mean_standardised_error"])  # no variance for a baseline


def test_standardised_errors_use_the_kriging_variance():
    model = VariogramModel(0.0, (Structure("spherical", 1.0, 10.0),))
    est = Kriging(model, neighbourhood=Neighbourhood(max_samples=None, min_samples=1))
    cv = cross_validate(XY, Z, estimator=est)
    p = cv.predictions
    np.testing.assert_allclose(p["standardised_error"], p["error"] / np.sqrt(p["variance"]))
    se = p["standardised_error"].to_numpy()
    assert cv.metrics.iloc[0]["var_standardised_error"] == pytest.approx(se.var())
    assert not hasattr(est, "groups_")  # the estimator passed in is not modified


def test_leave_one_group_out_holds_whole_groups():
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [5.0, 0.0]])
    table = np.array([[1.0, np.nan], [np.nan, 10.0], [3.0, np.nan], [np.nan, 30.0]])
    cv = cross_validate(xy, table, estimator=NearestNeighbour(), groups=["a", "a", "b", "b"],
                        variable_names=["top", "bottom"])
    # with group "a" out, only "b" informs: estimates 3 and 30 for a; 1 and 10 for b
    p = cv.predictions.set_index(["sample", "variable"])["estimate"]
    assert p[(0, "top")] == 3.0
    assert p[(1, "bottom")] == 30.0
    assert p[(2, "top")] == 1.0
    assert p[(3, "bottom")] == 10.0
    assert list(cv.metrics.index) == ["top", "bottom"]


def test_blocked_folds_are_spatial_blocks():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (400, 2))
    fold = assign_folds(xy, n_folds=4, seed=1)
    assert set(fold) == {0, 1, 2, 3}
    # 3 x 3 blocks (ceil(sqrt(2 * 4))) over the bounding box: one fold per block
    lo = xy.min(axis=0)
    edge = (xy.max(axis=0) - lo).max() / 3
    block = np.minimum(((xy - lo) // edge).astype(int), 2)
    for b in {tuple(r) for r in block}:
        assert len(set(fold[(block == b).all(axis=1)])) == 1


def test_groups_and_folds_are_exclusive():
    with pytest.raises(ConfigError):
        assign_folds(XY, groups=[0, 1, 2], n_folds=2)


def test_plot_cross_validation_draws_points_and_labels():
    from seabed.geostats.plot import plot_cross_validation

    cv = cross_validate(XY, Z, estimator=NearestNeighbour())
    ax = plot_cross_validation(cv.predictions)
    assert ax.get_xlabel() == "observed (ppm)"
    assert ax.get_ylabel() == "cross-validated estimate (ppm)"
    assert len(ax.collections[0].get_offsets()) == 3


def test_core_totals_combine_the_held_out_elements():
    import pandas as pd

    from seabed.geostats.validation import (
        aggregate_metrics,
        aggregate_predictions,
        core_total_coefficients,
    )

    coef = core_total_coefficients(["Nd", "Y", "Sc"], np.array([1.0, 3.0]), "REY")
    assert coef == {"Nd|0": 0.25, "Nd|1": 0.75, "Y|0": 0.25, "Y|1": 0.75}  # Sc is not REY
    treo = core_total_coefficients(["Nd"], np.array([1.0]), "TREO")
    assert treo["Nd|0"] == pytest.approx(1.1664, abs=1e-4)
    rows = []
    for sample, (obs, est) in enumerate([((10, 20, 30, 40), (11, 19, 33, 40)), ((1, 2, 3, np.nan), (1, 2, 3, 4))]):
        for v, o, e in zip(coef, obs, est, strict=True):
            rows.append({"sample": sample, "fold": sample, "variable": v, "x": 0.0, "y": 0.0, "observed": o,
                         "estimate": e})
    table = aggregate_predictions(pd.DataFrame(rows), coef)
    assert table["sample"].tolist() == [0]  # sample 1 misses one observation
    expected_obs = 0.25 * 10 + 0.75 * 20 + 0.25 * 30 + 0.75 * 40
    expected_est = 0.25 * 11 + 0.75 * 19 + 0.25 * 33 + 0.75 * 40
    assert table["observed"].iloc[0] == pytest.approx(expected_obs)
    assert table["error"].iloc[0] == pytest.approx(expected_est - expected_obs)
    m = aggregate_metrics(table)
    assert m["n"] == 1
    assert m["rmse"] == pytest.approx(abs(expected_est - expected_obs))
