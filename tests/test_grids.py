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


# --- issue 12: what would silently shrink or distort the answer is refused ------------------------

BATHY = ROOT / "grids" / "minamitorishima_bathymetry.nc"


def _shipped() -> xr.Dataset:
    with xr.open_dataset(BATHY, decode_coords="all") as ds:
        return ds.load()


def _no_crs(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.drop_vars("spatial_ref")
    ds["elevation"].attrs.pop("grid_mapping", None)
    ds["elevation"].encoding.pop("grid_mapping", None)
    return ds


def _takaya(cell=4000.0):
    box = study_box(*TAKAYA_2018_BOX)
    return box, WorkingGrid.covering(box, cell_size=cell)


def test_shipped_bathymetry_in_0_360_and_descending_latitude_gives_the_same_values(tmp_path):
    ds = _shipped().isel(y=slice(None, None, -1))
    ds = ds.assign_coords(x=ds.x % 360)
    ds.to_netcdf(tmp_path / "g.nc")
    box, grid = _takaya()
    ref = resample_to_grid(load_grid(BATHY, "elevation"), grid, area=box)
    out = resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box)
    np.testing.assert_array_equal(out.values, ref.values)


@pytest.mark.parametrize("convention", ["0-360", "-180-180"])
def test_a_site_across_the_antimeridian(tmp_path, convention):
    # The shipped bathymetry moved 26 degrees east (150-158 -> 176-184 E): the Takaya box becomes
    # 179.5-180.12 E. A rotation about the polar axis, so the LAEA grid and the values are the same.
    ds = _no_crs(_shipped())
    shifted = ds.x + 26.0
    if convention == "-180-180":
        shifted = xr.where(shifted > 180, shifted - 360, shifted)
    ds = ds.assign_coords(x=shifted).sortby("x")
    ds.to_netcdf(tmp_path / "g.nc")
    w, e, s, n = TAKAYA_2018_BOX
    box = study_box(w + 26, e + 26, s, n)
    grid = WorkingGrid.covering(box, cell_size=4000.0)
    out = resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box)
    ref_box, ref_grid = _takaya()
    ref = resample_to_grid(load_grid(BATHY, "elevation"), ref_grid, area=ref_box)
    np.testing.assert_allclose(grid.x, ref_grid.x, atol=1e-6)
    np.testing.assert_allclose(out.values, ref.values, rtol=1e-9)


def test_half_a_source_cell_beyond_the_outermost_centres_is_covered(tmp_path):
    # The grid's outermost column centre (154.1 E) lies 0.017 deg inside the box's east edge (154.117 E),
    # less than half a source cell (0.05 deg): the cells beyond it take the edge value.
    _shipped().sel(x=slice(None, 154.11)).to_netcdf(tmp_path / "g.nc")
    box, grid = _takaya(2000.0)
    out = resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box)
    assert np.isfinite(out.values[grid.mask(box)]).all()


def test_partial_cover_is_refused_with_fraction_and_bounds(tmp_path):
    _shipped().sel(x=slice(None, 153.8)).to_netcdf(tmp_path / "g.nc")
    box, grid = _takaya()
    with pytest.raises(InputDataError, match=r"does not cover .*% of the 192 working-grid cells inside the area "
                                             r"are covered; the grid spans lon 149\.950…153\.850") as err:
        resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box)
    assert "those cells span lon 153.5" in str(err.value)


def test_cells_outside_the_area_may_be_uncovered(tmp_path):
    # The box's bounding grid has corner cells outside the box: only cells inside must be covered.
    box, grid = _takaya()
    west = float(np.min(grid.lonlat()[0][grid.mask(box)]))
    _shipped().sel(x=slice(west - 0.04, None)).to_netcdf(tmp_path / "g.nc")
    out = resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box)
    assert np.isfinite(out.values[grid.mask(box)]).all()


def test_all_nan_grid_has_its_own_message(tmp_path):
    ds = _shipped()
    ds["elevation"] = ds.elevation * np.nan
    ds.to_netcdf(tmp_path / "g.nc")
    with pytest.raises(InputDataError, match="contains no finite values"):
        load_grid(tmp_path / "g.nc", "elevation")


def test_nan_cells_above_the_tolerance_are_refused_below_it_recorded(tmp_path):
    ds = _shipped()
    ds["elevation"] = ds.elevation.where(~((np.abs(ds.y - 22.3) < 0.01) & (np.abs(ds.x - 154.2) < 0.01)))
    ds.to_netcdf(tmp_path / "g.nc")
    box, grid = _takaya(2000.0)
    src = load_grid(tmp_path / "g.nc", "elevation")
    out = resample_to_grid(src, grid, area=box)
    assert len(out.attrs["warnings"]) == 1
    assert "no data (NaN) at 2 of the 768" in out.attrs["warnings"][0]
    with pytest.raises(InputDataError, match=r"no data \(NaN\) at 2 of the 768 .*expected at most 0\.1 %"):
        resample_to_grid(src, grid, area=box, max_nan_fraction=0.001)
    clean = resample_to_grid(load_grid(BATHY, "elevation"), grid, area=box)
    assert "warnings" not in clean.attrs


