from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from seabed.errors import CRSMismatchError, InputDataError
from seabed.inputs.areas import TAKAYA_2018_BOX, study_box
from seabed.inputs.grids import load_grid, resample_to_grid
from seabed.working_grid import WorkingGrid

ROOT = Path(__file__).resolve().parent.parent


def _write_linear_grid(path, *, descending_lat=False, units="m"):
    lon = np.arange(150.0, 158.01, 0.1)
    lat = np.arange(20.0, 25.01, 0.1)
    if descending_lat:
        lat = lat[::-1]
    # A plane in lon/lat: bilinear interpolation must reproduce it exactly.
    values = -5000.0 + 100.0 * (lon[None, :] - 150.0) - 50.0 * (lat[:, None] - 20.0)
    da = xr.DataArray(values, dims=("lat", "lon"), coords={"lat": lat, "lon": lon}, name="elevation",
                      attrs={"units": units} if units else {})
    da.to_dataset().to_netcdf(path)
    return lambda lo, la: -5000.0 + 100.0 * (lo - 150.0) - 50.0 * (la - 20.0)


@pytest.mark.parametrize("descending", [False, True], ids=["lat-up", "lat-down"])
def test_bilinear_resampling_reproduces_a_plane(tmp_path, descending):
    truth = _write_linear_grid(tmp_path / "g.nc", descending_lat=descending)
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=2000.0)
    out = resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid)
    lon, lat = grid.lonlat()
    np.testing.assert_allclose(out.values, truth(lon, lat), rtol=1e-10)
    assert out.dims == ("y", "x")
    assert out.attrs["units"] == "m"
    assert out.rio.crs is not None


def test_real_bathymetry_near_takaya_box():
    # grids/README.md: seafloor in the study box lies at -5,265 to -5,815 m.
    da = load_grid(ROOT / "grids" / "minamitorishima_bathymetry.nc", "elevation")
    assert da.rio.crs.to_epsg() == 4326
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=1000.0)
    out = resample_to_grid(da, grid).values
    assert -5830 < np.nanmin(out) < np.nanmax(out) < -5250


@pytest.mark.parametrize(
    ("case", "error", "fragment"),
    [
        ("missing-file", InputDataError, "file not found"),
        ("missing-variable", InputDataError, "variable 'depth' not found"),
        ("no-units", InputDataError, "no 'units'"),
    ],
    ids=["missing-file", "missing-variable", "no-units"],
)
def test_load_grid_errors(tmp_path, case, error, fragment):
    path = tmp_path / "g.nc"
    if case != "missing-file":
        _write_linear_grid(path, units=None if case == "no-units" else "m")
    var = "depth" if case == "missing-variable" else "elevation"
    with pytest.raises(error, match=fragment):
        load_grid(path, var)


def test_projected_grid_is_refused(tmp_path):
    import rioxarray  # noqa: F401

    da = xr.DataArray(np.zeros((3, 3)), dims=("y", "x"), coords={"y": [2.0, 1, 0], "x": [0.0, 1, 2]},
                      name="elevation", attrs={"units": "m"}).rio.write_crs("EPSG:3857")
    da.to_dataset().to_netcdf(tmp_path / "p.nc")
    with pytest.raises(CRSMismatchError, match="expected geographic"):
        load_grid(tmp_path / "p.nc", "elevation")


def test_grid_outside_working_area(tmp_path):
    _write_linear_grid(tmp_path / "g.nc")
    grid = WorkingGrid.covering(study_box(10, 11, 10, 11), cell_size=5000.0)
    with pytest.raises(InputDataError, match="does not cover"):
        resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid)
