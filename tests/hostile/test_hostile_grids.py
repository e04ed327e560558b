"""Hostile corpus: grids, areas, the working grid and the layers (issue 12).

Each case breaks one thing in a throw-away Takaya-box project (broken grids are written with
xarray from the shipped ``grids/*.nc`` into the project folder) and asserts that ``seabed check``
refuses it: exit 2, one line naming the file or key, the value, what was expected and the fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from harness import ROOT, Project, assert_user_error

GRIDS = ROOT / "grids"
BATHY = GRIDS / "minamitorishima_bathymetry.nc"
SEDIMENT = GRIDS / "minamitorishima_sediment_thickness.nc"


def _shipped(path: Path = BATHY) -> xr.Dataset:
    with xr.open_dataset(path, decode_coords="all") as ds:
        return ds.load()


def _use_grid(p: Project, ds: xr.Dataset | None, *, source: Path = BATHY, name: str = "grid.nc",
              raw: bytes | None = None) -> Project:
    """Write ``ds`` (or raw bytes) into the project and point the config's ``source`` entry at it."""
    path = p.root / name
    if raw is not None:
        path.write_bytes(raw)
    else:
        ds.to_netcdf(path)
    return p.replace(f'"{source}"', f'"{path}"')


def _edit_values(fn, *, source: Path = BATHY, var: str = "elevation"):
    def edit(p: Project) -> Project:
        ds = _shipped(source)
        ds[var] = fn(ds[var])
        return _use_grid(p, ds, source=source)
    return edit


def _no_crs(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.drop_vars("spatial_ref", errors="ignore")
    for v in ds.data_vars:
        ds[v].attrs.pop("grid_mapping", None)
        ds[v].encoding.pop("grid_mapping", None)
    return ds


def partial_cover(p: Project) -> Project:
    """The bathymetry cut at 153.8 E: the west half of the box only."""
    return _use_grid(p, _shipped().sel(x=slice(None, 153.8)))


def partial_cover_sediment(p: Project) -> Project:
    return _use_grid(p, _shipped(SEDIMENT).sel(y=slice(None, 22.0)), source=SEDIMENT)


def projected_no_crs(p: Project) -> Project:
    """Coordinates in metres (Web-Mercator-like numbers) and no CRS at all."""
    ds = _no_crs(_shipped())
    ds = ds.assign_coords(x=ds.x * 111_320.0, y=ds.y * 110_574.0)
    return _use_grid(p, ds)


def metre_units_no_crs(p: Project) -> Project:
    """Coordinates that fit in degrees' range but say they are metres."""
    ds = _no_crs(_shipped())
    ds.x.attrs.update(units="m", standard_name="projection_x_coordinate")
    ds.y.attrs.update(units="m", standard_name="projection_y_coordinate")
    return _use_grid(p, ds)


def projected_crs(p: Project) -> Project:
    """A proper projected grid (EPSG:3857 via grid_mapping): refused with the reprojection fix."""
    import rioxarray  # noqa: F401

    da = _shipped()["elevation"].rio.write_crs("EPSG:4326").rio.reproject("EPSG:3857")
    return _use_grid(p, da.to_dataset(name="elevation"))


def nan_holes(p: Project) -> Project:
    """No data over the southern half of the box."""
    def fn(da):
        return da.where(~((da.y < 22.0) & (da.x > 153.3) & (da.x < 154.3)))
    return _edit_values(fn)(p)


def few_nan(p: Project) -> Project:
    """One NaN source node just outside the box's NE corner: 2-3 cells of 2 km, below the 1 % tolerance."""
    def fn(da):
        return da.where(~((np.abs(da.y - 22.3) < 0.01) & (np.abs(da.x - 154.2) < 0.01)))
    p.replace('cell_size = "4 km"', 'cell_size = "2 km"')
    return _edit_values(fn)(p)


def _polygon_file(p: Project, write) -> Project:
    path = p.root / "blocks.gpkg"
    write(path)
    return p.append(f'[[areas]]\nname = "blocks"\nkind = "file"\npath = "{path}"')


def _gpkg(geoms, crs="EPSG:4326"):
    import geopandas as gpd

    return lambda path: gpd.GeoDataFrame({"name": [f"b{i}" for i in range(len(geoms))]}, geometry=geoms,
                                         crs=crs).to_file(path)


def bowtie(p: Project) -> Project:
    import shapely

    poly = shapely.Polygon([(153.6, 21.9), (153.9, 22.1), (153.9, 21.9), (153.6, 22.1)])
    return _polygon_file(p, _gpkg([shapely.box(153.6, 21.9, 153.7, 22.0), poly]))


def polygon_projected_labelled_4326(p: Project) -> Project:
    import shapely

    return _polygon_file(p, _gpkg([shapely.box(1.7e7, 2.5e6, 1.71e7, 2.51e6)]))


def polygon_empty_file(p: Project) -> Project:
    return _polygon_file(p, lambda path: path.write_bytes(b""))


def polygon_empty_geometry(p: Project) -> Project:
    import shapely

    return _polygon_file(p, _gpkg([shapely.box(153.6, 21.9, 153.7, 22.0), shapely.Polygon()]))


def polygon_zero_area(p: Project) -> Project:
    import shapely

    return _polygon_file(p, _gpkg([shapely.Polygon([(153.6, 21.9), (153.7, 22.0), (153.8, 22.1)])]))


CASES = [
    # --- grids: coverage and content ---------------------------------------------------------
    pytest.param(partial_cover, ("grid.nc", "does not cover", "% of", "lon"), id="grid-covers-half-the-box"),
    pytest.param(partial_cover_sediment, ("grid.nc", "does not cover"), id="sediment-covers-half-the-box"),
    pytest.param(_edit_values(lambda da: da * np.nan), ("grid.nc", "no finite values"), id="grid-all-nan"),
    pytest.param(nan_holes, ("grid.nc", "no data", "%"), id="grid-nan-over-half-the-box"),
    pytest.param(_edit_values(lambda da: -da), ("grid.nc", "elevation", "positive", "negate"),
                 id="bathymetry-positive-depths"),
    # --- grids: coordinates and CRS ----------------------------------------------------------
    pytest.param(projected_no_crs, ("grid.nc", "outside", "crs"), id="projected-coordinates-no-crs"),
    pytest.param(metre_units_no_crs, ("grid.nc", "units", "'m'"), id="metre-coordinates-no-crs"),
    pytest.param(lambda p: _use_grid(p, _shipped().isel(y=[10])), ("grid.nc", "at least 2"),
                 id="grid-one-row"),
    # --- grids: not a grid at all ------------------------------------------------------------
    pytest.param(lambda p: _use_grid(p, None, raw=b"lon,lat,z\n153,22,-5000\n"), ("grid.nc", "not a netcdf"),
                 id="text-file-renamed-nc"),
    pytest.param(lambda p: _use_grid(p, None, raw=b""), ("grid.nc", "empty"), id="empty-grid-file"),
    # --- working grid and layers -------------------------------------------------------------
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "50 km"'),
                 ("grid.cell_size", "50", "cells inside"), id="cell-size-50-km"),
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "500 km"'),
                 ("grid.cell_size", "500"), id="cell-size-500-km"),
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "1 um"'),
                 ("grid.cell_size",), id="cell-size-1-micrometre"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "0 m"'), ("layers.thickness",),
                 id="layer-thickness-zero"),
    pytest.param(lambda p: p.replace('top = "0 m"', 'top = "10 m"').replace('bottom = "10 m"', 'bottom = "5 m"'),
                 ("layers.bottom",), id="layers-inverted"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "3 m"'), ("layers.thickness", "whole number"),
                 id="layer-thickness-not-dividing"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "1 mm"'), ("layers.thickness", "layers"),
                 id="layer-thickness-1-mm"),
    # --- areas ---------------------------------------------------------------------------------
    pytest.param(lambda p: p.replace('radius = "200 nmi"', 'radius = "-200 nmi"'), ("radius",),
                 id="eez-negative-radius"),
    pytest.param(lambda p: p.replace('radius = "200 nmi"', 'radius = "0 nmi"'), ("radius",), id="eez-zero-radius"),
    pytest.param(lambda p: p.replace("center = [153.98, 24.29]", "center = [153.98, 95.0]"), ("95",),
                 id="eez-centre-latitude-95"),
    pytest.param(lambda p: p.replace('radius = "200 nmi"', 'radius = "9000 km"'), ("radius",),
                 id="eez-circle-over-the-pole"),
    pytest.param(bowtie, ("blocks.gpkg", "feature 1", "self-intersection", "make_valid"),
                 id="polygon-self-intersecting"),
    pytest.param(polygon_projected_labelled_4326, ("blocks.gpkg", "outside", "crs"),
                 id="polygon-projected-coordinates-labelled-4326"),
    pytest.param(polygon_empty_file, ("blocks.gpkg", "empty"), id="polygon-empty-file"),
    pytest.param(polygon_empty_geometry, ("blocks.gpkg", "feature 1", "empty"), id="polygon-empty-geometry"),
    pytest.param(polygon_zero_area, ("blocks.gpkg", "feature 0", "area"), id="polygon-zero-area"),
]


