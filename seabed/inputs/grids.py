"""Load gridded site inputs (bathymetry, sediment thickness, crustal age) and put them on
the working grid.

Source grids are CF NetCDF or GeoTIFF in geographic coordinates (EPSG:4326), e.g. the files
shipped in ``grids/``. :func:`resample_to_grid` interpolates them bilinearly (in longitude and
latitude) at the centre of every working-grid cell; a source cell is never treated as a sample.

What is refused (``InputDataError``/``CRSMismatchError``, one line naming the file): a file that
is not NetCDF/GeoTIFF, a missing variable, no finite values, a projected CRS, coordinates outside
lon -180…360 / lat -90…90 or in metres, a grid that does not cover every working-grid cell
inside the area, no data (NaN) at more than 1 % of those cells, and an elevation grid that is
mostly positive over the area (depths given positive down). Accepted with a one-line warning in
``attrs["warnings"]`` (and the log): a few NaN cells (≤ 1 %), a non-WGS84 geographic datum,
``positive = "down"`` depths negated to elevation. See ``docs/inputs.md``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyproj
import rioxarray
import xarray as xr
from scipy.interpolate import RegularGridInterpolator
from shapely.geometry.base import BaseGeometry

from seabed.errors import ConfigError, CRSMismatchError, InputDataError
from seabed.working_grid import WorkingGrid

__all__ = ["MAX_NAN_FRACTION", "load_grid", "resample_to_grid"]

#: Largest fraction of the working-grid cells inside the area that may get no value (NaN in the
#: source, e.g. land or coastline cells) before a grid is refused; up to it, a warning.
MAX_NAN_FRACTION = 0.01

_LON_NAMES = ("x", "lon", "longitude", "long", "lons")
_LAT_NAMES = ("y", "lat", "latitude", "lats")
#: First bytes of NetCDF-3 (classic, 64-bit offset, CDF-5), NetCDF-4/HDF5, TIFF and BigTIFF.
_MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_ELEVATION_WORDS = ("depth", "elev", "bathy", "topo", "altitude", "height")

_log = logging.getLogger(__name__)


def load_grid(path: str | Path, variable: str, *, units: str | None = None,
              elevation: bool | None = None) -> xr.DataArray:
    """Load one variable of a geographic grid as a ``(y, x)`` DataArray with CRS and units.

    Parameters
    ----------
    path : str or Path
        NetCDF (``.nc``) or GeoTIFF (``.tif``) file in EPSG:4326 (longitudes in -180…180 or
        0…360; latitudes ascending or descending).
    variable : str
        Variable name in a NetCDF file (ignored for a single-band GeoTIFF, which gets this name).
    units : str, optional
        Units to assume if the file does not state them (e.g. ``"m"``).
    elevation : bool, optional
        The grid is bathymetry/elevation (negative below sea level): a variable with the CF
        attribute ``positive = "down"`` holds depths and is negated (with a warning). Default:
        inferred from that attribute and a depth/elevation-like variable name.

    Returns
    -------
    xarray.DataArray
        Dims ``("y", "x")``, ``x`` = longitude (degrees east, ascending; a grid across the
        antimeridian in 0…360), ``y`` = latitude (degrees north), CRS EPSG:4326,
        ``attrs["units"]`` set, ``attrs["warnings"]`` (one-line strings) when something was
        accepted with a warning.

    Raises
    ------
    InputDataError
        Missing, empty or unreadable file (not NetCDF/GeoTIFF), missing variable (the message
        lists those present), not 2-D, fewer than 2 rows or columns, no finite values, no units,
        coordinates outside lon -180…360 / lat -90…90 or in metres without a CRS.
    CRSMismatchError
        A projected (non-geographic) CRS.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"{path}: file not found; expected a grid file (NetCDF or GeoTIFF); fix the path in the config")
    if path.stat().st_size == 0:
        raise InputDataError(f"{path}: empty file (0 bytes); expected a NetCDF or GeoTIFF grid; fix: copy the grid again")
    try:
        if path.suffix.lower() in (".tif", ".tiff"):
            raster = rioxarray.open_rasterio(path, masked=True)
            if raster.sizes.get("band", 1) != 1:
                raise InputDataError(
                    f"{path}: {raster.sizes['band']} bands; expected a single-band GeoTIFF; "
                    "fix: extract the band you mean (gdal_translate -b N)"
                )
            da = raster.squeeze("band", drop=True).rename(variable).load()
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
        with path.open("rb") as f:
            head = f.read(8)
        if not head.startswith(_MAGIC):
            raise InputDataError(
                f"{path}: not a NetCDF or GeoTIFF file (it starts with {head!r}); expected a NetCDF (.nc) or "
                "GeoTIFF (.tif) grid; fix: convert it (e.g. gdal_translate -of netCDF) or fix the path in the config"
            ) from None
        raise InputDataError(
            f"{path}: cannot read grid ({_one_line(exc)}); expected a readable NetCDF or GeoTIFF; "
            "fix: check the file (ncdump -h or gdalinfo)"
        ) from None
    da = _standardise_dims(da, path, variable)
    warnings: list[str] = []
    try:
        rcrs = da.rio.crs
        crs = None if rcrs is None else pyproj.CRS.from_user_input(rcrs.to_wkt())
    except Exception as exc:  # noqa: BLE001 (a malformed grid_mapping)
        raise CRSMismatchError(
            f"{path}: cannot read the CRS of {variable!r} ({_one_line(exc)}); expected EPSG:4326; "
            "fix the grid_mapping/crs_wkt of the file"
        ) from None
    if crs is not None and not crs.is_geographic:
        raise CRSMismatchError(
            f"{path}: variable {variable!r} has the projected CRS {crs.name!r}; expected geographic lon/lat "
            f"(EPSG:4326); fix: reproject it, e.g. gdalwarp -t_srs EPSG:4326 -r bilinear {path.name} out.tif"
        )
    if crs is None:
        _refuse_metre_coordinates(da, path)
    elif not crs.equals("EPSG:4326", ignore_axis_order=True):
        warnings.append(f"{path}: geographic CRS {crs.name!r} read as WGS84 (EPSG:4326); a datum shift of up to a "
                        "few hundred metres is ignored")
    x, y = da["x"].values, da["y"].values
    if not (x.min() >= -180 and x.max() <= 360 and y.min() >= -90 and y.max() <= 90):
        raise InputDataError(
            f"{path}: coordinates span x {x.min():.6g}…{x.max():.6g}, y {y.min():.6g}…{y.max():.6g}, outside "
            f"lon -180…360 / lat -90…90 ({'no CRS in the file' if crs is None else crs.name}); expected longitude/"
            "latitude in degrees (EPSG:4326), so these look like projected coordinates; fix: reproject to "
            f"EPSG:4326 (gdalwarp -t_srs EPSG:4326) or add the file's CRS"
        )
    da = da.rio.write_crs("EPSG:4326")
    finite = np.isfinite(da.values)
    if not finite.any():
        raise InputDataError(
            f"{path}: variable {variable!r} contains no finite values (all {finite.size:,} cells are NaN or the fill "
            "value); expected data over the site; fix: check the variable and the file's _FillValue/nodata"
        )
    unit = da.attrs.get("units", units)
    if not unit:
        raise InputDataError(f"{path}: variable {variable!r} has no 'units' attribute; fix: add it or set units in the config")
    da.attrs["units"] = unit
    da.attrs.setdefault("source_path", str(path))
    positive = str(da.attrs.get("positive", "")).strip().lower()
    if elevation is None:
        words = " ".join(str(v).lower() for v in (variable, da.attrs.get("standard_name", ""), da.attrs.get("long_name", "")))
        elevation = positive in ("up", "down") and any(w in words for w in _ELEVATION_WORDS)
    da = da.astype("float64")
    if elevation and positive == "down":
        da = -da
        da.attrs["positive"] = "up"
        warnings.append(f"{path}: variable {variable!r} has positive = 'down' (depths); negated to elevation "
                        "(negative below sea level)")
    if warnings:
        for w in warnings:
            _log.warning(w)
        da.attrs["warnings"] = warnings
    return da


