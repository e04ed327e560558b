"""Hostile separation and China settings: ``seabed check`` refuses each in one line naming the key."""

from __future__ import annotations

import pytest
from harness import assert_user_error


def _plant(light: str = '"100 t/year"', start: str = "2030") -> str:
    return (f'[[supply.separation.plants]]\nname = "p"\nlocation = "japan"\nlight_capacity = {light}\n'
            f'heavy_capacity = "10 t/year"\nstart_year = {start}\n')


CASES = [
    pytest.param(lambda p: p.append(_plant(light='"-100 t/year"')),
                 ("supply.separation.plants.0.light_capacity", "-100"), id="capacity-negative"),
    pytest.param(lambda p: p.append(_plant(start="2090")),
                 ("supply.separation.plants.0.start_year", "2090", "horizon"), id="plant-after-horizon"),
    pytest.param(lambda p: p.append('[supply.china.share]\nDy = "1.5"'),
                 ("supply.china.share.Dy", "1.5"), id="share-over-1"),
    pytest.param(lambda p: p.append('[supply.china.share]\nTb = "-0.1"'),
                 ("supply.china.share.Tb", "-0.1"), id="share-negative"),
    pytest.param(lambda p: p.append('[[supply.china.controls]]\ndate = 2025-04-04\nelements = ["Dy", "Xx"]'),
                 ("supply.china.controls.0.elements", "Xx"), id="control-unknown-element"),
    # bad economic settings (issue 16)
    pytest.param(lambda p: p.append('[supply.economics.prices]\nDy = "-265 USD/kg"'),
                 ("supply.economics.prices.Dy", "-265"), id="price-negative"),
    pytest.param(lambda p: p.append('[supply.economics]\nlifting_cost = "-30 USD/t"'),
                 ("supply.economics.lifting_cost", "-30"), id="cost-negative"),
    pytest.param(lambda p: p.append('[supply.alternatives]\n'),
                 ("supply.alternatives",), id="alternatives-not-a-list"),
    pytest.param(lambda p: p.append('[supply.economics]\ndiscount_rate = "150 percent/year"'),
                 ("supply.economics.discount_rate", "150"), id="discount-rate-over-100"),
    pytest.param(lambda p: p.append('[supply.economics]\npublic_discount_rate = "120 percent/year"'),
                 ("supply.economics.public_discount_rate", "120"), id="public-discount-rate-over-100"),
    pytest.param(lambda p: p.append('[supply.economics]\njpy_per_usd = "0 JPY/USD"'),
                 ("supply.economics.jpy_per_usd", "0"), id="exchange-rate-zero"),
    pytest.param(lambda p: p.append('[supply]\nstart_year = 2026\nend_year = 2130'),
                 ("supply.end_year", "2130", "100 years"), id="end-year-over-100-years-out"),
    pytest.param(lambda p: p.append('[supply.markets.size]\nSc = "0 t/year"'),
                 ("supply.markets.size.Sc", "0"), id="market-size-zero"),
    pytest.param(lambda p: p.append('[[supply.gates.stages]]\nname = "build"\nduration = "-2 year"'),
                 ("supply.gates.stages.0.duration", "-2"), id="gate-duration-negative"),
]


@pytest.mark.parametrize(("breaks", "fragments"), CASES)
def test_check_refuses(project, breaks, fragments):
    breaks(project)
    assert_user_error(project.check(), *fragments)
