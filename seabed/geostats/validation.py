"""Cross-validation of an estimator (kriging or a baseline).

Three designs: leave-one-out (default), leave-one-group-out (``groups``, e.g. core ids,
so that all layers of a core are held out together) and spatially blocked k-fold
(``n_folds``: the bounding box is cut into square blocks assigned at random to folds,
so held-out samples are not surrounded by their close neighbours).

Examples
--------
>>> import numpy as np
>>> from seabed.geostats.baselines import NearestNeighbour
>>> xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
>>> cv = cross_validate(xy, np.array([1.0, 2.0, 4.0]), estimator=NearestNeighbour())
>>> round(float(cv.metrics["mean_error"].iloc[0]), 4)
-0.6667
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from seabed.errors import ConfigError, InputDataError

__all__ = [
    "CrossValidation",
    "aggregate_metrics",
    "aggregate_predictions",
    "assign_folds",
    "cross_validate",
    "summarise_errors",
]


class CrossValidation(NamedTuple):
    """Result of :func:`cross_validate`.

    Attributes
    ----------
    metrics : pandas.DataFrame
        One row per variable: ``n``, ``mean_error``, ``rmse``, ``mean_standardised_error``,
        ``var_standardised_error``, ``correlation``.
    predictions : pandas.DataFrame
        One row per (sample, variable) held out: ``sample``, ``fold``, ``variable``, ``x``,
        ``y``, ``observed``, ``estimate``, ``variance``, ``error`` (estimate − observed),
        ``standardised_error`` (error / √variance).
    """

    metrics: pd.DataFrame
    predictions: pd.DataFrame


def assign_folds(
    coords: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    n_folds: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Fold number of each sample (see :func:`cross_validate` for the designs)."""
    n = coords.shape[0]
    if groups is not None and n_folds is not None:
        raise ConfigError("cross-validation: got both groups and n_folds; expected one of them")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != (n,):
            raise InputDataError(f"cross-validation groups: got shape {groups.shape}; expected ({n},)")
        return np.unique(groups, return_inverse=True)[1].ravel()
    if n_folds is None:
        return np.arange(n)
    if not 2 <= n_folds <= n:
        raise ConfigError(f"cross-validation n_folds: got {n_folds}; expected 2..{n} (the sample count)")
    lo = coords.min(axis=0)
    span = np.maximum(coords.max(axis=0) - lo, 1e-9)
    nb = max(2, int(np.ceil(np.sqrt(2 * n_folds))))  # about two blocks per fold
    edge = max(span) / nb
    cell = np.minimum(((coords - lo) / edge).astype(int), nb - 1)
    block = cell[:, 0] * nb + cell[:, 1]
    used = np.unique(block)
    rng = np.random.default_rng(seed)
    fold_of_block = rng.permutation(np.arange(used.size) % n_folds)
    return fold_of_block[np.searchsorted(used, block)]


