"""Read back an earlier run directory: its saved resource (for ``seabed supply``) and its report
(re-rendered from ``summary.json``, figures and tables, for ``seabed report``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from seabed.errors import InputDataError
from seabed.outputs.manifest import file_sha256
from seabed.outputs.report import REPORT_TABLES, render_run_report
from seabed.outputs.rundir import to_jsonable

__all__ = ["load_saved_resource", "rebuild_report"]


def load_saved_resource(run_dir: str | Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The mining inventory (and realisation grades, if saved) of an earlier run's output directory.

    Parameters
    ----------
    run_dir : str or Path
        Output directory of ``seabed estimate`` or ``seabed run``.

    Returns
    -------
    inventory : pandas.DataFrame
        ``tables/mining_inventory.csv`` (dry tonnes in t, grades in ppm), with the units
        dropped from its headers (``dry_tonnes [t]`` → ``dry_tonnes``).
    grades : numpy.ndarray or None
        (realisation, block, element) grades in ppm from
        ``tables/mining_inventory_realisations.npz``, when the run simulated them.

    Raises
    ------
    InputDataError
        No mining inventory in ``run_dir``.
    """
    run_dir = Path(run_dir)
    path = run_dir / "tables" / "mining_inventory.csv"
    if not path.is_file():
        raise InputDataError(f"{path}: not found; expected the output directory of `seabed estimate` or "
                             "`seabed run`; fix: point --resource at such a directory")
    inventory = pd.read_csv(path)
    # headers are written "name [unit]" (docs/outputs.md); the engines use the bare names
    inventory.columns = [str(c).split(" [", 1)[0] for c in inventory.columns]
    npz = run_dir / "tables" / "mining_inventory_realisations.npz"
    grades = None
    if npz.is_file():
        with np.load(npz) as data:
            grades = data["grades_ppm"].astype(np.float64)  # stored float32 (docs/outputs.md)
    return inventory, grades


def rebuild_report(run_dir: str | Path) -> Path:
    """Re-render ``report.html`` of a run directory from its ``summary.json``, figures and tables.

    The manifest's hash of ``report.html`` is updated so that it stays true.

    Parameters
    ----------
    run_dir : str or Path
        Output directory of ``seabed run`` or ``seabed estimate``.

    Returns
    -------
    Path
        The report written.

    Raises
    ------
    InputDataError
        No ``summary.json``, or one without a resource section.
    """
    run_dir = Path(run_dir)
    path = run_dir / "summary.json"
    if not path.is_file():
        raise InputDataError(f"{path}: not found; expected the output directory of `seabed run`")
    summary = json.loads(path.read_text(encoding="utf-8"))
    if "resource" not in summary:
        raise InputDataError(f"{path}: no resource section; expected a `seabed run` or `seabed estimate` output")
    figures = {p.stem: p for p in sorted((run_dir / "figures").glob("*.png"))}
    tables = {}
    for name, (_, index_levels) in REPORT_TABLES.items():
        p = run_dir / "tables" / f"{name}.csv"
        if p.is_file():
            tables[name] = pd.read_csv(p, index_col=list(range(index_levels)) or None)
    out = render_run_report(summary, figures=figures, tables=tables).write(run_dir / "report.html")
    manifest = run_dir / "manifest.json"
    if manifest.is_file():  # keep the manifest's output hashes true
        m = json.loads(manifest.read_text(encoding="utf-8"))
        m.setdefault("outputs", {})["report.html"] = file_sha256(out)
        tmp = manifest.with_name("manifest.json.tmp")
        tmp.write_text(json.dumps(to_jsonable(m), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(manifest)
    return out
