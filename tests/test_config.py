from pathlib import Path

import pytest

from seabed.config import load_config, parse_config
from seabed.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_shipped_configs_validate(path):
    cfg = load_config(path)
    assert cfg.seed >= 0
    for label, p in cfg.input_paths().items():
        assert Path(p).is_file(), f"{label}: {p}"


def _minimal(**overrides):
    data = {
        "title": "t", "site": "other", "seed": 1,
        "inputs": {"bathymetry": {"path": "b.nc", "variable": "elevation"}, "cores": {"path": "c.csv"}},
        "areas": [{"name": "box", "kind": "box", "bounds": [153.5, 154.0, 21.8, 22.2]}],
        "grid": {"extent": "box", "cell_size": "1 km"},
    }
    for dotted, value in overrides.items():
        node = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return data


def test_minimal_config_parses_with_defaults():
    cfg = parse_config(_minimal())
    assert cfg.layers.bottom.to("m").magnitude == 10
    assert cfg.inputs.cores.units == "ppm"


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"grid.cell_size": 500}, ["grid.cell_size", "bare number 500"]),
        ({"grid.cell_size": "500"}, ["grid.cell_size", "without units"]),
        ({"grid.cell_size": "5 kg"}, ["grid.cell_size", "expected a length"]),
        ({"grid.extent": "nowhere"}, ["grid.extent", "nowhere"]),
        ({"grid.colour": "red"}, ["unknown key", "grid.colour"]),
        ({"seed": "abc"}, ["seed", "abc"]),
        ({"inputs.cores.elements": ["Nd", "Xx"]}, ["inputs.cores", "Xx"]),
        ({"inputs.cores.min_coverage": 1.5}, ["inputs.cores.min_coverage", "1.5"]),
    ],
    ids=["bare-number", "no-units", "wrong-dimension", "unknown-extent", "unknown-key", "bad-seed",
         "unknown-element", "coverage-range"],
)
def test_config_errors_name_the_field(overrides, fragments):
    with pytest.raises(ConfigError) as info:
        parse_config(_minimal(**overrides), source="my.toml")
    msg = str(info.value)
    assert msg.startswith("my.toml: ")
    assert "\n" not in msg
    for f in fragments:
        assert f in msg


def test_missing_key_is_named():
    data = _minimal()
    del data["grid"]
    with pytest.raises(ConfigError, match="missing required key 'grid'"):
        parse_config(data)


def test_toml_syntax_error(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("title = \n")
    with pytest.raises(ConfigError, match="TOML syntax error"):
        load_config(p)


def test_relative_paths_resolve_against_config_dir(tmp_path):
    import tomllib

    text = (ROOT / "configs" / "minamitorishima.toml").read_text()
    data = tomllib.loads(text)
    cfg = parse_config(data, base=ROOT / "configs")
    assert cfg.inputs.bathymetry.path == (ROOT / "grids" / "minamitorishima_bathymetry.nc").resolve()
