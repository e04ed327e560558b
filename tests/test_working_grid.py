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
