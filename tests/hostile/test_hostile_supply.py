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
]


@pytest.mark.parametrize(("breaks", "fragments"), CASES)
def test_check_refuses(project, breaks, fragments):
    breaks(project)
    assert_user_error(project.check(), *fragments)