def _refuse_metre_coordinates(da: xr.DataArray, path: Path) -> None:
    """No CRS: coordinates that say they are projected (units, standard_name) are refused."""
    for dim in ("x", "y"):
        attrs = da[dim].attrs
        unit = str(attrs.get("units", "")).strip().lower()
        std = str(attrs.get("standard_name", "")).lower()
        if (unit and not unit.startswith(("deg", "°"))) or std.startswith("projection_"):
            raise InputDataError(
                f"{path}: coordinate {attrs.get('seabed_name', dim)!r} has units {attrs.get('units')!r} "
                f"(standard_name {attrs.get('standard_name')!r}) and the file has no CRS; expected longitude/latitude "
                "in degrees (EPSG:4326); fix: reproject to EPSG:4326 (gdalwarp -t_srs EPSG:4326 with the source CRS)"
            )


def _standardise_dims(da: xr.DataArray, path: Path, variable: str) -> xr.DataArray:
    ren = {}
    for name in da.dims:
        if str(name).lower() in _LON_NAMES:
            ren[name] = "x"
        elif str(name).lower() in _LAT_NAMES:
            ren[name] = "y"
    da = da.rename(ren)
    extra = [d for d in da.dims if d not in ("x", "y") and da.sizes[d] == 1]
    if extra:
        da = da.squeeze(extra, drop=True)
    if set(da.dims) != {"x", "y"}:
        raise InputDataError(
            f"{path}: variable {variable!r} has dims {tuple(map(str, da.dims))} "
            f"{tuple(da.shape)}; expected 2-D (lat, lon) or (y, x); fix: select one 2-D field"
        )
    da = da.transpose("y", "x")
    for dim, what in (("x", "columns (longitudes)"), ("y", "rows (latitudes)")):
        if dim not in da.coords:
            raise InputDataError(
                f"{path}: variable {variable!r} has no {dim} coordinate values; expected 1-D longitude and latitude "
                "coordinates; fix: add them (or write the grid with its geotransform)"
            )
        orig = next((k for k, v in ren.items() if v == dim), dim)
        da[dim].attrs["seabed_name"] = str(orig)
        values = np.asarray(da[dim].values)
        if values.size < 2:
            raise InputDataError(
                f"{path}: variable {variable!r} has {values.size} {what}; expected at least 2 in each direction "
                "for bilinear interpolation; fix: use a grid around the whole site"
            )
        if not np.issubdtype(values.dtype, np.number) or not np.all(np.isfinite(values)):
            raise InputDataError(
                f"{path}: coordinate {orig!r} is not numeric and finite; expected degrees; fix the coordinates"
            )
        if np.unique(values).size != values.size:
            raise InputDataError(
                f"{path}: coordinate {orig!r} has repeated values; expected each {dim} once; fix the grid"
            )
    x = da["x"].values
    if not np.all(np.diff(x) > 0):
        da = da.sortby("x")
        x = da["x"].values
    step = np.diff(x)
    if x.min() < 0 < x.max() and step.max() > 1.5 * np.median(step):
        # Longitudes in -180…180 across the antimeridian: one grid in 0…360.
        wrapped = da.assign_coords(x=da["x"] % 360).sortby("x")
        wstep = np.diff(wrapped["x"].values)
        if wstep.max() <= 1.5 * np.median(wstep):
            da = wrapped
    if not np.all(np.diff(da["y"].values) > 0) and not np.all(np.diff(da["y"].values) < 0):
        da = da.sortby("y")
    return da


