"""Masks: slope of known planes, removed areas on hand cases, polygons."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import xarray as xr

from seabed.config.resource import MaskSettings
from seabed.resource.masks import (
    build_masks,
    combine_masks,
    mask_table,
    polygon_mask,
    seafloor_slope,
    sediment_thickness_mask,
    water_depth_mask,
)
from seabed.working_grid import Layers, WorkingGrid, laea_crs


def grid_n(n: int = 10, cell: float = 1000.0) -> WorkingGrid:
    x = cell * (np.arange(n) + 0.5) - n * cell / 2
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=cell,
                       layers=Layers.regular(0, 2, 1))


def raster(grid: WorkingGrid, values: np.ndarray, units: str = "m") -> xr.DataArray:
    return xr.DataArray(values, dims=("y", "x"), coords={"y": grid.y, "x": grid.x}, attrs={"units": units})


@pytest.mark.parametrize(
    ("angle", "azimuth"), [(0.0, 0.0), (5.0, 30.0), (12.0, 200.0), (45.0, 90.0)],
    ids=["flat", "5deg", "12deg", "45deg"],
)
def test_slope_of_tilted_plane(angle: float, azimuth: float) -> None:
    grid = grid_n(12, 250.0)
    xx, yy = np.meshgrid(grid.x, grid.y)
    az = np.radians(azimuth)
    z = -5600.0 + np.tan(np.radians(angle)) * (xx * np.sin(az) + yy * np.cos(az))
    slope = seafloor_slope(raster(grid, z))
    np.testing.assert_allclose(slope.values, angle, atol=1e-9)
    assert slope.attrs["units"] == "degree"


def test_slope_uses_raster_units() -> None:
    grid = grid_n(5, 1000.0)
    xx, _ = np.meshgrid(grid.x, grid.y)
    z_km = -5.6 + 1e-4 * xx  # rises 0.1 m per m of easting, written in km
    slope = seafloor_slope(raster(grid, z_km, units="km"))
    np.testing.assert_allclose(slope.values, np.degrees(np.arctan(0.1)), atol=1e-9)


def test_water_depth_window_removes_expected_area() -> None:
    grid = grid_n(10)
    z = np.full(grid.shape, -5600.0)
    z[:, :3] = -3500.0  # 30 cells too shallow
    z[0, 9] = -7000.0  # 1 cell too deep
    z[5, 5] = np.nan  # unknown
    m = water_depth_mask(raster(grid, z), min_depth="4 km", max_depth="6500 m")
    assert int((~m.values).sum()) == 32
    tab = mask_table({"water_depth": m}, grid)
    assert tab.loc["water_depth", "removed alone [km^2]"] == pytest.approx(32.0)
    assert tab.loc["total", "remaining [km^2]"] == pytest.approx(68.0)


def test_mask_table_alone_and_in_sequence() -> None:
    grid = grid_n(10)
    a = np.ones(grid.shape, bool)
    a[:, :4] = False  # removes 40 km2
    b = np.ones(grid.shape, bool)
    b[:5, :] = False  # removes 50 km2, 20 of them already removed by a
    masks = {"a": raster(grid, a), "b": raster(grid, b)}
    tab = mask_table(masks, grid)
    assert tab["removed alone [km^2]"].tolist() == pytest.approx([40.0, 50.0, 70.0])
    assert tab["removed in sequence [km^2]"].tolist() == pytest.approx([40.0, 30.0, 70.0])
    assert int(combine_masks(masks, grid).values.sum()) == 30


def test_sediment_thickness_mask() -> None:
    grid = grid_n(4)
    t = np.array([[1.0, 5.0, 10.0, np.nan]] * 4)
    m = sediment_thickness_mask(raster(grid, t), min_thickness="5 m")
    assert m.values[0].tolist() == [False, True, True, False]


def test_polygon_masks_inside_and_exclusion() -> None:
    grid = grid_n(20, 1000.0)
    # a lon/lat square of roughly the central 10 x 10 km
    x0, y0 = grid.to_lonlat(np.array([-5000.0, 5000.0]), np.array([-5000.0, 5000.0]))
    square = shapely.box(x0[0], y0[0], x0[1], y0[1])
    inside = polygon_mask(grid, square, name="licence", inside=True)
    outside = polygon_mask(grid, square, name="reserve", inside=False)
    # fractions of each cell's area; the square's edges follow the projection, so ~100 km2
    assert inside.values.sum() == pytest.approx(100.0, rel=1e-3)
    assert outside.values.sum() == pytest.approx(300.0, rel=1e-3)
    np.testing.assert_allclose(inside.values + outside.values, 1.0)
    assert (inside.attrs["area_role"], outside.attrs["area_role"]) == ("include", "exclude")
    assert inside.attrs["units"] == "1"


def test_fractions_combine_include_min_exclusion_subtracts_raster_keeps() -> None:
    grid = grid_n(4)
    def frac(values: list[list[float]], role: str | None) -> xr.DataArray:
        m = raster(grid, np.array(values, dtype=float))
        m.attrs = {"area_role": role} if role else {}
        return m
    box = frac([[0.5, 1, 1, 0.5]] * 4, "include")             # a study box cutting the outer columns
    eez = frac([[1, 1, 1, 1]] * 3 + [[0.25, 0.25, 1, 1]], "include")  # the EEZ boundary in the last row
    reserve = frac([[1, 0.75, 0, 1]] * 4, "exclude")          # an exclusion zone inside the box
    depth = raster(grid, np.array([[True, True, True, False]] * 4))
    masks = {"box": box, "eez": eez, "reserve": reserve, "water_depth": depth}
    kept = combine_masks(masks, grid).values
    expected_row = [0.5, 0.75, 0.0, 0.0]
    np.testing.assert_allclose(kept[:3], [expected_row] * 3)
    np.testing.assert_allclose(kept[3], [0.25, 0.0, 0.0, 0.0])  # min(0.5, 0.25); min(1, .25) - .25 = 0
    tab = mask_table(masks, grid)
    assert tab.loc["box", "removed alone [km^2]"] == pytest.approx(4.0)
    assert tab.loc["eez", "removed in sequence [km^2]"] == pytest.approx(0.25 + 0.75 + 0.0 + 0.0)
    assert tab.loc["total", "remaining [km^2]"] == pytest.approx(kept.sum())
    # a fractional domain (the extent's cut cells) counts only its part of each cell
    tab = mask_table({"water_depth": depth}, grid, domain=box.values)
    assert tab.loc["total", "remaining [km^2]"] == pytest.approx(4 * 2.5)
    assert tab.loc["water_depth", "removed alone [km^2]"] == pytest.approx(4 * 0.5)


@pytest.mark.parametrize(("area", "cell", "expected_km2"),
                         [("takaya_box", 1000.0, 3172.45), ("eez", 1000.0, 430887.3)], ids=["takaya-1km", "eez-1km"])
def test_mask_table_counts_the_geodesic_area(area: str, cell: float, expected_km2: float) -> None:
    """The Takaya box at 1 km cells keeps 3,172 km2 (3,200 whole cells by their centres); the EEZ
    its geodesic area (pyproj.Geod, here and in tests/test_area_fraction.py) within 0.1 %."""
    import pyproj

    from seabed.inputs.areas import SITES, TAKAYA_2018_BOX, eez_circle, study_box

    geometry = study_box(*TAKAYA_2018_BOX) if area == "takaya_box" else eez_circle(*SITES["minamitorishima"])
    grid = WorkingGrid.covering(geometry, cell_size=cell)
    masks = build_masks(grid, include={area: geometry})
    tab = mask_table(masks, grid)
    geodesic = abs(pyproj.Geod(ellps="WGS84").geometry_area_perimeter(shapely.segmentize(geometry, 0.001))[0]) / 1e6
    assert geodesic == pytest.approx(expected_km2, rel=1e-5)
    assert tab.loc["total", "remaining [km^2]"] == pytest.approx(geodesic, rel=1e-3)
    assert tab.loc["total", "remaining [km^2]"] == pytest.approx(expected_km2, abs=3.0 if area == "takaya_box" else 43.0)


def test_build_masks_from_settings() -> None:
    grid = grid_n(10, 1000.0)
    xx, _ = np.meshgrid(grid.x, grid.y)
    # 10 % slope in the western half (5.71 deg), flat in the east
    z = np.where(xx < 0, -5600.0 + 0.1 * xx, -5600.0)
    rasters = {"elevation": raster(grid, z), "sediment_thickness": raster(grid, np.full(grid.shape, 20.0))}
    masks = build_masks(grid, settings=MaskSettings(max_slope=5.0, min_sediment_thickness="10 m"),
                        rasters=rasters)
    assert list(masks) == ["water_depth", "slope", "sediment_thickness"]
    # cells x < 0 have slope 5.71 deg, but the centred difference at the hinge (column 4)
    # sees only 0.075 m/m (4.3 deg): the gridded slope smooths breaks of slope
    removed = ~masks["slope"].values
    assert removed[:, :4].all()
    assert not removed[:, 4:].any()
    assert masks["water_depth"].values.all()


def test_exclusion_inside_an_include_area_subtracts_its_geodesic_area() -> None:
    """The EEZ less the Takaya box (an exclusion inside it): the box's cut cells keep exactly the
    part outside the box, so the kept area is the EEZ's less the box's (pyproj.Geod)."""
    import pyproj

    from seabed.inputs.areas import SITES, TAKAYA_2018_BOX, eez_circle, study_box

    eez, box = eez_circle(*SITES["minamitorishima"]), study_box(*TAKAYA_2018_BOX)
    grid = WorkingGrid.covering(eez, cell_size=2000.0)
    masks = build_masks(grid, include={"eez": eez}, exclude={"reserve": box})
    tab = mask_table(masks, grid)
    geod = pyproj.Geod(ellps="WGS84")
    eez_km2, box_km2 = (abs(geod.geometry_area_perimeter(shapely.segmentize(g, 0.001))[0]) / 1e6 for g in (eez, box))
    assert tab.loc["reserve", "removed alone [km^2]"] == pytest.approx(box_km2, rel=1e-6)
    assert tab.loc["total", "remaining [km^2]"] == pytest.approx(eez_km2 - box_km2, rel=1e-6)
    kept = combine_masks(masks, grid).values
    cut = (kept > 0) & (kept < 1)
    assert cut.sum() > 100  # the EEZ's rim and the box's rim
