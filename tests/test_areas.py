import numpy as np
import pytest
import shapely

from seabed.errors import InputDataError
from seabed.inputs.areas import (
    SITES,
    TAKAYA_2018_BOX,
    eez_circle,
    geodesic_area,
    load_polygons,
    study_box,
)


@pytest.mark.parametrize("site", ["minamitorishima", "okinotorishima"])
def test_eez_area_is_pi_r_squared(site):
    area_km2 = geodesic_area(eez_circle(*SITES[site])) / 1e6
    assert area_km2 == pytest.approx(np.pi * 370.4**2, rel=0.005)


def test_eez_vertices_are_at_200_nautical_miles():
    import pyproj

    lon0, lat0 = SITES["minamitorishima"]
    ring = np.asarray(eez_circle(lon0, lat0).exterior.coords)
    _, _, dist = pyproj.Geod(ellps="WGS84").inv(np.full(len(ring), lon0), np.full(len(ring), lat0), ring[:, 0], ring[:, 1])
    np.testing.assert_allclose(dist, 370_400.0, rtol=1e-9)


def test_takaya_box_area():
    # The full rectangle 21d48'-22d15'N x 153d30'-154d07'E is ~3,180 km2 (DOMAIN.md [C]).
    assert geodesic_area(study_box(*TAKAYA_2018_BOX)) / 1e6 == pytest.approx(3172.4, rel=0.005)


def test_one_degree_box_at_equator_by_hand():
    # WGS84 1x1 degree cell at the equator: 12,308.8 km2 (ellipsoidal, known value).
    assert geodesic_area(study_box(0, 1, 0, 1)) / 1e6 == pytest.approx(12308.8, rel=1e-3)


def test_bad_box_is_an_error():
    with pytest.raises(InputDataError, match="expected W < E"):
        study_box(154, 153, 21, 22)


@pytest.mark.parametrize("ext", ["gpkg", "geojson", "shp"])
def test_load_polygons_formats(tmp_path, ext):
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"name": ["block"]}, geometry=[shapely.box(153.6, 21.9, 153.8, 22.0)], crs="EPSG:4326")
    path = tmp_path / f"blocks.{ext}"
    gdf.to_file(path)
    out = load_polygons(path)
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].symmetric_difference(gdf.geometry.iloc[0]).area < 1e-12  # shapefiles reorient rings


def test_load_polygons_reprojects(tmp_path):
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(geometry=[shapely.box(153.6, 21.9, 153.8, 22.0)], crs="EPSG:4326").to_crs("EPSG:3857")
    gdf.to_file(tmp_path / "b.gpkg")
    assert load_polygons(tmp_path / "b.gpkg").total_bounds == pytest.approx([153.6, 21.9, 153.8, 22.0])


def test_load_polygons_missing_file(tmp_path):
    with pytest.raises(InputDataError, match="file not found"):
        load_polygons(tmp_path / "nope.gpkg")


def test_load_polygons_rejects_points(tmp_path):
    import geopandas as gpd

    gpd.GeoDataFrame(geometry=[shapely.Point(153, 22)], crs="EPSG:4326").to_file(tmp_path / "p.gpkg")
    with pytest.raises(InputDataError, match="expected Polygon"):
        load_polygons(tmp_path / "p.gpkg")
