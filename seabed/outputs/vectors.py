"""GeoPackage output: cores, composites, area polygons and classified areas, one layer each.

Each layer may carry metadata (GDAL layer metadata, in the GeoPackage's ``gpkg_metadata``; QGIS
shows it under Layer Properties → Information): its units and the run's synthetic flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import xarray as xr
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

__all__ = ["areas_frame", "composites_frame", "cores_frame", "write_geopackage"]


def cores_frame(intervals: pd.DataFrame, composites: xr.Dataset | None = None,
                elements: list[str] | None = None) -> gpd.GeoDataFrame:
    """One point per core (EPSG:4326) with its depth range, number of intervals and, given the
    composites, grade fields to style by.

    ``REY_ppm`` and ``TREO_ppm`` are the thickness-weighted means over the core's composited
    layers (those where every element present in the table has a grade) of the composites' REY
    (sum of Y and the lanthanides, ppm element) and TREO (the same as oxides, ppm);
    ``composited_m`` is the thickness they cover. Empty (null) where no layer is composited.
    """
    g = intervals.groupby("core_id", sort=False)
    df = g.agg(longitude=("longitude", "first"), latitude=("latitude", "first"),
               top_mbsf=("top_mbsf", "min"), bottom_mbsf=("bottom_mbsf", "max"),
               n_intervals=("top_mbsf", "size")).reset_index()
    if "water_depth_m" in intervals:
        df["water_depth_m"] = g["water_depth_m"].first().to_numpy()
    if composites is not None and elements:
        grades = _core_grades(composites, elements).rename(columns={"core_id": "_key"})
        df = df.assign(_key=df["core_id"].astype(str)).merge(grades, on="_key", how="left").drop(columns="_key")
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs="EPSG:4326")


def _core_grades(composites: xr.Dataset, elements: list[str]) -> pd.DataFrame:
    """Per core: thickness-weighted REY and TREO (ppm) over its fully composited layers."""
    from seabed.elements import ELEMENTS, GROUPS

    rey = [e for e in GROUPS["REY"] if e in elements]
    thickness = (composites["layer_bottom"] - composites["layer_top"]).astype("float64")
    rey_ppm = sum(composites[e] for e in rey)
    treo_ppm = sum(composites[e] * ELEMENTS[e].oxide_factor for e in rey)
    w = thickness.where(rey_ppm.notnull(), 0.0).broadcast_like(rey_ppm)
    total = w.sum("layer")
    out = pd.DataFrame({
        "core_id": composites["core_id"].values,
        "REY_ppm": ((rey_ppm.fillna(0) * w).sum("layer") / total.where(total > 0)).values,
        "TREO_ppm": ((treo_ppm.fillna(0) * w).sum("layer") / total.where(total > 0)).values,
        "composited_m": total.values,
    })
    return out


def composites_frame(composites: xr.Dataset, elements: list[str]) -> gpd.GeoDataFrame:
    """One point per core × layer with composited grades (ppm) and coverage."""
    df = composites[[*elements, "coverage"]].to_dataframe().reset_index()
    keep = ["core_id", "longitude", "latitude", "layer", "layer_top", "layer_bottom", "coverage", *elements]
    df = df[[c for c in keep if c in df.columns]]
    geom = [Point(xy) for xy in zip(df.longitude, df.latitude, strict=True)]
    return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")


def areas_frame(areas: dict[str, BaseGeometry], areas_km2: dict[str, float]) -> gpd.GeoDataFrame:
    """One polygon per named area with its geodesic area (km²)."""
    names = list(areas)
    return gpd.GeoDataFrame({"name": names, "area_km2": [areas_km2[n] for n in names]},
                            geometry=[areas[n] for n in names], crs="EPSG:4326")


@contextmanager
def _gdal_option(name: str, value: str) -> Iterator[None]:
    """Set a GDAL configuration option of pyogrio's GDAL for the duration of the block."""
    from pyogrio import get_gdal_config_option, set_gdal_config_options

    old = get_gdal_config_option(name)
    set_gdal_config_options({name: value})
    try:
        yield
    finally:
        set_gdal_config_options({name: old})


def write_geopackage(path: str | Path, layers: dict[str, gpd.GeoDataFrame],
                     metadata: dict[str, dict[str, str]] | None = None) -> Path:
    """Write several layers into one GeoPackage (staged to ``<path>.tmp.gpkg`` then renamed).

    ``metadata`` maps a layer name to its layer metadata (e.g. ``{"units": ..., "synthetic_cores":
    "yes"}``), read back by ``pyogrio.read_info(path, layer=name)["layer_metadata"]``.

    The file is byte-stable: GDAL stamps each layer's ``last_change`` (``gpkg_contents``) with
    the current time unless ``OGR_CURRENT_DATE`` is set, so it is set to
    :func:`seabed.outputs.manifest.source_date` (``SOURCE_DATE_EPOCH``, else 1970-01-01).
    """
    from seabed.outputs.manifest import source_date

    path = Path(path)
    tmp = path.with_name(path.stem + ".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    stamp = source_date().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with _gdal_option("OGR_CURRENT_DATE", stamp):
        for name, gdf in layers.items():
            meta = (metadata or {}).get(name)
            gdf.to_file(tmp, layer=name, driver="GPKG", mode="a" if tmp.exists() else "w", engine="pyogrio",
                        **({"layer_metadata": dict(meta)} if meta else {}))
    tmp.replace(path)
    return path
