"""One pint unit registry for the whole package.

All dimensional values enter seabed as strings with units (``"0.55 g/cm^3"``,
``"1 km"``, ``"350 t/day"``) and are parsed here. Units stored on xarray objects
are CF-style strings in ``attrs["units"]``.

Units defined on top of pint's defaults
---------------------------------------
``ppm``, ``ppb``, ``wt_percent`` (``wt%`` is accepted in strings), ``kt``
(kilotonne; pint's default ``kt`` is the knot), ``mbsf`` (metres below
seafloor, dimension of length), ``USD`` and ``JPY`` (currencies; each its own
dimension, converted only through an explicit exchange rate, see
:func:`convert_currency`).

Examples
--------
>>> from seabed.units import parse_quantity
>>> parse_quantity("964 ppm", "[]", field="grade").to("g/t").magnitude
964.0
>>> round(parse_quantity("350 t/day", "[mass]/[time]").to("kt/year").magnitude, 4)
127.8375
"""

from __future__ import annotations

import math
import re
from typing import Any

import pint

from seabed.errors import UnitsError

__all__ = [
    "Quantity",
    "convert_currency",
    "magnitude",
    "parse_quantity",
    "ureg",
]

ureg = pint.UnitRegistry(on_redefinition="ignore", cache_folder=None)
ureg.define("ppm = 1e-6")
ureg.define("ppb = 1e-9")
ureg.define("wt_percent = 0.01")
ureg.define("kilotonne = 1e3 * metric_ton = kt")
ureg.define("megatonne = 1e6 * metric_ton = Mt")
ureg.define("mbsf = meter")
ureg.define("USD = [currency] = USD = usd")
ureg.define("JPY = [currency_jpy] = JPY = jpy")
ureg.formatter.default_format = "~"
pint.set_application_registry(ureg)

Quantity = ureg.Quantity

#: Named dimensionalities accepted by :func:`parse_quantity` (for readable messages).
DIMENSIONS: dict[str, str] = {
    "[]": "a dimensionless ratio (e.g. '964 ppm', '0.8', '85 percent')",
    "[length]": "a length (e.g. '1 km', '10 m')",
    "[length]**2": "an area (e.g. '2500 km^2')",
    "[mass]/[length]**3": "a density (e.g. '0.55 g/cm^3', '0.55 t/m^3')",
    "[mass]": "a mass (e.g. '16 Mt', '350 t')",
    "[mass]/[time]": "a mass rate (e.g. '350 t/day')",
    "[time]": "a time (e.g. '365 day', '2.5 year')",
    "[currency]": "an amount in USD (e.g. '3e9 USD')",
    "[currency]/[mass]": "a price in USD per mass (e.g. '120 USD/kg')",
    "[currency]/[time]": "a cost per time (e.g. '5e7 USD/year')",
    "1/[time]": "a rate per time (e.g. '2 percent/year')",
}

_SPELLINGS = (
    (re.compile(r"wt\s*%"), " wt_percent"),
    (re.compile(r"%"), " percent"),
    (re.compile(r"µ"), "u"),
)


def _normalise(text: str) -> str:
    for pattern, repl in _SPELLINGS:
        text = pattern.sub(repl, text)
    return text.strip()


