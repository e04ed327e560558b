"""Tonnage: known answers with units, grid-size invariance, polygon areas, depth tables."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
import xarray as xr

from seabed.elements import ELEMENTS, GROUPS
from seabed.resource.blockmodel import build_block_model
from seabed.resource.tonnage import (
    compute_tonnage,
    contained,
    item_grade,
    tonnage_by_depth,
    tonnage_by_polygon,
    tonnage_table,
)
from seabed.units import Quantity
from seabed.working_grid import Layers, WorkingGrid, laea_crs

# A REY mix summing to 964 ppm (shares are illustrative, not data).
MIX = {"Y": 0.30, "La": 0.18, "Ce": 0.08, "Pr": 0.04, "Nd": 0.17, "Sm": 0.04, "Eu": 0.01,
       "Gd": 0.05, "Tb": 0.01, "Dy": 0.05, "Ho": 0.01, "Er": 0.03, "Tm": 0.005, "Yb": 0.02,
       "Lu": 0.005}
REY_PPM = 964.0
TAKAYA_BOX = shapely.box(153.5, 21.8, 154 + 7 / 60, 22.25)


def square_grid(n: int, cell: float, layers: Layers | None = None) -> WorkingGrid:
    """n x n cells of ``cell`` m centred on the Takaya box."""
    half = n * cell / 2
    x = -half + cell * (np.arange(n) + 0.5)
    return WorkingGrid(crs=laea_crs(153.8, 22.0), x=x, y=x[::-1].copy(), cell_size=cell,
                       layers=layers or Layers.regular(0, 10, 1))


def estimates_from(grid: WorkingGrid, grade: np.ndarray, elements: list[str]) -> xr.Dataset:
    """An estimation-result Dataset with grade (element, layer, y, x) ppm."""
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": elements}
    da = xr.DataArray(grade, dims=("element", "layer", "y", "x"), coords=coords, attrs={"units": "ppm"})
    return xr.Dataset({"grade": da})


def constant_block_model(grid: WorkingGrid, density: str = "0.55 t/m^3") -> xr.Dataset:
    elements = list(MIX)
    shape = (len(elements), grid.layers.n, *grid.shape)
    grade = np.array([REY_PPM * MIX[e] for e in elements])[:, None, None, None] * np.ones(shape)
    return build_block_model(estimates_from(grid, grade, elements), grid, density=density)


@pytest.fixture(scope="module")
def takaya_constant() -> xr.Dataset:
    # 10 x 10 cells of 5 km = 2,500 km2, 10 layers of 1 m
    return constant_block_model(square_grid(10, 5000.0))


def test_mix_sums_to_rey() -> None:
    assert sum(MIX.values()) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("element", ["Y", "Nd", "Dy", "Ce", "Lu"], ids=lambda e: e)
def test_constant_field_oxide_tonnes_known_answer(takaya_constant: xr.Dataset, element: str) -> None:
    expected = (Quantity(2500, "km^2") * Quantity(10, "m") * Quantity(0.55, "t/m^3")
                * Quantity(REY_PPM * MIX[element], "ppm") * ELEMENTS[element].oxide_factor).to("t")
    got = contained(takaya_constant, element, oxide=True)
    assert got.units == Quantity(1, "t").units
    assert got.magnitude == pytest.approx(expected.magnitude, rel=1e-9)


def test_constant_field_treo_and_mud(takaya_constant: xr.Dataset) -> None:
    base = Quantity(2500, "km^2") * Quantity(10, "m") * Quantity(0.55, "t/m^3")
    treo = sum(base * Quantity(REY_PPM * MIX[e], "ppm") * ELEMENTS[e].oxide_factor for e in GROUPS["REY"])
    assert contained(takaya_constant, "TREO").to("Mt").magnitude == pytest.approx(treo.to("Mt").magnitude, rel=1e-9)
    assert contained(takaya_constant, "REY").to("t").magnitude == pytest.approx(
        (base * Quantity(REY_PPM, "ppm")).to("t").magnitude, rel=1e-9)
    assert contained(takaya_constant, "mud").to("Mt").magnitude == pytest.approx(13750.0, rel=1e-12)
    # the default density reproduces Takaya et al.'s "more than 16 Mt" order of magnitude
    assert 15 < treo.to("Mt").magnitude < 17


def test_tonnage_table_by_layer_sums_to_total(takaya_constant: xr.Dataset) -> None:
    tab = tonnage_table(takaya_constant, by_layer=True)
    layers = tab.drop(index="total", level="scope")
    total = tab.loc["total"]
    summed = layers.groupby(level="item").sum()
    for item in ("REY", "TREO", "MREO", "Nd"):
        assert summed.loc[item, "oxide [t]"] == pytest.approx(total.loc[item, "oxide [t]"], rel=1e-12)
    assert total.loc["REY", "grade [ppm]"] == pytest.approx(REY_PPM, rel=1e-12)
    assert set(tab.columns) == {"dry mud [Mt]", "grade [ppm]", "metal [t]", "oxide [t]"}


def test_magnet_and_heavy_groups(takaya_constant: xr.Dataset) -> None:
    g = item_grade(takaya_constant, "MREO").isel(layer=0, y=0, x=0).item()
    expected = sum(REY_PPM * MIX[e] * ELEMENTS[e].oxide_factor for e in ("Pr", "Nd", "Tb", "Dy"))
    assert g == pytest.approx(expected, rel=1e-12)
    hrey = item_grade(takaya_constant, "HREY").isel(layer=0, y=0, x=0).item()
    assert hrey == pytest.approx(REY_PPM * sum(MIX[e] for e in GROUPS["HREY"]), rel=1e-12)


def test_compute_tonnage_per_cell(takaya_constant: xr.Dataset) -> None:
    ds = compute_tonnage(takaya_constant)
    cell = 5000.0**2 * 1.0 * 0.55
    assert float(ds["dry_tonnes"].isel(layer=3, y=2, x=7)) == pytest.approx(cell)
    assert float(ds["oxide_tonnes"].sel(element="Nd").sum()) == pytest.approx(
        contained(takaya_constant, "Nd", oxide=True).magnitude, rel=1e-12)


def test_depth_table_cumulative(takaya_constant: xr.Dataset) -> None:
    tab = tonnage_by_depth(takaya_constant, [1, 2.5, 10], items=["REY"])
    assert list(tab.index) == ["0-1 mbsf", "0-2.5 mbsf", "0-10 mbsf"]
    np.testing.assert_allclose(tab["dry mud [Mt]"], 1375.0 * np.array([1, 2.5, 10]), rtol=1e-12)
    np.testing.assert_allclose(tab["REY [ppm]"], REY_PPM, rtol=1e-12)


def test_sediment_clipping_reduces_thickness() -> None:
    grid = square_grid(4, 1000.0)
    elements = ["Y"]
    est = estimates_from(grid, np.full((1, 10, 4, 4), 500.0), elements)
    sed = xr.DataArray(np.full((4, 4), 3.5), dims=("y", "x"), attrs={"units": "m"})
    bm = build_block_model(est, grid, density="0.5 t/m^3", rasters={"sediment_thickness": sed})
    # 3.5 m of mud per cell instead of 10
    assert contained(bm, "mud").to("t").magnitude == pytest.approx(16 * 1e6 * 3.5 * 0.5)
    assert not bool(bm["mineable"].isel(layer=4).any())


def smooth_field(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 900.0 + 300.0 * np.sin(x / 9000.0) * np.cos(y / 13000.0)


@pytest.mark.parametrize("cell", [500.0, 1000.0, 2500.0], ids=["500m", "1km", "2.5km"])
def test_tonnage_invariant_to_cell_size(cell: float) -> None:
    extent = 50_000.0
    grid = square_grid(int(extent / cell), cell, Layers.regular(0, 2, 1))
    xx, yy = np.meshgrid(grid.x, grid.y)
    grade = np.broadcast_to(smooth_field(xx, yy), (1, 2, *grid.shape)).copy()
    bm = build_block_model(estimates_from(grid, grade, ["Nd"]), grid, density="0.55 t/m^3")
    # exact integral of the field over the square, times thickness and density
    a = extent / 2
    integral = 900.0 * extent**2 + 300.0 * (9000.0 * (np.cos(-a / 9000) - np.cos(a / 9000))) * (
        13000.0 * (np.sin(a / 13000) - np.sin(-a / 13000)))
    expected = integral * 2 * 0.55 * 1e-6
    assert contained(bm, "Nd").magnitude == pytest.approx(expected, rel=2e-3)


POLYGONS = {
    "takaya_box": TAKAYA_BOX,
    "circle_20km": shapely.Point(153.8, 22.0).buffer(0.19, quad_segs=32),
    "licence_block": shapely.Polygon([(153.55, 21.85), (153.9, 21.9), (154.05, 22.2), (153.6, 22.15)]),
}


@pytest.mark.parametrize("name", list(POLYGONS), ids=list(POLYGONS))
def test_polygon_cell_areas_match_geodesic_area(name: str) -> None:
    geom = POLYGONS[name]
    grid = WorkingGrid.covering(TAKAYA_BOX, cell_size=250.0, layers=Layers.regular(0, 1, 1))
    geod = pyproj.Geod(ellps="WGS84")
    area, _ = geod.geometry_area_perimeter(shapely.segmentize(geom, 0.01))
    est = estimates_from(grid, np.full((1, 1, *grid.shape), 1000.0), ["La"])
    bm = build_block_model(est, grid, density="1 t/m^3")
    tab = tonnage_by_polygon(bm, grid, {name: geom}, items=["La"])
    assert tab.loc[name, "area [km^2]"] * 1e6 == pytest.approx(abs(area), rel=5e-3)
    # 1 m x 1 t/m^3: dry tonnes equal the area in m^2
    assert tab.loc[name, "dry mud [Mt]"] * 1e6 == pytest.approx(abs(area), rel=5e-3)


def test_depth_profile_plot(takaya_constant: xr.Dataset) -> None:
    from seabed.resource.plot import plot_depth_profile

    fig = plot_depth_profile(tonnage_table(takaya_constant, by_layer=True), item="TREO")
    ax_g, ax_t = fig.axes
    assert ax_g.get_ylabel() == "depth below seafloor [m]"
    assert ax_g.yaxis_inverted()
    assert "[kt]" in ax_t.get_xlabel()
