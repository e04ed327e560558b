"""Dry bulk density of the mud: constant, per layer, gridded, or derived.

Tonnages are dry tonnes, so the density used is the *dry* bulk density (mass of
solids per unit volume of wet sediment in place), in t/m³.

Sources of the defaults (DOMAIN.md)
-----------------------------------
- 0.55 t/m³: value implied by the 16 Mt REO of Takaya et al. (2018) [C];
- Pacific red clay: wet bulk density 1.30–1.34 g/cm³, grain density ~2.5 g/cm³,
  i.e. dry bulk density 0.47–0.53 t/m³ (Bruevich & Kulik 1967);
- seawater (pore water) density 1.025 g/cm³.

Examples
--------
>>> from seabed.units import Quantity
>>> rho = dry_density_from_wet(Quantity(1.32, "g/cm^3"))
>>> round(float(rho.to("t/m^3").magnitude), 3)
0.5
"""

from __future__ import annotations

import numpy as np
import pint
import xarray as xr

from seabed.config.resource import DensitySettings
from seabed.errors import ConfigError, InputDataError
from seabed.units import Quantity, parse_quantity
from seabed.working_grid import WorkingGrid

__all__ = [
    "SEAWATER_DENSITY",
    "density_field",
    "dry_density_from_water_content",
    "dry_density_from_wet",
]

#: Default seawater / pore-water density.
SEAWATER_DENSITY = Quantity(1.025, "g/cm^3")
_GRAIN_DENSITY = Quantity(2.5, "g/cm^3")

DENSITY_UNITS = "t/m^3"


def _density(value: pint.Quantity | str, field: str) -> pint.Quantity:
    return parse_quantity(value, "[mass]/[length]**3", field=field)


def dry_density_from_wet(
    wet_bulk_density: pint.Quantity | str,
    *,
    grain_density: pint.Quantity | str = _GRAIN_DENSITY,
    seawater_density: pint.Quantity | str = SEAWATER_DENSITY,
) -> pint.Quantity:
    """Dry bulk density of saturated sediment from its wet bulk density.

    Parameters
    ----------
    wet_bulk_density : pint.Quantity or str
        Wet (saturated) bulk density, e.g. ``"1.32 g/cm^3"``; may be an array quantity.
    grain_density : pint.Quantity or str, default 2.5 g/cm³
        Density of the solid grains ρ_s.
    seawater_density : pint.Quantity or str, default 1.025 g/cm³
        Density of the pore water ρ_sw.

    Returns
    -------
    pint.Quantity
        Dry bulk density in t/m³.

    Notes
    -----
    With porosity φ, ρ_wet = φ ρ_sw + (1 − φ) ρ_s and ρ_dry = (1 − φ) ρ_s, hence

    .. math:: ρ_{dry} = ρ_s (ρ_{wet} − ρ_{sw}) / (ρ_s − ρ_{sw}).

    Raises
    ------
    InputDataError
        If a wet density is not between the pore-water and grain densities.
    """
    wet = _density(wet_bulk_density, "wet_bulk_density").to("t/m^3")
    rho_s = _density(grain_density, "grain_density").to("t/m^3")
    rho_sw = _density(seawater_density, "seawater_density").to("t/m^3")
    if rho_s.magnitude <= rho_sw.magnitude:
        raise InputDataError(
            f"density.grain_density: got {rho_s:~}; expected more than the seawater density "
            f"{rho_sw:~}; fix the grain density (~2.5 g/cm^3 for pelagic clay)"
        )
    w = np.asarray(wet.magnitude, dtype=float)
    finite = w[np.isfinite(w)]
    tol = 1e-9 * rho_s.magnitude
    if finite.size and (finite.min() < rho_sw.magnitude - tol or finite.max() > rho_s.magnitude + tol):
        raise InputDataError(
            f"density.wet_bulk_density: got values in [{finite.min():g}, {finite.max():g}] t/m^3; "
            f"expected between the seawater ({rho_sw.magnitude:g}) and grain ({rho_s.magnitude:g}) "
            "densities; fix the values or their units"
        )
    return (rho_s * (wet - rho_sw) / (rho_s - rho_sw)).to("t/m^3")


def dry_density_from_water_content(
    water_content: pint.Quantity | str | float,
    *,
    basis: str = "dry",
    grain_density: pint.Quantity | str = _GRAIN_DENSITY,
    pore_water_density: pint.Quantity | str = SEAWATER_DENSITY,
) -> pint.Quantity:
    """Dry bulk density of saturated sediment from its water content.

    Parameters
    ----------
    water_content : pint.Quantity, str or float
        Water content as a dimensionless ratio (``"250 percent"``, ``2.5``).
    basis : {"dry", "wet"}, default "dry"
        ``"dry"``: w = mass of water / mass of solids (geotechnical); ``"wet"``:
        W = mass of water / wet mass (moisture content, ODP convention).
    grain_density : pint.Quantity or str, default 2.5 g/cm³
        Density of the solid grains ρ_s.
    pore_water_density : pint.Quantity or str, default 1.025 g/cm³
        Density of the pore water ρ_w.

    Returns
    -------
    pint.Quantity
        Dry bulk density in t/m³.

    Notes
    -----
    For saturated sediment, unit mass of solids occupies 1/ρ_s + w/ρ_w, so

    .. math:: ρ_{dry} = 1 / (1/ρ_s + w/ρ_w), \\qquad w = W / (1 − W).

    The salt left in the dried solids is not corrected for.
    """
    wc = parse_quantity(water_content, "[]", field="water_content", allow_bare=True)
    w = np.asarray(wc.to("dimensionless").magnitude, dtype=float)
    if basis == "wet":
        if np.any(w >= 1) or np.any(w < 0):
            raise InputDataError(
                f"density.water_content: got {wc:~} on a wet basis; expected 0 <= W < 1; "
                "fix the value or set water_content_basis = 'dry'"
            )
        w = w / (1 - w)
    elif basis != "dry":
        raise ConfigError(f"density.water_content_basis: got {basis!r}; expected 'dry' or 'wet'")
    if np.any(w < 0):
        raise InputDataError(f"density.water_content: got {wc:~}; expected >= 0")
    rho_s = _density(grain_density, "grain_density").to("t/m^3").magnitude
    rho_w = _density(pore_water_density, "pore_water_density").to("t/m^3").magnitude
    return Quantity(1.0 / (1.0 / rho_s + w / rho_w), "t/m^3")


