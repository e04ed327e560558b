"""Cloud-optimised GeoTIFFs for GIS users (QGIS, GDAL).

Each file is tiled, DEFLATE-compressed, with internal overviews (GDAL's COG driver), a CRS, a nodata
value and one description per band (e.g. ``"Nd 2-3 mbsf (ppm)"``). Optionally a second copy is
written reprojected to longitude/latitude (EPSG:4326).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
import xarray as xr
from rasterio.warp import Resampling, calculate_default_transform, reproject

from seabed.errors import CRSMismatchError

__all__ = ["NODATA", "write_cog"]

#: Nodata value written to float GeoTIFFs.
NODATA = -9999.0


def write_cog(
    data: xr.DataArray,
    path: str | Path,
    *,
    descriptions: list[str] | None = None,
    units: str | None = None,
    dst_crs: str | None = None,
    categorical: bool = False,
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
        Units written as band metadata (defaults to ``data.attrs["units"]``).
    dst_crs : str, optional
        If given (e.g. ``"EPSG:4326"``), reproject to this CRS (bilinear, nearest when
        ``categorical``) before writing.
    categorical : bool, default False
        Values are classes (resampling and overviews use nearest/mode).

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
    crs = data.rio.crs
    if crs is None:
        raise CRSMismatchError(f"{path.name}: data has no CRS; fix: attach one with grid.attach_crs()")
    bands = data if data.ndim == 3 else data.expand_dims("band")
    count = bands.shape[0]
    transform = data.rio.transform()
    height, width = data.shape[-2:]
    if dst_crs is not None:
        left, bottom, right, top = data.rio.bounds()
        dst_transform, width, height = calculate_default_transform(crs, dst_crs, width, height, left, bottom, right, top)
        src_transform, src_crs = transform, crs
        transform, crs = dst_transform, rasterio.crs.CRS.from_user_input(dst_crs)
    # band by band into a tiled GeoTIFF, then GDAL's COG driver copies it block by block: a
    # (y, x) band at a time is held, never the whole (band, y, x) stack
    staged = path.with_name(path.name + ".stage.tmp")
    profile = {"driver": "GTiff", "dtype": "float32", "count": count, "height": height, "width": width,
               "crs": crs, "transform": transform, "nodata": NODATA, "tiled": True, "blockxsize": 256,
               "blockysize": 256, "BIGTIFF": "IF_SAFER"}
    try:
        with rasterio.open(staged, "w", **profile) as dst:
            unit = units or data.attrs.get("units")
            for b in range(count):
                band = np.asarray(bands[b].values, dtype="float32")
                band[~np.isfinite(band)] = NODATA
                if dst_crs is not None:
                    out = np.full((height, width), NODATA, dtype="float32")
                    reproject(band, out, src_transform=src_transform, src_crs=src_crs, dst_transform=transform,
                              dst_crs=crs, src_nodata=NODATA, dst_nodata=NODATA,
                              resampling=Resampling.nearest if categorical else Resampling.bilinear)
                    band = out
                dst.write(band, b + 1)
                if descriptions is not None:
                    dst.set_band_description(b + 1, descriptions[b])
                if unit:
                    dst.update_tags(b + 1, units=unit)
            dst.update_tags(source="seabed", long_name=str(data.attrs.get("long_name", data.name or "")))
        tmp = path.with_name(path.name + ".tmp")
        rasterio.shutil.copy(staged, tmp, driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=256,
                             OVERVIEW_RESAMPLING="MODE" if categorical else "AVERAGE", BIGTIFF="IF_SAFER")
    finally:
        staged.unlink(missing_ok=True)
    tmp.replace(path)
    return path