@pytest.mark.parametrize(("breakit", "fragments"), CASES)
def test_check_refuses(project, breakit, fragments):
    breakit(project)
    assert_user_error(project.check(), *fragments)


def test_run_refuses_partial_grid_before_computing(project):
    partial_cover(project)
    r = project.run()
    assert_user_error(r, "does not cover")
    assert not (project.root / "out").exists()


def _load_inputs(p: Project):
    from seabed.config import load_config
    from seabed.pipeline import load_inputs

    return load_inputs(load_config(p.config))


def test_a_few_nan_cells_are_accepted_with_a_recorded_warning(project):
    few_nan(project)
    assert project.check().code == 0
    rasters = _load_inputs(project).rasters
    warnings = rasters["elevation"].attrs["warnings"]
    assert len(warnings) == 1
    assert "no data" in warnings[0]
    assert "\n" not in warnings[0]


def test_descending_latitudes_in_0_360_are_accepted_with_the_same_values(project):
    ds = _shipped().isel(y=slice(None, None, -1))
    ds = ds.assign_coords(x=ds.x % 360)
    _use_grid(project, ds)
    assert project.check().code == 0
    rasters = _load_inputs(project).rasters
    text = project.text.replace(str(project.root / "grid.nc"), str(BATHY))
    (project.root / "ref.toml").write_text(text, encoding="utf-8")
    project.config = project.root / "ref.toml"
    ref_rasters = _load_inputs(project).rasters
    np.testing.assert_allclose(rasters["elevation"].values, ref_rasters["elevation"].values, rtol=1e-12)
