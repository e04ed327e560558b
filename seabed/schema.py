"""Building blocks for the configuration schema (pydantic v2).

Every config section is a :class:`StrictModel` (unknown keys are errors). Dimensional
values are written as strings with units and parsed into pint quantities by the
annotated types below, e.g. ``density: Density = "0.55 g/cm^3"``.

Examples
--------
>>> class Demo(StrictModel):
...     cell_size: Length
>>> Demo(cell_size="250 m").cell_size.to("km").magnitude
0.25
"""

from __future__ import annotations

from typing import Annotated, Any

import pint
from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

from seabed.units import parse_quantity

__all__ = [
    "Area",
    "Currency",
    "Density",
    "Dimensionless",
    "Length",
    "Mass",
    "MassRate",
    "Price",
    "QuantityType",
    "StrictModel",
    "Time",
]


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, validate_default=True)


def _serialise(q: pint.Quantity) -> str:
    return f"{q.magnitude:g} {q.units:~}".strip()


def QuantityType(dimension: str, *, allow_bare: bool = False) -> Any:
    """An annotated pydantic type that parses a string with units of ``dimension``.

    The parsed value is a :class:`pint.Quantity`; it serialises back to a string
    (so a resolved config can be written to the run manifest).
    """

    def _parse(value: Any) -> pint.Quantity:
        # UnitsError is a ValueError subclass? No: convert to ValueError for pydantic,
        # keeping our message (the field path is added by seabed.config).
        from seabed.errors import UnitsError

        try:
            return parse_quantity(value, dimension, field="value", allow_bare=allow_bare)
        except UnitsError as exc:
            raise ValueError(str(exc).removeprefix("value: ")) from None

    _parse.dimension = dimension  # read by seabed.config_reference
    return Annotated[
        pint.Quantity,
        BeforeValidator(_parse),
        PlainSerializer(_serialise, return_type=str),
    ]


Length = QuantityType("[length]")
Area = QuantityType("[length]**2")
Density = QuantityType("[mass]/[length]**3")
Mass = QuantityType("[mass]")
MassRate = QuantityType("[mass]/[time]")
Time = QuantityType("[time]")
Dimensionless = QuantityType("[]", allow_bare=True)
Currency = QuantityType("[currency]")
Price = QuantityType("[currency]/[mass]")
