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

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from seabed.elements import ELEMENTS
from seabed.errors import ConfigError
from seabed.geostats.settings import EstimationSettings
from seabed.resource.settings import ResourceSettings
from seabed.schema import Length, Seed, StrictModel, bounded, describe_error, named_key
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
        from seabed.errors import UnitsError
        from seabed.units import parse_quantity

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
        from seabed.inputs.cores import schema_columns

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
        from seabed.inputs.cores import schema_columns

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
        from seabed.units import parse_quantity

        return float(parse_quantity(value, "[]", field=key).to("ppm").magnitude)

    def loader_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`seabed.inputs.cores.load_cores` from this table (all but path,
        grid and area), so that ``check`` and ``run`` read the cores the same way."""
        return {
            "units": self.units,
            "elements": self.elements,
            "detection_policy": self.detection_policy,
            "duplicate_policy": self.duplicate_policy,
            "columns": dict(self.columns),
            "ignore_columns": tuple(self.ignore_columns),
            "plausible_max_rey_ppm": self.plausible_ppm("plausible_max_REY"),
            "plausible_min_rey_ppm": self.plausible_ppm("plausible_min_REY"),
        }


class Inputs(StrictModel):
    """Input files of a run."""

    bathymetry: GridInput
    sediment_thickness: GridInput | None = None
    crustal_age: GridInput | None = None
    cores: CoresInput


#: Longitudes are accepted in -180..180 or 0..360 (east of the antimeridian).
LON_RANGE = (-180.0, 360.0)
#: Largest EEZ radius: 350 nmi (648.2 km), the outer limit of an extended continental shelf
#: (UNCLOS Art. 76(5)); an EEZ itself is at most 200 nmi (Art. 57). A larger circle is a typo.
MAX_EEZ_RADIUS_KM = 648.2


def _check_lon(value: float, what: str) -> None:
    lo, hi = LON_RANGE
    if not lo <= value <= hi:
        raise ValueError(f"{what}: got {value:g}; expected a longitude in [{lo:g}, {hi:g}] degrees; "
                         "fix: write degrees east, e.g. 153.98 (-180..180 or 0..360)")


def _check_lat(value: float, what: str) -> None:
    if not -90.0 <= value <= 90.0:
        raise ValueError(f"{what}: got {value:g}; expected a latitude in [-90, 90] degrees; "
                         "fix: write degrees north, e.g. 24.29 (longitude comes first)")


def _check_lonlat(point: tuple[float, float], field: str) -> None:
    _check_lon(point[0], f"{field}[0] (longitude)")
    _check_lat(point[1], f"{field}[1] (latitude)")


class AreaSpec(StrictModel):
    """A named area: a geodesic EEZ circle, a lon/lat box, or polygons from a file.

    Longitudes may be written in -180..180 or 0..360 degrees east, latitudes in -90..90.
    """

    name: str
    kind: Literal["eez", "box", "file"]
    center: tuple[float, float] | None = Field(None, description="(longitude, latitude) of an EEZ centre, degrees")
    radius: bounded(Length, "km", gt=0, le=MAX_EEZ_RADIUS_KM,
                    fix="give the EEZ radius, e.g. '200 nmi'") | None = Field(
        None, description="EEZ radius, e.g. '200 nmi'; at most 350 nmi (648.2 km), the outer limit of an extended "
        "continental shelf (UNCLOS Art. 76(5)): an EEZ is 200 nmi (Art. 57)")
    bounds: tuple[float, float, float, float] | None = Field(None, description="(W, E, S, N) degrees of a box")
    path: Path | None = None
    layer: str | None = None
    note: str | None = Field(None, description="Free text shown in reports (e.g. a dispute)")

    @model_validator(mode="after")
    def _fields_for_kind(self) -> AreaSpec:
        need = {"eez": ("center",), "box": ("bounds",), "file": ("path",)}[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"area {self.name!r} of kind {self.kind!r} needs {missing}; "
                             f"fix: add {missing[0]} (see docs/config.md)")
        used = {"eez": {"center", "radius"}, "box": {"bounds"}, "file": {"path", "layer"}}[self.kind]
        unused = [f for f in ("center", "radius", "bounds", "path", "layer") if f not in used
                  and getattr(self, f) is not None]
        if unused:
            raise ValueError(f"{unused[0]}: got a value, but an area of kind {self.kind!r} does not use it "
                             f"(expected only {', '.join(sorted(used))}); fix: remove {unused[0]} or change kind")
        if self.kind == "eez":
            _check_lonlat(self.center, "center")
        if self.kind == "box":
            w, e, s, n = self.bounds
            _check_lon(w, "bounds[0] (W)")
            _check_lon(e, "bounds[1] (E)")
            _check_lat(s, "bounds[2] (S)")
            _check_lat(n, "bounds[3] (N)")
            if not w < e:
                raise ValueError(f"bounds: got W {w:g} >= E {e:g}; expected (W, E, S, N) with W < E; "
                                 "fix: swap them (across the antimeridian write E in 0..360, e.g. 170 to 190)")
            if e - w > 360:
                raise ValueError(f"bounds: got W {w:g}, E {e:g}, more than 360 degrees apart; expected E - W <= 360; "
                                 "fix: use one longitude convention (-180..180 or 0..360) for both")
            if not s < n:
                raise ValueError(f"bounds: got S {s:g} >= N {n:g}; expected (W, E, S, N) with S < N; fix: swap them")
        return self


class GridSpec(StrictModel):
    """The equal-area working grid."""

    extent: str = Field(description="Name of the area whose bounds the grid covers")
    cell_size: bounded(Length, "m", ge=10, le=100_000, fix="use a cell edge such as '1 km'") = Field(
        description="Cell edge, e.g. '1 km'; 10 m to 100 km: cores lie ~10 km apart and the site grids are "
        "~1.8 km (1 arc-minute), so finer than 10 m resolves nothing and only costs memory, and a cell over "
        "100 km is wider than a study area")
    center: tuple[float, float] | None = Field(None, description="LAEA centre (lon, lat); default: extent centroid")

    @model_validator(mode="after")
    def _check_center(self) -> GridSpec:
        if self.center is not None:
            _check_lonlat(self.center, "center")
        return self


#: Most depth layers: each adds a full (y, x) grid per element to the block model and the simulation.
MAX_LAYERS = 200


class LayerSpec(StrictModel):
    """Depth layers below the seafloor (mbsf, positive down).

    ``top`` >= 0 < ``bottom``; ``thickness`` > 0 divides ``bottom - top`` into a whole number of
    layers, at most 200 (each layer adds a full grid per element to the block model).
    """

    top: bounded(Length, "m", ge=0, fix="depths are metres below the seafloor, positive down, e.g. '0 m'") = "0 m"
    bottom: Length = "10 m"
    thickness: bounded(Length, "m", gt=0, fix="give the layer thickness, e.g. '1 m'") = "1 m"

    @model_validator(mode="after")
    def _check_layers(self) -> LayerSpec:
        top, bottom, dz = (float(q.to("m").magnitude) for q in (self.top, self.bottom, self.thickness))
        if not bottom > top:
            raise ValueError(f"bottom: got {bottom:g} m <= top {top:g} m; expected top < bottom (mbsf, positive "
                             "down); fix: e.g. top = \"0 m\", bottom = \"10 m\"")
        n = (bottom - top) / dz
        if abs(n - round(n)) > 1e-6 * max(1.0, n):
            raise ValueError(f"thickness: got {dz:g} m, which does not divide {top:g}-{bottom:g} m into a whole "
                             f"number of layers ({n:.3g}); expected a divisor of {bottom - top:g} m; "
                             "fix: change thickness or bottom")
        if round(n) > MAX_LAYERS:
            raise ValueError(f"thickness: got {dz:g} m, giving {round(n)} layers over {top:g}-{bottom:g} m; expected "
                             f"at most {MAX_LAYERS} layers; fix: use thicker layers, e.g. '1 m'")
        return self

    @property
    def n_layers(self) -> int:
        """Number of layers."""
        return round(float(((self.bottom - self.top) / self.thickness).to("").magnitude))


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
        from seabed.compute import scheduler_problem

        problem = scheduler_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return str(value).strip()

    @field_validator("memory_budget")
    @classmethod
    def _bytes(cls, value: str | None) -> str | None:
        from seabed.compute import memory_budget_problem

        if value is not None and (problem := memory_budget_problem(value)) is not None:
            raise ValueError(problem)
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
    seed: Seed = Field(description="Seed of every random draw in the run (0 <= seed < 2**63)")
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
        self._check_depths()
        return self

    def _check_depths(self) -> None:
        """Settings that depend on the layers: the mined interval and per-layer densities."""
        top, bottom = (float(q.to("m").magnitude) for q in (self.layers.top, self.layers.bottom))
        cut = self.resource.cutoff
        a, b = (float(q.to("m").magnitude) for q in (cut.interval_top, cut.interval_bottom))
        if a < top or b > bottom:
            raise ValueError(
                f"resource.cutoff.interval_top, interval_bottom: got {a:g}-{b:g} m; expected inside the layers "
                f"{top:g}-{bottom:g} m; fix: narrow the mined interval or extend [layers]")
        density = self.resource.density
        if density.method == "per_layer" and len(density.per_layer) != self.layers.n_layers:
            raise ValueError(
                f"resource.density.per_layer: got {len(density.per_layer)} value(s); expected one per layer, "
                f"{self.layers.n_layers} (top down); fix: list {self.layers.n_layers} densities")

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
    """One line per the error policy: file, field, value received, expected, fix."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    more = f" (and {len(exc.errors()) - 1} more error(s))" if len(exc.errors()) > 1 else ""
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key {loc!r}; fix: remove it or check its spelling (see docs/config.md)"
    if err["type"] == "missing":
        return f"{source}: missing required key {loc!r}; fix: add it (see docs/config.md)"
    msg = describe_error(err)
    sub = named_key(msg) if isinstance(err.get("input"), dict) else None
    if sub is not None:
        # a section's validator names the key first: "bottom: got 0 m <= top ..." -> layers.bottom: got ...
        if sub.startswith(("resource.", "estimation.", "supply.", "inputs.", "grid.", "layers.", "areas.")):
            loc = ""  # already a full path (a check of the whole config)
        return f"{source}: {loc + '.' if loc else ''}{msg}{more}"
    return f"{source}: {loc or '(top level)'}: {msg}{more}"


