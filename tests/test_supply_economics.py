"""Cash flow and financial metrics; numpy_financial is the oracle for NPV and IRR."""

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from supply_helpers import PLAIN_ECONOMICS, UNLIMITED_MARKETS, UNLIMITED_SEPARATION

from seabed.config.supply import SupplySettings
from seabed.supply import economics as econ
from seabed.supply.model import project_supply
from seabed.supply.projection import simulate
from seabed.supply.sequence import read_inventory

NO_MC = {"draws": 0, "tornado": False}
FLOWS = [
    [-100.0, 30.0, 40.0, 50.0, 20.0],
    [-500.0, -200.0, 100.0, 200.0, 300.0, 300.0, 250.0],
    [-1.0, 0.0, 0.0, 2.0],
]


@pytest.mark.parametrize("flows", FLOWS, ids=["simple", "two-capex", "late"])
@pytest.mark.parametrize("rate", [0.0, 0.08, 0.15], ids=["r0", "r8", "r15"])
def test_npv_matches_numpy_financial(flows, rate):
    assert econ.npv(np.array([flows]), np.array([rate]))[0] == pytest.approx(npf.npv(rate, flows), rel=1e-12)


@pytest.mark.parametrize("flows", FLOWS, ids=["simple", "two-capex", "late"])
def test_irr_matches_numpy_financial(flows):
    assert econ.irr(np.array([flows]))[0] == pytest.approx(npf.irr(flows), abs=1e-9)


def test_irr_is_nan_without_sign_change_and_vectorised():
    out = econ.irr(np.array([[-1.0, -1.0, -1.0], FLOWS[0][:3]]))
    assert np.isnan(out[0])
    assert out[1] == pytest.approx(npf.irr(FLOWS[0][:3]), abs=1e-9)


def test_payback_year():
    years = np.arange(2030, 2035)
    cf = np.array([[-100.0, 30.0, 40.0, 30.0, 20.0], [-1.0, -1.0, -1.0, -1.0, -1.0]])
    np.testing.assert_array_equal(econ.payback_year(cf, years), [2033.0, np.nan])


def test_capex_schedule_spreads_before_start():
    years = np.arange(2026, 2036)
    out = econ.capex_schedule(years, amount=np.array([[300.0, 60.0]]), start=np.array([[2032.5, 2027.0]]),
                              spread=np.array([3.0, 2.0]))
    expected = np.zeros(10)
    expected[[3, 4, 5]] = 100.0  # 2029–2031
    expected[0] += 60.0  # 2025 (before the horizon) and 2026, both booked in 2026
    np.testing.assert_allclose(out[0], expected)


def test_depreciation_straight_line():
    dep = econ.depreciation(np.array([[100.0, 0.0, 0.0, 0.0, 0.0]]), years=3)
    np.testing.assert_allclose(dep[0], [0, 100 / 3, 100 / 3, 100 / 3, 0])


def inventory():
    return pd.DataFrame({"dry_tonnes": np.full(10, 1e7), "Nd": np.full(10, 3000.0), "Dy": np.full(10, 400.0)})


def settings(**economics):
    phase = {"name": "c", "start_year": 2030.0, "rate_per_system": "10000 t/day", "rate_basis": "dry",
             "ramp_up_category": 0, "capex": "15e9 JPY", "capex_years": "2 year"}
    econ_table = {"prices": {"Nd": "95 USD/kg", "Dy": "265 USD/kg"}, "jpy_per_usd": "150 JPY/USD"} | PLAIN_ECONOMICS
    # the cash-flow tests are about the economics, not separation capacity or market sizes
    return SupplySettings(plan={"phases": [phase]}, economics=econ_table | economics, uncertainty=NO_MC,
                          separation=UNLIMITED_SEPARATION, markets=UNLIMITED_MARKETS)


def test_model_npv_and_irr_agree_with_numpy_financial():
    r = project_supply(inventory(), settings(fixed_cost="1e7 USD/year"), seed=0)
    cf = r.cash_flow["net_cash_flow"].to_numpy()
    assert r.summary["npv"].to("USD").magnitude == pytest.approx(npf.npv(0.08, cf), rel=1e-10)
    assert r.summary["irr"] is not None
    assert r.summary["irr"].to("1/year").magnitude == pytest.approx(npf.irr(cf), abs=1e-8)


def test_jpy_capex_converted_with_configured_rate():
    r = project_supply(inventory(), settings(), seed=0)
    np.testing.assert_allclose(r.cash_flow.loc[2028:2029, "capex"], [5e7, 5e7])
    r = project_supply(inventory(), settings(currency="JPY"), seed=0)
    np.testing.assert_allclose(r.cash_flow.loc[2028:2029, "capex"], [7.5e9, 7.5e9])


