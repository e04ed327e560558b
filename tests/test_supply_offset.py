"""The import offset, defined once (seabed.supply.offset): sustained offset, P(offset by year), percentiles."""

import numpy as np
import pandas as pd
import pytest
from supply_helpers import EARLY_PLAN

from seabed.config.supply import SupplySettings
from seabed.errors import ConfigError
from seabed.supply.model import project_supply
from seabed.supply.offset import (
    REASON_HORIZON,
    coverage,
    first_sustained_year,
    offset_by_year,
    percentile_years,
    sustained_from,
    weakest_link,
)

YEARS = np.arange(2030, 2036)


def test_sustained_needs_every_later_year():
    ok = np.array([[1, 0, 1, 1, 0, 1], [0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]], dtype=bool)[..., None]
    assert sustained_from(ok)[..., 0].tolist() == [
        [False, False, False, False, False, True],
        [False, True, True, True, True, True],
        [False] * 6,
    ]
    first = first_sustained_year(ok, YEARS)[:, 0]
    assert first.tolist() == [2035.0, 2031.0, np.inf]
    # a run length of 2 years, cut at the horizon's end
    assert first_sustained_year(ok, YEARS, 2)[:, 0].tolist() == [2032.0, 2031.0, np.inf]
    assert first_sustained_year(ok, YEARS, 1)[:, 0].tolist() == [2030.0, 2031.0, np.inf]
    # a run length longer than the horizon is "to the end"
    np.testing.assert_array_equal(sustained_from(ok, 100), sustained_from(ok))


