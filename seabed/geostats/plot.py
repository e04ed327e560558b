"""Plots of variograms and cross-validation results (matplotlib, safe with the Agg backend)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seabed.geostats.variogram import ExperimentalVariogram, VariogramModel

__all__ = ["plot_cross_validation", "plot_variogram"]


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
    ax.set_ylabel("semivariance (squared units of the variable; 1 = variance if standardised)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_cross_validation(predictions: pd.DataFrame, *, ax=None, units: str = "ppm"):
    """Estimated against observed values of a cross-validation, with the 1:1 line.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The ``predictions`` table of :func:`~seabed.geostats.validation.cross_validate`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    units : str, default "ppm"
        Units of the values, for the axis labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    df = predictions[np.isfinite(predictions["estimate"]) & np.isfinite(predictions["observed"])]
    ax.scatter(df["observed"], df["estimate"], s=8, alpha=0.6)
    if len(df):
        lo = float(min(df["observed"].min(), df["estimate"].min()))
        hi = float(max(df["observed"].max(), df["estimate"].max()))
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=0.8, label="1:1")
        if len(df) >= 2 and df["estimate"].std() > 0:
            b, a = np.polyfit(df["estimate"], df["observed"], 1)
            x = np.array([lo, hi])
            ax.plot(x, a + b * x, color="C1", lw=1, label=f"observed on estimate, slope {b:.2f}")
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlabel(f"observed ({units})")
    ax.set_ylabel(f"cross-validated estimate ({units})")
    return ax
