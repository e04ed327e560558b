"""Where the estimation results go: the (element, layer, y, x) grade and variance cubes and the
(layer, y, x) diagnostics, in memory or block by block in a NetCDF store (:class:`CubeWriter`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import numpy as np
import xarray as xr

__all__ = ["LAYERED", "CubeWriter"]

#: Per-(layer, y, x) diagnostics: name → (fill, dtype, units, long_name).
LAYERED = {
    "slope_of_regression": (np.nan, float, "1", "slope of regression of true on estimated grade"),
    "kriging_efficiency": (np.nan, float, "1", "kriging efficiency (BV - KV) / BV"),
    "n_samples": (0, np.int32, "1", "number of composites used"),
    "nearest_distance": (np.nan, float, "m", "distance from cell centre to the nearest composite used"),
    "negative_weight_sum": (np.nan, float, "1", "sum of negative estimation weights"),
    "reason": (2, np.int8, "1", "estimation status"),
}


class CubeWriter:
    """Receives the estimation results block by block.

    The (element, layer, y, x) estimate and variance and the (layer, y, x) diagnostics of
    :data:`LAYERED`: in memory without ``store``; otherwise written into a NetCDF4/HDF5
    file chunked by ``chunk_rows`` rows and read back lazily with Dask, so the caller holds
    a few blocks, never the grid.
    """

    names = ("grade", "kriging_variance")

    def __init__(self, shape: tuple[int, int, int, int], *, store: str | Path | None, chunk_rows: int) -> None:
        self.shape = shape
        self.store = None if store is None else Path(store)
        self.chunk_rows = min(max(1, chunk_rows), shape[2])
        self._nc: Any = None
        self._arrays: dict[str, np.ndarray] = {}

    def __enter__(self) -> Self:
        _, n_l, ny, nx = self.shape
        if self.store is None:
            self._arrays = {name: np.full(self.shape, np.nan) for name in self.names}
            self._arrays |= {name: np.full((n_l, ny, nx), spec[0], dtype=spec[1]) for name, spec in LAYERED.items()}
            return self
        import netCDF4

        self.store.parent.mkdir(parents=True, exist_ok=True)
        nc = netCDF4.Dataset(self.store, "w", format="NETCDF4")
        for dim, size in zip(("element", "layer", "y", "x"), self.shape, strict=True):
            nc.createDimension(dim, size)
        for name in self.names:
            nc.createVariable(name, "f8", ("element", "layer", "y", "x"), fill_value=np.nan,
                              chunksizes=(1, 1, self.chunk_rows, nx))
        for name, (fill, dtype, _, _) in LAYERED.items():
            nc.createVariable(name, np.dtype(dtype), ("layer", "y", "x"), fill_value=fill,
                              chunksizes=(1, self.chunk_rows, nx))
        self._nc = nc
        return self

    def write(self, rows: slice, cells: np.ndarray, estimate: np.ndarray, variance: np.ndarray,
              diagnostics: dict[str, np.ndarray]) -> None:
        """Put the values of ``cells`` (flat indices within the block ``rows``) in place.

        ``estimate``, ``variance``: (cells, element × layer); ``diagnostics``: name → (cells, layer).
        """
        n_el, n_l, _, nx = self.shape
        n_rows = rows.stop - rows.start
        for name, values in ((self.names[0], estimate), (self.names[1], variance), *diagnostics.items()):
            fill, dtype = (np.nan, float) if name in self.names else LAYERED[name][:2]
            lead = (n_el, n_l) if name in self.names else (n_l,)
            n_lead = int(np.prod(lead))
            if self._nc is None:
                flat = self._arrays[name].reshape(n_lead, -1)
                flat[:, rows.start * nx + cells] = values.T
                continue
            block = np.full((n_lead, n_rows * nx), fill, dtype=dtype)
            block[:, cells] = values.T
            self._nc.variables[name][..., rows, :] = block.reshape(*lead, n_rows, nx)

    def __exit__(self, *exc: object) -> None:
        if self._nc is not None:
            self._nc.close()

    def arrays(self) -> dict[str, Any]:
        """Every result by name: numpy arrays, or Dask arrays reading the store."""
        if self.store is None:
            return self._arrays
        ds = xr.open_dataset(self.store, chunks={"element": -1, "layer": -1, "y": self.chunk_rows, "x": -1},
                             cache=False, mask_and_scale=False)
        return {name: ds[name].data for name in (*self.names, *LAYERED)}
