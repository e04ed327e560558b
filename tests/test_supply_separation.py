"""Separation and refining (seabed.supply.separation) and its settings."""

import numpy as np
import pytest

from seabed.config.supply import parse_supply_settings
from seabed.config.supply_separation import SeparationSettings
from seabed.errors import ConfigError
from seabed.supply.separation import plant_arrays, separate

ELEMENTS = ("Nd", "Dy")  # one light, one heavy
YEARS = np.array([2030, 2031, 2032])


def run(plants, feed, *, stockpile=False):
    sep = SeparationSettings(plants=plants, surplus="stockpile" if stockpile else "china")
    arrays = plant_arrays(sep, ELEMENTS, np.ones((1, 2)))
    return separate(np.asarray(feed, dtype=float)[None], ELEMENTS, YEARS, capacity=arrays["capacity"],
                    start=arrays["start"], outside=arrays["outside"], recovery=arrays["recovery"],
                    china_recovery=np.ones((1, 2)), stockpile=stockpile)


def plant(name="p", location="japan", light="100 t/year", heavy="10 t/year", start=2030.0):
    return {"name": name, "location": location, "light_capacity": light, "heavy_capacity": heavy, "start_year": start}


def test_no_non_china_plant_separates_nothing_outside_china():
    s = run([], [[50, 5]] * 3)
    assert s.outside_china.sum() == 0
    np.testing.assert_allclose(s.in_china[0], [[50, 5]] * 3)


def test_capacity_caps_each_circuit_and_the_rest_goes_to_china():
    s = run([plant()], [[150, 5]] * 3)
    np.testing.assert_allclose(s.outside_china[0], [[100, 5]] * 3)
    np.testing.assert_allclose(s.in_china[0], [[50, 0]] * 3)


def test_china_plant_counts_for_nothing_and_non_china_plants_go_first():
    s = run([plant("cn", "china"), plant("jp")], [[150, 5]] * 3)
    np.testing.assert_allclose(s.outside_china[0], [[100, 5]] * 3)
    np.testing.assert_allclose(s.fed[0, :, 0], [105] * 3)  # the Japanese plant is fed first


def test_partial_first_year_and_stockpile_carried_forward():
    s = run([plant(start=2030.5)], [[100, 0], [0, 0], [0, 0]], stockpile=True)
    np.testing.assert_allclose(s.outside_china[0, :, 0], [50, 50, 0])
    np.testing.assert_allclose(s.stockpile[0, :, 0], [50, 0, 0])
    assert s.in_china.sum() == 0


@pytest.mark.parametrize(("table", "key"), [
    ({"plants": [plant(light="-1 t/year")]}, "supply.separation.plants.0.light_capacity"),
    ({"plants": [plant(start=2070.0)]}, "supply.separation.plants.0.start_year"),
    ({"plants": [plant(location="mars")]}, "supply.separation.plants.0.location"),
])
def test_bad_plants_are_refused_naming_the_key(table, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_supply_settings({"separation": table})


def test_default_plan_names_its_plants():
    s = parse_supply_settings({})
    assert [p.name for p in s.separation.plants] == ["japan_pilot", "japan_commercial"]
    # issue 16: the commercial plant has no start of its own; it starts with production, at the end of the gates
    assert s.separation.plants[1].start_year is None
    assert s.plant_start(1) == pytest.approx(s.phase_start(1)) == pytest.approx(2037.2)


# ---------------------------------------------------------------- wired into the projection (issue 14)
def _rey_inventory():
    import pandas as pd

    rng = np.random.default_rng(0)
    rey = rng.uniform(1000, 6000, 100)
    split = {"Y": 0.25, "La": 0.2, "Ce": 0.1, "Pr": 0.045, "Nd": 0.17, "Sm": 0.035, "Eu": 0.008, "Gd": 0.04,
             "Tb": 0.006, "Dy": 0.035, "Ho": 0.008, "Er": 0.022, "Tm": 0.003, "Yb": 0.02, "Lu": 0.003}
    return pd.DataFrame({"dry_tonnes": np.full(100, 4e6)} | {e: f * rey for e, f in split.items()})


@pytest.mark.parametrize("config", ["minamitorishima", "minamitorishima_eez"])
def test_shipped_no_separation_scenario_offsets_nothing(config):
    """The shipped ``no_separation`` scenario (no plant outside China): mud alone offsets nothing."""
    from pathlib import Path

    from seabed.config import load_config
    from seabed.supply.model import project_supply
    from seabed.supply.offset import REASON_NO_SUPPLY

    root = Path(__file__).resolve().parent.parent
    supply = load_config(root / "configs" / f"{config}.toml").supply
    s = supply.scenario("no_separation")
    assert not [p for p in s.separation.plants if p.location != "china"]
    s = s.model_copy(update={"uncertainty": s.uncertainty.model_copy(update={"draws": 40, "tornado": False})})
    r = project_supply(_rey_inventory(), s, seed=3)
    sep = r.separation
    assert sep["mine_gate_t"].sum() > 0  # the mud is mined and processed ...
    assert (sep["separated_outside_china_t"] == 0).all()  # ... but nothing is separated outside China
    assert sep["separated_in_china_t"].sum() > 0
    assert (r.offset["supply_t"] == 0).all()
    assert not r.offset["offset"].any()
    assert r.offset_years["first_year_full"].isna().all()
    assert r.offset_probability.fillna(0).eq(0).all().all()
    assert r.offset_probability_by_year.fillna(0).eq(0).all().all()
    answer = r.summary["offset_by_element"]
    assert answer
    assert set(answer) == set(r.summary["offset_elements"])
    for e, a in answer.items():
        assert a["first_sustained_offset_year"] == {"p10": None, "p50": None, "p90": None}, e
        assert a["reason"] == REASON_NO_SUPPLY, e
        assert a["probability_offset_by_end"] == 0.0, e
    assert r.summary["weakest_link"]["reason"] == REASON_NO_SUPPLY
    # the base run of the same config separates some oxide outside China (the default plan)
    base = project_supply(_rey_inventory(), supply.model_copy(update={"uncertainty": s.uncertainty}), seed=3)
    assert base.separation["separated_outside_china_t"].sum() > 0
    table = base.scenarios
    assert table.loc["treo_supplied_t", "no_separation"] == 0
    assert table.loc["treo_mine_gate_t", "no_separation"] == pytest.approx(table.loc["treo_mine_gate_t", "base"])
