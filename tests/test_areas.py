import numpy as np
import pytest
import shapely
import shapely.affinity

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


# --- issue 12 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("lon", "lat", "radius", "fragment"),
    [(153.98, 24.29, 0.0, "radius got 0 m"), (153.98, 24.29, -370_400.0, "radius got -370400 m"),
     (153.98, 24.29, float("nan"), "radius got nan"), (153.98, 95.0, 370_400.0, r"center got \(153.98, 95.0\)"),
     (400.0, 24.29, 370_400.0, "longitude -180…360"), (153.98, 85.0, 1_500_000.0, "reaching over a pole")],
    ids=["zero-radius", "negative-radius", "nan-radius", "latitude-95", "longitude-400", "over-the-pole"],
)
def test_eez_circle_refuses_impossible_circles(lon, lat, radius, fragment):
    from seabed.errors import ConfigError

    with pytest.raises(ConfigError, match=fragment):
        eez_circle(lon, lat, radius_m=radius, name="eez")


def test_eez_circle_across_the_antimeridian_is_one_polygon():
    from seabed.working_grid import WorkingGrid

    eez = eez_circle(179.0, 10.0)
    assert eez.is_valid
    lon = np.asarray(eez.exterior.coords)[:, 0]
    assert lon.max() > 180
    assert np.abs(np.diff(lon)).max() < 1
    assert geodesic_area(eez) / 1e6 == pytest.approx(np.pi * 370.4**2, rel=0.005)
    grid = WorkingGrid.covering(eez, cell_size=5000.0)
    assert grid.mask(eez).sum() * grid.cell_area == pytest.approx(geodesic_area(eez), rel=0.005)
    east = eez_circle(181.0, 10.0)  # centre given in 0-360: the same circle as at -179 E, shifted by 360
    west = eez_circle(-179.0, 10.0)
    assert east.equals_exact(shapely.affinity.translate(west, 360.0), tolerance=1e-6)


def test_study_box_in_0_360_and_refusals():
    assert geodesic_area(study_box(179.5, 180.5, 0, 1)) == pytest.approx(geodesic_area(study_box(0, 1, 0, 1)))
    for bounds in [(153, 154, 21, 95), (-190, 154, 21, 22), (0, 361, 21, 22), (153, float("nan"), 21, 22)]:
        with pytest.raises(InputDataError, match="expected W < E"):
            study_box(*bounds)


def _write(tmp_path, geoms, crs="EPSG:4326", name="b.gpkg"):
    import geopandas as gpd

    gpd.GeoDataFrame({"id": list(range(len(geoms)))}, geometry=geoms, crs=crs).to_file(tmp_path / name)
    return tmp_path / name


def test_self_intersecting_polygon_is_refused_naming_the_feature(tmp_path):
    bowtie = shapely.Polygon([(153.6, 21.9), (153.9, 22.1), (153.9, 21.9), (153.6, 22.1)])
    path = _write(tmp_path, [shapely.box(153.6, 21.9, 153.7, 22.0), bowtie])
    with pytest.raises(InputDataError, match=r"feature 1 is an invalid polygon \(Self-intersection.*make_valid"):
        load_polygons(path)


@pytest.mark.parametrize(
    ("geoms", "crs", "fragment"),
    [([shapely.box(153.6, 21.9, 153.7, 22.0), shapely.Polygon()], "EPSG:4326", "feature 1 has an empty geometry"),
     ([shapely.Polygon([(153.6, 21.9), (153.7, 22.0), (153.8, 22.1)])], "EPSG:4326", "feature 0 has zero area"),
     ([shapely.box(1.7e7, 2.5e6, 1.71e7, 2.51e6)], "EPSG:4326", "outside lon -180…360 / lat -90…90")],
    ids=["empty-geometry", "zero-area", "metres-labelled-degrees"],
)
def test_load_polygons_refusals(tmp_path, geoms, crs, fragment):
    with pytest.raises(InputDataError, match=fragment):
        load_polygons(_write(tmp_path, geoms, crs))


def test_load_polygons_empty_and_unreadable_files_give_one_line(tmp_path):
    (tmp_path / "e.gpkg").write_bytes(b"")
    with pytest.raises(InputDataError, match="empty file"):
        load_polygons(tmp_path / "e.gpkg")
    (tmp_path / "t.gpkg").write_text("my blocks\n")
    with pytest.raises(InputDataError, match="cannot read polygons") as err:
        load_polygons(tmp_path / "t.gpkg")
    assert "\n" not in str(err.value)


def test_load_polygons_records_no_warnings_for_a_clean_file(tmp_path):
    out = load_polygons(_write(tmp_path, [shapely.box(153.6, 21.9, 153.7, 22.0)], crs="EPSG:4326"))
    assert out.attrs["warnings"] == []
