"""Exact area accounting: the fraction of each cell inside a polygon (issue 17 item 4).

The reference areas are computed here, independently of seabed, with ``pyproj.Geod`` on
densely sampled boundaries (box edges follow their parallels and meridians point by point).
"""

from __future__ import annotations

import time

import numpy as np
import pyproj
import pytest
import shapely

from seabed.inputs.areas import SITES, TAKAYA_2018_BOX, eez_circle, study_box
from seabed.working_grid import WorkingGrid

GEOD = pyproj.Geod(ellps="WGS84")


def geod_box_area_km2(west: float, east: float, south: float, north: float, n: int = 4000) -> float:
    """Area of a lon/lat box whose edges are parallels and meridians, km² (pyproj.Geod on edges
    sampled every (E - W) / n degrees, so that the geodesic edges follow the parallels)."""
    lons = np.linspace(west, east, n + 1)
    lats = np.linspace(south, north, n + 1)
    ring_lon = np.concatenate([lons, np.full(n, east), lons[::-1][1:], np.full(n, west)])
    ring_lat = np.concatenate([np.full(n + 1, south), lats[1:], np.full(n, north), lats[::-1][1:]])
    area, _ = GEOD.polygon_area_perimeter(ring_lon, ring_lat)
    return abs(area) / 1e6


def test_takaya_box_at_1km_totals_its_geodesic_area() -> None:
    box = study_box(*TAKAYA_2018_BOX)
    grid = WorkingGrid.covering(box, cell_size=1000.0)
    fraction = grid.area_fraction(box)
    total = fraction.sum() * grid.cell_area / 1e6
    reference = geod_box_area_km2(*TAKAYA_2018_BOX)
    assert reference == pytest.approx(3172.45, abs=0.01)
    assert total == pytest.approx(3172.0, abs=3.0)  # the acceptance figure
    assert total == pytest.approx(reference, rel=1e-6)
    assert grid.mask(box).sum() == 3200  # whole cells by their centres: +0.87 %
    assert fraction.min() >= 0.0
    assert fraction.max() <= 1.0
    assert 0 < np.count_nonzero((fraction > 0) & (fraction < 1)) < 250  # the ring of cut cells


@pytest.mark.parametrize("cell", [1000.0, 5000.0], ids=["1km", "5km"])
def test_eez_circle_matches_its_geodesic_area(cell: float) -> None:
    eez = eez_circle(*SITES["minamitorishima"])
    grid = WorkingGrid.covering(eez, cell_size=cell, center=SITES["minamitorishima"])
    t0 = time.perf_counter()
    fraction = grid.area_fraction(eez)
    elapsed = time.perf_counter() - t0
    reference, _ = GEOD.geometry_area_perimeter(eez)  # the 720-gon with geodesic edges
    assert fraction.sum() * grid.cell_area == pytest.approx(abs(reference), rel=1e-3)  # acceptance: 0.1 %
    assert fraction.sum() * grid.cell_area == pytest.approx(abs(reference), rel=1e-5)  # measured: ~3e-8
    assert elapsed < 5.0  # ~0.2 s at 1 km (431k cells); generous for a shared machine


def test_fraction_of_a_known_rectangle_in_the_working_crs() -> None:
    """A rectangle drawn in the working CRS (its lon/lat vertices, every 10 m, project back onto
    it): each cell it cuts holds the known share of its area."""
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=1000.0)
    x0, y0 = grid.x[10] - 500.0 + 250.0, grid.y[20] - 500.0 + 400.0  # a quarter into column 10, row 20 from below
    x1, y1 = grid.x[12] + 500.0 - 100.0, grid.y[18] + 500.0      # ends 100 m short of column 12's east edge
    ring = shapely.get_coordinates(shapely.segmentize(shapely.box(x0, y0, x1, y1), 10.0))  # vertices every 10 m
    lon, lat = grid.to_lonlat(ring[:, 0], ring[:, 1])
    fraction = grid.area_fraction(shapely.Polygon(zip(lon, lat, strict=True)))
    expected = np.zeros(grid.shape)
    expected[18:21, 10:13] = 1.0
    expected[18:21, 10] *= 0.75
    expected[18:21, 12] *= 0.9
    expected[20, :] *= 0.6
    np.testing.assert_allclose(fraction, expected, atol=1e-5)


def test_holes_and_several_parts() -> None:
    eez = eez_circle(*SITES["minamitorishima"])
    box = study_box(*TAKAYA_2018_BOX)
    grid = WorkingGrid.covering(eez, cell_size=2000.0, center=SITES["minamitorishima"])
    whole, hole = grid.area_fraction(eez), grid.area_fraction(box)
    np.testing.assert_allclose(grid.area_fraction(eez.difference(box)), whole - hole, atol=1e-9)
    other = shapely.affinity.translate(box, 1.0, 1.0)
    both = grid.area_fraction(shapely.MultiPolygon([box, other]))
    np.testing.assert_allclose(both, hole + grid.area_fraction(other), atol=1e-9)


