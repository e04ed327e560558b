"""Generate the config reference (``docs/config.md``) from the pydantic models themselves.

Every key of every section, with its type, units (for quantities), default and description. Every
default is written as the TOML a user would write (``"4000 m"``, ``7.0``, ``["spherical"]``); a key
without a default value says so. A test checks that ``docs/config.md`` equals
:func:`render_config_reference`, so the reference cannot drift from the code. Regenerate with
``python -m seabed.config.reference > docs/config.md``.

Examples
--------
>>> toml_literal(["400 ppm", 2.5, True, {"Y": "0.987"}])
'["400 ppm", 2.5, true, {Y = "0.987"}]'
"""

from __future__ import annotations

import json
import re
import types
import typing
from typing import Any

import pint
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from seabed.config.base import serialise_quantity
from seabed.config.model import Config
from seabed.units import DIMENSIONS

__all__ = ["render_config_reference", "toml_literal"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_literal(value: Any) -> str:
    """``value`` written as TOML: strings in double quotes, ``true``/``false``, arrays, inline tables.

    Quantities are written as their exact serialised text (:func:`~seabed.config.base.serialise_quantity`).
    """
    if isinstance(value, pint.Quantity):
        return toml_literal(serialise_quantity(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{k if _BARE_KEY.match(str(k)) else json.dumps(str(k))} = {toml_literal(v)}"
                 for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return json.dumps(str(value))


def _bounds(field) -> str | None:
    for meta in field.metadata:
        bounds = getattr(getattr(meta, "func", None), "bounds", None)
        if bounds is not None:
            return bounds
    return None


def _dimension(field) -> str | None:
    for meta in field.metadata:
        dim = getattr(getattr(meta, "func", None), "dimension", None)
        if dim is not None:
            return dim
    return None


def _models(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (X, X | None, list[X], dict[str, X])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        out.extend(_models(arg))
    return out


def _type_name(annotation: Any, field) -> str:
    dim = _dimension(field)
    if dim is not None:
        what = DIMENSIONS.get(dim, f"units of {dim}")
        bounds = _bounds(field)
        return f"quantity: {what}" + (f", {bounds}" if bounds else "")
    if annotation is pint.Quantity:
        return "quantity (string with units)"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(toml_literal(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a, field) for a in typing.get_args(annotation) if a is not type(None)) + (
            " (optional)" if type(None) in typing.get_args(annotation) else "")
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0], field)
    if origin in (list, tuple, dict):
        args = ", ".join(_type_name(a, field) for a in typing.get_args(annotation) if a is not Ellipsis)
        return f"{origin.__name__}[{args}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"table ({annotation.__name__})"
    return getattr(annotation, "__name__", str(annotation))


def _default(field) -> str:
    """The default of ``field`` as TOML in backticks, or what stands in for one."""
    if field.default is not PydanticUndefined:
        value = field.default
    elif field.default_factory is not None:
        try:
            value = field.default_factory()
        except TypeError:
            return "(computed)"
    else:
        return "**required**"
    if value is None:
        return "(not set)"
    if isinstance(value, BaseModel):
        return "(table defaults)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"({len(value)} default entries)"
    return "`" + toml_literal(value).replace("|", "\\|") + "`"


def _section(model: type[BaseModel], path: str, lines: list[str], seen: set[str]) -> None:
    doc = (model.__doc__ or "").strip().splitlines()
    lines += [f"## `[{path}]`" if path else "## top level", "", doc[0] if doc else "", "",
              "| key | type | default | description |", "|---|---|---|---|"]
    nested = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        desc = (field.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {_type_name(field.annotation, field)} | {_default(field)} | {desc} |")
        for sub in _models(field.annotation):
            nested.append((sub, f"{path}.{name}" if path else name))
    lines.append("")
    for sub, sub_path in nested:
        if sub_path not in seen:
            seen.add(sub_path)
            _section(sub, sub_path, lines, seen)


def render_config_reference() -> str:
    """The Markdown config reference."""
    lines = [
        "# Config reference",
        "",
        "Generated from the schema by `python -m seabed.config.reference` (a test keeps this file in sync).",
        "Quantities are strings with units (`\"1 km\"`, `\"0.55 g/cm^3\"`); bare numbers are refused for them.",
        "Unknown keys are errors. Relative paths are resolved against the config file's directory.",
        "Defaults are written as you would write them in the TOML file; \"(not set)\" means the key is",
        "optional and has no value unless you give one (TOML has no null: a value that switches something",
        "off is a word, such as `\"none\"` for a mask or `\"off\"` for a plausibility bound, as each key says).",
        "",
    ]
    _section(Config, "", lines, set())
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_config_reference(), end="")
