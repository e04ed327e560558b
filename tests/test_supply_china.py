"""China's shares and control lists as dated data (seabed.supply.china)."""

import numpy as np
import pytest

from seabed.config.supply import parse_supply_settings
from seabed.errors import ConfigError
from seabed.supply.china import china_share, controlled_elements
from seabed.supply.demand import base_china_shares, disruption_cut

APRIL = ["Sc", "Y", "Sm", "Gd", "Tb", "Dy", "Lu"]
OCTOBER = ["Eu", "Ho", "Er", "Tm", "Yb"]


def test_control_lists_by_year():
    assert controlled_elements(None, 2024) == []
    assert sorted(controlled_elements(None, 2025)) == sorted(APRIL + OCTOBER)
    assert controlled_elements([{"date": "2026-01-06", "elements": ["Nd"]}], 2025) == []


def test_shares_dy_tb_near_one_and_overridable():
    assert china_share("Dy") == china_share("Tb") == 1.0
    assert china_share("Y") == pytest.approx(0.987)
    s = parse_supply_settings({"china": {"share": {"Dy": "0.8"}}})
    np.testing.assert_allclose(base_china_shares(["Dy", "Tb", "Nd"], s.demand, s.china.share), [0.8, 1.0, 0.719])


def test_controlled_disruption_applies_each_list_from_its_year():
    s = parse_supply_settings({"demand": {"disruptions": [{"cut": "1", "from_year": 2024}]},
                               "china": {"controls": [{"date": "2025-04-04", "elements": ["Dy"]},
                                                      {"date": "2027-10-09", "elements": ["Ho"]}]}})
    cut = disruption_cut(np.array([2024, 2025, 2027]), ["Dy", "Ho", "Nd"], s.demand, s.china.controls)
    np.testing.assert_allclose(cut, [[0, 0, 0], [1, 0, 0], [1, 1, 0]])


@pytest.mark.parametrize(("table", "key"), [
    ({"share": {"Dy": "1.2"}}, "supply.china.share.Dy"),
    ({"controls": [{"date": "2025-04-04", "elements": ["Dy", "Kr"]}]}, "supply.china.controls.0.elements"),
])
def test_bad_china_settings_refused(table, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_supply_settings({"china": table})
