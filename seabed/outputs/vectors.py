"""GeoPackage output: cores, composites, area polygons and classified areas, one layer each."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import xarray as xr
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

__all__ = ["areas_frame", "composites_frame", "cores_frame", "write_geopackage"]


def cores_frame(intervals: pd.DataFrame) -> gpd.GeoDataFrame:
    """One point per core (EPSG:4326) with its depth range and number of intervals."""
    g = intervals.groupby("core_id", sort=False)
    df = g.agg(longitude=("longitude", "first"), latitude=("latitude", "first"),
               top_mbsf=("top_mbsf", "min"), bottom_mbsf=("bottom_mbsf", "max"),
               n_intervals=("top_mbsf", "size")).reset_index()
    if "water_depth_m" in intervals:
        df["water_depth_m"] = g["water_depth_m"].first().to_numpy()
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs="EPSG:4326")


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


def write_geopackage(path: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write several layers into one GeoPackage (staged to ``<path>.tmp.gpkg`` then renamed)."""
    path = Path(path)
    tmp = path.with_name(path.stem + ".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for name, gdf in layers.items():
        gdf.to_file(tmp, layer=name, driver="GPKG", mode="a" if tmp.exists() else "w")
    tmp.replace(path)
    return path
