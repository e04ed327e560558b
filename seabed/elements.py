"""Rare-earth elements, their oxides, and the groups reported by seabed.

Element → oxide mass factors are computed from IUPAC standard atomic weights
(CIAAW 2021 abridged values), never typed in.

Groups (see ``docs/conventions.md``)
------------------------------------
- ``LREE``: La, Ce, Pr, Nd, Sm, Eu (light rare-earth elements)
- ``HREE``: Gd, Tb, Dy, Ho, Er, Tm, Yb, Lu (heavy rare-earth elements)
- ``REE``: LREE + HREE (the 14 naturally occurring lanthanides; Pm is omitted)
- ``REY``: REE + Y, the "total REY" of the deep-sea mud literature
- ``HREY``: HREE + Y ("Y + heavy REE" of Takaya et al. 2018)
- ``magnet``: Nd, Pr, Dy, Tb
- ``TREO``: oxides of all REY (Sc excluded, as in the mud literature)

Examples
--------
>>> round(ELEMENTS["Nd"].oxide_factor, 4)
1.1664
>>> GROUPS["magnet"]
('Pr', 'Nd', 'Tb', 'Dy')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "ATOMIC_WEIGHT_O",
    "ELEMENTS",
    "GROUPS",
    "Element",
    "element_columns",
    "element_table",
    "group_members",
    "oxide_factor",
]

#: Standard atomic weight of oxygen (IUPAC conventional value), g/mol.
ATOMIC_WEIGHT_O = 15.999


@dataclass(frozen=True)
class Element:
    """A rare-earth element and its reporting oxide.

    Attributes
    ----------
    symbol : str
    name : str
    atomic_number : int
    atomic_weight : float
        Standard atomic weight, g/mol (IUPAC/CIAAW).
    oxide : str
        Reporting oxide formula, e.g. ``"Nd2O3"``.
    n_metal, n_oxygen : int
        Atoms of metal and oxygen in the oxide formula unit.
    """

    symbol: str
    name: str
    atomic_number: int
    atomic_weight: float
    oxide: str
    n_metal: int
    n_oxygen: int

    @property
    def oxide_factor(self) -> float:
        """Mass of oxide per unit mass of element (dimensionless)."""
        return oxide_factor(self.atomic_weight, self.n_metal, self.n_oxygen)

    @property
    def oxide_label(self) -> str:
        """Oxide formula with Unicode subscripts, for plots and reports."""
        return self.oxide.translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def oxide_factor(atomic_weight: float, n_metal: int, n_oxygen: int) -> float:
    """Element-to-oxide mass factor ``(n_M·A_M + n_O·A_O) / (n_M·A_M)``.

    Parameters
    ----------
    atomic_weight : float
        Atomic weight of the metal, g/mol.
    n_metal, n_oxygen : int
        Stoichiometry of the oxide ``M_{n_metal} O_{n_oxygen}``.
    """
    metal = n_metal * atomic_weight
    return (metal + n_oxygen * ATOMIC_WEIGHT_O) / metal


_TABLE = [
    # symbol, name, Z, atomic weight (g/mol, CIAAW 2021), oxide, n_M, n_O
    ("Sc", "scandium", 21, 44.955907, "Sc2O3", 2, 3),
    ("Y", "yttrium", 39, 88.905838, "Y2O3", 2, 3),
    ("La", "lanthanum", 57, 138.90547, "La2O3", 2, 3),
    ("Ce", "cerium", 58, 140.116, "CeO2", 1, 2),
    ("Pr", "praseodymium", 59, 140.90766, "Pr6O11", 6, 11),
    ("Nd", "neodymium", 60, 144.242, "Nd2O3", 2, 3),
    ("Sm", "samarium", 62, 150.36, "Sm2O3", 2, 3),
    ("Eu", "europium", 63, 151.964, "Eu2O3", 2, 3),
    ("Gd", "gadolinium", 64, 157.249, "Gd2O3", 2, 3),
    ("Tb", "terbium", 65, 158.925354, "Tb4O7", 4, 7),
    ("Dy", "dysprosium", 66, 162.500, "Dy2O3", 2, 3),
    ("Ho", "holmium", 67, 164.930329, "Ho2O3", 2, 3),
    ("Er", "erbium", 68, 167.259, "Er2O3", 2, 3),
    ("Tm", "thulium", 69, 168.934219, "Tm2O3", 2, 3),
    ("Yb", "ytterbium", 70, 173.045, "Yb2O3", 2, 3),
    ("Lu", "lutetium", 71, 174.9668, "Lu2O3", 2, 3),
]

#: All supported elements by symbol, in atomic-number order.
ELEMENTS: dict[str, Element] = {row[0]: Element(*row) for row in _TABLE}

_LREE = ("La", "Ce", "Pr", "Nd", "Sm", "Eu")
_HREE = ("Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu")

#: Named element groups (members in atomic-number order).
GROUPS: dict[str, tuple[str, ...]] = {
    "LREE": _LREE,
    "HREE": _HREE,
    "REE": _LREE + _HREE,
    "REY": ("Y",) + _LREE + _HREE,
    "HREY": ("Y",) + _HREE,
    "magnet": ("Pr", "Nd", "Tb", "Dy"),
    "TREO": ("Y",) + _LREE + _HREE,
}


def group_members(group: str, available: tuple[str, ...] | list[str] | None = None) -> tuple[str, ...]:
    """Members of a named group, optionally restricted to ``available`` elements.

    Raises
    ------
    KeyError
        If ``group`` is not a known group name.
    """
    members = GROUPS[group]
    if available is None:
        return members
    have = set(available)
    return tuple(m for m in members if m in have)


def element_columns(columns) -> list[str]:
    """The element symbols among ``columns`` (e.g. a table's columns), in their order.

    The one rule by which a mining inventory's grade columns are found: the simulation's
    re-graded grades, the saved ``.npz`` and the supply model all use it, so their element
    axes agree.

    >>> element_columns(["x", "dry_tonnes", "Y", "La", "TREO"])
    ['Y', 'La']
    """
    return [c for c in columns if c in ELEMENTS]


def element_table() -> pd.DataFrame:
    """The element table as a DataFrame (one row per element, indexed by symbol)."""
    rows = [
        {
            "symbol": e.symbol,
            "name": e.name,
            "atomic_number": e.atomic_number,
            "atomic_weight_g_mol": e.atomic_weight,
            "oxide": e.oxide,
            "oxide_factor": e.oxide_factor,
            "groups": ",".join(g for g, m in GROUPS.items() if e.symbol in m),
        }
        for e in ELEMENTS.values()
    ]
    return pd.DataFrame(rows).set_index("symbol")
