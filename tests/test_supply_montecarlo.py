"""Monte Carlo sampling, reproducibility, bands, offset probability and tornado."""

import numpy as np
import pandas as pd
import pytest
from supply_helpers import UNLIMITED_SEPARATION

from seabed.config.supply import SupplySettings
from seabed.config.supply_uncertainty import Distribution
from seabed.supply.model import project_supply
from seabed.supply.montecarlo import distribution_quantile, sample_distribution

PARAMS = {
    "processing.leach_recovery": {"dist": "triangular", "low": "0.6", "mode": "0.75", "high": "0.85"},
    "plan.start_delay": {"dist": "uniform", "low": "0 year", "high": "4 year"},
    "economics.price_multiplier": {"dist": "lognormal", "median": "1", "sigma": "0.3"},
    "demand.growth_rate": {"dist": "normal", "mean": "1 percent/year", "sd": "1 percent/year"},
}




def inventory():
    rng = np.random.default_rng(0)
    rey = rng.uniform(1000, 6000, 200)
    return pd.DataFrame({"dry_tonnes": np.full(200, 2e6), "Y": 0.25 * rey, "Nd": 0.17 * rey,
                         "Pr": 0.045 * rey, "Dy": 0.035 * rey, "Tb": 0.006 * rey, "La": 0.2 * rey})


def settings(draws=300):
    return SupplySettings(uncertainty={"draws": draws, "parameters": PARAMS})


def test_same_seed_same_result_other_seed_differs():
    a = project_supply(inventory(), settings(), seed=11)
    b = project_supply(inventory(), settings(), seed=11)
    c = project_supply(inventory(), settings(), seed=12)
    pd.testing.assert_frame_equal(a.bands, b.bands)
    pd.testing.assert_frame_equal(a.monte_carlo, b.monte_carlo)
    pd.testing.assert_frame_equal(a.offset_probability, b.offset_probability)
    assert not np.allclose(a.bands["p50"], c.bands["p50"], equal_nan=True)
    assert a.monte_carlo.loc["npv", "p50"] != c.monte_carlo.loc["npv", "p50"]


def test_bands_are_ordered_and_probabilities_bounded():
    r = project_supply(inventory(), settings(), seed=1)
    b = r.bands.dropna()
    assert (b["p10"] <= b["p50"] + 1e-9).all()
    assert (b["p50"] <= b["p90"] + 1e-9).all()
    p = r.offset_probability.to_numpy()
    finite = p[np.isfinite(p)]
    assert ((finite >= 0) & (finite <= 1)).all()
    assert (r.offset_probability["Sm"] == 0).all()  # demanded, absent from the inventory
    # the supply band is wide in the years the start delay makes uncertain
    row = r.bands.query("item == 'TREO' and variable == 'supply_t' and year == 2036").iloc[0]
    assert row["p10"] < row["p90"]


def test_fixed_distributions_reproduce_deterministic_run():
    fixed = {"processing.leach_recovery": {"dist": "fixed", "value": "0.75"}}
    unc = {"draws": 20, "parameters": fixed, "gates": False, "prices": False}  # gates and prices held at base
    r = project_supply(inventory(), SupplySettings(uncertainty=unc), seed=0)
    treo = r.bands.query("item == 'TREO' and variable == 'supply_t'").set_index("year")
    det = r.offset.query("item == 'TREO'").set_index("year")["supply_t"]  # separated outside China
    np.testing.assert_allclose(treo["p10"], det, rtol=1e-12)
    np.testing.assert_allclose(treo["p90"], det, rtol=1e-12)
    assert r.monte_carlo.loc["npv", "p50"] == pytest.approx(r.summary["npv"].magnitude)


@pytest.mark.parametrize(
    ("spec", "mean"),
    [
        ({"dist": "uniform", "low": "0.2", "high": "0.6"}, 0.4),
        ({"dist": "triangular", "low": "0.6", "mode": "0.75", "high": "0.85"}, (0.6 + 0.75 + 0.85) / 3),
        ({"dist": "normal", "mean": "0.5", "sd": "0.05"}, 0.5),
        ({"dist": "lognormal", "median": "2", "sigma": "0.2"}, 2 * np.exp(0.02)),
    ],
    ids=["uniform", "triangular", "normal", "lognormal"],
)
def test_sampled_means(spec, mean):
    x = sample_distribution(Distribution(**spec), 200_000, np.random.default_rng(3), name="plan.dilution")
    assert x.mean() == pytest.approx(mean, rel=5e-3)


