"""The equal-area working grid on which everything is estimated.

A :class:`WorkingGrid` is a regular raster of square cells in a Lambert azimuthal
equal-area (LAEA) projection centred on the site, so every cell has the true area
``cell_size**2`` on the WGS84 ellipsoid, plus a stack of depth layers below the
seafloor (:class:`Layers`).

Conventions (``docs/conventions.md``): coordinates are ``(x, y)`` in metres of the
working CRS; ``x`` ascends (west → east) and ``y`` descends (north → south, as in a
north-up GeoTIFF); values are cell centres; gridded arrays have dims
``(layer, y, x)``; depth is metres below seafloor (mbsf), positive down; layer
``i`` spans ``[top[i], bottom[i])``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
import xarray as xr
from affine import Affine
from shapely.geometry.base import BaseGeometry

from seabed.errors import ConfigError

__all__ = ["MAX_CELLS", "MAX_LAYERS", "MIN_CELLS", "Layers", "WorkingGrid", "laea_crs"]

#: Most cells (y × x) a working grid may have; checked before anything is allocated.
MAX_CELLS = 50_000_000
#: Fewest cells a working grid must put inside its extent (extent area / cell area).
MIN_CELLS = 10
#: Most depth layers :meth:`Layers.regular` makes.
MAX_LAYERS = 1_000
#: Edge, in cells, of the tiles :meth:`WorkingGrid.area_fraction` clips a geometry to.
_TILE = 16
#: Densification step (degrees) of the polygons :meth:`WorkingGrid.area_fraction` measures.
_AREA_STEP_DEG = 0.01


@dataclass(frozen=True)
class Layers:
    """Depth layers below the seafloor.

    Parameters
    ----------
    top, bottom : array_like
        Layer tops and bottoms, metres below seafloor (mbsf, positive down);
        contiguous or not, but each ``top < bottom`` and increasing.

    Examples
    --------
    >>> Layers.regular(0, 10, 1).n
    10
    """

    top: np.ndarray
    bottom: np.ndarray

    def __post_init__(self) -> None:
        top = np.asarray(self.top, dtype=float)
        bottom = np.asarray(self.bottom, dtype=float)
        if top.shape != bottom.shape or top.ndim != 1 or top.size == 0:
            raise ConfigError(
                f"layers: got {top.size} tops and {bottom.size} bottoms; expected equal-length, non-empty lists; "
                "fix the layer bounds"
            )
        if (not np.all(np.isfinite(top) & np.isfinite(bottom)) or np.any(top < 0) or np.any(bottom <= top)
                or np.any(top[1:] < bottom[:-1])):
            raise ConfigError(
                f"layers: got tops {top.tolist()} and bottoms {bottom.tolist()}; expected finite "
                "0 <= top < bottom, increasing and non-overlapping (metres below seafloor); fix the layer bounds"
            )
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "bottom", bottom)

    @classmethod
    def regular(cls, top: float = 0.0, bottom: float = 10.0, thickness: float = 1.0, *,
                max_layers: int = MAX_LAYERS) -> Layers:
        """Contiguous layers of equal ``thickness`` (m) from ``top`` to ``bottom`` (mbsf).

        Raises
        ------
        ConfigError
            A value is not finite, ``thickness <= 0``, ``top < 0``, ``bottom <= top``, the
            thickness does not divide ``bottom - top``, or there would be more than
            ``max_layers`` layers (default 1,000). Each message names the ``layers.*`` key.
        """
        for key, value in (("top", top), ("bottom", bottom), ("thickness", thickness)):
            if not np.isfinite(value):
                raise ConfigError(f"layers.{key}: got {value}; expected a finite length in metres; fix layers.{key}")
        if thickness <= 0:
            raise ConfigError(
                f"layers.thickness: got {thickness:g} m; expected a layer thickness > 0 m (e.g. '1 m'); "
                "fix layers.thickness"
            )
        if top < 0:
            raise ConfigError(
                f"layers.top: got {top:g} m; expected >= 0 m below seafloor (depth is positive down); fix layers.top"
            )
        if bottom <= top:
            raise ConfigError(
                f"layers.bottom: got {bottom:g} m <= layers.top {top:g} m; expected bottom > top "
                "(metres below seafloor, positive down); fix: swap or correct layers.top and layers.bottom"
            )
        ratio = (bottom - top) / thickness
        n = round(ratio)
        if n < 1 or not np.isclose(top + n * thickness, bottom):
            raise ConfigError(
                f"layers.thickness: got {thickness:g} m, which does not divide layers.top-layers.bottom "
                f"= {top:g}-{bottom:g} m ({ratio:.4g} layers); expected a whole number of layers; "
                "fix layers.thickness or layers.bottom"
            )
        if n > max_layers:
            raise ConfigError(
                f"layers.thickness: got {thickness:g} m giving {n:,} layers over {top:g}-{bottom:g} m; "
                f"expected at most {max_layers:,} layers; fix: use thicker layers "
                f"(at least {(bottom - top) / max_layers:.3g} m)"
            )
        edges = top + thickness * np.arange(n + 1)
        return cls(edges[:-1], edges[1:])

    @property
    def n(self) -> int:
        """Number of layers."""
        return int(self.top.size)

    @property
    def thickness(self) -> np.ndarray:
        """Layer thickness, m."""
        return self.bottom - self.top

    @property
    def mid(self) -> np.ndarray:
        """Layer mid-depth, mbsf."""
        return 0.5 * (self.top + self.bottom)

    @property
    def labels(self) -> list[str]:
        """Human-readable labels such as ``"0-1 mbsf"``."""
        return [f"{t:g}-{b:g} mbsf" for t, b in zip(self.top, self.bottom, strict=True)]

    def coords(self) -> dict[str, xr.Variable]:
        """xarray coordinates for a ``layer`` dimension (index, top, bottom, thickness)."""
        idx = np.arange(self.n)
        return {
            "layer": ("layer", idx, {"long_name": "depth layer index"}),
            "layer_top": ("layer", self.top, {"units": "m", "long_name": "layer top below seafloor", "positive": "down"}),
            "layer_bottom": ("layer", self.bottom, {"units": "m", "long_name": "layer bottom below seafloor", "positive": "down"}),
        }


def laea_crs(lon0: float, lat0: float) -> pyproj.CRS:
    """Lambert azimuthal equal-area CRS on WGS84 centred at (lon0, lat0), metres."""
    return pyproj.CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


@dataclass(frozen=True)
class WorkingGrid:
    """A north-up raster of square equal-area cells with depth layers.

    Parameters
    ----------
    crs : pyproj.CRS
        Projected equal-area CRS (metres).
    x : ndarray
        Cell-centre eastings, m, ascending.
    y : ndarray
        Cell-centre northings, m, descending.
    cell_size : float
        Cell edge length, m.
    layers : Layers
        Depth layers below seafloor.
    """

    crs: pyproj.CRS
    x: np.ndarray
    y: np.ndarray
    cell_size: float
    layers: Layers = field(default_factory=Layers.regular)

    @classmethod
    def covering(
        cls,
        geometry_lonlat: BaseGeometry,
        *,
        cell_size: float,
        center: tuple[float, float] | None = None,
        layers: Layers | None = None,
        max_cells: int = MAX_CELLS,
        min_cells: int = MIN_CELLS,
    ) -> WorkingGrid:
        """The grid of ``cell_size`` (m) cells covering a lon/lat geometry.

        Cell edges are aligned to multiples of ``cell_size`` from the projection
        centre, which defaults to the geometry's centroid.

        Parameters
        ----------
        geometry_lonlat : shapely geometry
            The extent, longitude/latitude degrees (longitudes in -180…180 or 0…360).
        cell_size : float
            Cell edge, m.
        center : (float, float), optional
            LAEA centre (lon, lat), degrees; default the geometry's centroid.
        layers : Layers, optional
            Default :meth:`Layers.regular` (0-10 mbsf in 1 m layers).
        max_cells : int, default 50,000,000
            Most cells (ny × nx) allowed; checked from the shape before anything is allocated.
        min_cells : int, default 10
            Fewest cells the extent must hold (its equal-area area / ``cell_size**2``).

        Raises
        ------
        ConfigError
            ``cell_size`` not finite or <= 0, giving more than ``max_cells`` cells or fewer
            than ``min_cells`` inside the extent (the message names ``grid.cell_size``); an
            empty extent or a centre outside lon/lat range.
        """
        if not np.isfinite(cell_size) or cell_size <= 0:
            raise ConfigError(f"grid.cell_size: got {cell_size} m; expected a finite length > 0; fix grid.cell_size")
        if geometry_lonlat.is_empty:
            raise ConfigError("grid.extent: the extent area is empty; expected a polygon with an area; fix the area")
        if center is None:
            c = geometry_lonlat.centroid
            center = (c.x, c.y)
        lon0, lat0 = center
        if not (np.isfinite(lon0) and np.isfinite(lat0) and -180 <= lon0 <= 360 and -90 <= lat0 <= 90):
            raise ConfigError(
                f"grid.center: got ({lon0}, {lat0}); expected (longitude -180…360, latitude -90…90) degrees; "
                "fix grid.center"
            )
        crs = laea_crs(*center)
        proj = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        projected = shapely.transform(_densify(geometry_lonlat), proj.transform, interleaved=False)
        xmin, ymin, xmax, ymax = projected.bounds
        if not np.all(np.isfinite([xmin, ymin, xmax, ymax])):
            raise ConfigError(
                "grid.extent: the extent cannot be projected around its centre (it spans too much of the globe); "
                "expected a site-sized area; fix: use a smaller extent"
            )
        x0 = np.floor(xmin / cell_size) * cell_size
        x1 = np.ceil(xmax / cell_size) * cell_size
        y0 = np.floor(ymin / cell_size) * cell_size
        y1 = np.ceil(ymax / cell_size) * cell_size
        nx = max(1, round((x1 - x0) / cell_size))
        ny = max(1, round((y1 - y0) / cell_size))
        if nx * ny > max_cells:
            smallest = cell_size * np.sqrt(nx * ny / max_cells)
            raise ConfigError(
                f"grid.cell_size: got {cell_size:g} m giving {nx:,} x {ny:,} = {nx * ny:,} cells; expected at most "
                f"{max_cells:,} cells; fix: use cells of at least {_length(smallest)} or a smaller extent"
            )
        inside = projected.area / cell_size**2
        if inside < min_cells:
            largest = np.sqrt(projected.area / min_cells)
            raise ConfigError(
                f"grid.cell_size: got {_length(cell_size)}, so the extent ({projected.area / 1e6:,.0f} km²) holds "
                f"~{inside:.2g} cells inside it; expected at least {min_cells} cells inside the extent; "
                f"fix: use cells of at most {_length(largest)}"
            )
        x = x0 + cell_size * (np.arange(nx) + 0.5)
        y = y1 - cell_size * (np.arange(ny) + 0.5)
        return cls(crs=crs, x=x, y=y, cell_size=float(cell_size), layers=layers or Layers.regular())

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``."""
        return (self.y.size, self.x.size)

    @property
    def cell_area(self) -> float:
        """Area of one cell, m² (exact: the CRS is equal-area)."""
        return self.cell_size**2

    @property
    def transform(self) -> Affine:
        """Affine transform of the cell edges (rasterio convention)."""
        half = self.cell_size / 2
        return Affine(self.cell_size, 0.0, self.x[0] - half, 0.0, -self.cell_size, self.y[0] + half)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` of the cell edges, m."""
        half = self.cell_size / 2
        return (self.x[0] - half, self.y[-1] - half, self.x[-1] + half, self.y[0] + half)

    def cell_centres(self) -> np.ndarray:
        """Cell centres as an ``(ny*nx, 2)`` array of ``(x, y)``, row-major (y outer)."""
        xx, yy = np.meshgrid(self.x, self.y)
        return np.column_stack([xx.ravel(), yy.ravel()])

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project working-CRS ``x, y`` (m) to longitude, latitude (degrees)."""
        t = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        return t.transform(x, y)

    def from_lonlat(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project longitude, latitude (degrees) to working-CRS ``x, y`` (m)."""
        t = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        return t.transform(lon, lat)

    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of every cell centre, each ``(ny, nx)``, degrees."""
        xx, yy = np.meshgrid(self.x, self.y)
        return self.to_lonlat(xx, yy)

    def project_geometry(self, geometry_lonlat: BaseGeometry, *, max_step_deg: float = 0.05) -> BaseGeometry:
        """A lon/lat geometry in the working CRS, its edges densified every ``max_step_deg``
        degrees of longitude or latitude first so that they follow the projection (a box's
        parallels curve in the LAEA plane)."""
        t = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        return shapely.transform(_densify(geometry_lonlat, max_step_deg), t.transform, interleaved=False)

    def mask(self, geometry_lonlat: BaseGeometry) -> np.ndarray:
        """Boolean ``(ny, nx)``: cells whose centre lies inside a lon/lat geometry.

        For areas and tonnages use :meth:`area_fraction`: a centre test counts a cut cell whole
        or not at all (the Takaya box at 1 km cells: 3,200 km² by centres, 3,172 km² true).
        """
        geom = self.project_geometry(geometry_lonlat)
        xx, yy = np.meshgrid(self.x, self.y)
        return shapely.contains_xy(geom, xx, yy)

    def area_fraction(self, geometry_lonlat: BaseGeometry) -> np.ndarray:
        """Fraction of each cell's area inside a lon/lat geometry, ``(ny, nx)`` float in [0, 1].

        Parameters
        ----------
        geometry_lonlat : shapely geometry
            A polygon or multipolygon, longitude/latitude degrees (holes allowed).

        Returns
        -------
        numpy.ndarray
            ``area(cell ∩ geometry) / cell_area``: 1 inside, 0 outside, between on the boundary.

        Notes
        -----
        The geometry is densified (every 0.01° of longitude or latitude: a parallel's chord
        then strays < 1 cm from it, a few m² per cut 1 km cell) and projected to the working
        CRS (:meth:`project_geometry`); the CRS is equal-area, so the planar area of a
        projected cell ∩ the projected geometry is its true area on the ellipsoid. Only cells
        that a boundary segment's bounding box touches are intersected (shapely 2, vectorised,
        in tiles of 16 × 16 cells so that each cell meets a few vertices only); every other cell
        lies wholly inside or outside and takes its centre's side. A 200-nmi EEZ circle on
        1 km cells (431k cells, ~5,400 on the boundary) takes ~0.2 s; the sum of the fractions
        × ``cell_area`` is the geodesic area to ~1e-7 (tested with ``pyproj.Geod``).

        Examples
        --------
        >>> from seabed.inputs.areas import TAKAYA_2018_BOX, study_box
        >>> box = study_box(*TAKAYA_2018_BOX)
        >>> grid = WorkingGrid.covering(box, cell_size=1000.0)
        >>> round(float(grid.area_fraction(box).sum() * grid.cell_area / 1e6), 1)  # km²
        3172.4
        """
        geom = self.project_geometry(geometry_lonlat, max_step_deg=_AREA_STEP_DEG)
        shapely.prepare(geom)
        xx, yy = np.meshgrid(self.x, self.y)
        out = shapely.contains_xy(geom, xx, yy).astype(float)
        rows, cols = self._boundary_cells(geom)
        if rows.size == 0:
            return out
        cs, nx = self.cell_size, self.shape[1]
        xmin, _, _, ymax = self.bounds
        # clip the geometry to tiles of _TILE x _TILE cells first: each cell then meets only the
        # few vertices of its tile's piece, not the whole boundary
        per_row = nx // _TILE + 1
        tiles, which = np.unique((rows // _TILE) * per_row + cols // _TILE, return_inverse=True)
        t_row, t_col = np.divmod(tiles, per_row)
        pieces = shapely.intersection(shapely.box(
            xmin + t_col * _TILE * cs, ymax - (t_row + 1) * _TILE * cs,
            xmin + (t_col + 1) * _TILE * cs, ymax - t_row * _TILE * cs), geom)
        half = cs / 2
        cells = shapely.box(self.x[cols] - half, self.y[rows] - half, self.x[cols] + half, self.y[rows] + half)
        area = shapely.area(shapely.intersection(cells, pieces[which.ravel()]))
        out[rows, cols] = np.clip(area / self.cell_area, 0.0, 1.0)
        return out

    def _boundary_cells(self, geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of every cell that the bounding box of a boundary segment of a
        projected geometry touches (a superset of the cells the boundary crosses)."""
        lines = shapely.get_parts(shapely.get_parts(shapely.boundary(shapely.get_parts(geom))))
        coords, part = shapely.get_coordinates(lines, return_index=True)
        same = part[:-1] == part[1:]
        a, b = coords[:-1][same], coords[1:][same]
        if a.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        (ny, nx), cs = self.shape, self.cell_size
        xmin, _, _, ymax = self.bounds
        eps = 1e-9 * cs  # a segment on a cell edge touches the cells on both sides

        def index(offset: np.ndarray, n: int) -> np.ndarray:
            return np.clip(np.floor(offset / cs), 0, n - 1).astype(np.int64)

        c0 = index(np.minimum(a[:, 0], b[:, 0]) - eps - xmin, nx)
        c1 = index(np.maximum(a[:, 0], b[:, 0]) + eps - xmin, nx)
        r0 = index(ymax - np.maximum(a[:, 1], b[:, 1]) - eps, ny)
        r1 = index(ymax - np.minimum(a[:, 1], b[:, 1]) + eps, ny)
        n_cols = c1 - c0 + 1
        counts = (r1 - r0 + 1) * n_cols
        seg = np.repeat(np.arange(counts.size), counts)
        k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        flat = np.unique((r0[seg] + k // n_cols[seg]) * nx + c0[seg] + k % n_cols[seg])
        return np.divmod(flat, nx)

    def coords(self) -> dict[str, tuple]:
        """xarray coordinates ``x``, ``y`` (CF projection coordinates, m)."""
        return {
            "x": ("x", self.x, {"units": "m", "standard_name": "projection_x_coordinate", "axis": "X"}),
            "y": ("y", self.y, {"units": "m", "standard_name": "projection_y_coordinate", "axis": "Y"}),
        }

    def empty(self, name: str, *, units: str, layered: bool = True, fill: float = np.nan) -> xr.DataArray:
        """A float DataArray on this grid, dims ``(layer, y, x)`` or ``(y, x)``, with CRS."""
        coords = dict(self.coords())
        if layered:
            coords |= self.layers.coords()
            shape = (self.layers.n, *self.shape)
            dims = ("layer", "y", "x")
        else:
            shape = self.shape
            dims = ("y", "x")
        da = xr.DataArray(np.full(shape, fill), dims=dims, coords=coords, name=name, attrs={"units": units})
        return self.attach_crs(da)

    def attach_crs(self, obj: xr.DataArray | xr.Dataset) -> xr.DataArray | xr.Dataset:
        """Return ``obj`` with the working CRS written CF-style (``spatial_ref``).

        A shallow copy: the data are shared with ``obj``, not copied (rioxarray's default
        copies every array, twice).
        """
        import rioxarray  # noqa: F401  (registers the .rio accessor)

        out = obj.copy(deep=False)
        out.rio.write_crs(self.crs.to_wkt(), inplace=True)
        return out.rio.write_transform(self.transform, inplace=True)


def _length(metres: float) -> str:
    """``"1.2 km"`` or ``"350 m"`` (3 significant figures)."""
    return f"{metres / 1000:.3g} km" if metres >= 1000 else f"{metres:.3g} m"


def _densify(geom: BaseGeometry, max_step_deg: float = 0.05) -> BaseGeometry:
    """Add vertices so that straight lon/lat edges follow the projection."""
    return shapely.segmentize(geom, max_step_deg)
