"""Issue 16: markets with size, a centred and sourced base case, gates, alternatives, scenarios compared."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from supply_helpers import PLAIN_ECONOMICS, UNLIMITED_SEPARATION

from seabed.config.supply import SupplySettings, parse_supply_settings
from seabed.supply import economics as econ
from seabed.supply.gates import gate_delay_quantile, sample_gate_delay
from seabed.supply.markets import market_factor, price_factors
from seabed.supply.model import project_supply
from seabed.supply.montecarlo import distribution_quantile
from seabed.supply.projection import simulate
from seabed.supply.sequence import read_inventory

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["minamitorishima", "minamitorishima_eez"]
NO_MC = {"draws": 0, "tornado": False}


def shipped(name: str) -> SupplySettings:
    with (ROOT / "configs" / f"{name}.toml").open("rb") as f:
        return parse_supply_settings(tomllib.load(f)["supply"])


def inventory(n: int = 200, sc: float = 30.0) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rey = rng.uniform(1000, 6000, n)
    return pd.DataFrame({"dry_tonnes": np.full(n, 1e7), "Y": 0.25 * rey, "Nd": 0.17 * rey, "Pr": 0.045 * rey,
                         "Dy": 0.035 * rey, "Tb": 0.006 * rey, "La": 0.2 * rey, "Sc": np.full(n, sc)})


# ----------------------------------------------------------------------------- markets
def test_market_factor_by_hand():
    size = np.array([10.0, np.inf])
    # price response: (1 + q/M)^(-1/eps); unlimited market: 1
    np.testing.assert_allclose(market_factor(np.array([[30.0, 30.0]]), size, elasticity=2.0, excess="price"),
                               [[(1 + 3.0) ** -0.5, 1.0]])
    # stockpile: only M of q is sold
    np.testing.assert_allclose(market_factor(np.array([[30.0, 30.0]]), size, elasticity=1.0, excess="stockpile"),
                               [[1 / 3, 1.0]])


def test_price_factors_are_centred_and_correlated():
    s = SupplySettings()
    f = price_factors(s.markets, ("Nd", "Dy", "Sc"), 40_000, np.random.default_rng(1), years=5)
    np.testing.assert_allclose(np.median(f, axis=0), 1.0, atol=0.02)  # the base price is the median, every year
    logs = np.log(f)
    assert np.corrcoef(logs[:, 3, 0], logs[:, 3, 1])[0, 1] == pytest.approx(0.5, abs=0.02)  # between elements
    assert np.corrcoef(logs[:, 3, 0], logs[:, 4, 0])[0, 1] == pytest.approx(0.8, abs=0.02)  # persistence
    assert logs[:, 4, 2].std() == pytest.approx(0.5, rel=0.03)  # thin market: sigma 0.5


def _rate(settings: SupplySettings, factor: float) -> SupplySettings:
    phases = [p.model_copy(update={"systems": p.systems * factor}) if p.name == "commercial" else p
              for p in settings.plan.phases]
    return settings.model_copy(update={"plan": settings.plan.model_copy(update={"phases": phases})})


@pytest.mark.parametrize("element", ["Sc", "Y"])
def test_doubling_the_mud_rate_does_not_double_small_market_revenue(element):
    s = SupplySettings(processing={"scandium_recovery": "0.5"}, uncertainty=NO_MC, separation=UNLIMITED_SEPARATION,
                       markets={"size": {"Sc": "12.5 t/year", "Y": "1000 t/year"}})
    inv, _ = read_inventory(inventory())
    one, two = simulate(inv, s), simulate(inv, _rate(s, 2))
    j = one.elements.index(element)
    sold = one.supply[0][:, one.items.index(element)].sum()
    assert two.supply[0][:, two.items.index(element)].sum() > 1.5 * sold  # twice the oxide...
    r1, r2 = one.revenue[0][:, j].sum(), two.revenue[0][:, j].sum()
    assert r1 > 0
    assert r2 < 1.5 * r1  # ...but not twice the revenue
    price = s.economics.money(s.economics.prices[element], "{cur}/t")
    size = s.markets.size[element].to("t/year").magnitude
    assert one.revenue[0][:, j].max() <= price * size  # elasticity 1: bounded by price x market size


def test_scandium_not_recovered_by_default():
    inv, _ = read_inventory(inventory())
    p = simulate(inv, SupplySettings(uncertainty=NO_MC))
    assert p.mine_gate[0][:, p.items.index("Sc")].sum() == 0
    assert p.revenue[0][:, p.elements.index("Sc")].sum() == 0


def test_disruption_raises_ex_china_price_of_controlled_elements():
    cut = {"demand": {"disruptions": [{"cut": "1", "from_year": 2026}]}}
    s = SupplySettings(uncertainty=NO_MC, scenarios={"export_cut": cut})
    r = project_supply(inventory(), s, seed=0)
    t = r.scenarios
    assert t.loc["realised_price_controlled_USD_per_kg", "export_cut"] > 2 * t.loc[
        "realised_price_controlled_USD_per_kg", "base"]
    assert t.loc["npv_USD", "export_cut"] > t.loc["npv_USD", "base"]
    assert np.isnan(t.loc["share_of_shortfall_covered_controlled", "base"])  # no shortfall without a cut
    assert 0 < t.loc["share_of_shortfall_covered_controlled", "export_cut"] <= 1


def test_concentrate_sold_to_china_earns_the_payable_fraction():
    s = SupplySettings(uncertainty=NO_MC, scenarios={"no_separation": {"separation": {"plants": []}}})
    t = project_supply(inventory(), s, seed=0).scenarios
    assert t.loc["npv_USD", "no_separation"] < t.loc["npv_USD", "base"]  # review: it was better than base
    full = SupplySettings(uncertainty=NO_MC, separation={"plants": []}, markets={"concentrate_payable": "1"})
    part = SupplySettings(uncertainty=NO_MC, separation={"plants": []}, markets={"concentrate_payable": "0.4"})
    inv, _ = read_inventory(inventory())
    np.testing.assert_allclose(simulate(inv, part).revenue, 0.4 * simulate(inv, full).revenue, rtol=1e-12)


# ----------------------------------------------------------------------------- economics, known answers
def test_working_capital_closure_and_sustaining_capex_by_hand():
    rev = np.array([[0.0, 100.0, 100.0, 50.0]])
    cf = econ.net_cash_flow(rev, opex=np.zeros_like(rev), capex=np.zeros_like(rev), royalty=0.0, tax_rate=0.0,
                            depreciation_years=1, working_capital=0.2)
    # W = 0, 20, 20, 10; change 0, +20, 0, -10, then the last 10 released: -20 in the last year
    np.testing.assert_allclose(cf["working_capital"], [[0.0, 20.0, 0.0, -20.0]])
    np.testing.assert_allclose(cf["net_cash_flow"], [[0.0, 80.0, 100.0, 70.0]])
    assert cf["working_capital"].sum() == pytest.approx(0.0)  # all released by the end


def test_loss_carry_forward_by_hand():
    profit = np.array([[-100.0, 60.0, 60.0, 60.0]])
    np.testing.assert_allclose(econ.taxes(profit, 0.3, carry_forward=True), [[0, 0, 6.0, 18.0]])
    np.testing.assert_allclose(econ.taxes(profit, 0.3, carry_forward=False), [[0, 18.0, 18.0, 18.0]])


def test_capex_scaled_from_the_analogue_by_wet_mass():
    phase = {"name": "c", "start_year": 2030.0, "rate_per_system": "10000 t/day", "rate_basis": "wet",
             "operating_days": "300 day", "ramp_up_category": 0, "capex_analogue": "3e9 USD",
             "capex_analogue_rate": "3e6 t/year", "capex_exponent": 0.6, "capex_years": "1 year"}
    s = SupplySettings(plan={"phases": [phase]}, uncertainty=NO_MC, separation={"plants": []},
                       economics=PLAIN_ECONOMICS)
    inv, _ = read_inventory(inventory())
    p = simulate(inv, s)
    # 10,000 t/day wet x 300 days = 3 Mt/yr wet: exactly the analogue
    assert p.cash["capex"][0].sum() == pytest.approx(3e9)
    two = simulate(inv, s.model_copy(update={"plan": s.plan.model_copy(update={"phases": [
        s.plan.phases[0].model_copy(update={"systems": 2})]})}))
    assert two.cash["capex"][0].sum() == pytest.approx(3e9 * 2**0.6)


def test_sustaining_and_closure_follow_mining():
    s = SupplySettings(uncertainty=NO_MC, separation=UNLIMITED_SEPARATION)
    inv, _ = read_inventory(inventory(n=20).assign(dry_tonnes=1e6))  # 20 Mt: runs out within the horizon
    p = simulate(inv, s)
    initial = p.cash["capex"][0].sum()
    mining = p.mud[0] > 0
    assert mining[-1] == np.False_
    last = np.flatnonzero(mining)[-1]
    assert p.cash["closure"][0][last + 1] == pytest.approx(0.05 * initial)
    assert p.cash["closure"][0].sum() == pytest.approx(0.05 * initial)
    assert (p.cash["sustaining_capex"][0][~mining] == 0).all()
    trial = s.economics.money(s.plan.phases[0].capex, "{cur}")  # 16.4 bn JPY, spent in 2026
    # each phase and plant sustains its own capex while it runs: in the trial year only the trial's
    # (a quarter of a year), at plateau the commercial phase's and the plants'
    year = list(p.years).index(2027)
    assert p.cash["sustaining_capex"][0][year] == pytest.approx(0.02 * trial * 0.25)
    assert p.cash["sustaining_capex"][0].max() == pytest.approx(0.02 * (initial - trial))


def test_public_npv_is_pre_tax_at_the_public_rate():
    r = project_supply(inventory(), SupplySettings(uncertainty=NO_MC), seed=0)
    cf = r.cash_flow
    df = 1.03 ** -np.arange(len(cf))
    assert r.summary["npv_public"].magnitude == pytest.approx(((cf["net_cash_flow"] + cf["tax"]) * df).sum())


# ----------------------------------------------------------------------------- centred, sourced base case
def _base_value(s: SupplySettings, name: str) -> float:
    """The value the deterministic run uses for an uncertain parameter (the commercial phase for plan.*)."""
    c = s.plan.phases[-1]
    proc = s.processing
    return {
        "plan.availability": c.availability.to("").magnitude,
        "plan.dry_basis_weight": s.plan.dry_basis_weight.to("").magnitude,
        "plan.ramp_up_category": c.ramp_up_category,
        "plan.start_delay": 0.0,
        "processing.beneficiation_recovery": proc.beneficiation.recovery.to("").magnitude,
        "processing.leach_recovery": proc.leach_recovery.to("").magnitude,
        "separation.capacity_multiplier": 1.0,
        "economics.price_multiplier": 1.0,
        "economics.capex_multiplier": 1.0,
        "economics.opex_multiplier": 1.0,
        "demand.growth_rate": s.demand.growth_rate.to("1/year").magnitude,
    }[name]


@pytest.mark.parametrize("name", SHIPPED)
def test_base_case_is_the_median_of_every_distribution(name):
    s = shipped(name)
    assert s.uncertainty.parameters
    for param, dist in s.uncertainty.parameters.items():
        median = distribution_quantile(dist, 0.5, name=param)
        if param == "plan.ramp_up_category":
            median = round(median)
        assert median == pytest.approx(_base_value(s, param), abs=1e-12), param
    # the gates: base first production = the median of the drawn first production
    assert gate_delay_quantile(s.gates, 0.5) == 0.0
    assert np.median(sample_gate_delay(s.gates, 20_001, np.random.default_rng(0))) == pytest.approx(0, abs=0.05)
    assert s.phase_start(1) == pytest.approx(2037.2)


def _leaves(model, prefix=""):
    for name, field in type(model).model_fields.items():
        v = getattr(model, name)
        if hasattr(type(v), "model_fields"):
            yield from _leaves(v, f"{prefix}{name}.")
        elif name not in ("scenarios", "alternatives", "milestones", "stages", "phases", "plants", "controls"):
            yield f"{prefix}{name}", v, field.description or ""


SOURCED = ("[assumption", "(assumption", "assumption", "[N]", "[P]", "[C]", "[P/N]", "DOMAIN.md", "JOGMEC", "JSNM",
           "McNulty", "Takaya", "SIP")


def test_every_supply_default_carries_a_source_or_assumption():
    """Every numeric default (quantities, fractions, rates, costs) names its source or says it is an assumption."""
    missing = [key for key, v, desc in _leaves(SupplySettings())
               if (hasattr(v, "magnitude") or (isinstance(v, dict) and v) or isinstance(v, float))
               and not any(tag in desc for tag in SOURCED)]
    assert missing == []
    s = SupplySettings()
    for a in s.alternatives:
        assert any(tag in a.source for tag in SOURCED), a.name
    for g in (*s.gates.milestones, *s.gates.stages):
        assert any(tag in g.source for tag in SOURCED), g.name


# ----------------------------------------------------------------------------- alternatives, tornado, scenarios
def test_alternatives_table_side_by_side_with_the_mud():
    r = project_supply(inventory(), SupplySettings(uncertainty=NO_MC), seed=0)
    t = r.alternatives
    assert list(t.index) == ["deep_sea_mud", "offtake_non_china", "recycling", "stockpile_release", "demand_reduction"]
    for e in ("Nd", "Dy", "Tb", "Y"):
        assert f"{e}_t_per_year" in t
    assert t["cost_USD_per_t"].notna().all()
    assert t.loc["deep_sea_mud", "Dy_t_per_year"] > 0
    np.testing.assert_allclose(t["total_t_per_year"], t.filter(like="_t_per_year").drop(
        columns="total_t_per_year").sum(axis=1))
    # stockpile: 60 days of the 2024 demand (JOGMEC ~60 days, DOMAIN.md)
    assert t.loc["stockpile_release", "Dy_t_per_year"] == pytest.approx(400 * 60 / 365)


def test_the_mud_row_is_the_steady_supply_and_the_public_cost_per_discounted_tonne():
    """By hand from the projection: mean oxide of the years mining at least half the peak mud, and
    -NPV_public / sum_t TREO_t (1 + 3 %)^-t; an element the model lacks gets 0 t/yr."""
    s = SupplySettings(uncertainty=NO_MC)
    r = project_supply(inventory(), s, seed=0)
    mud = r.mining["mud_dry_t"].to_numpy()
    steady = (mud >= 0.5 * mud.max()) & (mud > 0)
    supply = r.offset.pivot(index="year", columns="item", values="supply_t")
    row = r.alternatives.loc["deep_sea_mud"]
    for e in ("Y", "Dy", "Tb", "Nd"):
        assert row[f"{e}_t_per_year"] == pytest.approx(supply[e].to_numpy()[steady].mean(), rel=1e-12)
    t = np.arange(len(supply))
    discounted = float(np.sum(supply["TREO"].to_numpy() / 1.03**t))
    assert s.economics.public_discount_rate.to("1/year").magnitude == pytest.approx(0.03)
    npv_public = r.summary["npv_public"].to("USD").magnitude
    assert row["cost_USD_per_t"] == pytest.approx(-npv_public / discounted, rel=1e-12)
    from seabed.supply.alternatives import alternatives_table
    from seabed.supply.projection import simulate
    from seabed.supply.sequence import read_inventory

    det = simulate(read_inventory(inventory())[0], s)
    assert "Th" not in det.items  # not a modelled element
    extra = alternatives_table(s, det, ("Nd", "Th", "Dy"))  # the gap must not shift Dy into Th
    assert extra.loc["deep_sea_mud", "Th_t_per_year"] == 0.0
    assert extra.loc["deep_sea_mud", "Dy_t_per_year"] == pytest.approx(row["Dy_t_per_year"], rel=1e-12)


def test_tornado_covers_every_uncertain_input_of_the_shipped_config():
    s = shipped("minamitorishima")
    s = s.model_copy(update={"uncertainty": s.uncertainty.model_copy(update={"draws": 0})})
    inv = inventory()
    real = [inv.assign(**{e: inv[e] * f for e in ("Y", "Nd", "Pr", "Dy", "Tb", "La")}) for f in (0.8, 1.0, 1.2)]
    t = project_supply(inv, s, seed=0, realisations=real).tornado
    covered = set(t["parameter"])
    need = {"resource.grade_realisation", "plan.dry_basis_weight", "processing.beneficiation_recovery",
            "plan.ramp_up_category", "economics.opex_multiplier", "economics.capex_multiplier",
            "economics.price_multiplier", "gates.first_production_delay", "separation.capacity_multiplier"}
    assert need <= covered
    npv = t[t["metric"] == "npv"].set_index("parameter")
    assert npv.loc["resource.grade_realisation", "at_low"] < npv.loc["resource.grade_realisation", "at_high"]
    assert npv.loc["gates.first_production_delay", "at_low"] != npv.loc["gates.first_production_delay", "at_high"]


def test_tornado_picks_the_realisations_at_p10_and_p90_of_tonnage_weighted_value():
    # heavy blocks (1e8 t) in the second half: a realisation rich only in the light blocks is poor
    s = SupplySettings(uncertainty={"draws": 0})
    inv = inventory().assign(dry_tonnes=np.r_[np.full(100, 1e6), np.full(100, 1e8)])
    light = np.arange(200) < 100
    scale = [(3.0, 0.5), (1.0, 1.0), (0.5, 1.5), (2.0, 0.8), (0.7, 1.2)]  # (light, heavy) grade factors
    real = [inv.assign(**{e: inv[e] * np.where(light, a, b) for e in ("Y", "Nd", "Pr", "Dy", "Tb", "La")})
            for a, b in scale]
    t = project_supply(inv, s, seed=0, realisations=real).tornado
    row = t[(t["parameter"] == "resource.grade_realisation") & (t["metric"] == "npv")].iloc[0]
    # values ~ 0.53, 1.0, 1.5, 0.82, 1.2 (heavy-weighted): sorted 0, 3, 1, 4, 2 -> P10 index 0, P90 index 3 -> 4
    assert (row["low_value"], row["high_value"]) == (0.0, 4.0)
    assert row["at_low"] < row["base"] < row["at_high"]


def test_shipped_scenarios_compared_in_one_run(tmp_path):
    from seabed.outputs.bundle import write_supply_outputs
    from seabed.outputs.rundir import RunDirectory

    s = shipped("minamitorishima")
    s = s.model_copy(update={"uncertainty": s.uncertainty.model_copy(update={"draws": 0, "tornado": False})})
    r = project_supply(inventory(), s, seed=0)
    t = r.scenarios
    assert list(t.columns) == ["base", "three_systems", "export_cut", "no_separation"]
    for row in ("first_offset_year_Dy", "first_offset_year_Tb", "npv_USD", "npv_public_USD",
                "unit_cost_USD_per_kg_TREO"):
        assert row in t.index
    price, gap = "realised_price_controlled_USD_per_kg", "share_of_shortfall_covered_controlled"
    assert t.loc[price, "export_cut"] > t.loc[price, "base"]
    assert np.isnan(t.loc[gap, "base"])
    assert np.isfinite(t.loc[gap, "export_cut"])
    with RunDirectory(tmp_path / "run") as rundir:
        write_supply_outputs(rundir, r)
        out = rundir.commit()
    table = pd.read_csv(out / "tables" / "supply_scenarios.csv")
    assert {"base", "three_systems", "export_cut", "no_separation"} <= set(table.columns)
    assert (out / "figures" / "scenarios.png").stat().st_size > 0
    assert (out / "figures" / "alternatives.png").stat().st_size > 0
    alt = pd.read_csv(out / "tables" / "supply_alternatives.csv")
    assert "cost [USD/t]" in alt.columns
    assert "Dy [t/year]" in alt.columns


def test_weakest_link_reason_ignores_elements_without_imports():
    """Sc is not recovered by default and has no imports from China: the weakest link's reason is the horizon,
    not "no separation capacity outside China" (a plant separates the others)."""
    s = SupplySettings(uncertainty=NO_MC, offset={"elements": ["Sc", "Dy", "Y"]})
    weak = project_supply(inventory(), s, seed=0).summary["weakest_link"]
    assert weak["reason"] == "not within horizon"


def test_monte_carlo_first_production_year_is_centred_on_the_gates():
    s = SupplySettings(uncertainty={"draws": 400, "tornado": False})
    mc = project_supply(inventory(), s, seed=0).monte_carlo
    row = mc.loc["first_production_year"]
    assert row["p10"] < row["p50"] < row["p90"]
    assert row["p50"] == pytest.approx(2037.2, abs=0.2)  # sum of the median stage durations after Mar 2028
    sd = np.sqrt(0.5**2 + 1 + 1)
    assert row["p90"] - row["p10"] == pytest.approx(2 * 1.2816 * sd, rel=0.15)
