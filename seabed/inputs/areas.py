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

from seabed.errors import InputDataError

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


def eez_circle(lon: float, lat: float, *, radius_m: float = 200 * NAUTICAL_MILE_M, n_vertices: int = 720) -> Polygon:
    """A geodesic circle of ``radius_m`` around a point, as a lon/lat polygon.

    Parameters
    ----------
    lon, lat : float
        Centre, degrees.
    radius_m : float, default 370,400 m (200 nautical miles)
        Geodesic radius on WGS84, m.
    n_vertices : int, default 720
        Number of vertices (every 0.5° of azimuth).

    Notes
    -----
    Vertices are geodesic forward solutions (pyproj.Geod.fwd) from the centre. The polygon's
    geodesic area is within 0.05 % of :math:`\\pi r^2` at 720 vertices for r = 370.4 km
    (tested).

    Examples
    --------
    >>> c = eez_circle(153.98, 24.29)
    >>> round(geodesic_area(c) / 1e6 / (np.pi * 370.4**2), 3)
    1.0
    """
    az = np.linspace(0.0, 360.0, n_vertices, endpoint=False)
    lons, lats, _ = _GEOD.fwd(np.full_like(az, lon), np.full_like(az, lat), az, np.full_like(az, radius_m))
    return Polygon(zip(lons, lats, strict=True))


def study_box(west: float, east: float, south: float, north: float) -> Polygon:
    """A lon/lat rectangle (degrees); edges are parallels and meridians."""
    if not (west < east and south < north):
        raise InputDataError(
            f"box bounds: got (W, E, S, N) = ({west}, {east}, {south}, {north}); expected W < E and S < N"
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
        Vector file readable by GDAL/pyogrio.
    layer : str, optional
        Layer name (GeoPackage).

    Returns
    -------
    geopandas.GeoDataFrame
        Polygon features reprojected to EPSG:4326.

    Raises
    ------
    InputDataError
        Missing/unreadable file, no CRS, or non-polygon geometries.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path}: file not found; expected a GeoPackage, GeoJSON or shapefile; fix the path in the config")
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 (GDAL raises assorted errors on unreadable files)
        raise InputDataError(f"{path}: cannot read polygons ({exc}); expected GeoPackage, GeoJSON or shapefile") from None
    if gdf.empty:
        raise InputDataError(f"{path}: no features; expected at least one polygon")
    if gdf.crs is None:
        raise InputDataError(f"{path}: no CRS; expected a CRS on the layer; fix: set one (e.g. EPSG:4326) in your GIS")
    bad = ~gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(
            f"{path}: feature {i} is a {gdf.geometry.iloc[i].geom_type}; expected Polygon or MultiPolygon"
        )
    return gdf.to_crs("EPSG:4326")
