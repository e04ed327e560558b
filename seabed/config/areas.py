"""The ``[[areas]]`` tables: named EEZ circles, lon/lat boxes and polygon files.

An EEZ circle's ``radius`` defaults to 200 nautical miles (UNCLOS Art. 57; the value of
:data:`seabed.defaults.EEZ_RADIUS_M`), so no code needs a hard-coded 370,400 m.

Examples
--------
>>> a = AreaSpec(name="eez", kind="eez", center=(153.98, 24.29))
>>> float(a.radius.to("m").magnitude)
370400.0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from seabed.config.base import Length, StrictModel, bounded
from seabed.defaults import EEZ_RADIUS_M

__all__ = ["DEFAULT_EEZ_RADIUS", "LON_RANGE", "MAX_EEZ_RADIUS_KM", "AreaSpec", "check_lonlat"]

#: Radius of an EEZ circle when ``radius`` is not given: 200 nmi (UNCLOS Art. 57), the
#: :data:`seabed.defaults.EEZ_RADIUS_M` written as a user would.
DEFAULT_EEZ_RADIUS = "200 nmi"
assert abs(EEZ_RADIUS_M - 200 * 1852.0) < 1e-6

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


def check_lonlat(point: tuple[float, float], field: str) -> None:
    """Raise ValueError unless ``point`` is a (longitude, latitude) pair in degrees; ``field`` names it."""
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
        None, description="EEZ radius; default for kind 'eez': \"200 nmi\" (370.4 km, UNCLOS Art. 57); at most 350 nmi (648.2 km), the outer limit of an extended "
        "continental shelf (UNCLOS Art. 76(5)): an EEZ is 200 nmi (Art. 57)")
    bounds: tuple[float, float, float, float] | None = Field(None, description="(W, E, S, N) degrees of a box")
    path: Path | None = None
    layer: str | None = None
    note: str | None = Field(None, description="Free text shown in reports (e.g. a dispute)")

    @model_validator(mode="before")
    @classmethod
    def _default_radius(cls, data: Any) -> Any:
        """An EEZ circle without ``radius`` gets 200 nmi (:data:`seabed.defaults.EEZ_RADIUS_M`)."""
        if isinstance(data, dict) and data.get("kind") == "eez" and data.get("radius") is None:
            return {**data, "radius": DEFAULT_EEZ_RADIUS}
        return data

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
            check_lonlat(self.center, "center")
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
