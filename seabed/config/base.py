"""The base of every configuration section (pydantic v2): strict model, quantity types, one
serialiser, one error formatter.

Every config section is a :class:`StrictModel` (unknown keys are errors, booleans and NaN are
refused for numbers, string defaults are parsed like user values). Dimensional values are
written as strings with units and parsed into pint quantities by the annotated types below,
e.g. ``density: Density = "0.55 g/cm^3"``; amounts of money by :data:`Money` and its kin.

:func:`config_dict` is the one serialiser (a JSON-ready dict that validates back to the same
values: the run manifest and supply scenarios use it); :func:`describe_validation_error` is the
one translation of a pydantic error into seabed's one-line message, and :func:`validate_section`
the one parse path of a section or a whole config.

Examples
--------
>>> class Demo(StrictModel):
...     cell_size: Length
>>> Demo(cell_size="250 m").cell_size.to("km").magnitude
0.25
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
import types
import typing
from typing import Annotated, Any

import pint
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticUndefined

from seabed.errors import ConfigError, UnitsError
from seabed.units import parse_quantity, ureg

__all__ = [
    "SEED_LIMIT",
    "Area",
    "Currency",
    "Density",
    "Dimensionless",
    "Grade",
    "Length",
    "Mass",
    "MassRate",
    "Money",
    "MoneyPerMass",
    "MoneyPerTime",
    "Price",
    "QuantityType",
    "Seed",
    "StrictModel",
    "Time",
    "bounded",
    "config_dict",
    "describe_error",
    "describe_validation_error",
    "format_magnitude",
    "format_validation_error",
    "named_key",
    "serialise_quantity",
    "validate_section",
]

#: Seeds are ``0 <= seed < 2**63``: numpy's SeedSequence takes non-negative integers, and the
#: run manifest and the stages keep seeds in signed 64-bit integers.
SEED_LIMIT = 2**63

def _check_seed(value: int) -> int:
    if not 0 <= value < SEED_LIMIT:
        raise ValueError(f"got {value}; expected 0 <= seed < 2**63 (numpy seeds are non-negative); "
                         "fix: use a non-negative integer, e.g. 20260201")
    return value


#: A seed of the random draws (an integer, not a boolean).
Seed = Annotated[int, AfterValidator(_check_seed)]


def _accepts(annotation: Any, kind: type) -> bool:
    """Whether ``annotation`` (X, X | None, Annotated[X, ...], Literal[...]) admits values of ``kind``."""
    if annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _accepts(typing.get_args(annotation)[0], kind)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(a, kind) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return any(isinstance(a, kind) for a in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, kind)


def _numeric(annotation: Any) -> bool:
    return (_accepts(annotation, int) or _accepts(annotation, float)) and not _accepts(annotation, bool)


def _scalar_problem(annotation: Any, value: Any) -> str | None:
    """Why ``value`` must not be coerced to ``annotation`` (None if it may)."""
    if isinstance(value, bool):
        if not _accepts(annotation, bool) and not _accepts(annotation, str) and (
                _numeric(annotation) or _accepts(annotation, pint.Quantity)):
            return "expected a number, not a boolean (true/false)"
        return None
    if isinstance(value, float) and not math.isfinite(value) and _numeric(annotation):
        return "expected a finite number"
    return None


def _walk(annotation: Any, value: Any) -> str | None:
    """The first problem of ``value`` against ``annotation``, looking into lists, tuples and tables."""
    problem = _scalar_problem(annotation, value)
    if problem is not None:
        return problem
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _walk(args[0], value)
    if origin in (typing.Union, types.UnionType):
        containers = [a for a in args if typing.get_origin(a) in (list, tuple, dict)]
        return _walk(containers[0], value) if len(containers) == 1 else None
    if origin in (list, tuple) and isinstance(value, list | tuple):
        for i, item in enumerate(value):
            inner = args[0] if origin is list or (len(args) == 2 and args[1] is Ellipsis) else (
                args[i] if i < len(args) else None)
            if inner is not None and (p := _walk(inner, item)) is not None:
                return f"item {i}: {p}" if not p.startswith("item ") else p
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        for key, item in value.items():
            if (p := _walk(args[1], item)) is not None:
                return f"{key}: {p}"
    return None


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info) -> Any:
        """Refuse ``true``/``false`` where a number is expected, and NaN or infinite numbers.

        Pydantic's lax mode would read ``seed = true`` as 1 and ``max_slope = false`` as 0°.
        """
        field = cls.model_fields.get(info.field_name)
        if field is None:
            return value
        problem = _walk(field.annotation, value)
        if problem is None:
            return value
        default = field.default
        keep = ("" if default is PydanticUndefined or default is None or isinstance(default, BaseModel | list | dict)
                else f" (omitting the key keeps the default {_show(default)})")
        raise ValueError(f"{problem}; fix: write a number{keep}")


def _show(value: Any) -> str:
    return serialise_quantity(value) if isinstance(value, pint.Quantity) else repr(value)


def format_magnitude(m: Any) -> str:
    """A magnitude written exactly (``repr`` of a Python int or float), never rounded like ``:g``."""
    if isinstance(m, numbers.Integral) and not isinstance(m, bool):
        return repr(int(m))
    try:
        return repr(float(m))
    except (TypeError, ValueError):
        return str(m)


def serialise_quantity(q: pint.Quantity) -> str:
    """``"<magnitude> <units>"``, exact: 123456789 t/day stays 123456789, not 1.23457e+08.

    The one text form of a quantity in a serialised config (manifest, scenarios).

    Examples
    --------
    >>> serialise_quantity(ureg.Quantity(123456789, "t/day"))
    '123456789 t / d'
    """
    return f"{format_magnitude(q.magnitude)} {q.units:~}".strip()


def config_dict(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The one serialiser: ``model`` as a JSON-ready dict that validates back to the same values.

    Quantities and amounts of money become exact strings (:func:`serialise_quantity`), so
    ``123456789`` and ``"0.55 t/m^3"`` survive; fields marked ``exclude`` (the config's source
    path) are left out. Used by the run manifest and by supply scenario merging.

    Examples
    --------
    >>> class Demo(StrictModel):
    ...     rate: MassRate = "123456789 t/day"
    >>> config_dict(Demo())
    {'rate': '123456789.0 t / d'}
    >>> Demo.model_validate(config_dict(Demo())) == Demo()
    True
    """
    return model.model_dump(mode="json", exclude=exclude)


