"""The [supply] configuration: defaults, errors naming the field, scenarios; and demand."""

import numpy as np
import pytest

from seabed.config.supply import SupplySettings, parse_supply_settings
from seabed.config.supply_market import DemandSettings
from seabed.errors import ConfigError
from seabed.supply.demand import disruption_cut, project_demand


def test_empty_table_gives_documented_defaults():
    s = parse_supply_settings({})
    assert s == SupplySettings()
    trial, commercial = s.plan.phases
    assert trial.rate_per_system.to("t/day").magnitude == pytest.approx(350)
    assert trial.rate_basis == "wet"
    assert trial.duration.to("month").magnitude == pytest.approx(3)
    assert trial.capex.to("JPY").magnitude == pytest.approx(16.4e9)
    # issue 16: McNulty category 3 for a first-of-a-kind 5,700 m lift (DOMAIN.md), wet/dry basis unknown
    assert commercial.ramp() == (4.0, 0.8)
    assert commercial.rate_basis == "unknown"
    total = sum(q.to("t/year").magnitude for q in s.demand.by_element.values())
    assert total == pytest.approx(18_835)
    assert s.demand.china_share.magnitude == pytest.approx(0.719)
    assert s.economics.jpy_per_usd.to("JPY/USD").magnitude == pytest.approx(150)
    assert s.economics.prices["Dy"].to("USD/kg").magnitude == pytest.approx((224 + 307) / 2, rel=0.01)
    assert s.processing.beneficiation.upgrade_factor.magnitude <= 2.6


def test_defaults_round_trip_through_json():
    s = SupplySettings()
    assert SupplySettings.model_validate(s.model_dump(mode="json")) == s


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"plan": {"phases": [{"name": "c", "start_year": 2030, "rate_per_system": 350, "rate_basis": "dry"}]}},
         "supply.plan.phases.0.rate_per_system"),
        ({"economics": {"lifting_cost": "30 USD/m"}}, "supply.economics.lifting_cost"),
        ({"economics": {"discount_rate": "8 percent"}}, "supply.economics.discount_rate"),
        ({"plan": {"solids_fraction": "0.4 m"}}, "supply.plan.solids_fraction"),
        ({"plan": {"dilusion": "0.1"}}, "supply.plan.dilusion"),
        ({"demand": {"by_element": {"Xx": "1 t/year"}}}, "supply.demand.by_element"),
        ({"uncertainty": {"parameters": {"plan.speed": {"dist": "fixed", "value": "1"}}}},
         "supply.uncertainty.parameters"),
        ({"uncertainty": {"parameters": {"plan.start_delay": {"dist": "uniform", "low": "0", "high": "2"}}}},
         "supply.uncertainty.parameters.plan.start_delay.low"),
        ({"uncertainty": {"parameters": {"plan.dilution": {"dist": "triangular", "low": "0.1"}}}},
         "supply.uncertainty.parameters.plan.dilution"),
        ({"plan": {"availability": "0.9"}}, "supply.plan.availability"),
        ({"scenarios": {"late": {"plan": {"mining_recovery": "2 t"}}}}, "supply.scenarios.late.plan.mining_recovery"),
    ],
    ids=["bare-number", "wrong-dimension", "rate-not-per-year", "fraction-with-unit", "unknown-key",
         "unknown-element", "unknown-parameter", "distribution-without-unit", "distribution-incomplete",
         "key-in-wrong-table", "bad-scenario"],
)
def test_config_errors_name_the_field(table, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")) as info:
        parse_supply_settings(table, source="run.toml")
    assert str(info.value).startswith("run.toml: ")
    assert "\n" not in str(info.value)


def test_scenario_overrides_merge_over_base():
    s = SupplySettings(economics={"tax_rate": "0.2"},
                       scenarios={"cheap": {"economics": {"lifting_cost": "10 USD/t"}}})
    cheap = s.scenario("cheap")
    assert cheap.economics.lifting_cost.to("USD/t").magnitude == 10
    assert cheap.economics.tax_rate.magnitude == pytest.approx(0.2)
    assert cheap.scenarios == {}


def test_demand_growth_and_china_share():
    d = DemandSettings(by_element={"Nd": "1000 t/year", "Y": "100 t/year"}, growth_rate="10 percent/year",
                       import_share="0.9", china_share="0.5", china_share_by_element={"Y": "1"})
    total, imports, china = project_demand(np.array([2024, 2026]), ["Nd", "Y", "Dy"], d)
    np.testing.assert_allclose(total[0, :, 0], [1000, 1210])
    np.testing.assert_allclose(imports[0, 1], [0.9 * 1210, 0.9 * 121, 0])
    np.testing.assert_allclose(china[0, 1], [0.45 * 1210, 0.9 * 121, 0])


def test_disruption_cut_by_year_and_element():
    d = DemandSettings(disruptions=[{"cut": "0.5", "from_year": 2027, "until_year": 2028},
                                    {"elements": ["magnet"], "cut": "0.5", "from_year": 2028}])
    cut = disruption_cut(np.array([2026, 2027, 2028, 2029]), ["Dy", "Nd", "La"], d)
    np.testing.assert_allclose(cut, [[0, 0, 0], [0.5, 0, 0], [0.75, 0.5, 0], [0.5, 0.5, 0]])


def test_scenarios_keep_values_exact():
    """A scenario re-reads the base table from its text: 123,456,789 must not become 123,457,000."""
    s = parse_supply_settings({
        "plan": {"phases": [{"name": "c", "start_year": 2035.0, "rate_per_system": "123456789 t/day",
                             "rate_basis": "dry", "capex": "3123456789 USD"}]},
        "economics": {"prices": {"Nd": "95.123456789 USD/kg"}},
        "scenarios": {"later": {"start_year": 2027}},
    })
    sc = s.scenario("later")
    assert sc.plan.phases[0].rate_per_system.to("t/day").magnitude == 123456789
    assert sc.plan.phases[0].capex.to("USD").magnitude == 3123456789
    assert sc.economics.prices["Nd"].to("USD/kg").magnitude == 95.123456789


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"economics": {"jpy_per_usd": "0 JPY/USD"}}, "supply.economics.jpy_per_usd: got 0 JPY/USD"),
        ({"economics": {"discount_rate": "500 percent/year"}}, "supply.economics.discount_rate: got 500"),
        ({"economics": {"prices": {"Nd": "-95 USD/kg"}}}, "supply.economics.prices.Nd: got '-95 USD/kg'"),
        ({"end_year": 100000}, "supply.end_year: got 100000"),
        ({"start_year": 1950, "end_year": 2190}, "expected at most 100 years"),
        ({"uncertainty": {"draws": True}}, "supply.uncertainty.draws: got True"),
        ({"scenarios": {"x": {"economics": {"jpy_per_usd": "0 JPY/USD"}}}},
         "supply.scenarios.x.economics.jpy_per_usd: got 0"),
    ],
    ids=["jpy-zero", "discount-500", "price-negative", "end-year", "horizon", "draws-bool", "scenario"],
)
def test_impossible_supply_values_are_refused(table, fragment):
    with pytest.raises(ConfigError) as info:
        parse_supply_settings(table, source="c.toml")
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)
