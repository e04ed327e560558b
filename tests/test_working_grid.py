import numpy as np
import pytest
import shapely

from seabed.errors import ConfigError
from seabed.inputs.areas import SITES, TAKAYA_2018_BOX, eez_circle, geodesic_area, study_box
from seabed.working_grid import Layers, WorkingGrid


def test_layers_regular():
    layers = Layers.regular(0, 10, 1)
    assert layers.n == 10
    np.testing.assert_array_equal(layers.thickness, np.ones(10))
    assert layers.labels[2] == "2-3 mbsf"


@pytest.mark.parametrize(
    ("top", "bottom"),
    [([0, 1], [1]), ([1], [0.5]), ([0, 0.5], [1, 2]), ([-1], [0])],
    ids=["shape", "top>=bottom", "overlap", "negative"],
)
def test_layers_invalid(top, bottom):
    with pytest.raises(ConfigError):
        Layers(top, bottom)


def test_layers_not_whole_number():
    with pytest.raises(ConfigError, match="whole number"):
        Layers.regular(0, 10, 3)


def test_grid_cells_are_equal_area_and_cover_the_box():
    box = study_box(*TAKAYA_2018_BOX)
    grid = WorkingGrid.covering(box, cell_size=1000.0)
    assert grid.cell_area == 1e6
    x0, y0, x1, y1 = grid.bounds
    proj = grid.project_geometry(box)
    assert shapely.box(x0, y0, x1, y1).contains(proj)
    assert np.all(np.diff(grid.x) > 0)
    assert np.all(np.diff(grid.y) < 0)


@pytest.mark.parametrize("cell", [2000.0, 5000.0], ids=["2km", "5km"])
def test_masked_cell_area_matches_geodesic_area_of_eez(cell):
    eez = eez_circle(*SITES["minamitorishima"])
    grid = WorkingGrid.covering(eez, cell_size=cell, center=SITES["minamitorishima"])
    area = grid.mask(eez).sum() * grid.cell_area
    assert area == pytest.approx(geodesic_area(eez), rel=0.005)


def test_cell_centres_and_lonlat_roundtrip():
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=5000.0)
    xy = grid.cell_centres()
    assert xy.shape == (grid.shape[0] * grid.shape[1], 2)
    lon, lat = grid.to_lonlat(xy[:, 0], xy[:, 1])
    x, y = grid.from_lonlat(lon, lat)
    np.testing.assert_allclose(np.column_stack([x, y]), xy, atol=0.01)  # PROJ ellipsoidal LAEA inverse: ~mm
    assert 153.4 < lon.min() < lon.max() < 154.2


def test_empty_has_dims_units_and_crs():
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=5000.0, layers=Layers.regular(0, 4, 2))
    da = grid.empty("grade", units="ppm")
    assert da.dims == ("layer", "y", "x")
    assert da.attrs["units"] == "ppm"
    assert da.rio.crs is not None
    assert "laea" in da.rio.crs.to_proj4()
    assert da.rio.transform() == grid.transform


# --- issue 12 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "fragment"),
    [((0, 10, 0), "layers.thickness: got 0 m; expected a layer thickness > 0"),
     ((0, 10, -1), "layers.thickness: got -1 m"),
     ((10, 5, 1), "layers.bottom: got 5 m <= layers.top 10 m"),
     ((5, 5, 1), "layers.bottom: got 5 m <= layers.top 5 m"),
     ((-1, 10, 1), "layers.top: got -1 m"),
     ((0, 10, 3), r"layers.thickness: got 3 m, which does not divide .* \(3.333 layers\); expected a whole number"),
     ((0, 10, 0.001), "layers.thickness: got 0.001 m giving 10,000 layers"),
     ((0, float("inf"), 1), "layers.bottom: got inf")],
    ids=["zero", "negative", "inverted", "empty", "negative-top", "not-dividing", "too-many", "infinite"],
)
def test_layers_regular_refusals_name_the_key(args, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Layers.regular(*args)


def test_too_many_cells_are_refused_before_allocating():
    import time

    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match=r"grid.cell_size: got 1e-06 m giving .* cells; expected at most 50,000,000"):
        WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=1e-6)
    assert time.perf_counter() - t0 < 1.0
    with pytest.raises(ConfigError, match=r"giving 64 x 50 = 3,200 cells; expected at most 1,000 cells; fix: use "
                                          r"cells of at least 1.79 km"):
        WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=1000.0, max_cells=1000)


@pytest.mark.parametrize("cell", [50_000.0, 500_000.0, float("nan"), 0.0], ids=["50km", "500km", "nan", "zero"])
def test_cells_too_large_or_invalid_are_refused(cell):
    with pytest.raises(ConfigError, match="grid.cell_size: got"):
        WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=cell)


def test_too_few_cells_message():
    with pytest.raises(ConfigError, match=r"holds ~1.3 cells inside it; expected at least 10 .* at most 17.8 km"):
        WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=50_000.0)
