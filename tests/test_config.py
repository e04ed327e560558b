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


# ---------------------------------------------------------------- issue 12: the file and the values
def _write_minimal(tmp_path, data: bytes) -> Path:
    p = tmp_path / "c.toml"
    p.write_bytes(data)
    return p


MINIMAL_TOML = """title = "t"
site = "other"
seed = 1
[inputs.bathymetry]
path = "b.nc"
variable = "elevation"
[inputs.cores]
path = "c.csv"
[[areas]]
name = "box"
kind = "box"
bounds = [153.5, 154.0, 21.8, 22.2]
[grid]
extent = "box"
cell_size = "1 km"
"""


def test_utf8_bom_is_accepted(tmp_path):
    cfg = load_config(_write_minimal(tmp_path, b"\xef\xbb\xbf" + MINIMAL_TOML.encode()))
    assert cfg.title == "t"


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (MINIMAL_TOML.replace('"t"', '"Caf\u00e9"').encode("latin-1"), ["c.toml: line 1", "not valid UTF-8", "fix"]),
        (MINIMAL_TOML.encode("utf-16"), ["c.toml", "UTF-16", "UTF-8"]),
        (b"", ["c.toml", "empty"]),
        (MINIMAL_TOML.replace('seed = 1', 'seed = ').encode(), ["c.toml: line 3, column", "TOML syntax error"]),
    ],
    ids=["latin-1", "utf-16", "empty", "syntax"],
)
def test_unreadable_config_files_are_one_line(tmp_path, data, fragments):
    with pytest.raises(ConfigError) as info:
        load_config(_write_minimal(tmp_path, data))
    msg = str(info.value)
    assert "\n" not in msg
    for f in fragments:
        assert f in msg


def test_directory_as_config(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"seed": True}, ["seed: got True", "boolean"]),
        ({"seed": -1}, ["seed: got -1", "0 <= seed"]),
        ({"seed": 2**63}, ["seed", "2**63"]),
        ({"resource": {"masks": {"max_slope": False}}}, ["resource.masks.max_slope", "boolean", "default 7.0"]),
        ({"resource": {"cutoff": {"grade": "400"}}}, ["resource.cutoff.grade: got '400' without units", "400 ppm"]),
        ({"resource": {"cutoff": {"mode": "block"}}}, ["resource.cutoff.mode: got 'block'", "interval"]),
        ({"layers": {"thickness": "0 m"}}, ["layers.thickness: got 0 m", "> 0 m"]),
        ({"layers": {"top": "12 m"}}, ["layers.bottom: got 10 m <= top 12 m"]),
        ({"areas": [{"name": "box", "kind": "eez", "center": [154.0, 95.0]}]}, ["areas.0.center[1] (latitude)"]),
        ({"areas": [{"name": "box", "kind": "eez", "center": [154.0, 24.0], "radius": "-200 nmi"}]},
         ["areas.0.radius: got -200 nmi", "> 0 km"]),
        ({"compute": {"scheduler": "tcp://h:99999"}}, ["compute.scheduler: got 'tcp://h:99999': port 99999"]),
        ({"compute": {"scheduler": "a; b"}}, ["compute.scheduler: got 'a; b'; expected one of"]),
        ({"estimation": {"neighbourhood": {"min_samples": 20, "max_samples": 8}}},
         ["estimation.neighbourhood.min_samples: got 20 > max_samples 8"]),
    ],
    ids=["seed-bool", "seed-negative", "seed-2**63", "slope-false", "grade-no-units", "mode-block",
         "layer-zero", "layers-inverted", "lat-95", "radius-negative", "port", "semicolon", "samples"],
)
def test_impossible_values_are_refused(overrides, fragments):
    data = _minimal()
    data.update(overrides)
    with pytest.raises(ConfigError) as info:
        parse_config(data, source="my.toml")
    msg = str(info.value)
    assert msg.startswith("my.toml: ")
    assert "\n" not in msg
    assert "fix" in msg or "expected" in msg
    for f in fragments:
        assert f in msg, msg


def test_none_switches_a_mask_off():
    cfg = parse_config({**_minimal(), "resource": {"masks": {"max_slope": "none", "min_water_depth": "off"}}})
    assert cfg.resource.masks.max_slope is None
    assert cfg.resource.masks.min_water_depth is None


def test_largest_seed_and_longitudes_0_360_are_accepted():
    cfg = parse_config({**_minimal(seed=2**63 - 1),
                        "areas": [{"name": "box", "kind": "box", "bounds": [170.0, 190.0, 21.8, 22.2]}]})
    assert cfg.seed == 2**63 - 1


