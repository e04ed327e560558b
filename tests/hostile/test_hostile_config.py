"""Hostile configs: values that would make the answer zero, meaningless or crash (issue 12).

Each case breaks one thing in the Takaya-box project and asserts that ``seabed check`` refuses it
with exit 2 and one line naming the key, the value, what was expected and the fix.
"""

from __future__ import annotations

import pytest
from harness import Project, assert_user_error

BOX = "bounds = [153.5, 154.116667, 21.8, 22.25]"
EEZ_CENTER = "center = [153.98, 24.29]"


def _write_bytes(data: bytes):
    def edit(p: Project) -> None:
        p.config.write_bytes(data)
    return edit


def _encoded(encoding: str):
    def edit(p: Project) -> None:
        text = p.text.replace('title = "', 'title = "Café: ')
        p.config.write_bytes(text.encode(encoding))
    return edit


def _phase(start_year: str, rate: str = '"10000 t/day"') -> str:
    return (f'[[supply.plan.phases]]\nname = "commercial"\nstart_year = {start_year}\n'
            f'rate_per_system = {rate}\nrate_basis = "dry"\n')


CASES = [
    # --- the file itself ---------------------------------------------------------------------
    pytest.param(_encoded("latin-1"), ("config.toml", "UTF-8"), id="latin-1"),
    pytest.param(_encoded("utf-16"), ("config.toml", "UTF-8", "UTF-16"), id="utf-16"),
    pytest.param(_write_bytes(b""), ("config.toml", "empty"), id="empty-file"),
    pytest.param(_write_bytes(b"# only a comment\n\n"), ("config.toml", "empty"), id="comments-only"),
    pytest.param(lambda p: p.append("seed = = 3"), ("config.toml", "line", "column"), id="toml-syntax"),
    pytest.param(lambda p: p.replace('title = "', 'title = "unterminated\n#'), ("config.toml", "line"),
                 id="toml-unterminated-string"),
    # --- booleans and seeds ------------------------------------------------------------------
    pytest.param(lambda p: p.replace("seed = 20260201", "seed = true"), ("seed", "True", "boolean"),
                 id="seed-true"),
    pytest.param(lambda p: p.replace("seed = 20260201", "seed = -1"), ("seed", "-1", "0 <= seed"), id="seed-negative"),
    pytest.param(lambda p: p.replace("seed = 20260201", "seed = 9223372036854775808"), ("seed",),
                 id="seed-2-63"),
    pytest.param(lambda p: p.replace("seed = 20260201", "seed = 3.5"), ("seed", "3.5"), id="seed-float"),
    pytest.param(lambda p: p.set_key("estimation.cross_validation", "seed", "-5"),
                 ("estimation.cross_validation.seed", "-5"), id="cv-seed-negative"),
    pytest.param(lambda p: p.set_key("estimation.cross_validation", "seed", "false"),
                 ("estimation.cross_validation.seed", "boolean"), id="cv-seed-bool"),
    pytest.param(lambda p: p.set_key("resource.simulation", "seed", "true"),
                 ("resource.simulation.seed", "boolean"), id="sim-seed-bool"),
    pytest.param(lambda p: p.set_key("resource.simulation", "n_realisations", "true"),
                 ("n_realisations", "boolean"), id="realisations-bool"),
    pytest.param(lambda p: p.set_key("resource.simulation", "n_realisations", "1000000"),
                 ("n_realisations", "1000000"), id="realisations-huge"),
    pytest.param(lambda p: p.set_key("inputs.cores", "min_coverage", "true"),
                 ("min_coverage", "boolean"), id="coverage-bool"),
    pytest.param(lambda p: p.set_key("supply.uncertainty", "draws", "true"), ("draws", "boolean"),
                 id="draws-bool"),
    pytest.param(lambda p: p.replace(EEZ_CENTER, "center = [true, 24.29]"), ("areas.0.center", "boolean"),
                 id="center-bool"),
    pytest.param(lambda p: p.set_key("estimation", "idw_power", "nan"), ("idw_power", "nan"), id="idw-nan"),
    # --- quantities without units ------------------------------------------------------------
    pytest.param(lambda p: p.set_key("resource.cutoff", "grade", '"400"'),
                 ("resource.cutoff.grade", "400", "without units", "ppm"), id="cutoff-no-units"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "grade", "400"),
                 ("resource.cutoff.grade", "400", "ppm"), id="cutoff-bare-number"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "curve", '["0", "400 ppm"]'),
                 ("resource.cutoff.curve", "without units"), id="curve-no-units"),
    pytest.param(lambda p: p.set_key("resource.simulation", "cutoffs", '["1000"]'),
                 ("resource.simulation.cutoffs", "without units"), id="sim-cutoffs-no-units"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "grade", '"150 %"'),
                 ("resource.cutoff.grade", "150"), id="cutoff-over-100pc"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "grade", '"-5 ppm"'),
                 ("resource.cutoff.grade", "-5"), id="cutoff-negative"),
    pytest.param(lambda p: p.set_key("supply.economics", "lifting_cost", '"30"'),
                 ("lifting_cost", "30", "without units"), id="cost-no-units"),
    pytest.param(lambda p: p.set_key("grid", "cell_size", '"nan km"'), ("grid.cell_size", "nan"),
                 id="cell-nan"),
    # --- masks ------------------------------------------------------------------------------
    pytest.param(lambda p: p.set_key("resource.masks", "max_slope", "false"),
                 ("resource.masks.max_slope", "boolean", "omit"), id="slope-false"),
    pytest.param(lambda p: p.set_key("resource.masks", "max_slope", "-3"),
                 ("resource.masks.max_slope", "-3"), id="slope-negative"),
    pytest.param(lambda p: p.append('[resource.masks]\nmin_water_depth = "6000 m"\nmax_water_depth = "5000 m"'),
                 ("min_water_depth", "max_water_depth", "6000"), id="depth-min-above-max"),
    pytest.param(lambda p: p.set_key("resource.masks", "min_water_depth", '"-100 m"'),
                 ("min_water_depth", "-100"), id="depth-negative"),
    pytest.param(lambda p: p.set_key("resource.masks", "min_sediment_thickness", '"-1 m"'),
                 ("min_sediment_thickness", "-1"), id="sediment-negative"),
    # --- cut-off ------------------------------------------------------------------------------
    pytest.param(lambda p: p.set_key("resource.cutoff", "mode", '"block"'),
                 ("resource.cutoff.mode", "block", "interval"), id="cutoff-mode-block"),
    pytest.param(lambda p: p.append('[resource.cutoff]\ninterval_top = "8 m"\ninterval_bottom = "2 m"'),
                 ("interval_top", "interval_bottom"), id="cutoff-interval-inverted"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "min_mining_thickness", '"-2 m"'),
                 ("min_mining_thickness", "-2"), id="min-thickness-negative"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "min_mining_thickness", '"20 m"'),
                 ("min_mining_thickness", "20"), id="min-thickness-above-interval"),
    pytest.param(lambda p: p.set_key("resource.cutoff", "interval_bottom", '"30 m"'),
                 ("interval_bottom", "30", "layers"), id="interval-below-layers"),
    # --- layers and grid ----------------------------------------------------------------------
    pytest.param(lambda p: p.replace('bottom = "10 m"', 'bottom = "0 m"'), ("layers.bottom", "top"),
                 id="layers-bottom-eq-top"),
    pytest.param(lambda p: p.replace('top = "0 m"', 'top = "12 m"'), ("layers.bottom", "12", "top < bottom"),
                 id="layers-inverted"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "0 m"'), ("layers.thickness", "0"),
                 id="layers-zero-thickness"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "-1 m"'), ("layers.thickness", "-1"),
                 id="layers-negative-thickness"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "3 m"'),
                 ("layers.thickness", "3", "whole number"), id="layers-not-dividing"),
    pytest.param(lambda p: p.replace('top = "0 m"', 'top = "-2 m"'), ("layers.top", "-2"), id="layers-top-negative"),
    pytest.param(lambda p: p.replace('thickness = "1 m"', 'thickness = "1 mm"'), ("layers.thickness", "layers"),
                 id="layers-too-many"),
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "0 km"'), ("config.toml", "grid.cell_size", "0"),
                 id="cell-zero"),
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "-4 km"'), ("config.toml", "grid.cell_size", "-4"),
                 id="cell-negative"),
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "1 um"'), ("grid.cell_size", "10 m"),
                 id="cell-micron"),
    pytest.param(lambda p: p.replace('cell_size = "4 km"', 'cell_size = "5000 km"'), ("grid.cell_size", "5000"),
                 id="cell-huge"),
    pytest.param(lambda p: p.set_key("grid", "center", "[154.0, 95.0]"), ("grid.center", "95", "latitude"),
                 id="grid-center-lat"),
    # --- areas ---------------------------------------------------------------------------------
    pytest.param(lambda p: p.replace('radius = "200 nmi"', 'radius = "0 nmi"'), ("areas.0.radius", "0"),
                 id="eez-radius-zero"),
    pytest.param(lambda p: p.replace('radius = "200 nmi"', 'radius = "-200 nmi"'), ("areas.0.radius", "-200"),
                 id="eez-radius-negative"),
    pytest.param(lambda p: p.replace('radius = "200 nmi"', 'radius = "5000 km"'), ("areas.0.radius", "5000"),
                 id="eez-radius-huge"),
    pytest.param(lambda p: p.replace(EEZ_CENTER, "center = [153.98, 95.0]"),
                 ("areas.0.center", "latitude", "95"), id="eez-lat-95"),
    pytest.param(lambda p: p.replace(EEZ_CENTER, "center = [400.0, 24.29]"),
                 ("areas.0.center", "longitude", "400"), id="eez-lon-400"),
    pytest.param(lambda p: p.replace(BOX, "bounds = [153.5, 154.1, 21.8, 95.0]"),
                 ("areas.1.bounds", "N", "95"), id="box-north-95"),
    pytest.param(lambda p: p.replace(BOX, "bounds = [154.1, 153.5, 21.8, 22.25]"),
                 ("areas.1.bounds", "W", "E"), id="box-west-east"),
    pytest.param(lambda p: p.replace(BOX, "bounds = [-200.0, 154.1, 21.8, 22.25]"),
                 ("areas.1.bounds", "W", "-200"), id="box-west-range"),
    pytest.param(lambda p: p.replace(BOX, BOX + '\nradius = "10 km"'), ("areas.1", "radius", "box"),
                 id="box-with-radius"),
    # --- estimation ---------------------------------------------------------------------------
    pytest.param(lambda p: p.set_key("estimation.neighbourhood", "radius", '"-60 km"'),
                 ("estimation.neighbourhood.radius", "-60"), id="radius-negative"),
    pytest.param(lambda p: p.set_key("estimation.neighbourhood", "radius", '"0 km"'),
                 ("estimation.neighbourhood.radius", "0"), id="radius-zero"),
    pytest.param(lambda p: p.append('[estimation.neighbourhood]\nmin_samples = 20\nmax_samples = 8'),
                 ("min_samples", "max_samples", "20"), id="min-above-max-samples"),
    pytest.param(lambda p: p.set_key("estimation.neighbourhood", "min_samples", "0"), ("min_samples", "0"),
                 id="min-samples-zero"),
    pytest.param(lambda p: p.append('[estimation.neighbourhood]\nradius = "20 km"\nradius_minor = "40 km"'),
                 ("radius_minor", "40"), id="radius-minor-above-major"),
    pytest.param(lambda p: p.append('[estimation.variogram]\nnugget = -0.1\n'
                                    'structures = [{kind = "spherical", sill = 0.9, range = "25 km"}]'),
                 ("nugget", "-0.1"), id="nugget-negative"),
    pytest.param(lambda p: p.append('[estimation.variogram]\nnugget = 0.1\n'
                                    'structures = [{kind = "spherical", sill = -0.9, range = "25 km"}]'),
                 ("sill", "-0.9"), id="sill-negative"),
    pytest.param(lambda p: p.append('[estimation.variogram]\nnugget = 0.1\n'
                                    'structures = [{kind = "spherical", sill = 0.9, range = "-25 km"}]'),
                 ("range", "-25"), id="range-negative"),
    pytest.param(lambda p: p.append('[estimation.variogram]\nkinds = ["spherical"]\nlag_spacing = "-5 km"'),
                 ("lag_spacing", "-5"), id="lag-negative"),
    # --- density ------------------------------------------------------------------------------
    pytest.param(lambda p: p.set_key("resource.density", "dry_bulk_density", '"-0.55 t/m^3"'),
                 ("dry_bulk_density", "-0.55"), id="density-negative"),
    pytest.param(lambda p: p.set_key("resource.density", "dry_bulk_density", '"0 t/m^3"'),
                 ("dry_bulk_density", "0"), id="density-zero"),
    pytest.param(lambda p: p.set_key("resource.density", "dry_bulk_density", '"55 t/m^3"'),
                 ("dry_bulk_density", "55"), id="density-absurd"),
    pytest.param(lambda p: p.append('[resource.density]\nmethod = "per_layer"\nper_layer = ["0.5 t/m^3"]'),
                 ("per_layer", "10"), id="density-per-layer-count"),
    pytest.param(lambda p: p.append('[resource.density]\nmethod = "wet"\nwet_bulk_density = "1.0 g/cm^3"'),
                 ("wet_bulk_density", "seawater"), id="density-wet-below-seawater"),
    # --- supply -------------------------------------------------------------------------------
    pytest.param(lambda p: p.append('[supply.economics.prices]\nNd = "-95 USD/kg"'),
                 ("supply.economics.prices", "Nd", "-95"), id="price-negative"),
    pytest.param(lambda p: p.set_key("supply.economics", "lifting_cost", '"-30 USD/t"'),
                 ("lifting_cost", "-30"), id="cost-negative"),
    pytest.param(lambda p: p.set_key("supply.economics", "fixed_cost", '"-1e8 USD/year"'),
                 ("fixed_cost", "-1e"), id="fixed-cost-negative"),
    pytest.param(lambda p: p.append(_phase("2035.0", '"-10000 t/day"')), ("rate_per_system", "-10000"),
                 id="rate-negative"),
    pytest.param(lambda p: p.append(_phase("2035.0") + 'systems = 0\n'), ("systems", "0"), id="systems-zero"),
    pytest.param(lambda p: p.append(_phase("2035.0") + 'capex = "-3e9 USD"\n'), ("capex", "-3"),
                 id="capex-negative"),
    pytest.param(lambda p: p.append(_phase("2300.0")), ("start_year", "2300", "2065"), id="phase-after-horizon"),
    pytest.param(lambda p: p.set_key("supply.processing", "leach_recovery", '"1.5"'),
                 ("supply.processing.leach_recovery", "1.5"), id="recovery-over-1"),
    pytest.param(lambda p: p.set_key("supply.processing", "leach_recovery", '"-10 %"'),
                 ("supply.processing.leach_recovery", "-10"), id="recovery-negative"),
    pytest.param(lambda p: p.set_key("supply.economics", "discount_rate", '"500 percent/year"'),
                 ("discount_rate", "500"), id="discount-500pc"),
    pytest.param(lambda p: p.set_key("supply.economics", "discount_rate", '"-5 percent/year"'),
                 ("discount_rate", "-5"), id="discount-negative"),
    pytest.param(lambda p: p.set_key("supply.economics", "jpy_per_usd", '"0 JPY/USD"'),
                 ("jpy_per_usd", "0", "> 0"), id="jpy-zero"),
    pytest.param(lambda p: p.set_key("supply.economics", "jpy_per_usd", '"-150 JPY/USD"'),
                 ("jpy_per_usd", "-150"), id="jpy-negative"),
    pytest.param(lambda p: p.set_key("supply", "end_year", "100000"), ("end_year", "100000"), id="end-year-100000"),
    pytest.param(lambda p: p.set_key("supply", "start_year", "1066"), ("start_year", "1066"), id="start-year-1066"),
    pytest.param(lambda p: p.set_key("supply", "end_year", "2020"), ("end_year", "2020"), id="end-before-start"),
    pytest.param(lambda p: p.set_key("supply.demand", "growth_rate", '"300 percent/year"'),
                 ("growth_rate", "300"), id="growth-300pc"),
    pytest.param(lambda p: p.append('[supply.demand.by_element]\nNd = "-4010 t/year"'),
                 ("by_element", "Nd", "-4010"), id="demand-negative"),
    pytest.param(lambda p: p.append('[[supply.demand.disruptions]]\ncut = "0.5"\nfrom_year = 2040\n'
                                    'until_year = 2030'), ("until_year", "2030", "from_year"),
                 id="disruption-inverted"),
    pytest.param(lambda p: p.set_key("supply.uncertainty", "draws", "100000000"), ("draws", "100000000"),
                 id="draws-huge"),
    pytest.param(lambda p: p.append('[supply.uncertainty.parameters]\n'
                                    '"plan.availability" = { dist = "uniform", low = "-0.5", high = "0.9" }'),
                 ("plan.availability", "-0.5"), id="uncertain-availability-negative"),
    pytest.param(lambda p: p.append('[supply.uncertainty.parameters]\n'
                                    '"demand.growth_rate" = { dist = "normal", mean = "1 percent/year", '
                                    'sd = "-1 percent/year" }'), ("sd", "-1"), id="uncertain-sd-negative"),
    pytest.param(lambda p: p.append('[supply.scenarios.fast.economics]\njpy_per_usd = "0 JPY/USD"'),
                 ("scenarios.fast", "jpy_per_usd"), id="scenario-jpy-zero"),
    pytest.param(lambda p: p.append('[supply.scenarios.long]\nend_year = 100000'),
                 ("scenarios.long", "end_year", "100000"), id="scenario-end-year"),
    pytest.param(lambda p: p.append('[supply.scenarios.cheap.economics]\ndiscount_rate = "500 percent/year"'),
                 ("scenarios.cheap", "discount_rate", "500"), id="scenario-discount"),
    # --- compute ------------------------------------------------------------------------------
    pytest.param(lambda p: p.append('[compute]\nscheduler = "tcp://host:99999"'),
                 ("compute.scheduler", "99999", "port"), id="scheduler-port-99999"),
    pytest.param(lambda p: p.append('[compute]\nscheduler = "tcp://host:0"'),
                 ("compute.scheduler", "port"), id="scheduler-port-0"),
    pytest.param(lambda p: p.append('[compute]\nscheduler = "tcp://host:abc"'),
                 ("compute.scheduler", "tcp://host:abc", "port 1-65535"), id="scheduler-port-abc"),
    pytest.param(lambda p: p.append('[compute]\nscheduler = "tcp://host"'),
                 ("compute.scheduler", "tcp://host", "port 1-65535"), id="scheduler-no-port"),
    pytest.param(lambda p: p.append('[compute]\nscheduler = "threads; rm -rf /"'),
                 ("compute.scheduler: got 'threads; rm -rf /'; expected one of",), id="scheduler-semicolon"),
    pytest.param(lambda p: p.append('[compute]\nmemory_budget = "4 GiB; or so"'),
                 ("compute.memory_budget: got '4 GiB; or so'; expected a positive size",),
                 id="memory-budget-semicolon"),
]


