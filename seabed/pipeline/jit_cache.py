"""Compile seabed's numba kernels into their on-disk cache: ``python -m seabed.pipeline.jit_cache``.

numba compiles a kernel at its first call and, with ``cache=True``, keeps the machine code in the
package's ``__pycache__``; a later process loads it in ~0.3 s. Without this step the first run on a
new machine pays the compilation (~15 s inside the resource stage of the default run), and so does
every test process that starts before the cache exists. ``make`` runs it once after installing.

The kernels are the compiled point-kriging path (:mod:`seabed.geostats.kriging_fast`, ordinary and
simple kriging), the counter-based white noise of the random fields
(:mod:`seabed.geostats.white_noise`, float64 and float32 windows), the simulation's
back-transform (:mod:`seabed.geostats.back_transform`), its spectral fields
(:mod:`seabed.geostats.torus`) and its tonnage tally
(:mod:`seabed.resource.tally`). A kernel called later with other argument types (e.g. float32
outputs) is compiled then, once, and cached too.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["compile_kernels"]


def compile_kernels() -> float:
    """Call every numba kernel once on a tiny problem so that numba compiles and caches it.

    Returns
    -------
    float
        Seconds taken (a few when the cache already holds the kernels).
    """
    from seabed.geostats import kriging_fast
    from seabed.geostats.back_transform import back_transform_columns, stack_tables
    from seabed.geostats.kriging import Kriging
    from seabed.geostats.neighbourhood import Neighbourhood
    from seabed.geostats.random_field import lattice_noise
    from seabed.geostats.variogram import Structure, VariogramModel
    from seabed.geostats.white_noise import fill_noise, key_offset

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    xy = rng.uniform(0.0, 1000.0, (64, 2))
    z = rng.normal(size=(64, 2))
    g = np.linspace(0.0, 1000.0, 24)
    targets = np.column_stack([a.ravel() for a in np.meshgrid(g, g)])  # 576 cells ≥ the compiled minimum
    assert targets.shape[0] >= kriging_fast.MIN_TARGETS
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 400.0),))
    nb = Neighbourhood(max_samples=8, min_samples=2, radius=np.inf)
    for kind, mean in (("ordinary", None), ("simple", z.mean(axis=0))):
        fitted = Kriging(model, kind=kind, mean=mean, neighbourhood=nb).fit(xy, z)
        for dtype in (np.float64, np.float32):  # float32 outputs: many variables (Kriging.predict)
            fitted.predict(targets, dtype=dtype)
    lattice_noise((0, 1), (0, 8), (0, 8))
    for dtype in (np.float64, np.float32):
        window = np.empty((8, 16), dtype=dtype)
        for out in (window, window[:, :8]):  # a whole array and a view into a field window, as the simulation does
            fill_noise(key_offset([1, 0]), 0, 0, out)
    from seabed.resource.tally import tally_grades

    grades = np.ones((2, 1, 3), dtype=np.float32)
    for codes in (None, np.zeros((1, 3), dtype=np.int8)):
        tally_grades(grades, np.ones((1, 3)), codes=codes, item_rows=np.array([0]), item_factors=np.array([1.0]),
                     cutoffs=np.array([0.5]))
    from seabed.geostats.circulant import CirculantEmbedding

    embedding = CirculantEmbedding.from_model(model, 100.0, rows=(0, 4), cols=(0, 4))
    for dtype in (np.float32, np.float64):
        embedding.fields([(1, 0), (1, 1), (1, 2)], dtype=dtype)
        embedding.fields([(1, 0)], dtype=dtype, at=np.array([0, 5]))
    tables = stack_tables([(np.array([0.0, 1.0]), np.array([-1.0, 1.0]))] * 2)
    for dtype in (np.float32, np.float64):
        back_transform_columns(np.zeros((2, 4), dtype=dtype), tables)
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"seabed: numba kernels compiled and cached in {compile_kernels():.1f} s")
