"""Mining sequence, depletion and the inventory contract."""

import numpy as np
import pandas as pd
import pytest

from seabed.config.supply import SupplySettings
from seabed.errors import InputDataError
from seabed.supply.model import project_supply
from seabed.supply.sequence import block_order, mine_metal, read_inventory

NO_MC = {"draws": 0, "tornado": False}


def plan(rate="1000 t/day", **extra):
    phase = {"name": "p", "start_year": 2030.0, "rate_per_system": rate, "rate_basis": "dry",
             "operating_days": "365 day", "availability": "1", "ramp_up_category": 0}
    return {"phases": [phase], "mining_recovery": "1", "dilution": "0"} | extra


def graded_inventory():
    # 5 blocks of 365,000 t (one year each at 1000 t/day), grades in scrambled order
    return pd.DataFrame({
        "dry_tonnes": np.full(5, 365_000.0),
        "Nd": [300.0, 500.0, 100.0, 400.0, 200.0],
        "Dy": [30.0, 50.0, 10.0, 40.0, 20.0],
        "x": np.arange(5.0), "resource_class": ["Inferred"] * 5,
    })


def test_production_stops_when_inventory_exhausted():
    s = SupplySettings(plan=plan(mining_recovery="0.8", dilution="0.25"), uncertainty=NO_MC)
    r = project_supply(graded_inventory(), s, seed=0)
    total = 0.8 * 5 * 365_000
    assert r.mining["in_situ_dry_t"].sum() == pytest.approx(total)
    assert r.mining["mud_dry_t"].sum() == pytest.approx(1.25 * total)
    # 365,000 t of mud per year = 292,000 t in situ; 1.46 Mt last 5 years exactly
    assert r.mining.loc[2035:, "mud_dry_t"].max() == pytest.approx(0.0, abs=1e-6)
    assert r.summary["exhausted_year"] == 2034
    assert r.production.loc[2036:, "Nd"].sum() == pytest.approx(0.0, abs=1e-9)


def test_head_grade_declines_under_best_first():
    s = SupplySettings(plan=plan(), sequence={"order": "grade", "grade_of": "Nd"}, uncertainty=NO_MC)
    g = project_supply(graded_inventory(), s, seed=0).head_grade.loc[2030:2034, "Nd"]
    np.testing.assert_allclose(g, [500, 400, 300, 200, 100], rtol=1e-9)


def test_value_order_and_given_order():
    inv = graded_inventory()
    s_value = SupplySettings(plan=plan(), uncertainty=NO_MC)
    g = project_supply(inv, s_value, seed=0).head_grade.loc[2030:2034, "Dy"]
    np.testing.assert_allclose(g, [50, 40, 30, 20, 10], rtol=1e-9)
    s_given = SupplySettings(plan=plan(), sequence={"order": "given"}, uncertainty=NO_MC)
    g = project_supply(inv, s_given, seed=0).head_grade.loc[2030:2034, "Nd"]
    np.testing.assert_allclose(g, inv["Nd"], rtol=1e-9)
    inv["seq"] = [5, 4, 3, 2, 1]
    s_col = SupplySettings(plan=plan(), sequence={"order": "given", "order_column": "seq"}, uncertainty=NO_MC)
    g = project_supply(inv, s_col, seed=0).head_grade.loc[2030:2034, "Nd"]
    np.testing.assert_allclose(g, inv["Nd"].to_numpy()[::-1], rtol=1e-9)


def test_partial_block_is_interpolated():
    tonnes = np.array([100.0, 100.0])
    grades = np.array([[1000.0], [3000.0]])
    cum = np.array([[0.0, 50.0, 150.0, 500.0]])
    m = mine_metal(tonnes, grades, cum, recovery=np.array([1.0]))[0, :, 0]
    np.testing.assert_allclose(m, [0.0, 0.05, 0.1 + 0.15, 0.4])
    half = mine_metal(tonnes, grades, np.array([[100.0]]), recovery=np.array([0.5]))[0, 0, 0]
    assert half == pytest.approx(0.5 * 0.1 + 0.5 * 0.3)  # half of every block


def test_block_order_by_group_grade():
    grades = np.array([[100.0, 5.0], [50.0, 80.0], [120.0, 0.0]])
    assert list(block_order(grades, ["Nd", "Dy"], order="grade", grade_of="magnet")) == [1, 2, 0]
    with pytest.raises(InputDataError, match="grade_of"):
        block_order(grades, ["Nd", "Dy"], order="grade", grade_of="Y")


def test_realisations_as_list_or_array_agree():
    inv = graded_inventory()
    frames = [inv.assign(Nd=inv["Nd"] * f, Dy=inv["Dy"] * f) for f in (0.5, 1.0, 2.0)]
    stack = np.stack([f[["Nd", "Dy"]].to_numpy() for f in frames])
    _, from_list = read_inventory(inv, frames)
    _, from_array = read_inventory(inv, stack)
    np.testing.assert_array_equal(from_list.grades, from_array.grades)
    # realisations, not separation capacity: a very large non-China plant never binds
    sep = {"plants": [{"name": "unlimited", "location": "japan", "light_capacity": "1e12 t/year",
                       "heavy_capacity": "1e12 t/year", "start_year": 1900.0}]}
    s = SupplySettings(plan=plan(), uncertainty={"draws": 50, "tornado": False}, separation=sep)
    a = project_supply(inv, s, seed=4, realisations=frames)
    b = project_supply(inv, s, seed=4, realisations=stack)
    pd.testing.assert_frame_equal(a.bands, b.bands)
    spread = a.bands.query("item == 'Nd' and variable == 'supply_t' and year == 2030")
    assert spread["p90"].iloc[0] > spread["p10"].iloc[0]


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pd.DataFrame({"tonnes": [1.0], "Nd": [1.0]}), "dry_tonnes"),
        (pd.DataFrame({"dry_tonnes": [1.0], "grade": [1.0]}), "no element column"),
        (pd.DataFrame({"dry_tonnes": [1.0], "Nd": [-1.0]}), "finite value >= 0"),
        (pd.DataFrame({"dry_tonnes": [np.nan], "Nd": [1.0]}), "finite value >= 0"),
    ],
    ids=["no-tonnes", "no-element", "negative-grade", "nan-tonnes"],
)
def test_bad_inventory_is_refused(frame, match):
    with pytest.raises(InputDataError, match=match):
        read_inventory(frame)


def test_realisations_of_wrong_shape_are_refused():
    with pytest.raises(InputDataError, match="shape"):
        read_inventory(graded_inventory(), np.ones((2, 4, 2)))


def test_every_realisation_is_mined_in_the_order_chosen_on_the_estimate():
    from seabed.supply.projection import mining_order, simulate

    inv = graded_inventory()
    s = SupplySettings(plan=plan(), sequence={"order": "grade", "grade_of": "Nd"}, uncertainty=NO_MC)
    # a realisation whose true grades rank the blocks the other way round
    flipped = inv[["Nd", "Dy"]].to_numpy()[::-1].copy()
    base, real = read_inventory(inv, flipped[None])
    order = mining_order(base, s)
    assert order.tolist() == [1, 3, 0, 4, 2]
    p = simulate(real, s, order=order)
    years = p.years.tolist()
    nd = p.metal[0, years.index(2030):years.index(2030) + 5, p.elements.index("Nd")] / 0.365
    np.testing.assert_allclose(nd, flipped[order, 0], rtol=1e-9)  # the estimate's order, true grades
    # projection.simulate without an order ranks realisation 0 itself (the deterministic case)
    assert mining_order(real, s).tolist() == [3, 1, 4, 0, 2]