def test_positive_depths_are_refused(tmp_path):
    ds = _shipped()
    ds["elevation"] = -ds.elevation
    ds.to_netcdf(tmp_path / "g.nc")
    box, grid = _takaya()
    with pytest.raises(InputDataError, match=r"'elevation' is positive over the working area \(median 5,"):
        resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box)
    # The same values under another name (sediment thickness) are fine.
    resample_to_grid(load_grid(tmp_path / "g.nc", "elevation"), grid, area=box, name="sediment_thickness")


@pytest.mark.parametrize("explicit", [True, None], ids=["elevation=True", "inferred"])
def test_positive_down_depths_are_negated_with_a_warning(tmp_path, explicit):
    ds = _shipped().rename(elevation="depth")
    ds["depth"] = -ds.depth
    ds["depth"].attrs.update(positive="down", long_name="water depth")
    ds.to_netcdf(tmp_path / "g.nc")
    da = load_grid(tmp_path / "g.nc", "depth", elevation=explicit)
    np.testing.assert_array_equal(da.values, load_grid(BATHY, "elevation").values)
    assert da.attrs["positive"] == "up"
    assert "negated" in da.attrs["warnings"][0]
    box, grid = _takaya()
    out = resample_to_grid(da, grid, area=box, name="elevation")
    assert out.attrs["warnings"] == da.attrs["warnings"]


def test_projected_coordinates_without_crs_are_refused(tmp_path):
    ds = _no_crs(_shipped())
    ds.assign_coords(x=ds.x * 111_320.0, y=ds.y * 110_574.0).to_netcdf(tmp_path / "g.nc")
    with pytest.raises(InputDataError, match=r"outside lon -180…360 / lat -90…90 \(no CRS in the file\)"):
        load_grid(tmp_path / "g.nc", "elevation")


def test_metre_coordinates_without_crs_are_refused(tmp_path):
    ds = _no_crs(_shipped())
    ds.x.attrs["units"] = "km"
    ds.to_netcdf(tmp_path / "g.nc")
    with pytest.raises(InputDataError, match="coordinate 'x' has units 'km'"):
        load_grid(tmp_path / "g.nc", "elevation")


def test_projected_geotiff_is_refused(tmp_path):
    da = _shipped()["elevation"].rio.write_crs("EPSG:4326").rio.reproject("EPSG:32656")
    da.rio.to_raster(tmp_path / "g.tif")
    with pytest.raises(CRSMismatchError, match="projected CRS .*gdalwarp -t_srs EPSG:4326"):
        load_grid(tmp_path / "g.tif", "elevation", units="m")


def test_other_geographic_datum_is_accepted_with_a_warning(tmp_path):
    ds = _no_crs(_shipped())
    ds["elevation"].rio.write_crs("EPSG:4301").to_dataset().to_netcdf(tmp_path / "g.nc")  # Tokyo datum
    da = load_grid(tmp_path / "g.nc", "elevation")
    assert da.rio.crs.to_epsg() == 4326
    assert "Tokyo" in da.attrs["warnings"][0]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "empty file"), (b"lon,lat,z\n153,22,-5000\n", "not a NetCDF or GeoTIFF file"),
     (b"\x89HDF\r\n\x1a\ngarbage", "cannot read grid")],
    ids=["empty", "text", "truncated-hdf5"],
)
def test_unreadable_files_give_one_line(tmp_path, content, fragment):
    (tmp_path / "g.nc").write_bytes(content)
    with pytest.raises(InputDataError, match=fragment) as err:
        load_grid(tmp_path / "g.nc", "elevation")
    assert "\n" not in str(err.value)


def test_multiband_geotiff_is_refused(tmp_path):
    da = _shipped()["elevation"].rio.write_crs("EPSG:4326")
    xr.concat([da, da], dim="band").assign_coords(band=[1, 2]).rio.to_raster(tmp_path / "g.tif")
    with pytest.raises(InputDataError, match="2 bands; expected a single-band GeoTIFF"):
        load_grid(tmp_path / "g.tif", "elevation", units="m")


def test_single_row_and_extra_dims(tmp_path):
    _shipped().isel(y=[10]).to_netcdf(tmp_path / "row.nc")
    with pytest.raises(InputDataError, match="1 rows .*expected at least 2"):
        load_grid(tmp_path / "row.nc", "elevation")
    _shipped().expand_dims(time=1).to_netcdf(tmp_path / "t.nc")  # a length-1 time axis is squeezed
    assert load_grid(tmp_path / "t.nc", "elevation").dims == ("y", "x")
    _shipped().expand_dims(time=2).to_netcdf(tmp_path / "t2.nc")
    with pytest.raises(InputDataError, match="expected 2-D"):
        load_grid(tmp_path / "t2.nc", "elevation")
