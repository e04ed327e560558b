"""End-to-end behaviour of project_supply: offsets, disruptions, summary."""

import numpy as np
import pandas as pd
import pytest
from supply_helpers import UNLIMITED_SEPARATION

from seabed.config.supply import SupplySettings
from seabed.errors import ConfigError
from seabed.supply.model import project_supply

NO_MC = {"draws": 0, "tornado": False}


def inventory():
    return pd.DataFrame({"dry_tonnes": np.full(50, 1e7), "Dy": np.full(50, 200.0), "Nd": np.full(50, 1000.0)})


def plan(rate):
    return {"phases": [{"name": "c", "start_year": 2030.0, "rate_per_system": rate, "rate_basis": "dry",
                        "ramp_up_category": 0, "operating_days": "365 day", "availability": "1"}],
            "mining_recovery": "1", "dilution": "0"}


def test_offset_shares_and_first_years_by_hand():
    s = SupplySettings(
        plan=plan("1000 t/day"),
        processing={"beneficiation": {"enabled": False}, "leach_recovery": "1", "separation_recovery": "1"},
        demand={"by_element": {"Dy": "100 t/year"}, "growth_rate": "0 percent/year", "china_share": "0.5",
                "china_share_by_element": {"Dy": "0.5"}},
        offset={"item": "Dy", "fraction": "0.5"},
        uncertainty=NO_MC,
        separation=UNLIMITED_SEPARATION,  # the offset arithmetic, not separation capacity
    )
    r = project_supply(inventory(), s, seed=0)
    supply = 365_000 * 200e-6 * 1.1477  # t Dy2O3/yr, ≈ 83.8 > 50 t imported from China
    off = r.offset.set_index(["item", "year"])
    assert off.loc[("Dy", 2030), "supply_t"] == pytest.approx(supply, rel=1e-4)
    assert off.loc[("Dy", 2030), "share_of_demand"] == pytest.approx(supply / 100, rel=1e-4)
    assert off.loc[("Dy", 2030), "share_of_china_imports"] == pytest.approx(supply / 50, rel=1e-4)
    assert off.loc[("Dy", 2032), "cumulative_supply_t"] == pytest.approx(3 * supply, rel=1e-4)
    assert r.offset_years.loc["Dy", "first_year_full"] == 2030
    assert r.summary["first_offset_year"] == 2030
    assert np.isnan(off.loc[("Nd", 2030), "share_of_demand"])  # no demand given for Nd


def test_disruption_opens_a_shortfall():
    s = SupplySettings(demand={"disruptions": [{"cut": "1", "from_year": 2030}]}, uncertainty=NO_MC)
    d = project_supply(inventory(), s, seed=0).demand.set_index(["item", "year"])
    assert d.loc[("Dy", 2029), "shortfall_t"] == 0
    assert d.loc[("Dy", 2030), "shortfall_t"] == pytest.approx(d.loc[("Dy", 2030), "china_imports_t"])
    assert d.loc[("Nd", 2030), "shortfall_t"] == 0  # Nd is not under the April 2025 controls


def test_summary_has_units():
    r = project_supply(inventory(), SupplySettings(uncertainty=NO_MC), seed=0)
    assert r.summary["npv"].check("[currency]")
    assert r.summary["mud_mined"].check("[mass]")
    table = r.summary_table()
    assert table.set_index("quantity").loc["npv", "value"].endswith("USD")


def test_mapping_settings_are_validated():
    with pytest.raises(ConfigError, match=r"supply\.plan\.phases"):
        project_supply(inventory(), {"plan": {"phases": []}}, seed=0)


def test_separation_plant_costs_enter_the_cash_flow_by_hand():
    """A plant's opex is paid on every tonne of REO it separates, its capex in the year(s) before it starts."""
    def settings(opex, capex):
        return SupplySettings(
            plan=plan("1000 t/day"), uncertainty=NO_MC,
            processing={"beneficiation": {"enabled": False}, "leach_recovery": "1", "separation_recovery": "1"},
            separation={"plants": [{"name": "p", "location": "japan", "light_capacity": "1e12 t/year",
                                    "heavy_capacity": "1e12 t/year", "start_year": 2030.0, "opex": opex,
                                    "capex": capex, "capex_years": "1 year"}]})

    free = project_supply(inventory(), settings("0 USD/t", "0 USD"), seed=0).cash_flow
    paid = project_supply(inventory(), settings("2000 USD/t", "3e8 USD"), seed=0).cash_flow
    extra = paid - free
    feed = 365_000 * (200e-6 * 1.1477 + 1000e-6 * 1.1664)  # t REO/yr fed: Dy2O3 + Nd2O3 from 1,000 t/day
    assert extra.loc[2030:2040, "opex"].to_numpy() == pytest.approx(np.full(11, 2000 * feed), rel=1e-4)
    assert extra.loc[:2029, "opex"].abs().max() == 0.0  # nothing separated before the plant starts
    assert extra.loc[2029, "capex"] == pytest.approx(3e8)
    assert extra["capex"].drop(2029).abs().max() == 0.0