def summarise_errors(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per-variable error statistics of a predictions table (see :class:`CrossValidation`).

    Notes
    -----
    With errors :math:`e_i = z^*_i - z_i` and standardised errors :math:`e_i/\\sigma_i`:
    mean error, :math:`\\mathrm{RMSE} = \\sqrt{\\overline{e^2}}`, mean and (population)
    variance of the standardised errors (ideally 0 and 1), and the Pearson correlation of
    observed and estimated values. Rows with a NaN estimate are not counted.
    """
    rows = []
    for var, df in predictions.groupby("variable", sort=False):
        df = df[np.isfinite(df["estimate"]) & np.isfinite(df["observed"])]
        e = df["error"].to_numpy()
        se = df["standardised_error"].to_numpy()
        se = se[np.isfinite(se)]
        n = e.size
        corr = np.nan
        if n >= 2 and np.std(df["observed"]) > 0 and np.std(df["estimate"]) > 0:
            corr = float(np.corrcoef(df["observed"], df["estimate"])[0, 1])
        rows.append(
            {
                "variable": var,
                "n": n,
                "mean_error": float(e.mean()) if n else np.nan,
                "rmse": float(np.sqrt(np.mean(e * e))) if n else np.nan,
                "mean_standardised_error": float(se.mean()) if se.size else np.nan,
                "var_standardised_error": float(se.var()) if se.size else np.nan,
                "correlation": corr,
            }
        )
    return pd.DataFrame(rows).set_index("variable")


def cross_validate(
    coords: np.ndarray,
    values: np.ndarray,
    *,
    estimator: Any,
    groups: np.ndarray | None = None,
    n_folds: int | None = None,
    seed: int = 0,
    variable_names: list[str] | None = None,
) -> CrossValidation:
    """Hold out folds of samples, re-estimate them from the rest, and score the errors.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values : ndarray, shape (n,) or (n, p)
        Sample values (NaN where missing; missing values are neither used nor scored).
    estimator : object
        An unfitted estimator with ``fit(coords, values)`` and ``predict(targets)`` returning
        a :class:`~seabed.geostats.kriging.KrigingResult` (Kriging, InverseDistance,
        NearestNeighbour). It is copied for each fold, never modified.
    groups : array_like, shape (n,), optional
        Group labels (e.g. core ids): leave one group out.
    n_folds : int, optional
        Spatially blocked k-fold with this many folds.
    seed : int, default 0
        Seed of the block-to-fold assignment.
    variable_names : list of str, optional
        Names of the columns of ``values``; default ``"0", "1", ...``.

    Returns
    -------
    CrossValidation
        ``metrics`` per variable and the ``predictions`` table.
    """
    coords = np.asarray(coords, dtype=float)
    values = np.asarray(values, dtype=float)
    v2 = values[:, None] if values.ndim == 1 else values
    if coords.ndim != 2 or coords.shape != (v2.shape[0], 2):
        raise InputDataError(
            f"cross-validation: got coords {coords.shape} and values {values.shape}; "
            "expected (n, 2) and (n,) or (n, p)"
        )
    p = v2.shape[1]
    names = variable_names or [str(j) for j in range(p)]
    if len(names) != p:
        raise ConfigError(f"cross-validation variable_names: got {len(names)} names for {p} variables")
    fold = assign_folds(coords, groups=groups, n_folds=n_folds, seed=seed)
    est = np.full((v2.shape[0], p), np.nan)
    var = np.full((v2.shape[0], p), np.nan)
    for f in np.unique(fold):
        test = fold == f
        train = ~test
        if not train.any():
            continue
        model = copy.deepcopy(estimator).fit(coords[train], v2[train])
        res = model.predict(coords[test])
        est[test] = np.asarray(res.estimate).reshape(test.sum(), p)
        var[test] = np.asarray(res.variance).reshape(test.sum(), p)
    observed = np.isfinite(v2)
    sample, col = np.nonzero(observed)
    error = est[sample, col] - v2[sample, col]
    with np.errstate(invalid="ignore", divide="ignore"):
        std_error = error / np.sqrt(var[sample, col])
    predictions = pd.DataFrame(
        {
            "sample": sample,
            "fold": fold[sample],
            "variable": np.asarray(names, dtype=object)[col],
            "x": coords[sample, 0],
            "y": coords[sample, 1],
            "observed": v2[sample, col],
            "estimate": est[sample, col],
            "variance": var[sample, col],
            "error": error,
            "standardised_error": std_error,
        }
    )
    order = np.lexsort((predictions["sample"].to_numpy(), col))
    predictions = predictions.iloc[order].reset_index(drop=True)
    return CrossValidation(summarise_errors(predictions), predictions)


def aggregate_predictions(predictions: pd.DataFrame, coefficients: dict[str, float]) -> pd.DataFrame:
    """Cross-validation of a linear combination of variables, sample by sample.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The ``predictions`` of :func:`cross_validate` (``sample``, ``variable``, ``observed``,
        ``estimate``, ``x``, ``y``, ``fold``).
    coefficients : dict of str to float
        Variable name → coefficient, e.g. ``{"La|0": 0.1, ...}`` for the thickness-weighted
        0-10 mbsf mean of total REY (0.1 = 1 m of 10 m), times an oxide factor for TREO.

    Returns
    -------
    pandas.DataFrame
        One row per sample where every variable of ``coefficients`` is observed and estimated:
        ``sample``, ``fold``, ``x``, ``y``, ``observed``, ``estimate``, ``error`` (estimate −
        observed). Samples missing any of them (short cores, unanalysed elements, targets not
        estimated) are left out.

    Notes
    -----
    The held-out estimate of the combination is the same combination of the held-out
    estimates, which is what the block model reports for a group of elements (the grade of
    total REY is the sum of the kriged elements). No standardised error: its variance would
    need the cross-covariances of the elements.
    """
    sub = predictions[predictions["variable"].isin(list(coefficients))]
    if sub.empty:
        return pd.DataFrame(columns=["sample", "fold", "x", "y", "observed", "estimate", "error"])
    coef = sub["variable"].map(coefficients).to_numpy(dtype=float)
    df = pd.DataFrame({"sample": sub["sample"].to_numpy(), "obs": sub["observed"].to_numpy() * coef,
                       "est": sub["estimate"].to_numpy() * coef,
                       "ok": np.isfinite(sub["observed"].to_numpy()) & np.isfinite(sub["estimate"].to_numpy())})
    g = df.groupby("sample", sort=True)
    counts = g["ok"].sum()
    complete = counts.index[counts.to_numpy() == len(coefficients)]
    sums = g[["obs", "est"]].sum().loc[complete]
    first = sub.drop_duplicates("sample").set_index("sample").loc[complete]
    out = pd.DataFrame({"sample": complete.to_numpy(), "fold": first["fold"].to_numpy(),
                        "x": first["x"].to_numpy(), "y": first["y"].to_numpy(),
                        "observed": sums["obs"].to_numpy(), "estimate": sums["est"].to_numpy()})
    out["error"] = out["estimate"] - out["observed"]
    return out


def aggregate_metrics(table: pd.DataFrame) -> dict[str, float]:
    """Error statistics of an :func:`aggregate_predictions` table.

    Returns ``n``, ``mean_error``, ``rmse``, ``relative_rmse`` (RMSE / mean observed),
    ``correlation`` (Pearson, observed vs estimated) and ``mean_observed``, in the units of
    the combination (e.g. ppm); NaN when fewer than two samples.
    """
    n = len(table)
    e = table["error"].to_numpy(dtype=float)
    obs = table["observed"].to_numpy(dtype=float)
    est = table["estimate"].to_numpy(dtype=float)
    rmse = float(np.sqrt(np.mean(e * e))) if n else np.nan
    mean_obs = float(obs.mean()) if n else np.nan
    corr = float(np.corrcoef(obs, est)[0, 1]) if n >= 2 and obs.std() > 0 and est.std() > 0 else np.nan
    return {"n": n, "mean_error": float(e.mean()) if n else np.nan, "rmse": rmse,
            "relative_rmse": rmse / mean_obs if n and mean_obs != 0 else np.nan,
            "correlation": corr, "mean_observed": mean_obs}


def core_total_coefficients(elements: list[str], thickness: np.ndarray, item: str) -> dict[str, float]:
    """Coefficients of the thickness-weighted mean grade of ``item`` over the layers, per variable.

    Parameters
    ----------
    elements : list of str
        Element symbols estimated (the variables are named ``"El|layer"``).
    thickness : ndarray, shape (n_layers,)
        Layer thicknesses, m.
    item : {"REY", "TREO"}
        Total REY (ppm of the elements) or TREO (ppm of their oxides, factors from the IUPAC
        atomic weights of :mod:`seabed.elements`).

    Returns
    -------
    dict of str to float
        ``{"El|l": thickness_l / Σ thickness × factor}`` for the REY elements present.
    """
    from seabed.elements import ELEMENTS, GROUPS

    w = np.asarray(thickness, dtype=float) / float(np.sum(thickness))
    members = [e for e in elements if e in GROUPS["REY"]]
    return {f"{e}|{lyr}": float(w[lyr]) * (ELEMENTS[e].oxide_factor if item == "TREO" else 1.0)
            for e in members for lyr in range(w.size)}
