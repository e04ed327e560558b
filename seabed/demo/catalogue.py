"""The shipped SYNTHETIC demo core tables (``data/cores/*.csv``): what they are and how to rebuild them.

Each entry of :data:`DEMOS` fixes a site, a region, a seed, a sediment model and a coring plan;
:func:`write_demo_files` regenerates the files byte for byte (``python -m seabed.demo``). Every
file starts with ``#`` lines saying SYNTHETIC, the seed, the calibration targets and their sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from seabed.demo.model import CoringPlan, SedimentModel, calibration_summary, generate_survey
from seabed.errors import InputDataError
from seabed.working_grid import laea_crs

__all__ = [
    "DEMOS",
    "GENERATOR_NAME",
    "DemoSpec",
    "build_demo",
    "minamitorishima_eez_trend",
    "write_cores_csv",
    "write_demo_files",
]

#: The generator's name as the shipped files' headers give it (provenance lines and the
#: regeneration command ``python -m seabed.demo``).
GENERATOR_NAME = "seabed.demo"


def minamitorishima_eez_trend(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """ASSUMED regional log-amplitude trend of the REY-rich layer over the Minamitorishima EEZ.

    Grades rise towards the south, where the richest known mud lies (Takaya et al. 2018
    box ~250 km south; the 2026 Chikyu site ~150 km south-east), and drop near the island
    (volcanic and carbonate debris off the atoll):
    :math:`T = -0.25\\,(y + 250)/100 - \\exp(-(d/80)^2)`, with :math:`y` the northing and
    :math:`d` the distance from the island, km. An illustration, not a published map.
    """
    island = (153.98, 24.29)
    t = pyproj.Transformer.from_crs("EPSG:4326", laea_crs(*island), always_xy=True)
    x, y = t.transform(np.asarray(lon, float), np.asarray(lat, float))
    x_km, y_km = np.asarray(x) / 1e3, np.asarray(y) / 1e3
    return -0.25 * (y_km + 250.0) / 100.0 - np.exp(-((np.hypot(x_km, y_km) / 80.0) ** 2))


@dataclass(frozen=True)
class DemoSpec:
    """A shipped synthetic file: how to generate it and what its header says."""

    filename: str
    site: str
    n_cores: int
    region: Callable[[], BaseGeometry]
    seed: int
    model: SedimentModel
    coring: CoringPlan
    id_prefix: str
    description: tuple[str, ...]
    trend: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    targets: dict[str, float] = field(default_factory=dict)


def _takaya_box() -> BaseGeometry:
    return box(153.5, 21.8, 154 + 7 / 60, 22.25)


def _okinotorishima_basin() -> BaseGeometry:
    # West Philippine Basin west of the Kyushu-Palau Ridge, ~60-150 km WSW of the island,
    # water depth 5,500-5,900 m, crust ~60-70 Myr (grids/okinotorishima_*.nc)
    return box(134.6, 19.9, 135.6, 20.9)


def _minamitorishima_eez() -> BaseGeometry:
    from seabed.inputs.areas import eez_circle

    return eez_circle(153.98, 24.29)


_PATTERN_NOTE = (
    "Element pattern: PAAS-normalised shape of Minamitorishima REY-rich mud (strong negative Ce anomaly, "
    "Y the largest element) after Kato et al. 2011 Nat. Geosci. 4:535 and Iijima et al. 2016 Geochem. J. "
    f"50:557; the exact proportions are an ASSUMPTION ({GENERATOR_NAME}.model.PATTERN_PAAS_NORMALISED)"
)
_UNITS_NOTE = (
    "Units: element columns ppm (mg/kg, dry mass fraction); top_mbsf/bottom_mbsf m below seafloor; "
    "water_depth_m m positive down (ETOPO1, bilinear); dry_bulk_density t/m^3 (0.50-0.56, DOMAIN.md)"
)

DEMOS: dict[str, DemoSpec] = {
    "minamitorishima_demo": DemoSpec(
        filename="minamitorishima_demo.csv",
        site="minamitorishima",
        n_cores=25,
        region=_takaya_box,
        seed=5763,
        model=SedimentModel(),
        coring=CoringPlan(),
        id_prefix="SYN-MT",
        description=(
            ("Site: Minamitorishima, Takaya et al. (2018) study box 21.80-22.25 N, 153.50-154.1167 E; "
            "25 piston cores, 0.3-0.5 m samples (Takaya: 677 analyses in 25 cores)"),
            ("Calibration targets: mean total REY 964 ppm over 0-10 mbsf (length-weighted over all cores) and "
            "Y+HREE (Gd-Lu) = 44 % of REY [Takaya et al. 2018, Sci. Rep. 8:5763, doi:10.1038/s41598-018-23948-5]; "
            "richest layers at 2-6 mbsf, best 1-m layers 5,000-8,000 ppm [Iijima et al. 2016, Geochem. J. 50:557]"),
            ("Spatial model: log-amplitude of the REY-rich layer is a Gaussian random field (exponential "
            "covariance, practical range 25 km); 3 cores shorter than 10 m, ~2 % missing samples, 1 lost section"),
        ),
        targets={"mean_rey_ppm": 964.0, "hrey_share": 0.44},
    ),
    "okinotorishima_demo": DemoSpec(
        filename="okinotorishima_demo.csv",
        site="okinotorishima",
        n_cores=15,
        region=_okinotorishima_basin,
        seed=2026,
        model=SedimentModel(mean_rey_ppm=350.0, background_ppm=230.0, amplitude_log_sd=0.5,
                            hrey_share=0.42),
        coring=CoringPlan(core_length_m=(9.0, 12.0), n_short=2, min_water_depth_m=4000.0),
        id_prefix="SYN-OK",
        description=(
            ("ILLUSTRATIVE ONLY: no public REY assays exist for Okinotorishima; the grade level is an ASSUMPTION "
            "(lower than Minamitorishima: younger crust, see grids/okinotorishima_crustal_age.nc)"),
            ("Site: West Philippine Basin 19.9-20.9 N, 134.6-135.6 E, inside the claimed 200-nm EEZ around "
            "20.42 N, 136.09 E (disputed under UNCLOS Art. 121(3)); 15 cores, water depth > 4,000 m"),
            "Calibration targets (assumed): mean total REY 350 ppm over 0-10 mbsf, Y+HREE 42 % of REY",
        ),
        targets={"mean_rey_ppm": 350.0, "hrey_share": 0.42},
    ),
    "minamitorishima_eez_survey": DemoSpec(
        filename="minamitorishima_eez_survey.csv",
        site="minamitorishima",
        n_cores=600,
        region=_minamitorishima_eez,
        seed=24290,
        model=SedimentModel(mean_rey_ppm=650.0),
        coring=CoringPlan(core_length_m=(10.0, 12.0), n_short=30, short_length_m=(4.0, 9.0),
                          sample_length_m=(1.0, 1.0), gap_probability=0.01, n_lost_sections=10,
                          min_water_depth_m=4500.0),
        trend=minamitorishima_eez_trend,
        id_prefix="SYN-EEZ",
        description=(
            ("Site: the whole Minamitorishima EEZ (200-nm geodesic circle around 24.29 N, 153.98 E); 600 cores on "
            "a jittered grid (~27 km spacing), sites shallower than 4,500 m (seamounts) excluded; 1 m samples"),
            ("Calibration target (ASSUMED): mean total REY 650 ppm over 0-10 mbsf over the EEZ, with an assumed "
            "trend: richer to the south (Takaya et al. 2018 box) and poorer near the island "
            f"({GENERATOR_NAME}.catalogue.minamitorishima_eez_trend); Y+HREE 44 % of REY"),
            "Spatial model: Gaussian random field, exponential covariance, practical range 25 km, on top of the trend",
        ),
        targets={"mean_rey_ppm": 650.0, "hrey_share": 0.44},
    ),
}


def build_demo(name: str, *, grids_dir: str | Path) -> pd.DataFrame:
    """Generate one shipped demo table (see :data:`DEMOS`) in memory.

    Parameters
    ----------
    name : str
        Key of :data:`DEMOS`.
    grids_dir : str or Path
        Folder with ``<site>_bathymetry.nc`` (variable ``elevation``, m).
    """
    from seabed.inputs.grids import load_grid

    spec = DEMOS[name]
    path = Path(grids_dir) / f"{spec.site}_bathymetry.nc"
    if not path.is_file():
        raise InputDataError(f"{path}: bathymetry grid not found; expected {spec.site}_bathymetry.nc; fix --grids")
    bathymetry = load_grid(path, "elevation")
    return generate_survey(
        spec.n_cores, spec.region(), spec.seed, bathymetry=bathymetry, model=spec.model,
        coring=spec.coring, trend=spec.trend, id_prefix=spec.id_prefix,
    )


def write_cores_csv(table: pd.DataFrame, path: str | Path, *, header: Sequence[str]) -> Path:
    """Write an interval table as CSV preceded by ``#`` header lines.

    Parameters
    ----------
    table : pandas.DataFrame
        Interval table.
    path : str or Path
        Output file (parent folders are created).
    header : sequence of str
        Header lines, written as ``# <line>``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = table.to_csv(index=False, lineterminator="\n", float_format="%.10g")
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(f"# {line}\n" for line in header)
        fh.write(body)
    return path