def density_field(
    grid: WorkingGrid,
    *,
    settings: DensitySettings | None = None,
    values: xr.DataArray | None = None,
) -> xr.DataArray:
    """Dry bulk density on the working grid, dims ``(layer, y, x)``, t/m³.

    Parameters
    ----------
    grid : WorkingGrid
        The working grid and its layers.
    settings : DensitySettings, optional
        How to obtain the density; default constant 0.55 t/m³.
    values : xarray.DataArray, optional
        Gridded dry density for ``method = "grid"``, dims ``(layer, y, x)`` or ``(y, x)``
        with ``attrs["units"]`` (a density unit).

    Returns
    -------
    xarray.DataArray
        ``dry_bulk_density`` in t/m³ with the working CRS; ``attrs["source"]`` says how it
        was obtained.
    """
    s = settings or DensitySettings()
    shape = (grid.layers.n, *grid.shape)
    if s.method == "constant":
        rho = s.dry_bulk_density.to(DENSITY_UNITS).magnitude
        source = f"constant {rho:g} t/m^3"
        data = np.full(grid.layers.n, float(rho))
    elif s.method == "per_layer":
        per = np.array([q.to(DENSITY_UNITS).magnitude for q in s.per_layer or []])
        if per.size != grid.layers.n:
            raise ConfigError(
                f"resource.density.per_layer: got {per.size} values; expected {grid.layers.n} "
                "(one per layer); fix the list"
            )
        data = per
        source = "per layer: " + ", ".join(f"{v:g}" for v in per) + " t/m^3"
    elif s.method == "wet":
        rho = dry_density_from_wet(
            s.wet_bulk_density, grain_density=s.grain_density, seawater_density=s.seawater_density
        ).magnitude
        data = np.full(grid.layers.n, float(rho))
        source = (
            f"from wet bulk density {s.wet_bulk_density:~}, grain density {s.grain_density:~}, "
            f"seawater {s.seawater_density:~}"
        )
    elif s.method == "water_content":
        rho = dry_density_from_water_content(
            s.water_content,
            basis=s.water_content_basis,
            grain_density=s.grain_density,
            pore_water_density=s.seawater_density,
        ).magnitude
        data = np.full(grid.layers.n, float(rho))
        source = f"from water content {s.water_content:~} ({s.water_content_basis} basis)"
    else:  # grid
        data = _gridded(values, grid)
        source = "gridded"
    finite = data[np.isfinite(data)]
    if finite.size and (finite.min() <= 0 or finite.max() > 3):
        raise InputDataError(
            f"dry bulk density: got values in [{finite.min():g}, {finite.max():g}] t/m^3; expected "
            "0 < density <= 3 t/m^3 (deep-sea mud ~0.5); fix the density or its units"
        )
    if data.ndim == 1:
        data = data[:, None, None]
    # a read-only broadcast view: one value per layer costs no memory per cell
    out = xr.DataArray(np.broadcast_to(data, shape), dims=("layer", "y", "x"),
                       coords=dict(grid.coords()) | grid.layers.coords(), name="dry_bulk_density",
                       attrs={"units": DENSITY_UNITS, "long_name": "dry bulk density", "source": source})
    return grid.attach_crs(out)


def _gridded(values: xr.DataArray | None, grid: WorkingGrid) -> np.ndarray:
    if values is None:
        raise ConfigError(
            "resource.density.method: got 'grid' but no density grid was given; "
            "fix: pass values=... or choose another method"
        )
    units = values.attrs.get("units")
    if units is None:
        raise InputDataError("dry bulk density grid: no attrs['units']; expected e.g. 't/m^3'")
    factor = _density(f"1 {units}", "dry bulk density grid units").to(DENSITY_UNITS).magnitude
    arr = np.asarray(values.transpose(*[d for d in ("layer", "y", "x") if d in values.dims]).values)
    shape = (grid.layers.n, *grid.shape)
    if arr.shape != shape and arr.shape != shape[1:]:
        raise InputDataError(
            f"dry bulk density grid: got shape {arr.shape}; expected {shape} (layer, y, x) of the "
            "working grid; fix: resample it to the grid"
        )
    return np.array(arr, dtype=float) * factor
