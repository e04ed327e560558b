"""``seabed init``: a new project folder with a ready config that runs from anywhere.

The config is the shipped one of the chosen site (``configs/<site>.toml``) with every input
``path`` rewritten as an absolute path to the grids and cores shipped with seabed: the project
folder can live anywhere and nothing is copied (the grids stay where ``seabed sites`` lists them).
A folder already holding a ``config.toml`` is refused, never overwritten.

Examples
--------
>>> path = init_project("/tmp/my-project")  # doctest: +SKIP
>>> path.name  # doctest: +SKIP
'config.toml'
"""

from __future__ import annotations

import re
from pathlib import Path

from seabed.errors import ConfigError

__all__ = ["SITES", "init_project", "shipped_root"]

#: Site name → the shipped config a project starts from.
SITES = {"minamitorishima": "minamitorishima.toml", "okinotorishima": "okinotorishima.toml"}

_PATH_LINE = re.compile(r'^(?P<head>\s*path\s*=\s*)"(?P<path>[^"]+)"', re.MULTILINE)


def shipped_root() -> Path:
    """The folder holding the shipped ``configs/``, ``grids/`` and ``data/`` (the source tree)."""
    return Path(__file__).resolve().parent.parent


def init_project(directory: str | Path, *, site: str = "minamitorishima") -> Path:
    """Write ``directory/config.toml``, a ready config for ``site`` with absolute input paths.

    Parameters
    ----------
    directory : str or Path
        The project folder (created if missing, with its parents).
    site : {"minamitorishima", "okinotorishima"}
        The shipped config to start from.

    Returns
    -------
    Path
        The config written.

    Raises
    ------
    ConfigError
        An unknown site, a folder that already holds a config (or is a file), or shipped data
        missing (seabed installed without its source tree).
    """
    if site not in SITES:
        raise ConfigError(f"--site: got {site!r}; expected one of {', '.join(SITES)}; fix: pick one of those")
    directory = Path(directory).expanduser()
    target = directory / "config.toml"
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: is a file; expected a project folder; fix: give a folder name")
    if target.exists():
        raise ConfigError(f"{target}: a config already exists; expected a folder without config.toml; "
                          "fix: choose another folder or edit that config")
    source = shipped_root() / "configs" / SITES[site]
    if not source.is_file():
        raise ConfigError(f"{source}: shipped config not found (seabed installed without its configs, grids and "
                          "data); expected a source checkout; fix: install seabed from its source tree (pip install -e .)")
    text = source.read_text(encoding="utf-8")
    missing = []

    def absolute(match: re.Match) -> str:
        path = (source.parent / match["path"]).resolve()
        if not path.exists():
            missing.append(str(path))
        return f'{match["head"]}"{path.as_posix()}"'

    text = _PATH_LINE.sub(absolute, text)
    if missing:
        raise ConfigError(f"{missing[0]}: shipped input not found; expected the grids and cores of the source tree; "
                          "fix: reinstall seabed from its source tree")
    header = (f"# Written by `seabed init` from {source}.\n"
              "# Input paths are absolute: they point at the grids and cores shipped with seabed. A relative\n"
              "# path you write here is read from this file's folder.\n\n")
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(header + text, encoding="utf-8")
    return target
