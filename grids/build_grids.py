"""Rebuild the shipped site grids in this folder from ``../shared/data``.

The source files are regional subsets (cut by the project steward from the grids bundled in the
pybacktrack 1.5.0 wheel; see README.md here). This script only adds what seabed needs on top:
an explicit CRS (EPSG:4326, CF ``crs`` grid mapping via rioxarray), CF axis attributes, and
provenance attributes. Values are copied unchanged.

Usage: ``python grids/build_grids.py [SOURCE_DIR]``
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import rioxarray  # noqa: F401
import xarray as xr

HERE = Path(__file__).resolve().parent
SITES = ("minamitorishima", "okinotorishima")
KINDS = ("bathymetry", "sediment_thickness", "crustal_age")


def build(source: Path) -> None:
    for site in SITES:
        for kind in KINDS:
            src = source / f"{site}_{kind}.nc"
            digest = hashlib.sha256(src.read_bytes()).hexdigest()
            with xr.open_dataset(src) as ds:
                ds = ds.load()
            ds = ds.rename({"lon": "x", "lat": "y"}) if "lon" in ds.dims else ds
            ds["x"].attrs.update(units="degrees_east", standard_name="longitude", axis="X")
            ds["y"].attrs.update(units="degrees_north", standard_name="latitude", axis="Y")
            ds = ds.rio.write_crs("EPSG:4326")
            for v in ds.data_vars:
                if v != "spatial_ref":
                    ds[v].attrs["grid_mapping"] = "spatial_ref"
            ds.attrs.update(
                Conventions="CF-1.8",
                title=f"{site} {kind.replace('_', ' ')}",
                source_file=src.name,
                source_sha256=digest,
                history="copied by grids/build_grids.py (CRS and CF axis attributes added; values unchanged)",
            )
            out = HERE / f"{site}_{kind}.nc"
            tmp = out.with_suffix(".nc.tmp")
            ds.to_netcdf(tmp, encoding={v: {"zlib": True, "complevel": 4} for v in ds.data_vars if v != "spatial_ref"})
            tmp.replace(out)
            print(out.name)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data")
