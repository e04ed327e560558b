"""The run manifest: what was run, on what, with which versions and seed, and what it wrote.

Every output but the manifest is byte-stable: the same config, inputs, seed and package versions
write the same bytes, so ``outputs`` (SHA-256 of each file's bytes) verifies a rerun. Only the
manifest's ``started_utc`` and ``finished_utc`` (:data:`TIME_FIELDS`) hold wall-clock times; no
other output does. A date that a file format requires (the GeoPackage's ``last_change``) is
:func:`source_date`: ``SOURCE_DATE_EPOCH`` when set, else 1970-01-01T00:00:00Z.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "OUTPUT_HASH",
    "TIME_FIELDS",
    "build_manifest",
    "file_sha256",
    "input_hashes",
    "package_versions",
    "seabed_version",
    "source_date",
]

log = logging.getLogger(__name__)

#: Manifest keys holding wall-clock times: the only ones that differ between two runs of the
#: same config, inputs and seed with the same command and package versions.
TIME_FIELDS = ("started_utc", "finished_utc")

#: How ``outputs`` is hashed (recorded in the manifest as ``outputs_hash``).
OUTPUT_HASH = "sha256 of the file bytes; every output is byte-stable for the same config, inputs, seed and versions"

_PACKAGES = (
    "seabed", "numpy", "scipy", "pandas", "xarray", "pint", "pydantic", "pyproj", "shapely",
    "geopandas", "rasterio", "rioxarray", "dask", "distributed", "matplotlib", "netCDF4",
)


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_hashes(paths: Mapping[str, str | Path]) -> dict[str, str]:
    """SHA-256 of every input file, by label (``"missing"`` for a file that is not there).

    Parameters
    ----------
    paths : mapping of str to path
        Label → file, e.g. the inputs a config names and the config itself (``"config"``).

    Examples
    --------
    >>> input_hashes({"none": "/nonexistent/file.csv"})
    {'none': 'missing'}
    """
    out = {}
    for label, path in paths.items():
        p = Path(path)
        out[label] = file_sha256(p) if p.is_file() else "missing"  # streamed, not read whole
    return out


def seabed_version() -> str:
    """The installed version of seabed (``"0.0.0+unknown"`` when running from a source tree)."""
    try:
        return metadata.version("seabed")
    except metadata.PackageNotFoundError:
        return "0.0.0+unknown"


def package_versions() -> dict[str, str]:
    """Installed versions of seabed and its main dependencies, plus Python's."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def utc_now() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def source_date() -> datetime:
    """The date written where a file format requires one: ``SOURCE_DATE_EPOCH`` or the Unix epoch.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970-01-01 UTC, https://reproducible-builds.org/specs/source-date-epoch/)
    lets a user choose the date; without it the date is fixed, so that reruns write the same
    bytes. A malformed value is ignored with a warning in the log.

    Examples
    --------
    >>> source_date().tzinfo is not None
    True
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), UTC)
        except (ValueError, OverflowError, OSError):
            log.warning("SOURCE_DATE_EPOCH=%r is not a valid number of seconds since 1970; using 1970-01-01", raw)
    return datetime.fromtimestamp(0, UTC)


def build_manifest(
    *,
    config: dict[str, Any],
    config_path: str | None,
    inputs: dict[str, str],
    seed: int,
    started: str,
    outputs_dir: Path,
    outputs: list[str],
    command: list[str],
) -> dict[str, Any]:
    """Assemble the manifest (``outputs`` hashed from ``outputs_dir``)."""
    versions = package_versions()
    return {
        "seabed_version": versions["seabed"],
        "command": command,
        "config_path": config_path,
        "config": config,
        "seed": seed,
        "inputs_sha256": inputs,
        "versions": versions,
        "started_utc": started,
        "finished_utc": utc_now(),
        "outputs_hash": OUTPUT_HASH,
        "outputs": {name: file_sha256(outputs_dir / name) for name in sorted(outputs)},
    }