@pytest.mark.parametrize(("breaks", "fragments"), CASES)
def test_check_refuses(project, breaks, fragments):
    """``seabed check`` refuses the broken config: exit 2, one line naming the key, the value and the fix."""
    breaks(project)
    assert_user_error(project.check(), *fragments)


RUN_CASES = [c for c in CASES if c.id in ("seed-negative", "cutoff-mode-block", "jpy-zero")]


@pytest.mark.parametrize(("breaks", "fragments"), RUN_CASES)
def test_run_refuses_before_computing(project, breaks, fragments):
    """``seabed run`` refuses what ``check`` refuses (once after kriging, or in the supply stage), writing nothing."""
    breaks(project)
    assert_user_error(project.run(), *fragments)
    assert not (project.root / "out").exists()
    assert project.leftovers() == []


def _drop_crustal_age(p) -> None:
    text = p.text
    start = text.index("[inputs.crustal_age]")
    end = text.index("[", start + 1)
    p.config.write_text(text[:start] + text[end:], encoding="utf-8")
    p.set_key("estimation", "drift", '{external = "crustal_age"}')


DRIFT_CASES = [  # issue 17: [estimation] drift
    pytest.param(lambda p: p.set_key("estimation", "drift", '"cubic"'),
                 ("estimation.drift", "cubic", "linear"), id="drift-cubic"),
    pytest.param(lambda p: p.set_key("estimation", "drift", '{external = "gravity"}'),
                 ("estimation.drift", "gravity", "crustal_age"), id="drift-external-unknown"),
    pytest.param(lambda p: p.set_key("estimation", "drift", "3"), ("estimation.drift", "3"), id="drift-number"),
    pytest.param(lambda p: (p.set_key("estimation", "drift", '"linear"'), p.set_key("estimation", "method", '"idw"')),
                 ("drift", "idw", "ordinary_kriging", "fix"), id="drift-with-idw"),
    pytest.param(_drop_crustal_age, ("estimation.drift", "inputs.crustal_age", "fix"), id="drift-grid-missing"),
]


