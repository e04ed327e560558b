"""Cloud-optimised GeoTIFFs for GIS users (QGIS, GDAL).

Each file is tiled, DEFLATE-compressed (GDAL's COG driver), with a named CRS, a nodata value, one
description and one unit per band (GDAL's unit type: ``gdalinfo`` prints ``Unit Type: ppm``) and
dataset metadata (``long_name``, ``synthetic_cores`` and a caveat when given). Overviews are
internal and made by the COG driver where the raster is larger than one 256 × 256 block (a smaller
raster needs none). Class and mask rasters are ``Byte`` (uint8, nodata 255) with a colour table
and their category names as band metadata, ``CATEGORY_NAMES`` (``"0=none;1=Inferred;…"``; rasterio
cannot write GDAL's category names or a raster attribute table inside a GeoTIFF, and GDAL keeps
those in an ``.aux.xml`` sidecar that does not travel with the file) and ``CATEGORY_<code>`` per
class. A GeoTIFF keeps a colour table only for a 1- or 2-band Byte raster (with more bands GDAL
drops it), so a single-band class raster has its palette and a per-layer stack its category names;
:func:`write_class_vrt` then writes a GDAL VRT beside a stack (``resource_class.vrt``) whose bands
read the stack's bands and carry the palette and GDAL category names each: QGIS opens the VRT with
the class colours on every layer, while the GeoTIFF remains the data.
Optionally a second copy is written reprojected to longitude/latitude (EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pyproj
import rasterio
import rasterio.shutil
import xarray as xr
from rasterio.warp import Resampling, calculate_default_transform, reproject

from seabed.errors import CRSMismatchError

__all__ = ["CATEGORY_NODATA", "NODATA", "Category", "named_crs", "write_class_vrt", "write_cog"]

#: Nodata value written to float GeoTIFFs.
NODATA = -9999.0
#: Nodata value written to class (Byte) GeoTIFFs.
CATEGORY_NODATA = 255

#: One class of a categorical raster: its name and RGBA colour.
Category = tuple[str, tuple[int, int, int, int]]


def _fmt(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


def named_crs(crs: object) -> pyproj.CRS:
    """``crs`` with a name instead of ``"unknown"`` (GDAL and QGIS show a CRS by its name).

    A CRS built from a PROJ string (as the working Lambert azimuthal equal-area CRS is) is called
    ``"unknown"``; it is renamed after its base CRS, projection and origin, e.g.
    ``"WGS 84 / Lambert Azimuthal Equal Area (lat_0=22.025, lon_0=153.808334)"``. The
    definition is unchanged (``named_crs(c).equals(c)``); a named CRS is returned as it is.
    """
    crs = pyproj.CRS.from_user_input(crs.to_wkt() if hasattr(crs, "to_wkt") else crs)
    if crs.name not in ("unknown", "", None) or not crs.is_projected:
        return crs
    d = crs.to_json_dict()
    base = d.get("base_crs", {})
    datum = crs.geodetic_crs.datum.name if crs.geodetic_crs is not None else ""
    if base.get("name") in ("unknown", "", None):
        base["name"] = "WGS 84" if "1984" in datum else (datum or "unnamed geodetic CRS")
    op = crs.coordinate_operation
    origin = {}
    for p in op.params if op is not None else []:
        if "latitude of natural origin" in p.name.lower() or "latitude of projection centre" in p.name.lower():
            origin["lat_0"] = p.value
        elif "longitude of natural origin" in p.name.lower() or "longitude of projection centre" in p.name.lower():
            origin["lon_0"] = p.value
    where = ", ".join(f"{k}={_fmt(v)}" for k, v in origin.items())
    method = op.method_name if op is not None else "projection"
    d["name"] = f"{base['name']} / {method}" + (f" ({where})" if where else "")
    return pyproj.CRS.from_json_dict(d)


def write_cog(
    data: xr.DataArray,
    path: str | Path,
    *,
    descriptions: list[str] | None = None,
    units: str | None = None,
    dst_crs: str | None = None,
    categorical: bool = False,
    categories: Mapping[int, Category] | None = None,
    long_name: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> Path:
    """Write a ``(band, y, x)`` or ``(y, x)`` DataArray with a CRS as a Cloud-Optimised GeoTIFF.

    Parameters
    ----------
    data : xarray.DataArray
        Values with a CRS (``data.rio.crs``) and regular ``x``/``y`` coordinates (cell centres).
    path : str or Path
        Output file; written to ``<path>.tmp`` then renamed.
    descriptions : list of str, optional
        One description per band (shown by ``gdalinfo`` and QGIS).
    units : str, optional
        Unit of every band, written as GDAL's unit type (defaults to ``data.attrs["units"]``).
    dst_crs : str, optional
        If given (e.g. ``"EPSG:4326"``), reproject to this CRS (bilinear, nearest when
        ``categorical``) before writing.
    categorical : bool, default False
        Values are classes (resampling and overviews use nearest/mode).
    categories : mapping of int to (name, RGBA), optional
        The classes of a class or mask raster: written as ``Byte`` (nodata
        :data:`CATEGORY_NODATA`; NaN cells become nodata) with a colour table and the category
        names as band metadata. Implies ``categorical``.
    long_name : str, optional
        Dataset ``long_name`` metadata (defaults to ``data.attrs["long_name"]`` or the name).
    tags : mapping of str to str, optional
        More dataset metadata (e.g. ``synthetic_cores``, ``caveat``).

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Bands are read (a lazily read DataArray is computed) and written one at a time into a
    tiled GeoTIFF, which GDAL's COG driver then copies block by block: memory holds one
    ``(y, x)`` band, not the stack.
    """
    path = Path(path)
    if data.rio.crs is None:
        raise CRSMismatchError(f"{path.name}: data has no CRS; fix: attach one with grid.attach_crs()")
    crs = rasterio.crs.CRS.from_wkt(named_crs(data.rio.crs).to_wkt())
    categorical = categorical or categories is not None
    dtype, nodata = ("uint8", CATEGORY_NODATA) if categories is not None else ("float32", NODATA)
    bands = data if data.ndim == 3 else data.expand_dims("band")
    count = bands.shape[0]
    transform = data.rio.transform()
    height, width = data.shape[-2:]
    if dst_crs is not None:
        left, bottom, right, top = data.rio.bounds()
        dst_transform, width, height = calculate_default_transform(crs, dst_crs, width, height, left, bottom, right, top)
        src_transform, src_crs = transform, crs
        transform = dst_transform
        crs = rasterio.crs.CRS.from_wkt(named_crs(dst_crs).to_wkt())
    # band by band into a tiled GeoTIFF, then GDAL's COG driver copies it block by block: a
    # (y, x) band at a time is held, never the whole (band, y, x) stack
    staged = path.with_name(path.name + ".stage.tmp")
    profile = {"driver": "GTiff", "dtype": dtype, "count": count, "height": height, "width": width,
               "crs": crs, "transform": transform, "nodata": nodata, "tiled": True, "blockxsize": 256,
               "blockysize": 256, "BIGTIFF": "IF_SAFER"}
    unit = units or data.attrs.get("units") or ""
    names = ";".join(f"{k}={v[0]}" for k, v in sorted(categories.items())) if categories else ""
    try:
        with rasterio.open(staged, "w", **profile) as dst:
            for b in range(count):
                values = np.asarray(bands[b].values, dtype="float64")
                band = np.where(np.isfinite(values), values, nodata).astype(dtype)
                if dst_crs is not None:
                    out = np.full((height, width), nodata, dtype=dtype)
                    reproject(band, out, src_transform=src_transform, src_crs=src_crs, dst_transform=transform,
                              dst_crs=crs, src_nodata=nodata, dst_nodata=nodata,
                              resampling=Resampling.nearest if categorical else Resampling.bilinear)
                    band = out
                dst.write(band, b + 1)
                if descriptions is not None:
                    dst.set_band_description(b + 1, descriptions[b])
                if categories and count <= 2:  # GeoTIFF: no colour table with 3 or more bands
                    dst.write_colormap(b + 1, {k: v[1] for k, v in categories.items()})
                if categories:
                    dst.update_tags(b + 1, CATEGORY_NAMES=names,
                                    **{f"CATEGORY_{k}": v[0] for k, v in categories.items()})
            dst.units = (unit,) * count
            dst.update_tags(source="seabed", long_name=str(long_name or data.attrs.get("long_name", data.name or "")),
                            **dict(tags or {}))
        tmp = path.with_name(path.name + ".tmp")
        rasterio.shutil.copy(staged, tmp, driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=256, OVERVIEWS="AUTO",
                             OVERVIEW_RESAMPLING="MODE" if categorical else "AVERAGE", BIGTIFF="IF_SAFER")
    finally:
        staged.unlink(missing_ok=True)
    tmp.replace(path)
    return path


def write_class_vrt(tif: str | Path, path: str | Path, categories: Mapping[int, Category]) -> Path:
    """Write a GDAL VRT over a multi-band class GeoTIFF, with a colour table on every band.

    GeoTIFF keeps a colour table for a 1- or 2-band ``Byte`` raster only; a VRT keeps one per
    band. Each VRT band reads the same band of ``tif`` (referenced relative to the VRT, so the
    two files travel together) and carries its description, unit type, nodata, a ``Palette``
    colour interpretation, the colour table and GDAL category names (``gdalinfo`` lists them
    under ``Categories:``), plus the GeoTIFF's dataset metadata.

    Parameters
    ----------
    tif : str or Path
        An existing class GeoTIFF written by :func:`write_cog` with ``categories``.
    path : str or Path
        The VRT to write (``<path>.tmp`` then renamed); usually beside ``tif``.
    categories : mapping of int to (name, RGBA)
        The classes, codes 0 … n-1 (code: name and colour).

    Returns
    -------
    Path
        The written VRT.
    """
    tif, path = Path(tif), Path(path)
    codes = sorted(categories)
    if codes != list(range(len(codes))):
        raise ValueError(f"class codes must be 0..n-1 for a colour table, got {codes}")
    with rasterio.open(tif) as src:
        crs_wkt, gt = src.crs.to_wkt(), src.transform.to_gdal()
        width, height, count = src.width, src.height, src.count
        descriptions, units, nodata, tags = src.descriptions, src.units, src.nodata, src.tags()
        block = src.block_shapes[0]
    entries = "".join(f'<Entry c1="{c[0]}" c2="{c[1]}" c3="{c[2]}" c4="{c[3]}"/>'
                      for c in (categories[k][1] for k in codes))
    names = "".join(f"<Category>{escape(categories[k][0])}</Category>" for k in codes)
    meta = "".join(f"<MDI key={quoteattr(k)}>{escape(v)}</MDI>" for k, v in sorted(tags.items()))
    bands = []
    for b in range(1, count + 1):
        nd = f"<NoDataValue>{nodata:g}</NoDataValue>" if nodata is not None else ""
        bands.append(
            f'  <VRTRasterBand dataType="Byte" band="{b}">\n'
            f"    <Description>{escape(descriptions[b - 1] or '')}</Description>{nd}"
            f"<UnitType>{escape(units[b - 1] or '')}</UnitType><ColorInterp>Palette</ColorInterp>\n"
            f"    <ColorTable>{entries}</ColorTable>\n    <CategoryNames>{names}</CategoryNames>\n"
            f'    <SimpleSource><SourceFilename relativeToVRT="1">{escape(tif.name)}</SourceFilename>'
            f"<SourceBand>{b}</SourceBand>"
            f'<SourceProperties RasterXSize="{width}" RasterYSize="{height}" DataType="Byte" '
            f'BlockXSize="{block[1]}" BlockYSize="{block[0]}"/>'
            f'<SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>'
            f'<DstRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/></SimpleSource>\n'
            "  </VRTRasterBand>\n")
    text = (f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">\n'
            f'  <SRS dataAxisToSRSAxisMapping="1,2">{escape(crs_wkt)}</SRS>\n'
            f"  <GeoTransform>{', '.join(repr(float(v)) for v in gt)}</GeoTransform>\n"
            f"  <Metadata>{meta}</Metadata>\n" + "".join(bands) + "</VRTDataset>\n")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
