"""Area polygons: exclusive economic zones, study boxes and user polygons.

All geometries are shapely objects in longitude/latitude (EPSG:4326). Areas are computed
geodesically on the WGS84 ellipsoid (:func:`geodesic_area`), never in degrees.

The 200-nautical-mile EEZ of an isolated island is built as a geodesic circle
(:func:`eez_circle`): Minamitorishima has no neighbouring coast, so its EEZ is almost exactly
such a circle. Japan claims a 200-nm EEZ around Okinotorishima; China, South Korea and Taiwan
dispute it (UNCLOS Art. 121(3)), and seabed uses the circle as the claimed area without taking
a position.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from seabed.errors import ConfigError, InputDataError

__all__ = [
    "NAUTICAL_MILE_M",
    "SITES",
    "TAKAYA_2018_BOX",
    "eez_circle",
    "geodesic_area",
    "load_polygons",
    "study_box",
]

#: One international nautical mile, m.
NAUTICAL_MILE_M = 1852.0

#: Island positions (longitude, latitude), degrees (DOMAIN.md).
SITES: dict[str, tuple[float, float]] = {
    "minamitorishima": (153.98, 24.29),
    "okinotorishima": (136.09, 20.42),
}

#: Takaya et al. (2018) study box, (west, east, south, north) degrees:
#: 21°48′N–22°15′N, 153°30′E–154°07′E.
TAKAYA_2018_BOX: tuple[float, float, float, float] = (153.5, 154 + 7 / 60, 21.8, 22.25)

_GEOD = pyproj.Geod(ellps="WGS84")


def eez_circle(lon: float, lat: float, *, radius_m: float = 200 * NAUTICAL_MILE_M, n_vertices: int = 720,
               name: str | None = None) -> Polygon:
    """A geodesic circle of ``radius_m`` around a point, as a lon/lat polygon.

    Parameters
    ----------
    lon, lat : float
        Centre, degrees (longitude -180…360, latitude -90…90).
    radius_m : float, default 370,400 m (200 nautical miles)
        Geodesic radius on WGS84, m; > 0, and the circle may not contain a pole.
    n_vertices : int, default 720
        Number of vertices (every 0.5° of azimuth).
    name : str, optional
        Area name used in error messages.

    Raises
    ------
    ConfigError
        Centre out of range, radius not finite or <= 0, or a circle reaching over a pole.

    Notes
    -----
    Vertices are geodesic forward solutions (pyproj.Geod.fwd) from the centre. The polygon's
    geodesic area is within 0.05 % of :math:`\\pi r^2` at 720 vertices for r = 370.4 km
    (tested). Vertex longitudes are kept within 180° of the centre's, so a circle across the
    antimeridian is one polygon (longitudes beyond 180, the 0–360 convention).

    Examples
    --------
    >>> c = eez_circle(153.98, 24.29)
    >>> round(geodesic_area(c) / 1e6 / (np.pi * 370.4**2), 3)
    1.0
    """
    what = f"area {name!r}" if name else "EEZ circle"
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 360 and -90 <= lat <= 90):
        raise ConfigError(
            f"{what}: center got ({lon}, {lat}); expected (longitude -180…360, latitude -90…90) degrees; "
            "fix the center (longitude first)"
        )
    if not np.isfinite(radius_m) or radius_m <= 0:
        raise ConfigError(f"{what}: radius got {radius_m:g} m; expected a radius > 0 (e.g. '200 nmi'); fix the radius")
    to_pole = min(_GEOD.inv(lon, lat, lon, 90.0)[2], _GEOD.inv(lon, lat, lon, -90.0)[2])
    if radius_m >= to_pole:
        raise ConfigError(
            f"{what}: radius got {radius_m / 1000:,.1f} km, reaching over a pole ({to_pole / 1000:,.0f} km away); "
            "expected a circle that does not contain a pole; fix the radius"
        )
    az = np.linspace(0.0, 360.0, n_vertices, endpoint=False)
    lons, lats, _ = _GEOD.fwd(np.full_like(az, lon), np.full_like(az, lat), az, np.full_like(az, radius_m))
    lons = lon + (np.asarray(lons) - lon + 180.0) % 360.0 - 180.0
    return Polygon(zip(lons, lats, strict=True))


def study_box(west: float, east: float, south: float, north: float) -> Polygon:
    """A lon/lat rectangle (degrees); edges are parallels and meridians.

    Longitudes may be in -180…360 (a box across the antimeridian is written in 0–360, e.g.
    ``(175, 185, ...)``); ``west < east`` and ``south < north``.
    """
    bounds = (west, east, south, north)
    if not (all(np.isfinite(bounds)) and west < east and south < north and east - west <= 360
            and west >= -180 and east <= 360 and south >= -90 and north <= 90):
        raise InputDataError(
            f"box bounds: got (W, E, S, N) = ({west}, {east}, {south}, {north}); expected W < E and S < N, "
            "longitudes in -180…360 (0–360 across the antimeridian), latitudes in -90…90; fix the bounds"
        )
    return box(west, south, east, north)


def geodesic_area(geometry: BaseGeometry) -> float:
    """Geodesic area of a lon/lat geometry on the WGS84 ellipsoid, m².

    Edges are densified every 0.05° first so that parallels (e.g. box edges) are followed
    rather than replaced by geodesics.
    """
    dense = shapely.segmentize(geometry, 0.05)
    area, _ = _GEOD.geometry_area_perimeter(shapely.orient_polygons(dense) if hasattr(shapely, "orient_polygons") else dense)
    return abs(float(area))


def load_polygons(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Load user polygons (GeoPackage, GeoJSON or shapefile) in EPSG:4326.

    Parameters
    ----------
    path : str or Path
        Vector file readable by GDAL/pyogrio, in any CRS (reprojected to EPSG:4326).
    layer : str, optional
        Layer name (GeoPackage).

    Returns
    -------
    geopandas.GeoDataFrame
        Polygon features reprojected to EPSG:4326; ``attrs["warnings"]`` is a list of
        one-line warnings (empty when nothing was odd).

    Raises
    ------
    InputDataError
        Missing, empty or unreadable file; no features; no CRS; a feature that is empty, not a
        polygon, invalid (e.g. self-intersecting: the message quotes shapely's
        ``is_valid_reason``, alias ``explain_validity``), of zero area, or with coordinates outside lon -180…360 /
        lat -90…90 after reprojection.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path}: file not found; expected a GeoPackage, GeoJSON or shapefile; fix the path in the config")
    if path.is_file() and path.stat().st_size == 0:
        raise InputDataError(f"{path}: empty file (0 bytes); expected a GeoPackage, GeoJSON or shapefile; fix: export the polygons again")
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 (GDAL raises assorted errors on unreadable files)
        raise InputDataError(
            f"{path}: cannot read polygons ({_one_line(exc)}); expected a GeoPackage, GeoJSON or shapefile; "
            "fix: check the file opens in QGIS (and the layer name)"
        ) from None
    if gdf.empty:
        raise InputDataError(f"{path}: no features; expected at least one polygon; fix: add the polygons or the right layer")
    if gdf.crs is None:
        raise InputDataError(f"{path}: no CRS; expected a CRS on the layer; fix: set one (e.g. EPSG:4326) in your GIS")
    geoms = gdf.geometry
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise InputDataError(f"{path}: feature {i} has an empty geometry; expected a polygon; fix: delete or redraw it")
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputDataError(
                f"{path}: feature {i} is a {g.geom_type}; expected Polygon or MultiPolygon; fix: keep only polygons"
            )
        if not g.is_valid:
            raise InputDataError(
                f"{path}: feature {i} is an invalid polygon ({shapely.is_valid_reason(g)}); expected a valid "
                "polygon (its area and the cells it masks would disagree); fix: repair it (QGIS 'Fix geometries', "
                "or shapely.make_valid) and check the result"
            )
    try:
        out = gdf.to_crs("EPSG:4326")
    except Exception as exc:  # noqa: BLE001 (PROJ errors on impossible transformations)
        raise InputDataError(
            f"{path}: cannot reproject from {gdf.crs.to_string()} to EPSG:4326 ({_one_line(exc)}); "
            "expected a valid CRS; fix the layer's CRS"
        ) from None
    w, s, e, n = out.total_bounds
    if not (np.all(np.isfinite([w, s, e, n])) and w >= -180 and e <= 360 and s >= -90 and n <= 90):
        raise InputDataError(
            f"{path}: coordinates span lon {w:.6g}…{e:.6g}, lat {s:.6g}…{n:.6g} in EPSG:4326 (layer CRS "
            f"{gdf.crs.to_string()}), outside lon -180…360 / lat -90…90; expected the CRS to match the coordinates "
            "(projected metres labelled as degrees?); fix: assign the right CRS in your GIS"
        )
    for i, g in enumerate(out.geometry):
        if geodesic_area(g) < 1.0:
            raise InputDataError(
                f"{path}: feature {i} has zero area (< 1 m²); expected a polygon with an area; fix: delete or redraw it"
            )
    out.attrs["warnings"] = []
    return out


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (no trailing period)."""
    return " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
