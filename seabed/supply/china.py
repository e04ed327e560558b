"""China's share of Japan's imports per element and its export-control lists, as dated data.

The shipped data (``china_controls.toml`` beside this module, sources in the file and in
``shared/DOMAIN.md``) is overridable with ``[supply.china]``: ``share = {Dy = 1.0}`` replaces
single elements, ``controls = [...]`` replaces the lists.

A control list dated ``YYYY-MM-DD`` applies to every modelled year from ``YYYY`` on (yearly
resolution: a list of April 2025 counts for all of 2025).

Examples
--------
>>> controlled_elements(None, 2024)
[]
>>> controlled_elements(None, 2025)
['Sc', 'Y', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu']
>>> controlled_elements([{"date": "2025-04-04", "elements": ["Dy", "Tb"]}], 2030)
['Tb', 'Dy']
>>> china_share("Dy"), china_share("Nd"), china_share("Nd", {"Nd": 0.5})
(1.0, 0.719, 0.5)
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seabed.elements import ELEMENTS

__all__ = ["DATA_FILE", "china_share", "china_shares", "control_years", "controlled_elements", "shipped_data"]

#: The shipped, dated and sourced data.
DATA_FILE = Path(__file__).with_name("china_controls.toml")


@functools.cache
def shipped_data() -> dict[str, Any]:
    """The parsed ``china_controls.toml`` (``share`` table and ``controls`` list)."""
    with DATA_FILE.open("rb") as f:
        return tomllib.load(f)


def _get(item: Any, key: str) -> Any:
    return item[key] if isinstance(item, Mapping) else getattr(item, key)


def _year(date: Any) -> int:
    if isinstance(date, datetime.date):
        return date.year
    return datetime.date.fromisoformat(str(date)).year


def control_years(controls: Iterable[Any] | None) -> dict[str, int]:
    """Element → first year it is controlled (earliest list naming it); ``None`` = shipped lists."""
    lists = shipped_data()["controls"] if controls is None else controls
    first: dict[str, int] = {}
    for item in lists:
        y = _year(_get(item, "date"))
        for e in _get(item, "elements"):
            first[e] = min(first.get(e, y), y)
    return first


def controlled_elements(controls: Iterable[Any] | None, year: int) -> list[str]:
    """Elements under China's export controls in ``year``, in the order of :data:`seabed.elements.ELEMENTS`.

    Parameters
    ----------
    controls : iterable of mappings or settings with ``date`` and ``elements``, or None
        Control lists (``ControlListSettings`` or dicts); None uses the shipped lists.
    year : int
        Calendar year; a list dated in or before it applies.
    """
    first = control_years(controls)
    return [e for e in ELEMENTS if e in first and first[e] <= year]


def _fraction(v: Any) -> float:
    return float(v.to("").magnitude) if hasattr(v, "to") else float(v)


def china_share(element: str, shares: Mapping[str, Any] | None = None, default: Any = None) -> float:
    """China's share of Japan's imports of ``element`` (fraction): override, else shipped figure, else
    ``default`` (None: the shipped default, 0.719, JOGMEC 2024). The one definition of the precedence."""
    shares = shares or {}
    if element in shares:
        return _fraction(shares[element])
    table = shipped_data()["share"]
    if element in table and element != "default":
        return float(table[element])
    return float(table["default"]) if default is None else _fraction(default)


def china_shares(elements: Sequence[str], shares: Mapping[str, Any] | None = None, default: Any = None) -> np.ndarray:
    """:func:`china_share` of each element, shape (E,)."""
    return np.array([china_share(e, shares, default) for e in elements])