def test_polygon_beyond_the_grid_counts_only_the_cells() -> None:
    box = study_box(*TAKAYA_2018_BOX)
    grid = WorkingGrid.covering(box, cell_size=1000.0)
    big = shapely.affinity.scale(box, 3.0, 3.0)
    np.testing.assert_allclose(grid.area_fraction(big), 1.0)


def test_constant_grade_tonnage_is_geodesic_area_times_thickness_density_grade() -> None:
    """Known answer: a constant grade over the Takaya box, 0-10 mbsf, constant density. Every
    tonnage (total, by class) is geodesic area × thickness × density × grade, to 1e-6."""
    import xarray as xr

    from seabed.resource.blockmodel import build_block_model
    from seabed.resource.classification import class_tonnage, classify
    from seabed.resource.masks import build_masks
    from seabed.resource.tonnage import tonnage_by_polygon, tonnage_table
    from seabed.working_grid import Layers

    box = study_box(*TAKAYA_2018_BOX)
    grid = WorkingGrid.covering(box, cell_size=1000.0, layers=Layers.regular(0, 10, 1))
    grades = {"La": 300.0, "Y": 100.0}
    shape = (len(grades), grid.layers.n, *grid.shape)
    d3 = ("layer", "y", "x")
    est = xr.Dataset(
        {"grade": (("element", *d3), np.broadcast_to(np.array(list(grades.values()))[:, None, None, None], shape).copy(),
                   {"units": "ppm"}),
         "kriging_variance": (("element", *d3), np.full(shape, 1000.0), {"units": "ppm^2"}),
         **{name: (d3, np.full(shape[1:], value), {"units": units}) for name, value, units in (
             ("slope_of_regression", 0.8, "1"), ("kriging_efficiency", 0.5, "1"), ("n_samples", 12.0, "1"),
             ("nearest_distance", 5000.0, "m"))}},
        coords=dict(grid.coords()) | grid.layers.coords() | {"element": list(grades)})
    masks = build_masks(grid, include={"takaya_box": box})
    bm = build_block_model(est, grid, density="0.55 t/m^3", masks=masks)
    area = geod_box_area_km2(*TAKAYA_2018_BOX) * 1e6  # m2
    dry_t = area * 10.0 * 0.55
    tab = tonnage_table(bm, where=bm["mineable"]).loc["total"]
    assert tab.loc["La", "dry mud [Mt]"] * 1e6 == pytest.approx(dry_t, rel=1e-6)
    assert tab.loc["La", "metal [t]"] == pytest.approx(dry_t * 300e-6, rel=1e-6)
    assert tab.loc["Y", "metal [t]"] == pytest.approx(dry_t * 100e-6, rel=1e-6)
    classes = classify(bm)["resource_class"]
    by_class = class_tonnage(bm, classes, items=("REY",), where=bm["mineable"])
    assert by_class.loc["total", "dry mud [Mt]"] * 1e6 == pytest.approx(dry_t, rel=1e-6)
    assert by_class.loc["total", "REY [t]"] == pytest.approx(dry_t * 400e-6, rel=1e-6)
    # by polygon: the box itself, and its western half (a meridian through cut cells)
    west, east, south, north = TAKAYA_2018_BOX
    mid = (west + east) / 2
    by_polygon = tonnage_by_polygon(bm, grid, {"box": box, "west": study_box(west, mid, south, north)},
                                    items=("La",), metal_units="t")
    assert by_polygon.loc["box", "area [km^2]"] == pytest.approx(area / 1e6, rel=1e-6)
    assert by_polygon.loc["box", "La [t]"] == pytest.approx(dry_t * 300e-6, rel=1e-6)
    west_area = geod_box_area_km2(west, mid, south, north) * 1e6
    assert by_polygon.loc["west", "area [km^2]"] == pytest.approx(west_area / 1e6, rel=1e-6)
    assert by_polygon.loc["west", "dry mud [Mt]"] * 1e6 == pytest.approx(west_area * 10.0 * 0.55, rel=1e-6)
    # whole cells by their centres would have said 3,200 km2: +0.87 %
    assert 3200e6 / area - 1 == pytest.approx(0.0087, abs=0.0001)


def test_polygon_inside_one_cell_and_empty() -> None:
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=1000.0)
    x, y = grid.x[5] - 200.0, grid.y[7] - 300.0  # a 300 m x 400 m rectangle inside cell (7, 5)
    ring = shapely.get_coordinates(shapely.segmentize(shapely.box(x, y, x + 300.0, y + 400.0), 10.0))
    lon, lat = grid.to_lonlat(ring[:, 0], ring[:, 1])
    fraction = grid.area_fraction(shapely.Polygon(zip(lon, lat, strict=True)))
    assert fraction[7, 5] == pytest.approx(0.12, abs=1e-6)
    assert fraction.sum() == pytest.approx(0.12, abs=1e-6)
    assert not grid.area_fraction(shapely.Polygon()).any()
