"""Reading a TOML config file: encodings, syntax errors, relative paths, validation.

Every problem is one :class:`~seabed.errors.ConfigError` line naming the file (and the line and
column of a TOML syntax error, or the key of a refused value), what was expected and the fix.

Examples
--------
>>> cfg = load_config("configs/takaya2018_box.toml")  # doctest: +SKIP
>>> cfg.grid.cell_size.to("m").magnitude  # doctest: +SKIP
1000.0
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from seabed.config.base import validate_section
from seabed.config.model import Config
from seabed.errors import ConfigError
from seabed.textfile import decode_text

__all__ = ["load_config", "parse_config"]


def _resolve_paths(data: Any, base: Path) -> Any:
    """Make every ``path`` key relative to ``base`` (the config's directory)."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if k == "path" and isinstance(v, str):
                p = Path(v).expanduser()
                out[k] = str(p if p.is_absolute() else (base / p).resolve())
            else:
                out[k] = _resolve_paths(v, base)
        return out
    if isinstance(data, list):
        return [_resolve_paths(v, base) for v in data]
    return data


def parse_config(data: dict, *, source: str = "<config>", base: Path | None = None) -> Config:
    """Validate a config dict (as read from TOML) into a :class:`Config`."""
    if base is not None:
        data = _resolve_paths(data, base)
    return validate_section(Config, data, source=source)


def _parse_toml(text: str, path: Path) -> dict:
    """Parse TOML, naming the file, line and column of a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        what = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", what)
        if where:
            what = what[: where.start()].strip()
            place = f"line {where.group(1)}, column {where.group(2)}"
        else:
            what, place = what.removesuffix(" (at end of document)"), "end of file"
        raise ConfigError(f"{path}: {place}: TOML syntax error: {what}; expected valid TOML; fix: correct it there "
                          "(strings need quotes, e.g. cell_size = \"1 km\")") from None


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file.

    Raises
    ------
    ConfigError
        Missing file, TOML syntax error, or a value that fails validation (one line naming the
        file, the key, the value and what was expected).
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; expected a .toml config file; "
                          "fix: give the path of the file (see `seabed sites`)")
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; fix: give the path of a .toml file (see `seabed sites`)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc.strerror}); fix: check its permissions") from None
    text = decode_text(raw, str(path), error=ConfigError,
                       fix="fix: re-save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)")
    data = _parse_toml(text, path)
    if not data:
        raise ConfigError(f"{path}: the config is empty (no keys); expected a TOML config with title, site, seed, "
                          "inputs, areas and grid; fix: start from a shipped config (see `seabed sites`)")
    cfg = parse_config(data, source=str(path), base=path.resolve().parent)
    return cfg.model_copy(update={"source_path": path.resolve()})

