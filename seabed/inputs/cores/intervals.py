"""Checks of positions and intervals: coordinates, depths, one position per core, overlapping
intervals, duplicate cores (``duplicate_policy``) and cores outside the working area."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from seabed.errors import InputDataError
from seabed.inputs.cores.schema import DuplicateCoreWarning, _Locator

_EARTH_RADIUS_M = 6_371_008.8
_DEPTH_TOLERANCE_M = 1e-6


def _check_positions(df: pd.DataFrame, where: _Locator) -> None:
    lon, lat = df["longitude"], df["latitude"]
    bad_lat = (lat < -90) | (lat > 90)
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat.to_numpy())[0])
        raise where.error(i, "latitude", repr(float(lat.iloc[i])), "degrees north in [-90, 90]",
                          "correct the position (are longitude and latitude swapped?)", n_more=int(bad_lat.sum()) - 1)
    bad_lon = (lon < -180) | (lon > 360)
    if bad_lon.any():
        i = int(np.flatnonzero(bad_lon.to_numpy())[0])
        raise where.error(i, "longitude", repr(float(lon.iloc[i])), "degrees east in [-180, 360]",
                          "correct the position", n_more=int(bad_lon.sum()) - 1)
    df["longitude"] = np.where(lon > 180, lon - 360, lon)


def _check_depths(df: pd.DataFrame, where: _Locator) -> None:
    top, bottom = df["top_mbsf"], df["bottom_mbsf"]
    neg = top < 0
    if neg.any():
        i = int(np.flatnonzero(neg.to_numpy())[0])
        raise where.error(i, "top_mbsf", repr(float(top.iloc[i])), "metres below seafloor >= 0 (positive down)",
                          "give depths positive down from the seafloor", n_more=int(neg.sum()) - 1)
    bad = top >= bottom
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise where.error(
            i, "top_mbsf", f"{float(top.iloc[i])!r} >= bottom_mbsf {float(bottom.iloc[i])!r}",
            "top < bottom (metres below seafloor, positive down)", "correct the interval depths",
            n_more=int(bad.sum()) - 1,
        )


def _sort_intervals(df: pd.DataFrame) -> pd.DataFrame:
    order = pd.factorize(df["core_id"])[0]
    key = pd.DataFrame({"o": order, "t": df["top_mbsf"].to_numpy(), "i": np.arange(len(df))})
    idx = key.sort_values(["o", "t", "i"], kind="stable").index
    return df.loc[idx]


def _haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _check_core_positions(df: pd.DataFrame, where: _Locator, tolerance_m: float) -> None:
    first = df.groupby("core_id", sort=False)[["longitude", "latitude"]].transform("first")
    dist = _haversine_m(first["longitude"].to_numpy(), first["latitude"].to_numpy(),
                        df["longitude"].to_numpy(), df["latitude"].to_numpy())
    bad = dist > tolerance_m
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        i = df.index[k]
        raise InputDataError(
            f"{where.row(i)}, columns 'longitude'/'latitude': got ({df['longitude'].loc[i]:.6f}, "
            f"{df['latitude'].loc[i]:.6f}), {dist[k]:.0f} m from the core's first row "
            f"({first['longitude'].loc[i]:.6f}, {first['latitude'].loc[i]:.6f}); expected one position per "
            f"core within {tolerance_m:g} m; fix: correct the position or give the rows different core_id"
        )


def _check_overlaps(df: pd.DataFrame, where: _Locator) -> None:
    same = df["core_id"].to_numpy()[1:] == df["core_id"].to_numpy()[:-1]
    top = df["top_mbsf"].to_numpy().tolist()
    bottom = df["bottom_mbsf"].to_numpy().tolist()
    bad = same & (np.asarray(top[1:]) < np.asarray(bottom[:-1]) - _DEPTH_TOLERANCE_M)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        i, prev = df.index[k + 1], df.index[k]
        raise InputDataError(
            f"{where.row(i)}, column 'top_mbsf': got {top[k + 1]!r}, inside the interval "
            f"{top[k]!r}-{bottom[k]!r} mbsf of {where.position(prev)}; "
            "expected non-overlapping intervals within a core; fix: correct the depths or remove the duplicate row"
        )


def _core_table(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("core_id", sort=False)[["longitude", "latitude"]].first()


def _duplicate_groups(cores: pd.DataFrame, tolerance_m: float) -> list[list[str]]:
    """Groups (connected components) of cores within ``tolerance_m`` of each other, file order."""
    if len(cores) < 2:
        return []
    lon = np.radians(cores["longitude"].to_numpy(float))
    lat = np.radians(cores["latitude"].to_numpy(float))
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    chord = 2 * np.sin(min(tolerance_m / _EARTH_RADIUS_M, np.pi) / 2)  # great-circle -> chord
    pairs = cKDTree(xyz).query_pairs(chord * (1 + 1e-12), output_type="ndarray")
    if pairs.size == 0:
        return []
    n = len(cores)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    ids = cores.index.to_numpy()
    groups: dict[int, list[str]] = {}
    for k in np.flatnonzero(np.bincount(label)[label] > 1):  # members of groups, in file order
        groups.setdefault(int(label[k]), []).append(str(ids[k]))
    return list(groups.values())


def _apply_duplicate_policy(
    df: pd.DataFrame, where: _Locator, policy: str, tolerance_m: float, messages: list[str] | None = None,
) -> pd.DataFrame:
    groups = _duplicate_groups(_core_table(df), tolerance_m)
    if not groups:
        return df
    first = groups[0]
    rows = df.index[df["core_id"] == first[1]]
    text = (
        f"{where.name}: cores {first} are within {tolerance_m:g} m of each other "
        f"(at {df.loc[rows[0], 'longitude']:.6f}, {df.loc[rows[0], 'latitude']:.6f}; "
        f"{len(groups)} such group(s))"
    )
    if policy == "error":
        raise InputDataError(
            f"{text}, column 'core_id': duplicate position; expected distinct positions with "
            "duplicate_policy='error'; fix: correct the positions, or use duplicate_policy 'merge' or 'keep'"
        )
    if policy == "keep":
        message = (f"{text}; kept as separate cores (duplicate_policy='keep'); kriging needs a nugget or "
                   "distinct positions: consider duplicate_policy='merge'")
        if messages is not None:
            messages.append(message)
        warnings.warn(message, DuplicateCoreWarning, stacklevel=3)
        return df
    out = df.copy()
    for group in groups:
        mask = out["core_id"].isin(group)
        merged_id = "+".join(group)
        cores = _core_table(out[mask])
        # mean position of the member cores (positions differ by <= tolerance, so a plain mean is fine)
        out.loc[mask, "longitude"] = float(cores["longitude"].mean())
        out.loc[mask, "latitude"] = float(cores["latitude"].mean())
        out.loc[mask, "core_id"] = merged_id
    return _sort_intervals(out)


def _check_area(df: pd.DataFrame, area: BaseGeometry, where: _Locator) -> None:
    cores = _core_table(df)
    inside = shapely.covers(area, shapely.points(cores["longitude"].to_numpy(), cores["latitude"].to_numpy()))
    if not inside.all():
        k = int(np.flatnonzero(~inside)[0])
        core = cores.index[k]
        i = df.index[df["core_id"] == core][0]
        w, s, e, n = area.bounds
        raise InputDataError(
            f"{where.row(i)}, columns 'longitude'/'latitude': got ({cores['longitude'].iloc[k]:.6f}, "
            f"{cores['latitude'].iloc[k]:.6f}), outside the working area (lon {w:.3f}..{e:.3f}, lat {s:.3f}..{n:.3f}); "
            f"expected every core inside the area; fix: correct the position, remove the core, or enlarge the area"
            + (f" ({int((~inside).sum()) - 1} more core(s) outside)" if (~inside).sum() > 1 else "")
        )