def parse_config(data: dict, *, source: str = "<config>", base: Path | None = None) -> Config:
    """Validate a config dict (as read from TOML) into a :class:`Config`."""
    if base is not None:
        data = _resolve_paths(data, base)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from None


def _decode(raw: bytes, path: Path) -> str:
    """The text of a config: UTF-8, with or without a byte-order mark."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and raw[1:2] == b"\x00"):
        raise ConfigError(f"{path}: the file is UTF-16 text; expected UTF-8; "
                          "fix: re-save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8 (a Latin-1 or Windows-1252 file?); "
            "expected UTF-8 text; fix: re-save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)") from None


def _parse_toml(text: str, path: Path) -> dict:
    """Parse TOML, naming the file, line and column of a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        what = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", what)
        if where:
            what = what[: where.start()].strip()
            place = f"line {where.group(1)}, column {where.group(2)}"
        else:
            what, place = what.removesuffix(" (at end of document)"), "end of file"
        raise ConfigError(f"{path}: {place}: TOML syntax error: {what}; expected valid TOML; fix: correct it there "
                          "(strings need quotes, e.g. cell_size = \"1 km\")") from None


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file.

    Raises
    ------
    ConfigError
        Missing file, TOML syntax error, or a value that fails validation (one line naming the
        file, the key, the value and what was expected).
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; expected a .toml config file; "
                          "fix: give the path of the file (see `seabed sites`)")
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; fix: give the path of a .toml file (see `seabed sites`)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc.strerror}); fix: check its permissions") from None
    data = _parse_toml(_decode(raw, path), path)
    if not data:
        raise ConfigError(f"{path}: the config is empty (no keys); expected a TOML config with title, site, seed, "
                          "inputs, areas and grid; fix: start from a shipped config (see `seabed sites`)")
    cfg = parse_config(data, source=str(path), base=path.resolve().parent)
    return cfg.model_copy(update={"source_path": path.resolve()})

