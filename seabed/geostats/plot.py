"""Plots of variograms and cross-validation results (matplotlib, safe with the Agg backend)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seabed.geostats.variogram import ExperimentalVariogram, VariogramModel
from seabed.plotting import watermark

__all__ = [
    "plot_cross_validation",
    "plot_directional_variograms",
    "plot_variogram",
    "plot_variogram_map",
    "standardise_by_variable",
]


def _axes(ax):
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 4), layout="constrained")
        ax = fig.add_subplot()
    return ax


def plot_variogram(
    experimental: ExperimentalVariogram,
    model: VariogramModel | None = None,
    *,
    ax=None,
    distance_unit: str = "km",
    synthetic: bool = False,
):
    """Experimental variogram (points sized by pair count) and a fitted model (line).

    Parameters
    ----------
    experimental : ExperimentalVariogram
        Lags in m.
    model : VariogramModel, optional
        Model to draw along the major axis.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure (no pyplot state is touched).
    distance_unit : {"km", "m"}, default "km"
        Unit of the x axis.
    synthetic : bool, default False
        Stamp the SYNTHETIC watermark on the figure (data from synthetic cores).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    scale = 1000.0 if distance_unit == "km" else 1.0
    ok = experimental.n_pairs > 0
    sizes = 10 + 60 * experimental.n_pairs[ok] / max(1, experimental.n_pairs.max())
    ax.scatter(experimental.lag[ok] / scale, experimental.gamma[ok], s=sizes, label="experimental")
    for h, g, n in zip(experimental.lag[ok], experimental.gamma[ok], experimental.n_pairs[ok], strict=True):
        ax.annotate(str(n), (h / scale, g), textcoords="offset points", xytext=(0, 6), fontsize=7, ha="center")
    if model is not None:
        hmax = float(experimental.lag_edges[-1])
        h = np.linspace(0.0, hmax, 200)
        g = model.gamma_isotropic(h)
        ax.plot(h[1:] / scale, g[1:], color="C1", label="model")
        ax.axhline(model.sill, color="0.6", lw=0.8, ls="--", label=f"sill {model.sill:.3g}")
    ax.set_xlabel(f"lag distance ({distance_unit})")
    ax.set_ylabel("semivariance (squared units; 1 = variance if standardised)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=8)
    watermark(ax.figure, synthetic)
    return ax


def plot_directional_variograms(
    directional: list[ExperimentalVariogram],
    model: VariogramModel | None = None,
    *,
    ax=None,
    synthetic: bool = False,
):
    """Directional experimental variograms (one colour per azimuth sector) and the model in
    each direction (anisotropic models differ by direction), lags in km.

    Parameters
    ----------
    directional : list of ExperimentalVariogram
        With ``azimuth`` set, lags in m.
    model : VariogramModel, optional
        Drawn along each azimuth.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    synthetic : bool, default False
        Stamp the SYNTHETIC watermark.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    for k, ev in enumerate(directional):
        ok = ev.n_pairs > 0
        ax.plot(ev.lag[ok] / 1000.0, ev.gamma[ok], "o", ms=4, color=f"C{k}",
                label=f"azimuth {ev.azimuth or 0.0:.0f}° (n={int(ev.n_pairs.sum())} pairs)")
        if model is not None:
            h = np.linspace(0.0, float(ev.lag_edges[-1]), 200)[1:]
            theta = np.deg2rad(ev.azimuth or 0.0)
            ax.plot(h / 1000.0, model.gamma(h * np.sin(theta), h * np.cos(theta)), color=f"C{k}", lw=1)
    ax.set_xlabel("lag distance (km)")
    ax.set_ylabel("semivariance (1 = variance, standardised)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=7)
    watermark(ax.figure, synthetic)
    return ax


def plot_variogram_map(vmap, model: VariogramModel | None = None, *, ax=None, synthetic: bool = False):
    """The variogram map (semivariance by separation vector, km) with the model's range ellipse.

    Parameters
    ----------
    vmap : VariogramMap
        From :func:`seabed.geostats.anisotropy.variogram_map`; edges in m.
    model : VariogramModel, optional
        Its first structure's range ellipse is drawn (major axis at its azimuth).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    synthetic : bool, default False
        Stamp the SYNTHETIC watermark.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(5.5, 4.8), layout="constrained").add_subplot()
    e = vmap.edges / 1000.0
    mesh = ax.pcolormesh(e, e, np.ma.masked_invalid(vmap.gamma), cmap="viridis", shading="flat")
    ax.figure.colorbar(mesh, ax=ax, label="semivariance (standardised)")
    if model is not None and model.structures:
        s = model.structures[0]
        t = np.linspace(0, 2 * np.pi, 181)
        a, b = s.range / 1000.0, (s.range_minor or s.range) / 1000.0
        th = np.deg2rad(s.azimuth)
        major, minor = a * np.cos(t), b * np.sin(t)  # along the major / minor axes
        ax.plot(major * np.sin(th) + minor * np.cos(th), major * np.cos(th) - minor * np.sin(th), color="w", lw=1.2,
                label=f"range {a:.0f} × {b:.0f} km, azimuth {s.azimuth:.0f}°")
        ax.legend(loc="lower right", fontsize=7)
    ax.set_xlim(e[0], e[-1])
    ax.set_ylim(e[0], e[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("dx, east (km)")
    ax.set_ylabel("dy, north (km)")
    watermark(ax.figure, synthetic)
    return ax


def standardise_by_variable(predictions: pd.DataFrame) -> pd.DataFrame:
    """Observed and estimated values as z-scores of each variable's observed values.

    Each variable (element and layer) is centred on its observed mean and divided by its observed
    standard deviation, so that pooling variables of very different grades (La and Lu, in ppm) does
    not make the regression slope look better than any single variable's.
    """
    df = predictions[np.isfinite(predictions["estimate"]) & np.isfinite(predictions["observed"])].copy()
    by = df.groupby("variable", sort=False)["observed"]
    mean = by.transform("mean")
    sd = by.transform("std").replace(0.0, np.nan)
    df["observed"] = (df["observed"] - mean) / sd
    df["estimate"] = (df["estimate"] - mean) / sd
    return df[np.isfinite(df["observed"]) & np.isfinite(df["estimate"])]


def plot_cross_validation(predictions: pd.DataFrame, *, ax=None, units: str = "ppm", standardise: bool = False,
                          synthetic: bool = False):
    """Estimated against observed values of a cross-validation, with the 1:1 line and the slope.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The ``predictions`` table of :func:`~seabed.geostats.validation.cross_validate`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    units : str, default "ppm"
        Units of the values, for the axis labels (when not standardised).
    standardise : bool, default False
        Plot each variable's z-scores (see :func:`standardise_by_variable`): the slope then measures
        the conditional bias within variables, not the spread between elements.
    synthetic : bool, default False
        Stamp the SYNTHETIC watermark on the figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    if standardise:
        df = standardise_by_variable(predictions)
    else:
        df = predictions[np.isfinite(predictions["estimate"]) & np.isfinite(predictions["observed"])]
    ax.scatter(df["observed"], df["estimate"], s=8, alpha=0.5)
    if len(df):
        lo = float(min(df["observed"].min(), df["estimate"].min()))
        hi = float(max(df["observed"].max(), df["estimate"].max()))
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=0.8, label="1:1")
        if len(df) >= 2 and df["estimate"].std() > 0:
            b, a = np.polyfit(df["estimate"], df["observed"], 1)
            x = np.array([lo, hi])
            ax.plot(x, a + b * x, color="C1", lw=1, label=f"observed on estimate, slope {b:.2f}")
        ax.legend(loc="upper left", fontsize=8)
    if standardise:
        n_var = predictions["variable"].nunique() if "variable" in predictions else 1
        ax.set_xlabel("observed (z-score within each element and layer)")
        ax.set_ylabel("cross-validated estimate (z-score)")
        ax.set_title(f"Cross-validation, standardised per variable ({n_var} element-layers, n={len(df)})",
                     fontsize=10, wrap=True)
    else:
        ax.set_xlabel(f"observed ({units})")
        ax.set_ylabel(f"cross-validated estimate ({units})")
    watermark(ax.figure, synthetic)
    return ax
