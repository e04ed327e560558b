"""Cloud-optimised GeoTIFFs for GIS users (QGIS, GDAL).

Each file is tiled, DEFLATE-compressed, with internal overviews (GDAL's COG driver), a CRS, a nodata
value and one description per band (e.g. ``"Nd 2-3 mbsf (ppm)"``). Optionally a second copy is
written reprojected to longitude/latitude (EPSG:4326).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
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
    """
    path = Path(path)
    crs = data.rio.crs
    if crs is None:
        raise CRSMismatchError(f"{path.name}: data has no CRS; fix: attach one with grid.attach_crs()")
    arr = data.values if data.ndim == 3 else data.values[None]
    arr = np.where(np.isfinite(arr), arr, NODATA).astype("float32")
    transform = data.rio.transform()
    height, width = arr.shape[1:]
    if dst_crs is not None:
        left, bottom, right, top = data.rio.bounds()
        dst_transform, w, h = calculate_default_transform(crs, dst_crs, width, height, left, bottom, right, top)
        out = np.full((arr.shape[0], h, w), NODATA, dtype="float32")
        for b in range(arr.shape[0]):
            reproject(arr[b], out[b], src_transform=transform, src_crs=crs, dst_transform=dst_transform,
                      dst_crs=dst_crs, src_nodata=NODATA, dst_nodata=NODATA,
                      resampling=Resampling.nearest if categorical else Resampling.bilinear)
        arr, transform, crs, (height, width) = out, dst_transform, rasterio.crs.CRS.from_user_input(dst_crs), (h, w)
    profile = {
        "driver": "COG",
        "dtype": "float32",
        "count": arr.shape[0],
        "height": height,
        "width": width,
        "crs": crs,
        "transform": transform,
        "nodata": NODATA,
        "compress": "DEFLATE",
        "blocksize": 256,
        "overview_resampling": "MODE" if categorical else "AVERAGE",
        "BIGTIFF": "IF_SAFER",
    }
    tmp = path.with_name(path.name + ".tmp")
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(arr)
        unit = units or data.attrs.get("units")
        for b in range(arr.shape[0]):
            if descriptions is not None:
                dst.set_band_description(b + 1, descriptions[b])
            if unit:
                dst.update_tags(b + 1, units=unit)
        dst.update_tags(source="seabed", long_name=str(data.attrs.get("long_name", data.name or "")))
    tmp.replace(path)
    return path