@pytest.mark.parametrize(("breaks", "fragments"), DRIFT_CASES)
def test_check_refuses_bad_drift(project, breaks, fragments):
    """``seabed check`` refuses a drift that is unknown, needs a missing grid or a non-kriging method."""
    breaks(project)
    assert_user_error(project.check(), *fragments)


ANISOTROPY_CASES = [  # issue 17: [estimation.variogram] anisotropy
    pytest.param(lambda p: p.set_key("estimation.variogram", "anisotropy", '"yes"'),
                 ("estimation.variogram", "anisotropy", "yes", "fit"), id="anisotropy-yes"),
    pytest.param(lambda p: p.set_key("estimation.variogram", "anisotropy", "{azimuth = 30, ratio = 0.5}"),
                 ("anisotropy", "0.5", "ratio"), id="anisotropy-ratio-below-one"),
    pytest.param(lambda p: p.set_key("estimation.variogram", "anisotropy", "{azimuth = 30}"),
                 ("anisotropy", "azimuth", "ratio"), id="anisotropy-no-ratio"),
]


@pytest.mark.parametrize(("breaks", "fragments"), ANISOTROPY_CASES)
def test_check_refuses_bad_anisotropy(project, breaks, fragments):
    """``seabed check`` refuses an anisotropy that is neither "none", "fit" nor {azimuth, ratio >= 1}."""
    breaks(project)
    assert_user_error(project.check(), *fragments)