def QuantityType(dimension: str, *, allow_bare: bool = False, expected: str | None = None) -> Any:
    """An annotated pydantic type that parses a string with units of ``dimension``.

    The parsed value is a :class:`pint.Quantity`; it serialises back to a string
    (so a resolved config can be written to the run manifest). ``expected`` replaces the
    generic description of the dimension in messages (e.g. "a grade (e.g. '400 ppm')").
    """

    def _parse(value: Any) -> pint.Quantity:
        # UnitsError is not a ValueError: convert it for pydantic, keeping our message
        # (the field path is added by describe_validation_error).
        try:
            return parse_quantity(value, dimension, field="value", allow_bare=allow_bare, expected=expected)
        except UnitsError as exc:
            raise ValueError(str(exc).removeprefix("value: ")) from None

    _parse.dimension = dimension  # read by seabed.config.reference
    return Annotated[
        pint.Quantity,
        BeforeValidator(_parse),
        PlainSerializer(serialise_quantity, return_type=str),
    ]


Length = QuantityType("[length]")
Area = QuantityType("[length]**2")
Density = QuantityType("[mass]/[length]**3")
Mass = QuantityType("[mass]")
MassRate = QuantityType("[mass]/[time]")
Time = QuantityType("[time]")
Dimensionless = QuantityType("[]", allow_bare=True)
#: A grade: dimensionless but always written with its unit ("400 ppm", "0.04 wt%"); a bare
#: "400" would otherwise be read as 400 = 40,000 %.
Grade = QuantityType("[]", expected="a grade with units (e.g. '400 ppm', '0.04 wt%')")
Currency = QuantityType("[currency]")
Price = QuantityType("[currency]/[mass]")


