"""Depth profiles of the core assays (one line per core), the figure geologists read first."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from seabed.elements import GROUPS
from seabed.plotting import watermark

__all__ = ["plot_core_profiles"]


def plot_core_profiles(intervals: pd.DataFrame, *, group: str = "REY", max_depth: float | None = None,
                       synthetic: bool = False) -> Figure:
    """Sum of a group's grades (ppm) against depth below seafloor (m, down), one step line per core.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Validated interval table (``core_id``, ``top_mbsf``, ``bottom_mbsf``, element columns in ppm).
    group : str, default "REY"
        Element group summed (see :data:`seabed.elements.GROUPS`); missing assays count as absent.
    max_depth : float, optional
        Lower limit of the depth axis, m below seafloor.
    synthetic : bool, default False
        The cores are synthetic: the figure carries the SYNTHETIC watermark.
    """
    members = [e for e in GROUPS[group] if e in intervals.columns]
    grade = intervals[members].sum(axis=1, min_count=1)
    fig = Figure(figsize=(5.2, 6.0), layout="constrained")
    ax = fig.subplots()
    cores = intervals["core_id"].unique()
    colours = [f"C{i % 10}" for i in range(len(cores))]
    for core, colour in zip(cores, colours, strict=True):
        sel = intervals["core_id"] == core
        top = intervals.loc[sel, "top_mbsf"].to_numpy()
        bottom = intervals.loc[sel, "bottom_mbsf"].to_numpy()
        g = grade[sel].to_numpy()
        depth = np.column_stack([top, bottom]).ravel()
        ax.plot(np.repeat(g, 2), depth, color=colour, lw=0.8, alpha=0.7)
    ax.invert_yaxis()
    if max_depth is not None:
        ax.set_ylim(max_depth, 0)
    ax.set_xlabel(f"{group} (ppm, dry)")
    ax.set_ylabel("Depth below seafloor (m)")
    ax.set_title(f"{group} by depth in {len(cores)} cores")
    ax.grid(alpha=0.3)
    return watermark(fig, synthetic)
