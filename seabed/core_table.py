"""The core-table schema: the columns a core assay table has (docs/inputs.md).

A contract between the config (``[inputs.cores] columns``/``ignore_columns`` are checked against
it) and the reader (:func:`seabed.inputs.cores.load_cores`), so it sits at the bottom of the
layers and imports only :mod:`seabed.elements`.
"""

from __future__ import annotations

from seabed.elements import GROUPS

#: Columns every core table must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("core_id", "longitude", "latitude", "top_mbsf", "bottom_mbsf")

#: Optional columns: name -> (description with units, valid closed range).
OPTIONAL_COLUMNS: dict[str, tuple[str, tuple[float, float]]] = {
    "water_depth_m": ("water depth in metres, positive down", (0.0, 11_000.0)),
    "dry_bulk_density": ("dry bulk density in t/m^3 (= g/cm^3)", (0.05, 3.0)),
    "wet_bulk_density": ("wet bulk density in t/m^3 (= g/cm^3)", (1.0, 3.0)),
    "water_content": ("water content (fraction of wet mass)", (0.0, 0.999)),
}

#: Element columns in reporting order: the rare-earth elements La-Lu (no Pm), then Y and Sc.
ELEMENT_ORDER: tuple[str, ...] = (*GROUPS["REE"], "Y", "Sc")


def schema_columns() -> tuple[str, ...]:
    """Every column name of the core-table schema (required, element, optional).

    Examples
    --------
    >>> "Nd" in schema_columns() and "water_content" in schema_columns()
    True
    """
    return (*REQUIRED_COLUMNS, *ELEMENT_ORDER, *OPTIONAL_COLUMNS)
