import pytest

from seabed.elements import ELEMENTS, GROUPS, element_table, group_members, oxide_factor

# Factors quoted in shared/DOMAIN.md (4 decimals), checked against our computation from atomic weights.
DOMAIN_FACTORS = {
    "La": 1.1728, "Ce": 1.2284, "Pr": 1.2082, "Nd": 1.1664, "Sm": 1.1596, "Eu": 1.1579,
    "Gd": 1.1526, "Tb": 1.1762, "Dy": 1.1477, "Ho": 1.1455, "Er": 1.1435, "Tm": 1.1421,
    "Yb": 1.1387, "Lu": 1.1372, "Y": 1.2699, "Sc": 1.5338,
}


@pytest.mark.parametrize(("symbol", "factor"), DOMAIN_FACTORS.items(), ids=DOMAIN_FACTORS.keys())
def test_oxide_factor_matches_published_value(symbol, factor):
    assert round(ELEMENTS[symbol].oxide_factor, 4) == factor


def test_oxide_factor_formula_by_hand():
    # Nd2O3: (2*144.242 + 3*15.999) / (2*144.242)
    assert oxide_factor(144.242, 2, 3) == pytest.approx((288.484 + 47.997) / 288.484, rel=1e-15)


def test_groups():
    assert set(GROUPS["magnet"]) == {"Nd", "Pr", "Dy", "Tb"}
    assert len(GROUPS["REY"]) == 15
    assert "Sc" not in GROUPS["REY"]
    assert set(GROUPS["LREE"]) | set(GROUPS["HREE"]) == set(GROUPS["REE"])
    assert not set(GROUPS["LREE"]) & set(GROUPS["HREE"])
    assert set(GROUPS["HREY"]) == set(GROUPS["HREE"]) | {"Y"}
    assert group_members("magnet", ["Nd", "La"]) == ("Nd",)


def test_element_table_has_every_element():
    table = element_table()
    assert len(table) == 16
    assert table.loc["Tb", "oxide"] == "Tb4O7"
    assert "magnet" in table.loc["Dy", "groups"]