@pytest.mark.parametrize("seed", range(30))
def test_probability_by_year_is_monotone_and_matches_percentiles(seed):
    """Property test over random coverage paths (hypothesis-style: many random cases)."""
    rng = np.random.default_rng(seed)
    d, y, e = rng.integers(1, 60), rng.integers(1, 25), rng.integers(1, 5)
    years = np.arange(2026, 2026 + y)
    ok = rng.random((d, y, e)) < rng.uniform(0.2, 0.95)
    sustain = [None, int(rng.integers(1, 6))][seed % 2]
    first = first_sustained_year(ok, years, sustain)
    prob = offset_by_year(first, years)
    assert prob.shape == (y, e)
    assert (np.diff(prob, axis=0) >= 0).all()
    assert ((prob >= 0) & (prob <= 1)).all()
    pct = percentile_years(first, years)
    for i, k in enumerate((10, 50, 90)):
        ref = np.percentile(first, k, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(np.where(np.isfinite(ref), ref, np.nan), pct[i])
        # Pk is where the monotone curve first reaches k %
        for j in range(e):
            if np.isfinite(pct[i, j]):
                assert prob[years == pct[i, j], j][0] >= k / 100 - 1e-12
                assert (prob[years < pct[i, j], j] < k / 100 + 1e-12).all()


def test_percentile_convention_for_draws_never_offset():
    first = np.array([2030.0, 2031, 2032, np.inf, np.inf, np.inf, np.inf, np.inf, np.inf, np.inf])[:, None]
    pct = percentile_years(first, np.arange(2028, 2040))[:, 0]
    assert pct[0] == 2030  # 10 % of draws offset by 2030
    assert np.isnan(pct[1])
    assert np.isnan(pct[2])


def test_coverage_and_weakest_link():
    supply = np.array([[[2.0, 1.0, 5.0]], [[0.5, 3.0, 0.0]]])
    china = np.array([[[1.0, 2.0, 0.0]]])
    cov = coverage(supply, china)
    np.testing.assert_allclose(cov[:, 0], [[2.0, 0.5, np.nan], [0.5, 1.5, np.nan]])
    np.testing.assert_allclose(weakest_link(cov)[:, 0], [0.5, 0.5])  # NaN (no imports) ignored
    assert np.isnan(weakest_link(np.full((1, 1, 2), np.nan))).all()


def inventory():
    rng = np.random.default_rng(0)
    rey = rng.uniform(1000, 6000, 400)
    return pd.DataFrame({"dry_tonnes": np.full(400, 1e7), "Y": 0.25 * rey, "Nd": 0.17 * rey,
                         "Pr": 0.045 * rey, "Dy": 0.035 * rey, "Tb": 0.006 * rey, "La": 0.2 * rey})


DELAY = {"plan.start_delay": {"dist": "uniform", "low": "0 year", "high": "6 year"},
         "processing.leach_recovery": {"dist": "uniform", "low": "0.6", "high": "0.9"}}


def test_project_supply_gives_the_per_element_answer():
    # the pre-issue-16 plan, so that Y is offset within the horizon (mechanics, not the centred base case)
    s = SupplySettings(offset={"elements": ["Y", "Dy", "Tb", "Sm"]},
                       uncertainty={"draws": 400, "parameters": DELAY, "tornado": False}, **EARLY_PLAN)
    r = project_supply(inventory(), s, seed=3)
    by_year = r.offset_probability_by_year
    assert list(by_year.columns) == ["Y", "Sm", "Tb", "Dy"]  # element order of seabed.elements
    assert (by_year.diff().dropna() >= 0).all().all()
    assert (r.offset_probability.diff().dropna().fillna(0) >= 0).all().all()
    y = r.summary["offset_by_element"]["Y"]
    years = y["first_sustained_offset_year"]
    assert years["p10"] <= years["p50"] <= years["p90"]
    assert by_year.loc[years["p50"], "Y"] >= 0.5 > by_year.loc[years["p50"] - 1, "Y"]
    assert y["reason"] is None
    assert y["coverage_plateau"] > 1
    sm = r.summary["offset_by_element"]["Sm"]
    assert sm["first_sustained_offset_year"] == {"p10": None, "p50": None, "p90": None}
    assert sm["reason"] == "not in the mining inventory"
    weak = r.summary["weakest_link"]
    assert weak["coverage_plateau"] == 0.0
    assert weak["element_at_plateau"] == "Sm"
    assert weak["reason"] is not None
    cov = r.coverage.set_index(["year", "element"])
    det = cov["deterministic"].unstack()
    np.testing.assert_allclose(det["weakest_link"], det[["Y", "Sm", "Tb", "Dy"]].min(axis=1))
    assert (cov["p10"] <= cov["p50"] + 1e-12).all()
    by_el = r.summary["coverage_by_year"]  # the same coverage in summary.json, per element and year
    assert set(by_el) == {"Y", "Sm", "Tb", "Dy", "weakest_link"}
    assert by_el["Y"]["year"] == list(det.index)
    np.testing.assert_allclose(by_el["weakest_link"]["deterministic"], det["weakest_link"])
    assert (cov["p50"] <= cov["p90"] + 1e-12).all()


def test_weakest_link_of_offset_elements_and_horizon_reason():
    s = SupplySettings(offset={"elements": ["Y", "Dy"]}, uncertainty={"draws": 0, "tornado": False}, **EARLY_PLAN)
    r = project_supply(inventory(), s, seed=0)
    assert r.offset_probability_by_year.empty  # no draws: no probabilities
    dy = r.summary["offset_by_element"]["Dy"]
    y = r.summary["offset_by_element"]["Y"]
    assert y["first_sustained_offset_year"]["p50"] == y["first_sustained_offset_year_deterministic"] is not None
    if dy["first_sustained_offset_year_deterministic"] is None:
        assert dy["reason"] == REASON_HORIZON
        assert r.summary["weakest_link"]["element_at_plateau"] == "Dy"
        assert r.summary["weakest_link"]["first_sustained_offset_year"]["p50"] is None


def test_default_offset_elements_are_the_controlled_ones():
    r = project_supply(inventory(), SupplySettings(uncertainty={"draws": 0, "tornado": False}), seed=0)
    assert "Nd" not in r.summary["offset_elements"]
    assert {"Y", "Dy", "Tb"} <= set(r.summary["offset_elements"])


@pytest.mark.parametrize(("table", "key"), [
    ({"elements": ["Xx"]}, "supply.offset"),
    ({"elements": []}, "supply.offset"),
    ({"sustain_years": 0}, "supply.offset.sustain_years"),
])
def test_bad_offset_settings_are_refused(table, key):
    from seabed.config.supply import parse_supply_settings

    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_supply_settings({"offset": table})
