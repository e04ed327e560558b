"""Variants of a simulation plan: spectral fields, and variogram models drawn around the fit.

- :func:`with_spectral_fields`: the plan with circulant-embedding fields on the window of its grid
  and data (:mod:`seabed.geostats.circulant`), for grids that fit one task;
- :func:`perturbed_plans`: plans whose variograms are drawn around the fitted one (variogram
  uncertainty in the realisations).

Both return new :class:`~seabed.geostats.simulation.SimulationPlan` objects sharing the
transforms, correlations and data of the plan they start from.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from seabed.geostats.circulant import CirculantEmbedding
from seabed.geostats.kernel import ConvolutionKernel
from seabed.geostats.simulation import (
    KERNEL_TOLERANCE,
    VARIOGRAM_STREAM,
    SimulationPlan,
    mean_score_variance,
)
from seabed.geostats.variogram import Structure, VariogramModel

__all__ = ["SPECTRAL_MAX_WINDOW_RATIO", "perturbed_plans", "simulation_window", "with_spectral_fields"]

#: Spectral fields only when the window of the grid and the data is at most this many times the grid.
SPECTRAL_MAX_WINDOW_RATIO = 4.0


def simulation_window(plan: SimulationPlan) -> tuple[tuple[int, int], tuple[int, int]]:
    """Lattice rows and columns of the smallest window holding the grid and every data cell."""
    ny, nx = plan.grid.shape
    r, c = plan.data_rows, plan.data_cols
    return ((min(0, int(r.min(initial=0))), max(ny, int(r.max(initial=0)) + 1)),
            (min(0, int(c.min(initial=0))), max(nx, int(c.max(initial=0)) + 1)))


def with_spectral_fields(plan: SimulationPlan) -> SimulationPlan:
    """The plan with spectral fields (circulant embedding) on the window of its grid and data.

    A realisation's unconditional fields are then drawn by
    :class:`~seabed.geostats.circulant.CirculantEmbedding` on that window — the exact
    covariance, two fields per complex FFT of the window plus one range, instead of a
    convolution over the window plus two kernel halos (3–5× fewer FFT operations on the default
    grid) — and :func:`seabed.resource.uncertainty.simulate_resource` draws each realisation in
    one task over the whole grid. Use it when the grid fits one task (the pipeline does when the
    memory budget's tile holds the whole grid); the fields are defined for this window only, so
    the convolution fields remain the way to tile large grids.

    Returns
    -------
    SimulationPlan
        ``plan`` itself when the data lie so far from the grid that the window is more than
        ``SPECTRAL_MAX_WINDOW_RATIO`` times the grid (their scores then come point by point).
    """
    (r0, r1), (c0, c1) = simulation_window(plan)
    ny, nx = plan.grid.shape
    if (r1 - r0) * (c1 - c0) > SPECTRAL_MAX_WINDOW_RATIO * ny * nx:
        return plan
    return replace(plan, spectrum=CirculantEmbedding.from_model(plan.model, plan.grid.cell_size,
                                                                rows=(r0, r1), cols=(c0, c1)))


def perturbed_plans(plan: SimulationPlan, *, n_models: int, range_relative_sd: float, nugget_sd: float,
                    seed: int) -> list[SimulationPlan]:
    """Plans with variogram models drawn around ``plan.model`` (parameter uncertainty).

    Model ``k`` multiplies every practical range by ``exp(s_r z₁)`` (log-normal, median 1) and
    moves the nugget's share of the unit sill by ``s_n z₂`` (clipped to 0–0.95; the structures
    keep their proportions), ``z`` standard normal truncated at ±3, drawn from
    ``(seed, VARIOGRAM_STREAM + k)``. Each plan gets its own kernel and variance of the mean;
    transforms, correlations and data are shared.

    Parameters
    ----------
    plan : SimulationPlan
        The plan of the fitted model.
    n_models : int
        Number of models drawn (≥ 1).
    range_relative_sd, nugget_sd : float
        ``s_r`` (of the log of the range) and ``s_n`` (of the nugget share), dimensionless.
    seed : int
        Base seed.

    Returns
    -------
    list of SimulationPlan
    """
    base = plan.model
    share0 = base.nugget / base.sill
    out = []
    for k in range(int(n_models)):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), VARIOGRAM_STREAM + k]))
        z = np.clip(rng.standard_normal(2), -3, 3)
        f = float(np.exp(range_relative_sd * z[0]))
        share = float(np.clip(share0 + nugget_sd * z[1], 0.0, 0.95)) if base.structures else 1.0
        scale = (1 - share) / max(1 - share0, 1e-12)
        structures = tuple(Structure(s.kind, s.sill * scale, s.range * f,
                                     None if s.range_minor is None else s.range_minor * f, s.azimuth)
                           for s in base.structures)
        model = VariogramModel(share, structures)
        mean_sd = plan.mean_sd
        if mean_sd is not None and np.any(mean_sd):
            mean_sd = np.zeros_like(mean_sd)
            for pattern, pairs in plan.patterns.items():
                e, lyr = np.array(pairs).T
                mean_sd[e, lyr] = np.sqrt(mean_score_variance(model, plan.data_xy[list(pattern)]))
        spectrum = None if plan.spectrum is None else CirculantEmbedding.from_model(
            model, plan.grid.cell_size, rows=plan.spectrum.rows, cols=plan.spectrum.cols)
        out.append(replace(plan, model=model, mean_sd=mean_sd, spectrum=spectrum,
                           kernel=ConvolutionKernel.from_model(model, plan.grid.cell_size, tolerance=KERNEL_TOLERANCE)))
    return out
