import numpy as np
import pyproj
import pytest
import rasterio

from seabed.inputs.areas import TAKAYA_2018_BOX, study_box
from seabed.outputs.rasters import CATEGORY_NODATA, NODATA, write_cog
from seabed.working_grid import Layers, WorkingGrid


@pytest.fixture
def field():
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=2000.0, layers=Layers.regular(0, 2, 1))
    da = grid.empty("grade", units="ppm")
    rng = np.random.default_rng(0)
    da.values[:] = rng.uniform(100, 5000, da.shape)
    da.values[0, 0, 0] = np.nan
    return grid, da


def test_cog_roundtrip(tmp_path, field):
    grid, da = field
    path = write_cog(da, tmp_path / "g.tif", descriptions=["REY 0-1 mbsf (ppm)", "REY 1-2 mbsf (ppm)"])
    with rasterio.open(path) as src:
        assert src.count == 2
        assert src.nodata == NODATA
        assert pyproj.CRS.from_wkt(src.crs.to_wkt()).equals(grid.crs)
        assert src.transform == grid.transform
        assert src.descriptions == ("REY 0-1 mbsf (ppm)", "REY 1-2 mbsf (ppm)")
        assert src.units == ("ppm", "ppm")  # GDAL's unit type (gdalinfo: "Unit Type: ppm")
        assert "unknown" not in src.crs.to_wkt()
        assert src.crs.to_wkt().startswith('PROJCS["WGS 84 / Lambert Azimuthal Equal Area (lat_0=')
        assert src.profile["tiled"]
        assert src.compression.name.lower() == "deflate"
        back = src.read(masked=True)
    assert back.mask[0, 0, 0]
    np.testing.assert_allclose(back.filled(np.nan)[:, 1:, 1:], da.values[:, 1:, 1:].astype("float32"))
    assert not (tmp_path / "g.tif.tmp").exists()


def test_cog_reprojected_to_lonlat(tmp_path, field):
    _, da = field
    path = write_cog(da.isel(layer=0), tmp_path / "ll.tif", dst_crs="EPSG:4326")
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 4326
        w, _s, _e, n = src.bounds
        assert w == pytest.approx(TAKAYA_2018_BOX[0], abs=0.05)
        assert n == pytest.approx(TAKAYA_2018_BOX[3], abs=0.05)
        vals = src.read(1, masked=True)
        assert vals.min() >= 100
        assert vals.max() <= 5000


def test_named_crs_keeps_the_definition(field):
    from seabed.outputs.rasters import named_crs

    grid, _ = field
    assert grid.crs.name == "unknown"
    named = named_crs(grid.crs)
    assert named.name.startswith("WGS 84 / Lambert Azimuthal Equal Area (lat_0=")
    assert named.equals(grid.crs)
    assert named_crs("EPSG:4326").name == "WGS 84"


def test_class_raster_is_byte_with_colour_table_and_category_names(tmp_path, field):
    _, da = field
    cls = da.copy(data=np.where(np.isnan(da.values), np.nan, np.floor(da.values / 1500.0)))
    cats = {0: ("none", (200, 200, 200, 255)), 1: ("Inferred", (250, 170, 90, 255)),
            2: ("Indicated", (160, 210, 100, 255)), 3: ("Measured", (20, 150, 60, 255))}
    path = write_cog(cls, tmp_path / "c.tif", descriptions=["a", "b"], units="class", categories=cats,
                     long_name="resource class", tags={"synthetic_cores": "yes"})
    with rasterio.open(path) as src:
        assert src.dtypes == ("uint8", "uint8")
        assert src.nodata == CATEGORY_NODATA
        assert src.colormap(1)[3] == (20, 150, 60, 255)
        assert src.tags(1)["CATEGORY_NAMES"] == "0=none;1=Inferred;2=Indicated;3=Measured"
        assert src.tags(2)["CATEGORY_2"] == "Indicated"
        assert src.tags()["synthetic_cores"] == "yes"
        assert src.tags()["long_name"] == "resource class"
        back = src.read(masked=True)
    assert back.mask[0, 0, 0]
    np.testing.assert_array_equal(back.filled(9)[:, 1:, 1:], cls.values[:, 1:, 1:].astype("uint8"))


def test_overviews_only_where_large_enough(tmp_path):
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=100.0, layers=Layers.regular(0, 1, 1))
    da = grid.empty("grade", units="ppm").isel(layer=0)
    assert min(da.shape) > 256
    da.values[:] = 1.0
    with rasterio.open(write_cog(da, tmp_path / "big.tif")) as src:
        assert src.overviews(1)
    grid = WorkingGrid.covering(study_box(*TAKAYA_2018_BOX), cell_size=4000.0, layers=Layers.regular(0, 1, 1))
    small = grid.empty("grade", units="ppm").isel(layer=0)
    with rasterio.open(write_cog(small, tmp_path / "small.tif")) as src:
        assert src.overviews(1) == []


def test_core_profiles_plot_one_line_per_core():
    import pandas as pd

    from seabed.outputs.profiles import plot_core_profiles

    df = pd.DataFrame({"core_id": ["A", "A", "B"], "top_mbsf": [0.0, 0.5, 0.0], "bottom_mbsf": [0.5, 1.0, 1.0],
                       "La": [100.0, 300.0, 50.0], "Y": [200.0, 100.0, 50.0]})
    fig = plot_core_profiles(df)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [300, 300, 400, 400])  # La + Y per sample
    assert ax.yaxis_inverted()