def _money_type(per: str, example: str) -> Any:
    """An amount in USD or JPY (>= 0), optionally per ``per`` (e.g. ``"/[mass]"``)."""

    def _parse(value: Any) -> pint.Quantity:
        try:
            q = parse_quantity(value, None, field="value")
        except UnitsError as exc:
            raise ValueError(str(exc).removeprefix("value: ")) from None
        what = f"an amount in USD or JPY{' per ' + per.lstrip('/') if per else ''} (e.g. {example!r})"
        if q.units == ureg.dimensionless:
            raise ValueError(f"got {value!r} without units; expected {what}; fix: add the unit")
        if not (q.check(f"[currency]{per}") or q.check(f"[currency_jpy]{per}")):
            raise ValueError(
                f"got {value!r} with dimension {q.dimensionality or '[dimensionless]'}; "
                f"expected {what}; fix: use units of that kind"
            )
        if q.magnitude < 0:
            raise ValueError(f"got {value!r}; expected >= 0 (prices and costs are not negative); "
                             f"fix: give {what}")
        return q

    return Annotated[pint.Quantity, BeforeValidator(_parse), PlainSerializer(serialise_quantity, return_type=str)]


#: An amount of money, USD or JPY (converted with ``supply.economics.jpy_per_usd``).
Money = _money_type("", "3.25e9 USD")
#: Money per mass, e.g. an oxide price or a cost per tonne of mud.
MoneyPerMass = _money_type("/[mass]", "95 USD/kg")
#: Money per time, e.g. a fixed annual cost.
MoneyPerTime = _money_type("/[time]", "1e8 USD/year")


def bounded(
    qtype: Any,
    unit: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    fix: str = "",
) -> Any:
    """``qtype`` with bounds on its magnitude in ``unit``, e.g. ``bounded(Length, "m", gt=0)``.

    The message names the value, the bounds and ``fix``; the bounds are listed in docs/config.md.
    """
    parts = [f"{op} {v:g}{' ' + unit if unit else ''}" for op, v in ((">", gt), (">=", ge), ("<", lt), ("<=", le))
             if v is not None]
    text = " and ".join(parts)

    def _check(q: pint.Quantity) -> pint.Quantity:
        m = float(q.to(unit or "").magnitude)
        ok = ((gt is None or m > gt) and (ge is None or m >= ge) and (lt is None or m < lt)
              and (le is None or m <= le))
        if not ok:
            written = f"{q.units:~}"
            plain = f"{float(q.magnitude):g} {written}".strip()
            if not unit or written == unit:
                shown = plain
            elif any(c in written for c in "/*") or not written:
                shown = f"{m:g} {unit}"
            else:
                shown = f"{plain} (= {m:g} {unit})"
            raise ValueError(f"got {shown}; expected {text}; fix: {fix or 'use a value in that range'}")
        return q

    _check.bounds = text  # read by seabed.config.reference
    return Annotated[qtype, AfterValidator(_check)]