@pytest.mark.parametrize("drift", ['"linear"', '"quadratic"', '{external = "crustal_age"}', '{external = "bathymetry"}'])
def test_check_accepts_good_drift_and_anisotropy(project, drift):
    """The accepted forms pass ``seabed check`` (the external grids are inputs of the project)."""
    project.set_key("estimation", "drift", drift)
    project.set_key("estimation.variogram", "anisotropy", '"fit"')
    r = project.check()
    assert r.code == 0, (r.code, r.err)


VARIOGRAM_UNCERTAINTY_CASES = [  # issue 17 item 7: [resource.simulation] variogram uncertainty
    pytest.param(lambda p: p.set_key("resource.simulation", "variogram_range_relative_sd", "0"),
                 ("resource.simulation.variogram_range_relative_sd", "0"), id="variogram-range-sd-zero"),
    pytest.param(lambda p: p.set_key("resource.simulation", "variogram_nugget_sd", "0.8"),
                 ("resource.simulation.variogram_nugget_sd", "0.8"), id="variogram-nugget-sd-too-large"),
    pytest.param(lambda p: p.set_key("resource.simulation", "variogram_models", "0"),
                 ("resource.simulation.variogram_models", "0"), id="variogram-models-zero"),
]


@pytest.mark.parametrize(("breaks", "fragments"), VARIOGRAM_UNCERTAINTY_CASES)
def test_check_refuses_bad_variogram_uncertainty(project, breaks, fragments):
    """``seabed check`` refuses a variogram spread out of bounds, in one line naming the key."""
    breaks(project)
    assert_user_error(project.check(), *fragments)
