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
    assert s.separation.start(1) == 2035.0