def parse_quantity(
    value: Any,
    dimension: str | None = None,
    *,
    field: str = "value",
    allow_bare: bool = False,
    expected: str | None = None,
) -> pint.Quantity:
    """Parse a string with units into a pint quantity, checking its dimension.

    Parameters
    ----------
    value : str or pint.Quantity
        The text, e.g. ``"0.55 g/cm^3"``. A bare number is refused unless
        ``allow_bare`` (then it is dimensionless).
    dimension : str, optional
        Expected pint dimensionality, e.g. ``"[mass]/[length]**3"``; ``"[]"``
        for dimensionless. ``None`` accepts any.
    field : str
        Name of the field, used in error messages.
    allow_bare : bool, default False
        Accept plain numbers (and strings holding only a number) as dimensionless
        quantities. Without it a number with no unit is refused for every dimension,
        including dimensionless ones (a grade "400" would be 400 = 40,000 %).
    expected : str, optional
        What to say is expected, instead of the description of ``dimension``.

    Returns
    -------
    pint.Quantity

    Raises
    ------
    UnitsError
        On a bare number, unknown units, a wrong dimension, or a NaN or infinite magnitude.
    """
    expected = expected or DIMENSIONS.get(dimension or "", f"units of {dimension}")
    if isinstance(value, pint.Quantity):
        q = value
    elif isinstance(value, bool):
        raise UnitsError(f"{field}: got {value!r}; expected a quantity with units")
    elif isinstance(value, int | float):
        if not allow_bare:
            raise UnitsError(
                f"{field}: got the bare number {value!r} with no units; expected {expected}; "
                f"fix: write it as a string with units, e.g. \"{value} <unit>\""
            )
        q = Quantity(value, "dimensionless")
    elif isinstance(value, str):
        try:
            q = Quantity(_normalise(value))
        except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
            raise UnitsError(
                f"{field}: got {value!r}: unknown unit ({exc}); fix: use a unit such as "
                "ppm, wt%, g/t, t, kt, Mt, m, km, km^2, g/cm^3, t/m^3, day, year, USD, JPY"
            ) from None
        except Exception as exc:  # noqa: BLE001 (pint raises assorted parser errors)
            raise UnitsError(f"{field}: got {value!r}: not a quantity ({exc})") from None
        if not isinstance(q, pint.Quantity):  # plain number in a string
            q = Quantity(q, "dimensionless")
        if q.units == ureg.dimensionless and not allow_bare and dimension is not None:
            raise UnitsError(
                f"{field}: got {value!r} without units; expected {expected}; fix: add the unit"
            )
    else:
        raise UnitsError(f"{field}: got {value!r} ({type(value).__name__}); expected a string with units")
    try:
        finite = math.isfinite(float(q.magnitude))
    except (TypeError, ValueError):
        finite = True  # an array magnitude (not from a config)
    if not finite:
        raise UnitsError(f"{field}: got {value!r}; expected a finite number; fix: write a number such as '1 km'")
    if dimension is not None and not _has_dimension(q, dimension):
        raise UnitsError(
            f"{field}: got {value!r} with dimension {q.dimensionality or '[dimensionless]'}; "
            f"expected {expected}; fix: use units of that kind"
        )
    return q


def _has_dimension(q: pint.Quantity, dimension: str) -> bool:
    return bool(q.dimensionless) if dimension == "[]" else bool(q.check(dimension))


def magnitude(q: pint.Quantity, units: str) -> float:
    """Return the magnitude of ``q`` in ``units`` as a float (raises UnitsError on mismatch)."""
    try:
        return float(q.to(units).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitsError(f"cannot express {q:~} in {units}: {exc}") from None


def convert_currency(amount: pint.Quantity, to: str, *, jpy_per_usd: pint.Quantity) -> pint.Quantity:
    """Convert an amount (or a per-unit amount) between USD and JPY at a given rate.

    Parameters
    ----------
    amount : pint.Quantity
        Anything with a currency in it, e.g. ``16.4e9 JPY`` or ``120 USD/kg``.
    to : {"USD", "JPY"}
        Target currency.
    jpy_per_usd : pint.Quantity
        Exchange rate in ``JPY/USD`` (from config; never hard-coded).

    Examples
    --------
    >>> rate = parse_quantity("150 JPY/USD", "[currency_jpy]/[currency]")
    >>> print(convert_currency(Quantity(15e9, "JPY"), "USD", jpy_per_usd=rate))
    100000000.0 USD
    """
    rate = jpy_per_usd.to("JPY/USD")
    dims = amount.dimensionality
    if to == "USD":
        power = dims.get("[currency_jpy]", 0)
        out = amount / rate**power
    elif to == "JPY":
        power = dims.get("[currency]", 0)
        out = amount * rate**power
    else:
        raise UnitsError(f"currency: got {to!r}; expected 'USD' or 'JPY'")
    return out.to_reduced_units()