@pytest.mark.parametrize(
    "spec",
    [{"dist": "triangular", "low": "0.6", "mode": "0.75", "high": "0.85"},
     {"dist": "lognormal", "median": "1", "sigma": "0.5", "high": "1.5"},
     {"dist": "normal", "mean": "1", "sd": "0.2", "low": "0.9"}],
    ids=["triangular", "lognormal-clipped", "normal-clipped"],
)
def test_quantiles_match_samples(spec):
    d = Distribution(**spec)
    x = sample_distribution(d, 200_000, np.random.default_rng(5), name="plan.dilution")
    for q in (0.1, 0.9):
        assert distribution_quantile(d, q, name="plan.dilution") == pytest.approx(np.quantile(x, q), abs=5e-3)


def test_units_in_distribution_are_converted():
    d = Distribution(dist="uniform", low="12 month", high="24 month")
    x = sample_distribution(d, 1000, np.random.default_rng(0), name="plan.start_delay")
    assert x.min() >= 1.0
    assert x.max() <= 2.0


def test_tornado_brackets_base_npv():
    r = project_supply(inventory(), settings(draws=0), seed=0)
    t = r.tornado
    # the NPV, the offset item and each controlled element with demand (issue 16: the tornado covers the answer)
    assert {"npv", "offset_year_TREO", "offset_year_Dy", "offset_year_Y"} <= set(t["metric"])
    npv = t[t["metric"] == "npv"].set_index("parameter")
    assert npv["base"].iloc[0] == pytest.approx(r.summary["npv"].magnitude)
    price = npv.loc["economics.price_multiplier"]
    assert price["at_low"] < price["base"] < price["at_high"]
    assert npv["swing"].is_monotonic_decreasing


def test_scenarios_side_by_side():
    fast = {"plan": {"phases": [{"name": "c", "start_year": 2030, "systems": 2, "rate_per_system": "10000 t/day",
                                 "rate_basis": "dry", "ramp_up_category": 1}]}}
    # the fast plan exhausts the 400 Mt inventory before 2065, so it offsets for a run of years, not to the
    # horizon's end: compare sustained offsets of 5 years
    # scenario mechanics, not separation capacity: separation never binds
    s = SupplySettings(uncertainty={"draws": 0}, offset={"sustain_years": 5}, scenarios={"fast": fast},
                       separation=UNLIMITED_SEPARATION)
    table = project_supply(inventory(), s, seed=0).scenarios
    assert list(table.columns) == ["base", "fast"]
    assert table.loc["first_offset_year_0.5_TREO", "fast"] < table.loc["first_offset_year_0.5_TREO", "base"]


def _antithetic_realisations(inv, pairs=10, seed=4):
    """Realisations in pairs base·(1 + e), base·(1 − e): they average exactly to the estimate."""
    rng = np.random.default_rng(seed)
    grades = inv.drop(columns="dry_tonnes").to_numpy()
    e = rng.uniform(-0.6, 0.6, (pairs, len(inv), 1))
    return np.concatenate([grades[None] * (1 + e), grades[None] * (1 - e)])


def test_monte_carlo_mean_equals_deterministic_when_inputs_at_their_means():
    """The sequence is chosen on the kriged inventory, not per realisation (no perfect knowledge)."""
    from seabed.supply.projection import mining_order, simulate
    from seabed.supply.sequence import read_inventory

    inv = inventory()
    real = _antithetic_realisations(inv)
    # separation never binds: a capacity cap (min) is concave and would pull the mean below the
    # deterministic path by itself; this test is about the mining order
    s = SupplySettings(uncertainty={"draws": 4000, "tornado": False}, separation=UNLIMITED_SEPARATION)
    r = project_supply(inv, s, seed=2, realisations=real)
    base, reals = read_inventory(inv, real)
    which = np.random.default_rng(2).integers(reals.n_realisations, size=4000)
    p = simulate(reals, s, n=4000, realisation=which, order=mining_order(base, s))
    treo = p.supply[..., p.items.index("TREO")].sum(axis=1)  # per draw, t over the horizon
    det = r.offset.query("item == 'TREO'")["supply_t"].sum()  # the deterministic supply that counts
    se = treo.std(ddof=1) / np.sqrt(treo.size)
    assert abs(treo.mean() - det) < 4 * se
    # the P50 band of the same run tracks the deterministic path, year by year
    band = r.bands.query("item == 'TREO' and variable == 'cumulative_supply_t'").set_index("year")
    assert band.loc[2065, "p50"] == pytest.approx(det, rel=0.1)
    # with perfect knowledge (each realisation mined best-first) the mean is biased upwards
    biased = np.empty(reals.n_realisations)
    for k in range(reals.n_realisations):
        one = simulate(reals, s, n=1, realisation=np.array([k]),
                       order=mining_order(read_inventory(inv.assign(**dict(zip(
                           inv.columns[1:], real[k].T, strict=True))))[0], s))
        biased[k] = one.supply[0, :, one.items.index("TREO")].sum()
    assert biased.mean() > det + 10 * se