def check_bound(ok: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok`` (a one-liner for model validators)."""
    if not ok:
        raise ValueError(message)


#: pydantic's built-in error types, said the seabed way ("expected ..."), from the error's ``ctx``.
_EXPECTED = {
    "greater_than": "expected > {gt}",
    "greater_than_equal": "expected >= {ge}",
    "less_than": "expected < {lt}",
    "less_than_equal": "expected <= {le}",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected a string (in quotes)",
    "list_type": "expected a list [...]",
    "tuple_type": "expected a list [...]",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "too_short": "expected at least {min_length} item(s)",
    "too_long": "expected at most {max_length} item(s)",
    "literal_error": "expected {expected}",
    "finite_number": "expected a finite number",
}


def describe_error(err: dict) -> str:
    """The message of one pydantic error, without its location: ``"got X: expected Y; fix: Z"``.

    Messages of seabed's own validators are kept (they already say what was got and expected);
    pydantic's built-in ones are reworded from their type and context.
    """
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if err["type"] != "value_error" and err["type"] in _EXPECTED:
        with contextlib.suppress(KeyError, IndexError):
            msg = _EXPECTED[err["type"]].format(**err.get("ctx", {}))
    if msg.startswith("got ") or (isinstance(value, dict) and _NAMED.match(msg)):
        return msg if ("fix" in msg or "expected" in msg) else msg + "; fix: see docs/config.md"
    shown = "a table" if isinstance(value, dict) else repr(value)
    if "fix" not in msg:
        msg += "; fix: see docs/config.md for the allowed values"
    return f"got {shown}: {msg}"


#: A message of a section's validator that starts by naming a key (``"bounds[2] (S): got ..."``).
_NAMED = re.compile(r"^([\w.]+(?:\[\d\])?(?: \([\w ]+\))?(?:, [\w.]+)*): ")


def named_key(message: str) -> str | None:
    """The key a section validator's message starts with (``"min_samples: got ..."``), or None."""
    m = _NAMED.match(message)
    return m.group(1) if m else None


#: Top-level sections: a message of the whole config's validator that starts with one of these
#: already names the full path of its key.
_TOP_LEVEL = ("resource.", "estimation.", "supply.", "inputs.", "grid.", "layers.", "areas.", "compute.")


def describe_validation_error(exc: ValidationError, *, prefix: str = "") -> str:
    """The one-line message of the first error of ``exc``: ``"<key>: got X; expected Y; fix: Z"``.

    Parameters
    ----------
    exc : pydantic.ValidationError
    prefix : str, optional
        Dotted path of the validated table in the config (``"supply"``, ``"supply.scenarios.x"``),
        put before the location of the error.

    Returns
    -------
    str
        The key, the value received, what was expected and the fix; ``"(and N more error(s))"``
        when pydantic found several.
    """
    errors = exc.errors()
    err = errors[0]
    parts = [prefix] if prefix else []
    parts += [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    loc = ".".join(parts)
    more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
    if err["type"] == "extra_forbidden":
        return (f"{loc}: unknown key (got {err.get('input')!r}); fix: remove it or check its spelling "
                f"(see docs/config.md){more}")
    if err["type"] == "missing":
        return f"missing required key {loc!r}; fix: add it (see docs/config.md){more}"
    msg = describe_error(err)
    sub = named_key(msg) if isinstance(err.get("input"), dict) else None
    if sub is not None:
        # a section's validator names the key first: "bottom: got 0 m <= top ..." -> layers.bottom: got ...
        if not prefix and sub.startswith(_TOP_LEVEL):
            loc = ""  # already a full path (a check of the whole config)
        return f"{loc + '.' if loc else ''}{msg}{more}"
    return f"{loc or '(top level)'}: {msg}{more}"


def format_validation_error(source: str, exc: ValidationError, *, prefix: str = "") -> str:
    """``"<source>: "`` and :func:`describe_validation_error` (the message of a ConfigError)."""
    return f"{source}: {describe_validation_error(exc, prefix=prefix)}"


def validate_section(model: type[BaseModel], data: Any, *, source: str = "config", prefix: str = "") -> Any:
    """Validate ``data`` into ``model``: the one parse path of a config or one of its sections.

    Parameters
    ----------
    model : type of StrictModel
        The section (or :class:`~seabed.config.Config`).
    data : mapping or None
        The parsed TOML table (None: the defaults).
    source : str
        The file, named first in the message.
    prefix : str, optional
        Dotted path of the table in the config, e.g. ``"supply"``.

    Raises
    ------
    ConfigError
        One line naming the file, the key, the value received, what was expected and the fix.
    """
    try:
        return model.model_validate(dict(data or {}))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc, prefix=prefix)) from None
