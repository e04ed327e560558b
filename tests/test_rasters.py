import numpy as np
import pyproj
import pytest
import rasterio

from seabed.inputs.areas import TAKAYA_2018_BOX, study_box
from seabed.outputs.rasters import NODATA, write_cog
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
        assert src.tags(1)["units"] == "ppm"
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
