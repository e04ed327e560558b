"""The run manifest: what was run, on what, with which versions and seed, and what it wrote."""

from __future__ import annotations

import hashlib
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["build_manifest", "file_sha256", "package_versions"]

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
    return {
        "seabed_version": package_versions()["seabed"],
        "command": command,
        "config_path": config_path,
        "config": config,
        "seed": seed,
        "inputs_sha256": inputs,
        "versions": package_versions(),
        "started_utc": started,
        "finished_utc": utc_now(),
        "outputs": {name: file_sha256(outputs_dir / name) for name in sorted(outputs)},
    }