def resample_to_grid(source: xr.DataArray, grid: WorkingGrid, *, name: str | None = None,
                     area: BaseGeometry | None = None, elevation: bool | None = None,
                     max_nan_fraction: float = MAX_NAN_FRACTION) -> xr.DataArray:
    """Bilinear interpolation of a lon/lat grid at the working-grid cell centres.

    Parameters
    ----------
    source : xarray.DataArray
        ``(y, x)`` in degrees (from :func:`load_grid`); longitudes in -180…180 or 0…360
        (working-grid longitudes are mapped into the source's convention).
    grid : WorkingGrid
        Target grid.
    name : str, optional
        Name of the result (defaults to ``source.name``).
    area : shapely geometry, optional
        The lon/lat area that must be covered (the grid's extent); default every cell of ``grid``.
    elevation : bool, optional
        Check that the values are elevations (negative below sea level) over the area; default
        when the result is named ``"elevation"``.
    max_nan_fraction : float, default 0.01
        Largest fraction of the cells inside ``area`` allowed to get NaN from NaN source
        values (land, gaps); up to it, a warning.

    Returns
    -------
    xarray.DataArray
        ``(y, x)`` on the working grid, same units, NaN outside the source extent, with CRS;
        ``attrs["warnings"]`` (one-line strings) when something was accepted with a warning.

    Raises
    ------
    InputDataError
        The source has no finite values; a cell inside ``area`` lies outside the source grid
        (the message gives the covered fraction, the grid's and the area's bounds); more than
        ``max_nan_fraction`` of them get NaN; an elevation grid mostly positive over ``area``.
    ConfigError
        No working-grid cell centre inside ``area`` (cells too large).

    Notes
    -----
    Source values are taken at their coordinates (cell centres). A working-grid cell within
    half a source cell outside the outermost source centres takes the edge value (the source
    cells' own footprint); further out it is not covered.
    """
    src = source.attrs.get("source_path", source.name)
    label = name or source.name
    lon, lat = grid.lonlat()
    inside = grid.mask(area) if area is not None else np.ones(grid.shape, dtype=bool)
    n_inside = int(inside.sum())
    scope = "inside the area" if area is not None else "of the working grid"
    if n_inside == 0:
        raise ConfigError(
            f"grid.cell_size: got {grid.cell_size:g} m; no working-grid cell centre falls inside the area; "
            "expected at least one; fix: use smaller cells"
        )
    xs = np.asarray(source["x"].values, dtype=float)
    ys = np.asarray(source["y"].values, dtype=float)
    values = np.asarray(source.values, dtype=float)
    if ys[0] > ys[-1]:
        ys, values = ys[::-1], values[::-1]
    if xs[0] > xs[-1]:
        xs, values = xs[::-1], values[:, ::-1]
    if not np.isfinite(values).any():
        raise InputDataError(
            f"{src}: {label!r} contains no finite values; expected data over the site; "
            "fix: check the variable and the file's _FillValue/nodata"
        )
    hx0, hx1 = (xs[1] - xs[0]) / 2, (xs[-1] - xs[-2]) / 2
    hy0, hy1 = (ys[1] - ys[0]) / 2, (ys[-1] - ys[-2]) / 2
    # Working-grid longitudes (-180…180) in the source's convention (e.g. 0…360); unchanged where they already fit.
    lon_t = (lon - xs[0]) % 360.0 + xs[0]                                 # into [x0, x0 + 360)
    lon_t = np.where(lon_t - 360.0 >= xs[0] - hx0, lon_t - 360.0, lon_t)  # just west of the first column
    lon_t = np.where((lon >= xs[0] - hx0) & (lon <= xs[-1] + hx1), lon, lon_t)
    covered = (lon_t <= xs[-1] + hx1) & (lat >= ys[0] - hy0) & (lat <= ys[-1] + hy1)
    missing = inside & ~covered
    if missing.any():
        lon_r = np.where(lon_t > xs[0] + 180.0, lon_t - 360.0, lon_t)[inside]
        raise InputDataError(
            f"{src}: the grid does not cover the working area: {100 * (1 - missing.sum() / n_inside):.1f} % of the "
            f"{n_inside:,} working-grid cells {scope} are covered; the grid spans lon {xs[0] - hx0:.3f}…"
            f"{xs[-1] + hx1:.3f}, lat {ys[0] - hy0:.3f}…{ys[-1] + hy1:.3f}; those cells span lon {lon_r.min():.3f}…"
            f"{lon_r.max():.3f}, lat {lat[inside].min():.3f}…{lat[inside].max():.3f}; expected a grid covering the "
            "whole area; fix: use a grid that covers it (or a smaller grid.extent)"
        )
    interp = RegularGridInterpolator((ys, xs), values, method="linear", bounds_error=False, fill_value=np.nan)
    pts = np.column_stack([np.clip(lat, ys[0], ys[-1]).ravel(), np.clip(lon_t, xs[0], xs[-1]).ravel()])
    out = interp(pts).reshape(grid.shape)
    out[~covered] = np.nan
    warnings = list(source.attrs.get("warnings", []))
    nan_inside = inside & np.isnan(out)
    k = int(nan_inside.sum())
    if k:
        pct = 100 * k / n_inside
        where = (f"lon {lon[nan_inside].min():.3f}…{lon[nan_inside].max():.3f}, "
                 f"lat {lat[nan_inside].min():.3f}…{lat[nan_inside].max():.3f}")
        if k > max_nan_fraction * n_inside:
            raise InputDataError(
                f"{src}: {label!r} has no data (NaN) at {k:,} of the {n_inside:,} working-grid cells {scope} "
                f"({pct:.1f} %; {where}); expected at most {100 * max_nan_fraction:g} % (land or coastline cells); "
                "fix: fill the gaps in the grid or choose a grid.extent where it has data"
            )
        warnings.append(f"{src}: {label!r} has no data (NaN) at {k:,} of the {n_inside:,} working-grid cells {scope} "
                        f"({pct:.2f} %, {where}; up to {100 * max_nan_fraction:g} % accepted); masks using "
                        "this grid leave those cells out")
        _log.warning(warnings[-1])
    if elevation is None:
        elevation = label == "elevation"
    if elevation:
        v = out[inside & np.isfinite(out)]
        if v.size and np.median(v) > 0:
            raise InputDataError(
                f"{src}: {label!r} is positive over the working area (median {np.median(v):,.0f} m, "
                f"{100 * np.mean(v > 0):.0f} % of the cells above sea level); expected elevation negative below sea "
                "level at a deep-sea site; fix: negate the grid if it holds depths (positive down), or give the "
                "variable the attribute positive = \"down\" so that seabed negates it"
            )
    attrs = {k: v for k, v in source.attrs.items() if k in ("units", "long_name", "source")}
    attrs["resampling"] = "bilinear in longitude/latitude at cell centres"
    if warnings:
        attrs["warnings"] = warnings
    da = xr.DataArray(out, dims=("y", "x"), coords=grid.coords(), name=name or source.name, attrs=attrs)
    return grid.attach_crs(da)


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (no trailing period)."""
    return " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
