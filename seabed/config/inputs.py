"""The ``[inputs]`` section: the grids and the core assay table a run reads (docs/inputs.md).

Relative paths are resolved against the config file's directory (:func:`seabed.config.load_config`).
The plausibility bounds of the cores are switched off with ``"off"`` (TOML has no null).

Examples
--------
>>> c = CoresInput(path="cores.csv")
>>> c.units, c.detection_policy, c.plausible_max_REY
('ppm', 'half', '20000 ppm')
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from seabed.config.base import StrictModel
from seabed.core_table import schema_columns
from seabed.elements import ELEMENTS
from seabed.errors import UnitsError
from seabed.units import parse_quantity

__all__ = ["CoresInput", "GridInput", "Inputs"]


class GridInput(StrictModel):
    """One gridded input (NetCDF or GeoTIFF, EPSG:4326)."""

    path: Path
    variable: str
    units: str | None = Field(None, description="Units if the file does not state them")


class CoresInput(StrictModel):
    """The core assay table (see docs/inputs.md)."""

    path: Path
    units: str = Field("ppm", description="Units of the element columns: ppm, ppb, wt%, g/t")
    elements: list[str] | None = Field(None, description="Elements to use (default: all element columns present)")
    min_coverage: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.5, description="Minimum sampled fraction of a layer for its composite to count")
    detection_policy: Literal["half", "zero", "limit", "drop"] = "half"
    duplicate_policy: Literal["error", "keep", "merge"] = "keep"
    synthetic: bool = Field(False, description="The table is synthetic (reports say so)")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Renames applied before validation, file column -> schema column, e.g. "
                    "{Neodymium = \"Nd\"}; the target must be a schema column not already in the file")
    ignore_columns: list[str] = Field(
        default_factory=list,
        description="Extra columns to leave out (names or glob patterns, e.g. [\"lab_batch\"]); any other "
                    "column outside the schema that looks like an element, oxide or total, or holds numbers, "
                    "is refused")
    plausible_max_REY: str = Field(
        "20000 ppm",
        description="Samples whose total REY exceeds this mass fraction are accepted with a warning (richest "
                    "published layers 5,000-8,000 ppm, Iijima et al. 2016; REY-carrying apatite grains up to "
                    "22,000 ppm, Takaya et al. 2018); \"off\" turns it off")
    plausible_min_REY: str = Field(
        "10 ppm",
        description="A table whose median total REY is below this mass fraction is accepted with a warning "
                    "(the values look like wt% read as ppm); \"off\" turns it off")

    @field_validator("plausible_max_REY", "plausible_min_REY", mode="before")
    @classmethod
    def _mass_fraction(cls, value: Any) -> str:
        if value is False or (isinstance(value, str) and value.strip().lower() == "off"):
            return "off"
        expected = "a mass fraction with units (e.g. \"20000 ppm\", \"2 wt%\") or \"off\""
        if not isinstance(value, str):  # pydantic reports ValueError, not TypeError
            raise ValueError(f"expected {expected}; fix: write it as a quoted string with units")  # noqa: TRY004
        try:
            q = parse_quantity(value, "[]", field="value")
        except UnitsError as exc:
            raise ValueError(f"{str(exc).removeprefix('value: ')}; expected {expected}") from None
        if str(q.units) in ("", "dimensionless"):
            raise ValueError(f"a number without units; expected {expected}; fix: add the unit")
        ppm = float(q.to("ppm").magnitude)
        if not 0 < ppm <= 1e6:
            raise ValueError(f"{ppm:g} ppm; expected {expected} in (0, 1,000,000 ppm]; fix: correct the value")
        return value.strip()

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, value: dict[str, str]) -> dict[str, str]:
        schema = schema_columns()
        for src, dst in value.items():
            if not src.strip():
                raise ValueError("an empty column name; expected {FileColumn = \"SchemaColumn\"}")
            if dst not in schema:
                raise ValueError(f"maps {src!r} to {dst!r}, not a column of the core-table schema; expected one of "
                                 f"{list(schema)}; fix: correct the target, or use ignore_columns to leave it out")
        targets = [d for s, d in value.items() if s != d]
        dupes = sorted({d for d in targets if targets.count(d) > 1})
        if dupes:
            raise ValueError(f"maps several columns to {dupes}; expected one source per schema column; "
                             "fix: map one and list the others in ignore_columns")
        return value

    @model_validator(mode="after")
    def _known_elements(self) -> CoresInput:
        if self.elements is not None:
            unknown = [e for e in self.elements if e not in ELEMENTS]
            if unknown:
                raise ValueError(f"unknown element(s) {unknown}; expected symbols among {list(ELEMENTS)}")
        both = sorted(set(self.columns) & set(self.ignore_columns))
        if both:
            raise ValueError(f"columns {both} are both mapped (columns) and ignored (ignore_columns); "
                             "expected one or the other; fix: remove them from one of the two keys")
        schema_ignored = [c for c in self.ignore_columns if c in schema_columns()]
        if schema_ignored:
            raise ValueError(f"ignore_columns lists {schema_ignored}, column(s) of the core-table schema; expected "
                             "only extra columns; fix: remove them (to leave an element out use elements)")
        low, high = self.plausible_ppm("plausible_min_REY"), self.plausible_ppm("plausible_max_REY")
        if low is not None and high is not None and low >= high:
            raise ValueError(f"plausible_min_REY ({self.plausible_min_REY}) >= plausible_max_REY "
                             f"({self.plausible_max_REY}); expected min < max; fix: correct one of them")
        return self

    def plausible_ppm(self, key: str) -> float | None:
        """``plausible_max_REY`` or ``plausible_min_REY`` in ppm (None when ``"off"``)."""
        value = getattr(self, key)
        if value == "off":
            return None
        return float(parse_quantity(value, "[]", field=key).to("ppm").magnitude)


class Inputs(StrictModel):
    """Input files of a run."""

    bathymetry: GridInput
    sediment_thickness: GridInput | None = None
    crustal_age: GridInput | None = None
    cores: CoresInput