def test_revenue_and_opex_by_hand():
    s = settings(lifting_cost="10 USD/t", transport_cost="0 USD/t", dewatering_cost="0 USD/t",
                 processing_cost="0 USD/t", fixed_cost="0 USD/year", tax_rate="0")
    r = project_supply(inventory(), s, seed=0)
    year = r.cash_flow.loc[2031]
    mud = r.mining.loc[2031, "mud_dry_t"]
    prod = r.production.loc[2031]  # mine-gate oxide; revenue is on the separated oxide (recovery 0.95)
    r_s = r.settings.processing.separation_recovery.to("").magnitude
    assert r_s == pytest.approx(0.95)
    assert year["revenue"] == pytest.approx(1e3 * r_s * (95 * prod["Nd"] + 265 * prod["Dy"]))
    assert year["opex"] == pytest.approx(10 * mud)
    assert year["net_cash_flow"] == pytest.approx(year["revenue"] - 10 * mud)


def test_break_even_multiple_zeroes_npv():
    s = settings(fixed_cost="3e8 USD/year")
    base, _ = read_inventory(inventory())
    m = project_supply(inventory(), s, seed=0).summary["break_even_price_multiple"].magnitude
    p = simulate(base, s, params={"economics.price_multiplier": np.array([m])})
    assert abs(p.metrics["npv"][0]) < 1e-6 * abs(p.cash["revenue"].sum())


def test_levelised_cost():
    cost = np.array([[100.0, 50.0]])
    kg = np.array([[0.0, 10.0]])
    assert econ.levelised_cost(cost, kg, np.array([0.1]))[0] == pytest.approx((100 + 50 / 1.1) / (10 / 1.1))



def _with(s, **tables):
    """``s`` with whole ``[supply]`` tables replaced (plan, economics and separation kept)."""
    return SupplySettings(plan=s.plan, economics=s.economics, separation=s.separation, **tables)


def test_discount_rate_is_a_setting_of_the_draws_not_a_metric():
    """The rate each draw is discounted at is kept beside the metrics (not among them), so the
    Monte Carlo table summarises only results; NPV and the discounted cash flow use it."""
    s = settings(discount_rate="10 percent/year", fixed_cost="1e7 USD/year")
    base, _ = read_inventory(inventory())
    p = simulate(base, s, params={"economics.discount_rate": np.array([np.nan, 0.05])}, n=2)
    assert p.discount_rate.tolist() == pytest.approx([0.10, 0.05])
    assert "discount_rate" not in p.metrics
    assert p.metrics["npv"].tolist() == pytest.approx(
        [npf.npv(r, p.cash["net_cash_flow"][i]) for i, r in enumerate((0.10, 0.05))], rel=1e-12)
    params = {"economics.discount_rate": {"dist": "uniform", "low": "5 percent/year", "high": "12 percent/year"}}
    r = project_supply(inventory(), _with(s, uncertainty={"draws": 20, "parameters": params}), seed=0)
    assert "npv" in r.monte_carlo.index
    assert "discount_rate" not in r.monte_carlo.index
    assert r.summary["discount_rate"].to("1/year").magnitude == pytest.approx(0.10)
    cf = r.cash_flow
    assert cf["discounted_cash_flow"].to_numpy() == pytest.approx(
        cf["net_cash_flow"].to_numpy() / 1.1 ** np.arange(len(cf)), rel=1e-12)


def test_drawn_beneficiation_recovery_sets_both_recovery_and_concentrate():
    """One draw of processing.beneficiation_recovery feeds the element recovery and the share of
    the mud pulled into the concentrate (r_b / upgrade_factor)."""
    beneficiation = {"enabled": True, "recovery": "0.8", "upgrade_factor": "4"}
    s = _with(settings(), processing={"beneficiation": beneficiation}, uncertainty=NO_MC)
    base, _ = read_inventory(inventory())
    p = simulate(base, s, params={"processing.beneficiation_recovery": np.array([np.nan, 0.4])}, n=2)
    y = int(np.flatnonzero(p.mud[0] > 0)[0])  # the first mining year
    assert p.mud[1, y] == p.mud[0, y]
    assert (p.concentrate[:, y] / p.mud[:, y]).tolist() == pytest.approx([0.8 / 4, 0.4 / 4])
    nd = p.items.index("Nd")
    assert p.supply[1, :, nd].sum() / p.supply[0, :, nd].sum() == pytest.approx(0.4 / 0.8)
