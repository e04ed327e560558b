"""The run configuration: a TOML file validated by pydantic before any work starts.

Only :mod:`seabed.pipeline` sees the whole :class:`Config`; every stage takes explicit
arguments. Each section is a :class:`~seabed.schema.StrictModel`, so unknown keys are errors,
and every dimensional value is a string with units (``"1 km"``, ``"0.55 g/cm^3"``).

Relative paths in a config are resolved against the directory of the config file.

Examples
--------
>>> cfg = load_config("configs/takaya2018_box.toml")  # doctest: +SKIP
>>> cfg.grid.cell_size.to("m").magnitude  # doctest: +SKIP
1000.0
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from seabed.elements import ELEMENTS
from seabed.errors import ConfigError
from seabed.geostats.settings import EstimationSettings
from seabed.resource.settings import ResourceSettings
from seabed.schema import Length, StrictModel
from seabed.supply.settings import SupplySettings

__all__ = [
    "AreaSpec",
    "Config",
    "CoresInput",
    "GridInput",
    "GridSpec",
    "LayerSpec",
    "load_config",
]


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

    @model_validator(mode="after")
    def _known_elements(self) -> CoresInput:
        if self.elements is not None:
            unknown = [e for e in self.elements if e not in ELEMENTS]
            if unknown:
                raise ValueError(f"unknown element(s) {unknown}; expected symbols among {list(ELEMENTS)}")
        return self


class Inputs(StrictModel):
    """Input files of a run."""

    bathymetry: GridInput
    sediment_thickness: GridInput | None = None
    crustal_age: GridInput | None = None
    cores: CoresInput


class AreaSpec(StrictModel):
    """A named area: a geodesic EEZ circle, a lon/lat box, or polygons from a file."""

    name: str
    kind: Literal["eez", "box", "file"]
    center: tuple[float, float] | None = Field(None, description="(longitude, latitude) of an EEZ centre, degrees")
    radius: Length | None = Field(None, description="EEZ radius, e.g. '200 nmi'")
    bounds: tuple[float, float, float, float] | None = Field(None, description="(W, E, S, N) degrees of a box")
    path: Path | None = None
    layer: str | None = None
    note: str | None = Field(None, description="Free text shown in reports (e.g. a dispute)")

    @model_validator(mode="after")
    def _fields_for_kind(self) -> AreaSpec:
        need = {"eez": ("center",), "box": ("bounds",), "file": ("path",)}[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"area {self.name!r} of kind {self.kind!r} needs {missing}")
        if self.kind == "box":
            w, e, s, n = self.bounds
            if not (w < e and s < n and s >= -90 and n <= 90):
                raise ValueError(f"area {self.name!r}: bounds {self.bounds} must be (W, E, S, N) with W < E, S < N")
        return self


class GridSpec(StrictModel):
    """The equal-area working grid."""

    extent: str = Field(description="Name of the area whose bounds the grid covers")
    cell_size: Length = Field(description="Cell edge, e.g. '1 km'")
    center: tuple[float, float] | None = Field(None, description="LAEA centre (lon, lat); default: extent centroid")


class LayerSpec(StrictModel):
    """Depth layers below the seafloor (mbsf, positive down)."""

    top: Length = "0 m"
    bottom: Length = "10 m"
    thickness: Length = "1 m"


class ComputeSpec(StrictModel):
    """Where and how to compute: Dask's local schedulers or a dask.distributed cluster (docs/scaling.md).

    ``memory_budget`` (bytes, e.g. ``"4 GiB"``), when given, sets the cells per task instead of
    ``chunk_cells`` (formula in :mod:`seabed.compute`).
    """

    scheduler: str = Field("threads", description="'synchronous', 'threads', 'processes' or a tcp://host:port address")
    workers: int | None = Field(None, ge=1, description="Threads/processes of a local scheduler; default CPU count")
    chunk_cells: int = Field(250_000, ge=1_000, description="Cells per estimation task")
    memory_budget: str | None = Field(None, description="Memory all tasks in flight may use, e.g. '4 GiB'")

    @field_validator("scheduler")
    @classmethod
    def _known_scheduler(cls, value: str) -> str:
        from seabed.compute import validate_scheduler

        try:
            return validate_scheduler(value)
        except ConfigError as exc:
            raise ValueError(str(exc).split("; ", 1)[1]) from None

    @field_validator("memory_budget")
    @classmethod
    def _bytes(cls, value: str | None) -> str | None:
        from seabed.compute import parse_memory_budget

        if value is not None:
            try:
                parse_memory_budget(value)
            except ConfigError as exc:
                raise ValueError(str(exc).split("; ", 1)[1]) from None
        return value

    @property
    def memory_bytes(self) -> float | None:
        """``memory_budget`` in bytes (None when unset)."""
        if self.memory_budget is None:
            return None
        from seabed.compute import parse_memory_budget

        return parse_memory_budget(self.memory_budget)

    def options(self, *, scheduler: str | None = None):
        """The :class:`seabed.compute.ComputeOptions` of this section (``scheduler`` overrides)."""
        from seabed.compute import ComputeOptions

        return ComputeOptions(scheduler=scheduler or self.scheduler, workers=self.workers,
                              chunk_cells=self.chunk_cells, memory_budget=self.memory_bytes)


class Config(StrictModel):
    """A whole run configuration."""

    title: str = Field(description="Title of the run (reports, plots)")
    site: Literal["minamitorishima", "okinotorishima", "other"] = Field(description="Site (island marker on maps)")
    seed: int = Field(description="Seed of every random draw in the run")
    description: str = Field("", description="Free text for the report")
    assumptions: list[str] = Field(default_factory=list, description="Statements reported verbatim")
    inputs: Inputs
    areas: list[AreaSpec]
    grid: GridSpec
    layers: LayerSpec = LayerSpec()
    estimation: EstimationSettings = EstimationSettings()
    resource: ResourceSettings = ResourceSettings()
    supply: SupplySettings = SupplySettings()
    compute: ComputeSpec = ComputeSpec()
    source_path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _extent_is_an_area(self) -> Config:
        names = [a.name for a in self.areas]
        if len(set(names)) != len(names):
            raise ValueError(f"area names must be unique; got {names}")
        if self.grid.extent not in names:
            raise ValueError(f"grid.extent {self.grid.extent!r} is not an area; expected one of {names}")
        masks = self.resource.masks
        for key, listed in (("include", masks.include or []), ("exclude", masks.exclude)):
            unknown = [n for n in listed if n not in names]
            if unknown:
                raise ValueError(f"resource.masks.{key}: {unknown} not among the areas {names}")
        return self

    def area(self, name: str) -> AreaSpec:
        """The area called ``name``."""
        return next(a for a in self.areas if a.name == name)

    def input_paths(self) -> dict[str, Path]:
        """Every input file the config names, by a label."""
        paths = {"cores": self.inputs.cores.path, "bathymetry": self.inputs.bathymetry.path}
        for key in ("sediment_thickness", "crustal_age"):
            g = getattr(self.inputs, key)
            if g is not None:
                paths[key] = g.path
        for a in self.areas:
            if a.path is not None:
                paths[f"area:{a.name}"] = a.path
        return paths


def _resolve_paths(data: Any, base: Path) -> Any:
    """Make every ``path`` key relative to ``base`` (the config's directory)."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if k == "path" and isinstance(v, str):
                p = Path(v).expanduser()
                out[k] = str(p if p.is_absolute() else (base / p).resolve())
            else:
                out[k] = _resolve_paths(v, base)
        return out
    if isinstance(data, list):
        return [_resolve_paths(v, base) for v in data]
    return data


def format_validation_error(source: str, exc: ValidationError) -> str:
    """One line per the error policy: file, field, value received, expected."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    value = err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key {loc!r}; fix: remove it or check its spelling (see docs/config.md)"
    if err["type"] == "missing":
        return f"{source}: missing required key {loc!r}; fix: add it (see docs/config.md)"
    shown = repr(value) if not isinstance(value, dict) else "a table"
    more = f" (and {len(exc.errors()) - 1} more error(s))" if len(exc.errors()) > 1 else ""
    return f"{source}: {loc or '(top level)'}: got {shown}: {msg}{more}"


def parse_config(data: dict, *, source: str = "<config>", base: Path | None = None) -> Config:
    """Validate a config dict (as read from TOML) into a :class:`Config`."""
    if base is not None:
        data = _resolve_paths(data, base)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from None


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file.

    Raises
    ------
    ConfigError
        Missing file, TOML syntax error, or a value that fails validation (one line naming the
        file, the key, the value and what was expected).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; fix: give the path of a .toml file (see `seabed sites`)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
    cfg = parse_config(data, source=str(path), base=path.resolve().parent)
    return cfg.model_copy(update={"source_path": path.resolve()})

