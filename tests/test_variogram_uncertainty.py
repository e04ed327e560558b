"""Variogram (parameter) uncertainty in the simulation (issue 17 item 7).

``[resource.simulation] variogram_uncertainty`` (off by default) draws ``variogram_models``
variograms around the fitted one (:func:`seabed.geostats.plan_variants.perturbed_plans`) and runs
realisation ``r`` with model ``r % K`` (:func:`seabed.resource.uncertainty.simulate_resource_models`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from test_simulation import N, composites, grade_block_model, make_grid

from seabed.config.resource import SimulationSettings
from seabed.geostats.plan_variants import perturbed_plans
from seabed.geostats.simulation import prepare_simulation
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.resource.uncertainty import TonnageTally, simulate_resource, simulate_resource_models

#: A short range (1 km on an 8 km square) and 5 cores: the spread of the total grows with the range.
MODEL = VariogramModel(0.0, (Structure("exponential", 1.0, 1000.0),))
TALLY = TonnageTally(items=(), cutoff_item="Y", cutoffs=(800.0,))


@pytest.fixture(scope="module")
def case():
    """Plan (5 cores, one layer, known mean) and a block model of the 80 × 80 grid."""
    grid = make_grid(1)
    plan = prepare_simulation(composites(grid, 5, n_layers=1), grid, model=MODEL, mean_uncertainty=False)
    return plan, grade_block_model(grid, np.full((2, 1, N, N), 600.0), ["Y", "La"])


def _total_y(run) -> pd.Series:
    t = run.tonnage
    return t[(t.scope == "total") & (t.item == "Y")].set_index("realisation").tonnes


def test_off_by_default_and_a_zero_spread_changes_nothing(case) -> None:
    """Off by default (the stage then calls simulate_resource as before); a model drawn with no
    spread is the fitted model, kernel and all, and gives the same realisations."""
    s = SimulationSettings()
    assert s.variogram_uncertainty is False
    plan, bm = case
    (same,) = perturbed_plans(plan, n_models=1, range_relative_sd=0.0, nugget_sd=0.0, seed=1)
    assert same.model == plan.model
    np.testing.assert_array_equal(same.kernel.weights, plan.kernel.weights)
    a = simulate_resource(plan, bm, n_realisations=3, seed=2, tally=TALLY).tonnage
    b = simulate_resource(same, bm, n_realisations=3, seed=2, tally=TALLY).tonnage
    pd.testing.assert_frame_equal(a, b)


def test_models_are_drawn_around_the_fitted_one(case) -> None:
    plan, _ = case
    plans = perturbed_plans(plan, n_models=200, range_relative_sd=0.5, nugget_sd=0.1, seed=3)
    ranges = np.array([p.model.structures[0].range for p in plans])
    nuggets = np.array([p.model.nugget for p in plans])
    assert np.allclose([p.model.sill for p in plans], 1.0)
    assert 0.4 < np.std(np.log(ranges)) < 0.6
    assert abs(np.median(np.log(ranges / 1000.0))) < 0.15
    assert nuggets.min() >= 0.0
    assert nuggets.max() <= 0.95
    assert np.mean(nuggets > 0) > 0.3


def test_on_widens_the_p10_p90_of_the_total(case) -> None:
    """Measured (400 realisations, 20 models, s.d. of log range 1.0, no nugget spread), P10–P90 of
    the total Y tonnes: seed 3: 1,163 t off -> 1,362 t on (+17 %; s.d. 458 -> 662 t); seeds 4-7:
    +26 % to +45 %. A scale mixture: the s.d. grows more than the central width."""
    plan, bm = case
    off = _total_y(simulate_resource(plan, bm, n_realisations=400, seed=3, tally=TALLY))
    plans = perturbed_plans(plan, n_models=20, range_relative_sd=1.0, nugget_sd=0.0, seed=3)
    on = _total_y(simulate_resource_models(plans, bm, n_realisations=400, seed=3, tally=TALLY))
    width_off, width_on = (np.quantile(t, 0.9) - np.quantile(t, 0.1) for t in (off, on))
    assert width_on > 1.1 * width_off, (width_off, width_on)
    assert on.std() > 1.3 * off.std()
    assert abs(on.mean() - off.mean()) < 0.1 * off.mean()


def test_reproducible_from_the_seed(case) -> None:
    plan, bm = case

    def run(seed: int) -> pd.DataFrame:
        plans = perturbed_plans(plan, n_models=3, range_relative_sd=0.3, nugget_sd=0.1, seed=seed)
        return simulate_resource_models(plans, bm, n_realisations=7, seed=seed, tally=TALLY).tonnage

    a, b, c = run(5), run(5), run(6)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.realisation.unique()) == list(range(7))
    assert not np.allclose(a.tonnes, c.tonnes)


@pytest.mark.parametrize(("key", "value"), [("variogram_range_relative_sd", 0.0), ("variogram_range_relative_sd", 2.0),
                                            ("variogram_nugget_sd", -0.1), ("variogram_models", 0)])
def test_bad_settings_are_refused(key, value) -> None:
    with pytest.raises(ValidationError, match=key):
        SimulationSettings(**{key: value})
