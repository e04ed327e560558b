"""Load gridded site inputs (bathymetry, sediment thickness, crustal age) and put them on
the working grid.

Source grids are CF NetCDF or GeoTIFF in geographic coordinates (EPSG:4326), e.g. the files
shipped in ``grids/``. :func:`resample_to_grid` interpolates them bilinearly (in longitude and
latitude) at the centre of every working-grid cell; a source cell is never treated as a sample.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rioxarray
import xarray as xr
from scipy.interpolate import RegularGridInterpolator

from seabed.errors import CRSMismatchError, InputDataError
from seabed.working_grid import WorkingGrid

__all__ = ["load_grid", "resample_to_grid"]

_LON_NAMES = ("x", "lon", "longitude")
_LAT_NAMES = ("y", "lat", "latitude")


def load_grid(path: str | Path, variable: str, *, units: str | None = None) -> xr.DataArray:
    """Load one variable of a geographic grid as a ``(y, x)`` DataArray with CRS and units.

    Parameters
    ----------
    path : str or Path
        NetCDF (``.nc``) or GeoTIFF (``.tif``) file in EPSG:4326.
    variable : str
        Variable name in a NetCDF file (ignored for a single-band GeoTIFF, which gets this name).
    units : str, optional
        Units to assume if the file does not state them (e.g. ``"m"``).

    Returns
    -------
    xarray.DataArray
        Dims ``("y", "x")``, ``x`` = longitude (degrees east, ascending), ``y`` = latitude
        (degrees north), CRS EPSG:4326, ``attrs["units"]`` set.

    Raises
    ------
    InputDataError
        Missing file or variable, no units, non-geographic coordinates.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"{path}: file not found; expected a grid file (NetCDF or GeoTIFF); fix the path in the config")
    try:
        if path.suffix.lower() in (".tif", ".tiff"):
            da = rioxarray.open_rasterio(path, masked=True).squeeze("band", drop=True).rename(variable).load()
        else:
            with xr.open_dataset(path, decode_coords="all") as ds:
                if variable not in ds.data_vars:
                    raise InputDataError(
                        f"{path}: variable {variable!r} not found; the file has {sorted(map(str, ds.data_vars))}; "
                        "fix the variable name in the config"
                    )
                da = ds[variable].load()
    except InputDataError:
        raise
    except Exception as exc:  # noqa: BLE001 (unreadable or corrupt file: any reader error)
        raise InputDataError(f"{path}: cannot read grid ({exc}); expected NetCDF or GeoTIFF") from None
    da = _standardise_dims(da, path)
    crs = da.rio.crs
    if crs is not None and not crs.is_geographic:
        raise CRSMismatchError(f"{path}: CRS {crs.to_string()}; expected geographic lon/lat (EPSG:4326); fix: reproject the grid")
    da = da.rio.write_crs("EPSG:4326")
    unit = da.attrs.get("units", units)
    if not unit:
        raise InputDataError(f"{path}: variable {variable!r} has no 'units' attribute; fix: add it or set units in the config")
    da.attrs["units"] = unit
    da.attrs.setdefault("source_path", str(path))
    return da.astype("float64")


def _standardise_dims(da: xr.DataArray, path: Path) -> xr.DataArray:
    ren = {}
    for name in da.dims:
        if name in _LON_NAMES:
            ren[name] = "x"
        elif name in _LAT_NAMES:
            ren[name] = "y"
    da = da.rename(ren)
    if set(da.dims) != {"x", "y"}:
        raise InputDataError(f"{path}: grid dims {da.dims}; expected 2-D (lat, lon) or (y, x)")
    da = da.transpose("y", "x")
    if not (np.all(np.diff(da.x) > 0)):
        da = da.sortby("x")
    return da


def resample_to_grid(source: xr.DataArray, grid: WorkingGrid, *, name: str | None = None) -> xr.DataArray:
    """Bilinear interpolation of a lon/lat grid at the working-grid cell centres.

    Parameters
    ----------
    source : xarray.DataArray
        ``(y, x)`` in degrees (from :func:`load_grid`).
    grid : WorkingGrid
        Target grid.
    name : str, optional
        Name of the result (defaults to ``source.name``).

    Returns
    -------
    xarray.DataArray
        ``(y, x)`` on the working grid, same units, NaN outside the source extent, with CRS.

    Raises
    ------
    InputDataError
        If the working grid lies entirely outside the source grid.
    """
    lon, lat = grid.lonlat()
    lat_src = source["y"].values
    values = source.values
    if lat_src[0] > lat_src[-1]:
        lat_src = lat_src[::-1]
        values = values[::-1]
    interp = RegularGridInterpolator(
        (lat_src, source["x"].values), values, method="linear", bounds_error=False, fill_value=np.nan
    )
    out = interp(np.column_stack([lat.ravel(), lon.ravel()])).reshape(grid.shape)
    if np.all(np.isnan(out)):
        raise InputDataError(
            f"{source.attrs.get('source_path', source.name)}: the grid does not cover the working area "
            f"(lon {lon.min():.2f}–{lon.max():.2f}, lat {lat.min():.2f}–{lat.max():.2f}); fix: use the site's grid"
        )
    da = xr.DataArray(
        out, dims=("y", "x"), coords=grid.coords(), name=name or source.name,
        attrs={**{k: v for k, v in source.attrs.items() if k in ("units", "long_name", "source")},
               "resampling": "bilinear in longitude/latitude at cell centres"},
    )
    return grid.attach_crs(da)