def write_demo_files(out_dir: str | Path, *, grids_dir: str | Path, names: Sequence[str] | None = None) -> list[Path]:
    """Regenerate the shipped SYNTHETIC demo CSV files.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (``data/cores``).
    grids_dir : str or Path
        Folder with the bathymetry grids (``grids``).
    names : sequence of str, optional
        Subset of :data:`DEMOS` keys; default all.

    Returns
    -------
    list of Path
        Files written.
    """
    written = []
    for name in names or list(DEMOS):
        spec = DEMOS[name]
        table = build_demo(name, grids_dir=grids_dir)
        s = calibration_summary(table)
        header = [
            f"SYNTHETIC data generated by {GENERATOR_NAME} (seed {spec.seed}) — not real assays",
            *spec.description,
            (f"Achieved: mean REY {s['mean_rey_ppm']:.1f} ppm (0-10 mbsf), Y+HREE {100 * s['hrey_share']:.1f} %, "
            f"max 1-m layer composite {s['max_layer_rey_ppm']:.0f} ppm; "
            f"{s['n_cores']} cores, {s['n_samples']} samples"),
            _PATTERN_NOTE,
            _UNITS_NOTE,
            f"Regenerate: python -m {GENERATOR_NAME} --grids grids --out data/cores --only {name}",
        ]
        written.append(write_cores_csv(table, Path(out_dir) / spec.filename, header=header))
    return written