def test_resolved_config_round_trips_exactly():
    data = {**_minimal(), "supply": {"plan": {"phases": [
        {"name": "c", "start_year": 2035.0, "rate_per_system": "123456789 t/day", "rate_basis": "dry"}]}}}
    cfg = parse_config(data)
    again = parse_config(cfg.model_dump(mode="json"))
    assert again.supply.plan.phases[0].rate_per_system.to("t/day").magnitude == 123456789


# ---------------------------------------------------------------- issue 13: one configuration package
def test_config_imports_no_engine():
    """``import seabed.config`` loads no engine, xarray, GeoPandas, rasterio, matplotlib or shapely.

    (pint itself imports Dask and SciPy when they are installed, for its optional support of them.)
    """
    import subprocess
    import sys

    code = ("import sys, seabed.config; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('xarray', 'geopandas', 'rasterio', 'matplotlib', 'shapely') "
            "or m.startswith(('seabed.geostats', 'seabed.resource', 'seabed.supply', 'seabed.inputs', "
            "'seabed.compute', 'seabed.pipeline', 'seabed.outputs')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_estimation_methods_are_the_engines():
    from seabed.config.estimation import METHODS as CONFIG_METHODS
    from seabed.geostats.estimation import METHODS

    assert set(CONFIG_METHODS) == set(METHODS)


def test_eez_radius_defaults_to_200_nmi():
    from seabed.defaults import EEZ_RADIUS_M

    cfg = parse_config({**_minimal(), "areas": [
        {"name": "box", "kind": "box", "bounds": [153.5, 154.0, 21.8, 22.2]},
        {"name": "eez", "kind": "eez", "center": [153.98, 24.29]}]})
    assert cfg.area("eez").radius.to("m").magnitude == pytest.approx(EEZ_RADIUS_M)
    assert cfg.area("box").radius is None
    assert parse_config(cfg.model_dump(mode="json")) == cfg


def test_simulation_neighbourhood_table():
    from seabed.defaults import SIMULATION_MAX_SAMPLES, SIMULATION_MIN_SAMPLES

    nb = parse_config(_minimal()).resource.simulation.neighbourhood
    assert (nb.max_samples, nb.min_samples) == (SIMULATION_MAX_SAMPLES, SIMULATION_MIN_SAMPLES)
    cfg = parse_config({**_minimal(), "resource": {"simulation": {"neighbourhood": {"max_samples": 24}}}})
    assert cfg.resource.simulation.neighbourhood.max_samples == 24
    with pytest.raises(ConfigError, match=r"resource\.simulation\.neighbourhood\.min_samples: got 9 > max_samples 8"):
        parse_config({**_minimal(), "resource": {"simulation": {"neighbourhood": {"max_samples": 8,
                                                                                  "min_samples": 9}}}})


def test_defaults_come_from_seabed_defaults():
    from seabed import defaults

    cfg = parse_config(_minimal())
    nb = cfg.estimation.neighbourhood
    assert (nb.max_samples, nb.min_samples) == (defaults.ESTIMATION_MAX_SAMPLES, defaults.ESTIMATION_MIN_SAMPLES)
    assert nb.radius.to("m").magnitude == defaults.ESTIMATION_RADIUS_M
    assert cfg.resource.simulation.seed == defaults.SIMULATION_SEED
    assert cfg.estimation.cross_validation.seed == defaults.CROSS_VALIDATION_SEED


def test_max_samples_all_is_explicit():
    cfg = parse_config({**_minimal(), "estimation": {"neighbourhood": {"max_samples": "all"}}})
    assert cfg.estimation.neighbourhood.max_samples is None


def test_supply_and_whole_config_errors_share_one_formatter():
    """A [supply] error reads the same through parse_config and parse_supply_settings."""
    from seabed.config import parse_supply_settings

    table = {"economics": {"jpy_per_usd": "0 JPY/USD"}}
    with pytest.raises(ConfigError) as whole:
        parse_config({**_minimal(), "supply": table}, source="c.toml")
    with pytest.raises(ConfigError) as alone:
        parse_supply_settings(table, source="c.toml")
    assert str(whole.value) == str(alone.value)
    assert str(alone.value).startswith("c.toml: supply.economics.jpy_per_usd: got 0 JPY/USD")


def test_config_dict_round_trips_exactly():
    from seabed.config import config_dict

    data = {**_minimal(), "resource": {"density": {"dry_bulk_density": "0.55 t/m^3"}},
            "supply": {"economics": {"prices": {"Nd": "95.123456789 USD/kg"}}}}
    cfg = parse_config(data)
    again = parse_config(config_dict(cfg))
    assert again == cfg
    assert again.supply.economics.prices["Nd"].to("USD/kg").magnitude == 95.123456789
    assert again.resource.density.dry_bulk_density.to("t/m^3").magnitude == 0.55
