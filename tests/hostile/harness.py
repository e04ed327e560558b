"""The hostile-input corpus: shared harness.

Each ``test_*.py`` here holds a parametrised table of bad inputs. A case builds a small project
(a copy of the Takaya-box config with absolute grid paths and a local copy of the demo cores),
breaks one thing, runs the CLI in-process and asserts the contract: exit 2, one line on stderr
naming what is wrong and the fix, no traceback, nothing written.

In-process (``seabed.cli.main``) rather than subprocesses keeps ~100 cases to seconds; the
subprocess contract itself (exit codes, signals) is covered in ``tests/integration``.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
CORES = ROOT / "data" / "cores" / "minamitorishima_demo.csv"


@dataclass
class Result:
    """What one CLI call returned and printed."""

    code: int
    out: str
    err: str


class Project:
    """A throw-away project folder: ``config.toml``, ``cores.csv`` and ``notes.txt``.

    The config is the shipped Takaya-box config with absolute grid paths, a 4 km grid and two
    realisations (so that a ``run`` case that should be accepted finishes in seconds).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        text = (ROOT / "configs" / "takaya2018_box.toml").read_text(encoding="utf-8")
        text = text.replace('"../grids/', f'"{ROOT}/grids/')
        text = text.replace('"../data/cores/minamitorishima_demo.csv"', '"cores.csv"')
        text = text.replace('cell_size = "1 km"', 'cell_size = "4 km"')
        text += "\n[resource.simulation]\nn_realisations = 2\nsupply_realisations = 2\n"
        self.config = root / "config.toml"
        self.config.write_text(text, encoding="utf-8")
        self.cores = root / "cores.csv"
        self.cores.write_text(CORES.read_text(encoding="utf-8"), encoding="utf-8")
        (root / "notes.txt").write_text("my notes\n", encoding="utf-8")

    # --- editing -------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.config.read_text(encoding="utf-8")

    def replace(self, old: str, new: str) -> Project:
        """Replace ``old`` (which must occur) in the config text."""
        text = self.text
        assert old in text, f"{old!r} not in the config"
        self.config.write_text(text.replace(old, new), encoding="utf-8")
        return self

    def append(self, toml: str) -> Project:
        """Append TOML (e.g. a new table) to the config."""
        self.config.write_text(self.text + "\n" + toml + "\n", encoding="utf-8")
        return self

    def set_key(self, table: str, key: str, value: str) -> Project:
        """Set ``key = value`` (raw TOML) in ``[table]``, adding the table when missing."""
        lines = self.text.splitlines()
        header = f"[{table}]"
        if header not in [ln.split("#")[0].strip() for ln in lines]:
            return self.append(f"{header}\n{key} = {value}")
        start = next(i for i, ln in enumerate(lines) if ln.split("#")[0].strip() == header)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
        for i in range(start + 1, end):
            if lines[i].split("=")[0].strip() == key:
                lines[i] = f"{key} = {value}"
                break
        else:
            lines.insert(start + 1, f"{key} = {value}")
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self

    def read_cores(self) -> tuple[list[str], pd.DataFrame]:
        """The comment header lines and the table of ``cores.csv``."""
        lines = self.cores.read_text(encoding="utf-8").splitlines()
        comments = [ln for ln in lines if ln.startswith("#")]
        return comments, pd.read_csv(self.cores, comment="#")

    def write_cores(self, df: pd.DataFrame, comments: list[str] | None = None, **to_csv) -> Project:
        head = "".join(c + "\n" for c in (comments or []))
        self.cores.write_text(head + df.to_csv(index=False, **to_csv), encoding="utf-8")
        return self

    def edit_cores(self, edit) -> Project:
        """Apply ``edit(df) -> df`` to the core table and write it back."""
        comments, df = self.read_cores()
        return self.write_cores(edit(df.copy()), comments)

    # --- running -------------------------------------------------------------------------
    def cli(self, *args: str) -> Result:
        """Run ``seabed ARGS`` in-process from the project folder."""
        import os

        from seabed.cli import main

        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = main([str(a) for a in args])
                except SystemExit as exc:  # argparse
                    code = exc.code
        finally:
            os.chdir(cwd)
        return Result(int(code or 0), out.getvalue(), err.getvalue())

    def check(self) -> Result:
        return self.cli("check", self.config)

    def run(self, *extra: str, out: str = "out") -> Result:
        return self.cli("run", self.config, "--out", out, *extra)

    def leftovers(self) -> list[str]:
        """Hidden staging/scratch/old directories and files left in the project folder."""
        return sorted(p.name for p in self.root.rglob(".*") if p.name.startswith("."))


def assert_user_error(r: Result, *fragments: str) -> None:
    """Exit 2, one line on stderr holding every fragment (case-insensitive) and a fix."""
    assert r.code == 2, (r.code, r.out, r.err)
    lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    line = lines[0].lower()
    for f in fragments:
        assert f.lower() in line, f"{f!r} not in: {lines[0]}"
    assert "fix" in line or "expected" in line, f"no fix in: {lines[0]}"
