"""The GIS files of a run open cleanly where their users open them (QGIS via GDAL, xarray, CF tools).

On the session's shared CLI run of the Takaya box (synthetic cores).
"""

from __future__ import annotations

import cf_xarray  # noqa: F401 (registers the .cf accessor)
import pyogrio
import pytest
import rasterio
import xarray as xr

CLASS_RASTERS = {"resource_class.tif", "resource_class_best.tif", "mineable_mask.tif"}


def test_every_raster_has_a_named_crs_band_units_and_the_synthetic_flag(takaya_run):
    rasters = sorted((takaya_run / "rasters").glob("*.tif"))
    assert len(rasters) >= 9
    for path in rasters:
        with rasterio.open(path) as src:
            assert "unknown" not in src.crs.to_wkt().split(",")[0], path.name
            assert all(u for u in src.units), (path.name, src.units)
            assert all(d for d in src.descriptions), path.name
            assert src.tags()["synthetic_cores"] == "yes", path.name
            if path.name in CLASS_RASTERS:
                assert src.dtypes[0] == "uint8", path.name
                assert "=" in src.tags(1)["CATEGORY_NAMES"], path.name
            else:
                assert src.dtypes[0] == "float32", path.name


def test_the_best_class_raster_carries_a_colour_table(takaya_run):
    with rasterio.open(takaya_run / "rasters" / "resource_class_best.tif") as src:
        cmap = src.colormap(1)
        assert src.tags(1)["CATEGORY_NAMES"] == "0=Unclassified;1=Inferred;2=Indicated;3=Measured"
    assert len({cmap[c] for c in range(4)}) == 4  # four distinct colours


def test_the_per_layer_class_stacks_have_a_vrt_with_a_colour_table_on_every_band(takaya_run):
    for stack, n_classes in (("resource_class", 4), ("mineable_mask", 2)):
        folder = takaya_run / "rasters"
        with rasterio.open(folder / f"{stack}.vrt") as vrt, rasterio.open(folder / f"{stack}.tif") as tif:
            assert vrt.count == tif.count >= 3
            assert vrt.crs == tif.crs
            assert vrt.transform == tif.transform
            assert (vrt.read() == tif.read()).all()
            assert vrt.descriptions == tif.descriptions
            assert vrt.units == tif.units
            assert vrt.tags()["synthetic_cores"] == "yes"
            for b in range(1, vrt.count + 1):
                cmap = vrt.colormap(b)
                assert len({cmap[c] for c in range(n_classes)}) == n_classes, (stack, b)
        assert "<CategoryNames>" in (folder / f"{stack}.vrt").read_text()


@pytest.mark.parametrize("name", ["grade_REY_0-10mbsf.tif", "kriging_std_Y.tif", "TREO_t_per_km2.tif"])
def test_descriptions_say_what_the_band_holds(takaya_run, name):
    with rasterio.open(takaya_run / "rasters" / name) as src:
        text = src.descriptions[0]
    expected = {"grade_REY_0-10mbsf.tif": "REY mean grade", "kriging_std_Y.tif": "standard deviation",
                "TREO_t_per_km2.tif": "t/km2"}[name]
    assert expected in text


def test_block_model_reprojects_with_plain_xarray_and_passes_cf_checks(takaya_run):
    with xr.open_dataset(takaya_run / "block_model.nc") as ds:
        assert ds.attrs["synthetic_cores"] in ("yes", 1, True, "true")
        for name, da in ds.data_vars.items():
            if {"y", "x"} <= set(da.dims):
                assert da.attrs.get("grid_mapping") == "spatial_ref", name
        lonlat = ds.grade.sel(element="Nd").rio.reproject("EPSG:4326")
        assert lonlat.rio.crs.to_epsg() == 4326
        assert lonlat.shape[0] == ds.sizes["layer"]
        # rioxarray takes 2-D/3-D arrays: the whole 4-D cube reprojects stacked (docs/outputs.md)
        stacked = ds.grade.stack(band=("element", "layer")).transpose("band", "y", "x").rio.reproject("EPSG:4326")
        assert stacked.shape[0] == ds.sizes["element"] * ds.sizes["layer"]
        assert float(stacked.max()) == pytest.approx(float(ds.grade.max()), rel=0.05)
        assert ds.cf["latitude"].name == "lat"
        assert ds.cf["longitude"].name == "lon"
        assert ds.lat.ndim == ds.lon.ndim == 2
        assert "spatial_ref" in ds.cf.grid_mapping_names.get("lambert_azimuthal_equal_area", [])
        flags = ds["mineable"].attrs["flag_values"]
        assert flags.dtype.kind == "i"
        assert ds["mineable"].attrs["flag_meanings"] == "excluded mineable"


def test_geopackage_layers_carry_units_the_synthetic_flag_and_core_grades(takaya_run):
    gpkg = takaya_run / "seabed.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    assert {"cores", "classified_areas"} <= set(layers)
    cores = pyogrio.read_dataframe(gpkg, layer="cores")
    assert {"REY_ppm", "TREO_ppm"} <= set(cores.columns)
    assert (cores["REY_ppm"] > 0).all()
    meta = pyogrio.read_info(gpkg, layer="cores")["layer_metadata"] or {}
    assert any("synthetic" in k.lower() for k in meta), meta
